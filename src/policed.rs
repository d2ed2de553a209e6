//! Judging a case on a policed cluster: when a case does not pass, whether the
//! cluster's own admission explains it. A request refused by a named policy is the
//! policy's doing; a starting pod that admission changed (a sidecar, a label,
//! LimitRange defaults) is judged against upstream's answer on the pod the cluster
//! really stored (the oracle). Only differences that admission explains are set
//! aside; any other difference from upstream stays a failure.
//!
//! It sends only what the oracle needs (a dry-run create on the target for a case
//! with no starting pod) and builds no outcome: `run` does.

use serde_json::Value;

use crate::admission::{self, Policy};
use crate::changes::{self, Change};
use crate::client::Client;
use crate::fixture::FixtureError;
use crate::managed::Managed;
use crate::normalize::{self, Context};
use crate::observed::Observed;
use crate::oracle::Oracle;
use crate::profile::condensed;
use crate::request::Planned;

/// What the cluster's admission did that explains a case's difference from the
/// canonical snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// The cause, as a line shared by every case it explains.
    pub cause: String,
    /// Upstream, given the pod the cluster stored, answers exactly as the cluster
    /// did: the case passes if its own expectations hold (judged against the
    /// stored pod), and is inconclusive if they do not. Otherwise the case is
    /// inconclusive.
    pub on_stored: bool,
}

/// What the cluster's admission explains of a case that did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Admission refused what the case needs: the PATCH was never judged.
    Blocked { cause: String },
    /// The difference from the snapshot is admission's.
    Explained(Explained),
}

/// What a case did on the target, for `reconsider`.
pub struct Seen<'a> {
    /// The case's pod name (the request aims at it).
    pub pod: &'a str,
    /// The starting pod as sent (before the run's labels and annotations), and
    /// as the cluster stored it.
    pub starting: Option<(&'a Value, &'a Value)>,
    /// Fields the run's `--profile` set on the starting pod (`profile`).
    pub profiled: &'a [String],
    pub planned: &'a Planned,
    pub observed: &'a Observed,
    /// The cluster's observation, normalised (policy warnings already set aside).
    pub normalized: &'a Value,
    pub read_back: bool,
    /// Fields the namespace's admission changes on every write.
    pub managed: &'a Managed,
}

