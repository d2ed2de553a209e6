//! Strategic merge patch as `k8s.io/apimachinery/pkg/util/strategicpatch`
//! applies it server-side (`MergeParallelList` and `IgnoreUnmatchedNulls`
//! on): maps merge, `null` deletes, lists follow the Pod's Go struct tags
//! from [`super::schema`] (merge by key, primitive sets, or replace), and the
//! directives `$patch`, `$retainKeys`, `$setElementOrder/<list>` and
//! `$deleteFromPrimitiveList/<list>`. The element order of merged lists
//! follows Go's `normalizeElementOrder`, so new elements land first.
//!
//! Errors carry the Go texts and the HTTP class `patch.go` maps them to. It
//! works on JSON values and must not decode, default or validate the result.

use serde_json::{Map, Value};

use super::schema::{ListKind, Ty};

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
    merge_map(original, patch, ty)
}

/// Go's `fmt` `%v` rendering of a decoded JSON value, used in error texts.
pub fn go_fmt(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_fmt).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_fmt(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
}

/// A number as apimachinery's JSON decoding leaves it in a map (`int64`
/// when the text parses as one, else `float64`), printed by `%v`.
fn go_number(n: &serde_json::Number) -> String {
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => i.to_string(),
        (None, Some(f)) => super::field::go_float(f),
        (None, None) => n.to_string(),
    }
}

/// Go's `%s` of a decoded JSON value: strings bare, other scalars as
/// `%!s(type=value)` (integers decode as int64).
fn go_fmt_s(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "%!s(<nil>)".into(),
        Value::Bool(b) => format!("%!s(bool={b})"),
        Value::Number(n) if n.as_i64().is_none() => format!("%!s(float64={})", go_number(n)),
        Value::Number(n) => format!("%!s(int64={n})"),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_fmt_s).collect();
            format!("[{}]", parts.join(" "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}:{}", go_fmt_s(v)))
                .collect();
            format!("map[{}]", parts.join(" "))
        }
    }
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

/// Removes `null` map values recursively (`discardNullValuesFromPatch`).
fn discard_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(discard_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(discard_nulls),
        _ => {}
    }
}

