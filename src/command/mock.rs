//! `podpatch mock`: serves the built-in mock API server, answering as the
//! Kubernetes minor `--kubernetes-version` names, until Ctrl-C or SIGTERM.

use super::CommandError;
use super::signal::shutdown_signal;
use crate::cli::MockArgs;
use crate::exit::Exit;
use podpatch_mock::MockServer;

/// Serves the mock on `--listen` until a signal arrives.
pub async fn serve(args: MockArgs) -> Result<Exit, CommandError> {
    let server = MockServer::start_at(args.listen, args.kubernetes_version)
        .await
        .map_err(|source| CommandError::Listen {
            addr: args.listen,
            source,
        })?;
    crate::tell!(
        "podpatch mock API server (Kubernetes {}) listening on {} (Ctrl-C to stop)",
        server.version(),
        server.base_url()
    );
    shutdown_signal().await;
    server.shutdown().await;
    Ok(Exit::Success)
}
