//! podpatch must work against third-party mocks that implement only the pod
//! endpoints (no namespaces, no ServiceAccounts, 200 instead of 201 on create):
//! the run goes on, says what it made do with, and still judges the cases.

mod support;

use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use podpatch::run::{self, Options, Status};
use podpatch::snapshot::Mode;
use podpatch::target::Target;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// A pod-only mock: creation echoes the pod, PATCH answers it with a label added.
fn pod_only_mock() -> Router {
    async fn create(Path(_ns): Path<String>, body: String) -> (StatusCode, String) {
        let mut pod: Value = serde_json::from_str(&body).unwrap_or(json!({}));
        pod["metadata"]["uid"] = json!("0b7e9d52-6f4a-4c1e-9a57-1f2d3c4b5a69");
        (StatusCode::OK, pod.to_string())
    }
    async fn patch(Path((_ns, name)): Path<(String, String)>) -> (StatusCode, String) {
        let pod = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "labels": {"tier": "web"}}});
        (StatusCode::OK, pod.to_string())
    }
    Router::new()
        .route("/api/v1/namespaces/{ns}/pods", post(create))
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}",
            get(|| async { StatusCode::NOT_FOUND })
                .patch(patch)
                .delete(|| async { StatusCode::OK }),
        )
}

#[tokio::test]
async fn runs_against_a_pod_only_mock() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, pod_only_mock()).await });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("label.yaml");
    std::fs::write(
        &path,
        "description: adds a label\ngiven:\n  pod: fixtures/web.yaml\nrequest:\n  type: merge\n  body: {metadata: {labels: {tier: web}}}\nexpect:\n  status: 200\n  body: {metadata: {name: '${pod}', labels: {tier: web}}}\n",
    )
    .unwrap();
    let case = support::load(&path, dir.path());
    let opts = Options {
        jobs: 1,
        request_timeout: Duration::from_secs(5),
        run_timeout: Duration::from_secs(30),
        snapshots: Mode::Off,
        snapshot_dir: dir.path().to_path_buf(),
        namespace: None,
        keep: false,
        retry: Default::default(),
    };
    let target = Target::new(&format!("http://{addr}")).unwrap();
    let report = run::run(vec![case], &target, &opts, CancellationToken::new(), |_| {})
        .await
        .expect("a pod-only target is still usable");
    assert_eq!(
        report.outcomes[0].status,
        Status::Passed,
        "{:#?}",
        report.outcomes[0]
    );
    assert!(
        report.notes.iter().any(|n| n.contains("no namespace API")),
        "{:?}",
        report.notes
    );
}
