//! Running one case on a target: its starting pod, then its steps in order (one
//! for a single-request case), each planned with the values earlier steps
//! captured, sent, read back when asked, and judged; then the whole case's
//! snapshot, and the removal of what it created.
//!
//! A scenario stops at its first failing step: later steps depend on what it
//! should have done. Scheduling, deadlines and the run's own setup belong to
//! `run`; this module only runs the case it is given.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde_json::Value;

use crate::admission;
use crate::case::{Aim, Capture, Case, Step, Stored};
use crate::client::Client;
use crate::compare::{self, Mismatch};
use crate::fixture::{FixtureError, Fixtures, prepare_pod};
use crate::liveness::Watchdog;
use crate::normalize::{self, Context};
use crate::observed::Observed;
use crate::oracle::Oracle;
use crate::outcome::{CaseOutcome, Ending, Passing, Sent};
use crate::pod_metadata::PodMetadata;
use crate::policed::{self, Seen};
use crate::profile::{self, Profile, Profiled};
use crate::replayed;
use crate::request;
use crate::settle;
use crate::snapshot;
use crate::vars::Vars;
use crate::version::KubeVersion;

/// What every case of a run shares.
pub struct Shared {
    /// Upstream's stand-in, against a kube-apiserver target (`policed`).
    pub oracle: Option<Oracle>,
    /// Fields the namespace's admission manages on every write (`policed`).
    pub managed: crate::managed::Managed,
    /// The same, with what admission does on UPDATE to the case's own starting
    /// pod, by case id, where the preflight probed it.
    pub managed_per_case: std::collections::HashMap<String, crate::managed::Managed>,
    /// Cases whose Pod Security warnings were left out of the comparison.
    pub warnings_set_aside: AtomicUsize,
    /// What `--pod-label` and `--pod-annotation` add to every starting pod.
    pub pod_metadata: PodMetadata,
    /// What every starting pod is made to comply with, where its case does not
    /// depend on it (`--profile`).
    pub profile: Option<Profile>,
    pub client: Client,
    pub watchdog: Watchdog,
    pub fixtures: Fixtures,
    pub secrets: Vec<String>,
    /// What normalising looks for first, found the same way in every case of
    /// the run (`normalize::Needles::for_run`).
    pub needles: Arc<normalize::Needles>,
    /// The credential headers the client adds, values redacted, for `curl`.
    pub auth: Vec<(String, String)>,
    pub version: Option<KubeVersion>,
    pub snapshots: snapshot::Mode,
    pub snapshot_dir: PathBuf,
    /// The working folder, read once for the run (a system call per case
    /// before): snapshot headers name case files relative to it.
    pub working_dir: Option<PathBuf>,
    /// Leave created objects in place for debugging.
    pub keep: bool,
    /// What the report keeps of a passing case (`run::Options::passing`).
    pub passing: Passing,
}

/// One step as it ran: what was sent and what came back.
struct Ran {
    name: Option<String>,
    sent: Sent,
    observed: Observed,
}

