//! The pod-level security checks of `ValidatePodSpec`: the pod security
//! context (`validatePodSpecSecurityContext`), which in the internal API of
//! 1.36 and older also holds `hostNetwork`, `hostPID`, `hostIPC`,
//! `shareProcessNamespace` and `hostUsers`, hence the
//! `spec.securityContext.shareProcessNamespace` path there;
//! the host-network port rule, Windows HostProcess pods and user namespaces.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::sync::LazyLock;

use regex::Regex;

use serde_json::{Value, json};

use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::profiles::{apparmor_profile, seccomp_profile};
use crate::validation::value::{MAX_INT32, arr, containers_with_path, dig, present as set, s};
use crate::version::Version;

const SC: &str = "spec.securityContext";

fn flag(spec: &Value, key: &str) -> bool {
    spec.get(key).and_then(Value::as_bool) == Some(true)
}

/// `validatePodHostNetworkDeps`: with `hostNetwork` every port's `hostPort`
/// must equal its `containerPort` (defaulting fills it when unset).
pub(super) fn host_network_deps(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if !flag(spec, "hostNetwork") {
        return errs;
    }
    for (i, c) in arr(spec, "containers").iter().enumerate() {
        for (j, port) in arr(c, "ports").iter().enumerate() {
            let int = |k: &str| port.get(k).and_then(Value::as_i64).unwrap_or(0);
            if int("hostPort") != int("containerPort") {
                errs.push(FieldError::invalid(
                    format!("spec.containers[{i}].ports[{j}].hostPort"),
                    json!(int("hostPort")),
                    "must match `containerPort` when `hostNetwork` is true",
                ));
            }
        }
    }
    errs
}

fn id_range(errs: &mut Vec<FieldError>, path: impl Display, value: Option<&Value>) {
    if let Some(id) = value.and_then(Value::as_i64)
        && !(0..=MAX_INT32).contains(&id)
    {
        errs.push(FieldError::invalid(
            path.to_string(),
            json!(id),
            format!("must be between 0 and {MAX_INT32}, inclusive"),
        ));
    }
}

fn one_of(errs: &mut Vec<FieldError>, sc: &Value, key: &str, supported: &[&str]) {
    if let Some(v) = sc.get(key).and_then(Value::as_str)
        && !supported.contains(&v)
    {
        errs.push(FieldError::not_supported(
            format!("{SC}.{key}"),
            json!(v),
            supported,
        ));
    }
}

/// `validateShareProcessNamespace` (1.37, on the spec after its security
/// context; before, part of the security context's checks): the process
/// namespace cannot be shared with the host's, reported under `parent`.
pub(super) fn share_process_namespace(spec: &Value, parent: &str) -> Vec<FieldError> {
    if !(flag(spec, "shareProcessNamespace") && flag(spec, "hostPID")) {
        return Vec::new();
    }
    vec![FieldError::invalid(
        format!("{parent}.shareProcessNamespace"),
        json!(true),
        "ShareProcessNamespace and HostPID cannot both be enabled",
    )]
}

/// `validatePodSpecSecurityContext`; `old` is the stored spec on update.
pub(super) fn pod_security_context(spec: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let sc = spec.get("securityContext").unwrap_or(&Value::Null);
    id_range(&mut errs, format_args!("{SC}.fsGroup"), sc.get("fsGroup"));
    id_range(
        &mut errs,
        format_args!("{SC}.runAsUser"),
        sc.get("runAsUser"),
    );
    id_range(
        &mut errs,
        format_args!("{SC}.runAsGroup"),
        sc.get("runAsGroup"),
    );
    for (i, gid) in arr(sc, "supplementalGroups").iter().enumerate() {
        id_range(
            &mut errs,
            format_args!("{SC}.supplementalGroups[{i}]"),
            Some(gid),
        );
    }
    if !Version::current().holds_host_namespaces_on_spec() {
        errs.extend(share_process_namespace(spec, SC));
    }
    errs.extend(sysctls(spec, sc));
    one_of(
        &mut errs,
        sc,
        "fsGroupChangePolicy",
        &["Always", "OnRootMismatch"],
    );
    if let Some(profile) = set(sc, "seccompProfile") {
        errs.extend(seccomp_profile(profile, &format!("{SC}.seccompProfile")));
    }
    errs.extend(windows_options(
        sc.get("windowsOptions"),
        &format_args!("{SC}.windowsOptions"),
    ));
    if let Some(profile) = set(sc, "appArmorProfile") {
        errs.extend(apparmor_profile(profile, &format!("{SC}.appArmorProfile")));
    }
    one_of(
        &mut errs,
        sc,
        "supplementalGroupsPolicy",
        &["Merge", "Strict"],
    );
    // With SELinuxMount off (before 1.37) only `Recursive` is allowed,
    // unless the old pod has a policy (`useOnlyRecursiveSELinuxChangePolicy`).
    let old_policy =
        old.is_some_and(|o| set(&o["securityContext"], "seLinuxChangePolicy").is_some());
    let policies: &[&str] = if old_policy || Version::current().allows_mount_option_selinux_policy()
    {
        &["MountOption", "Recursive"]
    } else {
        &["Recursive"]
    };
    one_of(&mut errs, sc, "seLinuxChangePolicy", policies);
    errs
}

