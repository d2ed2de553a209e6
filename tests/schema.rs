//! Every shipped case validates against the published JSON Schema, and the schema
//! rejects what the loader rejects, so editors and podpatch agree.

mod support;

use std::path::PathBuf;

use rstest::rstest;
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(support::root().join("schema/case.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::validator_for(&schema).expect("the schema itself is valid")
}

fn yaml(path: &PathBuf) -> Value {
    serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[rstest]
fn shipped_case_validates(
    #[files("cases/**/*.yaml")]
    #[exclude("/fixtures/")]
    path: PathBuf,
) {
    let v = validator();
    let errors: Vec<String> = v
        .iter_errors(&yaml(&path))
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
}

/// What a bad case's `# schema:` comment (second line) says the schema makes of it;
/// without one, the schema must reject it.
fn schema_verdict(text: &str) -> Option<&str> {
    text.lines()
        .nth(1)
        .and_then(|l| l.strip_prefix("# schema: "))
        .and_then(|l| l.split_whitespace().next())
}

/// The `LINE:COLUMN` of the `# error:` comment every bad case opens with.
fn expected_position(text: &str) -> (usize, usize) {
    let first = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# error: "));
    let mut parts = first
        .expect("first line names the expected error")
        .split(':');
    let mut number = || parts.next().and_then(|n| n.trim().parse().ok());
    (number().expect("a line"), number().expect("a column"))
}

#[rstest]
fn bad_case_is_invalid(#[files("tests/data/bad-cases/*.yaml")] path: PathBuf) {
    // Regular expressions are checked by podpatch after variable substitution
    // (`# schema: valid`); a file that is not YAML cannot reach a schema at all
    // (`# schema: unparsable`), so it must fail to parse where its error comment
    // says; every other bad case must parse and fail the schema.
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = serde_yaml_ng::from_str::<Value>(&text);
    match schema_verdict(&text) {
        Some("valid") => assert!(validator().is_valid(&parsed.unwrap())),
        Some("unparsable") => {
            let err = parsed.expect_err("the file is marked unparsable but parses");
            let at = err.location().expect("a YAML syntax error has a position");
            assert_eq!(
                (at.line(), at.column()),
                expected_position(&text),
                "{}: {err}",
                path.display()
            );
        }
        None => {
            let value = parsed.unwrap_or_else(|e| {
                panic!(
                    "{} is not YAML ({e}); mark it `# schema: unparsable`",
                    path.display()
                )
            });
            assert!(
                !validator().is_valid(&value),
                "{} passes the schema",
                path.display()
            );
        }
        Some(other) => panic!("{}: unknown `# schema: {other}`", path.display()),
    }
}