/// Runs `case` as pod `pod`.
pub async fn run_case(shared: &Shared, case: &Case, pod: String) -> CaseOutcome {
    let started = Instant::now();
    let fixtures = &shared.fixtures;
    let missing_namespace = format!("{}-missing", fixtures.namespace);
    let mut base = Vars {
        pod: pod.clone(),
        namespace: fixtures.namespace.clone(),
        captures: Default::default(),
    };

    // The starting pod as the case wrote it, and as the run's profile makes it.
    let canonical = case
        .pod
        .as_ref()
        .map(|m| prepare_pod(m, &pod, &fixtures.namespace, &fixtures.run_id));
    let starting = canonical.map(|c| profile::starting(shared.profile, case, c));
    let created = match &starting {
        None => None,
        Some(start) => match create(shared, case, &start.pod, &pod).await {
            Ok(created) => Some(created),
            Err(ending) => {
                return CaseOutcome::new(case, pod, started.elapsed(), None, None, ending);
            }
        },
    };

    let mut ran: Vec<Ran> = Vec::new();
    let mut made = Vec::new();
    let mut mismatches = Vec::new();
    let mut last_vars = base.clone();
    for (index, step) in case.steps.iter().enumerate() {
        let vars = request::vars_for(&step.request, &base, &missing_namespace);
        let planned = request::plan(&step.request, &vars);
        let curl = redact(
            shared,
            &request::curl(shared.client.base_url(), &planned, &shared.auth),
        );
        let sent = Sent {
            request: planned,
            curl,
        };
        let first = index == 0;
        match send(
            shared,
            step,
            &pod,
            first.then_some(&created),
            &sent,
            &mut made,
        )
        .await
        {
            Ok(observed) => {
                let name = step.name.clone();
                let mut found = compare::expectations(&step.expect, &vars, &observed);
                capture(step, &observed, &mut base, &mut found);
                mismatches.extend(found.into_iter().map(|m| at_step(&name, m)));
                ran.push(Ran {
                    name,
                    sent,
                    observed,
                });
                last_vars = vars;
                if !mismatches.is_empty() {
                    break;
                }
            }
            Err(ending) => {
                let ending = match ending {
                    Ending::Errored { error } => Ending::Errored {
                        error: in_step(&step.name, &error),
                    },
                    Ending::NoAnswer { error } => Ending::NoAnswer {
                        error: in_step(&step.name, &error),
                    },
                    other => other,
                };
                let cleanup_error = cleanup(shared, created.iter().chain(&made)).await;
                let elapsed = started.elapsed();
                let mut outcome =
                    CaseOutcome::new(case, pod, elapsed, Some(sent), cleanup_error, ending);
                outcome.step = step_label(case, index);
                return outcome;
            }
        }
    }
    let cleanup_error = cleanup(shared, created.iter().chain(&made)).await;
    // A scenario stops at its failing step: the last one ran is what to show.
    let shown = ran.len().saturating_sub(1);
    let ending = judge(
        shared,
        case,
        &pod,
        &last_vars,
        created,
        &mut ran,
        mismatches,
        starting.as_ref(),
    )
    .await;
    let sent = ran.pop().map(|r| r.sent);
    let mut outcome = CaseOutcome::new(case, pod, started.elapsed(), sent, cleanup_error, ending);
    outcome.step = step_label(case, shown);
    outcome
}

/// Which step of a scenario an outcome shows, for reports: `name (2 of 3)`.
fn step_label(case: &Case, index: usize) -> Option<String> {
    let name = case.steps.get(index)?.name.as_ref()?;
    Some(format!(
        "{name} (step {} of {})",
        index + 1,
        case.steps.len()
    ))
}

/// A message about a step of a scenario names the step.
fn in_step(name: &Option<String>, text: &str) -> String {
    match name {
        Some(n) => format!("step `{n}`: {text}"),
        None => text.to_owned(),
    }
}

/// Sends one step and reads the pod back when it asks; the pod as it was before
/// the step is the created one for the first step, and read for a later step
/// that expects `stored: unchanged`. Pods the request creates join `made`.
async fn send(
    shared: &Shared,
    step: &Step,
    pod: &str,
    created: Option<&Option<Value>>,
    sent: &Sent,
    made: &mut Vec<Value>,
) -> Result<Observed, Ending> {
    let errored = |error| Ending::Errored { error };
    let before = match (created, &step.expect.stored) {
        (Some(created), _) => created.clone(),
        (None, Some(Stored::Unchanged)) => Some(read_back(shared, pod).await.map_err(errored)?),
        (None, _) => None,
    };
    let answer = shared
        .client
        .send(&sent.request)
        .await
        .map_err(|e| Ending::NoAnswer {
            error: redact(shared, &format!("no answer to the case's request: {e}")),
        })?;
    // Apply creates with 201: the pod it made is removed with the case's.
    made.extend((answer.status == 201).then(|| answer.json()).flatten());
    let stored = match &step.expect.stored {
        Some(_) => Some(read_back(shared, pod).await.map_err(errored)?),
        None => None,
    };
    // A pod the request made schedulable is read once the scheduler acted on
    // it, not in a race with it (`settle`).
    let stored = match stored {
        Some(s) if shared.fixtures.scheduler() && settle::awaits_scheduler(&s) => {
            Some(settle::scheduled(&shared.client, &shared.fixtures.namespace, pod, s).await)
        }
        other => other,
    };
    Ok(Observed::new(before, answer, stored))
}

