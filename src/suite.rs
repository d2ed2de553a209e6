//! Where the suite comes from: the shipped cases and snapshots are built into the
//! binary, so an installed `podpatch` runs anywhere; a folder on disk is used
//! instead when the user points at one or works in one.
//!
//! The default: `--cases-dir` / `--snapshots-dir` when given; else `./cases` and
//! `./snapshots` when the current folder is a suite folder (a checkout, or what
//! `podpatch cases export` wrote: `cases/` beside `snapshots/`); else the built-in
//! suite, unpacked into a private temporary folder for the command's lifetime. The
//! built-in snapshots are read-only: nothing is ever written there.
//!
//! This module decides and unpacks; loading cases is `select`'s, checking snapshots
//! `snapshot`'s.

use std::path::{Path, PathBuf};

/// The shipped suite: `(path relative to the repository, contents)`, cases first.
static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/suite_files.rs"));

const CASES: &str = "cases";
const SNAPSHOTS: &str = "snapshots";

/// Why the suite could not be found or written out.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("failed to unpack the built-in suite into {path}")]
    Unpack {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} already exists; `podpatch cases export` never overwrites files")]
    Exists { path: PathBuf },
}

/// Where a folder of the suite is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A folder on disk the user owns: snapshots may be written there.
    Disk,
    /// The copy built into the binary: read-only.
    BuiltIn,
}

/// The cases and snapshots a command works with.
#[derive(Debug)]
pub struct Suite {
    pub cases_dir: PathBuf,
    pub cases: Origin,
    pub snapshots_dir: PathBuf,
    pub snapshots: Origin,
    /// The unpacked built-in suite, removed when the suite is dropped.
    _unpacked: Option<tempfile::TempDir>,
}

/// Whether `dir` holds a suite: `cases/` beside `snapshots/`.
pub fn is_suite_folder(dir: &Path) -> bool {
    dir.join(CASES).is_dir() && dir.join(SNAPSHOTS).is_dir()
}

impl Suite {
    /// The suite for the given flags, working in `cwd` (see the module docs).
    pub fn locate(
        cases_dir: Option<&Path>,
        snapshots_dir: Option<&Path>,
        cwd: &Path,
    ) -> Result<Suite, SuiteError> {
        let local = is_suite_folder(cwd).then(|| cwd.to_path_buf());
        let on_disk_cases = cases_dir
            .map(Path::to_path_buf)
            .or_else(|| local.as_ref().map(|d| d.join(CASES)));
        let on_disk_snapshots = snapshots_dir.map(Path::to_path_buf).or_else(|| {
            // Snapshots belong beside the cases they record.
            on_disk_cases.as_ref().map(|c| {
                c.parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from(SNAPSHOTS), |p| p.join(SNAPSHOTS))
            })
        });
        let unpacked = match (&on_disk_cases, &on_disk_snapshots) {
            (Some(_), Some(_)) => None,
            _ => Some(unpack()?),
        };
        let built_in = |sub: &str| {
            let dir = unpacked.as_ref().map(|t| t.path().join(sub));
            (dir.unwrap_or_default(), Origin::BuiltIn)
        };
        let (cases_dir, cases) =
            on_disk_cases.map_or_else(|| built_in(CASES), |d| (d, Origin::Disk));
        let (snapshots_dir, snapshots) =
            on_disk_snapshots.map_or_else(|| built_in(SNAPSHOTS), |d| (d, Origin::Disk));
        Ok(Suite {
            cases_dir,
            cases,
            snapshots_dir,
            snapshots,
            _unpacked: unpacked,
        })
    }
}

/// Unpacks the built-in suite into a new private temporary folder.
fn unpack() -> Result<tempfile::TempDir, SuiteError> {
    let dir = tempfile::Builder::new()
        .prefix("podpatch-suite-")
        .tempdir()
        .map_err(|source| SuiteError::Unpack {
            path: std::env::temp_dir(),
            source,
        })?;
    write_files(dir.path(), false)?;
    Ok(dir)
}

