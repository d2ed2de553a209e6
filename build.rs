//! Build-time inputs from the repository:
//! - makes `cargo test` notice new or removed case files (the data-driven tests are
//!   generated from `cases/` at compile time by rstest `#[files]`);
//! - writes the table of the shipped suite (`cases/**/*.yaml`, `snapshots/**/*.snap`)
//!   that `suite` embeds, so the installed binary runs without a checkout.
//!
//! It reads only those two folders and writes only `$OUT_DIR/suite_files.rs`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=cases");
    println!("cargo:rerun-if-changed=snapshots");
    println!("cargo:rerun-if-changed=tests/data");
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let mut files = Vec::new();
    collect(&root, Path::new("cases"), &["yaml", "yml"], &mut files);
    collect(&root, Path::new("snapshots"), &["snap"], &mut files);
    files.sort();
    let mut table = String::from("&[\n");
    for rel in &files {
        let rel_text = rel
            .components()
            .map(|c| c.as_os_str().to_str().expect("suite paths are UTF-8"))
            .collect::<Vec<_>>()
            .join("/");
        let abs = root.join(rel);
        let abs = abs.to_str().expect("the checkout path is UTF-8");
        writeln!(table, "    ({rel_text:?}, include_bytes!({abs:?})),")
            .expect("writing to a String");
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("suite_files.rs"), table).expect("OUT_DIR is writable");
}

/// Every file under `root/dir` (recursively) whose extension is one of `exts`,
/// relative to `root`; pending snapshots (`.snap.new`) and other files are left out.
fn collect(root: &Path, dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return;
    };
    for entry in entries {
        let entry = entry.expect("the suite folders are readable");
        let rel = dir.join(entry.file_name());
        let kind = entry.file_type().expect("the suite folders are readable");
        if kind.is_dir() {
            collect(root, &rel, exts, out);
        } else if rel
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(rel);
        }
    }
}
