//! Writing a report file the user asked for (`--junit`, `--json`), redacted,
//! naming the file on failure.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::CommandError;
use crate::redact;

/// Writes the text `render` makes, redacted, to `path` when one was given.
pub fn write_report(
    kind: &'static str,
    path: Option<&PathBuf>,
    render: impl FnOnce() -> std::io::Result<String>,
) -> Result<(), CommandError> {
    write_pieces(kind, path, |out| out(&render()?))
}

/// Writes the text `write` gives in pieces, each redacted (a piece must not split
/// a secret: end pieces between values), to `path` when one was given.
pub fn write_pieces(
    kind: &'static str,
    path: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn FnMut(&str) -> std::io::Result<()>) -> std::io::Result<()>,
) -> Result<(), CommandError> {
    let Some(p) = path else {
        return Ok(());
    };
    let written = std::fs::File::create(p).and_then(|file| {
        let mut file = std::io::BufWriter::new(file);
        write(&mut |piece| file.write_all(redact::scrub(piece).as_bytes()))?;
        file.flush()
    });
    written.map_err(|source| CommandError::Report {
        kind,
        path: p.clone(),
        source,
    })
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
