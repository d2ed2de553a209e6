//! JSON values before any typing, as Go holds them: `json.RawMessage`
//! members left undecoded (as evanphx/json-patch's lazy nodes keep them),
//! `json.Compact` of a raw text as `json.Marshal` writes it, and the JSON
//! kind names `encoding/json` uses in its `UnmarshalTypeError` texts.
//! It must not check syntax (that is [`crate::golang::json_scanner`]'s) nor
//! type values.

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::golang::json_pointer::escape_pointer;

/// Go's name for the JSON kind of a value in decode errors.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Where a member sits in its JSON container.
pub enum Step {
    Key(String),
    Index(usize),
}

impl Step {
    /// The member's JSON-pointer reference token.
    pub fn token(&self) -> String {
        match self {
            Step::Key(key) => escape_pointer(key),
            Step::Index(i) => i.to_string(),
        }
    }
}

/// The members of the raw JSON object or array `text`, left undecoded as
/// Go's `json.RawMessage`s are (of duplicate keys the last wins, as in a Go
/// map); none for a scalar or invalid text.
pub fn raw_members(text: &str) -> Vec<(Step, &RawValue)> {
    if let Ok(map) = serde_json::from_str::<BTreeMap<String, &RawValue>>(text) {
        map.into_iter().map(|(k, v)| (Step::Key(k), v)).collect()
    } else if let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) {
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Step::Index(i), v))
            .collect()
    } else {
        Vec::new()
    }
}

/// Go's `json.Compact` with HTML escaping, as `json.Marshal` writes a
/// `json.RawMessage`: insignificant whitespace dropped, `<`, `>`, `&`,
/// U+2028 and U+2029 escaped, everything else (key order, duplicate keys,
/// the sender's own escapes) kept. `raw` must be valid JSON.
pub fn compact(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in raw.chars() {
        match c {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            _ if !in_string && c.is_ascii_whitespace() => {}
            _ => out.push(c),
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_order_and_escapes_like_go() {
        assert_eq!(
            compact("{ \"b\" : [1, 2],\n \"a\": \"x <y> \\u00e9 \\\" z\" }"),
            r#"{"b":[1,2],"a":"x \u003cy\u003e \u00e9 \" z"}"#
        );
    }
}
