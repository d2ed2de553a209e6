//! Comparing an observation with a case's expectations: status, body shape,
//! headers and the stored pod. Pure: values in, mismatches out as data.
//!
//! Nothing here prints or decides exit codes; the report renders mismatches.

use regex_automata::nfa::thompson::{
    self,
    backtrack::{self, BoundedBacktracker},
    pikevm::PikeVM,
};
use serde::Serialize;
use serde_json::Value;

use crate::case::{Expect, Stored};
use crate::observed::Observed;
use crate::shape::{Matcher, Shape};
use crate::vars::Vars;

/// One way in which an observation differs from what the case expects.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// Where: `status`, `body.metadata.name`, `headers.warning`, `stored.spec`, …
    pub at: String,
    /// What was expected, written as in the case file.
    pub expected: Value,
    /// What was observed; `None` when the value is absent.
    pub actual: Option<Value>,
}

impl Mismatch {
    fn new(at: &str, expected: Value, actual: Option<&Value>) -> Mismatch {
        Mismatch {
            at: at.to_owned(),
            expected,
            actual: actual.cloned(),
        }
    }
}

/// Checks an observation against a case's expectations, variables substituted.
pub fn expectations(expect: &Expect, vars: &Vars, observed: &Observed) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if observed.status != expect.status {
        out.push(Mismatch::new(
            "status",
            expect.status.into(),
            Some(&observed.status.into()),
        ));
    }
    if let Some(body) = &expect.body {
        let text;
        let actual = match observed.json() {
            Some(json) => json,
            None => {
                text = Value::String(observed.body().to_owned());
                &text
            }
        };
        shape("body", &body.with_vars(vars), Some(actual), &mut out);
    }
    for (name, expected) in &expect.headers {
        let actual = observed.header(name).map(Value::String);
        shape(
            &format!("headers.{}", name.to_ascii_lowercase()),
            &expected.with_vars(vars),
            actual.as_ref(),
            &mut out,
        );
    }
    match (&expect.stored, &observed.stored) {
        (None, _) => {}
        (Some(Stored::Unchanged), stored) => {
            if stored.as_ref() != observed.created.as_ref() {
                out.push(Mismatch {
                    at: "stored".into(),
                    expected: observed.created.clone().unwrap_or(Value::Null),
                    actual: stored.clone(),
                });
            }
        }
        (Some(Stored::Shape(s)), stored) => {
            shape("stored", &s.with_vars(vars), stored.as_ref(), &mut out)
        }
    }
    out
}

/// Matches `actual` (absent when `None`) against `shape`, collecting every mismatch
/// under the path `at`.
pub fn shape(at: &str, expected: &Shape, actual: Option<&Value>, out: &mut Vec<Mismatch>) {
    match (expected, actual) {
        (Shape::Matcher(Matcher::Absent), None) => {}
        (Shape::Matcher(m @ Matcher::Absent), Some(a)) => {
            out.push(Mismatch::new(at, m.to_json(), Some(a)))
        }
        (s, None) => out.push(Mismatch::new(at, s.to_json(), None)),
        (Shape::Matcher(Matcher::Distinct(items)), Some(Value::Array(actual))) => {
            // Compared like a list, after the repeats; paths index the distinct elements.
            let distinct = Value::Array(distinct(actual));
            shape(at, &Shape::List(items.clone()), Some(&distinct), out);
        }
        (Shape::Matcher(m), Some(a)) => {
            if !matcher(m, a) {
                out.push(Mismatch::new(at, m.to_json(), Some(a)));
            }
        }
        (Shape::Scalar(e), Some(a)) => {
            if !scalar_eq(e, a) {
                out.push(Mismatch::new(at, e.clone(), Some(a)));
            }
        }
        (Shape::List(items), Some(Value::Array(actual))) => {
            if items.len() != actual.len() {
                out.push(Mismatch::new(
                    &format!("{at}.length"),
                    items.len().into(),
                    Some(&actual.len().into()),
                ));
            }
            for (i, (s, a)) in items.iter().zip(actual).enumerate() {
                shape(&format!("{at}[{i}]"), s, Some(a), out);
            }
        }
        (Shape::Map(map), Some(Value::Object(actual))) => {
            for (key, s) in map {
                shape(&join(at, key), s, actual.get(key), out);
            }
        }
        (s, Some(a)) => out.push(Mismatch::new(at, s.to_json(), Some(a))),
    }
}

