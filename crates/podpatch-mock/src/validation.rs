//! Pod validation as `pkg/apis/core/validation/validation.go` (1.35/1.36)
//! words it: `ValidatePodCreate`, `ValidatePodUpdate` with its list of
//! mutable fields, and the common-fields pass of the generic registry, in
//! the same append order so the causes (duplicates included) match.
//!
//! Containers ([`container`]), volumes and pod-level spec rules live in
//! the submodules, called in `ValidatePodSpec` order. It inspects values
//! only and must not mutate them.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::validation::field::FieldError;

mod affinity;
mod annotations;
mod container;
pub(crate) mod field;
pub(crate) mod objectmeta;
mod paths;
mod podspec;
mod resize;
pub(crate) mod resources;
mod security;
mod spread;
mod status;
pub(crate) mod volume;

use container::containers;
pub use resize::validate_resize;
pub use status::validate_status_update;

/// The 1.32+ list in the "may not change fields other than" message.
pub const UPDATABLE_FIELDS: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

const MIRROR: &str = "kubernetes.io/config.mirror";
/// How `field.NewPath("")` prints: an empty name renders as an index.
const ROOT_PATH: &str = "[]";
const APPARMOR_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
const MAX_INT32: i64 = 2_147_483_647;

pub(super) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

pub(super) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Errors of `ValidatePodCreate` (what a POST must pass).
pub fn validate_create(pod: &Value) -> Vec<FieldError> {
    let mut errs = metadata_and_spec(pod);
    if !arr(&pod["spec"], "ephemeralContainers").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.ephemeralContainers",
            "cannot be set on create",
        ));
    }
    if !s(&pod["spec"], "nodeName").is_empty() && !arr(&pod["spec"], "schedulingGates").is_empty() {
        errs.push(FieldError::forbidden(
            "spec.nodeName",
            "cannot be set until all schedulingGates have been cleared",
        ));
    }
    errs.extend(annotations::profiles_match(pod));
    errs
}

/// `validatePodMetadataAndSpec`.
fn metadata_and_spec(pod: &Value) -> Vec<FieldError> {
    let meta = &pod["metadata"];
    let mut errs = objectmeta::core_object_meta(meta, objectmeta::dns1123_subdomain_name);
    errs.extend(pod_specific_annotations(pod));
    errs.extend(pod_spec(&pod["spec"], s(meta, "name")));
    errs.extend(volume::service_account_tokens(&pod["spec"]));
    // `validateContainersOnlyForPod` and `validateInitContainersOnlyForPod`
    // run after `ValidatePodSpec`, so their errors follow every spec error.
    for list in ["containers", "initContainers"] {
        for (i, c) in arr(&pod["spec"], list).iter().enumerate() {
            errs.extend(image_whitespace(
                &format!("spec.{list}[{i}]"),
                s(c, "image"),
            ));
        }
    }
    errs
}

/// `validateContainerOnlyForPod`: the image must not be padded.
fn image_whitespace(path: &str, image: &str) -> Option<FieldError> {
    (image.trim() != image).then(|| {
        FieldError::invalid(
            format!("{path}.image"),
            json!(image),
            "must not have leading or trailing whitespace",
        )
    })
}

fn pod_specific_annotations(pod: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(value) = pod
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(MIRROR))
        && s(&pod["spec"], "nodeName").is_empty()
    {
        errs.push(FieldError::invalid(
            format!("metadata.annotations[{MIRROR}]"),
            value.clone(),
            "must set spec.nodeName if mirror pod annotation is set",
        ));
    }
    errs.extend(annotations::values(pod));
    errs
}

