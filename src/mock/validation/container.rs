//! Container validation as `validateContainers`, `validateInitContainers`,
//! `validateEphemeralContainers` and `validateContainerCommon` in
//! `pkg/apis/core/validation/validation.go` (1.36) word it: probes,
//! lifecycle hooks, env, ports, mounts, devices, resources, resize policy,
//! container restart policy and security context, in Go's append order.
//!
//! Go walks resource maps in random order; the mock walks them sorted. It
//! inspects values only and must not mutate them.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::super::encode::{self, Layout};
use super::super::field::{ErrorType, FieldError};
use super::super::schema::Ty;
use super::super::{metadata, quantity};
use super::{arr, s};

const INCLUSIVE_PORT: &str = "must be between 1 and 65535, inclusive";
const NEGATIVE: &str = "must be greater than or equal to 0";
const NOT_FOR_INIT: &str = "may not be set for init containers without restartPolicy=Always";

/// What the containers of one pod spec are validated against.
struct Pod<'a> {
    spec: &'a Value,
    volumes: &'a BTreeSet<String>,
    grace: Option<i64>,
    host_users: bool,
    os: Option<&'a str>,
}

/// Validates one container list of `spec` (`containers`, `initContainers`
/// or `ephemeralContainers`); `volumes` are the names of the valid volumes.
pub fn containers(
    spec: &Value,
    list: &str,
    volumes: &BTreeSet<String>,
    errs: &mut Vec<FieldError>,
) {
    let pod = Pod {
        spec,
        volumes,
        grace: spec
            .get("terminationGracePeriodSeconds")
            .and_then(Value::as_i64),
        host_users: spec.pointer("/securityContext/hostUsers") != Some(&json!(false)),
        os: spec.pointer("/os/name").and_then(Value::as_str),
    };
    match list {
        "containers" => regular(&pod, errs),
        "initContainers" => init(&pod, errs),
        _ => ephemeral(&pod, errs),
    }
}

fn regular(pod: &Pod, errs: &mut Vec<FieldError>) {
    let items = arr(pod.spec, "containers");
    if items.is_empty() {
        errs.push(FieldError::required("spec.containers", ""));
        return;
    }
    let mut names = BTreeSet::new();
    for (i, c) in items.iter().enumerate() {
        let path = format!("spec.containers[{i}]");
        common(pod, c, &path, errs);
        let name = s(c, "name");
        if !names.insert(name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        }
        if let Some(lifecycle) = set(c, "lifecycle") {
            errs.extend(self::lifecycle(
                pod,
                lifecycle,
                &format!("{path}.lifecycle"),
            ));
        }
        probes(pod, c, &path, errs);
        restart_policy(c, &path, errs);
    }
    errs.extend(host_port_conflicts(items, "spec.containers"));
}

fn init(pod: &Pod, errs: &mut Vec<FieldError>) {
    let mut names: BTreeSet<&str> = arr(pod.spec, "containers")
        .iter()
        .map(|c| s(c, "name"))
        .collect();
    for (i, c) in arr(pod.spec, "initContainers").iter().enumerate() {
        let path = format!("spec.initContainers[{i}]");
        common(pod, c, &path, errs);
        // With restart rules and RestartAllContainers on, init containers
        // share the regular containers' rules.
        restart_policy(c, &path, errs);
        let restart_always = s(c, "restartPolicy") == "Always";
        let name = s(c, "name");
        if names.contains(name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        } else if !name.is_empty() {
            names.insert(name);
        }
        // Go checks each init container on its own, as a one-item list.
        errs.extend(host_port_conflicts(
            std::slice::from_ref(c),
            "spec.initContainers",
        ));
        if restart_always {
            if let Some(lifecycle) = set(c, "lifecycle") {
                errs.extend(self::lifecycle(
                    pod,
                    lifecycle,
                    &format!("{path}.lifecycle"),
                ));
            }
            probes(pod, c, &path, errs);
        } else {
            for key in [
                "lifecycle",
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
            ] {
                if set(c, key).is_some() {
                    errs.push(FieldError::forbidden(format!("{path}.{key}"), NOT_FOR_INIT));
                }
            }
            for (j, p) in arr(c, "resizePolicy").iter().enumerate() {
                if s(p, "restartPolicy") == "RestartContainer" {
                    errs.push(FieldError::invalid(
                        format!("{path}.resizePolicy[{j}].restartPolicy"),
                        json!("RestartContainer"),
                        "must not be set to 'RestartContainer' for non-sidecar initContainers",
                    ));
                }
            }
        }
    }
}

/// Fields an ephemeral container may not set (the complement of
/// `allowedEphemeralContainerFields`), in struct order.
const EPHEMERAL_FORBIDDEN: &[&str] = &[
    "ports",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
];

fn ephemeral(pod: &Pod, errs: &mut Vec<FieldError>) {
    let items = arr(pod.spec, "ephemeralContainers");
    let others: BTreeSet<&str> = arr(pod.spec, "containers")
        .iter()
        .chain(arr(pod.spec, "initContainers"))
        .map(|c| s(c, "name"))
        .collect();
    let mut names = others.clone();
    for (i, c) in items.iter().enumerate() {
        let path = format!("spec.ephemeralContainers[{i}]");
        common(pod, c, &path, errs);
        errs.extend(super::image_whitespace(&path, s(c, "image")));
        let name = s(c, "name");
        if !names.insert(name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        }
        let target = s(c, "targetContainerName");
        if !target.is_empty() && !others.contains(target) {
            errs.push(not_found(format!("{path}.targetContainerName"), target));
        }
        for field in EPHEMERAL_FORBIDDEN {
            let is_set = c
                .get(*field)
                .is_some_and(|v| !(v.is_null() || v.as_object().is_some_and(Map::is_empty)));
            if is_set {
                errs.push(FieldError::forbidden(
                    format!("{path}.{field}"),
                    "cannot be set for an Ephemeral Container",
                ));
            }
        }
        for (j, mount) in arr(c, "volumeMounts").iter().enumerate() {
            for key in ["subPath", "subPathExpr"] {
                if !s(mount, key).is_empty() {
                    errs.push(FieldError::forbidden(
                        format!("{path}.volumeMounts[{j}].{key}"),
                        "cannot be set for an Ephemeral Container",
                    ));
                }
            }
        }
    }
}

