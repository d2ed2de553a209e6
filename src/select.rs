//! Case selection: which case files a command works on (paths, `--filter`, `--tag`),
//! loaded and validated together so every bad file is reported at once.
//!
//! It reads case files and nothing else; where the cases folder is (on disk or the
//! built-in suite) is decided by `suite`.

use std::path::{Path, PathBuf};

use crate::case::{self, Case, CaseError};
use crate::client::error_chain;

/// What the command line selected.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// Case files or folders; empty means the whole cases folder.
    pub paths: &'a [PathBuf],
    /// Keep cases whose id contains any of these.
    pub filter: &'a [String],
    /// Keep cases with any of these tags.
    pub tag: &'a [String],
    /// Leave out cases with any of these tags.
    pub exclude_tag: &'a [String],
    /// Keep cases that send any of these patch types (`features::PATCH_TYPES`).
    pub patch_type: &'a [String],
}

/// Why no cases could be selected.
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error(transparent)]
    Discover(#[from] CaseError),
    #[error("{} case file(s) could not be loaded:\n  {}", .errors.len(), .errors.join("\n  "))]
    Invalid { errors: Vec<String> },
    #[error("no case matches the selection")]
    Empty,
}

impl Selection<'_> {
    /// Whether this is the whole suite: no paths, no filter, no tag, no patch type.
    pub fn is_everything(&self) -> bool {
        self.paths.is_empty()
            && self.filter.is_empty()
            && self.tag.is_empty()
            && self.exclude_tag.is_empty()
            && self.patch_type.is_empty()
    }

    /// Loads the selected cases from `cases_dir`; every bad file is reported.
    pub fn load(&self, cases_dir: &Path) -> Result<Vec<Case>, SelectError> {
        let paths = paths_in(self.paths, cases_dir);
        let found = case::discover(&paths, cases_dir)?;
        let mut cases = Vec::new();
        let mut errors = Vec::new();
        for f in found {
            match case::load(&f.path, f.id, cases_dir) {
                Ok(c) => cases.extend(c),
                Err(e) => errors.push(error_chain(&e)),
            }
        }
        if !errors.is_empty() {
            return Err(SelectError::Invalid { errors });
        }
        cases.retain(|c| {
            let sends: Vec<_> = c
                .steps
                .iter()
                .filter_map(|s| crate::features::patch_type_tag(&s.request.content_type))
                .collect();
            self.keeps(&c.id, &c.file.tags)
                && (self.patch_type.is_empty()
                    || self.patch_type.iter().any(|p| sends.contains(&p.as_str())))
        });
        if cases.is_empty() {
            return Err(SelectError::Empty);
        }
        Ok(cases)
    }

    /// Whether `--filter`, `--tag` and `--exclude-tag` keep a case with this id and
    /// these tags.
    fn keeps(&self, id: &str, tags: &[String]) -> bool {
        (self.filter.is_empty() || self.filter.iter().any(|f| id.contains(f.as_str())))
            && (self.tag.is_empty() || self.tag.iter().any(|t| tags.contains(t)))
            && !self.exclude_tag.iter().any(|t| tags.contains(t))
    }
}

/// The paths to read: the whole cases folder when none are given; each given path
/// as it is when it exists, else under the cases folder (so `podpatch run apply`
/// works with the built-in suite too).
fn paths_in(paths: &[PathBuf], cases_dir: &Path) -> Vec<PathBuf> {
    if paths.is_empty() {
        return vec![cases_dir.to_path_buf()];
    }
    paths
        .iter()
        .map(|p| {
            let under = cases_dir.join(p);
            if !p.exists() && p.is_relative() && under.exists() {
                under
            } else {
                p.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn filter_and_tag_each_keep_any_of_their_values() {
        let (filter, tag) = (strings(&["apply/", "deadline"]), strings(&["image"]));
        let s = Selection {
            paths: &[],
            filter: &filter,
            tag: &tag,
            exclude_tag: &[],
            patch_type: &[],
        };
        assert!(s.keeps("apply/force", &strings(&["apply", "image"])));
        assert!(s.keeps("active-deadline/raise", &strings(&["image"])));
        assert!(!s.keeps("apply/force", &strings(&["apply"])));
        assert!(!s.keeps("json-patch/replace", &strings(&["image"])));
        assert!(!s.is_everything());
        let all = Selection {
            paths: &[],
            filter: &[],
            tag: &[],
            exclude_tag: &[],
            patch_type: &[],
        };
        assert!(all.keeps("x/y", &[]) && all.is_everything());
    }

    #[test]
    fn paths_fall_back_to_the_cases_folder() {
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        std::fs::create_dir_all(cases.join("apply")).unwrap();
        assert_eq!(paths_in(&[], &cases), vec![cases.clone()]);
        assert_eq!(
            paths_in(&[PathBuf::from("apply")], &cases),
            vec![cases.join("apply")]
        );
        let elsewhere = dir.path().to_path_buf();
        assert_eq!(
            paths_in(std::slice::from_ref(&elsewhere), &cases),
            vec![elsewhere]
        );
        let missing = PathBuf::from("no-such-topic");
        assert_eq!(
            paths_in(std::slice::from_ref(&missing), &cases),
            vec![missing]
        );
    }

    #[test]
    fn every_bad_file_is_reported_and_an_empty_selection_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        std::fs::create_dir_all(&cases).unwrap();
        std::fs::write(cases.join("a.yaml"), "description: x\nbogus: 1\n").unwrap();
        std::fs::write(cases.join("b.yaml"), "description: [\n").unwrap();
        let all = Selection {
            paths: &[],
            filter: &[],
            tag: &[],
            exclude_tag: &[],
            patch_type: &[],
        };
        match all.load(&cases) {
            Err(SelectError::Invalid { errors }) => assert_eq!(errors.len(), 2, "{errors:?}"),
            other => panic!("expected two errors, got {other:?}"),
        }
        std::fs::write(
            cases.join("a.yaml"),
            "description: x\nrequest: {type: merge, body: {}}\nexpect: {status: 200}\n",
        )
        .unwrap();
        std::fs::remove_file(cases.join("b.yaml")).unwrap();
        assert_eq!(all.load(&cases).unwrap().len(), 1);
        let filter = strings(&["zzz"]);
        let none = Selection {
            filter: &filter,
            ..all
        };
        assert!(matches!(none.load(&cases), Err(SelectError::Empty)));
    }
}
