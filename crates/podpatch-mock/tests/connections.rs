//! The mock under slow and hostile connections (issue 11, item 7): CPU-heavy
//! requests run off the async threads and without holding the store, so a
//! small request (on another pod too) answers in milliseconds while one is
//! in flight, and concurrent patches of one pod are all kept; connections that send nothing,
//! stop mid-head or stop mid-body are closed after the header or idle
//! timeout instead of being held forever.

use std::time::{Duration, Instant};

use podpatch_mock::{ConnectionTimeouts, MockServer};
use rstest::rstest;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const LOCALHOST: ([u8; 4], u16) = ([127, 0, 0, 1], 0);

/// A JSON Patch of 2,500 operations, each adding a label:
/// seconds of work for the patch pipeline.
fn heavy_patch() -> Vec<u8> {
    let ops: Vec<_> = (0..2_500)
        .map(|i| json!({"op": "add", "path": format!("/metadata/labels/l{i}"), "value": "v"}))
        .collect();
    serde_json::to_vec(&ops).unwrap_or_default()
}

// One worker thread: work done on it stalls every other request.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn small_requests_answer_while_a_heavy_patch_runs() {
    let server = MockServer::start(LOCALHOST.into())
        .await
        .expect("mock starts");
    let base = server.base_url();
    let client = reqwest::Client::new();
    let pods = format!("{base}/api/v1/namespaces/default/pods");
    for name in ["web", "db"] {
        let pod = json!({"metadata": {"name": name, "labels": {"a": "b"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        let created = client
            .post(&pods)
            .json(&pod)
            .send()
            .await
            .expect("create sent");
        assert_eq!(created.status(), 201, "{:?}", created.text().await);
    }
    let heavy = tokio::spawn(
        client
            .patch(format!("{pods}/web"))
            .header("content-type", "application/json-patch+json")
            .body(heavy_patch())
            .send(),
    );
    let patched_at = Instant::now();
    // Let the heavy request reach its handler.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let start = Instant::now();
    let small = client
        .get(format!("{base}/version"))
        .send()
        .await
        .expect("small GET sent");
    assert_eq!(small.status(), 200);
    // A request on another pod needs the store the heavy patch works from.
    let other = client
        .patch(format!("{pods}/db"))
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"metadata":{"labels":{"c":"d"}}}"#)
        .send()
        .await
        .expect("small PATCH sent");
    let took = start.elapsed();
    assert_eq!(other.status(), 200);
    assert!(
        !heavy.is_finished(),
        "the heavy patch had ended when the small requests were answered ({:?} after the \
         patch was sent): the server answered nothing else meanwhile, or the patch is too \
         light to tell",
        patched_at.elapsed()
    );
    assert!(
        took < Duration::from_millis(500),
        "GET /version and a PATCH of another pod took {took:?} while a heavy patch was in flight"
    );
    let heavy = heavy.await.expect("joined").expect("heavy patch answered");
    assert_eq!(heavy.status(), 200);
}

/// Patches of one pod computed at the same time are all kept: a write
/// over a pod changed since it was read starts again from the newer pod
/// (the store's compare-and-swap), so no label is lost.
#[tokio::test]
async fn concurrent_patches_of_one_pod_lose_nothing() {
    let server = MockServer::start(LOCALHOST.into())
        .await
        .expect("mock starts");
    let client = reqwest::Client::new();
    let pods = format!("{}/api/v1/namespaces/default/pods", server.base_url());
    let pod = json!({"metadata": {"name": "web"},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    let created = client.post(&pods).json(&pod).send().await.expect("sent");
    assert_eq!(created.status(), 201);
    let patches = (0..24).map(|i| {
        client
            .patch(format!("{pods}/web"))
            .header("content-type", "application/merge-patch+json")
            .body(format!(r#"{{"metadata":{{"labels":{{"l{i}":"v"}}}}}}"#))
            .send()
    });
    for answer in futures::future::join_all(patches).await {
        assert_eq!(answer.expect("answered").status(), 200);
    }
    let stored: serde_json::Value = client
        .get(format!("{pods}/web"))
        .send()
        .await
        .expect("read")
        .json()
        .await
        .expect("a pod");
    let labels = stored["metadata"]["labels"].as_object().expect("labels");
    assert_eq!(labels.len(), 24, "{labels:?}");
}

/// Reads until the server closes the connection (or the bound passes),
/// returning what it sent and when it closed.
async fn until_closed(stream: &mut TcpStream, bound: Duration) -> (String, Duration) {
    let start = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let left = bound.saturating_sub(start.elapsed());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => panic!(
                "connection still open after {bound:?}; it sent {:?}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
    (String::from_utf8_lossy(&seen).into_owned(), start.elapsed())
}

async fn short_timeouts() -> MockServer {
    let timeouts = ConnectionTimeouts {
        header_read: Duration::from_millis(300),
        idle: Duration::from_millis(600),
    };
    MockServer::start_with(LOCALHOST.into(), timeouts, podpatch_mock::Version::DEFAULT)
        .await
        .expect("mock starts")
}

/// The rest of a create whose body never comes.
const MID_BODY: &[u8] = b"POST /api/v1/namespaces/default/pods HTTP/1.1\r\nHost: mock\r\n\
    Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"metadata\":";

#[rstest]
#[case::never_sends(b"", None)]
#[case::stops_mid_head(b"GET /version HTTP/1.1\r\nHost: mock\r\n", None)]
#[case::idle_after_an_answer(
    b"GET /version HTTP/1.1\r\nHost: mock\r\n\r\n",
    Some("HTTP/1.1 200 OK")
)]
#[case::stops_mid_body(MID_BODY, None)]
#[tokio::test]
async fn a_stalled_connection_is_closed(#[case] send: &[u8], #[case] answer: Option<&str>) {
    let server = short_timeouts().await;
    let mut stream = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    stream.write_all(send).await.expect("sent");
    let (got, after) = until_closed(&mut stream, Duration::from_secs(5)).await;
    match answer {
        Some(status_line) => assert!(got.starts_with(status_line), "{got}"),
        None => assert!(
            !got.starts_with("HTTP/1.1 2"),
            "answered a request never finished: {got}"
        ),
    }
    // Closed by a timeout, not at once.
    assert!(
        after >= Duration::from_millis(250),
        "closed after {after:?}"
    );
}

/// A client still uploading a large body when the server refuses it
/// unread (a 415 on the media type, before the 3 MiB limit) reads the
/// refusal, as from Go's server, instead of a reset mid-upload.
#[rstest]
#[case::refused_media_type("text/plain", "415 ")]
#[case::past_the_limit("application/merge-patch+json", "413 ")]
#[tokio::test]
async fn a_refusal_mid_upload_is_read(#[case] media: &str, #[case] status: &str) {
    let server = MockServer::start(LOCALHOST.into())
        .await
        .expect("mock starts");
    let mut stream = TcpStream::connect(server.local_addr())
        .await
        .expect("connects");
    let body = vec![b'x'; 4 * 1024 * 1024];
    let head = format!(
        "PATCH /api/v1/namespaces/default/pods/web HTTP/1.1\r\nHost: mock\r\n\
         Content-Type: {media}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head sent");
    // Time for the server to decide on the head alone.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for chunk in body.chunks(256 * 1024) {
        stream.write_all(chunk).await.expect("body sent in full");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.ends_with(b"}\n") {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => got.extend_from_slice(&buf[..n]),
            other => panic!(
                "no whole answer ({other:?}): {}",
                String::from_utf8_lossy(&got)
            ),
        }
    }
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with(&format!("HTTP/1.1 {status}")), "{got}");
}
