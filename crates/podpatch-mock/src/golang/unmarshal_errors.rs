//! Go's texts for a value that does not fit its field's type, as
//! [`crate::golang::unmarshal`] reports them: `encoding/json`'s
//! `UnmarshalTypeError` and the unstructured converter's conversion
//! errors, with the Go type names they quote. Text only: it must not
//! decode.

use serde_json::Value;

use crate::schema::Ty;

/// The Go type name the unstructured converter reports for a JSON value.
fn unstructured_source(value: &Value) -> (&'static str, &'static str) {
    match value {
        Value::Null => ("<nil>", "invalid"),
        Value::Bool(_) => ("bool", "bool"),
        Value::Number(n) if n.is_f64() => ("float64", "float64"),
        Value::Number(_) => ("int64", "int64"),
        Value::String(_) => ("string", "string"),
        Value::Array(_) => ("[]interface {}", "slice"),
        Value::Object(_) => ("map[string]interface {}", "map"),
    }
}

/// `fromUnstructured`'s error for `value` landing in a field of type `ty`.
pub(crate) fn unstructured_error(value: &Value, ty: &'static Ty, go_type: Option<&str>) -> String {
    let (type_name, kind) = unstructured_source(value);
    match ty.resolved() {
        Ty::Struct(_) => format!("cannot restore struct from: {kind}"),
        Ty::List(_) => format!("cannot restore slice from {kind}"),
        Ty::Map(_) | Ty::AtomicMap(_) => format!("cannot restore map from {kind}"),
        other => {
            // Go's reflect conversions: numbers convert among themselves and
            // an integer converts to a string (as a rune); anything else is
            // not convertible at all.
            let convertible = matches!(
                (type_name, go_type_name(other).as_str()),
                ("int64", "string") | ("float64", "int64" | "int32") | ("int64", "int64" | "int32")
            );
            if convertible {
                format!(
                    "cannot convert {type_name} to {}",
                    named_type(other, go_type)
                )
            } else {
                // Here Go names the kind: a named string type
                // (`v1.PullPolicy`) is a `string`.
                format!("unrecognized type: {}", go_type_name(other))
            }
        }
    }
}

/// `encoding/json`'s `UnmarshalTypeError` text for `value` (sent as
/// `literal`) in a field of Go type `go_type`.
pub(crate) fn type_error(
    value: &Value,
    literal: Option<&str>,
    go_struct: &str,
    go_path: &str,
    go_type: &str,
) -> String {
    let what = match value {
        // Go names the literal for a float into an integer.
        Value::Number(n) if go_type.starts_with("int") => match literal {
            Some(text) => format!("number {text}"),
            None => format!("number {n}"),
        },
        other => crate::golang::json_raw::json_kind(other).to_string(),
    };
    if go_struct.is_empty() {
        format!("json: cannot unmarshal {what} into Go value of type {go_type}")
    } else {
        format!(
            "json: cannot unmarshal {what} into Go struct field {go_struct}.{go_path} of type {go_type}"
        )
    }
}

fn go_type_name(ty: &'static Ty) -> String {
    match ty.resolved() {
        Ty::Str | Ty::Time => "string".into(),
        Ty::Int => "int64".into(),
        Ty::Int32 => "int32".into(),
        Ty::IntOrString => "intstr.IntOrString".into(),
        Ty::Bool => "bool".into(),
        Ty::Quantity => "resource.Quantity".into(),
        Ty::Struct(s) => format!("v1.{}", s.name),
        Ty::List(list) => format!("[]{}", go_type_name(&list.item)),
        Ty::Map(v) | Ty::AtomicMap(v) => format!("map[string]{}", go_type_name(v)),
        Ty::Any => "interface {}".into(),
        Ty::Atomic(inner) => go_type_name(inner),
    }
}

/// The Go type name of a field of type `ty` whose schema spells out
/// `go_type` (the items' type for a list or map).
pub(crate) fn named_type(ty: &'static Ty, go_type: Option<&str>) -> String {
    match (ty.resolved(), go_type) {
        (Ty::List(_), Some(name)) => format!("[]{name}"),
        (Ty::Map(_) | Ty::AtomicMap(_), Some(name)) => format!("map[string]{name}"),
        (_, Some(name)) => name.to_string(),
        (other, None) => go_type_name(other),
    }
}