/// Whether the cluster's policy explains why the case did not pass, and how.
pub async fn reconsider(
    target: &Client,
    oracle: &Oracle,
    namespace: &str,
    seen: Seen<'_>,
    ctx: &Context,
) -> Option<Verdict> {
    if let Some(r) = admission::refusal(seen.observed.status, seen.observed.body()) {
        // Authorization, or a pod the request itself creates: the case's setup.
        return Some(if r.policy == Policy::Rbac || seen.starting.is_none() {
            Verdict::Blocked { cause: r.cause }
        } else {
            Verdict::Explained(Explained {
                cause: format!("the request was refused: {}", r.cause),
                on_stored: false,
            })
        });
    }
    if let Some(cause) = seen
        .starting
        .and_then(|(_, created)| crate::settle::collected(created, seen.observed))
    {
        return Some(Verdict::Explained(Explained {
            cause,
            on_stored: false,
        }));
    }
    // A request that created a pod (apply to a missing one) is judged by what
    // admission does to the pod it creates; any other by the starting pod.
    let creates = seen.observed.status == 201 || seen.starting.is_none();
    let (mutated, seed) = match seen.starting.filter(|_| !creates) {
        Some((sent, stored)) => {
            let upstream = oracle.would_store(sent).await.ok()?;
            (mutated_paths(&upstream, stored, ctx), Some(stored))
        }
        None => {
            // What admission does to the body shows in a dry-run create of it on
            // the target beside upstream's.
            let body = created_body(seen.planned)?;
            let path = format!("/api/v1/namespaces/{namespace}/pods?dryRun=All");
            let cluster = target.post(&path, &body).await.ok()?;
            let upstream = oracle.dry_run(&body).await.ok()?;
            let stored = |a: &crate::client::Answer| a.json().filter(|_| a.status < 300);
            match (stored(&cluster), stored(&upstream)) {
                (Some(c), Some(u)) => (mutated_paths(&u, &c, ctx), None),
                // Both refuse it alike: the Pod API's own answer.
                (None, None)
                    if cluster.status == upstream.status
                        && crate::reason::from_body(&cluster.body)
                            == crate::reason::from_body(&upstream.body) =>
                {
                    return None;
                }
                // Admission changed the body so that the cluster answers it
                // otherwise (a re-encoding drops an empty map; a webhook's patch
                // does not apply).
                _ => {
                    return Some(Verdict::Explained(Explained {
                        cause: format!(
                            "admission changed the pod the request creates: a dry-run create of it answers {} on the cluster, {} upstream",
                            cluster.status, upstream.status
                        ),
                        on_stored: false,
                    }));
                }
            }
        }
    };
    // Fields admission manages on every write (a LimitRange's resources) count
    // as changed by it, whatever the starting pod held.
    let at_create = !mutated.is_empty();
    let mut mutated = mutated;
    if at_create || seed.is_some() {
        mutated.extend(seen.managed.paths.iter().cloned());
    }
    let what = match seed {
        _ if mutated.is_empty() => None,
        Some(_) if !at_create => Some(format!(
            "{} changes every update of a pod at {}",
            seen.managed.who(),
            list(&mutated)
        )),
        // A scheduler's condition, say (`settle`): not admission's doing.
        Some(_) if mutated.iter().all(|p| p.starts_with("status.")) => Some(format!(
            "the cluster's controllers wrote the starting pod's status before the request ({})",
            list(&mutated)
        )),
        Some(_) => Some(format!(
            "the cluster stored the starting pod otherwise than upstream at {}",
            list(&mutated)
        )),
        None => Some(format!(
            "admission changed the pod the request creates at {}",
            list(&mutated)
        )),
    };
    // What the run's profile set is judged like admission's changes: on the
    // stored pod.
    let profiled = (!seen.profiled.is_empty() && seed.is_some())
        .then(|| format!("the run's profile set {}", list(&condensed(seen.profiled))));
    // The cluster's scheduler acted on a pod the request made schedulable: the
    // read-back shows its verdict (`settle`), upstream's gets the same where its
    // pod became schedulable too.
    let scheduled = seen
        .starting
        .zip(seen.observed.stored.as_ref())
        .and_then(|((_, before), later)| crate::settle::verdict_since(before, later));
    let acted = scheduled.map(|_| {
        "the cluster's scheduler recorded its verdict on the pod the request made schedulable"
            .to_owned()
    });
    let what = match [profiled, what, acted]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
    {
        found if found.is_empty() => return None,
        found => found.join("; "),
    };
    if seed.is_some() {
        mutated.extend(seen.profiled.iter().cloned());
    }
    let mut upstream = match oracle
        .answer_on(seed, seen.pod, seen.planned, seen.read_back, scheduled)
        .await
    {
        Ok(o) => o,
        // Upstream will not create the pod as the cluster stored it (fields the
        // server derived at create clash on a second create): not judgeable.
        Err(e) => {
            return Some(Verdict::Explained(Explained {
                cause: format!("{what}; upstream cannot be given that pod ({e})"),
                on_stored: false,
            }));
        }
    };
    if seed.is_none() {
        // The same starting pod, so that placeholders number alike.
        upstream.created = seen.observed.created.clone();
    }
    let upstream = normalize::observation(&upstream, ctx);
    let cluster = seen.normalized;
    let diffs = changes::between(&upstream, cluster);
    // Fields admission set at create are owned by no request in the cluster, by
    // the seed's creator upstream: managed fields differ by construction.
    if diffs.iter().all(|c| c.path.contains("managedFields")) {
        return Some(Verdict::Explained(Explained {
            cause: what,
            on_stored: true,
        }));
    }
    // The request changes fields admission sets on this very write: update-time
    // admission acts on them again (a LimitRange's defaults come back; a pod the
    // request creates is admitted as a whole), so upstream's answer on the
    // stored pod is no yardstick. What admission did only at the starting pod's
    // create (a sidecar added) is in the seed: upstream's answer on it stands.
    let acting_now = match seed {
        Some(_) => &seen.managed.paths,
        None => &mutated,
    };
    let touched: Vec<String> = request_paths(seen.planned)
        .into_iter()
        .filter(|r| acting_now.iter().any(|m| overlaps(r, m)))
        .collect();
    if !touched.is_empty() {
        return Some(Verdict::Explained(Explained {
            cause: format!(
                "{what}; the request changes fields admission set ({})",
                list(&touched)
            ),
            on_stored: false,
        }));
    }
    explains(&diffs, &mutated, &seen.managed.written).then(|| {
        Verdict::Explained(Explained {
            cause: match seed {
                Some(_) => format!(
                    "{what}, and update-time admission changed the answer at {}",
                    list(&changes::answer_paths(&diffs))
                ),
                None => format!(
                    "{what}; the answer differs from upstream's only there ({})",
                    list(&changes::answer_paths(&diffs))
                ),
            },
            on_stored: false,
        })
    })
}