/// `validateContainerCommon`.
fn common(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let name = s(c, "name");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        for msg in metadata::dns1123_label(name) {
            errs.push(FieldError::invalid(
                format!("{path}.name"),
                json!(name),
                msg,
            ));
        }
    }
    if s(c, "image").is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    one_of(
        errs,
        &format!("{path}.terminationMessagePolicy"),
        s(c, "terminationMessagePolicy"),
        &["File", "FallbackToLogsOnError"],
    );
    ports(c, path, errs);
    env(c, path, errs);
    env_from(c, path, errs);
    volume_mounts(pod, c, path, errs);
    volume_devices(pod, c, path, errs);
    one_of(
        errs,
        &format!("{path}.imagePullPolicy"),
        s(c, "imagePullPolicy"),
        &["Always", "IfNotPresent", "Never"],
    );
    resources(c, &format!("{path}.resources"), errs);
    resize_policy(pod, c, path, errs);
    if let Some(sc) = set(c, "securityContext") {
        security_context(pod, sc, &format!("{path}.securityContext"), errs);
    }
}

/// A required enum: `Required` when empty, `NotSupported` when unknown.
fn one_of(errs: &mut Vec<FieldError>, path: &str, value: &str, supported: &[&str]) {
    if value.is_empty() {
        errs.push(FieldError::required(path, ""));
    } else if !supported.contains(&value) {
        errs.push(FieldError::not_supported(path, json!(value), supported));
    }
}

/// A field that is present and not `null`.
fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

fn not_found(field: impl Into<String>, value: &str) -> FieldError {
    FieldError {
        kind: ErrorType::NotFound,
        field: field.into(),
        value: Some(json!(value)),
        detail: String::new(),
    }
}

/// `IsValidPortName`.
fn port_name(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 15 {
        errs.push("must be no more than 15 characters".to_string());
    }
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string(),
        );
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if name.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if name.starts_with('-') || name.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// `ValidatePortNumOrName` for an `IntOrString` port.
fn port_num_or_name(port: Option<&Value>, path: &str) -> Vec<FieldError> {
    match port {
        Some(Value::String(name)) => port_name(name)
            .into_iter()
            .map(|msg| FieldError::invalid(path, json!(name), msg))
            .collect(),
        other => {
            let n = other.and_then(Value::as_i64).unwrap_or(0);
            if (1..=65535).contains(&n) {
                Vec::new()
            } else {
                vec![FieldError::invalid(path, json!(n), INCLUSIVE_PORT)]
            }
        }
    }
}

/// `validateContainerPorts`.
fn ports(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let mut names = BTreeSet::new();
    for (j, port) in arr(c, "ports").iter().enumerate() {
        let pp = format!("{path}.ports[{j}]");
        let name = s(port, "name");
        if !name.is_empty() {
            let msgs = port_name(name);
            if !msgs.is_empty() {
                for msg in msgs {
                    errs.push(FieldError::invalid(format!("{pp}.name"), json!(name), msg));
                }
            } else if !names.insert(name) {
                errs.push(FieldError::duplicate(format!("{pp}.name"), json!(name)));
            }
        }
        let cp = int(port, "containerPort");
        if cp == 0 {
            errs.push(FieldError::required(format!("{pp}.containerPort"), ""));
        } else if !(1..=65535).contains(&cp) {
            errs.push(FieldError::invalid(
                format!("{pp}.containerPort"),
                json!(cp),
                INCLUSIVE_PORT,
            ));
        }
        let hp = int(port, "hostPort");
        if hp != 0 && !(1..=65535).contains(&hp) {
            errs.push(FieldError::invalid(
                format!("{pp}.hostPort"),
                json!(hp),
                INCLUSIVE_PORT,
            ));
        }
        one_of(
            errs,
            &format!("{pp}.protocol"),
            s(port, "protocol"),
            &["SCTP", "TCP", "UDP"],
        );
    }
}

/// `AccumulateUniqueHostPorts` over one list.
fn host_port_conflicts(containers: &[Value], list: &str) -> Vec<FieldError> {
    let mut seen = BTreeSet::new();
    let mut errs = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        for (j, port) in arr(c, "ports").iter().enumerate() {
            let hp = int(port, "hostPort");
            if hp == 0 {
                continue;
            }
            let key = format!("{}/{}/{hp}", s(port, "protocol"), s(port, "hostIP"));
            if seen.contains(&key) {
                errs.push(FieldError::duplicate(
                    format!("{list}[{i}].ports[{j}].hostPort"),
                    json!(key),
                ));
            } else {
                seen.insert(key);
            }
        }
    }
    errs
}

/// `IsRelaxedEnvVarName` (the relaxed rule is on since 1.32).
fn env_var_name(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push("environment variable name must be non-empty".to_string());
    }
    if name.chars().any(|c| !(' '..='~').contains(&c) || c == '=') {
        errs.push(
            "a valid environment variable name must consist only of printable ASCII characters other than '='"
                .to_string(),
        );
    }
    errs
}

