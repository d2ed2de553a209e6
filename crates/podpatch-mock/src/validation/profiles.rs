//! The seccomp and AppArmor profile fields as
//! `pkg/apis/core/validation/validation.go` checks them
//! (`validateSeccompProfileField`, `ValidateAppArmorProfileField`), shared by
//! the pod and the container security contexts, and the rendering of
//! internal Go structs (`json.Marshal` of the internal types: Go field
//! names, nil pointers as `null`) that their errors and the container
//! security context's show. It inspects values only.

use serde_json::{Value, json};

use crate::golang::json_encode;
use crate::schema::Ty;
use crate::validation::field::FieldError;
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
        errs.push(FieldError::invalid_rendered(
            format!("{path}.localhostProfile"),
            internal_profile(profile),
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

/// A Go struct as `json.Marshal` renders it: fields in declaration order,
/// each value already rendered.
pub(crate) fn go_struct(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("\"{name}\":{value}"))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A JSON value as Go marshals it (compact, Go's escaping).
pub(crate) fn go_json(value: Option<&Value>) -> String {
    json_encode::compact_string(value.unwrap_or(&Value::Null), &Ty::Any)
}

/// A seccomp or AppArmor profile as the internal Go struct marshals it.
pub(crate) fn internal_profile(profile: &Value) -> String {
    go_struct(&[
        ("Type", go_json(Some(&json!(s(profile, "type"))))),
        ("LocalhostProfile", go_json(profile.get("localhostProfile"))),
    ])
}