/// A mismatch of a scenario's step says which step: `steps.NAME.status`.
fn at_step(name: &Option<String>, mut m: Mismatch) -> Mismatch {
    if let Some(n) = name {
        m.at = format!("steps.{n}.{}", m.at);
    }
    m
}

/// Takes the step's captures from what it observed into `vars`; one not found
/// is a mismatch (later steps would be sent with a hole in them).
fn capture(step: &Step, observed: &Observed, vars: &mut Vars, out: &mut Vec<Mismatch>) {
    for (name, source) in &step.capture {
        let (found, expected) = match source {
            Capture::Body(p) => (observed.json().and_then(|b| b.pointer(p)).cloned(), p),
            Capture::Stored(p) => (
                observed.stored.as_ref().and_then(|s| s.pointer(p)).cloned(),
                p,
            ),
            Capture::Header(h) => (observed.header(h).map(Value::String), h),
        };
        let key = format!("{}.{name}", step.name.as_deref().unwrap_or_default());
        match found {
            Some(v) => {
                vars.captures.insert(key, v);
            }
            None => out.push(Mismatch {
                at: format!("capture.{name}"),
                expected: Value::String(format!("a value at {expected}")),
                actual: None,
            }),
        }
    }
}

/// Creates the starting pod `start` (prepared, profiled) with the run's labels
/// and annotations (and starts its deletion when the case asks).
async fn create(shared: &Shared, case: &Case, start: &Value, pod: &str) -> Result<Value, Ending> {
    let fixtures = &shared.fixtures;
    let pod_manifest = shared.pod_metadata.applied_to(start);
    let deleting = case.file.given.as_ref().is_some_and(|g| g.deleting);
    let made = match fixtures.create_pod(&pod_manifest).await {
        Ok(created) if deleting => {
            let uid = created["metadata"]["uid"].as_str().unwrap_or_default();
            fixtures.start_deletion(pod, uid).await
        }
        other => other,
    };
    let e = match made {
        Ok(created) => return Ok(created),
        Err(e) => e,
    };
    let error = redact(shared, &e.to_string());
    // The cluster's policy refused the starting pod (or made it invalid where
    // upstream takes it): not the Pod API.
    let cause = match (&e, &shared.oracle) {
        (FixtureError::Send(_), _) => None,
        (_, Some(o)) => policed::refused_start(o, &pod_manifest, &e).await,
        (_, None) => e.refusal().map(|r| r.cause.clone()),
    };
    Err(match (&e, cause) {
        (FixtureError::Send(_), _) => Ending::NoAnswer { error },
        (_, Some(c)) => Ending::Blocked {
            cause: redact(shared, &format!("the starting pod was refused: {c}")),
            error,
        },
        _ => Ending::Errored { error },
    })
}

/// The case's pod as the target stores it now.
async fn read_back(shared: &Shared, pod: &str) -> Result<Value, String> {
    match shared.fixtures.get_pod(pod).await {
        Ok(a) => Ok(a.json().unwrap_or(Value::String(a.body))),
        Err(e) => Err(redact(shared, &format!("reading the pod back: {e}"))),
    }
}

