//! The three container lists as `validateContainers`,
//! `validateInitContainers`, `validateEphemeralContainers` and
//! `validateContainerCommon` in `pkg/apis/core/validation/validation.go`
//! (1.36) word them, calling probes, lifecycle hooks, env, ports, mounts,
//! devices, resources, policies and the security context in Go's append
//! order; and `validateContainerOnlyForPod`'s image rule. It inspects values
//! only and must not mutate them.

use std::collections::BTreeSet;
use std::fmt::Display;

use serde_json::{Map, Value, json};

use super::context::{Pod, not_found, one_of};
use super::env::{env, env_from};
use super::mounts::{volume_devices, volume_mounts};
use super::policies::{resize_policy, restart_policy};
use super::ports::{host_port_conflicts, ports};
use super::probes::{lifecycle, probes};
use super::resources::resources;
use super::security::security_context;
use crate::golang::quantity_states::QuantityStates;
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::value::{arr, list_of, members, present as set, s, str_of};

const NOT_FOR_INIT: &str = "may not be set for init containers without restartPolicy=Always";

/// Validates the container lists of `spec` in Go's order (`containers`,
/// `initContainers`, `ephemeralContainers`); `volumes` are the names of the
/// valid volumes, `quantities` the parse states of the pod's quantities.
pub(crate) fn containers(
    spec: &Value,
    volumes: &BTreeSet<String>,
    quantities: &QuantityStates,
    errs: &mut Vec<FieldError>,
) {
    // Read in one pass: each list is walked by more than one rule.
    let [regular_list, init_list, ephemeral_list, grace, security, os] = members(
        spec,
        [
            "containers",
            "initContainers",
            "ephemeralContainers",
            "terminationGracePeriodSeconds",
            "securityContext",
            "os",
        ],
    );
    let pod = Pod {
        spec,
        volumes,
        quantities,
        grace: grace.and_then(Value::as_i64),
        host_users: security.and_then(|sc| sc.get("hostUsers")) != Some(&json!(false)),
        os: os.and_then(|os| os.get("name")).and_then(Value::as_str),
    };
    let [regular_list, init_list, ephemeral_list] =
        [regular_list, init_list, ephemeral_list].map(list_of);
    regular(&pod, regular_list, errs);
    init(&pod, regular_list, init_list, errs);
    ephemeral(&pod, regular_list, init_list, ephemeral_list, errs);
}

fn regular(pod: &Pod, items: &[Value], errs: &mut Vec<FieldError>) {
    if items.is_empty() {
        errs.push(FieldError::required("spec.containers", ""));
        return;
    }
    let mut names = BTreeSet::new();
    for (i, c) in items.iter().enumerate() {
        let path = format!("spec.containers[{i}]");
        common(pod, c, &path, errs);
        let name = s(c, "name");
        if !names.insert(name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        }
        if let Some(lifecycle) = set(c, "lifecycle") {
            errs.extend(self::lifecycle(
                pod,
                lifecycle,
                &format!("{path}.lifecycle"),
            ));
        }
        probes(pod, c, &path, errs);
        restart_policy(c, &path, errs);
    }
    errs.extend(host_port_conflicts(items, "spec.containers"));
}