/// Why the cluster's policy refused a starting pod, if it did: a refusal that
/// names a policy, or one upstream would not give (admission made the pod
/// invalid, as a LimitRange's defaults below the pod's own requests do).
pub async fn refused_start(oracle: &Oracle, pod: &Value, error: &FixtureError) -> Option<String> {
    if let Some(r) = error.refusal() {
        return Some(r.cause.clone());
    }
    let FixtureError::Refused {
        status, message, ..
    } = error
    else {
        return None;
    };
    let upstream = oracle.dry_run(pod).await.ok()?;
    (upstream.status < 300).then(|| {
        let first = message.split(", ").next().unwrap_or(message);
        format!("admission made it invalid ({status}; upstream admits it): {first}")
    })
}

/// What judging on a policed cluster needs, against a kube-apiserver
/// (`upstream`) of `version`: the oracle answering as that version and the fields the namespace's admission manages.
/// Why the oracle could not start goes to `notes`.
pub async fn prepare(
    upstream: bool,
    version: podpatch_mock::Version,
    client: &Client,
    namespace: &str,
    notes: &mut Vec<String>,
) -> (Option<Oracle>, Managed) {
    if !upstream {
        return (None, Managed::default());
    }
    match Oracle::start(namespace, version).await {
        Ok(oracle) => (Some(oracle), managed_paths(client, namespace).await),
        Err(e) => {
            notes.push(format!(
                "cases are judged against the canonical pods only: {e}"
            ));
            (None, Managed::default())
        }
    }
}

/// Fields the namespace's admission manages on every write of a pod, as far as
/// the identity may read its policy: a LimitRange's defaults and bounds set and
/// check container resources on create and update (resize included).
async fn managed_paths(client: &Client, namespace: &str) -> Managed {
    let path = format!("/api/v1/namespaces/{namespace}/limitranges");
    let Some(list) = client.get(&path).await.ok().and_then(|a| a.json()) else {
        return Managed::default();
    };
    let containers = list["items"].as_array().into_iter().flatten().any(|lr| {
        lr["spec"]["limits"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|l| matches!(l["type"].as_str(), Some("Container" | "Pod")))
    });
    match containers {
        true => Managed {
            paths: [
                "spec.containers[*].resources",
                "spec.initContainers[*].resources",
            ]
            .map(str::to_owned)
            .into(),
            by: vec!["LimitRanger".into()],
            written: Vec::new(),
        },
        false => Managed::default(),
    }
}

/// The pod a create-by-apply request would make, as a create body.
pub fn created_body(planned: &Planned) -> Option<Value> {
    let apply = planned
        .headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("content-type") && v.contains("apply-patch"));
    if !apply {
        return None;
    }
    let mut body: Value = serde_yaml_ng::from_str(&planned.body).ok()?;
    // Apply ignores a resourceVersion when it creates; a create refuses it.
    if let Some(meta) = body["metadata"].as_object_mut() {
        meta.remove("resourceVersion");
    }
    (body["kind"] == "Pod" && body["metadata"]["name"].is_string()).then_some(body)
}

/// What a create or a deletion sets by itself (and a dry run may leave out), not
/// what admission did. (The status stays: a sidecar's resources change the QoS
/// class.)
const VOLATILE: &[&str] = &[
    "metadata.managedFields",
    "metadata.resourceVersion",
    "metadata.uid",
    "metadata.creationTimestamp",
    "metadata.generation",
    "metadata.deletionTimestamp",
    "metadata.deletionGracePeriodSeconds",
];