/// Deletes what the case created: the starting pod, and pods its requests made,
/// each by its own name and uid, nothing else.
async fn cleanup<'a>(shared: &Shared, objects: impl Iterator<Item = &'a Value>) -> Option<String> {
    let mut error = None;
    for object in objects {
        let meta = &object["metadata"];
        if let (Some(name), Some(uid), false) =
            (meta["name"].as_str(), meta["uid"].as_str(), shared.keep)
            && let Err(e) = shared.fixtures.delete_pod(name, uid).await
        {
            error = Some(redact(shared, &e.to_string()));
        }
    }
    error
}

/// Judges what the target did with a case: its expectations (already compared,
/// step by step), then its snapshot. The observation kept for reports is the
/// last step's: a scenario stops at its failing one.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the case's pieces as run"
)]
async fn judge(
    shared: &Shared,
    case: &Case,
    pod: &str,
    vars: &Vars,
    created: Option<Value>,
    ran: &mut [Ran],
    mismatches: Vec<Mismatch>,
    starting: Option<&Profiled>,
) -> Ending {
    let fixtures = &shared.fixtures;
    // Pod Security's warn and audit modes are the cluster's policy, never the Pod
    // API's: left out of what is compared.
    let mut warned = false;
    for r in ran.iter_mut() {
        let before = r.observed.headers.len();
        r.observed.headers.retain(|(k, v)| {
            !(k.eq_ignore_ascii_case("warning") && admission::is_policy_warning(v))
        });
        warned |= r.observed.headers.len() < before;
    }
    if warned {
        shared.warnings_set_aside.fetch_add(1, Ordering::Relaxed);
    }
    let mismatches = if warned {
        // Expectations are compared again without the policy's warnings.
        let mut again = Vec::new();
        for r in ran.iter() {
            if let Some(step) = case.steps.iter().find(|s| s.name == r.name) {
                again.extend(compare::expectations(&step.expect, vars, &r.observed));
            }
        }
        if mismatches.is_empty() {
            mismatches
        } else {
            again
        }
    } else {
        mismatches
    };
    let last = ran.last().expect("a judged case ran a step");
    // Without a snapshot, a passing case's normalised observation is shown only
    // by reports that keep passing cases (and read by the policed judging of one
    // that does not pass): not made when nothing reads it.
    let snapshots = shared.snapshots != snapshot::Mode::Off;
    if !snapshots && shared.passing == Passing::Counted && mismatches.is_empty() {
        return Ending::Answered {
            observed: normalize::redact_observed(last_observed(ran), &shared.secrets),
            mismatches,
            normalized: None,
            snapshot: Ok(snapshot::Verdict::Skipped),
            admission: None,
        };
    }
    // Pod names and the run id are generated, so unique: replaced wherever they
    // occur. The run's namespace may be the user's common word (`default`), so it
    // is replaced only where it names a namespace; a namespace the case aims at
    // instead is named after it (`…-missing`).
    // A name the case gives itself (`{missing: NAME}`) is no per-run value: it
    // stays as written (but for the generated names inside it).
    let aim = ran
        .last()
        .and_then(|r| case.steps.iter().find(|s| s.name == r.name));
    let named = |a: Option<&Aim>| matches!(a, Some(Aim::Named(_)));
    let mut names = vec![
        (pod.to_owned(), "[pod]".to_owned()),
        (fixtures.run_id.clone(), "[run]".to_owned()),
    ];
    if !named(aim.and_then(|s| s.request.pod.as_ref())) {
        names.insert(0, (vars.pod.clone(), "[pod]".to_owned()));
    }
    if vars.namespace != fixtures.namespace
        && !named(aim.and_then(|s| s.request.namespace.as_ref()))
    {
        names.push((vars.namespace.clone(), "[namespace]".to_owned()));
    }
    let ctx = Context {
        needles: Some(Arc::clone(&shared.needles)),
        names,
        namespace: Some(fixtures.namespace.clone()),
        secrets: shared.secrets.clone(),
    };
    let normalized = if case.is_scenario() {
        let steps: Vec<_> = ran
            .iter()
            .map(|r| (r.name.clone().unwrap_or_default(), &r.observed))
            .collect();
        normalize::scenario(created.as_ref(), &steps, &ctx)
    } else {
        normalize::observation(&last.observed, &ctx)
    };
    let rendered = if snapshots {
        normalize::render(&normalized)
    } else {
        String::new()
    };
    let entry = snapshot::Entry {
        id: &case.id,
        description: &case.file.description,
        input_file: &input_file(&case.path, shared.working_dir.as_deref()),
    };
    // With an oracle, nothing is written until the case is known to differ from
    // upstream: a difference admission explains is no new baseline.
    let mode = match (&shared.oracle, shared.snapshots) {
        (Some(_), snapshot::Mode::Review) => snapshot::Mode::Check,
        (_, mode) => mode,
    };
    let check = |mode| {
        snapshot::check(&shared.snapshot_dir, entry, &rendered, mode, shared.version)
            .map_err(|e| e.to_string())
    };
    let mut snapshot = check(mode);
    let passes = mismatches.is_empty() && snapshot.as_ref().is_ok_and(|v| v.passed());
    let mut admission = None;
    // Scenarios of several steps are judged as they are: one stored pod, one request.
    if let (false, Ok(_), Some(oracle), false) =
        (passes, &snapshot, &shared.oracle, case.is_scenario())
    {
        let seen = Seen {
            pod,
            starting: starting.map(|s| &s.pod).zip(last.observed.created.as_ref()),
            profiled: starting.map_or(&[], |s| &s.paths),
            planned: &last.sent.request,
            observed: &last.observed,
            normalized: &normalized,
            read_back: case.steps[0].expect.stored.is_some(),
            managed: shared
                .managed_per_case
                .get(&case.id)
                .unwrap_or(&shared.managed),
        };
        match policed::reconsider(&shared.client, oracle, &fixtures.namespace, seen, &ctx).await {
            Some(policed::Verdict::Blocked { cause }) => {
                let error = format!(
                    "the case's request was refused: {} {}",
                    last.observed.status,
                    crate::reason::from_body(last.observed.body())
                );
                return Ending::Blocked {
                    cause: redact(shared, &cause),
                    error: redact(shared, &error),
                };
            }
            Some(policed::Verdict::Explained(e)) => admission = Some(e),
            None if mode != shared.snapshots => snapshot = check(shared.snapshots),
            None => {}
        }
    } else if let (false, Ok(_), Some(oracle), true) =
        (passes, &snapshot, &shared.oracle, case.is_scenario())
    {
        // A scenario's later steps depend on its earlier answers: one whose
        // starting pod changed is replayed upstream, step by step, on the pod
        // the cluster stored.
        let managed = (shared.managed_per_case.get(&case.id)).unwrap_or(&shared.managed);
        let profiled = starting.map_or(&[][..], |s| &s.paths);
        let pair = starting.map(|s| &s.pod).zip(created.as_ref());
        let changed = replayed::scenario_changes(oracle, pair, managed, profiled, &ctx).await;
        // A step the cluster's policy refused (an ephemeral container Pod
        // Security rejects) was never judged: the policy's doing. (Authorization
        // is the case's own subject: impersonation scenarios expect 403s.)
        let refused = ran
            .iter()
            .filter_map(|r| admission::refusal(r.observed.status, r.observed.body()))
            .find(|r| r.policy != admission::Policy::Rbac);
        if let Some(r) = refused {
            admission = Some(policed::Explained {
                cause: format!("a step's request was refused: {}", r.cause),
                on_stored: false,
            });
        } else if let (Some(changed), Some(stored)) = (changed, created.as_ref()) {
            let replayed = replay(oracle, case, pod, &fixtures.namespace, stored, ran.len())
                .await
                .map(|(seeded, steps)| {
                    let steps: Vec<_> = steps.iter().map(|(n, o)| (n.clone(), o)).collect();
                    normalize::scenario(Some(&seeded), &steps, &ctx)
                });
            admission = replayed::replayed_scenario(
                &changed,
                managed,
                replayed.as_ref().map_err(Clone::clone),
                &normalized,
            );
        }
        if admission.is_none() && mode != shared.snapshots {
            snapshot = check(shared.snapshots);
        }
    }
    Ending::Answered {
        observed: normalize::redact_observed(last_observed(ran), &shared.secrets),
        mismatches,
        normalized: Some(normalized),
        snapshot,
        admission,
    }
}