fn pod_spec(spec: &Value, pod_name: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let volumes = volume::volumes(spec, pod_name, &mut errs);
    errs.extend(resources::pod_resource_claims(spec));
    containers(spec, "containers", &volumes, &mut errs);
    containers(spec, "initContainers", &volumes, &mut errs);
    containers(spec, "ephemeralContainers", &volumes, &mut errs);
    errs.extend(resources::pod_resources(spec));
    errs.extend(security::host_network_deps(spec));
    let restart = s(spec, "restartPolicy");
    if !["Always", "OnFailure", "Never"].contains(&restart) {
        if restart.is_empty() {
            errs.push(FieldError::required("spec.restartPolicy", ""));
        } else {
            errs.push(FieldError::not_supported(
                "spec.restartPolicy",
                json!(restart),
                &["Always", "OnFailure", "Never"],
            ));
        }
    }
    let dns = s(spec, "dnsPolicy");
    if !["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"].contains(&dns) {
        if dns.is_empty() {
            errs.push(FieldError::required("spec.dnsPolicy", ""));
        } else {
            errs.push(FieldError::not_supported(
                "spec.dnsPolicy",
                json!(dns),
                &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
            ));
        }
    }
    errs.extend(objectmeta::labels(
        spec.get("nodeSelector"),
        "spec.nodeSelector",
    ));
    errs.extend(security::pod_security_context(spec));
    errs.extend(affinity::affinity(spec));
    errs.extend(podspec::dns_config(spec));
    errs.extend(podspec::readiness_gates(spec));
    errs.extend(scheduling_gates(spec));
    errs.extend(spread::topology_spread_constraints(spec));
    errs.extend(security::windows_host_process(spec));
    errs.extend(security::host_users(spec));
    errs.extend(podspec::hostname_override(spec));
    for (key, rule) in [
        (
            "serviceAccountName",
            objectmeta::dns1123_subdomain as fn(&str) -> Vec<String>,
        ),
        ("nodeName", objectmeta::dns1123_subdomain),
    ] {
        let v = s(spec, key);
        if !v.is_empty() {
            for msg in rule(v) {
                errs.push(FieldError::invalid(format!("spec.{key}"), json!(v), msg));
            }
        }
    }
    if let Some(ads) = spec.get("activeDeadlineSeconds").and_then(Value::as_i64)
        && !(1..=MAX_INT32).contains(&ads)
    {
        errs.push(FieldError::invalid(
            "spec.activeDeadlineSeconds",
            json!(ads),
            format!("must be between 1 and {MAX_INT32}, inclusive"),
        ));
    }
    for key in ["hostname", "subdomain"] {
        let v = s(spec, key);
        if !v.is_empty() {
            errs.extend(FieldError::invalid_each(
                format!("spec.{key}"),
                v,
                objectmeta::dns1123_label(v),
            ));
        }
    }
    errs.extend(tolerations(arr(spec, "tolerations")));
    errs.extend(podspec::host_aliases(spec));
    errs.extend(podspec::classes(spec));
    errs.extend(resources::overhead(spec));
    errs.extend(podspec::os(spec));
    errs.extend(container::file_key_ref_volumes(spec));
    errs
}

/// `validateSchedulingGates`.
fn scheduling_gates(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, gate) in arr(spec, "schedulingGates").iter().enumerate() {
        let name = s(gate, "name");
        let path = format!("spec.schedulingGates[{i}]");
        for msg in objectmeta::qualified_name(name, "a valid label key") {
            errs.push(FieldError::invalid(&path, json!(name), msg));
        }
        if !seen.insert(name.to_string()) {
            errs.push(FieldError::duplicate(&path, json!(name)));
        }
    }
    errs
}

