//! Case files: the serde model of a request and its expectations (`model`),
//! scenarios and variants (`steps`), the file as a whole and the cases it
//! expands to (`document`), reading one file from disk (`read`) and strictly
//! parsing it (`file`), loading many in order on every core (`every_core`),
//! discovery of case files on disk (`discover`), and why a file cannot be used
//! (`error`).
//!
//! Every error names `file:line:column`. This module reads files; it sends nothing.

mod discover;
mod document;
mod error;
mod every_core;
mod file;
mod model;
mod read;
mod steps;

pub use discover::*;
pub use document::*;
pub use error::*;
pub use every_core::*;
pub use file::*;
pub use model::*;
pub use read::*;
pub use steps::*;