/// `sysctlContainSlashRegexp`, quoted as is in the error message.
const SYSCTL_PATTERN: &str =
    "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$";
static SYSCTL: LazyLock<Regex> = LazyLock::new(|| Regex::new(SYSCTL_PATTERN).expect("valid regex"));
static NETBIOS_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^[^\\/:\*\?"<>|\.][^\\/:\*\?"<>|]{0,14}$"#).expect("valid regex")
});
static DNS_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$",
    )
    .expect("valid regex")
});

/// `validateSysctls` with `ValidateHostSysctl`.
fn sysctls(spec: &Value, sc: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    for (i, sysctl) in arr(sc, "sysctls").iter().enumerate() {
        let path = format!("{SC}.sysctls[{i}].name");
        let name = s(sysctl, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&path, ""));
        } else if name.len() > 253 || !SYSCTL.is_match(name) {
            errs.push(FieldError::invalid(
                &path,
                json!(name),
                format!("must have at most 253 characters and match regex {SYSCTL_PATTERN}"),
            ));
        } else if names.contains(name) {
            errs.push(FieldError::duplicate(&path, json!(name)));
        }
        match sysctl_namespace(name) {
            Some("Net") if flag(spec, "hostNetwork") => errs.push(FieldError::invalid(
                &path,
                json!(name),
                "may not be specified when 'hostNetwork' is true",
            )),
            Some("IPC") if flag(spec, "hostIPC") => errs.push(FieldError::invalid(
                &path,
                json!(name),
                "may not be specified when 'hostIPC' is true",
            )),
            _ => {}
        }
        names.insert(name);
    }
    errs
}

/// `sysctl.GetNamespace`: the kernel namespace of a sysctl, after
/// `NormalizeName` turns a slash-separated name into a dotted one.
fn sysctl_namespace(name: &str) -> Option<&'static str> {
    let normal: String = if name
        .find(['.', '/'])
        .is_some_and(|i| name[i..].starts_with('/'))
    {
        name.chars()
            .map(|c| match c {
                '/' => '.',
                '.' => '/',
                c => c,
            })
            .collect()
    } else {
        name.to_string()
    };
    let normal = normal.split('*').next().unwrap_or("");
    const IPC: &[&str] = &[
        "kernel.sem",
        "kernel.shmall",
        "kernel.shmmax",
        "kernel.shmmni",
        "kernel.shm_rmid_forced",
        "kernel.shm",
        "kernel.msgmax",
        "kernel.msgmnb",
        "kernel.msgmni",
        "kernel.msg",
    ];
    if IPC.contains(&normal) || normal.starts_with("fs.mqueue.") {
        Some("IPC")
    } else if normal.starts_with("net.") {
        Some("Net")
    } else {
        None
    }
}

/// `validateWindowsSecurityContextOptions`.
pub(super) fn windows_options(
    options: Option<&Value>,
    path: &(impl Display + ?Sized),
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(o) = options.filter(|o| !o.is_null()) else {
        return errs;
    };
    if let Some(name) = o.get("gmsaCredentialSpecName").and_then(Value::as_str) {
        errs.extend(FieldError::invalid_each(
            format!("{path}.gmsaCredentialSpecName"),
            name,
            names::dns1123_subdomain(name),
        ));
    }
    if let Some(spec) = o.get("gmsaCredentialSpec").and_then(Value::as_str) {
        let detail = if spec.is_empty() {
            Some("gmsaCredentialSpec cannot be an empty string".to_string())
        } else if spec.len() > 64 * 1024 {
            Some("gmsaCredentialSpec size must be under 64 KiB".to_string())
        } else {
            None
        };
        if let Some(detail) = detail {
            errs.push(FieldError::invalid(
                format!("{path}.gmsaCredentialSpec"),
                json!(spec),
                detail,
            ));
        }
    }
    if let Some(user) = o.get("runAsUserName").and_then(Value::as_str) {
        for detail in run_as_user_name(user) {
            errs.push(FieldError::invalid(
                format!("{path}.runAsUserName"),
                json!(user),
                detail,
            ));
        }
    }
    errs
}