/// The elements of a list, each repeat of an earlier equal element left out.
fn distinct(items: &[Value]) -> Vec<Value> {
    let mut kept: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !kept.contains(item) {
            kept.push(item.clone());
        }
    }
    kept
}

/// True when `actual` matches `shape`, without collecting details.
pub fn matches(s: &Shape, actual: &Value) -> bool {
    let mut out = Vec::new();
    shape("", s, Some(actual), &mut out);
    out.is_empty()
}

fn join(at: &str, key: &str) -> String {
    let simple = key
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (at.is_empty(), simple) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{at}.{key}"),
        (_, false) => format!("{at}[{key:?}]"),
    }
}

fn scalar_eq(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => match (e.as_i64(), a.as_i64()) {
            (Some(e), Some(a)) => e == a,
            _ => e.as_f64() == a.as_f64(),
        },
        _ => expected == actual,
    }
}

fn matcher(m: &Matcher, actual: &Value) -> bool {
    match m {
        Matcher::Any => true,
        Matcher::Absent => false,
        Matcher::String => actual.is_string(),
        Matcher::Integer => actual.is_i64() || actual.is_u64(),
        Matcher::Uid => actual
            .as_str()
            .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
        Matcher::Timestamp => actual
            .as_str()
            .is_some_and(|s| s.parse::<jiff::Timestamp>().is_ok()),
        Matcher::Prefix(p) => actual.as_str().is_some_and(|s| s.starts_with(p.as_str())),
        Matcher::Contains(inner) => match (inner.as_ref(), actual) {
            (Shape::Scalar(Value::String(needle)), Value::String(s)) => s.contains(needle.as_str()),
            (inner, Value::Array(items)) => items.iter().any(|i| matches(inner, i)),
            _ => false,
        },
        // A list is matched by `shape`, which reports the element that differs.
        Matcher::Distinct(_) => actual.is_array() && matches(&Shape::Matcher(m.clone()), actual),
        Matcher::Regex(r) => actual.as_str().is_some_and(|s| matches_once(r, s)),
        Matcher::Exact(v) => v == actual,
    }
}

/// The heap the bounded backtracker may use to track where it has been: the
/// meta regex's 256 KiB sent a long pattern on a message holding a diff to
/// its PikeVM, about thirty times slower (it is allocated as far as a search
/// needs it).
const VISITED_CAPACITY: usize = 8 << 20;

thread_local! {
    /// The NFA compiler of `$regex` patterns, one per thread and kept: a
    /// fresh one set up a table of 10,000 entries (about 400 KiB, written
    /// and faulted in) for every pattern with a Unicode class (`.`, `\d`,
    /// `\s`), which a kept one reuses.
    static COMPILER: thompson::Compiler = {
        let mut compiler = thompson::Compiler::new();
        compiler.configure(thompson::Config::new().nfa_size_limit(Some(10 << 20)));
        compiler
    };
}

