//! In-memory storage: namespaces, service accounts and pods as canonical JSON
//! values, and the global resourceVersion counter that moves on every write
//! (as etcd's revision does); the mock's stand-in for
//! `storage/etcd3/store.go` under `registry/generic/registry/store.go`.
//!
//! Deleting a namespace removes it and its objects at once; a real cluster
//! would mark it `Terminating` and let the namespace controller empty it.
//! The store holds data; it must not validate or default objects.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

/// Key of a namespaced object: (namespace, name).
pub type Key = (String, String);

/// All objects the mock holds.
#[derive(Debug, Default)]
pub struct Store {
    revision: u64,
    /// Namespaces by name.
    pub namespaces: BTreeMap<String, Value>,
    /// Service accounts by (namespace, name).
    pub service_accounts: BTreeMap<Key, Value>,
    /// Pods by (namespace, name). Shared, never changed in place: a
    /// request reads a pod without copying it (a pod can be megabytes) and
    /// a write replaces the entry, so an unchanged entry is still the same
    /// allocation ([`Arc::ptr_eq`]).
    pub pods: BTreeMap<Key, Arc<Value>>,
}

/// The store shared by request handlers. A plain mutex: no handler holds it
/// across an `.await`.
#[derive(Debug, Clone, Default)]
pub struct Shared(Arc<Mutex<Store>>);

impl Shared {
    /// A store in the state of a freshly booted cluster.
    pub fn booted() -> Self {
        Self(Arc::new(Mutex::new(Store::booted())))
    }

    /// Locks the store. A poisoned lock only means another handler panicked
    /// mid-request; the data is still consistent enough for a mock.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Current time as RFC 3339 with second precision, UTC (`metav1.Time`).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

impl Store {
    /// Boot state: the namespaces kube-apiserver creates itself, plus the
    /// `default` ServiceAccount of `default` (kube-controller-manager's job
    /// on a real cluster).
    pub fn booted() -> Self {
        let mut store = Store::default();
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let value = store.new_namespace(ns, "kube-apiserver");
            store.namespaces.insert(ns.to_string(), value);
        }
        let sa = store.new_service_account("default", "default");
        store
            .service_accounts
            .insert(("default".into(), "default".into()), sa);
        store
    }

    /// Takes the next resourceVersion.
    pub fn next_rv(&mut self) -> String {
        self.revision += 1;
        self.revision.to_string()
    }

    /// The latest resourceVersion handed out (for lists).
    pub fn current_rv(&self) -> String {
        self.revision.to_string()
    }

    /// A new Namespace object as the server stores it after create.
    pub fn new_namespace(&mut self, name: &str, manager: &str) -> Value {
        let now = now_rfc3339();
        json!({
            "kind": "Namespace",
            "apiVersion": "v1",
            "metadata": {
                "name": name,
                "uid": uuid::Uuid::new_v4().to_string(),
                "resourceVersion": self.next_rv(),
                "creationTimestamp": now,
                "labels": {"kubernetes.io/metadata.name": name},
                "managedFields": [{
                    "manager": manager,
                    "operation": "Update",
                    "apiVersion": "v1",
                    "time": now,
                    "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}},
                }],
            },
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        })
    }

    /// A new ServiceAccount object as the server stores it after create. A
    /// bare `{"metadata":{"name":…}}` sets no tracked field, so it has no
    /// managedFields entry.
    pub fn new_service_account(&mut self, namespace: &str, name: &str) -> Value {
        let now = now_rfc3339();
        json!({
            "kind": "ServiceAccount",
            "apiVersion": "v1",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "uid": uuid::Uuid::new_v4().to_string(),
                "resourceVersion": self.next_rv(),
                "creationTimestamp": now,
            },
        })
    }

    /// Removes a namespace with everything in it. Returns the removed object.
    pub fn delete_namespace(&mut self, name: &str) -> Option<Value> {
        let removed = self.namespaces.remove(name)?;
        self.pods.retain(|(ns, _), _| ns != name);
        self.service_accounts.retain(|(ns, _), _| ns != name);
        self.next_rv();
        Some(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_has_default_namespace_and_service_account() {
        let store = Store::booted();
        assert!(store.namespaces.contains_key("default"));
        assert!(
            store
                .service_accounts
                .contains_key(&("default".to_string(), "default".to_string()))
        );
    }

    #[test]
    fn resource_version_moves() {
        let mut store = Store::default();
        let a: u64 = store.next_rv().parse().expect("numeric");
        let b: u64 = store.next_rv().parse().expect("numeric");
        assert!(b > a);
    }
}
