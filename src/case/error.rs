//! Why a case file cannot be used: one error for reading, parsing and
//! discovering case files.

/// Why a case file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: failed to read")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: fixture `{fixture}` not found (looked beside the case, in its parent folders and in {root})"
    )]
    FixtureMissing {
        path: String,
        fixture: String,
        root: String,
    },
    #[error("{path}: no case files found")]
    NoCases { path: String },
    #[error("{path} {why}")]
    Unreadable { path: String, why: String },
    #[error(
        "{first} and {second} have the same case id `{id}` (and would share one snapshot); remove or rename one"
    )]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
}
