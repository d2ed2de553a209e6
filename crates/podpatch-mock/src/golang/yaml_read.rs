//! A request body read as YAML the way kube-apiserver reads apply bodies:
//! `sigs.k8s.io/yaml`'s `YAMLToJSON` on top of go-yaml v2 (`yaml.Unmarshal`
//! of the first document, `json.Marshal` of its floats), with go-yaml's
//! error texts (`yaml: line N: …`). Scalar resolution is
//! [`crate::golang::yaml_decode`]'s; duplicate keys are
//! [`crate::golang::yaml_duplicates`]'. It must not type values.

use serde_json::Value;

use crate::golang::json_number::each_number;
use crate::golang::yaml_depth::TooDeep;

/// Parses YAML to JSON; when that fails, a syntax error found by a plain
/// YAML parse wins (go-yaml reports syntax before conversion problems, where
/// serde may first trip over a non-string key). Duplicate keys are allowed,
/// the last one winning, as in go-yaml's non-strict mode.
pub fn parse_yaml(text: &str) -> Result<serde_json::Value, serde_yaml_ng::Error> {
    // Nesting is measured first: libyaml's cost grows with its square, and
    // serde_yaml_ng refuses flow collections past 128 levels, which go-yaml
    // reads. A JSON text that deep (what kubectl and most clients send) is
    // read as JSON instead, which go-yaml reads it as.
    match crate::golang::yaml_depth::measure(text) {
        Err(TooDeep::Serde { .. }) if let Some(value) = deep_json(text) => return Ok(value),
        Err(deep) => return Err(serde::de::Error::custom(deep.message())),
        Ok(()) => {}
    }
    // Values follow go-yaml v2's YAML 1.1 resolution; on failure the plain
    // serde path below reproduces the error texts.
    if let Ok(mut value) = crate::golang::yaml_decode::from_str(text) {
        whole_floats_as_integers(&mut value);
        return Ok(value);
    }
    match serde_yaml_ng::from_str::<serde_json::Value>(text) {
        Ok(mut value) => {
            whole_floats_as_integers(&mut value);
            Ok(value)
        }
        Err(conversion) => match serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) {
            Err(syntax) => Err(syntax),
            Ok(_) => Err(conversion),
        },
    }
}

/// A YAML text that is a JSON document nested past serde_yaml_ng's limit,
/// decoded as JSON: go-yaml resolves JSON's quoted strings, numbers,
/// booleans and nulls as JSON does, and keeps the last of duplicate keys as
/// serde_json does. `None` when the text is not JSON or the current stack
/// cannot hold it.
fn deep_json(text: &str) -> Option<Value> {
    crate::golang::json_scanner::check(text.as_bytes()).ok()?;
    let mut value = crate::golang::json_value::from_str(text).ok()?;
    whole_floats_as_integers(&mut value);
    Some(value)
}

/// `yaml.YAMLToJSON` writes go-yaml's `float64`s with `json.Marshal`, which
/// prints a whole number without a fraction (`1000.0` becomes `1000`), so
/// the JSON decoder later sees an integer.
fn whole_floats_as_integers(value: &mut Value) {
    each_number(value, &|n| {
        // Within ±2^63 a whole f64 converts to i64 exactly.
        if let Some(f) = n.as_f64().filter(|_| n.is_f64())
            && f.fract() == 0.0
            && f.abs() < 9_223_372_036_854_775_808.0
        {
            *n = serde_json::Number::from(f as i64);
        }
    });
}

/// The first YAML document of `text`: go-yaml's `Unmarshal` reads one
/// document and ignores the rest of the stream.
pub fn first_document(text: &str) -> &str {
    let mut content = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        let marker = |m: &str| {
            bare == m
                || bare
                    .strip_prefix(m)
                    .is_some_and(|r| r.starts_with([' ', '\t']))
        };
        if (marker("---") && content) || marker("...") {
            return &text[..offset];
        }
        let trimmed = bare.trim();
        if !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with('%') {
            content = true;
        }
        offset += line.len();
    }
    text
}

/// Rewrites a libyaml error as serde_yaml_ng prints it (`<problem> at line
/// L column C, while parsing …`) the way go-yaml does (`yaml: line N:
/// <problem>`): go-yaml reports the 0-based line of a parser error's mark,
/// and the 1-based line for scanner errors.
pub fn yaml_error(serde_message: &str) -> String {
    let (problem, rest) = match serde_message.split_once(" at line ") {
        Some((p, r)) => (p, r),
        None => return format!("yaml: {serde_message}"),
    };
    let line: usize = rest
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let line = if rest.contains("while scanning") {
        line
    } else {
        line.saturating_sub(1)
    };
    if line == 0 {
        format!("yaml: {problem}")
    } else {
        format!("yaml: line {line}: {problem}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("a: 1000.0", serde_json::json!({"a": 1000}))]
    #[case("a: 1.5e3", serde_json::json!({"a": 1500}))]
    #[case("a: [0.5, 2.0]", serde_json::json!({"a": [0.5, 2]}))]
    #[case("a: 1e21", serde_json::json!({"a": 1e21}))]
    fn yaml_whole_floats_become_integers(#[case] yaml: &str, #[case] want: serde_json::Value) {
        assert_eq!(parse_yaml(yaml).expect("parses"), want);
    }

    #[test]
    fn yaml_errors_read_like_go_yaml() {
        assert_eq!(
            yaml_error(
                "did not find expected node content at line 2 column 1, while parsing a flow node"
            ),
            "yaml: line 1: did not find expected node content"
        );
    }

    #[test]
    fn nesting_is_refused_in_linear_time() {
        use std::time::{Duration, Instant};
        // libyaml alone takes the square of the depth of these.
        let cases = [
            (
                format!("{}{}", "[".repeat(9_999), "1,".repeat(500_000)),
                "yaml: recursion limit exceeded",
            ),
            ("[".repeat(20_000), "yaml: exceeded max depth of 10000"),
            (
                format!("a: 1\nb: {}", "{".repeat(10_001)),
                "yaml: line 2: exceeded max depth of 10000",
            ),
            ("- ".repeat(20_000), "yaml: exceeded max depth of 10000"),
        ];
        for (body, want) in &cases {
            let start = Instant::now();
            let err = parse_yaml(body).expect_err("too deep");
            let took = start.elapsed();
            assert_eq!(yaml_error(&err.to_string()), *want);
            assert!(
                took < Duration::from_secs(2),
                "{} bytes: {took:?}",
                body.len()
            );
        }
    }
}
