//! The `podpatch` binary: parses flags, builds the library's options, runs, prints,
//! and maps the outcome to an exit code (0 passed, 1 failed, 2 could not judge).
//!
//! No test logic lives here; this is the edge where errors become messages.

mod cli;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Parser;
use tokio_util::sync::CancellationToken;

use cli::{CleanupArgs, Cli, Command, DiffArgs, RunArgs, SelectArgs, TargetArgs, TargetSpec};
use podpatch::case::{self, Case};
use podpatch::client::{Client, Retry};
use podpatch::report::{Counts, json, junit, terminal};
use podpatch::run::{self, Status};
use podpatch::snapshot;
use podpatch::target::{self, Target};
use podpatch::{differential, fixture, kubeconfig};
use podpatch_mock::MockServer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
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
        Command::Diff(args) => diff(args).await,
        Command::Cleanup(args) => cleanup(args).await,
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
            let server = MockServer::start(args.listen)
                .await
                .with_context(|| format!("failed to listen on {}", args.listen))?;
            eprintln!(
                "podpatch mock API server listening on {} (Ctrl-C to stop)",
                server.base_url()
            );
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
            Err(e) => errors.push(podpatch::client::error_chain(&e)),
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

/// Whether the flags name a real target rather than the built-in mock.
fn names_a_target(args: &TargetArgs) -> bool {
    args.target.is_some() || args.kubeconfig.is_some() || args.context.is_some() || args.in_cluster
}

/// The target from kubeconfig or in-cluster credentials, overridden by explicit flags.
async fn build_target(args: &TargetArgs, mock_url: Option<String>) -> anyhow::Result<Target> {
    let mut t = if args.in_cluster {
        kubeconfig::in_cluster().await?
    } else if args.kubeconfig.is_some() || args.context.is_some() {
        kubeconfig::from_kubeconfig(args.kubeconfig.as_deref(), args.context.as_deref()).await?
    } else {
        Target::default()
    };
    match (args.target.as_deref(), mock_url.as_deref()) {
        (Some(url), _) | (None, Some(url)) => t.base_url = Target::new(url)?.base_url,
        (None, None) => {}
    }
    match (&args.token, &args.token_file) {
        (Some(token), _) => {
            t.token = Some(token.clone());
            t.credential_origins
                .push("bearer token from --token".into());
        }
        (None, Some(path)) => {
            t.token = Some(Target::read_token(path)?);
            t.credential_origins
                .push(format!("bearer token from {}", path.display()));
        }
        (None, None) => {}
    }
    if let Some(path) = &args.ca_file {
        t.ca_pem = Some(Target::read_file("CA bundle", path)?);
        t.ca_origin = Some(path.display().to_string());
    }
    if let (Some(cert), Some(key)) = (&args.client_cert, &args.client_key) {
        let mut pem = Target::read_file("client certificate", cert)?;
        pem.push(b'\n');
        pem.extend(Target::read_file("client key", key)?);
        t.identity_pem = Some(pem);
        t.credential_origins
            .push(format!("client certificate {}", cert.display()));
    }
    if args.insecure_skip_tls_verify {
        eprintln!(
            "warning: --insecure-skip-tls-verify: the target's identity is not checked; credentials may reach an impostor"
        );
        t.insecure_skip_tls_verify = true;
    }
    for h in &args.header {
        t.headers.push(target::parse_header(h)?);
    }
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

/// Opens the target the flags name, or starts the built-in mock when they name none
/// and `mock_allowed`. The mock, if any, is returned so the caller can stop it.
async fn open(
    args: &TargetArgs,
    mock_allowed: bool,
) -> anyhow::Result<(Option<MockServer>, Target)> {
    if names_a_target(args) {
        return Ok((None, build_target(args, None).await?));
    }
    if !mock_allowed {
        bail!("no target: give --target URL, --kubeconfig FILE, --context NAME or --in-cluster");
    }
    let mock = MockServer::start(([127, 0, 0, 1], 0).into())
        .await
        .context("failed to start the built-in mock")?;
    let target = build_target(args, Some(mock.base_url())).await?;
    Ok((Some(mock), target))
}

/// Cancels `token` on Ctrl-C or SIGTERM so runs clean up; a second signal exits.
fn cancel_on_signal(token: &CancellationToken) -> tokio::task::JoinHandle<()> {
    let token = token.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        eprintln!("\nstopping: cleaning up what this run created (press Ctrl-C again to abort)");
        token.cancel();
        shutdown_signal().await;
        std::process::exit(130);
    })
}

