//! The explorer's starting pods: always valid, with optional parts
//! (resources, probes, security contexts, env and ports, volumes of several
//! sources, init containers and sidecars, tolerations, an active deadline,
//! scheduling gates, affinity) drawn at random, and always the parts the
//! case's field family aims at.

use rand::Rng;
use rand::rngs::StdRng;
use serde_json::{Map, Value, json};

use crate::explore::family::Family;

/// A valid starting pod with some optional parts, always with what the
/// family's requests aim at.
pub fn starting_pod(rng: &mut StdRng, family: Family) -> Value {
    let mut container = json!({"name": "web", "image": "nginx:1.27"});
    let mut spec = Map::new();
    let mut meta = json!({"name": "web", "labels": {"app": "web"}});
    let with = |rng: &mut StdRng, f: Family, p: f64| family == f || rng.random_bool(p);
    if with(rng, Family::Resources, 0.4) || family == Family::Resize {
        container["resources"] = json!({"requests": {"cpu": "100m", "memory": "64Mi"},
            "limits": {"cpu": "200m", "memory": "128Mi"}});
    }
    if with(rng, Family::Probes, 0.2) {
        container["readinessProbe"] =
            json!({"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5});
        container["livenessProbe"] = json!({"tcpSocket": {"port": 80}});
    }
    if with(rng, Family::SecurityContext, 0.2) {
        container["securityContext"] = json!({"runAsNonRoot": true, "runAsUser": 1000,
            "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}});
        spec.insert(
            "securityContext".into(),
            json!({"fsGroup": 2000, "seccompProfile": {"type": "RuntimeDefault"}}),
        );
    }
    if with(rng, Family::Env, 0.3) {
        container["env"] = json!([{"name": "MODE", "value": "production"},
            {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]);
        container["ports"] = json!([{"name": "http", "containerPort": 80}]);
    }
    if with(rng, Family::Volumes, 0.3) {
        spec.insert("volumes".into(), json!([
            {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}},
            {"name": "config", "configMap": {"name": "app-config", "optional": true}},
            {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}},
        ]));
        container["volumeMounts"] = json!([{"name": "cache", "mountPath": "/cache"}]);
    }
    let mut containers = vec![container];
    if rng.random_bool(0.15) {
        containers
            .push(json!({"name": "helper", "image": "busybox:1.36", "command": ["sleep", "3600"]}));
    }
    spec.insert("containers".into(), Value::Array(containers));
    if with(rng, Family::Image, 0.25) {
        let mut init = vec![json!({"name": "init", "image": "busybox:1.36", "command": ["true"]})];
        if rng.random_bool(0.4) {
            init.push(
                json!({"name": "sidecar", "image": "busybox:1.36", "restartPolicy": "Always"}),
            );
        }
        spec.insert("initContainers".into(), Value::Array(init));
    }
    if with(rng, Family::Tolerations, 0.3) {
        spec.insert("tolerations".into(), json!([
            {"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ]));
    }
    if with(rng, Family::ActiveDeadline, 0.3) {
        spec.insert("activeDeadlineSeconds".into(), json!(600));
    }
    if with(rng, Family::SchedulingGates, 0.3) {
        spec.insert(
            "schedulingGates".into(),
            json!([{"name": "example.com/a"}, {"name": "example.com/b"}]),
        );
    }
    if with(rng, Family::Affinity, 0.2) {
        spec.insert("affinity".into(), json!({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}]}}}));
        spec.insert("nodeSelector".into(), json!({"disk": "ssd"}));
    }
    if rng.random_bool(0.2) {
        meta["annotations"] = json!({"example.com/owner": "team-a"});
    }
    if family == Family::MetadataOther && rng.random_bool(0.5) {
        meta["finalizers"] = json!(["example.com/keep"]);
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": Value::Object(spec)})
}
