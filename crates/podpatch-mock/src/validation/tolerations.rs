//! `ValidateTolerations` and the update rule of `ValidatePodUpdate` that
//! only lets existing tolerations change their `tolerationSeconds`
//! (`validateOnlyAddedTolerations`), as
//! `pkg/apis/core/validation/validation.go` words them. It inspects values
//! only.

use serde_json::{Value, json};

use crate::validation::field::FieldError;
use crate::validation::internal_types::TOLERATION;
use crate::validation::names;
use crate::validation::value::{members, str_of};
use crate::version::Version;

/// `ValidateTolerations`.
pub fn tolerations(list: &[Value]) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, t) in list.iter().enumerate() {
        let path = format_args!("spec.tolerations[{i}]");
        let [key, op, value, effect, seconds] = members(
            t,
            ["key", "operator", "value", "effect", "tolerationSeconds"],
        );
        let [key, op, value, effect] = [key, op, value, effect].map(str_of);
        if !key.is_empty() {
            for msg in names::qualified_name(key) {
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
        if seconds.is_some_and(|v| !v.is_null()) && effect != "NoExecute" {
            errs.push(FieldError::invalid(
                format!("{path}.effect"),
                json!(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            ));
        }
        match op {
            "Equal" | "" => {
                let msgs = names::label_value(value);
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
                    let detail = "value must be empty when `operator` is 'Exists'";
                    let path = format!("{path}.operator");
                    // 1.31 and older quote the whole toleration (`%#v`).
                    errs.push(if Version::current().quotes_toleration_value() {
                        FieldError::invalid(path, json!(value), detail)
                    } else {
                        FieldError::invalid_go(path, &TOLERATION.value(t), detail)
                    });
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

/// `validateOnlyAddedTolerations`, then `ValidateTolerations` on the new list.
pub(crate) fn only_added_tolerations(new: &[Value], old: &[Value]) -> Vec<FieldError> {
    // Equal but for `tolerationSeconds`, compared in place (the maps
    // iterate in the same sorted order).
    let same = |a: &Value, b: &Value| match (a.as_object(), b.as_object()) {
        (Some(a), Some(b)) => {
            let kept = |(k, _): &(&String, &Value)| k.as_str() != "tolerationSeconds";
            a.iter().filter(kept).eq(b.iter().filter(kept))
        }
        _ => a == b,
    };
    for o in old {
        if !new.iter().any(|n| same(n, o)) {
            return vec![FieldError::forbidden(
                "spec.tolerations",
                "existing toleration can not be modified except its tolerationSeconds",
            )];
        }
    }
    tolerations(new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An existing toleration may change its `tolerationSeconds` only.
    #[rstest::rstest]
    #[case(json!({"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}), true)]
    #[case(json!({"key": "k", "operator": "Exists", "effect": "NoExecute"}), true)]
    #[case(json!({"key": "k", "operator": "Exists", "effect": "NoSchedule"}), false)]
    #[case(json!({"key": "k", "operator": "Exists"}), false)]
    fn only_seconds_may_change(#[case] new: Value, #[case] allowed: bool) {
        let old = json!({"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300});
        let errs = only_added_tolerations(&[new], &[old]);
        let refused = errs
            .iter()
            .any(|e| e.detail.contains("existing toleration can not be modified"));
        assert_eq!(refused, !allowed, "{errs:?}");
    }
}
