//! The terminal report: one line per case as it finishes, then for each failure
//! what was sent, what came back, the differences and a reproduction command, and a
//! last line `N passed, N failed, N skipped`.
//!
//! Pure text building; the binary decides where it goes.

use std::fmt::Write;

use serde_json::Value;

use super::Counts;
use crate::compare::Mismatch;
use crate::request::excerpt;
use crate::run::{CaseOutcome, RunReport, Status};
use crate::snapshot::Verdict;

/// Longest body excerpt shown for a failure.
const BODY_LIMIT: usize = 4000;

/// The progress line of a finished case.
pub fn case_line(o: &CaseOutcome, done: usize, total: usize) -> String {
    let word = match o.status {
        Status::Passed => "PASS",
        Status::Failed => "FAIL",
        Status::Errored => "ERROR",
        Status::Skipped => "SKIP",
    };
    let width = total.to_string().len();
    let mut line = format!(
        "[{done:>width$}/{total}] {word:<5} {} ({} ms)",
        o.id,
        o.duration.as_millis()
    );
    if let Some(why) = &o.skip_reason {
        line.push_str(&format!(": {why}"));
    }
    if let Some(n) = o
        .observed
        .as_ref()
        .map(|obs| obs.attempts)
        .filter(|n| *n > 1)
    {
        line.push_str(&format!(" [{n} attempts: infrastructure retries]"));
    }
    line
}

/// One line saying why a case did not pass.
pub fn headline(o: &CaseOutcome) -> String {
    if let Some(e) = &o.error {
        return e.clone();
    }
    let mut parts: Vec<String> = o
        .mismatches
        .iter()
        .take(3)
        .map(|m| {
            format!(
                "{}: expected {}, got {}",
                m.at,
                short(&m.expected),
                m.actual.as_ref().map_or("nothing".into(), short)
            )
        })
        .collect();
    if o.mismatches.len() > 3 {
        parts.push(format!("and {} more", o.mismatches.len() - 3));
    }
    match &o.snapshot {
        Verdict::Missing { .. } => parts.push("no snapshot".into()),
        Verdict::Differs { .. } => parts.push("snapshot differs".into()),
        _ => {}
    }
    parts.join("; ")
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(120).collect::<String>())
    } else {
        text
    }
}

/// The body as a reader wants it: indented JSON, with `managedFields` (long and
/// rarely the point) folded; other text as it came.
fn pretty(text: &str) -> String {
    let Ok(mut v) = serde_json::from_str::<Value>(text) else {
        return text.to_owned();
    };
    if let Some(fields) = v.pointer_mut("/metadata/managedFields") {
        let n = fields.as_array().map_or(0, Vec::len);
        *fields = Value::String(format!("[{n} entries folded; see --json]"));
    }
    serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_owned())
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| format!("{by}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn mismatch(out: &mut String, m: &Mismatch) {
    let expected = serde_json::to_string_pretty(&m.expected).unwrap_or_default();
    let actual = m.actual.as_ref().map_or("(absent)".to_owned(), |a| {
        serde_json::to_string_pretty(a).unwrap_or_default()
    });
    if expected.contains('\n') || actual.contains('\n') {
        let diff = similar::TextDiff::from_lines(&expected, &actual)
            .unified_diff()
            .context_radius(4)
            .header("expected", "actual")
            .to_string();
        let _ = writeln!(out, "  {}:\n{}", m.at, indent(&diff, "    "));
    } else {
        let _ = writeln!(out, "  {}: expected {expected}, got {actual}", m.at);
    }
}

