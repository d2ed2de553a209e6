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

#[rstest]
fn bad_case_is_invalid(#[files("tests/data/bad-cases/*.yaml")] path: PathBuf) {
    // Syntax errors cannot be parsed at all, and regular expressions are checked by
    // podpatch after variable substitution (marked `# schema: valid`); the others
    // must fail the schema.
    let text = std::fs::read_to_string(&path).unwrap();
    if text.contains("\n# schema: valid") {
        assert!(validator().is_valid(&serde_yaml_ng::from_str(&text).unwrap()));
        return;
    }
    if let Ok(value) = serde_yaml_ng::from_str::<Value>(&text) {
        assert!(
            !validator().is_valid(&value),
            "{} passes the schema",
            path.display()
        );
    }
}
