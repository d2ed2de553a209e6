//! Why a command could not do its work at all (exit 2): every boundary error of
//! the library, each kept whole so the binary can print its full cause chain.

use std::path::PathBuf;

use crate::fixture::FixtureError;
use crate::flags::FlagsError;
use crate::resolve::ResolveError;
use crate::run::RunError;
use crate::select::SelectError;
use crate::suite::SuiteError;
use crate::target::TargetError;

/// A command that could not run.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error(transparent)]
    Suite(#[from] SuiteError),
    #[error(transparent)]
    Flags(#[from] FlagsError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error(transparent)]
    Target(#[from] TargetError),
    /// Boxed: run and fixture errors carry the failed request, and every command
    /// returns this type.
    #[error(transparent)]
    Run(Box<RunError>),
    #[error(transparent)]
    Fixture(Box<FixtureError>),
    /// One side of `podpatch diff`.
    #[error("target {side}")]
    Side {
        side: &'static str,
        #[source]
        source: Box<CommandError>,
    },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Expected(#[from] crate::expected::ExpectedError),
    #[error(transparent)]
    Snapshot(#[from] crate::snapshot::SnapshotError),
    /// The target refused the run's setup; the reports were written all the same.
    #[error("{0}")]
    SetupRefused(String),
    /// `--update-snapshots` into the shipped folder against a target that is not
    /// upstream Kubernetes.
    #[error(
        "refusing --update-snapshots into {dir}: snapshots record upstream Kubernetes, and {target} is not a kube-apiserver (its /version answered {said}); give --snapshots-dir DIR to record this target's own baseline"
    )]
    ForeignBaseline {
        dir: String,
        target: String,
        said: String,
    },
    #[error("failed to write the {kind} report to {}", .path.display())]
    Report {
        kind: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to listen on {addr}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to write to standard output")]
    Stdout(#[source] std::io::Error),
}

impl From<RunError> for CommandError {
    fn from(e: RunError) -> CommandError {
        CommandError::Run(Box::new(e))
    }
}

impl From<FixtureError> for CommandError {
    fn from(e: FixtureError) -> CommandError {
        CommandError::Fixture(Box::new(e))
    }
}
