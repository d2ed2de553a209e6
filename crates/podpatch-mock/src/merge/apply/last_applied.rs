//! kubectl's client-side `last-applied-configuration` annotation as
//! server-side apply sees it (`fieldmanager/internal/lastappliedupdater.go`,
//! `lastappliedmanager.go`): the conflicts a matching annotation lets
//! `kubectl` take over, and the annotation kept in step after its applies.

use serde_json::Value;

use crate::golang::json_pointer::Lookup;
use crate::merge::apply::schema_check::schema_errors;

/// The field manager whose applies keep kubectl's client-side annotation in
/// step (`lastAppliedUpdater`, `lastAppliedManager`).
pub(super) const LAST_APPLIED_MANAGER: &str = "kubectl";

/// `corev1.LastAppliedConfigAnnotation`.
pub(super) const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `allowedConflictsFromLastApplied`'s input: the live object's non-empty
/// last-applied annotation, decoded, when it is a `v1` object that converts
/// to a typed Pod; `None` keeps every conflict.
pub(super) fn last_applied_config(live: &Value) -> Option<Value> {
    let raw = live
        .at("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())?;
    let last: Value = serde_json::from_str(raw).ok()?;
    let v1 = last.get("apiVersion").and_then(Value::as_str) == Some("v1");
    (last.is_object() && v1 && schema_errors(&last).is_empty()).then_some(last)
}

/// `lastAppliedUpdater.Apply`: when the applied object carries a non-empty
/// last-applied annotation, it is rewritten to the applied configuration
/// (without that annotation) as `unstructured` JSON encodes it; `SetLastApplied`
/// drops it instead when the annotations would then exceed the size limit.
pub(super) fn update_last_applied(merged: &mut Value, config: &Value) {
    let Some(Value::Object(annotations)) = merged.at_mut("/metadata/annotations") else {
        return;
    };
    if annotations
        .get(LAST_APPLIED)
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return;
    }
    let mut applied = config.clone();
    if let Some(Value::Object(own)) = applied.at_mut("/metadata/annotations") {
        own.remove(LAST_APPLIED);
    }
    let encoded = crate::golang::json_encode::unstructured_line(&applied);
    annotations.insert(LAST_APPLIED.into(), Value::String(encoded));
    let size: usize = annotations
        .iter()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if size > crate::validation::objectmeta::TOTAL_ANNOTATION_SIZE {
        annotations.remove(LAST_APPLIED);
    }
}
