//! `podpatch diff`: the selected cases against two targets, compared case by case.

use tokio_util::sync::CancellationToken;

use super::CommandError;
use super::cases::load;
use super::output::write_report;
use super::signal::cancel_on_signal;
use crate::cli::{self, DiffArgs};
use crate::differential;
use crate::exit::Exit;
use crate::flags;
use crate::resolve::{self, Opened};
use crate::run;

/// Runs both targets and prints how they differ; exit 1 when any case differs.
pub async fn diff(args: DiffArgs) -> Result<Exit, CommandError> {
    let [a, b] = args.targets.as_slice() else {
        return Err(CommandError::Usage(format!(
            "podpatch diff takes exactly two --target specs, got {}",
            args.targets.len()
        )));
    };
    let (_suite, cases) = load(&args.select, None)?;
    let opts = flags::base_options(args.jobs, args.timeout)?;
    let mut opened: Vec<Opened> = Vec::new();
    for spec in [a, b] {
        let flags = cli::parse_target_spec(spec).map_err(CommandError::Usage)?;
        match resolve::open(&flags, false).await {
            Ok(o) => opened.push(o),
            Err(e) => {
                for o in opened {
                    o.close().await;
                }
                return Err(e.into());
            }
        }
    }
    for w in opened.iter().flat_map(|o| &o.warnings) {
        crate::tell!("warning: {w}");
    }
    crate::tell!("comparing {} cases: A = {a}, B = {b}", cases.len());
    let cancel = CancellationToken::new();
    let signals = cancel_on_signal(&cancel);
    let quiet = |_: &run::CaseOutcome| {};
    let (ra, rb) = tokio::join!(
        run::run(
            cases.clone(),
            &opened[0].target,
            &opts,
            cancel.clone(),
            quiet
        ),
        run::run(cases, &opened[1].target, &opts, cancel, quiet),
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
    let compared = differential::compare(&ra, &rb, &format!("A: {a}"), &format!("B: {b}"));
    write_report("JSON", args.json.as_ref(), || {
        serde_json::to_string_pretty(&compared).map_err(std::io::Error::other)
    })?;
    crate::say!("{}", differential::render(&compared));
    Ok(Exit::of_diff(&compared))
}
