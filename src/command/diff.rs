//! `podpatch diff`: the selected cases against two targets, compared case by case.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_util::sync::CancellationToken;

use super::CommandError;
use super::cases::load;
use super::output::write_report;
use super::pair::{open_pair, two_specs};
use super::signal::cancel_on_signal;
use crate::cli::DiffArgs;
use crate::differential;
use crate::exit::Exit;
use crate::flags;
use crate::run;

/// Runs both targets and prints how they differ; exit 1 when any case differs.
pub async fn diff(args: DiffArgs) -> Result<Exit, CommandError> {
    let (a, b) = two_specs("diff", &args.targets)?;
    let (_suite, cases) = load(&args.select, None)?;
    let opts = run::Options {
        run_timeout: std::time::Duration::from_secs(args.run_timeout.max(1)),
        namespace: args.namespace.clone(),
        stop_after_no_answer: args.stop_after_no_answer,
        ..flags::base_options(args.jobs, args.timeout)?
    };
    let opened = open_pair(a, b).await?;
    let total = cases.len();
    crate::tell!("comparing {total} cases: A = {a}, B = {b}");
    let cancel = CancellationToken::new();
    let signals = cancel_on_signal(&cancel);
    let (done_a, done_b) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let (ra, rb) = tokio::join!(
        run::run(
            cases.clone(),
            &opened[0].target,
            &opts,
            cancel.clone(),
            |p| progress("A", &done_a, p, total)
        ),
        run::run(cases, &opened[1].target, &opts, cancel, |p| {
            progress("B", &done_b, p, total)
        }),
    );
    signals.abort();
    for o in opened {
        o.close().await;
    }
    let side = |side, e: run::RunError| CommandError::Side {
        side,
        source: Box::new(e.into()),
    };
    let (ra, rb) = (ra.map_err(|e| side("A", e))?, rb.map_err(|e| side("B", e))?);
    let (label_a, label_b) = (format!("A: {a}"), format!("B: {b}"));
    let compared = differential::compare(&ra, &rb, &label_a, &label_b);
    write_report("JSON", args.json.as_ref(), || {
        let doc = serde_json::json!({
            "podpatch": env!("CARGO_PKG_VERSION"),
            "a": {"target": ra.target, "version": ra.version, "setup_error": ra.setup_error},
            "b": {"target": rb.target, "version": rb.version, "setup_error": rb.setup_error},
            "groups": differential::groups(&compared),
            "cases": compared,
        });
        serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)
    })?;
    write_report("JUnit", args.junit.as_ref(), || {
        differential::junit(&compared, &label_a, &label_b)
            .to_string()
            .map_err(std::io::Error::other)
    })?;
    for (side, r) in [("A", &ra), ("B", &rb)] {
        if let Some(e) = &r.setup_error {
            return Err(CommandError::SetupRefused(format!("target {side}: {e}")));
        }
    }
    crate::say!("{}", differential::render(&compared, args.verbose));
    Ok(Exit::of_diff(&compared))
}

/// The progress of one side of `diff`, prefixed with its side: what it judges on
/// that target, and a line per case.
fn progress(side: &str, done: &AtomicUsize, p: run::Progress, total: usize) {
    match p {
        run::Progress::Scope(note) => crate::tell!("{side} note: {note}"),
        run::Progress::Done(o) => {
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            crate::tell!("{side} {}", crate::report::terminal::case_line(o, n, total));
        }
    }
}
