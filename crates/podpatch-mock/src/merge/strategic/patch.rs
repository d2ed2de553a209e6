//! Strategic merge patch as `k8s.io/apimachinery/pkg/util/strategicpatch`
//! applies it server-side (`StrategicMergeMapPatch` with
//! `MergeParallelList` and `IgnoreUnmatchedNulls` on): `mergeMap`,
//! `mergeSliceHandler`, `mergeSliceWithSpecialElements` and
//! `mergeSliceWithoutSpecialElements` (merge by key), primitive lists, and
//! the `$setElementOrder` merge. It works on JSON values and must not
//! decode, default or validate the result.

use serde_json::{Map, Value};

use super::directives::{
    DELETE_PRIMITIVE, DIRECTIVE, SET_ORDER, apply_retain_keys, check_set_element_order,
    delete_from, remove_directives,
};
use super::errors::{GO_SLICE, SmpError, bad_arg_type, bad_patch_type, go_kind_of, no_merge_key};
use super::lookup::{
    lookup_slice, partition_maps, slice_element_is_map, slice_element_type, struct_field,
};
use super::order::normalize_element_order;
use crate::schema::{List, ListKind, Ty};

/// Applies `patch` to `original`, both JSON objects of type `ty`.
/// Like Go's `mergeMap`, the merge consumes `patch` in place: directive
/// keys and lists merged under `$setElementOrder` are deleted from it, nulls
/// under keys the original lacks are discarded and `$patch` maps inside new
/// values are dropped. patch.go prints the patch map so left in its 422
/// "patch" errors.
pub fn apply(
    original: Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: &'static Ty,
) -> Result<Map<String, Value>, SmpError> {
    merge_map(original, patch, ty, "struct")
}

/// Removes `null` map values recursively (`discardNullValuesFromPatch`;
/// evanphx/json-patch's `pruneNulls` is the same walk).
pub(crate) fn discard_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(discard_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(discard_nulls),
        _ => {}
    }
}

pub(super) fn merge_map(
    mut original: Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: &'static Ty,
    go_kind: &'static str,
) -> Result<Map<String, Value>, SmpError> {
    if let Some(directive) = patch.get(DIRECTIVE).cloned() {
        return match directive.as_str() {
            Some("replace") => {
                patch.remove(DIRECTIVE);
                Ok(patch.clone())
            }
            Some("delete") => Ok(Map::new()),
            _ => Err(bad_patch_type(&directive, patch)),
        };
    }
    apply_retain_keys(&mut original, patch)?;
    apply_set_element_order(&mut original, patch, ty, go_kind)?;
    let keys: Vec<String> = patch.keys().cloned().collect();
    for raw_key in keys {
        let Some(patch_value) = patch.get_mut(&raw_key) else {
            continue;
        };
        let (key, delete_list) = match raw_key.strip_prefix(DELETE_PRIMITIVE) {
            Some(stripped) => (stripped.to_string(), true),
            None => (raw_key, false),
        };
        if patch_value.is_null() {
            original.remove(&key);
            continue;
        }
        let Some(current) = original.get(&key) else {
            if !delete_list {
                discard_nulls(patch_value);
                match remove_directives(patch_value) {
                    Some(v) => original.insert(key, v),
                    None => original.remove(&key),
                };
            }
            continue;
        };
        let member = ty.member(&key).unwrap_or(&Ty::Any);
        let merged = match (current, patch_value) {
            (Value::Object(cur), Value::Object(p)) => Value::Object(merge_map(
                cur.clone(),
                p,
                member,
                go_kind_of(struct_field(ty, &key)),
            )?),
            (Value::Array(cur), Value::Array(p)) => Value::Array(merge_slice_handler(
                cur.clone(),
                p,
                member.as_list(),
                delete_list,
            )?),
            (_, p) => {
                if delete_list {
                    continue;
                }
                discard_nulls(p);
                match remove_directives(p) {
                    Some(p) => p,
                    None => {
                        original.remove(&key);
                        continue;
                    }
                }
            }
        };
        original.insert(key, merged);
    }
    Ok(original)
}

