//! The generic registry's `validateCommonFields`
//! (`staging/src/k8s.io/apiserver/pkg/registry/rest/update.go`): the
//! apimachinery `ValidateObjectMetaAccessor` pass with
//! `path.ValidatePathSegmentName`, then `ValidateObjectMetaAccessorUpdate`,
//! which every update runs before the pod strategy's own validation. It
//! inspects values only.

use serde_json::Value;

use crate::validation::field::FieldError;
use crate::validation::objectmeta;

/// The generic registry's `validateCommonFields` for an update.
pub fn common_fields_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = objectmeta::object_meta(&new["metadata"], path_segment_name);
    errs.extend(objectmeta::object_meta_update(
        &new["metadata"],
        &old["metadata"],
    ));
    errs
}

/// `path.ValidatePathSegmentName`: a `generateName` (`prefix`) is only
/// checked for '/' and '%' (`IsValidPathSegmentPrefix`).
fn path_segment_name(name: &str, prefix: bool) -> Vec<String> {
    if !prefix && (name == "." || name == "..") {
        return vec![format!("may not be '{name}'")];
    }
    let mut errs = Vec::new();
    for bad in ["/", "%"] {
        if name.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}
