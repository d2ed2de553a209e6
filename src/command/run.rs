//! `podpatch run`: the selected cases against one target, a progress line per case,
//! the report files asked for, and the terminal report at the end.

use tokio_util::sync::CancellationToken;

use super::CommandError;
use super::cases::{locate, selection};
use super::output::{same_file, write_pieces, write_report};
use super::signal::cancel_on_signal;
use crate::cli::RunArgs;
use crate::client::Client;
use crate::exit::Exit;
use crate::expected;
use crate::flags;
use crate::report::{json, junit, markdown, terminal};
use crate::resolve;
use crate::run;
use crate::select::Lazy;
use crate::snapshot;
use crate::suite::Origin;
use crate::target::Target;

/// Runs the selected cases and reports; the exit status follows `Exit::of_run`.
pub async fn run(args: RunArgs) -> Result<Exit, CommandError> {
    if let (Some(junit), Some(json)) = (&args.junit, &args.json)
        && same_file(junit, json)
    {
        return Err(CommandError::Usage(format!(
            "--junit and --json name the same file {}: one report would overwrite the other",
            json.display()
        )));
    }
    // Every case file is checked before anything is sent, but only where the
    // selected cases are is kept: each file is loaded again when its turn comes.
    let (suite, located) = locate(&args.select, args.snapshots_dir.as_deref())?;
    let known_gaps = args
        .expected_failures
        .as_deref()
        .map(expected::load)
        .transpose()?;
    let ci = flags::is_ci(std::env::var("CI").ok().as_deref());
    let mock = resolve::opens_mock(&args.target, true);
    let mut opts = flags::run_options(&args, &suite, ci, mock)?;
    let opened = resolve::open(&args.target, true).await?;
    // The built-in mock is upstream: nothing for a preflight to find.
    opts.preflight &= opened.mock.is_none();
    if opts.snapshots == snapshot::Mode::Update
        && args.snapshots_dir.is_none()
        && let Err(e) = refuse_foreign_baseline(&opened.target, &opts).await
    {
        opened.close().await;
        return Err(e);
    }
    for w in &opened.warnings {
        crate::tell!("warning: {w}");
    }
    let ids: Vec<String> = located.iter().flat_map(|l| l.cases.clone()).collect();
    let total = ids.len();
    let from = match suite.cases {
        Origin::Disk => String::new(),
        Origin::BuiltIn => " of the built-in suite".to_owned(),
    };
    crate::tell!(
        "running {total} cases{from} against {} with {} jobs",
        opened.name(),
        opts.jobs
    );
    if suite.snapshots == Origin::BuiltIn && opts.snapshots != snapshot::Mode::Off {
        crate::tell!(
            "snapshots: the built-in ones, read-only (differences are shown, not written; `podpatch cases export DIR` writes the suite out to review them)"
        );
    }

    let cancel = CancellationToken::new();
    let signals = cancel_on_signal(&cancel);
    let mut done = 0;
    // Passing cases are written out as they finish; the run keeps their verdicts.
    let mut spool = match opts.passing {
        run::Passing::Streamed => {
            Some(json::Spool::new().map_err(|source| json_error(&args, source))?)
        }
        _ => None,
    };
    let mut spool_error = None;
    let cases = Lazy::new(located, &suite.cases_dir);
    let result = run::run(cases, &opened.target, &opts, cancel, |p| match p {
        run::Progress::Scope(note) => crate::tell!("note: {note}"),
        run::Progress::Done(o) => {
            done += 1;
            crate::tell!("{}", terminal::case_line(o, done, total));
            if let Some(s) = &mut spool
                && let Err(e) = s.push(o)
            {
                spool_error.get_or_insert(e);
            }
        }
    })
    .await;
    signals.abort();
    opened.close().await;
    let mut report = result?;
    if let Some(file) = &known_gaps {
        expected::apply(&mut report, file, jiff::Zoned::now().date());
    }
    if selection(&args.select).is_everything() && opts.snapshots != snapshot::Mode::Off {
        report.unreferenced_snapshots = snapshot::unreferenced(&opts.snapshot_dir, &ids);
    }
    if let Some(e) = &report.setup_error {
        // Nothing ran: the reason is the whole story, not one failure per case.
        // The reports are still written, for CI.
        let written = write_reports(&args, &report, None);
        if let Err(w) = written {
            crate::tell!("error: {:#}", anyhow::Error::new(w));
        }
        return Err(CommandError::SetupRefused(e.clone()));
    }
    // The results are printed first: a report that cannot be written must not
    // hide them.
    crate::say!("{}", terminal::footer(&report, args.verbose));
    let spooled = match spool_error {
        Some(e) => Err(json_error(&args, e)),
        None => Ok(spool.as_mut()),
    };
    if let Err(e) = spooled.and_then(|spool| write_reports(&args, &report, spool)) {
        crate::tell!("error: {:#}", anyhow::Error::new(e));
        return Ok(Exit::ReportUnwritten);
    }
    Ok(Exit::of_run(&report))
}

/// Writes the JUnit, JSON and Markdown reports that were asked for, each through
/// the redactor; the JSON report takes the run's passing cases from `spool`.
fn write_reports(
    args: &RunArgs,
    report: &run::RunReport,
    spool: Option<&mut json::Spool>,
) -> Result<(), CommandError> {
    write_report("JUnit", args.junit.as_ref(), || {
        junit::render(report).map_err(std::io::Error::other)
    })?;
    write_pieces("JSON", args.json.as_ref(), |out| {
        json::write(report, spool, out)
    })?;
    write_report("Markdown", args.markdown.as_ref(), || {
        Ok(markdown::summary(report))
    })
}

/// The JSON report could not be spooled or written.
fn json_error(args: &RunArgs, source: std::io::Error) -> CommandError {
    CommandError::Report {
        kind: "JSON",
        path: args.json.clone().unwrap_or_default(),
        source,
    }
}

/// `--update-snapshots` into the suite's own folder only from a kube-apiserver: its
/// snapshots are the upstream baseline, which another target's answers must not
/// overwrite (`--snapshots-dir` records a target's own baseline elsewhere).
async fn refuse_foreign_baseline(target: &Target, opts: &run::Options) -> Result<(), CommandError> {
    let client = Client::new(target, opts.request_timeout, opts.retry)?;
    let version = client.get("/version").await.ok().and_then(|a| a.json());
    if version
        .as_ref()
        .is_some_and(crate::version::is_kube_apiserver)
    {
        return Ok(());
    }
    Err(CommandError::ForeignBaseline {
        dir: opts.snapshot_dir.display().to_string(),
        target: target.base_url.clone(),
        said: version.map_or("no JSON".to_owned(), |v| {
            crate::reason::from_body(&v.to_string())
        }),
    })
}