/// `ValidateEnv`.
fn env(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for (j, var) in arr(c, "env").iter().enumerate() {
        let vp = format!("{path}.env[{j}]");
        let name = s(var, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{vp}.name"), ""));
        } else {
            for msg in env_var_name(name) {
                errs.push(FieldError::invalid(format!("{vp}.name"), json!(name), msg));
            }
        }
        if let Some(from) = set(var, "valueFrom") {
            value_from(var, from, &format!("{vp}.valueFrom"), errs);
        }
    }
}

const FIELD_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

const RESOURCE_FIELD_PATHS: &[&str] = &[
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

/// `validateEnvVarValueFrom`.
fn value_from(var: &Value, from: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let mut sources = 0;
    if let Some(field_ref) = set(from, "fieldRef") {
        sources += 1;
        errs.extend(field_selector(field_ref, &format!("{path}.fieldRef")));
    }
    if let Some(resource_ref) = set(from, "resourceFieldRef") {
        sources += 1;
        errs.extend(resource_selector(
            resource_ref,
            &format!("{path}.resourceFieldRef"),
        ));
    }
    for key in ["configMapKeyRef", "secretKeyRef"] {
        if let Some(selector) = set(from, key) {
            sources += 1;
            errs.extend(key_selector(selector, &format!("{path}.{key}")));
        }
    }
    if let Some(file_ref) = set(from, "fileKeyRef") {
        sources += 1;
        errs.extend(file_key_selector(file_ref, &format!("{path}.fileKeyRef")));
    }
    if sources == 0 {
        errs.push(FieldError::invalid(
            path,
            json!(""),
            "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`",
        ));
    } else if !s(var, "value").is_empty() {
        errs.push(FieldError::invalid(
            path,
            json!(""),
            "may not be specified when `value` is not empty",
        ));
    } else if sources > 1 {
        errs.push(FieldError::invalid(
            path,
            json!(""),
            "may not have more than one field specified at a time",
        ));
    }
}

/// `validateObjectFieldSelector` for env (`v1` is the only version).
fn field_selector(fs: &Value, path: &str) -> Vec<FieldError> {
    let version = s(fs, "apiVersion");
    let field_path = s(fs, "fieldPath");
    if version.is_empty() {
        return vec![FieldError::required(format!("{path}.apiVersion"), "")];
    }
    if field_path.is_empty() {
        return vec![FieldError::required(format!("{path}.fieldPath"), "")];
    }
    let converted = match convert_field_label(version, field_path) {
        Ok(p) => p,
        Err(why) => {
            return vec![FieldError::invalid(
                format!("{path}.fieldPath"),
                json!(field_path),
                format!("error converting fieldPath: {why}"),
            )];
        }
    };
    if let Some((base, subscript)) = split_subscript(converted) {
        return match base {
            "metadata.annotations" => qualified(&subscript.to_lowercase(), path),
            "metadata.labels" => qualified(subscript, path),
            _ => vec![FieldError::invalid(
                path,
                json!(base),
                "does not support subscript",
            )],
        };
    }
    if !FIELD_PATHS.contains(&converted) {
        return vec![FieldError::not_supported(
            format!("{path}.fieldPath"),
            json!(converted),
            FIELD_PATHS,
        )];
    }
    Vec::new()
}

/// `pods.ConvertDownwardAPIFieldLabel`: the v1 labels a pod supports.
fn convert_field_label<'a>(version: &str, label: &'a str) -> Result<&'a str, String> {
    if version != "v1" {
        return Err(format!("unsupported pod version: {version}"));
    }
    if let Some((base, _)) = split_subscript(label) {
        return match base {
            "metadata.annotations" | "metadata.labels" => Ok(label),
            _ => Err(format!("field label does not support subscript: {label}")),
        };
    }
    match label {
        "metadata.annotations"
        | "metadata.labels"
        | "metadata.name"
        | "metadata.namespace"
        | "metadata.uid"
        | "spec.nodeName"
        | "spec.restartPolicy"
        | "spec.serviceAccountName"
        | "spec.schedulerName"
        | "status.phase"
        | "status.hostIP"
        | "status.hostIPs"
        | "status.podIP"
        | "status.podIPs" => Ok(label),
        // Old v1 clients send `spec.host`.
        "spec.host" => Ok("spec.nodeName"),
        _ => Err(format!("field label not supported: {label}")),
    }
}

/// `fieldpath.SplitMaybeSubscriptedPath`: `a.b['key']` → (`a.b`, `key`).
fn split_subscript(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_suffix("']")?;
    let (base, key) = rest.split_once("['")?;
    (!base.is_empty()).then_some((base, key))
}

fn qualified(value: &str, path: &str) -> Vec<FieldError> {
    metadata::qualified_name(value, "a valid label key")
        .into_iter()
        .map(|msg| FieldError::invalid(path, json!(value), msg))
        .collect()
}

