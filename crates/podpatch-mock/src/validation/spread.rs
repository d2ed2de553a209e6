//! `validateTopologySpreadConstraints` with the 1.34+ selector-merge rules
//! (`MatchLabelKeysInPodTopologySpreadSelectorMerge` on): `matchLabelKeys`
//! go through `ValidateMatchLabelKeysAndMismatchLabelKeys`.

use serde_json::{Value, json};

use crate::validation::affinity::{label_selector, match_label_keys};
use crate::validation::field::FieldError;
use crate::validation::value::{arr, s};

const NOT_POSITIVE: &str = "must be greater than zero";

/// `validateTopologySpreadConstraints`.
pub(super) fn topology_spread_constraints(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let constraints = arr(spec, "topologySpreadConstraints");
    for (i, c) in constraints.iter().enumerate() {
        let path = format!("spec.topologySpreadConstraints[{i}]");
        let max_skew = c.get("maxSkew").and_then(Value::as_i64).unwrap_or(0);
        if max_skew <= 0 {
            errs.push(FieldError::invalid(
                format!("{path}.maxSkew"),
                json!(max_skew),
                NOT_POSITIVE,
            ));
        }
        let key = s(c, "topologyKey");
        if key.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.topologyKey"),
                "can not be empty",
            ));
        }
        let action = s(c, "whenUnsatisfiable");
        if !["DoNotSchedule", "ScheduleAnyway"].contains(&action) {
            errs.push(FieldError::not_supported(
                format!("{path}.whenUnsatisfiable"),
                json!(action),
                &["DoNotSchedule", "ScheduleAnyway"],
            ));
        }
        if constraints[i + 1..]
            .iter()
            .any(|o| s(o, "topologyKey") == key && s(o, "whenUnsatisfiable") == action)
        {
            errs.push(FieldError::duplicate(
                format!("{path}.{{topologyKey, whenUnsatisfiable}}"),
                json!(format!("{{{key}, {action}}}")),
            ));
        }
        if let Some(min) = c.get("minDomains").and_then(Value::as_i64) {
            if min <= 0 {
                errs.push(FieldError::invalid(
                    format!("{path}.minDomains"),
                    json!(min),
                    NOT_POSITIVE,
                ));
            }
            if action != "DoNotSchedule" {
                errs.push(FieldError::invalid(
                    format!("{path}.minDomains"),
                    json!(min),
                    format!(
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"
                    ),
                ));
            }
        }
        for policy in ["nodeAffinityPolicy", "nodeTaintsPolicy"] {
            if let Some(v) = c.get(policy).and_then(Value::as_str)
                && !["Honor", "Ignore"].contains(&v)
            {
                errs.push(FieldError::not_supported(
                    format!("{path}.{policy}"),
                    json!(v),
                    &["Honor", "Ignore"],
                ));
            }
        }
        errs.extend(match_label_keys(
            &path,
            arr(c, "matchLabelKeys"),
            &[],
            c.get("labelSelector").filter(|v| !v.is_null()),
        ));
        errs.extend(label_selector(
            c.get("labelSelector"),
            &format!("{path}.labelSelector"),
        ));
    }
    errs
}
