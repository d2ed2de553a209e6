//! A container's policies: `validateResizePolicy` (in-place resize) and
//! `validateContainerRestartPolicy` with its restart rules, as
//! `pkg/apis/core/validation/validation.go` (1.36) words them. It inspects
//! values only.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::context::{Pod, one_of};
use crate::validation::field::FieldError;
use crate::validation::value::{arr, present as set, s};

/// `validateResizePolicy`.
pub(super) fn resize_policy(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let rp = format!("{path}.resizePolicy");
    let never = s(pod.spec, "restartPolicy") == "Never";
    let mut seen = BTreeSet::new();
    for (j, p) in arr(c, "resizePolicy").iter().enumerate() {
        let resource = s(p, "resourceName");
        if !seen.insert(resource) {
            errs.push(FieldError::duplicate(format!("{rp}[{j}]"), json!(resource)));
        }
        one_of(errs, &rp, resource, &["cpu", "memory"]);
        let policy = s(p, "restartPolicy");
        one_of(errs, &rp, policy, &["NotRequired", "RestartContainer"]);
        if never && policy != "NotRequired" {
            errs.push(FieldError::invalid(
                &rp,
                json!(policy),
                "must be 'NotRequired' when pod `restartPolicy` is 'Never'",
            ));
        }
    }
}

/// `validateContainerRestartPolicy` (restart rules and `RestartAllContainers`
/// are on in 1.36).
pub(super) fn restart_policy(c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let rules = arr(c, "restartPolicyRules");
    let field = format_args!("{path}.restartPolicy");
    match c.get("restartPolicy").and_then(Value::as_str) {
        None if rules.is_empty() => return,
        None => errs.push(FieldError::required(
            field.to_string(),
            "must specify restartPolicy when restart rules are used",
        )),
        Some(policy) => {
            const POLICIES: &[&str] = &["Always", "Never", "OnFailure"];
            if !POLICIES.contains(&policy) {
                errs.push(FieldError::not_supported(
                    field.to_string(),
                    json!(policy),
                    POLICIES,
                ));
            }
        }
    }
    for (j, rule) in rules.iter().enumerate() {
        let rp = format!("{path}.restartPolicyRules[{j}]");
        let action = s(rule, "action");
        const ACTIONS: &[&str] = &["Restart", "RestartAllContainers"];
        if !ACTIONS.contains(&action) {
            errs.push(FieldError::not_supported(
                format!("{rp}.action"),
                json!(action),
                ACTIONS,
            ));
        }
        match set(rule, "exitCodes") {
            Some(codes) => {
                let op = s(codes, "operator");
                if !["In", "NotIn"].contains(&op) {
                    errs.push(FieldError::not_supported(
                        format!("{rp}.exitCodes.operator"),
                        json!(op),
                        &["In", "NotIn"],
                    ));
                }
            }
            None => errs.push(FieldError::required(
                format!("{rp}.exitCodes"),
                "must be specified",
            )),
        }
    }
}
