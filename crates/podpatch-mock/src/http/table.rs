//! A pod as the `Table` an `Accept: application/json;as=Table;g=meta.k8s.io;v=…`
//! client gets: the columns and cells of the kubectl pod printer
//! (`pkg/printers/internalversion/printers.go` `printPod`, always wide) and
//! the row object chosen by `includeObject` (`handlers/response.go`
//! `asTable`).

use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_pointer::Lookup;

const NAME: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const NODE: &str = "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename";
const NOMINATED: &str = "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.";
const GATES: &str = "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates";

/// The pod printer's columns: name, format, description, priority.
const COLUMNS: &[(&str, &str, &str, i64)] = &[
    ("Name", "name", NAME, 0),
    (
        "Ready",
        "",
        "The aggregate readiness state of this pod for accepting traffic.",
        0,
    ),
    (
        "Status",
        "",
        "The aggregate status of the containers in this pod.",
        0,
    ),
    (
        "Restarts",
        "",
        "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        0,
    ),
    ("Age", "", AGE, 0),
    (
        "IP",
        "",
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
        1,
    ),
    ("Node", "", NODE, 1),
    ("Nominated Node", "", NOMINATED, 1),
    ("Readiness Gates", "", GATES, 1),
];

/// `duration.HumanDuration`.
fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    let s = seconds.max(0);
    let (minutes, hours) = (s / 60, s / 3600);
    match () {
        _ if s < 120 => format!("{s}s"),
        _ if minutes < 10 && s % 60 == 0 => format!("{minutes}m"),
        _ if minutes < 10 => format!("{minutes}m{}s", s % 60),
        _ if minutes < 180 => format!("{minutes}m"),
        _ if hours < 8 && minutes % 60 == 0 => format!("{hours}h"),
        _ if hours < 8 => format!("{hours}h{}m", minutes % 60),
        _ if hours < 48 => format!("{hours}h"),
        _ if hours < 192 && hours % 24 == 0 => format!("{}d", hours / 24),
        _ if hours < 192 => format!("{}d{}h", hours / 24, hours % 24),
        _ if hours < 24 * 365 * 2 => format!("{}d", hours / 24),
        _ if hours < 24 * 365 * 8 && (hours / 24) % 365 == 0 => format!("{}y", hours / 24 / 365),
        _ if hours < 24 * 365 * 8 => format!("{}y{}d", hours / 24 / 365, (hours / 24) % 365),
        _ => format!("{}y", hours / 24 / 365),
    }
}

/// The row cells of `printPod` (wide) for a pod the kubelet never ran.
fn cells(pod: &Value, now: jiff::Timestamp) -> Vec<Value> {
    let at = |p: &str| pod.at(p).and_then(Value::as_str).unwrap_or("");
    let or_none = |s: &str| {
        if s.is_empty() {
            "<none>".to_string()
        } else {
            s.to_string()
        }
    };
    let list = |p: &str| {
        pod.at(p)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let sidecars = list("/spec/initContainers")
        .iter()
        .filter(|c| c.get("restartPolicy").and_then(Value::as_str) == Some("Always"))
        .count();
    let total = list("/spec/containers").len() + sidecars;
    let conditions = list("/status/conditions");
    let mut reason = match at("/status/reason") {
        "" => at("/status/phase").to_string(),
        r => r.to_string(),
    };
    if conditions.iter().any(|c| {
        c.get("type").and_then(Value::as_str) == Some("PodScheduled")
            && c.get("reason").and_then(Value::as_str) == Some("SchedulingGated")
    }) {
        reason = "SchedulingGated".into();
    }
    if pod.at("/metadata/deletionTimestamp").is_some() {
        if at("/status/reason") == "NodeLost" {
            reason = "Unknown".into();
        } else if !matches!(at("/status/phase"), "Succeeded" | "Failed") {
            reason = "Terminating".into();
        }
    }
    let age = at("/metadata/creationTimestamp")
        .parse::<jiff::Timestamp>()
        .map(|t| human_duration(now.as_second() - t.as_second()))
        .unwrap_or_else(|_| "<unknown>".into());
    let gates = list("/spec/readinessGates");
    let readiness = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let ready = gates
            .iter()
            .filter(|g| {
                conditions
                    .iter()
                    .find(|c| c.get("type") == g.get("conditionType"))
                    .is_some_and(|c| c.get("status").and_then(Value::as_str) == Some("True"))
            })
            .count();
        format!("{ready}/{}", gates.len())
    };
    let ip = list("/status/podIPs")
        .first()
        .and_then(|i| i.get("ip"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    vec![
        json!(at("/metadata/name")),
        json!(format!("0/{total}")),
        json!(reason),
        json!("0"),
        json!(age),
        json!(or_none(&ip)),
        json!(or_none(at("/spec/nodeName"))),
        json!(or_none(at("/status/nominatedNodeName"))),
        json!(readiness),
    ]
}

/// The `Table` of `pod` in meta.k8s.io `version`, its row object chosen by
/// the `includeObject` query value; a bad value is a 400.
pub fn pod_table(pod: &Value, version: &str, include: &str) -> Result<Value, Status> {
    let object = match include {
        "" | "Metadata" => json!({
            "kind": "PartialObjectMetadata",
            "apiVersion": format!("meta.k8s.io/{version}"),
            "metadata": pod.get("metadata").cloned().unwrap_or_default(),
        }),
        "Object" => pod.clone(),
        "None" => Value::Null,
        other => {
            return Err(Status::bad_request(format!(
                "Unable to convert to Table as requested: includeObject: Invalid value: {}: must be 'Metadata', 'Object', 'None', or empty",
                crate::golang::format::go_quote(other)
            )));
        }
    };
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|(name, format, description, priority)| {
            json!({"name": name, "type": "string", "format": format,
                "description": description, "priority": priority})
        })
        .collect();
    // `ListMeta.resourceVersion` is omitempty: a dry-run create has none.
    let mut metadata = serde_json::Map::new();
    if let Some(rv) = pod
        .at("/metadata/resourceVersion")
        .filter(|rv| rv.as_str().is_some_and(|s| !s.is_empty()))
    {
        metadata.insert("resourceVersion".into(), rv.clone());
    }
    Ok(json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": metadata,
        "columnDefinitions": columns,
        "rows": [{"cells": cells(pod, jiff::Timestamp::now()), "object": object}],
    }))
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn ages() {
        assert_eq!(human_duration(0), "0s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(204), "3m24s");
        assert_eq!(human_duration(600), "10m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
    }
}
