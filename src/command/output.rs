//! Writing a report file the user asked for (`--junit`, `--json`), redacted,
//! naming the file on failure.

use std::path::{Path, PathBuf};

use super::CommandError;
use crate::redact;

/// Writes the text `render` makes, redacted, to `path` when one was given.
pub fn write_report(
    kind: &'static str,
    path: Option<&PathBuf>,
    render: impl FnOnce() -> std::io::Result<String>,
) -> Result<(), CommandError> {
    match path {
        Some(p) => render()
            .and_then(|text| std::fs::write(p, redact::scrub(&text)))
            .map_err(|source| CommandError::Report {
                kind,
                path: p.clone(),
                source,
            }),
        None => Ok(()),
    }
}

/// Whether two paths name the same file (existing or not).
pub fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        parent
            .canonicalize()
            .map(|d| d.join(p.file_name().unwrap_or_default()))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    a == b || resolve(a) == resolve(b)
}
