//! Differential comparison: the same cases run against two targets, their
//! normalised observations compared case by case. This is how mock fidelity is
//! measured and how two clusters or versions are compared. Pure: two run reports in,
//! differences out.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use crate::changes::{self, Change};
use crate::normalize;
use crate::run::{CaseOutcome, RunReport, Status};
use crate::triage;

/// How one case compares across the two targets.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum CaseDiff {
    Same,
    /// The normalised observations differ: `changes` lists the changed paths A → B,
    /// most telling first; `diff` is unified, A → B.
    Differs {
        changes: Vec<Change>,
        diff: String,
    },
    /// One side could not be observed (error or skip), so nothing was compared.
    Incomparable {
        reason: String,
    },
    /// The case applies to neither target's Kubernetes version (`kubernetes:`):
    /// both skip it, which is agreement, not a difference.
    Skipped {
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

fn observation(o: &CaseOutcome) -> Result<Value, String> {
    match (&o.status, &o.normalized) {
        (Status::Skipped, _) => Err(format!(
            "skipped: {}",
            o.skip_reason.as_deref().unwrap_or("no reason")
        )),
        (_, Some(n)) => Ok(n.clone()),
        (_, None) => Err(o.error.clone().unwrap_or_else(|| "no observation".into())),
    }
}

/// Compares the outcomes of the same cases on target A and target B.
pub fn compare(a: &RunReport, b: &RunReport, label_a: &str, label_b: &str) -> Vec<Compared> {
    let by_id = |r: &RunReport| -> BTreeMap<String, Result<Value, String>> {
        r.outcomes
            .iter()
            .map(|o| (o.id.clone(), observation(o)))
            .collect()
    };
    let skip_both: std::collections::BTreeSet<&String> = a
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Skipped)
        .filter(|o| {
            b.outcomes
                .iter()
                .any(|p| p.id == o.id && p.status == Status::Skipped)
        })
        .map(|o| &o.id)
        .collect();
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
                (Err(reason), Err(_)) if skip_both.contains(id) => CaseDiff::Skipped { reason },
                (Ok(x), Ok(y)) if x == y => CaseDiff::Same,
                (Ok(x), Ok(y)) => CaseDiff::Differs {
                    changes: changes::between(&x, &y),
                    diff: similar::TextDiff::from_lines(
                        &normalize::render(&x),
                        &normalize::render(&y),
                    )
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

/// The differing and incomparable cases grouped by cause, as `run` groups failures.
pub fn groups(compared: &[Compared]) -> Vec<triage::Group> {
    triage::group(compared.iter().filter_map(|c| {
        let cause = match &c.diff {
            CaseDiff::Same | CaseDiff::Skipped { .. } => return None,
            CaseDiff::Differs { changes, .. } => triage::changes_cause("A → B:", changes),
            CaseDiff::Incomparable { reason } => format!("incomparable: {reason}"),
        };
        Some((c.id.clone(), cause))
    }))
}

/// Changed paths shown per differing case.
const CHANGES_SHOWN: usize = 6;

/// The terminal view of a comparison: a line per case (the changed paths under a
/// differing one; its whole diff too when `verbose`), the differences grouped by
/// cause, and a last line `N same, N different, N incomparable` (`, N skipped`
/// when cases applied to neither target).
pub fn render(compared: &[Compared], verbose: bool) -> String {
    let mut out = String::new();
    let (mut same, mut differ, mut incomparable, mut skipped) = (0, 0, 0, 0);
    for c in compared {
        match &c.diff {
            CaseDiff::Same => {
                same += 1;
                let _ = writeln!(out, "SAME    {}", c.id);
            }
            CaseDiff::Differs { changes, diff } => {
                differ += 1;
                let _ = writeln!(out, "DIFFER  {}", c.id);
                for line in changes::lines(changes, CHANGES_SHOWN) {
                    let _ = writeln!(out, "          {line}");
                }
                if verbose {
                    let _ = writeln!(out, "{}", diff.trim_end());
                }
            }
            CaseDiff::Incomparable { reason } => {
                incomparable += 1;
                let _ = writeln!(out, "ERROR   {}: {reason}", c.id);
            }
            CaseDiff::Skipped { reason } => {
                skipped += 1;
                let _ = writeln!(out, "SKIP    {}: {reason}", c.id);
            }
        }
    }
    let groups = groups(compared);
    if !groups.is_empty() {
        let _ = writeln!(out, "\ndifferences by cause, largest first:");
        for g in &groups {
            let mut others = g
                .others
                .iter()
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if g.others.len() > 8 {
                others.push_str(&format!(" and {} more", g.others.len() - 8));
            }
            let _ = writeln!(out, "  {} case(s): {}", g.count, g.cause);
            let _ = writeln!(
                out,
                "    for example {}{}",
                g.representative,
                if others.is_empty() {
                    String::new()
                } else {
                    format!("; also {others}")
                }
            );
        }
    }
    let _ = write!(
        out,
        "\n{same} same, {differ} different, {incomparable} incomparable"
    );
    if skipped > 0 {
        let _ = write!(out, ", {skipped} skipped");
    }
    out
}

/// The comparison as JUnit: same passes, a difference fails, incomparable errs.
pub fn junit(compared: &[Compared], label_a: &str, label_b: &str) -> quick_junit::Report {
    use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new("podpatch diff");
    suite.add_property(Property::new("a", label_a));
    suite.add_property(Property::new("b", label_b));
    for c in compared {
        let status = match &c.diff {
            CaseDiff::Same => TestCaseStatus::success(),
            CaseDiff::Differs { changes, diff } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(triage::changes_cause("A → B:", changes));
                s.set_description(diff.as_str());
                s
            }
            CaseDiff::Incomparable { reason } => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(reason.as_str());
                s
            }
            CaseDiff::Skipped { reason } => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(reason.as_str());
                s
            }
        };
        let mut case = TestCase::new(c.id.as_str(), status);
        case.set_classname(c.id.rsplit_once('/').map_or("cases", |(dir, _)| dir));
        suite.add_test_case(case);
    }
    let mut doc = Report::new("podpatch");
    doc.add_test_suite(suite);
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn outcome(id: &str, normalized: Option<serde_json::Value>) -> CaseOutcome {
        CaseOutcome {
            status: if normalized.is_some() {
                Status::Passed
            } else {
                Status::Errored
            },
            normalized,
            error: Some("boom".into()),
            ..crate::report::sample::bare(id)
        }
    }

    #[test]
    fn a_case_both_targets_skip_is_no_difference() {
        let skipped = |id: &str| CaseOutcome {
            status: Status::Skipped,
            skip_reason: Some("applies to Kubernetes >=1.37; the target is 1.36".into()),
            ..crate::report::sample::bare(id)
        };
        let a = crate::report::sample::report_of(vec![skipped("both"), skipped("one")]);
        let b = crate::report::sample::report_of(vec![
            skipped("both"),
            outcome("one", Some(json!({"status": 200}))),
        ]);
        let c = compare(&a, &b, "mock", "real");
        assert!(matches!(c[0].diff, CaseDiff::Skipped { .. }), "{c:?}");
        assert!(matches!(c[1].diff, CaseDiff::Incomparable { .. }), "{c:?}");
        assert_eq!(
            crate::exit::Exit::of_diff(&c[..1]),
            crate::exit::Exit::Success
        );
        assert_eq!(crate::exit::Exit::of_diff(&c), crate::exit::Exit::Failure);
        assert!(render(&c, false).ends_with("0 same, 0 different, 1 incomparable, 1 skipped"));
    }

    #[test]
    fn compares_case_by_case() {
        let a = crate::report::sample::report_of(vec![
            outcome("same", Some(json!({"status": 200}))),
            outcome("differs", Some(json!({"status": 200}))),
            outcome("broken", None),
        ]);
        let b = crate::report::sample::report_of(vec![
            outcome("same", Some(json!({"status": 200}))),
            outcome("differs", Some(json!({"status": 422}))),
            outcome("broken", Some(json!({}))),
        ]);
        let c = compare(&a, &b, "mock", "real");
        let by: BTreeMap<_, _> = c.iter().map(|c| (c.id.as_str(), &c.diff)).collect();
        assert_eq!(by["same"], &CaseDiff::Same);
        match by["differs"] {
            CaseDiff::Differs { changes, diff } => {
                assert!(
                    diff.contains("-status: 200") && diff.contains("+status: 422"),
                    "{diff}"
                );
                assert_eq!(changes[0].path, "status");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            by["broken"],
            &CaseDiff::Incomparable {
                reason: "mock: boom".into()
            }
        );
        let text = render(&c, false);
        assert!(
            text.ends_with("1 same, 1 different, 1 incomparable"),
            "{text}"
        );
        assert!(
            text.contains("1 case(s): A → B: status 200 → 422"),
            "{text}"
        );
        let groups = groups(&c);
        assert_eq!(groups.len(), 2);
    }
}
