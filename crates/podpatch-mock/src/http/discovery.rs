//! Discovery and server information: `/api` and `/api/v1`
//! (`endpoints/discovery/legacy.go`, `root.go` for `/apis`), `/version`
//! (`server/routes/version.go`) and the health checks (`server/healthz`).
//! What the mock publishes about itself; it must not touch the store.

use axum::extract::RawQuery;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::http::context::Ctx;
use crate::schema::{Ty, VERSION_TY};
use crate::version::Version;

/// `/api`: the legacy group's versions, the server address taken from Host.
pub(crate) async fn api_versions(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let body = json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
    });
    Ctx::new(&headers, q.as_deref()).json(200, &body, &API_VERSIONS_TY, &[])
}

static API_VERSIONS_TY: Ty = Ty::Struct(&crate::schema::Struct {
    name: "APIVersions",
    fields: &[
        crate::schema::f("kind", Ty::Str),
        crate::schema::a("versions", Ty::Any),
        crate::schema::a("serverAddressByClientCIDRs", Ty::Any),
    ],
});

/// `/api/v1`: discovery limited to the resources the mock serves, with the
/// entries a 1.36 server publishes for them.
pub(crate) async fn api_v1_resources(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let rw = [
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];
    let sub = ["get", "patch", "update"];
    let mut body = json!({
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"],
             "storageVersionHash": "Q3oi5N2YM8M="},
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": rw,
             "shortNames": ["po"], "categories": ["all"], "storageVersionHash": "xPOwRZ+Yhw8="},
            {"name": "pods/ephemeralcontainers", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": sub},
            {"name": "pods/resize", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": sub},
            {"name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": sub},
            {"name": "serviceaccounts", "singularName": "serviceaccount", "namespaced": true,
             "kind": "ServiceAccount", "verbs": rw, "shortNames": ["sa"], "storageVersionHash": "pbx9ZvyFpBE="},
        ],
    });
    if !Version::current().has_resize_subresource()
        && let Some(resources) = body["resources"].as_array_mut()
    {
        resources.retain(|r| r["name"] != "pods/resize");
    }
    Ctx::new(&headers, q.as_deref()).json(200, &body, &crate::schema::API_RESOURCE_LIST_TY, &[])
}

/// `/apis`: the mock serves no API groups.
pub(crate) async fn api_groups(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let body = json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []});
    Ctx::new(&headers, q.as_deref()).json(200, &body, &API_GROUP_LIST_TY, &[])
}

static API_GROUP_LIST_TY: Ty = Ty::Struct(&crate::schema::Struct {
    name: "APIGroupList",
    fields: &[
        crate::schema::f("kind", Ty::Str),
        crate::schema::f("apiVersion", Ty::Str),
        crate::schema::a("groups", Ty::Any),
    ],
});

pub(crate) async fn version(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let minor = Version::current().minor();
    let info = json!({
        "major": "1",
        "minor": minor.to_string(),
        "emulationMajor": "1",
        "emulationMinor": minor.to_string(),
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": (minor - 1).to_string(),
        "gitVersion": format!("v1.{minor}.0-podpatch-mock"),
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "n/a (podpatch mock, Rust)",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    });
    // `/version` is written by `WriteRawJSON`, which always indents.
    let mut ctx = Ctx::new(&headers, q.as_deref());
    ctx.pretty = true;
    ctx.json(200, &info, &VERSION_TY, &[])
}

/// `/healthz`, `/readyz`, `/livez` answer `ok` as plain text, as the real
/// server's healthz handlers do.
pub(crate) async fn health() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        "ok",
    )
        .into_response()
}
