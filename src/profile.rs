//! `--profile restricted`: starting pods that a policed namespace admits. Each
//! case's starting pod gets what Pod Security `restricted` and "limits required"
//! policies ask for (a non-root, RuntimeDefault-seccomp pod; containers without
//! privilege escalation and with every capability dropped; cpu and memory
//! requests and limits), where the case does not depend on those fields. Pure: it
//! sends nothing, and what a changed starting pod means for a verdict is
//! `policed`'s (the case is judged against upstream's answer on the pod the
//! cluster stored).
//!
//! A case depends on an aspect when its own requests or expectations name the
//! fields the aspect sets (or their subresource, `/resize`): its starting pod then
//! keeps that aspect as written. The profile only fills in what the manifest
//! leaves out; a value the manifest sets is the case's own, kept even where the
//! policy refuses it (the case is then blocked, with the policy named).

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::case::Case;

/// A run-wide adjustment of the starting pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Pod Security `restricted` and containers with requests and limits.
    Restricted,
}

/// A starting pod as the profile made it.
#[derive(Debug, Clone, PartialEq)]
pub struct Profiled {
    pub pod: Value,
    /// The fields the profile set, generalised (`spec.containers[*].resources`);
    /// empty when it left the pod as written.
    pub paths: Vec<String>,
}

/// Words in a case's requests or expectations that show it depends on the
/// security context fields the profile sets, or on one they constrain
/// (`privileged` requires privilege escalation; seccomp annotations must agree
/// with the field). Compared lower-case.
const SECURITY_WORDS: &[&str] = &[
    "runasnonroot",
    "seccomp",
    "allowprivilegeescalation",
    "capabilities",
    "privileged",
];

/// Words that show a case depends on container resources or what follows from
/// them (the QoS class, the `/resize` subresource).
const RESOURCE_WORDS: &[&str] = &[
    "resources",
    "requests",
    "limits",
    "qosclass",
    "resize",
    "cpu",
    "memory",
];

/// The container lists whose entries carry a security context, and those that
/// carry resources (ephemeral containers may not).
const SECURED: &[&str] = &["initContainers", "containers", "ephemeralContainers"];
const RESOURCED: &[&str] = &["initContainers", "containers"];

/// Requests and limits given to a container that has none.
const DEFAULTS: &[(&str, &str)] = &[("cpu", "100m"), ("memory", "64Mi")];

impl std::str::FromStr for Profile {
    type Err = String;

    fn from_str(text: &str) -> Result<Profile, String> {
        match text {
            "restricted" => Ok(Profile::Restricted),
            other => Err(format!("unknown profile `{other}` (known: restricted)")),
        }
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Profile::Restricted => "restricted",
        })
    }
}

impl Profile {
    /// `pod` (the case's starting pod) as the profile makes it for `case`.
    pub fn apply(&self, case: &Case, pod: &Value) -> Profiled {
        let text = serde_json::to_string(&case.steps)
            .unwrap_or_default()
            .to_lowercase();
        let depends = |words: &[&str]| words.iter().any(|w| text.contains(w));
        let mut pod = pod.clone();
        let mut paths = Vec::new();
        if !depends(SECURITY_WORDS) {
            secure(&mut pod, &mut paths);
        }
        if !depends(RESOURCE_WORDS) {
            resource(&mut pod, &mut paths);
        }
        paths.sort();
        paths.dedup();
        Profiled { pod, paths }
    }
}

/// `pod`, the starting pod of `case`, as `profile` (if any) makes it.
pub fn starting(profile: Option<Profile>, case: &Case, pod: Value) -> Profiled {
    match profile {
        Some(p) => p.apply(case, &pod),
        None => Profiled {
            pod,
            paths: Vec::new(),
        },
    }
}

impl Profiled {
    /// `label` (a starting pod's, in the preflight's table) naming what the
    /// profile set, if anything.
    pub fn label(&self, label: String) -> String {
        match self.paths.is_empty() {
            true => label,
            false => format!("{label} + profile ({})", condensed(&self.paths).join(", ")),
        }
    }
}

