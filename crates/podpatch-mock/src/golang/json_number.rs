//! Numbers as Go keeps them: the sender's literal texts that
//! `json.RawMessage` (evanphx/json-patch) carries through unchanged where
//! serde_json would reprint them (`1E2`, `-0`, `1.50`), and the `int64` or
//! `float64` an `interface{}` ends up holding after apimachinery's JSON
//! decoding (`k8s.io/apimachinery/pkg/util/json`'s `convertNumber`).
//! It must not parse bodies or decide validity.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::golang::json_pointer::push_escaped;
use crate::golang::json_value::OutsideStrings;

/// Number literals by JSON pointer, where Go keeps the sender's text.
pub type Literals = BTreeMap<String, String>;

/// Collects, under `pointer`, the number literals of the JSON text `raw`
/// that serde_json would print differently (`1E2`, `1.50`, `-0`, integers
/// past 64 bits). evanphx/json-patch keeps values it never decodes as
/// `json.RawMessage`, so Go prints these as sent, in the patched document
/// and in `cannot unmarshal number …` errors.
///
/// One pass over the text, copying nothing but pointers and the literals
/// kept: of duplicate keys the last wins (as in a Go map), an object with a
/// key serde_json cannot decode (a lone surrogate escape) holds none, and
/// text that is not JSON none at all (as when each level was decoded as a
/// map of `json.RawMessage`s).
pub fn number_literals(raw: &str, pointer: &str, out: &mut Literals) {
    let text = raw.trim();
    if text.starts_with(NUMBER_START) {
        keep_literal(text, pointer, out);
        return;
    }
    // A patch that sets strings (most do) has nothing to walk for.
    if !holds_number(text) {
        return;
    }
    let mut found = Literals::new();
    if Walk::new(text, pointer).run(&mut found).is_some() {
        out.extend(found);
    }
}

/// Whether `text` may hold a number token: a `-` or a digit outside strings.
fn holds_number(text: &str) -> bool {
    let mut strings = OutsideStrings::default();
    text.bytes()
        .any(|b| strings.outside(b) && (b == b'-' || b.is_ascii_digit()))
}

/// What a JSON number token starts with.
const NUMBER_START: [char; 11] = ['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/// Keeps `text` at `pointer` when serde_json would not print it back as is.
fn keep_literal(text: &str, pointer: &str, out: &mut Literals) {
    let printed = serde_json::from_str::<Value>(text).map(|v| v.to_string());
    if printed.ok().as_deref() != Some(text) {
        out.insert(pointer.to_string(), text.to_string());
    }
}

/// An open container of the walk.
#[derive(Clone, Copy)]
struct Open {
    /// The container's pointer length (its members' pointers extend it).
    at: usize,
    /// The next element's index; `None` for an object.
    next_index: Option<usize>,
    /// An object with an undecodable key: nothing under it is kept.
    broken: bool,
}

/// A walk over valid JSON text, keeping number literals by pointer; `None`
/// where the text is not JSON.
struct Walk<'a> {
    text: &'a str,
    at: usize,
    pointer: String,
    open: Vec<Open>,
    /// How many open objects are broken.
    broken: usize,
}

impl<'a> Walk<'a> {
    fn new(text: &'a str, pointer: &str) -> Self {
        Walk {
            text,
            at: 0,
            pointer: pointer.to_string(),
            open: Vec::new(),
            broken: 0,
        }
    }

