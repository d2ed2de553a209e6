//! Command-line types (clap). They only describe flags and commands; `flags`,
//! `select`, `resolve` and `suite` turn them into the library's option structs, and
//! the binary dispatches on them. Kept in the library so completions and the man
//! page are generated from the same definitions.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Exit codes, shown in `--help` and documented in the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  every selected case passed, or failed as --expected-failures expects
     (listed cases that pass now are reported, and do not fail the run)
  1  at least one case failed (did not conform, could not be judged, or its
     expected-failure entry expired or names another cause)
  2  nothing could be judged: bad case file, bad flag, unreachable target, or the
     target refused the run's setup (the reason is shown; reports are still written)
  3  the results were printed, but a --junit, --json or --markdown report could
     not be written
  4  no case failed, but the cluster's admission or policy kept some from being
     judged (blocked or inconclusive cases, reported by cause)";

#[derive(Debug, Parser)]
#[command(
    name = "podpatch",
    version,
    about = "Conformance suite for the Kubernetes Pod PATCH endpoint",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run cases against a target (default: every case against the built-in mock).
    #[command(after_help = EXIT_CODES)]
    Run(Box<RunArgs>),
    /// List cases with their tags.
    List(SelectArgs),
    /// Validate case files without sending anything.
    #[command(after_help = EXIT_CODES)]
    Check(SelectArgs),
    /// Run cases against two targets and compare their normalised results.
    #[command(after_help = DIFF_EXIT_CODES)]
    Diff(DiffArgs),
    /// Generate cases, run each on two targets, and shrink every difference
    /// into a case file.
    #[command(after_help = EXPLORE_EXIT_CODES)]
    Explore(ExploreArgs),
    /// Remove what earlier runs left behind, selected by podpatch's labels only.
    Cleanup(CleanupArgs),
    /// Show what the cluster's admission does to the suite's starting pods (dry
    /// runs, compared with upstream), and the namespace's policies.
    #[command(after_help = EXIT_CODES)]
    Preflight(Box<PreflightArgs>),
    /// Serve the built-in mock Kubernetes API server.
    Mock(MockArgs),
    /// Work with the case suite built into the binary.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Print a shell completion script (e.g. `podpatch completions bash > /etc/bash_completion.d/podpatch`).
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `podpatch man > podpatch.1`.
    Man,
}

/// What `podpatch cases` does.
#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// Write the built-in suite (cases/ and snapshots/) into DIR, to edit or review it.
    Export(ExportArgs),
    /// What the snapshots, recorded from real servers, say changed between Kubernetes
    /// minors: cases answering differently, grouped by change, and cases applying
    /// on one minor only (e.g. `podpatch cases changes --from 1.35 --to 1.37` before an
    /// upgrade).
    Changes(ChangesArgs),
}

#[derive(Debug, Args)]
pub struct ChangesArgs {
    /// The oldest minor, e.g. `1.35` [default: the oldest the suite covers, 1.30].
    #[arg(long, value_name = "VERSION", value_parser = parse_minor)]
    pub from: Option<crate::version::KubeVersion>,
    /// The newest minor: each step from `--from` to it is listed [default: the
    /// newest the suite covers, 1.37].
    #[arg(long, value_name = "VERSION", value_parser = parse_minor)]
    pub to: Option<crate::version::KubeVersion>,
    #[command(flatten)]
    pub select: SelectArgs,
    /// The snapshots folder [default: snapshots/ beside the cases folder, else the
    /// built-in ones].
    #[arg(long, value_name = "DIR")]
    pub snapshots_dir: Option<PathBuf>,
}

