//! What a run found: the verdict on each case (`CaseOutcome`, built once from how
//! the case ended) and the run's report. Data only: it sends nothing and decides
//! no verdict beyond mapping an ending to its status.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use crate::case::{Case, Unloaded};
use crate::compare::Mismatch;
use crate::observed::Observed;
use crate::pod_metadata::PodMetadata;
pub use crate::policed::Explained;
use crate::preflight::Preflight;
use crate::profile::Profile;
use crate::request::Planned;
use crate::snapshot::Verdict;

/// The verdict on one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    /// The target answered, and not as the case expects.
    Failed,
    /// The case could not be judged (fixture refused, transport failure, cancelled).
    Errored,
    /// The case does not apply to the target (see `skip_reason`).
    Skipped,
    /// The case failed, as an expected-failures file says it does on this target
    /// (see `expected_failure`); it does not fail the run.
    #[serde(rename = "expected-failure")]
    ExpectedFailure,
    /// The cluster's own admission or policy refused the case's starting pod or
    /// setup (see `admission`): the PATCH was never judged. Not a failure.
    Blocked,
    /// The target answered, not as the case expects, and the cluster's admission
    /// explains the difference (see `admission`): it changed the starting pod or
    /// refused or changed the request. Not judged either way.
    Inconclusive,
}

/// Everything known about one case after it ran.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOutcome {
    pub id: String,
    pub path: PathBuf,
    pub description: String,
    pub tags: Vec<String>,
    pub status: Status,
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    pub pod: String,
    /// The step of a scenario that `request` and `observed` belong to: the
    /// failing one, else the last (`name (step 2 of 3)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    pub request: Option<Planned>,
    /// A command that sends the same request, credentials redacted.
    pub curl: Option<String>,
    pub observed: Option<Observed>,
    pub mismatches: Vec<Mismatch>,
    pub snapshot: Verdict,
    pub normalized: Option<Value>,
    pub error: Option<String>,
    /// Why the case did not run.
    pub skip_reason: Option<String>,
    /// A failure to remove the case's pod; reported, but it does not fail the case.
    pub cleanup_error: Option<String>,
    /// The target gave no HTTP answer at all (timeout, refused connection).
    #[serde(skip)]
    pub no_answer: bool,
    /// What an expected-failures file says of the case: why its failure is
    /// expected, that it passes now, or why it is no longer excused.
    pub expected_failure: Option<String>,
    /// What the cluster's admission or policy did to the case, as a cause shared
    /// by every case it did the same to: why it is blocked or inconclusive, or (on
    /// a passed case) what was set aside to judge it.
    pub admission: Option<String>,
}

/// What was sent for a case: the planned request and its reproduction command.
#[derive(Debug, Clone)]
pub struct Sent {
    pub request: Planned,
    /// `curl` for the same request, credentials redacted.
    pub curl: String,
}

/// How a case ended, as the run found it.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "one Ending per case, consumed at once by CaseOutcome::new; boxing buys nothing"
)]
pub enum Ending {
    /// The case does not apply to the target.
    Skipped { reason: String },
    /// The case could not be judged.
    Errored { error: String },
    /// The target gave no HTTP answer at all: not judged, and counted by the
    /// watchdog that notices a target that stopped answering.
    NoAnswer { error: String },
    /// The cluster's admission or policy refused what the case needs before its
    /// request (`cause`, shared by the cases it refused; `error`, the whole answer).
    Blocked { cause: String, error: String },
    /// The target answered: judged by the expectations and the snapshot check (an
    /// error of the check itself leaves the case errored). `admission` is what the
    /// cluster's admission did that explains a difference from the snapshot.
    Answered {
        observed: Observed,
        mismatches: Vec<Mismatch>,
        /// Left out when nothing would show it (see `run::Passing::Counted`).
        normalized: Option<Value>,
        snapshot: Result<Verdict, String>,
        admission: Option<Explained>,
    },
}