fn init(pod: &Pod, regular: &[Value], items: &[Value], errs: &mut Vec<FieldError>) {
    // Most pods have none: no names to collect then.
    if items.is_empty() {
        return;
    }
    let mut names: BTreeSet<&str> = regular.iter().map(|c| s(c, "name")).collect();
    for (i, c) in items.iter().enumerate() {
        let path = format!("spec.initContainers[{i}]");
        common(pod, c, &path, errs);
        // With restart rules and RestartAllContainers on, init containers
        // share the regular containers' rules.
        restart_policy(c, &path, errs);
        let restart_always = s(c, "restartPolicy") == "Always";
        let name = s(c, "name");
        if names.contains(name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        } else if !name.is_empty() {
            names.insert(name);
        }
        // Go checks each init container on its own, as a one-item list.
        errs.extend(host_port_conflicts(
            std::slice::from_ref(c),
            "spec.initContainers",
        ));
        if restart_always {
            if let Some(lifecycle) = set(c, "lifecycle") {
                errs.extend(self::lifecycle(
                    pod,
                    lifecycle,
                    &format!("{path}.lifecycle"),
                ));
            }
            probes(pod, c, &path, errs);
        } else {
            for key in [
                "lifecycle",
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
            ] {
                if set(c, key).is_some() {
                    errs.push(FieldError::forbidden(format!("{path}.{key}"), NOT_FOR_INIT));
                }
            }
            for (j, p) in arr(c, "resizePolicy").iter().enumerate() {
                if s(p, "restartPolicy") == "RestartContainer" {
                    errs.push(FieldError::invalid(
                        format!("{path}.resizePolicy[{j}].restartPolicy"),
                        json!("RestartContainer"),
                        "must not be set to 'RestartContainer' for non-sidecar initContainers",
                    ));
                }
            }
        }
    }
}

/// Fields an ephemeral container may not set (the complement of
/// `allowedEphemeralContainerFields`), in struct order.
const EPHEMERAL_FORBIDDEN: &[&str] = &[
    "ports",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "restartPolicyRules",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
];

fn ephemeral(
    pod: &Pod,
    regular: &[Value],
    init: &[Value],
    items: &[Value],
    errs: &mut Vec<FieldError>,
) {
    // Most pods have none: no names to collect then.
    if items.is_empty() {
        return;
    }
    let others: BTreeSet<&str> = regular.iter().chain(init).map(|c| s(c, "name")).collect();
    let mut names = others.clone();
    for (i, c) in items.iter().enumerate() {
        let path = format!("spec.ephemeralContainers[{i}]");
        common(pod, c, &path, errs);
        errs.extend(image_whitespace(&path, s(c, "image")));
        let name = s(c, "name");
        if !names.insert(name) {
            errs.push(FieldError::duplicate(format!("{path}.name"), json!(name)));
        }
        let target = s(c, "targetContainerName");
        if !target.is_empty() && !others.contains(target) {
            errs.push(not_found(format!("{path}.targetContainerName"), target));
        }
        for field in EPHEMERAL_FORBIDDEN {
            let is_set = c
                .get(*field)
                .is_some_and(|v| !(v.is_null() || v.as_object().is_some_and(Map::is_empty)));
            if is_set {
                errs.push(FieldError::forbidden(
                    format!("{path}.{field}"),
                    "cannot be set for an Ephemeral Container",
                ));
            }
        }
        for (j, mount) in arr(c, "volumeMounts").iter().enumerate() {
            for key in ["subPath", "subPathExpr"] {
                if !s(mount, key).is_empty() {
                    errs.push(FieldError::forbidden(
                        format!("{path}.volumeMounts[{j}].{key}"),
                        "cannot be set for an Ephemeral Container",
                    ));
                }
            }
        }
    }
}

/// `validateContainerCommon`.
fn common(pod: &Pod, c: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let [name, image, message_policy, pull_policy, security] = members(
        c,
        [
            "name",
            "image",
            "terminationMessagePolicy",
            "imagePullPolicy",
            "securityContext",
        ],
    );
    let [name, image, message_policy, pull_policy] =
        [name, image, message_policy, pull_policy].map(str_of);
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name"), ""));
    } else {
        errs.extend(FieldError::invalid_each(
            format_args!("{path}.name"),
            name,
            names::dns1123_label(name),
        ));
    }
    if image.is_empty() {
        errs.push(FieldError::required(format!("{path}.image"), ""));
    }
    one_of(
        errs,
        &format_args!("{path}.terminationMessagePolicy"),
        message_policy,
        &["File", "FallbackToLogsOnError"],
    );
    ports(c, path, errs);
    env(c, path, errs);
    env_from(c, path, errs);
    volume_mounts(pod, c, path, errs);
    volume_devices(pod, c, path, errs);
    one_of(
        errs,
        &format_args!("{path}.imagePullPolicy"),
        pull_policy,
        &["Always", "IfNotPresent", "Never"],
    );
    resources(pod, c, &format_args!("{path}.resources"), errs);
    resize_policy(pod, c, path, errs);
    if let Some(sc) = security.filter(|v| !v.is_null()) {
        security_context(pod, sc, &format_args!("{path}.securityContext"), errs);
    }
}