/// `mergeSliceHandler` + `mergeSlice`: a list without the merge strategy
/// takes the patch list, except under `$deleteFromPrimitiveList`, which
/// merges whatever the strategy.
pub(super) fn merge_slice_handler(
    current: Vec<Value>,
    patch: &mut [Value],
    list: Option<&'static List>,
    delete_list: bool,
) -> Result<Vec<Value>, SmpError> {
    let kind = list.map_or(ListKind::Atomic, |l| l.kind);
    if kind == ListKind::Atomic && !delete_list {
        return Ok(patch.to_vec());
    }
    if current.is_empty() && patch.is_empty() {
        return Ok(current);
    }
    slice_element_type(&current, patch)?;
    let maps = current
        .iter()
        .chain(patch.iter())
        .next()
        .is_some_and(Value::is_object);
    match (kind, list) {
        (ListKind::Merge(merge_key), Some(list)) if maps => {
            merge_keyed_list(current, patch, merge_key, &list.item)
        }
        _ if maps => Err(SmpError::Internal(
            "cannot merge lists without merge key for struct".into(),
        )),
        _ => Ok(merge_primitive_list(current, patch.to_vec(), delete_list)),
    }
}

/// Go's `mergePatchIntoOriginal` (with `MergeParallelList`): for each
/// `$setElementOrder/<list>`, both sides must be lists, the field must be a
/// slice (or pointer) of the schema, the patch list must follow the order;
/// then the list is merged (or taken from whichever side has it), split into
/// the items the order names and the others, and each part sorted by Go's
/// `normalizeElementOrder`. The result replaces the field, even when empty.
pub(super) fn apply_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: &'static Ty,
    go_kind: &'static str,
) -> Result<(), SmpError> {
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ORDER))
        .cloned()
        .collect();
    for order_key in order_keys {
        let Some(order) = patch.remove(&order_key) else {
            continue;
        };
        let Value::Array(order) = order else {
            return Err(bad_arg_type(GO_SLICE, &order));
        };
        let field = order_key[SET_ORDER.len()..].to_string();
        let as_list = |v: Option<&Value>| match v {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items.clone())),
            Some(other) => Err(bad_arg_type(GO_SLICE, other)),
        };
        let original_list = as_list(original.get(&field))?;
        let patch_list = as_list(patch.get(&field))?;
        let list = lookup_slice(ty, go_kind, &field)?;
        let merge_key = match list.map(|l| l.kind) {
            Some(ListKind::Merge(key)) => key,
            _ => "",
        };
        check_set_element_order(patch_list.as_deref().unwrap_or(&[]), &order, merge_key)?;
        let merged = match (&original_list, &patch_list) {
            (Some(current), None) => current.clone(),
            (None, Some(p)) => match remove_directives(&mut Value::Array(p.clone())) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            (Some(current), Some(p)) => {
                merge_slice_handler(current.clone(), &mut p.clone(), list, false)?
            }
            (None, None) => continue,
        };
        let (patch_items, server_only) = if merge_key.is_empty() {
            merged.into_iter().partition(|v| order.contains(v))
        } else {
            partition_maps(merged, &order, merge_key)?
        };
        let server_order = original_list.unwrap_or_default();
        let maps = slice_element_is_map(&server_order, patch_list.as_deref().unwrap_or(&[]))?;
        let both = normalize_element_order(
            patch_items,
            server_only,
            &order,
            &server_order,
            merge_key,
            maps,
        )?;
        original.insert(field.clone(), Value::Array(both));
        patch.remove(&field);
    }
    Ok(())
}