impl CaseOutcome {
    /// The outcome of `case` (run as pod `pod`), built once from how it ended: its
    /// status follows from `ending`, never set separately.
    pub fn new(
        case: &Case,
        pod: String,
        duration: Duration,
        sent: Option<Sent>,
        cleanup_error: Option<String>,
        ending: Ending,
    ) -> CaseOutcome {
        let (request, curl) = sent.map_or((None, None), |s| (Some(s.request), Some(s.curl)));
        let no_answer = matches!(ending, Ending::NoAnswer { .. });
        let unjudged = match &ending {
            Ending::Blocked { cause, .. } => Some(cause.clone()),
            _ => None,
        };
        let mut admission = None;
        let (status, observed, mismatches, snapshot, normalized, error, skip_reason) = match ending
        {
            Ending::Skipped { reason } => (
                Status::Skipped,
                None,
                Vec::new(),
                Verdict::Skipped,
                None,
                None,
                Some(reason),
            ),
            // Not judged: an error, or the cluster's policy refused the setup.
            Ending::Errored { error }
            | Ending::NoAnswer { error }
            | Ending::Blocked { error, .. } => {
                let status = match unjudged {
                    Some(cause) => {
                        admission = Some(cause);
                        Status::Blocked
                    }
                    None => Status::Errored,
                };
                (
                    status,
                    None,
                    Vec::new(),
                    Verdict::Skipped,
                    None,
                    Some(error),
                    None,
                )
            }
            Ending::Answered {
                observed,
                mismatches,
                normalized,
                snapshot,
                admission: explained,
            } => {
                let (status, snapshot, error) = match (snapshot, &explained) {
                    (Err(e), _) => (Status::Errored, Verdict::Skipped, Some(e)),
                    (Ok(v), _) if mismatches.is_empty() && v.passed() => (Status::Passed, v, None),
                    (Ok(v), Some(e)) if e.on_stored && mismatches.is_empty() => {
                        (Status::Passed, v, None)
                    }
                    (Ok(v), Some(_)) => (Status::Inconclusive, v, None),
                    (Ok(v), None) => (Status::Failed, v, None),
                };
                if status != Status::Errored {
                    admission = explained.map(|e| match status {
                        Status::Passed => format!("judged against the pod the cluster stored: {}", e.cause),
                        _ if e.on_stored => format!("{}; the case's expectations do not hold for the pod the cluster stored (upstream answers it as the cluster did)", e.cause),
                        _ => e.cause,
                    });
                }
                (
                    status,
                    Some(observed),
                    mismatches,
                    snapshot,
                    normalized,
                    error,
                    None,
                )
            }
        };
        CaseOutcome {
            id: case.id.clone(),
            path: case.path.clone(),
            description: case.file.description.clone(),
            tags: case.file.tags.clone(),
            status,
            duration,
            pod,
            step: None,
            request,
            curl,
            observed,
            mismatches,
            snapshot,
            normalized,
            error,
            skip_reason,
            cleanup_error,
            no_answer,
            expected_failure: None,
            admission,
        }
    }
}

impl CaseOutcome {
    /// The outcome of a case whose file could not be loaded when its turn came: an
    /// error that knows only which case it is.
    pub fn unloaded(unloaded: Unloaded) -> CaseOutcome {
        CaseOutcome {
            id: unloaded.found.id,
            path: unloaded.found.path,
            description: String::new(),
            tags: Vec::new(),
            status: Status::Errored,
            duration: Duration::ZERO,
            pod: String::new(),
            step: None,
            request: None,
            curl: None,
            observed: None,
            mismatches: Vec::new(),
            snapshot: Verdict::Skipped,
            normalized: None,
            error: Some(unloaded.error),
            skip_reason: None,
            cleanup_error: None,
            no_answer: false,
            expected_failure: None,
            admission: None,
        }
    }
}

/// What a run keeps of a passing case's outcome once its caller has seen it.
/// Failed, errored, skipped, blocked and inconclusive outcomes are always kept
/// whole: the reports at the end show them in detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passing {
    /// Whole, in the report: for callers that read observations after the run
    /// (`diff`, `explore`, tests).
    Kept,
    /// Whole to the caller (which writes it out, see `report::json::Spool`), then
    /// only its verdict: a run's memory does not grow with its passing cases.
    Streamed,
    /// Only its verdict: nothing shows a passing case's observation, so it is not
    /// normalised either unless its snapshot is checked.
    Counted,
}

impl CaseOutcome {
    /// What a report keeps of this outcome under `passing`: a passing case
    /// streamed or counted keeps its verdict, not what was sent and observed.
    pub fn retained(self, passing: Passing) -> CaseOutcome {
        if passing == Passing::Kept || self.status != Status::Passed {
            return self;
        }
        CaseOutcome {
            request: None,
            curl: None,
            observed: None,
            normalized: None,
            ..self
        }
    }
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}

/// The result of a whole run.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run_id: String,
    pub target: String,
    /// The target's `/version`, when it answered.
    pub version: Option<Value>,
    pub namespace: String,
    pub outcomes: Vec<CaseOutcome>,
    /// Snapshot files that belong to no selected case (only checked on full runs).
    pub unreferenced_snapshots: Vec<PathBuf>,
    /// The run was cut short (Ctrl-C, SIGTERM or the run timeout).
    pub interrupted: Option<String>,
    /// What the target lacked and how the run made do.
    pub notes: Vec<String>,
    pub cleanup_error: Option<String>,
    /// The target refused the run's own setup (namespace, ServiceAccount): no case
    /// ran, and this says why, with the target's reason.
    pub setup_error: Option<String>,
    /// What `--pod-label` and `--pod-annotation` put on every starting pod.
    pub pod_metadata: PodMetadata,
    /// What `--profile` made the starting pods comply with.
    pub profile: Option<Profile>,
    /// What the cluster's admission did to the starting pods before the cases.
    pub preflight: Option<Preflight>,
}
