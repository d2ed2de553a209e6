//! Snapshots: one insta-format `.snap` file per case under the snapshot folder,
//! read with insta itself so `cargo insta review`, `cargo test` and `podpatch run`
//! share the same files and the same notion of "equal".
//!
//! This module reads and writes snapshot files; it never decides whether writing
//! is allowed (the caller passes the mode, derived from `CI` and flags).

use std::path::{Path, PathBuf};

use insta::internals::{SnapshotContents, TextSnapshotContents};
use insta::{Snapshot, TextSnapshotKind};
use serde::Serialize;

/// What to do with a snapshot that is missing or differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Compare only; write nothing (CI).
    Check,
    /// Compare; write a pending `.snap.new` for review on a difference.
    Review,
    /// Compare; overwrite the `.snap` on a difference (accept).
    Update,
    /// Do not look at snapshots at all.
    Off,
}

/// The result of checking one case's snapshot.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum Verdict {
    Matched,
    /// No snapshot exists; `pending` is the file written for review, if any.
    Missing {
        pending: Option<PathBuf>,
    },
    /// The snapshot differs; `diff` is a unified diff old → new.
    Differs {
        diff: String,
        pending: Option<PathBuf>,
    },
    /// The snapshot was written (new or changed) under `Mode::Update`.
    Written {
        path: PathBuf,
    },
    Skipped,
}

impl Verdict {
    /// Whether the case passes as far as snapshots are concerned.
    pub fn passed(&self) -> bool {
        matches!(
            self,
            Verdict::Matched | Verdict::Written { .. } | Verdict::Skipped
        )
    }
}

/// A snapshot file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[error("snapshot {path}: {reason}")]
pub struct SnapshotError {
    pub path: PathBuf,
    pub reason: String,
}

/// Where the snapshot of a case lives.
pub fn path_for(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.snap"))
}

/// The header fields podpatch writes; `cargo test` sets the same through insta.
#[derive(Serialize)]
struct Header<'a> {
    source: &'a str,
    description: &'a str,
    input_file: &'a str,
}

/// The source recorded in snapshot headers, identical for both writers.
pub const SOURCE: &str = "tests/cases.rs";

/// Compares `rendered` with the stored snapshot of `id`, writing as `mode` allows.
pub fn check(
    dir: &Path,
    id: &str,
    description: &str,
    input_file: &str,
    rendered: &str,
    mode: Mode,
) -> Result<Verdict, SnapshotError> {
    if mode == Mode::Off {
        return Ok(Verdict::Skipped);
    }
    let path = path_for(dir, id);
    let new = TextSnapshotContents::new(rendered.to_owned(), TextSnapshotKind::File);
    let old = read(&path)?;
    if old.as_ref().is_some_and(|old| new.matches_latest(old)) {
        return Ok(Verdict::Matched);
    }
    let write = |target: &Path| -> Result<PathBuf, SnapshotError> {
        let header = serde_yaml_ng::to_string(&Header {
            source: SOURCE,
            description,
            input_file,
        })
        .map_err(|e| SnapshotError {
            path: target.to_path_buf(),
            reason: e.to_string(),
        })?;
        let text = format!("---\n{header}---\n{new}\n");
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io_error(target, e))?;
        }
        std::fs::write(target, text).map_err(|e| io_error(target, e))?;
        Ok(target.to_path_buf())
    };
    let pending_path = path.with_extension("snap.new");
    Ok(match (mode, old) {
        (Mode::Update, _) => {
            let _ = std::fs::remove_file(&pending_path);
            Verdict::Written {
                path: write(&path)?,
            }
        }
        (Mode::Review, None) => Verdict::Missing {
            pending: Some(write(&pending_path)?),
        },
        (Mode::Review, Some(old)) => Verdict::Differs {
            diff: diff(&old.to_string(), &new.to_string()),
            pending: Some(write(&pending_path)?),
        },
        (_, None) => Verdict::Missing { pending: None },
        (_, Some(old)) => Verdict::Differs {
            diff: diff(&old.to_string(), &new.to_string()),
            pending: None,
        },
    })
}

fn io_error(path: &Path, e: std::io::Error) -> SnapshotError {
    SnapshotError {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

fn read(path: &Path) -> Result<Option<TextSnapshotContents>, SnapshotError> {
    if !path.exists() {
        return Ok(None);
    }
    let snapshot = Snapshot::from_file(path).map_err(|e| SnapshotError {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    match snapshot.contents() {
        SnapshotContents::Text(text) => Ok(Some(text.clone())),
        SnapshotContents::Binary(_) => Err(SnapshotError {
            path: path.to_path_buf(),
            reason: "is a binary snapshot".into(),
        }),
    }
}

/// A unified line diff, old snapshot → new observation.
pub fn diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("snapshot", "observed")
        .to_string()
}

/// Snapshot files under `dir` that belong to no case in `ids`.
pub fn unreferenced(dir: &Path, ids: &[String]) -> Vec<PathBuf> {
    let known: std::collections::HashSet<PathBuf> =
        ids.iter().map(|id| path_for(dir, id)).collect();
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "snap") && !known.contains(p))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(dir: &Path, text: &str, mode: Mode) -> Verdict {
        check(
            dir,
            "topic/case",
            "desc",
            "cases/topic/case.yaml",
            text,
            mode,
        )
        .unwrap()
    }

    #[test]
    fn review_writes_pending_and_check_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            run(dir.path(), "a: 1\n", Mode::Check),
            Verdict::Missing { pending: None }
        );
        assert!(!dir.path().join("topic").exists());
        let pending = dir.path().join("topic/case.snap.new");
        assert_eq!(
            run(dir.path(), "a: 1\n", Mode::Review),
            Verdict::Missing {
                pending: Some(pending.clone())
            }
        );
        assert!(pending.is_file());
    }

    #[test]
    fn update_accepts_and_then_matches() {
        let dir = tempfile::tempdir().unwrap();
        let written = run(dir.path(), "a: 1\n", Mode::Update);
        assert!(matches!(written, Verdict::Written { .. }));
        assert_eq!(run(dir.path(), "a: 1\n", Mode::Check), Verdict::Matched);
        let text = std::fs::read_to_string(dir.path().join("topic/case.snap")).unwrap();
        assert!(text.starts_with("---\nsource: tests/cases.rs\n"), "{text}");
        match run(dir.path(), "a: 2\n", Mode::Check) {
            Verdict::Differs {
                diff,
                pending: None,
            } => {
                assert!(diff.contains("-a: 1") && diff.contains("+a: 2"), "{diff}")
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn finds_unreferenced_snapshots() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), "a: 1\n", Mode::Update);
        assert!(unreferenced(dir.path(), &["topic/case".into()]).is_empty());
        assert_eq!(
            unreferenced(dir.path(), &[]),
            [dir.path().join("topic/case.snap")]
        );
    }
}
