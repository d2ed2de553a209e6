//! Container ports as `pkg/apis/core/validation/validation.go` checks them:
//! `validateContainerPorts`, `AccumulateUniqueHostPorts`, and the port name
//! and `IntOrString` rules probes and lifecycle hooks share. It inspects
//! values only.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::context::{int, one_of};
use crate::validation::field::FieldError;
use crate::validation::value::{arr, s};

const INCLUSIVE_PORT: &str = "must be between 1 and 65535, inclusive";

/// `IsValidPortName`.
fn port_name(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > 15 {
        errs.push("must be no more than 15 characters".to_string());
    }
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        errs.push(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)".to_string(),
        );
    }
    if !name.chars().any(|c| c.is_ascii_lowercase()) {
        errs.push("must contain at least one letter (a-z)".to_string());
    }
    if name.contains("--") {
        errs.push("must not contain consecutive hyphens".to_string());
    }
    if name.starts_with('-') || name.ends_with('-') {
        errs.push("must not begin or end with a hyphen".to_string());
    }
    errs
}

/// `ValidatePortNumOrName` for an `IntOrString` port.
pub(super) fn port_num_or_name(port: Option<&Value>, path: &str) -> Vec<FieldError> {
    match port {
        Some(Value::String(name)) => port_name(name)
            .into_iter()
            .map(|msg| FieldError::invalid(path, json!(name), msg))
            .collect(),
        other => {
            let n = other.and_then(Value::as_i64).unwrap_or(0);
            if (1..=65535).contains(&n) {
                Vec::new()
            } else {
                vec![FieldError::invalid(path, json!(n), INCLUSIVE_PORT)]
            }
        }
    }
}

/// `validateContainerPorts`.
pub(super) fn ports(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let mut names = BTreeSet::new();
    for (j, port) in arr(c, "ports").iter().enumerate() {
        let pp = format!("{path}.ports[{j}]");
        let name = s(port, "name");
        if !name.is_empty() {
            let msgs = port_name(name);
            if !msgs.is_empty() {
                for msg in msgs {
                    errs.push(FieldError::invalid(format!("{pp}.name"), json!(name), msg));
                }
            } else if !names.insert(name) {
                errs.push(FieldError::duplicate(format!("{pp}.name"), json!(name)));
            }
        }
        let cp = int(port, "containerPort");
        if cp == 0 {
            errs.push(FieldError::required(format!("{pp}.containerPort"), ""));
        } else if !(1..=65535).contains(&cp) {
            errs.push(FieldError::invalid(
                format!("{pp}.containerPort"),
                json!(cp),
                INCLUSIVE_PORT,
            ));
        }
        let hp = int(port, "hostPort");
        if hp != 0 && !(1..=65535).contains(&hp) {
            errs.push(FieldError::invalid(
                format!("{pp}.hostPort"),
                json!(hp),
                INCLUSIVE_PORT,
            ));
        }
        one_of(
            errs,
            &format!("{pp}.protocol"),
            s(port, "protocol"),
            &["SCTP", "TCP", "UDP"],
        );
    }
}

/// `AccumulateUniqueHostPorts` over one list.
pub(super) fn host_port_conflicts(containers: &[Value], list: &str) -> Vec<FieldError> {
    let mut seen = BTreeSet::new();
    let mut errs = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        for (j, port) in arr(c, "ports").iter().enumerate() {
            let hp = int(port, "hostPort");
            if hp == 0 {
                continue;
            }
            let key = format!("{}/{}/{hp}", s(port, "protocol"), s(port, "hostIP"));
            if seen.contains(&key) {
                errs.push(FieldError::duplicate(
                    format!("{list}[{i}].ports[{j}].hostPort"),
                    json!(key),
                ));
            } else {
                seen.insert(key);
            }
        }
    }
    errs
}
