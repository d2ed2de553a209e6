//! The oracle: the built-in mock, started beside a run against a real cluster, that
//! answers what upstream Kubernetes (no admission beyond the defaults) would
//! answer: what it stores for a starting pod, and how it answers a case's request
//! on the pod the cluster really stored. A run on a policed cluster judges a
//! difference from the canonical snapshot against it.
//!
//! It talks only to its own in-process mock (never to the target) and decides no
//! verdict: `policed` does.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::OnceCell;

use crate::client::{Answer, Client, Retry};
use crate::observed::Observed;
use crate::request::{Planned, pod_path};
use crate::settle::awaits_scheduler;
use crate::target::Target;
use podpatch_mock::{MockServer, Version};

/// Bound on each request to the in-process mock.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The built-in mock as upstream's stand-in, with the run's namespace; dropping
/// it stops the mock.
#[derive(Debug)]
pub struct Oracle {
    /// Held to keep the mock serving.
    _server: MockServer,
    client: Client,
    namespace: String,
    /// The namespace and its `default` ServiceAccount, made once on first use.
    ready: OnceCell<Result<(), String>>,
}

impl Oracle {
    /// Starts the mock on a free loopback port, answering as Kubernetes
    /// `version`; nothing is created in it yet.
    pub async fn start(namespace: &str, version: Version) -> Result<Oracle, String> {
        let server = MockServer::start_local(version)
            .await
            .map_err(|e| format!("the built-in mock could not start: {e}"))?;
        let target = Target::local_mock(&server).map_err(|e| e.to_string())?;
        let client = Client::new(&target, TIMEOUT, Retry::default()).map_err(|e| e.to_string())?;
        Ok(Oracle {
            _server: server,
            client,
            namespace: namespace.to_owned(),
            ready: OnceCell::new(),
        })
    }

