//! The mock as a server: a router over fresh in-memory state, and a running
//! instance bound to an address that stops when dropped. It wires the layers
//! together and holds no Kubernetes behaviour itself.
//!
//! Connections are served as kube-apiserver's `http.Server` bounds them
//! (`server/secure_serving.go`: `ReadHeaderTimeout` 32 s, `IdleTimeout`
//! 90 s): a request head must arrive within the header timeout (hyper
//! restarts it whenever it waits for a head, so it also closes a connection
//! opened and never used, or idle between requests), and a connection on
//! which no byte moves for the idle timeout (a body or a reader that
//! stalls) is closed; see [`crate::http::idle_io`].

use std::net::SocketAddr;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::http::idle_io::IdleIo;
use crate::version::Version;

/// Builds a router with fresh, empty in-memory state (the `default`
/// namespace exists with its `default` ServiceAccount, like a real cluster
/// after boot), answering as the default version, 1.37.
pub fn router() -> axum::Router {
    router_at(Version::DEFAULT)
}

/// [`router`] answering as Kubernetes `version`.
pub fn router_at(version: Version) -> axum::Router {
    crate::http::router::build(crate::registry::store::Shared::booted(), version)
}

/// How long a connection may keep the server waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionTimeouts {
    /// For a request head to arrive, counted from when the server starts
    /// waiting for one (`ReadHeaderTimeout`).
    pub header_read: Duration,
    /// Without a byte read or written (`IdleTimeout`).
    pub idle: Duration,
}

impl Default for ConnectionTimeouts {
    /// kube-apiserver's: 32 s for the header, 90 s idle.
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(32),
            idle: Duration::from_secs(90),
        }
    }
}

/// A running mock bound to an address; dropping or `shutdown` stops it.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    version: Version,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// Binds `addr` (port 0 picks a free port) and serves [`router`] on it
    /// with kube-apiserver's connection timeouts.
    pub async fn start(addr: SocketAddr) -> std::io::Result<MockServer> {
        Self::start_with(addr, ConnectionTimeouts::default(), Version::DEFAULT).await
    }

    /// [`MockServer::start`] answering as Kubernetes `version`.
    pub async fn start_at(addr: SocketAddr, version: Version) -> std::io::Result<MockServer> {
        Self::start_with(addr, ConnectionTimeouts::default(), version).await
    }

    /// [`MockServer::start`] with other connection timeouts, answering as
    /// Kubernetes `version`.
    pub async fn start_with(
        addr: SocketAddr,
        timeouts: ConnectionTimeouts,
        version: Version,
    ) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, timeouts, version, stopped));
        Ok(MockServer {
            addr,
            version,
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

    /// The Kubernetes version it answers as.
    pub fn version(&self) -> Version {
        self.version
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
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

/// The accept loop: each connection is served on its own task with the
/// timeouts, until `stopped` fires (or its sender is dropped); then open
/// connections finish their requests and close.
async fn serve(
    listener: TcpListener,
    timeouts: ConnectionTimeouts,
    version: Version,
    stopped: oneshot::Receiver<()>,
) {
    let app = router_at(version);
    let graceful = GracefulShutdown::new();
    let mut stopped = std::pin::pin!(stopped);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = &mut stopped => break,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors and the like: let them free up
            // rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        // Go's net package turns Nagle's algorithm off on every TCP
        // connection: a response that leaves in more than one write (a
        // large or streamed body) must not wait for the client's ACK.
        let _ = stream.set_nodelay(true);
        let io = TokioIo::new(IdleIo::new(stream, timeouts.idle));
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.header_read)
            .serve_connection(io, TowerToHyperService::new(app.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection's failure (a reset, a timeout) ends only it.
            let _ = conn.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
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
