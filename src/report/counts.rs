//! How many cases of a run ended each way, and the counts line every run ends with.

use serde::Serialize;

use crate::run::{RunReport, Status};

/// How many cases ended each way. Cases that could not be judged count as failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Failures an expected-failures file excuses (not counted as failed).
    pub expected_failures: usize,
    /// Cases an expected-failures file lists that pass now (counted as passed).
    pub now_passing: usize,
    /// Cases the cluster's admission or policy kept from running (not failed).
    pub blocked: usize,
    /// Cases whose difference the cluster's admission explains (not failed).
    pub inconclusive: usize,
}

impl Counts {
    /// Counts the outcomes of a run.
    pub fn of(report: &RunReport) -> Counts {
        let mut c = Counts::default();
        for o in &report.outcomes {
            match o.status {
                Status::Passed => {
                    c.passed += 1;
                    if o.expected_failure.is_some() {
                        c.now_passing += 1;
                    }
                }
                Status::ExpectedFailure => c.expected_failures += 1,
                Status::Failed | Status::Errored => c.failed += 1,
                Status::Skipped => c.skipped += 1,
                Status::Blocked => c.blocked += 1,
                Status::Inconclusive => c.inconclusive += 1,
            }
        }
        c
    }

    /// The last line of every run: `N passed, N failed, N skipped`, and the
    /// expected failures when an expected-failures file listed some (so that a
    /// green run of known gaps never reads as zero cases run), the blocked and
    /// inconclusive cases when the cluster's policy made some.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        );
        if self.expected_failures > 0 {
            line.push_str(&format!(", {} expected failures", self.expected_failures));
        }
        if self.blocked + self.inconclusive > 0 {
            line.push_str(&format!(
                ", {} blocked, {} inconclusive",
                self.blocked, self.inconclusive
            ));
        }
        line
    }
}
