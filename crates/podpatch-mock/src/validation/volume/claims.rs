//! The claim-backed volume sources of `validateVolumeSource`:
//! `persistentVolumeClaim`, `csi` (`validateCSIVolumeSource`) and `ephemeral`
//! (`validateEphemeralVolumeSource` with the claim template's metadata and
//! `ValidatePersistentVolumeClaimSpec`: access modes, resources, class
//! names, data sources). It inspects values only.

use serde_json::{Value, json};

use super::fields::required;
use crate::golang::go_value::GoValue;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity::Quantity;
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::objectmeta;
use crate::validation::value::{arr, s};

pub(super) fn pvc(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "claimName");
}

pub(super) fn csi(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let driver = s(src, "driver");
    let driver_path = format!("{path}.driver");
    if driver.is_empty() {
        errs.push(FieldError::required(&driver_path, ""));
    } else {
        if driver.len() > 63 {
            errs.push(FieldError::too_long(&driver_path, 63));
        }
        for msg in names::dns1123_subdomain(&driver.to_lowercase()) {
            errs.push(FieldError::invalid(&driver_path, json!(driver), msg));
        }
    }
    if let Some(r) = src.get("nodePublishSecretRef").filter(|v| !v.is_null()) {
        let name = s(r, "name");
        if name.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.nodePublishSecretRef.name"),
                "",
            ));
        } else {
            // Go reports a bad secret name on `csi.name`.
            errs.extend(FieldError::invalid_each(
                format!("{path}.name"),
                name,
                names::dns1123_subdomain(name),
            ));
        }
    }
}

pub(super) fn ephemeral(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let Some(template) = src.get("volumeClaimTemplate").filter(|v| !v.is_null()) else {
        errs.push(FieldError::required(
            format!("{path}.volumeClaimTemplate"),
            "",
        ));
        return;
    };
    let path = format!("{path}.volumeClaimTemplate");
    template_meta(&template["metadata"], &format!("{path}.metadata"), errs);
    claim_spec(&template["spec"], &format!("{path}.spec"), errs);
}

/// `ObjectMeta` fields in Go order with the names `validateFieldAllowList`
/// derives from them (the Go name with its first letter lowered).
pub(super) const TEMPLATE_META_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("generateName", "generateName"),
    ("namespace", "namespace"),
    ("selfLink", "selfLink"),
    ("uid", "uID"),
    ("resourceVersion", "resourceVersion"),
    ("generation", "generation"),
    ("creationTimestamp", "creationTimestamp"),
    ("deletionTimestamp", "deletionTimestamp"),
    ("deletionGracePeriodSeconds", "deletionGracePeriodSeconds"),
    ("ownerReferences", "ownerReferences"),
    ("finalizers", "finalizers"),
    ("managedFields", "managedFields"),
];

/// `ValidateTemplateObjectMeta`: labels and annotations only.
pub(super) fn template_meta(meta: &Value, path: &str, errs: &mut Vec<FieldError>) {
    errs.extend(objectmeta::annotations(
        meta.get("annotations"),
        &format!("{path}.annotations"),
    ));
    errs.extend(objectmeta::labels(
        meta.get("labels"),
        &format!("{path}.labels"),
    ));
    for (key, go_name) in TEMPLATE_META_FIELDS {
        if meta
            .get(*key)
            .is_some_and(|v| !crate::golang::zero::is_empty(v))
        {
            errs.push(FieldError::forbidden(
                format!("{path}.{go_name}"),
                "cannot be set",
            ));
        }
    }
}

pub(super) const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

