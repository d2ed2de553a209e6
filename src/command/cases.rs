//! The commands about case files themselves: `list`, `check`, `cases export` and
//! `cases changes`. They read (or write out) the suite and send nothing.

use std::io::Write;
use std::path::Path;

use super::CommandError;
use crate::case::Case;
use crate::changelog;
use crate::cli::{ChangesArgs, ExportArgs, SelectArgs};
use crate::exit::Exit;
use crate::select::{Located, Selection};
use crate::suite::{self, Suite};
use crate::version::KubeVersion;

/// The selection the flags describe.
pub fn selection(select: &SelectArgs) -> Selection<'_> {
    Selection {
        paths: &select.paths,
        filter: &select.filter,
        tag: &select.tag,
        exclude_tag: &select.exclude_tag,
        patch_type: &select.patch_type,
    }
}

/// Finds the suite (see `suite`) and loads the selected cases from it.
pub fn load(
    select: &SelectArgs,
    snapshots_dir: Option<&Path>,
) -> Result<(Suite, Vec<Case>), CommandError> {
    let suite = Suite::locate(select.cases_dir.as_deref(), snapshots_dir, Path::new(""))?;
    let cases = selection(select).load(&suite.cases_dir)?;
    Ok((suite, cases))
}

/// The most case text a run keeps loaded from its check rather than reading and
/// parsing it again when its turn comes: a selection of about a hundred cases
/// (70 KiB for the 96 of `bench/side-by-side`) is parsed once, while a larger run
/// keeps none (held from the start, they raised the whole suite's peak RSS by
/// 7 MB).
const KEPT_LOADED: u64 = 128 * 1024;

/// Finds the suite and checks every selected case file, keeping where they are
/// and, for a small selection, the loaded cases (see `Selection::locate`).
pub fn locate(
    select: &SelectArgs,
    snapshots_dir: Option<&Path>,
) -> Result<(Suite, Vec<Located>), CommandError> {
    let suite = Suite::locate(select.cases_dir.as_deref(), snapshots_dir, Path::new(""))?;
    let found = selection(select).locate(&suite.cases_dir, KEPT_LOADED)?;
    Ok((suite, found))
}

/// `podpatch list`: one line per case, `id [tags] first line of the description`.
pub fn list(select: &SelectArgs) -> Result<Exit, CommandError> {
    let (_suite, cases) = load(select, None)?;
    let mut out = std::io::stdout().lock();
    for c in &cases {
        let first = c.file.description.lines().next().unwrap_or_default();
        writeln!(out, "{}\t[{}]\t{first}", c.id, c.file.tags.join(", "))
            .map_err(CommandError::Stdout)?;
    }
    Ok(Exit::Success)
}

/// `podpatch check`: validates the selected case files without sending anything.
pub fn check(select: &SelectArgs) -> Result<Exit, CommandError> {
    let (_suite, cases) = load(select, None)?;
    // A file with variants holds several cases: count both when they differ.
    let files: std::collections::BTreeSet<_> = cases.iter().map(|c| &c.path).collect();
    if files.len() == cases.len() {
        crate::say!("{} case files are valid", cases.len());
    } else {
        crate::say!(
            "{} case files are valid ({} cases with their variants)",
            files.len(),
            cases.len()
        );
    }
    Ok(Exit::Success)
}

/// `podpatch cases export DIR`: writes the built-in suite out.
pub fn export(args: &ExportArgs) -> Result<Exit, CommandError> {
    let written = suite::export(&args.dir)?;
    crate::say!(
        "wrote {written} files of the built-in suite to {} (cases/ and snapshots/); run `podpatch run` there to use them",
        args.dir.display()
    );
    Ok(Exit::Success)
}

/// How many case ids and change lines one group shows.
const SHOWN_CASES: usize = 4;
const SHOWN_CHANGES: usize = 8;

/// `podpatch cases changes [--from V] [--to V]`: what the snapshots say changed at
/// each step between two minors (see `changelog`).
pub fn changes(args: &ChangesArgs) -> Result<Exit, CommandError> {
    let (suite, cases) = load(&args.select, args.snapshots_dir.as_deref())?;
    let from = args.from.unwrap_or(podpatch_mock::Version::OLDEST.into());
    let to = args.to.unwrap_or(podpatch_mock::Version::NEWEST.into());
    if from >= to {
        return Err(CommandError::Usage(format!(
            "--from {from} must be older than --to {to}"
        )));
    }
    let minors: Vec<KubeVersion> = (from.minor..=to.minor)
        .map(|minor| KubeVersion { minor, ..from })
        .collect();
    let mut out = std::io::stdout().lock();
    for pair in minors.windows(2) {
        let (older, newer) = (pair[0], pair[1]);
        let step = changelog::step(&suite.snapshots_dir, &cases, older, newer)?;
        write_step(&mut out, older, newer, &step).map_err(CommandError::Stdout)?;
    }
    Ok(Exit::Success)
}

fn write_step(
    out: &mut impl Write,
    older: KubeVersion,
    newer: KubeVersion,
    step: &changelog::Step,
) -> std::io::Result<()> {
    writeln!(
        out,
        "## {older} → {newer}: {} case(s) answer differently, {} distinct change(s); \
         {} case(s) apply from {newer}, {} up to {older}\n",
        step.changed_cases(),
        step.changed.len(),
        step.appeared.len(),
        step.gone.len()
    )?;
    for group in &step.changed {
        let mut ids = group.cases[..group.cases.len().min(SHOWN_CASES)].join(", ");
        if group.cases.len() > SHOWN_CASES {
            ids.push_str(&format!(", … ({} cases)", group.cases.len()));
        }
        writeln!(out, "- {ids}")?;
        for line in group.changes.iter().take(SHOWN_CHANGES) {
            writeln!(out, "      {line}")?;
        }
        if group.changes.len() > SHOWN_CHANGES {
            writeln!(out, "      … {} more", group.changes.len() - SHOWN_CHANGES)?;
        }
    }
    for (label, ids) in [
        (format!("apply from {newer}"), &step.appeared),
        (format!("apply up to {older}"), &step.gone),
    ] {
        if !ids.is_empty() {
            writeln!(out, "- {label}: {}", ids.join(", "))?;
        }
    }
    writeln!(out)
}
