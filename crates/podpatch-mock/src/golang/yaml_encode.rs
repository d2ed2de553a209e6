//! YAML output as kube-apiserver writes it for `Accept: application/yaml`:
//! the JSON document re-emitted by go-yaml v2 (`sigs.k8s.io/yaml`), so keys
//! are sorted in go-yaml's "natural" order, sequences sit at their parent's
//! indentation, strings that would read as another type are double-quoted,
//! strings a plain scalar cannot hold are single-quoted, long plain and
//! single-quoted scalars fold at 80 columns, and multi-line strings use the
//! literal block style.
//!
//! Emission only; it must not change values.

use std::cmp::Ordering;

use serde_json::Value;

const BEST_WIDTH: usize = 80;

/// Serialises `value` as go-yaml v2 would, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, value, 0),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, value, 0),
        scalar => {
            let mut col = 0;
            write_scalar(&mut out, scalar, 2, &mut col);
            out.push('\n');
        }
    }
    out
}

/// go-yaml v2's `keyList.Less` for string keys: runs of digits compare as
/// numbers, non-letters sort before letters.
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let digits = |s: &[char]| {
            let mut j = i;
            let mut n: i64 = 0;
            while j < s.len() && s[j].is_ascii_digit() {
                n = n
                    .saturating_mul(10)
                    .saturating_add(i64::from(s[j] as u8 - b'0'));
                j += 1;
            }
            (n, j)
        };
        let (an, ai) = digits(&ar);
        let (bn, bi) = digits(&br);
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// The current output column (characters since the last newline).
fn column(out: &str) -> usize {
    out[out.rfind('\n').map_or(0, |i| i + 1)..].chars().count()
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(out: &mut String, value: &Value, depth: usize) {
    let Value::Object(map) = value else {
        return;
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort_by(|a, b| natural_cmp(a, b));
    for (n, key) in keys.into_iter().enumerate() {
        if n > 0 {
            indent(out, depth);
        }
        let mut col = column(out);
        write_scalar(out, &Value::String(key.clone()), depth + 2, &mut col);
        out.push(':');
        write_child(out, &map[key.as_str()], depth, false);
    }
}

fn write_seq(out: &mut String, value: &Value, depth: usize) {
    let Value::Array(items) = value else {
        return;
    };
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            indent(out, depth);
        }
        out.push('-');
        write_child(out, item, depth, true);
    }
}

/// Writes the value after `key:` or `-`, at nesting `depth`.
fn write_child(out: &mut String, value: &Value, depth: usize, in_seq: bool) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            if in_seq {
                // "- key: v" continues on the dash line.
                out.push(' ');
                write_map(out, value, depth + 2);
            } else {
                out.push('\n');
                indent(out, depth + 2);
                write_map(out, value, depth + 2);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            if in_seq {
                out.push(' ');
                write_seq(out, value, depth + 2);
            } else {
                // Block sequences under a key are not indented further.
                out.push('\n');
                indent(out, depth);
                write_seq(out, value, depth);
            }
        }
        Value::Object(_) => out.push_str(" {}\n"),
        Value::Array(_) => out.push_str(" []\n"),
        scalar => {
            out.push(' ');
            let mut col = column(out);
            write_scalar(out, scalar, depth + 2, &mut col);
            out.push('\n');
        }
    }
}

/// Whether go-yaml v2's resolver would read `s` as something else than a
/// string (bool, null, number, timestamp), which forces double quotes.
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF",
        ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf",
        "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let Some(first) = s.chars().next() else {
        return true;
    };
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return false;
    }
    let plain = s.replace('_', "");
    let unsigned = plain.trim_start_matches(['+', '-']);
    let int_like = if let Some(hex) = unsigned.strip_prefix("0x") {
        !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())
    } else if let Some(bin) = unsigned.strip_prefix("0b") {
        !bin.is_empty() && bin.chars().all(|c| c == '0' || c == '1')
    } else {
        !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit())
    };
    if int_like
        || plain
            .parse::<f64>()
            .is_ok_and(|_| !plain.contains(['i', 'I', 'n', 'N']))
    {
        return true;
    }
    // Timestamps: YYYY-M-D, optionally followed by a time.
    let bytes = s.as_bytes();
    bytes.len() >= 8 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-' && {
        let rest = &s[5..];
        let mut parts = rest.splitn(2, '-');
        let month = parts.next().unwrap_or("");
        let tail = parts.next().unwrap_or("");
        let day: String = tail.chars().take_while(char::is_ascii_digit).collect();
        !month.is_empty()
            && month.len() <= 2
            && month.chars().all(|c| c.is_ascii_digit())
            && !day.is_empty()
            && day.len() <= 2
            && {
                let after = &tail[day.len()..];
                after.is_empty() || after.starts_with(['T', 't', ' '])
            }
    }
}

