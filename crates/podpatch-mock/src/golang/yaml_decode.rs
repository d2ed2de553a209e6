//! YAML input read the way kube-apiserver reads it: `sigs.k8s.io/yaml` on
//! top of go-yaml v2, which resolves plain scalars by YAML 1.1 rules. So
//! `y`, `yes`, `on` (and `n`, `no`, `off`, in their three casings) are
//! booleans, `010` is octal 8, `1_000` is 1000, and mapping keys that
//! resolve to another type are turned back into their Go string form.
//!
//! serde_yaml_ng resolves by YAML 1.2, and it does not say whether a scalar
//! was quoted. It does lend out slices of the input, though: a plain scalar
//! is lent from where it stands, a quoted one from just inside its quotes.
//! So a lent string whose neighbours are the same quote character was
//! quoted; any other lent string was plain and gets the YAML 1.1 rules.
//! Strings it cannot lend (escapes, folding, block scalars) are never plain
//! scalars that YAML 1.1 would read differently, so they stay strings.

use std::cell::{Cell, RefCell};
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses the first YAML document into JSON with go-yaml v2's scalar
/// resolution. Like go-yaml's `Unmarshal`, it never looks past that
/// document, so what follows it (`{"a": 1} trailing`) is not an error.
pub fn from_str(text: &str) -> Result<Value, serde_yaml_ng::Error> {
    parse(text, &RefCell::default())
}

/// The duplicate keys of the flow mappings (`{a: 1, a: 2}`) in the first
/// document, as go-yaml's strict mode words them (`line N: key "a" already
/// set in map`, N the line of the repeated key's value), with their lines.
/// Block mappings are found by the line scanner of `yaml_duplicates`.
pub fn flow_duplicate_keys(text: &str) -> Vec<(usize, String)> {
    let trace = RefCell::default();
    match parse(text, &trace) {
        Ok(_) => trace.into_inner().duplicates,
        Err(_) => Vec::new(),
    }
}

fn parse(text: &str, trace: &RefCell<Trace>) -> Result<Value, serde_yaml_ng::Error> {
    // Nesting is measured first: libyaml's cost grows with its square.
    crate::golang::yaml_depth::check(text)?;
    match serde_yaml_ng::Deserializer::from_str(text).next() {
        Some(first) => Seed {
            src: text,
            merge_key: &Cell::new(false),
            trace,
        }
        .deserialize(first),
        None => Ok(Value::Null),
    }
}

/// Where the scalars lent from the input stood, in reading order, and the
/// flow-mapping duplicates found so far.
#[derive(Default)]
struct Trace {
    offsets: Vec<usize>,
    duplicates: Vec<(usize, String)>,
}

/// What go-yaml v2 makes of the plain scalar `s` (`resolve` in
/// `resolve.go`, past the YAML 1.2 forms serde_yaml_ng already resolved).
pub fn resolve_plain(s: &str) -> Value {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        _ => {}
    }
    let first = s.as_bytes().first().copied().unwrap_or(b' ');
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return Value::String(s.to_string());
    }
    let plain = s.replace('_', "");
    if let Some(n) = go_parse_int(&plain) {
        return match i64::try_from(n) {
            Ok(i) => Value::from(i),
            Err(_) => u64::try_from(n).map_or_else(|_| Value::String(s.to_string()), Value::from),
        };
    }
    if is_yaml_style_float(&plain)
        && let Some(n) = plain.parse::<f64>().ok().and_then(Number::from_f64)
    {
        return Value::Number(n);
    }
    Value::String(s.to_string())
}

/// `strconv.ParseInt(s, 0, 64)` / `ParseUint`: an optional sign, then a
/// `0x`, `0o`, `0b` or bare `0` (octal) prefix, else decimal. Values that
/// fit neither an `int64` nor a `uint64` are refused.
fn go_parse_int(s: &str) -> Option<i128> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    let value = if negative {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    (value >= i128::from(i64::MIN)).then_some(value)
}

