//! Preflight: what the cluster's admission does to the suite's own starting pods,
//! before any case runs. Every distinct starting pod (and pod an apply creates) is
//! created with `dryRun=All` and compared with what upstream stores for it (the
//! oracle): refused (with the policy's cause), mutated (which paths, and by whom
//! where the cluster says: the LimitRanger's annotation, the mutating webhooks
//! that intercept pods) or unchanged. A dry-run no-op patch of one real pod shows
//! what admission does on UPDATE. The namespace's Pod Security labels,
//! LimitRanges, ResourceQuotas and the webhook configurations that intercept pods
//! are named where the identity may read them.
//!
//! It creates one pod (removed at once) and otherwise only dry runs and reads;
//! rendering is pure.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use serde_json::{Value, json};

use crate::admission;
use crate::case::{Case, Method, PodSource};
use crate::client::{Answer, Client};
use crate::fixture::{Fixtures, prepare_pod};
use crate::normalize::Context;
use crate::oracle::Oracle;
use crate::pod_metadata::PodMetadata;
use crate::policed::{created_body, mutated_paths};
use crate::profile::{Profile, starting};
use crate::request::{self, pod_path};
use crate::vars::Vars;

/// What admission did to one starting pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "verdict")]
pub enum Admitted {
    /// Refused: the policy's cause and the cluster's message.
    Refused {
        cause: String,
        message: String,
    },
    /// Stored otherwise than upstream stores it, at `paths`; `by` names who, where
    /// the cluster says.
    Mutated {
        paths: Vec<String>,
        by: Vec<String>,
        /// The strings admission wrote there (a message may quote them).
        #[serde(skip)]
        values: Vec<String>,
    },
    Unchanged,
    /// The comparison could not be made.
    Unknown {
        error: String,
    },
}

/// One distinct starting pod and the cases that start from it.
#[derive(Debug, Clone, Serialize)]
pub struct StartingPod {
    /// The fixture (or, for a pod an apply creates, the first case's id).
    pub pod: String,
    pub cases: Vec<String>,
    #[serde(flatten)]
    pub admitted: Admitted,
    /// Warnings the cluster gave on the create (Pod Security's warn level).
    pub warnings: Vec<String>,
    /// What admission does to it on UPDATE, probed where mutating webhooks
    /// intercept UPDATE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<Admitted>,
}

/// The preflight of a namespace.
#[derive(Debug, Clone, Serialize)]
pub struct Preflight {
    pub namespace: String,
    /// `pod-security.kubernetes.io/*` labels of the namespace.
    pub pod_security: BTreeMap<String, String>,
    /// One line per LimitRange, ResourceQuota and pod webhook (or why they could
    /// not be read).
    pub limit_ranges: Vec<String>,
    pub resource_quotas: Vec<String>,
    pub webhooks: Vec<String>,
    pub pods: Vec<StartingPod>,
    /// What admission does to a no-op patch of a created pod.
    pub update: Admitted,
}

impl Preflight {
    /// Whether admission refuses or changes anything the suite sends.
    pub fn is_clean(&self) -> bool {
        self.update == Admitted::Unchanged
            && self.pods.iter().all(|p| p.admitted == Admitted::Unchanged)
    }
}

