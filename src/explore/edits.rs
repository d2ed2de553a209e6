//! The changes a generated request makes, per field family: where in the
//! pod (a path of keys and list indexes, existing or not) and what value
//! (valid, edge or invalid; `None` removes). The patch bodies of
//! [`crate::explore::bodies`] are written from them.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Value, json};

use crate::explore::family::Family;
use crate::explore::values::{edge_string, edge_value, label_key, quantity};

/// One change a request makes: where (a path of object keys and list
/// indexes under the pod) and what (`None` removes).
pub struct Edit {
    pub path: Vec<Step>,
    pub value: Option<Value>,
}

#[derive(Clone)]
pub enum Step {
    Key(String),
    Index(usize),
}

fn key(k: &str) -> Step {
    Step::Key(k.to_string())
}

pub fn at(pod: &Value, path: &[Step]) -> Option<Value> {
    let mut v = pod;
    for s in path {
        v = match s {
            Step::Key(k) => v.get(k)?,
            Step::Index(i) => v.get(i)?,
        };
    }
    Some(v.clone())
}

fn spec(parts: &[Step]) -> Vec<Step> {
    let mut p = vec![key("spec")];
    p.extend(parts.iter().cloned());
    p
}

fn container_path(rng: &mut StdRng, pod: &Value, rest: &[Step]) -> Vec<Step> {
    let list = if pod["spec"].get("initContainers").is_some() && rng.random_bool(0.3) {
        "initContainers"
    } else {
        "containers"
    };
    let n = pod["spec"][list].as_array().map_or(1, Vec::len);
    let index = if rng.random_bool(0.9) {
        rng.random_range(0..n)
    } else {
        n
    };
    let mut p = spec(&[key(list), Step::Index(index)]);
    p.extend(rest.iter().cloned());
    p
}

/// One to three edits of the family's fields.
pub fn edits(rng: &mut StdRng, family: Family, pod: &Value) -> Vec<Edit> {
    let n = 1 + usize::from(rng.random_bool(0.3)) + usize::from(rng.random_bool(0.1));
    (0..n).map(|_| edit(rng, family, pod)).collect()
}

fn maybe_remove(rng: &mut StdRng, value: Value) -> Option<Value> {
    (!rng.random_bool(0.15)).then_some(value)
}

