//! Object accessors the store and the strategies share (`api/meta`'s
//! `Accessor`, the store's object keys, the type meta a stored object
//! carries). It must not hold any step of a request.

use serde_json::{Map, Value, json};

/// The store key of a namespaced object.
pub(crate) fn key(ns: &str, name: &str) -> (String, String) {
    (ns.to_string(), name.to_string())
}

/// A field of `metadata`, read without parsing a pointer (every write
/// reads a few).
pub(crate) fn meta_field<'a>(obj: &'a Value, field: &str) -> Option<&'a Value> {
    obj.get("metadata").and_then(|m| m.get(field))
}

/// A string field of `metadata`, empty when absent.
pub(crate) fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    meta_field(obj, field).and_then(Value::as_str).unwrap_or("")
}

/// The `metadata` map, if the object has one.
pub(crate) fn meta_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    obj.get_mut("metadata").and_then(Value::as_object_mut)
}

/// The pod with its `kind` and `apiVersion`, as stored.
pub(crate) fn with_type_meta(mut pod: Value) -> Value {
    if let Some(map) = pod.as_object_mut() {
        map.insert("kind".into(), json!("Pod"));
        map.insert("apiVersion".into(), json!("v1"));
    }
    pod
}