/// The preflight of `cases` in `fixtures`' namespace (set up already).
pub async fn check(
    client: &Client,
    fixtures: &Fixtures,
    oracle: &Oracle,
    cases: &[&Case],
    metadata: &PodMetadata,
    profile: Option<Profile>,
) -> Preflight {
    let ns = fixtures.namespace.clone();
    let ctx = Context {
        namespace: Some(ns.clone()),
        ..Context::default()
    };
    let webhooks = pod_webhooks(client).await;
    let mutators: Vec<String> = webhooks
        .iter()
        .filter(|w| w.starts_with("mutating "))
        .map(|w| w.trim_start_matches("mutating ").to_owned())
        .collect();
    let mut pods: Vec<(String, Value, Value, Vec<String>)> = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let name = format!("preflight-{i}-{}", fixtures.run_id);
        let (label, body) = match (&case.pod, &case.file.given) {
            (Some(manifest), given) => {
                let label = match given.as_ref().map(|g| &g.pod) {
                    Some(PodSource::File(f)) => f.file_name().map_or_else(
                        || f.display().to_string(),
                        |n| format!("fixtures/{}", n.to_string_lossy()),
                    ),
                    _ => format!("{} (inline)", case.id),
                };
                let pod = prepare_pod(manifest, &name, &ns, &fixtures.run_id);
                let made = starting(profile, case, pod);
                (made.label(label), metadata.applied_to(&made.pod))
            }
            (None, _) => {
                let base = Vars {
                    pod: name.clone(),
                    namespace: ns.clone(),
                    captures: Default::default(),
                };
                let Some(step) = case.steps.first() else {
                    continue;
                };
                let vars = request::vars_for(&step.request, &base, "missing");
                match created_body(&request::plan(&step.request, &vars)) {
                    Some(mut body) => {
                        body["metadata"]["name"] = json!(name);
                        body["metadata"]["namespace"] = json!(ns);
                        (format!("{} (apply creates)", case.id), body)
                    }
                    None => continue,
                }
            }
        };
        // Pods that differ only in their generated name are one starting pod.
        let mut key = body.clone();
        key["metadata"]["name"] = json!("");
        match pods.iter_mut().find(|(_, k, _, _)| *k == key) {
            Some((_, _, _, ids)) => ids.push(case.id.clone()),
            None => pods.push((label, key, body, vec![case.id.clone()])),
        }
    }
    // Who may change a pod on UPDATE: the mutating webhooks that intercept it.
    // Where there are any, what they do is probed on every admitted starting
    // pod (an image mirror rewrites init containers only where there are some).
    let updaters: Vec<String> = mutators
        .iter()
        .filter(|m| m.contains("UPDATE"))
        .cloned()
        .collect();
    let path = format!("/api/v1/namespaces/{ns}/pods");
    let mut checked = Vec::new();
    for (k, (label, _, body, ids)) in pods.into_iter().enumerate() {
        let answer = client.post(&format!("{path}?dryRun=All"), &body).await;
        let (admitted, warnings) = match answer {
            Err(e) => (
                Admitted::Unknown {
                    error: e.to_string(),
                },
                Vec::new(),
            ),
            Ok(a) => (
                judge_create(&a, oracle, &body, &ctx, &mutators).await,
                warnings_of(&a),
            ),
        };
        let update = match (&admitted, updaters.is_empty()) {
            (Admitted::Unchanged | Admitted::Mutated { .. }, false) => {
                let mut pod = body.clone();
                pod["metadata"]["name"] =
                    json!(format!("preflight-update-{k}-{}", fixtures.run_id));
                Some(probe_update(client, fixtures, &pod, &updaters).await)
            }
            _ => None,
        };
        checked.push(StartingPod {
            pod: label,
            cases: ids,
            admitted,
            warnings,
            update,
        });
    }
    let update = update_probe(
        client, fixtures, &checked, cases, metadata, &updaters, profile,
    )
    .await;
    Preflight {
        pod_security: pod_security_labels(client, &ns).await,
        limit_ranges: listed(client, &ns, "limitranges", limit_range_line).await,
        resource_quotas: listed(client, &ns, "resourcequotas", quota_line).await,
        namespace: ns,
        webhooks,
        pods: checked,
        update,
    }
}

async fn judge_create(
    answer: &Answer,
    oracle: &Oracle,
    body: &Value,
    ctx: &Context,
    mutators: &[String],
) -> Admitted {
    let upstream = oracle.dry_run(body).await;
    let stored = answer.json().filter(|_| answer.status < 300);
    match (stored, upstream) {
        (_, Err(error)) => Admitted::Unknown { error },
        (Some(stored), Ok(up)) => match up.json().filter(|_| up.status < 300) {
            Some(upstream) => mutation(&upstream, &stored, ctx, mutators),
            None => Admitted::Unknown {
                error: format!(
                    "the cluster admitted it, upstream refuses it: {} {}",
                    up.status,
                    crate::reason::from_body(&up.body)
                ),
            },
        },
        // Refused as upstream refuses it (a case about an invalid pod): the Pod
        // API's own answer, not the cluster's policy.
        (None, Ok(up)) if up.status == answer.status => Admitted::Unchanged,
        (None, Ok(_)) => match admission::refusal(answer.status, &answer.body) {
            Some(r) => Admitted::Refused {
                cause: r.cause,
                message: r.message,
            },
            None => Admitted::Refused {
                cause: format!("answered {}", answer.status),
                message: crate::reason::from_body(&answer.body),
            },
        },
    }
}

