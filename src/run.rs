//! Running cases: sets up the run's fixtures, runs cases concurrently (each with
//! its own pod), judges each against its expectations and snapshot, and removes
//! what it created, also on cancellation.
//!
//! Mismatches are data in the outcome and are never retried; only the inability to
//! run at all is an error of this module.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use futures::StreamExt;
use rand::Rng;
use tokio_util::sync::CancellationToken;

use crate::case::{Case, Unloaded};
use crate::client::{Client, Retry};
use crate::fixture::{FixtureError, Fixtures};
use crate::liveness::Watchdog;
use crate::normalize;
use crate::policed;
use crate::preflight;
use crate::scenario::{self, Shared, run_case};
use crate::scope::Scope;
use crate::snapshot;
use crate::target::{Target, TargetError};
use crate::version::{KubeVersion, is_kube_apiserver};

pub use crate::outcome::{CaseOutcome, Ending, Explained, Passing, RunReport, Sent, Status};
pub use crate::pod_metadata::PodMetadata;
pub use crate::profile::Profile;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cases in flight at once.
    pub jobs: usize,
    /// Bound on each HTTP request.
    pub request_timeout: Duration,
    /// Bound on the whole run, setup included; cases still running then are
    /// reported as errors, and teardown gets `TEARDOWN_GRACE` more.
    pub run_timeout: Duration,
    pub snapshots: snapshot::Mode,
    pub snapshot_dir: PathBuf,
    /// Use this existing namespace instead of creating one.
    pub namespace: Option<String>,
    /// Leave created objects in place for debugging.
    pub keep: bool,
    /// Retries for infrastructure failures (never for mismatches).
    pub retry: Retry,
    /// Cases in a row without an answer after which a probe decides whether the
    /// target stopped answering (see `liveness`); 0 never stops.
    pub stop_after_no_answer: usize,
    /// Labels and annotations put on every starting pod (an injector's opt-out,
    /// say); the report records them.
    pub pod_metadata: PodMetadata,
    /// What every starting pod is made to comply with, where its case does not
    /// depend on it (`--profile`).
    pub profile: Option<Profile>,
    /// Before the cases, against a kube-apiserver: what its admission does to the
    /// starting pods (`preflight`), in the report.
    pub preflight: bool,
    /// Against a kube-apiserver, a case that does not pass is judged again
    /// against upstream's answer on the pod the cluster stored, and may end
    /// blocked or inconclusive (`policed`). Off where two targets' raw answers
    /// are compared (`diff`, `explore`): a refusal is an answer there.
    pub judge_admission: bool,
    /// What the report keeps of a passing case.
    pub passing: Passing,
}

impl Options {
    /// A run with `jobs` cases in flight and `request_timeout` on each request,
    /// everything else as `podpatch run` has it by default but with snapshots
    /// off and passing cases kept whole: a library user (a test, `diff`, `explore`) sets only what it needs.
    pub fn new(jobs: usize, request_timeout: Duration) -> Self {
        Options {
            jobs,
            request_timeout,
            run_timeout: Duration::from_secs(1800),
            snapshots: snapshot::Mode::Off,
            snapshot_dir: PathBuf::from("snapshots"),
            namespace: None,
            keep: false,
            retry: Retry::default(),
            stop_after_no_answer: crate::liveness::DEFAULT_LIMIT,
            pod_metadata: PodMetadata::default(),
            profile: None,
            preflight: false,
            judge_admission: false,
            passing: Passing::Kept,
        }
    }
}

/// How long removing what a run created may take after the run's deadline or an
/// interrupt; then the run ends and `podpatch cleanup` removes the rest.
pub const TEARDOWN_GRACE: Duration = Duration::from_secs(10);

/// A generated body past this size makes a case one that runs alone among
/// such cases: the 3 MiB bodies and the 10,000-operation JSON Patches (430 KB,
/// parsed into a tree of 10,000 objects) each add 6–10 MB to the process while
/// they run. At 1 MiB the JSON Patches ran beside a 3 MiB body, and a run of
/// the suite's cases peaked anywhere between 41 and 60 MB.
const LARGE_BODY: usize = 256 * 1024;

/// How many cases may wait for a large case's turn beside the `jobs` cases in
/// flight: waiting, they hold no job, so the cases after them run meanwhile
/// (the suite's large cases sit close together in id order: seven among
/// sixteen `check-order` cases).
const LARGE_WAITING: usize = 6;

