//! Case selection: which case files a command works on (paths, `--filter`, `--tag`),
//! loaded and validated together so every bad file is reported at once.
//!
//! It reads case files and nothing else; where the cases folder is (on disk or the
//! built-in suite) is decided by `suite`.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use crate::case::{self, Case, CaseError, Found, Loader, Unloaded};
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
        let mut cases = Vec::new();
        self.each(cases_dir, |_, selected| cases.extend(selected))?;
        non_empty(cases)
    }

    /// Validates every case file like `load`, but keeps only where the selected
    /// cases are, and the loaded cases themselves only when all the selected
    /// files hold at most `keep_bytes` of case text: a small run reads and parses
    /// each file once, a larger one loads each file again when its turn comes
    /// (see `Lazy`), so its memory does not grow with the number of cases.
    pub fn locate(&self, cases_dir: &Path, keep_bytes: u64) -> Result<Vec<Located>, SelectError> {
        let mut located = Vec::new();
        let mut kept = 0;
        self.each(cases_dir, |file, selected| {
            if !selected.is_empty() {
                let cases = selected.iter().map(|c| c.id.clone()).collect();
                kept += std::fs::metadata(&file.path).map_or(u64::MAX, |m| m.len());
                let loaded = (kept <= keep_bytes).then_some(selected);
                located.push(Located {
                    file,
                    cases,
                    loaded,
                });
            }
        })?;
        if kept > keep_bytes {
            // Kept for some files only, they would be held until their turn.
            located.iter_mut().for_each(|l| l.loaded = None);
        }
        non_empty(located)
    }

    /// Loads every case file under the selected paths (every bad one reported),
    /// handing `keep` each file with its selected cases.
    fn each(
        &self,
        cases_dir: &Path,
        mut keep: impl FnMut(Found, Vec<Case>),
    ) -> Result<(), SelectError> {
        let paths = paths_in(self.paths, cases_dir);
        let found = case::discover(&paths, cases_dir)?;
        let mut errors = Vec::new();
        case::load_in_order(found, cases_dir, |f, loaded| match loaded {
            Ok(cases) => keep(f, cases.into_iter().filter(|c| self.selects(c)).collect()),
            Err(e) => errors.push(error_chain(&e)),
        });
        if !errors.is_empty() {
            return Err(SelectError::Invalid { errors });
        }
        Ok(())
    }

    /// Whether the selection keeps `c` (see `keeps`, and `--patch-type`: any of
    /// its steps sends one of them).
    fn selects(&self, c: &Case) -> bool {
        let sends: Vec<_> = c
            .steps
            .iter()
            .filter_map(|s| crate::features::patch_type_tag(&s.request.content_type))
            .collect();
        self.keeps(&c.id, &c.file.tags)
            && (self.patch_type.is_empty()
                || self.patch_type.iter().any(|p| sends.contains(&p.as_str())))
    }

    /// Whether `--filter`, `--tag` and `--exclude-tag` keep a case with this id and
    /// these tags.
    fn keeps(&self, id: &str, tags: &[String]) -> bool {
        (self.filter.is_empty() || self.filter.iter().any(|f| id.contains(f.as_str())))
            && (self.tag.is_empty() || self.tag.iter().any(|t| tags.contains(t)))
            && !self.exclude_tag.iter().any(|t| tags.contains(t))
    }
}

/// A selection that is nothing is an error.
fn non_empty<T>(selected: Vec<T>) -> Result<Vec<T>, SelectError> {
    if selected.is_empty() {
        return Err(SelectError::Empty);
    }
    Ok(selected)
}

/// One case file of a run's selection, not kept loaded: where it is and the ids
/// of its selected cases (one, or some of its variants).
#[derive(Debug, Clone)]
pub struct Located {
    pub file: Found,
    pub cases: Vec<String>,
    /// The selected cases as the check loaded them, when kept (`locate`).
    pub loaded: Option<Vec<Case>>,
}

/// The located cases of a run (`Selection::locate`), each file not kept loaded
/// by the check loaded when the run takes its first case; cases naming the same fixture file share its parsed
/// pod. A file that can no longer be loaded, or no longer holds a selected case
/// (changed since it was checked), is that case's error, not the run's.
#[derive(Debug)]
pub struct Lazy {
    located: std::vec::IntoIter<Located>,
    loader: Loader,
    /// The selected cases of the file loaded last, not taken yet.
    ready: VecDeque<Result<Case, Unloaded>>,
}

impl Lazy {
    /// Loads `located` one file at a time from `cases_dir`.
    pub fn new(located: Vec<Located>, cases_dir: &Path) -> Lazy {
        Lazy {
            located: located.into_iter(),
            loader: Loader::new(cases_dir),
            ready: VecDeque::new(),
        }
    }
}

