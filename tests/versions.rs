//! A target whose Kubernetes version is outside the recorded 1.30–1.37: the run
//! says so before its cases and judges their expectations, not their snapshots,
//! instead of failing every case whose snapshot that version answers differently.
//! The target is the built-in mock behind a `/version` of another release.

mod support;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use podpatch::run::{self, Options, Progress, Status};
use podpatch::snapshot::Mode;
use podpatch::target::Target;
use tokio_util::sync::CancellationToken;

/// Runs the shipped cases `ids` with snapshots checked against the mock answering
/// `git_version` to `GET /version`; returns the notes told before the cases, and
/// the report.
async fn run_as(git_version: &'static str, ids: &[&str]) -> (Vec<String>, run::RunReport) {
    let version = move |req: Request<Body>, next: Next| async move {
        if req.uri().path() == "/version" {
            let body = serde_json::json!({
                "major": "1", "gitVersion": git_version, "goVersion": "go1.26.8",
            });
            return (StatusCode::OK, axum::Json(body)).into_response();
        }
        next.run(req).await
    };
    let app = podpatch_mock::router().layer(middleware::from_fn(version));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let cases_dir = support::root().join("cases");
    let cases: Vec<_> = ids
        .iter()
        .map(|id| support::load(&cases_dir.join(format!("{id}.yaml")), &cases_dir))
        .collect();
    let opts = Options {
        run_timeout: Duration::from_secs(60),
        snapshots: Mode::Check,
        snapshot_dir: support::root().join("snapshots"),
        stop_after_no_answer: 3,
        ..Options::new(2, Duration::from_secs(10))
    };
    let target = Target::new(&format!("http://{addr}")).unwrap();
    let told = std::sync::Mutex::new(Vec::new());
    let report = run::run(cases, &target, &opts, CancellationToken::new(), |p| {
        if let Progress::Scope(note) = p {
            told.lock().unwrap().push(note.to_owned());
        }
    })
    .await
    .expect("run starts");
    (told.into_inner().unwrap(), report)
}

/// A case whose snapshot differs between minors (1.37 reports the cause once), and
/// one that applies from 1.33 on.
const CASES: &[&str] = &[
    "validation/label-key-64-bytes-refused",
    "metadata/generation-ignored",
];

fn status(report: &run::RunReport, id: &str) -> Status {
    report.outcomes.iter().find(|o| o.id == id).unwrap().status
}

#[tokio::test]
async fn a_version_outside_the_range_is_named_and_judged_by_expectations() {
    let (told, report) = run_as("v1.29.4", CASES).await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0].contains("Kubernetes 1.29, older than the oldest"),
        "{}",
        told[0]
    );
    assert!(
        told[0].contains("snapshots are not compared"),
        "{}",
        told[0]
    );
    assert_eq!(
        report.notes.first(),
        told.first(),
        "the report keeps the note"
    );
    // The expectation is judged (and holds); the 1.33+ case is skipped.
    assert_eq!(status(&report, CASES[0]), Status::Passed);
    assert_eq!(status(&report, CASES[1]), Status::Skipped);
    assert_eq!(
        report.outcomes[0].snapshot,
        podpatch::snapshot::Verdict::Skipped
    );
}

#[tokio::test]
async fn a_recorded_minor_is_judged_in_full_and_silently() {
    // The mock answers as 1.37, the baseline; claiming 1.36 makes the snapshot
    // that 1.36 words differently fail: snapshots are compared, with the 1.36
    // overrides.
    let (told, report) = run_as("v1.36.5", CASES).await;
    assert!(told.is_empty(), "{told:?}");
    assert_eq!(status(&report, CASES[0]), Status::Failed);
    assert_eq!(status(&report, CASES[1]), Status::Passed);
    let (told, report) = run_as("v1.37.2", CASES).await;
    assert!(told.is_empty(), "{told:?}");
    assert!(report.outcomes.iter().all(|o| o.status == Status::Passed));
}
