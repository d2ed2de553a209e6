//! `ValidateSecurityContext` for a container (privileged containers are
//! allowed by the cluster; some errors quote the whole internal struct);
//! the profile fields it shares with the pod live in `validation::profiles`.

use std::fmt::Display;

use serde_json::{Value, json};

use super::context::Pod;
use crate::validation::field::FieldError;
use crate::validation::internal_types::SECURITY_CONTEXT;
use crate::validation::profiles::{apparmor_profile, seccomp_profile};
use crate::validation::security::windows_options;
use crate::validation::value::{arr, present as set};

/// `ValidateSecurityContext` (privileged containers are allowed).
pub(super) fn security_context(
    pod: &Pod,
    sc: &Value,
    path: &(impl Display + ?Sized),
    errs: &mut Vec<FieldError>,
) {
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
            errs.push(FieldError::invalid_go(
                path.to_string(),
                &SECURITY_CONTEXT.value(sc),
                "cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
            ));
        }
        for cap in arr(sc.get("capabilities").unwrap_or(&Value::Null), "add") {
            if cap.as_str() == Some("CAP_SYS_ADMIN") {
                errs.push(FieldError::invalid_go(
                    path.to_string(),
                    &SECURITY_CONTEXT.value(sc),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
                ));
            }
        }
    }
    errs.extend(windows_options(
        sc.get("windowsOptions"),
        &format_args!("{path}.windowsOptions"),
    ));
    if let Some(profile) = set(sc, "appArmorProfile") {
        errs.extend(apparmor_profile(
            profile,
            &format!("{path}.appArmorProfile"),
        ));
    }
}