    fn run(&mut self, found: &mut Literals) -> Option<()> {
        loop {
            if self.value(found)? {
                // A container was opened: its first member next.
                continue;
            }
            // Close containers until one has another member.
            loop {
                let Some(&Open {
                    at,
                    next_index,
                    broken,
                }) = self.open.last()
                else {
                    self.skip_space();
                    return (self.at == self.text.len()).then_some(());
                };
                self.pointer.truncate(at);
                self.skip_space();
                match self.text.as_bytes().get(self.at)? {
                    b',' => {
                        self.at += 1;
                        match next_index {
                            Some(index) => {
                                self.open.last_mut()?.next_index = Some(index + 1);
                                self.pointer.push_str(&format!("/{index}"));
                            }
                            None => self.key(found)?,
                        }
                        break;
                    }
                    b'}' | b']' => {
                        self.at += 1;
                        if broken {
                            self.broken -= 1;
                        }
                        self.open.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// One value, or the start of a non-empty container (then `true`: its
    /// first member's pointer is set).
    fn value(&mut self, found: &mut Literals) -> Option<bool> {
        self.skip_space();
        let bytes = self.text.as_bytes();
        match *bytes.get(self.at)? {
            b'{' | b'[' => {
                let object = bytes[self.at] == b'{';
                self.at += 1;
                self.skip_space();
                if bytes.get(self.at) == Some(if object { &b'}' } else { &b']' }) {
                    self.at += 1;
                    return Some(false);
                }
                self.open.push(Open {
                    at: self.pointer.len(),
                    next_index: (!object).then_some(1),
                    broken: false,
                });
                if object {
                    self.key(found)?;
                } else {
                    self.pointer.push_str("/0");
                }
                return Some(true);
            }
            b'"' => {
                self.string()?;
            }
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                while bytes.get(self.at).is_some_and(|b| {
                    b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                }) {
                    self.at += 1;
                }
                if self.broken == 0 {
                    keep_literal(&self.text[start..self.at], &self.pointer, found);
                }
            }
            b't' | b'f' | b'n' => {
                while bytes.get(self.at).is_some_and(u8::is_ascii_lowercase) {
                    self.at += 1;
                }
            }
            _ => return None,
        }
        Some(false)
    }

    /// An object member's key and colon: the pointer gets the key's token,
    /// and what an earlier member of the same key kept is dropped.
    fn key(&mut self, found: &mut Literals) -> Option<()> {
        self.skip_space();
        let quoted = self.string()?;
        self.skip_space();
        if self.text.as_bytes().get(self.at) != Some(&b':') {
            return None;
        }
        self.at += 1;
        let open = self.open.last_mut()?;
        if open.broken {
            return Some(());
        }
        // A key without escapes is its text between the quotes, borrowed.
        let key: Cow<'_, str> = if quoted.contains('\\') {
            match serde_json::from_str::<String>(quoted) {
                Ok(key) => Cow::Owned(key),
                Err(_) => {
                    open.broken = true;
                    self.broken += 1;
                    drop_under(found, &self.pointer[..open.at]);
                    return Some(());
                }
            }
        } else {
            Cow::Borrowed(&quoted[1..quoted.len() - 1])
        };
        self.pointer.push('/');
        push_escaped(&mut self.pointer, &key);
        found.remove(&self.pointer);
        drop_under(found, &self.pointer);
        Some(())
    }

    /// A string, returned with its quotes.
    fn string(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        if bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        loop {
            match bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(&self.text[start..self.at]);
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    fn skip_space(&mut self) {
        let bytes = self.text.as_bytes();
        while bytes
            .get(self.at)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }
}

/// Drops what `found` holds under the JSON pointer `parent` (its
/// descendants, not itself). Most bodies hold no number: then nothing is
/// built.
fn drop_under(found: &mut Literals, parent: &str) {
    if found.is_empty() {
        return;
    }
    let prefix = format!("{parent}/");
    let prefix = prefix.as_str();
    let under: Vec<String> = found
        .range::<str, _>((
            std::ops::Bound::Included(prefix),
            std::ops::Bound::Unbounded,
        ))
        .take_while(|(k, _)| k.starts_with(prefix))
        .map(|(k, _)| k.clone())
        .collect();
    for k in under {
        found.remove(&k);
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

    #[rstest]
    #[case::strings_only(r#"{"metadata":{"labels":{"bench":"v12-3"}}}"#, false)]
    #[case::escaped_quote(r#"{"a":"x\"1","b":true}"#, false)]
    #[case::number(r#"{"a":"x","b":[null,1E2]}"#, true)]
    #[case::negative(r#"{"a":-x}"#, true)]
    fn numbers_are_looked_for_outside_strings(#[case] text: &str, #[case] holds: bool) {
        assert_eq!(holds_number(text), holds);
    }

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
    #[case::last_duplicate_wins(r#"{"a":{"x":1E2},"a":{"y":2}}"#, &[])]
    #[case::earlier_member_kept(r#"{"a":{"x":1E2},"b":1,"a":{"x":1E2,"y":1.50}}"#, &[("/a/x", "1E2"), ("/a/y", "1.50")])]
    #[case::undecodable_key_empties_its_object(r#"{"o":{"x":1E2,"\ud800":1},"p":[ 1E2 ]}"#, &[("/p/0", "1E2")])]
    #[case::escaped_key_decoded(r#"{"\u0061/b":-0}"#, &[("/a~1b", "-0")])]
    #[case::not_json(r#"{"a":1E2"#, &[])]
    #[case::scalar_as_sent(" 1.50 ", &[("", "1.50")])]
    fn number_literals_as_when_each_level_was_a_go_map(
        #[case] body: &str,
        #[case] want: &[(&str, &str)],
    ) {
        let mut out = Literals::new();
        number_literals(body, "", &mut out);
        let want: Literals = want
            .iter()
            .map(|(p, t)| (p.to_string(), t.to_string()))
            .collect();
        assert_eq!(out, want);
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