/// `ValidateTolerations`.
pub fn tolerations(list: &[Value]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let path = format!("spec.tolerations[{i}]");
        let key = s(t, "key");
        let op = s(t, "operator");
        let value = s(t, "value");
        let effect = s(t, "effect");
        if !key.is_empty() {
            for msg in objectmeta::qualified_name(key, "a valid label key") {
                errs.push(FieldError::invalid(format!("{path}.key"), json!(key), msg));
            }
        }
        if key.is_empty() && op != "Exists" {
            errs.push(FieldError::invalid(
                format!("{path}.operator"),
                json!(op),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            ));
        }
        if t.get("tolerationSeconds").is_some_and(|v| !v.is_null()) && effect != "NoExecute" {
            errs.push(FieldError::invalid(
                format!("{path}.effect"),
                json!(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match op {
            "Equal" | "" => {
                let msgs = objectmeta::label_value(value);
                if !msgs.is_empty() {
                    errs.push(FieldError::invalid(
                        format!("{path}.operator"),
                        json!(value),
                        msgs.join(";"),
                    ));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    errs.push(FieldError::invalid(
                        format!("{path}.operator"),
                        json!(value),
                        "value must be empty when `operator` is 'Exists'",
                    ));
                }
            }
            // Lt/Gt exist behind a feature gate that is off: refused, but
            // the message lists them.
            "Lt" | "Gt" => errs.push(FieldError::not_supported(
                format!("{path}.operator"),
                json!(op),
                &["Equal", "Exists", "Lt", "Gt"],
            )),
            other => errs.push(FieldError::not_supported(
                format!("{path}.operator"),
                json!(other),
                &["Equal", "Exists"],
            )),
        }
        if !effect.is_empty() && !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect)
        {
            errs.push(FieldError::not_supported(
                format!("{path}.effect"),
                json!(effect),
                &["NoSchedule", "PreferNoSchedule", "NoExecute"],
            ));
        }
    }
    errs
}

/// The generic registry's `validateCommonFields` for an update.
pub fn common_fields_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = objectmeta::object_meta(&new["metadata"], path_segment_name);
    errs.extend(objectmeta::object_meta_update(
        &new["metadata"],
        &old["metadata"],
    ));
    errs
}

/// `path.ValidatePathSegmentName`: a `generateName` (`prefix`) is only
/// checked for '/' and '%' (`IsValidPathSegmentPrefix`).
fn path_segment_name(name: &str, prefix: bool) -> Vec<String> {
    if !prefix && (name == "." || name == "..") {
        return vec![format!("may not be '{name}'")];
    }
    let mut errs = Vec::new();
    for bad in ["/", "%"] {
        if name.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

/// `ValidatePodEphemeralContainersUpdate`.
pub fn validate_ephemeral_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = objectmeta::core_object_meta_update(&new["metadata"], &old["metadata"]);
    errs.extend(metadata_and_spec(new));
    errs.extend(annotation_updates(new, old));
    if old
        .pointer(&format!(
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

/// `ValidatePodUpdate`.
pub fn validate_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = objectmeta::core_object_meta_update(&new["metadata"], &old["metadata"]);
    errs.extend(metadata_and_spec(new));
    errs.extend(annotation_updates(new, old));
    let (ns, os) = (&new["spec"], &old["spec"]);
    for list in ["containers", "initContainers"] {
        let (n, o) = (arr(ns, list), arr(os, list));
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
    let new_ads = ns.get("activeDeadlineSeconds").and_then(Value::as_i64);
    let old_ads = os.get("activeDeadlineSeconds").and_then(Value::as_i64);
    match (new_ads, old_ads) {
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
        arr(ns, "tolerations"),
        arr(os, "tolerations"),
    ));
    errs.extend(only_deleted_gates(
        arr(ns, "schedulingGates"),
        arr(os, "schedulingGates"),
    ));
    if crate::golang::semantic::semantic_eq(Some(ns), Some(os), &super::schema::POD_SPEC_TY) {
        return errs;
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
    if !crate::golang::semantic::semantic_eq(Some(&munged), Some(os), &super::schema::POD_SPEC_TY) {
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
        errs.push(FieldError::invalid(
            "spec.nodeSelector",
            ns.get("nodeSelector").cloned().unwrap_or(Value::Null),
            "only additions to spec.nodeSelector are allowed (no mutations or deletions)",
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
            .and_then(|a| a.pointer(TERMS))
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
            errs.push(FieldError::invalid(
                path,
                // A nil Go slice renders as null.
                new_terms_raw.as_ref().map_or(Value::Null, |t| {
                    Value::Array(t.iter().map(internal_term).collect())
                }),
                "no additions/deletions to non-empty NodeSelectorTerms list are allowed",
            ));
        } else {
            for (i, (o, n)) in old_terms.iter().zip(new_terms.iter()).enumerate() {
                if !term_only_adds(n, o) {
                    errs.push(FieldError::invalid(
                        format!("{path}[{i}]"),
                        internal_term(n),
                        "only additions are allowed (no mutations or deletions)",
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

/// A NodeSelectorTerm as the internal Go struct marshals it (no JSON tags:
/// Go field names, nil slices as `null`), which is how validation shows it.
fn internal_term(term: &Value) -> Value {
    let requirements = |key: &str| match term.get(key).and_then(Value::as_array) {
        None => Value::Null,
        Some(list) => Value::Array(
            list.iter()
                .map(|r| {
                    let mut m = serde_json::Map::new();
                    m.insert("Key".into(), json!(s(r, "key")));
                    m.insert("Operator".into(), json!(s(r, "operator")));
                    m.insert(
                        "Values".into(),
                        r.get("values").cloned().unwrap_or(Value::Null),
                    );
                    Value::Object(m)
                })
                .collect(),
        ),
    };
    let mut m = serde_json::Map::new();
    m.insert("MatchExpressions".into(), requirements("matchExpressions"));
    m.insert("MatchFields".into(), requirements("matchFields"));
    Value::Object(m)
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
fn spec_diff(old: &Value, new: &Value) -> String {
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (a, b) = (pretty(old), pretty(new));
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(2)
        .to_string()
}

fn annotation_updates(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let empty = serde_json::Map::new();
    let get = |p: &Value| {
        p.pointer("/metadata/annotations")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| empty.clone())
    };
    let (na, oa) = (get(new), get(old));
    for (k, old_val) in &oa {
        if na.get(k) == Some(old_val) {
            continue;
        }
        let field = format!("metadata.annotations[{k}]");
        if k.starts_with(APPARMOR_PREFIX) {
            errs.push(FieldError::forbidden(
                &field,
                "may not remove or update AppArmor annotations",
            ));
        }
        if k == MIRROR {
            errs.push(FieldError::forbidden(
                &field,
                "may not remove or update mirror pod annotation",
            ));
        }
    }
    for k in na.keys() {
        if oa.contains_key(k) {
            continue;
        }
        let field = format!("metadata.annotations[{k}]");
        if k.starts_with(APPARMOR_PREFIX) {
            errs.push(FieldError::forbidden(
                &field,
                "may not add AppArmor annotations",
            ));
        }
        if k == MIRROR {
            errs.push(FieldError::forbidden(
                &field,
                "may not add mirror pod annotation",
            ));
        }
    }
    errs.extend(pod_specific_annotations(new));
    errs
}

fn only_added_tolerations(new: &[Value], old: &[Value]) -> Vec<FieldError> {
    let strip = |t: &Value| {
        let mut t = t.clone();
        if let Some(o) = t.as_object_mut() {
            o.remove("tolerationSeconds");
        }
        t
    };
    for o in old {
        if !new.iter().any(|n| strip(n) == strip(o)) {
            return vec![FieldError::forbidden(
                "spec.tolerations",
                "existing toleration can not be modified except its tolerationSeconds",
            )];
        }
    }
    tolerations(new)
}

fn only_deleted_gates(new: &[Value], old: &[Value]) -> Vec<FieldError> {
    let old_names: BTreeSet<&str> = old.iter().map(|g| s(g, "name")).collect();
    // Go iterates a map here; the mock reports in index order.
    let mut last_index: Vec<(&str, usize)> = Vec::new();
    for (i, g) in new.iter().enumerate() {
        let name = s(g, "name");
        match last_index.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = i,
            None => last_index.push((name, i)),
        }
    }
    last_index
        .into_iter()
        .filter(|(name, _)| !old_names.contains(name))
        .map(|(name, i)| {
            FieldError::forbidden(
                format!("spec.schedulingGates[{i}].name"),
                format!("only deletion is allowed, but found new scheduling gate '{name}'"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field::aggregate_message;
    use rstest::rstest;

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
        if let Some(image) = new.pointer_mut("/spec/containers/0/image") {
            *image = json!("nginx ");
        }
        let errs = if update {
            validate_update(&new, &pod())
        } else {
            validate_create(&new)
        };
        let got: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(got, fields);
    }

    fn patched(pointer: &str, value: Value) -> Value {
        let mut p = pod();
        if let Some(slot) = p.pointer_mut(pointer) {
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
        let errs = validate_update(&new, &old);
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
        let errs = validate_update(&new, &old);
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
        let errs = validate_create(&p);
        assert_eq!(
            aggregate_message(&errs),
            "spec.containers[0].image: Required value"
        );
    }
}
