//! The pod strategy's `WarningsOnCreate` (`GetWarningsForPod`), for the
//! pod-level fields: deprecated node labels, invalid preferred node-affinity
//! values, null label selectors, deprecated annotations, duplicate host alias IPs and pull secrets,
//! empty pull secret names, the non-functional pod seccomp annotation and
//! negative grace periods, in Go's order
//! (overheads and non-standard IPs never reach a successful create: the
//! RuntimeClass plugin and strict IP validation refuse them). Updates get no
//! warnings.
//!
//! Pure: it reads the created pod and returns `Warning` texts.

use serde_json::Value;

use crate::golang::format::go_quote;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;
use crate::pod::warnings::ip;
use crate::pod::warnings::volume;
use crate::validation::names;
use crate::validation::value::{arr, s};

/// `deprecatedAnnotations` (none of them has a `prefix` in 1.36).
const DEPRECATED_ANNOTATIONS: &[(&str, &str)] = &[
    (
        "scheduler.alpha.kubernetes.io/critical-pod",
        "non-functional in v1.16+; use the \"priorityClassName\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
    (
        "security.alpha.kubernetes.io/unsafe-sysctls",
        "non-functional in v1.11+; use the \"sysctls\" field instead",
    ),
];

const DEPRECATED_NODE_LABELS: &[(&str, &str)] = &[
    (
        "beta.kubernetes.io/arch",
        "deprecated since v1.14; use \"kubernetes.io/arch\" instead",
    ),
    (
        "beta.kubernetes.io/os",
        "deprecated since v1.14; use \"kubernetes.io/os\" instead",
    ),
    (
        "failure-domain.beta.kubernetes.io/region",
        "deprecated since v1.17; use \"topology.kubernetes.io/region\" instead",
    ),
    (
        "failure-domain.beta.kubernetes.io/zone",
        "deprecated since v1.17; use \"topology.kubernetes.io/zone\" instead",
    ),
    (
        "beta.kubernetes.io/instance-type",
        "deprecated since v1.17; use \"node.kubernetes.io/instance-type\" instead",
    ),
    ("app.kubernetes.io/created-by", "deprecated since v1.9"),
    (
        "scheduler.alpha.kubernetes.io/preferAvoidPods",
        "deprecated since v1.22; use Taints and Tolerations instead",
    ),
    (
        "node-role.kubernetes.io/master",
        "use \"node-role.kubernetes.io/control-plane\" instead",
    ),
];

fn deprecated(key: &str) -> Option<&'static str> {
    DEPRECATED_NODE_LABELS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, msg)| *msg)
}

/// The warnings of a successful create, as `Warning` header texts;
/// `quantities` are the pod's as Go's decoder and defaulting left them.
pub fn on_create(pod: &Value, quantities: &QuantityStates) -> Vec<String> {
    let mut out = Vec::new();
    let name = pod
        .at("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let msgs = names::dns1123_label(name);
    if !msgs.is_empty() {
        out.push(format!(
            "metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; a DNS label is recommended: [{}]",
            msgs.join(" ")
        ));
    }
    let spec = &pod["spec"];
    if let Some(selector) = spec.get("nodeSelector").and_then(Value::as_object) {
        for key in selector.keys() {
            if let Some(msg) = deprecated(key) {
                out.push(format!("spec.nodeSelector[{key}]: {msg}"));
            }
        }
    }
    let na = spec.at("/affinity/nodeAffinity");
    if let Some(na) = na {
        let rp = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
        let terms = na
            .at("/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (i, term) in terms.iter().enumerate() {
            term_warnings(&mut out, term, false, &format!("{rp}[{i}]"));
        }
        let pp = "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution";
        for (i, term) in arr(na, "preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            term_warnings(
                &mut out,
                term.get("preference").unwrap_or(&Value::Null),
                true,
                &format!("{pp}[{i}].preference"),
            );
        }
    }
    for (i, c) in arr(spec, "topologySpreadConstraints").iter().enumerate() {
        let path = format!("spec.topologySpreadConstraints[{i}]");
        let key = s(c, "topologyKey");
        if let Some(msg) = deprecated(key) {
            out.push(format!("{path}.topologyKey: {key} is {msg}"));
        }
        if c.get("labelSelector").is_none_or(Value::is_null) {
            out.push(format!(
                "{path}.labelSelector: a null labelSelector results in matching no pod"
            ));
        }
    }
    let annotations = pod.at("/metadata/annotations");
    for (key, message) in DEPRECATED_ANNOTATIONS {
        if annotations.and_then(|a| a.get(*key)).is_some() {
            out.push(format!("metadata.annotations[{key}]: {message}"));
        }
    }
    out.extend(volume::warnings(spec, quantities));
    duplicates(
        &mut out,
        arr(spec, "hostAliases"),
        "ip",
        "spec.hostAliases",
        "ip",
    );
    duplicates(
        &mut out,
        arr(spec, "imagePullSecrets"),
        "name",
        "spec.imagePullSecrets",
        "name",
    );
    for (i, secret) in arr(spec, "imagePullSecrets").iter().enumerate() {
        if s(secret, "name").is_empty() {
            out.push(format!(
                "spec.imagePullSecrets[{i}].name: invalid empty name \"\""
            ));
        }
    }
    // The pod seccomp annotation without the field it was replaced by.
    let pod_seccomp = "seccomp.security.alpha.kubernetes.io/pod";
    if spec
        .at("/securityContext/seccompProfile")
        .is_none_or(Value::is_null)
        && pod
            .at("/metadata/annotations")
            .and_then(|a| a.get(pod_seccomp))
            .is_some()
    {
        out.push(format!(
            "metadata.annotations[{pod_seccomp}]: non-functional in v1.27+; use the \"seccompProfile\" field instead"
        ));
    }
    out.extend(crate::pod::warnings::container::on_create(pod, quantities));
    if spec
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .is_some_and(|v| v < 0)
    {
        out.push(
            "spec.terminationGracePeriodSeconds: must be >= 0; negative values are invalid and will be treated as 1"
                .to_string(),
        );
    }
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(a) = spec.at(&format!("/affinity/{kind}")) else {
            continue;
        };
        let base = format!("spec.affinity.{kind}");
        for (i, t) in arr(a, "requiredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            if t.get("labelSelector").is_none_or(Value::is_null) {
                out.push(format!("{base}.requiredDuringSchedulingIgnoredDuringExecution[{i}].labelSelector: a null labelSelector results in matching no pod"));
            }
        }
        for (i, t) in arr(a, "preferredDuringSchedulingIgnoredDuringExecution")
            .iter()
            .enumerate()
        {
            if t.at("/podAffinityTerm/labelSelector")
                .is_none_or(Value::is_null)
            {
                out.push(format!("{base}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm.labelSelector: a null labelSelector results in matching no pod"));
            }
        }
    }
    // Deprecated IP address formats (1.33).
    for (i, ns) in arr(&spec["dnsConfig"], "nameservers").iter().enumerate() {
        let path = format!("spec.dnsConfig.nameservers[{i}]");
        out.extend(ip::warnings(&path, ns.as_str().unwrap_or("")));
    }
    for (i, alias) in arr(spec, "hostAliases").iter().enumerate() {
        let path = format!("spec.hostAliases[{i}].ip");
        out.extend(ip::warnings(&path, s(alias, "ip")));
    }
    out
}

