//! Serialises JSON values the way kube-apiserver's Go `encoding/json` does:
//! struct fields in declaration order (taken from [`crate::schema`]), map keys
//! sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped, and either compact output
//! followed by a newline or 2-space indented output without one. Numbers
//! print as decoded, or all as `float64` for an `unstructured` object.
//!
//! It only writes bytes; it must not change values (dropping empty fields is
//! the decoder's job, see [`crate::golang::unmarshal`]).

use std::fmt::Write as _;

use serde_json::{Number, Value};

use crate::schema::Ty;

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Compact JSON plus `"\n"` (`json.Encoder.Encode`).
    Compact,
    /// 2-space indentation, no trailing newline (`json.MarshalIndent`).
    Pretty,
}

/// Serialises `value`, ordering keys as the Go type `ty` would.
pub fn to_bytes(value: &Value, ty: &'static Ty, layout: Layout) -> Vec<u8> {
    // A pod is a few KiB: grown from less, the buffer is copied many times.
    let mut out = String::with_capacity(4096);
    write_value(&mut out, value, ty, layout, 0, as_decoded);
    if layout == Layout::Compact {
        out.push('\n');
    }
    out.into_bytes()
}

/// Compact JSON without `Encode`'s newline: a marshalled value as Go's
/// error texts embed it.
pub fn compact_string(value: &Value, ty: &'static Ty) -> String {
    let mut out = String::new();
    write_value(&mut out, value, ty, Layout::Compact, 0, as_decoded);
    out
}

/// Writes a number as it was decoded.
fn as_decoded(out: &mut String, n: &Number) {
    // Writing into a String cannot fail.
    let _ = write!(out, "{n}");
}

fn newline(out: &mut String, layout: Layout, depth: usize) {
    if layout == Layout::Pretty {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
}

/// `json.Encoder.Encode` of an `unstructured` object (YAML or JSON decoded
/// into a `map[string]interface{}`): keys sorted, every number a
/// `float64`.
pub fn unstructured_line(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, &Ty::Any, Layout::Compact, 0, |out, n| {
        out.push_str(&float64(n.as_f64().unwrap_or(0.0)));
    });
    out.push('\n');
    out
}

/// `encoding/json`'s float64 encoding: the shortest digits, plain between
/// 1e-6 and 1e21, otherwise exponent form with `e-7`, not `e-07`.
pub fn float64(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let sci = format!("{f:e}");
        if let Some((mantissa, exp)) = sci.split_once('e')
            && let Ok(exp) = exp.parse::<i32>()
        {
            return if exp < 0 {
                format!("{mantissa}e-{}", exp.unsigned_abs())
            } else {
                format!("{mantissa}e+{exp:02}")
            };
        }
        return sci;
    }
    format!("{f}")
}

/// Writes `value`; `number` prints each number.
fn write_value(
    out: &mut String,
    value: &Value,
    ty: &'static Ty,
    layout: Layout,
    depth: usize,
    number: fn(&mut String, &Number),
) {
    let ty = ty.resolved();
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            if items.is_empty() {
                out.push_str("[]");
                return;
            }
            let item_ty = match ty {
                Ty::List(list) => &list.item,
                _ => &Ty::Any,
            };
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, layout, depth + 1);
                write_value(out, item, item_ty, layout, depth + 1, number);
            }
            newline(out, layout, depth);
            out.push(']');
        }
        Value::Object(map) => {
            if map.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push('{');
            let mut first = true;
            // A schema field's name needs no escaping (`schema::types::plain`).
            let mut entry =
                |out: &mut String, key: &str, plain: bool, v: &Value, member: &'static Ty| {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    newline(out, layout, depth + 1);
                    if plain {
                        out.push('"');
                        out.push_str(key);
                        out.push('"');
                    } else {
                        write_str(out, key);
                    }
                    out.push(':');
                    if layout == Layout::Pretty {
                        out.push(' ');
                    }
                    write_value(out, v, member, layout, depth + 1, number);
                };
            if let Ty::Struct(st) = ty {
                // Declared fields first, in Go declaration order; anything
                // undeclared (only reachable for hand-built values) sorted
                // after. Each member's place is looked up once: a struct
                // declares many more fields than a value sets.
                let mut declared: Vec<(usize, &Value)> = Vec::with_capacity(map.len());
                let mut undeclared = false;
                for (key, v) in map {
                    match st.fields.iter().position(|f| f.name == key.as_str()) {
                        Some(at) => {
                            declared.push((at, v));
                            undeclared |= !st.in_version(&st.fields[at]);
                        }
                        None => undeclared = true,
                    }
                }
                declared.sort_unstable_by_key(|&(at, _)| at);
                for (at, v) in declared {
                    let field = &st.fields[at];
                    entry(out, field.name, true, v, &field.ty);
                }
                if undeclared {
                    for (key, v) in map {
                        if st.field(key).is_none() {
                            entry(out, key, false, v, &Ty::Any);
                        }
                    }
                }
            } else {
                let member = match ty {
                    Ty::Map(value_ty) | Ty::AtomicMap(value_ty) => value_ty,
                    _ => &Ty::Any,
                };
                for (key, v) in map {
                    entry(out, key, false, v, member);
                }
            }
            newline(out, layout, depth);
            out.push('}');
        }
    }
}

