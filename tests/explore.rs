//! `podpatch explore` end to end. Between two built-in mocks it finds no
//! difference (no false positives from uids, timestamps or names). Between
//! the built-in mock and the same mock behind a proxy that changes one
//! behaviour (a PATCH whose body sets `tolerationSeconds` is refused 422 with
//! its own message), it finds the change, shrinks it to a small case, and
//! writes a case file that passes against the changed server and fails
//! against the mock.

use std::process::Output;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use podpatch_mock::MockServer;
use serde_json::Value;

const CHANGED: &str = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"tolerationSeconds may not be patched here","reason":"Invalid","code":422}"#;

/// A proxy in front of `upstream` with one behaviour changed.
async fn changed_server(upstream: String) -> String {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let handler = move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
        let (http, upstream) = (http.clone(), upstream.clone());
        async move {
            if method == Method::PATCH
                && String::from_utf8_lossy(&body).contains("tolerationSeconds")
            {
                return (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    [(header::CONTENT_TYPE, "application/json")],
                    CHANGED,
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

async fn explore(args: &[&str]) -> Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_podpatch"))
        .arg("explore")
        .args(args)
        .output()
        .await
        .expect("podpatch runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_mocks_show_no_difference() {
    let out = explore(&[
        "--target", "mock", "--target", "mock", "--seed", "11", "--budget", "120",
    ])
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let changed = changed_server(mock.base_url()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out_dir = dir.path().join("found");
    let out = explore(&[
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
    ])
    .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