/// A Kubernetes minor the built-in mock answers as (`1.30` to `1.37`).
fn parse_minor(text: &str) -> Result<crate::version::KubeVersion, String> {
    crate::version::KubeVersion::from_git_version(text)
        .filter(|v| v.mock().is_some())
        .ok_or_else(|| {
            format!(
                "`{text}` is not a Kubernetes minor from {} to {}",
                podpatch_mock::Version::OLDEST,
                podpatch_mock::Version::NEWEST
            )
        })
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write `cases/` and `snapshots/` into (created if missing; existing
    /// files are never overwritten).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Exit codes of `podpatch diff`.
pub const DIFF_EXIT_CODES: &str = "\
Target specs:
  mock                                  the built-in mock, at the other target's version
  mock@1.NN                             the built-in mock answering as Kubernetes 1.NN
  env                                   PODPATCH_TARGET, PODPATCH_TOKEN_FILE, PODPATCH_CA_FILE
  kubeconfig=FILE[,context=NAME]        a kubeconfig
  URL[,token-file=F][,token=T][,header=NAME:VALUE]…[,ca-file=F][,client-cert=F,client-key=F][,insecure]
                                        (a header value cannot hold a comma)

Exit codes:
  0  both targets answered every case the same way
  1  at least one case differs or could not be compared
  2  nothing could be compared: bad case file, bad flag, unreachable target";

/// The exit codes of `podpatch explore`.
pub const EXPLORE_EXIT_CODES: &str = "\
Target specs: as for `podpatch diff` (mock, env, kubeconfig=FILE, URL[,…]).
B is the reference: a written case expects B's answer.

Exit codes:
  0  no stable difference found within the budget
  1  at least one stable difference (each shrunk, and written with --out)
  2  nothing could be explored: bad flag, unreachable target, refused setup";

/// What every starting pod carries besides its manifest.
#[derive(Debug, Clone, Default, Args)]
pub struct PodMetadataArgs {
    /// Put this label on every starting pod, e.g. an injector's opt-out
    /// (`sidecar.istio.io/inject=false`); repeatable; recorded in the report.
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value)]
    pub pod_label: Vec<(String, String)>,
    /// Put this annotation on every starting pod; repeatable; recorded in the report.
    #[arg(long, value_name = "KEY=VALUE", value_parser = key_value)]
    pub pod_annotation: Vec<(String, String)>,
}

/// A `KEY=VALUE` pair (the value may be empty or hold `=`).
fn key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("expected KEY=VALUE, got `{text}`")),
    }
}

/// Which cases to use.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Case files or folders, on disk or under the cases folder (`apply`,
    /// `json-patch/replace-image.yaml`) [default: the whole cases folder].
    pub paths: Vec<PathBuf>,
    /// The cases folder: case ids are relative to it, fixtures fall back to it
    /// [default: ./cases when the current folder holds cases/ beside snapshots/ (a
    /// checkout or an export), else the suite built into the binary].
    #[arg(long, value_name = "DIR")]
    pub cases_dir: Option<PathBuf>,
    /// Keep cases whose id contains TEXT (repeatable: any of them).
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,
    /// Keep cases with this tag (repeatable: any of them).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Leave out cases with this tag (repeatable: any of them).
    #[arg(long, value_name = "TAG")]
    pub exclude_tag: Vec<String>,
    /// Keep cases that send this patch type (repeatable: any of them).
    #[arg(long, value_name = "TYPE", value_parser = ["json-patch", "merge-patch", "strategic-merge-patch", "apply"])]
    pub patch_type: Vec<String>,
}

