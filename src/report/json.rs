//! The JSON report: the whole `RunReport`, its failures grouped by cause and
//! its pass rates per feature, for tools. Secrets were removed before
//! the report was built; this writer only serialises.

use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::Counts;
use crate::run::RunReport;

/// The JSON document of a run: podpatch's version, the counts and the whole run.
pub fn build(report: &RunReport) -> Value {
    json!({
        "podpatch": env!("CARGO_PKG_VERSION"),
        "summary": Counts::of(report),
        "groups": crate::triage::of_run(report),
        "features": crate::features::scores(&report.outcomes),
        "run": report,
    })
}

/// Writes the run as pretty JSON to `path`.
pub fn write(report: &RunReport, path: &Path) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer_pretty(&mut file, &build(report))?;
    file.write_all(b"\n")?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn the_whole_run_with_its_summary() {
        let mut doc = build(&sample::report());
        // The version changes with every release, not with the report's shape.
        doc["podpatch"] = Value::String("[version]".into());
        insta::assert_snapshot!(serde_json::to_string_pretty(&doc).unwrap());
    }
}
