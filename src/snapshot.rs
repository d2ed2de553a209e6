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

use crate::changes::Change;
use crate::version::KubeVersion;

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
    /// The snapshot differs; `changes` lists the changed paths, most telling
    /// first, and `diff` is a unified diff old → new.
    Differs {
        changes: Vec<Change>,
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

/// The Kubernetes version the shared snapshots were recorded from (a real
/// kube-apiserver); targets of other versions may have overrides.
pub const BASELINE: KubeVersion = KubeVersion {
    major: 1,
    minor: 37,
};

/// Where the shared snapshot of a case lives.
pub fn path_for(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.snap"))
}

/// Where a version-specific override lives (insta's `@suffix` convention), used for
/// targets whose answers differ from the baseline's (see [`override_serving`]).
pub fn override_for(dir: &Path, id: &str, version: KubeVersion) -> PathBuf {
    dir.join(format!("{id}@{version}.snap"))
}

/// The override that holds a case's snapshot for a target of `version`, if any.
///
/// One override serves a range of minors, so that a change is recorded once: an
/// override `@1.NN` older than the baseline serves 1.NN and every older minor down
/// to the next older override (a behaviour that changed in 1.NN+1 is recorded at
/// 1.NN and holds below it); one newer than the baseline serves 1.NN and every newer
/// minor up to the next newer override. So for a target older than the baseline the
/// override chosen is the nearest one at or above its minor, and for a newer target
/// the nearest one at or below it; the baseline itself always uses the shared file.
pub fn override_serving(dir: &Path, id: &str, version: KubeVersion) -> Option<PathBuf> {
    let older = version < BASELINE;
    let serves = |over: KubeVersion| {
        over != BASELINE
            && (over < BASELINE) == older
            && if older {
                over >= version
            } else {
                over <= version
            }
    };
    let serving = overrides(dir, id).into_iter().filter(|over| serves(*over));
    let nearest = if older { serving.min() } else { serving.max() };
    nearest.map(|over| override_for(dir, id, over))
}

/// The snapshot file a target of `version` is compared with: the override serving
/// it, else the shared one.
pub fn serving(dir: &Path, id: &str, version: KubeVersion) -> PathBuf {
    override_serving(dir, id, version).unwrap_or_else(|| path_for(dir, id))
}

/// A stored snapshot's answer as a value (none when the file does not exist).
pub fn stored_value(path: &Path) -> Result<Option<serde_json::Value>, SnapshotError> {
    let Some(stored) = read(path)? else {
        return Ok(None);
    };
    serde_yaml_ng::from_str(&stored.contents.to_string())
        .map(Some)
        .map_err(|e| SnapshotError {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

/// The minor next to `v` on the baseline's side, whose snapshot `v` falls back to
/// when it has no override of its own; none across a major version.
fn toward_baseline(v: KubeVersion) -> Option<KubeVersion> {
    let minor = if v < BASELINE {
        v.minor.checked_add(1)?
    } else {
        v.minor.checked_sub(1)?
    };
    (v.major == BASELINE.major).then_some(KubeVersion { minor, ..v })
}

/// The versions a case has override files for (`<id>@1.NN.snap`).
fn overrides(dir: &Path, id: &str) -> Vec<KubeVersion> {
    let shared = path_for(dir, id);
    let (Some(folder), Some(stem)) = (shared.parent(), Path::new(id).file_name()) else {
        return Vec::new();
    };
    let prefix = format!("{}@", stem.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let version = name.strip_prefix(&prefix)?.strip_suffix(".snap")?;
            // Only the canonical spelling `1.NN`, the one `override_for` writes.
            KubeVersion::from_git_version(version).filter(|v| v.to_string() == version)
        })
        .collect()
}

/// The case a snapshot belongs to, as its header records it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Entry<'a> {
    #[serde(skip)]
    pub id: &'a str,
    pub description: &'a str,
    pub input_file: &'a str,
}

/// The header fields podpatch writes; `cargo test` sets the same through insta.
#[derive(Serialize)]
struct Header<'a> {
    source: &'a str,
    #[serde(flatten)]
    entry: Entry<'a>,
}

/// The source recorded in snapshot headers, identical for both writers.
pub const SOURCE: &str = "tests/cases.rs";

/// Compares `rendered` with the stored snapshot of a case for a target of `version`
/// (the override serving that version if one exists, else the shared one), writing
/// as `mode` allows: a non-baseline target's new result goes to an override of its
/// own minor, unless it equals what that minor falls back to without one.
pub fn check(
    dir: &Path,
    entry: Entry,
    rendered: &str,
    mode: Mode,
    version: Option<KubeVersion>,
) -> Result<Verdict, SnapshotError> {
    if mode == Mode::Off {
        return Ok(Verdict::Skipped);
    }
    let shared = path_for(dir, entry.id);
    let target = version.filter(|v| *v != BASELINE);
    // This version's own override, and what it would use without it: the next
    // override toward the baseline, or the shared snapshot.
    let own = target.map(|v| override_for(dir, entry.id, v));
    let fallback = target
        .and_then(toward_baseline)
        .and_then(|v| override_serving(dir, entry.id, v))
        .unwrap_or_else(|| shared.clone());
    let compared = target.map_or_else(|| shared.clone(), |v| serving(dir, entry.id, v));
    if holds(&compared, entry, rendered) {
        return Ok(Verdict::Matched);
    }
    let new = TextSnapshotContents::new(rendered.to_owned(), TextSnapshotKind::File);
    let write = |target: &Path| -> Result<PathBuf, SnapshotError> {
        let header = header(entry).map_err(|e| SnapshotError {
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
    let old = read(&compared)?;
    if let Some(old) = old.as_ref().filter(|old| new.matches_latest(&old.contents)) {
        // Accepting also refreshes a header whose case description was edited.
        if mode == Mode::Update && old.description.as_deref() != Some(entry.description) {
            write(&compared)?;
        }
        return Ok(Verdict::Matched);
    }
    let old = old.map(|o| o.contents);
    let fallback_matches = read(&fallback)?.is_some_and(|s| new.matches_latest(&s.contents));
    let path = match own {
        Some(own) if !fallback_matches => own,
        _ => fallback,
    };
    let pending_path = path.with_extension("snap.new");
    Ok(match (mode, old) {
        (Mode::Update, _) if fallback_matches => {
            // This version's override is stale: what it falls back to holds now.
            // (Older minors it served fall back the same way; update them too.)
            let _ = std::fs::remove_file(&compared);
            Verdict::Written { path }
        }
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
            changes: changes(&old.to_string(), &new.to_string()),
            diff: diff(&old.to_string(), &new.to_string()),
            pending: Some(write(&pending_path)?),
        },
        (_, None) => Verdict::Missing { pending: None },
        (_, Some(old)) => Verdict::Differs {
            changes: changes(&old.to_string(), &new.to_string()),
            diff: diff(&old.to_string(), &new.to_string()),
            pending: None,
        },
    })
}

/// The header podpatch writes for `entry`.
fn header(entry: Entry) -> Result<String, serde_yaml_ng::Error> {
    let fields = [
        ("source", SOURCE),
        ("description", entry.description),
        ("input_file", entry.input_file),
    ];
    match crate::snapshot_yaml::fields(&fields) {
        Some(text) => Ok(text),
        None => serde_yaml_ng::to_string(&Header {
            source: SOURCE,
            entry,
        }),
    }
}

/// Whether the snapshot file at `path` holds `rendered`, told from its text
/// alone: when its header is the one podpatch writes for `entry` (so insta
/// would read it as a text snapshot with this description), its body trimmed
/// of trailing whitespace is what insta compares. Any other file, or text with
/// a carriage return (which insta reads line by line), is left to insta.
fn holds(path: &Path, entry: Entry, rendered: &str) -> bool {
    if rendered.contains('\r') {
        return false;
    }
    let (Ok(text), Ok(header)) = (std::fs::read_to_string(path), header(entry)) else {
        return false;
    };
    let body = text
        .strip_prefix("---\n")
        .and_then(|t| t.strip_prefix(header.as_str()))
        .and_then(|t| t.strip_prefix("---\n"));
    body.is_some_and(|body| !body.contains('\r') && body.trim_end() == rendered.trim_end())
}

fn io_error(path: &Path, e: std::io::Error) -> SnapshotError {
    SnapshotError {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// A stored snapshot's contents and the case description its header records.
struct Stored {
    contents: TextSnapshotContents,
    description: Option<String>,
}

fn read(path: &Path) -> Result<Option<Stored>, SnapshotError> {
    if !path.exists() {
        return Ok(None);
    }
    let snapshot = Snapshot::from_file(path).map_err(|e| SnapshotError {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    match snapshot.contents() {
        SnapshotContents::Text(text) => Ok(Some(Stored {
            contents: text.clone(),
            description: snapshot.metadata().description().map(str::to_owned),
        })),
        SnapshotContents::Binary(_) => Err(SnapshotError {
            path: path.to_path_buf(),
            reason: "is a binary snapshot".into(),
        }),
    }
}

/// The changed paths between two rendered snapshots (both YAML); none when either
/// does not parse, and then the line diff says it all.
fn changes(old: &str, new: &str) -> Vec<Change> {
    match (
        serde_yaml_ng::from_str::<serde_json::Value>(old),
        serde_yaml_ng::from_str::<serde_json::Value>(new),
    ) {
        (Ok(old), Ok(new)) => crate::changes::between(&old, &new),
        _ => Vec::new(),
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

/// Snapshot files under `dir` (shared or version overrides) that belong to no case
/// in `ids`.
pub fn unreferenced(dir: &Path, ids: &[String]) -> Vec<PathBuf> {
    let known: std::collections::HashSet<PathBuf> =
        ids.iter().map(|id| path_for(dir, id)).collect();
    let shared_of = |p: &Path| -> PathBuf {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        match name.strip_suffix(".snap").and_then(|n| n.rsplit_once('@')) {
            Some((stem, _)) => p.with_file_name(format!("{stem}.snap")),
            None => p.to_path_buf(),
        }
    };
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(walkdir::DirEntry::into_path)
        .filter(|p| p.extension().is_some_and(|e| e == "snap") && !known.contains(&shared_of(p)))
        .collect();
    out.sort();
    out
}

/// Version overrides under `dir` that hold the same answer as the snapshot their
/// minor would be compared with without them (the next override toward the
/// baseline, or the shared one): a change is recorded once, where it happened, so
/// such a file only hides where that was.
pub fn redundant_overrides(dir: &Path) -> Result<Vec<PathBuf>, SnapshotError> {
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        let path = entry.path();
        let Some((id, version)) = path
            .strip_prefix(dir)
            .ok()
            .and_then(|rel| rel.to_str()?.strip_suffix(".snap")?.rsplit_once('@'))
            .and_then(|(id, v)| Some((id.to_owned(), KubeVersion::from_git_version(v)?)))
        else {
            continue;
        };
        let fallback = toward_baseline(version)
            .and_then(|v| override_serving(dir, &id, v))
            .unwrap_or_else(|| path_for(dir, &id));
        if let (Some(own), Some(other)) = (read(path)?, read(&fallback)?)
            && own.contents.matches_latest(&other.contents)
        {
            out.push(path.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: Entry = Entry {
        id: "topic/case",
        description: "desc",
        input_file: "cases/topic/case.yaml",
    };

    fn run(dir: &Path, text: &str, mode: Mode) -> Verdict {
        check(dir, ENTRY, text, mode, None).unwrap()
    }

    fn run_on(dir: &Path, text: &str, mode: Mode, minor: u32) -> Verdict {
        let v = KubeVersion { major: 1, minor };
        check(dir, ENTRY, text, mode, Some(v)).unwrap()
    }

    #[test]
    fn other_versions_get_overrides_only_where_they_differ() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), "msg: bytes\n", Mode::Update);
        // Same answer on 1.33: the shared snapshot holds, no override.
        assert_eq!(
            run_on(dir.path(), "msg: bytes\n", Mode::Check, 33),
            Verdict::Matched
        );
        // Different wording on 1.33: fails in CI, recorded as an override on update.
        assert!(matches!(
            run_on(dir.path(), "msg: characters\n", Mode::Check, 33),
            Verdict::Differs { .. }
        ));
        let over = dir.path().join("topic/case@1.33.snap");
        assert_eq!(
            run_on(dir.path(), "msg: characters\n", Mode::Update, 33),
            Verdict::Written { path: over.clone() }
        );
        assert_eq!(
            run_on(dir.path(), "msg: characters\n", Mode::Check, 33),
            Verdict::Matched
        );
        // The baseline keeps its own snapshot, and overrides count as referenced.
        assert_eq!(
            run_on(dir.path(), "msg: bytes\n", Mode::Check, 37),
            Verdict::Matched
        );
        assert!(unreferenced(dir.path(), &["topic/case".into()]).is_empty());
        // A stale override goes away once the shared snapshot holds again.
        run_on(dir.path(), "msg: bytes\n", Mode::Update, 33);
        assert!(!over.exists());
    }

    #[test]
    fn one_override_serves_the_minors_beyond_it() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), "msg: new\n", Mode::Update);
        // 1.33 words it the old way: recorded once, at 1.33 ...
        let at33 = dir.path().join("topic/case@1.33.snap");
        assert_eq!(
            run_on(dir.path(), "msg: old\n", Mode::Update, 33),
            Verdict::Written { path: at33.clone() }
        );
        // ... and it serves 1.30-1.32 too, not 1.34 or 1.35.
        for minor in [30, 31, 32, 33] {
            let v = KubeVersion { major: 1, minor };
            assert_eq!(
                override_serving(dir.path(), "topic/case", v),
                Some(at33.clone())
            );
            assert_eq!(
                run_on(dir.path(), "msg: old\n", Mode::Check, minor),
                Verdict::Matched
            );
        }
        for minor in [34, 35] {
            assert!(matches!(
                run_on(dir.path(), "msg: old\n", Mode::Check, minor),
                Verdict::Differs { .. }
            ));
        }
        // An older change is one more override, which takes over below it.
        let at31 = dir.path().join("topic/case@1.31.snap");
        assert_eq!(
            run_on(dir.path(), "msg: oldest\n", Mode::Update, 31),
            Verdict::Written { path: at31.clone() }
        );
        assert_eq!(
            run_on(dir.path(), "msg: oldest\n", Mode::Check, 30),
            Verdict::Matched
        );
        assert_eq!(
            run_on(dir.path(), "msg: old\n", Mode::Check, 32),
            Verdict::Matched
        );
        // A minor that answers as the baseline again below an override needs its own.
        let at30 = dir.path().join("topic/case@1.30.snap");
        assert_eq!(
            run_on(dir.path(), "msg: new\n", Mode::Update, 30),
            Verdict::Written { path: at30 }
        );
        // Newer than the baseline: an override serves its minor and the newer ones.
        let at38 = dir.path().join("topic/case@1.38.snap");
        assert_eq!(
            run_on(dir.path(), "msg: newest\n", Mode::Update, 38),
            Verdict::Written { path: at38.clone() }
        );
        assert_eq!(
            run_on(dir.path(), "msg: newest\n", Mode::Check, 39),
            Verdict::Matched
        );
        assert_eq!(
            run_on(dir.path(), "msg: new\n", Mode::Check, 37),
            Verdict::Matched
        );
        // An override whose fallback holds again is stale and goes away.
        assert_eq!(
            run_on(dir.path(), "msg: old\n", Mode::Update, 31),
            Verdict::Written { path: at33 }
        );
        assert!(!at31.exists());
        // Names that are not a canonical `1.NN` are no override.
        std::fs::write(dir.path().join("topic/case@1.038.snap"), "x").unwrap();
        let v = KubeVersion {
            major: 1,
            minor: 38,
        };
        assert_eq!(override_serving(dir.path(), "topic/case", v), Some(at38));
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
                changes,
                diff,
                pending: None,
            } => {
                assert!(diff.contains("-a: 1") && diff.contains("+a: 2"), "{diff}");
                assert_eq!(crate::changes::lines(&changes, 3), ["a: 1 → 2"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn update_refreshes_an_edited_description() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), "a: 1\n", Mode::Update);
        let edited = Entry {
            description: "edited",
            ..ENTRY
        };
        let path = dir.path().join("topic/case.snap");
        assert_eq!(
            check(dir.path(), edited, "a: 1\n", Mode::Check, None).unwrap(),
            Verdict::Matched
        );
        assert!(!std::fs::read_to_string(&path).unwrap().contains("edited"));
        assert_eq!(
            check(dir.path(), edited, "a: 1\n", Mode::Update, None).unwrap(),
            Verdict::Matched
        );
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("description: edited")
        );
    }

    /// Every shipped snapshot has the header podpatch writes, so a run tells
    /// whether it holds an answer without insta, as insta would.
    #[test]
    fn shipped_snapshots_are_compared_without_insta() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
        for path in unreferenced(&dir, &[]) {
            let stored = Snapshot::from_file(&path).unwrap();
            let (meta, SnapshotContents::Text(body)) = (stored.metadata(), stored.contents())
            else {
                panic!("{} is not text", path.display());
            };
            let (description, input_file) =
                (meta.description().unwrap(), meta.input_file().unwrap());
            let entry = Entry {
                id: "",
                description,
                input_file,
            };
            assert!(holds(&path, entry, &body.to_string()), "{}", path.display());
            assert!(
                !holds(&path, entry, &format!("{body}x")),
                "{}",
                path.display()
            );
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
