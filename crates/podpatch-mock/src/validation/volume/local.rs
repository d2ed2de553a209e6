//! The node-local volume sources of `validateVolumeSource`: `emptyDir`,
//! `hostPath` (`validateHostPathVolumeSource`), `gitRepo` and `image`. It
//! inspects values only.

use serde_json::{Value, json};

use super::fields::required;
use crate::golang::quantity::Quantity;
use crate::validation::field::FieldError;
use crate::validation::paths::{local_descending, no_backsteps};
use crate::validation::value::s;

pub(super) fn empty_dir(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let negative = src
        .get("sizeLimit")
        .and_then(Value::as_str)
        .and_then(Quantity::parse)
        .is_some_and(|q| q.is_negative());
    if negative {
        errs.push(FieldError::forbidden(
            format!("{path}.sizeLimit"),
            "SizeLimit field must be a valid resource quantity",
        ));
    }
}

pub(super) const HOST_PATH_TYPES: &[&str] = &[
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];

pub(super) fn host_path(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let p = s(src, "path");
    if p.is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
        return;
    }
    errs.extend(no_backsteps(p, &format!("{path}.path")));
    if let Some(t) = src.get("type").and_then(Value::as_str)
        && !HOST_PATH_TYPES.contains(&t)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            json!(t),
            HOST_PATH_TYPES,
        ));
    }
}

pub(super) fn git_repo(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "repository");
    errs.extend(local_descending(
        s(src, "directory"),
        &format!("{path}.directory"),
    ));
}

pub(super) fn image(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "reference");
    let policy = s(src, "pullPolicy");
    let field = format!("{path}.pullPolicy");
    match policy {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(field, "")),
        other => errs.push(FieldError::not_supported(
            field,
            json!(other),
            &["Always", "IfNotPresent", "Never"],
        )),
    }
}