/// How long the first request (`GET /version`) may take: a target that accepts
/// connections and never answers is declared unreachable after this.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// A run that could not happen at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("the target {target} is unreachable: {source}")]
    Unreachable {
        target: String,
        #[source]
        source: crate::client::SendError,
    },
    #[error("the run stopped while preparing on {target}: {why}{}", cleanup(.cleanup_error))]
    Stopped {
        target: String,
        why: String,
        cleanup_error: Option<String>,
    },
    #[error("failed to prepare the run on {target} (authenticating with {identity})")]
    Setup {
        target: String,
        identity: String,
        #[source]
        source: FixtureError,
    },
}

fn cleanup(error: &Option<String>) -> String {
    error
        .as_ref()
        .map(|e| format!(" (and cleaning up failed: {e}; run `podpatch cleanup`)"))
        .unwrap_or_default()
}

/// A new random run id: short, lowercase, valid inside Kubernetes names.
pub fn new_run_id() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut rng = rand::rng();
    (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The pod name of a case: readable, unique within the run, a valid DNS label.
pub fn pod_name(id: &str, index: usize, run_id: &str) -> String {
    let stem = id.rsplit('/').next().unwrap_or(id);
    let slug: String = stem
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .take(40)
        .collect();
    let slug = slug.trim_matches('-');
    let slug = if slug.is_empty() { "case" } else { slug };
    format!("{slug}-{index}-{run_id}")
}

/// What a run tells its caller as it goes, for progress.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Before the cases, on a target not judged in full: which version it is and
    /// what is and is not judged (`Scope::note`; also among the report's notes).
    Scope(&'a str),
    /// A case finished.
    Done(&'a CaseOutcome),
}

/// Runs `cases` against `target`, each its own task (so a run uses every worker
/// thread), taking them from `cases` only as the jobs allow (so an iterator that
/// loads them, `select::Lazy`, holds few at once; a preflight reads them all
/// first). `on_progress` hears what is judged and sees each outcome whole as it
/// finishes, for progress and streamed reports; the report keeps what
/// `opts.passing` says, its outcomes in case id order. `cancel` stops the run
/// early (cases in flight become errors) and cleanup still happens.
pub async fn run<I>(
    cases: I,
    target: &Target,
    opts: &Options,
    cancel: CancellationToken,
    mut on_progress: impl FnMut(Progress),
) -> Result<RunReport, RunError>
where
    I: IntoIterator,
    I::Item: Into<Result<Case, Unloaded>>,
{
    let mut cases = cases.into_iter().map(Into::into);
    // One deadline covers the whole run: setup, cases and (with a grace period)
    // teardown.
    let deadline = tokio::time::Instant::now() + opts.run_timeout;
    let client = Client::new(target, opts.request_timeout, opts.retry)?;
    let run_id = new_run_id();
    let probe = client.probe("/version", opts.request_timeout.min(PROBE_TIMEOUT));
    let version = match until_stopped(deadline, &cancel, opts, probe).await {
        // Nothing was sent but a GET: there is nothing to clean up.
        Err(why) => {
            return Err(RunError::Stopped {
                target: target.base_url.clone(),
                why,
                cleanup_error: None,
            });
        }
        Ok(Err(source)) => {
            return Err(RunError::Unreachable {
                target: target.base_url.clone(),
                source,
            });
        }
        Ok(Ok(answer)) => (answer.status == 200).then(|| answer.json()).flatten(),
    };
    let scope = Scope::of(version.as_ref());
    let scope_note = scope.note(opts.snapshots);
    if let Some(note) = &scope_note {
        on_progress(Progress::Scope(note));
    }
    let mut fixtures = Fixtures::new(client.clone(), &run_id, opts.namespace.clone());
    let failed = match until_stopped(deadline, &cancel, opts, fixtures.setup()).await {
        Ok(Ok(())) => None,
        Ok(Err(source)) => Some(RunError::Setup {
            target: target.base_url.clone(),
            identity: target.identity(),
            source,
        }),
        Err(why) => Some(RunError::Stopped {
            target: target.base_url.clone(),
            why,
            cleanup_error: None,
        }),
    };
    if let Some(mut error) = failed {
        // Setup may have created the namespace before it failed or was stopped.
        let cleaned = teardown(&fixtures, opts, deadline, true).await;
        match &mut error {
            RunError::Stopped { cleanup_error, .. } => *cleanup_error = cleaned,
            // Refused by the target: reported like any run, so the reports are
            // written, with every case not run and the reason once.
            RunError::Setup { .. } => {
                let error = crate::client::error_chain(&error);
                let mut outcomes: Vec<CaseOutcome> = cases
                    .enumerate()
                    .map(|(i, c)| match c {
                        Ok(c) => {
                            let pod = pod_name(&c.id, i, &run_id);
                            let ending = Ending::Errored {
                                error: format!("not run: {error}"),
                            };
                            CaseOutcome::new(&c, pod, Duration::ZERO, None, None, ending)
                        }
                        Err(unloaded) => CaseOutcome::unloaded(unloaded),
                    })
                    .collect();
                outcomes.sort_by(|a, b| a.id.cmp(&b.id));
                return Ok(RunReport {
                    namespace: fixtures.namespace.clone(),
                    run_id,
                    target: target.base_url.clone(),
                    version,
                    outcomes,
                    unreferenced_snapshots: Vec::new(),
                    interrupted: None,
                    notes: Vec::new(),
                    cleanup_error: cleaned,
                    setup_error: Some(error),
                    pod_metadata: opts.pod_metadata.clone(),
                    profile: opts.profile,
                    preflight: None,
                });
            }
            _ => {}
        }
        return Err(error);
    }
    let mut notes: Vec<String> = scope_note.into_iter().collect();
    notes.extend(fixtures.notes.iter().cloned());
    // Against a cluster, a case that does not pass is judged again against
    // upstream's answer on the pod the cluster stored (see `policed`).
    let upstream = version.as_ref().is_some_and(is_kube_apiserver);
    let kube_version = version.as_ref().and_then(KubeVersion::of_answer);
    let (oracle, mut managed) = policed::prepare(
        upstream && opts.judge_admission,
        kube_version.and_then(KubeVersion::mock).unwrap_or_default(),
        &client,
        &fixtures.namespace,
        &mut notes,
    )
    .await;
    // A preflight reads every starting pod: the cases are loaded whole first.
    let mut loaded = Vec::new();
    let preflight = match (&oracle, opts.preflight) {
        (Some(o), true) => {
            loaded.extend(cases.by_ref());
            let whole: Vec<&Case> = loaded.iter().filter_map(|c| c.as_ref().ok()).collect();
            let check = preflight::check(
                &client,
                &fixtures,
                o,
                &whole,
                &opts.pod_metadata,
                opts.profile,
            );
            until_stopped(deadline, &cancel, opts, check).await.ok()
        }
        _ => None,
    };
    // What admission does on UPDATE: to the probed pod for every case, and to
    // each case's own starting pod where that was probed.
    let update = |m: &mut crate::managed::Managed, a: &preflight::Admitted| {
        if let preflight::Admitted::Mutated { paths, by, values } = a {
            m.add_update(paths, by, values);
        }
    };
    if let Some(p) = &preflight {
        update(&mut managed, &p.update);
    }
    let managed_per_case = preflight
        .iter()
        .flat_map(|p| p.updates())
        .map(|(id, a)| {
            let mut m = managed.clone();
            update(&mut m, a);
            (id.to_owned(), m)
        })
        .collect();
    // Pods in flight stay within the namespace's ResourceQuota headroom; a case
    // may hold two (its starting pod and one its request creates).
    let jobs = match fixtures.pod_headroom().await {
        Some((headroom, quota)) if headroom / 2 < opts.jobs => {
            let jobs = (headroom / 2).max(1);
            notes.push(format!(
                "ResourceQuota {quota} allows {headroom} more pods: at most {jobs} cases ran at once"
            ));
            jobs
        }
        _ => opts.jobs,
    };
    // Every name a case hides holds the run id or the namespace.
    let needles = normalize::Needles::for_run(Some(&fixtures.namespace), &[&fixtures.run_id]);
    let shared = Arc::new(Shared {
        needles: Arc::new(needles),
        oracle,
        managed,
        managed_per_case,
        warnings_set_aside: AtomicUsize::new(0),
        pod_metadata: opts.pod_metadata.clone(),
        profile: opts.profile,
        watchdog: Watchdog::new(target, opts.stop_after_no_answer)?,
        client,
        fixtures,
        secrets: target.secrets(),
        auth: redacted_auth(target),
        version: kube_version,
        // Snapshots are the upstream baseline: a target that is not a
        // kube-apiserver is compared with them, but never gets pending files
        // offered as a new baseline. Outside the recorded minors, not at all.
        snapshots: match scope.snapshots(opts.snapshots) {
            snapshot::Mode::Review if !version.as_ref().is_some_and(is_kube_apiserver) => {
                snapshot::Mode::Check
            }
            mode => mode,
        },
        snapshot_dir: opts.snapshot_dir.clone(),
        working_dir: std::env::current_dir().ok(),
        keep: opts.keep,
        passing: opts.passing,
    });

    let deadline_passed = tokio::time::sleep_until(deadline);
    let run_cancel = cancel.child_token();
    // Cases generating large bodies run one at a time: each holds its body
    // several times over (planned, sent, read and parsed by the mock), and two
    // at once were a run's peak memory.
    let large = Arc::new(tokio::sync::Semaphore::new(1));
    let in_flight = Arc::new(tokio::sync::Semaphore::new(jobs.max(1)));
    let stream = futures::stream::iter(loaded.into_iter().chain(cases).enumerate())
        .map(|(index, case)| {
            let shared = Arc::clone(&shared);
            let cancel = run_cancel.clone();
            let large = Arc::clone(&large);
            let in_flight = Arc::clone(&in_flight);
            async move {
                let case = match case {
                    Ok(case) => Arc::new(case),
                    Err(unloaded) => return CaseOutcome::unloaded(unloaded),
                };
                let _alone = if case.generates_more_than(LARGE_BODY) {
                    large.acquire_owned().await.ok()
                } else {
                    None
                };
                // The semaphore is fair: cases start in the order they came.
                let _job = in_flight.acquire_owned().await.ok();
                // Polled from this one task, the cases would share one thread
                // (and compete there with the embedded mock).
                let task = tokio::spawn(case_task(
                    Arc::clone(&shared),
                    Arc::clone(&case),
                    index,
                    cancel,
                ));
                task.await.unwrap_or_else(|e| {
                    let pod = pod_name(&case.id, index, &shared.fixtures.run_id);
                    let ending = Ending::Errored {
                        error: format!("the case's task failed (a bug of podpatch): {e}"),
                    };
                    CaseOutcome::new(&case, pod, Duration::ZERO, None, None, ending)
                })
            }
        })
        .buffer_unordered(jobs.max(1) + LARGE_WAITING);
    tokio::pin!(stream);
    tokio::pin!(deadline_passed);
    let mut outcomes = Vec::new();
    let mut interrupted = None;
    loop {
        tokio::select! {
            next = stream.next() => match next {
                Some(outcome) => {
                    on_progress(Progress::Done(&outcome));
                    outcomes.push(outcome.retained(opts.passing));
                }
                None => break,
            },
            () = &mut deadline_passed, if interrupted.is_none() => {
                interrupted = Some(timeout_message(opts));
                run_cancel.cancel();
            }
            () = cancel.cancelled(), if interrupted.is_none() => {
                interrupted = Some("interrupted".to_owned());
                run_cancel.cancel();
            }
        }
    }
    outcomes.sort_by(|a, b| a.id.cmp(&b.id));
    notes.extend(shared.watchdog.stopped().map(str::to_owned));
    notes.extend(scenario::run_notes(&shared));

    let cleanup_error = teardown(&shared.fixtures, opts, deadline, cancel.is_cancelled()).await;
    Ok(RunReport {
        run_id: shared.fixtures.run_id.clone(),
        target: target.base_url.clone(),
        version,
        namespace: shared.fixtures.namespace.clone(),
        outcomes,
        unreferenced_snapshots: Vec::new(),
        interrupted,
        notes,
        cleanup_error,
        setup_error: None,
        pod_metadata: opts.pod_metadata.clone(),
        profile: opts.profile,
        preflight,
    })
}

/// One case, start to end, as its own task: skipped when it does not apply,
/// not judged once the target stopped answering, an error when the run is
/// cancelled before it finished.
async fn case_task(
    shared: Arc<Shared>,
    case: Arc<Case>,
    index: usize,
    cancel: CancellationToken,
) -> CaseOutcome {
    let started = Instant::now();
    let pod = pod_name(&case.id, index, &shared.fixtures.run_id);
    if let Some(reason) = skip_reason(&case, shared.version) {
        let ending = Ending::Skipped { reason };
        return CaseOutcome::new(&case, pod, started.elapsed(), None, None, ending);
    }
    if let Some(why) = shared.watchdog.stopped() {
        let ending = Ending::Errored {
            error: format!("not judged: {why}"),
        };
        return CaseOutcome::new(&case, pod, started.elapsed(), None, None, ending);
    }
    let outcome = tokio::select! {
        outcome = run_case(&shared, &case, pod.clone()) => outcome,
        () = cancel.cancelled() => {
            let error = match shared.watchdog.stopped() {
                Some(why) => format!("not judged: {why}"),
                None => "cancelled before it finished".to_owned(),
            };
            let ending = Ending::Errored { error };
            CaseOutcome::new(&case, pod.clone(), started.elapsed(), None, None, ending)
        }
    };
    if outcome.observed.is_some() {
        shared.watchdog.answered();
    } else if outcome.no_answer && shared.watchdog.no_answer().await {
        // Cases waiting on a target that is gone end now, not at their timeouts.
        cancel.cancel();
    }
    outcome
}

/// Runs `work` until it ends, the run's deadline passes or the run is cancelled;
/// the error says which stopped it.
async fn until_stopped<T>(
    deadline: tokio::time::Instant,
    cancel: &CancellationToken,
    opts: &Options,
    work: impl std::future::Future<Output = T>,
) -> Result<T, String> {
    tokio::select! {
        r = tokio::time::timeout_at(deadline, work) => r.map_err(|_| timeout_message(opts)),
        () = cancel.cancelled() => Err("interrupted".into()),
    }
}

fn timeout_message(opts: &Options) -> String {
    format!(
        "the run timeout of {} s expired",
        opts.run_timeout.as_secs_f64()
    )
}

/// Removes what the run created, within what is left of the run's time plus
/// `TEARDOWN_GRACE` (only the grace after an interrupt: the user is waiting).
async fn teardown(
    fixtures: &Fixtures,
    opts: &Options,
    deadline: tokio::time::Instant,
    interrupted: bool,
) -> Option<String> {
    if opts.keep {
        return None;
    }
    let left = if interrupted {
        Duration::ZERO
    } else {
        deadline.saturating_duration_since(tokio::time::Instant::now())
    };
    let bound = left + TEARDOWN_GRACE;
    match tokio::time::timeout(bound, fixtures.teardown()).await {
        Ok(result) => result.err().map(|e| e.to_string()),
        Err(_) => Some(format!(
            "the cleanup did not finish within {} s",
            bound.as_secs()
        )),
    }
}

/// Why a case does not apply to a target of version `version`, if it does not.
fn skip_reason(case: &Case, version: Option<KubeVersion>) -> Option<String> {
    let req = case.file.kubernetes.as_ref()?;
    let v = version?;
    (!req.matches(v)).then(|| format!("applies to Kubernetes {req}; the target is {v}"))
}

/// The credential headers the client adds, with their values redacted, for `curl`.
fn redacted_auth(target: &Target) -> Vec<(String, String)> {
    target
        .token
        .iter()
        .map(|_| {
            (
                "Authorization".to_owned(),
                format!("Bearer {}", normalize::REDACTED),
            )
        })
        .chain(
            target
                .headers
                .iter()
                .map(|(k, _)| (k.clone(), normalize::REDACTED.to_owned())),
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn pod_names_are_dns_labels() {
        let name = pod_name("json-patch/Replace_Image.v2", 7, "abc123");
        assert_eq!(name, "replace-image-v2-7-abc123");
        assert!(pod_name(&"x".repeat(200), 999, "abc123").len() <= 63);
        assert_eq!(pod_name("___", 0, "r"), "case-0-r");
    }

    #[test]
    fn operation_count_limit_cases_run_alone() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
        let path = root.join("check-order/json-patch-of-10000-operations-is-applied.yaml");
        let cases = crate::case::load(&path, "limit".into(), &root).unwrap();
        assert!(cases[0].generates_more_than(LARGE_BODY));
        let small = root.join("active-deadline/negative-refused.yaml");
        let cases = crate::case::load(&small, "small".into(), &root).unwrap();
        assert!(!cases[0].generates_more_than(LARGE_BODY));
    }

    #[test]
    fn run_ids_are_short_and_lowercase() {
        let id = new_run_id();
        assert_eq!(id.len(), 6);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }
}
