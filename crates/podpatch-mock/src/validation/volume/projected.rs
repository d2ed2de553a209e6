//! The API-data volume sources of `validateVolumeSource`: `secret`,
//! `configMap` (with `validateKeyToPath`), `downwardAPI`
//! (`validateDownwardAPIVolumeFile` with its field and resource selectors)
//! and `projected` (`validateProjectionSources`: service account tokens,
//! cluster trust bundles, pod certificates), and the pod-level rule that a
//! pod without a service account projects no token. It inspects values only.

use std::collections::BTreeSet;
use std::fmt::Display;

use serde_json::{Value, json};

use super::certificates;
use super::fields::{int, local_non_reserved, mode, required};
use crate::golang::quantity::Quantity;
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::value::{arr, members, s, set, split_subscript};
use crate::version::Version;

pub(super) fn secret(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "secretName");
    mode(src, "defaultMode", path, errs);
    for (i, kp) in arr(src, "items").iter().enumerate() {
        key_to_path(kp, &format_args!("{path}.items[{i}]"), errs);
    }
}

pub(super) fn config_map(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "name");
    mode(src, "defaultMode", path, errs);
    for (i, kp) in arr(src, "items").iter().enumerate() {
        key_to_path(kp, &format_args!("{path}.items[{i}]"), errs);
    }
}

/// `validateKeyToPath`.
pub(super) fn key_to_path(kp: &Value, path: &(impl Display + ?Sized), errs: &mut Vec<FieldError>) {
    required(errs, kp, path, "key");
    required(errs, kp, path, "path");
    errs.extend(local_non_reserved(
        s(kp, "path"),
        &format_args!("{path}.path"),
    ));
    mode(kp, "mode", path, errs);
}

/// Field paths a downward API volume file may read.
pub(super) const DOWNWARD_FIELDS: &[&str] = &[
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];

