//! The types of a pod that decode themselves (`UnmarshalJSON`):
//! `metav1.Time` (apimachinery `meta/v1/time.go`), `intstr.IntOrString`
//! (apimachinery `util/intstr/intstr.go`) and `resource.Quantity`
//! (`api/resource/quantity.go`). `encoding/json` hands them the
//! raw text; `DefaultUnstructuredConverter` hands them `json.Marshal` of
//! the unstructured value (structured-merge-diff `reflectcache.go`
//! `FromUnstructured`). Their failures end decoding at once, unlike a plain
//! type mismatch, which `encoding/json` only saves. They know nothing of
//! where the value sits in a pod: [`crate::golang::unmarshal`] adds that.

use serde_json::Value;

use crate::golang::json_raw::json_kind;
use crate::golang::quantity::{self, Quantity};
use crate::golang::time::parse_rfc3339;

/// How a self-decoding value failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Its own error text (`parsing time …`).
    Text(String),
    /// A `*json.UnmarshalTypeError` from the inner `json.Unmarshal`: the
    /// JSON value's description (`number 0.5`, `bool`) and the Go type it
    /// did not fit. The outer decoder adds the struct field to it.
    Type { what: String, go_type: &'static str },
}

/// The JSON text Go hands to `UnmarshalJSON`: the sender's `literal` under
/// `encoding/json`, else `json.Marshal` of an unstructured value (an
/// `int64` or a `float64`).
fn number_text(n: &serde_json::Number, literal: Option<&str>) -> String {
    match (literal, n.as_i64()) {
        (Some(text), _) => text.to_string(),
        (None, Some(i)) => i.to_string(),
        (None, None) => crate::golang::json_encode::float64(n.as_f64().unwrap_or(0.0)),
    }
}

/// What `*json.UnmarshalTypeError` calls a JSON value (`number 1.5` names
/// the literal only where Go parsed it as a number for an integer).
fn described(value: &Value, text: &str) -> String {
    match value {
        Value::Number(_) => format!("number {text}"),
        other => json_kind(other).to_string(),
    }
}

/// `metav1.Time.UnmarshalJSON`: a string parsed as RFC 3339, kept as
/// `Format(time.RFC3339)` in UTC (`None`: the zero time, which encodes as
/// `null`). A string already in that form is kept as it is: a stored pod's
/// times all are, and each patch decodes them again.
pub fn time(value: Value) -> Result<Option<Value>, Refusal> {
    match value {
        Value::String(s) => match parse_rfc3339(&s) {
            Ok(_) if is_marshalled(&s) => Ok(Some(Value::String(s))),
            Ok(t) => Ok(t.marshal().map(Value::String)),
            Err(text) => Err(Refusal::Text(text)),
        },
        // `json.Unmarshal(b, &str)` names only the kind of a number.
        other => Err(Refusal::Type {
            what: json_kind(&other).to_string(),
            go_type: "string",
        }),
    }
}

/// Whether a time that parsed is written as `Format(time.RFC3339)` gives a
/// non-zero UTC time of whole seconds (`2006-01-02T15:04:05Z`): four
/// digits of year and no sign, fraction or offset.
fn is_marshalled(s: &str) -> bool {
    const SHAPE: &[u8; 20] = b"0000-00-00T00:00:00Z";
    s.len() == SHAPE.len()
        && s != "0001-01-01T00:00:00Z"
        && s.bytes().zip(SHAPE).all(|(b, shape)| {
            if *shape == b'0' {
                b.is_ascii_digit()
            } else {
                b == *shape
            }
        })
}

/// `resource.Quantity.UnmarshalJSON`: the text (a string's contents, or
/// the number as [`number_text`] gives it) trimmed and parsed, in the
/// state Go's parser leaves (the caller keeps its canonical text).
pub fn quantity(value: &Value, literal: Option<&str>) -> Result<Quantity, Refusal> {
    let text = match value {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => number_text(n, literal),
        // `true`, objects and arrays are never quantities.
        _ => return Err(Refusal::Text(quantity::FORMAT_WRONG.to_string())),
    };
    Quantity::parse(&text).ok_or_else(|| Refusal::Text(quantity::refusal(&text).to_string()))
}

/// `intstr.IntOrString.UnmarshalJSON`: a JSON string is the name form;
/// anything else goes through `json.Unmarshal` into an `int32`.
pub fn int_or_string(value: &Value, literal: Option<&str>) -> Result<Option<Value>, Refusal> {
    let refused = |text: &str| Refusal::Type {
        what: described(value, text),
        go_type: "int32",
    };
    match value {
        Value::String(_) => Ok(Some(value.clone())),
        Value::Number(n) => {
            let text = number_text(n, literal);
            match text.parse::<i64>().ok().map(i32::try_from) {
                Some(Ok(i)) => Ok(Some(Value::from(i))),
                _ => Err(refused(&text)),
            }
        }
        other => Err(refused(json_kind(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn int_or_string_reads_go_number_texts() {
        let what = |v: Value, lit: Option<&str>| match int_or_string(&v, lit) {
            Err(Refusal::Type { what, .. }) => what,
            other => panic!("{other:?}"),
        };
        assert_eq!(what(json!(0.5), None), "number 0.5");
        assert_eq!(what(json!(1.5e300), None), "number 1.5e+300");
        assert_eq!(what(json!(2147483648i64), None), "number 2147483648");
        assert_eq!(what(json!(100.0), Some("1E2")), "number 1E2");
        assert_eq!(what(json!(true), None), "bool");
        assert_eq!(int_or_string(&json!(100.0), None), Ok(Some(json!(100))));
        assert_eq!(int_or_string(&json!("web"), None), Ok(Some(json!("web"))));
    }

    #[test]
    fn times_keep_whole_utc_seconds() {
        assert_eq!(
            time(json!("2025-06-30T12:00:00.5+02:00")),
            Ok(Some(json!("2025-06-30T10:00:00Z")))
        );
        assert!(matches!(time(json!(5)), Err(Refusal::Type { what, .. }) if what == "number"));
    }

    /// A time kept as sent must be the one `marshal` would write.
    #[rstest::rstest]
    #[case("2025-06-30T10:00:00Z")]
    #[case("0000-01-01T00:00:00Z")]
    #[case("0001-01-01T00:00:00Z")]
    #[case("0001-01-01T00:00:01Z")]
    #[case("2024-02-29T23:59:59Z")]
    #[case("9999-12-31T23:59:59Z")]
    fn times_kept_as_sent_are_marshalled(#[case] text: &str) {
        let marshalled = parse_rfc3339(text).expect("parses").marshal();
        assert_eq!(time(json!(text)), Ok(marshalled.map(Value::String)));
        assert_eq!(is_marshalled(text), text != "0001-01-01T00:00:00Z");
    }

    #[rstest::rstest]
    #[case("2025-06-30T10:00:00+00:00", "2025-06-30T10:00:00Z")]
    #[case("2025-06-30T10:00:00.000Z", "2025-06-30T10:00:00Z")]
    fn other_forms_are_rewritten(#[case] text: &str, #[case] expected: &str) {
        assert_eq!(time(json!(text)), Ok(Some(json!(expected))));
    }

    #[test]
    fn a_bad_time_in_the_kept_shape_is_refused() {
        assert!(matches!(
            time(json!("2025-02-30T10:00:00Z")),
            Err(Refusal::Text(_))
        ));
        assert!(matches!(
            time(json!("2025-06-30T24:00:00Z")),
            Err(Refusal::Text(_))
        ));
    }
}
