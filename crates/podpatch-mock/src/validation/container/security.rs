//! `ValidateSecurityContext` for a container (privileged containers are
//! allowed by the cluster), with the internal Go struct some errors show;
//! the profile fields it shares with the pod live in `validation::profiles`.

use serde_json::{Value, json};

use super::context::Pod;
use crate::validation::field::FieldError;
use crate::validation::profiles::{
    apparmor_profile, go_json, go_struct, internal_profile, seccomp_profile,
};
use crate::validation::security::windows_options;
use crate::validation::value::{arr, present as set, s};

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
    errs.extend(windows_options(
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
