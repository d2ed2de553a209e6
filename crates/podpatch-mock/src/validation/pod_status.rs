//! `ValidatePodStatusUpdate` (`pkg/apis/core/validation/validation.go`):
//! what a write through `pods/status` must pass.
//! The kubelet owns these fields, so the rules are few: condition types,
//! the node names, the immutable QoS class and the pod/host IP lists.

use serde_json::{Value, json};

use crate::golang::ip::sloppy_v4;
use crate::validation::field::FieldError;
use crate::validation::internal_types::{HOST_IPS, POD_IPS};
use crate::validation::names;
use crate::validation::objectmeta;
use crate::validation::pod::annotation_updates;
use crate::validation::podspec::legacy_ip;
use crate::validation::value::{arr, s};
use crate::version::Version;

/// Condition types the system owns, exempt from the qualified-name rule.
const SYSTEM_CONDITIONS: [&str; 3] = ["PodScheduled", "Ready", "Initialized"];

/// The errors in Go's append order (container state transitions, extended and node-allocatable claim statuses are not modelled).
pub fn validate_status_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = objectmeta::core_object_meta_update(&new["metadata"], &old["metadata"]);
    errs.extend(annotation_updates(new, old));
    let (ns, os) = (&new["status"], &old["status"]);
    for (i, c) in arr(ns, "conditions").iter().enumerate() {
        let generation = c.get("observedGeneration").and_then(Value::as_i64);
        if let Some(g) = generation.filter(|g| *g < 0) {
            errs.push(FieldError::invalid(
                format!("status.conditions[{i}].observedGeneration"),
                json!(g),
                "must be a non-negative integer",
            ));
        }
        let ty = s(c, "type");
        // Before 1.33 the path hung off `metadata` (`fldPath` was the
        // metadata's in `ValidatePodStatusUpdate`).
        let parent = if Version::current().fixed_status_paths() {
            "status"
        } else {
            "metadata"
        };
        if !SYSTEM_CONDITIONS.contains(&ty) {
            for msg in names::qualified_name(ty) {
                errs.push(FieldError::invalid(
                    format!("{parent}.conditions[{i}].Type"),
                    json!(ty),
                    msg,
                ));
            }
        }
    }
    let nominated = s(ns, "nominatedNodeName");
    if nominated != s(os, "nominatedNodeName") && !nominated.is_empty() {
        errs.extend(FieldError::invalid_each(
            "status.nominatedNodeName",
            nominated,
            names::dns1123_subdomain(nominated),
        ));
    }
    if let Some(g) = ns
        .get("observedGeneration")
        .and_then(Value::as_i64)
        .filter(|g| *g < 0)
    {
        errs.push(FieldError::invalid(
            "status.observedGeneration",
            json!(g),
            "must be a non-negative integer",
        ));
    }
    if Version::current().keeps_qos_class_in_status() && s(ns, "qosClass") != s(os, "qosClass") {
        errs.push(FieldError::invalid(
            "status.qosClass",
            json!(s(ns, "qosClass")),
            "field is immutable",
        ));
    }
    errs.extend(claim_statuses(new));
    errs.extend(ip_list(ns, os, "podIPs"));
    if !arr(ns, "hostIPs").is_empty() {
        let first = s(&arr(ns, "hostIPs")[0], "ip");
        if s(ns, "hostIP") != first {
            errs.push(FieldError::invalid(
                "status.hostIPs[0].ip",
                json!(first),
                "must be equal to `hostIP`",
            ));
        }
        errs.extend(ip_list(ns, os, "hostIPs"));
    }
    let os_name = new["spec"]["os"]["name"].as_str().unwrap_or("linux");
    for list in [
        "containerStatuses",
        "initContainerStatuses",
        "ephemeralContainerStatuses",
    ] {
        // Before 1.33 the path skipped `user` (`fldPath.Index(i).Child("linux")`).
        let user = if Version::current().fixed_status_paths() {
            ".user"
        } else {
            ""
        };
        for (i, cs) in arr(ns, list).iter().enumerate() {
            errs.extend(container_user(
                &cs["user"]["linux"],
                os_name,
                &format!("status.{list}[{i}]{user}.linux"),
            ));
        }
    }
    for (list, containers) in [
        ("containerStatuses", "containers"),
        ("initContainerStatuses", "initContainers"),
    ] {
        errs.extend(allocated_resources_status(new, list, containers));
    }
    for (i, cs) in arr(ns, "ephemeralContainerStatuses").iter().enumerate() {
        if !arr(cs, "allocatedResourcesStatus").is_empty() {
            errs.push(FieldError::forbidden(
                format!("status.ephemeralContainerStatuses[{i}].allocatedResourcesStatus"),
                "must not be specified in container status",
            ));
        }
    }
    errs
}

