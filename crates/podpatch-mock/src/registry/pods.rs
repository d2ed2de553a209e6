//! The generic store's steps on pods (`registry/generic/registry/store.go`):
//! `Get`, the end of `Create` (conflict, resourceVersion, write), the
//! resourceVersion precondition of `Update` (`GuaranteedUpdate`), its no-op
//! detection and write, `ShouldDeleteDuringUpdate`, and `Delete` with the
//! pod's `BeforeDelete` (graceful deletion, finalizers). It must not
//! decode, default or validate.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_pointer::Lookup;
use crate::registry::object::{key, meta_field, meta_mut, meta_str, with_type_meta};
use crate::registry::store::{Store, now_rfc3339};

/// `GET` one pod.
pub fn get(store: &Store, ns: &str, name: &str) -> Result<Arc<Value>, Status> {
    store
        .pods
        .get(&key(ns, name))
        .cloned()
        .ok_or_else(|| Status::not_found("pods", name))
}

/// `Store.Create` after validation: the name must be free and the object
/// must not carry a resourceVersion; the write assigns one (not on a dry
/// run). `pod` ends as stored, with its type meta.
pub fn create(store: &mut Store, ns: &str, pod: &mut Value, dry_run: bool) -> Result<(), Status> {
    let name = meta_str(pod, "name").to_string();
    if store.pods.contains_key(&key(ns, &name)) {
        return Err(Status::already_exists("pods", &name));
    }
    let rv = meta_str(pod, "resourceVersion").to_string();
    if !rv.is_empty() {
        return Err(Status::internal_raw(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    *pod = with_type_meta(std::mem::take(pod));
    if !dry_run {
        let rv = store.next_rv();
        if let Some(meta) = meta_mut(pod) {
            meta.insert("resourceVersion".into(), json!(rv));
        }
        store.pods.insert(key(ns, &name), Arc::new(pod.clone()));
    }
    Ok(())
}

/// `GuaranteedUpdate`'s precondition: a resourceVersion in the new object
/// (other than empty or `0`) must parse and equal the stored one.
pub fn check_resource_version(pod: &Value, current: &Value, name: &str) -> Result<(), Status> {
    let current_rv = meta_str(current, "resourceVersion");
    let rv = meta_str(pod, "resourceVersion");
    if !rv.is_empty() && rv != "0" {
        match rv.parse::<u64>() {
            Err(e) => {
                let why = if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
                    "value out of range"
                } else {
                    "invalid syntax"
                };
                return Err(Status::internal_raw(format!(
                    "strconv.ParseUint: parsing {}: {why}",
                    crate::golang::format::go_quote(rv)
                )));
            }
            Ok(_) if rv != current_rv => return Err(Status::stale("pods", name)),
            Ok(_) => {}
        }
    }
    Ok(())
}

/// The end of `Store.Update`: an unchanged object is not written (its
/// resourceVersion stays); an update that removed the last finalizer of a
/// pod being deleted deletes it; anything else is written with a new
/// resourceVersion (not on a dry run). Returns the object to answer with.
pub fn update(
    store: &mut Store,
    ns: &str,
    name: &str,
    pod: Value,
    current: Arc<Value>,
    dry_run: bool,
) -> Arc<Value> {
    let pod = with_type_meta(pod);
    if pod == *current {
        return current;
    }
    let mut pod = pod;
    if deletes_during_update(&pod, &current) {
        // `deleteWithoutFinalizers` answers with the updated object as it
        // stood before the write: its resourceVersion does not move.
        if !dry_run {
            store.pods.remove(&key(ns, name));
        }
        return Arc::new(pod);
    }
    if dry_run {
        return Arc::new(pod);
    }
    let rv = store.next_rv();
    if let Some(meta) = meta_mut(&mut pod) {
        meta.insert("resourceVersion".into(), json!(rv));
    }
    let pod = Arc::new(pod);
    store.pods.insert(key(ns, name), Arc::clone(&pod));
    pod
}

/// Go's `ShouldDeleteDuringUpdate`: the update removed the last finalizer of a
/// pod whose deletion has no grace period left, so the store deletes it instead
/// of writing it.
fn deletes_during_update(new: &Value, old: &Value) -> bool {
    meta_field(new, "finalizers")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
        && meta_field(old, "deletionTimestamp").is_some()
        && meta_field(old, "deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .is_none_or(|g| g == 0)
}

/// `DELETE` one pod: unscheduled pods go away at once, as on a real
/// cluster without kubelets. Pods with finalizers get a deletionTimestamp.
pub fn delete(store: &mut Store, ns: &str, name: &str, dry_run: bool) -> Result<Value, Status> {
    let k = key(ns, name);
    let Some(stored) = store.pods.get(&k) else {
        return Err(Status::not_found("pods", name));
    };
    let pod = Value::clone(stored);
    let has_finalizers = pod
        .at("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if pod.at("/metadata/deletionTimestamp").is_some() {
        return Ok(pod);
    }
    // BeforeDelete: an unscheduled pod gets grace period 0, a deletion
    // timestamp and a generation bump; without finalizers it goes at once.
    let mut pod = pod;
    let generation = pod
        .at("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let rv = if dry_run {
        meta_str(&pod, "resourceVersion").to_string()
    } else {
        store.next_rv()
    };
    if let Some(meta) = meta_mut(&mut pod) {
        meta.insert("deletionTimestamp".into(), json!(now_rfc3339()));
        meta.insert("deletionGracePeriodSeconds".into(), json!(0));
        if generation > 0 {
            meta.insert("generation".into(), json!(generation + 1));
        }
        meta.insert("resourceVersion".into(), json!(rv));
    }
    if dry_run {
        return Ok(pod);
    }
    if has_finalizers {
        store.pods.insert(k, Arc::new(pod.clone()));
    } else {
        store.pods.remove(&k);
    }
    Ok(pod)
}
