//! The Markdown summary (`--markdown FILE`): counts, the failures grouped by cause
//! and the pass rates per feature, short enough for a CI job to post as a comment.
//!
//! Pure text building from a finished `RunReport`; it judges nothing.

use std::fmt::Write;

use super::Counts;
use crate::features;
use crate::run::RunReport;
use crate::triage;

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
    out.push_str(&features::markdown(
        &features::scores(&report.outcomes),
        "Pass rates per feature",
    ));
    out
}