fn run_options(jobs: usize, timeout: u64) -> anyhow::Result<run::Options> {
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    Ok(run::Options {
        jobs,
        request_timeout: Duration::from_secs(timeout.max(1)),
        run_timeout: Duration::from_secs(1800),
        snapshots: snapshot::Mode::Off,
        snapshot_dir: PathBuf::from("snapshots"),
        namespace: None,
        keep: false,
        retry: Retry::default(),
    })
}

async fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let cases = load(&args.select)?;
    let full_run =
        args.select.paths.is_empty() && args.select.filter.is_empty() && args.select.tag.is_empty();
    let opts = run::Options {
        run_timeout: Duration::from_secs(args.run_timeout.max(1)),
        snapshots: snapshot_mode(&args),
        snapshot_dir: args.snapshots_dir.clone(),
        namespace: args.namespace.clone(),
        keep: args.keep,
        ..run_options(args.jobs, args.timeout)?
    };
    let (mock, target) = open(&args.target, true).await?;
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let total = cases.len();
    let target_name = match &mock {
        Some(_) => "the built-in mock".to_owned(),
        None => target.base_url.clone(),
    };
    eprintln!(
        "running {total} cases against {target_name} with {} jobs",
        opts.jobs
    );

    let cancel = CancellationToken::new();
    let signals = cancel_on_signal(&cancel);
    let done = AtomicUsize::new(0);
    let result = run::run(cases, &target, &opts, cancel, |o| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
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
    let judged = report
        .outcomes
        .iter()
        .any(|o| matches!(o.status, Status::Passed | Status::Failed));
    let all_skipped = report.outcomes.iter().all(|o| o.status == Status::Skipped);
    Ok(if !judged && !all_skipped {
        ExitCode::from(2)
    } else if counts.failed > 0 || report.interrupted.is_some() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let [a, b] = args.targets.as_slice() else {
        bail!(
            "podpatch diff takes exactly two --target specs, got {}",
            args.targets.len()
        );
    };
    let cases = load(&args.select)?;
    let opts = run_options(args.jobs, args.timeout)?;
    let mut mocks = Vec::new();
    let mut targets = Vec::new();
    for spec in [a, b] {
        let (mock, target) = match cli::parse_target_spec(spec).map_err(anyhow::Error::msg)? {
            TargetSpec::Mock => open(&TargetArgs::default(), true).await?,
            TargetSpec::Flags(flags) => open(&flags, false).await?,
        };
        mocks.extend(mock);
        targets.push(target);
    }
    eprintln!("comparing {} cases: A = {a}, B = {b}", cases.len());
    let cancel = CancellationToken::new();
    let signals = cancel_on_signal(&cancel);
    let quiet = |_: &run::CaseOutcome| {};
    let (ra, rb) = tokio::join!(
        run::run(cases.clone(), &targets[0], &opts, cancel.clone(), quiet),
        run::run(cases, &targets[1], &opts, cancel, quiet),
    );
    signals.abort();
    for m in mocks {
        m.shutdown().await;
    }
    let (ra, rb) = (ra.context("target A")?, rb.context("target B")?);
    let compared = differential::compare(&ra, &rb, &format!("A: {a}"), &format!("B: {b}"));
    write_report("JSON", args.json.as_ref(), |p| {
        std::fs::write(
            p,
            serde_json::to_vec_pretty(&compared).map_err(std::io::Error::other)?,
        )
    })?;
    println!("{}", differential::render(&compared));
    let all_same = compared
        .iter()
        .all(|c| c.diff == differential::CaseDiff::Same);
    Ok(if all_same {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

async fn cleanup(args: CleanupArgs) -> anyhow::Result<ExitCode> {
    let (_, target) = open(&args.target, false).await?;
    let client = Client::new(&target, Duration::from_secs(30), Retry::default())?;
    let cutoff = jiff::Timestamp::now()
        - jiff::SignedDuration::try_from(args.older_than.unwrap_or_default())?;
    let removed = fixture::cleanup(&client, cutoff, args.dry_run).await?;
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removed"
    };
    for l in &removed {
        let ns = l
            .namespace
            .as_deref()
            .map(|n| format!("{n}/"))
            .unwrap_or_default();
        println!("{verb} {} {ns}{} (run {})", l.resource, l.name, l.run);
    }
    println!("{verb} {} objects", removed.len());
    Ok(ExitCode::SUCCESS)
}

fn write_report(
    kind: &str,
    path: Option<&PathBuf>,
    write: impl FnOnce(&std::path::Path) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if let Some(p) = path {
        write(p)
            .with_context(|| format!("failed to write the {kind} report to {}", p.display()))?;
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
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
