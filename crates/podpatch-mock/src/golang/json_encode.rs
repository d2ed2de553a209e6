//! Serialises JSON values the way kube-apiserver's Go `encoding/json` does:
//! struct fields in declaration order (taken from [`crate::schema`]), map keys
//! sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped, and either compact output
//! followed by a newline or 2-space indented output without one. Numbers
//! print as decoded, or all as `float64` for an `unstructured` object.
//!
//! It only writes bytes; it must not change values (dropping empty fields is
//! the decoder's job, see [`crate::golang::unmarshal`]).

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

use crate::schema::{Struct, Ty};
use crate::version::Version;

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
    let mut out = Writer::new(String::with_capacity(4096), layout, as_decoded).finish(value, ty);
    if layout == Layout::Compact {
        out.push('\n');
    }
    out.into_bytes()
}

/// Compact JSON without `Encode`'s newline: a marshalled value as Go's
/// error texts embed it.
pub fn compact_string(value: &Value, ty: &'static Ty) -> String {
    Writer::new(String::new(), Layout::Compact, as_decoded).finish(value, ty)
}

/// Writes a number as it was decoded.
fn as_decoded(out: &mut String, n: &Number) {
    // Writing into a String cannot fail.
    let _ = write!(out, "{n}");
}

/// `json.Encoder.Encode` of an `unstructured` object (YAML or JSON decoded
/// into a `map[string]interface{}`): keys sorted, every number a
/// `float64`.
pub fn unstructured_line(value: &Value) -> String {
    let mut out = Writer::new(String::new(), Layout::Compact, |out, n| {
        out.push_str(&float64(n.as_f64().unwrap_or(0.0)));
    })
    .finish(value, &Ty::Any);
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

/// One serialisation: the output and what every value's writing needs,
/// read once (the version answered as is a task-local).
struct Writer<'v> {
    out: String,
    layout: Layout,
    /// Prints each number.
    number: fn(&mut String, &Number),
    /// Which struct fields exist.
    version: Version,
    /// The members of the structs being written, a slot for each declared
    /// field: each struct's slots sit above its parents', so one buffer
    /// serves the whole walk.
    slots: Vec<Option<&'v Value>>,
}

impl<'v> Writer<'v> {
    fn new(out: String, layout: Layout, number: fn(&mut String, &Number)) -> Self {
        Writer {
            out,
            layout,
            number,
            version: Version::current(),
            slots: Vec::new(),
        }
    }

    /// Writes `value` as a `ty` and hands back the output.
    fn finish(mut self, value: &'v Value, ty: &'static Ty) -> String {
        self.value(value, ty, 0);
        self.out
    }

    fn newline(&mut self, depth: usize) {
        if self.layout == Layout::Pretty {
            self.out.push('\n');
            for _ in 0..depth {
                self.out.push_str("  ");
            }
        }
    }

    /// Writes `value` as a `ty`. Inlined into the loops over members and
    /// items, so that a scalar, most values, costs no call.
    #[inline(always)]
    fn value(&mut self, value: &'v Value, ty: &'static Ty, depth: usize) {
        match value {
            Value::Null => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => (self.number)(&mut self.out, n),
            Value::String(s) => write_str(&mut self.out, s),
            Value::Array(items) => self.array(items, ty, depth),
            Value::Object(map) => self.object(map, ty, depth),
        }
    }

