//! Fixtures: everything the suite creates on a target (the run's namespace, its
//! `default` ServiceAccount when no controller makes one, the starting pods) and
//! their removal.
//!
//! Ownership rule: objects are labelled with the run, and only objects this run
//! created (checked by label and uid) are ever deleted.

use serde_json::{Value, json};

use crate::case::PatchType;
use crate::client::{Answer, Client, SendError};
use crate::request::{METHOD, Planned, pod_path, query_string};

/// Label marking every object podpatch creates.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "podpatch");
/// Label carrying the run id.
pub const RUN_LABEL: &str = "podpatch.dev/run";
/// Scheduling gate that keeps starting pods off real nodes.
pub const HOLD_GATE: &str = "podpatch.dev/hold";

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
    },
}

impl FixtureError {
    fn refused(action: impl Into<String>, answer: &Answer) -> FixtureError {
        let message = crate::reason::from_body(&answer.body);
        let hint = match answer.status {
            401 => " (the credentials were not accepted: check the token or client certificate)",
            403 => " (the identity lacks permission: see the RBAC manifests in deploy/)",
            _ => "",
        };
        FixtureError::Refused {
            action: action.into(),
            status: answer.status,
            message: format!("{message}{hint}"),
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
}

impl Fixtures {
    /// Prepares the run's namespace: creates `podpatch-<run id>` (or uses `namespace`,
    /// which must exist) and makes sure it has a `default` ServiceAccount.
    pub async fn setup(
        client: Client,
        run_id: &str,
        namespace: Option<String>,
    ) -> Result<Fixtures, FixtureError> {
        let owns_namespace = namespace.is_none();
        let namespace = namespace.unwrap_or_else(|| format!("podpatch-{run_id}"));
        let mut fixtures = Fixtures {
            client,
            run_id: run_id.to_owned(),
            namespace,
            owns_namespace,
            notes: Vec::new(),
            service_account_uid: None,
        };
        if owns_namespace {
            let body = json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": fixtures.namespace, "labels": labels(run_id)},
            });
            let answer = fixtures.client.post("/api/v1/namespaces", &body).await?;
            match answer.status {
                200..=299 => {}
                // Some mocks serve pods only; their namespaces exist implicitly.
                404 | 405 => {
                    fixtures.owns_namespace = false;
                    fixtures.notes.push(format!(
                        "the target has no namespace API (POST /api/v1/namespaces answered {}); namespace {} was used as if it existed",
                        answer.status, fixtures.namespace
                    ));
                }
                _ => {
                    return Err(FixtureError::refused(
                        format!("creating namespace {}", fixtures.namespace),
                        &answer,
                    ));
                }
            }
        } else {
            let answer = fixtures
                .client
                .get(&format!("/api/v1/namespaces/{}", fixtures.namespace))
                .await?;
            if answer.status != 200 {
                return Err(FixtureError::refused(
                    format!("reading namespace {}", fixtures.namespace),
                    &answer,
                ));
            }
        }
        if let Err(e) = fixtures.ensure_service_account().await {
            // Leave nothing behind: the namespace this run made goes with the error.
            // A failure to remove it is secondary to the refusal being reported.
            let _ = fixtures.teardown().await;
            return Err(e);
        }
        Ok(fixtures)
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

    /// Creates a starting pod and returns it as the target stored it.
    pub async fn create_pod(&self, pod: &Value) -> Result<Value, FixtureError> {
        let path = format!("/api/v1/namespaces/{}/pods", self.namespace);
        let answer = self.client.post(&path, pod).await?;
        match (answer.status, answer.json()) {
            (200..=299, Some(created)) => Ok(created),
            _ => Err(FixtureError::refused(
                format!(
                    "creating the starting pod {}",
                    pod["metadata"]["name"].as_str().unwrap_or("?")
                ),
                &answer,
            )),
        }
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

    /// Removes what the run left: its pods by label, then its namespace if it made it.
    pub async fn teardown(&self) -> Result<(), FixtureError> {
        let selector = format!("{}={}", RUN_LABEL, self.run_id);
        let list = self
            .client
            .get(&format!(
                "/api/v1/namespaces/{}/pods?{}",
                self.namespace,
                query_string(&[("labelSelector".into(), selector)])
            ))
            .await?;
        if let Some(items) = list.json().and_then(|v| v["items"].as_array().cloned()) {
            for pod in items {
                let name = pod["metadata"]["name"].as_str().unwrap_or_default();
                let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
                if !name.is_empty() {
                    self.delete_pod(name, uid).await?;
                }
            }
        }
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
        Ok(())
    }
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
    let finalized = answer.json().is_some_and(|pod| {
        pod["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
    });
    if finalized {
        let unblock = Planned {
            method: METHOD,
            path,
            headers: vec![("Content-Type".into(), PatchType::Json.content_type().into())],
            body: json!([
                {"op": "test", "path": "/metadata/uid", "value": uid},
                {"op": "remove", "path": "/metadata/finalizers"},
            ])
            .to_string(),
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

    #[test]
    fn keeps_explicit_scheduling_gates() {
        let manifest = json!({"spec": {"schedulingGates": []}});
        let pod = prepare_pod(&manifest, "p", "ns", "r");
        assert_eq!(pod["spec"]["schedulingGates"], json!([]));
        assert_eq!(pod["kind"], "Pod");
    }
}
