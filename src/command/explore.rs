//! `podpatch explore`: generated differential testing between two targets.
//! Cases drawn from [`crate::explore::grammar`] (steered by coverage) run on
//! both targets in batches; each difference is run again to set aside
//! those that come and go (timing, Go map order); each stable difference
//! with a new signature is shrunk to a small case and, with `--out`,
//! written as a case file. Both targets are cleaned up as a run cleans up.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::Value;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::CommandError;
use super::pair::{open_pair, two_specs};
use super::signal::cancel_on_signal;
use crate::case::{Case, CaseFile};
use crate::cli::ExploreArgs;
use crate::exit::Exit;
use crate::explore::coverage::Coverage;
use crate::explore::family::Family;
use crate::explore::finding::{Signature, case_file};
use crate::explore::generate::generate;
use crate::explore::shrink::smaller;
use crate::flags;
use crate::resolve::Opened;
use crate::run::{self, RunReport};

/// A stable difference, shrunk.
struct Finding {
    family: Family,
    patch_type: &'static str,
    /// The shrunk case file.
    file: Value,
    /// B's observation of the shrunk case.
    reference: Value,
    /// How many generated cases showed it.
    seen: usize,
}

/// One generated case as the runner takes it, with what it aims at.
struct Drawn {
    family: Family,
    patch_type: &'static str,
    file: Value,
}

/// Runs of a difference's case, beyond the rechecks, on which the reference
/// must answer as it first did. An answer in Go's random map order (of two
/// bad labels, either cause may come first) passes two rechecks one time in
/// four by chance; with these runs too, one time in 256.
const REFERENCE_REPEATS: usize = 6;

/// The two opened targets and how cases run on them.
struct Pair {
    opened: [Opened; 2],
    opts: run::Options,
    deadline: Instant,
    cancel: CancellationToken,
}

impl Pair {
    fn out_of_time(&self) -> bool {
        Instant::now() >= self.deadline || self.cancel.is_cancelled()
    }

    /// Runs `files` (ids `prefix-0`, `prefix-1`, …) on both targets; per
    /// file, both normalised observations when both sides observed one.
    async fn observe(
        &self,
        prefix: &str,
        files: &[&Value],
    ) -> Result<Vec<Option<(Value, Value)>>, CommandError> {
        let cases: Vec<Case> = files
            .iter()
            .enumerate()
            .filter_map(|(i, f)| as_case(format!("{prefix}-{i}"), f))
            .collect();
        let left = self.deadline.saturating_duration_since(Instant::now());
        let opts = run::Options {
            run_timeout: left.max(Duration::from_secs(1)),
            ..self.opts.clone()
        };
        let (ra, rb) = tokio::join!(
            run::run(
                cases.clone(),
                &self.opened[0].target,
                &opts,
                self.cancel.clone(),
                |_| {}
            ),
            run::run(
                cases,
                &self.opened[1].target,
                &opts,
                self.cancel.clone(),
                |_| {}
            ),
        );
        let side = |side, e: run::RunError| CommandError::Side {
            side,
            source: Box::new(e.into()),
        };
        let (ra, rb) = (ra.map_err(|e| side("A", e))?, rb.map_err(|e| side("B", e))?);
        for (side, r) in [("A", &ra), ("B", &rb)] {
            if let Some(e) = &r.setup_error {
                return Err(CommandError::SetupRefused(format!("target {side}: {e}")));
            }
        }
        Ok((0..files.len())
            .map(|i| {
                let id = format!("{prefix}-{i}");
                Some((observed(&ra, &id)?, observed(&rb, &id)?))
            })
            .collect())
    }

    /// Whether `file` shows the difference `want` on `rounds` more runs, B
    /// answering exactly as it did (`reference`) on each of them and on
    /// [`REFERENCE_REPEATS`] runs more: a reference whose answer depends on
    /// Go's random map order (two bad labels' causes) is not a difference of
    /// A's, and its case could not be written with B's answer.
    async fn stable(
        &self,
        file: &Value,
        want: &Signature,
        reference: &Value,
        rounds: usize,
    ) -> Result<bool, CommandError> {
        for round in 0..rounds {
            let seen = self
                .observe(&format!("explore/recheck-{round}"), &[file])
                .await?;
            let same = seen[0]
                .as_ref()
                .is_some_and(|(a, b)| b == reference && Signature::of(a, b).as_ref() == Some(want));
            if !same {
                return Ok(false);
            }
        }
        let copies = vec![file; REFERENCE_REPEATS];
        let seen = self.observe("explore/reference", &copies).await?;
        Ok(seen
            .iter()
            .all(|s| s.as_ref().is_some_and(|(_, b)| b == reference)))
    }

    /// Shrinks `file` while it still shows `want`; returns the smallest
    /// case file found and B's observation of it.
    async fn shrink(
        &self,
        file: Value,
        reference: Value,
        want: &Signature,
        chunk: usize,
    ) -> Result<(Value, Value), CommandError> {
        let (mut best, mut best_b) = (file, reference);
        'rounds: while !self.out_of_time() {
            let candidates = smaller(&best);
            for (n, group) in candidates.chunks(chunk.max(1)).enumerate() {
                if self.out_of_time() {
                    break 'rounds;
                }
                let files: Vec<&Value> = group.iter().collect();
                let seen = self.observe(&format!("explore/shrink-{n}"), &files).await?;
                let kept = seen.iter().zip(group).find_map(|(s, f)| {
                    let (a, b) = s.as_ref()?;
                    (Signature::of(a, b).as_ref() == Some(want)).then(|| (f.clone(), b.clone()))
                });
                if let Some((f, b)) = kept {
                    (best, best_b) = (f, b);
                    continue 'rounds;
                }
            }
            break;
        }
        Ok((best, best_b))
    }
}