/// The last step's observation, taken for the outcome (not copied: the steps
/// are done with once judged).
fn last_observed(ran: &mut [Ran]) -> Observed {
    std::mem::take(&mut ran.last_mut().expect("a judged case ran a step").observed)
}

/// The first `count` steps of scenario `case` sent upstream (the oracle) on pod
/// `pod` of `namespace`, seeded from `stored` as the cluster stored it, each planned with what upstream's earlier
/// answers captured: the seeded pod and each step's observation. What it made
/// upstream is removed.
async fn replay(
    oracle: &Oracle,
    case: &Case,
    pod: &str,
    namespace: &str,
    stored: &Value,
    count: usize,
) -> Result<(Value, Vec<(String, Observed)>), String> {
    let seeded = oracle.seed_pod(stored, pod).await?;
    let mut base = Vars {
        pod: pod.to_owned(),
        namespace: namespace.to_owned(),
        captures: Default::default(),
    };
    let missing_namespace = format!("{namespace}-missing");
    let mut made = vec![seeded.clone()];
    let mut steps = Vec::new();
    let mut result = Ok(());
    for (index, step) in case.steps.iter().take(count).enumerate() {
        let planned = request::plan(
            &step.request,
            &request::vars_for(&step.request, &base, &missing_namespace),
        );
        let before = match (index, &step.expect.stored) {
            (0, _) => Some(seeded.clone()),
            (_, Some(Stored::Unchanged)) => oracle.read(pod).await.ok(),
            _ => None,
        };
        let answer = match oracle.send(&planned).await {
            Ok(a) => a,
            Err(e) => {
                result = Err(e);
                break;
            }
        };
        made.extend((answer.status == 201).then(|| answer.json()).flatten());
        let back = match step.expect.stored {
            Some(_) => oracle.read(pod).await.ok(),
            None => None,
        };
        let observed = Observed::new(before, answer, back);
        capture(step, &observed, &mut base, &mut Vec::new());
        steps.push((step.name.clone().unwrap_or_default(), observed));
    }
    oracle.remove(made.iter()).await;
    result.map(|()| (seeded, steps))
}

