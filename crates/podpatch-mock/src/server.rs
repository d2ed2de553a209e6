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
//!
//! A server started for a client in the same process or on the same machine
//! ([`MockServer::start_local`]) is also served on a Unix socket: the same
//! router and connection handling, without loopback TCP's costs.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::http::idle_io::IdleIo;
use crate::version::Version;

/// What listens on [`MockServer::local_socket`]: a Unix socket on Linux;
/// elsewhere there is none, and clients use TCP.
#[cfg(target_os = "linux")]
type LocalListener = tokio::net::UnixListener;
#[cfg(not(target_os = "linux"))]
type LocalListener = std::convert::Infallible;

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
    /// The Unix socket also serving it, if any (see [`MockServer::local_socket`]).
    local_socket: Option<PathBuf>,
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
        Self::serving(TcpListener::bind(addr).await?, None, timeouts, version)
    }

    /// [`MockServer::start_at`] on a free loopback port, served on a Unix
    /// socket as well where the system has one to offer
    /// ([`MockServer::local_socket`]), for a client on this machine: one
    /// that connects there (as the runner does against its built-in mock)
    /// spends less on each request than over loopback TCP, while the base
    /// URL still names a server that `curl` and reports can reach.
    pub async fn start_local(version: Version) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let local = local_listener(listener.local_addr()?);
        Self::serving(listener, local, ConnectionTimeouts::default(), version)
    }

    fn serving(
        listener: TcpListener,
        local: Option<(PathBuf, LocalListener)>,
        timeouts: ConnectionTimeouts,
        version: Version,
    ) -> std::io::Result<MockServer> {
        let addr = listener.local_addr()?;
        let (local_socket, local) = local.unzip();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, local, timeouts, version, stopped));
        Ok(MockServer {
            addr,
            local_socket,
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

    /// The Unix socket that serves it too (started with
    /// [`MockServer::start_local`] on Linux), as Tokio's and reqwest's
    /// `connect` take it: a name in the abstract namespace is written with a
    /// leading NUL byte.
    pub fn local_socket(&self) -> Option<&Path> {
        self.local_socket.as_deref()
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

/// A Unix socket for the server on `addr`, in the abstract namespace and
/// named after the TCP address the server holds: unique while it runs, and
/// gone with it (no file to remove). None when it cannot be bound: clients
/// then use TCP.
#[cfg(target_os = "linux")]
fn local_listener(addr: SocketAddr) -> Option<(PathBuf, LocalListener)> {
    let name = PathBuf::from(format!("\0podpatch-mock/{addr}"));
    let listener = LocalListener::bind(&name).ok()?;
    Some((name, listener))
}

#[cfg(not(target_os = "linux"))]
fn local_listener(_: SocketAddr) -> Option<(PathBuf, LocalListener)> {
    None
}

/// The accept loop: each connection, on TCP or on the Unix socket, is served
/// on its own task with the timeouts, until `stopped` fires (or its sender
/// is dropped); then open connections finish their requests and close.
async fn serve(
    listener: TcpListener,
    local: Option<LocalListener>,
    timeouts: ConnectionTimeouts,
    version: Version,
    stopped: oneshot::Receiver<()>,
) {
    let app = router_at(version);
    let graceful = GracefulShutdown::new();
    let mut stopped = std::pin::pin!(stopped);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted.map(|(stream, _)| {
                // Go's net package turns Nagle's algorithm off on every TCP
                // connection: a response that leaves in more than one write
                // (a large or streamed body) must not wait for the client's
                // ACK.
                let _ = stream.set_nodelay(true);
                connection(stream, &app, timeouts, &graceful);
            }),
            accepted = accept_local(local.as_ref()) => accepted.map(|stream| {
                connection(stream, &app, timeouts, &graceful);
            }),
            _ = &mut stopped => break,
        };
        if accepted.is_err() {
            // Out of file descriptors and the like: let them free up
            // rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    drop(listener);
    drop(local);
    graceful.shutdown().await;
}

/// The next connection on the Unix socket; never, without one.
#[cfg(target_os = "linux")]
async fn accept_local(local: Option<&LocalListener>) -> std::io::Result<tokio::net::UnixStream> {
    match local {
        Some(listener) => listener.accept().await.map(|(stream, _)| stream),
        None => std::future::pending().await,
    }
}

#[cfg(not(target_os = "linux"))]
async fn accept_local(_: Option<&LocalListener>) -> std::io::Result<tokio::net::TcpStream> {
    std::future::pending().await
}

/// Serves one connection on a task of its own.
fn connection<S>(
    stream: S,
    app: &axum::Router,
    timeouts: ConnectionTimeouts,
    graceful: &GracefulShutdown,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The status line and body of `GET /version` sent on `stream`.
    #[cfg(target_os = "linux")]
    async fn version(mut stream: impl AsyncRead + AsyncWrite + Unpin) -> (String, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream
            .write_all(b"GET /version HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .expect("request written");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .await
            .expect("answer read");
        let (head, body) = answer.split_once("\r\n\r\n").expect("a head and a body");
        let status = head.lines().next().unwrap_or_default().to_owned();
        (status, body.to_owned())
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_local_server_answers_on_its_unix_socket_as_on_tcp() {
        use tokio::net::{TcpStream, UnixStream};
        let server = MockServer::start_local(Version::DEFAULT)
            .await
            .expect("mock starts");
        let socket = server.local_socket().expect("a Unix socket on Linux");
        let unix = UnixStream::connect(socket).await.expect("socket accepts");
        let tcp = TcpStream::connect(server.local_addr())
            .await
            .expect("port accepts");
        let (on_unix, on_tcp) = (version(unix).await, version(tcp).await);
        assert_eq!(on_unix.0, "HTTP/1.1 200 OK");
        assert_eq!(on_unix, on_tcp);
        assert!(on_unix.1.contains("\"gitVersion\""), "{}", on_unix.1);
        let socket = socket.to_path_buf();
        server.shutdown().await;
        assert!(
            UnixStream::connect(&socket).await.is_err(),
            "closed with the server"
        );
    }

    #[tokio::test]
    async fn only_a_local_server_has_a_unix_socket() {
        let server = MockServer::start(([127, 0, 0, 1], 0).into())
            .await
            .expect("mock starts");
        assert_eq!(server.local_socket(), None);
    }
}
