//! Reports of a run: the terminal view, JUnit XML, JSON and a Markdown summary. Each writer takes the
//! finished `RunReport` (or one outcome, for progress) and renders it; none of them
//! decides whether a case passed.

pub mod counts;
pub mod json;
pub mod junit;
pub mod markdown;
#[cfg(test)]
pub(crate) mod sample;
pub mod terminal;

pub use counts::Counts;