/// `mergeSlice` on scalars: a deletion list removes, otherwise both lists
/// are joined without duplicates and ordered like the patch.
pub(super) fn merge_primitive_list(
    original: Vec<Value>,
    patch: Vec<Value>,
    delete_list: bool,
) -> Vec<Value> {
    if delete_list {
        return delete_from(original, &patch);
    }
    let mut both: Vec<Value> = Vec::new();
    for v in original.iter().chain(patch.iter()) {
        if !both.contains(v) {
            both.push(v.clone());
        }
    }
    let (patch_items, server_only) = both.into_iter().partition(|v| patch.contains(v));
    // Scalars need no merge key, so ordering cannot fail.
    normalize_element_order(patch_items, server_only, &patch, &original, "", false)
        .unwrap_or_default()
}

/// `mergeSlice` on maps with a merge key: `$patch` items first
/// (`mergeSliceWithSpecialElements`), then each patch item merges into the
/// original item with its key (consuming the patch item in place, as
/// `mergeMap` does) or is appended, then Go's order. An appended item is the
/// patch's own map in Go, so a later item with the same key merges into the
/// patch too.
pub(super) fn merge_keyed_list(
    mut original: Vec<Value>,
    patch: &mut [Value],
    merge_key: &str,
    item_ty: &'static Ty,
) -> Result<Vec<Value>, SmpError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    slice_element_type(&original, patch)?;
    if !original
        .iter()
        .chain(patch.iter())
        .all(|v| matches!(v, Value::Object(_)))
    {
        // Scalars in a keyed list: Go merges them as a primitive list.
        return Ok(merge_primitive_list(original, patch.to_vec(), false));
    }
    let mut plain: Vec<usize> = Vec::new();
    let mut replace = false;
    for (index, item) in patch.iter().enumerate() {
        let Value::Object(map) = item else { continue };
        match map.get(DIRECTIVE) {
            None => plain.push(index),
            Some(Value::String(d)) if d == "delete" => {
                let Some(key_value) = map.get(merge_key) else {
                    return Err(no_merge_key(map, merge_key));
                };
                original.retain(|o| o.get(merge_key) != Some(key_value));
            }
            Some(Value::String(d)) if d == "replace" => replace = true,
            Some(Value::String(d)) if d == "merge" => {
                return Err(SmpError::Internal(
                    "merging lists cannot yet be specified in the patch".into(),
                ));
            }
            Some(other) => return Err(bad_patch_type(other, map)),
        }
    }
    let patch_order: Vec<Value> = plain.iter().map(|&i| patch[i].clone()).collect();
    if replace {
        return Ok(patch_order);
    }
    let server_order = original.clone();
    // Which patch item each appended original item is.
    let mut appended: Vec<(usize, usize)> = Vec::new();
    for index in plain {
        let Value::Object(item) = &mut patch[index] else {
            continue;
        };
        let Some(key_value) = item.get(merge_key).cloned() else {
            return Err(no_merge_key(item, merge_key));
        };
        let found = original
            .iter()
            .position(|o| o.get(merge_key) == Some(&key_value));
        let Some(at) = found else {
            appended.push((original.len(), index));
            original.push(Value::Object(item.clone()));
            continue;
        };
        let Value::Object(existing) = &mut original[at] else {
            continue;
        };
        let merged = merge_map(std::mem::take(existing), item, item_ty, "struct")?;
        if let Some(&(_, source)) = appended.iter().find(|(o, _)| *o == at) {
            patch[source] = Value::Object(merged.clone());
        }
        original[at] = Value::Object(merged);
    }
    let (patch_items, server_only) = partition_maps(original, &patch_order, merge_key)?;
    normalize_element_order(
        patch_items,
        server_only,
        &patch_order,
        &server_order,
        merge_key,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golang::json_pointer::Lookup;
    use crate::schema::POD_TY;
    use rstest::rstest;
    use serde_json::json;

    fn smp(original: Value, patch: Value) -> Result<Value, SmpError> {
        let (Value::Object(o), Value::Object(p)) = (original, patch) else {
            panic!("objects expected");
        };
        let mut p = p;
        apply(o, &mut p, &POD_TY).map(Value::Object)
    }

    fn base() -> Value {
        json!({"metadata": {"labels": {"a": "1"}, "finalizers": ["x"]},
            "spec": {"containers": [{"name": "web", "image": "nginx", "env": [{"name": "A", "value": "1"}]}],
                     "tolerations": [{"key": "k", "operator": "Exists"}]}})
    }

    #[rstest]
    #[case::label_added(json!({"metadata": {"labels": {"b": "2"}}}), "/metadata/labels", json!({"a": "1", "b": "2"}))]
    #[case::label_deleted(json!({"metadata": {"labels": {"a": null}}}), "/metadata/labels", json!({}))]
    #[case::image_merged_by_name(json!({"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}),
        "/spec/containers", json!([{"name": "web", "image": "nginx:1.27", "env": [{"name": "A", "value": "1"}]}]))]
    #[case::new_container_first(json!({"spec": {"containers": [{"name": "side", "image": "busybox"}]}}),
        "/spec/containers/0/name", json!("side"))]
    #[case::tolerations_replaced(json!({"spec": {"tolerations": [{"key": "n", "operator": "Exists"}]}}),
        "/spec/tolerations", json!([{"key": "n", "operator": "Exists"}]))]
    #[case::finalizers_merged(json!({"metadata": {"finalizers": ["y"]}}), "/metadata/finalizers", json!(["y", "x"]))]
    #[case::finalizer_deleted(json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}), "/metadata/finalizers", json!([]))]
    #[case::element_deleted(json!({"spec": {"containers": [{"name": "web", "$patch": "delete"}]}}), "/spec/containers", json!([]))]
    #[case::list_replaced(json!({"spec": {"containers": [{"name": "x", "image": "y"}, {"$patch": "replace"}]}}),
        "/spec/containers", json!([{"name": "x", "image": "y"}]))]
    #[case::map_replaced(json!({"metadata": {"labels": {"$patch": "replace", "z": "9"}}}), "/metadata/labels", json!({"z": "9"}))]
    #[case::env_merged(json!({"spec": {"containers": [{"name": "web", "env": [{"name": "B", "value": "2"}]}]}}),
        "/spec/containers/0/env", json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]))]
    #[case::set_order(json!({"spec": {"$setElementOrder/containers": [{"name": "web"}, {"name": "side"}],
        "containers": [{"name": "side", "image": "busybox"}]}}), "/spec/containers/1/name", json!("side"))]
    fn merges(#[case] patch: Value, #[case] pointer: &str, #[case] expected: Value) {
        let got = smp(base(), patch).expect("merges");
        assert_eq!(got.at(pointer), Some(&expected), "{got}");
    }

    /// What Go's 422 "patch" error prints: the patch map the merge consumed.
    #[rstest]
    #[case::set_order_consumed(json!({"spec": {"$setElementOrder/containers": [{"name": "web"}],
        "containers": [{"name": "web", "stdin": "true"}]}}), json!({"spec": {}}))]
    #[case::retain_keys_deleted(json!({"spec": {"$retainKeys": ["nodeName"], "nodeName": "n"}}),
        json!({"spec": {"nodeName": "n"}}))]
    #[case::nulls_discarded_where_missing(json!({"spec": {"nodeSelector": {"a": null, "b": "1"}},
        "metadata": {"labels": {"a": null}}}),
        json!({"spec": {"nodeSelector": {"b": "1"}}, "metadata": {"labels": {"a": null}}}))]
    #[case::new_item_takes_later_one(json!({"spec": {"containers": [{"name": "n", "image": "a"},
        {"name": "n", "stdin": true}]}}),
        json!({"spec": {"containers": [{"name": "n", "image": "a", "stdin": true}, {"name": "n", "stdin": true}]}}))]
    fn patch_left_as_go_leaves_it(#[case] patch: Value, #[case] expected: Value) {
        let (Value::Object(o), Value::Object(mut p)) = (base(), patch) else {
            panic!("objects expected");
        };
        apply(o, &mut p, &POD_TY).expect("merges");
        assert_eq!(Value::Object(p), expected);
    }

    #[rstest]
    #[case::unknown_field(json!({"spec": {"$setElementOrder/bogus": []}}),
        "unable to find api field in struct PodSpec for the json field \"bogus\"")]
    #[case::not_a_slice(json!({"spec": {"$setElementOrder/nodeName": []}}),
        "expected slice or array type, but got: struct")]
    #[case::inside_a_map(json!({"metadata": {"labels": {"$setElementOrder/x": []}}}),
        "merging an object in json but data type is not struct, instead is: map")]
    #[case::live_not_a_list(json!({"metadata": {"$setElementOrder/labels": []}}),
        "expected a []interface {}, but received a map[string]interface {}")]
    #[case::patch_list_null(json!({"metadata": {"$setElementOrder/finalizers": [], "finalizers": null}}),
        "expected a []interface {}, but received a %!s(<nil>)")]
    #[case::order_not_maps(json!({"spec": {"$setElementOrder/containers": ["web"]}}),
        "value for key 0 is not a map")]
    #[case::order_without_key(json!({"spec": {"$setElementOrder/containers": [{"image": "x"}]}}),
        "map: map[image:x] does not contain declared merge key: name")]
    #[case::no_elements(json!({"spec": {"$setElementOrder/imagePullSecrets": [], "imagePullSecrets": []}}),
        "no elements in any of the given slices")]
    fn set_element_order_errors(#[case] patch: Value, #[case] message: &str) {
        let err = smp(base(), patch).expect_err("500");
        assert_eq!(err, SmpError::Internal(message.into()));
    }

    #[rstest]
    #[case::empty_order_new_items_drift(json!({"metadata": {"$setElementOrder/finalizers": [], "finalizers": ["c", "d"]}}),
        json!(["x", "d", "c"]))]
    #[case::order_reverses(json!({"metadata": {"$setElementOrder/finalizers": ["y", "x"], "finalizers": ["y"]}}),
        json!(["y", "x"]))]
    #[case::order_alone_keeps_list(json!({"metadata": {"$setElementOrder/finalizers": ["x"]}}),
        json!(["x"]))]
    fn set_element_order_results(#[case] patch: Value, #[case] expected: Value) {
        let got = smp(base(), patch).expect("merges");
        assert_eq!(got.at("/metadata/finalizers"), Some(&expected), "{got}");
    }

    #[test]
    fn missing_merge_key_is_internal_error() {
        let err = smp(
            base(),
            json!({"spec": {"containers": [{"image": "nginx:1.26"}]}}),
        )
        .expect_err("500");
        assert_eq!(
            err,
            SmpError::Internal(
                "map: map[image:nginx:1.26] does not contain declared merge key: name".into()
            )
        );
    }

    #[test]
    fn unknown_directive() {
        let err = smp(base(), json!({"metadata": {"labels": {"$patch": "foo"}}})).expect_err("500");
        assert_eq!(
            err,
            SmpError::Internal("unknown patch type: foo in map: map[$patch:foo]".into())
        );
    }

    #[test]
    fn retain_keys_clears_other_fields() {
        let got = smp(
            json!({"spec": {"volumes": [{"name": "v", "emptyDir": {}}]}}),
            json!({"spec": {"volumes": [{"name": "v", "$retainKeys": ["name", "hostPath"], "hostPath": {"path": "/x"}}]}}),
        )
        .expect("merges");
        assert_eq!(
            got.at("/spec/volumes/0"),
            Some(&json!({"name": "v", "hostPath": {"path": "/x"}}))
        );
    }
}
