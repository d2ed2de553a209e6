//! Pod-specific annotations: the values of the deletion-cost and the
//! deprecated seccomp and AppArmor annotations (`ValidatePodSpecificAnnotations`,
//! maps walked in sorted key order where Go's is random), and the
//! create-only checks that those annotations agree with the
//! security-context fields they duplicate (`validateSeccompAnnotationsAndFields`,
//! `validateAppArmorAnnotationsAndFieldsMatchOnCreate`).

use serde_json::{Value, json};

use crate::golang::format::go_quote;
use crate::golang::json_pointer::Lookup;
use crate::pod::apparmor::ANNOTATION_PREFIX as APPARMOR_PREFIX;
use crate::validation::field::FieldError;
use crate::validation::paths::local_descending;
use crate::validation::value::{arr, dig, s};

const SECCOMP_POD: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";
const DELETION_COST: &str = "controller.kubernetes.io/pod-deletion-cost";

/// The annotation checks of `ValidatePodSpecificAnnotations` after the
/// mirror-pod one, in Go's order.
pub fn values(pod: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(annotations) = dig(pod, &["metadata", "annotations"]).and_then(Value::as_object)
    else {
        return errs;
    };
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    if let Some(cost) = annotations.get(DELETION_COST).map(text) {
        let first_ok = cost.starts_with('-')
            || cost == "0"
            || cost.starts_with(|c: char| ('1'..='9').contains(&c));
        if !first_ok || cost.parse::<i32>().is_err() {
            errs.push(FieldError::invalid(
                format!("metadata.annotations[{DELETION_COST}]"),
                json!(cost),
                "must be a 32bit integer",
            ));
        }
    }
    // Go names these with `Child`, so the key follows a dot.
    if let Some(profile) = annotations.get(SECCOMP_POD).map(text) {
        errs.extend(seccomp_annotation(&profile, SECCOMP_POD));
    }
    for (key, value) in annotations {
        if key.starts_with(SECCOMP_PREFIX) {
            errs.extend(seccomp_annotation(&text(value), key));
        }
    }
    let names: Vec<&str> = ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| arr(&pod["spec"], list).iter().map(|c| s(c, "name")))
        .collect();
    for (key, value) in annotations {
        let Some(container) = key.strip_prefix(APPARMOR_PREFIX) else {
            continue;
        };
        let path = format!("metadata.annotations[{key}]");
        if !names.contains(&container) {
            errs.push(FieldError::invalid(
                &path,
                json!(container),
                "container not found",
            ));
        }
        let profile = text(value);
        let known = ["", "runtime/default", "unconfined"].contains(&profile.as_str())
            || profile.starts_with("localhost/");
        if !known {
            errs.push(FieldError::invalid(
                &path,
                json!(profile),
                format!("invalid AppArmor profile name: {}", go_quote(&profile)),
            ));
        }
    }
    errs
}

/// `ValidateSeccompProfile` of an annotation value.
fn seccomp_annotation(profile: &str, key: &str) -> Vec<FieldError> {
    let path = format!("metadata.annotations.{key}");
    match profile {
        "runtime/default" | "docker/default" | "unconfined" => Vec::new(),
        _ => match profile.strip_prefix("localhost/") {
            Some(local) => local_descending(local, &path),
            None => vec![FieldError::invalid(
                path,
                json!(profile),
                "must be a valid seccomp profile",
            )],
        },
    }
}

/// Both checks, seccomp first, in Go's order.
pub fn profiles_match(pod: &Value) -> Vec<FieldError> {
    let annotation = |key: &str| {
        pod.at("/metadata/annotations")
            .and_then(|a| a.get(key))
            .and_then(Value::as_str)
    };
    let spec = &pod["spec"];
    let mut errs = Vec::new();
    let pod_seccomp = spec.at("/securityContext/seccompProfile");
    if let (Some(field), Some(value)) = (pod_seccomp, annotation(SECCOMP_POD)) {
        errs.extend(mismatch(
            "seccomp",
            value,
            field,
            "spec.securityContext.seccompProfile",
        ));
    }
    let containers = || {
        ["initContainers", "containers", "ephemeralContainers"]
            .into_iter()
            .flat_map(|list| {
                arr(spec, list)
                    .iter()
                    .enumerate()
                    .map(move |(i, c)| (format!("spec.{list}[{i}]"), c))
            })
    };
    for (path, c) in containers() {
        if let Some(field) = c.at("/securityContext/seccompProfile")
            && let Some(value) = annotation(&format!("{SECCOMP_PREFIX}{}", s(c, "name")))
        {
            let at = format!("{path}.securityContext.seccompProfile");
            errs.extend(mismatch("seccomp", value, field, &at));
        }
    }
    if s(spec.get("os").unwrap_or(&Value::Null), "name") == "windows" {
        return errs;
    }
    let pod_apparmor = spec.at("/securityContext/appArmorProfile");
    for (path, c) in containers() {
        let field = c
            .at("/securityContext/appArmorProfile")
            .filter(|p| !p.is_null())
            .or(pod_apparmor);
        if let Some(field) = field
            && let Some(value) = annotation(&format!("{APPARMOR_PREFIX}{}", s(c, "name")))
        {
            let at = format!("{path}.securityContext.appArmorProfile");
            errs.extend(mismatch("apparmor", value, field, &at));
        }
    }
    errs
}

/// `validateSeccompAnnotationsAndFieldsMatch` and its AppArmor twin: the
/// annotation values differ only in the runtime-default spelling.
fn mismatch(what: &str, annotation: &str, field: &Value, path: &str) -> Option<FieldError> {
    let type_mismatch = || {
        FieldError::forbidden(
            format!("{path}.type"),
            format!("{what} type in annotation and field must match"),
        )
    };
    match s(field, "type") {
        "Unconfined" => (annotation != "unconfined").then(type_mismatch),
        "RuntimeDefault" => {
            let ok = annotation == "runtime/default"
                || (what == "seccomp" && annotation == "docker/default");
            (!ok).then(type_mismatch)
        }
        "Localhost" => match annotation.strip_prefix("localhost/") {
            None => Some(type_mismatch()),
            Some(profile) => (field.get("localhostProfile").and_then(Value::as_str)
                != Some(profile))
            .then(|| {
                FieldError::forbidden(
                    format!("{path}.localhostProfile"),
                    format!("{what} profile in annotation and field must match"),
                )
            }),
        },
        _ => None,
    }
}
