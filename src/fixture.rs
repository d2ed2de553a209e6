//! Fixtures: everything the suite creates on a target (the run's namespace, its
//! `default` ServiceAccount when no controller makes one, the starting pods) and
//! their removal.
//!
//! Ownership rule: objects are labelled with the run, and only objects this run
//! created (checked by label and uid) are ever deleted.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{Value, json};

use crate::admission::{self, Policy, Refusal};
use crate::case::{Method, PatchType};
use crate::client::{Answer, Client, SendError};
use crate::request::{Planned, pod_path, query_string};
use crate::settle::Controllers;

/// Label marking every object podpatch creates.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "podpatch");
/// Label carrying the run id.
pub const RUN_LABEL: &str = "podpatch.dev/run";
/// Scheduling gate that keeps starting pods off real nodes.
pub const HOLD_GATE: &str = "podpatch.dev/hold";
/// How long `teardown` waits for requests still in flight before it lists pods.
const SETTLE_WAIT: Duration = Duration::from_secs(5);
/// Pods deleted at once by `teardown`: it runs against a time bound.
const TEARDOWN_JOBS: usize = 16;

/// A fixture step that failed.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("{action}: the target answered {status}: {message}")]
    Refused {
        action: String,
        status: u16,
        message: String,
        /// The cluster policy that refused it, when its answer names one.
        refusal: Option<Refusal>,
    },
}

impl FixtureError {
    fn refused(action: impl Into<String>, answer: &Answer) -> FixtureError {
        let message = crate::reason::from_body(&answer.body);
        let refusal = admission::refusal(answer.status, &answer.body);
        // The RBAC hint only where authorization refused: a Pod Security, quota or
        // webhook refusal is also a 403 and names its own cause.
        let hint = match (answer.status, refusal.as_ref().map(|r| &r.policy)) {
            (401, _) => {
                " (the credentials were not accepted: check the token or client certificate)"
            }
            (403, Some(Policy::Rbac)) => {
                " (the identity lacks permission: see the RBAC manifests in deploy/)"
            }
            _ => "",
        };
        FixtureError::Refused {
            action: action.into(),
            status: answer.status,
            message: format!("{message}{hint}"),
            refusal,
        }
    }

    /// The cluster policy that refused the step, if its answer names one.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            FixtureError::Refused { refusal, .. } => refusal.as_ref(),
            FixtureError::Send(_) => None,
        }
    }
}

/// The labels podpatch puts on everything it creates in a run.
pub fn labels(run_id: &str) -> Value {
    json!({ MANAGED_BY.0: MANAGED_BY.1, RUN_LABEL: run_id })
}

/// The starting pod as it will be created: name, namespace and ownership labels set,
/// and held by a scheduling gate unless the manifest says otherwise. Pure.
pub fn prepare_pod(manifest: &Value, name: &str, namespace: &str, run_id: &str) -> Value {
    let mut pod = manifest.clone();
    if !pod.is_object() {
        pod = json!({});
    }
    pod["apiVersion"] = json!("v1");
    pod["kind"] = json!("Pod");
    if !pod["metadata"].is_object() {
        pod["metadata"] = json!({});
    }
    let meta = &mut pod["metadata"];
    meta["name"] = json!(name);
    meta["namespace"] = json!(namespace);
    if !meta["labels"].is_object() {
        meta["labels"] = json!({});
    }
    for (k, v) in labels(run_id).as_object().into_iter().flatten() {
        meta["labels"][k] = v.clone();
    }
    if !pod["spec"].is_object() {
        pod["spec"] = json!({});
    }
    if pod["spec"].get("schedulingGates").is_none() {
        pod["spec"]["schedulingGates"] = json!([{ "name": HOLD_GATE }]);
    }
    pod
}

/// Waits before a starting pod is created again after `exceeded quota`: the quota
/// is freed as the run's other pods go (about 30 s in all).
const QUOTA_BACKOFF: [Duration; 7] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(6),
    Duration::from_secs(8),
    Duration::from_secs(8),
];

