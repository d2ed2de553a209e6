//! Reports of a run: the terminal view, JUnit XML and JSON. Each writer takes the
//! finished `RunReport` (or one outcome, for progress) and renders it; none of them
//! decides whether a case passed.

pub mod counts;
pub mod json;
pub mod junit;
#[cfg(test)]
pub(crate) mod sample;
pub mod terminal;

pub use counts::Counts;