/// `paths` (as `Profiled::paths`) cut after the security context or the
/// resources they lie in, for a cause that reads once per kind of change.
pub fn condensed(paths: &[String]) -> Vec<String> {
    let mut out: Vec<String> = paths
        .iter()
        .map(|p| {
            ["securityContext", "resources"]
                .iter()
                .find_map(|k| p.find(k).map(|i| p[..i + k.len()].to_owned()))
                .unwrap_or_else(|| p.clone())
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Sets `map[key]` to `value` where it is absent, recording `path.key`.
fn fill(map: &mut Map<String, Value>, key: &str, value: Value, path: &str, out: &mut Vec<String>) {
    if map.get(key).is_none_or(Value::is_null) {
        map.insert(key.to_owned(), value);
        out.push(format!("{path}.{key}"));
    }
}

/// The object at `parent[key]`, made an empty one where absent.
fn object<'a>(parent: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    if parent.get(key).is_none_or(Value::is_null) {
        parent.insert(key.to_owned(), json!({}));
    }
    parent.get_mut(key)?.as_object_mut()
}

fn secure(pod: &mut Value, out: &mut Vec<String>) {
    // Pod Security exempts Windows pods from the Linux-only checks, and
    // validation forbids those fields on them: only runAsNonRoot applies.
    let windows = pod["spec"]["os"]["name"] == "windows";
    let Some(spec) = pod["spec"].as_object_mut() else {
        return;
    };
    if let Some(sc) = object(spec, "securityContext") {
        let at = "spec.securityContext";
        fill(sc, "runAsNonRoot", json!(true), at, out);
        if !windows {
            fill(
                sc,
                "seccompProfile",
                json!({"type": "RuntimeDefault"}),
                at,
                out,
            );
        }
    }
    if windows {
        return;
    }
    for (list, c) in containers(spec, SECURED) {
        let at = format!("spec.{list}[*].securityContext");
        if let Some(sc) = object(c, "securityContext") {
            fill(sc, "allowPrivilegeEscalation", json!(false), &at, out);
            fill(sc, "capabilities", json!({"drop": ["ALL"]}), &at, out);
        }
    }
}

/// The containers of `spec`'s `lists`, each with the name of its list.
fn containers<'a>(
    spec: &'a mut Map<String, Value>,
    lists: &'a [&str],
) -> impl Iterator<Item = (String, &'a mut Map<String, Value>)> {
    spec.iter_mut()
        .filter(|(k, _)| lists.contains(&k.as_str()))
        .flat_map(|(k, v)| {
            v.as_array_mut()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object_mut)
                .map(move |c| (k.clone(), c))
        })
}

