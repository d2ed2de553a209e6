//! Triage: failures grouped by root cause, so that 715 failing cases read as the
//! handful of things a target does differently. Two cases share a cause when they
//! differ in the same way at the same place: the same status pair, the same
//! mismatch at the same path, the same changed snapshot paths, or the same error
//! once names that are particular to a case (pod, namespace, run, target URL) are
//! taken out.
//!
//! Pure: outcomes in, groups out. `run` and `diff` reports both use it; rendering
//! belongs to the reports.

use std::collections::HashMap;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use crate::changes::{self, Change};
use crate::compare::Mismatch;
use crate::run::{CaseOutcome, RunReport, Status};
use crate::snapshot::Verdict;

/// Longest cause text; beyond it, causes that differ only in detail group together.
const CAUSE_LIMIT: usize = 200;

/// Cases that failed for one cause. `cases[0]` is the representative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    pub cause: String,
    pub count: usize,
    pub representative: String,
    pub others: Vec<String>,
}

/// Groups `(case id, cause)` pairs: largest groups first, then by cause; within a
/// group, cases keep the order given (the first is the representative).
pub fn group(items: impl IntoIterator<Item = (String, String)>) -> Vec<Group> {
    let mut order: Vec<String> = Vec::new();
    let mut by_cause: HashMap<String, Vec<String>> = HashMap::new();
    for (id, cause) in items {
        let ids = by_cause.entry(cause.clone()).or_default();
        if ids.is_empty() {
            order.push(cause);
        }
        ids.push(id);
    }
    let mut groups: Vec<Group> = order
        .into_iter()
        .map(|cause| {
            let mut ids = by_cause.remove(&cause).unwrap_or_default().into_iter();
            let representative = ids.next().unwrap_or_default();
            let others: Vec<String> = ids.collect();
            Group {
                count: others.len() + 1,
                cause,
                representative,
                others,
            }
        })
        .collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cause.cmp(&b.cause)));
    groups
}

/// The groups of a run's failed and errored cases.
pub fn of_run(report: &RunReport) -> Vec<Group> {
    group(
        report
            .outcomes
            .iter()
            .filter(|o| matches!(o.status, Status::Failed | Status::Errored))
            .map(|o| (o.id.clone(), cause(o, report))),
    )
}

/// The groups of a run's cases the cluster's policy blocked or left inconclusive
/// (`status`), by the policy's cause: one line per cause, with its cases.
pub fn of_policy(report: &RunReport, status: Status) -> Vec<Group> {
    group(
        report
            .outcomes
            .iter()
            .filter(|o| o.status == status)
            .map(|o| {
                let cause = o.admission.as_deref().unwrap_or("no cause recorded");
                (o.id.clone(), general(cause, o, report))
            }),
    )
}

/// The root cause of one failed or errored case, as a line.
pub fn cause(o: &CaseOutcome, report: &RunReport) -> String {
    let text = match (&o.error, o.mismatches.first()) {
        (Some(e), _) => e.clone(),
        (None, Some(_)) => mismatch_cause(&o.mismatches),
        (None, None) => snapshot_cause(&o.snapshot),
    };
    let text = general(&text, o, report);
    match text.char_indices().nth(CAUSE_LIMIT) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// A status mismatch says it all (the body follows from it); otherwise the first
/// mismatch, with list indices generalised.
fn mismatch_cause(mismatches: &[Mismatch]) -> String {
    let m = mismatches
        .iter()
        .find(|m| m.at == "status")
        .unwrap_or(&mismatches[0]);
    if m.at == "status" {
        return format!(
            "status expected {}, got {}",
            m.expected,
            changes::short(m.actual.as_ref())
        );
    }
    // A whole object expected where something else came: its kind says enough.
    let expected = match (&m.expected, &m.actual) {
        (Value::Object(e), actual) if !actual.as_ref().is_some_and(Value::is_object) => {
            match e.get("kind").and_then(Value::as_str) {
                Some(kind) => format!("a {kind} object"),
                None => "an object".to_owned(),
            }
        }
        (e, _) => changes::short(Some(e)),
    };
    format!(
        "{}: expected {expected}, got {}",
        changes::general_path(&m.at),
        changes::short(m.actual.as_ref())
    )
}

/// What a snapshot difference comes down to: a status pair, else the changed
/// paths (the first three, generalised).
pub fn snapshot_cause(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Differs { changes, .. } => changes_cause("snapshot", changes),
        Verdict::Missing { .. } => "no snapshot stored for the case".to_owned(),
        _ => "failed without a recorded difference".to_owned(),
    }
}

