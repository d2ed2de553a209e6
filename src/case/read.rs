//! Reading a case or fixture file from disk: what may be read (a regular file,
//! links followed, of bounded size) and its text as UTF-8, every refusal
//! named.

use std::path::Path;

use super::error::CaseError;

/// The largest case or fixture file read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a case or fixture file: a regular file (symbolic links followed) of at
/// most `MAX_FILE_BYTES`, in UTF-8; a bad byte is reported at its line and column.
pub(super) fn read(path: &Path) -> Result<String, CaseError> {
    use std::io::Read as _;
    let shown = path.display().to_string();
    let read_err = |source| CaseError::Read {
        path: shown.clone(),
        source,
    };
    // Sized from the file's metadata, the text is read in one call and the end
    // found by a second (growing from nothing took about seven per file).
    let size = not_a_case_file(path)?.len().min(MAX_FILE_BYTES);
    let mut bytes = Vec::with_capacity(size as usize + 1);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CaseError::Unreadable {
            path: shown,
            why: format!("is larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        CaseError::Invalid {
            path: shown.clone(),
            line,
            column,
            message: "invalid UTF-8: case files are UTF-8 text".into(),
        }
    })
}

/// An error when `path` is not something a case can be read from: missing, a
/// broken symbolic link, a folder, a FIFO (reading would block) or a device;
/// else the file's metadata (links followed).
pub(super) fn not_a_case_file(path: &Path) -> Result<std::fs::Metadata, CaseError> {
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        // Only a failure needs the link itself: a missing file, or a link to one.
        Err(source) => {
            let link = std::fs::symlink_metadata(path).map_err(|source| CaseError::Read {
                path: shown.clone(),
                source,
            })?;
            if link.file_type().is_symlink() {
                let to = std::fs::read_link(path)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(CaseError::Unreadable {
                    path: shown,
                    why: format!("is a broken symbolic link (to `{to}`)"),
                });
            }
            return Err(CaseError::Read {
                path: shown,
                source,
            });
        }
    };
    if meta.is_file() {
        return Ok(meta);
    }
    Err(CaseError::Unreadable {
        path: shown,
        why: format!(
            "is {}, not a case file",
            crate::target::file_kind(&meta.file_type())
        ),
    })
}
