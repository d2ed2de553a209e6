//! The Markdown summary (`--markdown FILE`): counts, the failures grouped by cause,
//! the cases the cluster's policy blocked or left inconclusive grouped by its cause,
//! and the pass rates per feature, short enough for a CI job to post as a comment.
//!
//! Pure text building from a finished `RunReport`; it judges nothing.

use std::fmt::Write;

use super::Counts;
use crate::features;
use crate::run::{RunReport, Status};
use crate::triage;

/// Cases named per policy cause; the JSON report lists them all.
const CASES_LISTED: usize = 8;

/// The summary of a run as Markdown.
pub fn summary(report: &RunReport) -> String {
    let counts = Counts::of(report);
    let mut out = format!(
        "# podpatch against `{}`\n\n{}",
        report.target,
        counts.line()
    );
    if counts.expected_failures > 0 || counts.now_passing > 0 {
        let _ = write!(
            out,
            "; {} expected failures, {} listed cases pass now",
            counts.expected_failures, counts.now_passing
        );
    }
    out.push_str("\n\n");
    let groups = triage::of_run(report);
    if !groups.is_empty() {
        out.push_str("## Failures by cause\n\n| cases | cause | for example |\n|---:|---|---|\n");
        for g in &groups {
            let _ = writeln!(
                out,
                "| {} | {} | `{}` |",
                g.count,
                g.cause.replace('|', "\\|"),
                g.representative
            );
        }
        out.push('\n');
    }
    for (status, title) in [
        (Status::Blocked, "Blocked by the cluster's policy"),
        (
            Status::Inconclusive,
            "Inconclusive: the cluster's admission explains the difference",
        ),
    ] {
        let groups = triage::of_policy(report, status);
        if groups.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "## {title}\n\n| cases | cause | cases |\n|---:|---|---|\n"
        );
        for g in &groups {
            let mut ids = vec![g.representative.as_str()];
            ids.extend(g.others.iter().take(CASES_LISTED - 1).map(String::as_str));
            let more = g.count.saturating_sub(CASES_LISTED);
            let mut list = ids
                .iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if more > 0 {
                let _ = write!(list, " and {more} more");
            }
            let _ = writeln!(
                out,
                "| {} | {} | {list} |",
                g.count,
                g.cause.replace('|', "\\|")
            );
        }
        out.push('\n');
    }
    out.push_str(&features::markdown(
        &features::scores(&report.outcomes),
        "Pass rates per feature",
    ));
    out
}
