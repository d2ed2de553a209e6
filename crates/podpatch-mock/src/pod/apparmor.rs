//! The pod strategy's `applyAppArmorVersionSkew` (PrepareForCreate): a
//! deprecated `container.apparmor.security.beta.kubernetes.io/<name>`
//! annotation on a container without an `appArmorProfile` becomes that
//! field (unless it equals the pod-level profile), with a deprecation
//! warning. Windows pods are left alone.

use serde_json::{Value, json};

/// The deprecated per-container annotation prefix.
pub const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

/// `ApparmorFieldForAnnotation`, keeping only values that validate.
pub fn field_for_annotation(annotation: &str) -> Option<Value> {
    match annotation {
        "unconfined" => Some(json!({"type": "Unconfined"})),
        "runtime/default" => Some(json!({"type": "RuntimeDefault"})),
        _ => {
            let profile = annotation.strip_prefix("localhost/")?;
            let valid = !profile.is_empty() && profile.trim() == profile && profile.len() <= 4095;
            valid.then(|| json!({"type": "Localhost", "localhostProfile": profile}))
        }
    }
}

/// Applies the skew to `pod` and returns the warnings it emits.
pub fn version_skew(pod: &mut Value) -> Vec<String> {
    let mut warnings = Vec::new();
    if pod.pointer("/spec/os/name").and_then(Value::as_str) == Some("windows") {
        return warnings;
    }
    let annotations = pod
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let pod_profile = pod
        .pointer("/spec/securityContext/appArmorProfile")
        .cloned();
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return warnings;
    };
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(Value::Array(items)) = spec.get_mut(list) else {
            continue;
        };
        for c in items.iter_mut().filter_map(Value::as_object_mut) {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("");
            let key = format!("{ANNOTATION_PREFIX}{name}");
            let Some(annotation) = annotations.get(&key).and_then(Value::as_str) else {
                continue;
            };
            let has_field = c
                .get("securityContext")
                .and_then(|sc| sc.get("appArmorProfile"))
                .is_some_and(|p| !p.is_null());
            if has_field {
                continue;
            }
            let field = field_for_annotation(annotation);
            let mut warn = field.is_none();
            if let Some(field) = field
                && Some(&field) != pod_profile.as_ref()
            {
                let sc = c.entry("securityContext").or_insert_with(|| json!({}));
                if let Some(sc) = sc.as_object_mut() {
                    sc.insert("appArmorProfile".into(), field);
                }
                warn = true;
            }
            if warn {
                warnings.push(format!(
                    "metadata.annotations[{key}]: deprecated since v1.30; use the \"appArmorProfile\" field instead"
                ));
            }
        }
    }
    warnings
}
