//! Go's `fmt` and `strconv` texts of decoded JSON values (`%q`, `%v`,
//! `%s`, `%#v`, `%T`), which the real server's error messages embed.
//! Only text: nothing here decides whether a value is valid.

use std::fmt::Write as _;

use serde_json::Value;

/// Go's `strconv.IsPrint` for the runes it rejects besides controls: space
/// separators other than ' ' (U+00A0 included), line and paragraph
/// separators, format characters (Cf) and private-use code points.
/// Unassigned code points, also unprintable in Go, are not modelled.
pub fn go_is_print(c: char) -> bool {
    const UNPRINTABLE: &[(u32, u32)] = &[
        (0x00a0, 0x00a0),
        (0x00ad, 0x00ad),
        (0x0600, 0x0605),
        (0x061c, 0x061c),
        (0x06dd, 0x06dd),
        (0x070f, 0x070f),
        (0x0890, 0x0891),
        (0x08e2, 0x08e2),
        (0x1680, 0x1680),
        (0x180e, 0x180e),
        (0x2000, 0x200f),
        (0x2028, 0x202f),
        (0x205f, 0x2064),
        (0x2066, 0x206f),
        (0x3000, 0x3000),
        (0xe000, 0xf8ff),
        (0xfeff, 0xfeff),
        (0xfff9, 0xfffb),
        (0x110bd, 0x110bd),
        (0x110cd, 0x110cd),
        (0x13430, 0x1343f),
        (0x1bca0, 0x1bca3),
        (0x1d173, 0x1d17a),
        (0xe0001, 0xe0001),
        (0xe0020, 0xe007f),
        (0xf0000, 0x10ffff),
    ];
    let n = c as u32;
    !c.is_control() && !UNPRINTABLE.iter().any(|&(lo, hi)| (lo..=hi).contains(&n))
}

/// Go's `strconv.Quote` (`%q`) for the characters pod fields realistically hold.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if !go_is_print(c) => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%v` of a `float64` (`strconv.FormatFloat(f, 'g', -1, 64)`): the
/// shortest digits, in exponent form (`1e+21`, `1.5e-05`) when the decimal
/// exponent is below -4 or at least 6 (the `%g` cut-off Go uses for
/// shortest formatting), plain (`1000`, `0.25`) otherwise.
pub fn go_float(f: f64) -> String {
    let sci = format!("{f:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let Ok(exp) = exp.parse::<i32>() else {
        return sci;
    };
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    let plain = format!("{f}");
    plain
        .strip_suffix(".0")
        .map_or(plain.clone(), str::to_string)
}

/// Go's `fmt` `%v` rendering of a decoded JSON value, used in error texts.
pub fn go_fmt(value: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, value);
    out
}

/// Each `write_*` appends to one buffer: a value nested thousands deep (the
/// decoding cases) printed level by level into strings of its own was
/// quadratic.
fn write_v(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&go_number(n)),
        Value::String(s) => out.push_str(s),
        composite => write_composite(out, composite, write_v),
    }
}

/// A number as apimachinery's JSON decoding leaves it in a map (`int64`
/// when the text parses as one, else `float64`), printed by `%v`.
fn go_number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => i.to_string(),
        (None, Some(f)) => go_float(f),
        (None, None) => n.to_string(),
    }
}

/// Go's `%s` of a decoded JSON value: strings bare, other scalars as
/// `%!s(type=value)` (integers decode as int64).
pub fn go_fmt_s(value: &Value) -> String {
    let mut out = String::new();
    write_s(&mut out, value);
    out
}

fn write_s(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Null => out.push_str("%!s(<nil>)"),
        Value::Bool(b) => {
            let _ = write!(out, "%!s(bool={b})");
        }
        Value::Number(n) if n.as_i64().is_none() => {
            let _ = write!(out, "%!s(float64={})", go_number(n));
        }
        Value::Number(n) => {
            let _ = write!(out, "%!s(int64={n})");
        }
        composite => write_composite(out, composite, write_s),
    }
}