fn resource(pod: &mut Value, out: &mut Vec<String>) {
    let Some(spec) = pod["spec"].as_object_mut() else {
        return;
    };
    // Pod-level resources bound the containers': the manifest's own design.
    if spec.contains_key("resources") {
        return;
    }
    for (list, c) in containers(spec, RESOURCED) {
        let at = format!("spec.{list}[*].resources");
        let Some(res) = object(c, "resources") else {
            continue;
        };
        for (name, default) in DEFAULTS {
            // A limit follows the container's own request, a request its limit.
            let own = ["requests", "limits"]
                .iter()
                .find_map(|k| res.get(*k).and_then(|m| m.get(*name)).cloned())
                .unwrap_or_else(|| json!(default));
            for kind in ["requests", "limits"] {
                if let Some(m) = object(res, kind) {
                    fill(m, name, own.clone(), &format!("{at}.{kind}"), out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{CaseFile, Expect, Step};
    use std::path::PathBuf;

    fn case(request: &str, expect: &str) -> Case {
        let file: CaseFile = serde_yaml_ng::from_str(&format!(
            "description: d\nrequest: {request}\nexpect: {expect}\n"
        ))
        .unwrap();
        let request = file.request.clone().unwrap();
        let expect: Expect = file.expect.clone().unwrap();
        Case {
            id: "c".into(),
            path: PathBuf::from("c.yaml"),
            file,
            pod: None,
            variant: None,
            steps: vec![Step {
                name: None,
                request,
                expect,
                capture: Default::default(),
            }],
        }
    }

    fn pod() -> Value {
        json!({"metadata": {"name": "p"}, "spec": {
        "securityContext": {"runAsUser": 1000},
        "initContainers": [{"name": "init", "image": "busybox"}],
        "containers": [
            {"name": "web", "image": "nginx", "resources": {"requests": {"cpu": "250m"}}},
            {"name": "log", "image": "busybox", "securityContext": {"allowPrivilegeEscalation": true}}
        ]}})
    }

    #[test]
    fn fills_in_what_restricted_and_limits_required_ask_for() {
        let c = case(
            "{type: merge, body: {metadata: {labels: {a: b}}}}",
            "{status: 200}",
        );
        let out = Profile::Restricted.apply(&c, &pod());
        let spec = &out.pod["spec"];
        assert_eq!(
            spec["securityContext"],
            json!({"runAsUser": 1000, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}})
        );
        assert_eq!(
            spec["containers"][0]["securityContext"],
            json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}})
        );
        // The manifest's own value stays, even where the policy refuses it.
        assert_eq!(
            spec["containers"][1]["securityContext"]["allowPrivilegeEscalation"],
            true
        );
        assert_eq!(
            spec["containers"][0]["resources"],
            json!({"requests": {"cpu": "250m", "memory": "64Mi"}, "limits": {"cpu": "250m", "memory": "64Mi"}})
        );
        assert_eq!(
            spec["initContainers"][0]["resources"]["limits"],
            json!({"cpu": "100m", "memory": "64Mi"})
        );
        assert!(
            out.paths
                .contains(&"spec.containers[*].resources.limits.cpu".to_owned())
        );
        assert!(
            out.paths
                .contains(&"spec.securityContext.seccompProfile".to_owned())
        );
        assert_eq!(
            condensed(&out.paths),
            [
                "spec.containers[*].resources",
                "spec.containers[*].securityContext",
                "spec.initContainers[*].resources",
                "spec.initContainers[*].securityContext",
                "spec.securityContext"
            ]
        );
    }

    #[test]
    fn a_case_keeps_what_it_depends_on() {
        let resize = case(
            "{type: merge, path: '/api/v1/namespaces/${namespace}/pods/${pod}/resize', body: {spec: {containers: [{name: web}]}}}",
            "{status: 200}",
        );
        let out = Profile::Restricted.apply(&resize, &pod());
        assert_eq!(
            out.pod["spec"]["containers"][0]["resources"],
            json!({"requests": {"cpu": "250m"}})
        );
        assert_eq!(
            out.pod["spec"]["containers"][0]["securityContext"]["allowPrivilegeEscalation"],
            false
        );
        let expects = case(
            "{type: merge, body: {metadata: {labels: {a: b}}}}",
            "{status: 200, body: {spec: {securityContext: {runAsNonRoot: true}}}}",
        );
        let out = Profile::Restricted.apply(&expects, &pod());
        assert_eq!(
            out.pod["spec"]["securityContext"],
            json!({"runAsUser": 1000})
        );
        assert!(out.paths.iter().all(|p| p.contains("resources")));
        let pod_level =
            json!({"spec": {"resources": {"limits": {"cpu": "1"}}, "containers": [{"name": "a"}]}});
        let c = case("{type: merge, body: {}}", "{status: 200}");
        let out = Profile::Restricted.apply(&c, &pod_level);
        assert!(out.pod["spec"]["containers"][0].get("resources").is_none());
    }

    #[test]
    fn windows_pods_get_what_they_may_carry() {
        let c = case("{type: merge, body: {}}", "{status: 200}");
        let windows = json!({"spec": {"os": {"name": "windows"}, "containers": [{"name": "a"}]}});
        let out = Profile::Restricted.apply(&c, &windows);
        assert_eq!(
            out.pod["spec"]["securityContext"],
            json!({"runAsNonRoot": true})
        );
        assert!(
            out.pod["spec"]["containers"][0]
                .get("securityContext")
                .is_none()
        );
    }

    #[test]
    fn names_parse() {
        assert_eq!("restricted".parse(), Ok(Profile::Restricted));
        assert!("baseline".parse::<Profile>().is_err());
    }
}
