//! Pod-level resources (`validatePodResources`, PodLevelResources is on in
//! 1.36) and `spec.overhead` (`validateOverhead`): resource names, signs,
//! requests within limits, and pod-level amounts covering the containers'.
//!
//! Resource maps are walked in sorted key order (Go's is random); bad values
//! are echoed as stored (the decoder has already canonicalised them).

use std::collections::BTreeSet;
use std::fmt::Display;

use serde_json::{Map, Value, json};

use crate::golang::json_pointer::Lookup;
use crate::golang::quantity::Quantity;
use crate::validation::field::{ErrorType, FieldError};
use crate::validation::internal_types::POD_RESOURCE_CLAIM;
use crate::validation::names;
use crate::validation::value::{arr, s};

fn map(v: Option<&Value>) -> Option<&Map<String, Value>> {
    v.and_then(Value::as_object)
}

fn amount(v: &Value) -> Option<Quantity> {
    v.as_str().and_then(Quantity::parse)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

pub(super) fn hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `IsNativeResource`: unprefixed or in `kubernetes.io/`.
pub(super) fn native(name: &str) -> bool {
    !name.contains('/') || name.contains("kubernetes.io/")
}

/// `IsOvercommitAllowed`: native and not hugepages.
fn overcommit(name: &str) -> bool {
    native(name) && !hugepages(name)
}

/// `validateResourceName`: a qualified name, and standard when unprefixed.
pub(super) fn resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let errs: Vec<FieldError> = names::qualified_name(name)
        .into_iter()
        .map(|msg| FieldError::invalid(path, json!(name), msg))
        .collect();
    if !errs.is_empty() {
        return errs;
    }
    const STANDARD: &[&str] = &[
        "cpu",
        "memory",
        "ephemeral-storage",
        "requests.cpu",
        "requests.memory",
        "requests.ephemeral-storage",
        "limits.cpu",
        "limits.memory",
        "limits.ephemeral-storage",
        "pods",
        "resourcequotas",
        "services",
        "replicationcontrollers",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
        "storage",
        "requests.storage",
        "services.nodeports",
        "services.loadbalancers",
    ];
    let quota_hugepages = hugepages(name) || name.starts_with("requests.hugepages-");
    if !name.contains('/') && !STANDARD.contains(&name) && !quota_hugepages {
        return vec![FieldError::invalid(
            path,
            json!(name),
            "must be a standard resource type or fully qualified",
        )];
    }
    errs
}

fn nonnegative(value: &Value, path: &str) -> Option<FieldError> {
    amount(value).filter(Quantity::is_negative).map(|_| {
        FieldError::invalid(
            path,
            json!(text(value)),
            "must be greater than or equal to 0",
        )
    })
}

/// `validateOverhead`: `ValidateContainerResourceRequirements` on limits.
pub(super) fn overhead(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(limits) = map(spec.get("overhead")) else {
        return errs;
    };
    for (name, value) in limits {
        let path = format!("spec.overhead.limits[{name}]");
        errs.extend(resource_name(name, &path));
        let container_resource =
            ["cpu", "memory", "ephemeral-storage"].contains(&name.as_str()) || hugepages(name);
        if !name.contains('/') && !container_resource {
            errs.push(FieldError::invalid(
                &path,
                json!(name),
                "must be a standard resource for containers",
            ));
        }
        errs.extend(nonnegative(value, &path));
    }
    errs
}