/// The fixtures of one run on one target.
#[derive(Debug, Clone)]
pub struct Fixtures {
    client: Client,
    pub run_id: String,
    pub namespace: String,
    /// Whether this run created the namespace (and so may delete it).
    pub owns_namespace: bool,
    /// What the target lacked and how the run made do, for the report.
    pub notes: Vec<String>,
    /// The uid of the `default` ServiceAccount this run created, if it made one: a
    /// target that does not delete a namespace's contents with it keeps it otherwise.
    service_account_uid: Option<String>,
    /// Times a starting pod waited for quota headroom.
    quota_waits: Arc<AtomicUsize>,
    /// The controllers at work: starting pods they act on are read once they
    /// have (`settle`).
    controllers: Controllers,
}

impl Fixtures {
    /// The fixtures of a run before anything is created: `podpatch-<run id>`, or
    /// `namespace` (which must exist). Nothing is sent yet, so a run interrupted
    /// during `setup` can still `teardown` what setup may have made.
    pub fn new(client: Client, run_id: &str, namespace: Option<String>) -> Fixtures {
        Fixtures {
            client,
            run_id: run_id.to_owned(),
            owns_namespace: namespace.is_none(),
            namespace: namespace.unwrap_or_else(|| format!("podpatch-{run_id}")),
            notes: Vec::new(),
            service_account_uid: None,
            quota_waits: Arc::default(),
            controllers: Controllers::default(),
        }
    }

