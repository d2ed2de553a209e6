//! What differs between two normalised observations, as a list of changed paths
//! (`status`, `body.message`, `body.spec.containers[0].image`, …) ordered so that
//! a reader sees first what matters: the status, then a `Status`'s kind, reason
//! and message, then the other paths, and `managedFields` (long and rarely the
//! point) last and as one entry.
//!
//! Pure: two values in, changes out. Used by snapshot diffs, the differential
//! comparison and triage.

use serde::Serialize;
use serde_json::Value;

/// One path whose value differs; `None` means absent on that side.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub path: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Paths under which every difference is one change.
const FOLDED: &[&str] = &["managedFields"];

/// The changes from `before` to `after`, most telling first.
pub fn between(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk("", Some(before), Some(after), &mut out);
    out.sort_by_key(|c| rank(&c.path));
    out
}

fn walk(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    let folded = FOLDED.iter().any(|f| path.ends_with(&format!(".{f}")));
    match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) if !folded => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(&join(path, k), b.get(k), a.get(k), out);
            }
        }
        (Some(Value::Array(b)), Some(Value::Array(a)))
            if !folded && b.len() == a.len() && b.iter().any(|v| v.is_object()) =>
        {
            for (i, (x, y)) in b.iter().zip(a).enumerate() {
                walk(&format!("{path}[{i}]"), Some(x), Some(y), out);
            }
        }
        _ => out.push(Change {
            path: path.to_owned(),
            before: before.cloned(),
            after: after.cloned(),
        }),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Sort key: the status first, a Status's identity next, folded paths last.
fn rank(path: &str) -> u8 {
    match path {
        "status" => 0,
        "body.kind" | "body.reason" | "body.code" => 1,
        "body.message" => 2,
        "layout" | "body" => 3,
        p if FOLDED.iter().any(|f| p.ends_with(&format!(".{f}"))) => 9,
        _ => 5,
    }
}

/// A path with array indices replaced by `[*]`, so the same change in different
/// list items reads the same (used to group causes).
pub fn general_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[*]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// A value in a line: JSON, cut at 80 characters.
pub fn short(v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "absent".to_owned();
    };
    cut(v.to_string(), 80)
}

/// `text` cut at `limit` characters, `…` marking the cut.
pub fn cut(text: String, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// One line per change, at most `limit` of them, then how many more there are.
pub fn lines(changes: &[Change], limit: usize) -> Vec<String> {
    let mut out: Vec<String> = changes
        .iter()
        .take(limit)
        .map(|c| {
            format!(
                "{}: {} → {}",
                c.path,
                short(c.before.as_ref()),
                short(c.after.as_ref())
            )
        })
        .collect();
    if changes.len() > limit {
        out.push(format!(
            "… and {} more changed paths",
            changes.len() - limit
        ));
    }
    out
}

/// The changed paths of an answer, relative to the pod (`relative`),
/// generalised and deduplicated.
pub fn answer_paths(diffs: &[Change]) -> Vec<String> {
    let mut out: Vec<String> = diffs
        .iter()
        .map(|c| relative(&general_path(&c.path)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A path of an observation relative to the pod it shows: after `body.` or
/// `stored.` (a scenario's are under `steps[*].NAME.`). The answer's own parts
/// (its HTTP status, the whole stored pod) are no pod field: they become
/// `answer.status` and `stored`, so that `status` never meets `status.qosClass`.
fn relative(path: &str) -> String {
    for key in ["body.", "stored."] {
        if let Some(rest) = path.strip_prefix(key) {
            return rest.to_owned();
        }
        if let Some(i) = path.find(&format!(".{key}")) {
            return path[i + 1 + key.len()..].to_owned();
        }
    }
    match path.rsplit('.').next() {
        Some("stored") => "stored".to_owned(),
        Some(last) => format!("answer.{last}"),
        None => format!("answer.{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leads_with_status_and_message_and_folds_managed_fields() {
        let before = json!({"status": 200, "body": {"kind": "Pod", "metadata": {"managedFields": [{"a": 1}, {"b": 2}], "labels": {"x": "1"}}}});
        let after = json!({"status": 422, "body": {"kind": "Status", "message": "invalid", "metadata": {"managedFields": [], "labels": {"x": "2"}}}});
        let paths: Vec<String> = between(&before, &after)
            .into_iter()
            .map(|c| c.path)
            .collect();
        assert_eq!(
            paths,
            [
                "status",
                "body.kind",
                "body.message",
                "body.metadata.labels.x",
                "body.metadata.managedFields"
            ]
        );
    }

    #[test]
    fn lists_of_objects_are_compared_item_by_item() {
        let before = json!({"c": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]});
        let after = json!({"c": [{"name": "a", "image": "x"}, {"name": "b", "image": "z"}]});
        let changes = between(&before, &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].path, "c[1].image");
        assert_eq!(general_path(&changes[0].path), "c[*].image");
        assert_eq!(lines(&changes, 5), ["c[1].image: \"y\" → \"z\""]);
    }

    #[test]
    fn equal_values_have_no_changes() {
        let v = json!({"a": [1, 2], "b": {"c": null}});
        assert!(between(&v, &v).is_empty());
    }
}
