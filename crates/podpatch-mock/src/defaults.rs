//! Pod defaulting as `k8s.io/kubernetes/pkg/apis/core/v1/defaults.go` does it
//! on every decode (create and after each patch): pod-spec scalars,
//! container pull policy from the image tag, termination message fields,
//! port protocol, probe timings, volume modes, and the v1 conversion that
//! keeps `serviceAccount` equal to `serviceAccountName`.
//!
//! Defaults are idempotent and never overwrite a value the client set. This
//! module must not run admission (see [`crate::pod::admission`]).

use serde_json::{Map, Value, json};

mod volume;

use crate::golang::quantity::Quantity;

/// Applies the v1 defaulters to a decoded pod in place.
pub fn default_pod(pod: &mut Value) {
    if let Some(status) = pod.get_mut("status").and_then(Value::as_object_mut) {
        convert_ips(status, "podIP", "podIPs");
    }
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    default_spec(spec);
}

/// v1 conversion keeps `podIP` and the first `podIPs` entry in step.
fn convert_ips(status: &mut Map<String, Value>, single: &str, plural: &str) {
    let first = status
        .get(plural)
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .and_then(|e| e.get("ip"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let one = status
        .get(single)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    match (one, first) {
        (Some(ip), None) => {
            status.insert(plural.into(), json!([{"ip": ip}]));
        }
        (None, Some(ip)) => {
            status.insert(single.into(), json!(ip));
        }
        _ => {}
    }
}

fn set_if_missing(map: &mut Map<String, Value>, key: &str, value: Value) {
    let missing = match map.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    };
    if missing {
        map.insert(key.to_string(), value);
    }
}

fn default_spec(spec: &mut Map<String, Value>) {
    set_if_missing(spec, "dnsPolicy", json!("ClusterFirst"));
    set_if_missing(spec, "restartPolicy", json!("Always"));
    set_if_missing(spec, "terminationGracePeriodSeconds", json!(30));
    // Since 1.27 a negative grace period reads as 1.
    if spec
        .get("terminationGracePeriodSeconds")
        .and_then(Value::as_i64)
        .is_some_and(|v| v < 0)
    {
        spec.insert("terminationGracePeriodSeconds".into(), json!(1));
    }
    set_if_missing(spec, "securityContext", json!({}));
    set_if_missing(spec, "schedulerName", json!("default-scheduler"));
    set_if_missing(spec, "enableServiceLinks", json!(true));
    // v1 conversion: `serviceAccount` is a deprecated alias that mirrors
    // `serviceAccountName` on the way out, and fills it on the way in.
    let name = spec
        .get("serviceAccountName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or_else(|| spec.get("serviceAccount").and_then(Value::as_str))
        .unwrap_or("")
        .to_string();
    if name.is_empty() {
        spec.remove("serviceAccountName");
        spec.remove("serviceAccount");
    } else {
        spec.insert("serviceAccountName".into(), json!(name));
        spec.insert("serviceAccount".into(), json!(name));
    }
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        if let Some(Value::Array(containers)) = spec.get_mut(list) {
            for container in containers.iter_mut().filter_map(Value::as_object_mut) {
                default_container(container, host_network);
            }
        }
    }
    if let Some(Value::Array(volumes)) = spec.get_mut("volumes") {
        for volume in volumes.iter_mut().filter_map(Value::as_object_mut) {
            volume::default_volume(volume);
            round_requirements(
                volume
                    .get_mut("ephemeral")
                    .and_then(|e| e.pointer_mut("/volumeClaimTemplate/spec/resources")),
            );
        }
    }
    default_hugepage_pod_limits(spec);
    default_pod_requests(spec);
    round_resource_list(spec.get_mut("overhead"));
    round_requirements(spec.get_mut("resources"));
}

/// `SetDefaults_ResourceList`: nothing finer than a milli unit.
fn round_resource_list(list: Option<&mut Value>) {
    if let Some(Value::Object(list)) = list {
        for value in list.values_mut() {
            if let Some(q) = value.as_str().and_then(Quantity::parse) {
                *value = json!(q.round_up_milli().to_string());
            }
        }
    }
}

/// [`round_resource_list`] on the limits and requests of a requirements.
fn round_requirements(resources: Option<&mut Value>) {
    if let Some(Value::Object(resources)) = resources {
        round_resource_list(resources.get_mut("limits"));
        round_resource_list(resources.get_mut("requests"));
    }
}

/// `defaultHugePagePodLimits`: with pod-level resources set, hugepage limits
/// the pod-level resources lack (as limit and request) take the containers'
/// aggregate.
fn default_hugepage_pod_limits(spec: &mut Map<String, Value>) {
    let aggregated =
        super::validation::resources::aggregate(&Value::Object(spec.clone()), "limits");
    let Some(Value::Object(resources)) = spec.get_mut("resources") else {
        return;
    };
    let present = |k: &str| {
        resources
            .get(k)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (mut limits, requests) = (present("limits"), present("requests"));
    if limits.is_empty() && requests.is_empty() {
        return;
    }
    for (name, total) in aggregated {
        if name.starts_with("hugepages-")
            && !requests.contains_key(&name)
            && !limits.contains_key(&name)
        {
            limits.insert(name, json!(total.to_string()));
        }
    }
    if !limits.is_empty() {
        resources.insert("limits".into(), Value::Object(limits));
    }
}

/// `defaultPodRequests`: with pod-level limits, missing pod-level requests
/// take the containers' effective requests (CPU and memory), else the
/// pod-level limit.
fn default_pod_requests(spec: &mut Map<String, Value>) {
    let Some(Value::Object(limits)) = spec.get("resources").and_then(|r| r.get("limits")).cloned()
    else {
        return;
    };
    if limits.is_empty() {
        return;
    }
    let aggregated =
        super::validation::resources::aggregate(&Value::Object(spec.clone()), "requests");
    let Some(Value::Object(resources)) = spec.get_mut("resources") else {
        return;
    };
    let mut requests = match resources.get("requests") {
        Some(Value::Object(r)) => r.clone(),
        _ => Map::new(),
    };
    for (name, total) in aggregated {
        if matches!(name.as_str(), "cpu" | "memory") && !requests.contains_key(&name) {
            requests.insert(name, json!(total.to_string()));
        }
    }
    for (name, limit) in limits {
        let supported = matches!(name.as_str(), "cpu" | "memory") || name.starts_with("hugepages-");
        if supported && !requests.contains_key(&name) {
            requests.insert(name, limit);
        }
    }
    if !requests.is_empty() {
        resources.insert("requests".into(), Value::Object(requests));
    }
}

fn default_container(c: &mut Map<String, Value>, host_network: bool) {
    if c.get("imagePullPolicy")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        let image = c.get("image").and_then(Value::as_str).unwrap_or("");
        let policy = if image_tag(image).as_deref() == Some("latest") {
            "Always"
        } else {
            "IfNotPresent"
        };
        c.insert("imagePullPolicy".into(), json!(policy));
    }
    set_if_missing(c, "terminationMessagePath", json!("/dev/termination-log"));
    set_if_missing(c, "terminationMessagePolicy", json!("File"));
    if let Some(Value::Array(ports)) = c.get_mut("ports") {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_if_missing(port, "protocol", json!("TCP"));
            if host_network && port.get("hostPort").is_none() {
                let cp = port.get("containerPort").cloned().unwrap_or(json!(0));
                port.insert("hostPort".into(), cp);
            }
        }
    }
    // Requests default to limits for every resource that has a limit.
    if let Some(Value::Object(resources)) = c.get_mut("resources")
        && let Some(Value::Object(limits)) = resources.get("limits").cloned()
        && !limits.is_empty()
    {
        let requests = resources
            .entry("requests")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(requests) = requests {
            for (key, value) in limits {
                requests.entry(key).or_insert(value);
            }
        }
    }
    round_requirements(c.get_mut("resources"));
    if let Some(Value::Array(env)) = c.get_mut("env") {
        for var in env.iter_mut() {
            if let Some(field_ref) = var.pointer_mut("/valueFrom/fieldRef")
                && let Some(obj) = field_ref.as_object_mut()
            {
                set_if_missing(obj, "apiVersion", json!("v1"));
            }
            if let Some(Value::Object(file_ref)) = var.pointer_mut("/valueFrom/fileKeyRef") {
                set_if_missing(file_ref, "optional", json!(false));
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
    set_if_missing(http, "path", json!("/"));
    set_if_missing(http, "scheme", json!("HTTP"));
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
        set_if_missing(grpc, "service", json!(""));
    }
}

/// The tag `parsers.ParseImageName` finds: `latest` when the reference has
/// neither tag nor digest, `None` when it is not a valid reference (which
/// the defaulter treats as "not latest").
pub fn image_tag(image: &str) -> Option<String> {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repo, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if !valid_repository(repo) {
        return None;
    }
    if let Some(tag) = tag {
        let ok = !tag.is_empty()
            && tag.len() <= 128
            && tag
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
        if !ok {
            return None;
        }
    }
    if let Some(digest) = digest
        && !digest.contains(':')
    {
        return None;
    }
    match (tag, digest) {
        (Some(tag), _) => Some(tag.to_string()),
        (None, Some(_)) => Some(String::new()),
        (None, None) => Some("latest".into()),
    }
}

/// Docker reference grammar for the repository part: an optional domain
/// (with a `.` or `:` or `localhost`) and lower-case path components.
fn valid_repository(repo: &str) -> bool {
    if repo.is_empty() {
        return false;
    }
    let mut parts: Vec<&str> = repo.split('/').collect();
    if parts.len() > 1 {
        let first = parts[0];
        if first.contains('.') || first.contains(':') || first == "localhost" {
            let domain_ok = first
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !domain_ok {
                return false;
            }
            parts.remove(0);
        }
    }
    parts.iter().all(|part| valid_path_component(part))
}

fn valid_path_component(part: &str) -> bool {
    // [a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*
    let bytes = part.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &part[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("nginx", Some("latest"))]
    #[case("nginx:latest", Some("latest"))]
    #[case("nginx:1.27", Some("1.27"))]
    #[case("localhost:5000/nginx", Some("latest"))]
    #[case("registry.k8s.io/pause:3.10", Some("3.10"))]
    #[case("nginx@sha256:abc", Some(""))]
    #[case("Nginx", None)]
    #[case(" nginx", None)]
    #[case("", None)]
    fn tags(#[case] image: &str, #[case] tag: Option<&str>) {
        assert_eq!(image_tag(image).as_deref(), tag);
    }

    #[rstest]
    #[case("nginx", "Always")]
    #[case("nginx:1.27", "IfNotPresent")]
    #[case("", "IfNotPresent")]
    fn pull_policy(#[case] image: &str, #[case] policy: &str) {
        let mut pod =
            json!({"spec": {"containers": [{"name": "c", "image": image, "resources": {}}]}});
        default_pod(&mut pod);
        assert_eq!(
            pod["spec"]["containers"][0]["imagePullPolicy"],
            json!(policy)
        );
    }

    #[test]
    fn spec_defaults() {
        let mut pod = json!({"spec": {"containers": [{"name": "c", "image": "nginx",
            "ports": [{"containerPort": 80}], "resources": {"limits": {"cpu": "1"}}}]}});
        default_pod(&mut pod);
        assert_eq!(
            pod["spec"],
            json!({
                "containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "protocol": "TCP"}],
                    "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1"}},
                    "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                    "imagePullPolicy": "Always"}],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "securityContext": {}, "schedulerName": "default-scheduler", "enableServiceLinks": true,
            })
        );
    }
}
