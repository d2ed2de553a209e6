//! Pod-level resource defaulting: as `SetDefaults_Pod` does it on every
//! decode up to 1.36 (`defaultHugePagePodLimits`, `defaultPodRequests`),
//! and as the pod strategy's `PrepareForCreate` does it from 1.37
//! (`podutil.DefaultPodLevelResources`, PodLevelResourcesFixDefaulting):
//! hugepage limits, then requests, then limits from the containers'. It
//! never overwrites what the client set.

use serde_json::{Map, Value, json};

use crate::golang::json_pointer::Lookup;
use crate::golang::quantity::Quantity;
use crate::validation::resources::aggregate;

/// Whether a resource may be set at pod level (`IsSupportedPodLevelResource`).
fn supported(name: &str) -> bool {
    matches!(name, "cpu" | "memory") || name.starts_with("hugepages-")
}

/// `defaultHugePagePodLimits`: with pod-level resources set, hugepage limits
/// the pod-level resources lack (as limit and request) take the containers'
/// aggregate.
pub(crate) fn default_hugepage_pod_limits(spec: &mut Map<String, Value>) {
    let aggregated =
        crate::validation::resources::aggregate(&Value::Object(spec.clone()), "limits");
    let Some(Value::Object(resources)) = spec.get_mut("resources") else {
        return;
    };
    let present = |k: &str| {
        resources
            .get(k)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (mut limits, requests) = (present("limits"), present("requests"));
    if limits.is_empty() && requests.is_empty() {
        return;
    }
    for (name, total) in aggregated {
        if name.starts_with("hugepages-")
            && !requests.contains_key(&name)
            && !limits.contains_key(&name)
        {
            limits.insert(name, json!(total.to_string()));
        }
    }
    if !limits.is_empty() {
        resources.insert("limits".into(), Value::Object(limits));
    }
}

/// `defaultPodRequests`: with pod-level limits, missing pod-level requests
/// take the containers' effective requests (CPU and memory), else the
/// pod-level limit.
pub(crate) fn default_pod_requests(spec: &mut Map<String, Value>) {
    let Some(Value::Object(limits)) = spec.get("resources").and_then(|r| r.get("limits")).cloned()
    else {
        return;
    };
    if limits.is_empty() {
        return;
    }
    let aggregated =
        crate::validation::resources::aggregate(&Value::Object(spec.clone()), "requests");
    let Some(Value::Object(resources)) = spec.get_mut("resources") else {
        return;
    };
    let mut requests = match resources.get("requests") {
        Some(Value::Object(r)) => r.clone(),
        _ => Map::new(),
    };
    for (name, total) in aggregated {
        if matches!(name.as_str(), "cpu" | "memory") && !requests.contains_key(&name) {
            requests.insert(name, json!(total.to_string()));
        }
    }
    for (name, limit) in limits {
        let supported = matches!(name.as_str(), "cpu" | "memory") || name.starts_with("hugepages-");
        if supported && !requests.contains_key(&name) {
            requests.insert(name, limit);
        }
    }
    if !requests.is_empty() {
        resources.insert("requests".into(), Value::Object(requests));
    }
}

/// `DefaultPodLevelResources` (1.37): with pod-level requests or limits
/// set, hugepage limits from the containers' limits, requests from the
/// containers' (cpu, memory) and the pod-level limits, and limits from the
/// containers' (at least the request) where every container sets one.
pub fn default_pod_level_resources(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    let set = |spec: &Map<String, Value>, kind: &str| {
        spec.get("resources")
            .and_then(|r| r.get(kind))
            .and_then(Value::as_object)
            .is_some_and(|m| !m.is_empty())
    };
    if !set(spec, "requests") && !set(spec, "limits") {
        return;
    }
    default_hugepage_pod_limits(spec);
    let whole = Value::Object(spec.clone());
    let container_requests = aggregate(&whole, "requests");
    let container_limits = aggregate(&whole, "limits");
    let Some(Value::Object(resources)) = spec.get_mut("resources") else {
        return;
    };
    let list = |resources: &Map<String, Value>, kind: &str| match resources.get(kind) {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    };
    let (mut requests, mut limits) = (list(resources, "requests"), list(resources, "limits"));
    for (name, total) in &container_requests {
        if matches!(name.as_str(), "cpu" | "memory") && !requests.contains_key(name) {
            requests.insert(name.clone(), json!(total.to_string()));
        }
    }
    for (name, limit) in &limits {
        if supported(name) && !requests.contains_key(name) {
            requests.insert(name.clone(), limit.clone());
        }
    }
    // `defaultPodLevelLimits`: only where every container has a limit.
    let every_container_limits = |name: &str| {
        ["initContainers", "containers", "ephemeralContainers"]
            .iter()
            .flat_map(|list| {
                whole
                    .get(*list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .all(|c| {
                c.at("/resources/limits")
                    .and_then(|l| l.get(name))
                    .is_some()
            })
    };
    let candidates: Vec<String> = requests
        .keys()
        .filter(|name| {
            supported(name) && !limits.contains_key(*name) && every_container_limits(name)
        })
        .cloned()
        .collect();
    for name in candidates {
        let Some((_, total)) = container_limits.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let request = requests
            .get(&name)
            .and_then(Value::as_str)
            .and_then(Quantity::parse);
        let limit = match request {
            Some(r) if r > *total => r,
            _ => total.clone(),
        };
        limits.insert(name, json!(limit.to_string()));
    }
    if !requests.is_empty() {
        resources.insert("requests".into(), Value::Object(requests));
    }
    if !limits.is_empty() {
        resources.insert("limits".into(), Value::Object(limits));
    }
}
