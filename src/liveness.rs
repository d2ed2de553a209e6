//! Noticing a target that stopped answering: after a number of cases in a row got
//! no answer at all (timeouts, refused connections), one quick probe asks whether
//! the target still answers anything; if it does not, the run stops judging and
//! the remaining cases are reported as not judged at once, instead of each waiting
//! out its own timeouts and retries.
//!
//! A target that hangs on some requests but answers others (fabric8's mock on a
//! failed JSON Patch `test`) is not stopped: the probe answers, and the count
//! starts again. This module counts and decides; it sends only the probe.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use crate::client::{Client, Retry};
use crate::target::{Target, TargetError};

/// Cases in a row without an answer before the probe, unless told otherwise
/// (`--stop-after-no-answer`).
pub const DEFAULT_LIMIT: usize = 3;

/// How long the probe waits, at most, and it is never retried.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Counts cases without an answer, shared by every case of a run.
#[derive(Debug)]
pub struct Watchdog {
    /// Cases in a row without an answer that trigger the probe; 0 never stops.
    limit: usize,
    in_a_row: AtomicUsize,
    /// A probe is in flight: cases that end meanwhile do not start another.
    probing: AtomicBool,
    stopped: OnceLock<String>,
    probe: Client,
}

impl Watchdog {
    /// A watchdog for `target` that probes after `limit` cases in a row got no
    /// answer (0: never stop).
    pub fn new(target: &Target, limit: usize) -> Result<Watchdog, TargetError> {
        let once = Retry {
            attempts: 1,
            ..Retry::default()
        };
        Ok(Watchdog {
            limit,
            in_a_row: AtomicUsize::new(0),
            probing: AtomicBool::new(false),
            stopped: OnceLock::new(),
            probe: Client::new(target, PROBE_TIMEOUT, once)?,
        })
    }

    /// Why the run stopped judging, once it did.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.get().map(String::as_str)
    }

    /// The target answered a case (with any status): the count starts again.
    pub fn answered(&self) {
        self.in_a_row.store(0, Ordering::Relaxed);
    }

    /// A case got no answer. Returns true when this stopped the run: the limit was
    /// reached and the probe got no answer either.
    pub async fn no_answer(&self) -> bool {
        let n = self.in_a_row.fetch_add(1, Ordering::Relaxed) + 1;
        if self.limit == 0 || n < self.limit || self.stopped().is_some() {
            return false;
        }
        if self.probing.swap(true, Ordering::AcqRel) {
            return false;
        }
        let probed = self.probe.get("/version").await;
        self.probing.store(false, Ordering::Release);
        match probed {
            Ok(_) => {
                self.answered();
                false
            }
            Err(e) => {
                let why = format!(
                    "the target stopped answering: {n} cases in a row got no answer, and neither did GET /version within {} s ({}); the remaining cases were not judged (--stop-after-no-answer {} sets how many in a row, 0 never stops)",
                    PROBE_TIMEOUT.as_secs(),
                    e.reason,
                    self.limit
                );
                self.stopped.set(why).is_ok()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(url: &str) -> Target {
        Target::new(url).unwrap()
    }

    #[tokio::test]
    async fn stops_after_the_limit_when_the_probe_gets_no_answer() {
        // Nothing listens on port 9 of loopback: every request fails at once.
        let w = Watchdog::new(&target("http://127.0.0.1:9"), 2).unwrap();
        assert!(!w.no_answer().await);
        assert!(w.stopped().is_none());
        assert!(w.no_answer().await);
        let why = w.stopped().unwrap();
        assert!(why.contains("2 cases in a row"), "{why}");
        assert!(!w.no_answer().await, "stops only once");
    }

    #[tokio::test]
    async fn an_answer_starts_the_count_again() {
        let w = Watchdog::new(&target("http://127.0.0.1:9"), 2).unwrap();
        assert!(!w.no_answer().await);
        w.answered();
        assert!(!w.no_answer().await);
        assert!(w.stopped().is_none());
    }

    #[tokio::test]
    async fn a_target_that_answers_the_probe_is_not_stopped() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let app = axum::Router::new().route("/version", axum::routing::get(|| async { "{}" }));
            axum::serve(listener, app).await
        });
        let w = Watchdog::new(&target(&url), 1).unwrap();
        assert!(!w.no_answer().await);
        assert!(w.stopped().is_none());
    }

    #[tokio::test]
    async fn zero_never_stops() {
        let w = Watchdog::new(&target("http://127.0.0.1:9"), 0).unwrap();
        for _ in 0..5 {
            assert!(!w.no_answer().await);
        }
        assert!(w.stopped().is_none());
    }
}
