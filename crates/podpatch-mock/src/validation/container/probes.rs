//! Probes and lifecycle hooks as `pkg/apis/core/validation/validation.go`
//! checks them: `validateLivenessProbe` and its siblings, `validateHandler`
//! and `validateLifecycle`. It inspects values only.

use serde_json::{Value, json};

use super::context::{NEGATIVE, Pod, int};
use super::ports::port_num_or_name;
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::value::{arr, present as set, s};
use crate::version::Version;

/// `validateLivenessProbe`, `validateReadinessProbe`, `validateStartupProbe`.
pub(super) fn probes(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for key in ["livenessProbe", "readinessProbe", "startupProbe"] {
        let Some(probe) = set(c, key) else {
            continue;
        };
        let pp = format!("{path}.{key}");
        errs.extend(handler(
            pod,
            probe,
            &pp,
            &["exec", "httpGet", "tcpSocket", "grpc"],
        ));
        for timing in [
            "initialDelaySeconds",
            "timeoutSeconds",
            "periodSeconds",
            "successThreshold",
            "failureThreshold",
        ] {
            let v = int(probe, timing);
            if v < 0 {
                errs.push(FieldError::invalid(
                    format!("{pp}.{timing}"),
                    json!(v),
                    NEGATIVE,
                ));
            }
        }
        let tgps = probe
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64);
        if let Some(t) = tgps
            && t <= 0
        {
            errs.push(FieldError::invalid(
                format!("{pp}.terminationGracePeriodSeconds"),
                json!(t),
                "must be greater than 0",
            ));
        }
        match key {
            "readinessProbe" => {
                if let Some(t) = tgps {
                    errs.push(FieldError::invalid(
                        format!("{pp}.terminationGracePeriodSeconds"),
                        json!(t),
                        "must not be set for readinessProbes",
                    ));
                }
            }
            _ => {
                let success = int(probe, "successThreshold");
                if success != 1 {
                    errs.push(FieldError::invalid(
                        format!("{pp}.successThreshold"),
                        json!(success),
                        "must be 1",
                    ));
                }
            }
        }
    }
}

/// `validateHandler` over the handler kinds the caller allows, in Go's
/// order.
fn handler(pod: &Pod, h: &Value, path: &str, kinds: &[&str]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut count = 0;
    for kind in kinds {
        let Some(action) = set(h, kind) else {
            continue;
        };
        let ap = format!("{path}.{kind}");
        if count > 0 {
            errs.push(FieldError::forbidden(
                &ap,
                "may not specify more than 1 handler type",
            ));
            continue;
        }
        count += 1;
        match *kind {
            "exec" => {
                if arr(action, "command").is_empty() {
                    errs.push(FieldError::required(format!("{ap}.command"), ""));
                }
            }
            "httpGet" => {
                if s(action, "path").is_empty() {
                    errs.push(FieldError::required(format!("{ap}.path"), ""));
                }
                errs.extend(port_num_or_name(action.get("port"), &format!("{ap}.port")));
                let scheme = s(action, "scheme");
                if !["HTTP", "HTTPS"].contains(&scheme) {
                    errs.push(FieldError::not_supported(
                        format!("{ap}.scheme"),
                        json!(scheme),
                        &["HTTP", "HTTPS"],
                    ));
                }
                for header in arr(action, "httpHeaders") {
                    let name = s(header, "name");
                    let ok = !name.is_empty()
                        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
                    if !ok {
                        errs.push(FieldError::invalid(
                            format!("{ap}.httpHeaders"),
                            json!(name),
                            names::regex_error(
                                "a valid HTTP header must consist of alphanumeric characters or '-'",
                                "[-A-Za-z0-9]+",
                                &["X-Header-Name"],
                            ),
                        ));
                    }
                }
            }
            "tcpSocket" => {
                errs.extend(port_num_or_name(action.get("port"), &format!("{ap}.port")));
            }
            "grpc" => {
                let port = json!(int(action, "port"));
                errs.extend(port_num_or_name(Some(&port), &format!("{ap}.port")));
            }
            _ => {
                let seconds = int(action, "seconds");
                // `validateSleepAction`: zero is allowed with the
                // PodLifecycleSleepActionAllowZero gate (on from 1.33).
                let version = Version::current();
                let least = if version.allows_zero_sleep() { 0 } else { 1 };
                if let Some(grace) = pod.grace
                    && !(least..=grace).contains(&seconds)
                {
                    let detail = if version.allows_zero_sleep() {
                        format!(
                            "must be non-negative and less than terminationGracePeriodSeconds ({grace})"
                        )
                    } else if version.hints_zero_sleep_gate() {
                        format!(
                            "must be greater than 0 and less than terminationGracePeriodSeconds ({grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep."
                        )
                    } else {
                        format!(
                            "must be greater than 0 and less than terminationGracePeriodSeconds ({grace})"
                        )
                    };
                    errs.push(FieldError::invalid(&ap, json!(seconds), detail));
                }
            }
        }
    }
    if count == 0 {
        errs.push(FieldError::required(path, "must specify a handler type"));
    }
    errs
}

/// `validateLifecycle`.
pub(super) fn lifecycle(pod: &Pod, lifecycle: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for hook in ["postStart", "preStop"] {
        if let Some(h) = set(lifecycle, hook) {
            errs.extend(handler(
                pod,
                h,
                &format!("{path}.{hook}"),
                &["exec", "httpGet", "tcpSocket", "sleep"],
            ));
        }
    }
    if let Some(signal) = lifecycle.get("stopSignal").and_then(Value::as_str) {
        let sp = format!("{path}.stopSignal");
        match pod.os {
            None => errs.push(FieldError::forbidden(
                sp,
                "may not be set for containers with empty `spec.os.name`",
            )),
            Some("windows") => {
                if !["SIGKILL", "SIGTERM"].contains(&signal) {
                    errs.push(FieldError::not_supported(
                        sp,
                        json!(signal),
                        &["SIGKILL", "SIGTERM"],
                    ));
                }
            }
            Some("linux") => {
                let supported = linux_signals();
                if !supported.iter().any(|s| s == signal) {
                    let list: Vec<&str> = supported.iter().map(String::as_str).collect();
                    errs.push(FieldError::not_supported(sp, json!(signal), &list));
                }
            }
            Some(_) => {}
        }
    }
    errs
}

/// The Linux stop signals, sorted as `sets.List` returns them.
fn linux_signals() -> Vec<String> {
    let mut all: Vec<String> = [
        "SIGABRT",
        "SIGALRM",
        "SIGBUS",
        "SIGCHLD",
        "SIGCLD",
        "SIGCONT",
        "SIGFPE",
        "SIGHUP",
        "SIGILL",
        "SIGINT",
        "SIGIO",
        "SIGIOT",
        "SIGKILL",
        "SIGPIPE",
        "SIGPOLL",
        "SIGPROF",
        "SIGPWR",
        "SIGQUIT",
        "SIGSEGV",
        "SIGSTKFLT",
        "SIGSTOP",
        "SIGSYS",
        "SIGTERM",
        "SIGTRAP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGUSR1",
        "SIGUSR2",
        "SIGVTALRM",
        "SIGWINCH",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGRTMIN",
        "SIGRTMAX",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    all.extend((1..=15).map(|n| format!("SIGRTMIN+{n}")));
    all.extend((1..=14).map(|n| format!("SIGRTMAX-{n}")));
    all.sort();
    all
}
