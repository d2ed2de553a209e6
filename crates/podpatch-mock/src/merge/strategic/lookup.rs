//! The schema and list lookups of `strategicpatch` (`LookupPatchMetadataForStruct`,
//! `LookupPatchMetadataForSlice`, `sliceElementType`, `findMapInSliceBasedOnKeyValue`,
//! `partitionMapsByPresentInList`) on the [`crate::schema`] tables. It
//! merges nothing.

use serde_json::Value;

use super::errors::{GO_MAP, SmpError, bad_arg_type, go_type, no_merge_key};
use crate::golang::format::{go_fmt, go_quote};
use crate::schema::{Field, List, Presence, Ty};

/// The struct field `key` of `ty`, matched like `encoding/json` (exact
/// name first, else ASCII case-insensitively).
pub(super) fn struct_field(ty: &'static Ty, key: &str) -> Option<&'static Field> {
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
pub(super) fn lookup_slice(
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

/// `sliceElementType`: all elements of both lists must share one Go type,
/// and the first may not be a list.
pub(super) fn slice_element_type(original: &[Value], patch: &[Value]) -> Result<(), SmpError> {
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

/// `sliceElementType` for `$setElementOrder`: whether the elements are
/// maps; an error when neither list has any.
pub(super) fn slice_element_is_map(original: &[Value], patch: &[Value]) -> Result<bool, SmpError> {
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
pub(super) fn find_map_by_key(list: &[Value], key: &str, value: &Value) -> Result<bool, SmpError> {
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
pub(super) fn partition_maps(
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
