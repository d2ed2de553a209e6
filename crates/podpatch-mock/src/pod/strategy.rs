//! The pod strategy's create and update steps (`pkg/registry/core/pod/strategy.go`):
//! `PrepareForCreate` (dropped disabled fields, generated name, uid,
//! generation 1, the Pending status with its QoS class and scheduling-gated
//! condition), `rest.BeforeUpdate` with `PrepareForUpdate` for the pod and
//! its `status`, `ephemeralcontainers` and `resize` strategies
//! (`ResetObjectMetaForStatus`, `dropNonEphemeralContainerUpdates`,
//! `dropNonResizeUpdates`, `updatePodGeneration`), and each strategy's
//! `ValidateUpdate`. The status strategy's own status steps are in
//! [`crate::pod::status_strategy`]. It must not touch the store.

use serde_json::{Value, json};

use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;
use crate::golang::unmarshal;
use crate::merge::fieldpath::Scope;
use crate::pod::admission;
use crate::pod::drop_disabled;
use crate::pod::status_strategy;
use crate::registry::object::{meta_mut, meta_str};
use crate::validation;
use crate::validation::field::FieldError;
use crate::validation::internal_types;
use crate::validation::value::{dig, members};
use crate::version::Version;

/// `PrepareForCreate` (with `BeforeCreate`'s metadata): what a pod gets
/// after admission and before validation, `now` as its creation time.
pub fn prepare_for_create(pod: &mut Value, now: &str) {
    // BeforeCreate / PrepareForCreate.
    if let Some(spec) = pod.get_mut("spec") {
        drop_disabled::drop_disabled(spec, None);
    }
    crate::pod::apparmor::version_skew(pod);
    if Version::current().defaults_pod_level_resources_in_strategy() {
        crate::defaults::default_pod_level_resources(pod);
    }
    let generate = meta_str(pod, "generateName").to_string();
    let qos = admission::qos_class(pod);
    if let Some(meta) = meta_mut(pod) {
        let name_missing = meta
            .get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if name_missing && !generate.is_empty() {
            meta.insert(
                "name".into(),
                json!(format!("{generate}{}", admission::random_suffix(5))),
            );
        }
        meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("creationTimestamp".into(), json!(now));
        // Pods count generations from 1.33 (KEP-5067); before, the
        // strategy leaves what the client sent.
        if Version::current().has_pod_generation() {
            meta.insert("generation".into(), json!(1));
        }
        meta.remove("selfLink");
    }
    let gated = pod
        .at("/spec/schedulingGates")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty());
    let mut status = json!({"phase": "Pending", "qosClass": qos});
    if gated {
        // applySchedulingGatedCondition: through `UpdatePodCondition`
        // (stamped) from 1.31, appended bare (a null time) before.
        let transition = if Version::current().stamps_gated_condition() {
            json!(now)
        } else {
            Value::Null
        };
        status["conditions"] = json!([{
            "type": "PodScheduled",
            "status": "False",
            "lastProbeTime": null,
            "lastTransitionTime": transition,
            "reason": "SchedulingGated",
            "message": "Scheduling is blocked due to non-empty scheduling gates",
        }]);
    }
    if let Some(map) = pod.as_object_mut() {
        map.insert("status".into(), status);
    }
    crate::pod::label_keys::merge_into_selectors(pod);
}

/// Each scope's `ValidateUpdate` (with `ValidateObjectMetaUpdate`'s common
/// fields first). Validation sees Go's non-nil empty lists (`empty_lists`,
/// which the old object gets too, as nil and empty compare equal), a
/// non-nil empty `nodeSelector` when a patch removed its last key, and the
/// new pod's quantities in their parse states (`quantities`);
/// `spec_unchanged` is what [`before_update`] returned.
pub fn validate_update(
    scope: Scope,
    pod: &Value,
    current: &Value,
    empty_lists: &[String],
    quantities: &QuantityStates,
    empty_node_selector: bool,
    spec_unchanged: bool,
) -> Vec<FieldError> {
    let mut errs = validation::common_fields_update(pod, current);
    match scope {
        Scope::Main => {
            // Copies only when there are empty lists to put back.
            let view = |pod: &Value| {
                let mut view = pod.clone();
                unmarshal::restore_empty_lists(&mut view, empty_lists);
                view
            };
            // Restored empty lists leave `Semantic.DeepEqual` as it was:
            // nil and empty compare equal.
            let mut update_errs = if empty_lists.is_empty() {
                validation::validate_update(pod, current, quantities, spec_unchanged)
            } else {
                validation::validate_update(&view(pod), &view(current), quantities, spec_unchanged)
            };
            // Typing drops an empty map, but Go tells a non-nil empty
            // nodeSelector (a patch removed its last key) from nil.
            if empty_node_selector {
                // As JSON (1.34+) or as Go's `%#v` (before).
                let rendered =
                    |map| FieldError::invalid_go("", &internal_types::string_map(map), "").value;
                let (nil, empty) = (rendered(None), rendered(Some(&json!({}))));
                for e in update_errs.iter_mut() {
                    if e.field == "spec.nodeSelector" && e.value == nil {
                        e.value.clone_from(&empty);
                    }
                }
            }
            errs.extend(update_errs);
        }
        Scope::Status => errs.extend(validation::validate_status_update(pod, current)),
        Scope::EphemeralContainers => {
            errs.extend(validation::validate_ephemeral_update(
                pod, current, quantities,
            ));
        }
        Scope::Resize => errs.extend(validation::validate_resize(pod, current, quantities)),
    }
    if Version::current().reports_metadata_causes_once() {
        // The validation passes (common fields, then each scope's
        // `ValidateObjectMetaUpdate` and spec checks) find some faults more
        // than once; 1.37 answers each once, where it was first found.
        let mut seen: Vec<FieldError> = Vec::new();
        errs.retain(|e| {
            let first = !seen.contains(e);
            if first {
                seen.push(e.clone());
            }
            first
        });
    }
    errs
}

