//! `ValidatePodResize` (`pkg/apis/core/validation/validation.go`, 1.33 to
//! 1.37): what the `pods/resize` subresource accepts after
//! `dropNonResizeUpdates` kept only container, init container and pod-level
//! resources and resize policies. From 1.36 `InPlacePodLevelResourcesVerticalScaling`
//! and `InPlacePodVerticalScalingInitContainers` are on, so pod-level
//! resources and every init container may be resized; before, only sidecars
//! among init containers, and pods with pod-level resources not at all.
//!
//! Comparisons are `Semantic.DeepEqual`'s ([`semantic_eq`]): quantities by
//! amount, nil and empty maps alike. It inspects values only.

use serde_json::{Map, Value, json};

use crate::golang::json_pointer::Lookup;
use crate::golang::quantity::Quantity;
use crate::golang::quantity_states::QuantityStates;
use crate::golang::semantic::semantic_eq;
use crate::schema::{POD_SPEC_TY, Ty};
use crate::validation::field::FieldError;
use crate::validation::field::ROOT_PATH;
use crate::validation::pod::{MIRROR, metadata_and_spec};
use crate::validation::value::{arr, present, s};
use crate::version::Version;

/// `ValidatePodResize`, which opens with the core package's
/// `ValidateObjectMetaUpdate` (finalizer names included); `quantities` are
/// the new pod's parse states.
pub fn validate_resize(new: &Value, old: &Value, quantities: &QuantityStates) -> Vec<FieldError> {
    let mut errs =
        crate::validation::objectmeta::core_object_meta_update(&new["metadata"], &old["metadata"]);
    errs.extend(metadata_and_spec(new, Some(&old["spec"]), quantities));
    let version = Version::current();
    let (ns, os) = (&new["spec"], &old["spec"]);
    let pod_level = pod_level_set(os) || pod_level_set(ns);
    if pod_level && version.refuses_pod_level_resize_first() {
        return vec![FieldError::forbidden(
            ROOT_PATH,
            "pods with pod-level resources cannot be resized",
        )];
    }
    if old
        .at("/metadata/annotations")
        .and_then(|a| a.get(MIRROR))
        .is_some()
    {
        return vec![FieldError::forbidden(
            ROOT_PATH,
            "static pods cannot be resized",
        )];
    }
    if old.at("/spec/os/name").and_then(Value::as_str) == Some("windows") {
        return vec![FieldError::forbidden(
            ROOT_PATH,
            "windows pods cannot be resized",
        )];
    }
    // `qos.GetPodQOS` reads the stored class; the new one is computed.
    let old_qos = crate::pod::admission::stored_qos_class(old);
    if old_qos != crate::pod::admission::qos_class(new) {
        errs.push(FieldError::invalid(
            "spec",
            json!(
                new.at("/status/qosClass")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ),
            "Pod QOS Class may not change as a result of resizing",
        ));
    }
    if !resize_supported(old) {
        errs.push(FieldError::forbidden(
            "spec",
            "Pod running on node without support for resize",
        ));
    }
    let mut munged = ns.clone();
    if pod_level {
        if !version.resizes_pod_level_resources() {
            errs.push(FieldError::forbidden(
                ROOT_PATH,
                "resize of pods with pod-level resources is forbidden when InPlacePodLevelResourcesVerticalScalingEnabled feature gate is disabled",
            ));
            return errs;
        }
        errs.extend(pod_level_resources(ns, os, &mut munged));
    }
    if !arr(&old["status"], "nodeAllocatableResourceClaimStatuses").is_empty() {
        errs.push(FieldError::forbidden(
            "spec",
            "pods with node allocatable resource claims cannot be resized",
        ));
    }
    let order = container_order(ns, os);
    if !order.is_empty() {
        errs.extend(order);
        return errs;
    }
    for list in ["initContainers", "containers"] {
        for (i, o) in arr(os, list).iter().enumerate() {
            // Before 1.36 only sidecars among init containers are resized.
            if list == "initContainers"
                && !version.resizes_init_containers()
                && s(o, "restartPolicy") != "Always"
            {
                continue;
            }
            let n = &arr(ns, list)[i];
            let path = format!("spec.{list}[{i}].resources");
            for kind in ["requests", "limits"] {
                if removed(&n["resources"], &o["resources"], kind) {
                    errs.push(FieldError::forbidden(
                        format!("{path}.{kind}"),
                        format!("resource {kind} cannot be removed"),
                    ));
                }
            }
            if version.keeps_memory_limits_from_shrinking() {
                errs.extend(memory_limit_decrease(
                    n,
                    o,
                    &format!("{path}.limits[memory]"),
                ));
            }
        }
    }
    let container_ty = container_ty();
    let mut munged_list = Vec::new();
    for (i, c) in arr(ns, "containers").iter().enumerate() {
        let o = &arr(os, "containers")[i];
        let c = drop_cpu_memory(c, o);
        if !semantic_eq(Some(&c), Some(o), container_ty) {
            errs.push(FieldError::forbidden(
                "spec",
                "only cpu and memory resources are mutable",
            ));
        }
        munged_list.push(c);
    }
    set_list(&mut munged, "containers", munged_list);
    let mut munged_list = Vec::new();
    for (i, c) in arr(ns, "initContainers").iter().enumerate() {
        let o = &arr(os, "initContainers")[i];
        let restartable = s(c, "restartPolicy") == "Always";
        let modified = !semantic_eq(Some(c), Some(o), container_ty);
        if !restartable && !version.resizes_init_containers() {
            if modified {
                errs.push(FieldError::forbidden(
                    "spec",
                    "resources for non-sidecar init containers are immutable",
                ));
            }
            munged_list.push(c.clone());
            continue;
        }
        let c = drop_cpu_memory(c, o);
        let path = format!("spec.initContainers[{i}]");
        if !semantic_eq(Some(&c), Some(o), container_ty) {
            errs.push(if version.resizes_init_containers() {
                FieldError::forbidden(
                    &path,
                    "only cpu and memory resources for init or sidecar containers are mutable",
                )
            } else {
                FieldError::forbidden(
                    "spec",
                    "only cpu and memory resources for sidecar containers are mutable",
                )
            });
        }
        if modified && !restartable {
            for p in arr(&c, "resizePolicy") {
                if s(p, "restartPolicy") == "RestartContainer" {
                    errs.push(FieldError::forbidden(
                        &path,
                        "non-sidecar init containers with a resize policy of RestartContainer cannot be resized",
                    ));
                }
            }
        }
        munged_list.push(c);
    }
    set_list(&mut munged, "initContainers", munged_list);
    if !errs.is_empty() {
        return errs;
    }
    if !semantic_eq(Some(&munged), Some(os), &POD_SPEC_TY) {
        errs.push(FieldError::forbidden(
            "spec",
            "only cpu and memory resources are mutable",
        ));
    }
    errs
}