/// The cause of a list of changes, as `snapshot` (or another `what`) differs.
pub fn changes_cause(what: &str, changes: &[Change]) -> String {
    if let Some(c) = changes.iter().find(|c| c.path == "status") {
        return format!(
            "{what} status {} → {}",
            changes::short(c.before.as_ref()),
            changes::short(c.after.as_ref())
        );
    }
    let mut paths: Vec<String> = changes
        .iter()
        .map(|c| changes::general_path(&c.path))
        .collect();
    paths.dedup();
    match paths.len() {
        0 => format!("{what} differs (no structured difference)"),
        n if n > 3 => format!(
            "{what} differs at {} and {} more",
            paths[..3].join(", "),
            n - 3
        ),
        _ => format!("{what} differs at {}", paths.join(", ")),
    }
}

/// A cause with what is particular to the case taken out: its names, the URL it
/// was sent to (the same failure on other paths is the same cause) and how many
/// tries it took.
fn general(text: &str, o: &CaseOutcome, report: &RunReport) -> String {
    let mut text = text.to_owned();
    for (name, placeholder) in [
        (o.pod.as_str(), "[pod]"),
        (report.namespace.as_str(), "[namespace]"),
        (report.run_id.as_str(), "[run]"),
    ] {
        // Whole names only: a short run id may also occur inside a word.
        let whole = Regex::new(&format!(r"\b{}\b", regex::escape(name)));
        if let (false, Ok(whole)) = (name.is_empty(), whole) {
            text = whole.replace_all(&text, placeholder).into_owned();
        }
    }
    let urls = Regex::new(&format!(r"{}[^\s):]*", regex::escape(&report.target)))
        .expect("an escaped literal is a valid regex");
    let text = urls.replace_all(&text, "[target]/…");
    let attempts = Regex::new(r" \(after \d+ attempts\)").expect("a valid regex");
    attempts.replace_all(&text, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_lose_what_is_particular_to_the_case() {
        let r = crate::report::sample::report_of(Vec::new());
        let o = |error: &str| CaseOutcome {
            error: Some(error.to_owned()),
            pod: "label-3-r".into(),
            ..crate::report::sample::bare("x")
        };
        let a = o(
            "no answer to the case's request: PATCH http://t/api/v1/namespaces/ns/pods/label-3-r/status: timed out: error sending request for url (http://t/api/v1/namespaces/ns/pods/label-3-r/status) (after 4 attempts)",
        );
        let b = o(
            "no answer to the case's request: PATCH http://t/api/v1/namespaces/ns/pods/label-3-r: timed out: error sending request for url (http://t/api/v1/namespaces/ns/pods/label-3-r)",
        );
        assert_eq!(cause(&a, &r), cause(&b, &r));
        assert_eq!(
            cause(&b, &r),
            "no answer to the case's request: PATCH [target]/…: timed out: error sending request for url ([target]/…)"
        );
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn largest_groups_come_first_with_a_representative() {
        let groups = group(pairs(&[
            ("a", "status expected 200, got 415"),
            ("b", "status expected 200, got 202"),
            ("c", "status expected 200, got 202"),
            ("d", "status expected 200, got 202"),
            ("e", "status expected 200, got 415"),
            ("f", "body.message: expected \"x\", got absent"),
        ]));
        let summary: Vec<(usize, &str, &str)> = groups
            .iter()
            .map(|g| (g.count, g.cause.as_str(), g.representative.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (3, "status expected 200, got 202", "b"),
                (2, "status expected 200, got 415", "a"),
                (1, "body.message: expected \"x\", got absent", "f"),
            ]
        );
        assert_eq!(groups[0].others, ["c", "d"]);
    }

    #[test]
    fn a_status_mismatch_is_the_cause_even_when_listed_later() {
        let m = |at: &str, e, a| Mismatch {
            at: at.into(),
            expected: e,
            actual: Some(a),
        };
        let cause = mismatch_cause(&[
            m("body.kind", json!("Pod"), json!("Status")),
            m("status", json!(200), json!(202)),
        ]);
        assert_eq!(cause, "status expected 200, got 202");
        let cause = mismatch_cause(&[m("body.spec.containers[1].image", json!("a"), json!("b"))]);
        assert_eq!(
            cause,
            "body.spec.containers[*].image: expected \"a\", got \"b\""
        );
    }

    #[test]
    fn snapshot_causes_lead_with_the_status() {
        let before = json!({"status": 200, "body": {"kind": "Pod"}});
        let after = json!({"status": 415, "body": {"kind": "Status"}});
        let c = changes::between(&before, &after);
        assert_eq!(changes_cause("snapshot", &c), "snapshot status 200 → 415");
        let after = json!({"status": 200, "body": {"kind": "Pod", "a": 1, "b": 2, "c": 3, "d": 4}});
        let c = changes::between(&before, &after);
        assert_eq!(
            changes_cause("snapshot", &c),
            "snapshot differs at body.a, body.b, body.c and 1 more"
        );
    }
}
