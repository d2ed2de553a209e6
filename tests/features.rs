//! Every shipped case carries a checked set of feature tags (one spelling per
//! feature, its patch type and subresource agreeing with its request), and pins
//! more than a status code wherever the answer has a body: what makes that answer
//! (a `Status`'s `kind` and `reason`, `message` or `details`; a Pod's `kind` and a
//! field, the stored pod or a warning), so
//! `--no-snapshots` gives no false passes against a mock that answers placeholders.

mod support;

use podpatch::case::Case;
use podpatch::features;
use podpatch::shape::Shape;
use serde_json::Value;

#[test]
fn every_case_has_checked_feature_tags() {
    let problems: Vec<String> = support::shipped()
        .iter()
        .flat_map(|c| {
            features::check(c)
                .into_iter()
                .map(move |p| format!("{}: {p}", c.path.display()))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The top-level keys a body shape pins with a value other than `$any`.
fn pinned(shape: &Shape) -> Vec<&str> {
    match shape {
        Shape::Map(map) => map
            .iter()
            .filter(|(_, s)| !matches!(s, Shape::Matcher(podpatch::shape::Matcher::Any)))
            .map(|(k, _)| k.as_str())
            .collect(),
        _ => Vec::new(),
    }
}

/// The body of a case's snapshot (of step `index` in a scenario), as the real
/// kube-apiserver answered.
fn snapshot_body(c: &Case, index: usize) -> Option<Value> {
    let path = podpatch::snapshot::path_for(&support::root().join("snapshots"), &c.id);
    let text = std::fs::read_to_string(path).ok()?;
    let body = text.splitn(3, "---\n").nth(2)?;
    let v: Value = serde_yaml_ng::from_str(body).ok()?;
    match (&c.steps[index].name, v.get("steps")) {
        (Some(name), Some(steps)) => steps.get(index)?.get(name)?.get("body").cloned(),
        _ => v.get("body").cloned(),
    }
}

#[test]
fn every_case_pins_what_makes_its_answer() {
    let mut problems = Vec::new();
    let steps = support::shipped()
        .into_iter()
        .flat_map(|c| (0..c.steps.len()).map(move |i| (c.clone(), i)));
    for (c, index) in steps {
        let Some(Value::Object(body)) = snapshot_body(&c, index) else {
            continue; // no body worth checking (empty, or text)
        };
        let expect = &c.steps[index].expect;
        let keys = expect.body.as_ref().map(pinned).unwrap_or_default();
        let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
        let why = if expect.body.is_none() && expect.headers.is_empty() {
            Some("pins nothing of the answer but its status code")
        } else if expect.body.is_some() && !keys.contains(&"kind") {
            Some("does not pin the answer's `kind`")
        } else if kind == "Status"
            && !keys
                .iter()
                .any(|k| matches!(*k, "reason" | "message" | "details"))
        {
            Some("does not pin the Status's `reason`, `message` or `details`")
        } else if kind == "Pod"
            && expect.stored.is_none()
            && expect.headers.is_empty()
            && !keys
                .iter()
                .any(|k| matches!(*k, "spec" | "status" | "metadata"))
        {
            Some("does not pin a field of the Pod")
        } else {
            None
        };
        if let Some(why) = why {
            let step = c.steps[index].name.as_ref();
            let at = step.map(|s| format!(", step {s}")).unwrap_or_default();
            problems.push(format!("{}{at} ({kind} answer): {why}", c.path.display()));
        }
    }
    assert!(
        problems.is_empty(),
        "{} cases:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
