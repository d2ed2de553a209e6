//! The relative-path rules several pod fields share (mount sub-paths,
//! volume item paths, seccomp localhost profiles): `validatePathNoBacksteps`
//! and `validateLocalDescendingPath` of
//! `pkg/apis/core/validation/validation.go`. It inspects strings only.
//!
//! A field path is any `Display` (a `&str`, or `format_args!` naming a
//! child): it is written out only when an error names it, since almost
//! every path a request validates is valid.

use std::fmt::Display;

use serde_json::json;

use crate::validation::field::FieldError;

/// `validatePathNoBacksteps`: no `..` step. Go splits on `/` only
/// (`filepath.ToSlash` leaves backslashes alone on Linux).
pub(super) fn no_backsteps(target: &str, path: &(impl Display + ?Sized)) -> Option<FieldError> {
    target
        .split('/')
        .any(|part| part == "..")
        .then(|| FieldError::invalid(path.to_string(), json!(target), "must not contain '..'"))
}

/// `validateLocalDescendingPath`: relative, without `..` steps.
pub(super) fn local_descending(target: &str, path: &(impl Display + ?Sized)) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if target.starts_with('/') {
        errs.push(FieldError::invalid(
            path.to_string(),
            json!(target),
            "must be a relative path",
        ));
    }
    errs.extend(no_backsteps(target, path));
    errs
}
