//! The errors of `k8s.io/apimachinery/pkg/util/strategicpatch` with their
//! Go texts (`ErrBadPatchType`, `ErrNoMergeKey`, `ErrBadArgType`, …) and the
//! HTTP class `handlers/patch.go` maps them to, plus how Go names a value's
//! type in them (`%T`, `reflect.Kind`). It merges nothing.

use serde_json::{Map, Value};

use crate::golang::format::{go_fmt, go_fmt_s, go_type_of};
use crate::schema::{Field, Presence, Ty};

/// A strategic-merge failure, classified like `interpretStrategicMergePatchError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmpError {
    /// 400 BadRequest with this message.
    #[error("{0}")]
    BadRequest(String),
    /// 422 with the generic "rejected our request" message.
    #[error("generic invalid")]
    Invalid,
    /// 500 raw error with this message.
    #[error("{0}")]
    Internal(String),
}

pub(super) fn bad_patch_type(directive: &Value, map: &Map<String, Value>) -> SmpError {
    SmpError::Internal(format!(
        "unknown patch type: {} in map: {}",
        go_fmt_s(directive),
        go_fmt(&Value::Object(map.clone()))
    ))
}

pub(super) fn no_merge_key(map: &Map<String, Value>, key: &str) -> SmpError {
    SmpError::Internal(format!(
        "map: {} does not contain declared merge key: {key}",
        go_fmt(&Value::Object(map.clone()))
    ))
}

/// `mergepatch.ErrBadArgType`: a failed Go type assertion.
pub(super) fn bad_arg_type(expected: &str, actual: &Value) -> SmpError {
    SmpError::Internal(format!(
        "expected a {expected}, but received a {}",
        go_type(actual)
    ))
}

pub(super) const GO_SLICE: &str = "[]interface {}";

pub(super) const GO_MAP: &str = "map[string]interface {}";

/// Go's `%s` of `reflect.TypeOf` for a decoded JSON value (`nil` has no type).
pub(super) fn go_type(value: &Value) -> &'static str {
    if value.is_null() {
        "%!s(<nil>)"
    } else {
        go_type_of(value)
    }
}

/// Go's `reflect.Kind` name of the schema a map is merged under: `struct`
/// for structs held by value (and list items), `ptr` for pointer fields.
/// Only the "expected slice or array type" error shows it.
pub(super) fn go_kind_of(field: Option<&'static Field>) -> &'static str {
    match field {
        Some(f) if f.presence == Presence::Ptr => "ptr",
        Some(f) if matches!(f.ty.resolved(), Ty::Map(_) | Ty::AtomicMap(_)) => "map",
        _ => "struct",
    }
}