/// `validateContainerStatusUsers`: a Linux pod's reported ids are valid
/// user and group ids; a Windows pod reports none.
fn container_user(linux: &Value, os_name: &str, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if linux.is_null() {
        return errs;
    }
    match os_name {
        "windows" => errs.push(FieldError::forbidden(
            path,
            "cannot be set for a windows pod",
        )),
        "linux" => {
            let ids = [("uid", &linux["uid"]), ("gid", &linux["gid"])]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .chain(
                    arr(linux, "supplementalGroups")
                        .iter()
                        .enumerate()
                        .map(|(g, v)| (format!("supplementalGroups[{g}]"), v)),
                );
            // The reported uid may be any uid_t from 1.37, an int32 before.
            let uid_max = if Version::current().allows_uint32_status_uid() {
                i64::from(u32::MAX)
            } else {
                i64::from(i32::MAX)
            };
            for (key, id) in ids {
                let id = id.as_i64().unwrap_or(0);
                let max = if key == "uid" {
                    uid_max
                } else {
                    i64::from(i32::MAX)
                };
                if !(0..=max).contains(&id) {
                    errs.push(FieldError::invalid(
                        format!("{path}.{key}"),
                        json!(id),
                        format!("must be between 0 and {max}, inclusive"),
                    ));
                }
            }
        }
        _ => {}
    }
    errs
}

/// `validateContainerStatusAllocatedResourcesStatus`: each entry names a
/// resource request (or `claim:<claim>[/<request>]`) of its container, when
/// that container exists, with valid health and unique resource IDs.
fn allocated_resources_status(pod: &Value, list: &str, containers: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, cs) in arr(&pod["status"], list).iter().enumerate() {
        let container = arr(&pod["spec"], containers)
            .iter()
            .find(|c| s(c, "name") == s(cs, "name"));
        for (j, res) in arr(cs, "allocatedResourcesStatus").iter().enumerate() {
            let path = format!("status.{list}[{i}].allocatedResourcesStatus[{j}]");
            let name = s(res, "name");
            if let Some(resources) = container.map(|c| &c["resources"]) {
                let (found, detail) = if name.starts_with("claim:") {
                    let found = arr(resources, "claims").iter().any(|c| {
                        let request = s(c, "request");
                        let claim = format!("claim:{}", s(c, "name"));
                        name == if request.is_empty() {
                            claim
                        } else {
                            format!("{claim}/{request}")
                        }
                    });
                    let detail = if Version::current().explains_claim_status_names() {
                        "must match one of the container's resource claims as 'claim:<claimName>/<requestName>' when container.resources.claims[*].request is set or 'claim:<claimName>' when it is empty"
                    } else {
                        "must match one of the container's resource claims in a format 'claim:<claimName>/<request>' or 'claim:<claimName>' if request is empty"
                    };
                    (found, detail)
                } else {
                    let found = resources["requests"]
                        .as_object()
                        .is_some_and(|r| r.contains_key(name));
                    (found, "must match one of the container's resource requests")
                };
                if !found {
                    errs.push(FieldError::invalid(
                        format!("{path}.name"),
                        json!(name),
                        detail,
                    ));
                }
            }
            let mut seen = Vec::new();
            for (k, r) in arr(res, "resources").iter().enumerate() {
                let at = format!("{path}.resources[{k}]");
                let health = s(r, "health");
                if !["Healthy", "Unhealthy", "Unknown"].contains(&health) {
                    errs.push(FieldError::not_supported(
                        format!("{at}.health"),
                        json!(health),
                        &["Healthy", "Unhealthy", "Unknown"],
                    ));
                }
                match r.get("message").and_then(Value::as_str) {
                    Some("") => errs.push(FieldError::required(
                        format!("{at}.message"),
                        "must be non-empty if specified",
                    )),
                    Some(m) if m.len() > 1024 => {
                        errs.push(FieldError::too_long(format!("{at}.message"), 1024));
                    }
                    _ => {}
                }
                let id = s(r, "resourceID");
                if seen.contains(&id) {
                    errs.push(FieldError::duplicate(format!("{at}.resourceID"), json!(id)));
                } else {
                    seen.push(id);
                }
            }
        }
    }
    errs
}

