//! Case variables (`${pod}`, `${namespace}`): the per-run names a case file cannot
//! know in advance, and the values earlier steps captured
//! (`${steps.STEP.CAPTURE}`), substituted into requests and expectations before use.
//!
//! Substitution is purely textual (but for a string that is one captured value
//! whole, which becomes that value) and happens only here, so every stage sees
//! the same names.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value;

/// How a reference to a captured value opens: `${steps.STEP.CAPTURE}`.
const OPENING: &str = "${steps.";

/// Each reference to a captured value in `text`, in order: where it stands and
/// the `STEP.CAPTURE` it names, up to the first `}` after its opening (what
/// `\$\{steps\.([^}]*)\}` finds; a regex cost more to build than the case
/// files it looked through).
fn references(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        // Most texts hold no `$`: a byte search, not a substring search, says so.
        let start = from
            + text[from..]
                .match_indices('$')
                .map(|(at, _)| at)
                .find(|&at| text[from + at..].starts_with(OPENING))?;
        let name = start + OPENING.len();
        let end = name + text[name..].find('}')?;
        from = end + 1;
        Some((start..from, &text[name..end]))
    })
}

/// Every `STEP.CAPTURE` that `text` refers to, in order.
pub fn capture_references(text: &str) -> Vec<String> {
    references(text).map(|(_, name)| name.to_owned()).collect()
}

/// The values of the variables for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vars {
    /// The case's pod name, unique per run.
    pub pod: String,
    /// The namespace the case's requests are aimed at.
    pub namespace: String,
    /// Values earlier steps captured, by `STEP.CAPTURE`.
    pub captures: BTreeMap<String, Value>,
}

/// A captured value as text: strings as they are, other values as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Vars {
    /// Stand-in values, for checking case files without a run.
    pub fn placeholder() -> Vars {
        Vars {
            pod: "pod".into(),
            namespace: "namespace".into(),
            captures: BTreeMap::new(),
        }
    }

    /// `text` with captured values in place of their references, each made
    /// into text by `f`; a reference to nothing captured stays as written.
    fn with_captures(&self, text: &str, f: impl Fn(String) -> String) -> String {
        let mut out = String::with_capacity(text.len());
        let mut from = 0;
        for (whole, name) in references(text) {
            out.push_str(&text[from..whole.start]);
            out.push_str(&match self.captures.get(name) {
                Some(v) => f(text_of(v)),
                None => f(text[whole.clone()].to_owned()),
            });
            from = whole.end;
        }
        out.push_str(&text[from..]);
        out
    }

    /// Substitutes the variables in a string.
    pub fn apply(&self, text: &str) -> String {
        // Every variable opens with `$`; most strings (every key and value of
        // an expected body) hold none.
        if !text.contains('$') {
            return text.to_owned();
        }
        self.with_captures(text, |v| v)
            .replace("${pod}", &self.pod)
            .replace("${namespace}", &self.namespace)
    }

    /// Substitutes the variables in a regular expression, escaped as literals.
    pub fn apply_regex(&self, pattern: &str) -> String {
        self.with_captures(pattern, |v| regex::escape(&v))
            .replace("${pod}", &regex::escape(&self.pod))
            .replace("${namespace}", &regex::escape(&self.namespace))
    }

    /// Substitutes the variables in every string (keys included) of a JSON value.
    pub fn apply_value(&self, value: &Value) -> Value {
        match value {
            // A string that is one reference whole takes the captured value as it
            // is (a number, a managedFields entry), not its text.
            Value::String(s) => match self.whole_capture(s) {
                Some(v) => v.clone(),
                None => Value::String(self.apply(s)),
            },
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.apply_value(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.apply(k), self.apply_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

impl Vars {
    fn whole_capture(&self, s: &str) -> Option<&Value> {
        let (whole, name) = references(s).next()?;
        (whole.len() == s.len()).then(|| self.captures.get(name))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_everywhere() {
        let vars = Vars {
            pod: "web-1".into(),
            namespace: "ns".into(),
            captures: BTreeMap::from([
                ("read.rv".to_owned(), json!("42")),
                ("read.entry".to_owned(), json!({"manager": "a"})),
            ]),
        };
        assert_eq!(
            vars.apply_value(&json!({"m": "pods \"${pod}\" in ${namespace}", "n": [1, "${pod}"]})),
            json!({"m": "pods \"web-1\" in ns", "n": [1, "web-1"]})
        );
        assert_eq!(vars.apply_regex("^${pod}$"), "^web\\-1$");
        assert_eq!(
            vars.apply_value(&json!({"rv": "${steps.read.rv}", "e": "${steps.read.entry}", "t": "at ${steps.read.entry}", "u": "${steps.read.gone}"})),
            json!({"rv": "42", "e": {"manager": "a"}, "t": "at {\"manager\":\"a\"}", "u": "${steps.read.gone}"})
        );
        assert_eq!(
            vars.apply_regex("^${steps.read.entry}"),
            "^\\{\"manager\":\"a\"\\}"
        );
        assert_eq!(
            capture_references("a ${steps.x.rv} b ${steps.y.uid}"),
            ["x.rv", "y.uid"]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, failure_persistence: None, ..Default::default() })]
        /// References are found as the regex `\$\{steps\.([^}]*)\}` finds them.
        #[test]
        fn finds_references_as_the_regex_did(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["${steps.", "${", "$", "{", "}", "steps.", "a.b", "\n", "é", " "]),
                0..12,
            )
        ) {
            let text = pieces.concat();
            let regex = regex::Regex::new(r"\$\{steps\.([^}]*)\}").unwrap();
            let expected: Vec<_> = regex
                .captures_iter(&text)
                .map(|c| (c.get(0).unwrap().range(), c[1].to_owned()))
                .collect();
            let found: Vec<_> = references(&text).map(|(r, n)| (r, n.to_owned())).collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }
}