/// Where the cluster stored the pod differently from upstream, generalised
/// (`metadata.labels.sidecar-injected`, `spec.containers`), managed fields aside
/// (they follow the fields).
pub fn mutated_paths(upstream: &Value, cluster: &Value, ctx: &Context) -> Vec<String> {
    let upstream = normalize::object(upstream, ctx);
    let cluster = normalize::object(cluster, ctx);
    let mut paths: Vec<String> = changes::between(&upstream, &cluster)
        .iter()
        .map(|c| changes::general_path(&c.path))
        .filter(|p| !VOLATILE.iter().any(|v| p.starts_with(v)))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Whether every difference between upstream's answer and the cluster's lies
/// where admission changed the pod (at, under or above a mutated path), managed
/// fields following them, or is a message quoting a value admission `written`
/// (an error that names the rewritten image).
pub fn explains(diffs: &[Change], mutated: &[String], written: &[String]) -> bool {
    let quotes = |c: &Change| {
        c.after
            .as_ref()
            .and_then(Value::as_str)
            .is_some_and(|s| written.iter().any(|w| s.contains(w.as_str())))
    };
    diffs.iter().all(|c| {
        let d = changes::answer_paths(std::slice::from_ref(c)).remove(0);
        d.contains("managedFields") || mutated.iter().any(|m| overlaps(&d, m)) || quotes(c)
    })
}

/// Whether two generalised paths are the same or one lies under the other.
fn overlaps(a: &str, b: &str) -> bool {
    let under =
        |x: &str, y: &str| x.starts_with(&format!("{y}.")) || x.starts_with(&format!("{y}["));
    a == b || under(a, b) || under(b, a)
}

/// The fields a request's body sets or removes, generalised: JSON Patch
/// operations' paths, or the leaves of a merge, strategic or apply body.
pub fn request_paths(planned: &Planned) -> Vec<String> {
    let Ok(body) = serde_yaml_ng::from_str::<Value>(&planned.body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    match &body {
        Value::Array(ops) => {
            for op in ops {
                for k in ["path", "from"] {
                    if let Some(p) = op[k].as_str() {
                        out.push(pointer_path(p));
                    }
                }
            }
        }
        other => leaves("", other, &mut out),
    }
    out.sort();
    out.dedup();
    out
}

/// `/spec/containers/0/image` as `spec.containers[*].image`.
fn pointer_path(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token == "-" || token.parse::<usize>().is_ok() {
            out.push_str("[*]");
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        }
    }
    out
}

fn leaves(path: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                leaves(&p, v, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for item in items {
                leaves(&format!("{path}[*]"), item, out);
            }
        }
        _ if !path.is_empty() => out.push(path.to_owned()),
        _ => {}
    }
}