/// `Mutated` with who did it where the stored pod says, or `Unchanged`.
fn mutation(upstream: &Value, stored: &Value, ctx: &Context, mutators: &[String]) -> Admitted {
    let paths = mutated_paths(upstream, stored, ctx);
    if paths.is_empty() {
        return Admitted::Unchanged;
    }
    let mut by = Vec::new();
    if let Some(note) = stored["metadata"]["annotations"]["kubernetes.io/limit-ranger"].as_str() {
        by.push(format!("LimitRanger ({note})"));
    }
    // The LimitRanger sets resources and its own annotation; anything else is
    // another mutator's.
    let mut annotations = stored["metadata"]["annotations"].clone();
    if let Some(a) = annotations.as_object_mut() {
        a.remove("kubernetes.io/limit-ranger");
    }
    let before = &upstream["metadata"]["annotations"];
    let same_annotations = annotations == *before
        || (annotations.as_object().is_some_and(|a| a.is_empty()) && before.is_null());
    let limit_ranger_only = paths.iter().all(|p| {
        p.contains("resources") || (p.starts_with("metadata.annotations") && same_annotations)
    });
    if !limit_ranger_only {
        by.extend(mutators.iter().map(|m| format!("mutating webhook {m}")));
    }
    let values = crate::changes::between(upstream, stored)
        .into_iter()
        .filter_map(|c| c.after?.as_str().map(str::to_owned))
        .filter(|s| s.len() > 3)
        .collect();
    Admitted::Mutated { paths, by, values }
}

impl Preflight {
    /// What admission changes on every UPDATE of each case's starting pod, where
    /// it was probed and changes something: case id, then the change.
    pub fn updates(&self) -> impl Iterator<Item = (&str, &Admitted)> {
        self.pods.iter().flat_map(|p| {
            let update = p
                .update
                .as_ref()
                .filter(|u| matches!(u, Admitted::Mutated { .. }));
            update
                .into_iter()
                .flat_map(move |u| p.cases.iter().map(move |c| (c.as_str(), u)))
        })
    }
}

/// What admission does on UPDATE: one admitted starting pod is created for real,
/// patched with an empty merge patch under `dryRun=All`, and removed.
async fn update_probe(
    client: &Client,
    fixtures: &Fixtures,
    pods: &[StartingPod],
    cases: &[&Case],
    metadata: &PodMetadata,
    mutators: &[String],
    profile: Option<Profile>,
) -> Admitted {
    let first = pods
        .iter()
        .find(|p| !matches!(p.admitted, Admitted::Refused { .. }))
        .and_then(|p| cases.iter().find(|c| p.cases.first() == Some(&c.id)))
        .and_then(|c| Some((c, c.pod.as_ref()?)));
    let Some((case, manifest)) = first else {
        return Admitted::Unknown {
            error: "no starting pod was admitted".into(),
        };
    };
    let name = format!("preflight-update-{}", fixtures.run_id);
    let pod = prepare_pod(manifest, &name, &fixtures.namespace, &fixtures.run_id);
    let pod = metadata.applied_to(&starting(profile, case, pod).pod);
    probe_update(client, fixtures, &pod, mutators).await
}

/// What admission does on UPDATE to `pod`: created for real, patched with an
/// empty merge patch under `dryRun=All`, and removed.
async fn probe_update(
    client: &Client,
    fixtures: &Fixtures,
    pod: &Value,
    mutators: &[String],
) -> Admitted {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let created = match fixtures.create_pod(pod).await {
        Ok(c) => c,
        Err(e) => {
            return Admitted::Unknown {
                error: e.to_string(),
            };
        }
    };
    let planned = request::Planned {
        method: Method::Patch.as_str(),
        path: format!("{}?dryRun=All", pod_path(&fixtures.namespace, name)),
        headers: vec![("Content-Type".into(), "application/merge-patch+json".into())],
        body: "{}".into(),
    };
    let answer = client.send(&planned).await;
    let uid = created["metadata"]["uid"].as_str().unwrap_or_default();
    let _ = fixtures.delete_pod(name, uid).await;
    match answer {
        Err(e) => Admitted::Unknown {
            error: e.to_string(),
        },
        Ok(a) => match admission::refusal(a.status, &a.body) {
            Some(r) => Admitted::Refused {
                cause: r.cause,
                message: r.message,
            },
            None => match a.json() {
                Some(after) => {
                    let ctx = Context::default();
                    mutation(&created, &after, &ctx, mutators)
                }
                None => Admitted::Unknown {
                    error: format!("answered {}", a.status),
                },
            },
        },
    }
}

