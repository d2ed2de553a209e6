//! `ValidatePodCreate`, `validatePodMetadataAndSpec` and the pod-specific
//! annotation rules (`ValidatePodSpecificAnnotations`,
//! `ValidatePodSpecificAnnotationUpdates`) of
//! `pkg/apis/core/validation/validation.go` (1.35/1.36), in Go's append
//! order so the causes (duplicates included) match. The update rules live in
//! `pod_update`; it inspects values only and must not mutate them.

use serde_json::Value;

use crate::golang::quantity_states::QuantityStates;
use crate::pod::apparmor::ANNOTATION_PREFIX as APPARMOR_PREFIX;
use crate::validation::annotations;
use crate::validation::container::image_whitespace;
use crate::validation::field::FieldError;
use crate::validation::objectmeta;
use crate::validation::podspec::pod_spec;
use crate::validation::value::{arr, dig, list_of, members, s};
use crate::validation::volume;

/// The mirror-pod annotation a static pod carries.
pub(crate) const MIRROR: &str = "kubernetes.io/config.mirror";

/// Errors of `ValidatePodCreate` (what a POST must pass); `quantities`
/// are the pod's as Go's decoder and defaulting left them.
pub fn validate_create(pod: &Value, quantities: &QuantityStates) -> Vec<FieldError> {
    let mut errs = metadata_and_spec(pod, None, quantities);
    if !arr(&pod["spec"], "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.ephemeralContainers",
            "cannot be set on create",
        ));
    }
    if !s(&pod["spec"], "nodeName").is_empty() && !arr(&pod["spec"], "schedulingGates").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.nodeName",
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    errs.extend(annotations::profiles_match(pod));
    errs
}

/// `validatePodMetadataAndSpec`; `old` is the stored pod's spec on update
/// (some options come from it); `quantities` the new pod's parse states.
pub(crate) fn metadata_and_spec(
    pod: &Value,
    old: Option<&Value>,
    quantities: &QuantityStates,
) -> Vec<FieldError> {
    let (meta, spec) = (&pod["metadata"], &pod["spec"]);
    let mut errs = objectmeta::core_object_meta(meta, objectmeta::dns1123_subdomain_name);
    errs.extend(pod_specific_annotations(pod));
    errs.extend(pod_spec(spec, s(meta, "name"), old, quantities));
    errs.extend(volume::service_account_tokens(spec));
    // `validateContainersOnlyForPod` and `validateInitContainersOnlyForPod`
    // run after `ValidatePodSpec`, so their errors follow every spec error.
    let [containers, init] = members(spec, ["containers", "initContainers"]);
    for (list, items) in [("containers", containers), ("initContainers", init)] {
        for (i, c) in list_of(items).iter().enumerate() {
            errs.extend(image_whitespace(
                &format_args!("spec.{list}[{i}]"),
                s(c, "image"),
            ));
        }
    }
    errs
}

/// `ValidatePodSpecificAnnotations`: the mirror-pod annotation needs a node
/// name; then the annotation values themselves.
fn pod_specific_annotations(pod: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(value) = dig(pod, &["metadata", "annotations", MIRROR])
        && s(&pod["spec"], "nodeName").is_empty()
    {
        errs.push(FieldError::invalid(
            format!("metadata.annotations[{MIRROR}]"),
            value.clone(),
            "must set spec.nodeName if mirror pod annotation is set",
        ));
    }
    errs.extend(annotations::values(pod));
    errs
}

/// `ValidatePodSpecificAnnotationUpdates`: AppArmor and mirror-pod
/// annotations may be neither added, changed nor removed.
pub(crate) fn annotation_updates(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = serde_json::Map::new();
    // Borrowed: a pod's annotations may hold megabytes, read on every update.
    let [na, oa] = [new, old].map(|p| {
        dig(p, &["metadata", "annotations"])
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    });
    for (k, old_val) in oa {
        if na.get(k) == Some(old_val) {
            continue;
        }
        let field = format!("metadata.annotations[{k}]");
        if k.starts_with(APPARMOR_PREFIX) {
            errs.push(FieldError::forbidden(
                &field,
                "may not remove or update AppArmor annotations",
            ));
        }
        if k == MIRROR {
            errs.push(FieldError::forbidden(
                &field,
                "may not remove or update mirror pod annotation",
            ));
        }
    }
    for k in na.keys() {
        if oa.contains_key(k) {
            continue;
        }
        let field = format!("metadata.annotations[{k}]");
        if k.starts_with(APPARMOR_PREFIX) {
            errs.push(FieldError::forbidden(
                &field,
                "may not add AppArmor annotations",
            ));
        }
        if k == MIRROR {
            errs.push(FieldError::forbidden(
                &field,
                "may not add mirror pod annotation",
            ));
        }
    }
    errs.extend(pod_specific_annotations(new));
    errs
}
