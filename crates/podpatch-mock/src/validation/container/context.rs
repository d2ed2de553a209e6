//! What the container validators of `pkg/apis/core/validation/validation.go`
//! share: the pod-level facts a container is checked against (Go passes
//! them as `podSpec`, `volumes`, `gracePeriod` and `opts` arguments), the
//! common messages and the small error builders. It holds no rule of its own.

use std::collections::BTreeSet;
use std::fmt::Display;

use serde_json::{Value, json};

use crate::golang::quantity_states::QuantityStates;
use crate::validation::field::{ErrorType, FieldError};

/// The message of every non-negative `int32` bound.
pub(super) const NEGATIVE: &str = "must be greater than or equal to 0";

/// What the containers of one pod spec are validated against.
pub(super) struct Pod<'a> {
    pub(super) spec: &'a Value,
    /// The pod's quantities as Go's decoder and defaulting left them.
    pub(super) quantities: &'a QuantityStates,
    pub(super) volumes: &'a BTreeSet<String>,
    pub(super) grace: Option<i64>,
    pub(super) host_users: bool,
    pub(super) os: Option<&'a str>,
}

/// A required enum: `Required` when empty, `NotSupported` when unknown.
pub(super) fn one_of(
    errs: &mut Vec<FieldError>,
    path: &(impl Display + ?Sized),
    value: &str,
    supported: &[&str],
) {
    if value.is_empty() {
        errs.push(FieldError::required(path.to_string(), ""));
    } else if !supported.contains(&value) {
        errs.push(FieldError::not_supported(
            path.to_string(),
            json!(value),
            supported,
        ));
    }
}

pub(super) fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

pub(super) fn not_found(field: impl Into<String>, value: &str) -> FieldError {
    FieldError {
        kind: ErrorType::NotFound,
        field: field.into(),
        value: Some(json!(value)),
        detail: String::new(),
    }
}
