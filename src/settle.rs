//! What a cluster's controllers do to a starting pod right after its creation,
//! waited for before the case's request. A pod without scheduling gates or a
//! node is the scheduler's to place: on a control plane without nodes it records
//! `PodScheduled=False` (`Unschedulable`) in the pod's status within moments. A
//! pod whose owner does not exist is the garbage collector's to delete (its
//! finalizers keep it, terminating). The case then starts from the pod as the
//! cluster holds it once they have acted, not from a race with them; the verdict
//! compares it with upstream given that same pod (`oracle` carries the status
//! and the deletion over).
//!
//! It reads only (the controllers' leases, the pod, its owners) and decides no
//! verdict.

use std::time::Duration;

use serde_json::Value;

use crate::client::Client;
use crate::observed::Observed;
use crate::request::pod_path;

/// How long a starting pod is watched for the scheduler's verdict.
const WAIT: Duration = Duration::from_secs(5);
/// Between two reads of it.
const POLL: Duration = Duration::from_millis(25);

/// The controllers at work on the target whose acts on a new pod are waited for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Controllers {
    /// kube-scheduler.
    pub scheduler: bool,
    /// kube-controller-manager (its garbage collector).
    pub collector: bool,
}

impl Controllers {
    /// Which run on the target: each holds its leader election lease in
    /// `kube-system`. Unreadable (RBAC, no lease API, no leader election) counts
    /// as none, and nothing is waited for.
    pub async fn on(client: &Client) -> Controllers {
        Controllers {
            scheduler: holds_lease(client, "kube-scheduler").await,
            collector: holds_lease(client, "kube-controller-manager").await,
        }
    }

    /// `created` (in `namespace`) once the controllers acted on it, read back:
    /// the scheduler's verdict, the garbage collector's deletion of an orphan.
    pub async fn settled(&self, client: &Client, namespace: &str, created: Value) -> Value {
        let name = created["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut pod = created;
        if self.scheduler && awaits_scheduler(&pod) {
            pod = scheduled(client, namespace, &name, pod).await;
        }
        if self.collector && orphaned(client, namespace, &pod).await {
            pod = until(client, namespace, &name, pod, |p| {
                !p["metadata"]["deletionTimestamp"].is_null()
            })
            .await;
        }
        pod
    }
}

async fn holds_lease(client: &Client, name: &str) -> bool {
    let path = format!("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/{name}");
    let Some(lease) = client.get(&path).await.ok().and_then(|a| a.json()) else {
        return false;
    };
    lease["spec"]["holderIdentity"]
        .as_str()
        .is_some_and(|h| !h.is_empty())
}

/// Whether `pod` (not being deleted) names an owner that does not exist: read
/// at `/apis/GROUP/VERSION/namespaces/NS/KINDs/NAME`, absent or with another uid.
async fn orphaned(client: &Client, namespace: &str, pod: &Value) -> bool {
    if !pod["metadata"]["deletionTimestamp"].is_null() {
        return false;
    }
    for owner in pod["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let (Some(version), Some(kind), Some(name)) = (
            owner["apiVersion"].as_str(),
            owner["kind"].as_str(),
            owner["name"].as_str(),
        ) else {
            continue;
        };
        let root = match version.contains('/') {
            true => format!("/apis/{version}"),
            false => format!("/api/{version}"),
        };
        let path = format!(
            "{root}/namespaces/{namespace}/{}s/{name}",
            kind.to_lowercase()
        );
        match client.get(&path).await {
            Ok(a) if a.status == 404 => return true,
            Ok(a) if a.status == 200 => {
                let uid = a.json().map(|o| o["metadata"]["uid"].clone());
                if uid.is_some_and(|u| u != owner["uid"]) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Whether the scheduler will act on `pod`: no gates, no node, no verdict yet.
pub fn awaits_scheduler(pod: &Value) -> bool {
    let spec = &pod["spec"];
    let gated = spec["schedulingGates"]
        .as_array()
        .is_some_and(|g| !g.is_empty());
    let bound = spec["nodeName"].as_str().is_some_and(|n| !n.is_empty());
    !gated && !bound && !decided(pod) && pod["metadata"]["deletionTimestamp"].is_null()
}

/// Whether the scheduler recorded its verdict on `pod` (the apiserver's own
/// `SchedulingGated` condition is none).
fn decided(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "PodScheduled" && c["reason"] != "SchedulingGated")
}

/// The status conditions of `later`, when the scheduler recorded a verdict
/// there that `before` did not hold: what it did after a request.
pub fn verdict_since<'a>(before: &Value, later: &'a Value) -> Option<&'a Value> {
    (decided(later) && !decided(before)).then_some(&later["status"]["conditions"])
}

/// `pod` (`name` in `namespace`) once the scheduler has recorded its verdict,
/// read back; as it was if it has not within `WAIT` or cannot be read.
pub async fn scheduled(client: &Client, namespace: &str, name: &str, pod: Value) -> Value {
    until(client, namespace, name, pod, |p| !awaits_scheduler(p)).await
}

/// Pod `name` read back until `done` holds of it (at most `WAIT`); `pod` if
/// it never does or cannot be read.
async fn until(
    client: &Client,
    namespace: &str,
    name: &str,
    pod: Value,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let path = pod_path(namespace, name);
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
        let Some(now) = client.get(&path).await.ok().and_then(|a| a.json()) else {
            break;
        };
        if done(&now) {
            return now;
        }
    }
    pod
}