/// `validateContainerResourceFieldSelector` for env.
fn resource_selector(fs: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let resource = s(fs, "resource");
    if resource.is_empty() {
        errs.push(FieldError::required(format!("{path}.resource"), ""));
    } else if !RESOURCE_FIELD_PATHS.contains(&resource)
        && !resource.starts_with("limits.hugepages-")
        && !resource.starts_with("requests.hugepages-")
    {
        errs.push(FieldError::not_supported(
            format!("{path}.resource"),
            json!(resource),
            RESOURCE_FIELD_PATHS,
        ));
    }
    let divisor = fs
        .get("divisor")
        .and_then(Value::as_str)
        .map(quantity::canonical)
        .unwrap_or_else(|| "0".to_string());
    if divisor == "0" {
        return errs;
    }
    const BYTES: &[&str] = &[
        "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
    ];
    const BYTES_TEXT: &str = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei";
    let bad = |what: &str| {
        FieldError::invalid(
            format!("{path}.divisor"),
            json!(resource),
            format!("only divisor's values {what} are supported with the"),
        )
    };
    match resource {
        "limits.cpu" | "requests.cpu" if !["1m", "1"].contains(&divisor.as_str()) => {
            let mut e = bad("1m and 1");
            e.detail.push_str(" cpu resource");
            errs.push(e);
        }
        "limits.memory" | "requests.memory" if !BYTES.contains(&divisor.as_str()) => {
            let mut e = bad(BYTES_TEXT);
            e.detail.push_str(" memory resource");
            errs.push(e);
        }
        "limits.ephemeral-storage" | "requests.ephemeral-storage"
            if !BYTES.contains(&divisor.as_str()) =>
        {
            let mut e = bad(BYTES_TEXT);
            e.detail.push_str(" local ephemeral storage resource");
            errs.push(e);
        }
        _ => {}
    }
    if (resource.starts_with("requests.hugepages-") || resource.starts_with("limits.hugepages-"))
        && !BYTES.contains(&divisor.as_str())
    {
        let mut e = bad(BYTES_TEXT);
        e.detail.push_str(" hugepages resource");
        errs.push(e);
    }
    errs
}

/// `IsConfigMapKey`.
fn config_map_key(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        errs.push(metadata::regex_error(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
            "[-._a-zA-Z0-9]+",
            &["key.name", "KEY_NAME", "key-name"],
        ));
    }
    if key == "." {
        errs.push("must not be '.'".to_string());
    } else if key == ".." {
        errs.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// `validateConfigMapKeySelector` / `validateSecretKeySelector`.
fn key_selector(selector: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = s(selector, "name");
    for msg in metadata::dns1123_subdomain(name) {
        errs.push(FieldError::invalid(
            format!("{path}.name"),
            json!(name),
            msg,
        ));
    }
    let key = s(selector, "key");
    if key.is_empty() {
        errs.push(FieldError::required(format!("{path}.key"), ""));
    } else {
        for msg in config_map_key(key) {
            errs.push(FieldError::invalid(format!("{path}.key"), json!(key), msg));
        }
    }
    errs
}

/// `validateFileKeySelector`.
fn file_key_selector(selector: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let key = s(selector, "key");
    if key.is_empty() {
        errs.push(FieldError::required(format!("{path}.key"), ""));
    } else {
        for msg in env_var_name(key) {
            errs.push(FieldError::invalid(format!("{path}.key"), json!(key), msg));
        }
    }
    let volume = s(selector, "volumeName");
    if volume.is_empty() {
        errs.push(FieldError::required(format!("{path}.volumeName"), ""));
    } else {
        for msg in metadata::dns1123_label(volume) {
            errs.push(FieldError::invalid(
                format!("{path}.volumeName"),
                json!(volume),
                msg,
            ));
        }
    }
    let file = s(selector, "path");
    if file.is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
    } else {
        errs.extend(no_backsteps(file, &format!("{path}.path")));
    }
    errs
}

/// `ValidateEnvFrom`.
fn env_from(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for (j, source) in arr(c, "envFrom").iter().enumerate() {
        let sp = format!("{path}.envFrom[{j}]");
        let prefix = s(source, "prefix");
        if !prefix.is_empty() {
            for msg in env_var_name(prefix) {
                errs.push(FieldError::invalid(
                    format!("{sp}.prefix"),
                    json!(prefix),
                    msg,
                ));
            }
        }
        let mut sources = 0;
        for key in ["configMapRef", "secretRef"] {
            if let Some(r) = set(source, key) {
                sources += 1;
                let name = s(r, "name");
                if name.is_empty() {
                    errs.push(FieldError::required(format!("{sp}.{key}.name"), ""));
                } else {
                    for msg in metadata::dns1123_subdomain(name) {
                        errs.push(FieldError::invalid(
                            format!("{sp}.{key}.name"),
                            json!(name),
                            msg,
                        ));
                    }
                }
            }
        }
        // Go reports these on the list, not the entry.
        if sources == 0 {
            errs.push(FieldError::invalid(
                format!("{path}.envFrom"),
                json!(""),
                "must specify one of: `configMapRef` or `secretRef`",
            ));
        } else if sources > 1 {
            errs.push(FieldError::invalid(
                format!("{path}.envFrom"),
                json!(""),
                "may not have more than one field specified at a time",
            ));
        }
    }
}

/// `validateLocalDescendingPath`.
pub(super) fn local_descending(target: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if target.starts_with('/') {
        errs.push(FieldError::invalid(
            path,
            json!(target),
            "must be a relative path",
        ));
    }
    errs.extend(no_backsteps(target, path));
    errs
}

/// `validatePathNoBacksteps`.
fn no_backsteps(target: &str, path: &str) -> Vec<FieldError> {
    if target.split('/').any(|part| part == "..") {
        vec![FieldError::invalid(
            path,
            json!(target),
            "must not contain '..'",
        )]
    } else {
        Vec::new()
    }
}

