//! What `--pod-label` and `--pod-annotation` add to every starting pod (an
//! injector's opt-out, say), and how the report names it. Pure.

use serde::Serialize;
use serde_json::{Value, json};

/// Labels and annotations added to every starting pod (`--pod-label`,
/// `--pod-annotation`), e.g. an injector's opt-out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PodMetadata {
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
}

impl PodMetadata {
    /// Whether there is nothing to add.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.annotations.is_empty()
    }

    /// `pod` with the labels and annotations set (over the manifest's own). Pure.
    pub fn applied_to(&self, pod: &Value) -> Value {
        let mut pod = pod.clone();
        for (field, pairs) in [("labels", &self.labels), ("annotations", &self.annotations)] {
            if pairs.is_empty() {
                continue;
            }
            if !pod["metadata"][field].is_object() {
                pod["metadata"][field] = json!({});
            }
            for (k, v) in pairs {
                pod["metadata"][field][k] = json!(v);
            }
        }
        pod
    }
}

impl std::fmt::Display for PodMetadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.labels.is_empty() {
            parts.push(format!("the labels {}", list(&self.labels)));
        }
        if !self.annotations.is_empty() {
            parts.push(format!("the annotations {}", list(&self.annotations)));
        }
        f.write_str(&parts.join(" and "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_labels_and_annotations_over_the_manifests() {
        let meta = PodMetadata {
            labels: vec![("sidecar.istio.io/inject".into(), "false".into())],
            annotations: vec![("team".into(), "a".into())],
        };
        let pod = json!({"metadata": {"name": "p", "labels": {"app": "web"}}});
        let out = meta.applied_to(&pod);
        assert_eq!(
            out["metadata"]["labels"],
            json!({"app": "web", "sidecar.istio.io/inject": "false"})
        );
        assert_eq!(out["metadata"]["annotations"], json!({"team": "a"}));
        assert_eq!(PodMetadata::default().applied_to(&pod), pod);
        assert_eq!(
            meta.to_string(),
            "the labels sidecar.istio.io/inject=false and the annotations team=a"
        );
    }
}
