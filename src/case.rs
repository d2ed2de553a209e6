//! Case files: the serde model of one YAML case (`model`), reading and strictly
//! parsing one file (`file`), and discovery of case files on disk (`discover`).
//!
//! Every error names `file:line:column`. This module reads files; it sends nothing.

mod discover;
mod file;
mod model;

pub use discover::*;
pub use file::*;
pub use model::*;