fn container_ty() -> &'static Ty {
    POD_SPEC_TY
        .member("containers")
        .and_then(Ty::as_list)
        .map_or(&Ty::Any, |list| &list.item)
}

fn resources_ty() -> &'static Ty {
    POD_SPEC_TY.member("resources").unwrap_or(&Ty::Any)
}

/// A list put back into the munged spec (an empty one stays away).
fn set_list(spec: &mut Value, key: &str, list: Vec<Value>) {
    if let Some(map) = spec.as_object_mut() {
        if list.is_empty() {
            map.remove(key);
        } else {
            map.insert(key.into(), Value::Array(list));
        }
    }
}

/// `isPodResizeRequestSupported`: the first running container must report
/// its resources (a node that does not would not resize it).
fn resize_supported(pod: &Value) -> bool {
    for c in arr(&pod["status"], "containerStatuses") {
        if c.at("/state/running").is_some_and(|r| !r.is_null()) {
            return c.get("resources").is_some_and(|r| !r.is_null());
        }
    }
    true
}

/// Pod-level resources with at least one request or limit.
fn pod_level_set(spec: &Value) -> bool {
    let count = |kind: &str| {
        spec.at(&format!("/resources/{kind}"))
            .and_then(Value::as_object)
            .map_or(0, Map::len)
    };
    count("requests") + count("limits") > 0
}