/// Where requests go and how they authenticate.
#[derive(Debug, Clone, Default, Args)]
pub struct TargetArgs {
    /// Base URL of the API server, or `mock` for the built-in mock (`mock@1.NN`:
    /// answering as Kubernetes 1.NN, 1.30 to 1.37) [default: the kubeconfig's
    /// with --kubeconfig or --context, else the built-in mock].
    #[arg(long, env = "PODPATCH_TARGET", value_name = "URL")]
    pub target: Option<String>,
    /// Take server and credentials from a kubeconfig (explicit flags override it).
    #[arg(long, value_name = "FILE", conflicts_with = "in_cluster")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use; alone, it reads KUBECONFIG or ~/.kube/config.
    #[arg(long, value_name = "NAME", conflicts_with = "in_cluster")]
    pub context: Option<String>,
    /// Use the ServiceAccount of the Pod podpatch runs in.
    #[arg(long)]
    pub in_cluster: bool,
    /// Bearer token, preferred over --token-file (but command lines are visible to other users).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// File holding the bearer token.
    #[arg(long, env = "PODPATCH_TOKEN_FILE", value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// PEM CA bundle to trust for the target's certificate.
    #[arg(long, env = "PODPATCH_CA_FILE", value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// PEM client certificate (with --client-key).
    #[arg(long, value_name = "FILE", requires = "client_key")]
    pub client_cert: Option<PathBuf>,
    /// PEM private key of the client certificate.
    #[arg(long, value_name = "FILE", requires = "client_cert")]
    pub client_key: Option<PathBuf>,
    /// Do not verify the target's certificate (insecure; a warning is printed).
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// Extra header for every request, e.g. 'X-Auth-Token: …' (repeatable; values are kept out of all output).
    #[arg(long, value_name = "'NAME: VALUE'")]
    pub header: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Use this existing namespace instead of creating `podpatch-<run id>`.
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Cases in flight at once [default: one per core and one more against the
    /// built-in mock, four per core against a server].
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Timeout of each HTTP request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Timeout of the whole run (setup, cases, teardown), in seconds; teardown may
    /// take up to 10 s more.
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    pub run_timeout: u64,
    /// After N cases in a row got no answer (timeouts, refused connections), probe
    /// the target once; if it does not answer either, report the remaining cases as
    /// not judged at once (0: never stop).
    #[arg(long, value_name = "N", default_value_t = crate::liveness::DEFAULT_LIMIT)]
    pub stop_after_no_answer: usize,
    /// Accept the observed results as the new snapshots.
    #[arg(long, conflicts_with = "no_snapshots")]
    pub update_snapshots: bool,
    /// Check expectations only, not snapshots (for ad-hoc case folders).
    #[arg(long)]
    pub no_snapshots: bool,
    /// The snapshots folder [default: snapshots/ beside the cases folder when that is
    /// on disk, else the snapshots built into the binary (read-only)].
    #[arg(long, value_name = "DIR")]
    pub snapshots_dir: Option<PathBuf>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write a Markdown summary (counts, causes, pass rates per feature) for CI to post.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Keep the pods and namespace the run created, for debugging.
    #[arg(long)]
    pub keep: bool,
    #[command(flatten)]
    pub pod_metadata: PodMetadataArgs,
    /// Make every starting pod one that this policy admits, where its case does
    /// not depend on the fields it sets: `restricted` (Pod Security `restricted`,
    /// cpu and memory requests and limits); cases are judged against upstream's
    /// answer on the pod the cluster stored.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<crate::profile::Profile>,
    /// Skip the preflight a run against a cluster starts with (what admission does
    /// to the starting pods; see `podpatch preflight`).
    #[arg(long)]
    pub no_preflight: bool,
    /// Known gaps of the target: listed cases still run, and their failures are
    /// expected failures, not failures of the run (see the README for the format).
    #[arg(long, value_name = "FILE")]
    pub expected_failures: Option<PathBuf>,
    /// Show every failure in full, not only one per cause (the JSON report always
    /// has them all).
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    /// A target spec (see below); give exactly two, A then B.
    #[arg(long = "target", value_name = "SPEC", required = true, num_args = 1)]
    pub targets: Vec<String>,
    /// Cases in flight at once, per target.
    #[arg(long, short, value_name = "N", default_value_t = server_jobs())]
    pub jobs: usize,
    /// Timeout of each HTTP request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Timeout of the whole comparison, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    pub run_timeout: u64,
    /// Use this existing namespace on both targets instead of creating one on each.
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// After N cases in a row got no answer from a target, probe it once; if it does
    /// not answer either, its remaining cases are not judged (0: never stop).
    #[arg(long, value_name = "N", default_value_t = crate::liveness::DEFAULT_LIMIT)]
    pub stop_after_no_answer: usize,
    /// Write the comparison as JSON: per case, the changed paths and the diff, and
    /// the differences grouped by cause.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the comparison as JUnit XML (a difference fails its case).
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Show each differing case's whole diff, not only its changed paths.
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ExploreArgs {
    /// A target spec (as for `diff`); give exactly two, A then B (the reference).
    #[arg(long = "target", value_name = "SPEC", required = true, num_args = 1)]
    pub targets: Vec<String>,
    /// Seed of the case generator: the same seed draws the same cases
    /// [default: random, printed at the start].
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Cases to generate at most.
    #[arg(long, value_name = "N", default_value_t = 500)]
    pub budget: usize,
    /// Time for the whole exploration, shrinking included, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub time: u64,
    /// Cases run together on both targets (and shrink candidates tried at once).
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub batch: usize,
    /// How many more times a difference must show before it counts (answers
    /// that depend on timing or Go map order come and go); B must also answer
    /// as it did on 6 runs more.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub rechecks: usize,
    /// Write each shrunk difference as a case file into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Cases in flight at once, per target.
    #[arg(long, short, value_name = "N", default_value_t = server_jobs())]
    pub jobs: usize,
    /// Timeout of each HTTP request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    #[command(flatten)]
    pub select: SelectArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// The namespace a run would use [default: a new `podpatch-<run id>`, removed
    /// afterwards].
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    #[command(flatten)]
    pub pod_metadata: PodMetadataArgs,
    /// The starting pods as `podpatch run --profile NAME` makes them.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<crate::profile::Profile>,
    /// Write the preflight as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CleanupArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Only remove objects older than this, e.g. `2h`, `30m` [default: all].
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub older_than: Option<std::time::Duration>,
    /// List what would be removed without removing it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8001")]
    pub listen: SocketAddr,
    /// Answer as this Kubernetes minor, 1.30 to 1.37.
    #[arg(long, value_name = "1.NN", default_value_t = podpatch_mock::Version::DEFAULT)]
    pub kubernetes_version: podpatch_mock::Version,
}

pub use crate::version::{MOCK, mock_target};

/// Parses a `--target` spec of `podpatch diff` (see `DIFF_EXIT_CODES`) into the
/// flags `run` would take for the same target.
pub fn parse_target_spec(spec: &str) -> Result<TargetArgs, String> {
    let env_path = |name: &str| std::env::var_os(name).map(PathBuf::from);
    if let Some(version) = mock_target(spec) {
        version.map_err(|e| format!("target spec `{spec}`: {e}"))?;
        return Ok(TargetArgs {
            target: Some(spec.to_owned()),
            ..TargetArgs::default()
        });
    }
    if spec == "env" {
        let target = std::env::var("PODPATCH_TARGET")
            .map_err(|_| "target spec `env` needs PODPATCH_TARGET".to_owned())?;
        return Ok(TargetArgs {
            target: Some(target),
            token_file: env_path("PODPATCH_TOKEN_FILE"),
            ca_file: env_path("PODPATCH_CA_FILE"),
            ..TargetArgs::default()
        });
    }
    let mut args = TargetArgs::default();
    for (i, part) in spec.split(',').enumerate() {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let path = || Some(PathBuf::from(value));
        match key {
            "kubeconfig" => args.kubeconfig = path(),
            "context" => args.context = Some(value.to_owned()),
            "token-file" => args.token_file = path(),
            "token" if !value.is_empty() => args.token = Some(value.to_owned()),
            "header" if !value.is_empty() => args.header.push(value.to_owned()),
            "ca-file" => args.ca_file = path(),
            "client-cert" => args.client_cert = path(),
            "client-key" => args.client_key = path(),
            "insecure" if value.is_empty() => args.insecure_skip_tls_verify = true,
            url if i == 0 && value.is_empty() && url.contains("://") => {
                args.target = Some(url.to_owned())
            }
            _ => return Err(format!("invalid target spec part `{part}` in `{spec}`")),
        }
    }
    if args.target.is_none() && args.kubeconfig.is_none() && args.context.is_none() {
        return Err(format!(
            "target spec `{spec}` names no server: start it with a URL or kubeconfig=FILE"
        ));
    }
    Ok(args)
}

/// The default `--jobs` of `diff` and `explore`, which compare servers.
fn server_jobs() -> usize {
    default_jobs(false)
}

/// Cases in flight when `--jobs` is not given. Against a server a case mostly
/// waits on the network: four per core. Against the built-in mock every case
/// is this process's own work (runner and mock share the cores): one per core
/// and one more to cover the waits; more only holds more cases in memory at
/// once, at the same wall time (the whole suite's peak RSS at `-j8` on two
/// cores was about 1.4 times that at `-j3`).
pub fn default_jobs(built_in_mock: bool) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if built_in_mock { cores + 1 } else { cores * 4 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_jobs_by_default_where_the_mock_shares_the_cores() {
        assert!(default_jobs(true) < default_jobs(false));
        assert!(default_jobs(true) >= 2);
    }

    #[test]
    fn parses_target_specs() {
        let m = parse_target_spec("mock").unwrap();
        assert_eq!(m.target.as_deref(), Some(MOCK));
        let m = parse_target_spec("mock@1.31").unwrap();
        assert_eq!(m.target.as_deref(), Some("mock@1.31"));
        assert!(
            parse_target_spec("mock@1.29")
                .unwrap_err()
                .contains("1.30 to 1.37")
        );
        assert!(parse_target_spec("mock@x").is_err());
        assert!(parse_target_spec("mocked").is_err());
        let a = parse_target_spec("https://h:6443,token-file=/t,ca-file=/c,insecure").unwrap();
        assert_eq!(a.target.as_deref(), Some("https://h:6443"));
        assert_eq!(a.token_file, Some(PathBuf::from("/t")));
        assert_eq!(a.ca_file, Some(PathBuf::from("/c")));
        assert!(a.insecure_skip_tls_verify);
        let k = parse_target_spec("kubeconfig=/k,context=prod").unwrap();
        assert_eq!(
            (k.kubeconfig, k.context.as_deref()),
            (Some(PathBuf::from("/k")), Some("prod"))
        );
        assert!(parse_target_spec("token-file=/t").is_err());
        let a = parse_target_spec("https://h,token=T0K,header=X-Auth-Token: abc,header=X-B: 1")
            .unwrap();
        assert_eq!(a.token.as_deref(), Some("T0K"));
        assert_eq!(a.header, vec!["X-Auth-Token: abc", "X-B: 1"]);
        assert!(parse_target_spec("https://h,token=").is_err());
        assert!(parse_target_spec("https://h,bogus=1").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
