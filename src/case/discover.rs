//! Finding case files on disk: folders walked in order, symlinks followed, the
//! fixtures folder skipped, and each file's case id (its path under the cases root
//! without the extension).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::document::Case;
use super::error::CaseError;
use super::model::*;
use super::read::not_a_case_file;

/// A case file found on disk, with its id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub id: String,
    pub path: PathBuf,
}

/// A located case whose file failed to load when its turn came.
#[derive(Debug)]
pub struct Unloaded {
    pub found: Found,
    /// Why, with the file's line and column.
    pub error: String,
}

/// A case already loaded is one a run can take like those loaded when taken
/// (`select::Lazy`).
impl From<Case> for Result<Case, Unloaded> {
    fn from(case: Case) -> Self {
        Ok(case)
    }
}

/// Finds case files under the given paths (files or folders), sorted by id.
///
/// Ids are relative to `root` when a file lies under it, so shipped cases keep their
/// snapshot names whichever path selects them; otherwise relative to the folder given.
pub fn discover(paths: &[PathBuf], root: &Path) -> Result<Vec<Found>, CaseError> {
    let mut found = Vec::new();
    let mut ids = Ids::new(root);
    for arg in paths {
        if !arg.is_dir() {
            not_a_case_file(arg)?;
            let base = arg.parent().unwrap_or(Path::new(""));
            found.push(Found {
                id: ids.of(arg, base),
                path: arg.clone(),
            });
            continue;
        }
        let before = found.len();
        // Symbolic links are followed (walkdir reports loops); a `.yaml` entry that
        // is not a readable file is an error, never silently skipped.
        let walker = walkdir::WalkDir::new(arg)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || e.file_name() != FIXTURES_DIR);
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    if let Some(p) = e.path().filter(|p| is_yaml(p)) {
                        not_a_case_file(p)?;
                    }
                    return Err(CaseError::Read {
                        path: e.path().unwrap_or(arg).display().to_string(),
                        source: e.into(),
                    });
                }
            };
            let p = entry.path();
            if !is_yaml(p) || entry.file_type().is_dir() {
                continue;
            }
            // Links are followed, so a regular file here is one, link or not;
            // anything else is looked at again to say what it is.
            if !entry.file_type().is_file() {
                not_a_case_file(p)?;
            }
            found.push(Found {
                id: ids.of(p, arg),
                path: p.to_path_buf(),
            });
        }
        if found.len() == before {
            return Err(CaseError::NoCases {
                path: arg.display().to_string(),
            });
        }
    }
    found.sort();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    // The same file selected twice (`cases/a.yaml` and `./cases/a.yaml`) is one case.
    found.dedup_by(|a, b| a.id == b.id && canon(&a.path) == canon(&b.path));
    if let Some(pair) = found.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(CaseError::DuplicateId {
            id: pair[0].id.clone(),
            first: pair[0].path.display().to_string(),
            second: pair[1].path.display().to_string(),
        });
    }
    Ok(found)
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Case ids, with each folder resolved once: resolving a path is a system call
/// per component, and a suite has hundreds of files in a few dozen folders.
struct Ids {
    root: PathBuf,
    resolved: HashMap<PathBuf, PathBuf>,
}

impl Ids {
    fn new(root: &Path) -> Self {
        let mut ids = Ids {
            root: PathBuf::new(),
            resolved: HashMap::new(),
        };
        ids.root = ids.resolve(root);
        ids
    }

    fn resolve(&mut self, dir: &Path) -> PathBuf {
        self.resolved
            .entry(dir.to_path_buf())
            .or_insert_with(|| dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()))
            .clone()
    }

    /// The id of the case file `path` selected through `base`: its path under the
    /// cases root, else under `base`, else its file name, without the extension.
    fn of(&mut self, path: &Path, base: &Path) -> String {
        // The folder is resolved, the file name kept: a symbolic link to a case file
        // is a case of its own name.
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        let path_c = self
            .resolve(parent.unwrap_or(Path::new(".")))
            .join(path.file_name().unwrap_or_default());
        let rel = match path_c.strip_prefix(&self.root) {
            Ok(rel) => rel.to_path_buf(),
            Err(_) => path_c
                .strip_prefix(self.resolve(base))
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| PathBuf::from(path.file_name().unwrap_or_default())),
        };
        let rel = rel.with_extension("");
        rel.components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}
