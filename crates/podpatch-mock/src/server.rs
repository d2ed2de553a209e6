//! The mock as a server: a router over fresh in-memory state, and a running
//! instance bound to an address that stops when dropped. It wires the layers
//! together and holds no Kubernetes behaviour itself.

use std::net::SocketAddr;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Builds a router with fresh, empty in-memory state (the `default`
/// namespace exists with its `default` ServiceAccount, like a real cluster
/// after boot).
pub fn router() -> axum::Router {
    crate::http::router::build(crate::registry::store::Shared::booted())
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
