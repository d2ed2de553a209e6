//! `metadata.managedFields` as the field manager keeps it
//! (`k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager`,
//! `managedfields/internal`): the entries read from and written back to the
//! object, and the `Update` operation's upkeep (`UpdateManager`: what the
//! update changed is owned by its manager, removed fields leave every set,
//! an undecodable list keeps the live entries). It must not merge or decide
//! conflicts.

use serde_json::{Map, Value, json};

use crate::merge::fieldpath::{self, FieldSet, Scope};
use crate::schema::POD_TY;

use super::unchanged_sets;

/// One `managedFields` entry with its parsed set.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub(super) manager: String,
    pub(super) operation: String,
    pub(super) api_version: String,
    pub(super) time: Option<String>,
    pub(super) subresource: String,
    pub(super) set: FieldSet,
}

impl Entry {
    pub(super) fn is(&self, manager: &str, operation: &str, scope: Scope) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource == scope.subresource()
    }

    /// `printManager`: `"name"` for Apply, `"name" using v1` for Update.
    pub(super) fn printed(&self) -> String {
        let mut s = crate::golang::format::go_quote(&self.manager);
        if !self.subresource.is_empty() {
            s.push_str(&format!(
                " with subresource {}",
                crate::golang::format::go_quote(&self.subresource)
            ));
        }
        if self.operation == "Update" {
            s.push_str(&format!(" using {}", self.api_version));
        }
        s
    }
}

pub(super) fn read_entries(object: &Value) -> Vec<Entry> {
    read_list(list_of(object))
}

/// An object's `metadata.managedFields`, read without parsing a pointer
/// (every write reads it).
fn managed_fields(object: &Value) -> Option<&Value> {
    object
        .get("metadata")
        .and_then(|meta| meta.get("managedFields"))
}

/// An object's `metadata.managedFields` list (empty when it has none).
fn list_of(object: &Value) -> &[Value] {
    managed_fields(object)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn read_list(list: &[Value]) -> Vec<Entry> {
    // Entries are keyed by their manager identifier (an Update's apiVersion
    // left out): a later entry with the same one replaces the earlier.
    let mut entries: Vec<Entry> = Vec::new();
    for e in list {
        let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let entry = Entry {
            manager: s("manager"),
            operation: s("operation"),
            api_version: s("apiVersion"),
            time: e.get("time").and_then(Value::as_str).map(str::to_string),
            subresource: s("subresource"),
            set: e
                .get("fieldsV1")
                .map(fieldpath::from_fields_v1)
                .unwrap_or_default(),
        };
        let same = |x: &Entry| {
            x.manager == entry.manager
                && x.operation == entry.operation
                && x.subresource == entry.subresource
                && (x.operation == "Update" || x.api_version == entry.api_version)
        };
        match entries.iter_mut().find(|x| same(x)) {
            Some(slot) => *slot = entry,
            None => entries.push(entry),
        }
    }
    entries
}

/// Whether `DecodeManagedFields` accepts an entry.
pub(super) fn decodable(entry: &Value) -> bool {
    let s = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    matches!(s("operation"), "Apply" | "Update")
        && !s("apiVersion").is_empty()
        && s("fieldsType") == "FieldsV1"
        && entry
            .get("fieldsV1")
            .filter(|f| !f.is_null())
            .is_none_or(fieldpath::valid_fields_v1)
}

pub(super) fn write_entries(object: &mut Value, entries: Vec<Entry>) {
    put_list(object, render_entries(entries));
}

fn render_entries(mut entries: Vec<Entry>) -> Vec<Value> {
    entries.retain(|e| !e.set.is_empty());
    // sortEncodedManagedFields: Apply before Update, then time, manager.
    entries.sort_by(|a, b| {
        a.operation
            .cmp(&b.operation)
            .then_with(|| a.time.cmp(&b.time))
            .then_with(|| a.manager.cmp(&b.manager))
            .then_with(|| a.api_version.cmp(&b.api_version))
            .then_with(|| a.subresource.cmp(&b.subresource))
    });
    entries
        .into_iter()
        .map(|e| {
            let mut m = Map::new();
            // `manager` and `operation` are omitempty.
            if !e.manager.is_empty() {
                m.insert("manager".into(), json!(e.manager));
            }
            m.insert("operation".into(), json!(e.operation));
            m.insert("apiVersion".into(), json!(e.api_version));
            if let Some(t) = e.time {
                m.insert("time".into(), json!(t));
            }
            m.insert("fieldsType".into(), json!("FieldsV1"));
            m.insert("fieldsV1".into(), fieldpath::to_fields_v1(&e.set));
            if !e.subresource.is_empty() {
                m.insert("subresource".into(), json!(e.subresource));
            }
            Value::Object(m)
        })
        .collect()
}

/// Sets an object's `metadata.managedFields` (removes an empty list).
fn put_list(object: &mut Value, list: Vec<Value>) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if list.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert("managedFields".into(), Value::Array(list));
        }
    }
}