fn edit(rng: &mut StdRng, family: Family, pod: &Value) -> Edit {
    let (path, value) = match family {
        Family::Labels => {
            let k = label_key(rng);
            let v = if rng.random_bool(0.8) {
                edge_string(rng)
            } else {
                edge_value(rng)
            };
            (vec![key("metadata"), key("labels"), Step::Key(k)], v)
        }
        Family::Annotations => {
            let k = label_key(rng);
            let v = if rng.random_bool(0.9) {
                edge_string(rng)
            } else {
                edge_value(rng)
            };
            (vec![key("metadata"), key("annotations"), Step::Key(k)], v)
        }
        Family::MetadataOther => {
            let field = *[
                "finalizers",
                "ownerReferences",
                "generateName",
                "name",
                "namespace",
                "uid",
                "resourceVersion",
                "deletionGracePeriodSeconds",
                "creationTimestamp",
                "generation",
            ]
            .choose(rng)
            .unwrap_or(&"finalizers");
            let v = match field {
                "finalizers" => json!([edge_string(rng)]),
                "ownerReferences" => {
                    json!([{"apiVersion": "v1", "kind": "ConfigMap", "name": edge_string(rng),
                    "uid": *["6e3e5d0e-1111-4b8a-9f0e-2b9a6a1c0d11", "", "not-a-uid"].choose(rng).unwrap_or(&"")}])
                }
                "generation" | "deletionGracePeriodSeconds" => edge_value(rng),
                _ => edge_string(rng),
            };
            (vec![key("metadata"), key(field)], v)
        }
        Family::Image => {
            let v = *[
                "busybox:1.36",
                "",
                " nginx",
                "nginx ",
                "registry.example.com:5000/team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "UPPER/case",
            ]
            .choose(rng)
            .unwrap_or(&"busybox:1.36");
            let value = if rng.random_bool(0.9) {
                json!(v)
            } else {
                edge_value(rng)
            };
            (container_path(rng, pod, &[key("image")]), value)
        }
        Family::Tolerations => {
            let n = pod["spec"]["tolerations"].as_array().map_or(0, Vec::len);
            let i = rng.random_range(0..=n);
            let field = *["tolerationSeconds", "effect", "operator", "key", "value"]
                .choose(rng)
                .unwrap_or(&"key");
            if rng.random_bool(0.4) {
                let t = json!({"key": label_key(rng), "operator": *["Equal", "Exists", "Bogus"].choose(rng).unwrap_or(&"Equal"),
                    "value": edge_string(rng), "effect": *["NoSchedule", "NoExecute", "PreferNoSchedule", ""].choose(rng).unwrap_or(&""),
                    "tolerationSeconds": edge_value(rng)});
                (spec(&[key("tolerations"), Step::Index(i)]), t)
            } else {
                let v = if field == "tolerationSeconds" {
                    edge_value(rng)
                } else {
                    edge_string(rng)
                };
                (
                    spec(&[
                        key("tolerations"),
                        Step::Index(i.min(n.saturating_sub(1))),
                        key(field),
                    ]),
                    v,
                )
            }
        }
        Family::ActiveDeadline => {
            let v = [
                json!(1),
                json!(300),
                json!(599),
                json!(601),
                json!(0),
                json!(-5),
                json!(4294967296i64),
                json!("300"),
                json!(1.5),
            ]
            .choose(rng)
            .cloned()
            .unwrap_or(Value::Null);
            (spec(&[key("activeDeadlineSeconds")]), v)
        }
        Family::SchedulingGates => {
            let n = pod["spec"]["schedulingGates"]
                .as_array()
                .map_or(0, Vec::len);
            let i = rng.random_range(0..=n);
            (
                spec(&[key("schedulingGates"), Step::Index(i)]),
                json!({"name": edge_string(rng)}),
            )
        }
        Family::Resources | Family::Resize => {
            let kind = *["requests", "limits"].choose(rng).unwrap_or(&"requests");
            let res = *[
                "cpu",
                "memory",
                "ephemeral-storage",
                "example.com/gpu",
                "hugepages-2Mi",
            ]
            .choose(rng)
            .unwrap_or(&"cpu");
            (
                container_path(rng, pod, &[key("resources"), key(kind), key(res)]),
                quantity(rng),
            )
        }
        Family::Probes => {
            let probe = *["readinessProbe", "livenessProbe", "startupProbe"]
                .choose(rng)
                .unwrap_or(&"readinessProbe");
            let field = *[
                "periodSeconds",
                "timeoutSeconds",
                "failureThreshold",
                "httpGet",
                "exec",
                "terminationGracePeriodSeconds",
            ]
            .choose(rng)
            .unwrap_or(&"periodSeconds");
            let v = match field {
                "httpGet" => json!({"path": edge_string(rng), "port": edge_value(rng)}),
                "exec" => json!({"command": [edge_string(rng)]}),
                _ => edge_value(rng),
            };
            (container_path(rng, pod, &[key(probe), key(field)]), v)
        }
        Family::SecurityContext => {
            let field = *[
                "runAsUser",
                "runAsGroup",
                "runAsNonRoot",
                "privileged",
                "readOnlyRootFilesystem",
                "procMount",
                "capabilities",
            ]
            .choose(rng)
            .unwrap_or(&"runAsUser");
            let v = if field == "capabilities" {
                json!({"add": [edge_string(rng)]})
            } else {
                edge_value(rng)
            };
            if rng.random_bool(0.5) {
                (
                    container_path(rng, pod, &[key("securityContext"), key(field)]),
                    v,
                )
            } else {
                (spec(&[key("securityContext"), key(field)]), v)
            }
        }
        Family::Affinity => {
            let v = json!([{"matchExpressions": [{"key": label_key(rng),
                "operator": *["In", "NotIn", "Exists", "Gt", "Bogus"].choose(rng).unwrap_or(&"In"),
                "values": [edge_string(rng)]}]}]);
            (
                spec(&[
                    key("affinity"),
                    key("nodeAffinity"),
                    key("requiredDuringSchedulingIgnoredDuringExecution"),
                    key("nodeSelectorTerms"),
                ]),
                v,
            )
        }
        Family::Volumes => {
            let n = pod["spec"]["volumes"].as_array().map_or(0, Vec::len);
            let i = rng.random_range(0..=n);
            let v = match rng.random_range(0..4) {
                0 => json!({"name": edge_string(rng), "emptyDir": {"sizeLimit": quantity(rng)}}),
                1 => {
                    json!({"name": "data", "hostPath": {"path": edge_string(rng), "type": edge_string(rng)}})
                }
                2 => {
                    json!({"name": "data", "secret": {"secretName": edge_string(rng), "defaultMode": edge_value(rng)}})
                }
                _ => {
                    json!({"name": "data", "downwardAPI": {"items": [{"path": edge_string(rng), "fieldRef": {"fieldPath": "metadata.labels"}}]}})
                }
            };
            (spec(&[key("volumes"), Step::Index(i)]), v)
        }
        Family::Env => {
            let v = json!({"name": edge_string(rng), "value": edge_value(rng)});
            (container_path(rng, pod, &[key("env"), Step::Index(0)]), v)
        }
        Family::ImmutableSpec => {
            let field = *[
                "nodeName",
                "restartPolicy",
                "dnsPolicy",
                "hostname",
                "priority",
                "serviceAccountName",
                "terminationGracePeriodSeconds",
                "hostNetwork",
            ]
            .choose(rng)
            .unwrap_or(&"nodeName");
            (spec(&[key(field)]), edge_value(rng))
        }
        Family::Status => {
            let v = match rng.random_range(0..4) {
                0 => {
                    json!([{"type": *["Ready", "PodScheduled", "Custom"].choose(rng).unwrap_or(&"Ready"),
                    "status": *["True", "False", "Maybe"].choose(rng).unwrap_or(&"True"),
                    "lastTransitionTime": edge_string(rng)}])
                }
                1 => json!(
                    *["Running", "Pending", "Failed", "Bogus"]
                        .choose(rng)
                        .unwrap_or(&"Running")
                ),
                2 => json!(
                    *["10.0.0.1", "fd00::1", "010.0.0.1", "not-an-ip"]
                        .choose(rng)
                        .unwrap_or(&"10.0.0.1")
                ),
                _ => json!(edge_string(rng)),
            };
            let field = match v {
                Value::Array(_) => "conditions",
                Value::String(ref s) if s.contains('.') || s.contains(':') => "podIP",
                _ => *["phase", "message", "reason", "nominatedNodeName"]
                    .choose(rng)
                    .unwrap_or(&"phase"),
            };
            (vec![key("status"), key(field)], v)
        }
        Family::EphemeralContainers => {
            let v = json!([{"name": edge_string(rng), "image": "busybox:1.36",
                "targetContainerName": *["web", "missing"].choose(rng).unwrap_or(&"web")}]);
            (spec(&[key("ephemeralContainers")]), v)
        }
    };
    let value = maybe_remove(rng, value);
    Edit { path, value }
}
