//! Judging a scenario of several steps on a policed cluster (`policed` judges
//! one request): what changed of its starting pod, and the verdict given its
//! steps replayed upstream on the pod the cluster stored. It sends nothing
//! itself (`scenario` replays the steps) and builds no outcome.

use serde_json::Value;

use crate::changes;
use crate::managed::Managed;
use crate::normalize::Context;
use crate::oracle::Oracle;
use crate::policed::{Explained, explains, list, mutated_paths};
use crate::profile::condensed;

/// For a scenario of several steps: where the cluster stored its starting pod
/// otherwise than upstream, fields admission manages and those the run's
/// profile set included (generalised); none when nothing changed.
pub async fn scenario_changes(
    oracle: &Oracle,
    starting: Option<(&Value, &Value)>,
    managed: &Managed,
    profiled: &[String],
    ctx: &Context,
) -> Option<Vec<String>> {
    let (sent, stored) = starting?;
    let upstream = oracle.would_store(sent).await.ok()?;
    let mut changed = mutated_paths(&upstream, stored, ctx);
    changed.extend(managed.paths.iter().cloned());
    changed.extend(profiled.iter().cloned());
    (!changed.is_empty()).then_some(changed)
}

/// The verdict on a scenario whose starting pod `changed` (`scenario_changes`),
/// given its steps replayed upstream on the pod the cluster stored (`replayed`,
/// normalised, or why they could not be) and the cluster's own (`cluster`);
/// `managed` is what the namespace's admission manages (who, what it writes).
/// None: the scenario differs from upstream where nothing explains it.
pub fn replayed_scenario(
    changed: &[String],
    managed: &Managed,
    replayed: Result<&Value, String>,
    cluster: &Value,
) -> Option<Explained> {
    let what = format!(
        "a scenario on a starting pod {} manages or changed, or the run's profile set ({})",
        managed.who(),
        list(&condensed(changed))
    );
    let upstream = match replayed {
        Ok(u) => u,
        Err(e) => {
            return Some(Explained {
                cause: format!("{what}: upstream could not replay its steps ({e})"),
                on_stored: false,
            });
        }
    };
    let diffs = changes::between(upstream, cluster);
    if diffs.iter().all(|c| c.path.contains("managedFields")) {
        return Some(Explained {
            cause: format!("{what}, its steps replayed upstream on the pod the cluster stored"),
            on_stored: true,
        });
    }
    explains(&diffs, changed, &managed.written).then(|| Explained {
        cause: format!(
            "{what}, and update-time admission changed its answers at {}",
            list(&changes::answer_paths(&diffs))
        ),
        on_stored: false,
    })
}