fn warnings_of(answer: &Answer) -> Vec<String> {
    answer
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("warning"))
        .map(|(_, v)| v.clone())
        .collect()
}

async fn pod_security_labels(client: &Client, ns: &str) -> BTreeMap<String, String> {
    let Some(v) = client
        .get(&format!("/api/v1/namespaces/{ns}"))
        .await
        .ok()
        .and_then(|a| a.json())
    else {
        return BTreeMap::new();
    };
    v["metadata"]["labels"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.starts_with("pod-security.kubernetes.io/"))
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
        .collect()
}

/// One line per object of `resource` in the namespace, or why none could be read.
async fn listed(
    client: &Client,
    ns: &str,
    resource: &str,
    line: fn(&Value) -> String,
) -> Vec<String> {
    match client
        .get(&format!("/api/v1/namespaces/{ns}/{resource}"))
        .await
    {
        Ok(a) if a.status == 200 => a
            .json()
            .and_then(|v| v["items"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .map(line)
            .collect(),
        Ok(a) => vec![format!(
            "not readable ({}: {})",
            a.status,
            crate::reason::from_body(&a.body)
        )],
        Err(e) => vec![format!("not readable: {e}")],
    }
}

fn limit_range_line(item: &Value) -> String {
    format!(
        "{}: {}",
        item["metadata"]["name"].as_str().unwrap_or("?"),
        item["spec"]["limits"]
    )
}

fn quota_line(item: &Value) -> String {
    format!(
        "{}: hard {} used {}",
        item["metadata"]["name"].as_str().unwrap_or("?"),
        item["status"]["hard"],
        item["status"]["used"]
    )
}

/// The webhooks that intercept pods, `mutating CONFIG/NAME (CREATE, UPDATE)` and
/// `validating …`, or why they could not be read.
async fn pod_webhooks(client: &Client) -> Vec<String> {
    let mut out = Vec::new();
    for kind in ["mutating", "validating"] {
        let path = format!("/apis/admissionregistration.k8s.io/v1/{kind}webhookconfigurations");
        let answer = match client.get(&path).await {
            Ok(a) if a.status == 200 => a,
            Ok(a) => {
                out.push(format!(
                    "{kind} webhook configurations not readable ({})",
                    a.status
                ));
                continue;
            }
            Err(e) => {
                out.push(format!("{kind} webhook configurations not readable: {e}"));
                continue;
            }
        };
        let items = answer
            .json()
            .map(|v| v["items"].clone())
            .unwrap_or_default();
        for config in items.as_array().into_iter().flatten() {
            for hook in config["webhooks"].as_array().into_iter().flatten() {
                if let Some(ops) = pod_operations(&hook["rules"]) {
                    out.push(format!(
                        "{kind} {}/{} ({ops})",
                        config["metadata"]["name"].as_str().unwrap_or("?"),
                        hook["name"].as_str().unwrap_or("?")
                    ));
                }
            }
        }
    }
    out
}

/// The operations of `rules` that apply to pods, if any.
fn pod_operations(rules: &Value) -> Option<String> {
    let mut ops: Vec<String> = Vec::new();
    for rule in rules.as_array().into_iter().flatten() {
        let has = |k: &str, want: &[&str]| {
            rule[k].as_array().is_some_and(|a| {
                a.iter()
                    .any(|v| v.as_str().is_some_and(|s| want.contains(&s)))
            })
        };
        if has("apiGroups", &["", "*"]) && has("resources", &["pods", "*", "pods/*"]) {
            ops.extend(
                rule["operations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o.as_str().map(str::to_owned)),
            );
        }
    }
    ops.dedup();
    (!ops.is_empty()).then(|| ops.join(", "))
}

/// The preflight as the terminal shows it.
pub fn render(p: &Preflight) -> String {
    let mut out = format!("preflight of namespace {}:\n", p.namespace);
    let none = |v: &[String]| {
        if v.is_empty() {
            "none".to_owned()
        } else {
            v.join("; ")
        }
    };
    let labels: Vec<String> = p
        .pod_security
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(out, "  Pod Security labels: {}", none(&labels));
    let _ = writeln!(out, "  LimitRanges: {}", none(&p.limit_ranges));
    let _ = writeln!(out, "  ResourceQuotas: {}", none(&p.resource_quotas));
    let _ = writeln!(out, "  webhooks on pods: {}", none(&p.webhooks));
    let _ = writeln!(
        out,
        "  starting pods (dry-run create, compared with upstream):"
    );
    for pod in &p.pods {
        let _ = writeln!(
            out,
            "    {:<44} {} ({} case(s))",
            pod.pod,
            admitted_text(&pod.admitted),
            pod.cases.len()
        );
        for w in &pod.warnings {
            let _ = writeln!(out, "      warning: {w}");
        }
    }
    let _ = writeln!(
        out,
        "  on UPDATE (dry-run no-op patch): {}",
        admitted_text(&p.update)
    );
    out
}

fn admitted_text(a: &Admitted) -> String {
    match a {
        Admitted::Refused { cause, .. } => format!("refused: {cause}"),
        Admitted::Mutated { paths, by, .. } if by.is_empty() => {
            format!("mutated at {}", paths.join(", "))
        }
        Admitted::Mutated { paths, by, .. } => {
            format!("mutated at {} by {}", paths.join(", "), by.join(", "))
        }
        Admitted::Unchanged => "unchanged".to_owned(),
        Admitted::Unknown { error } => format!("not known: {error}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn webhooks_on_pods_are_found_by_their_rules() {
        let rules = json!([{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}]);
        assert_eq!(pod_operations(&rules).as_deref(), Some("CREATE, UPDATE"));
        let other =
            json!([{"apiGroups": ["apps"], "operations": ["*"], "resources": ["deployments"]}]);
        assert_eq!(pod_operations(&other), None);
    }

    #[test]
    fn mutations_name_the_limit_ranger_and_the_webhooks() {
        let upstream =
            json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "web"}]}});
        let stored = json!({"metadata": {"name": "p", "annotations": {"kubernetes.io/limit-ranger": "LimitRanger plugin set: cpu request for container web"}}, "spec": {"containers": [{"name": "web", "resources": {"requests": {"cpu": "100m"}}}]}});
        let ctx = Context::default();
        let hooks = vec!["cfg/inject.podpatch.test (CREATE)".to_owned()];
        match mutation(&upstream, &stored, &ctx, &hooks) {
            Admitted::Mutated { by, paths, .. } => assert_eq!(
                (paths, by),
                (
                    vec![
                        "metadata.annotations".to_owned(),
                        "spec.containers[*].resources".to_owned()
                    ],
                    vec![
                        "LimitRanger (LimitRanger plugin set: cpu request for container web)"
                            .to_owned()
                    ]
                )
            ),
            other => panic!("{other:?}"),
        }
        let injected = json!({"metadata": {"name": "p", "labels": {"x": "y"}}, "spec": {"containers": [{"name": "web"}]}});
        match mutation(&upstream, &injected, &ctx, &hooks) {
            Admitted::Mutated { paths, by, .. } => {
                assert_eq!(paths, ["metadata.labels"]);
                assert_eq!(by, ["mutating webhook cfg/inject.podpatch.test (CREATE)"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            mutation(&upstream, &upstream, &ctx, &hooks),
            Admitted::Unchanged
        );
    }

    #[test]
    fn renders_a_table() {
        let p = Preflight {
            namespace: "team".into(),
            pod_security: [(
                "pod-security.kubernetes.io/enforce".to_owned(),
                "restricted".to_owned(),
            )]
            .into(),
            limit_ranges: vec![],
            resource_quotas: vec!["tenant: hard {\"pods\":\"6\"} used {\"pods\":\"0\"}".into()],
            webhooks: vec![],
            pods: vec![StartingPod {
                pod: "fixtures/web.yaml".into(),
                cases: vec!["a/b".into()],
                admitted: Admitted::Refused {
                    cause:
                        "Pod Security \"restricted:latest\" refused the pod: runAsNonRoot != true"
                            .into(),
                    message: String::new(),
                },
                warnings: vec![],
                update: None,
            }],
            update: Admitted::Unchanged,
        };
        insta::assert_snapshot!(render(&p));
        assert!(!p.is_clean());
    }
}
