//! `SetDefaults_ResourceList` of `pkg/apis/core/v1/defaults.go`: resource
//! amounts rounded up to a milli unit, applied to the pod overhead, the
//! pod-level and every container's requirements. It sets nothing else.
//!
//! Go rounds the `resource.Quantity` its decoder left, so the rounding
//! reads and updates the quantity's recorded state
//! ([`QuantityStates`]) as well as the pod's canonical text.

use std::fmt::Display;

use serde_json::{Value, json};

use crate::golang::quantity_states::QuantityStates;

/// `SetDefaults_ResourceList` on the list at field path `path`: nothing
/// finer than a milli unit.
pub(super) fn round_resource_list(
    list: Option<&mut Value>,
    path: &(impl Display + ?Sized),
    states: &mut QuantityStates,
) {
    if let Some(Value::Object(list)) = list {
        for (name, value) in list.iter_mut() {
            let at = format!("{path}[{name}]");
            if let Some(q) = states.at(&at, value) {
                let rounded = q.round_up_milli();
                *value = json!(rounded.render());
                states.record(at, rounded);
            }
        }
    }
}

/// [`round_resource_list`] on the limits and requests of a requirements
/// at field path `path`.
pub(super) fn round_requirements(
    resources: Option<&mut Value>,
    path: &(impl Display + ?Sized),
    states: &mut QuantityStates,
) {
    if let Some(Value::Object(resources)) = resources {
        for list in ["limits", "requests"] {
            round_resource_list(
                resources.get_mut(list),
                &format_args!("{path}.{list}"),
                states,
            );
        }
    }
}
