//! `ValidateSecurityContext` for a container (privileged containers are
//! allowed by the cluster), with the internal Go structs some errors show.

use serde_json::{Value, json};

use super::super::super::schema::Ty;
use super::super::paths::local_descending;
use super::super::{arr, s};
use super::{Pod, set};
use crate::golang::json_encode;
use crate::validation::field::FieldError;

/// `ValidateSecurityContext` (privileged containers are allowed).
pub(super) fn security_context(pod: &Pod, sc: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for key in ["runAsUser", "runAsGroup"] {
        if let Some(id) = sc.get(key).and_then(Value::as_i64)
            && !(0..=2_147_483_647).contains(&id)
        {
            errs.push(FieldError::invalid(
                format!("{path}.{key}"),
                json!(id),
                "must be between 0 and 2147483647, inclusive",
            ));
        }
    }
    if let Some(mount) = sc.get("procMount").and_then(Value::as_str) {
        if !["Default", "Unmasked"].contains(&mount) {
            errs.push(FieldError::not_supported(
                format!("{path}.procMount"),
                json!(mount),
                &["Default", "Unmasked"],
            ));
        }
        if pod.host_users && mount == "Unmasked" {
            errs.push(FieldError::invalid(
                format!("{path}.procMount"),
                json!(mount),
                "`hostUsers` must be false to use `Unmasked`",
            ));
        }
    }
    if let Some(profile) = set(sc, "seccompProfile") {
        errs.extend(seccomp_profile(profile, &format!("{path}.seccompProfile")));
    }
    if sc.get("allowPrivilegeEscalation") == Some(&json!(false)) {
        if sc.get("privileged") == Some(&json!(true)) {
            errs.push(FieldError::invalid_rendered(
                path,
                internal_security_context(sc),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        for cap in arr(sc.get("capabilities").unwrap_or(&Value::Null), "add") {
            if cap.as_str() == Some("CAP_SYS_ADMIN") {
                errs.push(FieldError::invalid_rendered(
                    path,
                    internal_security_context(sc),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                ));
            }
        }
    }
    errs.extend(super::super::security::windows_options(
        sc.get("windowsOptions"),
        &format!("{path}.windowsOptions"),
    ));
    if let Some(profile) = set(sc, "appArmorProfile") {
        errs.extend(apparmor_profile(
            profile,
            &format!("{path}.appArmorProfile"),
        ));
    }
}

/// `validateSeccompProfileField`.
pub(in crate::validation) fn seccomp_profile(profile: &Value, path: &str) -> Vec<FieldError> {
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
pub(in crate::validation) fn apparmor_profile(profile: &Value, path: &str) -> Vec<FieldError> {
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
fn go_struct(fields: &[(&str, String)]) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("\"{name}\":{value}"))
        .collect();
    format!("{{{}}}", body.join(","))
}

/// A JSON value as Go marshals it (compact, Go's escaping).
fn go_json(value: Option<&Value>) -> String {
    json_encode::compact_string(value.unwrap_or(&Value::Null), &Ty::Any)
}

/// A seccomp or AppArmor profile as the internal Go struct marshals it.
fn internal_profile(profile: &Value) -> String {
    go_struct(&[
        ("Type", go_json(Some(&json!(s(profile, "type"))))),
        ("LocalhostProfile", go_json(profile.get("localhostProfile"))),
    ])
}

/// A `SecurityContext` as the internal Go struct marshals it (Go field
/// names, nil pointers as `null`), which is how validation shows it.
fn internal_security_context(sc: &Value) -> String {
    let get = |key: &str| go_json(sc.get(key));
    let null = || "null".to_string();
    let capabilities = set(sc, "capabilities").map_or_else(null, |c| {
        go_struct(&[
            ("Add", go_json(c.get("add"))),
            ("Drop", go_json(c.get("drop"))),
        ])
    });
    let se_linux = set(sc, "seLinuxOptions").map_or_else(null, |o| {
        let field = |key: &str| go_json(Some(&json!(s(o, key))));
        go_struct(&[
            ("User", field("user")),
            ("Role", field("role")),
            ("Type", field("type")),
            ("Level", field("level")),
        ])
    });
    let windows = set(sc, "windowsOptions").map_or_else(null, |o| {
        go_struct(&[
            (
                "GMSACredentialSpecName",
                go_json(o.get("gmsaCredentialSpecName")),
            ),
            ("GMSACredentialSpec", go_json(o.get("gmsaCredentialSpec"))),
            ("RunAsUserName", go_json(o.get("runAsUserName"))),
            ("HostProcess", go_json(o.get("hostProcess"))),
        ])
    });
    go_struct(&[
        ("Capabilities", capabilities),
        ("Privileged", get("privileged")),
        ("SELinuxOptions", se_linux),
        ("WindowsOptions", windows),
        ("RunAsUser", get("runAsUser")),
        ("RunAsGroup", get("runAsGroup")),
        ("RunAsNonRoot", get("runAsNonRoot")),
        ("ReadOnlyRootFilesystem", get("readOnlyRootFilesystem")),
        ("AllowPrivilegeEscalation", get("allowPrivilegeEscalation")),
        ("ProcMount", get("procMount")),
        (
            "SeccompProfile",
            set(sc, "seccompProfile").map_or_else(null, internal_profile),
        ),
        (
            "AppArmorProfile",
            set(sc, "appArmorProfile").map_or_else(null, internal_profile),
        ),
    ])
}
