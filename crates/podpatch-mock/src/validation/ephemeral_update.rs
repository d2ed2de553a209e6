//! `ValidatePodEphemeralContainersUpdate`
//! (`pkg/apis/core/validation/validation.go`): what a write through the
//! `pods/ephemeralcontainers` subresource must pass — ephemeral containers
//! may be added, never changed or removed, and static pods take none. It
//! inspects values only and must not mutate them.

use serde_json::Value;

use crate::golang::quantity_states::QuantityStates;

use crate::golang::json_pointer::Lookup;
use crate::validation::field::{FieldError, ROOT_PATH};
use crate::validation::objectmeta;
use crate::validation::pod::{MIRROR, annotation_updates, metadata_and_spec};
use crate::validation::pod_update::spec_diff;
use crate::validation::value::{arr, s};

/// `ValidatePodEphemeralContainersUpdate`; `quantities` are the new pod's
/// parse states.
pub fn validate_ephemeral_update(
    new: &Value,
    old: &Value,
    quantities: &QuantityStates,
) -> Vec<FieldError> {
    let mut errs = objectmeta::core_object_meta_update(&new["metadata"], &old["metadata"]);
    errs.extend(metadata_and_spec(new, Some(&old["spec"]), quantities));
    errs.extend(annotation_updates(new, old));
    if old
        .at(&format!(
            "/metadata/annotations/{}",
            crate::golang::json_pointer::escape_pointer(MIRROR)
        ))
        .is_some()
    {
        return vec![FieldError::forbidden(
            ROOT_PATH,
            "static pods do not support ephemeral containers",
        )];
    }
    let new_list = arr(&new["spec"], "ephemeralContainers");
    for o in arr(&old["spec"], "ephemeralContainers") {
        let name = s(o, "name");
        match new_list.iter().find(|n| s(n, "name") == name) {
            None => errs.push(FieldError::forbidden(
                "spec.ephemeralContainers",
                format!(
                    "existing ephemeral containers {} may not be removed\n",
                    crate::golang::format::go_quote(name)
                ),
            )),
            Some(n) if n != o => errs.push(FieldError::forbidden(
                "spec.ephemeralContainers",
                format!(
                    "existing ephemeral containers {} may not be changed\n{}",
                    crate::golang::format::go_quote(name),
                    spec_diff(o, n)
                ),
            )),
            Some(_) => {}
        }
    }
    errs
}
