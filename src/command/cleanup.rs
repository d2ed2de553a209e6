//! `podpatch cleanup`: removes what earlier runs left behind, selected by
//! podpatch's labels only.

use std::time::Duration;

use super::CommandError;
use crate::cli::CleanupArgs;
use crate::client::{Client, Retry};
use crate::exit::Exit;
use crate::fixture;
use crate::resolve;

/// Lists (with `--dry-run`) or removes leftovers older than `--older-than`.
pub async fn cleanup(args: CleanupArgs) -> Result<Exit, CommandError> {
    let opened = resolve::open(&args.target, false).await?;
    for w in &opened.warnings {
        crate::tell!("warning: {w}");
    }
    if opened.mock.is_some() {
        // A built-in mock lives only as long as the command that started it, so
        // one started for this command holds nothing an earlier run left.
        opened.close().await;
        crate::say!("the built-in mock keeps nothing between runs: 0 objects to remove");
        return Ok(Exit::Success);
    }
    let client = Client::new(&opened.target, Duration::from_secs(30), Retry::default())?;
    // A target that never answers is declared unreachable at once, not after
    // every listing's retries.
    if let Err(e) = client.probe("/version", crate::run::PROBE_TIMEOUT).await {
        opened.close().await;
        return Err(fixture::FixtureError::from(e).into());
    }
    let age = jiff::SignedDuration::try_from(args.older_than.unwrap_or_default())
        .map_err(|e| CommandError::Usage(format!("--older-than: {e}")))?;
    let removed = fixture::cleanup(&client, jiff::Timestamp::now() - age, args.dry_run).await;
    opened.close().await;
    let removed = removed?;
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
        crate::say!("{verb} {} {ns}{} (run {})", l.resource, l.name, l.run);
    }
    crate::say!("{verb} {} objects", removed.len());
    Ok(Exit::Success)
}
