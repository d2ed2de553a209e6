//! Strategic merge patch as `k8s.io/apimachinery/pkg/util/strategicpatch`
//! applies it server-side (`MergeParallelList` and `IgnoreUnmatchedNulls`
//! on): maps merge, `null` deletes, lists follow the Pod's Go struct tags
//! from [`crate::schema`] (merge by key, primitive sets, or replace), and the
//! directives `$patch`, `$retainKeys`, `$setElementOrder/<list>` and
//! `$deleteFromPrimitiveList/<list>`. The element order of merged lists
//! follows Go's `normalizeElementOrder`, so new elements land first.
//!
//! Errors carry the Go texts and the HTTP class `patch.go` maps them to. It
//! works on JSON values and must not decode, default or validate the result.

use serde_json::{Map, Value};

use crate::golang::format::{go_fmt, go_fmt_s, go_quote, go_type_of};
use crate::schema::{Field, List, ListKind, Presence, Ty};

/// A strategic-merge failure, classified like `interpretStrategicMergePatchError`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmpError {
    /// 400 BadRequest with this message.
    #[error("{0}")]
    BadRequest(String),
    /// 422 with the generic "rejected our request" message.
    #[error("generic invalid")]
    Invalid,
    /// 500 raw error with this message.
    #[error("{0}")]
    Internal(String),
}

const DIRECTIVE: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ORDER: &str = "$setElementOrder/";
const DELETE_PRIMITIVE: &str = "$deleteFromPrimitiveList/";

/// Applies `patch` to `original`, both JSON objects of type `ty`.
pub fn apply(
    original: Map<String, Value>,
    patch: Map<String, Value>,
    ty: &'static Ty,
) -> Result<Map<String, Value>, SmpError> {
    merge_map(original, patch, ty, "struct")
}

fn bad_patch_type(directive: &Value, map: &Map<String, Value>) -> SmpError {
    SmpError::Internal(format!(
        "unknown patch type: {} in map: {}",
        go_fmt_s(directive),
        go_fmt(&Value::Object(map.clone()))
    ))
}

