//! `ValidateVolumeMounts` and `ValidateVolumeDevices`
//! (`pkg/apis/core/validation/validation.go`, 1.36): mounts and devices name
//! valid volumes of the pod, their paths, sub-paths, propagation and
//! recursive read-only rules. It inspects values only.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::context::{Pod, not_found};
use crate::golang::json_pointer::Lookup;
use crate::validation::field::FieldError;
use crate::validation::paths::local_descending;
use crate::validation::value::{arr, list_of, members, present as set, s, str_of};

/// `ValidateVolumeMounts`.
pub(super) fn volume_mounts(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let [devices, mounts] = members(c, ["volumeDevices", "volumeMounts"]).map(list_of);
    let device_paths = by_name(devices, "devicePath");
    let mut mount_points = BTreeSet::new();
    let list = format_args!("{path}.volumeMounts");
    for (j, mount) in mounts.iter().enumerate() {
        let mp = format_args!("{list}[{j}]");
        // Read in one pass: most mounts set two or three of these.
        let [
            name,
            mount_path,
            sub_path,
            expr,
            propagation,
            recursive_read_only,
            read_only,
        ] = members(
            mount,
            [
                "name",
                "mountPath",
                "subPath",
                "subPathExpr",
                "mountPropagation",
                "recursiveReadOnly",
                "readOnly",
            ],
        );
        let [name, mount_path, sub_path, expr] = [name, mount_path, sub_path, expr].map(str_of);
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
        if device_paths.contains(&mount_path) {
            errs.push(FieldError::invalid(
                format!("{mp}.mountPath"),
                json!(mount_path),
                "must not already exist as a path in volumeDevices",
            ));
        }
        // Go reports these two on the list path, not the entry.
        if !sub_path.is_empty() {
            errs.extend(local_descending(sub_path, &format_args!("{list}.subPath")));
        }
        if !expr.is_empty() {
            if !sub_path.is_empty() {
                errs.push(FieldError::invalid(
                    format!("{mp}.subPathExpr"),
                    json!(expr),
                    "subPathExpr and subPath are mutually exclusive",
                ));
            }
            errs.extend(local_descending(expr, &format_args!("{list}.subPathExpr")));
        }
        let propagation = propagation.and_then(Value::as_str);
        if let Some(mode) = propagation {
            let prop_path = format!("{list}.mountPropagation");
            const MODES: &[&str] = &["Bidirectional", "HostToContainer", "None"];
            if !MODES.contains(&mode) {
                errs.push(FieldError::not_supported(&prop_path, json!(mode), MODES));
            }
            let privileged = c.at("/securityContext/privileged") == Some(&json!(true));
            if mode == "Bidirectional" && !privileged {
                errs.push(FieldError::forbidden(
                    &prop_path,
                    "Bidirectional mount propagation is available only to privileged containers",
                ));
            }
        }
        if let Some(rro) = recursive_read_only.and_then(Value::as_str) {
            let rro_path = format!("{list}.recursiveReadOnly");
            match rro {
                "Disabled" => {}
                "Enabled" | "IfPossible" => {
                    if read_only != Some(&json!(true)) {
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
pub(super) fn volume_devices(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
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