/// `ValidatePersistentVolumeClaimSpec` (label selectors not modelled).
pub(super) fn claim_spec(spec: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let modes = arr(spec, "accessModes");
    if modes.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.accessModes"),
            "at least 1 access mode is required",
        ));
    }
    let (mut once_pod, mut other) = (false, false);
    for m in modes {
        let m = m.as_str().unwrap_or("");
        if !ACCESS_MODES.contains(&m) {
            errs.push(FieldError::not_supported(
                format!("{path}.accessModes"),
                json!(m),
                ACCESS_MODES,
            ));
        }
        if m == "ReadWriteOncePod" {
            once_pod = true;
        } else if ACCESS_MODES.contains(&m) {
            other = true;
        }
    }
    if once_pod && other {
        errs.push(FieldError::forbidden(
            format!("{path}.accessModes"),
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
    let storage_path = format!("{path}.resources[storage]");
    match spec.at("/resources/requests/storage") {
        None | Some(Value::Null) => errs.push(FieldError::required(&storage_path, "")),
        Some(q) => {
            let text = q.as_str().map_or_else(|| q.to_string(), str::to_string);
            if Quantity::parse(&text).is_some_and(|v| v.is_negative() || v.is_zero()) {
                errs.push(FieldError::invalid(
                    &storage_path,
                    json!(text),
                    "must be greater than zero",
                ));
            }
        }
    }
    class_name(spec, "storageClassName", path, errs);
    if let Some(m) = spec.get("volumeMode").and_then(Value::as_str)
        && !["Block", "Filesystem"].contains(&m)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.volumeMode"),
            json!(m),
            &["Block", "Filesystem"],
        ));
    }
    data_sources(spec, path, errs);
    class_name(spec, "volumeAttributesClassName", path, errs);
}

/// `ValidateClassName` on a set class field.
pub(super) fn class_name(spec: &Value, key: &str, path: &str, errs: &mut Vec<FieldError>) {
    let class = s(spec, key);
    if !class.is_empty() {
        errs.extend(FieldError::invalid_each(
            format!("{path}.{key}"),
            class,
            names::dns1123_subdomain(class),
        ));
    }
}

/// `validateDataSource` / `validateDataSourceRef` and their agreement.
pub(super) fn data_sources(spec: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let source = spec.get("dataSource").filter(|v| !v.is_null());
    let source_ref = spec.get("dataSourceRef").filter(|v| !v.is_null());
    for (key, r) in [("dataSource", source), ("dataSourceRef", source_ref)] {
        let Some(r) = r else { continue };
        let p = format!("{path}.{key}");
        required(errs, r, &p, "name");
        required(errs, r, &p, "kind");
        let group = s(r, "apiGroup");
        if group.is_empty() && s(r, "kind") != "PersistentVolumeClaim" {
            errs.push(FieldError::invalid(
                &p,
                json!(s(r, "kind")),
                "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
            ));
        }
        if !group.is_empty() {
            errs.extend(FieldError::invalid_each(
                format!("{p}.apiGroup"),
                group,
                names::dns1123_subdomain(group),
            ));
        }
        if key == "dataSourceRef" {
            let ns = s(r, "namespace");
            if !ns.is_empty() {
                errs.extend(FieldError::invalid_each(
                    format!("{p}.namespace"),
                    ns,
                    names::dns1123_label(ns),
                ));
            }
        }
    }
    let ref_ns = source_ref.is_some_and(|r| !s(r, "namespace").is_empty());
    if let (Some(src), Some(r)) = (source, source_ref) {
        let same = ["apiGroup", "kind", "name"]
            .iter()
            .all(|k| src.get(*k) == r.get(*k));
        let detail = if ref_ns {
            Some("may not be specified when dataSourceRef.namespace is specified")
        } else if !same {
            Some("must match dataSourceRef")
        } else {
            None
        };
        if let Some(detail) = detail {
            // Go passes the `*field.Path` of `dataSource`: its unexported
            // fields marshal as an empty object, `%#v` shows them.
            let field_path = GoValue::Struct(
                "field.Path".into(),
                vec![
                    ("name", GoValue::Str("dataSource".into())),
                    ("index", GoValue::Str(String::new())),
                    (
                        "parent",
                        GoValue::Ptr("*field.Path".into(), Box::new(GoValue::Bool(false))),
                    ),
                ],
            );
            let shown = GoValue::Marshaler(Box::new(field_path), json!({}));
            errs.push(FieldError::invalid_go(path, &shown, detail));
        }
    }
}
