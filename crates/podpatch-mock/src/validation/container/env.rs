//! `ValidateEnv` and `ValidateEnvFrom`: variable names (the relaxed
//! printable-ASCII rule), `valueFrom` sources and their selectors, and
//! `validateFileKeyRefVolumes`, the check of `ValidatePodSpec` that env
//! `fileKeyRef` sources name an `emptyDir` volume.

use serde_json::{Value, json};

use super::context::not_found;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity;
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::paths::no_backsteps;
use crate::validation::value::{arr, present as set, s, split_subscript};
use crate::version::Version;

/// `IsRelaxedEnvVarName` where `RelaxedEnvironmentVariableValidation` is on
/// (1.32), `IsEnvVarName` before. Go also relaxes the rule for an update
/// whose old pod already has a name only the relaxed rule allows; no pod
/// here can have one, since each was validated at the server's own minor.
fn env_var_name(name: &str) -> Vec<String> {
    if !Version::current().relaxes_env_var_names() {
        return strict_env_var_name(name);
    }
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

/// `IsEnvVarName`: `[-._a-zA-Z][-._a-zA-Z0-9]*`, and not a path backstep.
fn strict_env_var_name(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_');
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() || !name.chars().all(word)
    {
        errs.push(names::regex_error(
            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
            "[-._a-zA-Z][-._a-zA-Z0-9]*",
            &["my.env-name", "MY_ENV.NAME", "MyEnvName1"],
        ));
    }
    match name {
        "." => errs.push("must not be '.'".to_string()),
        ".." => errs.push("must not be '..'".to_string()),
        _ if name.starts_with("..") => errs.push("must not start with '..'".to_string()),
        _ => {}
    }
    errs
}

/// `ValidateEnv`.
pub(super) fn env(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

fn qualified(value: &str, path: &str) -> Vec<FieldError> {
    names::qualified_name(value)
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
        .and_then(quantity::canonical)
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
        errs.push(names::regex_error(
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
    errs.extend(FieldError::invalid_each(
        format!("{path}.name"),
        name,
        names::dns1123_subdomain(name),
    ));
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
        errs.extend(FieldError::invalid_each(
            format!("{path}.volumeName"),
            volume,
            names::dns1123_label(volume),
        ));
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
pub(super) fn env_from(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
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
                    errs.extend(FieldError::invalid_each(
                        format!("{sp}.{key}.name"),
                        name,
                        names::dns1123_subdomain(name),
                    ));
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

/// `validateFileKeyRefVolumes` (the last check of `ValidatePodSpec`): a
/// `fileKeyRef` must name an `emptyDir` volume of the pod.
pub(crate) fn file_key_ref_volumes(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        for (i, c) in arr(spec, list).iter().enumerate() {
            for (j, var) in arr(c, "env").iter().enumerate() {
                let Some(file_ref) = var.at("/valueFrom/fileKeyRef").filter(|v| !v.is_null())
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