/// `validatePodResourceClaimStatuses`: each entry names a claim of the spec,
/// once, and a generated claim name is an object name.
fn claim_statuses(pod: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let claims: Vec<&str> = arr(&pod["spec"], "resourceClaims")
        .iter()
        .map(|c| s(c, "name"))
        .collect();
    let mut seen = Vec::new();
    for (i, status) in arr(&pod["status"], "resourceClaimStatuses")
        .iter()
        .enumerate()
    {
        let name = s(status, "name");
        let path = format!("status.resourceClaimStatuses[{i}]");
        if !claims.contains(&name) {
            errs.push(FieldError::invalid(
                format!("{path}.name"),
                json!(name),
                "must match the name of an entry in `spec.resourceClaims`",
            ));
        }
        if seen.contains(&name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        } else {
            seen.push(name);
        }
        if let Some(claim) = status.get("resourceClaimName").and_then(Value::as_str) {
            errs.extend(FieldError::invalid_each(
                format!("{path}.resourceClaimName"),
                claim,
                names::dns1123_subdomain(claim),
            ));
        }
    }
    errs
}

/// The family `IsDualStackIPStrings` sees (`None`: not an IP): it parses
/// sloppily (leading zeros pass) and takes an IPv4-mapped IPv6 address for
/// IPv4 (`To4() != nil`).
fn sloppy_is_v4(ip: &str) -> Option<bool> {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => Some(true),
        Ok(std::net::IpAddr::V6(v6)) => Some(v6.to_ipv4_mapped().is_some()),
        Err(_) => sloppy_v4(ip).map(|_| true),
    }
}

/// `validatePodIPs` / the list half of `validateHostIPs`: every new IP is
/// valid (an invalid one already stored may stay), at most one per family.
fn ip_list(new: &Value, old: &Value, list: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let kept: Vec<&str> = arr(old, list).iter().map(|e| s(e, "ip")).collect();
    let ips: Vec<&str> = arr(new, list).iter().map(|e| s(e, "ip")).collect();
    for (i, ip) in ips.iter().enumerate() {
        if !kept.contains(ip) {
            errs.extend(legacy_ip(&format!("status.{list}[{i}]"), ip));
        }
    }
    if ips.len() > 1 {
        if let Some(i) = ips.iter().position(|ip| sloppy_is_v4(ip).is_none()) {
            errs.push(FieldError::internal(
                format!("status.{list}"),
                format!(
                    "failed to check for dual stack with error:invalid IP[{i}]: {}",
                    ips[i]
                ),
            ));
        }
        let v4 = ips
            .iter()
            .filter(|ip| sloppy_is_v4(ip) == Some(true))
            .count();
        let v6 = ips
            .iter()
            .filter(|ip| sloppy_is_v4(ip) == Some(false))
            .count();
        if ips.len() > 2 || v4 != 1 || v6 != 1 {
            let ty = if list == "podIPs" {
                &POD_IPS
            } else {
                &HOST_IPS
            };
            errs.push(FieldError::invalid_go(
                format!("status.{list}"),
                &ty.value(new.get(list)),
                "may specify no more than one IP for each IP family",
            ));
        }
    }
    errs
}
