//! Snapshot text: a normalised value rendered as YAML, byte for byte what
//! `serde_yaml_ng::to_string` writes (libyaml's emitter, block style, sorted
//! keys), without libyaml for the shapes snapshots are made of.
//!
//! serde_yaml_ng drives a port of libyaml one event at a time; for the few
//! hundred lines of a snapshot that was a sixth of a run's instructions. Here
//! the layout is written directly and each scalar is written only when its
//! rendering is known: plain or single-quoted printable ASCII without a line
//! break, integers, booleans and null. Any other scalar is rendered by
//! serde_yaml_ng alone (a scalar without a line break renders the same
//! wherever it stands), and a document with a line break in a scalar or a key
//! too long for a simple key is rendered by serde_yaml_ng whole. It must not
//! change what a snapshot says: the tests compare it with serde_yaml_ng on
//! every shipped snapshot and on generated values.

use std::fmt::Write as _;

use serde_json::{Map, Value};

/// Renders `value` as serde_yaml_ng would.
pub fn to_string(value: &Value) -> Result<String, serde_yaml_ng::Error> {
    let mut out = String::with_capacity(4096);
    let written = match value {
        Value::Object(map) if !map.is_empty() => block_map(&mut out, sorted(map), 0, false),
        Value::Array(items) if !items.is_empty() => block_seq(&mut out, items, 0, false),
        _ => Err(Whole),
    };
    match written {
        Ok(()) => Ok(out),
        Err(Whole) => serde_yaml_ng::to_string(value),
    }
}

/// A mapping of strings in the order given, as serde_yaml_ng writes a struct
/// of string fields (a snapshot's header); none when serde_yaml_ng must write it.
pub fn fields(fields: &[(&str, &str)]) -> Option<String> {
    let values: Vec<Value> = fields.iter().map(|(_, v)| Value::from(*v)).collect();
    let entries = fields.iter().map(|(k, _)| *k).zip(&values);
    let mut out = String::new();
    block_map(&mut out, entries, 0, false).ok()?;
    Some(out)
}

/// The document holds something whose rendering depends on where it stands
/// (a line break in a scalar, a key too long to be a simple key): it is left
/// to serde_yaml_ng whole.
struct Whole;

/// libyaml writes a longer key as a complex key (`? key`).
const SIMPLE_KEY_MAX: usize = 128;

/// A block mapping at `indent`; `inline` when its first key follows a
/// sequence's `- ` on the same line.
fn block_map<'v>(
    out: &mut String,
    entries: impl IntoIterator<Item = (&'v str, &'v Value)>,
    indent: usize,
    inline: bool,
) -> Result<(), Whole> {
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        if key.len() > SIMPLE_KEY_MAX {
            return Err(Whole);
        }
        string(out, key, None)?;
        out.push(':');
        match value {
            Value::Object(map) if !map.is_empty() => {
                out.push('\n');
                block_map(out, sorted(map), indent + 2, false)?;
            }
            // A sequence in a mapping is not indented (libyaml's "indentless").
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                block_seq(out, items, indent, false)?;
            }
            _ => {
                out.push(' ');
                scalar(out, value, indent + 2)?;
            }
        }
    }
    Ok(())
}

/// A block sequence at `indent`; `inline` as for [`block_map`].
fn block_seq(out: &mut String, items: &[Value], indent: usize, inline: bool) -> Result<(), Whole> {
    for (i, item) in items.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => block_map(out, sorted(map), indent + 2, true)?,
            Value::Array(items) if !items.is_empty() => block_seq(out, items, indent + 2, true)?,
            _ => scalar(out, item, indent + 2)?,
        }
    }
    Ok(())
}