/// libyaml's analysis: can `s` be a plain scalar in block context?
fn plain_allowed(s: &str) -> bool {
    if s.is_empty()
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.starts_with("---")
        || s.starts_with("...")
    {
        return false;
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_space = chars.get(i + 1).is_none_or(|n| *n == ' ');
        let prev_space = i > 0 && chars[i - 1] == ' ';
        if c.is_control() || c == '\u{feff}' {
            return false;
        }
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => return false,
                '?' | ':' | '-' if next_space => return false,
                _ => {}
            }
        } else {
            match c {
                ':' if next_space => return false,
                '#' if prev_space => return false,
                _ => {}
            }
        }
    }
    true
}

fn write_scalar(out: &mut String, value: &Value, indent_level: usize, col: &mut usize) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => {
            if s.contains('\n') {
                write_literal(out, s, indent_level);
            } else if resolves_to_non_string(s) || s.chars().any(|c| c.is_control()) {
                write_double_quoted(out, s);
            } else if plain_allowed(s) {
                write_folded(out, s, indent_level, col, false);
            } else {
                write_folded(out, s, indent_level, col, true);
            }
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Plain or single-quoted text, breaking at a space once past 80 columns.
fn write_folded(out: &mut String, s: &str, indent_level: usize, col: &mut usize, quoted: bool) {
    if quoted {
        out.push('\'');
        *col += 1;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_is_space = chars.get(i + 1) == Some(&' ');
            let at_edge = i == 0 || i + 1 == chars.len();
            if !spaces && *col > BEST_WIDTH && !next_is_space && !at_edge {
                out.push('\n');
                indent(out, indent_level);
                *col = indent_level;
            } else {
                out.push(' ');
                *col += 1;
            }
            spaces = true;
        } else {
            if quoted && c == '\'' {
                out.push('\'');
                *col += 1;
            }
            out.push(c);
            *col += 1;
            spaces = false;
        }
    }
    if quoted {
        out.push('\'');
        *col += 1;
    }
}

fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{0}' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_literal(out: &mut String, s: &str, indent_level: usize) {
    let chomp = if s.ends_with('\n') { "" } else { "-" };
    out.push('|');
    out.push_str(chomp);
    for line in s.trim_end_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, indent_level);
            out.push_str(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn status_in_go_yaml_layout() {
        let status = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": "pods \"q1\" not found", "reason": "NotFound", "details": {"name": "q1", "kind": "pods"}, "code": 404});
        assert_eq!(
            to_yaml(&status),
            "apiVersion: v1\ncode: 404\ndetails:\n  kind: pods\n  name: q1\nkind: Status\nmessage: pods \"q1\" not found\nmetadata: {}\nreason: NotFound\nstatus: Failure\n"
        );
    }

    #[test]
    fn quoting_and_sequences() {
        let v = json!({"labels": {"x": "y", "n": "1"}, "ts": "2026-11-24T12:09:13Z",
            "list": [{"a": 1, "b": [1]}], "empty": "", "colon": "a: b", "f:x": {".": {}}});
        assert_eq!(
            to_yaml(&v),
            "colon: 'a: b'\nempty: \"\"\nf:x:\n  .: {}\nlabels:\n  \"n\": \"1\"\n  x: \"y\"\nlist:\n- a: 1\n  b:\n  - 1\nts: \"2026-11-24T12:09:13Z\"\n"
        );
    }

    #[test]
    fn natural_key_order() {
        let mut keys = vec!["f:a10", "f:a9", ".", "f:b", "B"];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(keys, vec![".", "B", "f:a9", "f:a10", "f:b"]);
    }
}