/// `ValidateVolumeMounts`.
fn volume_mounts(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let devices = arr(c, "volumeDevices");
    let mut mount_points = BTreeSet::new();
    let list = format!("{path}.volumeMounts");
    for (j, mount) in arr(c, "volumeMounts").iter().enumerate() {
        let mp = format!("{list}[{j}]");
        let name = s(mount, "name");
        let mount_path = s(mount, "mountPath");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{mp}.name"), ""));
        }
        if !pod.volumes.contains(name) {
            errs.push(not_found(format!("{mp}.name"), name));
        }
        if mount_path.is_empty() {
            errs.push(FieldError::required(format!("{mp}.mountPath"), ""));
        }
        if !mount_points.insert(mount_path) {
            errs.push(FieldError::invalid(
                format!("{mp}.mountPath"),
                json!(mount_path),
                "must be unique",
            ));
        }
        if devices.iter().any(|d| s(d, "name") == name) {
            errs.push(FieldError::invalid(
                format!("{mp}.name"),
                json!(name),
                "must not already exist in volumeDevices",
            ));
        }
        if by_name(devices, "devicePath").contains(&mount_path) {
            errs.push(FieldError::invalid(
                format!("{mp}.mountPath"),
                json!(mount_path),
                "must not already exist as a path in volumeDevices",
            ));
        }
        // Go reports these two on the list path, not the entry.
        let sub_path = s(mount, "subPath");
        if !sub_path.is_empty() {
            errs.extend(local_descending(sub_path, &format!("{list}.subPath")));
        }
        let expr = s(mount, "subPathExpr");
        if !expr.is_empty() {
            if !sub_path.is_empty() {
                errs.push(FieldError::invalid(
                    format!("{mp}.subPathExpr"),
                    json!(expr),
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            errs.extend(local_descending(expr, &format!("{list}.subPathExpr")));
        }
        let propagation = mount.get("mountPropagation").and_then(Value::as_str);
        if let Some(mode) = propagation {
            let prop_path = format!("{list}.mountPropagation");
            const MODES: &[&str] = &["Bidirectional", "HostToContainer", "None"];
            if !MODES.contains(&mode) {
                errs.push(FieldError::not_supported(&prop_path, json!(mode), MODES));
            }
            let privileged = c.pointer("/securityContext/privileged") == Some(&json!(true));
            if mode == "Bidirectional" && !privileged {
                errs.push(FieldError::forbidden(
                    &prop_path,
                    "Bidirectional mount propagation is available only to privileged containers",
                ));
            }
        }
        if let Some(rro) = mount.get("recursiveReadOnly").and_then(Value::as_str) {
            let rro_path = format!("{list}.recursiveReadOnly");
            match rro {
                "Disabled" => {}
                "Enabled" | "IfPossible" => {
                    if mount.get("readOnly") != Some(&json!(true)) {
                        errs.push(FieldError::forbidden(
                            &rro_path,
                            "may only be specified when readOnly is true",
                        ));
                    }
                    if propagation.is_some_and(|m| m != "None") {
                        errs.push(FieldError::forbidden(
                            &rro_path,
                            "may only be specified when mountPropagation is None or not specified",
                        ));
                    }
                }
                other => errs.push(FieldError::not_supported(
                    &rro_path,
                    json!(other),
                    &["Disabled", "Enabled", "IfPossible"],
                )),
            }
        }
    }
}

/// `GetVolumeMountMap` / `GetVolumeDeviceMap`: each name's last path.
fn by_name<'a>(entries: &'a [Value], path_key: &str) -> Vec<&'a str> {
    let mut map = std::collections::BTreeMap::new();
    for e in entries {
        map.insert(s(e, "name"), s(e, path_key));
    }
    map.into_values().collect()
}

/// `ValidateVolumeDevices`.
fn volume_devices(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let mounts = arr(c, "volumeMounts");
    let mut paths = BTreeSet::new();
    let mut names = BTreeSet::new();
    for (j, device) in arr(c, "volumeDevices").iter().enumerate() {
        let dp = format!("{path}.volumeDevices[{j}]");
        let name = s(device, "name");
        let device_path = s(device, "devicePath");
        let matched = pod.volumes.contains(name);
        let is_pvc = arr(pod.spec, "volumes")
            .iter()
            .find(|v| s(v, "name") == name)
            .is_some_and(|v| {
                set(v, "persistentVolumeClaim").is_some() || set(v, "ephemeral").is_some()
            });
        if name.is_empty() {
            errs.push(FieldError::required(format!("{dp}.name"), ""));
        }
        if names.contains(name) {
            errs.push(FieldError::invalid(
                format!("{dp}.name"),
                json!(name),
                "must be unique",
            ));
        }
        if matched && !is_pvc {
            errs.push(FieldError::invalid(
                format!("{dp}.name"),
                json!(name),
                "can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode",
            ));
        }
        if !matched {
            errs.push(not_found(format!("{dp}.name"), name));
        }
        if device_path.is_empty() {
            errs.push(FieldError::required(format!("{dp}.devicePath"), ""));
        }
        if paths.contains(device_path) {
            errs.push(FieldError::invalid(
                format!("{dp}.devicePath"),
                json!(device_path),
                "must be unique",
            ));
        }
        if !device_path.is_empty() && device_path.split('/').any(|p| p == "..") {
            errs.push(FieldError::invalid(
                format!("{dp}.devicePath"),
                json!(device_path),
                "can not contain backsteps ('..')",
            ));
        } else {
            paths.insert(device_path);
        }
        if mounts.iter().any(|m| s(m, "name") == name) {
            errs.push(FieldError::invalid(
                format!("{dp}.name"),
                json!(name),
                "must not already exist in volumeMounts",
            ));
        }
        if by_name(mounts, "mountPath").contains(&device_path) {
            errs.push(FieldError::invalid(
                format!("{dp}.devicePath"),
                json!(device_path),
                "must not already exist as a path in volumeMounts",
            ));
        }
        if !name.is_empty() {
            names.insert(name);
        }
    }
}

const STANDARD_RESOURCES: &[&str] = &[
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "storage",
    "requests.storage",
    "services.nodeports",
    "services.loadbalancers",
];

fn is_native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

fn is_extended(name: &str) -> bool {
    !is_native(name)
        && !name.starts_with("requests.")
        && metadata::qualified_name(&format!("requests.{name}"), "").is_empty()
}

