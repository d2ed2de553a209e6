//! Flag merging: the parsed command line, the environment (`CI`) and where the
//! suite lives combined into the library's run options — jobs, timeouts, and the
//! snapshot mode (never writing on CI, never writing into the built-in suite).
//!
//! Pure: values in, options or a usage error out.

use std::time::Duration;

use crate::cli::{PodMetadataArgs, RunArgs, default_jobs};
use crate::fixture::{MANAGED_BY, RUN_LABEL};
use crate::pod_metadata::PodMetadata;
use crate::run;
use crate::snapshot::Mode;
use crate::suite::{Origin, Suite};

/// A combination of flags that cannot work.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FlagsError {
    #[error("--jobs must be at least 1")]
    NoJobs,
    #[error(
        "--update-snapshots needs a snapshots folder on disk; the built-in snapshots are read-only: run in a checkout, give --snapshots-dir DIR, or write the suite out with `podpatch cases export DIR`"
    )]
    ReadOnlySnapshots,
    #[error("--pod-label {0} would replace a label podpatch marks what a run owns with")]
    OwnLabel(String),
}

/// Whether the `CI` variable (as insta reads it) says this is a CI run.
pub fn is_ci(value: Option<&str>) -> bool {
    value.is_some_and(|v| !matches!(v, "" | "0" | "false"))
}

/// How snapshots are treated: off, accepted, checked only (CI, or the read-only
/// built-in snapshots), or checked with differences written for review.
pub fn snapshot_mode(
    no_snapshots: bool,
    update: bool,
    ci: bool,
    snapshots: Origin,
) -> Result<Mode, FlagsError> {
    Ok(match (no_snapshots, update, ci, snapshots) {
        (true, _, _, _) => Mode::Off,
        (_, true, _, Origin::BuiltIn) => return Err(FlagsError::ReadOnlySnapshots),
        (_, true, _, Origin::Disk) => Mode::Update,
        (_, _, true, _) | (_, _, _, Origin::BuiltIn) => Mode::Check,
        _ => Mode::Review,
    })
}

/// Options shared by `run` and `diff`: concurrency and the request timeout.
pub fn base_options(jobs: usize, timeout_secs: u64) -> Result<run::Options, FlagsError> {
    if jobs == 0 {
        return Err(FlagsError::NoJobs);
    }
    Ok(run::Options::new(
        jobs,
        Duration::from_secs(timeout_secs.max(1)),
    ))
}

/// The options of `podpatch run`; `built_in_mock` says whether the target is
/// the built-in mock (for the default `--jobs`).
pub fn run_options(
    args: &RunArgs,
    suite: &Suite,
    ci: bool,
    built_in_mock: bool,
) -> Result<run::Options, FlagsError> {
    Ok(run::Options {
        run_timeout: Duration::from_secs(args.run_timeout.max(1)),
        snapshots: snapshot_mode(
            args.no_snapshots,
            args.update_snapshots,
            ci,
            suite.snapshots,
        )?,
        snapshot_dir: suite.snapshots_dir.clone(),
        namespace: args.namespace.clone(),
        keep: args.keep,
        stop_after_no_answer: args.stop_after_no_answer,
        pod_metadata: pod_metadata(&args.pod_metadata)?,
        profile: args.profile,
        preflight: !args.no_preflight,
        judge_admission: true,
        // The JSON report shows every case whole: it takes passing ones as they
        // finish; the other reports show failures only.
        passing: if args.json.is_some() {
            run::Passing::Streamed
        } else {
            run::Passing::Counted
        },
        ..base_options(
            args.jobs.unwrap_or_else(|| default_jobs(built_in_mock)),
            args.timeout,
        )?
    })
}

/// `--pod-label` and `--pod-annotation`, refused where they would take over the
/// labels that mark what the run owns.
pub fn pod_metadata(args: &PodMetadataArgs) -> Result<PodMetadata, FlagsError> {
    if let Some((k, _)) = args
        .pod_label
        .iter()
        .find(|(k, _)| k == MANAGED_BY.0 || k == RUN_LABEL)
    {
        return Err(FlagsError::OwnLabel(k.clone()));
    }
    Ok(PodMetadata {
        labels: args.pod_label.clone(),
        annotations: args.pod_annotation.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_is_any_value_but_empty_zero_or_false() {
        assert!(is_ci(Some("true")) && is_ci(Some("1")) && is_ci(Some("yes")));
        assert!(!is_ci(None) && !is_ci(Some("")) && !is_ci(Some("0")) && !is_ci(Some("false")));
    }

    #[test]
    fn snapshot_writes_go_only_to_folders_on_disk() {
        use Origin::*;
        let mode = |no, update, ci, origin| snapshot_mode(no, update, ci, origin);
        assert_eq!(mode(false, false, false, Disk), Ok(Mode::Review));
        assert_eq!(mode(false, false, true, Disk), Ok(Mode::Check));
        assert_eq!(mode(false, true, true, Disk), Ok(Mode::Update));
        assert_eq!(mode(false, false, false, BuiltIn), Ok(Mode::Check));
        assert_eq!(
            mode(false, true, false, BuiltIn),
            Err(FlagsError::ReadOnlySnapshots)
        );
        assert_eq!(mode(true, false, false, BuiltIn), Ok(Mode::Off));
    }

    #[test]
    fn pod_labels_may_not_take_over_the_run_labels() {
        let pair = |k: &str| vec![(k.to_owned(), "x".to_owned())];
        let args = |labels, annotations| PodMetadataArgs {
            pod_label: labels,
            pod_annotation: annotations,
        };
        assert_eq!(
            pod_metadata(&args(pair(RUN_LABEL), vec![])),
            Err(FlagsError::OwnLabel(RUN_LABEL.into()))
        );
        let ok = pod_metadata(&args(pair("sidecar.istio.io/inject"), pair(RUN_LABEL))).unwrap();
        assert_eq!((ok.labels.len(), ok.annotations.len()), (1, 1));
    }

    #[test]
    fn jobs_must_be_positive_and_timeouts_at_least_a_second() {
        assert_eq!(base_options(0, 30).unwrap_err(), FlagsError::NoJobs);
        let o = base_options(3, 0).unwrap();
        assert_eq!((o.jobs, o.request_timeout), (3, Duration::from_secs(1)));
    }
}
