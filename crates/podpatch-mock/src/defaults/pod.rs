//! `SetDefaults_Pod` and `SetDefaults_PodSpec` of
//! `k8s.io/kubernetes/pkg/apis/core/v1/defaults.go` as they run on every
//! decode (create and after each patch): pod-spec scalars, resource
//! rounding, pod-level hugepage limits and requests, then each container
//! and volume; and the v1 conversion that keeps `podIP`/`podIPs` and
//! `serviceAccount`/`serviceAccountName` in step.
//!
//! Defaults are idempotent and never overwrite a value the client set. This
//! module must not run admission (see [`crate::pod::admission`]).

use serde_json::{Map, Value, json};

use crate::defaults::container::default_container;
use crate::defaults::fields::set_if_missing;
use crate::defaults::resources::{round_requirements, round_resource_list};
use crate::defaults::volume;

/// Applies the v1 defaulters to a decoded pod in place.
pub fn default_pod(pod: &mut Value) {
    if let Some(status) = pod.get_mut("status").and_then(Value::as_object_mut) {
        convert_ips(status, "podIP", "podIPs");
    }
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    default_spec(spec);
}

/// v1 conversion keeps `podIP` and the first `podIPs` entry in step.
fn convert_ips(status: &mut Map<String, Value>, single: &str, plural: &str) {
    let first = status
        .get(plural)
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .and_then(|e| e.get("ip"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let one = status
        .get(single)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    match (one, first) {
        (Some(ip), None) => {
            status.insert(plural.into(), json!([{"ip": ip}]));
        }
        (None, Some(ip)) => {
            status.insert(single.into(), json!(ip));
        }
        _ => {}
    }
}

fn default_spec(spec: &mut Map<String, Value>) {
    set_if_missing(spec, "dnsPolicy", json!("ClusterFirst"));
    set_if_missing(spec, "restartPolicy", json!("Always"));
    set_if_missing(spec, "terminationGracePeriodSeconds", json!(30));
    // Since 1.27 a negative grace period reads as 1.
    if spec
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .is_some_and(|v| v < 0)
    {
        spec.insert("terminationGracePeriodSeconds".into(), json!(1));
    }
    set_if_missing(spec, "securityContext", json!({}));
    set_if_missing(spec, "schedulerName", json!("default-scheduler"));
    set_if_missing(spec, "enableServiceLinks", json!(true));
    // v1 conversion: `serviceAccount` is a deprecated alias that mirrors
    // `serviceAccountName` on the way out, and fills it on the way in.
    let name = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or_else(|| spec.get("serviceAccount").and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    if name.is_empty() {
        spec.remove("serviceAccountName");
        spec.remove("serviceAccount");
    } else {
        spec.insert("serviceAccountName".into(), json!(name));
        spec.insert("serviceAccount".into(), json!(name));
    }
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        if let Some(Value::Array(containers)) = spec.get_mut(list) {
            for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                default_container(container, host_network);
            }
        }
    }
    if let Some(Value::Array(volumes)) = spec.get_mut("volumes") {
        for volume in volumes.iter_mut().filter_map(Value::as_object_mut) {
            volume::default_volume(volume);
            round_requirements(
                volume
                    .get_mut("ephemeral")
                    .and_then(|e| e.pointer_mut("/volumeClaimTemplate/spec/resources")),
            );
        }
    }
    default_hugepage_pod_limits(spec);
    default_pod_requests(spec);
    round_resource_list(spec.get_mut("overhead"));
    round_requirements(spec.get_mut("resources"));
}

/// `defaultHugePagePodLimits`: with pod-level resources set, hugepage limits
/// the pod-level resources lack (as limit and request) take the containers'
/// aggregate.
fn default_hugepage_pod_limits(spec: &mut Map<String, Value>) {
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
fn default_pod_requests(spec: &mut Map<String, Value>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("nginx", "Always")]
    #[case("nginx:1.27", "IfNotPresent")]
    #[case("", "IfNotPresent")]
    fn pull_policy(#[case] image: &str, #[case] policy: &str) {
        let mut pod =
            json!({"spec": {"containers": [{"name": "c", "image": image, "resources": {}}]}});
        default_pod(&mut pod);
        assert_eq!(
            pod["spec"]["containers"][0]["imagePullPolicy"],
            json!(policy)
        );
    }

    #[test]
    fn spec_defaults() {
        let mut pod = json!({"spec": {"containers": [{"name": "c", "image": "nginx",
            "ports": [{"containerPort": 80}], "resources": {"limits": {"cpu": "1"}}}]}});
        default_pod(&mut pod);
        assert_eq!(
            pod["spec"],
            json!({
                "containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}},
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                    "imagePullPolicy": "Always"}],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "securityContext": {}, "schedulerName": "default-scheduler", "enableServiceLinks": true,
            })
        );
    }
}
