//! The `podpatch` binary: parses flags, builds the library's options, runs, prints,
//! and maps the outcome to an exit code (0 passed, 1 failed, 2 could not judge).
//!
//! No test logic lives here; this is the edge where errors become messages.

mod cli;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;
use tokio_util::sync::CancellationToken;

use cli::{Cli, Command, RunArgs, SelectArgs, TargetArgs};
use podpatch::case::{self, Case};
use podpatch::report::{Counts, json, junit, terminal};
use podpatch::run::{self, Status};
use podpatch::snapshot;
use podpatch::target::{self, Target};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Run(args) => run(args).await,
        Command::List(select) => {
            let cases = load(&select)?;
            let mut out = std::io::stdout().lock();
            for c in &cases {
                let first = c.file.description.lines().next().unwrap_or_default();
                writeln!(out, "{}\t[{}]\t{first}", c.id, c.file.tags.join(", "))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(select) => {
            let cases = load(&select)?;
            println!("{} case files are valid", cases.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Mock(args) => {
            let server = podpatch::mock::MockServer::start(args.listen)
                .await
                .with_context(|| format!("failed to listen on {}", args.listen))?;
            eprintln!("podpatch mock API server listening on {} (Ctrl-C to stop)", server.base_url());
            shutdown_signal().await;
            server.shutdown().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads the selected cases; every bad file is reported, then the command fails.
fn load(select: &SelectArgs) -> anyhow::Result<Vec<Case>> {
    let paths = if select.paths.is_empty() {
        vec![select.cases_dir.clone()]
    } else {
        select.paths.clone()
    };
    let found = case::discover(&paths, &select.cases_dir)?;
    let mut cases = Vec::new();
    let mut errors = Vec::new();
    for f in found {
        match case::load(&f.path, f.id, &select.cases_dir) {
            Ok(c) => cases.push(c),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            eprintln!("error: {e}");
        }
        bail!("{} case file(s) could not be loaded", errors.len());
    }
    cases.retain(|c| {
        (select.filter.is_empty() || select.filter.iter().any(|f| c.id.contains(f.as_str())))
            && (select.tag.is_empty() || select.tag.iter().any(|t| c.file.tags.contains(t)))
    });
    if cases.is_empty() {
        bail!("no case matches the selection");
    }
    Ok(cases)
}

fn build_target(args: &TargetArgs, url: &str) -> anyhow::Result<Target> {
    let mut t = Target::new(url)?;
    t.token = match (&args.token, &args.token_file) {
        (Some(token), _) => Some(token.clone()),
        (None, Some(path)) => Some(Target::read_token(path)?),
        (None, None) => None,
    };
    if let Some(path) = &args.ca_file {
        t.ca_pem = Some(Target::read_file("CA bundle", path)?);
        t.ca_origin = Some(path.display().to_string());
    }
    if let (Some(cert), Some(key)) = (&args.client_cert, &args.client_key) {
        let mut pem = Target::read_file("client certificate", cert)?;
        pem.push(b'\n');
        pem.extend(Target::read_file("client key", key)?);
        t.identity_pem = Some(pem);
    }
    if args.insecure_skip_tls_verify {
        eprintln!("warning: --insecure-skip-tls-verify: the target's identity is not checked; credentials may reach an impostor");
        t.insecure_skip_tls_verify = true;
    }
    t.headers = args
        .header
        .iter()
        .map(|h| target::parse_header(h))
        .collect::<Result<_, _>>()?;
    Ok(t)
}

/// Snapshots are never written on CI (`CI` set, as insta reads it).
fn snapshot_mode(args: &RunArgs) -> snapshot::Mode {
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    match (args.no_snapshots, args.update_snapshots, ci) {
        (true, _, _) => snapshot::Mode::Off,
        (_, true, _) => snapshot::Mode::Update,
        (_, _, true) => snapshot::Mode::Check,
        _ => snapshot::Mode::Review,
    }
}

async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let cases = load(&args.select)?;
    let full_run =
        args.select.paths.is_empty() && args.select.filter.is_empty() && args.select.tag.is_empty();
    if args.jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let mock = match &args.target.target {
        Some(_) => None,
        None => Some(
            podpatch::mock::MockServer::start(([127, 0, 0, 1], 0).into())
                .await
                .context("failed to start the built-in mock")?,
        ),
    };
    let url = match (&args.target.target, &mock) {
        (Some(url), _) => url.clone(),
        (None, Some(m)) => m.base_url(),
        (None, None) => unreachable!("a mock is started when no target is given"),
    };
    let target = build_target(&args.target, &url)?;
    let opts = run::Options {
        jobs: args.jobs,
        request_timeout: Duration::from_secs(args.timeout.max(1)),
        run_timeout: Duration::from_secs(args.run_timeout.max(1)),
        snapshots: snapshot_mode(&args),
        snapshot_dir: args.snapshots_dir.clone(),
        namespace: args.namespace.clone(),
        keep: args.keep,
    };
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let total = cases.len();
    let target_name = if mock.is_some() { "the built-in mock".to_owned() } else { target.base_url.clone() };
    eprintln!("running {total} cases against {target_name} with {} jobs", opts.jobs);

    let cancel = CancellationToken::new();
    let signals = tokio::spawn({
        let cancel = cancel.clone();
        async move {
            shutdown_signal().await;
            eprintln!("\nstopping: cleaning up what this run created (press Ctrl-C again to abort)");
            cancel.cancel();
            shutdown_signal().await;
            std::process::exit(130);
        }
    });
    let done = std::sync::atomic::AtomicUsize::new(0);
    let result = run::run(cases, &target, &opts, cancel.clone(), |o| {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        eprintln!("{}", terminal::case_line(o, n, total));
    })
    .await;
    signals.abort();
    if let Some(m) = mock {
        m.shutdown().await;
    }
    let mut report = result?;
    if full_run && opts.snapshots != snapshot::Mode::Off {
        report.unreferenced_snapshots = snapshot::unreferenced(&opts.snapshot_dir, &ids);
    }
    write_report("JUnit", args.junit.as_ref(), |p| junit::write(&report, p))?;
    write_report("JSON", args.json.as_ref(), |p| json::write(&report, p))?;
    println!("{}", terminal::footer(&report));

    let counts = Counts::of(&report);
    let judged = report.outcomes.iter().any(|o| o.status != Status::Errored);
    Ok(if !judged {
        ExitCode::from(2)
    } else if counts.failed > 0 || report.interrupted.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_report(
    kind: &str,
    path: Option<&PathBuf>,
    write: impl FnOnce(&std::path::Path) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if let Some(p) = path {
        write(p).with_context(|| format!("failed to write the {kind} report to {}", p.display()))?;
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