    /// Prepares the run's namespace: creates `podpatch-<run id>` (or checks that
    /// the given namespace exists) and makes sure it has a `default` ServiceAccount.
    pub async fn setup(&mut self) -> Result<(), FixtureError> {
        if self.owns_namespace {
            let body = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": self.namespace, "labels": labels(&self.run_id)},
            });
            let answer = self.client.post("/api/v1/namespaces", &body).await?;
            match answer.status {
                200..=299 => {}
                // Some mocks serve pods only; their namespaces exist implicitly.
                404 | 405 => {
                    self.owns_namespace = false;
                    self.notes.push(format!(
                        "the target has no namespace API (POST /api/v1/namespaces answered {}); namespace {} was used as if it existed",
                        answer.status, self.namespace
                    ));
                }
                _ => {
                    return Err(FixtureError::refused(
                        format!("creating namespace {}", self.namespace),
                        &answer,
                    ));
                }
            }
        } else {
            let answer = self
                .client
                .get(&format!("/api/v1/namespaces/{}", self.namespace))
                .await?;
            if answer.status != 200 {
                return Err(FixtureError::refused(
                    format!("reading namespace {}", self.namespace),
                    &answer,
                ));
            }
        }
        self.controllers = Controllers::on(&self.client).await;
        self.ensure_service_account().await
    }

    /// A cluster's controller-manager creates `default` soon after the namespace; a
    /// bare API server has none. Creating it at once is safe either way: if the
    /// controller wins the race, the answer is 409 and its account is used.
    async fn ensure_service_account(&mut self) -> Result<(), FixtureError> {
        let path = format!("/api/v1/namespaces/{}/serviceaccounts", self.namespace);
        let answer = self.client.get(&format!("{path}/default")).await?;
        match answer.status {
            200 => return Ok(()),
            404 | 405 => {}
            _ => {
                return Err(FixtureError::refused(
                    "reading ServiceAccount default",
                    &answer,
                ));
            }
        }
        // Complete objects: a server may require `kind` and `apiVersion` (mocks do).
        let body = json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": "default", "namespace": self.namespace, "labels": labels(&self.run_id)},
        });
        let answer = self.client.post(&path, &body).await?;
        match answer.status {
            200..=299 => {
                self.service_account_uid = answer
                    .json()
                    .and_then(|v| v["metadata"]["uid"].as_str().map(str::to_owned));
                Ok(())
            }
            409 => Ok(()),
            404 | 405 => {
                self.notes.push(format!(
                    "the target has no ServiceAccount API (POST {path} answered {}); pods were created without one",
                    answer.status
                ));
                Ok(())
            }
            _ => Err(FixtureError::refused(
                "creating ServiceAccount default",
                &answer,
            )),
        }
    }

    /// Creates a starting pod and returns it as the target stored it. An
    /// exhausted ResourceQuota is infrastructure: the create is tried again with
    /// backoff (a refused create made nothing, so trying again is safe).
    pub async fn create_pod(&self, pod: &Value) -> Result<Value, FixtureError> {
        let path = format!("/api/v1/namespaces/{}/pods", self.namespace);
        let mut waits = QUOTA_BACKOFF.iter();
        loop {
            let answer = self.client.post(&path, pod).await?;
            let error = match (answer.status, answer.json()) {
                (200..=299, Some(created)) => {
                    let c = self.controllers;
                    return Ok(c.settled(&self.client, &self.namespace, created).await);
                }
                _ => FixtureError::refused(
                    format!(
                        "creating the starting pod {}",
                        pod["metadata"]["name"].as_str().unwrap_or("?")
                    ),
                    &answer,
                ),
            };
            match waits.next() {
                Some(wait) if error.refusal().is_some_and(Refusal::is_transient) => {
                    self.quota_waits.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(*wait).await;
                }
                _ => return Err(error),
            }
        }
    }

    /// Whether a kube-scheduler is at work on the target (`settle`).
    pub fn scheduler(&self) -> bool {
        self.controllers.scheduler
    }

    /// Times a starting pod waited for quota headroom so far.
    pub fn quota_waits(&self) -> usize {
        self.quota_waits.load(Ordering::Relaxed)
    }

    /// How many more pods the namespace's ResourceQuotas admit, and the quota that
    /// allows the fewest, when any quota counts pods and the identity may read
    /// them (`status.hard` and `status.used`, as the quota controller keeps them).
    pub async fn pod_headroom(&self) -> Option<(usize, String)> {
        let path = format!("/api/v1/namespaces/{}/resourcequotas", self.namespace);
        let list = self.client.get(&path).await.ok()?.json()?;
        list["items"]
            .as_array()?
            .iter()
            .filter_map(|q| {
                let count =
                    |k: &str| -> Option<usize> { q["status"][k]["pods"].as_str()?.parse().ok() };
                let hard = count("hard")?;
                let used = count("used").unwrap_or(0);
                let name = q["metadata"]["name"].as_str().unwrap_or("?").to_owned();
                Some((hard.saturating_sub(used), name))
            })
            .min()
    }

    /// Starts deleting a pod this run created (uid precondition) and returns
    /// it as the answer shows it: its finalizers keep it, terminating. The
    /// final cleanup removes them.
    pub async fn start_deletion(&self, name: &str, uid: &str) -> Result<Value, FixtureError> {
        let options = json!({
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "preconditions": {"uid": uid},
        });
        let answer = self
            .client
            .delete(&pod_path(&self.namespace, name), Some(&options))
            .await?;
        match (answer.status, answer.json()) {
            (200..=202, Some(pod))
                if !pod["metadata"]["deletionTimestamp"].is_null()
                    && pod["metadata"]["finalizers"]
                        .as_array()
                        .is_some_and(|f| !f.is_empty()) =>
            {
                Ok(pod)
            }
            _ => Err(FixtureError::refused(
                format!("deleting the starting pod {name} (does it keep a finalizer?)"),
                &answer,
            )),
        }
    }

    /// Reads a pod back.
    pub async fn get_pod(&self, name: &str) -> Result<Answer, FixtureError> {
        Ok(self.client.get(&pod_path(&self.namespace, name)).await?)
    }

    /// Deletes a pod this run created, identified by uid so that a pod of the same
    /// name made by someone else is never touched.
    pub async fn delete_pod(&self, name: &str, uid: &str) -> Result<(), FixtureError> {
        delete_owned_pod(&self.client, &self.namespace, name, uid).await
    }

    /// Removes what the run left: its namespace if it made it (first, so that a
    /// cleanup cut short by its time bound still leaves the namespace terminating),
    /// then — once every request that may have created one has ended — its pods,
    /// concurrently, their finalizers removed.
    pub async fn teardown(&self) -> Result<(), FixtureError> {
        if self.owns_namespace {
            let answer = self
                .client
                .delete(&format!("/api/v1/namespaces/{}", self.namespace), None)
                .await?;
            if !matches!(answer.status, 200..=204 | 404) {
                return Err(FixtureError::refused(
                    format!("deleting namespace {}", self.namespace),
                    &answer,
                ));
            }
        }
        // A request still unanswered after this is left to `podpatch cleanup`: the
        // pods listed now must still be removed within teardown's time bound.
        let _ = tokio::time::timeout(SETTLE_WAIT, self.client.settle()).await;
        // Every pod of the namespace is listed, not only those with podpatch's
        // label: an apply that creates a pod sends the case's own body, which may
        // carry no label of ours. `made_by_this_run` picks ours by run label or by
        // the run id every pod name of this run holds.
        let list = self
            .client
            .get(&format!("/api/v1/namespaces/{}/pods", self.namespace))
            .await?;
        let items = list
            .json()
            .and_then(|v| v["items"].as_array().cloned())
            .unwrap_or_default();
        let ours: Vec<(String, String)> = items
            .iter()
            .filter(|pod| self.made_by_this_run(pod))
            .map(|pod| {
                let meta = &pod["metadata"];
                let text = |k: &str| meta[k].as_str().unwrap_or_default().to_owned();
                (text("name"), text("uid"))
            })
            .collect();
        let results: Vec<Result<(), FixtureError>> = futures::stream::iter(ours)
            .map(|(name, uid)| async move { self.delete_pod(&name, &uid).await })
            .buffer_unordered(TEARDOWN_JOBS)
            .collect()
            .await;
        results.into_iter().collect::<Result<(), FixtureError>>()?;
        if let Some(uid) = &self.service_account_uid {
            let path = format!(
                "/api/v1/namespaces/{}/serviceaccounts/default",
                self.namespace
            );
            let options = json!({
                "kind": "DeleteOptions",
                "apiVersion": "v1",
                "preconditions": {"uid": uid},
            });
            let answer = self.client.delete(&path, Some(&options)).await?;
            if !matches!(answer.status, 200..=204 | 404 | 409) {
                return Err(FixtureError::refused(
                    "deleting ServiceAccount default",
                    &answer,
                ));
            }
        }
        Ok(())
    }

    /// Whether a pod is this run's: it carries the run label, or — made by a case's
    /// own request, such as an apply that creates, whose body may set no label of
    /// ours — its name holds the run id, as every name a run gives does
    /// (`naming::pod_name`; the id is random, so another pod's name holding it is
    /// not a realistic risk).
    fn made_by_this_run(&self, pod: &Value) -> bool {
        let meta = &pod["metadata"];
        let name = meta["name"].as_str().unwrap_or_default();
        meta["labels"][RUN_LABEL] == self.run_id.as_str()
            || (!name.is_empty() && name.contains(&format!("-{}", self.run_id)))
    }
}

