//! The container part of `warningsForPodSpecAndMeta` (`pkg/api/pod/warnings.go`),
//! which a pod create returns as `Warning` headers once it validated: per
//! container the non-functional seccomp annotation, fractional byte
//! quantities and env vars hiding an earlier one, then port definitions
//! that repeat or overlap across all containers, then repeated port names.
//! Pod updates return no warnings.

use serde_json::Value;

use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;
use crate::validation::value::{arr, s};

const SECCOMP_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or(0)
}

/// Init, regular, then ephemeral containers with their paths
/// (`VisitContainersWithPath`).
fn containers(spec: &Value) -> Vec<(String, &Value)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .iter()
        .flat_map(|list| {
            arr(spec, list)
                .iter()
                .enumerate()
                .map(move |(i, c)| (format!("spec.{list}[{i}]"), c))
        })
        .collect()
}

/// The container warnings of a pod being created, in Go's order; its
/// quantities are read in their parse states (`quantities`).
pub fn on_create(pod: &Value, quantities: &QuantityStates) -> Vec<String> {
    let mut out = Vec::new();
    let spec = &pod["spec"];
    let annotations = pod.at("/metadata/annotations");
    let all = containers(spec);
    for (path, c) in &all {
        let key = format!("{SECCOMP_PREFIX}{}", s(c, "name"));
        let has_field = c
            .at("/securityContext/seccompProfile")
            .is_some_and(|p| !p.is_null());
        if !has_field && annotations.and_then(|a| a.get(&key)).is_some() {
            out.push(format!(
                "metadata.annotations[{key}]: non-functional in v1.27+; use the \"seccompProfile\" field instead"
            ));
        }
        for (list, name) in [
            ("limits", "memory"),
            ("requests", "memory"),
            ("limits", "ephemeral-storage"),
            ("requests", "ephemeral-storage"),
        ] {
            let at = format!("{path}.resources.{list}[{name}]");
            let q = c
                .at(&format!("/resources/{list}/{name}"))
                .and_then(|text| quantities.at(&at, text));
            if let Some(q) = q
                && q.is_fractional()
            {
                out.push(format!(
                    "{at}: fractional byte value \"{q}\" is invalid, must be an integer"
                ));
            }
        }
        let mut names = Vec::new();
        for (i, var) in arr(c, "env").iter().enumerate() {
            let name = s(var, "name");
            if !names.contains(&name) {
                names.push(name);
                continue;
            }
            let reference = format!("$({name})");
            let value = s(var, "value");
            let bad = var.get("valueFrom").is_some_and(|v| !v.is_null())
                || value == reference
                || !value.contains(&reference);
            if bad {
                out.push(format!(
                    "{path}.env[{i}]: hides previous definition of \"{name}\", which may be dropped when using apply"
                ));
            }
        }
    }
    port_definitions(&all, &mut out);
    let mut named: Vec<(&str, String)> = Vec::new();
    for (path, c) in &all {
        for (i, port) in arr(c, "ports").iter().enumerate() {
            let name = s(port, "name");
            if name.is_empty() {
                continue;
            }
            let here = format!("{path}.ports[{i}]");
            match named.iter().find(|(n, _)| *n == name) {
                Some((_, other)) => out.push(format!(
                    "{here}: duplicate port name \"{name}\" with {other}, services and probes that select ports by name will use {other}"
                )),
                None => named.push((name, here)),
            }
        }
    }
    out
}

/// Ports sharing a container port and protocol: duplicate, overlapping or
/// dangerously ambiguous definitions, and a host IP without a host port.
fn port_definitions(all: &[(String, &Value)], out: &mut Vec<String>) {
    let mut seen: Vec<(String, String, &Value)> = Vec::new();
    for (path, c) in all {
        for (i, port) in arr(c, "ports").iter().enumerate() {
            let here = format!("{path}.ports[{i}]");
            let (host_ip, host_port) = (s(port, "hostIP"), int(port, "hostPort"));
            if !host_ip.is_empty() && host_port == 0 {
                out.push(format!(
                    "{here}: hostIP set without hostPort: {{Name:{} HostPort:{host_port} ContainerPort:{} Protocol:{} HostIP:{host_ip}}}",
                    s(port, "name"),
                    int(port, "containerPort"),
                    s(port, "protocol"),
                ));
            }
            let key = format!("{}/{}", int(port, "containerPort"), s(port, "protocol"));
            for (other_key, other_path, other) in &seen {
                if *other_key != key {
                    continue;
                }
                let (other_ip, other_port) = (s(other, "hostIP"), int(other, "hostPort"));
                let (a, b) = (host_ip.is_empty(), other_ip.is_empty());
                if host_ip == other_ip && host_port == other_port {
                    out.push(format!(
                        "{here}: duplicate port definition with {other_path}"
                    ));
                } else if host_port == 0 || other_port == 0 {
                    out.push(format!(
                        "{here}: overlapping port definition with {other_path}"
                    ));
                } else if host_port == other_port && (a || b) && !(a && b) {
                    out.push(format!(
                        "{here}: dangerously ambiguous port definition with {other_path}"
                    ));
                }
            }
            seen.push((key, here, port));
        }
    }
}
