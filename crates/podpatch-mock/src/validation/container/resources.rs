//! `ValidateContainerResourceRequirements` (`pkg/apis/core/validation/validation.go`)
//! for a container: resource names, quantity values, requests against
//! limits, hugepages and claims. It inspects values only: each quantity in
//! the state Go's decoder and defaulting left it (the pod's
//! [`crate::golang::quantity_states::QuantityStates`]), which is what a
//! bad value prints before 1.34 and what `MilliValue` reads.

use std::fmt::Display;

use serde_json::{Value, json};

use super::context::{NEGATIVE, Pod};
use crate::golang::quantity;
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::resources::{
    claim_names, hugepages, native, pod_claim_names, resource_name as standard_name,
};
use crate::validation::value::arr;

fn is_extended(name: &str) -> bool {
    !native(name)
        && !name.starts_with("requests.")
        && names::qualified_name(&format!("requests.{name}")).is_empty()
}

/// `validateContainerResourceName`.
fn resource_name(name: &str, path: &str) -> Vec<FieldError> {
    let mut errs = standard_name(name, path);
    if !name.contains('/') {
        if !(["cpu", "memory", "ephemeral-storage"].contains(&name) || hugepages(name)) {
            errs.push(FieldError::invalid(
                path,
                json!(name),
                "must be a standard resource for containers",
            ));
        }
    } else if !native(name) && !is_extended(name) {
        errs.push(FieldError::invalid(
            path,
            json!(name),
            "doesn't follow extended resource name standard",
        ));
    }
    errs
}

/// `ValidateResourceQuantityValue`.
fn quantity_value(name: &str, q: &quantity::Quantity, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if q.is_negative() {
        errs.push(FieldError::invalid(path, json!(q.to_string()), NEGATIVE));
    }
    if is_extended(name) && q.is_fractional() {
        // The bad value is the `resource.Quantity` itself (no `String()`
        // on a value receiver): its parse state before 1.34.
        errs.push(FieldError::invalid_go(
            path,
            &q.go_value(),
            "must be an integer",
        ));
    }
    errs
}

/// The hugepage divisibility rule of `validateResourceQuantityHugePageValue`.
fn hugepage_value(name: &str, q: &quantity::Quantity, path: &str) -> Option<FieldError> {
    if !hugepages(name) {
        return None;
    }
    let page = quantity::Quantity::parse(&name["hugepages-".len()..]);
    let divisible = page.as_ref().is_some_and(|p| q.divisible_by(p));
    (!divisible).then(|| {
        FieldError::invalid(
            path,
            json!(q.to_string()),
            format!("{q} is not positive integer multiple of {name}"),
        )
    })
}

/// `validateResourceRequirements` for a container at field path `path`
/// (its `resources`).
pub(super) fn resources(
    pod: &Pod,
    c: &Value,
    path: &(impl Display + ?Sized),
    errs: &mut Vec<FieldError>,
) {
    let list = |key: &str| -> Vec<(String, quantity::Quantity)> {
        c.get("resources")
            .and_then(|r| r.get(key))
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| {
                        let state = pod.quantities.at(&format!("{path}.{key}[{k}]"), v)?;
                        Some((k.clone(), state))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (limits, requests) = (list("limits"), list("requests"));
    let lim_path = format_args!("{path}.limits");
    let req_path = format_args!("{path}.requests");
    let cpu_or_memory = |name: &str| name == "cpu" || name == "memory";
    let mut has_compute = false;
    let mut has_hugepages = false;
    for (name, q) in &limits {
        let fp = format!("{lim_path}[{name}]");
        errs.extend(resource_name(name, &fp));
        errs.extend(quantity_value(name, q, &fp));
        has_hugepages |= hugepages(name);
        errs.extend(hugepage_value(name, q, &fp));
        has_compute |= cpu_or_memory(name);
    }
    for (name, q) in &requests {
        let fp = format!("{req_path}[{name}]");
        errs.extend(resource_name(name, &fp));
        errs.extend(quantity_value(name, q, &fp));
        let overcommit = native(name) && !hugepages(name);
        match limits.iter().find(|(n, _)| n == name) {
            Some((_, limit)) => {
                if q != limit && !overcommit {
                    errs.push(FieldError::invalid(
                        req_path.to_string(),
                        json!(q.to_string()),
                        format!("must be equal to {name} limit of {limit}"),
                    ));
                } else if q > limit {
                    errs.push(FieldError::invalid(
                        req_path.to_string(),
                        json!(q.to_string()),
                        format!("must be less than or equal to {name} limit of {limit}"),
                    ));
                }
            }
            None if !overcommit => errs.push(FieldError::required(
                lim_path.to_string(),
                "Limit must be set for non overcommitable resources",
            )),
            None => {}
        }
        has_hugepages |= hugepages(name);
        errs.extend(hugepage_value(name, q, &fp));
        has_compute |= cpu_or_memory(name);
    }
    if !has_compute && has_hugepages {
        errs.push(FieldError::forbidden(
            path.to_string(),
            "HugePages require cpu or memory",
        ));
    }
    errs.extend(claim_names(
        arr(c.get("resources").unwrap_or(&Value::Null), "claims"),
        &pod_claim_names(pod.spec),
        &format_args!("{path}.claims"),
    ));
}
