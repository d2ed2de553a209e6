//! Ctrl-C and SIGTERM: a first signal cancels the run so it cleans up what it
//! created; a second one exits at once.

use tokio_util::sync::CancellationToken;

/// Cancels `token` on Ctrl-C or SIGTERM so runs clean up; a second signal exits.
pub fn cancel_on_signal(token: &CancellationToken) -> tokio::task::JoinHandle<()> {
    let token = token.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        eprintln!("\nstopping: cleaning up what this run created (press Ctrl-C again to abort)");
        token.cancel();
        shutdown_signal().await;
        std::process::exit(130);
    })
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