/// Paths as a cause lists them: the first four, then how many more.
pub(crate) fn list(paths: &[String]) -> String {
    match paths.len() {
        n if n > 4 => format!("{} and {} more", paths[..4].join(", "), n - 4),
        _ => paths.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mutations_are_paths_where_the_cluster_stored_otherwise() {
        let upstream = json!({"metadata": {"name": "p", "uid": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "labels": {"a": "b"}, "managedFields": [1]}, "spec": {"containers": [{"name": "web"}]}});
        let cluster = json!({"metadata": {"name": "p", "uid": "6fa459ea-ee8a-3ca4-894e-db77e160355e", "labels": {"a": "b", "injected": "yes"}, "managedFields": [2]}, "spec": {"containers": [{"name": "web"}, {"name": "sidecar"}]}});
        let ctx = Context::default();
        assert_eq!(
            mutated_paths(&upstream, &cluster, &ctx),
            ["metadata.labels.injected", "spec.containers"]
        );
        assert!(mutated_paths(&upstream, &upstream, &ctx).is_empty());
    }

    #[test]
    fn only_differences_where_admission_acted_are_explained() {
        let mutated = vec!["metadata.labels.injected".to_owned()];
        let before = json!({"status": 200, "body": {"metadata": {"labels": {"a": "b"}, "managedFields": [1]}}});
        let relabelled = json!({"status": 200, "body": {"metadata": {"labels": {"a": "b", "injected": "yes"}, "managedFields": [2]}}});
        assert!(explains(
            &changes::between(&before, &relabelled),
            &mutated,
            &[]
        ));
        let other = json!({"status": 422, "body": {"metadata": {"labels": {"a": "b"}}}});
        assert!(!explains(&changes::between(&before, &other), &mutated, &[]));
        let image = json!({"status": 200, "body": {"metadata": {"labels": {"a": "b"}, "managedFields": [1]}, "spec": {"image": "x"}}});
        assert!(!explains(&changes::between(&before, &image), &mutated, &[]));
    }

    #[test]
    fn a_different_http_status_is_never_a_mutated_pod_status() {
        let upstream = json!({"status": 422, "body": {"kind": "Status"}});
        let cluster = json!({"status": 400, "body": {"kind": "Status"}});
        let diffs = changes::between(&upstream, &cluster);
        assert!(!explains(&diffs, &["status.qosClass".into()], &[]));
        assert!(!explains(&diffs, &["status".into()], &[]));
    }

    #[test]
    fn a_message_quoting_what_admission_wrote_is_explained() {
        let upstream = json!({"status": 422, "body": {"message": "Invalid value: \"busybox \""}});
        let cluster = json!({"status": 422, "body": {"message": "Invalid value: \"mirror.example/busybox \""}});
        let diffs = changes::between(&upstream, &cluster);
        assert!(explains(&diffs, &[], &["mirror.example/busybox ".into()]));
        assert!(!explains(&diffs, &[], &["mirror.example/nginx".into()]));
        assert!(!explains(&diffs, &[], &[]));
    }

    #[test]
    fn an_update_that_admission_changes_is_a_write() {
        let mut managed = Managed::default();
        managed.add_update(
            &["spec.containers[*].image".into()],
            &["mutating webhook m".into()],
            &[],
        );
        assert_eq!(
            managed.paths,
            [
                "metadata.generation",
                "metadata.resourceVersion",
                "spec.containers[*].image",
                "stored"
            ]
        );
        assert_eq!(managed.who(), "mutating webhook m");
        managed = Managed::default();
        managed.add_update(&[], &[], &[]);
        assert!(managed.paths.is_empty());
    }

    #[test]
    fn requests_name_the_fields_they_change() {
        let planned = |body: &str| Planned {
            method: "PATCH",
            path: "/p".into(),
            headers: Vec::new(),
            body: body.into(),
        };
        assert_eq!(
            request_paths(&planned(
                r#"[{"op":"remove","path":"/spec/containers/0/resources/limits"},{"op":"copy","from":"/metadata/labels/a~1b","path":"/metadata/labels/c"}]"#
            )),
            [
                "metadata.labels.a/b",
                "metadata.labels.c",
                "spec.containers[*].resources.limits"
            ]
        );
        assert_eq!(
            request_paths(&planned(
                r#"{"spec":{"containers":[{"name":"web","resources":{"limits":null}}]}}"#
            )),
            [
                "spec.containers[*].name",
                "spec.containers[*].resources.limits"
            ]
        );
        assert!(overlaps(
            "spec.containers[*].resources.limits",
            "spec.containers[*].resources"
        ));
        assert!(!overlaps(
            "metadata.labels.tier",
            "metadata.labels.podpatch.test/injected"
        ));
    }

    #[test]
    fn apply_bodies_that_create_a_pod_are_read() {
        let planned = |ct: &str, body: &str| Planned {
            method: "PATCH",
            path: "/p".into(),
            headers: vec![("Content-Type".into(), ct.into())],
            body: body.into(),
        };
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers: [{name: web, image: nginx}]\n";
        assert_eq!(
            created_body(&planned("application/apply-patch+yaml", yaml)).unwrap()["metadata"]["name"],
            "web"
        );
        assert_eq!(
            created_body(&planned("application/merge-patch+json", yaml)),
            None
        );
        assert_eq!(
            created_body(&planned("application/apply-patch+yaml", "kind: Node")),
            None
        );
    }
}
