//! `podpatch explore` end to end. Between two built-in mocks it finds no
//! difference (no false positives from uids, timestamps or names). Between
//! the built-in mock and the same mock behind a proxy that changes one
//! behaviour (a PATCH whose body sets `tolerationSeconds` is refused 422 with
//! its own message), it finds the change, shrinks it to a small case, and
//! writes a case file that passes against the changed server and fails
//! against the mock. When the changed server answers that PATCH one way or
//! another in turn (as Go's map order does), the difference is set aside as
//! unstable, not written.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use podpatch_mock::MockServer;
use serde_json::Value;

const CHANGED: &str = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"tolerationSeconds may not be patched here","reason":"Invalid","code":422}"#;
const CHANGED_OTHERWISE: &str = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"tolerationSeconds may not be patched here or there","reason":"Invalid","code":422}"#;

/// A proxy in front of `upstream` with one behaviour changed: a PATCH whose
/// body sets `tolerationSeconds` is answered with each of `answers` in turn.
async fn changed_server(upstream: String, answers: &'static [&'static str]) -> String {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let turn = Arc::new(AtomicUsize::new(0));
    let handler = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let (http, upstream, turn) = (http.clone(), upstream.clone(), Arc::clone(&turn));
        async move {
            if method == Method::PATCH
                && String::from_utf8_lossy(&body).contains("tolerationSeconds")
            {
                let answer = answers[turn.fetch_add(1, Ordering::Relaxed) % answers.len()];
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    [(header::CONTENT_TYPE, "application/json")],
                    answer,
                )
                    .into_response();
            }
            let mut req = http.request(method, format!("{upstream}{uri}")).body(body);
            for (name, value) in &headers {
                if name != header::HOST {
                    req = req.header(name, value);
                }
            }
            let Ok(answer) = req.send().await else {
                return StatusCode::BAD_GATEWAY.into_response();
            };
            let mut out = Response::builder().status(answer.status().as_u16());
            for (name, value) in answer.headers() {
                if name != header::CONTENT_LENGTH && name != header::TRANSFER_ENCODING {
                    out = out.header(name, value);
                }
            }
            let bytes = answer.bytes().await.unwrap_or_default();
            out.body(Body::from(bytes)).unwrap_or_default()
        }
    };
    let app = axum::Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// Runs `podpatch explore` with `args`, checks that it exits with `code`
/// and returns what it printed.
async fn explore(args: &[&str], code: i32) -> String {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_podpatch"))
        .arg("explore")
        .args(args)
        .output()
        .await
        .expect("podpatch runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_mocks_show_no_difference() {
    let text = explore(
        &[
            "--target", "mock", "--target", "mock", "--seed", "11", "--budget", "120",
        ],
        0,
    )
    .await;
    assert!(
        text.contains("120 cases generated (seed 11): 0 differed"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_behaviour_is_found_shrunk_and_written() {
    let mock = MockServer::start(([127, 0, 0, 1], 0).into())
        .await
        .expect("mock");
    let changed = changed_server(mock.base_url(), &[CHANGED]).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("found");
    let text = explore(
        &[
            "--target",
            "mock",
            "--target",
            &changed,
            "--seed",
            "5",
            "--budget",
            "300",
            "--out",
            out_dir.to_str().expect("utf-8"),
        ],
        1,
    )
    .await;
    let files: Vec<_> = std::fs::read_dir(&out_dir)
        .expect("written")
        .flatten()
        .map(|e| e.path())
        .collect();
    let found = files
        .iter()
        .find(|p| {
            std::fs::read_to_string(p)
                .is_ok_and(|t| t.contains("tolerationSeconds may not be patched here"))
        })
        .unwrap_or_else(|| panic!("no case file for the change among {files:?}\n{text}"));
    let case: Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(found).expect("read")).expect("yaml");
    // Shrunk: the starting pod keeps only what a pod needs, the body only
    // what triggers the change.
    let spec = case
        .pointer("/given/pod/spec")
        .and_then(Value::as_object)
        .expect("spec");
    assert_eq!(
        spec.keys().collect::<Vec<_>>(),
        vec!["containers"],
        "{case:#}"
    );
    let body = case.pointer("/request/body").expect("body").to_string();
    assert!(
        body.contains("tolerationSeconds") && body.len() < 160,
        "{body}"
    );
    // The written case reproduces it: it passes on the changed server and
    // fails on the mock.
    let cases_dir = dir.path().join("cases");
    std::fs::create_dir_all(&cases_dir).expect("cases dir");
    std::fs::copy(found, cases_dir.join("found.yaml")).expect("copied");
    let run = |target: String| {
        let cases_dir = cases_dir.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_podpatch"))
                .args(["run", "--no-snapshots", "--target", &target, "--cases-dir"])
                .arg(&cases_dir)
                .output()
                .await
                .expect("podpatch runs")
        }
    };
    let on_changed = run(changed.clone()).await;
    assert_eq!(
        on_changed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&on_changed.stdout)
    );
    let on_mock = run(mock.base_url()).await;
    assert_eq!(
        on_mock.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&on_mock.stdout)
    );
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reference_answering_either_way_is_set_aside() {
    let mock = MockServer::start(([127, 0, 0, 1], 0).into())
        .await
        .expect("mock");
    let changed = changed_server(mock.base_url(), &[CHANGED, CHANGED_OTHERWISE]).await;
    let text = explore(
        &[
            "--target", "mock", "--target", &changed, "--seed", "5", "--budget", "300",
        ],
        0,
    )
    .await;
    let summary = text
        .lines()
        .find(|l| l.contains("cases generated (seed 5)"))
        .unwrap_or_else(|| panic!("no summary\n{text}"));
    assert!(
        summary.contains(" 0 distinct stable differences") && !summary.contains(" 0 unstable"),
        "{summary}"
    );
    mock.shutdown().await;
}
