//! What a cluster's scheduler does to a starting pod right after its creation,
//! waited for before the case's request. A pod without scheduling gates or a
//! node is the scheduler's to place: on a control plane without nodes it records
//! `PodScheduled=False` (`Unschedulable`) in the pod's status within moments. The
//! case then starts from the pod as the cluster holds it once the scheduler has
//! acted, not from a race with it; the verdict compares it with upstream given
//! that same pod (`oracle` carries the status over).
//!
//! It reads only (the scheduler's lease, the pod) and decides no verdict.

use std::time::Duration;

use serde_json::Value;

use crate::client::Client;
use crate::observed::Observed;
use crate::request::pod_path;

/// How long a starting pod is watched for the scheduler's verdict.
const WAIT: Duration = Duration::from_secs(5);
/// Between two reads of it.
const POLL: Duration = Duration::from_millis(25);

/// Whether a kube-scheduler is at work on the target: it holds its leader
/// election lease (`kube-system/kube-scheduler`). Unreadable (RBAC, no lease
/// API, a scheduler without leader election) counts as none, and no pod is
/// waited for.
pub async fn scheduler_active(client: &Client) -> bool {
    let path = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler";
    let Some(lease) = client.get(path).await.ok().and_then(|a| a.json()) else {
        return false;
    };
    lease["spec"]["holderIdentity"]
        .as_str()
        .is_some_and(|h| !h.is_empty())
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

/// `created` (pod `name` in `namespace`) once the scheduler has recorded its
/// verdict, read back; as created if it has not within `WAIT` or cannot be read.
pub async fn scheduled(client: &Client, namespace: &str, name: &str, created: Value) -> Value {
    let path = pod_path(namespace, name);
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(POLL).await;
        let Some(pod) = client.get(&path).await.ok().and_then(|a| a.json()) else {
            break;
        };
        if decided(&pod) || !awaits_scheduler(&pod) {
            return pod;
        }
    }
    created
}

/// The garbage collector's doing, if the pod read back after the request (its
/// starting pod `created`, the request `observed`) is
/// being deleted (the case did not start its deletion) and names owners: the
/// collector deletes the dependents of owners that do not exist.
pub fn collected(created: &Value, observed: &Observed) -> Option<String> {
    let later = observed.stored.as_ref()?;
    if !created["metadata"]["deletionTimestamp"].is_null()
        || later["metadata"]["deletionTimestamp"].is_null()
    {
        return None;
    }
    let owners = later["metadata"]["ownerReferences"]
        .as_array()
        .filter(|o| !o.is_empty())?;
    let named: Vec<String> = owners
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["kind"].as_str().unwrap_or("?"),
                o["name"].as_str().unwrap_or("?")
            )
        })
        .collect();
    Some(format!(
        "the cluster deleted the pod while the case ran: it names owners ({}) that the cluster's garbage collector found absent",
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
