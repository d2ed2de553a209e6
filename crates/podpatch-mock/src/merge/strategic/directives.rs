//! The strategic-merge directives of `strategicpatch/patch.go`: the `$patch`,
//! `$retainKeys`, `$setElementOrder/<list>` and
//! `$deleteFromPrimitiveList/<list>` keys, `applyRetainKeysDirective`,
//! `validatePatchWithSetOrderList`, the removal of directive keys from a
//! result and `deleteFromSlice`. The merge that calls them lives in `patch`.

use serde_json::{Map, Value};

use super::errors::{GO_MAP, SmpError, bad_arg_type, no_merge_key};
use crate::golang::format::go_fmt;

pub(super) const DIRECTIVE: &str = "$patch";

pub(super) const RETAIN_KEYS: &str = "$retainKeys";

pub(super) const SET_ORDER: &str = "$setElementOrder/";

pub(super) const DELETE_PRIMITIVE: &str = "$deleteFromPrimitiveList/";

/// `removeDirectives`: a map carrying `$patch` is dropped altogether, and
/// so are such maps inside lists and maps. `None` means "drop the field".
/// Like Go, it edits maps in place (their `$patch` members deleted, their
/// lists replaced by the filtered copies) but leaves a list itself whole:
/// the returned value is the one to store.
pub(super) fn remove_directives(value: &mut Value) -> Option<Value> {
    if !strip_directives(value) {
        return None;
    }
    Some(match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|item| !is_directive_map(item))
                .cloned()
                .collect(),
        ),
        other => other.clone(),
    })
}

/// The in-place part of `removeDirectives`; false for a map carrying
/// `$patch`, which it leaves as it is.
fn strip_directives(value: &mut Value) -> bool {
    match value {
        Value::Object(map) => {
            if map.contains_key(DIRECTIVE) {
                return false;
            }
            map.retain(|_, child| {
                let keep = strip_directives(child);
                if let Value::Array(items) = child {
                    items.retain(|item| !is_directive_map(item));
                }
                keep
            });
            true
        }
        Value::Array(items) => {
            items.iter_mut().for_each(|item| {
                strip_directives(item);
            });
            true
        }
        _ => true,
    }
}

fn is_directive_map(value: &Value) -> bool {
    value.as_object().is_some_and(|m| m.contains_key(DIRECTIVE))
}

pub(super) fn apply_retain_keys(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
) -> Result<(), SmpError> {
    let Some(retain) = patch.remove(RETAIN_KEYS) else {
        return Ok(());
    };
    let bad = || SmpError::BadRequest("invalid patch format of retainKeys".into());
    let Value::Array(keys) = retain else {
        return Err(bad());
    };
    let keep: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
    for (k, v) in patch.iter() {
        if v.is_null() || k.starts_with(DELETE_PRIMITIVE) || k.starts_with(SET_ORDER) {
            continue;
        }
        if !keep.contains(&k.as_str()) {
            return Err(bad());
        }
    }
    original.retain(|k, _| keep.contains(&k.as_str()));
    Ok(())
}

/// `validatePatchWithSetOrderList`: the patch list (deletions aside) must
/// follow the order list and hold nothing it lacks.
pub(super) fn check_set_element_order(
    patch: &[Value],
    order: &[Value],
    merge_key: &str,
) -> Result<(), SmpError> {
    if patch.is_empty() || order.is_empty() {
        return Ok(());
    }
    let mut items = Vec::new();
    for item in patch {
        if merge_key.is_empty() {
            // Go compares maps without a merge key with `==`, which panics.
            if item.is_object() {
                return Ok(());
            }
            items.push(item);
        } else {
            let Value::Object(map) = item else {
                return Err(bad_arg_type(GO_MAP, item));
            };
            if map.get(DIRECTIVE).and_then(Value::as_str) != Some("delete") {
                items.push(item);
            }
        }
    }
    let key_of = |v: &Value| -> Result<Value, SmpError> {
        if merge_key.is_empty() {
            return Ok(v.clone());
        }
        match v {
            Value::Object(map) => map
                .get(merge_key)
                .cloned()
                .ok_or_else(|| no_merge_key(map, merge_key)),
            other => Err(bad_arg_type(GO_MAP, other)),
        }
    };
    let (mut p, mut o) = (0, 0);
    while p < items.len() && o < order.len() {
        if items[p].get(DIRECTIVE).is_some() {
            p += 1;
            continue;
        }
        if key_of(items[p])? == key_of(&order[o])? {
            p += 1;
        }
        o += 1;
    }
    if p < items.len() {
        return Err(SmpError::Internal(format!(
            "The order in patch list:\n{}\n doesn't match $setElementOrder list:\n{}\n",
            go_fmt(&Value::Array(patch.to_vec())),
            go_fmt(&Value::Array(order.to_vec()))
        )));
    }
    Ok(())
}

pub(super) fn delete_from(list: Vec<Value>, remove: &[Value]) -> Vec<Value> {
    list.into_iter().filter(|v| !remove.contains(v)).collect()
}
