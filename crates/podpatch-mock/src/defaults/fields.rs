//! The two ways `k8s.io/kubernetes/pkg/apis/core/v1/defaults.go` fills a
//! field: a generated `+default` marker (set when missing, null or empty)
//! and a hand-written `if x == nil` (set only when nil). It holds no
//! defaults of its own. A default is made only when it is set: most pods
//! defaulted (after every patch) hold them all already.

use serde_json::{Map, Value};

/// Sets a field that is missing, `null` or an empty string.
pub(super) fn set_if_missing(
    map: &mut Map<String, Value>,
    key: &str,
    value: impl FnOnce() -> Value,
) {
    let missing = match map.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    };
    if missing {
        map.insert(key.to_string(), value());
    }
}

/// Sets a pointer field only when it is nil (an empty string stays).
pub(super) fn set_if_nil(map: &mut Map<String, Value>, key: &str, value: impl FnOnce() -> Value) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.to_string(), value());
    }
}
