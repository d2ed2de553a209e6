//! The tree operations of server-side apply
//! (`structured-merge-diff`'s `merge.Updater` with the `typed` walkers): an
//! applied configuration merged into the live object by the schema's list
//! kinds (atomic, set, map by keys), a path removed, a value looked up by
//! path, and whether a path is a leaf of a set. It decides no ownership.

use serde_json::Value;

use crate::merge::fieldpath::{self, Elem, FieldSet};
use crate::schema::{ListKind, Ty};

pub(super) fn is_leaf(set: &FieldSet, path: &[Elem]) -> bool {
    !set.iter()
        .any(|p| p.len() > path.len() && p.starts_with(path))
}

/// Merges an applied configuration into the live object.
pub(super) fn merge(live: &mut Value, config: &Value, ty: &'static Ty) {
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

pub(super) fn remove_path(object: &mut Value, path: &[Elem], ty: &'static Ty) {
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

/// The value at a managed-fields `path` of `object` (keyed list items found
/// by their key, set members by their JSON).
pub(super) fn value_at<'a>(object: &'a Value, path: &[Elem], ty: &'static Ty) -> Option<&'a Value> {
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
