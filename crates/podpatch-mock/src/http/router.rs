//! The route table, as `endpoints/installer.go` registers the pod,
//! namespace and service account paths with go-restful (and the
//! `server/routes` discovery and health paths), behind the filters of
//! [`crate::http::filters`]. It wires handlers to paths; what no route
//! takes is answered by [`crate::http::unrouted`].

use axum::Router;
use axum::extract::Extension;
use axum::middleware;
use axum::routing::{MethodRouter, any, get, patch};

use crate::http::discovery::{self, api_groups, api_v1_resources, api_versions, health};
use crate::http::filters::{Flow, answer_as, common_headers};
use crate::http::namespaces::{create_namespace, delete_namespace, get_namespace, list_namespaces};
use crate::http::pods::{
    create_pod, delete_pod, delete_pods, get_pod, list_pods, patch_pod, put_pod,
};
use crate::http::service_accounts::{
    create_service_account, delete_service_account, get_service_account, list_service_accounts,
};
use crate::http::unrouted::{method_not_allowed, not_found};
use crate::merge::fieldpath::Scope;
use crate::registry::store::Shared;
use crate::version::Version;

/// Builds the router over `state`, answering as `version` (every request
/// runs in its scope, see [`Version::current`]). The routes sit behind a fallback so
/// that the header middleware sees every response, including the 405s the
/// method routers produce themselves.
pub fn build(state: Shared, version: Version) -> Router {
    Router::new()
        .fallback_service(routes(state, version))
        .layer(middleware::from_fn_with_state(Flow::new(), common_headers))
        .layer(middleware::from_fn_with_state(version, answer_as))
}

fn routes(state: Shared, version: Version) -> Router {
    let router = Router::new()
        .route("/version", get(discovery::version))
        .route("/api", get(api_versions))
        .route("/api/v1", get(api_v1_resources))
        .route("/apis", get(api_groups))
        // The health checks answer every method alike.
        .route("/healthz", any(health))
        .route("/readyz", any(health))
        .route("/livez", any(health))
        .route(
            "/api/v1/namespaces",
            get(list_namespaces).post(create_namespace),
        )
        .route(
            "/api/v1/namespaces/{ns}",
            get(get_namespace).delete(delete_namespace),
        )
        .route(
            "/api/v1/namespaces/{ns}/serviceaccounts",
            get(list_service_accounts).post(create_service_account),
        )
        .route(
            "/api/v1/namespaces/{ns}/serviceaccounts/{name}",
            get(get_service_account).delete(delete_service_account),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods",
            get(list_pods).post(create_pod).delete(delete_pods),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}",
            scoped(Scope::Main, true).delete(delete_pod),
        )
        // `status` reads the pod as the main endpoint does (its storage
        // shares the pod's table convertor).
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/status",
            get(get_pod)
                .layer(Extension(Scope::Main))
                .merge(patch(patch_pod).layer(Extension(Scope::Status))),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/ephemeralcontainers",
            scoped(Scope::EphemeralContainers, false),
        );
    // The `resize` subresource is installed from 1.33 (`InPlacePodVerticalScaling` beta).
    let router = if version.has_resize_subresource() {
        router.route(
            "/api/v1/namespaces/{ns}/pods/{name}/resize",
            scoped(Scope::Resize, true),
        )
    } else {
        router
    };
    router
        // Routes the real server serves without PATCH (pod subresources,
        // proxy aside, and the list and watch paths): the route exists, so
        // the method is what is refused.
        .merge(unpatchable_routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// The GET and PATCH (and, `with_put`, PUT) handlers of the pod or of one
/// of its subresources, bound to its scope (which the handlers and the
/// [`Ctx`] extractor read as an extension).
fn scoped(scope: Scope, with_put: bool) -> MethodRouter<Shared> {
    let router = get(get_pod).patch(patch_pod);
    let router = if with_put {
        router.put(put_pod)
    } else {
        router
    };
    router.layer(Extension(scope))
}

fn unpatchable_routes() -> Router<Shared> {
    [
        "binding",
        "eviction",
        "log",
        "exec",
        "attach",
        "portforward",
    ]
    .into_iter()
    .map(|sub| format!("/api/v1/namespaces/{{ns}}/pods/{{name}}/{sub}"))
    // The deprecated watch paths are GET-only routes too.
    .chain([
        "/api/v1/pods".to_string(),
        "/api/v1/watch/pods".to_string(),
        "/api/v1/watch/namespaces/{ns}/pods".to_string(),
        "/api/v1/watch/namespaces/{ns}/pods/{name}".to_string(),
    ])
    .fold(Router::new(), |router, path| {
        router.route(&path, patch(method_not_allowed))
    })
}
