//! Expected shapes: the subset of a JSON value a case asserts, with matchers for
//! values that cannot be fixed in advance (uids, timestamps, generated text).
//!
//! This module holds the model and its strict YAML deserialisation only; matching
//! a shape against an observed value lives in `compare`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::vars::Vars;

/// A node of an expected shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A scalar (null, bool, number or string) that must be equal.
    Scalar(Value),
    /// A list whose elements must match in order, with the same length.
    List(Vec<Shape>),
    /// An object that must contain every listed key with a matching value.
    Map(BTreeMap<String, Shape>),
    /// A matcher, written as a single-key mapping whose key starts with `$`.
    Matcher(Matcher),
}

/// A value test that is not plain equality.
#[derive(Debug, Clone)]
pub enum Matcher {
    Any,
    Absent,
    String,
    Integer,
    Uid,
    Timestamp,
    Prefix(String),
    /// Substring of a string, or some element of a list matching the shape.
    Contains(Box<Shape>),
    /// A list that, each repeat of an earlier equal element left out, matches
    /// these shapes in order (a server that repeats an error cause, or not).
    Distinct(Vec<Shape>),
    /// Kept as source text so variables can be substituted before compiling.
    Regex(String),
    Exact(Value),
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Self) -> bool {
        self.to_json() == other.to_json()
    }
}

/// The names of all matchers, as written in case files (without `$`).
pub const MATCHERS: &[&str] = &[
    "any",
    "absent",
    "string",
    "integer",
    "uid",
    "timestamp",
    "prefix",
    "contains",
    "distinct",
    "regex",
    "exact",
];

impl Matcher {
    /// The matcher as it is written in a case file, for messages and reports.
    pub fn to_json(&self) -> Value {
        let (name, arg) = match self {
            Matcher::Any => ("any", Value::Bool(true)),
            Matcher::Absent => ("absent", Value::Bool(true)),
            Matcher::String => ("string", Value::Bool(true)),
            Matcher::Integer => ("integer", Value::Bool(true)),
            Matcher::Uid => ("uid", Value::Bool(true)),
            Matcher::Timestamp => ("timestamp", Value::Bool(true)),
            Matcher::Prefix(p) => ("prefix", Value::String(p.clone())),
            Matcher::Contains(s) => ("contains", s.to_json()),
            Matcher::Distinct(items) => (
                "distinct",
                Value::Array(items.iter().map(Shape::to_json).collect()),
            ),
            Matcher::Regex(r) => ("regex", Value::String(r.clone())),
            Matcher::Exact(v) => ("exact", v.clone()),
        };
        serde_json::json!({ format!("${name}"): arg })
    }

