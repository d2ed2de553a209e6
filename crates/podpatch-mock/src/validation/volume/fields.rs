//! The small field rules several volume sources of
//! `pkg/apis/core/validation/validation.go` share: required strings, file
//! modes (`must be a number between 0 and 0777`, Go's `fileModeErrorMsg`),
//! `int32` reads and `validateLocalNonReservedPath`. It holds no source.
//! Paths are written out only for an error (see [`crate::validation::paths`]).

use std::fmt::Display;

use serde_json::{Value, json};

use crate::validation::field::FieldError;
use crate::validation::paths::local_descending;
use crate::validation::value::s;

pub(super) const FILE_MODE: &str = "must be a number between 0 and 0777 (octal), both inclusive";

pub(super) fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

pub(super) fn required(
    errs: &mut Vec<FieldError>,
    v: &Value,
    path: &(impl Display + ?Sized),
    key: &str,
) {
    if s(v, key).is_empty() {
        errs.push(FieldError::required(format!("{path}.{key}"), ""));
    }
}

pub(super) fn mode(
    v: &Value,
    key: &str,
    path: &(impl Display + ?Sized),
    errs: &mut Vec<FieldError>,
) {
    if let Some(m) = int(v, key)
        && !(0..=0o777).contains(&m)
    {
        errs.push(FieldError::invalid(
            format!("{path}.{key}"),
            json!(m),
            FILE_MODE,
        ));
    }
}

/// `ValidateLocalNonReservedPath`.
pub(super) fn local_non_reserved(target: &str, path: &(impl Display + ?Sized)) -> Vec<FieldError> {
    let mut errs = local_descending(target, path);
    if target.starts_with("..") && !target.starts_with("../") {
        errs.push(FieldError::invalid(
            path.to_string(),
            json!(target),
            "must not start with '..'",
        ));
    }
    errs
}