/// go-yaml v2's `yamlStyleFloat`:
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A JSON map key for a resolved YAML key, as `sigs.k8s.io/yaml` writes
/// non-string keys (`strconv.FormatBool`, `FormatInt`, `FormatFloat`).
fn key_string(key: Value) -> String {
    match key {
        Value::String(s) => s,
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

#[derive(Clone, Copy)]
struct Seed<'a> {
    src: &'a str,
    /// Set when the scalar just read was a plain `<<` (a merge key).
    merge_key: &'a Cell<bool>,
    trace: &'a RefCell<Trace>,
}

impl Seed<'_> {
    /// Where `lent` starts in the input, if it is a slice of it.
    fn offset(&self, lent: &str) -> Option<usize> {
        let base = self.src.as_ptr() as usize;
        let start = lent.as_ptr() as usize;
        start.checked_sub(base).filter(|o| *o <= self.src.len())
    }

    /// The explicit tag (`!!str`) written before the scalar at `offset`.
    fn tag(&self, offset: usize) -> Option<&str> {
        self.src[..offset]
            .trim_end_matches([' ', '\t'])
            .rsplit([' ', '\t', '\n', '[', '{', ','])
            .next()
            .filter(|token| token.starts_with('!'))
    }

    /// Records go-yaml's strict complaint about `name`, set again by the
    /// value at `offset`.
    fn duplicate(&self, offset: Option<usize>, name: &str) {
        let line = self.src[..offset.unwrap_or(0)].matches('\n').count() + 1;
        self.trace
            .borrow_mut()
            .duplicates
            .push((line, format!("line {line}: key {name} already set in map")));
    }

    /// Whether the scalar at `offset` (or its opening quote) follows a `{`.
    fn after_brace(&self, offset: usize) -> bool {
        let before = self.src[..offset].trim_end_matches(['"', '\'']);
        before.trim_end().ends_with('{')
    }

    /// Whether `lent` (a slice of the input) was written as a plain scalar.
    fn is_plain(&self, lent: &str) -> bool {
        let Some(offset) = self.offset(lent) else {
            return false;
        };
        // An explicit tag (`!!str y`) settles the type: not a plain scalar.
        if self.tag(offset).is_some() {
            return false;
        }
        let bytes = self.src.as_bytes();
        let before = offset.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(offset + lent.len());
        !matches!(
            (before, after),
            (Some(b'"'), Some(b'"')) | (Some(b'\''), Some(b'\''))
        )
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Value, E> {
        if let Some(offset) = self.offset(v) {
            self.trace.borrow_mut().offsets.push(offset);
        }
        // go-yaml v2 resolves `!!binary` by decoding the base64 text, and
        // the bytes then travel as a (lossy UTF-8) string.
        if self.offset(v).and_then(|o| self.tag(o)) == Some("!!binary") {
            use base64::Engine as _;
            let text: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(text) {
                return Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        if self.is_plain(v) {
            self.merge_key.set(v == "<<");
            Ok(resolve_plain(v))
        } else {
            Ok(Value::String(v.to_string()))
        }
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        let mut flow = None;
        loop {
            self.merge_key.set(false);
            let key_at = self.trace.borrow().offsets.len();
            let Some(key) = map.next_key_seed(self)? else {
                break;
            };
            let merge = self.merge_key.get();
            let key_offset = self.trace.borrow().offsets.get(key_at).copied();
            // A flow mapping's first key follows its `{`.
            let flow = *flow.get_or_insert_with(|| key_offset.is_some_and(|o| self.after_brace(o)));
            let value_at = self.trace.borrow().offsets.len();
            let value = map.next_value_seed(self)?;
            let value_offset = self.trace.borrow().offsets.get(value_at).copied();
            let name = match &key {
                Value::String(k) => crate::golang::format::go_quote(k),
                other => key_string(other.clone()),
            };
            if flow && !merge && out.contains_key(&key_string(key.clone())) {
                self.duplicate(value_offset.or(key_offset), &name);
            }
            if merge {
                // go-yaml v2's `decoder.merge`: the mapping's keys (of each
                // mapping in a sequence, the earlier ones winning) are set
                // where the merge key stands, over any set before it.
                let maps = match value {
                    Value::Object(m) => vec![m],
                    Value::Array(items) => items
                        .into_iter()
                        .rev()
                        .map(|item| match item {
                            Value::Object(m) => Ok(m),
                            _ => Err(merge_error::<A::Error>()),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => return Err(merge_error::<A::Error>()),
                };
                for m in maps {
                    // Strict decoding reports a merged key already set.
                    for k in m.keys().filter(|k| out.contains_key(*k)) {
                        self.duplicate(
                            value_offset.or(key_offset),
                            &crate::golang::format::go_quote(k),
                        );
                    }
                    out.extend(m);
                }
                continue;
            }
            // Later duplicates win, as in go-yaml's non-strict mode.
            out.insert(key_string(key), value);
        }
        Ok(Value::Object(out))
    }
}

/// go-yaml v2's `failWantMap`.
fn merge_error<E: serde::de::Error>() -> E {
    E::custom("map merge requires map or sequence of maps as the value")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case("x: y", json!({"x": true}))]
    #[case("x: 'y'", json!({"x": "y"}))]
    #[case("x: \"on\"", json!({"x": "on"}))]
    #[case("x: Off", json!({"x": false}))]
    #[case("x: NO", json!({"x": false}))]
    #[case("x: 010", json!({"x": 8}))]
    #[case("x: '010'", json!({"x": "010"}))]
    #[case("x: 1_000", json!({"x": 1000}))]
    #[case("m:\n  <<: {a: 1}\n  b: 2", json!({"m": {"a": 1, "b": 2}}))]
    #[case("m:\n  a: 0\n  <<: [{a: 1}, {a: 2, c: 3}]", json!({"m": {"a": 1, "c": 3}}))]
    #[case("m: {'<<': {a: 1}}", json!({"m": {"<<": {"a": 1}}}))]
    #[case("{\"a\": 1} trailing", json!({"a": 1}))]
    #[case("x: !!binary aGVsbG8=", json!({"x": "hello"}))]
    #[case("x: 0o17", json!({"x": 15}))]
    #[case("x: 0x1F", json!({"x": 31}))]
    #[case("x: 1.5", json!({"x": 1.5}))]
    #[case("x: 2001-12-14", json!({"x": "2001-12-14"}))]
    #[case("x: yesterday", json!({"x": "yesterday"}))]
    #[case("x: [y, 'n', 7]", json!({"x": [true, "n", 7]}))]
    #[case("on: 1", json!({"true": 1}))]
    #[case("x: |\n  y\n", json!({"x": "y\n"}))]
    #[case("x: \"a\\\"b\"", json!({"x": "a\"b"}))]
    #[case("x: !!str y", json!({"x": "y"}))]
    fn yaml_1_1_resolution(#[case] text: &str, #[case] want: Value) {
        assert_eq!(from_str(text).expect("parses"), want);
    }

    #[rstest]
    #[case("09", Value::Number(Number::from_f64(9.0).expect("finite")))]
    #[case("-010", json!(-8))]
    #[case("+7", json!(7))]
    #[case("0b101", json!(5))]
    #[case("18446744073709551615", json!(18_446_744_073_709_551_615_u64))]
    #[case("1e3", Value::Number(Number::from_f64(1000.0).expect("finite")))]
    #[case("1.2.3", json!("1.2.3"))]
    #[case("-", json!("-"))]
    fn plain_scalars(#[case] plain: &str, #[case] want: Value) {
        assert_eq!(resolve_plain(plain), want);
    }

    #[test]
    fn duplicates_in_flow_mappings() {
        let text = "a:\n  b: {x: 1, y: 2,\n    x: 3}\n  c: 1\n  c: 2\nd: {'k': 1, \"k\": 2}\n";
        let found: Vec<String> = flow_duplicate_keys(text)
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        assert_eq!(
            found,
            vec![
                "line 3: key \"x\" already set in map".to_string(),
                "line 6: key \"k\" already set in map".to_string()
            ]
        );
    }
}