fn sorted(map: &Map<String, Value>) -> impl Iterator<Item = (&str, &Value)> {
    map.iter().map(|(k, v)| (k.as_str(), v))
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A scalar or an empty collection (written in flow style, `{}` and `[]`) and
/// the end of its line; a block scalar's lines are indented by `indent`.
fn scalar(out: &mut String, value: &Value, indent: usize) -> Result<(), Whole> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => write!(out, "{u}").expect("writing to a String"),
            (_, Some(i)) => write!(out, "{i}").expect("writing to a String"),
            _ => alone(out, value)?,
        },
        Value::String(s) => string(out, s, Some(indent))?,
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
    // A block scalar that ends in a line break has ended its line.
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(())
}

/// A string, plain where libyaml writes it plain, else single-quoted, or a
/// literal block (`|`) indented by `block` (none for a key, which cannot be
/// one); any other string rendered by serde_yaml_ng alone.
fn string(out: &mut String, s: &str, block: Option<usize>) -> Result<(), Whole> {
    let printable = |b: u8| (b' '..=b'~').contains(&b);
    if !s.bytes().all(printable) {
        // libyaml's line breaks: a scalar holding one is laid out by indentation.
        if s.contains(['\r', '\u{85}', '\u{2028}', '\u{2029}']) {
            return Err(Whole);
        }
        if s.contains('\n') {
            let Some(indent) = block else {
                return Err(Whole);
            };
            // serde_yaml_ng asks for a literal block; libyaml writes one
            // unless the text has a space before a line break or at its end,
            // or a character it must escape (then double-quoted, on one line).
            let literal = s.bytes().all(|b| b == b'\n' || printable(b))
                && !s.ends_with(' ')
                && !s.contains(" \n");
            if literal {
                literal_block(out, s, indent);
                return Ok(());
            }
        }
        return alone(out, &Value::String(s.to_owned()));
    }
    match (resolves_as_string(s), plain_allowed(s)) {
        (None, _) => alone(out, &Value::String(s.to_owned()))?,
        (Some(true), true) => out.push_str(s),
        (Some(_), _) => {
            out.push('\'');
            for (i, part) in s.split('\'').enumerate() {
                if i > 0 {
                    out.push_str("''");
                }
                out.push_str(part);
            }
            out.push('\'');
        }
    }
    Ok(())
}

/// libyaml's literal block scalar: `|`, an indentation indicator when the
/// text starts with a space or a line break, a chomping indicator (`-` when
/// it does not end in a line break, `+` when it ends in more than one, or is
/// one), then each line indented (empty lines left empty).
fn literal_block(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        out.push('2');
    }
    if !s.ends_with('\n') {
        out.push('-');
    } else if s == "\n" || s.ends_with("\n\n") {
        out.push('+');
    }
    out.push('\n');
    let body = s.strip_suffix('\n').unwrap_or(s);
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// Whether serde_yaml_ng leaves the style of printable ASCII `s` to libyaml
/// (`Some(true)`: nothing would read it back as a null, bool or number) or
/// quotes it (`Some(false)`); `None` where telling would mean repeating its
/// number parsing (strings that start with a sign, `~`, or a digit and hold
/// only what a number may hold but digits alone), and then serde_yaml_ng
/// renders it.
fn resolves_as_string(s: &str) -> Option<bool> {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return Some(false);
    };
    match first {
        b'a'..=b'z' | b'A'..=b'Z' => Some(!matches!(
            s,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        )),
        // `.5`, `.inf`, `.nan` and their spellings are numbers.
        b'.' => match bytes.get(1) {
            Some(b'0'..=b'9' | b'i' | b'I' | b'n' | b'N') => None,
            _ => Some(true),
        },
        // Decimal digits are an integer, a string with a leading zero (quoted
        // too), or a float: quoted, unless too long for a finite `f64`.
        b'0'..=b'9' if bytes.len() <= 300 && bytes.iter().all(u8::is_ascii_digit) => Some(false),
        b'0'..=b'9' => {
            let numeric = |b: &u8| b.is_ascii_hexdigit() || b"xob.+-".contains(b);
            if bytes.iter().all(numeric) {
                None
            } else {
                Some(true)
            }
        }
        b'+' | b'-' | b'~' => None,
        _ => Some(true),
    }
}