/// Everything a reader needs to understand a failure.
pub fn details(o: &CaseOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", o.id, o.path.display());
    let _ = writeln!(out, "{}", indent(o.description.trim(), "  "));
    if let Some(e) = &o.error {
        let _ = writeln!(out, "error: {e}");
    }
    if let Some(r) = &o.request {
        let _ = writeln!(out, "sent: {} {}", r.method, r.path);
        for (k, v) in &r.headers {
            let _ = writeln!(out, "  {k}: {v}");
        }
        if !r.body.is_empty() {
            let _ = writeln!(out, "{}", indent(&excerpt(&r.body, BODY_LIMIT), "  "));
        }
    }
    if let Some(obs) = &o.observed {
        let _ = writeln!(out, "got: {}", obs.status);
        let _ = writeln!(
            out,
            "{}",
            indent(&excerpt(&pretty(&obs.body), BODY_LIMIT), "  ")
        );
    }
    if !o.mismatches.is_empty() {
        let _ = writeln!(out, "differences from the case's expectations:");
        for m in &o.mismatches {
            mismatch(&mut out, m);
        }
    }
    match &o.snapshot {
        Verdict::Missing { pending } => {
            let _ = writeln!(
                out,
                "snapshot: none stored yet{}",
                pending_note(pending.as_deref())
            );
            if let Some(n) = &o.normalized {
                let _ = writeln!(out, "{}", indent(&crate::normalize::render(n), "  +"));
            }
        }
        Verdict::Differs { diff, pending } => {
            let _ = writeln!(out, "snapshot: differs{}", pending_note(pending.as_deref()));
            let _ = writeln!(out, "{}", indent(diff, "  "));
        }
        _ => {}
    }
    if let Some(c) = &o.cleanup_error {
        let _ = writeln!(out, "cleanup: {c}");
    }
    if let Some(curl) = &o.curl {
        let _ = writeln!(
            out,
            "reproduce (the pod was deleted after the case; recreate it first):\n  {curl}"
        );
    }
    out
}

fn pending_note(pending: Option<&std::path::Path>) -> String {
    match pending {
        Some(p) => format!(
            " (written to {} for review: `cargo insta review`, or rerun with --update-snapshots)",
            p.display()
        ),
        None => " (nothing written: CI mode, or the built-in read-only snapshots; rerun locally in a checkout or in a folder from `podpatch cases export`, or with --update-snapshots there)".into(),
    }
}

/// The end of the terminal report: failures in detail, run notes, the counts line.
pub fn footer(report: &RunReport) -> String {
    let mut out = String::new();
    let failed: Vec<&CaseOutcome> = report
        .outcomes
        .iter()
        .filter(|o| matches!(o.status, Status::Failed | Status::Errored))
        .collect();
    for o in &failed {
        let _ = writeln!(
            out,
            "\n──── {} {}",
            if o.status == Status::Errored {
                "ERROR"
            } else {
                "FAIL"
            },
            o.id
        );
        out.push_str(&details(o));
    }
    if !report.unreferenced_snapshots.is_empty() {
        let _ = writeln!(
            out,
            "\nsnapshots with no case (delete them or restore their cases):"
        );
        for p in &report.unreferenced_snapshots {
            let _ = writeln!(out, "  {}", p.display());
        }
    }
    for note in &report.notes {
        let _ = writeln!(out, "\nnote: {note}");
    }
    if let Some(why) = &report.interrupted {
        let _ = writeln!(out, "\nthe run stopped early: {why}");
    }
    if let Some(e) = &report.cleanup_error {
        let _ = writeln!(
            out,
            "\ncleanup failed: {e} (run `podpatch cleanup` to remove leftovers)"
        );
    }
    let version = report
        .version
        .as_ref()
        .and_then(|v| v["gitVersion"].as_str())
        .unwrap_or("unknown version");
    let _ = writeln!(
        out,
        "\ntarget {} ({version}), run {}",
        report.target, report.run_id
    );
    let _ = write!(out, "{}", Counts::of(report).line());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn progress_lines() {
        let report = sample::report();
        let lines: Vec<String> = report
            .outcomes
            .iter()
            .enumerate()
            .map(|(i, o)| case_line(o, i + 1, report.outcomes.len()))
            .collect();
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn headlines() {
        let lines: Vec<String> = sample::report()
            .outcomes
            .iter()
            .map(|o| format!("{}: {}", o.id, headline(o)))
            .collect();
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn footer_of_a_mixed_run() {
        insta::assert_snapshot!(footer(&sample::report()));
    }
}
