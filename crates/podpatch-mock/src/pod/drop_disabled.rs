//! Feature gates, not scheduling gates: `DropDisabledPodFields`
//! (`pkg/api/pod/util.go`) for the gated pod fields the mock models: a field
//! whose feature gate is off (1.36 defaults) is cleared on create, and on
//! update unless the old pod already used it. This runs after the field
//! manager has recorded the fields, as the pod strategy does.

use serde_json::Value;

use crate::golang::json_pointer::Lookup;
use crate::version::Version;

/// Projection sources behind gates that are off by default up to 1.36
/// (`ClusterTrustBundleProjection`, `PodCertificateRequest`; on in 1.37).
const GATED_PROJECTIONS: &[&str] = &["clusterTrustBundle", "podCertificate"];

fn projections(spec: &Value) -> impl Iterator<Item = &Value> {
    spec.get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.at("/projected/sources").and_then(Value::as_array))
        .flatten()
}

/// Clears gated fields from `spec`; `old` is the stored spec on update.
/// `resizePolicy` goes too before 1.33, when in-place resize was alpha, and
/// a set `procMount` reads `Default`.
pub fn drop_disabled(spec: &mut Value, old: Option<&Value>) {
    drop_stop_signals(spec);
    if !Version::current().keeps_proc_mount() && !old.is_some_and(proc_mount_in_use) {
        default_proc_mounts(spec);
    }
    if !Version::current().has_resize_subresource() && !old.is_some_and(resize_policy_in_use) {
        drop_resize_policies(spec);
    }
    if !Version::current().enables_dynamic_resource_allocation()
        && !old.is_some_and(resource_claims_in_use)
    {
        drop_resource_claims(spec);
    }
    // `GenericWorkload` is off: `schedulingGroup` goes unless already in use.
    let group_in_use = old.is_some_and(|o| o.get("schedulingGroup").is_some_and(|g| !g.is_null()));
    if !group_in_use && let Some(map) = spec.as_object_mut() {
        map.remove("schedulingGroup");
    }
    let gated = if Version::current().keeps_certificate_projections() {
        &[][..]
    } else {
        GATED_PROJECTIONS
    };
    for source in gated {
        let in_use = old
            .is_some_and(|o| projections(o).any(|p| p.get(*source).is_some_and(|v| !v.is_null())));
        if in_use {
            continue;
        }
        let Some(volumes) = spec.get_mut("volumes").and_then(Value::as_array_mut) else {
            continue;
        };
        for volume in volumes {
            if let Some(Value::Array(sources)) = volume.at_mut("/projected/sources") {
                for projection in sources.iter_mut().filter_map(Value::as_object_mut) {
                    projection.remove(*source);
                }
            }
        }
    }
}

const CONTAINER_LISTS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// Every container of `spec` (`VisitContainers` with `AllContainers`).
fn all_containers(spec: &Value) -> impl Iterator<Item = &Value> {
    CONTAINER_LISTS
        .iter()
        .filter_map(|list| spec.get(*list).and_then(Value::as_array))
        .flatten()
}

/// `inPlacePodVerticalScalingInUse`: some container has a resize policy.
fn resize_policy_in_use(spec: &Value) -> bool {
    all_containers(spec).any(|c| {
        c.get("resizePolicy")
            .and_then(Value::as_array)
            .is_some_and(|p| !p.is_empty())
    })
}

/// Drops every container's `resizePolicy` (`InPlacePodVerticalScaling` off,
/// before 1.33).
fn drop_resize_policies(spec: &mut Value) {
    for list in CONTAINER_LISTS {
        if let Some(Value::Array(items)) = spec.get_mut(list) {
            for c in items.iter_mut().filter_map(Value::as_object_mut) {
                c.remove("resizePolicy");
            }
        }
    }
}

/// `procMountInUse`: some container's `procMount` is set and not `Default`.
fn proc_mount_in_use(spec: &Value) -> bool {
    all_containers(spec)
        .filter_map(|c| c.at("/securityContext/procMount"))
        .any(|mount| !mount.is_null() && mount.as_str() != Some("Default"))
}

/// `dropDisabledProcMountField` (`ProcMountType` off before 1.33): a set
/// `procMount` is forced to `Default`, not cleared (1.12 stored it set).
fn default_proc_mounts(spec: &mut Value) {
    for list in CONTAINER_LISTS {
        if let Some(Value::Array(items)) = spec.get_mut(list) {
            for c in items.iter_mut() {
                if let Some(Value::Object(sc)) = c.get_mut("securityContext")
                    && sc.get("procMount").is_some_and(|m| !m.is_null())
                {
                    sc.insert("procMount".into(), Value::from("Default"));
                }
            }
        }
    }
}

/// `dynamicResourceAllocationInUse`: the pod spec lists resource claims
/// (containers cannot name claims the pod does not list).
fn resource_claims_in_use(spec: &Value) -> bool {
    spec.get("resourceClaims")
        .and_then(Value::as_array)
        .is_some_and(|claims| !claims.is_empty())
}

/// `dropDisabledDynamicResourceAllocationFields` (`DynamicResourceAllocation`
/// off before 1.34): the pod's `resourceClaims` and every container's
/// `resources.claims` go.
fn drop_resource_claims(spec: &mut Value) {
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    spec.remove("resourceClaims");
    for list in CONTAINER_LISTS {
        if let Some(Value::Array(items)) = spec.get_mut(list) {
            for c in items.iter_mut() {
                if let Some(Value::Object(resources)) = c.get_mut("resources") {
                    resources.remove("claims");
                }
            }
        }
    }
}

/// Drops `lifecycle.stopSignal` (`ContainerStopSignals`, alpha), and the
/// lifecycle itself when nothing else was set. A stored pod never has one,
/// so the old pod cannot be using it.
fn drop_stop_signals(spec: &mut Value) {
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    for list in CONTAINER_LISTS {
        let Some(Value::Array(items)) = spec.get_mut(list) else {
            continue;
        };
        for c in items.iter_mut().filter_map(Value::as_object_mut) {
            let Some(Value::Object(lifecycle)) = c.get_mut("lifecycle") else {
                continue;
            };
            if lifecycle.remove("stopSignal").is_some() && lifecycle.is_empty() {
                c.remove("lifecycle");
            }
        }
    }
}
