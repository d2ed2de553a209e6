//! `ValidatePodUpdate` (`pkg/apis/core/validation/validation.go`, 1.35/1.36)
//! with its list of mutable fields: the spec is munged back to the old one
//! for every field an update may change (images, `activeDeadlineSeconds`,
//! tolerations, scheduling gates, a negative grace period set to 1, and for
//! gated pods node selector and required node affinity additions), and what
//! still differs is "may not change fields other than …". It inspects
//! values only and must not mutate them.

use serde_json::{Value, json};

use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;
use crate::validation::field::FieldError;
use crate::validation::internal_types::{self, NODE_SELECTOR_TERM, NODE_SELECTOR_TERMS};
use crate::validation::objectmeta;
use crate::validation::pod::{annotation_updates, metadata_and_spec};
use crate::validation::scheduling_gates::only_deleted_gates;
use crate::validation::tolerations::only_added_tolerations;
use crate::validation::value::{MAX_INT32, arr, list_of, members, s};
use crate::version::Version;

/// The 1.32+ list in the "may not change fields other than" message.
pub const UPDATABLE_FIELDS: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidatePodUpdate`; `quantities` are the new pod's parse states,
/// `spec_unchanged` whether the specs are equal under `Semantic.DeepEqual`
/// (the strategy has compared them already: comparing a whole spec costs
/// about 2 % of a PATCH).
pub fn validate_update(
    new: &Value,
    old: &Value,
    quantities: &QuantityStates,
    spec_unchanged: bool,
) -> Vec<FieldError> {
    let (ns, os) = (&new["spec"], &old["spec"]);
    let mut errs = objectmeta::core_object_meta_update(&new["metadata"], &old["metadata"]);
    errs.extend(metadata_and_spec(new, Some(os), quantities));
    errs.extend(annotation_updates(new, old));
    // Read in one pass each: an update that leaves the spec as it was
    // needs nothing else of it.
    const READ: [&str; 5] = [
        "containers",
        "initContainers",
        "activeDeadlineSeconds",
        "tolerations",
        "schedulingGates",
    ];
    let [
        new_containers,
        new_init,
        new_ads,
        new_tolerations,
        new_gates,
    ] = members(ns, READ);
    let [
        old_containers,
        old_init,
        old_ads,
        old_tolerations,
        old_gates,
    ] = members(os, READ);
    for (list, n, o) in [
        ("containers", new_containers, old_containers),
        ("initContainers", new_init, old_init),
    ] {
        let (n, o) = (list_of(n), list_of(o));
        if n.len() != o.len() {
            errs.push(FieldError::forbidden(
                format!("spec.{list}"),
                "pod updates may not add or remove containers",
            ));
            return errs;
        }
        for (i, c) in n.iter().enumerate() {
            let image = s(c, "image");
            if image.is_empty() {
                errs.push(FieldError::required(format!("spec.{list}[{i}].image"), ""));
            }
            if image.trim() != image {
                errs.push(FieldError::invalid(
                    format!("spec.{list}[{i}].image"),
                    json!(image),
                    "must not have leading or trailing whitespace",
                ));
            }
        }
    }
    match (
        new_ads.and_then(Value::as_i64),
        old_ads.and_then(Value::as_i64),
    ) {
        (Some(n), _) if !(0..=MAX_INT32).contains(&n) => {
            errs.push(FieldError::invalid(
                "spec.activeDeadlineSeconds",
                json!(n),
                format!("must be between 0 and {MAX_INT32}, inclusive"),
            ));
            return errs;
        }
        (Some(n), Some(o)) if o < n => {
            errs.push(FieldError::invalid(
                "spec.activeDeadlineSeconds",
                json!(n),
                "must be less than or equal to previous value",
            ));
            return errs;
        }
        (None, Some(_)) => errs.push(FieldError::invalid(
            "spec.activeDeadlineSeconds",
            Value::Null,
            "must not update from a positive integer to nil value",
        )),
        _ => {}
    }
    errs.extend(only_added_tolerations(
        list_of(new_tolerations),
        list_of(old_tolerations),
    ));
    errs.extend(only_deleted_gates(list_of(new_gates), list_of(old_gates)));
    if spec_unchanged {
        return errs;
    }
    if Version::current().checks_qos_on_update()
        && crate::pod::admission::stored_qos_class(old) != crate::pod::admission::qos_class(new)
    {
        errs.push(FieldError::invalid(
            "metadata",
            json!(
                new.at("/status/qosClass")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ),
            "Pod QoS is immutable",
        ));
    }
    let mut munged = ns.clone();
    for list in ["containers", "initContainers"] {
        if let Some(Value::Array(items)) = munged.get_mut(list) {
            for (i, c) in items.iter_mut().enumerate() {
                let old_image = arr(os, list).get(i).and_then(|o| o.get("image")).cloned();
                if let Some(obj) = c.as_object_mut() {
                    match old_image {
                        Some(image) => obj.insert("image".into(), image),
                        None => obj.remove("image"),
                    };
                }
            }
        }
    }
    let Some(m) = munged.as_object_mut() else {
        return errs;
    };
    for key in ["activeDeadlineSeconds", "tolerations", "schedulingGates"] {
        match os.get(key) {
            Some(v) => m.insert(key.into(), v.clone()),
            None => m.remove(key),
        };
    }
    let old_tgps = os
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64);
    let new_tgps = ns
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64);
    if let (Some(o), Some(1)) = (old_tgps, new_tgps)
        && o < 0
    {
        m.insert("terminationGracePeriodSeconds".into(), json!(o));
    }
    if !arr(os, "schedulingGates").is_empty() {
        gated_node_selector(ns, os, m, &mut errs);
        gated_node_affinity(os, m, &mut errs);
    }
    if !crate::golang::semantic::semantic_eq(Some(&munged), Some(os), &crate::schema::POD_SPEC_TY) {
        errs.push(FieldError::forbidden(
            "spec",
            format!(
                "pod updates may not change fields other than {UPDATABLE_FIELDS}\n{}",
                spec_diff(os, &munged)
            ),
        ));
    }
    errs
}

/// Gated pods may add `nodeSelector` entries (KEP-3838).
fn gated_node_selector(
    ns: &Value,
    os: &Value,
    munged: &mut serde_json::Map<String, Value>,
    errs: &mut Vec<FieldError>,
) {
    let empty = serde_json::Map::new();
    let new_sel = ns
        .get("nodeSelector")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let old_sel = os
        .get("nodeSelector")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if new_sel == old_sel {
        return;
    }
    let additions_only = old_sel.iter().all(|(k, v)| new_sel.get(k) == Some(v));
    if additions_only {
        match os.get("nodeSelector") {
            Some(v) => munged.insert("nodeSelector".into(), v.clone()),
            None => munged.remove("nodeSelector"),
        };
    } else {
        let detail = "only additions to spec.nodeSelector are allowed (no mutations or deletions)";
        let selector = ns.get("nodeSelector");
        errs.push(FieldError::invalid_go(
            "spec.nodeSelector",
            &internal_types::string_map(selector),
            detail,
        ));
        match os.get("nodeSelector") {
            Some(v) => munged.insert("nodeSelector".into(), v.clone()),
            None => munged.remove("nodeSelector"),
        };
    }
}

/// Gated pods may narrow required node affinity (KEP-3838): with no old
/// terms anything goes; otherwise the term count stays and each term may
/// only gain requirements. The node affinity is then munged to the old one.
fn gated_node_affinity(
    os: &Value,
    munged: &mut serde_json::Map<String, Value>,
    errs: &mut Vec<FieldError>,
) {
    const TERMS: &str =
        "/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms";
    let terms = |affinity: Option<&Value>| {
        affinity
            .and_then(|a| a.at(TERMS))
            .and_then(Value::as_array)
            .cloned()
    };
    let old_affinity = os.get("affinity");
    let node_affinity = |a: Option<&Value>| a.and_then(|a| a.get("nodeAffinity")).cloned();
    // Unchanged node affinity is not munged, so `affinity: {}` added to a
    // pod without one still counts as a change.
    if node_affinity(old_affinity) == node_affinity(munged.get("affinity")) {
        return;
    }
    let old_terms = terms(old_affinity).unwrap_or_default();
    let new_terms_raw = terms(munged.get("affinity"));
    let new_terms = new_terms_raw.clone().unwrap_or_default();
    let path = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
    if !old_terms.is_empty() {
        if old_terms.len() != new_terms.len() {
            let detail = "no additions/deletions to non-empty NodeSelectorTerms list are allowed";
            let terms = new_terms_raw.map(Value::Array);
            errs.push(FieldError::invalid_go(
                path,
                &NODE_SELECTOR_TERMS.value(terms.as_ref()),
                detail,
            ));
        } else {
            for (i, (o, n)) in old_terms.iter().zip(new_terms.iter()).enumerate() {
                if !term_only_adds(n, o) {
                    let detail = "only additions are allowed (no mutations or deletions)";
                    let path = format!("{path}[{i}]");
                    errs.push(FieldError::invalid_go(
                        path,
                        &NODE_SELECTOR_TERM.value(n),
                        detail,
                    ));
                }
            }
        }
    }
    let old_node_affinity = old_affinity.and_then(|a| a.get("nodeAffinity")).cloned();
    if let Some(Value::Object(affinity)) = munged.get_mut("affinity") {
        match old_node_affinity {
            Some(v) => {
                affinity.insert("nodeAffinity".into(), v);
            }
            None => {
                affinity.remove("nodeAffinity");
            }
        }
        if affinity.is_empty() && old_affinity.is_none() {
            munged.remove("affinity");
        }
    } else if let Some(v) = old_node_affinity {
        munged.insert("affinity".into(), json!({"nodeAffinity": v}));
    }
}

/// Whether `new` keeps every requirement of `old` (in order) and only adds;
/// an empty old term (match-all) may not gain requirements at all.
fn term_only_adds(new: &Value, old: &Value) -> bool {
    let keys = ["matchExpressions", "matchFields"];
    let empty = |t: &Value| keys.iter().all(|k| arr(t, k).is_empty());
    if empty(old) && !empty(new) {
        return false;
    }
    keys.iter().all(|key| {
        let o = arr(old, key);
        let n = arr(new, key);
        n.len() >= o.len() && o.iter().zip(n.iter()).all(|(a, b)| a == b)
    })
}

/// An approximation of the 1.34+ `diff.Diff(old, munged)` text: a unified
/// diff of the pretty-printed specs.
pub(crate) fn spec_diff(old: &Value, new: &Value) -> String {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (a, b) = (pretty(old), pretty(new));
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(2)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field::aggregate_message;
    use crate::validation::pod::validate_create;
    use rstest::rstest;

    /// [`validate_update`] with the specs compared as the strategy does.
    fn update_errors(new: &Value, old: &Value) -> Vec<FieldError> {
        let unchanged = crate::golang::semantic::semantic_eq(
            new.get("spec"),
            old.get("spec"),
            &crate::schema::POD_SPEC_TY,
        );
        validate_update(new, old, &QuantityStates::default(), unchanged)
    }

    fn pod() -> Value {
        json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u", "resourceVersion": "5",
                "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {
                "containers": [{"name": "web", "image": "nginx", "resources": {},
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                    "imagePullPolicy": "Always"}],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "securityContext": {}, "schedulerName": "default-scheduler",
                "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}],
                "activeDeadlineSeconds": 600,
            },
            "status": {"phase": "Pending", "qosClass": "BestEffort"},
        })
    }

    /// `validateContainersOnlyForPod` runs after `ValidatePodSpec`, so the
    /// padded-image error follows every spec error (and, on update, the
    /// update rules add their own copy last).
    #[rstest]
    #[case::create(false, &["spec.activeDeadlineSeconds", "spec.containers[0].image"])]
    #[case::update(true, &["spec.activeDeadlineSeconds", "spec.containers[0].image", "spec.containers[0].image"])]
    fn padded_image_follows_spec_errors(#[case] update: bool, #[case] fields: &[&str]) {
        let mut new = patched("/spec/activeDeadlineSeconds", json!(0));
        if let Some(image) = new.at_mut("/spec/containers/0/image") {
            *image = json!("nginx ");
        }
        let errs = if update {
            update_errors(&new, &pod())
        } else {
            validate_create(&new, &QuantityStates::default())
        };
        let got: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(got, fields);
    }

    fn patched(pointer: &str, value: Value) -> Value {
        let mut p = pod();
        if let Some(slot) = p.at_mut(pointer) {
            *slot = value;
        }
        p
    }

    #[rstest]
    #[case("/spec/containers/0/image", json!("nginx:1.27"), "")]
    #[case("/spec/activeDeadlineSeconds", json!(300), "")]
    #[case("/spec/activeDeadlineSeconds", json!(900),
        "spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value")]
    #[case("/spec/activeDeadlineSeconds", json!(0),
        "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive")]
    #[case("/spec/activeDeadlineSeconds", json!(-5),
        "[spec.activeDeadlineSeconds: Invalid value: -5: must be between 1 and 2147483647, inclusive, spec.activeDeadlineSeconds: Invalid value: -5: must be between 0 and 2147483647, inclusive]")]
    #[case("/spec/containers/0/image", json!(""), "spec.containers[0].image: Required value")]
    #[case("/spec/containers/0/image", json!(" nginx"),
        "spec.containers[0].image: Invalid value: \" nginx\": must not have leading or trailing whitespace")]
    #[case("/spec/tolerations/0/tolerationSeconds", json!(60), "")]
    #[case("/spec/tolerations/0/key", json!("x"),
        "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds")]
    #[case("/spec/containers", json!([]), "[spec.containers: Required value, spec.containers: Forbidden: pod updates may not add or remove containers]")]
    #[case("/metadata/labels", json!({"a": "bad value!"}), "metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")]
    fn update_rules(#[case] pointer: &str, #[case] value: Value, #[case] expected: &str) {
        let old = pod();
        let mut new = old.clone();
        if pointer == "/metadata/labels" {
            new["metadata"]["labels"] = value;
        } else {
            new = patched(pointer, value);
        }
        let errs = update_errors(&new, &old);
        if expected.is_empty() {
            assert!(errs.is_empty(), "{errs:?}");
        } else {
            assert_eq!(aggregate_message(&errs), expected);
        }
    }

    #[test]
    fn other_fields_forbidden_with_diff() {
        let old = pod();
        let new = patched("/spec/restartPolicy", json!("Never"));
        let errs = update_errors(&new, &old);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec");
        let msg = errs[0].message();
        let first = msg.lines().next().unwrap_or("");
        assert_eq!(
            first,
            format!(
                "spec: Forbidden: pod updates may not change fields other than {UPDATABLE_FIELDS}"
            )
        );
    }

    #[test]
    fn create_requires_containers_and_image() {
        let mut p = pod();
        p["spec"]["containers"][0]["image"] = json!("");
        let errs = validate_create(&p, &QuantityStates::default());
        assert_eq!(
            aggregate_message(&errs),
            "spec.containers[0].image: Required value"
        );
    }
}
