//! Ctrl-C and SIGTERM: a first signal cancels the run so it cleans up what it
//! created; the cleanup is bounded (`run::TEARDOWN_GRACE`), so a second signal
//! does not cut it short; only a third abandons it.

use tokio_util::sync::CancellationToken;

use crate::run;

/// Cancels `token` on Ctrl-C or SIGTERM so runs clean up; a third signal exits.
pub fn cancel_on_signal(token: &CancellationToken) -> tokio::task::JoinHandle<()> {
    let token = token.clone();
    let grace = run::TEARDOWN_GRACE.as_secs();
    tokio::spawn(async move {
        shutdown_signal().await;
        crate::tell!("\nstopping: cleaning up what this run created (at most {grace} s)");
        token.cancel();
        shutdown_signal().await;
        crate::tell!(
            "still cleaning up (at most {grace} s); press Ctrl-C once more to abandon the cleanup and leave objects behind"
        );
        shutdown_signal().await;
        crate::tell!("cleanup abandoned: run `podpatch cleanup` to remove what this run left");
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
