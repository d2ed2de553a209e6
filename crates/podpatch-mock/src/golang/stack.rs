//! Stacks as deep as Go's. A goroutine's stack grows to 1 GB, so
//! kube-apiserver's recursive decoders, mergers and printers take values
//! nested to `encoding/json`'s limit of 10000 levels; a tokio worker's 2 MiB
//! stack does not. Work that may walk such values runs here, on a thread of
//! its own with a stack sized for them, off the async threads so that it
//! cannot stall other requests. It runs work; it must not decide anything.

use std::cell::Cell;

use crate::version::Version;

/// Enough for every recursive walk the mock makes over a value nested
/// 10000 levels (decode, merge, type, validate, print, drop), with room to
/// spare. Reserved, not committed: only the pages touched are used.
const DEEP_STACK: usize = 256 * 1024 * 1024;

thread_local! {
    static DEEP: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread has a stack for values nested 10000 levels.
pub fn is_deep() -> bool {
    DEEP.with(Cell::get)
}

/// Runs `work` off the async threads: on a deep-stack thread of its own
/// when `deep` (a body nested past what serde's own limits allow), else on
/// tokio's blocking pool, whose threads are reused (a fresh thread per
/// request costs a malloc arena each and keeps the process's memory high).
/// `None` when the work could not run or panicked.
pub async fn off_async_threads<T, F>(deep: bool, work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    // The work leaves the request's task: it takes the version along.
    let work = Version::carry(work);
    if deep {
        on_deep_stack(work).await
    } else {
        tokio::task::spawn_blocking(work).await.ok()
    }
}

/// Runs `work` on a thread with a deep stack and waits for it without
/// blocking the async threads. `None` when the thread could not be started
/// or `work` panicked.
pub async fn on_deep_stack<T, F>(work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("podpatch-mock-work".into())
        .stack_size(DEEP_STACK)
        .spawn(move || {
            DEEP.with(|deep| deep.set(true));
            let _ = tx.send(work());
        })
        .ok()?;
    rx.await.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_on_a_deep_stack_and_the_caller_does_not() {
        assert!(!is_deep());
        assert_eq!(on_deep_stack(is_deep).await, Some(true));
    }

    #[tokio::test]
    async fn only_deep_work_gets_a_deep_stack() {
        assert_eq!(off_async_threads(false, is_deep).await, Some(false));
        assert_eq!(off_async_threads(true, is_deep).await, Some(true));
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_none() {
        assert_eq!(on_deep_stack(|| -> u8 { panic!("boom") }).await, None);
    }
}
