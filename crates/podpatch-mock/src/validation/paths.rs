//! The relative-path rules several pod fields share (mount sub-paths,
//! volume item paths, seccomp localhost profiles): `validatePathNoBacksteps`
//! and `validateLocalDescendingPath` of
//! `pkg/apis/core/validation/validation.go`. It inspects strings only.

use serde_json::json;

use crate::validation::field::FieldError;

/// `validatePathNoBacksteps`: no `..` step. Go splits on `/` only
/// (`filepath.ToSlash` leaves backslashes alone on Linux).
pub(super) fn no_backsteps(target: &str, path: &str) -> Option<FieldError> {
    target
        .split('/')
        .any(|part| part == "..")
        .then(|| FieldError::invalid(path, json!(target), "must not contain '..'"))
}

/// `validateLocalDescendingPath`: relative, without `..` steps.
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
