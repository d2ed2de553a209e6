//! Helpers shared by the integration tests: running cases in-process against a
//! fresh built-in mock.

#![allow(dead_code)] // each test crate uses part of this file

use std::path::{Path, PathBuf};
use std::time::Duration;

use podpatch::case::{self, Case};
use podpatch::run::{self, Options, RunReport};
use podpatch::snapshot::Mode;
use podpatch::target::Target;
use podpatch_mock::{MockServer, Version};
use tokio_util::sync::CancellationToken;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a case file holding one case, with its id relative to `base`.
pub fn load(path: &Path, base: &Path) -> Case {
    let mut cases = load_all(path, base);
    assert_eq!(cases.len(), 1, "{} holds variants", path.display());
    cases.remove(0)
}

/// Loads the cases of a case file (one per variant), ids relative to `base`.
pub fn load_all(path: &Path, base: &Path) -> Vec<Case> {
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
    run_on_mock_at(cases, Version::DEFAULT, Mode::Off).await
}

/// Runs cases against a fresh in-process mock answering as `version`, with
/// the shipped snapshots in `snapshots` mode.
pub async fn run_on_mock_at(cases: Vec<Case>, version: Version, snapshots: Mode) -> RunReport {
    let mock = MockServer::start_at(([127, 0, 0, 1], 0).into(), version)
        .await
        .expect("mock starts");
    let target = Target::new(&mock.base_url()).expect("mock URL is valid");
    let opts = Options {
        run_timeout: Duration::from_secs(600),
        snapshots,
        snapshot_dir: root().join("snapshots"),
        stop_after_no_answer: 3,
        ..Options::new(8, Duration::from_secs(30))
    };
    let report = run::run(cases, &target, &opts, CancellationToken::new(), |_| {})
        .await
        .expect("run starts");
    mock.shutdown().await;
    report
}

/// Every shipped case, variants expanded.
pub fn shipped() -> Vec<Case> {
    let root = root().join("cases");
    case::discover(std::slice::from_ref(&root), &root)
        .expect("the shipped cases are found")
        .into_iter()
        .flat_map(|found| load_all(&found.path, &root))
        .collect()
}

/// What podpatch left on a target: `podpatch-…` namespaces, and pods carrying its
/// label (`namespace/name`) in any namespace.
pub async fn leftovers(target: &str) -> Vec<String> {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let names = |path: String| {
        let http = http.clone();
        async move {
            let list: serde_json::Value = http
                .get(format!("{target}{path}"))
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .expect("the target lists")
                .json()
                .await
                .expect("a JSON list");
            list["items"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|i| {
                    i["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect::<Vec<_>>()
        }
    };
    let namespaces = names("/api/v1/namespaces".into()).await;
    let mut left: Vec<String> = namespaces
        .iter()
        .filter(|n| n.starts_with("podpatch-"))
        .map(|n| format!("namespace {n}"))
        .collect();
    for ns in &namespaces {
        let pods = names(format!(
            "/api/v1/namespaces/{ns}/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dpodpatch"
        ))
        .await;
        left.extend(pods.into_iter().map(|p| format!("pod {ns}/{p}")));
    }
    left
}

/// The built-in mock in a child process, killed on drop.
pub struct ChildMock {
    child: std::process::Child,
    /// Where it listens.
    pub url: String,
}

impl ChildMock {
    /// Starts `podpatch mock --listen 127.0.0.1:0` and reads its URL.
    pub fn start() -> ChildMock {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_podpatch"))
            .args(["mock", "--listen", "127.0.0.1:0"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stderr.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in `{line}`"))
            .to_owned();
        ChildMock { child, url }
    }
}

impl Drop for ChildMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
