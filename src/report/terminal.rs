//! The terminal report: one line per case as it finishes, then the failures grouped
//! by root cause (largest first, one representative in full, the others by id), with
//! every failure in full only on request (`--verbose`), and a last line
//! `N passed, N failed, N skipped`. A failure shows what was sent, what came back,
//! what differs (status, message, changed paths first) and a reproduction command.
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
/// Changed paths listed before a snapshot's line diff.
const CHANGES_SHOWN: usize = 12;
/// Lines of a snapshot's line diff shown; the JSON report has all of it.
const DIFF_LINES: usize = 60;
/// Other cases of a group listed by id in the terminal.
const OTHERS_SHOWN: usize = 12;
/// Groups shown with an example; the smaller ones get a line each.
const GROUPS_SHOWN: usize = 10;
/// Longest line of a failure's details; longer ones (a 3 MiB label) are cut.
const LINE_LIMIT: usize = 400;

/// The progress line of a finished case.
pub fn case_line(o: &CaseOutcome, done: usize, total: usize) -> String {
    let word = word(o.status);
    let width = total.to_string().len();
    let mut line = format!(
        "[{done:>width$}/{total}] {word:<5} {} ({} ms)",
        o.id,
        o.duration.as_millis()
    );
    if let Some(why) = &o.skip_reason {
        line.push_str(&format!(": {why}"));
    }
    if let (Status::Blocked | Status::Inconclusive, Some(cause)) = (o.status, &o.admission) {
        line.push_str(&format!(": {cause}"));
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

fn word(status: Status) -> &'static str {
    match status {
        Status::Passed => "PASS",
        Status::Failed => "FAIL",
        Status::Errored => "ERROR",
        Status::Skipped => "SKIP",
        Status::ExpectedFailure => "XFAIL",
        Status::Blocked => "BLOCKED",
        Status::Inconclusive => "INCONCLUSIVE",
    }
}

/// The cases the cluster's admission or policy blocked or left inconclusive, once
/// per cause with its cases: what a platform engineer reads to tell the cluster's
/// policy apart from the Pod API.
fn policy_groups(out: &mut String, report: &RunReport, verbose: bool) {
    for (status, what) in [
        (
            Status::Blocked,
            "blocked by the cluster's admission or policy (the starting pod or the case's setup was refused; the PATCH was not judged)",
        ),
        (
            Status::Inconclusive,
            "inconclusive: the target's answer differs from upstream's, and the cluster's admission explains it",
        ),
    ] {
        let groups = crate::triage::of_policy(report, status);
        if groups.is_empty() {
            continue;
        }
        let cases: usize = groups.iter().map(|g| g.count).sum();
        let _ = writeln!(out, "\n{cases} case(s) {what}; {} cause(s):", groups.len());
        for g in &groups {
            let shown = if verbose { g.count } else { OTHERS_SHOWN };
            let mut ids: Vec<&str> = vec![g.representative.as_str()];
            ids.extend(g.others.iter().map(String::as_str));
            let mut list = ids[..ids.len().min(shown)].join(", ");
            if ids.len() > shown {
                list.push_str(&format!(
                    " and {} more (--verbose or the JSON report lists them)",
                    ids.len() - shown
                ));
            }
            let _ = writeln!(out, "  {} case(s): {}\n    {list}", g.count, g.cause);
        }
    }
}

/// The failures grouped by root cause: each group's count and cause, its
/// representative in full (unless `verbose` showed every case already), the others
/// by id.
fn groups(out: &mut String, report: &RunReport, verbose: bool) {
    let groups = crate::triage::of_run(report);
    if groups.is_empty() {
        return;
    }
    let cases: usize = groups.iter().map(|g| g.count).sum();
    let _ = writeln!(
        out,
        "\n{cases} failed case(s), {} cause(s), largest first:",
        groups.len()
    );
    for (i, g) in groups.iter().enumerate() {
        if i == GROUPS_SHOWN && !verbose {
            let _ = writeln!(out, "\nsmaller causes (--verbose shows each case in full):");
        }
        if i >= GROUPS_SHOWN && !verbose {
            let _ = writeln!(
                out,
                "  {} case(s): {} (e.g. {})",
                g.count, g.cause, g.representative
            );
            continue;
        }
        let _ = writeln!(
            out,
            "\n━━━━ cause {}: {} case(s): {}",
            i + 1,
            g.count,
            g.cause
        );
        let rep = report.outcomes.iter().find(|o| o.id == g.representative);
        match rep {
            Some(o) if !verbose => {
                let _ = writeln!(
                    out,
                    "for example {} (--verbose for every case in full):",
                    o.id
                );
                out.push_str(&indent(&summary(o), "  "));
                out.push('\n');
            }
            _ => {
                let _ = writeln!(out, "for example {} (in full above)", g.representative);
            }
        }
        if !g.others.is_empty() {
            let shown = if verbose {
                g.others.len()
            } else {
                OTHERS_SHOWN
            };
            let mut list = g
                .others
                .iter()
                .take(shown)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if g.others.len() > shown {
                list.push_str(&format!(
                    " and {} more (--verbose or the JSON report lists them)",
                    g.others.len() - shown
                ));
            }
            let _ = writeln!(out, "also: {list}");
        }
    }
}

/// Pass rates per feature, patch types and subresources first, four to a line.
fn feature_scores(out: &mut String, report: &RunReport) {
    let scores = crate::features::scores(&report.outcomes);
    if scores.iter().all(|s| s.judged() == 0) {
        return;
    }
    let _ = writeln!(out, "\npass rates per feature (passed/judged):");
    let cells: Vec<String> = scores
        .iter()
        .map(|s| {
            format!(
                "{:<24}{:>8} {:>7}",
                s.feature,
                format!("{}/{}", s.passed, s.judged()),
                crate::features::rate_text(s)
            )
        })
        .collect();
    for row in cells.chunks(3) {
        let _ = writeln!(out, "  {}", row.join("   ").trim_end());
    }
}

/// What an expected-failures file made of the run: how many failures it excused,
/// which listed cases pass now (their entries can go), which it no longer excuses.
fn known_gaps(out: &mut String, report: &RunReport) {
    let counts = Counts::of(report);
    if counts.expected_failures > 0 {
        let _ = writeln!(
            out,
            "\n{} expected failure(s): known gaps listed in the expected-failures file",
            counts.expected_failures
        );
    }
    let passing: Vec<&str> = report
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Passed && o.expected_failure.is_some())
        .map(|o| o.id.as_str())
        .collect();
    if !passing.is_empty() {
        let _ = writeln!(
            out,
            "\n{} case(s) listed as expected failures pass now; remove them from the file:",
            passing.len()
        );
        for id in passing {
            let _ = writeln!(out, "  {id}");
        }
    }
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

/// A failure in a few lines: why, what was sent, what came back, how to reproduce.
pub fn summary(o: &CaseOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", headline(o));
    if let Some(note) = &o.expected_failure {
        let _ = writeln!(out, "{note}");
    }
    if let Some(step) = &o.step {
        let _ = writeln!(out, "at step {step}");
    }
    if let Some(r) = &o.request {
        let content_type = r
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map_or(String::new(), |(_, v)| format!(" ({v})"));
        let _ = writeln!(out, "sent: {} {}{content_type}", r.method, r.path);
    }
    if let Some(obs) = &o.observed {
        let _ = writeln!(
            out,
            "got: {}: {}",
            obs.status,
            crate::reason::from_body(obs.body())
        );
    }
    match &o.snapshot {
        Verdict::Missing { pending } => {
            let _ = writeln!(
                out,
                "snapshot: none stored{}",
                pending_note(pending.as_deref())
            );
        }
        Verdict::Differs {
            changes, pending, ..
        } => {
            let _ = writeln!(out, "snapshot: differs{}", pending_note(pending.as_deref()));
            for line in crate::changes::lines(changes, 4) {
                let _ = writeln!(out, "  {line}");
            }
        }
        _ => {}
    }
    if let Some(curl) = &o.curl {
        let _ = writeln!(out, "reproduce: {curl}");
    }
    cut_lines(&out)
}

/// Every line cut to `LINE_LIMIT` characters, saying how long it was.
fn cut_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(1 << 20));
    for line in text.lines() {
        match line.char_indices().nth(LINE_LIMIT) {
            Some((end, _)) => {
                let _ = writeln!(out, "{}… ({} bytes in all)", &line[..end], line.len());
            }
            None => {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

/// Everything a reader needs to understand a failure.
pub fn details(o: &CaseOutcome) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} ({})", o.id, o.path.display());
    let _ = writeln!(out, "{}", indent(o.description.trim(), "  "));
    if let Some(e) = &o.error {
        let _ = writeln!(out, "error: {e}");
    }
    if let Some(note) = &o.expected_failure {
        let _ = writeln!(out, "{note}");
    }
    if let Some(step) = &o.step {
        let _ = writeln!(out, "at step {step}");
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
            indent(&excerpt(&pretty(obs.body()), BODY_LIMIT), "  ")
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
        Verdict::Differs {
            changes,
            diff,
            pending,
        } => {
            let _ = writeln!(out, "snapshot: differs{}", pending_note(pending.as_deref()));
            for line in crate::changes::lines(changes, CHANGES_SHOWN) {
                let _ = writeln!(out, "  {line}");
            }
            let lines: Vec<&str> = diff.lines().collect();
            let _ = writeln!(
                out,
                "{}",
                indent(&lines[..lines.len().min(DIFF_LINES)].join("\n"), "  ")
            );
            if lines.len() > DIFF_LINES {
                let _ = writeln!(
                    out,
                    "  … {} more diff lines (the JSON report has the whole observation)",
                    lines.len() - DIFF_LINES
                );
            }
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
    cut_lines(&out)
}

fn pending_note(pending: Option<&std::path::Path>) -> String {
    match pending {
        Some(p) => format!(
            " (written to {} for review: `cargo insta review`, or rerun with --update-snapshots)",
            p.display()
        ),
        // Nothing is written on CI, from the built-in read-only snapshots, or for a
        // target that is not upstream Kubernetes: snapshots are the upstream baseline.
        None => " (nothing written: CI mode, the built-in read-only snapshots, or a target that is not upstream Kubernetes; snapshots record upstream Kubernetes: accept a change only from an upstream kube-apiserver, with --update-snapshots in a checkout or a `podpatch cases export` folder)".into(),
    }
}

/// The end of the terminal report: every failure in detail when `verbose`, the
/// failures grouped by cause, run notes, the counts line.
pub fn footer(report: &RunReport, verbose: bool) -> String {
    let mut out = String::new();
    let failed: Vec<&CaseOutcome> = report
        .outcomes
        .iter()
        .filter(|o| {
            matches!(
                o.status,
                Status::Failed | Status::Errored | Status::Blocked | Status::Inconclusive
            )
        })
        .collect();
    if verbose {
        for o in &failed {
            let _ = writeln!(out, "\n──── {} {}", word(o.status), o.id);
            out.push_str(&details(o));
        }
    }
    groups(&mut out, report, verbose);
    if let Some(p) = report.preflight.as_ref().filter(|p| !p.is_clean()) {
        let _ = write!(out, "\n{}", crate::preflight::render(p));
    }
    policy_groups(&mut out, report, verbose);
    if !report.unreferenced_snapshots.is_empty() {
        let _ = writeln!(
            out,
            "\nsnapshots with no case (delete them or restore their cases):"
        );
        for p in &report.unreferenced_snapshots {
            let _ = writeln!(out, "  {}", p.display());
        }
    }
    known_gaps(&mut out, report);
    feature_scores(&mut out, report);
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
        insta::assert_snapshot!(footer(&sample::report(), false));
    }

    #[test]
    fn verbose_footer_of_a_mixed_run() {
        insta::assert_snapshot!(footer(&sample::report(), true));
    }
}
