//! The ObjectMeta steps the namespace, service account and pod handlers
//! share: reading `metadata.name`, `rest.go`'s name checks on create
//! (`ValidateObjectMeta`'s required name and name syntax) and dropping the
//! type meta of list items (`List` items carry none). It must not hold
//! handler flow.

use crate::golang::json_pointer::Lookup;
use serde_json::{Value, json};

pub(crate) fn strip_type_meta(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("kind");
        m.remove("apiVersion");
    }
    v
}

/// The create-time errors of `metadata.name`, checked by `syntax`.
pub(crate) fn name_errors(
    name: &str,
    syntax: fn(&str) -> Vec<String>,
) -> Vec<crate::validation::field::FieldError> {
    if name.is_empty() {
        return vec![crate::validation::field::FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )];
    }
    syntax(name)
        .into_iter()
        .map(|msg| crate::validation::field::FieldError::invalid("metadata.name", json!(name), msg))
        .collect()
}

pub(crate) fn object_name(body: &Value) -> String {
    body.at("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}
