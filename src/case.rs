//! Case files: the serde model of a request and its expectations (`model`),
//! scenarios and variants (`steps`), the file as a whole and the cases it
//! expands to (`document`), reading and strictly parsing one file (`file`),
//! loading many in order on every core (`every_core`), and discovery of case
//! files on disk (`discover`).
//!
//! Every error names `file:line:column`. This module reads files; it sends nothing.

mod discover;
mod document;
mod every_core;
mod file;
mod model;
mod steps;

pub use discover::*;
pub use document::*;
pub use every_core::*;
pub use file::*;
pub use model::*;
pub use steps::*;