/// A slice (`[a b]`) or map (`map[k:v]`, keys sorted) as `%v` and `%s`
/// print it, each element with `verb`; a scalar with `verb` itself.
fn write_composite(out: &mut String, value: &Value, verb: fn(&mut String, &Value)) {
    match value {
        Value::Array(items) => {
            out.push('[');
            write_joined(out, items, " ", verb);
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            write_joined(out, map, " ", |out, (k, v)| {
                out.push_str(k);
                out.push(':');
                verb(out, v);
            });
            out.push(']');
        }
        scalar => verb(out, scalar),
    }
}

/// Go `%#v` of a decoded YAML/JSON value inside an `interface{}`.
pub fn go_sharp_v(value: &Value) -> String {
    let mut out = String::new();
    write_sharp_v(&mut out, value);
    out
}

fn write_sharp_v(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_f64() => {
            out.push_str(&n.as_f64().map_or_else(|| n.to_string(), go_float));
        }
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => out.push_str(&go_quote(s)),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            write_joined(out, items, ", ", write_sharp_v);
            out.push('}');
        }
        Value::Object(map) => {
            out.push_str("map[string]interface {}{");
            write_joined(out, map, ", ", |out, (k, v)| {
                out.push_str(&go_quote(k));
                out.push(':');
                write_sharp_v(out, v);
            });
            out.push('}');
        }
    }
}

/// Writes each of `items` with `each`, `separator` between them, as Go's
/// printers lay out the elements of a slice, map or struct.
pub fn write_joined<T>(
    out: &mut String,
    items: impl IntoIterator<Item = T>,
    separator: &str,
    mut each: impl FnMut(&mut String, T),
) {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        each(out, item);
    }
}

/// Go's `%T` of a decoded JSON value.
pub fn go_type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(1000.0, "1000")]
    #[case(9.0, "9")]
    #[case(1.5, "1.5")]
    #[case(0.1, "0.1")]
    #[case(1e21, "1e+21")]
    #[case(1e6, "1e+06")]
    #[case(1_234_567.0, "1.234567e+06")]
    #[case(0.000_015, "1.5e-05")]
    #[case(0.0001, "0.0001")]
    fn floats_print_like_go(#[case] f: f64, #[case] want: &str) {
        assert_eq!(go_float(f), want);
    }

    #[rstest]
    #[case("a\u{a0}b", "\"a\\u00a0b\"")]
    #[case("a\u{200b}", "\"a\\u200b\"")]
    #[case("\u{feff}x", "\"\\ufeffx\"")]
    #[case("e\u{301} é 😀", "\"e\u{301} é 😀\"")]
    fn quotes_like_strconv(#[case] s: &str, #[case] want: &str) {
        assert_eq!(go_quote(s), want);
    }

    #[rstest]
    #[case("nginx\u{a0}", r#""nginx\u00a0""#)]
    #[case("a\u{200b}b", r#""a\u200bb""#)]
    #[case("\u{feff}k", r#""\ufeffk""#)]
    #[case("x\u{3000}", r#""x\u3000""#)]
    #[case("k\u{f0000}", r#""k\U000f0000""#)]
    #[case("ключ é ✓", r#""ключ é ✓""#)]
    fn quote_escapes_what_go_cannot_print(#[case] raw: &str, #[case] quoted: &str) {
        assert_eq!(go_quote(raw), quoted);
    }

    #[rstest]
    #[case("1000", "1000")]
    #[case("1e3", "1000")]
    #[case("1.0", "1")]
    #[case("1.5", "1.5")]
    #[case("-2.25", "-2.25")]
    #[case("123456.0", "123456")]
    #[case("1234567.0", "1.234567e+06")]
    #[case("123456789.5", "1.234567895e+08")]
    #[case("1e21", "1e+21")]
    #[case("0.0001", "0.0001")]
    #[case("0.00001", "1e-05")]
    #[case("-0.000012", "-1.2e-05")]
    #[case("9223372036854775808", "9.223372036854776e+18")]
    #[case("123456789012345678901234567890", "1.2345678901234568e+29")]
    fn numbers_print_as_go_prints_decoded_json(#[case] text: &str, #[case] go: &str) {
        let value: Value = serde_json::from_str(text).expect("a number");
        assert_eq!(go_fmt(&value), go);
    }
}
