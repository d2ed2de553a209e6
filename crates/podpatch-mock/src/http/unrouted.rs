//! go-restful's answers for requests no route takes (`router.go`,
//! `container.go`'s dispatch, the `server/handler.go` director): the 404
//! `Status` for a path under one of its web services and the plain mux's
//! text 404 elsewhere, and the 405 for a known path with another method.
//! It must not route.

use axum::extract::RawQuery;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::status::Status;
use crate::http::context::Ctx;

/// The groups a kube-apiserver 1.36 serves under `/apis` (its discovery
/// list): paths under them reach go-restful or the aggregator.
const SERVED_GROUPS: &[&str] = &[
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
];

/// Whether an unrouted path is go-restful's (a JSON `Status` 404): the
/// director hands it a path equal to or under a web service's root
/// (`/api`, `/apis/<group>/…`); any other path falls to the plain mux.
fn restful_path(path: &str) -> bool {
    let under = |root: &str| path == root || path.starts_with(&format!("{root}/"));
    under("/api")
        || path == "/apis"
        || path
            .strip_prefix("/apis/")
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|group| SERVED_GROUPS.contains(&group))
}

pub(crate) async fn not_found(
    uri: axum::http::Uri,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    if !restful_path(uri.path()) {
        // The non-go-restful mux's `http.NotFound`.
        return (
            StatusCode::NOT_FOUND,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            "404 page not found\n",
        )
            .into_response();
    }
    Ctx::new(&headers, q.as_deref()).status(&Status::route_not_found())
}

pub(crate) async fn method_not_allowed(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    Ctx::new(&headers, q.as_deref()).status(&Status::method_not_allowed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("/api", true)]
    #[case("/api/v2/x", true)]
    #[case("/apifoo/x", false)]
    #[case("/API/v1", false)]
    #[case("/apis/apps/v1/x", true)]
    #[case("/apis/foo/v1/x", false)]
    fn go_restful_owns_api_paths(#[case] path: &str, #[case] want: bool) {
        assert_eq!(restful_path(path), want);
    }
}