/// The garbage collector's doing, if the pod read back after the request (its
/// starting pod `created`, the request `observed`) is being deleted (the case
/// did not start its deletion) and names owners, or lost owners the request's
/// answer named: the collector deletes the dependents of owners that do not
/// exist, and drops references to them.
pub fn collected(created: &Value, observed: &Observed) -> Option<String> {
    let later = observed.stored.as_ref()?;
    let owners = |pod: &Value| pod["metadata"]["ownerReferences"].clone();
    let answered = (observed.json()).filter(|a| a["kind"] == "Pod" && observed.status == 200);
    let deleted = created["metadata"]["deletionTimestamp"].is_null()
        && !later["metadata"]["deletionTimestamp"].is_null();
    let dropped = answered.is_some_and(|a| !owners(a).is_null() && owners(a) != owners(later));
    let named: Vec<String> = [answered, Some(later)]
        .into_iter()
        .flatten()
        .find_map(|p| {
            p["metadata"]["ownerReferences"]
                .as_array()
                .filter(|o| !o.is_empty())
        })?
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["kind"].as_str().unwrap_or("?"),
                o["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    let what = match (deleted, dropped) {
        (true, _) => "deleted the pod",
        (false, true) => "changed the pod's owner references",
        (false, false) => return None,
    };
    Some(format!(
        "the cluster {what} while the case ran: it names owners ({}) that the cluster's garbage collector found absent",
        named.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_ungated_unbound_undecided_pods_await_the_scheduler() {
        assert!(awaits_scheduler(
            &json!({"metadata": {}, "spec": {"containers": []}})
        ));
        assert!(awaits_scheduler(
            &json!({"metadata": {}, "spec": {"schedulingGates": []}})
        ));
        assert!(!awaits_scheduler(
            &json!({"metadata": {}, "spec": {"schedulingGates": [{"name": "g"}]}})
        ));
        assert!(!awaits_scheduler(
            &json!({"metadata": {}, "spec": {"nodeName": "n"}})
        ));
        assert!(!awaits_scheduler(&json!({"metadata": {}, "spec": {},
            "status": {"conditions": [{"type": "PodScheduled", "status": "False"}]}})));
        assert!(!awaits_scheduler(
            &json!({"metadata": {"deletionTimestamp": "t"}, "spec": {}})
        ));
        // Gates removed: the apiserver's SchedulingGated condition is no verdict.
        let ungated = json!({"metadata": {}, "spec": {},
            "status": {"conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}});
        assert!(awaits_scheduler(&ungated));
        let placed = json!({"metadata": {}, "spec": {},
            "status": {"conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}});
        assert_eq!(
            verdict_since(&ungated, &placed),
            Some(&placed["status"]["conditions"])
        );
        assert_eq!(verdict_since(&placed, &placed), None);
    }
}
