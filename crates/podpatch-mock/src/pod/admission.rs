//! What a real cluster does to a pod on create after decoding: the default
//! admission plugins (NamespaceLifecycle, ServiceAccount with its projected
//! `kube-api-access-*` token volume, Priority, DefaultTolerationSeconds) and
//! the pod strategy's `PrepareForCreate` (status `Pending` with its QoS class,
//! generation 1).
//!
//! Create-only: patches never run these (mutations of admission on update
//! are no-ops for pods in a default cluster). It must not validate.

use serde_json::{Map, Value, json};

use crate::api::status::Status;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity::Quantity;
use crate::registry::store::Store;
use crate::version::Version;

/// Mount path of the service-account token volume.
pub const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Alphabet of `utilrand.String` (no vowels, no look-alikes).
const RAND_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `utilrand.String(n)`: what `generateName` and the token volume use.
pub fn random_suffix(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n)
        .map(|_| RAND_ALPHABET[rng.random_range(0..RAND_ALPHABET.len())] as char)
        .collect()
}

fn pod_name(pod: &Value) -> String {
    pod.at("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// NamespaceLifecycle: the namespace must exist.
pub fn namespace_lifecycle(store: &Store, namespace: &str) -> Result<(), Status> {
    if store.namespaces.contains_key(namespace) {
        Ok(())
    } else {
        Err(Status::not_found("namespaces", namespace))
    }
}

/// Runs the mutating plugins in the order of the default plugin list.
pub fn admit_create(store: &Store, namespace: &str, pod: &mut Value) -> Result<(), Status> {
    namespace_lifecycle(store, namespace)?;
    service_account(store, namespace, pod)?;
    priority(pod)?;
    default_toleration_seconds(pod);
    runtime_class(pod)
}

/// The RuntimeClass plugin's `Admit`: the mock serves no RuntimeClasses, so
/// naming one refuses the pod.
fn runtime_class(pod: &Value) -> Result<(), Status> {
    match pod.at("/spec/runtimeClassName").and_then(Value::as_str) {
        Some(class) if !class.is_empty() => Err(Status::forbidden(
            "pods",
            &pod_name(pod),
            &format!(
                "pod rejected: RuntimeClass {} not found",
                crate::golang::format::go_quote(class)
            ),
        )),
        _ => Ok(()),
    }
}

/// The validating half of the RuntimeClass plugin, run after the strategy's
/// validation: without a RuntimeClass a pod may not carry an overhead.
pub fn validate_create(pod: &Value) -> Result<(), Status> {
    if pod.at("/spec/overhead").is_some_and(|o| !o.is_null()) {
        return Err(Status::forbidden(
            "pods",
            &pod_name(pod),
            "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead",
        ));
    }
    Ok(())
}

fn spec_mut(pod: &mut Value) -> Option<&mut Map<String, Value>> {
    pod.get_mut("spec").and_then(Value::as_object_mut)
}

/// The ServiceAccount admission plugin.
fn service_account(store: &Store, namespace: &str, pod: &mut Value) -> Result<(), Status> {
    let mirror = pod
        .at("/metadata/annotations/kubernetes.io~1config.mirror")
        .is_some();
    if mirror {
        return Ok(());
    }
    let name = pod_name(pod);
    let Some(spec) = spec_mut(pod) else {
        return Ok(());
    };
    let sa_name = match spec.get("serviceAccountName").and_then(Value::as_str) {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "default".to_string(),
    };
    spec.insert("serviceAccountName".into(), json!(sa_name));
    spec.insert("serviceAccount".into(), json!(sa_name));
    let Some(sa) = store
        .service_accounts
        .get(&(namespace.to_string(), sa_name.clone()))
    else {
        return Err(Status::forbidden(
            "pods",
            &name,
            &format!(
                "error looking up service account {namespace}/{sa_name}: serviceaccount \"{sa_name}\" not found"
            ),
        ));
    };
    let automount = match spec
        .get("automountServiceAccountToken")
        .and_then(Value::as_bool)
    {
        Some(pod_says) => pod_says,
        None => sa
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool)
            .unwrap_or(true),
    };
    if automount {
        mount_token(spec);
    }
    if spec
        .get("imagePullSecrets")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
        && let Some(Value::Array(secrets)) = sa.get("imagePullSecrets")
        && !secrets.is_empty()
    {
        spec.insert("imagePullSecrets".into(), Value::Array(secrets.clone()));
    }
    Ok(())
}

fn mount_token(spec: &mut Map<String, Value>) {
    let existing = spec
        .get("volumes")
        .and_then(Value::as_array)
        .and_then(|volumes| {
            volumes
                .iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str))
                .find(|n| n.starts_with("kube-api-access-"))
                .map(str::to_string)
        });
    let has_volume = existing.is_some();
    let volume_name = existing.unwrap_or_else(|| format!("kube-api-access-{}", random_suffix(5)));
    let mount = json!({"name": volume_name, "readOnly": true, "mountPath": TOKEN_MOUNT_PATH});
    let mut needs_volume = false;
    for list in ["initContainers", "containers"] {
        if let Some(Value::Array(containers)) = spec.get_mut(list) {
            for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                let mounts = container
                    .entry("volumeMounts")
                    .or_insert_with(|| Value::Array(Vec::new()));
                if !mounts.is_array() {
                    *mounts = Value::Array(Vec::new());
                }
                if let Value::Array(mounts) = mounts {
                    let present = mounts.iter().any(|m| {
                        m.get("mountPath").and_then(Value::as_str) == Some(TOKEN_MOUNT_PATH)
                    });
                    if !present {
                        mounts.push(mount.clone());
                        needs_volume = true;
                    }
                }
            }
        }
    }
    if needs_volume && !has_volume {
        let volume = json!({
            "name": volume_name,
            "projected": {
                "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
                ],
                "defaultMode": 420,
            },
        });
        let volumes = spec
            .entry("volumes")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(volumes) = volumes {
            volumes.push(volume);
        } else {
            *volumes = Value::Array(vec![volume]);
        }
    }
}

