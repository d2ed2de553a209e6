//! Fields behind feature gates that are off in 1.36 by default: the pod
//! strategy's `dropDisabledPodFields` clears them on create and update
//! (they can never be in use on a stored pod, since they are always
//! dropped), after the field manager has recorded them.

use serde_json::Value;

/// Drops `lifecycle.stopSignal` (`ContainerStopSignals`, alpha), and the
/// lifecycle itself when nothing else was set.
pub fn drop_disabled(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    for list in ["containers", "initContainers", "ephemeralContainers"] {
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