/// `validateContainerOnlyForPod`: the image must not be padded.
pub(crate) fn image_whitespace(path: &(impl Display + ?Sized), image: &str) -> Option<FieldError> {
    (image.trim() != image).then(|| {
        FieldError::invalid(
            format!("{path}.image"),
            json!(image),
            "must not have leading or trailing whitespace",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn errors(container: Value) -> Vec<String> {
        let spec = json!({
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "volumes": [{"name": "data", "emptyDir": {}}],
            "containers": [container],
        });
        let volumes = BTreeSet::from(["data".to_string()]);
        let mut errs = Vec::new();
        let quantities = QuantityStates::default();
        containers(&spec, &volumes, &quantities, &mut errs);
        errs.iter().map(FieldError::message).collect()
    }

    /// Init and ephemeral containers are named against the lists read
    /// once for all three walks.
    #[test]
    fn names_are_unique_across_the_lists() {
        let spec = json!({
            "restartPolicy": "Always",
            "containers": [web(json!({}))],
            "initContainers": [web(json!({}))],
            "ephemeralContainers": [web(json!({"name": "debug"})), web(json!({"name": "debug"}))],
        });
        let mut errs = Vec::new();
        let quantities = QuantityStates::default();
        containers(&spec, &BTreeSet::new(), &quantities, &mut errs);
        let dups: Vec<&str> = errs
            .iter()
            .filter(|e| e.detail.is_empty() && e.field.ends_with(".name"))
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(
            dups,
            [
                "spec.initContainers[0].name",
                "spec.ephemeralContainers[1].name"
            ]
        );
    }

    fn web(extra: Value) -> Value {
        let mut c = json!({"name": "web", "image": "nginx", "terminationMessagePolicy": "File",
            "imagePullPolicy": "IfNotPresent"});
        if let (Some(c), Some(extra)) = (c.as_object_mut(), extra.as_object()) {
            c.extend(extra.clone());
        }
        c
    }

    /// Go names some errors after the list, not the entry, and checks a
    /// probe's handler before its timings.
    #[rstest]
    #[case(json!({"volumeMounts": [{"name": "data", "mountPath": "/d", "subPath": "../x"}]}),
        &["spec.containers[0].volumeMounts.subPath: Invalid value: \"../x\": must not contain '..'"])]
    #[case(json!({"envFrom": [{"prefix": "P_"}]}),
        &["spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"])]
    #[case(json!({"livenessProbe": {"periodSeconds": -1, "successThreshold": 1}}),
        &["spec.containers[0].livenessProbe: Required value: must specify a handler type",
          "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"])]
    #[case(json!({"resources": {"limits": {"cpu": "200m"}, "requests": {"cpu": "0.25"}}}),
        &["spec.containers[0].resources.requests: Invalid value: \"250m\": must be less than or equal to cpu limit of 200m"])]
    fn go_order_and_paths(#[case] extra: Value, #[case] want: &[&str]) {
        assert_eq!(errors(web(extra)), want);
    }

    #[test]
    fn security_context_renders_the_internal_struct() {
        let got = errors(web(
            json!({"securityContext": {"privileged": true, "allowPrivilegeEscalation": false}}),
        ));
        assert_eq!(got.len(), 1);
        assert!(
            got[0].contains(r#"{"Capabilities":null,"Privileged":true,"SELinuxOptions":null"#),
            "{}",
            got[0]
        );
    }
}
