//! The JSON report: the whole `RunReport`, its failures grouped by cause, its
//! blocked and inconclusive cases grouped by the cluster policy's cause, and its
//! pass rates per feature, for tools. This writer only serialises; the
//! binary passes the text through the redactor before writing it.
//!
//! A run keeps only the verdicts of its passing cases (`run::Passing::Streamed`):
//! each is written to a `Spool` as its case finishes, as the text it takes in the
//! report, and read back one at a time when the report is written. The document
//! is written in pieces (`write`), one outcome at a time, so neither the run nor
//! the writing holds the whole report; the text is the same as serialising the
//! whole document at once.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};

use serde_json::{Value, json};

use super::Counts;
use crate::run::{CaseOutcome, RunReport, Status};

/// The document of `report`, with `run` standing for the run itself.
fn document(report: &RunReport, run: Value) -> Value {
    json!({
        "podpatch": env!("CARGO_PKG_VERSION"),
        "summary": Counts::of(report),
        "groups": crate::triage::of_run(report),
        "blocked": crate::triage::of_policy(report, Status::Blocked),
        "inconclusive": crate::triage::of_policy(report, Status::Inconclusive),
        "features": crate::features::scores(&report.outcomes),
        "run": run,
    })
}

/// Passing outcomes written out as their cases finish, in an anonymous temporary
/// file (gone when the spool is dropped), for `write`.
#[derive(Debug)]
pub struct Spool {
    file: BufWriter<File>,
    /// Where each case's outcome lies in the file: (offset, length).
    entries: HashMap<String, (u64, usize)>,
    written: u64,
}

impl Spool {
    /// An empty spool.
    pub fn new() -> std::io::Result<Spool> {
        Ok(Spool {
            file: BufWriter::new(tempfile::tempfile()?),
            entries: HashMap::new(),
            written: 0,
        })
    }

    /// Keeps `outcome` whole if it passed (the run keeps only its verdict); other
    /// outcomes stay whole in the run.
    pub fn push(&mut self, outcome: &CaseOutcome) -> std::io::Result<()> {
        if outcome.status != Status::Passed {
            return Ok(());
        }
        let text = element(outcome)?;
        self.file.write_all(text.as_bytes())?;
        self.entries
            .insert(outcome.id.clone(), (self.written, text.len()));
        self.written += text.len() as u64;
        Ok(())
    }

    /// The text of a spooled outcome, as `element` made it.
    fn read(&mut self, id: &str) -> std::io::Result<Option<String>> {
        let Some(&(offset, len)) = self.entries.get(id) else {
            return Ok(None);
        };
        self.file.flush()?;
        let file = self.file.get_mut();
        file.seek(SeekFrom::Start(offset))?;
        let mut text = String::with_capacity(len);
        file.take(len as u64).read_to_string(&mut text)?;
        file.seek(SeekFrom::End(0))?;
        Ok(Some(text))
    }
}

/// Where the outcomes go in the document while its other parts are serialised.
const OUTCOMES: &str = "\u{0}podpatch: the run's outcomes\u{0}";

/// One outcome as its own pretty document (indented as at the top level), its
/// keys in the order the document's `Value` gives them.
fn element(outcome: &CaseOutcome) -> std::io::Result<String> {
    Ok(serde_json::to_string_pretty(&serde_json::to_value(
        outcome,
    )?)?)
}

