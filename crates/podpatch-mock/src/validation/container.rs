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

use super::paths::local_descending;
use super::{arr, s};
use crate::validation::field::{ErrorType, FieldError};
use crate::validation::objectmeta;

mod env;
mod probes;
mod resources;
mod security;

use env::{env, env_from};
use probes::{lifecycle, probes};
use resources::resources;
use security::security_context;
pub(super) use security::{apparmor_profile, seccomp_profile};

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
        errs.extend(FieldError::invalid_each(
            format!("{path}.name"),
            name,
            objectmeta::dns1123_label(name),
        ));
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
    resources(c, pod.spec, &format!("{path}.resources"), errs);
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
pub(super) fn set<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
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