/// Writes the built-in suite (`cases/`, `snapshots/`) into `dir`, creating it;
/// refuses before writing anything if a file would be overwritten. Returns how
/// many files it wrote.
pub fn export(dir: &Path) -> Result<usize, SuiteError> {
    if let Some((rel, _)) = FILES.iter().find(|(rel, _)| dir.join(rel).exists()) {
        return Err(SuiteError::Exists {
            path: dir.join(rel),
        });
    }
    write_files(dir, true)
}

fn write_files(dir: &Path, exclusive: bool) -> Result<usize, SuiteError> {
    for (rel, contents) in FILES {
        let path = dir.join(rel);
        let unpack_error = |source| SuiteError::Unpack {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(unpack_error)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true);
        if exclusive {
            options.create_new(true);
        } else {
            options.create(true).truncate(true);
        }
        let mut file = options.open(&path).map_err(unpack_error)?;
        std::io::Write::write_all(&mut file, contents).map_err(unpack_error)?;
    }
    Ok(FILES.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(prefix: &str, ext: &str) -> usize {
        FILES
            .iter()
            .filter(|(rel, _)| rel.starts_with(prefix) && rel.ends_with(ext))
            .count()
    }

    #[test]
    fn the_built_in_suite_is_the_shipped_one() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let on_disk = |dir: &str, ext: &str| {
            walkdir::WalkDir::new(root.join(dir))
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == ext))
                .count()
        };
        assert_eq!(count("cases/", ".yaml"), on_disk("cases", "yaml"));
        assert_eq!(count("snapshots/", ".snap"), on_disk("snapshots", "snap"));
        assert!(FILES.iter().all(|(rel, _)| !rel.ends_with(".snap.new")));
        let (rel, contents) = FILES[0];
        assert_eq!(std::fs::read(root.join(rel)).unwrap(), contents);
    }

    #[test]
    fn a_suite_folder_is_used_in_place_else_the_built_in_one() {
        let work = tempfile::tempdir().unwrap();
        let elsewhere = Suite::locate(None, None, work.path()).unwrap();
        assert_eq!(
            (elsewhere.cases, elsewhere.snapshots),
            (Origin::BuiltIn, Origin::BuiltIn)
        );
        assert!(elsewhere.cases_dir.join("fixtures/web.yaml").is_file());
        assert!(elsewhere.snapshots_dir.is_dir());
        let unpacked = elsewhere.cases_dir.clone();
        drop(elsewhere);
        assert!(!unpacked.exists(), "the unpacked suite is removed");

        assert_eq!(export(work.path()).unwrap(), FILES.len());
        assert!(matches!(
            export(work.path()),
            Err(SuiteError::Exists { .. })
        ));
        let here = Suite::locate(None, None, work.path()).unwrap();
        assert_eq!((here.cases, here.snapshots), (Origin::Disk, Origin::Disk));
        assert_eq!(here.cases_dir, work.path().join("cases"));
        assert_eq!(here.snapshots_dir, work.path().join("snapshots"));
    }

    #[test]
    fn flags_choose_each_folder() {
        let work = tempfile::tempdir().unwrap();
        let mine = work.path().join("mine");
        let given = Suite::locate(Some(&mine.join("cases")), None, work.path()).unwrap();
        assert_eq!(given.cases_dir, mine.join("cases"));
        assert_eq!(given.snapshots_dir, mine.join("snapshots"));
        assert_eq!(given.snapshots, Origin::Disk);
        let relative = Suite::locate(Some(Path::new("cases")), None, work.path()).unwrap();
        assert_eq!(relative.snapshots_dir, PathBuf::from("snapshots"));
        let snaps_only = Suite::locate(None, Some(&mine), work.path()).unwrap();
        assert_eq!(
            (snaps_only.cases, snaps_only.snapshots),
            (Origin::BuiltIn, Origin::Disk)
        );
        assert_eq!(snaps_only.snapshots_dir, mine);
    }
}