/// What deleting a pod reads of the answer: the pod's finalizers, if any.
#[derive(serde::Deserialize)]
struct Deleted {
    #[serde(default)]
    metadata: DeletedMetadata,
}

/// The metadata of a deleted pod, as far as `Deleted` reads it.
#[derive(serde::Deserialize, Default)]
struct DeletedMetadata {
    finalizers: Option<Vec<serde::de::IgnoredAny>>,
}

/// Deletes a pod podpatch created, identified by uid (a pod of the same name made by
/// someone else is never touched). A case may leave finalizers on its pod, which
/// would keep it Terminating forever; they are ours too, so they are removed.
async fn delete_owned_pod(
    client: &Client,
    namespace: &str,
    name: &str,
    uid: &str,
) -> Result<(), FixtureError> {
    let path = pod_path(namespace, name);
    let options = json!({
        "kind": "DeleteOptions",
        "apiVersion": "v1",
        "gracePeriodSeconds": 0,
        "preconditions": {"uid": uid},
    });
    let answer = client.delete(&path, Some(&options)).await?;
    match answer.status {
        200..=204 => {}
        404 | 409 => return Ok(()),
        _ => {
            return Err(FixtureError::refused(
                format!("deleting pod {name}"),
                &answer,
            ));
        }
    }
    // Only the finalizers are read: the rest of the pod is skipped, not built.
    let finalized = serde_json::from_str::<Deleted>(&answer.body)
        .is_ok_and(|pod| pod.metadata.finalizers.is_some_and(|f| !f.is_empty()));
    if finalized {
        let patch = json!([
            {"op": "test", "path": "/metadata/uid", "value": uid},
            {"op": "remove", "path": "/metadata/finalizers"},
        ]);
        let unblock = Planned {
            method: Method::Patch.as_str(),
            path,
            headers: vec![("Content-Type".into(), PatchType::Json.content_type().into())],
            body: patch.to_string().into(),
        };
        let answer = client.send(&unblock).await?;
        // Mocks commonly answer writes with 201 or 202 where Kubernetes says 200.
        if !matches!(answer.status, 200..=202 | 404 | 409 | 422) {
            return Err(FixtureError::refused(
                format!("removing the finalizers of pod {name}"),
                &answer,
            ));
        }
    }
    Ok(())
}

