//! Known gaps: a file of expected failures (`--expected-failures FILE`), as a mock
//! author keeps it while the mock catches up, like Pact's pending pacts. Listed
//! cases still run; a listed case that fails for the listed cause is an expected
//! failure and does not fail the run; one that passes is reported as passing now,
//! so the entry can go; an entry past its `expires` date no longer excuses anything.
//!
//! The file, YAML, a list of entries (unknown keys are errors):
//!
//! ```yaml
//! - reason: PATCH answers 202 Accepted, Kubernetes answers 200   # required
//!   cases: [json-patch/, merge-patch/replace-labels]  # ids, `folder/` prefixes, or `*`
//!   tags: [strategic-merge-patch]                     # any of these tags
//!   cause: "status expected 200, got 202"             # optional: text of the triage cause
//!   expires: 2027-06-30                               # optional: fails again after this day
//! ```
//!
//! An entry with neither `cases` nor `tags` selects every case (then give a `cause`).
//! This module loads and judges; it sends nothing and renders nothing.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::run::{CaseOutcome, RunReport, Status};
use crate::triage;

/// One entry of an expected-failures file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Why the target fails these cases (shown with each of them).
    pub reason: String,
    /// Case ids, folder prefixes ending in `/`, or `*`.
    #[serde(default)]
    pub cases: Vec<String>,
    /// Cases with any of these tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Only a failure whose triage cause contains this text is expected.
    pub cause: Option<String>,
    /// The last day the entry holds (`YYYY-MM-DD`).
    pub expires: Option<String>,
}

/// A loaded expected-failures file.
#[derive(Debug, Clone)]
pub struct ExpectedFailures {
    pub path: PathBuf,
    pub entries: Vec<(Entry, Option<jiff::civil::Date>)>,
}

/// An expected-failures file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct ExpectedError {
    pub path: String,
    pub reason: String,
}

/// Reads and checks an expected-failures file.
pub fn load(path: &Path) -> Result<ExpectedFailures, ExpectedError> {
    let error = |reason: String| ExpectedError {
        path: path.display().to_string(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
    parse(&text, path).map_err(error)
}

fn parse(text: &str, path: &Path) -> Result<ExpectedFailures, String> {
    let entries: Vec<Entry> = serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
        Some(l) => format!("{}:{}: {e}", l.line(), l.column()),
        None => e.to_string(),
    })?;
    let mut out = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let n = i + 1;
        if entry.reason.trim().is_empty() {
            return Err(format!("entry {n}: `reason` is empty"));
        }
        if entry.cases.is_empty() && entry.tags.is_empty() && entry.cause.is_none() {
            return Err(format!(
                "entry {n} selects every case for any cause: give `cases`, `tags` or `cause`"
            ));
        }
        let expires = entry
            .expires
            .as_deref()
            .map(|d| {
                d.parse::<jiff::civil::Date>()
                    .map_err(|e| format!("entry {n}: `expires: {d}` is not a YYYY-MM-DD date: {e}"))
            })
            .transpose()?;
        out.push((entry, expires));
    }
    Ok(ExpectedFailures {
        path: path.to_path_buf(),
        entries: out,
    })
}

impl Entry {
    /// Whether the entry lists the case (by id, folder, `*` or tag).
    fn selects(&self, o: &CaseOutcome) -> bool {
        self.names(o)
            || self.cases.iter().any(|c| c == "*")
            || (self.cases.is_empty() && self.tags.is_empty())
    }

    /// Whether the entry names the case itself (id, folder or tag), not all cases.
    fn names(&self, o: &CaseOutcome) -> bool {
        let by_id = self
            .cases
            .iter()
            .any(|c| *c == o.id || (c.ends_with('/') && o.id.starts_with(c.as_str())));
        by_id || self.tags.iter().any(|t| o.tags.contains(t))
    }
}

/// What applying the file changed, for the report's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Applied {
    /// Cases now reported as expected failures.
    pub expected: usize,
    /// Listed cases that passed: their entries (or ids) can go.
    pub now_passing: Vec<String>,
    /// Listed cases that failed but are no longer excused (expired entry, other cause).
    pub not_excused: Vec<String>,
}

