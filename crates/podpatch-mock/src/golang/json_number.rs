//! Numbers as Go keeps them: the sender's literal texts that
//! `json.RawMessage` (evanphx/json-patch) carries through unchanged where
//! serde_json would reprint them (`1E2`, `-0`, `1.50`), and the `int64` or
//! `float64` an `interface{}` ends up holding after apimachinery's JSON
//! decoding (`k8s.io/apimachinery/pkg/util/json`'s `convertNumber`).
//! It must not parse bodies or decide validity.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::golang::json_raw::raw_members;

/// Number literals by JSON pointer, where Go keeps the sender's text.
pub type Literals = BTreeMap<String, String>;

/// Collects, under `pointer`, the number literals of the JSON text `raw`
/// that serde_json would print differently (`1E2`, `1.50`, `-0`, integers
/// past 64 bits). evanphx/json-patch keeps values it never decodes as
/// `json.RawMessage`, so Go prints these as sent, in the patched document
/// and in `cannot unmarshal number …` errors.
pub fn number_literals(raw: &str, pointer: &str, out: &mut Literals) {
    let text = raw.trim();
    if text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        let printed = serde_json::from_str::<Value>(text).map(|v| v.to_string());
        if printed.ok().as_deref() != Some(text) {
            out.insert(pointer.to_string(), text.to_string());
        }
        return;
    }
    for (step, member) in raw_members(text) {
        number_literals(member.get(), &format!("{pointer}/{}", step.token()), out);
    }
}

/// Calls `f` on every number inside `value`.
pub(crate) fn each_number(value: &mut Value, f: &impl Fn(&mut serde_json::Number)) {
    match value {
        Value::Number(n) => f(n),
        Value::Array(items) => items.iter_mut().for_each(|v| each_number(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| each_number(v, f)),
        _ => {}
    }
}

/// Numbers as apimachinery's JSON decoding leaves them in an `interface{}`:
/// an `int64` when the text parses as one, else a `float64`, so integers
/// past `int64` (which go-yaml reads as `uint64`) turn into floats.
pub fn int64_or_float(value: &mut Value) {
    each_number(value, &|n| {
        if n.as_i64().is_none()
            && n.is_u64()
            && let Some(f) = n.as_f64().and_then(serde_json::Number::from_f64)
        {
            *n = f;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn number_literals_keep_only_texts_serde_would_change() {
        let mut out = Literals::new();
        let body =
            r#"{"a/b":{"x":1E2,"y":1.5,"z":[-0,7,1.50]},"n":99999999999999999999,"n":3,"s":"1e2"}"#;
        number_literals(body, "", &mut out);
        let expected: Literals = [
            ("/a~1b/x", "1E2"),
            ("/a~1b/z/0", "-0"),
            ("/a~1b/z/2", "1.50"),
        ]
        .into_iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
        assert_eq!(out, expected);
    }

    #[rstest]
    #[case(serde_json::json!(30.5), serde_json::json!(30.5))]
    #[case(serde_json::json!(9007199254740993_i64), serde_json::json!(9007199254740993_i64))]
    #[case(serde_json::json!(9223372036854775808_u64), serde_json::json!(9223372036854775808.0))]
    fn integers_past_int64_become_floats(
        #[case] mut value: serde_json::Value,
        #[case] want: serde_json::Value,
    ) {
        int64_or_float(&mut value);
        assert_eq!(value, want);
    }
}