fn no_merge_key(map: &Map<String, Value>, key: &str) -> SmpError {
    SmpError::Internal(format!(
        "map: {} does not contain declared merge key: {key}",
        go_fmt(&Value::Object(map.clone()))
    ))
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

/// Go's `reflect.Kind` name of the schema a map is merged under: `struct`
/// for structs held by value (and list items), `ptr` for pointer fields.
/// Only the "expected slice or array type" error shows it.
fn go_kind_of(field: Option<&'static Field>) -> &'static str {
    match field {
        Some(f) if f.presence == Presence::Ptr => "ptr",
        Some(f) if matches!(f.ty.resolved(), Ty::Map(_) | Ty::AtomicMap(_)) => "map",
        _ => "struct",
    }
}

/// The struct field `key` of `ty`, matched like `encoding/json` (exact
/// name first, else ASCII case-insensitively).
fn struct_field(ty: &'static Ty, key: &str) -> Option<&'static Field> {
    let Ty::Struct(s) = ty.resolved() else {
        return None;
    };
    s.field(key)
        .or_else(|| s.fields.iter().find(|f| f.name.eq_ignore_ascii_case(key)))
}

/// `PatchMetaFromStruct.LookupPatchMetadataForSlice` for the field `key` of
/// a value of type `ty` reached as a Go `go_kind`: unknown fields and
/// fields that are neither slices nor pointers are errors (500). `Ok(None)`
/// for unmodelled sub-trees and pointers to non-slices (no patch strategy).
fn lookup_slice(
    ty: &'static Ty,
    go_kind: &'static str,
    key: &str,
) -> Result<Option<&'static List>, SmpError> {
    match ty.resolved() {
        Ty::Struct(s) => match struct_field(ty, key) {
            None => Err(SmpError::Internal(format!(
                "unable to find api field in struct {} for the json field {}",
                s.name,
                go_quote(key)
            ))),
            Some(f) => match f.ty.as_list() {
                Some(list) => Ok(Some(list)),
                None if f.presence == Presence::Ptr => Ok(None),
                None => Err(SmpError::Internal(format!(
                    "expected slice or array type, but got: {go_kind}"
                ))),
            },
        },
        Ty::Map(_) | Ty::AtomicMap(_) => Err(SmpError::Internal(
            "merging an object in json but data type is not struct, instead is: map".into(),
        )),
        _ => Ok(None),
    }
}

/// `mergepatch.ErrBadArgType`: a failed Go type assertion.
fn bad_arg_type(expected: &str, actual: &Value) -> SmpError {
    SmpError::Internal(format!(
        "expected a {expected}, but received a {}",
        go_type(actual)
    ))
}

const GO_SLICE: &str = "[]interface {}";
const GO_MAP: &str = "map[string]interface {}";

fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    ty: &'static Ty,
    go_kind: &'static str,
) -> Result<Map<String, Value>, SmpError> {
    if let Some(directive) = patch.get(DIRECTIVE).cloned() {
        return match directive.as_str() {
            Some("replace") => {
                patch.remove(DIRECTIVE);
                Ok(patch)
            }
            Some("delete") => Ok(Map::new()),
            _ => Err(bad_patch_type(&directive, &patch)),
        };
    }
    apply_retain_keys(&mut original, &mut patch)?;
    apply_set_element_order(&mut original, &mut patch, ty, go_kind)?;
    for (key, patch_value) in patch {
        let (key, delete_list) = match key.strip_prefix(DELETE_PRIMITIVE) {
            Some(stripped) => (stripped.to_string(), true),
            None => (key, false),
        };
        if patch_value.is_null() {
            original.remove(&key);
            continue;
        }
        let Some(current) = original.get(&key) else {
            if !delete_list {
                let mut v = patch_value;
                discard_nulls(&mut v);
                match remove_directives(v) {
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
                let mut p = p;
                discard_nulls(&mut p);
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
fn merge_slice_handler(
    current: Vec<Value>,
    patch: Vec<Value>,
    list: Option<&'static List>,
    delete_list: bool,
) -> Result<Vec<Value>, SmpError> {
    let kind = list.map_or(ListKind::Atomic, |l| l.kind);
    if kind == ListKind::Atomic && !delete_list {
        return Ok(patch);
    }
    if current.is_empty() && patch.is_empty() {
        return Ok(current);
    }
    slice_element_type(&current, &patch)?;
    let maps = current
        .iter()
        .chain(&patch)
        .next()
        .is_some_and(Value::is_object);
    match (kind, list) {
        (ListKind::Merge(merge_key), Some(list)) if maps => {
            merge_keyed_list(current, patch, merge_key, &list.item)
        }
        _ if maps => Err(SmpError::Internal(
            "cannot merge lists without merge key for struct".into(),
        )),
        _ => Ok(merge_primitive_list(current, patch, delete_list)),
    }
}

fn apply_retain_keys(
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

/// Go's `mergePatchIntoOriginal` (with `MergeParallelList`): for each
/// `$setElementOrder/<list>`, both sides must be lists, the field must be a
/// slice (or pointer) of the schema, the patch list must follow the order;
/// then the list is merged (or taken from whichever side has it), split into
/// the items the order names and the others, and each part sorted by Go's
/// `normalizeElementOrder`. The result replaces the field, even when empty.
fn apply_set_element_order(
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
            (None, Some(p)) => match remove_directives(Value::Array(p.clone())) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            (Some(current), Some(p)) => {
                merge_slice_handler(current.clone(), p.clone(), list, false)?
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

/// `validatePatchWithSetOrderList`: the patch list (deletions aside) must
/// follow the order list and hold nothing it lacks.
fn check_set_element_order(
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

/// `removeDirectives`: a map carrying `$patch` is dropped altogether, and
/// so are such maps inside lists and maps. `None` means "drop the field".
fn remove_directives(value: Value) -> Option<Value> {
    match value {
        Value::Object(map) => {
            if map.contains_key(DIRECTIVE) {
                return None;
            }
            Some(Value::Object(
                map.into_iter()
                    .filter_map(|(k, v)| remove_directives(v).map(|v| (k, v)))
                    .collect(),
            ))
        }
        Value::Array(items) => Some(Value::Array(
            items.into_iter().filter_map(remove_directives).collect(),
        )),
        other => Some(other),
    }
}

/// Go's `%s` of `reflect.TypeOf` for a decoded JSON value (`nil` has no type).
fn go_type(value: &Value) -> &'static str {
    if value.is_null() {
        "%!s(<nil>)"
    } else {
        go_type_of(value)
    }
}

/// `sliceElementType`: all elements of both lists must share one Go type,
/// and the first may not be a list.
fn slice_element_type(original: &[Value], patch: &[Value]) -> Result<(), SmpError> {
    let mut previous: Option<&'static str> = None;
    for v in original.iter().chain(patch.iter()) {
        let t = go_type(v);
        match previous {
            None => {
                if v.is_array() {
                    return Err(SmpError::Invalid);
                }
                previous = Some(t);
            }
            Some(p) if p != t => {
                return Err(SmpError::Internal(format!(
                    "list element types are not identical: {}",
                    go_fmt(&Value::Array(vec![
                        Value::Array(original.to_vec()),
                        Value::Array(patch.to_vec()),
                    ]))
                )));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn delete_from(list: Vec<Value>, remove: &[Value]) -> Vec<Value> {
    list.into_iter().filter(|v| !remove.contains(v)).collect()
}

/// `mergeSlice` on scalars: a deletion list removes, otherwise both lists
/// are joined without duplicates and ordered like the patch.
fn merge_primitive_list(original: Vec<Value>, patch: Vec<Value>, delete_list: bool) -> Vec<Value> {
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

/// `sliceElementType` for `$setElementOrder`: whether the elements are
/// maps; an error when neither list has any.
fn slice_element_is_map(original: &[Value], patch: &[Value]) -> Result<bool, SmpError> {
    slice_element_type(original, patch)?;
    match original.iter().chain(patch).next() {
        Some(first) => Ok(first.is_object()),
        None => Err(SmpError::Internal(
            "no elements in any of the given slices".into(),
        )),
    }
}

/// `findMapInSliceBasedOnKeyValue`: whether `list` holds a map whose
/// `key` equals `value`; every map before the match must be a map.
fn find_map_by_key(list: &[Value], key: &str, value: &Value) -> Result<bool, SmpError> {
    for (i, item) in list.iter().enumerate() {
        let Value::Object(map) = item else {
            return Err(SmpError::Internal(format!(
                "value for key {i} is not a map"
            )));
        };
        if map.get(key) == Some(value) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// `partitionMapsByPresentInList`: the merged maps the order names, and
/// the others.
fn partition_maps(
    merged: Vec<Value>,
    order: &[Value],
    key: &str,
) -> Result<(Vec<Value>, Vec<Value>), SmpError> {
    let (mut named, mut others) = (Vec::new(), Vec::new());
    for item in merged {
        let Value::Object(map) = &item else {
            return Err(bad_arg_type(GO_MAP, &item));
        };
        let Some(value) = map.get(key) else {
            return Err(no_merge_key(map, key));
        };
        if find_map_by_key(order, key, value)? {
            named.push(item);
        } else {
            others.push(item);
        }
    }
    Ok((named, others))
}

/// Go's `index`: the position of `item` in `list`, comparing merge-key
/// values for maps (a missing key or a non-map is Go's `nil`, equal to
/// another `nil`) and whole values otherwise.
fn go_index(list: &[Value], item: &Value, key: &str, maps: bool) -> Option<usize> {
    let val = |v: &'_ Value| -> Option<Value> {
        if maps {
            v.as_object().and_then(|m| m.get(key)).cloned()
        } else {
            Some(v.clone())
        }
    };
    let wanted = val(item);
    list.iter().position(|v| val(v) == wanted)
}

/// Go's `normalizeSliceOrder`: maps must all carry the merge key (order
/// entries too), `$patch: delete` items go last, and the rest is sorted by
/// `sort.SliceStable` with Go's comparator, which calls any pair "less"
/// when either item is missing from `order` (so such items drift forward).
fn normalize_slice_order(
    to_sort: Vec<Value>,
    order: &[Value],
    key: &str,
    maps: bool,
) -> Result<Vec<Value>, SmpError> {
    let (mut to_sort, mut to_delete) = (to_sort, Vec::new());
    if maps {
        for item in to_sort.iter().chain(order) {
            let Value::Object(map) = item else {
                return Err(bad_arg_type(GO_MAP, item));
            };
            if !map.contains_key(key) {
                return Err(no_merge_key(map, key));
            }
        }
        (to_delete, to_sort) = to_sort
            .into_iter()
            .partition(|v| v.get(DIRECTIVE).and_then(Value::as_str) == Some("delete"));
    }
    go_slice_stable(&mut to_sort, |a, b| {
        match (go_index(order, a, key, maps), go_index(order, b, key, maps)) {
            (Some(i), Some(j)) => i < j,
            _ => true,
        }
    });
    to_sort.extend(to_delete);
    Ok(to_sort)
}

/// Go's `normalizeElementOrder`: the patch items sorted by `patch_order`,
/// the server-only items by `server_order`, then interleaved by
/// `mergeSortedSlice`: a server-only item goes first only when both are in
/// `server_order` and it comes earlier there, so brand-new items lead.
fn normalize_element_order(
    patch_items: Vec<Value>,
    server_only: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: &str,
    maps: bool,
) -> Result<Vec<Value>, SmpError> {
    let right = normalize_slice_order(patch_items, patch_order, key, maps)?;
    let left = normalize_slice_order(server_only, server_order, key, maps)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut left, mut right) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        let take_left = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some(l), Some(r)) => matches!(
                (go_index(server_order, l, key, maps), go_index(server_order, r, key, maps)),
                (Some(li), Some(ri)) if li < ri
            ),
        };
        out.extend(if take_left { left.next() } else { right.next() });
    }
    Ok(out)
}

/// Go's `sort.SliceStable` (`stable_func`): insertion sort on blocks of 20,
/// then `symMerge`. Reproduced step for step because Go's SMP comparators
/// are not strict orders, so the result depends on the algorithm.
fn go_slice_stable<T>(data: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let n = data.len();
    let insertion = |data: &mut [T], a: usize, b: usize| {
        for i in a + 1..b {
            let mut j = i;
            while j > a && less(&data[j], &data[j - 1]) {
                data.swap(j, j - 1);
                j -= 1;
            }
        }
    };
    let mut block = 20;
    let (mut a, mut b) = (0, block);
    while b <= n {
        insertion(data, a, b);
        a = b;
        b += block;
    }
    insertion(data, a, n);
    while block < n {
        let (mut a, mut b) = (0, 2 * block);
        while b <= n {
            sym_merge(data, a, a + block, b, &less);
            a = b;
            b += 2 * block;
        }
        let m = a + block;
        if m < n {
            sym_merge(data, a, m, n, &less);
        }
        block *= 2;
    }
}

/// Go's `symMerge_func`: merges the sorted runs `data[a..m]` and `data[m..b]`.
fn sym_merge<T>(data: &mut [T], a: usize, m: usize, b: usize, less: &impl Fn(&T, &T) -> bool) {
    if m - a == 1 {
        let (mut i, mut j) = (m, b);
        while i < j {
            let h = (i + j) / 2;
            if less(&data[h], &data[a]) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        for k in a..i.saturating_sub(1) {
            data.swap(k, k + 1);
        }
        return;
    }
    if b - m == 1 {
        let (mut i, mut j) = (a, m);
        while i < j {
            let h = (i + j) / 2;
            if !less(&data[m], &data[h]) {
                i = h + 1;
            } else {
                j = h;
            }
        }
        let mut k = m;
        while k > i {
            data.swap(k, k - 1);
            k -= 1;
        }
        return;
    }
    let mid = (a + b) / 2;
    let n = mid + m;
    let (mut start, mut r) = if m > mid { (n - b, mid) } else { (a, m) };
    let p = n - 1;
    while start < r {
        let c = (start + r) / 2;
        if !less(&data[p - c], &data[c]) {
            start = c + 1;
        } else {
            r = c;
        }
    }
    let end = n - start;
    if start < m && m < end {
        data[start..end].rotate_left(m - start);
    }
    if a < start && start < mid {
        sym_merge(data, a, start, mid, less);
    }
    if mid < end && end < b {
        sym_merge(data, mid, end, b, less);
    }
}

/// `mergeSlice` on maps with a merge key: `$patch` items first
/// (`mergeSliceWithSpecialElements`), then each patch item merges into the
/// original item with its key or is appended, then Go's order.
fn merge_keyed_list(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &str,
    item_ty: &'static Ty,
) -> Result<Vec<Value>, SmpError> {
    if original.is_empty() && patch.is_empty() {
        return Ok(original);
    }
    slice_element_type(&original, &patch)?;
    if !original
        .iter()
        .chain(patch.iter())
        .all(|v| matches!(v, Value::Object(_)))
    {
        // Scalars in a keyed list: Go merges them as a primitive list.
        return Ok(merge_primitive_list(original, patch, false));
    }
    let mut plain: Vec<Map<String, Value>> = Vec::new();
    let mut replace = false;
    for item in patch {
        let Value::Object(map) = item else { continue };
        match map.get(DIRECTIVE).cloned() {
            None => plain.push(map),
            Some(Value::String(d)) if d == "delete" => {
                let Some(key_value) = map.get(merge_key) else {
                    return Err(no_merge_key(&map, merge_key));
                };
                original.retain(|o| o.get(merge_key) != Some(key_value));
            }
            Some(Value::String(d)) if d == "replace" => replace = true,
            Some(Value::String(d)) if d == "merge" => {
                return Err(SmpError::Internal(
                    "merging lists cannot yet be specified in the patch".into(),
                ));
            }
            Some(other) => return Err(bad_patch_type(&other, &map)),
        }
    }
    let patch_order: Vec<Value> = plain.iter().cloned().map(Value::Object).collect();
    if replace {
        return Ok(patch_order);
    }
    let server_order = original.clone();
    for item in plain {
        let Some(key_value) = item.get(merge_key).cloned() else {
            return Err(no_merge_key(&item, merge_key));
        };
        match original
            .iter_mut()
            .find(|o| o.get(merge_key) == Some(&key_value))
        {
            Some(Value::Object(existing)) => {
                let merged = merge_map(std::mem::take(existing), item, item_ty, "struct")?;
                *existing = merged;
            }
            _ => original.push(Value::Object(item)),
        }
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
    use crate::schema::POD_TY;
    use rstest::rstest;
    use serde_json::json;

    fn smp(original: Value, patch: Value) -> Result<Value, SmpError> {
        let (Value::Object(o), Value::Object(p)) = (original, patch) else {
            panic!("objects expected");
        };
        apply(o, p, &POD_TY).map(Value::Object)
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
        assert_eq!(got.pointer(pointer), Some(&expected), "{got}");
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
        assert_eq!(
            got.pointer("/metadata/finalizers"),
            Some(&expected),
            "{got}"
        );
    }

    #[rstest]
    #[case::consistent(vec![3, 1, 2], vec![1, 2, 3])]
    #[case::long_runs_merged((0..45).rev().collect(), (0..45).collect())]
    fn go_stable_sorts(#[case] mut items: Vec<i32>, #[case] expected: Vec<i32>) {
        go_slice_stable(&mut items, |a, b| a < b);
        assert_eq!(items, expected);
    }

    #[test]
    fn go_stable_with_always_less_moves_each_item_first() {
        // Go's insertion sort with a comparator that is always true reverses.
        let mut items = vec![1, 2, 3, 4];
        go_slice_stable(&mut items, |_, _| true);
        assert_eq!(items, vec![4, 3, 2, 1]);
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
            got.pointer("/spec/volumes/0"),
            Some(&json!({"name": "v", "hostPath": {"path": "/x"}}))
        );
    }
}
