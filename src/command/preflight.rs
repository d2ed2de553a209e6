//! `podpatch preflight`: what the cluster's admission does to the suite's starting
//! pods and what policies the namespace carries, before a run (see `preflight`).

use std::time::Duration;

use super::CommandError;
use super::cases::load;
use super::output::write_report;
use crate::cli::PreflightArgs;
use crate::client::{Client, Retry};
use crate::exit::Exit;
use crate::fixture::{FixtureError, Fixtures};
use crate::oracle::Oracle;
use crate::preflight;
use crate::resolve;
use crate::version::KubeVersion;

/// Each request's bound: preflight sends few, small ones.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Prints the preflight; exit 0 when admission refuses and changes nothing the
/// suite sends, 4 when it does (some cases would be blocked or judged against the
/// stored pod), 2 when it could not be made.
pub async fn preflight(args: PreflightArgs) -> Result<Exit, CommandError> {
    let (_, cases) = load(&args.select, None)?;
    let metadata = crate::flags::pod_metadata(&args.pod_metadata)?;
    let opened = resolve::open(&args.target, false).await?;
    for w in &opened.warnings {
        crate::tell!("warning: {w}");
    }
    let client = Client::new(&opened.target, TIMEOUT, Retry::default())?;
    let version = match client.probe("/version", crate::run::PROBE_TIMEOUT).await {
        Ok(answer) => answer
            .json()
            .and_then(|v| KubeVersion::of_answer(&v))
            .and_then(KubeVersion::mock)
            .unwrap_or_default(),
        Err(e) => {
            opened.close().await;
            return Err(FixtureError::from(e).into());
        }
    };
    let mut fixtures = Fixtures::new(client.clone(), &crate::run::new_run_id(), args.namespace);
    let result = match fixtures.setup().await {
        Err(e) => Err(CommandError::from(e)),
        Ok(()) => match Oracle::start(&fixtures.namespace, version).await {
            Err(e) => Err(CommandError::Usage(e)),
            Ok(oracle) => {
                let cases: Vec<_> = cases.iter().collect();
                Ok(
                    preflight::check(&client, &fixtures, &oracle, &cases, &metadata, args.profile)
                        .await,
                )
            }
        },
    };
    let cleaned = fixtures.teardown().await;
    opened.close().await;
    let report = result?;
    if let Err(e) = cleaned {
        crate::tell!(
            "warning: removing what the preflight made failed: {e} (run `podpatch cleanup`)"
        );
    }
    crate::say!("{}", preflight::render(&report));
    write_report("JSON", args.json.as_ref(), || {
        serde_json::to_string_pretty(&report).map_err(std::io::Error::other)
    })?;
    Ok(if report.is_clean() {
        Exit::Success
    } else {
        Exit::NotAllJudged
    })
}