/// `validateContainerResourceName`.
fn resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let mut errs: Vec<FieldError> = metadata::qualified_name(name, "a valid label key")
        .into_iter()
        .map(|msg| FieldError::invalid(path, json!(name), msg))
        .collect();
    if errs.is_empty()
        && !name.contains('/')
        && !(STANDARD_RESOURCES.contains(&name)
            || name.starts_with("hugepages-")
            || name.starts_with("requests.hugepages-"))
    {
        errs.push(FieldError::invalid(
            path,
            json!(name),
            "must be a standard resource type or fully qualified",
        ));
    }
    if !name.contains('/') {
        if !(["cpu", "memory", "ephemeral-storage"].contains(&name) || is_hugepages(name)) {
            errs.push(FieldError::invalid(
                path,
                json!(name),
                "must be a standard resource for containers",
            ));
        }
    } else if !is_native(name) && !is_extended(name) {
        errs.push(FieldError::invalid(
            path,
            json!(name),
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

/// `ValidateResourceQuantityValue`.
fn quantity_value(name: &str, q: &quantity::Quantity, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if q.is_negative() {
        errs.push(FieldError::invalid(path, json!(q.to_string()), NEGATIVE));
    }
    if is_extended(name) && !q.is_integer() {
        errs.push(FieldError::invalid(
            path,
            json!(q.to_string()),
            "must be an integer",
        ));
    }
    errs
}

/// The hugepage divisibility rule of `validateResourceQuantityHugePageValue`.
fn hugepage_value(name: &str, q: &quantity::Quantity, path: &str) -> Option<FieldError> {
    if !is_hugepages(name) {
        return None;
    }
    let page = quantity::Quantity::parse(&name["hugepages-".len()..]);
    let divisible = page.as_ref().is_some_and(|p| q.divisible_by(p));
    (!divisible).then(|| {
        FieldError::invalid(
            path,
            json!(q.to_string()),
            format!("{q} is not positive integer multiple of {name}"),
        )
    })
}

/// `validateResourceRequirements` for a container.
fn resources(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let list = |key: &str| -> Vec<(String, quantity::Quantity)> {
        c.pointer(&format!("/resources/{key}"))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), quantity::Quantity::parse(v.as_str()?)?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (limits, requests) = (list("limits"), list("requests"));
    let lim_path = format!("{path}.limits");
    let req_path = format!("{path}.requests");
    let cpu_or_memory = |name: &str| name == "cpu" || name == "memory";
    let mut has_compute = false;
    let mut has_hugepages = false;
    for (name, q) in &limits {
        let fp = format!("{lim_path}[{name}]");
        errs.extend(resource_name(name, &fp));
        errs.extend(quantity_value(name, q, &fp));
        has_hugepages |= is_hugepages(name);
        errs.extend(hugepage_value(name, q, &fp));
        has_compute |= cpu_or_memory(name);
    }
    for (name, q) in &requests {
        let fp = format!("{req_path}[{name}]");
        errs.extend(resource_name(name, &fp));
        errs.extend(quantity_value(name, q, &fp));
        let overcommit = is_native(name) && !is_hugepages(name);
        match limits.iter().find(|(n, _)| n == name) {
            Some((_, limit)) => {
                if q != limit && !overcommit {
                    errs.push(FieldError::invalid(
                        &req_path,
                        json!(q.to_string()),
                        format!("must be equal to {name} limit of {limit}"),
                    ));
                } else if q > limit {
                    errs.push(FieldError::invalid(
                        &req_path,
                        json!(q.to_string()),
                        format!("must be less than or equal to {name} limit of {limit}"),
                    ));
                }
            }
            None if !overcommit => errs.push(FieldError::required(
                &lim_path,
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
        has_hugepages |= is_hugepages(name);
        errs.extend(hugepage_value(name, q, &fp));
        has_compute |= cpu_or_memory(name);
    }
    if !has_compute && has_hugepages {
        errs.push(FieldError::forbidden(
            path,
            "HugePages require cpu or memory",
        ));
    }
    let mut seen = BTreeSet::new();
    for (j, claim) in arr(c.get("resources").unwrap_or(&Value::Null), "claims")
        .iter()
        .enumerate()
    {
        let cp = format!("{path}.claims[{j}]");
        let name = s(claim, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&cp, ""));
            continue;
        }
        if !seen.insert(name) {
            errs.push(FieldError::duplicate(&cp, json!(name)));
        }
        let mut e = not_found(&cp, name);
        e.detail = "must be one of the names in pod.spec.resourceClaims which is empty".into();
        errs.push(e);
    }
}

/// `validateResizePolicy`.
fn resize_policy(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let rp = format!("{path}.resizePolicy");
    let never = s(pod.spec, "restartPolicy") == "Never";
    let mut seen = BTreeSet::new();
    for (j, p) in arr(c, "resizePolicy").iter().enumerate() {
        let resource = s(p, "resourceName");
        if !seen.insert(resource) {
            errs.push(FieldError::duplicate(format!("{rp}[{j}]"), json!(resource)));
        }
        one_of(errs, &rp, resource, &["cpu", "memory"]);
        let policy = s(p, "restartPolicy");
        one_of(errs, &rp, policy, &["NotRequired", "RestartContainer"]);
        if never && policy != "NotRequired" {
            errs.push(FieldError::invalid(
                &rp,
                json!(policy),
                "must be 'NotRequired' when pod `restartPolicy` is 'Never'",
            ));
        }
    }
}

/// `validateContainerRestartPolicy` (restart rules and `RestartAllContainers`
/// are on in 1.36).
fn restart_policy(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let rules = arr(c, "restartPolicyRules");
    let field = format!("{path}.restartPolicy");
    match c.get("restartPolicy").and_then(Value::as_str) {
        None if rules.is_empty() => return,
        None => errs.push(FieldError::required(
            &field,
            "must specify restartPolicy when restart rules are used",
        )),
        Some(policy) => {
            const POLICIES: &[&str] = &["Always", "Never", "OnFailure"];
            if !POLICIES.contains(&policy) {
                errs.push(FieldError::not_supported(&field, json!(policy), POLICIES));
            }
        }
    }
    for (j, rule) in rules.iter().enumerate() {
        let rp = format!("{path}.restartPolicyRules[{j}]");
        let action = s(rule, "action");
        const ACTIONS: &[&str] = &["Restart", "RestartAllContainers"];
        if !ACTIONS.contains(&action) {
            errs.push(FieldError::not_supported(
                format!("{rp}.action"),
                json!(action),
                ACTIONS,
            ));
        }
        match set(rule, "exitCodes") {
            Some(codes) => {
                let op = s(codes, "operator");
                if !["In", "NotIn"].contains(&op) {
                    errs.push(FieldError::not_supported(
                        format!("{rp}.exitCodes.operator"),
                        json!(op),
                        &["In", "NotIn"],
                    ));
                }
            }
            None => errs.push(FieldError::required(
                format!("{rp}.exitCodes"),
                "must be specified",
            )),
        }
    }
}

/// `validateLivenessProbe`, `validateReadinessProbe`, `validateStartupProbe`.
fn probes(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
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
                            metadata::regex_error(
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
                if let Some(grace) = pod.grace
                    && !(0..=grace).contains(&seconds)
                {
                    errs.push(FieldError::invalid(
                        &ap,
                        json!(seconds),
                        format!(
                            "must be non-negative and less than terminationGracePeriodSeconds ({grace})"
                        ),
                    ));
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
fn lifecycle(pod: &Pod, lifecycle: &Value, path: &str) -> Vec<FieldError> {
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

/// `ValidateSecurityContext` (privileged containers are allowed).
fn security_context(pod: &Pod, sc: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for key in ["runAsUser", "runAsGroup"] {
        if let Some(id) = sc.get(key).and_then(Value::as_i64)
            && !(0..=2_147_483_647).contains(&id)
        {
            errs.push(FieldError::invalid(
                format!("{path}.{key}"),
                json!(id),
                "must be between 0 and 2147483647, inclusive",
            ));
        }
    }
    if let Some(mount) = sc.get("procMount").and_then(Value::as_str) {
        if !["Default", "Unmasked"].contains(&mount) {
            errs.push(FieldError::not_supported(
                format!("{path}.procMount"),
                json!(mount),
                &["Default", "Unmasked"],
            ));
        }
        if pod.host_users && mount == "Unmasked" {
            errs.push(FieldError::invalid(
                format!("{path}.procMount"),
                json!(mount),
                "`hostUsers` must be false to use `Unmasked`",
            ));
        }
    }
    if let Some(profile) = set(sc, "seccompProfile") {
        errs.extend(seccomp_profile(profile, &format!("{path}.seccompProfile")));
    }
    if sc.get("allowPrivilegeEscalation") == Some(&json!(false)) {
        if sc.get("privileged") == Some(&json!(true)) {
            errs.push(FieldError::invalid_rendered(
                path,
                internal_security_context(sc),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        for cap in arr(sc.get("capabilities").unwrap_or(&Value::Null), "add") {
            if cap.as_str() == Some("CAP_SYS_ADMIN") {
                errs.push(FieldError::invalid_rendered(
                    path,
                    internal_security_context(sc),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                ));
            }
        }
    }
    if let Some(profile) = set(sc, "appArmorProfile") {
        errs.extend(apparmor_profile(
            profile,
            &format!("{path}.appArmorProfile"),
        ));
    }
}

/// `validateSeccompProfileField`.
fn seccomp_profile(profile: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let kind = s(profile, "type");
    const TYPES: &[&str] = &["Localhost", "RuntimeDefault", "Unconfined"];
    if kind.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.type"),
            "type is required when seccompProfile is set",
        ));
    } else if !TYPES.contains(&kind) {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            json!(kind),
            TYPES,
        ));
    }
    let local = profile.get("localhostProfile").and_then(Value::as_str);
    if kind == "Localhost" {
        match local {
            None => errs.push(FieldError::required(
                format!("{path}.localhostProfile"),
                "must be set when seccomp type is Localhost",
            )),
            Some(p) => errs.extend(local_descending(p, &format!("{path}.localhostProfile"))),
        }
    } else if local.is_some() {
        errs.push(FieldError::invalid_rendered(
            format!("{path}.localhostProfile"),
            internal_profile(profile),
            "can only be set when seccomp type is Localhost",
        ));
    }
    errs
}

/// `ValidateAppArmorProfileField`.
fn apparmor_profile(profile: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let local = profile.get("localhostProfile").and_then(Value::as_str);
    let lp = format!("{path}.localhostProfile");
    match s(profile, "type") {
        "Localhost" => match local {
            None => errs.push(FieldError::required(
                &lp,
                "must be set when AppArmor type is Localhost",
            )),
            Some(p) => {
                if p.trim() != p {
                    errs.push(FieldError::invalid(
                        &lp,
                        json!(p),
                        "must not be padded with whitespace",
                    ));
                } else if p.is_empty() {
                    errs.push(FieldError::required(
                        &lp,
                        "must be set when AppArmor type is Localhost",
                    ));
                }
                if p.len() > 4095 {
                    errs.push(FieldError::too_long(&lp, 4095));
                }
            }
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(p) = local {
                errs.push(FieldError::invalid(
                    &lp,
                    json!(p),
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => errs.push(FieldError::required(
            format!("{path}.type"),
            "type is required when appArmorProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            format!("{path}.type"),
            json!(other),
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    errs
}

/// A Go struct as `json.Marshal` renders it: fields in declaration order,
/// each value already rendered.
fn go_struct(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("\"{name}\":{value}"))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A JSON value as Go marshals it (compact, Go's escaping).
fn go_json(value: Option<&Value>) -> String {
    let bytes = encode::to_bytes(value.unwrap_or(&Value::Null), &Ty::Any, Layout::Compact);
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

/// A seccomp or AppArmor profile as the internal Go struct marshals it.
fn internal_profile(profile: &Value) -> String {
    go_struct(&[
        ("Type", go_json(Some(&json!(s(profile, "type"))))),
        ("LocalhostProfile", go_json(profile.get("localhostProfile"))),
    ])
}

/// A `SecurityContext` as the internal Go struct marshals it (Go field
/// names, nil pointers as `null`), which is how validation shows it.
fn internal_security_context(sc: &Value) -> String {
    let get = |key: &str| go_json(sc.get(key));
    let null = || "null".to_string();
    let capabilities = set(sc, "capabilities").map_or_else(null, |c| {
        go_struct(&[
            ("Add", go_json(c.get("add"))),
            ("Drop", go_json(c.get("drop"))),
        ])
    });
    let se_linux = set(sc, "seLinuxOptions").map_or_else(null, |o| {
        let field = |key: &str| go_json(Some(&json!(s(o, key))));
        go_struct(&[
            ("User", field("user")),
            ("Role", field("role")),
            ("Type", field("type")),
            ("Level", field("level")),
        ])
    });
    let windows = set(sc, "windowsOptions").map_or_else(null, |o| {
        go_struct(&[
            (
                "GMSACredentialSpecName",
                go_json(o.get("gmsaCredentialSpecName")),
            ),
            ("GMSACredentialSpec", go_json(o.get("gmsaCredentialSpec"))),
            ("RunAsUserName", go_json(o.get("runAsUserName"))),
            ("HostProcess", go_json(o.get("hostProcess"))),
        ])
    });
    go_struct(&[
        ("Capabilities", capabilities),
        ("Privileged", get("privileged")),
        ("SELinuxOptions", se_linux),
        ("WindowsOptions", windows),
        ("RunAsUser", get("runAsUser")),
        ("RunAsGroup", get("runAsGroup")),
        ("RunAsNonRoot", get("runAsNonRoot")),
        ("ReadOnlyRootFilesystem", get("readOnlyRootFilesystem")),
        ("AllowPrivilegeEscalation", get("allowPrivilegeEscalation")),
        ("ProcMount", get("procMount")),
        (
            "SeccompProfile",
            set(sc, "seccompProfile").map_or_else(null, internal_profile),
        ),
        (
            "AppArmorProfile",
            set(sc, "appArmorProfile").map_or_else(null, internal_profile),
        ),
    ])
}

/// `validateFileKeyRefVolumes` (the last check of `ValidatePodSpec`): a
/// `fileKeyRef` must name an `emptyDir` volume of the pod.
pub fn file_key_ref_volumes(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for (i, c) in arr(spec, list).iter().enumerate() {
            for (j, var) in arr(c, "env").iter().enumerate() {
                let Some(file_ref) = var
                    .pointer("/valueFrom/fileKeyRef")
                    .filter(|v| !v.is_null())
                else {
                    continue;
                };
                let name = s(file_ref, "volumeName");
                let path = format!("spec.{list}[{i}].env[{j}].valueFrom.fileKeyRef.volumeName");
                // Go keeps the last volume of a name.
                match arr(spec, "volumes")
                    .iter()
                    .rev()
                    .find(|v| s(v, "name") == name)
                {
                    None => errs.push(not_found(path, name)),
                    Some(volume) if set(volume, "emptyDir").is_none() => {
                        errs.push(FieldError::invalid(
                            path,
                            json!(name),
                            "referenced volume must be of type emptyDir",
                        ));
                    }
                    Some(_) => {}
                }
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn errors(container: Value) -> Vec<String> {
        let spec = json!({
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "volumes": [{"name": "data", "emptyDir": {}}],
            "containers": [container],
        });
        let volumes = BTreeSet::from(["data".to_string()]);
        let mut errs = Vec::new();
        containers(&spec, "containers", &volumes, &mut errs);
        errs.iter().map(FieldError::message).collect()
    }

    fn web(extra: Value) -> Value {
        let mut c = json!({"name": "web", "image": "nginx", "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent"});
        if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
            c.extend(extra.clone());
        }
        c
    }

    /// Go names some errors after the list, not the entry, and checks a
    /// probe's handler before its timings.
    #[rstest]
    #[case(json!({"volumeMounts": [{"name": "data", "mountPath": "/d", "subPath": "../x"}]}),
        &["spec.containers[0].volumeMounts.subPath: Invalid value: \"../x\": must not contain '..'"])]
    #[case(json!({"envFrom": [{"prefix": "P_"}]}),
        &["spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"])]
    #[case(json!({"livenessProbe": {"periodSeconds": -1, "successThreshold": 1}}),
        &["spec.containers[0].livenessProbe: Required value: must specify a handler type",
          "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"])]
    #[case(json!({"resources": {"limits": {"cpu": "200m"}, "requests": {"cpu": "0.25"}}}),
        &["spec.containers[0].resources.requests: Invalid value: \"250m\": must be less than or equal to cpu limit of 200m"])]
    fn go_order_and_paths(#[case] extra: Value, #[case] want: &[&str]) {
        assert_eq!(errors(web(extra)), want);
    }

    #[test]
    fn security_context_renders_the_internal_struct() {
        let got = errors(web(
            json!({"securityContext": {"privileged": true, "allowPrivilegeEscalation": false}}),
        ));
        assert_eq!(got.len(), 1);
        assert!(
            got[0].contains(r#"{"Capabilities":null,"Privileged":true,"SELinuxOptions":null"#),
            "{}",
            got[0]
        );
    }
}
