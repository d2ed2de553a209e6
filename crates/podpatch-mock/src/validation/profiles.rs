//! The seccomp and AppArmor profile fields as
//! `pkg/apis/core/validation/validation.go` checks them
//! (`validateSeccompProfileField`, `ValidateAppArmorProfileField`), shared by
//! the pod and the container security contexts. It inspects values only.

use serde_json::{Value, json};

use crate::validation::field::FieldError;
use crate::validation::internal_types::SECCOMP_PROFILE;
use crate::validation::paths::local_descending;
use crate::validation::value::s;

/// `validateSeccompProfileField`.
pub(crate) fn seccomp_profile(profile: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let kind = s(profile, "type");
    const TYPES: &[&str] = &["Localhost", "RuntimeDefault", "Unconfined"];
    if kind.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.type"),
            "type is required when seccompProfile is set",
        ));
    } else if !TYPES.contains(&kind) {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            json!(kind),
            TYPES,
        ));
    }
    let local = profile.get("localhostProfile").and_then(Value::as_str);
    if kind == "Localhost" {
        match local {
            None => errs.push(FieldError::required(
                format!("{path}.localhostProfile"),
                "must be set when seccomp type is Localhost",
            )),
            Some(p) => errs.extend(local_descending(p, &format!("{path}.localhostProfile"))),
        }
    } else if local.is_some() {
        errs.push(FieldError::invalid_go(
            format!("{path}.localhostProfile"),
            &SECCOMP_PROFILE.value(profile),
            "can only be set when seccomp type is Localhost",
        ));
    }
    errs
}

/// `ValidateAppArmorProfileField`.
pub(crate) fn apparmor_profile(profile: &Value, path: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let local = profile.get("localhostProfile").and_then(Value::as_str);
    let lp = format!("{path}.localhostProfile");
    match s(profile, "type") {
        "Localhost" => match local {
            None => errs.push(FieldError::required(
                &lp,
                "must be set when AppArmor type is Localhost",
            )),
            Some(p) => {
                if p.trim() != p {
                    errs.push(FieldError::invalid(
                        &lp,
                        json!(p),
                        "must not be padded with whitespace",
                    ));
                } else if p.is_empty() {
                    errs.push(FieldError::required(
                        &lp,
                        "must be set when AppArmor type is Localhost",
                    ));
                }
                if p.len() > 4095 {
                    errs.push(FieldError::too_long(&lp, 4095));
                }
            }
        },
        "RuntimeDefault" | "Unconfined" => {
            if let Some(p) = local {
                errs.push(FieldError::invalid(
                    &lp,
                    json!(p),
                    "can only be set when AppArmor type is Localhost",
                ));
            }
        }
        "" => errs.push(FieldError::required(
            format!("{path}.type"),
            "type is required when appArmorProfile is set",
        )),
        other => errs.push(FieldError::not_supported(
            format!("{path}.type"),
            json!(other),
            &["Localhost", "RuntimeDefault", "Unconfined"],
        )),
    }
    errs
}