/// What the run did about the cluster's policy, for the report's notes.
pub fn run_notes(shared: &Shared) -> Vec<String> {
    let mut notes = Vec::new();
    let warned = shared.warnings_set_aside.load(Ordering::Relaxed);
    if warned > 0 {
        notes.push(format!(
            "{warned} case(s) got Pod Security warnings (`would violate PodSecurity`, the namespace's warn or audit level); they were left out of the comparison"
        ));
    }
    let waits = shared.fixtures.quota_waits();
    if waits > 0 {
        notes.push(format!(
            "starting pods waited {waits} time(s) for ResourceQuota headroom (`exceeded quota`, retried with backoff)"
        ));
    }
    if !shared.pod_metadata.is_empty() {
        notes.push(format!(
            "every starting pod carried {}",
            shared.pod_metadata
        ));
    }
    if let Some(p) = shared.profile {
        notes.push(format!(
            "starting pods were made to comply with the `{p}` profile where their cases do not depend on the fields it sets; such cases were judged against upstream's answer on the pod the cluster stored"
        ));
    }
    notes
}

fn redact(shared: &Shared, text: &str) -> String {
    normalize::redact(text, &shared.secrets)
}

/// The case path as recorded in snapshot headers: relative to the working
/// folder `cwd` (the run's, `Shared::working_dir`).
pub fn input_file(path: &Path, cwd: Option<&Path>) -> String {
    let rel = cwd.and_then(|c| path.strip_prefix(c).ok()).unwrap_or(path);
    rel.display().to_string()
}
