//! Server-side apply of a configuration to the live pod
//! (`fieldmanager.Apply` with `structured-merge-diff`'s `Updater.Apply`):
//! the merge, ownership of what the configuration sets, conflicts with
//! other managers (or `force=true` taking them over), removal of fields the
//! manager stopped applying, and the managed-fields entry written back. It
//! must not default, admit or validate the result.

use serde_json::Value;

use crate::api::status::Status;
use crate::golang::json_pointer::Lookup;
use crate::merge::apply::conflicts::conflict_error;
use crate::merge::apply::last_applied::{
    LAST_APPLIED_MANAGER, last_applied_config, update_last_applied,
};
use crate::merge::apply::managed_fields::{Entry, read_entries, write_entries};
use crate::merge::apply::merge_tree::{is_leaf, merge, remove_path, value_at};
use crate::merge::fieldpath::{self, Elem, Scope};
use crate::schema::POD_TY;

/// Server-side apply of `config` by `manager` onto `live` (the zero pod for
/// a create). Returns the merged object with updated `managedFields`.
pub fn server_side_apply(
    live: &Value,
    config: &Value,
    manager: &str,
    force: bool,
    now: &str,
    scope: Scope,
) -> Result<Value, Status> {
    let applied = fieldpath::applied(config, &POD_TY, scope);
    let mut entries = read_entries(live);
    if entries.is_empty() && live.at("/metadata/uid").is_some() {
        // An object nobody tracks gets a "before-first-apply" manager that
        // owns everything it already has, so the apply can conflict with it.
        let zero = crate::golang::zero::zero(&POD_TY);
        entries.push(Entry {
            manager: "before-first-apply".into(),
            operation: "Update".into(),
            api_version: "v1".into(),
            time: Some(now.to_string()),
            subresource: String::new(),
            set: fieldpath::changed(&zero, live, &POD_TY, Scope::Main, &[]),
        });
    }
    let mut merged = live.clone();
    merge(&mut merged, config, &POD_TY);
    let previous = entries
        .iter()
        .find(|e| e.is(manager, "Apply", scope))
        .map(|e| e.set.clone())
        .unwrap_or_default();
    for path in previous.difference(&applied) {
        let owned_elsewhere = entries
            .iter()
            .any(|e| !e.is(manager, "Apply", scope) && e.set.contains(path));
        if !owned_elsewhere && is_leaf(&previous, path) {
            remove_path(&mut merged, path, &POD_TY);
        }
    }
    // `Updater.update`: another manager's fields that the merged (and
    // pruned) object added or modified are conflicts; a value applied
    // unchanged, or an empty map merged into a live one, is none.
    let changed = fieldpath::changed(live, &merged, &POD_TY, scope, &[]);
    let mut conflicts: Vec<(usize, Vec<Elem>)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if e.is(manager, "Apply", scope) {
            continue;
        }
        conflicts.extend(e.set.intersection(&changed).map(|p| (i, p.clone())));
    }
    // Go lists each manager's conflicts together, in `Set.Iterate` order.
    conflicts.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| fieldpath::iterate_order(&a.1, &b.1))
    });
    if !conflicts.is_empty() && !force {
        // `lastAppliedManager`: kubectl may take over, as if forced, the
        // fields its client-side last-applied annotation still matches.
        let tracked_live = fieldpath::tracked(live, scope);
        let remaining: Vec<(usize, Vec<Elem>)> = match (manager == LAST_APPLIED_MANAGER)
            .then(|| last_applied_config(live))
            .flatten()
        {
            Some(last) => {
                let tracked_last = fieldpath::tracked(&last, scope);
                conflicts
                    .iter()
                    .filter(|(_, path)| {
                        let in_last = value_at(&tracked_last, path, &POD_TY);
                        in_last.is_none() || in_last != value_at(&tracked_live, path, &POD_TY)
                    })
                    .cloned()
                    .collect()
            }
            None => conflicts.clone(),
        };
        if !remaining.is_empty() {
            return Err(conflict_error(&entries, &remaining));
        }
    }
    // With force, the conflicting fields move to this manager; fields the
    // apply removed leave every other manager.
    for (i, path) in &conflicts {
        entries[*i].set.remove(path);
    }
    let removed = fieldpath::changed(&merged, live, &POD_TY, scope, &[]);
    for e in entries.iter_mut() {
        if !e.is(manager, "Apply", scope) {
            e.set.retain(|p| !removed.contains(p));
        }
    }
    // The timestamp moves only when the apply changed the object itself;
    // an entry rewritten by an apply that changed nothing loses its time.
    let object_changed = fieldpath::tracked(live, scope) != fieldpath::tracked(&merged, scope);
    let time = object_changed.then(|| now.to_string());
    match entries.iter_mut().find(|e| e.is(manager, "Apply", scope)) {
        Some(own) => {
            if time.is_some() || own.set != applied {
                own.time = time;
            }
            own.set = applied;
        }
        None => entries.push(Entry {
            manager: manager.to_string(),
            operation: "Apply".into(),
            api_version: "v1".into(),
            time,
            subresource: scope.subresource().to_string(),
            set: applied,
        }),
    }
    write_entries(&mut merged, entries);
    if manager == LAST_APPLIED_MANAGER {
        update_last_applied(&mut merged, config);
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merge::apply::last_applied::LAST_APPLIED;
    use crate::merge::apply::managed_fields::record_update;
    use serde_json::json;

    fn live() -> Value {
        let zero = json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": null}, "status": {}});
        let mut pod = json!({"metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}});
        record_update(&zero, &mut pod, "curl", "2026-01-01T00:00:00Z", Scope::Main);
        pod
    }

    #[test]
    fn empty_map_merges_without_conflict() {
        let before = live();
        let mut owned = before.clone();
        owned["metadata"]["labels"] = json!({"app": "web"});
        record_update(&before, &mut owned, "curl", "t", Scope::Main);
        let config = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "labels": {}}});
        let merged = server_side_apply(&owned, &config, "me", false, "t", Scope::Main)
            .expect("an empty map changes nothing");
        assert_eq!(merged["metadata"]["labels"], json!({"app": "web"}));
    }

    #[test]
    fn null_stays_in_the_merge_and_metadata_is_stripped() {
        let config = json!({"apiVersion": "v1", "kind": "Pod", "metadata": null,
            "spec": {"activeDeadlineSeconds": null}});
        let merged =
            server_side_apply(&live(), &config, "me", false, "t", Scope::Main).expect("applied");
        assert_eq!(merged["spec"]["activeDeadlineSeconds"], Value::Null);
        let mine = &merged["metadata"]["managedFields"][0];
        assert_eq!(mine["manager"], json!("me"));
        assert_eq!(mine["time"], json!("t"));
        assert_eq!(
            mine["fieldsV1"],
            json!({"f:spec": {"f:activeDeadlineSeconds": {}}})
        );
    }

    #[test]
    fn apply_conflicts_with_update_manager() {
        let config = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}});
        let err = server_side_apply(&live(), &config, "me", false, "t", Scope::Main)
            .expect_err("conflict");
        assert_eq!(err.code, 409);
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"curl\" using v1: .spec.containers[name=\"nginx\"].image"
        );
        let forced =
            server_side_apply(&live(), &config, "me", true, "t", Scope::Main).expect("forced");
        assert_eq!(
            forced["spec"]["containers"][0]["image"],
            json!("nginx:1.27")
        );
        let managers: Vec<&str> = forced["metadata"]["managedFields"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["manager"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(managers, vec!["me", "curl"]);
    }

    #[test]
    fn conflicts_follow_set_iteration_and_include_dropped_nodes() {
        // `curl` recorded a lifecycle the server then dropped (a disabled
        // feature gate) and a toleration list.
        let zero = json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": null}, "status": {}});
        let mut pod = json!({"metadata": {"name": "web"}, "spec": {
            "containers": [{"name": "nginx", "image": "nginx", "lifecycle": {"stopSignal": "SIGUSR1"}}],
            "tolerations": [{"key": "a", "operator": "Exists"}]}});
        record_update(&zero, &mut pod, "curl", "2026-01-01T00:00:00Z", Scope::Main);
        pod["spec"]["containers"][0]
            .as_object_mut()
            .map(|c| c.remove("lifecycle"));
        let config = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                "lifecycle": {"stopSignal": "SIGUSR1"}}],
                "tolerations": [{"key": "b", "operator": "Exists"}]}});
        let err =
            server_side_apply(&pod, &config, "me", false, "t", Scope::Main).expect_err("conflict");
        let fields: Vec<&str> = err
            .details
            .as_ref()
            .map(|d| d.causes.iter().map(|c| c.2.as_str()).collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            vec![
                ".spec.tolerations",
                ".spec.containers[name=\"nginx\"].image",
                ".spec.containers[name=\"nginx\"].lifecycle",
                ".spec.containers[name=\"nginx\"].lifecycle.stopSignal",
            ]
        );
    }

    fn with_last_applied(last: &str) -> Value {
        let mut pod = live();
        pod["metadata"]["labels"] = json!({"app": "web"});
        pod["metadata"]["annotations"] = json!({LAST_APPLIED: last});
        let zero = json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": null}, "status": {}});
        record_update(&zero, &mut pod, "curl", "2026-01-01T00:00:00Z", Scope::Main);
        pod
    }

    #[test]
    fn kubectl_takes_over_what_last_applied_matches() {
        let config = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "labels": {"app": "other"}}});
        let matching = with_last_applied(
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"web"}}}"#,
        );
        let merged = server_side_apply(&matching, &config, "kubectl", false, "t", Scope::Main)
            .expect("allowed by last-applied");
        assert_eq!(merged["metadata"]["labels"]["app"], json!("other"));
        assert_eq!(
            merged["metadata"]["annotations"][LAST_APPLIED],
            json!(
                "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"labels\":{\"app\":\"other\"},\"name\":\"web\"}}\n"
            )
        );
        let stale = with_last_applied(
            r#"{"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"old"}}}"#,
        );
        let err = server_side_apply(&stale, &config, "kubectl", false, "t", Scope::Main)
            .expect_err("conflict");
        assert_eq!(err.code, 409);
        let other = server_side_apply(&matching, &config, "kubectl-x", false, "t", Scope::Main);
        assert!(other.is_err());
    }

    #[test]
    fn same_value_is_shared_without_conflict() {
        let config = json!({"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}});
        assert!(server_side_apply(&live(), &config, "me", false, "t", Scope::Main).is_ok());
    }
}
