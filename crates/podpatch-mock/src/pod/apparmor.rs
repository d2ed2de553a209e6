//! The pod strategy's `applyAppArmorVersionSkew` (PrepareForCreate): a
//! deprecated `container.apparmor.security.beta.kubernetes.io/<name>`
//! annotation on a container without an `appArmorProfile` becomes that
//! field (unless it equals the pod-level profile), with a deprecation
//! warning. Windows pods are left alone.

use crate::golang::json_pointer::Lookup;
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
    let (fields, warnings) = skew(pod);
    for (list, index, field) in fields {
        let container = pod
            .at_mut(&format!("/spec/{list}/{index}"))
            .and_then(Value::as_object_mut);
        if let Some(sc) = container
            .map(|c| c.entry("securityContext").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
        {
            sc.insert("appArmorProfile".into(), field);
        }
    }
    warnings
}

/// The warnings `version_skew` would emit, without changing `pod`: CREATE
/// and apply-create warn before validating a pod they must not change yet.
pub fn skew_warnings(pod: &Value) -> Vec<String> {
    skew(pod).1
}

/// What the skew would do, read off `pod` in one pass: the profile each
/// container gets (its list, its index, the field) and the warnings.
fn skew(pod: &Value) -> (Vec<(&'static str, usize, Value)>, Vec<String>) {
    let mut fields = Vec::new();
    let mut warnings = Vec::new();
    if pod.at("/spec/os/name").and_then(Value::as_str) == Some("windows") {
        return (fields, warnings);
    }
    let Some(annotations) = pod.at("/metadata/annotations").and_then(Value::as_object) else {
        return (fields, warnings);
    };
    let pod_profile = pod.at("/spec/securityContext/appArmorProfile");
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        let Some(Value::Array(items)) = pod.get("spec").and_then(|spec| spec.get(list)) else {
            continue;
        };
        for (index, c) in items.iter().enumerate() {
            let Some(c) = c.as_object() else {
                continue;
            };
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
                && Some(&field) != pod_profile
            {
                fields.push((list, index, field));
                warn = true;
            }
            if warn {
                warnings.push(format!(
                    "metadata.annotations[{key}]: deprecated since v1.30; use the \"appArmorProfile\" field instead"
                ));
            }
        }
    }
    (fields, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Value {
        json!({
            "metadata": {"annotations": {
                "container.apparmor.security.beta.kubernetes.io/a": "unconfined",
                "container.apparmor.security.beta.kubernetes.io/b": "bogus",
                "container.apparmor.security.beta.kubernetes.io/c": "runtime/default",
            }},
            "spec": {
                "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}},
                "containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                "initContainers": [{"name": "z"}],
            }
        })
    }

    #[test]
    fn warnings_are_read_without_changing_the_pod() {
        let before = pod();
        let warnings = skew_warnings(&before);
        assert_eq!(before, pod());
        let mut after = pod();
        assert_eq!(version_skew(&mut after), warnings);
        // a: applied and warned; b: invalid, warned only; c: equals the pod's
        // profile, neither.
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("beta.kubernetes.io/a]"));
        assert!(warnings[1].contains("beta.kubernetes.io/b]"));
        assert_eq!(
            after["spec"]["containers"][0]["securityContext"]["appArmorProfile"],
            json!({"type": "Unconfined"})
        );
        assert!(
            after["spec"]["containers"][1]
                .get("securityContext")
                .is_none()
        );
        assert!(
            after["spec"]["containers"][2]
                .get("securityContext")
                .is_none()
        );
    }

    #[test]
    fn windows_pods_are_left_alone() {
        let mut windows = pod();
        windows["spec"]["os"] = json!({"name": "windows"});
        assert!(version_skew(&mut windows).is_empty());
        assert!(
            windows["spec"]["containers"][0]
                .get("securityContext")
                .is_none()
        );
    }
}
