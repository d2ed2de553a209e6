//! A difference the explorer found: its signature (the two statuses and the
//! generalised paths that differ, so that a shrunk case can be checked to
//! show the same difference, and rechecks can tell a stable difference from
//! timing or Go map order), and the case file written for it, with the
//! reference target's answer as the expectation. Pure.

use serde_json::{Value, json};

use crate::changes;

/// What makes two differences the same one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Signature {
    pub status_a: Option<u64>,
    pub status_b: Option<u64>,
    /// Changed paths, list indexes generalised, sorted.
    pub paths: Vec<String>,
}

impl Signature {
    /// The signature of two normalised observations; `None` when they agree.
    pub fn of(a: &Value, b: &Value) -> Option<Signature> {
        if a == b {
            return None;
        }
        let mut paths: Vec<String> = changes::between(a, b)
            .iter()
            .map(|c| changes::general_path(&c.path))
            .collect();
        paths.sort();
        paths.dedup();
        Some(Signature {
            status_a: a.get("status").and_then(Value::as_u64),
            status_b: b.get("status").and_then(Value::as_u64),
            paths,
        })
    }

    /// One line for reports: the statuses and the first paths.
    pub fn describe(&self) -> String {
        let status = |s: Option<u64>| s.map_or("no status".to_string(), |s| s.to_string());
        let mut paths = self
            .paths
            .iter()
            .take(4)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.paths.len() > 4 {
            paths.push_str(&format!(" and {} more", self.paths.len() - 4));
        }
        format!(
            "A answered {}, B {}; they differ at {paths}",
            status(self.status_a),
            status(self.status_b)
        )
    }
}

/// A shrunk case file as YAML, ready to commit: the generated file with B's
/// (the reference's) status as its expectation, B's `Status` reason and
/// message (or the kind it answered) as its shape, and the difference and
/// how to reproduce it in its description.
pub fn case_file(file: &Value, signature: &Signature, b: &Value, found_by: &str) -> String {
    let mut file = file.clone();
    let body = b.get("body");
    let mut shape = serde_json::Map::new();
    if let Some(kind) = body.and_then(|v| v.get("kind")) {
        shape.insert("kind".into(), kind.clone());
    }
    if body.and_then(|v| v.get("kind")) == Some(&json!("Status")) {
        for k in ["reason", "message"] {
            // A normalised text names the run's values by placeholder; the
            // live answer would not match it, so only the snapshot holds it.
            if let Some(v) = body.and_then(|v| v.get(k))
                && !v.as_str().is_some_and(has_placeholder)
            {
                shape.insert(k.into(), v.clone());
            }
        }
    }
    let mut expect = json!({"status": signature.status_b.unwrap_or(0)});
    if !shape.is_empty() {
        expect["body"] = Value::Object(shape);
    }
    file["expect"] = expect;
    if let Some(request) = file.get_mut("request").and_then(Value::as_object_mut) {
        request.retain(|k, v| k != "query" || v.as_object().is_some_and(|q| !q.is_empty()));
    }
    file["description"] = json!(format!(
        "Found by {found_by}: {}. The expectation is B's answer (the reference); \
         record the snapshot from the real server before committing.",
        signature.describe()
    ));
    serde_yaml_ng::to_string(&file).unwrap_or_default()
}

/// Whether a normalised text holds one of the normaliser's placeholders.
fn has_placeholder(text: &str) -> bool {
    [
        "[pod]",
        "[namespace]",
        "[run]",
        "[timestamp]",
        "[uid-",
        "[rv-",
        "[redacted",
    ]
    .iter()
    .any(|p| text.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(status: u64, message: &str) -> Value {
        json!({"status": status, "body": {"kind": "Status", "reason": "Invalid", "message": message,
            "details": {"causes": [{"field": "a"}, {"field": "b"}]}}})
    }

    #[test]
    fn signatures_tell_differences_apart_and_list_indexes_alike() {
        assert_eq!(Signature::of(&seen(422, "x"), &seen(422, "x")), None);
        let s = Signature::of(&seen(422, "x"), &seen(400, "y")).expect("differs");
        assert_eq!((s.status_a, s.status_b), (Some(422), Some(400)));
        assert_eq!(s.paths, vec!["body.message", "status"]);
        let mut other = seen(422, "x");
        other["body"]["details"]["causes"][1]["field"] = json!("c");
        let s = Signature::of(&seen(422, "x"), &other).expect("differs");
        assert_eq!(s.paths, vec!["body.details.causes[*].field"]);
    }

    #[test]
    fn the_written_case_expects_the_reference_answer() {
        let file = json!({"description": "d", "tags": ["explore"],
            "request": {"type": "merge", "body": {}, "query": {}}, "expect": {"status": 200}});
        let (a, b) = (seen(422, "mock says"), seen(400, "real says"));
        let s = Signature::of(&a, &b).expect("differs");
        let text = case_file(&file, &s, &b, "podpatch explore --seed 1");
        let parsed: Value = serde_yaml_ng::from_str(&text).expect("yaml");
        assert_eq!(parsed["expect"]["status"], json!(400));
        assert_eq!(parsed["expect"]["body"]["message"], json!("real says"));
        assert!(
            parsed["description"]
                .as_str()
                .is_some_and(|d| d.contains("A answered 422, B 400"))
        );
        let case: Result<crate::case::CaseFile, _> = serde_json::from_value(parsed);
        assert!(case.is_ok(), "{case:?}");
    }
}
