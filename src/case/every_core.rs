//! Loading many case files on every core, in order: a run checks every
//! selected file before it sends anything, and nothing else runs meanwhile.

use std::path::Path;
use std::sync::mpsc;

use super::discover::Found;
use super::document::Case;
use super::error::CaseError;
use super::file::Loader;

/// Below this many files per thread a thread more costs more than it saves.
const MIN_FILES_PER_THREAD: usize = 32;

/// How far a thread may load ahead of the files handed on: bounds what is
/// held, whatever the number of files.
const AHEAD: usize = 16;

/// Loads each of `found` (fixtures looked up last in `root`) and hands it to
/// `take` with its result, in `found`'s order. Thread `t` of `n` loads files
/// `t`, `t + n`, … into a channel of its own, and `take` reads the channels
/// in turn: no thread waits for another at a barrier, and each runs at most
/// `AHEAD` files ahead.
pub fn load_in_order(
    found: Vec<Found>,
    root: &Path,
    mut take: impl FnMut(Found, Result<Vec<Case>, CaseError>),
) {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(found.len() / MIN_FILES_PER_THREAD)
        .max(1);
    // One loader for all the threads: cases naming one fixture share its
    // parsed pod.
    let loader = Loader::new(root);
    if threads == 1 {
        for f in found {
            let loaded = loader.load(&f.path, f.id.clone());
            take(f, loaded);
        }
        return;
    }
    std::thread::scope(|s| {
        let (found, loader) = (&found, &loader);
        let channels: Vec<_> = (0..threads)
            .map(|t| {
                let (tx, rx) = mpsc::sync_channel(AHEAD);
                s.spawn(move || {
                    for f in found.iter().skip(t).step_by(threads) {
                        if tx.send(loader.load(&f.path, f.id.clone())).is_err() {
                            break;
                        }
                    }
                });
                rx
            })
            .collect();
        for (i, f) in found.iter().enumerate() {
            // A thread that panicked closed its channel: its file is lost,
            // which the caller must not take for a loaded one.
            let loaded = channels[i % threads].recv().unwrap_or_else(|_| {
                Err(CaseError::Unreadable {
                    path: f.path.display().to_string(),
                    why: "could not be loaded (the loading thread failed)".to_owned(),
                })
            });
            take(f.clone(), loaded);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::discover;

    #[test]
    fn many_files_are_handed_on_in_order_with_their_errors() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Enough files for every thread; every seventh one bad, each with a
        // description of its own to tell the cases apart.
        for i in 0..(MIN_FILES_PER_THREAD * 4 + 5) {
            let text = if i % 7 == 3 {
                format!("description: [unclosed {i}\n")
            } else {
                format!(
                    "description: case {i}\nrequest:\n  type: json\n  body: []\nexpect:\n  status: 200\n"
                )
            };
            std::fs::write(root.join(format!("c{i:03}.yaml")), text).unwrap();
        }
        let found = discover(&[root.to_path_buf()], root).unwrap();
        let want: Vec<String> = found.iter().map(|f| f.id.clone()).collect();
        let mut seen = Vec::new();
        load_in_order(found, root, |f, loaded| {
            let i: usize = f.id[1..].parse().unwrap();
            match loaded {
                Ok(cases) => {
                    assert_ne!(i % 7, 3, "{} loaded", f.id);
                    assert_eq!(cases[0].file.description, format!("case {i}"));
                }
                Err(e) => assert_eq!(i % 7, 3, "{}: {e}", f.id),
            }
            seen.push(f.id);
        });
        assert_eq!(seen, want);
    }
}