/// One object `cleanup` removed (or would remove, on a dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// `pods`, `serviceaccounts` or `namespaces`.
    pub resource: &'static str,
    pub namespace: Option<String>,
    pub name: String,
    pub uid: String,
    pub run: String,
}

/// Whether an object listed by label is podpatch's and old enough to remove.
fn leftover(resource: &'static str, item: &Value, cutoff: jiff::Timestamp) -> Option<Leftover> {
    let meta = &item["metadata"];
    let labels = &meta["labels"];
    if labels[MANAGED_BY.0] != MANAGED_BY.1 {
        return None;
    }
    let created: jiff::Timestamp = meta["creationTimestamp"].as_str()?.parse().ok()?;
    (created <= cutoff).then(|| Leftover {
        resource,
        namespace: meta["namespace"].as_str().map(str::to_owned),
        name: meta["name"].as_str().unwrap_or_default().to_owned(),
        uid: meta["uid"].as_str().unwrap_or_default().to_owned(),
        run: labels[RUN_LABEL].as_str().unwrap_or_default().to_owned(),
    })
}

/// Finds what earlier runs left behind, selected by podpatch's label only, created
/// before `cutoff`, and deletes it unless `dry_run`.
pub async fn cleanup(
    client: &Client,
    cutoff: jiff::Timestamp,
    dry_run: bool,
) -> Result<Vec<Leftover>, FixtureError> {
    let selector = query_string(&[(
        "labelSelector".into(),
        format!("{}={}", MANAGED_BY.0, MANAGED_BY.1),
    )]);
    let mut found = Vec::new();
    for resource in ["pods", "serviceaccounts", "namespaces"] {
        let answer = client
            .get(&format!("/api/v1/{resource}?{selector}"))
            .await?;
        if matches!(answer.status, 404 | 405) {
            // A target without this API (many mocks serve pods only) holds none.
            continue;
        }
        if answer.status != 200 {
            return Err(FixtureError::refused(
                format!("listing {resource}"),
                &answer,
            ));
        }
        let items = answer
            .json()
            .map(|v| v["items"].clone())
            .unwrap_or_default();
        found.extend(
            items
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| leftover(resource, item, cutoff)),
        );
    }
    if dry_run {
        return Ok(found);
    }
    for l in &found {
        if let (Some(ns), "pods") = (&l.namespace, l.resource) {
            delete_owned_pod(client, ns, &l.name, &l.uid).await?;
            continue;
        }
        let path = match &l.namespace {
            Some(ns) => format!("/api/v1/namespaces/{ns}/{}/{}", l.resource, l.name),
            None => format!("/api/v1/{}/{}", l.resource, l.name),
        };
        let options = json!({
            "kind": "DeleteOptions",
            "apiVersion": "v1",
            "preconditions": {"uid": l.uid},
        });
        let answer = client.delete(&path, Some(&options)).await?;
        if !matches!(answer.status, 200..=204 | 404 | 409) {
            return Err(FixtureError::refused(format!("deleting {path}"), &answer));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepares_a_gated_labelled_pod() {
        let manifest = json!({"metadata": {"name": "web", "labels": {"app": "web"}}, "spec": {"containers": []}});
        let pod = prepare_pod(&manifest, "web-x", "ns", "run1");
        assert_eq!(pod["metadata"]["name"], "web-x");
        assert_eq!(pod["metadata"]["namespace"], "ns");
        assert_eq!(pod["metadata"]["labels"]["app"], "web");
        assert_eq!(pod["metadata"]["labels"][RUN_LABEL], "run1");
        assert_eq!(pod["spec"]["schedulingGates"], json!([{"name": HOLD_GATE}]));
    }

    #[test]
    fn leftovers_are_selected_by_label_and_age() {
        let cutoff: jiff::Timestamp = "2026-11-24T12:00:00Z".parse().unwrap();
        let item = |labels: Value, created: &str| json!({"metadata": {"name": "p", "namespace": "ns", "uid": "u", "labels": labels, "creationTimestamp": created}});
        let ours = labels("run1");
        let old = leftover("pods", &item(ours.clone(), "2026-11-24T11:00:00Z"), cutoff).unwrap();
        assert_eq!((old.name.as_str(), old.run.as_str()), ("p", "run1"));
        assert!(leftover("pods", &item(ours, "2026-11-24T12:30:00Z"), cutoff).is_none());
        assert!(
            leftover(
                "pods",
                &item(json!({"app": "x"}), "2026-11-24T11:00:00Z"),
                cutoff
            )
            .is_none()
        );
    }

    #[tokio::test]
    async fn teardown_finds_pods_a_case_request_made() {
        let target = crate::target::Target::new("http://127.0.0.1:9").unwrap();
        let client = Client::new(
            &target,
            std::time::Duration::from_secs(1),
            Default::default(),
        )
        .unwrap();
        let f = Fixtures::new(client, "r4nd0m", Some("ns".into()));
        let pod = |name: &str, labels: Value| json!({"metadata": {"name": name, "labels": labels}});
        let managed = json!({MANAGED_BY.0: MANAGED_BY.1});
        assert!(f.made_by_this_run(&pod("web-3-x", labels("r4nd0m"))));
        assert!(f.made_by_this_run(&pod("create-missing-pod-7-r4nd0m", managed.clone())));
        assert!(f.made_by_this_run(&pod("c-7-r4nd0m-missing", managed.clone())));
        assert!(!f.made_by_this_run(&pod("web-3-0th3r", managed)));
        assert!(!f.made_by_this_run(&pod("web-3-0th3r", labels("0th3r"))));
    }

    #[test]
    fn keeps_explicit_scheduling_gates() {
        let manifest = json!({"spec": {"schedulingGates": []}});
        let pod = prepare_pod(&manifest, "p", "ns", "r");
        assert_eq!(pod["spec"]["schedulingGates"], json!([]));
        assert_eq!(pod["kind"], "Pod");
    }
}