/// The Priority admission plugin with only the built-in system classes.
fn priority(pod: &mut Value) -> Result<(), Status> {
    let name = pod_name(pod);
    let Some(spec) = spec_mut(pod) else {
        return Ok(());
    };
    let class = spec
        .get("priorityClassName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let computed: i64 = match class {
        "" => 0,
        "system-node-critical" => 2_000_001_000,
        "system-cluster-critical" => 2_000_000_000,
        other => {
            return Err(Status::forbidden(
                "pods",
                &name,
                &format!("no PriorityClass with name {other} was found"),
            ));
        }
    };
    if let Some(given) = spec.get("priority").and_then(Value::as_i64)
        && given != computed
    {
        return Err(Status::forbidden(
            "pods",
            &name,
            &format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {computed} from the given PriorityClass name"
            ),
        ));
    }
    spec.insert("priority".into(), json!(computed));
    if let Some(given) = spec.get("preemptionPolicy").and_then(Value::as_str)
        && given != "PreemptLowerPriority"
    {
        return Err(Status::forbidden(
            "pods",
            &name,
            &format!(
                "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name"
            ),
        ));
    }
    spec.insert("preemptionPolicy".into(), json!("PreemptLowerPriority"));
    Ok(())
}

/// The Priority plugin on update: a patch that drops `priority` or
/// `preemptionPolicy` gets the stored values back (validation then refuses
/// any other change to them).
pub fn preserve_priority(pod: &mut Value, old: &Value) {
    let Some(spec) = spec_mut(pod) else {
        return;
    };
    for key in ["priority", "preemptionPolicy"] {
        if spec.get(key).is_none_or(Value::is_null)
            && let Some(v) = old.at(&format!("/spec/{key}")).filter(|v| !v.is_null())
        {
            spec.insert(key.into(), v.clone());
        }
    }
}

/// The DefaultTolerationSeconds admission plugin; it also runs on updates,
/// so a patch that drops the default tolerations gets them back.
pub fn default_toleration_seconds(pod: &mut Value) {
    let Some(spec) = spec_mut(pod) else {
        return;
    };
    let tolerations = spec
        .entry("tolerations")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !tolerations.is_array() {
        *tolerations = Value::Array(Vec::new());
    }
    let Value::Array(list) = tolerations else {
        return;
    };
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let tolerated = list.iter().any(|t| {
            let k = t.get("key").and_then(Value::as_str).unwrap_or("");
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            (k == key || k.is_empty()) && (effect == "NoExecute" || effect.is_empty())
        });
        if !tolerated {
            list.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
        }
    }
}

