//! The JSON report: the whole `RunReport`, for tools. Secrets were removed before
//! the report was built; this writer only serialises.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use super::Counts;
use crate::run::RunReport;

/// Writes the run as pretty JSON to `path`.
pub fn write(report: &RunReport, path: &Path) -> std::io::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let doc = json!({
        "podpatch": env!("CARGO_PKG_VERSION"),
        "summary": Counts::of(report),
        "run": report,
    });
    serde_json::to_writer_pretty(&mut file, &doc)?;
    file.write_all(b"\n")?;
    file.flush()
}
