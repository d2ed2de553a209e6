//! `podpatch run`: the selected cases against one target, a progress line per case,
//! the report files asked for, and the terminal report at the end.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_util::sync::CancellationToken;

use super::CommandError;
use super::cases::{load, selection};
use super::output::{same_file, write_report};
use super::signal::cancel_on_signal;
use crate::cli::RunArgs;
use crate::exit::Exit;
use crate::flags;
use crate::report::{json, junit, terminal};
use crate::resolve;
use crate::run;
use crate::snapshot;
use crate::suite::Origin;

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
    let (suite, cases) = load(&args.select, args.snapshots_dir.as_deref())?;
    let ci = flags::is_ci(std::env::var("CI").ok().as_deref());
    let opts = flags::run_options(&args, &suite, ci)?;
    let opened = resolve::open(&args.target, true).await?;
    for w in &opened.warnings {
        crate::tell!("warning: {w}");
    }
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let total = cases.len();
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
    let done = AtomicUsize::new(0);
    let result = run::run(cases, &opened.target, &opts, cancel, |o| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        crate::tell!("{}", terminal::case_line(o, n, total));
    })
    .await;
    signals.abort();
    opened.close().await;
    let mut report = result?;
    if selection(&args.select).is_everything() && opts.snapshots != snapshot::Mode::Off {
        report.unreferenced_snapshots = snapshot::unreferenced(&opts.snapshot_dir, &ids);
    }
    // The results are printed first: a report that cannot be written must not
    // hide them.
    crate::say!("{}", terminal::footer(&report));
    let written = write_report("JUnit", args.junit.as_ref(), || {
        junit::render(&report).map_err(std::io::Error::other)
    })
    .and_then(|()| write_report("JSON", args.json.as_ref(), || Ok(json::render(&report))));
    if let Err(e) = written {
        crate::tell!("error: {:#}", anyhow::Error::new(e));
        return Ok(Exit::ReportUnwritten);
    }
    Ok(Exit::of_run(&report))
}