    fn parse<'de, A: MapAccess<'de>>(name: &str, map: &mut A) -> Result<Matcher, A::Error> {
        let flag = |map: &mut A, m: Matcher| -> Result<Matcher, A::Error> {
            match map.next_value::<Value>()? {
                Value::Bool(true) => Ok(m),
                other => Err(de::Error::custom(format!(
                    "matcher `${name}` takes `true`, found {other}"
                ))),
            }
        };
        match name {
            "any" => flag(map, Matcher::Any),
            "absent" => flag(map, Matcher::Absent),
            "string" => flag(map, Matcher::String),
            "integer" => flag(map, Matcher::Integer),
            "uid" => flag(map, Matcher::Uid),
            "timestamp" => flag(map, Matcher::Timestamp),
            "prefix" => Ok(Matcher::Prefix(map.next_value()?)),
            "contains" => Ok(Matcher::Contains(Box::new(map.next_value()?))),
            "distinct" => match map.next_value()? {
                Shape::List(items) => Ok(Matcher::Distinct(items)),
                other => Err(de::Error::custom(format!(
                    "matcher `$distinct` takes a list of shapes, found {}",
                    other.to_json()
                ))),
            },
            "regex" => {
                let source: String = map.next_value()?;
                // Variables are substituted at match time; check the syntax with a
                // stand-in. Parsing is what `Regex::new` reports a syntax error from
                // (the same text), at a fraction of the cost of compiling.
                regex_syntax::Parser::new()
                    .parse(&Vars::placeholder().apply_regex(&source))
                    .map_err(|e| de::Error::custom(format!("invalid `$regex`: {e}")))?;
                Ok(Matcher::Regex(source))
            }
            "exact" => Ok(Matcher::Exact(map.next_value()?)),
            other => Err(de::Error::custom(format!(
                "unknown matcher `${other}`, expected one of {}",
                MATCHERS
                    .iter()
                    .map(|m| format!("`${m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

impl Shape {
    /// The shape as a JSON value, matchers written back in their `$` form.
    pub fn to_json(&self) -> Value {
        match self {
            Shape::Scalar(v) => v.clone(),
            Shape::List(items) => Value::Array(items.iter().map(Shape::to_json).collect()),
            Shape::Map(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (escape_key(k), v.to_json()))
                    .collect(),
            ),
            Shape::Matcher(m) => m.to_json(),
        }
    }

    /// The shape with the case variables substituted in every string, matcher
    /// arguments included.
    pub fn with_vars(&self, vars: &Vars) -> Shape {
        match self {
            Shape::Scalar(v) => Shape::Scalar(vars.apply_value(v)),
            Shape::List(items) => Shape::List(items.iter().map(|s| s.with_vars(vars)).collect()),
            Shape::Map(map) => Shape::Map(
                map.iter()
                    .map(|(k, v)| (vars.apply(k), v.with_vars(vars)))
                    .collect(),
            ),
            Shape::Matcher(m) => Shape::Matcher(match m {
                Matcher::Prefix(p) => Matcher::Prefix(vars.apply(p)),
                Matcher::Contains(s) => Matcher::Contains(Box::new(s.with_vars(vars))),
                Matcher::Distinct(items) => {
                    Matcher::Distinct(items.iter().map(|s| s.with_vars(vars)).collect())
                }
                Matcher::Regex(r) => Matcher::Regex(vars.apply_regex(r)),
                Matcher::Exact(v) => Matcher::Exact(vars.apply_value(v)),
                other => other.clone(),
            }),
        }
    }
}

/// A literal key as a case file writes it: a leading `$` doubled, so it does
/// not read as a matcher (`${…}` variables stay as they are).
fn escape_key(key: &str) -> String {
    if key.starts_with('$') && !key.starts_with("${") {
        format!("${key}")
    } else {
        key.to_owned()
    }
}

impl Serialize for Shape {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value or a `$` matcher")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Shape, E> {
        Ok(Shape::Scalar(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Shape, E> {
        Ok(Shape::Scalar(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Shape, E> {
        Ok(Shape::Scalar(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Shape, E> {
        serde_json::Number::from_f64(v)
            .map(|n| Shape::Scalar(Value::Number(n)))
            .ok_or_else(|| E::custom("non-finite numbers cannot be matched"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Shape, E> {
        Ok(Shape::Scalar(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Shape, E> {
        Ok(Shape::Scalar(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Scalar(Value::Null))
    }
    fn visit_none<E>(self) -> Result<Shape, E> {
        Ok(Shape::Scalar(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Shape::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut entries = BTreeMap::new();
        let mut matcher = None;
        while let Some(key) = map.next_key::<String>()? {
            // `$$patch` is the literal key `$patch` (strategic merge directives in
            // an expected body); `${pod}` is a key named by a variable.
            let literal = key.strip_prefix("$$").map(|k| format!("${k}"));
            if let Some(name) = key
                .strip_prefix('$')
                .filter(|_| literal.is_none() && !key.starts_with("${"))
            {
                if matcher.is_some() || !entries.is_empty() {
                    return Err(de::Error::custom(format!(
                        "matcher `{key}` must be the only key of its mapping"
                    )));
                }
                matcher = Some(Matcher::parse(name, &mut map)?);
            } else {
                if matcher.is_some() {
                    return Err(de::Error::custom(format!(
                        "key `{key}` next to a matcher: a matcher must be the only key of its mapping"
                    )));
                }
                let value: Shape = map.next_value()?;
                let key = literal.unwrap_or(key);
                if entries.insert(key.clone(), value).is_some() {
                    return Err(de::Error::custom(format!("duplicate key `{key}`")));
                }
            }
        }
        Ok(match matcher {
            Some(m) => Shape::Matcher(m),
            None => Shape::Map(entries),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn parse(yaml: &str) -> Result<Shape, String> {
        serde_yaml_ng::from_str(yaml).map_err(|e| e.to_string())
    }

    #[rstest]
    #[case("{$any: true}", Matcher::Any)]
    #[case("{$absent: true}", Matcher::Absent)]
    #[case("{$prefix: abc}", Matcher::Prefix("abc".into()))]
    #[case("{$regex: '^a+$'}", Matcher::Regex("^a+$".into()))]
    #[case("{$exact: [1, 2]}", Matcher::Exact(serde_json::json!([1, 2])))]
    fn parses_matchers(#[case] yaml: &str, #[case] expected: Matcher) {
        assert_eq!(parse(yaml).unwrap(), Shape::Matcher(expected));
    }

    #[rstest]
    #[case("{$bogus: true}", "unknown matcher `$bogus`")]
    #[case("{$any: false}", "matcher `$any` takes `true`")]
    #[case("{$regex: '('}", "invalid `$regex`")]
    #[case("{a: 1, $any: true}", "must be the only key")]
    #[case("{$any: true, a: 1}", "next to a matcher")]
    fn rejects_bad_matchers(#[case] yaml: &str, #[case] message: &str) {
        let err = parse(yaml).unwrap_err();
        assert!(err.contains(message), "{err}");
    }

    #[test]
    fn doubled_dollars_are_literal_keys() {
        let shape =
            parse(r#"{$$patch: replace, $$setElementOrder/containers: [{name: a}], "${pod}": 1}"#)
                .unwrap();
        let Shape::Map(map) = &shape else {
            panic!("a mapping, not {shape:?}")
        };
        let keys: Vec<_> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["$patch", "$setElementOrder/containers", "${pod}"]);
        // Written back as a case writes it, so a message can be pasted back.
        assert_eq!(
            shape.to_json(),
            serde_json::json!({"$$patch": "replace", "$$setElementOrder/containers": [{"name": "a"}], "${pod}": 1})
        );
        assert!(
            matches!(parse("{$patch: replace}").unwrap_err(), e if e.contains("unknown matcher `$patch`"))
        );
    }

    #[test]
    fn nested_shapes_keep_structure() {
        let shape = parse("{a: [1, {b: {$uid: true}}], c: null}").unwrap();
        assert_eq!(
            shape.to_json(),
            serde_json::json!({"a": [1, {"b": {"$uid": true}}], "c": null})
        );
    }
}