fn merge_map(
    mut original: Map<String, Value>,
    mut patch: Map<String, Value>,
    ty: &'static Ty,
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
    apply_set_element_order(&mut original, &mut patch, ty)?;
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
            (Value::Object(cur), Value::Object(p)) => {
                Value::Object(merge_map(cur.clone(), p, member)?)
            }
            (Value::Array(cur), Value::Array(p)) => {
                // mergeSliceHandler: a list without the merge strategy takes
                // the patch list, except under `$deleteFromPrimitiveList`,
                // which merges whatever the strategy.
                let kind = member.as_list().map_or(ListKind::Atomic, |l| l.kind);
                if kind == ListKind::Atomic && !delete_list {
                    original.insert(key, Value::Array(p));
                    continue;
                }
                if cur.is_empty() && p.is_empty() {
                    continue;
                }
                slice_element_type(cur, &p)?;
                let maps = cur.iter().chain(&p).next().is_some_and(Value::is_object);
                match (kind, member.as_list()) {
                    (ListKind::Merge(merge_key), Some(list)) if maps => Value::Array(
                        merge_keyed_list(cur.clone(), p, merge_key, &list.item, None)?,
                    ),
                    _ if maps => {
                        return Err(SmpError::Internal(
                            "cannot merge lists without merge key for struct".into(),
                        ));
                    }
                    _ => Value::Array(merge_primitive_list(cur.clone(), p, delete_list)),
                }
            }
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

fn apply_set_element_order(
    original: &mut Map<String, Value>,
    patch: &mut Map<String, Value>,
    ty: &'static Ty,
) -> Result<(), SmpError> {
    let order_keys: Vec<String> = patch
        .keys()
        .filter(|k| k.starts_with(SET_ORDER))
        .cloned()
        .collect();
    for order_key in order_keys {
        let field = order_key[SET_ORDER.len()..].to_string();
        let order = match patch.remove(&order_key) {
            Some(Value::Array(order)) => order,
            other => {
                return Err(SmpError::Internal(format!(
                    "expected a []interface {{}}, but received a {}",
                    go_type(other.as_ref().unwrap_or(&Value::Null))
                )));
            }
        };
        let list = ty.member(&field).and_then(Ty::as_list);
        let patch_list = match patch.remove(&field) {
            Some(Value::Array(items)) => items,
            Some(Value::Null) | None => Vec::new(),
            Some(other) => {
                // Not a list: put it back and let the main loop replace.
                patch.insert(field, other);
                continue;
            }
        };
        let merge_key = match list.map(|l| l.kind) {
            Some(ListKind::Merge(key)) => key,
            _ => "",
        };
        check_set_element_order(&patch_list, &order, merge_key)?;
        let current = match original.get(&field) {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        let merged = match list.map(|l| (l.kind, &l.item)) {
            Some((ListKind::Merge(merge_key), item)) => {
                merge_keyed_list(current, patch_list, merge_key, item, Some(&order))?
            }
            Some((ListKind::Set, _)) => {
                let merged = merge_primitive_list(current.clone(), patch_list, false);
                order_by(merged, &order, &current, |v| v.clone())
            }
            _ => patch_list,
        };
        if merged.is_empty() {
            original.remove(&field);
        } else {
            original.insert(field, Value::Array(merged));
        }
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
                return Err(SmpError::Internal(format!(
                    "expected a map[string]interface {{}}, but received a {}",
                    go_type(item)
                )));
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
            other => Err(SmpError::Internal(format!(
                "expected a map[string]interface {{}}, but received a {}",
                go_type(other)
            ))),
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

/// Go's `reflect.TypeOf` name for a decoded JSON value.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "%!s(<nil>)",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
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
    order_by(both, &patch, &original, |v| v.clone())
}

/// Go's `normalizeElementOrder`: items present in `patch_order` sorted by
/// it, server-only items by `server_order`, then interleaved by server order
/// (`mergeSortedSlice`), which puts brand-new items first.
fn order_by(
    merged: Vec<Value>,
    patch_order: &[Value],
    server_order: &[Value],
    key: impl Fn(&Value) -> Value,
) -> Vec<Value> {
    let index = |list: &[Value], v: &Value| {
        let k = key(v);
        list.iter().position(|x| key(x) == k)
    };
    let (mut patch_items, mut server_only): (Vec<Value>, Vec<Value>) = merged
        .into_iter()
        .partition(|v| index(patch_order, v).is_some());
    patch_items.sort_by_key(|v| index(patch_order, v).unwrap_or(usize::MAX));
    server_only.sort_by_key(|v| index(server_order, v).unwrap_or(usize::MAX));
    let (left, right) = (server_only, patch_items);
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() || j < right.len() {
        if i >= left.len() {
            out.push(right[j].clone());
            j += 1;
        } else if j >= right.len() {
            out.push(left[i].clone());
            i += 1;
        } else {
            let less = match (
                index(server_order, &left[i]),
                index(server_order, &right[j]),
            ) {
                (Some(li), Some(ri)) => li < ri,
                _ => false,
            };
            if less {
                out.push(left[i].clone());
                i += 1;
            } else {
                out.push(right[j].clone());
                j += 1;
            }
        }
    }
    out
}

fn merge_keyed_list(
    mut original: Vec<Value>,
    patch: Vec<Value>,
    merge_key: &str,
    item_ty: &'static Ty,
    set_order: Option<&[Value]>,
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
    let server_order = original.clone();
    // Special elements ($patch directives) first.
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
    for item in plain {
        let Some(key_value) = item.get(merge_key).cloned() else {
            return Err(no_merge_key(&item, merge_key));
        };
        match original
            .iter_mut()
            .find(|o| o.get(merge_key) == Some(&key_value))
        {
            Some(Value::Object(existing)) => {
                let merged = merge_map(std::mem::take(existing), item, item_ty)?;
                *existing = merged;
            }
            _ => original.push(Value::Object(item)),
        }
    }
    let key_of = |v: &Value| v.get(merge_key).cloned().unwrap_or(Value::Null);
    let order: &[Value] = set_order.unwrap_or(&patch_order);
    let order_keys: Vec<Value> = order.iter().map(key_of).collect();
    let server_keys: Vec<Value> = server_order.iter().map(key_of).collect();
    let keyed: Vec<Value> = original.iter().map(key_of).collect();
    let ordered_keys = order_by(keyed, &order_keys, &server_keys, |v| v.clone());
    let mut out = Vec::with_capacity(original.len());
    for k in ordered_keys {
        if let Some(pos) = original.iter().position(|o| key_of(o) == k) {
            out.push(original.remove(pos));
        }
    }
    out.extend(original);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::schema::POD_TY;
    use rstest::rstest;
    use serde_json::json;

    fn smp(original: Value, patch: Value) -> Result<Value, SmpError> {
        let (Value::Object(o), Value::Object(p)) = (original, patch) else {
            panic!("objects expected");
        };
        apply(o, p, &POD_TY).map(Value::Object)
    }

    #[rstest]
    #[case("1000", "1000")]
    #[case("1e3", "1000")]
    #[case("1.0", "1")]
    #[case("1.5", "1.5")]
    #[case("-2.25", "-2.25")]
    #[case("123456.0", "123456")]
    #[case("1234567.0", "1.234567e+06")]
    #[case("123456789.5", "1.234567895e+08")]
    #[case("1e21", "1e+21")]
    #[case("0.0001", "0.0001")]
    #[case("0.00001", "1e-05")]
    #[case("-0.000012", "-1.2e-05")]
    #[case("9223372036854775808", "9.223372036854776e+18")]
    #[case("123456789012345678901234567890", "1.2345678901234568e+29")]
    fn numbers_print_as_go_prints_decoded_json(#[case] text: &str, #[case] go: &str) {
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(go_fmt(&value), go);
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