/// The validating plugins that look at a resize of a bound pod
/// (`NodeDeclaredFeatureValidator`, then `PodResizeValidator`): when the
/// resize changed the spec they fetch the pod's node, which the mock never
/// has, so the answer is the plugins' "not found".
pub fn validate_resize(pod: &Value, old: &Value, name: &str) -> Result<(), Status> {
    let node = pod
        .at("/spec/nodeName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let generation = |p: &Value| p.at("/metadata/generation").and_then(Value::as_i64);
    if node.is_empty() || generation(pod) == generation(old) {
        return Ok(());
    }
    Err(Status::forbidden(
        "pods",
        name,
        &format!("node {} not found", crate::golang::format::go_quote(node)),
    ))
}

/// The pod's QoS class (`qos.GetPodQOS`).
/// `qos.GetPodQOS`: the class the pod's status holds, else computed.
pub fn stored_qos_class(pod: &Value) -> &str {
    match pod.at("/status/qosClass").and_then(Value::as_str) {
        Some(class) if !class.is_empty() => class,
        _ => qos_class(pod),
    }
}

pub fn qos_class(pod: &Value) -> &'static str {
    if Version::current().computes_qos_per_requirements() {
        return per_requirements_qos_class(pod);
    }
    let mut requests: Vec<(&str, Quantity)> = Vec::new();
    let mut limits: Vec<(&str, Quantity)> = Vec::new();
    let mut guaranteed = true;
    let add = |acc: &mut Vec<(&str, Quantity)>, name: &'static str, v: Quantity| {
        if let Some(entry) = acc.iter_mut().find(|(n, _)| *n == name) {
            entry.1 = entry.1.add(&v);
        } else {
            acc.push((name, v));
        }
    };
    // Only amounts above zero count.
    let positive = |v: &Value| {
        v.as_str()
            .and_then(Quantity::parse)
            .filter(|q| !q.is_negative() && !q.is_zero())
    };
    // Pod-level resources, when present, decide alone.
    let pod_level = pod.at("/spec/resources").filter(|r| !r.is_null());
    if let Some(resources) = pod_level {
        for resource in ["cpu", "memory"] {
            let get = |kind: &str| {
                resources
                    .at(&format!("/{kind}/{resource}"))
                    .and_then(positive)
            };
            if let Some(v) = get("requests") {
                add(&mut requests, resource, v);
            }
            if let Some(v) = get("limits") {
                add(&mut limits, resource, v);
            }
        }
        let has_limits = resources
            .get("limits")
            .and_then(Value::as_object)
            .is_some_and(|l| !l.is_empty());
        if has_limits && limits.len() < 2 {
            guaranteed = false;
        }
    }
    for list in ["initContainers", "containers"] {
        if pod_level.is_some() {
            break;
        }
        let Some(containers) = pod.at(&format!("/spec/{list}")).and_then(Value::as_array) else {
            continue;
        };
        for c in containers {
            let mut limit_found = (false, false);
            for resource in ["cpu", "memory"] {
                let get = |kind: &str| {
                    c.at(&format!("/resources/{kind}/{resource}"))
                        .and_then(positive)
                };
                if let Some(v) = get("requests") {
                    add(&mut requests, resource, v);
                }
                if let Some(v) = get("limits") {
                    add(&mut limits, resource, v);
                    if resource == "cpu" {
                        limit_found.0 = true;
                    } else {
                        limit_found.1 = true;
                    }
                }
            }
            if !(limit_found.0 && limit_found.1) {
                guaranteed = false;
            }
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed {
        for (name, r) in &requests {
            let l = limits.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            if l.is_none_or(|l| l != r) {
                guaranteed = false;
            }
        }
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// 1.37's `ComputePodQOS`: pod-level resources decide alone when they name
/// a supported resource (`PodLevelResourcesFixKubeletQOSClass`); otherwise
/// each init and app container has a class of its own, and containers that
/// differ make the pod Burstable.
fn per_requirements_qos_class(pod: &Value) -> &'static str {
    let pod_level = pod.at("/spec/resources").filter(|r| {
        ["requests", "limits"].iter().any(|kind| {
            r.get(kind).and_then(Value::as_object).is_some_and(|list| {
                list.keys()
                    .any(|name| name == "cpu" || name == "memory" || name.starts_with("hugepages-"))
            })
        })
    });
    if let Some(resources) = pod_level {
        return requirements_qos(resources);
    }
    let mut class = None;
    for list in ["initContainers", "containers"] {
        let containers = pod.at(&format!("/spec/{list}")).and_then(Value::as_array);
        for c in containers.into_iter().flatten() {
            let own = requirements_qos(c.get("resources").unwrap_or(&Value::Null));
            match class {
                _ if own == "Burstable" => return own,
                None => class = Some(own),
                Some(seen) if seen != own => return "Burstable",
                Some(_) => {}
            }
        }
    }
    class.unwrap_or("BestEffort")
}

/// `requirementsQOS`: BestEffort without requests and limits, else per cpu
/// and memory: a request unlike its limit (a missing one is zero, a
/// negative one counts) is Burstable, both zero BestEffort, both equal
/// Guaranteed; cpu and memory of different classes make it Burstable.
fn requirements_qos(resources: &Value) -> &'static str {
    let list = |kind: &str| resources.get(kind).and_then(Value::as_object);
    if list("requests").is_none_or(Map::is_empty) && list("limits").is_none_or(Map::is_empty) {
        return "BestEffort";
    }
    let amount = |kind: &str, name: &str| {
        list(kind)
            .and_then(|l| l.get(name))
            .and_then(Value::as_str)
            .and_then(Quantity::parse)
    };
    let mut class = None;
    for name in ["cpu", "memory"] {
        let (request, limit) = (amount("requests", name), amount("limits", name));
        let equal = match (&request, &limit) {
            (None, None) => true,
            (Some(q), None) | (None, Some(q)) => q.is_zero(),
            (Some(r), Some(l)) => r == l,
        };
        let own = if !equal {
            return "Burstable";
        } else if request.is_none_or(|q| q.is_zero()) {
            "BestEffort"
        } else {
            "Guaranteed"
        };
        match class {
            None => class = Some(own),
            Some(seen) if seen != own => return "Burstable",
            Some(_) => {}
        }
    }
    class.unwrap_or("BestEffort")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(json!({}), "BestEffort")]
    #[case(json!({"requests": {"cpu": "100m"}}), "Burstable")]
    #[case(json!({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m", "memory": "1Gi"}}), "Guaranteed")]
    #[case(json!({"limits": {"cpu": "1"}, "requests": {"cpu": "1"}}), "Burstable")]
    fn qos(#[case] resources: Value, #[case] class: &str) {
        let pod = json!({"spec": {"containers": [{"name": "c", "resources": resources}]}});
        for minor in [36, 37] {
            let class_at = Version::new(minor).expect("minor").run(|| qos_class(&pod));
            assert_eq!(class_at, class, "1.{minor}");
        }
    }

    /// 1.37 counts a negative request (older minors skip amounts not above
    /// zero) and classes each container on its own.
    #[rstest]
    #[case::negative_request(json!([{"resources": {"requests": {"cpu": "-2"}}}]), "BestEffort", "Burstable")]
    #[case::zero_request_and_limit(json!([{"resources": {"requests": {"cpu": "0"}, "limits": {"cpu": "0"}}}]), "BestEffort", "BestEffort")]
    #[case::guaranteed_and_best_effort(json!([
        {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}}},
        {"resources": {}}]), "Burstable", "Burstable")]
    fn qos_by_minor(#[case] containers: Value, #[case] at_36: &str, #[case] at_37: &str) {
        let pod = json!({"spec": {"containers": containers}});
        let class_at = |minor| Version::new(minor).expect("minor").run(|| qos_class(&pod));
        assert_eq!((class_at(36), class_at(37)), (at_36, at_37));
    }

    #[test]
    fn service_account_mounts_token_everywhere() {
        let store = Store::booted();
        let mut pod = json!({"metadata": {"name": "web"}, "spec": {
            "initContainers": [{"name": "i", "image": "busybox"}],
            "containers": [{"name": "c", "image": "nginx"}]}});
        admit_create(&store, "default", &mut pod).expect("admitted");
        let volume = pod["spec"]["volumes"][0]["name"].as_str().unwrap_or("");
        assert!(volume.starts_with("kube-api-access-") && volume.len() == 21);
        assert_eq!(
            pod["spec"]["containers"][0]["volumeMounts"][0]["name"],
            json!(volume)
        );
        assert_eq!(
            pod["spec"]["initContainers"][0]["volumeMounts"][0]["mountPath"],
            json!(TOKEN_MOUNT_PATH)
        );
        assert_eq!(pod["spec"]["tolerations"].as_array().map(Vec::len), Some(2));
        assert_eq!(pod["spec"]["priority"], json!(0));
    }

    #[test]
    fn missing_service_account_is_forbidden() {
        let store = Store::booted();
        let mut pod = json!({"metadata": {"name": "web"}, "spec": {"serviceAccountName": "robot", "containers": []}});
        let err = admit_create(&store, "default", &mut pod).expect_err("forbidden");
        assert_eq!(err.code, 403);
        assert_eq!(
            err.message,
            "pods \"web\" is forbidden: error looking up service account default/robot: serviceaccount \"robot\" not found"
        );
    }
}