/// Marks the failures the file expects as expected failures, notes listed cases
/// that pass now, and leaves other failures failing. `today` decides expiry.
pub fn apply(report: &mut RunReport, file: &ExpectedFailures, today: jiff::civil::Date) -> Applied {
    let mut applied = Applied::default();
    let causes: Vec<Option<String>> = report
        .outcomes
        .iter()
        .map(|o| {
            matches!(o.status, Status::Failed | Status::Errored).then(|| triage::cause(o, report))
        })
        .collect();
    let source = file.path.display();
    for (o, cause) in report.outcomes.iter_mut().zip(causes) {
        let listed: Vec<&(Entry, Option<jiff::civil::Date>)> =
            file.entries.iter().filter(|(e, _)| e.selects(o)).collect();
        if listed.is_empty() {
            continue;
        }
        match (o.status, cause) {
            (Status::Passed, _) => {
                // Only entries that name the case (not a cause-only entry) expect it to fail.
                if let Some((e, _)) = listed.iter().find(|(e, _)| e.cause.is_none()) {
                    o.expected_failure = Some(format!(
                        "listed in {source} as an expected failure ({}), but passes now: remove it from the file",
                        e.reason
                    ));
                    applied.now_passing.push(o.id.clone());
                }
            }
            (Status::Failed | Status::Errored, Some(cause)) => {
                let same_cause: Vec<_> = listed
                    .iter()
                    .filter(|(e, _)| e.cause.as_deref().is_none_or(|c| cause.contains(c)))
                    .collect();
                let valid = same_cause
                    .iter()
                    .find(|(_, until)| until.is_none_or(|d| today <= d));
                match (valid, same_cause.first(), listed.first()) {
                    (Some((e, _)), _, _) => {
                        o.status = Status::ExpectedFailure;
                        o.expected_failure =
                            Some(format!("expected failure ({source}): {}", e.reason));
                        applied.expected += 1;
                    }
                    (None, Some((e, Some(until))), _) => {
                        o.expected_failure = Some(format!(
                            "the expected-failure entry in {source} expired on {until}: {}",
                            e.reason
                        ));
                        applied.not_excused.push(o.id.clone());
                    }
                    // Only an entry that names the case (not `*`) expected this one.
                    (_, _, Some((e, _))) if e.names(o) => {
                        o.expected_failure = Some(format!(
                            "listed in {source} for cause `{}`, but failed for another: {cause}",
                            e.cause.as_deref().unwrap_or_default()
                        ));
                        applied.not_excused.push(o.id.clone());
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(id: &str, tags: &[&str], status: Status, status_got: u16) -> CaseOutcome {
        let mismatches = if status == Status::Failed {
            vec![crate::compare::Mismatch {
                at: "status".into(),
                expected: 200.into(),
                actual: Some(status_got.into()),
            }]
        } else {
            Vec::new()
        };
        CaseOutcome {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            status,
            mismatches,
            ..crate::report::sample::bare(id)
        }
    }

    const FILE: &str = "\
- reason: answers 202
  cases: ['*']
  cause: status expected 200, got 202
- reason: no strategic merge
  tags: [strategic-merge-patch]
- reason: old gap
  cases: [json-patch/old]
  expires: 2026-01-31
";

    fn day(s: &str) -> jiff::civil::Date {
        s.parse().unwrap()
    }

    #[test]
    fn expected_failures_pass_and_the_rest_stays() {
        let file = parse(FILE, Path::new("x.yaml")).unwrap();
        let mut r = crate::report::sample::report_of(vec![
            outcome("merge-patch/a", &["merge-patch"], Status::Failed, 202),
            outcome("merge-patch/b", &["merge-patch"], Status::Failed, 500),
            outcome(
                "strategic/c",
                &["strategic-merge-patch"],
                Status::Failed,
                415,
            ),
            outcome("strategic/d", &["strategic-merge-patch"], Status::Passed, 0),
            outcome("json-patch/old", &[], Status::Failed, 409),
        ]);
        let applied = apply(&mut r, &file, day("2026-12-06"));
        let statuses: Vec<Status> = r.outcomes.iter().map(|o| o.status).collect();
        assert_eq!(
            statuses,
            [
                Status::ExpectedFailure,
                Status::Failed,
                Status::ExpectedFailure,
                Status::Passed,
                Status::Failed
            ]
        );
        assert_eq!(applied.expected, 2);
        assert_eq!(applied.now_passing, ["strategic/d"]);
        assert_eq!(applied.not_excused, ["json-patch/old"]);
        let expired = r.outcomes[4].expected_failure.as_deref().unwrap();
        assert!(expired.contains("expired on 2026-01-31"), "{expired}");
        // Before the expiry date the same entry still excuses the case.
        let mut r = crate::report::sample::report_of(vec![outcome(
            "json-patch/old",
            &[],
            Status::Failed,
            409,
        )]);
        apply(&mut r, &file, day("2026-01-31"));
        assert_eq!(r.outcomes[0].status, Status::ExpectedFailure);
    }

    #[test]
    fn bad_files_say_where() {
        let e = parse("- reason: x\n  case: [a]\n", Path::new("f")).unwrap_err();
        assert!(e.contains("unknown field `case`"), "{e}");
        let e = parse(
            "- reason: x\n  cases: [a]\n  expires: soon\n",
            Path::new("f"),
        )
        .unwrap_err();
        assert!(e.contains("entry 1: `expires: soon`"), "{e}");
        let e = parse("- reason: x\n", Path::new("f")).unwrap_err();
        assert!(e.contains("selects every case"), "{e}");
    }
}