/// libyaml's analysis of a non-empty printable ASCII scalar without a line
/// break, in block context: whether it may be written plain.
fn plain_allowed(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if first == b' ' || last == b' ' || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let followed_by_space = |i: usize| bytes.get(i + 1).is_none_or(|&b| b == b' ');
    if b"#,[]{}&*!|>'\"%@`".contains(&first)
        || (matches!(first, b'?' | b':' | b'-') && followed_by_space(0))
    {
        return false;
    }
    !bytes
        .iter()
        .enumerate()
        .skip(1)
        .any(|(i, &b)| (b == b':' && followed_by_space(i)) || (b == b'#' && bytes[i - 1] == b' '))
}

/// A scalar as serde_yaml_ng renders it as a document of its own, which is
/// how it renders anywhere when it spans one line.
fn alone(out: &mut String, value: &Value) -> Result<(), Whole> {
    let text = serde_yaml_ng::to_string(value).map_err(|_| Whole)?;
    match text.strip_suffix('\n') {
        Some(line) if !line.contains('\n') => {
            out.push_str(line);
            Ok(())
        }
        _ => Err(Whole),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// What this renderer writes, and whether it wrote it without serde_yaml_ng
    /// rendering the whole document.
    fn rendered(value: &Value) -> (String, bool) {
        let mut out = String::new();
        let fast = match value {
            Value::Object(map) if !map.is_empty() => {
                block_map(&mut out, sorted(map), 0, false).is_ok()
            }
            Value::Array(items) if !items.is_empty() => {
                block_seq(&mut out, items, 0, false).is_ok()
            }
            _ => false,
        };
        (to_string(value).unwrap(), fast)
    }

    fn assert_same(value: &Value) {
        let expected = serde_yaml_ng::to_string(value).unwrap();
        assert_eq!(rendered(value).0, expected, "{value:?}");
    }

    #[test]
    fn lays_out_blocks_as_libyaml() {
        let value = json!({
            "a": [[1, [2, 3]], {"b": {"c": []}, "d": {}}, [], {}],
            "e": {"f": [{"g": null}], "h": true},
            "": "",
        });
        assert_same(&value);
        let (text, fast) = rendered(&value);
        assert!(fast);
        assert_eq!(
            text,
            "'': ''\na:\n- - 1\n  - - 2\n    - 3\n- b:\n    c: []\n  d: {}\n- []\n- {}\ne:\n  f:\n  - g: null\n  h: true\n"
        );
    }

    #[test]
    fn quotes_as_serde_yaml_ng() {
        for s in [
            "plain",
            "with space",
            "[uid-1]",
            "f:metadata",
            "k:{\"name\":\"web\"}",
            ".",
            "..",
            "...x",
            "---",
            "-x",
            "- x",
            "a: b",
            "a:",
            "a:b",
            "a #b",
            "a#b",
            "#a",
            ":a",
            ": a",
            "?a",
            "? a",
            "'",
            "it's",
            " lead",
            "trail ",
            "null",
            "Null",
            "nULL",
            "true",
            "FALSE",
            "~",
            "0",
            "007",
            "0x1f",
            "0o17",
            "0b11",
            "1e5",
            "1.5",
            "1.",
            ".5",
            ".inf",
            ".NaN",
            "inf",
            "nan",
            "infinity",
            "100m",
            "1Gi",
            "+1",
            "-1",
            "-",
            "+",
            "1_000",
            "a\tb",
            "12",
            "0123",
            &"9".repeat(300),
            &"9".repeat(320),
            "é",
            "tab\t",
            "\u{7f}",
            "x\u{0}",
            "%x",
            "@x",
            "`x",
            "|",
            ">",
            "!x",
            "&x",
            "*x",
        ] {
            assert_same(&json!({ s: s, "list": [s] }));
        }
    }

    #[test]
    fn leaves_line_breaks_and_long_keys_to_serde_yaml_ng() {
        let long = "k".repeat(SIMPLE_KEY_MAX + 1);
        for value in [
            json!({"a": "one\ntwo", "b": ["x\n\n", "\n", " x\ny\n", "x \ny", "x\ny ", "\ty\nz"]}),
            json!([["a\n\nb"], {"c": ["\n\nd"]}]),
            json!({"a": ["x\r"]}),
            json!({"a\nb": 1}),
            json!({"a": "x\u{2028}y"}),
            json!({ long: 1 }),
            json!("root"),
            json!({}),
            json!({"n": 1.5, "m": -3, "u": u64::MAX}),
        ] {
            assert_same(&value);
        }
    }

    /// Every shipped snapshot's value renders as serde_yaml_ng renders it, and
    /// almost every one without it.
    #[test]
    fn renders_every_shipped_snapshot_as_serde_yaml_ng() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
        let (mut all, mut fast) = (0, 0);
        for entry in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "snap") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            let body = text.splitn(3, "---\n").nth(2).unwrap();
            let value: Value = serde_yaml_ng::from_str(body).unwrap();
            let (rendered, whole) = rendered(&value);
            assert_eq!(
                rendered,
                serde_yaml_ng::to_string(&value).unwrap(),
                "{}",
                path.display()
            );
            all += 1;
            fast += usize::from(whole);
        }
        assert!(all > 1000, "{all} snapshots");
        assert!(
            fast * 10 > all * 9,
            "{fast} of {all} rendered without serde_yaml_ng"
        );
    }

    /// Strings made of what changes a YAML scalar's style.
    fn text() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "a",
            "Z",
            "k",
            "0",
            "1",
            "9",
            "f",
            "e",
            "E",
            "x",
            "o",
            "b",
            "i",
            "n",
            "N",
            "_",
            ".",
            "-",
            "+",
            "~",
            ":",
            " ",
            "#",
            "'",
            "\"",
            "[",
            "]",
            "{",
            "}",
            ",",
            "?",
            "!",
            "&",
            "*",
            "|",
            ">",
            "%",
            "@",
            "`",
            "/",
            "\t",
            "\n",
            "\r",
            "é",
            "\u{85}",
            "\u{2028}",
            "\u{7f}",
            "\u{0}",
            "null",
            "true",
            "False",
            "0x1F",
            "0o17",
            "0b101",
            ".inf",
            ".NaN",
            "---",
            "...",
            "1e5",
            "0.5",
            "0000000000",
            "99999999999999999999",
        ]);
        prop_oneof![
            prop::collection::vec(pieces, 0..7).prop_map(|p| p.concat()),
            (1..3usize).prop_map(|n| "k".repeat(SIMPLE_KEY_MAX * n - 1)),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f)
                .map(Value::Number)),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((text(), inner), 0..6)
                    .prop_map(|entries| Value::Object(entries.into_iter().collect())),
            ]
        })
    }

    #[derive(serde::Serialize)]
    struct Header<'a> {
        source: &'a str,
        description: &'a str,
        input_file: &'a str,
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn renders_generated_values_as_serde_yaml_ng(value in value()) {
            prop_assert_eq!(rendered(&value).0, serde_yaml_ng::to_string(&value).unwrap());
        }

        /// Fields in their order render as serde_yaml_ng renders a struct.
        #[test]
        fn renders_generated_fields_as_a_struct(source in text(), description in text(), input_file in text()) {
            let header = Header { source: &source, description: &description, input_file: &input_file };
            let named = [("source", source.as_str()), ("description", &description), ("input_file", &input_file)];
            if let Some(text) = fields(&named) {
                prop_assert_eq!(text, serde_yaml_ng::to_string(&header).unwrap());
            }
        }
    }
}
