//! A fixed run for tests of the reporters and the exit rule: one case of each
//! ending (passed, failed with mismatches and a snapshot difference, errored,
//! skipped, blocked by Pod Security, inconclusive after a webhook's mutation), with fixed durations, ids and run metadata so renderings are stable.

use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::case::{self, Case};
use crate::client::Answer;
use crate::compare::Mismatch;
use crate::observed::Observed;
use crate::request::Planned;
use crate::run::{CaseOutcome, Ending, Explained, RunReport, Sent, Status};
use crate::snapshot::Verdict;

/// A case named `topic/<status>` with a fixed description and tags.
fn case(status: Status) -> Case {
    let name = format!("{status:?}").to_lowercase();
    let path = Path::new("cases/topic").join(format!("{name}.yaml"));
    let text = format!(
        "description: The {name} case.\ntags: [topic, {name}]\nrequest: {{type: merge, body: {{}}}}\nexpect: {{status: 200}}\n"
    );
    let file: case::CaseFile = case::parse_yaml(&path, &text).expect("the sample case parses");
    let (variant, steps) = file.expand().expect("one request").remove(0);
    Case {
        id: format!("topic/{name}"),
        file,
        path,
        pod: None,
        variant,
        steps,
    }
}

fn sent() -> Sent {
    Sent {
        request: Planned {
            method: "PATCH",
            path: "/api/v1/namespaces/podpatch-r1/pods/web-0-r1".into(),
            headers: vec![(
                "Content-Type".into(),
                "application/merge-patch+json".into(),
            )],
            body: r#"{"metadata":{"labels":{"tier":"web"}}}"#.into(),
        },
        curl: "curl -sS -X PATCH 'http://127.0.0.1:1/api/v1/namespaces/podpatch-r1/pods/web-0-r1' -H 'Authorization: Bearer [redacted]'".into(),
    }
}

fn answered(snapshot: Verdict, mismatches: Vec<Mismatch>, admission: Option<Explained>) -> Ending {
    let body = json!({"kind": "Pod", "metadata": {"name": "web-0-r1", "managedFields": [{}, {}]}});
    Ending::Answered {
        observed: Observed::new(
            None,
            Answer {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.to_string(),
                attempts: 1,
            },
            None,
        ),
        mismatches,
        normalized: Some(
            json!({"status": 200, "body": {"kind": "Pod", "metadata": {"name": "[pod]"}}}),
        ),
        snapshot: Ok(snapshot),
        admission,
    }
}

/// A snapshot difference with `diff` as its text.
fn differs(diff: &str) -> Verdict {
    Verdict::Differs {
        changes: Vec::new(),
        diff: diff.into(),
        pending: None,
    }
}

/// The outcome of a sample case that ended with `status`.
pub fn outcome(status: Status) -> CaseOutcome {
    let c = case(status);
    let pod = "web-0-r1".to_owned();
    let took = Duration::from_millis(12);
    let judged = |ending| CaseOutcome::new(&c, pod.clone(), took, Some(sent()), None, ending);
    match status {
        Status::Passed => judged(answered(Verdict::Matched, Vec::new(), None),
        ),
        Status::Failed => judged(answered(
                differs("-status: 201\n+status: 200"),
                vec![
                    Mismatch {
                        at: "status".into(),
                        expected: json!(201),
                        actual: Some(json!(200)),
                    },
                    Mismatch {
                        at: "body.metadata".into(),
                        expected: json!({"labels": {"tier": "db"}}),
                        actual: Some(json!({"labels": {"tier": "web"}})),
                    },
                    Mismatch {
                        at: "headers.warning".into(),
                        expected: json!("299 - \"x\""),
                        actual: None,
                    },
                ],
                None,
            ),
        ),
        Status::Inconclusive => judged(answered(
                differs("-  tier: db\n+  tier: web"),
                Vec::new(),
                Some(Explained {
                    cause: "admission changed the starting pod at metadata.labels.injected, and update-time admission the answer at metadata.labels.injected".into(),
                    on_stored: false,
                }),
            ),
        ),
        Status::Blocked => CaseOutcome::new(
            &c,
            pod,
            took,
            None,
            None,
            Ending::Blocked {
                cause: "the starting pod was refused: Pod Security \"restricted:latest\" refused the pod: runAsNonRoot != true".into(),
                error: "creating the starting pod web-0-r1: the target answered 403: pods \"web-0-r1\" is forbidden: violates PodSecurity \"restricted:latest\": runAsNonRoot != true (pod or container \"web\" must set securityContext.runAsNonRoot=true)".into(),
            },
        ),
        Status::Errored => CaseOutcome::new(
            &c,
            pod,
            took,
            Some(sent()),
            Some("DELETE pods/web-0-r1: connection reset".into()),
            Ending::Errored {
                error:
                    "no answer to the case's request: PATCH http://127.0.0.1:1/…: cannot connect"
                        .into(),
            },
        ),
        Status::ExpectedFailure => {
            // As `expected::apply` marks a listed failure after the run.
            let mut o = outcome(Status::Failed);
            o.status = Status::ExpectedFailure;
            o.expected_failure = Some("the mock answers 202 to PATCH".into());
            o
        }
        Status::Skipped => CaseOutcome::new(
            &c,
            pod,
            Duration::ZERO,
            None,
            None,
            Ending::Skipped {
                reason: "applies to Kubernetes >=1.37; the target is 1.36".into(),
            },
        ),
    }
}

/// A finished run with one outcome of each kind, sorted by id as runs are.
pub fn report() -> RunReport {
    let mut outcomes: Vec<CaseOutcome> = [
        Status::Passed,
        Status::Failed,
        Status::Errored,
        Status::Skipped,
        Status::Blocked,
        Status::Inconclusive,
    ]
    .map(outcome)
    .into();
    outcomes.sort_by(|a, b| a.id.cmp(&b.id));
    RunReport {
        run_id: "r1".into(),
        target: "http://127.0.0.1:1".into(),
        version: Some(json!({"gitVersion": "v1.36.5"})),
        namespace: "podpatch-r1".into(),
        outcomes,
        unreferenced_snapshots: vec!["snapshots/topic/gone.snap".into()],
        interrupted: None,
        notes: vec![
            "the target has no ServiceAccount controller; podpatch created `default`".into(),
        ],
        cleanup_error: None,
        setup_error: None,
        pod_metadata: Default::default(),
        profile: None,
        preflight: None,
    }
}

/// A failed outcome of case `id` with nothing observed, for tests of what reads
/// outcomes (triage, expected failures, scores).
pub fn bare(id: &str) -> CaseOutcome {
    CaseOutcome {
        id: id.into(),
        tags: Vec::new(),
        status: Status::Failed,
        pod: "p".into(),
        error: None,
        ..outcome(Status::Errored)
    }
}

/// A report of `outcomes` on target `http://t`, namespace `ns`, run `r`.
pub fn report_of(outcomes: Vec<CaseOutcome>) -> RunReport {
    RunReport {
        run_id: "r".into(),
        target: "http://t".into(),
        namespace: "ns".into(),
        outcomes,
        ..report()
    }
}
