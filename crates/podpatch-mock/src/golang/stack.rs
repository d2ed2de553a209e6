//! Stacks as deep as Go's. A goroutine's stack grows to 1 GB, so
//! kube-apiserver's recursive decoders, mergers and printers take values
//! nested to `encoding/json`'s limit of 10000 levels; a tokio worker's 2 MiB
//! stack does not. Work that may walk such values runs here, on a thread of
//! its own with a stack sized for them, off the async threads so that it
//! cannot stall other requests; so does work on a large body (on the
//! blocking pool), while a small shallow one runs inline on its request's
//! task. It runs work; it must not decide anything.

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

/// How the CPU-heavy part of a request runs, by the body it works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// On the request's own task: a small, shallow body takes a fraction of
    /// a millisecond, less than handing it to another thread and back (two
    /// thread wake-ups per request, which at one connection and on a busy
    /// machine were most of the mock's latency).
    Inline,
    /// On tokio's blocking pool, whose threads are reused (a fresh thread
    /// per request costs a malloc arena each and keeps the process's memory
    /// high): a large body, so that it cannot stall the async threads.
    Blocking,
    /// On a deep-stack thread of its own: a body nested past what serde's
    /// own limits allow.
    Deep,
}

/// Bodies up to this size run inline: a pod and its patches are a few KiB;
/// the work grows with the body, and past this it could hold an async
/// thread for milliseconds.
const INLINE_MAX: usize = 64 * 1024;

impl Placement {
    /// Where the work on a body of `len` bytes runs, `deep` when it nests
    /// past serde's limits (`json_value::nests_deep`).
    pub fn of(deep: bool, len: usize) -> Placement {
        if deep {
            Placement::Deep
        } else if len > INLINE_MAX {
            Placement::Blocking
        } else {
            Placement::Inline
        }
    }
}

/// Runs `work` where `placement` says: inline, on tokio's blocking pool, or
/// on a deep-stack thread of its own. `None` when the work could not run or
/// panicked (inline too: a panic is caught, as a thread's would be).
pub async fn off_async_threads<T, F>(placement: Placement, work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match placement {
        // The request's task already has the version.
        Placement::Inline => std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok(),
        // The work leaves the request's task: it takes the version along.
        Placement::Blocking => tokio::task::spawn_blocking(Version::carry(work)).await.ok(),
        Placement::Deep => on_deep_stack(Version::carry(work)).await,
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
        for placement in [Placement::Inline, Placement::Blocking] {
            assert_eq!(off_async_threads(placement, is_deep).await, Some(false));
        }
        assert_eq!(
            off_async_threads(Placement::Deep, is_deep).await,
            Some(true)
        );
    }

    #[tokio::test]
    async fn a_panic_inline_is_none() {
        let work = || -> u8 { panic!("boom") };
        assert_eq!(off_async_threads(Placement::Inline, work).await, None);
    }

    #[test]
    fn small_shallow_bodies_run_inline() {
        assert_eq!(Placement::of(false, 50), Placement::Inline);
        assert_eq!(Placement::of(false, INLINE_MAX), Placement::Inline);
        assert_eq!(Placement::of(false, INLINE_MAX + 1), Placement::Blocking);
        assert_eq!(Placement::of(true, 50), Placement::Deep);
    }

    #[tokio::test]
    async fn a_panic_in_the_work_is_none() {
        assert_eq!(on_deep_stack(|| -> u8 { panic!("boom") }).await, None);
    }
}