/// Whether `pattern` matches `haystack`, compiled for this one search: each
/// pattern is compiled for one case (it holds the case's pod name) and matched
/// once against one message, so only the forward NFA is built (a meta regex
/// also builds a reverse one for its DFAs, which pay off only over many or
/// long searches) and searched by the bounded backtracker, the PikeVM taking
/// what is longer than it tracks. A match means what it means for
/// `regex::Regex` (the same syntax and NFA size limit); the pattern was checked
/// when the case was loaded, and one that only breaks after substitution
/// matches nothing.
fn matches_once(pattern: &str, haystack: &str) -> bool {
    let Some(nfa) = COMPILER.with(|compiler| compiler.build(pattern).ok()) else {
        return false;
    };
    let Ok(backtracker) = BoundedBacktracker::builder()
        .configure(backtrack::Config::new().visited_capacity(VISITED_CAPACITY))
        .build_from_nfa(nfa)
    else {
        return false;
    };
    match backtracker.try_is_match(&mut backtracker.create_cache(), haystack) {
        Ok(found) => found,
        Err(_) => PikeVM::new_from_nfa(backtracker.get_nfa().clone())
            .is_ok_and(|vm| vm.is_match(&mut vm.create_cache(), haystack)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn shape_of(yaml: &str) -> Shape {
        serde_yaml_ng::from_str(yaml).unwrap()
    }

    fn check(yaml: &str, actual: Value) -> Vec<Mismatch> {
        let mut out = Vec::new();
        shape("body", &shape_of(yaml), Some(&actual), &mut out);
        out
    }

    #[rstest]
    #[case("{kind: Pod}", json!({"kind": "Pod", "other": 1}))]
    #[case("{n: 1}", json!({"n": 1.0}))]
    #[case("{a: [{b: 1}, {}]}", json!({"a": [{"b": 1, "c": 2}, {"d": 3}]}))]
    #[case("{u: {$uid: true}}", json!({"u": "5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f"}))]
    #[case("{t: {$timestamp: true}}", json!({"t": "2026-11-24T10:00:00Z"}))]
    #[case("{s: {$prefix: 'pod updates'}}", json!({"s": "pod updates may not"}))]
    #[case("{s: {$contains: may}}", json!({"s": "pod updates may not"}))]
    #[case("{l: {$contains: {field: x}}}", json!({"l": [{"field": "y"}, {"field": "x"}]}))]
    #[case("{s: {$regex: '^\\d+$'}}", json!({"s": "123"}))]
    #[case("{gone: {$absent: true}}", json!({"here": 1}))]
    #[case("{i: {$integer: true}, x: {$any: true}}", json!({"i": 3, "x": null}))]
    #[case("{e: {$exact: {a: 1}}}", json!({"e": {"a": 1}}))]
    #[case("{l: {$distinct: [{f: a}, {f: b}]}}", json!({"l": [{"f": "a"}, {"f": "b"}, {"f": "a"}]}))]
    #[case("{l: {$distinct: [{f: a}, {f: b}]}}", json!({"l": [{"f": "a"}, {"f": "b"}]}))]
    fn matching(#[case] yaml: &str, #[case] actual: Value) {
        assert_eq!(check(yaml, actual), vec![]);
    }

    #[rstest]
    #[case("{kind: Pod}", json!({"kind": "Status"}), "body.kind")]
    #[case("{a: [1, 2]}", json!({"a": [1]}), "body.a.length")]
    #[case("{a: {b: 1}}", json!({"a": {}}), "body.a.b")]
    #[case("{u: {$uid: true}}", json!({"u": "nope"}), "body.u")]
    #[case("{gone: {$absent: true}}", json!({"gone": 1}), "body.gone")]
    #[case("{x: {$any: true}}", json!({}), "body.x")]
    #[case("{e: {$exact: {a: 1}}}", json!({"e": {"a": 1, "b": 2}}), "body.e")]
    #[case("{l: {$contains: {field: z}}}", json!({"l": [{"field": "y"}]}), "body.l")]
    #[case("{'a/b': 1}", json!({"a/b": 2}), "body[\"a/b\"]")]
    #[case("{m: {a: 1}}", json!({"m": [1]}), "body.m")]
    #[case("{l: {$distinct: [{f: a}]}}", json!({"l": [{"f": "a"}, {"f": "b"}, {"f": "a"}]}), "body.l.length")]
    #[case("{l: {$distinct: [{f: a}, {f: c}]}}", json!({"l": [{"f": "a"}, {"f": "b"}]}), "body.l[1].f")]
    #[case("{l: {$distinct: [1]}}", json!({"l": 1}), "body.l")]
    fn mismatching(#[case] yaml: &str, #[case] actual: Value, #[case] at: &str) {
        let found = check(yaml, actual);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].at, at);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, failure_persistence: None, ..Default::default() })]
        /// A `$regex` matches what `regex::Regex` matches, on messages long
        /// enough to need the backtracker's larger room.
        #[test]
        fn regex_matches_as_regex_does(
            pattern in proptest::sample::select(vec![
                r#"^Pod .* is invalid: (null|"null")$"#, r"\bweb\b", r"^(?:a|ab)+$", r"é\w+",
                r"\d{3}", r"^\s*$", r"(?i)POD", r"x(?:y|z)*x", "^$", r"[^a-z]{4}", "(unclosed",
            ]),
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["Pod ", "\"null\"", "null", " is invalid: ", "web", "a", "ab", "é", "x", "yz", "123", " ", "\n", "POD"]),
                0..12,
            ),
            repeat in 1..400usize,
        ) {
            let haystack = pieces.concat().repeat(if repeat > 300 { repeat } else { 1 });
            let expected = regex::Regex::new(pattern).is_ok_and(|re| re.is_match(&haystack));
            proptest::prop_assert_eq!(matches_once(pattern, &haystack), expected);
        }
    }
}
