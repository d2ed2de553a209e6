//! What happens to a pod's status before validation: the v1→internal
//! conversion of the pod IPs (`pkg/apis/core/v1/conversion.go`
//! `Convert_v1_PodStatus_To_core_PodStatus`) and the status strategy's
//! `PrepareForUpdate` and `WarningsOnUpdate` (`pkg/registry/core/pod/strategy.go`
//! `podStatusStrategy`)
//! (its spec and owner reference reset is the pod strategy's `before_update`).

use serde_json::{Value, json};

use crate::pod::warnings::ip;
use crate::version::Version;

/// `Convert_v1_PodStatus_To_core_PodStatus`: `podIP` is authoritative for
/// older clients, so when it disagrees with `podIPs[0]` (or `podIPs` is
/// empty) the list becomes just `podIP`.
pub fn convert_pod_ips(pod: &mut Value) {
    let Some(status) = pod.get_mut("status").and_then(Value::as_object_mut) else {
        return;
    };
    let ip = status.get("podIP").and_then(Value::as_str).unwrap_or("");
    if ip.is_empty() {
        return;
    }
    let first = status
        .get("podIPs")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .map(|e| e.get("ip").and_then(Value::as_str).unwrap_or(""));
    if first != Some(ip) {
        let list = json!([{"ip": ip}]);
        status.insert("podIPs".into(), list);
    }
}

/// The parts of `podStatusStrategy.PrepareForUpdate` about the status: an
/// emptied QoS class is backfilled (1.32), a zero `observedGeneration` (of the
/// status, or of a condition, matched by type in order) keeps the old one,
/// and resource claim statuses an old client dropped are kept (1.37: a nil
/// list, not an empty one, which `empty_lists` names when the decoder
/// dropped it).
pub fn prepare_for_update(pod: &mut Value, old: &Value, empty_lists: &[String]) {
    if Version::current().keeps_dropped_claim_statuses() {
        keep_claim_statuses(pod, old, empty_lists);
    }
    // A deletion timestamp is dropped here, then restored from the old pod.
    if let Some(meta) = pod.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("deletionTimestamp");
    }
    let Some(status) = pod.get_mut("status").and_then(Value::as_object_mut) else {
        return;
    };
    let old_status = &old["status"];
    let unset = |v: Option<&Value>| v.and_then(Value::as_i64).unwrap_or(0) == 0;
    let backfilled: &[&str] = if Version::current().keeps_qos_class_in_status() {
        &["qosClass", "observedGeneration"]
    } else {
        &["observedGeneration"]
    };
    for &key in backfilled {
        let empty = match key {
            "qosClass" => status
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .is_empty(),
            _ => unset(status.get(key)),
        };
        if empty && let Some(v) = old_status.get(key) {
            status.insert(key.into(), v.clone());
        }
    }
    let mut old_generations: Vec<(&str, Option<&Value>)> = old_status
        .get("conditions")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|c| {
            let ty = c.get("type").and_then(Value::as_str).unwrap_or("");
            (ty, c.get("observedGeneration"))
        })
        .collect();
    if let Some(conditions) = status.get_mut("conditions").and_then(Value::as_array_mut) {
        for c in conditions.iter_mut() {
            let ty = c
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let Some(pos) = old_generations.iter().position(|(t, _)| *t == ty) else {
                continue;
            };
            let (_, generation) = old_generations.remove(pos);
            if unset(c.get("observedGeneration"))
                && !unset(generation)
                && let (Some(obj), Some(generation)) = (c.as_object_mut(), generation)
            {
                obj.insert("observedGeneration".into(), generation.clone());
            }
        }
    }
}

/// The DRA status lists of the old pod where the new one has none (the
/// gated `extendedResourceClaimStatus` and node-allocatable statuses never
/// reach here).
fn keep_claim_statuses(pod: &mut Value, old: &Value, empty_lists: &[String]) {
    const KEY: &str = "resourceClaimStatuses";
    let Some(kept) = old["status"].get(KEY).filter(|v| !v.is_null()) else {
        return;
    };
    let emptied = empty_lists
        .iter()
        .any(|p| p == "/status/resourceClaimStatuses");
    if let Some(status) = pod.get_mut("status").and_then(Value::as_object_mut)
        && status.get(KEY).is_none_or(Value::is_null)
        && !emptied
    {
        status.insert(KEY.into(), kept.clone());
    }
}

/// `podStatusStrategy.WarningsOnUpdate`: `GetWarningsForIP` on every pod
/// and host IP (1.33; none before).
pub fn warnings(pod: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for list in ["podIPs", "hostIPs"] {
        let entries = pod["status"][list]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        for (i, entry) in entries.iter().enumerate() {
            let value = entry["ip"].as_str().unwrap_or("");
            out.extend(ip::warnings(&format!("status.{list}[{i}].ip"), value));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_claims(claims: Option<Value>) -> Value {
        let mut pod = json!({"metadata": {}, "status": {"phase": "Pending"}});
        if let Some(claims) = claims {
            pod["status"]["resourceClaimStatuses"] = claims;
        }
        pod
    }

    #[test]
    fn dropped_claim_statuses_are_kept_from_1_37_but_emptied_ones_go() {
        let old = with_claims(Some(json!([{"name": "gpu", "resourceClaimName": "c"}])));
        let dropped = |minor| {
            let mut pod = with_claims(None);
            Version::new(minor)
                .unwrap()
                .run(|| prepare_for_update(&mut pod, &old, &[]));
            pod["status"].get("resourceClaimStatuses").cloned()
        };
        assert_eq!(
            dropped(37),
            old["status"].get("resourceClaimStatuses").cloned()
        );
        assert_eq!(dropped(36), None);
        let mut emptied = with_claims(None);
        let pointer = "/status/resourceClaimStatuses".to_string();
        prepare_for_update(&mut emptied, &old, &[pointer]);
        assert_eq!(emptied["status"].get("resourceClaimStatuses"), None);
    }
}