/// The `runAsUserName` rules: `DOMAIN\user` with NetBIOS or DNS domains.
fn run_as_user_name(name: &str) -> Vec<&'static str> {
    if name.is_empty() {
        return vec!["runAsUserName cannot be an empty string"];
    }
    if name.chars().any(|c| c.is_ascii_control()) {
        return vec!["runAsUserName cannot contain control characters"];
    }
    let parts: Vec<&str> = name.split('\\').collect();
    let (domain, user) = match parts.as_slice() {
        [user] => (None, *user),
        [domain, user] => (Some(*domain), *user),
        _ => return vec!["runAsUserName cannot contain more than one backslash"],
    };
    let mut errs = Vec::new();
    if domain.is_some_and(|d| d.len() >= 256) {
        errs.push("runAsUserName's Domain length must be under 256 characters");
    }
    if let Some(d) = domain
        && !(NETBIOS_DOMAIN.is_match(d) || DNS_DOMAIN.is_match(d))
    {
        errs.push("runAsUserName's Domain doesn't match the NetBios nor the DNS format");
    }
    if user.is_empty() {
        errs.push("runAsUserName's User cannot be empty");
    } else if user.len() > 104 {
        errs.push("runAsUserName's User length must not be longer than 104 characters");
    }
    if !user.is_empty() && user.chars().all(|c| c == '.' || c == ' ') {
        errs.push("runAsUserName's User cannot contain only periods or spaces");
    }
    if user.chars().any(|c| "\"/\\:;|=,+*?<>@[]".contains(c)) {
        errs.push(
            r#"runAsUserName's User cannot contain the following characters: "/\:;|=,+*?<>@[]"#,
        );
    }
    errs
}

/// `validateWindowsHostProcessPod`: HostProcess is all or nothing and needs
/// `hostNetwork`; the cluster allows privileged containers.
pub(super) fn windows_host_process(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let host_process = |sc: Option<&Value>| {
        sc.and_then(|sc| dig(sc, &["windowsOptions", "hostProcess"]))
            .and_then(Value::as_bool)
    };
    let pod = host_process(spec.get("securityContext"));
    let (mut total, mut hpc) = (0, 0);
    for (path, c) in containers_with_path(spec) {
        total += 1;
        let own = host_process(c.get("securityContext"));
        if let (Some(p), Some(o)) = (pod, own)
            && p != o
        {
            errs.push(FieldError::invalid(
                format!("{path}.securityContext.windowsOptions.hostProcess"),
                json!(o),
                format!("pod hostProcess value must be identical if both are specified, was {p}"),
            ));
        }
        if own.or(pod) == Some(true) {
            hpc += 1;
        }
    }
    if hpc > 0 {
        if hpc != total {
            errs.push(FieldError::invalid(
                "spec",
                json!(""),
                "If pod contains any hostProcess containers then all containers must be HostProcess containers",
            ));
        }
        if !flag(spec, "hostNetwork") {
            errs.push(FieldError::invalid(
                "spec.hostNetwork",
                json!(false),
                "hostNetwork must be true if pod contains any hostProcess containers",
            ));
        }
    }
    errs
}

/// `validateHostUsers`: a user-namespaced pod may not share the host's
/// network, PID or IPC namespaces (note Go's `HostPID`/`HostIPC` paths) nor
/// use volume devices.
pub(super) fn host_users(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if spec.get("hostUsers").and_then(Value::as_bool) != Some(false) {
        return errs;
    }
    for (key, path) in [
        ("hostNetwork", "spec.hostNetwork"),
        ("hostPID", "spec.HostPID"),
        ("hostIPC", "spec.HostIPC"),
    ] {
        if flag(spec, key) {
            errs.push(FieldError::forbidden(path, "when `hostUsers` is false"));
        }
    }
    for (path, c) in containers_with_path(spec) {
        if !arr(c, "volumeDevices").is_empty() {
            errs.push(FieldError::forbidden(
                format!("{path}.volumeDevices"),
                "when `hostUsers` is false",
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("net.core.somaxconn", Some("Net"))]
    #[case("net/ipv4/ip_forward", Some("Net"))]
    #[case("kernel.shm_rmid_forced", Some("IPC"))]
    #[case("kernel/msgmax", Some("IPC"))]
    #[case("fs.mqueue.msg_max", Some("IPC"))]
    #[case("kernel.domainname", None)]
    fn sysctl_namespaces(#[case] name: &str, #[case] ns: Option<&str>) {
        assert_eq!(sysctl_namespace(name), ns);
    }

    #[rstest]
    #[case("NT AUTHORITY\\SYSTEM", &[])]
    #[case("a\\b\\c", &["runAsUserName cannot contain more than one backslash"])]
    #[case("dom\\us:er", &["runAsUserName's User cannot contain the following characters: \"/\\:;|=,+*?<>@[]"])]
    #[case("..", &["runAsUserName's User cannot contain only periods or spaces"])]
    fn run_as_user_names(#[case] name: &str, #[case] expected: &[&str]) {
        assert_eq!(run_as_user_name(name), expected);
    }
}
