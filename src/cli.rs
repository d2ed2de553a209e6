//! Command-line types (clap). They only describe flags; `main` turns them into the
//! library's option structs.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Exit codes, shown in `--help` and documented in the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  every selected case passed
  1  at least one case failed (did not conform, or could not be judged)
  2  nothing could be judged: bad case file, bad flag, unreachable target";

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
    Run(RunArgs),
    /// List cases with their tags.
    List(SelectArgs),
    /// Validate case files without sending anything.
    #[command(after_help = EXIT_CODES)]
    Check(SelectArgs),
    /// Serve the built-in mock Kubernetes API server.
    Mock(MockArgs),
}

/// Which cases to use.
#[derive(Debug, Args)]
pub struct SelectArgs {
    /// Case files or folders [default: the cases folder].
    pub paths: Vec<PathBuf>,
    /// The shipped cases folder: case ids are relative to it, fixtures fall back to it.
    #[arg(long, value_name = "DIR", default_value = "cases")]
    pub cases_dir: PathBuf,
    /// Keep cases whose id contains TEXT (repeatable: any of them).
    #[arg(long, value_name = "TEXT")]
    pub filter: Vec<String>,
    /// Keep cases with this tag (repeatable: any of them).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
}

/// Where requests go and how they authenticate.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Base URL of the API server [default: an embedded mock].
    #[arg(long, env = "PODPATCH_TARGET", value_name = "URL")]
    pub target: Option<String>,
    /// Bearer token (prefer --token-file: command lines are visible to other users).
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_file", hide_env_values = true)]
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
    /// Cases in flight at once.
    #[arg(long, short, value_name = "N", default_value_t = default_jobs())]
    pub jobs: usize,
    /// Timeout of each HTTP request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Timeout of the whole run, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 1800)]
    pub run_timeout: u64,
    /// Accept the observed results as the new snapshots.
    #[arg(long, conflicts_with = "no_snapshots")]
    pub update_snapshots: bool,
    /// Check expectations only, not snapshots (for ad-hoc case folders).
    #[arg(long)]
    pub no_snapshots: bool,
    /// The snapshots folder.
    #[arg(long, value_name = "DIR", default_value = "snapshots")]
    pub snapshots_dir: PathBuf,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a JSON report.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Keep the pods and namespace the run created, for debugging.
    #[arg(long)]
    pub keep: bool,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8001")]
    pub listen: SocketAddr,
}

/// Many cases wait on the network, so more jobs than cores pays off.
fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(4, |n| n.get() * 4)
}
