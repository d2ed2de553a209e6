//! `validateAffinity` and the selector rules it shares with topology spread
//! constraints: node selector terms and requirements, preferred weights,
//! pod (anti-)affinity terms, and apimachinery's `ValidateLabelSelector`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::objectmeta;
use crate::validation::value::{arr, s};
use crate::version::Version;

/// `ValidateLabelName`: a qualified name.
pub(super) fn label_name(errs: &mut Vec<FieldError>, key: &str, path: &str) {
    for msg in names::qualified_name(key) {
        errs.push(FieldError::invalid(path, json!(key), msg));
    }
}

fn label_values(errs: &mut Vec<FieldError>, values: &[Value], path: &str) {
    for (i, v) in values.iter().enumerate() {
        let v = v.as_str().unwrap_or("");
        errs.extend(FieldError::invalid_each(
            format!("{path}[{i}]"),
            v,
            names::label_value(v),
        ));
    }
}

/// The operator/values rule shared by label and node selector requirements.
fn requirement_values(errs: &mut Vec<FieldError>, req: &Value, path: &str, numeric: bool) {
    let op = s(req, "operator");
    let values = arr(req, "values");
    match op {
        "In" | "NotIn" if values.is_empty() => errs.push(FieldError::required(
            format!("{path}.values"),
            "must be specified when `operator` is 'In' or 'NotIn'",
        )),
        "Exists" | "DoesNotExist" if !values.is_empty() => errs.push(FieldError::forbidden(
            format!("{path}.values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        )),
        "Gt" | "Lt" if numeric && values.len() != 1 => errs.push(FieldError::required(
            format!("{path}.values"),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
        )),
        "In" | "NotIn" | "Exists" | "DoesNotExist" => {}
        "Gt" | "Lt" if numeric => {}
        other => errs.push(FieldError::invalid(
            format!("{path}.operator"),
            json!(other),
            "not a valid selector operator",
        )),
    }
}

/// `metav1validation.ValidateLabelSelector`.
pub(super) fn label_selector(selector: Option<&Value>, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(sel) = selector.filter(|v| !v.is_null()) else {
        return errs;
    };
    errs.extend(objectmeta::labels(
        sel.get("matchLabels"),
        &format!("{path}.matchLabels"),
    ));
    for (i, req) in arr(sel, "matchExpressions").iter().enumerate() {
        let rp = format!("{path}.matchExpressions[{i}]");
        requirement_values(&mut errs, req, &rp, false);
        label_name(&mut errs, s(req, "key"), &format!("{rp}.key"));
        label_values(&mut errs, arr(req, "values"), &format!("{rp}.values"));
    }
    errs
}

/// `validateAffinity`.
pub(super) fn affinity(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(a) = spec.get("affinity").filter(|v| !v.is_null()) else {
        return errs;
    };
    let base = "spec.affinity";
    if let Some(na) = a.get("nodeAffinity").filter(|v| !v.is_null()) {
        let path = format!("{base}.nodeAffinity");
        if let Some(required) = na
            .get("requiredDuringSchedulingIgnoredDuringExecution")
            .filter(|v| !v.is_null())
        {
            let tp =
                format!("{path}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
            let terms = arr(required, "nodeSelectorTerms");
            if terms.is_empty() {
                errs.push(FieldError::required(
                    tp,
                    "must have at least one node selector term",
                ));
            } else {
                let any_value = !Version::current().checks_required_node_affinity_values();
                for (i, term) in terms.iter().enumerate() {
                    node_selector_term(&mut errs, term, &format!("{tp}[{i}]"), any_value);
                }
            }
        }
        let pp = format!("{path}.preferredDuringSchedulingIgnoredDuringExecution");
        for (i, term) in arr(na, "preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            weight(&mut errs, term, &format!("{pp}[{i}]"));
            // Preferred terms may hold invalid label values.
            node_selector_term(
                &mut errs,
                term.get("preference").unwrap_or(&Value::Null),
                &format!("{pp}[{i}].preference"),
                true,
            );
        }
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(pa) = a.get(kind).filter(|v| !v.is_null()) else {
            continue;
        };
        let path = format!("{base}.{kind}");
        let rp = format!("{path}.requiredDuringSchedulingIgnoredDuringExecution");
        for (i, term) in arr(pa, "requiredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            pod_affinity_term(&mut errs, term, &format!("{rp}[{i}]"));
        }
        let pp = format!("{path}.preferredDuringSchedulingIgnoredDuringExecution");
        for (i, term) in arr(pa, "preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            weight(&mut errs, term, &format!("{pp}[{i}]"));
            pod_affinity_term(
                &mut errs,
                term.get("podAffinityTerm").unwrap_or(&Value::Null),
                &format!("{pp}[{i}].podAffinityTerm"),
            );
        }
    }
    errs
}

fn weight(errs: &mut Vec<FieldError>, term: &Value, path: &str) {
    let w = term.get("weight").and_then(Value::as_i64).unwrap_or(0);
    if !(1..=100).contains(&w) {
        errs.push(FieldError::invalid(
            format!("{path}.weight"),
            json!(w),
            "must be in the range 1-100",
        ));
    }
}

/// `ValidateNodeSelectorTerm`.
fn node_selector_term(errs: &mut Vec<FieldError>, term: &Value, path: &str, any_value: bool) {
    for (j, req) in arr(term, "matchExpressions").iter().enumerate() {
        let rp = format!("{path}.matchExpressions[{j}]");
        requirement_values(errs, req, &rp, true);
        label_name(errs, s(req, "key"), &format!("{rp}.key"));
        if !any_value {
            label_values(errs, arr(req, "values"), &format!("{rp}.values"));
        }
    }
    for (j, req) in arr(term, "matchFields").iter().enumerate() {
        let rp = format!("{path}.matchFields[{j}]");
        let values = arr(req, "values");
        match s(req, "operator") {
            "In" | "NotIn" => {
                if values.len() != 1 {
                    errs.push(FieldError::required(
                        format!("{rp}.values"),
                        "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
                    ));
                }
            }
            other => errs.push(FieldError::invalid(
                format!("{rp}.operator"),
                json!(other),
                "not a valid selector operator",
            )),
        }
        let key = s(req, "key");
        if key == "metadata.name" {
            for (i, v) in values.iter().enumerate() {
                let v = v.as_str().unwrap_or("");
                errs.extend(FieldError::invalid_each(
                    format!("{rp}.values[{i}]"),
                    v,
                    names::dns1123_subdomain(v),
                ));
            }
        } else {
            errs.push(FieldError::invalid(
                format!("{rp}.key"),
                json!(key),
                "not a valid field selector key",
            ));
        }
    }
}

/// `validatePodAffinityTerm`.
fn pod_affinity_term(errs: &mut Vec<FieldError>, term: &Value, path: &str) {
    errs.extend(label_selector(
        term.get("labelSelector"),
        &format!("{path}.labelSelector"),
    ));
    errs.extend(label_selector(
        term.get("namespaceSelector"),
        &format!("{path}.namespaceSelector"),
    ));
    for ns in arr(term, "namespaces") {
        let ns = ns.as_str().unwrap_or("");
        errs.extend(FieldError::invalid_each(
            format!("{path}.namespace"),
            ns,
            names::dns1123_label(ns),
        ));
    }
    errs.extend(match_label_keys(
        path,
        arr(term, "matchLabelKeys"),
        arr(term, "mismatchLabelKeys"),
        term.get("labelSelector").filter(|v| !v.is_null()),
    ));
    let key = s(term, "topologyKey");
    if key.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.topologyKey"),
            "can not be empty",
        ));
    }
    label_name(errs, key, &format!("{path}.topologyKey"));
}

/// `ValidateMatchLabelKeysAndMismatchLabelKeys`.
pub(super) fn match_label_keys(
    path: &str,
    match_keys: &[Value],
    mismatch_keys: &[Value],
    selector: Option<&Value>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let keys = |list: &[Value]| -> Vec<String> {
        list.iter()
            .map(|k| k.as_str().unwrap_or("").to_string())
            .collect()
    };
    let (match_keys, mismatch_keys) = (keys(match_keys), keys(mismatch_keys));
    for (field, list) in [
        ("matchLabelKeys", &match_keys),
        ("mismatchLabelKeys", &mismatch_keys),
    ] {
        if list.is_empty() {
            continue;
        }
        if selector.is_none() {
            errs.push(FieldError::forbidden(
                format!("{path}.{field}"),
                "must not be specified when labelSelector is not set",
            ));
            continue;
        }
        for (i, key) in list.iter().enumerate() {
            label_name(&mut errs, key, &format!("{path}.{field}[{i}]"));
        }
    }
    if let Some(sel) = selector {
        // A key in matchLabels that also shows up as a matchExpressions key
        // is taken as one generated from matchLabelKeys; note Go's path,
        // which lacks the `matchLabelKeys` segment.
        let mut seen: BTreeSet<String> = sel
            .get("matchLabels")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for expr in arr(sel, "matchExpressions") {
            let key = s(expr, "key");
            if let Some(i) = match_keys.iter().rposition(|k| k == key)
                && seen.contains(key)
            {
                errs.push(FieldError::invalid(
                    format!("{path}[{i}]"),
                    json!(key),
                    "exists in both matchLabelKeys and labelSelector",
                ));
            }
            seen.insert(key.to_string());
        }
    }
    for (i, key) in match_keys.iter().enumerate() {
        if mismatch_keys.contains(key) {
            errs.push(FieldError::invalid(
                format!("{path}.matchLabelKeys[{i}]"),
                json!(key),
                "exists in both matchLabelKeys and mismatchLabelKeys",
            ));
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `matchLabels` key repeated as an expression key that is also in
    /// `matchLabelKeys` is reported on Go's index-only path.
    #[test]
    fn match_label_key_in_selector() {
        let selector = json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]});
        let errs = match_label_keys("t", &[json!("app")], &[], Some(&selector));
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["t[0]"]);
    }

    #[test]
    fn gt_needs_one_value_only_for_nodes() {
        let req = json!({"key": "cpu", "operator": "Gt", "values": ["1", "2"]});
        let mut node = Vec::new();
        requirement_values(&mut node, &req, "n", true);
        let mut label = Vec::new();
        requirement_values(&mut label, &req, "l", false);
        assert_eq!(node[0].field, "n.values");
        assert_eq!(label[0].field, "l.operator");
    }
}