/// The bytes that are escaped or may start an escaped character (0xE2:
/// U+2028 and U+2029).
static MAY_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'&' as usize] = true;
    table[0xe2] = true;
    table
};

/// Writes a JSON string literal with Go's HTML-safe escaping. Runs of
/// characters that need none are copied whole.
fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if !MAY_ESCAPE[usize::from(b)] {
            i += 1;
            continue;
        }
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9 in UTF-8.
        let separator = b == 0xe2
            && bytes.get(i + 1) == Some(&0x80)
            && matches!(bytes.get(i + 2), Some(0xa8 | 0xa9));
        if b == 0xe2 && !separator {
            i += 1;
            continue;
        }
        out.push_str(&s[run..i]);
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            0xe2 if bytes[i + 2] == 0xa8 => out.push_str("\\u2028"),
            0xe2 => out.push_str("\\u2029"),
            _ => {
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        i += if separator { 3 } else { 1 };
        run = i;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::STATUS_TY;
    use rstest::rstest;
    use serde_json::json;

    /// Nested Pod structs come out in Go declaration order, not sorted.
    #[rstest]
    #[case::weighted_affinity_term(
        json!({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"podAffinityTerm": {"topologyKey": "zone", "labelSelector": {"matchLabels": {"a": "b"}}}, "weight": 1}]}}),
        r#"{"podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":1,"podAffinityTerm":{"labelSelector":{"matchLabels":{"a":"b"}},"topologyKey":"zone"}}]}}"#
    )]
    #[case::node_selector_requirement(
        json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"values": ["x"], "operator": "In", "key": "k"}]}]}}}),
        r#"{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"k","operator":"In","values":["x"]}]}]}}}"#
    )]
    fn affinity_in_go_field_order(#[case] affinity: Value, #[case] want: &str) {
        let pod = json!({"spec": {"affinity": affinity}});
        let ty = crate::schema::POD_TY
            .member("spec")
            .and_then(|s| s.member("affinity"));
        let ty = ty.expect("affinity is modelled");
        let bytes = to_bytes(&pod["spec"]["affinity"], ty, Layout::Compact);
        assert_eq!(String::from_utf8_lossy(&bytes).trim_end(), want);
    }

    #[test]
    fn spread_constraint_in_go_field_order() {
        let c = json!({"labelSelector": {}, "whenUnsatisfiable": "DoNotSchedule", "topologyKey": "zone", "maxSkew": 1});
        let spec = crate::schema::POD_TY.member("spec").expect("spec");
        let list = spec
            .member("topologySpreadConstraints")
            .and_then(|t| t.as_list());
        let item = &list.expect("a list").item;
        let bytes = to_bytes(&c, item, Layout::Compact);
        assert_eq!(
            String::from_utf8_lossy(&bytes).trim_end(),
            r#"{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule","labelSelector":{}}"#
        );
    }

    #[rstest]
    #[case(json!("a<b>&c"), "\"a\\u003cb\\u003e\\u0026c\"\n")]
    #[case(json!("\u{1}\n\u{8}"), "\"\\u0001\\n\\b\"\n")]
    #[case(json!("é\u{2028}x\u{2029}\u{2027}\"\\"), "\"é\\u2028x\\u2029\u{2027}\\\"\\\\\"\n")]
    #[case(json!({"b": 1, "a": [true, null]}), "{\"a\":[true,null],\"b\":1}\n")]
    fn compact_any(#[case] value: Value, #[case] expected: &str) {
        let bytes = to_bytes(&value, &Ty::Any, Layout::Compact);
        assert_eq!(String::from_utf8_lossy(&bytes), expected);
    }

    #[test]
    fn status_fields_in_struct_order_pretty() {
        let value = json!({"code": 404, "kind": "Status", "apiVersion": "v1", "metadata": {}, "details": {}});
        let bytes = to_bytes(&value, &STATUS_TY, Layout::Pretty);
        assert_eq!(
            String::from_utf8_lossy(&bytes),
            "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"details\": {},\n  \"code\": 404\n}"
        );
    }

    #[rstest]
    #[case(1000.0, "1000")]
    #[case(0.5, "0.5")]
    #[case(1e21, "1e+21")]
    #[case(1e-7, "1e-7")]
    #[case(1.5e-10, "1.5e-10")]
    #[case(123456789.0, "123456789")]
    fn floats_encode_as_go_json(#[case] f: f64, #[case] text: &str) {
        assert_eq!(float64(f), text);
    }
}
