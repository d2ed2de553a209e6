//! The exit-status rule: 0 when every selected case passed (or compared the same),
//! 1 when at least one failed, 2 when nothing could be judged, 4 when nothing
//! failed but the cluster's admission or policy kept some cases from being judged
//! (blocked or inconclusive). Decided from the finished report alone; errors before
//! a run (bad case file, bad flag, unreachable target) are 2 as well, mapped by the
//! binary; 3 when the results were printed but a report file could not be written.

use crate::differential::{CaseDiff, Compared};
use crate::report::Counts;
use crate::run::{RunReport, Status};

/// How a command ended, as a process exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every selected case passed (or compared the same).
    Success,
    /// At least one case failed, differed, or could not be judged, or the run was cut short.
    Failure,
    /// Nothing could be judged.
    Unjudged,
    /// The run finished and its results were printed, but a report file could not
    /// be written.
    ReportUnwritten,
    /// No case failed, but the cluster's admission or policy left some blocked or
    /// inconclusive: no non-conformance found, and not everything judged.
    NotAllJudged,
}

impl Exit {
    /// The exit status of a run: a run where no case was judged (all errored) is
    /// unjudged, unless every case was skipped for the target's version; a run
    /// where the cluster's policy blocked cases or made them inconclusive, and
    /// nothing failed, is not all judged.
    pub fn of_run(report: &RunReport) -> Exit {
        // Blocked and inconclusive cases got the cluster's answer: its policy's.
        let answered = report.outcomes.iter().any(|o| {
            matches!(
                o.status,
                Status::Passed
                    | Status::Failed
                    | Status::ExpectedFailure
                    | Status::Blocked
                    | Status::Inconclusive
            )
        });
        let all_skipped = report.outcomes.iter().all(|o| o.status == Status::Skipped);
        let counts = Counts::of(report);
        if !answered && !all_skipped {
            Exit::Unjudged
        } else if counts.failed > 0 || report.interrupted.is_some() {
            Exit::Failure
        } else if counts.blocked + counts.inconclusive > 0 {
            Exit::NotAllJudged
        } else {
            Exit::Success
        }
    }

    /// The exit status of `podpatch diff`.
    pub fn of_diff(compared: &[Compared]) -> Exit {
        if compared
            .iter()
            .all(|c| matches!(c.diff, CaseDiff::Same | CaseDiff::Skipped { .. }))
        {
            Exit::Success
        } else {
            Exit::Failure
        }
    }

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::Unjudged => 2,
            Exit::ReportUnwritten => 3,
            Exit::NotAllJudged => 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    fn with(statuses: &[Status]) -> RunReport {
        let mut report = sample::report();
        report.outcomes = statuses.iter().map(|s| sample::outcome(*s)).collect();
        report
    }

    #[test]
    fn runs_exit_by_what_was_judged() {
        use Status::*;
        assert_eq!(Exit::of_run(&with(&[Passed, Passed])), Exit::Success);
        assert_eq!(Exit::of_run(&with(&[Passed, Skipped])), Exit::Success);
        assert_eq!(Exit::of_run(&with(&[Skipped, Skipped])), Exit::Success);
        assert_eq!(Exit::of_run(&with(&[Passed, Failed])), Exit::Failure);
        assert_eq!(Exit::of_run(&with(&[Passed, Errored])), Exit::Failure);
        assert_eq!(Exit::of_run(&with(&[Errored, Errored])), Exit::Unjudged);
        assert_eq!(Exit::of_run(&with(&[Errored, Skipped])), Exit::Unjudged);
        assert_eq!(Exit::of_run(&with(&[Passed, Blocked])), Exit::NotAllJudged);
        assert_eq!(Exit::of_run(&with(&[Blocked, Blocked])), Exit::NotAllJudged);
        assert_eq!(Exit::of_run(&with(&[Inconclusive])), Exit::NotAllJudged);
        assert_eq!(
            Exit::of_run(&with(&[Blocked, Inconclusive, Failed])),
            Exit::Failure
        );
        let mut cut = with(&[Passed]);
        cut.interrupted = Some("interrupted".into());
        assert_eq!(Exit::of_run(&cut), Exit::Failure);
        assert_eq!(
            [
                Exit::Success,
                Exit::Failure,
                Exit::Unjudged,
                Exit::NotAllJudged
            ]
            .map(Exit::code),
            [0, 1, 2, 4]
        );
    }

    #[test]
    fn diffs_succeed_only_when_every_case_is_the_same() {
        let same = Compared {
            id: "a/b".into(),
            diff: CaseDiff::Same,
        };
        let differs = Compared {
            id: "a/c".into(),
            diff: CaseDiff::Incomparable {
                reason: "errored".into(),
            },
        };
        assert_eq!(Exit::of_diff(std::slice::from_ref(&same)), Exit::Success);
        assert_eq!(Exit::of_diff(&[same, differs]), Exit::Failure);
    }
}
