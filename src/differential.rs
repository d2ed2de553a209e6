//! Differential comparison: the same cases run against two targets, their
//! normalised observations compared case by case. This is how mock fidelity is
//! measured and how two clusters or versions are compared. Pure: two run reports in,
//! differences out.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::normalize;
use crate::run::{CaseOutcome, RunReport, Status};

/// How one case compares across the two targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum CaseDiff {
    Same,
    /// The normalised observations differ; `diff` is unified, A → B.
    Differs {
        diff: String,
    },
    /// One side could not be observed (error or skip), so nothing was compared.
    Incomparable {
        reason: String,
    },
}

/// One compared case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    pub id: String,
    #[serde(flatten)]
    pub diff: CaseDiff,
}

fn observation(o: &CaseOutcome) -> Result<String, String> {
    match (&o.status, &o.normalized) {
        (Status::Skipped, _) => Err(format!(
            "skipped: {}",
            o.skip_reason.as_deref().unwrap_or("no reason")
        )),
        (_, Some(n)) => Ok(normalize::render(n)),
        (_, None) => Err(o.error.clone().unwrap_or_else(|| "no observation".into())),
    }
}

/// Compares the outcomes of the same cases on target A and target B.
pub fn compare(a: &RunReport, b: &RunReport, label_a: &str, label_b: &str) -> Vec<Compared> {
    let by_id = |r: &RunReport| -> BTreeMap<String, Result<String, String>> {
        r.outcomes
            .iter()
            .map(|o| (o.id.clone(), observation(o)))
            .collect()
    };
    let (a, b) = (by_id(a), by_id(b));
    let mut ids: Vec<&String> = a.keys().chain(b.keys()).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let missing = || Err("not run".to_owned());
            let diff = match (
                a.get(id).cloned().unwrap_or_else(missing),
                b.get(id).cloned().unwrap_or_else(missing),
            ) {
                (Ok(x), Ok(y)) if x == y => CaseDiff::Same,
                (Ok(x), Ok(y)) => CaseDiff::Differs {
                    diff: similar::TextDiff::from_lines(&x, &y)
                        .unified_diff()
                        .context_radius(3)
                        .header(label_a, label_b)
                        .to_string(),
                },
                (Err(e), _) => CaseDiff::Incomparable {
                    reason: format!("{label_a}: {e}"),
                },
                (_, Err(e)) => CaseDiff::Incomparable {
                    reason: format!("{label_b}: {e}"),
                },
            };
            Compared {
                id: id.clone(),
                diff,
            }
        })
        .collect()
}

/// The terminal view of a comparison, ending with `N same, N different, N incomparable`.
pub fn render(compared: &[Compared]) -> String {
    let mut out = String::new();
    let (mut same, mut differ, mut incomparable) = (0, 0, 0);
    for c in compared {
        match &c.diff {
            CaseDiff::Same => {
                same += 1;
                let _ = writeln!(out, "SAME    {}", c.id);
            }
            CaseDiff::Differs { diff } => {
                differ += 1;
                let _ = writeln!(out, "DIFFER  {}\n{}", c.id, diff.trim_end());
            }
            CaseDiff::Incomparable { reason } => {
                incomparable += 1;
                let _ = writeln!(out, "ERROR   {}: {reason}", c.id);
            }
        }
    }
    let _ = write!(
        out,
        "{same} same, {differ} different, {incomparable} incomparable"
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::Verdict;
    use serde_json::json;
    use std::time::Duration;

    fn outcome(id: &str, normalized: Option<serde_json::Value>) -> CaseOutcome {
        CaseOutcome {
            id: id.into(),
            path: id.into(),
            description: String::new(),
            tags: vec![],
            status: if normalized.is_some() {
                Status::Passed
            } else {
                Status::Errored
            },
            duration: Duration::ZERO,
            pod: "p".into(),
            request: None,
            curl: None,
            observed: None,
            mismatches: vec![],
            snapshot: Verdict::Skipped,
            normalized,
            error: Some("boom".into()),
            skip_reason: None,
            cleanup_error: None,
        }
    }

    fn report(outcomes: Vec<CaseOutcome>) -> RunReport {
        RunReport {
            run_id: "r".into(),
            target: "t".into(),
            version: None,
            namespace: "n".into(),
            outcomes,
            unreferenced_snapshots: vec![],
            interrupted: None,
            notes: vec![],
            cleanup_error: None,
        }
    }

    #[test]
    fn compares_case_by_case() {
        let a = report(vec![
            outcome("same", Some(json!({"status": 200}))),
            outcome("differs", Some(json!({"status": 200}))),
            outcome("broken", None),
        ]);
        let b = report(vec![
            outcome("same", Some(json!({"status": 200}))),
            outcome("differs", Some(json!({"status": 422}))),
            outcome("broken", Some(json!({}))),
        ]);
        let c = compare(&a, &b, "mock", "real");
        let by: BTreeMap<_, _> = c.iter().map(|c| (c.id.as_str(), &c.diff)).collect();
        assert_eq!(by["same"], &CaseDiff::Same);
        match by["differs"] {
            CaseDiff::Differs { diff } => {
                assert!(
                    diff.contains("-status: 200") && diff.contains("+status: 422"),
                    "{diff}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            by["broken"],
            &CaseDiff::Incomparable {
                reason: "mock: boom".into()
            }
        );
        assert!(render(&c).ends_with("1 same, 1 different, 1 incomparable"));
    }
}
