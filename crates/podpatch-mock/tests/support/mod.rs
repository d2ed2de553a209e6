//! Helpers shared by the mock's integration test binaries: one request
//! through `router()` with `tower::ServiceExt::oneshot`, and a router that
//! already holds a pod. Each binary uses a part of them, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use podpatch_mock::{Version, router_at};
use serde_json::{Value, json};
use tower::ServiceExt;

/// A response, read whole.
pub struct Resp {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Resp {
    /// The body as JSON (`null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
}

/// Sends one request through `app` and reads the whole answer.
pub async fn send(app: &Router, method: &str, uri: &str, ct: Option<&str>, body: &[u8]) -> Resp {
    let mut builder = Request::builder()
        .method(method)
        .uri(uri)
        .header("user-agent", "podpatch-test/1.0");
    if let Some(ct) = ct {
        builder = builder.header("content-type", ct);
    }
    if !body.is_empty() {
        // Real clients send it; go-restful's empty-body rules look at it.
        builder = builder.header("content-length", body.len());
    }
    let req = builder
        .body(Body::from(body.to_vec()))
        .expect("valid request");
    let resp = app.clone().oneshot(req).await.expect("infallible");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    Resp {
        status,
        headers,
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// The pods collection of the default namespace.
pub const PODS: &str = "/api/v1/namespaces/default/pods";

/// `POST`s `pod` as JSON to the default namespace.
pub async fn post_pod(app: &Router, pod: &Value) -> Resp {
    send(
        app,
        "POST",
        PODS,
        Some("application/json"),
        pod.to_string().as_bytes(),
    )
    .await
}

/// A router holding the pod `web` in the default namespace.
pub async fn with_pod() -> Router {
    with_pod_at(Version::DEFAULT).await
}

/// A router answering as `version`, holding the pod `web` in the default
/// namespace.
pub async fn with_pod_at(version: Version) -> Router {
    let app = router_at(version);
    let pod = json!({"metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx", "ports": [{"containerPort": 80}]}],
                 "activeDeadlineSeconds": 600}});
    let r = post_pod(&app, &pod).await;
    assert_eq!(r.status, 201, "{}", r.text);
    app
}