/// `GetWarningsForNodeSelectorTerm`.
fn term_warnings(out: &mut Vec<String>, term: &Value, check_values: bool, path: &str) {
    for (i, expr) in arr(term, "matchExpressions").iter().enumerate() {
        let key = s(expr, "key");
        if let Some(msg) = deprecated(key) {
            out.push(format!("{path}.matchExpressions[{i}].key: {key} is {msg}"));
        }
        if check_values {
            for (j, v) in arr(expr, "values").iter().enumerate() {
                let v = v.as_str().unwrap_or("");
                for msg in names::label_value(v) {
                    out.push(format!(
                        "{path}.matchExpressions[{i}].values[{j}]: {v} is invalid, {msg}"
                    ));
                }
            }
        }
    }
}

/// Repeated `key` values in a list of objects (only when it has several).
fn duplicates(out: &mut Vec<String>, list: &[Value], key: &str, path: &str, child: &str) {
    if list.len() < 2 {
        return;
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, item) in list.iter().enumerate() {
        let v = s(item, key);
        if !seen.insert(v) {
            out.push(format!(
                "{path}[{i}].{child}: duplicate {key} {}",
                go_quote(v)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn deprecated_annotations_warn_in_go_order() {
        let pod = json!({
            "metadata": {"name": "web", "annotations": {
                "security.alpha.kubernetes.io/unsafe-sysctls": "x",
                "scheduler.alpha.kubernetes.io/critical-pod": ""}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        assert_eq!(
            on_create(&pod, &QuantityStates::default()),
            vec![
                "metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the \"priorityClassName\" field instead",
                "metadata.annotations[security.alpha.kubernetes.io/unsafe-sysctls]: non-functional in v1.11+; use the \"sysctls\" field instead",
            ]
        );
    }

    #[rstest::rstest]
    #[case::annotation_alone(json!({}), 1)]
    #[case::with_the_field(json!({"seccompProfile": {"type": "RuntimeDefault"}}), 0)]
    fn pod_seccomp_annotation_warns_without_the_field(
        #[case] security_context: Value,
        #[case] count: usize,
    ) {
        let pod = json!({
            "metadata": {"name": "web", "annotations": {
                "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
                "container.seccomp.security.alpha.kubernetes.io/web": "runtime/default"}},
            "spec": {"securityContext": security_context,
                "containers": [{"name": "web", "image": "nginx"}]}});
        let warnings = on_create(&pod, &QuantityStates::default());
        let pod_level: Vec<&String> = warnings
            .iter()
            .filter(|w| w.contains("[seccomp.security.alpha.kubernetes.io/pod]"))
            .collect();
        assert_eq!(pod_level.len(), count);
        if count == 1 {
            // Before the container annotation's warning, as in Go.
            assert!(warnings[0].starts_with("metadata.annotations[seccomp.security.alpha"));
            assert_eq!(warnings.len(), 2);
        }
    }
}
