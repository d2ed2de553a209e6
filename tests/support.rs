//! Helpers shared by the integration tests: running cases in-process against a
//! fresh built-in mock.

#![allow(dead_code)] // each test crate uses part of this file

use std::path::{Path, PathBuf};
use std::time::Duration;

use podpatch::case::{self, Case};
use podpatch::run::{self, Options, RunReport};
use podpatch::snapshot::Mode;
use podpatch::target::Target;
use podpatch_mock::MockServer;
use tokio_util::sync::CancellationToken;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a case file, with its id relative to `base`.
pub fn load(path: &Path, base: &Path) -> Case {
    let id = path
        .strip_prefix(base)
        .unwrap_or(path)
        .with_extension("")
        .to_string_lossy()
        .replace('\\', "/");
    case::load(path, id, &root().join("cases")).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs cases against a fresh in-process mock, snapshots off.
pub async fn run_on_mock(cases: Vec<Case>) -> RunReport {
    let mock = MockServer::start(([127, 0, 0, 1], 0).into())
        .await
        .expect("mock starts");
    let target = Target::new(&mock.base_url()).expect("mock URL is valid");
    let opts = Options {
        jobs: 4,
        request_timeout: Duration::from_secs(10),
        run_timeout: Duration::from_secs(60),
        snapshots: Mode::Off,
        snapshot_dir: root().join("snapshots"),
        namespace: None,
        keep: false,
        retry: Default::default(),
        stop_after_no_answer: 3,
    };
    let report = run::run(cases, &target, &opts, CancellationToken::new(), |_| {})
        .await
        .expect("run starts");
    mock.shutdown().await;
    report
}