/// Records an `Update` by `manager` that turned `old` into `new`. Fields
/// that no longer exist leave every set; changed fields move to `manager`,
/// whose entry gets a new time only when it gained fields.
pub fn record_update(old: &Value, new: &mut Value, manager: &str, now: &str, scope: Scope) {
    let same = same_members(old, new, scope);
    let changed = fieldpath::changed(old, new, &POD_TY, scope, &same);
    // A client may rewrite managedFields with any non-apply write; an empty
    // list (or a single empty entry) strips them all, while a missing or
    // undecodable one keeps the live entries (`decodeLiveOrNew`).
    let reset = |l: &Vec<Value>| match l.as_slice() {
        [] => true,
        [only] => only.as_object().is_some_and(Map::is_empty),
        _ => false,
    };
    // A subresource write never edits them (`decodeLiveOrNew` takes the live ones).
    let list = match managed_fields(new).and_then(Value::as_array) {
        _ if scope != Scope::Main => list_of(old).to_vec(),
        Some(l) if reset(l) => Vec::new(),
        // The object's own list is not tracked (`changed` skips it): taken,
        // not copied.
        Some(l) if l.iter().all(decodable) => match new
            .get_mut("metadata")
            .and_then(|meta| meta.get_mut("managedFields"))
        {
            Some(Value::Array(l)) => std::mem::take(l),
            _ => Vec::new(),
        },
        _ => list_of(old).to_vec(),
    };
    // Updates of an existing object without managed fields are not tracked
    // (`skipNonAppliedManager`); only an apply starts tracking again.
    if list.is_empty() && old.get("metadata").and_then(|m| m.get("uid")).is_some() {
        if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
        return;
    }
    // Fields that changed or went away leave every manager (the reverse
    // diff holds what the old object had and the new one lacks).
    let removed = fieldpath::changed(new, old, &POD_TY, scope, &same);
    let list = match unchanged_sets::upkeep(list, &changed, &removed, manager, scope, now) {
        Ok(list) => list,
        Err(list) => render_entries(moved_ownership(
            read_list(&list),
            changed,
            &removed,
            manager,
            scope,
            now,
        )),
    };
    put_list(new, list);
}

/// The tracked top-level members `old` and `new` both hold with equal
/// values: they hold no change either way. An update leaves most of a pod
/// (`spec`, `status`) as it was, and comparing such a member costs about as
/// much as walking it, so the two diffs of an update compare them once,
/// here; an untracked one (`status` of a pod write) is not compared at all.
fn same_members<'a>(old: &'a Value, new: &Value, scope: Scope) -> Vec<&'a str> {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => old
            .iter()
            .filter(|(k, v)| !fieldpath::untracked(&[], k, scope) && new.get(k.as_str()) == Some(v))
            .map(|(k, _)| k.as_str())
            .collect(),
        _ => Vec::new(),
    }
}

/// `UpdateManager`'s upkeep on parsed entries: `changed` and `removed`
/// leave every set, then `changed` goes to the entry of `manager` at
/// `scope` (made if missing), which gets the time `now`.
fn moved_ownership(
    mut entries: Vec<Entry>,
    changed: FieldSet,
    removed: &FieldSet,
    manager: &str,
    scope: Scope,
    now: &str,
) -> Vec<Entry> {
    for e in entries.iter_mut() {
        e.set
            .retain(|p| !changed.contains(p) && !removed.contains(p));
    }
    if !changed.is_empty() {
        match entries.iter_mut().find(|e| e.is(manager, "Update", scope)) {
            Some(entry) => {
                entry.set.extend(changed);
                entry.time = Some(now.to_string());
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version: "v1".into(),
                time: Some(now.to_string()),
                subresource: scope.subresource().to_string(),
                set: changed,
            }),
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal members are compared once for both diffs, but only tracked
    /// ones: a pod write never records its status, a status write never
    /// its spec, so comparing those would be wasted.
    #[rstest::rstest]
    #[case::main(Scope::Main, &["metadata", "spec"])]
    #[case::status(Scope::Status, &["metadata", "status"])]
    fn same_members_are_tracked_ones(#[case] scope: Scope, #[case] want: &[&str]) {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": []}, "status": {"phase": "Pending"}});
        assert_eq!(same_members(&pod, &pod.clone(), scope), want);
    }

    #[test]
    fn update_entry_written() {
        let zero = json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": null}, "status": {}});
        let mut pod = json!({"metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}});
        record_update(&zero, &mut pod, "curl", "2026-01-01T00:00:00Z", Scope::Main);
        assert_eq!(
            pod["metadata"]["managedFields"][0]["manager"],
            json!("curl")
        );
        assert_eq!(
            pod["metadata"]["managedFields"][0]["operation"],
            json!("Update")
        );
    }
}