/// A generated case file as a runnable case.
fn as_case(id: String, file: &Value) -> Option<Case> {
    let parsed: CaseFile = serde_json::from_value(file.clone()).ok()?;
    // A generated file is a single request: one case, one step.
    let (variant, steps) = parsed.expand().ok()?.into_iter().next()?;
    Some(Case {
        path: PathBuf::from(format!("{id}.yaml")),
        id,
        file: parsed,
        pod: file.pointer("/given/pod").cloned().map(std::sync::Arc::new),
        variant,
        steps,
    })
}

fn observed(report: &RunReport, id: &str) -> Option<Value> {
    report
        .outcomes
        .iter()
        .find(|o| o.id == id)?
        .normalized
        .clone()
}

/// Explores; exit 1 when a stable difference was found.
pub async fn explore(args: ExploreArgs) -> Result<Exit, CommandError> {
    let (a, b) = two_specs("explore", &args.targets)?;
    if args.budget == 0 {
        return Err(CommandError::Usage("--budget must be at least 1".into()));
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let opts = flags::base_options(args.jobs, args.timeout)?;
    let opened = open_pair(a, b).await?;
    let cancel = CancellationToken::new();
    let signals = cancel_on_signal(&cancel);
    let pair = Pair {
        opened,
        opts,
        deadline: Instant::now() + Duration::from_secs(args.time.max(1)),
        cancel,
    };
    crate::tell!(
        "exploring with --seed {seed}: A = {a}, B = {b} (the reference); at most {} cases in {} s",
        args.budget,
        args.time
    );
    let result = explore_with(&pair, &args, seed).await;
    signals.abort();
    let [first, second] = pair.opened;
    first.close().await;
    second.close().await;
    result
}

async fn explore_with(pair: &Pair, args: &ExploreArgs, seed: u64) -> Result<Exit, CommandError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut coverage = Coverage::default();
    let mut findings: BTreeMap<Signature, Finding> = BTreeMap::new();
    let (mut generated, mut differing, mut flaky, mut unanswered) =
        (0usize, 0usize, 0usize, 0usize);
    while generated < args.budget && !pair.out_of_time() {
        let n = args.batch.max(1).min(args.budget - generated);
        let drawn: Vec<Drawn> = (0..n)
            .map(|_| {
                let (family, patch_type) = coverage.steer(&mut rng);
                let g = generate(&mut rng, family, patch_type);
                Drawn {
                    family,
                    patch_type: g.patch_type,
                    file: g.file,
                }
            })
            .collect();
        let files: Vec<&Value> = drawn.iter().map(|d| &d.file).collect();
        let seen = pair
            .observe(&format!("explore/{seed}-{generated}"), &files)
            .await?;
        generated += n;
        for (d, s) in drawn.into_iter().zip(seen) {
            let Some((obs_a, obs_b)) = s else {
                unanswered += 1;
                coverage.record(d.family, d.patch_type, None, false);
                continue;
            };
            let sig = Signature::of(&obs_a, &obs_b);
            let status = obs_b
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok());
            coverage.record(d.family, d.patch_type, status, sig.is_some());
            let Some(sig) = sig else { continue };
            differing += 1;
            if let Some(f) = findings.get_mut(&sig) {
                f.seen += 1;
                continue;
            }
            if !pair.stable(&d.file, &sig, &obs_b, args.rechecks).await? {
                flaky += 1;
                continue;
            }
            let (file, reference) = pair.shrink(d.file, obs_b, &sig, args.batch).await?;
            crate::tell!(
                "found: {} ({} {})",
                sig.describe(),
                d.family.name(),
                d.patch_type
            );
            findings.insert(
                sig,
                Finding {
                    family: d.family,
                    patch_type: d.patch_type,
                    file,
                    reference,
                    seen: 1,
                },
            );
        }
        crate::tell!(
            "[{generated}/{}] {differing} differing, {} distinct stable differences, {flaky} set aside as unstable",
            args.budget,
            findings.len()
        );
    }
    report(args, seed, &findings)?;
    crate::say!("{}", coverage.render());
    crate::say!(
        "{generated} cases generated (seed {seed}): {differing} differed, {} distinct stable differences, {flaky} unstable, {unanswered} without an answer on a side",
        findings.len()
    );
    Ok(if findings.is_empty() {
        Exit::Success
    } else {
        Exit::Failure
    })
}

/// Prints each finding and, with `--out`, writes its case file.
fn report(
    args: &ExploreArgs,
    seed: u64,
    findings: &BTreeMap<Signature, Finding>,
) -> Result<(), CommandError> {
    let found_by = format!("`podpatch explore --seed {seed}`");
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|source| CommandError::Report {
            kind: "findings folder",
            path: dir.clone(),
            source,
        })?;
    }
    for (n, (sig, f)) in findings.iter().enumerate() {
        let text = case_file(&f.file, sig, &f.reference, &found_by);
        crate::say!(
            "difference {} (seen in {} generated cases): {}",
            n + 1,
            f.seen,
            sig.describe()
        );
        match &args.out {
            Some(dir) => {
                let path = dir.join(format!(
                    "{}-{}-{seed}-{}.yaml",
                    f.family.name(),
                    f.patch_type,
                    n + 1
                ));
                std::fs::write(&path, &text).map_err(|source| CommandError::Report {
                    kind: "case file",
                    path: path.clone(),
                    source,
                })?;
                crate::say!("  written to {}", path.display());
            }
            None => crate::say!("{text}"),
        }
    }
    Ok(())
}
