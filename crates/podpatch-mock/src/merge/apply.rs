//! `metadata.managedFields` upkeep for `Update` operations and server-side
//! apply: the merge of an applied configuration into the live pod, field
//! ownership, conflicts (409 `FieldManagerConflict` with the messages of
//! `managedfields/internal/conflict.go`), `force=true`, and removal of fields
//! a manager stopped applying.
//!
//! Ownership is tracked with [`crate::merge::fieldpath`] sets. It must not default,
//! admit or validate the result.

use serde_json::{Map, Value, json};

use crate::api::status::{Details, Status};
use crate::golang::format::{go_fmt, go_sharp_v, go_type_of};
use crate::merge::fieldpath::{self, Elem, FieldSet, Scope};
use crate::schema::{ListKind, POD_TY, Ty};

/// One `managedFields` entry with its parsed set.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    manager: String,
    operation: String,
    api_version: String,
    time: Option<String>,
    subresource: String,
    set: FieldSet,
}

impl Entry {
    fn is(&self, manager: &str, operation: &str, scope: Scope) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource == scope.subresource()
    }

    /// `printManager`: `"name"` for Apply, `"name" using v1` for Update.
    fn printed(&self) -> String {
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

fn read_entries(object: &Value) -> Vec<Entry> {
    let Some(list) = object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
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
fn decodable(entry: &Value) -> bool {
    let s = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    matches!(s("operation"), "Apply" | "Update")
        && !s("apiVersion").is_empty()
        && s("fieldsType") == "FieldsV1"
        && entry
            .get("fieldsV1")
            .filter(|f| !f.is_null())
            .is_none_or(fieldpath::valid_fields_v1)
}

fn write_entries(object: &mut Value, mut entries: Vec<Entry>) {
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
    let list: Vec<Value> = entries
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
        .collect();
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
    let changed = fieldpath::changed(old, new, &POD_TY, scope);
    let new_list = new.pointer("/metadata/managedFields");
    // A client may rewrite managedFields with any non-apply write; an empty
    // list (or a single empty entry) strips them all, while a missing or
    // undecodable one keeps the live entries (`decodeLiveOrNew`).
    let reset = |l: &Vec<Value>| match l.as_slice() {
        [] => true,
        [only] => only.as_object().is_some_and(Map::is_empty),
        _ => false,
    };
    // A subresource write never edits them (`decodeLiveOrNew` takes the live ones).
    let mut entries = match new_list.and_then(Value::as_array) {
        _ if scope != Scope::Main => read_entries(old),
        Some(l) if reset(l) => Vec::new(),
        Some(l) if l.iter().all(decodable) => read_entries(new),
        _ => read_entries(old),
    };
    // Updates of an existing object without managed fields are not tracked
    // (`skipNonAppliedManager`); only an apply starts tracking again.
    if entries.is_empty() && old.pointer("/metadata/uid").is_some() {
        if let Some(meta) = new.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("managedFields");
        }
        return;
    }
    // Fields that changed or went away leave every manager (the reverse
    // diff holds what the old object had and the new one lacks).
    let removed = fieldpath::changed(new, old, &POD_TY, scope);
    for e in entries.iter_mut() {
        e.set
            .retain(|p| !changed.contains(p) && !removed.contains(p));
    }
    if !changed.is_empty() {
        match entries.iter_mut().find(|e| e.is(manager, "Update", scope)) {
            Some(own) => {
                own.set.extend(changed);
                own.time = Some(now.to_string());
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
    write_entries(new, entries);
}

fn is_leaf(set: &FieldSet, path: &[Elem]) -> bool {
    !set.iter()
        .any(|p| p.len() > path.len() && p.starts_with(path))
}

/// Merges an applied configuration into the live object.
fn merge(live: &mut Value, config: &Value, ty: &'static Ty) {
    match (live, config) {
        // Atomic structs and maps are replaced whole, like any other leaf.
        (Value::Object(l), Value::Object(c))
            if !matches!(ty, Ty::List(_) | Ty::AtomicMap(_) | Ty::Atomic(_)) =>
        {
            for (k, v) in c {
                let member = ty.member(k).unwrap_or(&Ty::Any);
                if v.is_null() {
                    // A null merged into a live granular map or list keeps
                    // it; otherwise it is a leaf and stays in the merged
                    // object, which then differs from the live one
                    // (`value.Equals`), and typing turns it into the zero
                    // value (unset, or "" in a string map).
                    if !l.get(k).is_some_and(|h| merges_by_item(h, member)) {
                        l.insert(k.clone(), Value::Null);
                    }
                    continue;
                }
                match l.get_mut(k) {
                    Some(existing) => merge(existing, v, member),
                    None => {
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (Value::Array(l), Value::Array(c)) => {
            match ty.as_list().map(|list| (list.ssa_kind(), list)) {
                Some((ListKind::Set, _)) => {
                    *l = merge_items(l, c, &|v| v.clone(), &|live, _| live.clone());
                }
                Some((ListKind::Merge(_), list)) => {
                    let keys = list.ssa_keys;
                    *l = merge_items(l, c, &|v| fieldpath::key_elem(v, keys), &|live, item| {
                        let mut merged = live.clone();
                        merge(&mut merged, item, &list.item);
                        merged
                    });
                }
                _ => *l = c.clone(),
            }
        }
        (live, config) => *live = config.clone(),
    }
}

/// `mergingWalker.doMap`/`doList`: a non-empty live value that is neither
/// atomic nor an atomic list merges with what is applied item by item;
/// anything else is a leaf the applied value replaces.
fn merges_by_item(live: &Value, ty: &'static Ty) -> bool {
    match (live, ty) {
        (_, Ty::Atomic(_) | Ty::AtomicMap(_)) => false,
        (Value::Object(map), _) => !map.is_empty(),
        (Value::Array(items), _) => {
            !items.is_empty()
                && ty
                    .as_list()
                    .is_some_and(|list| list.ssa_kind() != ListKind::Atomic)
        }
        _ => false,
    }
}

/// The merged list in structured-merge-diff's order (`visitListItems`): the
/// applied items keep their own order, and live-only items stay where they
/// were relative to the shared ones.
fn merge_items<K: PartialEq>(
    live: &[Value],
    config: &[Value],
    key: &dyn Fn(&Value) -> K,
    both: &dyn Fn(&Value, &Value) -> Value,
) -> Vec<Value> {
    let (lhs, rhs): (Vec<K>, Vec<K>) = (
        live.iter().map(key).collect(),
        config.iter().map(key).collect(),
    );
    let in_lhs = |k: &K| lhs.iter().position(|x| x == k);
    let in_rhs = |k: &K| rhs.contains(k);
    let mut shared = rhs.iter().filter(|k| in_lhs(k).is_some());
    let mut next = shared.next();
    let mut merged: Vec<&K> = Vec::new();
    let mut out = Vec::new();
    let item = |r: usize| match in_lhs(&rhs[r]) {
        Some(l) => both(&live[l], &config[r]),
        None => config[r].clone(),
    };
    let (mut li, mut ri) = (0, 0);
    while li < lhs.len() || ri < rhs.len() {
        if li < lhs.len() && ri < rhs.len() {
            if lhs[li] == rhs[ri] {
                merged.push(&rhs[ri]);
                out.push(item(ri));
                li += 1;
                ri += 1;
                next = shared.next();
                continue;
            }
            if in_rhs(&lhs[li]) && next.is_some_and(|n| *n != lhs[li]) {
                li += 1;
                continue;
            }
        }
        if li < lhs.len() {
            if !in_rhs(&lhs[li]) {
                out.push(live[li].clone());
                li += 1;
                continue;
            } else if merged.contains(&&lhs[li]) {
                li += 1;
            }
        }
        if ri < rhs.len() {
            merged.push(&rhs[ri]);
            out.push(item(ri));
            if next == Some(&rhs[ri]) {
                next = shared.next();
            }
            ri += 1;
        }
    }
    out
}

fn remove_path(object: &mut Value, path: &[Elem], ty: &'static Ty) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut cur = object;
    let mut ty = ty;
    for elem in parents {
        match elem {
            Elem::Field(name) => {
                let Some(next) = cur.get_mut(name) else {
                    return;
                };
                ty = ty.member(name).unwrap_or(&Ty::Any);
                cur = next;
            }
            Elem::Key(k) => {
                let Some(list) = ty.as_list() else { return };
                let keys = list.ssa_keys;
                let want = Elem::Key(k.clone());
                let Some(next) = cur
                    .as_array_mut()
                    .and_then(|a| a.iter_mut().find(|i| fieldpath::key_elem(i, keys) == want))
                else {
                    return;
                };
                ty = &list.item;
                cur = next;
            }
            Elem::Value(_) => return,
        }
    }
    match last {
        Elem::Field(name) => {
            if let Some(map) = cur.as_object_mut() {
                map.remove(name);
            }
        }
        Elem::Key(k) => {
            if let (Some(list), Some(items)) = (ty.as_list(), cur.as_array_mut()) {
                let keys = list.ssa_keys;
                let want = Elem::Key(k.clone());
                items.retain(|i| fieldpath::key_elem(i, keys) != want);
            }
        }
        Elem::Value(v) => {
            if let Some(items) = cur.as_array_mut() {
                items.retain(|i| serde_json::to_string(i).ok().as_deref() != Some(v));
            }
        }
    }
}

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
    if entries.is_empty() && live.pointer("/metadata/uid").is_some() {
        // An object nobody tracks gets a "before-first-apply" manager that
        // owns everything it already has, so the apply can conflict with it.
        let zero = crate::golang::zero::zero(&POD_TY);
        entries.push(Entry {
            manager: "before-first-apply".into(),
            operation: "Update".into(),
            api_version: "v1".into(),
            time: Some(now.to_string()),
            subresource: String::new(),
            set: fieldpath::changed(&zero, live, &POD_TY, Scope::Main),
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
    let changed = fieldpath::changed(live, &merged, &POD_TY, scope);
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
    let removed = fieldpath::changed(&merged, live, &POD_TY, scope);
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

/// The value at a managed-fields `path` of `object` (keyed list items found
/// by their key, set members by their JSON).
fn value_at<'a>(object: &'a Value, path: &[Elem], ty: &'static Ty) -> Option<&'a Value> {
    let mut cur = object;
    let mut ty = ty;
    for elem in path {
        match elem {
            Elem::Field(name) => {
                cur = cur.get(name)?;
                ty = ty.member(name).unwrap_or(&Ty::Any);
            }
            Elem::Key(k) => {
                let list = ty.as_list()?;
                let keys = list.ssa_keys;
                let want = Elem::Key(k.clone());
                cur = cur
                    .as_array()?
                    .iter()
                    .find(|i| fieldpath::key_elem(i, keys) == want)?;
                ty = &list.item;
            }
            Elem::Value(v) => {
                return cur
                    .as_array()?
                    .iter()
                    .find(|i| serde_json::to_string(i).ok().as_deref() == Some(v));
            }
        }
    }
    Some(cur)
}

/// The field manager whose applies keep kubectl's client-side annotation in
/// step (`lastAppliedUpdater`, `lastAppliedManager`).
const LAST_APPLIED_MANAGER: &str = "kubectl";
/// `corev1.LastAppliedConfigAnnotation`.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// `allowedConflictsFromLastApplied`'s input: the live object's non-empty
/// last-applied annotation, decoded, when it is a `v1` object that converts
/// to a typed Pod; `None` keeps every conflict.
fn last_applied_config(live: &Value) -> Option<Value> {
    let raw = live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())?;
    let last: Value = serde_json::from_str(raw).ok()?;
    let v1 = last.get("apiVersion").and_then(Value::as_str) == Some("v1");
    (last.is_object() && v1 && schema_errors(&last).is_empty()).then_some(last)
}

/// `lastAppliedUpdater.Apply`: when the applied object carries a non-empty
/// last-applied annotation, it is rewritten to the applied configuration
/// (without that annotation) as `unstructured` JSON encodes it; `SetLastApplied`
/// drops it instead when the annotations would then exceed the size limit.
fn update_last_applied(merged: &mut Value, config: &Value) {
    let Some(Value::Object(annotations)) = merged.pointer_mut("/metadata/annotations") else {
        return;
    };
    if annotations
        .get(LAST_APPLIED)
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return;
    }
    let mut applied = config.clone();
    if let Some(Value::Object(own)) = applied.pointer_mut("/metadata/annotations") {
        own.remove(LAST_APPLIED);
    }
    let encoded = crate::golang::json_encode::unstructured_line(&applied);
    annotations.insert(LAST_APPLIED.into(), Value::String(encoded));
    let size: usize = annotations
        .iter()
        .map(|(k, v)| k.len() + v.as_str().map_or(0, str::len))
        .sum();
    if size > crate::validation::objectmeta::TOTAL_ANNOTATION_SIZE {
        annotations.remove(LAST_APPLIED);
    }
}

fn conflict_error(entries: &[Entry], conflicts: &[(usize, Vec<Elem>)]) -> Status {
    let causes = conflicts
        .iter()
        .map(|(i, path)| {
            (
                "FieldManagerConflict".to_string(),
                format!("conflict with {}", entries[*i].printed()),
                fieldpath::render_path(path),
            )
        })
        .collect();
    let message = if let [(i, path)] = conflicts {
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            entries[*i].printed(),
            fieldpath::render_path(path)
        )
    } else {
        let mut managers: Vec<String> = conflicts
            .iter()
            .map(|(i, _)| entries[*i].printed())
            .collect();
        managers.sort();
        managers.dedup();
        let mut lines = Vec::new();
        for m in &managers {
            lines.push(format!("conflicts with {m}:"));
            for (i, path) in conflicts {
                if &entries[*i].printed() == m {
                    lines.push(format!("- {}", fieldpath::render_path(path)));
                }
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    Status {
        code: 409,
        reason: Some("Conflict"),
        message,
        details: Some(Box::new(Details {
            causes,
            ..Details::default()
        })),
    }
}

/// structured-merge-diff's schema validation of an applied configuration:
/// unknown fields and type mismatches, in its wording and path syntax.
pub fn schema_errors(config: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    walk_schema(
        &fieldpath::tracked_for_schema(config),
        &POD_TY,
        &mut Vec::new(),
        &mut errs,
    );
    errs
}

/// `path` holds rendered segments (`.spec`, `[name="web"]`, `[0]`).
fn walk_schema(value: &Value, ty: &'static Ty, path: &mut Vec<String>, errs: &mut Vec<String>) {
    if value.is_null() {
        return;
    }
    // structured-merge-diff prints the offending value three ways: `%#v`
    // for strings, `%T` of the plain value for numbers, `%v` otherwise.
    let sharp_v = || format!("&value.valueUnstructured{{Value:{}}}", go_sharp_v(value));
    let v = || format!("&{{{}}}", go_fmt(value));
    let at = |path: &[String]| path.concat();
    match ty.resolved() {
        Ty::Atomic(inner) => walk_schema(value, inner, path, errs),
        Ty::Any => {}
        Ty::Str | Ty::Time => {
            if !value.is_string() {
                errs.push(format!("{}: expected string, got {}", at(path), sharp_v()));
            }
        }
        Ty::Int | Ty::Int32 => {
            if !value.is_number() {
                errs.push(format!(
                    "{}: expected numeric (int or float), got {}",
                    at(path),
                    go_type_of(value)
                ));
            }
        }
        Ty::Bool => {
            if !value.is_boolean() {
                errs.push(format!("{}: expected boolean, got {}", at(path), v()));
            }
        }
        Ty::Quantity => {
            if !(value.is_string() || value.is_number()) {
                errs.push(format!("{}: expected string, got {}", at(path), sharp_v()));
            }
        }
        Ty::Struct(_) | Ty::Map(_) | Ty::AtomicMap(_) => {
            let Value::Object(map) = value else {
                errs.push(format!("{}: expected map, got {}", at(path), v()));
                return;
            };
            for (k, child) in map {
                path.push(format!(".{k}"));
                match ty.member(k) {
                    Some(member) => walk_schema(child, member, path, errs),
                    None => errs.push(format!("{}: field not declared in schema", at(path))),
                }
                path.pop();
            }
        }
        Ty::List(list) => {
            let Value::Array(items) = value else {
                errs.push(format!("{}: expected list, got {}", at(path), v()));
                return;
            };
            let keys = list.ssa_keys;
            let mut seen = Vec::new();
            for (i, item) in items.iter().enumerate() {
                // `keyedAssociativeListItemToPathElement` and
                // `setItemToPathElement` refuse these items outright.
                let refused = match (list.ssa_kind(), item) {
                    (ListKind::Merge(_), Value::Null) => {
                        Some("associative list with keys may not have a null element")
                    }
                    (ListKind::Set, Value::Object(_)) => {
                        Some("associative list without keys has an element that's a map type")
                    }
                    (ListKind::Set, Value::Array(_)) => {
                        Some("not supported: associative list with lists as elements")
                    }
                    (ListKind::Set, Value::Null) => {
                        Some("associative list without keys has an element that's an explicit null")
                    }
                    _ => None,
                };
                if let Some(why) = refused {
                    errs.push(format!("{}: element {i}: {why}", at(path)));
                    continue;
                }
                let elem = match list.ssa_kind() {
                    ListKind::Merge(_) => Some(fieldpath::key_elem(item, keys)),
                    // A set item is named by its value (`[="a"]`).
                    ListKind::Set => {
                        Some(Elem::Value(serde_json::to_string(item).unwrap_or_default()))
                    }
                    ListKind::Atomic => None,
                };
                let segment = match elem {
                    Some(elem) => {
                        let segment = fieldpath::render_path(std::slice::from_ref(&elem));
                        // Reported on the list, before the item's own errors.
                        if seen.contains(&elem) {
                            errs.push(format!("{}: duplicate entries for key {segment}", at(path)));
                        }
                        seen.push(elem);
                        segment
                    }
                    None => format!("[{i}]"),
                };
                path.push(segment);
                walk_schema(item, &list.item, path, errs);
                path.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Value {
        let zero = json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": null}, "status": {}});
        let mut pod = json!({"metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}]}});
        record_update(&zero, &mut pod, "curl", "2026-01-01T00:00:00Z", Scope::Main);
        pod
    }

    #[test]
    fn update_entry_written() {
        let pod = live();
        assert_eq!(
            pod["metadata"]["managedFields"][0]["manager"],
            json!("curl")
        );
        assert_eq!(
            pod["metadata"]["managedFields"][0]["operation"],
            json!("Update")
        );
    }

    #[rstest::rstest]
    #[case(json!({"finalizers": [null]}), ".metadata.finalizers: element 0: associative list without keys has an element that's an explicit null")]
    #[case(json!({"finalizers": ["a", {"b": 1}]}), ".metadata.finalizers: element 1: associative list without keys has an element that's a map type")]
    #[case(json!({"ownerReferences": [null]}), ".metadata.ownerReferences: element 0: associative list with keys may not have a null element")]
    fn refused_list_items(#[case] metadata: Value, #[case] want: &str) {
        let errs = schema_errors(&json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata}));
        assert_eq!(errs, vec![want.to_string()]);
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

    #[test]
    fn schema_errors_read_like_structured_merge_diff() {
        let errs = schema_errors(&json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "uid": 1234}, "spec": {"foo": 1}}));
        assert_eq!(
            errs,
            vec![
                ".metadata.uid: expected string, got &value.valueUnstructured{Value:1234}"
                    .to_string(),
                ".spec.foo: field not declared in schema".to_string(),
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