/// `validatePodResources`.
pub(super) fn pod_resources(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(resources) = spec.get("resources").filter(|v| !v.is_null()) else {
        return errs;
    };
    if spec.at("/os/name").and_then(Value::as_str) == Some("windows") {
        return vec![FieldError::forbidden(
            "spec.resources",
            "may not be set for a windows pod",
        )];
    }
    if resources.get("claims").is_some_and(|c| !c.is_null()) {
        errs.push(FieldError::forbidden(
            "spec.resources.claims",
            "claims may not be set for Resources at pod-level",
        ));
    }
    let empty = Map::new();
    let limits = map(resources.get("limits")).unwrap_or(&empty);
    let requests = map(resources.get("requests")).unwrap_or(&empty);
    let name_ok = |name: &str, path: &str, errs: &mut Vec<FieldError>| {
        let mut name_errs = resource_name(name, path);
        if name_errs.is_empty() && !(name == "cpu" || name == "memory" || hugepages(name)) {
            name_errs.push(FieldError::not_supported(
                path,
                json!(name),
                &["cpu", "hugepages-", "memory"],
            ));
        }
        errs.extend(name_errs);
    };
    for (name, value) in limits {
        let path = format!("spec.resources.limits[{name}]");
        name_ok(name, &path, &mut errs);
        errs.extend(nonnegative(value, &path));
    }
    for (name, value) in requests {
        let path = format!("spec.resources.requests[{name}]");
        name_ok(name, &path, &mut errs);
        errs.extend(nonnegative(value, &path));
        match limits.get(name) {
            Some(limit) => {
                let (r, l) = (amount(value), amount(limit));
                let overcommit = overcommit(name);
                if !overcommit && r != l {
                    errs.push(FieldError::invalid(
                        "spec.resources.requests",
                        json!(text(value)),
                        format!("must be equal to {name} limit of {}", text(limit)),
                    ));
                } else if let (Some(r), Some(l)) = (r, l)
                    && r > l
                {
                    errs.push(FieldError::invalid(
                        "spec.resources.requests",
                        json!(text(value)),
                        format!(
                            "must be less than or equal to {name} limit of {}",
                            text(limit)
                        ),
                    ));
                }
            }
            None if !overcommit(name) => errs.push(FieldError::required(
                "spec.resources.limits",
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
    }
    let qos = |m: &Map<String, Value>| m.keys().any(|k| k == "cpu" || k == "memory");
    let huge = |m: &Map<String, Value>| m.keys().any(|k| hugepages(k));
    if !qos(limits) && !qos(requests) && (huge(limits) || huge(requests)) {
        errs.push(FieldError::forbidden(
            "spec.resources",
            "HugePages require cpu or memory",
        ));
    }
    errs.extend(claim_names(
        arr(resources, "claims"),
        &pod_claim_names(spec),
        "spec.resources.claims",
    ));
    errs.extend(consistency(spec, requests, limits));
    errs
}

/// `gatherPodResourceClaimNames`.
pub(super) fn pod_claim_names(spec: &Value) -> BTreeSet<String> {
    arr(spec, "resourceClaims")
        .iter()
        .map(|c| s(c, "name").to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

/// `validatePodResourceClaims` (static pods are not modelled).
pub(super) fn pod_resource_claims(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    for (i, claim) in arr(spec, "resourceClaims").iter().enumerate() {
        let path = format!("spec.resourceClaims[{i}]");
        let name = s(claim, "name");
        if name.is_empty() {
            errs.push(FieldError::required(format!("{path}.name"), ""));
        } else if names.contains(name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        } else {
            errs.extend(FieldError::invalid_each(
                format!("{path}.name"),
                name,
                names::dns1123_label(name),
            ));
            names.insert(name);
        }
        let source = |k: &str| claim.get(k).and_then(Value::as_str);
        let (claim_name, template) = (
            source("resourceClaimName"),
            source("resourceClaimTemplateName"),
        );
        // The bad value is the internal struct.
        let internal = POD_RESOURCE_CLAIM.value(claim);
        match (claim_name, template) {
            (Some(_), Some(_)) => errs.push(FieldError::invalid_go(
                &path,
                &internal,
                "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified",
            )),
            (None, None) => errs.push(FieldError::invalid_go(
                &path,
                &internal,
                "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`",
            )),
            _ => {}
        }
        for (key, value) in [
            ("resourceClaimName", claim_name),
            ("resourceClaimTemplateName", template),
        ] {
            if let Some(v) = value {
                errs.extend(FieldError::invalid_each(
                    format!("{path}.{key}"),
                    v,
                    names::dns1123_subdomain(v),
                ));
            }
        }
    }
    errs
}

/// `validateResourceClaimNames`: entries of a `resources.claims` list must
/// name (requests of) the pod's resource claims, each once.
pub(super) fn claim_names(
    claims: &[Value],
    pod_claims: &BTreeSet<String>,
    path: &(impl Display + ?Sized),
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names: BTreeSet<String> = BTreeSet::new();
    for (i, claim) in claims.iter().enumerate() {
        let ip = format!("{path}[{i}]");
        let name = s(claim, "name");
        if name.is_empty() {
            errs.push(FieldError::required(&ip, ""));
            continue;
        }
        if names.contains(name) {
            errs.push(FieldError::duplicate(&ip, json!(name)));
        } else {
            let request = s(claim, "request");
            let mut key = name.to_string();
            if !request.is_empty() {
                errs.extend(FieldError::invalid_each(
                    format!("{ip}.request"),
                    request,
                    names::dns1123_label(request),
                ));
                key = format!("{name}/{request}");
            }
            if names.contains(&key) {
                errs.push(FieldError::duplicate(&ip, json!(key)));
            } else if request.is_empty() {
                for other in &names {
                    if other.split_once('/').is_some_and(|(n, _)| n == name) {
                        errs.push(FieldError::duplicate(&ip, json!(name)));
                    }
                }
            }
            names.insert(key);
        }
        if !pod_claims.contains(name) {
            let listed = if pod_claims.is_empty() {
                " which is empty".to_string()
            } else {
                format!(
                    ": {}",
                    pod_claims.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            };
            errs.push(FieldError {
                kind: ErrorType::NotFound,
                field: ip,
                value: Some(json!(name)),
                detail: format!("must be one of the names in pod.spec.resourceClaims{listed}"),
            });
        }
    }
    errs
}

/// `validatePodResourceConsistency`: pod requests cover the containers'
/// effective requests and no container limit exceeds the pod's.
fn consistency(
    spec: &Value,
    requests: &Map<String, Value>,
    limits: &Map<String, Value>,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (name, total) in aggregate(spec, "requests") {
        let Some(pod) = requests.get(&name) else {
            continue;
        };
        if amount(pod).is_some_and(|p| total > p) {
            errs.push(FieldError::invalid(
                format!("spec.resources.requests[{name}]"),
                json!(text(pod)),
                format!("must be greater than or equal to aggregate container requests of {total}"),
            ));
        }
    }
    for (name, total) in aggregate(spec, "limits") {
        let Some(pod) = limits.get(&name).filter(|_| hugepages(&name)) else {
            continue;
        };
        if amount(pod).is_some_and(|p| total > p) {
            errs.push(FieldError::invalid(
                format!("spec.resources.limits[{name}]"),
                json!(text(pod)),
                format!("must be greater than or equal to aggregate container limits of {total}"),
            ));
        }
    }
    for (i, c) in arr(spec, "containers").iter().enumerate() {
        let Some(own) = map(c.at("/resources/limits")) else {
            continue;
        };
        for (name, limit) in own {
            let Some(pod) = limits.get(name) else {
                continue;
            };
            if let (Some(c), Some(p)) = (amount(limit), amount(pod))
                && c > p
            {
                errs.push(FieldError::invalid(
                    format!("spec.resources.containers[{i}][{name}].limits"),
                    json!(text(limit)),
                    format!("must be less than or equal to pod limits of {}", text(pod)),
                ));
            }
        }
    }
    errs
}

/// `AggregateContainerRequests`/`AggregateContainerLimits`: the sum over
/// regular and sidecar containers, or the largest init container step if
/// that is more. Sums print as Go's `Add` leaves them; a lone value keeps
/// its text.
pub(crate) fn aggregate(spec: &Value, kind: &str) -> Vec<(String, Quantity)> {
    type List = Vec<(String, Quantity)>;
    /// `addResourceList`.
    fn add(acc: &mut List, name: &str, v: &Quantity) {
        match acc.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = entry.1.add(v),
            None => acc.push((name.to_string(), v.clone())),
        }
    }
    /// `maxResourceList`.
    fn max(acc: &mut List, from: List) {
        for (n, v) in from {
            match acc.iter_mut().find(|(m, _)| *m == n) {
                Some(entry) if v > entry.1 => entry.1 = v,
                Some(_) => {}
                None => acc.push((n, v)),
            }
        }
    }
    let list = |c: &Value| -> List {
        map(c.at(&format!("/resources/{kind}")))
            .map(|m| {
                m.iter()
                    .filter_map(|(n, v)| amount(v).map(|a| (n.clone(), a)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut totals = List::new();
    for c in arr(spec, "containers") {
        for (n, v) in list(c) {
            add(&mut totals, &n, &v);
        }
    }
    let mut sidecars = List::new();
    let mut init_max = List::new();
    for c in arr(spec, "initContainers") {
        let sidecar = c.get("restartPolicy").and_then(Value::as_str) == Some("Always");
        let own = list(c);
        let step = if sidecar {
            for (n, v) in &own {
                add(&mut totals, n, v);
                add(&mut sidecars, n, v);
            }
            sidecars.clone()
        } else {
            // Its own requests first: their format leads the sum.
            let mut step = List::new();
            for (n, v) in own.iter().chain(&sidecars) {
                add(&mut step, n, v);
            }
            step
        };
        max(&mut init_max, step);
    }
    max(&mut totals, init_max);
    totals.sort_by(|a, b| a.0.cmp(&b.0));
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sidecars add up with regular containers; a plain init container
    /// counts alone (plus the sidecars started before it) if larger.
    #[test]
    fn aggregates_like_the_kubelet() {
        let spec = json!({
            "initContainers": [
                {"restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
                {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}}}
            ],
            "containers": [{"resources": {"requests": {"cpu": "250m", "memory": "64Mi"}}}]
        });
        let got: Vec<(String, String)> = aggregate(&spec, "requests")
            .into_iter()
            .map(|(n, q)| (n, q.to_string()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("cpu".to_string(), "1100m".to_string()),
                ("memory".to_string(), "1Gi".to_string())
            ]
        );
    }
}
