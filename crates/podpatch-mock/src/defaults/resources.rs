//! `SetDefaults_ResourceList` of `pkg/apis/core/v1/defaults.go`: resource
//! amounts rounded up to a milli unit, applied to the pod overhead, the
//! pod-level and every container's requirements. It sets nothing else.

use serde_json::{Value, json};

use crate::golang::quantity::Quantity;

/// `SetDefaults_ResourceList`: nothing finer than a milli unit.
pub(super) fn round_resource_list(list: Option<&mut Value>) {
    if let Some(Value::Object(list)) = list {
        for value in list.values_mut() {
            if let Some(q) = value.as_str().and_then(Quantity::parse) {
                *value = json!(q.round_up_milli().to_string());
            }
        }
    }
}

/// [`round_resource_list`] on the limits and requests of a requirements.
pub(super) fn round_requirements(resources: Option<&mut Value>) {
    if let Some(Value::Object(resources)) = resources {
        round_resource_list(resources.get_mut("limits"));
        round_resource_list(resources.get_mut("requests"));
    }
}