    fn array(&mut self, items: &'v [Value], ty: &'static Ty, depth: usize) {
        if items.is_empty() {
            self.out.push_str("[]");
            return;
        }
        let item_ty = match ty.resolved() {
            Ty::List(list) => &list.item,
            _ => &Ty::Any,
        };
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            self.newline(depth + 1);
            self.value(item, item_ty, depth + 1);
        }
        self.newline(depth);
        self.out.push(']');
    }

    fn object(&mut self, map: &'v Map<String, Value>, ty: &'static Ty, depth: usize) {
        if map.is_empty() {
            self.out.push_str("{}");
            return;
        }
        self.out.push('{');
        match ty.resolved() {
            Ty::Struct(st) => self.struct_members(map, st, depth),
            Ty::Map(member) | Ty::AtomicMap(member) => {
                self.map_members(map.iter(), member, true, depth);
            }
            _ => self.map_members(map.iter(), &Ty::Any, true, depth),
        }
        self.newline(depth);
        self.out.push('}');
    }

    /// Writes a struct's members: declared fields first, in Go declaration
    /// order; anything undeclared (only reachable for hand-built values)
    /// sorted after. Each member's place is looked up once (a struct
    /// declares many more fields than a value sets) and its value put in
    /// that place's slot, so that reading the slots in order sorts them.
    fn struct_members(&mut self, map: &'v Map<String, Value>, st: &'static Struct, depth: usize) {
        let start = self.slots.len();
        self.slots.resize(start + st.fields.len(), None);
        let mut undeclared = false;
        for (key, v) in map {
            match st.position(key) {
                Some(at) => {
                    self.slots[start + at] = Some(v);
                    undeclared |= !st.in_version_of(self.version, &st.fields[at]);
                }
                None => undeclared = true,
            }
        }
        let mut first = true;
        for (at, field) in st.fields.iter().enumerate() {
            if let Some(v) = self.slots[start + at] {
                self.key(first, field.name, true, depth);
                self.value(v, &field.ty, depth + 1);
                first = false;
            }
        }
        self.slots.truncate(start);
        if undeclared {
            let version = self.version;
            let others = map.iter().filter(|(key, _)| {
                st.position(key)
                    .is_none_or(|at| !st.in_version_of(version, &st.fields[at]))
            });
            self.map_members(others, &Ty::Any, first, depth);
        }
    }

    /// Writes map members, each a `member`, in the map's (sorted) order.
    fn map_members(
        &mut self,
        members: impl Iterator<Item = (&'v String, &'v Value)>,
        member: &'static Ty,
        mut first: bool,
        depth: usize,
    ) {
        for (key, v) in members {
            self.key(first, key, false, depth);
            self.value(v, member, depth + 1);
            first = false;
        }
    }

    /// Writes a member's key and colon, and the comma before it unless it
    /// is the `first`; `plain` when the key needs no escaping (a schema
    /// field's name, see `schema::types::plain`), the case inlined.
    #[inline(always)]
    fn key(&mut self, first: bool, key: &str, plain: bool, depth: usize) {
        if !first {
            self.out.push(',');
        }
        self.newline(depth + 1);
        if plain {
            self.out.reserve(key.len() + 3);
            self.out.push('"');
            self.out.push_str(key);
            self.out.push_str("\":");
        } else {
            write_str(&mut self.out, key);
            self.out.push(':');
        }
        if self.layout == Layout::Pretty {
            self.out.push(' ');
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

/// Whether any byte of `word` may need a look: a control character, `"`,
/// `&`, `<`, `>`, `\` or any non-ASCII byte (U+2028 and U+2029 are escaped).
/// Eight bytes in a few word operations, by the "has a byte less than n"
/// and "has a zero byte" tests of Bit Twiddling Hacks, both exact as a yes
/// or no.
fn word_may_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = ONES * 0x80;
    // The high bit of a byte ends up set where that byte is below n.
    let below = |v: u64, n: u8| v.wrapping_sub(ONES * u64::from(n)) & !v;
    let control = below(word, 0x20);
    // `"` (0x22) and `&` (0x26) differ in one bit, as do `<` and `>`: one
    // zero test each pair after setting that bit.
    let quote_or_amp = below((word | (ONES * 0x04)) ^ (ONES * 0x26), 1);
    let angle = below((word | (ONES * 0x02)) ^ (ONES * 0x3e), 1);
    let backslash = below(word ^ (ONES * u64::from(b'\\')), 1);
    (control | quote_or_amp | angle | backslash | word) & HIGH != 0
}

/// Whether `bytes` certainly need no escaping, a word at a time: the last
/// word overlaps the one before it, and a string shorter than a word is
/// spread over one from two overlapping halves, so that every byte is
/// looked at and only bytes of the string are.
fn plain(bytes: &[u8]) -> bool {
    let word = |at: usize, len: usize| -> u64 {
        let mut buf = [0; 8];
        buf[..len].copy_from_slice(&bytes[at..at + len]);
        u64::from_le_bytes(buf)
    };
    let n = bytes.len();
    let spread = match n {
        0 => return true,
        1 => u64::from(bytes[0]) * 0x0101_0101_0101_0101,
        2..4 => (word(0, 2) | (word(n - 2, 2) << 16)) * 0x0001_0000_0001,
        4..8 => word(0, 4) | (word(n - 4, 4) << 32),
        _ => {
            return (0..n - 8)
                .step_by(8)
                .all(|at| !word_may_escape(word(at, 8)))
                && !word_may_escape(word(n - 8, 8));
        }
    };
    !word_may_escape(spread)
}

/// Writes a JSON string literal with Go's HTML-safe escaping.
fn write_str(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    if plain(s.as_bytes()) {
        out.push_str(s);
    } else {
        escape(out, s);
    }
    out.push('"');
}

/// Writes `s` escaped; runs of characters that need no escaping are copied
/// whole. Kept out of line: nearly every string is plain, and
/// [`write_str`] is the cheaper for not holding this loop.
#[inline(never)]
fn escape(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
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
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::collection::{btree_map, vec};
    use proptest::prelude::*;
    use proptest::sample::{select, subsequence};
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    use rstest::rstest;
    use serde_json::json;

    use super::*;
    use crate::schema::{Field, POD_TY, STATUS_TY};

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

    /// Go's HTML-safe string escaping, a character at a time.
    fn go_quoted(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\0'..='\u{1f}' => {
                    let _ = write!(out, "\\u{:04x}", u32::from(c));
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    fn quoted(s: &str) -> String {
        let mut out = String::new();
        write_str(&mut out, s);
        out
    }

    /// Every ASCII byte at every place of strings up to three words long,
    /// and the first bytes of U+2028 where the string ends early: the word
    /// at a time scan must miss none.
    #[test]
    fn escapes_every_byte_at_every_place() {
        for len in 1..=24 {
            for at in 0..len {
                for b in (0..0x80u8)
                    .map(char::from)
                    .chain(['\u{2028}', '\u{2029}', 'é'])
                {
                    let mut s: String = "a".repeat(len - 1);
                    s.insert(at, b);
                    assert_eq!(quoted(&s), go_quoted(&s), "{s:?}");
                }
            }
        }
        for cut in ["\u{e2}", "x\u{e2}\u{80}", "ab\u{e2}\u{80}\u{a7}"] {
            let s = String::from_utf8_lossy(cut.as_bytes()).into_owned();
            assert_eq!(quoted(&s), go_quoted(&s));
        }
    }

    /// Strings with the characters Go escapes, anywhere, of any length.
    fn text() -> impl Strategy<Value = String> {
        let special = select(vec![
            '"', '\\', '<', '>', '&', '\n', '\u{1}', '\u{1f}', '\u{7f}', '\u{2028}', '\u{2029}',
            '\u{2027}', 'é', '€', 'a', 'Z', '-', '/',
        ]);
        vec(prop_oneof![special, any::<char>()], 0..40).prop_map(String::from_iter)
    }

    /// A value shaped by `ty` (`depth` levels of it): some of a struct's
    /// fields, sometimes a member it does not declare, short lists and maps,
    /// and any scalar where a value may be anything.
    fn shaped(ty: &'static Ty, depth: u32) -> BoxedStrategy<Value> {
        let scalar = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
            text().prop_map(Value::String),
        ];
        if depth == 0 {
            return scalar.boxed();
        }
        match ty.resolved() {
            Ty::Struct(st) => {
                let fields: Vec<&'static Field> = st.fields.iter().collect();
                let declared =
                    subsequence(fields, 0..=st.fields.len().min(8)).prop_flat_map(move |chosen| {
                        chosen
                            .into_iter()
                            .map(|f| {
                                shaped(&f.ty, depth - 1).prop_map(move |v| (f.name.to_owned(), v))
                            })
                            .collect::<Vec<_>>()
                    });
                let undeclared = btree_map(text(), shaped(&Ty::Any, 1), 0..2);
                (
                    declared,
                    prop_oneof![3 => Just(BTreeMap::new()), 1 => undeclared],
                )
                    .prop_map(|(declared, undeclared)| {
                        Value::Object(undeclared.into_iter().chain(declared).collect())
                    })
                    .boxed()
            }
            Ty::List(list) => vec(shaped(&list.item, depth - 1), 0..3)
                .prop_map(Value::Array)
                .boxed(),
            Ty::Map(member) | Ty::AtomicMap(member) => {
                btree_map(text(), shaped(member, depth - 1), 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect()))
                    .boxed()
            }
            Ty::Any => prop_oneof![
                scalar,
                vec(shaped(&Ty::Any, depth - 1), 0..3).prop_map(Value::Array),
                btree_map(text(), shaped(&Ty::Any, depth - 1), 0..3)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
            .boxed(),
            _ => scalar.boxed(),
        }
    }

    /// The plain reading of Go's rules, compact: a struct's declared
    /// fields looked up one by one in declaration order, then the members
    /// it does not declare in the version answered as, sorted; map keys
    /// sorted.
    fn reference(value: &Value, ty: &'static Ty) -> String {
        let members: Vec<(&str, &Value, &'static Ty)> = match (value, ty.resolved()) {
            (Value::Array(items), ty) if !items.is_empty() => {
                let item = ty.as_list().map_or(&Ty::Any, |list| &list.item);
                let items: Vec<String> = items.iter().map(|v| reference(v, item)).collect();
                return format!("[{}]", items.join(","));
            }
            (Value::Object(map), Ty::Struct(st)) if !map.is_empty() => st
                .fields
                .iter()
                .filter_map(|f| map.get(f.name).map(|v| (f.name, v, &f.ty)))
                .chain(
                    map.iter()
                        .filter(|(k, _)| st.field(k).is_none())
                        .map(|(k, v)| (k.as_str(), v, &Ty::Any)),
                )
                .collect(),
            (Value::Object(map), Ty::Map(member) | Ty::AtomicMap(member)) => {
                map.iter().map(|(k, v)| (k.as_str(), v, *member)).collect()
            }
            (Value::Object(map), _) => map.iter().map(|(k, v)| (k.as_str(), v, &Ty::Any)).collect(),
            (Value::String(s), _) => return go_quoted(s),
            (other, _) => return other.to_string(),
        };
        let members: Vec<String> = members
            .into_iter()
            .map(|(k, v, ty)| format!("{}:{}", go_quoted(k), reference(v, ty)))
            .collect();
        format!("{{{}}}", members.join(","))
    }

    /// Random pods, in the newest and the oldest version (which lacks some
    /// declared fields), encode as the plain reading of Go's rules does.
    #[test]
    fn pods_encode_as_the_plain_reading() {
        let config = Config {
            cases: 300,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let result = runner.run(&shaped(&POD_TY, 5), |pod| {
            for version in [Version::NEWEST, Version::OLDEST] {
                let (got, want) =
                    version.run(|| (compact_string(&pod, &POD_TY), reference(&pod, &POD_TY)));
                prop_assert_eq!(got, want);
            }
            Ok(())
        });
        if let Err(e) = result {
            panic!("{e}");
        }
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
