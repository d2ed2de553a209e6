//! The built-in mock Kubernetes API server: namespaces, service accounts and
//! pods in memory, answering the Pod endpoints the way a kube-apiserver 1.36
//! with default admission plugins does (check order, status codes, `Status`
//! bodies, defaulting, admission mutations, patch semantics, validation
//! messages, managed fields), checked response by response against a live
//! 1.36.5 server.
//!
//! Served: `/version`, `/healthz`, `/readyz`, `/livez`, `/api`; namespaces
//! (list, create, get, delete); service accounts (list, create, get, delete);
//! pods (list and delete-collection with `labelSelector` and `fieldSelector`, create, get, PUT,
//! PATCH with all four content types, delete) and the pod `status`,
//! `ephemeralcontainers` and `resize` (GET, PATCH, PUT) subresources.
//!
//! This file holds the public API only; the behaviour lives in the
//! submodules. The mock imports nothing from the rest of the crate so it can
//! become its own crate.
//!
//! Known simplifications: deleting a namespace removes it and its objects
//! immediately (a real cluster keeps it `Terminating` until the namespace
//! controller has emptied it); pods are never scheduled, so they stay
//! `Pending`; the diff after "pod updates may not change fields other than
//! …" is a unified diff of the JSON specs, not Go's internal-struct dump
//! (go-cmp randomises its spacing anyway); where Go walks a map (several bad
//! labels, resource names, apply conflict causes) the mock walks it sorted,
//! while the real order is random; responses are never protobuf (nor
//! gzip-compressed); a strategic patch's `-0` and `-0.0` cannot be told
//! apart (Go prints the first as `0`); no node exists, so a resize that
//! changes a bound pod's spec is always forbidden by `PodResizeValidator`
//! ("node … not found"); of RBAC only the bootstrap `system:masters`
//! binding is modelled, so an impersonated system user that a bootstrap
//! role grants pod rights (`system:kube-scheduler` on `pods/status`) is
//! refused here; an apply body's YAML oddities
//! beyond merge keys and `!!binary` (other explicit tags, `.inf`/`.nan`,
//! null or collection keys, a `%YAML 1.2` directive) are not read as go-yaml
//! v2 reads them; only the API paths answer PATCH (`/openapi` and `/apis`
//! discovery do not).

mod admission;
mod apparmor;
mod apply;
mod auth;
mod container_warnings;
mod defaults;
mod duration;
mod encode;
mod field;
mod fields;
mod gates;
mod gofmt;
mod gojson;
mod label_keys;
mod metadata;
mod patch;
mod pod_status;
mod pods;
mod quantity;
mod query;
mod routes;
mod schema;
mod selector;
mod status;
mod store;
mod strategic;
mod table;
mod typed;
mod validation;
mod warnings;
mod yaml;
mod yaml11;

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Builds a router with fresh, empty in-memory state (the `default`
/// namespace exists with its `default` ServiceAccount, like a real cluster
/// after boot).
pub fn router() -> axum::Router {
    routes::build(store::Shared::booted())
}

/// A running mock bound to an address; dropping or `shutdown` stops it.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Binds `addr` (port 0 picks a free port) and serves [`router`] on it.
    pub async fn start(addr: SocketAddr) -> std::io::Result<MockServer> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router()).with_graceful_shutdown(async move {
                // Either an explicit shutdown or the sender being dropped.
                let _ = stopped.await;
            });
            // A failing accept loop only ends this mock; nothing to report to.
            let _ = serve.await;
        });
        Ok(MockServer {
            addr,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Graceful shutdown waits for open connections; keep-alive
            // clients could hold it forever, so bound the wait.
            let abort = task.abort_handle();
            if tokio::time::timeout(std::time::Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
