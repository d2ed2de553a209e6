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
use crate::defaults::pod_level::{default_hugepage_pod_limits, default_pod_requests};
use crate::defaults::resources::{round_requirements, round_resource_list};
use crate::defaults::volume;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;
use crate::version::Version;

/// Applies the v1 defaulters to a decoded pod in place; `quantities` (the
/// decoder's) follow the rounding and copying of its resources.
pub fn default_pod(pod: &mut Value, quantities: &mut QuantityStates) {
    if let Some(status) = pod.get_mut("status").and_then(Value::as_object_mut) {
        convert_ips(status, "podIP", "podIPs");
    }
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    default_spec(spec, quantities);
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

/// v1 conversion: `serviceAccount` is a deprecated alias that mirrors
/// `serviceAccountName` on the way out, and fills it on the way in.
fn mirror_service_account(spec: &mut Map<String, Value>) {
    let account = |key: &str| spec.get(key).and_then(Value::as_str);
    let name = account("serviceAccountName")
        .filter(|s| !s.is_empty())
        .or_else(|| account("serviceAccount"))
        .unwrap_or("");
    // As in a stored pod: nothing to write.
    if !name.is_empty()
        && account("serviceAccountName") == Some(name)
        && account("serviceAccount") == Some(name)
    {
        return;
    }
    if name.is_empty() {
        spec.remove("serviceAccountName");
        spec.remove("serviceAccount");
    } else {
        let name = json!(name);
        spec.insert("serviceAccountName".into(), name.clone());
        spec.insert("serviceAccount".into(), name);
    }
}

fn default_spec(spec: &mut Map<String, Value>, quantities: &mut QuantityStates) {
    set_if_missing(spec, "dnsPolicy", || json!("ClusterFirst"));
    set_if_missing(spec, "restartPolicy", || json!("Always"));
    set_if_missing(spec, "terminationGracePeriodSeconds", || json!(30));
    // Since 1.27 a negative grace period reads as 1.
    if spec
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .is_some_and(|v| v < 0)
    {
        spec.insert("terminationGracePeriodSeconds".into(), json!(1));
    }
    set_if_missing(spec, "securityContext", || json!({}));
    set_if_missing(spec, "schedulerName", || json!("default-scheduler"));
    set_if_missing(spec, "enableServiceLinks", || json!(true));
    mirror_service_account(spec);
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        if let Some(Value::Array(containers)) = spec.get_mut(list) {
            for (i, container) in containers.iter_mut().enumerate() {
                if let Some(container) = container.as_object_mut() {
                    let path = format_args!("spec.{list}[{i}]");
                    default_container(container, host_network, &path, quantities);
                }
            }
        }
    }
    if let Some(Value::Array(volumes)) = spec.get_mut("volumes") {
        for (i, volume) in volumes.iter_mut().enumerate() {
            let Some(volume) = volume.as_object_mut() else {
                continue;
            };
            volume::default_volume(volume);
            round_requirements(
                volume
                    .get_mut("ephemeral")
                    .and_then(|e| e.at_mut("/volumeClaimTemplate/spec/resources")),
                &format_args!("spec.volumes[{i}].ephemeral.volumeClaimTemplate.spec.resources"),
                quantities,
            );
        }
    }
    // From 1.37 (PodLevelResourcesFixDefaulting) the pod strategy does it,
    // after the field manager has recorded the request.
    if !Version::current().defaults_pod_level_resources_in_strategy() {
        default_hugepage_pod_limits(spec);
        default_pod_requests(spec);
    }
    round_resource_list(spec.get_mut("overhead"), "spec.overhead", quantities);
    round_requirements(spec.get_mut("resources"), "spec.resources", quantities);
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
        default_pod(&mut pod, &mut QuantityStates::default());
        assert_eq!(
            pod["spec"]["containers"][0]["imagePullPolicy"],
            json!(policy)
        );
    }

    #[rstest]
    #[case::from_name(json!({"serviceAccountName": "a"}), json!({"serviceAccountName": "a", "serviceAccount": "a"}))]
    #[case::from_alias(json!({"serviceAccount": "b"}), json!({"serviceAccountName": "b", "serviceAccount": "b"}))]
    #[case::name_wins(json!({"serviceAccountName": "a", "serviceAccount": "b"}), json!({"serviceAccountName": "a", "serviceAccount": "a"}))]
    #[case::in_step(json!({"serviceAccountName": "a", "serviceAccount": "a"}), json!({"serviceAccountName": "a", "serviceAccount": "a"}))]
    #[case::empty(json!({"serviceAccountName": "", "serviceAccount": ""}), json!({}))]
    fn service_account_mirrored(#[case] spec: Value, #[case] expected: Value) {
        let Value::Object(mut spec) = spec else {
            panic!("a spec is an object");
        };
        mirror_service_account(&mut spec);
        assert_eq!(Value::Object(spec), expected);
    }

    #[test]
    fn spec_defaults() {
        let mut pod = json!({"spec": {"containers": [{"name": "c", "image": "nginx",
            "ports": [{"containerPort": 80}], "resources": {"limits": {"cpu": "1"}}}]}});
        default_pod(&mut pod, &mut QuantityStates::default());
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
