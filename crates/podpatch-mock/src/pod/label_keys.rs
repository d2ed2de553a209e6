//! `mutatePodAffinity` and `mutateTopologySpreadConstraints` of the pod
//! strategy's `PrepareForCreate`: each `matchLabelKeys` key the pod carries
//! as a label becomes an `In` requirement (and each `mismatchLabelKeys` key a
//! `NotIn` one) appended to the term's label selector. Terms without a
//! selector match nothing and are left alone. Create only.

use crate::golang::json_pointer::Lookup;
use serde_json::{Map, Value, json};

/// Appends the label-key requirements to every pod (anti-)affinity term and
/// topology spread constraint of `pod`.
pub fn merge_into_selectors(pod: &mut Value) {
    let labels = pod
        .at("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let Some(spec) = pod.get_mut("spec") else {
        return;
    };
    for kind in ["podAffinity", "podAntiAffinity"] {
        for (list, term_key) in [
            (
                "preferredDuringSchedulingIgnoredDuringExecution",
                Some("podAffinityTerm"),
            ),
            ("requiredDuringSchedulingIgnoredDuringExecution", None),
        ] {
            let pointer = format!("/affinity/{kind}/{list}");
            if let Some(Value::Array(terms)) = spec.at_mut(&pointer) {
                for term in terms {
                    let term = match term_key {
                        Some(k) => term.get_mut(k),
                        None => Some(term),
                    };
                    if let Some(term) = term {
                        apply(term, &labels, true);
                    }
                }
            }
        }
    }
    if let Some(Value::Array(constraints)) = spec.get_mut("topologySpreadConstraints") {
        for constraint in constraints {
            apply(constraint, &labels, false);
        }
    }
}

fn apply(term: &mut Value, labels: &Map<String, Value>, with_mismatch: bool) {
    let keys = |field: &str| -> Vec<String> {
        term.get(field)
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut additions = Vec::new();
    for key in keys("matchLabelKeys") {
        if let Some(value) = labels.get(&key) {
            additions.push(json!({"key": key, "operator": "In", "values": [value]}));
        }
    }
    if with_mismatch {
        for key in keys("mismatchLabelKeys") {
            if let Some(value) = labels.get(&key) {
                additions.push(json!({"key": key, "operator": "NotIn", "values": [value]}));
            }
        }
    }
    let Some(Value::Object(selector)) = term.get_mut("labelSelector") else {
        return;
    };
    if additions.is_empty() {
        return;
    }
    let expressions = selector
        .entry("matchExpressions")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = expressions {
        list.extend(additions);
    } else {
        *expressions = Value::Array(additions);
    }
}