    async fn ready(&self) -> Result<(), String> {
        self.ready
            .get_or_init(|| async {
                let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}});
                self.created("/api/v1/namespaces", &ns).await?;
                let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": self.namespace}});
                let path = format!("/api/v1/namespaces/{}/serviceaccounts", self.namespace);
                self.created(&path, &sa).await.map(|_| ())
            })
            .await
            .clone()
    }

    async fn created(&self, path: &str, body: &Value) -> Result<Value, String> {
        let answer = self
            .client
            .post(path, body)
            .await
            .map_err(|e| e.to_string())?;
        match (answer.status, answer.json()) {
            (200..=201, Some(v)) => Ok(v),
            (409, Some(v)) if path == "/api/v1/namespaces" => Ok(v),
            _ => Err(format!(
                "upstream (the built-in mock) refused it: {} {}",
                answer.status,
                crate::reason::from_body(&answer.body)
            )),
        }
    }

    /// How upstream Kubernetes answers a dry-run create of `pod` (it keeps nothing).
    pub async fn dry_run(&self, pod: &Value) -> Result<Answer, String> {
        self.ready().await?;
        let path = format!("/api/v1/namespaces/{}/pods?dryRun=All", self.namespace);
        self.client
            .post(&path, pod)
            .await
            .map_err(|e| e.to_string())
    }

    /// What upstream Kubernetes stores for the starting pod `pod` (a dry run: the
    /// mock keeps nothing).
    pub async fn would_store(&self, pod: &Value) -> Result<Value, String> {
        self.ready().await?;
        let path = format!("/api/v1/namespaces/{}/pods?dryRun=All", self.namespace);
        self.created(&path, pod).await
    }

    /// What upstream answers to `planned` on `stored`, the pod as the cluster
    /// stored it (none: a request that creates): the pod seeded from it, the
    /// answer, and pod `name` read back when `read_back`. The seed and what the
    /// request made are removed afterwards. `scheduled` is the status conditions
    /// of the cluster's pod once its scheduler acted on what the request made
    /// schedulable: upstream's scheduler would act alike where the request made
    /// upstream's pod schedulable too, so they are recorded there before the read.
    pub async fn answer_on(
        &self,
        stored: Option<&Value>,
        name: &str,
        planned: &Planned,
        read_back: bool,
        scheduled: Option<&Value>,
    ) -> Result<Observed, String> {
        let seeded = match stored {
            Some(pod) => Some(self.seed_pod(pod, name).await?),
            None => None,
        };
        let answer = self.send(planned).await;
        let back = match (&answer, read_back) {
            (Ok(_), true) => {
                let now = self.read(name).await?;
                if let Some(conditions) = scheduled.filter(|_| awaits_scheduler(&now)) {
                    self.set_conditions(name, conditions).await?;
                }
                Some(self.read(name).await?)
            }
            _ => None,
        };
        let made = answer
            .as_ref()
            .ok()
            .filter(|a| a.status == 201)
            .and_then(Answer::json);
        self.remove(seeded.iter().chain(made.iter())).await;
        Ok(Observed::new(seeded, answer?, back))
    }

    /// Pod `name` made upstream from `stored`, the pod as the cluster stored it:
    /// created from it, with the status the cluster's controllers wrote (a
    /// scheduler's condition), who owns which field as the cluster recorded it,
    /// and deleted when the cluster's is being deleted. Returns the pod as
    /// upstream then holds it; `remove` it afterwards.
    pub async fn seed_pod(&self, stored: &Value, name: &str) -> Result<Value, String> {
        self.ready().await?;
        let path = format!("/api/v1/namespaces/{}/pods", self.namespace);
        let mut seeded = self.created(&path, &seed(stored)).await?;
        let merge = |path: String, body: Value| Planned {
            method: "PATCH",
            path,
            headers: vec![("Content-Type".into(), "application/merge-patch+json".into())],
            body: body.to_string().into(),
        };
        let conditions = &stored["status"]["conditions"];
        if conditions.is_array()
            && *conditions != seeded["status"]["conditions"]
            && let Some(v) = self.set_conditions(name, conditions).await?
        {
            seeded = v;
        }
        // Admission's fields are nobody's in the cluster's record: a server keeps
        // managed fields a request sets itself.
        if let Some(fields) = stored["metadata"]["managedFields"].as_array() {
            let body = json!({"metadata": {"managedFields": fields}});
            let answer = self
                .send(&merge(pod_path(&self.namespace, name), body))
                .await?;
            if let Some(v) = answer.json().filter(|_| answer.status == 200) {
                seeded = v;
            }
        }
        // A pod the case started deleting (kept by its finalizer): deleted here too.
        if !stored["metadata"]["deletionTimestamp"].is_null() {
            let options = json!({"kind": "DeleteOptions", "apiVersion": "v1"});
            let answer = self
                .client
                .delete(&pod_path(&self.namespace, name), Some(&options))
                .await
                .map_err(|e| e.to_string())?;
            if let Some(v) = answer.json() {
                seeded = v;
            }
        }
        Ok(seeded)
    }

    /// Writes `conditions` as pod `name`'s status conditions, as a controller
    /// does; the pod as written, if upstream took it.
    async fn set_conditions(
        &self,
        name: &str,
        conditions: &Value,
    ) -> Result<Option<Value>, String> {
        let planned = Planned {
            method: "PATCH",
            path: format!("{}/status", pod_path(&self.namespace, name)),
            headers: vec![("Content-Type".into(), "application/merge-patch+json".into())],
            body: json!({"status": {"conditions": conditions}})
                .to_string()
                .into(),
        };
        let answer = self.send(&planned).await?;
        Ok(answer.json().filter(|_| answer.status == 200))
    }

    /// Sends `planned` to upstream.
    pub async fn send(&self, planned: &Planned) -> Result<Answer, String> {
        self.ready().await?;
        self.client.send(planned).await.map_err(|e| e.to_string())
    }

    /// Pod `name` as upstream holds it now (an error answer as its text).
    pub async fn read(&self, name: &str) -> Result<Value, String> {
        let a = self
            .client
            .get(&pod_path(&self.namespace, name))
            .await
            .map_err(|e| e.to_string())?;
        Ok(a.json().unwrap_or(Value::String(a.body)))
    }

    /// Removes `pods` (seeded, or made by requests) from upstream, finalizers
    /// and all: the mock is ours alone.
    pub async fn remove<'a>(&self, pods: impl Iterator<Item = &'a Value>) {
        for pod in pods {
            if let Some(n) = pod["metadata"]["name"].as_str() {
                let options =
                    json!({"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0});
                let _ = self
                    .client
                    .delete(&pod_path(&self.namespace, n), Some(&options))
                    .await;
                let _ = self
                    .client
                    .send(&Planned {
                        method: "PATCH",
                        path: pod_path(&self.namespace, n),
                        headers: vec![(
                            "Content-Type".into(),
                            "application/merge-patch+json".into(),
                        )],
                        body: r#"{"metadata":{"finalizers":null}}"#.into(),
                    })
                    .await;
            }
        }
    }
}

/// The pod as the cluster stored it, as a create body: what the server sets on
/// create (uid, resourceVersion, timestamps, managed fields, status) left out, so
/// upstream sets its own.
pub fn seed(stored: &Value) -> Value {
    let mut pod = stored.clone();
    if let Some(meta) = pod["metadata"].as_object_mut() {
        for k in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
            "generation",
            "selfLink",
        ] {
            meta.remove(k);
        }
    }
    if let Some(obj) = pod.as_object_mut() {
        obj.remove("status");
    }
    pod
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_leave_out_what_the_server_sets() {
        let stored = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "uid": "u", "resourceVersion": "7", "creationTimestamp": "t", "managedFields": [], "generation": 1, "labels": {"a": "b"}}, "spec": {"containers": []}, "status": {"phase": "Pending"}});
        assert_eq!(
            seed(&stored),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}, "spec": {"containers": []}})
        );
    }

    #[tokio::test]
    async fn answers_as_upstream_on_the_stored_pod() {
        let oracle = Oracle::start("ns", Version::DEFAULT).await.unwrap();
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "ns", "labels": {"injected": "yes"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        let stored = oracle.would_store(&pod).await.unwrap();
        assert_eq!(stored["spec"]["containers"][0]["imagePullPolicy"], "Always");
        let planned = Planned {
            method: "PATCH",
            path: pod_path("ns", "web"),
            headers: vec![("Content-Type".into(), "application/merge-patch+json".into())],
            body: r#"{"metadata":{"labels":{"tier":"db"}}}"#.into(),
        };
        let observed = oracle
            .answer_on(Some(&stored), "web", &planned, true, None)
            .await
            .unwrap();
        assert_eq!(observed.status, 200);
        let stored_back = observed.stored.unwrap();
        assert_eq!(
            stored_back["metadata"]["labels"],
            json!({"injected": "yes", "tier": "db"})
        );
        // The seed is gone again: the same pod can be seeded for the next case.
        assert!(
            oracle
                .answer_on(Some(&stored), "web", &planned, false, None)
                .await
                .is_ok()
        );
    }
}
