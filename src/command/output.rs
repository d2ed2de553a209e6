//! Writing a report file the user asked for (`--junit`, `--json`), naming the
//! file on failure.

use std::path::{Path, PathBuf};

use super::CommandError;

/// Calls `write` with `path` when one was given.
pub fn write_report(
    kind: &'static str,
    path: Option<&PathBuf>,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<(), CommandError> {
    match path {
        Some(p) => write(p).map_err(|source| CommandError::Report {
            kind,
            path: p.clone(),
            source,
        }),
        None => Ok(()),
    }
}
