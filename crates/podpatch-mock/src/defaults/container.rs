//! `SetDefaults_Container` and what it reaches of
//! `k8s.io/kubernetes/pkg/apis/core/v1/defaults.go`: the pull policy from
//! the image tag, termination message fields, port protocol, and probe and
//! HTTP handler defaults. It never overwrites a value the client set.

use std::fmt::Display;

use serde_json::{Map, Value, json};

use crate::defaults::fields::set_if_missing;
use crate::defaults::image::default_pull_policy;
use crate::defaults::resources::round_requirements;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;

/// Defaults the container at field path `path`; `states` follow its
/// quantities.
pub(super) fn default_container(
    c: &mut Map<String, Value>,
    host_network: bool,
    path: &(impl Display + ?Sized),
    states: &mut QuantityStates,
) {
    if c.get("imagePullPolicy")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let policy = default_pull_policy(c.get("image").and_then(Value::as_str).unwrap_or(""));
        c.insert("imagePullPolicy".into(), json!(policy));
    }
    set_if_missing(c, "terminationMessagePath", || {
        json!("/dev/termination-log")
    });
    set_if_missing(c, "terminationMessagePolicy", || json!("File"));
    if let Some(Value::Array(ports)) = c.get_mut("ports") {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_if_missing(port, "protocol", || json!("TCP"));
            if host_network && port.get("hostPort").is_none() {
                let cp = port.get("containerPort").cloned().unwrap_or(json!(0));
                port.insert("hostPort".into(), cp);
            }
        }
    }
    // Requests default to limits for every resource that has a limit, as
    // `DeepCopy`s that keep the limits' parse states.
    let resources_path = format_args!("{path}.resources");
    if let Some(Value::Object(resources)) = c.get_mut("resources")
        && let Some(Value::Object(limits)) = resources.get("limits").cloned()
        && !limits.is_empty()
    {
        let requests = resources
            .entry("requests")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(requests) = requests {
            for (key, value) in limits {
                if !requests.contains_key(&key) {
                    states.copy(
                        &format!("{resources_path}.limits[{key}]"),
                        &value,
                        format!("{resources_path}.requests[{key}]"),
                    );
                    requests.insert(key, value);
                }
            }
        }
    }
    round_requirements(c.get_mut("resources"), &resources_path, states);
    if let Some(Value::Array(env)) = c.get_mut("env") {
        for var in env.iter_mut() {
            if let Some(field_ref) = var.at_mut("/valueFrom/fieldRef")
                && let Some(obj) = field_ref.as_object_mut()
            {
                set_if_missing(obj, "apiVersion", || json!("v1"));
            }
            if let Some(Value::Object(file_ref)) = var.at_mut("/valueFrom/fileKeyRef") {
                set_if_missing(file_ref, "optional", || json!(false));
            }
        }
    }
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(Value::Object(p)) = c.get_mut(probe) {
            default_probe(p);
        }
    }
    for hook in ["postStart", "preStop"] {
        if let Some(Value::Object(http)) = c
            .get_mut("lifecycle")
            .and_then(|l| l.get_mut(hook))
            .and_then(|h| h.get_mut("httpGet"))
        {
            default_http_get(http);
        }
    }
}

/// `SetDefaults_HTTPGetAction`, for probes and lifecycle hooks alike.
fn default_http_get(http: &mut Map<String, Value>) {
    set_if_missing(http, "path", || json!("/"));
    set_if_missing(http, "scheme", || json!("HTTP"));
}

fn default_probe(p: &mut Map<String, Value>) {
    for (key, value) in [
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ] {
        if p.get(key).and_then(Value::as_i64).unwrap_or(0) == 0 {
            p.insert(key.into(), json!(value));
        }
    }
    if let Some(Value::Object(http)) = p.get_mut("httpGet") {
        default_http_get(http);
    }
    // `+default=""` on the optional service name.
    if let Some(Value::Object(grpc)) = p.get_mut("grpc") {
        set_if_missing(grpc, "service", || json!(""));
    }
}