/// Writes the run as pretty JSON text, in pieces, to `out`: the outcomes the run
/// kept whole, and those of `spool` (the run's passing cases) read back one by
/// one. Each piece ends between two JSON values, so no string is split.
pub fn write(
    report: &RunReport,
    mut spool: Option<&mut Spool>,
    out: &mut dyn FnMut(&str) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // Everything but the outcomes, which take the place of a marker.
    let head = RunReport {
        run_id: report.run_id.clone(),
        target: report.target.clone(),
        version: report.version.clone(),
        namespace: report.namespace.clone(),
        outcomes: Vec::new(),
        unreferenced_snapshots: report.unreferenced_snapshots.clone(),
        interrupted: report.interrupted.clone(),
        notes: report.notes.clone(),
        cleanup_error: report.cleanup_error.clone(),
        setup_error: report.setup_error.clone(),
        pod_metadata: report.pod_metadata.clone(),
        profile: report.profile,
        preflight: report.preflight.clone(),
    };
    let mut run = serde_json::to_value(&head)?;
    run["outcomes"] = Value::String(OUTCOMES.to_owned());
    let text = serde_json::to_string_pretty(&document(report, run))?;
    let marker = serde_json::to_string(OUTCOMES)?;
    let (before, after) = text
        .split_once(&marker)
        .ok_or_else(|| std::io::Error::other("the report lost its outcomes' place"))?;
    // The outcomes are the elements of a list two levels deep: pretty JSON
    // indents them by six spaces (strings hold no raw newlines).
    let indent = |text: &str| text.replace('\n', "\n      ");
    out(before)?;
    if report.outcomes.is_empty() {
        out("[]")?;
    }
    for (i, o) in report.outcomes.iter().enumerate() {
        let spooled = match spool.as_deref_mut() {
            Some(s) => s.read(&o.id)?,
            None => None,
        };
        let text = match spooled {
            Some(text) => with_expected_failure(text, o)?,
            None => element(o)?,
        };
        let open = if i == 0 { "[\n      " } else { ",\n      " };
        out(&format!("{open}{}", indent(&text)))?;
    }
    if !report.outcomes.is_empty() {
        out("\n    ]")?;
    }
    out(after)?;
    out("\n")
}

/// A spooled passing outcome with what an expected-failures file said of it
/// after the run (that it passes now); nothing else of a passing outcome changes
/// after it finished.
fn with_expected_failure(text: String, now: &CaseOutcome) -> std::io::Result<String> {
    let Some(note) = &now.expected_failure else {
        return Ok(text);
    };
    // A top-level key of the outcome: indented by two spaces, one per line.
    let unset = "\n  \"expected_failure\": null";
    match text.find(unset) {
        Some(at) => Ok(format!(
            "{}\n  \"expected_failure\": {}{}",
            &text[..at],
            serde_json::to_string(note)?,
            &text[at + unset.len()..]
        )),
        None => Err(std::io::Error::other(format!(
            "the spooled outcome of {} has no expected_failure",
            now.id
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    /// The JSON document of a run, whole: podpatch's version, the counts and the
    /// whole run.
    fn build(report: &RunReport) -> Value {
        document(report, json!(report))
    }

    /// The run as pretty JSON text, written whole (see `write`).
    fn render(report: &RunReport, spool: Option<&mut Spool>) -> std::io::Result<String> {
        let mut text = String::new();
        write(report, spool, &mut |piece| {
            text.push_str(piece);
            Ok(())
        })?;
        Ok(text)
    }

    #[test]
    fn the_whole_run_with_its_summary() {
        let mut doc = build(&sample::report());
        // The version changes with every release, not with the report's shape.
        doc["podpatch"] = Value::String("[version]".into());
        insta::assert_snapshot!(serde_json::to_string_pretty(&doc).unwrap());
    }

    /// Written in pieces, from a spool or not, the text is the whole document's.
    #[test]
    fn written_in_pieces_as_serialised_whole() {
        let mut report = sample::report();
        let whole = |r: &RunReport| serde_json::to_string_pretty(&build(r)).unwrap() + "\n";
        assert_eq!(render(&report, None).unwrap(), whole(&report));

        let mut spool = Spool::new().unwrap();
        for o in &report.outcomes {
            spool.push(o).unwrap();
        }
        assert_eq!(spool.entries.len(), 1, "only passing outcomes are spooled");
        // What the run keeps of a passing case, and what expected failures add later.
        let passed = report
            .outcomes
            .iter_mut()
            .find(|o| o.status == Status::Passed)
            .unwrap();
        let observed = passed.observed.take();
        assert!(observed.is_some());
        passed.expected_failure = Some("listed, but passes now".into());
        let from_spool = render(&report, Some(&mut spool)).unwrap();
        let passed = report
            .outcomes
            .iter_mut()
            .find(|o| o.status == Status::Passed)
            .unwrap();
        passed.observed = observed;
        assert_eq!(from_spool, whole(&report));
        assert!(from_spool.contains("passes now"), "{from_spool}");

        report.outcomes.clear();
        assert_eq!(render(&report, None).unwrap(), whole(&report));
    }
}