/// The 1.33 special case of `validateContainerResize`: unless memory's
/// resize policy is `RestartContainer`, a memory limit may not go down, and
/// adding one lowers it from "max".
fn memory_limit_decrease(new: &Value, old: &Value, path: &str) -> Vec<FieldError> {
    let restart = arr(new, "resizePolicy")
        .iter()
        .find(|p| s(p, "resourceName") == "memory")
        .is_some_and(|p| !matches!(s(p, "restartPolicy"), "NotRequired" | ""));
    let limit = |c: &Value| {
        c.at("/resources/limits/memory").map(|v| match v {
            Value::String(text) => Quantity::parse(text),
            other => Quantity::parse(&other.to_string()),
        })
    };
    let detail = match (limit(new), limit(old)) {
        _ if restart => return Vec::new(),
        (Some(Some(n)), Some(Some(o))) if n < o => "decreased",
        (Some(_), None) => "added",
        _ => return Vec::new(),
    };
    vec![FieldError::forbidden(
        path,
        format!("memory limits cannot be {detail} unless resizePolicy is RestartContainer"),
    )]
}

/// `resourcesRemoved` for `resources.<kind>`.
fn removed(new: &Value, old: &Value, kind: &str) -> bool {
    let keys = |v: &Value| {
        v.get(kind)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let (n, o) = (keys(new), keys(old));
    o.len() > n.len() || o.iter().any(|k| !n.contains(k))
}

/// `validatePodLevelResourcesResize`; leaves the munged pod-level resources
/// in `munged` for the final comparison.
fn pod_level_resources(ns: &Value, os: &Value, munged: &mut Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let (new_res, old_res) = (present(ns, "resources"), present(os, "resources"));
    let Some(new_res) = new_res else {
        if old_res.is_some() {
            errs.push(FieldError::forbidden(
                "spec.resources",
                "pod-level resources cannot be removed",
            ));
        }
        return errs;
    };
    if let Some(old_res) = old_res {
        for kind in ["requests", "limits"] {
            if removed(new_res, old_res, kind) {
                errs.push(FieldError::forbidden(
                    format!("spec.resources.{kind}"),
                    format!("pod-level resource {kind} cannot be removed"),
                ));
            }
        }
    }
    let dropped = drop_cpu_memory_requirements(new_res, old_res);
    let equal = match (&dropped, old_res) {
        (None, None) => true,
        (Some(d), Some(o)) => semantic_eq(Some(d), Some(o), resources_ty()),
        _ => false,
    };
    if !equal {
        errs.push(FieldError::forbidden(
            "spec",
            "only cpu and memory resources are mutable at pod-level",
        ));
    }
    if let Some(map) = munged.as_object_mut() {
        match dropped {
            Some(d) => map.insert("resources".into(), d),
            None => map.remove("resources"),
        };
    }
    errs
}

/// `dropCPUMemoryUpdates`: the list without its cpu and memory, which come
/// from the old list when it has them (`None` stays `None` when both are,
/// and before 1.35 whenever the old list is).
fn drop_cpu_memory_list(list: Option<&Value>, old: Option<&Value>) -> Option<Value> {
    let list = list.filter(|v| !v.is_null());
    let old = old.filter(|v| !v.is_null());
    if old.is_none()
        && (list.is_none() || Version::current().ignores_resize_lists_new_to_a_container())
    {
        return None;
    }
    let mut out = list.and_then(Value::as_object).cloned().unwrap_or_default();
    for key in ["cpu", "memory"] {
        out.remove(key);
        if let Some(v) = old.and_then(|o| o.get(key)) {
            out.insert(key.into(), v.clone());
        }
    }
    Some(Value::Object(out))
}

/// `dropCPUMemoryResourcesFromContainer`: the container with the old cpu
/// and memory amounts and its resources reduced to requests and limits (and
/// its own resource claims from 1.37, so that only a change of them counts).
fn drop_cpu_memory(c: &Value, old: &Value) -> Value {
    let mut c = c.clone();
    let mut res = Map::new();
    if Version::current().compares_resize_claims()
        && let Some(claims) = c.at("/resources/claims").filter(|v| !v.is_null())
    {
        res.insert("claims".into(), claims.clone());
    }
    for kind in ["limits", "requests"] {
        let list = drop_cpu_memory_list(
            c.at(&format!("/resources/{kind}")),
            old.at(&format!("/resources/{kind}")),
        );
        if let Some(list) = list.filter(|l| l.as_object().is_some_and(|m| !m.is_empty())) {
            res.insert(kind.into(), list);
        }
    }
    if let Some(map) = c.as_object_mut() {
        map.insert("resources".into(), Value::Object(res));
    }
    c
}

/// `dropCPUMemoryResourceRequirementsUpdates` for pod-level resources.
fn drop_cpu_memory_requirements(res: &Value, old: Option<&Value>) -> Option<Value> {
    let mut out = res.as_object().cloned().unwrap_or_default();
    for kind in ["requests", "limits"] {
        match drop_cpu_memory_list(res.get(kind), old.and_then(|o| o.get(kind))) {
            Some(list) if list.as_object().is_some_and(|m| !m.is_empty()) => {
                out.insert(kind.into(), list);
            }
            _ => {
                out.remove(kind);
            }
        }
    }
    let empty = |k: &str| {
        out.get(k)
            .is_none_or(|v| v.is_null() || v.as_array().is_some_and(Vec::is_empty))
    };
    if old.is_none() && empty("requests") && empty("limits") && empty("claims") {
        return None;
    }
    Some(Value::Object(out))
}

/// `validatePodResizeContainerOrdering`.
fn container_order(ns: &Value, os: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for list in ["containers", "initContainers"] {
        let (n, o) = (arr(ns, list), arr(os, list));
        if n.len() != o.len() {
            errs.push(FieldError::forbidden(
                format!("spec.{list}"),
                format!("{list} may not be added or removed on resize"),
            ));
            continue;
        }
        for (i, (n, o)) in n.iter().zip(o).enumerate() {
            if s(n, "name") != s(o, "name") {
                errs.push(FieldError::forbidden(
                    format!("spec.{list}[{i}].name"),
                    format!("{list} may not be renamed or reordered on resize"),
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::POD_TY;

    fn pod(resources: Value) -> Value {
        json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u", "resourceVersion": "1"},
            "spec": {"containers": [{"name": "web", "image": "nginx", "resources": resources,
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File", "imagePullPolicy": "IfNotPresent"}],
                "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
                "schedulerName": "default-scheduler", "securityContext": {},
                "terminationGracePeriodSeconds": 30, "enableServiceLinks": true},
            "status": {"qosClass": "Burstable"},
        })
    }

    #[test]
    fn cpu_change_passes_storage_change_does_not() {
        let old = pod(json!({"requests": {"cpu": "100m", "ephemeral-storage": "1Gi"}}));
        let new = pod(json!({"requests": {"cpu": "200m", "ephemeral-storage": "1Gi"}}));
        assert_eq!(
            validate_resize(&new, &old, &QuantityStates::default()),
            vec![]
        );
        let new = pod(json!({"requests": {"cpu": "100m", "ephemeral-storage": "2Gi"}}));
        let errs = validate_resize(&new, &old, &QuantityStates::default());
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec");
        // Respelled amounts are no change.
        let new = pod(json!({"requests": {"cpu": "0.1", "ephemeral-storage": "1073741824"}}));
        assert_eq!(
            validate_resize(&new, &old, &QuantityStates::default()),
            vec![]
        );
    }

    #[test]
    fn removals_and_qos() {
        let old = pod(json!({"requests": {"cpu": "100m", "memory": "1Gi"}}));
        let new = pod(json!({"requests": {"cpu": "100m"}}));
        let fields: Vec<String> = validate_resize(&new, &old, &QuantityStates::default())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, vec!["spec.containers[0].resources.requests"]);
        let new = pod(json!({}));
        let fields: Vec<String> = validate_resize(&new, &old, &QuantityStates::default())
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec!["spec", "spec.containers[0].resources.requests"]
        );
    }

    #[test]
    fn static_and_windows_pods() {
        let mut old = pod(json!({}));
        old["spec"]["os"] = json!({"name": "windows"});
        let errs = validate_resize(&old, &old, &QuantityStates::default());
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "[]");
    }

    #[test]
    fn type_of_containers_is_known() {
        assert!(matches!(container_ty(), Ty::Struct(_)));
        assert!(matches!(resources_ty().resolved(), Ty::Struct(_)));
        assert!(POD_TY.member("spec").is_some());
    }
}