/// The old pod with the new object's metadata, except what
/// `ResetObjectMetaForStatus` takes back from the old one (labels,
/// annotations, finalizers, owner references, deletion timestamp,
/// generation): what a subresource strategy starts from.
fn reset_for_subresource(new: &Value, old: &Value) -> Value {
    old_with_new_meta(
        new,
        old,
        &[
            "name",
            "generateName",
            "namespace",
            "resourceVersion",
            "uid",
            "deletionGracePeriodSeconds",
            "managedFields",
        ],
    )
}

/// `dropPodUpdates` (1.32 and older): the old pod with the new object's
/// name, namespace, resourceVersion and uid.
fn drop_pod_updates(new: &Value, old: &Value) -> Value {
    old_with_new_meta(new, old, &["name", "namespace", "resourceVersion", "uid"])
}

/// The old pod with the new object's metadata `keys`.
fn old_with_new_meta(new: &Value, old: &Value, keys: &[&str]) -> Value {
    let mut kept = old.clone();
    if let Some(meta) = meta_mut(&mut kept) {
        for k in keys {
            match new.at(&format!("/metadata/{k}")) {
                Some(v) => meta.insert((*k).into(), v.clone()),
                None => meta.remove(*k),
            };
        }
    }
    kept
}

/// `dropNonResizeUpdates`: the old pod with the new containers' (and init
/// containers') `resources` and `resizePolicy` and the new pod-level
/// `resources`. When containers were added, removed, renamed or reordered
/// it keeps the new pod as it is (`None`; for renames, that list only), for
/// validation to refuse.
fn drop_non_resize_updates(new: &Value, old: &Value) -> Option<Value> {
    let list = |pod: &Value, key: &str| -> Vec<Value> {
        pod.at(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let lists = ["containers", "initContainers"];
    if lists
        .iter()
        .any(|key| list(new, key).len() != list(old, key).len())
    {
        return None;
    }
    let mut kept = reset_for_subresource(new, old);
    let spec = kept.get_mut("spec").and_then(Value::as_object_mut)?;
    for key in lists {
        let (new_list, old_list) = (list(new, key), list(old, key));
        if new_list.is_empty() {
            continue;
        }
        let renamed = new_list
            .iter()
            .zip(&old_list)
            .any(|(n, o)| n.get("name") != o.get("name"));
        let merged: Vec<Value> = if renamed {
            new_list
        } else {
            new_list
                .iter()
                .zip(old_list)
                .map(|(n, mut o)| {
                    if let Some(obj) = o.as_object_mut() {
                        for field in ["resources", "resizePolicy"] {
                            match n.get(field) {
                                Some(v) => obj.insert(field.into(), v.clone()),
                                None => obj.remove(field),
                            };
                        }
                    }
                    o
                })
                .collect()
        };
        spec.insert(key.into(), Value::Array(merged));
    }
    // InPlacePodLevelResourcesVerticalScaling (on in 1.36) keeps the new
    // pod-level resources.
    match new.at("/spec/resources") {
        Some(v) => spec.insert("resources".into(), v.clone()),
        None => spec.remove("resources"),
    };
    Some(kept)
}

/// PodLevelResourcesFixDefaulting (1.37) in the pod and resize strategies'
/// `PrepareForUpdate`: an update that drops the pod-level resources
/// altogether (a client that does not know them) keeps the old ones.
fn keep_pod_level_resources(pod: &mut Value, old: &Value) {
    let Some(resources) = dig(old, &["spec", "resources"]).filter(|v| !v.is_null()) else {
        return;
    };
    if let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut)
        && spec.get("resources").is_none_or(Value::is_null)
    {
        spec.insert("resources".into(), resources.clone());
    }
}

/// `rest.BeforeUpdate` + the pod strategy's `PrepareForUpdate`; `empty_lists`
/// names the empty lists the decoder dropped (Go keeps them non-nil).
/// Returns whether the spec is unchanged under `Semantic.DeepEqual`, which
/// [`validate_update`] asks again of the same specs.
pub fn before_update(pod: &mut Value, old: &Value, scope: Scope, empty_lists: &[String]) -> bool {
    if let Some(spec) = pod.get_mut("spec") {
        drop_disabled::drop_disabled(spec, old.get("spec"));
    }
    if scope == Scope::EphemeralContainers {
        // dropNonEphemeralContainerUpdates: the old pod with the new
        // ephemeral containers and the new metadata but what
        // `ResetObjectMetaForStatus` takes from the old one (1.33); before,
        // `dropPodUpdates`: the old pod whole, managed fields included, but
        // the new name, namespace, resourceVersion and uid.
        let mut kept = if Version::current().has_pod_generation() {
            reset_for_subresource(pod, old)
        } else {
            drop_pod_updates(pod, old)
        };
        if let Some(spec) = kept.get_mut("spec").and_then(Value::as_object_mut) {
            match pod.at("/spec/ephemeralContainers") {
                Some(v) => spec.insert("ephemeralContainers".into(), v.clone()),
                None => spec.remove("ephemeralContainers"),
            };
        }
        *pod = kept;
    }
    if scope == Scope::Resize
        && let Some(kept) = drop_non_resize_updates(pod, old)
    {
        *pod = kept;
    }
    if matches!(scope, Scope::Main | Scope::Resize)
        && Version::current().defaults_pod_level_resources_in_strategy()
    {
        keep_pod_level_resources(pod, old);
        // The resize strategy completes what a resize set or changed.
        if scope == Scope::Resize {
            crate::defaults::default_pod_level_resources(pod);
        }
    }
    if scope == Scope::Status {
        // The status strategy keeps the spec and owner references.
        if let (Some(map), Some(spec)) = (pod.as_object_mut(), old.get("spec")) {
            map.insert("spec".into(), spec.clone());
        }
        if let Some(meta) = meta_mut(pod) {
            match old.at("/metadata/ownerReferences") {
                Some(refs) => meta.insert("ownerReferences".into(), refs.clone()),
                None => meta.remove("ownerReferences"),
            };
        }
        status_strategy::prepare_for_update(pod, old, empty_lists);
    }
    // Read in place (the old metadata can hold megabytes of annotations)
    // and in one pass.
    let [
        old_generation,
        old_uid,
        old_created,
        old_deleted,
        old_grace,
        old_resource_version,
    ] = members(
        old.get("metadata").unwrap_or(&Value::Null),
        [
            "generation",
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "resourceVersion",
        ],
    );
    let old_generation = old_generation.and_then(Value::as_i64).unwrap_or(0);
    // `updatePodGeneration` compares with `Semantic.DeepEqual`: a quantity
    // respelled (`64Mi` as `67108864`) is no spec change.
    let spec_unchanged = crate::golang::semantic::semantic_eq(
        pod.get("spec"),
        old.get("spec"),
        &crate::schema::POD_SPEC_TY,
    );
    if let Some(meta) = meta_mut(pod) {
        if meta
            .get("uid")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
            && let Some(uid) = old_uid
        {
            meta.insert("uid".into(), uid.clone());
        }
        match old_created {
            Some(ts) => meta.insert("creationTimestamp".into(), ts.clone()),
            None => meta.remove("creationTimestamp"),
        };
        // An update can never remove or change a deletion timestamp, and a
        // grace period only comes back when the patch dropped it.
        if let Some(v) = old_deleted {
            meta.insert("deletionTimestamp".into(), v.clone());
        }
        if let Some(v) = old_grace
            && !meta.contains_key("deletionGracePeriodSeconds")
        {
            meta.insert("deletionGracePeriodSeconds".into(), v.clone());
        }
        // `updatePodGeneration` (1.33+); before, `BeforeUpdate` only keeps
        // the stored generation.
        let generation = if !spec_unchanged && Version::current().has_pod_generation() {
            old_generation + 1
        } else {
            old_generation
        };
        if generation == 0 {
            meta.remove("generation");
        } else {
            meta.insert("generation".into(), json!(generation));
        }
        // The server no longer keeps selfLink (RemoveSelfLink, 1.24).
        meta.remove("selfLink");
        // An emptied resourceVersion means "unconditional"; the stored
        // object keeps its own until the write assigns a new one.
        if let Some(rv) = old_resource_version {
            meta.insert("resourceVersion".into(), rv.clone());
        }
    }
    // Most updates leave the status as it was: comparing it costs less
    // than copying it over the equal one.
    if scope == Scope::Main
        && let (Some(map), Some(status)) = (pod.as_object_mut(), old.get("status"))
        && map.get("status") != Some(status)
    {
        map.insert("status".into(), status.clone());
    }
    spec_unchanged
}