impl Iterator for Lazy {
    type Item = Result<Case, Unloaded>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.ready.is_empty() {
            let Located {
                file,
                cases: ids,
                loaded,
            } = self.located.next()?;
            let unloaded = |id: String, error: String| Unloaded {
                found: Found {
                    id,
                    path: file.path.clone(),
                },
                error,
            };
            let loaded = match loaded {
                Some(cases) => Ok(cases),
                None => self.loader.load(&file.path, file.id.clone()),
            };
            match loaded {
                Ok(mut cases) => {
                    for id in ids {
                        let taken = match cases.iter().position(|c| c.id == id) {
                            Some(at) => Ok(cases.swap_remove(at)),
                            None => Err(unloaded(
                                id,
                                "the case is no longer in its file (changed during the run?)"
                                    .to_owned(),
                            )),
                        };
                        self.ready.push_back(taken);
                    }
                }
                Err(e) => {
                    let error = format!(
                        "the case file could not be loaded again (changed during the run?): {}",
                        error_chain(&e)
                    );
                    for id in ids {
                        self.ready.push_back(Err(unloaded(id, error.clone())));
                    }
                }
            }
        }
        self.ready.pop_front()
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

    /// The selection of no flags: every case.
    fn everything() -> Selection<'static> {
        Selection {
            paths: &[],
            filter: &[],
            tag: &[],
            exclude_tag: &[],
            patch_type: &[],
        }
    }

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
        let all = everything();
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
    fn located_cases_load_when_taken_and_a_changed_file_is_that_cases_error() {
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        std::fs::create_dir_all(cases.join("fixtures")).unwrap();
        std::fs::write(cases.join("fixtures/p.yaml"), "metadata: {name: p}\n").unwrap();
        let case = "description: x\ngiven: {pod: fixtures/p.yaml}\nrequest: {type: merge, body: {}}\nexpect: {status: 200}\n";
        for name in ["a", "b", "c"] {
            std::fs::write(cases.join(format!("{name}.yaml")), case).unwrap();
        }
        let variants = "description: x\ngiven: {pod: fixtures/p.yaml}\nvariants:\n  m: {request: {type: merge, body: {}}}\n  s: {request: {type: strategic, body: {}}}\n  j: {request: {type: json, body: []}}\nexpect: {status: 200}\n";
        std::fs::write(cases.join("d.yaml"), variants).unwrap();
        let tag = strings(&["json-patch"]);
        let some = Selection {
            exclude_tag: &tag,
            ..everything()
        };
        let kept = some.locate(&cases, u64::MAX).unwrap();
        assert!(kept.iter().all(|l| l.loaded.is_some()), "{kept:?}");
        let one = std::fs::metadata(cases.join("a.yaml")).unwrap().len();
        let over = some.locate(&cases, one).unwrap();
        assert!(
            over.iter().all(|l| l.loaded.is_none()),
            "a selection over the budget keeps none: {over:?}"
        );
        let found = some.locate(&cases, 0).unwrap();
        assert!(found.iter().all(|l| l.loaded.is_none()), "{found:?}");
        assert_eq!(found.len(), 4);
        assert_eq!(found[3].cases, strings(&["d[m]", "d[s]"]));
        std::fs::write(cases.join("b.yaml"), "description: [\n").unwrap();
        let taken: Vec<_> = Lazy::new(found, &cases).collect();
        assert_eq!(taken.len(), 5);
        let (a, c) = (taken[0].as_ref().unwrap(), taken[2].as_ref().unwrap());
        assert!(
            std::sync::Arc::ptr_eq(a.pod.as_ref().unwrap(), c.pod.as_ref().unwrap()),
            "one fixture file, one parsed pod"
        );
        let b = taken[1].as_ref().unwrap_err();
        assert_eq!(b.found.id, "b");
        assert!(b.error.contains("b.yaml:1:"), "{}", b.error);
        let ids: Vec<_> = taken[3..]
            .iter()
            .map(|c| c.as_ref().unwrap().id.as_str())
            .collect();
        assert_eq!(ids, ["d[m]", "d[s]"]);
    }

    #[test]
    fn every_bad_file_is_reported_and_an_empty_selection_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let cases = dir.path().join("cases");
        std::fs::create_dir_all(&cases).unwrap();
        std::fs::write(cases.join("a.yaml"), "description: x\nbogus: 1\n").unwrap();
        std::fs::write(cases.join("b.yaml"), "description: [\n").unwrap();
        let all = everything();
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
