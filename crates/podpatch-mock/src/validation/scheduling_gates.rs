//! Scheduling gates (KEP-3521): `validateSchedulingGates` on every write and
//! `validateOnlyDeletedSchedulingGates` on update, as
//! `pkg/apis/core/validation/validation.go` words them. It inspects values
//! only.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::value::{arr, s};

/// `validateSchedulingGates`.
pub(crate) fn scheduling_gates(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, gate) in arr(spec, "schedulingGates").iter().enumerate() {
        let name = s(gate, "name");
        let path = format_args!("spec.schedulingGates[{i}]");
        for msg in names::qualified_name(name) {
            errs.push(FieldError::invalid(path.to_string(), json!(name), msg));
        }
        if !seen.insert(name.to_string()) {
            errs.push(FieldError::duplicate(path.to_string(), json!(name)));
        }
    }
    errs
}

/// `validateOnlyDeletedSchedulingGates`: an update may only remove gates.
pub(crate) fn only_deleted_gates(new: &[Value], old: &[Value]) -> Vec<FieldError> {
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