/// Field labels `ConvertDownwardAPIFieldLabel` knows for v1.
pub(super) const FIELD_LABELS: &[&str] = &[
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.serviceAccountName",
    "spec.schedulerName",
    "status.phase",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

/// `validateObjectFieldSelector` with the volume's allowed paths.
pub(super) fn object_field_selector(
    fs: &Value,
    path: &(impl Display + ?Sized),
    errs: &mut Vec<FieldError>,
) {
    let version = s(fs, "apiVersion");
    let field_path = s(fs, "fieldPath");
    if version.is_empty() {
        errs.push(FieldError::required(format!("{path}.apiVersion"), ""));
        return;
    }
    if field_path.is_empty() {
        errs.push(FieldError::required(format!("{path}.fieldPath"), ""));
        return;
    }
    let converted = if version != "v1" {
        Err(format!("unsupported pod version: {version}"))
    } else if let Some((p, _)) = split_subscript(field_path) {
        if ["metadata.annotations", "metadata.labels"].contains(&p) {
            Ok(field_path.to_string())
        } else {
            Err(format!(
                "field label does not support subscript: {field_path}"
            ))
        }
    } else if field_path == "spec.host" {
        Ok("spec.nodeName".to_string())
    } else if FIELD_LABELS.contains(&field_path) {
        Ok(field_path.to_string())
    } else {
        Err(format!("field label not supported: {field_path}"))
    };
    let internal = match converted {
        Ok(p) => p,
        Err(e) => {
            errs.push(FieldError::invalid(
                format!("{path}.fieldPath"),
                json!(field_path),
                format!("error converting fieldPath: {e}"),
            ));
            return;
        }
    };
    if let Some((p, subscript)) = split_subscript(&internal) {
        let key = if p == "metadata.annotations" {
            subscript.to_lowercase()
        } else {
            subscript.to_string()
        };
        for msg in names::qualified_name(&key) {
            errs.push(FieldError::invalid(path.to_string(), json!(key), msg));
        }
    } else if !DOWNWARD_FIELDS.contains(&internal.as_str()) {
        errs.push(FieldError::not_supported(
            format!("{path}.fieldPath"),
            json!(internal),
            DOWNWARD_FIELDS,
        ));
    }
}

pub(super) const RESOURCE_FIELDS: &[&str] = &[
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

pub(super) const SIZE_DIVISORS: &[&str] = &[
    "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
];

/// `validateContainerResourceFieldSelector` for a volume file.
pub(super) fn resource_field_selector(
    fs: &Value,
    path: &(impl Display + ?Sized),
    errs: &mut Vec<FieldError>,
) {
    let resource = s(fs, "resource");
    if s(fs, "containerName").is_empty() {
        errs.push(FieldError::required(format!("{path}.containerName"), ""));
    } else if resource.is_empty() {
        errs.push(FieldError::required(format!("{path}.resource"), ""));
    } else if !RESOURCE_FIELDS.contains(&resource)
        && !resource.starts_with("limits.hugepages-")
        && !resource.starts_with("requests.hugepages-")
    {
        errs.push(FieldError::not_supported(
            format!("{path}.resource"),
            json!(resource),
            RESOURCE_FIELDS,
        ));
    }
    let Some(divisor) = fs.get("divisor").and_then(Value::as_str) else {
        return;
    };
    let Some(canonical) = Quantity::parse(divisor)
        .filter(|d| !d.is_zero())
        .map(|d| d.to_string())
    else {
        return;
    };
    let bad = |allowed: &[&str]| !allowed.contains(&canonical.as_str());
    let what = match resource {
        "limits.cpu" | "requests.cpu" if bad(&["1m", "1"]) => {
            Some("only divisor's values 1m and 1 are supported with the cpu resource")
        }
        "limits.memory" | "requests.memory" if bad(SIZE_DIVISORS) => Some(
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource",
        ),
        "limits.ephemeral-storage" | "requests.ephemeral-storage" if bad(SIZE_DIVISORS) => Some(
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource",
        ),
        _ => None,
    };
    if let Some(msg) = what {
        errs.push(FieldError::invalid(
            format!("{path}.divisor"),
            json!(resource),
            msg,
        ));
    }
    if (resource.starts_with("requests.hugepages-") || resource.starts_with("limits.hugepages-"))
        && bad(SIZE_DIVISORS)
    {
        errs.push(FieldError::invalid(
            format!("{path}.divisor"),
            json!(resource),
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the hugepages resource",
        ));
    }
}

/// `validateDownwardAPIVolumeFile`.
pub(super) fn downward_file(
    file: &Value,
    path: &(impl Display + ?Sized),
    errs: &mut Vec<FieldError>,
) {
    required(errs, file, path, "path");
    errs.extend(local_non_reserved(
        s(file, "path"),
        &format_args!("{path}.path"),
    ));
    if let Some(fs) = file.get("fieldRef").filter(|v| !v.is_null()) {
        object_field_selector(fs, &format_args!("{path}.fieldRef"), errs);
        if set(file, "resourceFieldRef") {
            errs.push(FieldError::invalid(
                path.to_string(),
                json!("resource"),
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            ));
        }
    } else if let Some(fs) = file.get("resourceFieldRef").filter(|v| !v.is_null()) {
        resource_field_selector(fs, &format_args!("{path}.resourceFieldRef"), errs);
    } else {
        errs.push(FieldError::required(
            path.to_string(),
            "one of fieldRef and resourceFieldRef is required",
        ));
    }
    mode(file, "mode", path, errs);
}

pub(super) fn downward_api(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    mode(src, "defaultMode", path, errs);
    // Go validates every item on the source's path, without an index.
    for file in arr(src, "items") {
        downward_file(file, path, errs);
    }
}

pub(super) fn projected(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    mode(src, "defaultMode", path, errs);
    let mut paths = BTreeSet::new();
    let mut claim = |p: &str, bad: &str, errs: &mut Vec<FieldError>| {
        if !paths.insert(p.to_string()) {
            errs.push(FieldError::invalid(
                path,
                json!(bad),
                "conflicting duplicate paths",
            ));
        }
    };
    for (i, proj) in arr(src, "sources").iter().enumerate() {
        let src_path = format_args!("{path}.sources[{i}]");
        let mut count = 0;
        // A source sets one of these (the volume names several): read
        // in one pass.
        let [
            secret,
            config_map,
            downward,
            token,
            trust_bundle,
            certificate,
        ] = members(
            proj,
            [
                "secret",
                "configMap",
                "downwardAPI",
                "serviceAccountToken",
                "clusterTrustBundle",
                "podCertificate",
            ],
        )
        .map(|v| v.filter(|v| !v.is_null()));
        for (kind, obj) in [("secret", secret), ("configMap", config_map)] {
            let Some(obj) = obj else {
                continue;
            };
            count += 1;
            let obj_path = format_args!("{src_path}.{kind}");
            required(errs, obj, &obj_path, "name");
            for (j, kp) in arr(obj, "items").iter().enumerate() {
                key_to_path(kp, &format_args!("{obj_path}.items[{j}]"), errs);
                let p = s(kp, "path");
                if !p.is_empty() {
                    claim(p, s(obj, "name"), errs);
                }
            }
        }
        if let Some(obj) = downward {
            count += 1;
            let obj_path = format_args!("{src_path}.downwardAPI");
            for file in arr(obj, "items") {
                downward_file(file, &obj_path, errs);
                let p = s(file, "path");
                if !p.is_empty() {
                    claim(p, p, errs);
                }
            }
        }
        if let Some(token) = token {
            count += 1;
            let exp_path = format_args!("{src_path}.serviceAccountToken.expirationSeconds");
            let exp = int(token, "expirationSeconds").unwrap_or(0);
            if exp < 600 {
                errs.push(FieldError::invalid(
                    exp_path.to_string(),
                    json!(exp),
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if exp > 1 << 32 {
                errs.push(FieldError::invalid(
                    exp_path.to_string(),
                    json!(exp),
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
            // Go reports the token path on the volume's path, not the source's.
            let p = s(token, "path");
            if p.is_empty() {
                errs.push(FieldError::required(format!("{path}.path"), ""));
            } else {
                errs.extend(local_non_reserved(p, &format_args!("{path}.path")));
            }
        }
        // Before 1.37 `drop_disabled` removed these sources (gates off).
        if let Some(ctb) = trust_bundle {
            count += 1;
            let at = format!("{src_path}.clusterTrustBundle");
            certificates::cluster_trust_bundle(ctb, &at, &mut |p, errs| claim(p, p, errs), errs);
        }
        if let Some(pc) = certificate {
            count += 1;
            let at = format!("{src_path}.podCertificate");
            certificates::pod_certificate(pc, &at, &mut |p, errs| claim(p, p, errs), errs);
        }
        if count > 1 {
            let detail = if Version::current().says_per_source() {
                "may not specify more than 1 volume type per source"
            } else {
                "may not specify more than 1 volume type"
            };
            errs.push(FieldError::forbidden(src_path.to_string(), detail));
        }
    }
}

/// `validatePodMetadataAndSpec`: a pod without a service account may not
/// project its token.
pub(crate) fn service_account_tokens(spec: &Value) -> Vec<FieldError> {
    if !s(spec, "serviceAccountName").is_empty() {
        return Vec::new();
    }
    let mut errs = Vec::new();
    for (i, volume) in arr(spec, "volumes").iter().enumerate() {
        let Some(projected) = volume.get("projected").filter(|v| !v.is_null()) else {
            continue;
        };
        for (j, source) in arr(projected, "sources").iter().enumerate() {
            if set(source, "serviceAccountToken") {
                errs.push(FieldError::forbidden(
                    format!("spec.volumes[{i}].projected.sources[{j}].serviceAccountToken"),
                    "must not be specified when serviceAccountName is not set",
                ));
            }
        }
    }
    errs
}
