//! JSON merge patch (RFC 7386) as kube-apiserver applies it with
//! evanphx/json-patch v4 (`handlers/patch.go` `jsonPatcher` with
//! `MergePatch`): decoding (strict or not, with Go's texts), `mergeDocs`
//! and `pruneNulls`, and which values keep the sender's text. It returns
//! the patched, untyped document; typing is the REST layer's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::api::status::Status;
use crate::golang::json_encode::compact_string;
use crate::golang::json_number::{Literals, number_literals};
use crate::golang::json_pointer::Lookup;
use crate::golang::json_pointer::escape_pointer;
use crate::golang::json_raw::{compact, json_kind};
use crate::golang::json_scanner::Syntax;
use crate::merge::evanphx_marshal::evanphx_json;
use crate::merge::patched::{Later, Patched, Shown, duplicates, go_decode_error, with_shown_later};
use crate::merge::strategic;
use crate::schema::{POD_TY, Ty};

/// Pointers of the objects a merge patch merged into (both sides objects).
/// The values taken whole from the patch go to `inserted`: as sent (`raw`,
/// the patch's text at this level) when evanphx/json-patch never decodes
/// them (scalars, and any value replacing an object), sorted otherwise
/// (`pruneNulls` decodes objects and lists).
fn merged_objects(
    current: &Value,
    patch: &Value,
    raw: Option<&str>,
    pointer: &str,
    out: &mut BTreeSet<String>,
    inserted: &mut BTreeMap<String, Option<String>>,
) {
    if let (Value::Object(cur), Value::Object(p)) = (current, patch) {
        out.insert(pointer.to_string());
        // Borrowed: a member can be megabytes long.
        let raw_members: HashMap<String, &RawValue> = raw
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        for (k, v) in p {
            let child = format!("{pointer}/{}", escape_pointer(k));
            let raw_child = raw_members.get(k).map(|r| r.get());
            match cur.get(k) {
                Some(c) if c.is_object() && v.is_object() => {
                    merged_objects(c, v, raw_child, &child, out, inserted);
                }
                c => {
                    let as_sent =
                        !(v.is_object() || v.is_array()) || c.is_some_and(Value::is_object);
                    let text = raw_child.filter(|_| as_sent).map(compact);
                    inserted.insert(child, text);
                }
            }
        }
    }
}

/// Applies a merge patch body to `current` (`syntax`: its
/// [`crate::golang::json_scanner::check`]; `strict_mode`: fieldValidation
/// is not Ignore). The patched document as evanphx marshals it is made only
/// when an error shows it ([`Shown::Later`]).
pub fn merge_patch<'b>(
    current: &Arc<Value>,
    body: &'b [u8],
    syntax: &'b Syntax,
    strict_mode: bool,
) -> Result<Patched<'b>, Status> {
    with_shown_later(current, move |pod, later| {
        merge(pod, body, syntax, strict_mode, later)
    })
}

/// [`merge_patch`], its patched document shown by `later` or, without
/// it, rendered now.
fn merge<'b>(
    current: &Value,
    body: &[u8],
    syntax: &Syntax,
    strict_mode: bool,
    later: Option<Later<'b>>,
) -> Result<Patched<'b>, Status> {
    let invalid_patch = || Status::bad_request("Invalid JSON Patch");
    let mut strict = Vec::new();
    let value: Value = if strict_mode {
        let bad = |msg: String| Status::bad_request(format!("error decoding patch: {msg}"));
        let dups = syntax.clone().map_err(bad)?;
        let value: Value = crate::golang::json_value::from_slice(body)
            .map_err(|e| bad(go_decode_error(body, &e, "value")))?;
        if !matches!(value, Value::Object(_) | Value::Null) {
            return Err(bad(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&value)
            )));
        }
        strict.extend(duplicates(dups, ""));
        value
    } else {
        syntax.as_ref().map_err(|_| invalid_patch())?;
        crate::golang::json_value::from_slice(body).map_err(|_| invalid_patch())?
    };
    let doc = match value {
        Value::Null => return Err(invalid_patch()),
        Value::Object(_) => {
            let (mut parsed, mut inserted) = (BTreeSet::new(), BTreeMap::new());
            if later.is_none() {
                let raw = std::str::from_utf8(body).ok();
                merged_objects(current, &value, raw, "", &mut parsed, &mut inserted);
            }
            let mut doc = current.clone();
            merge_node(&mut doc, value);
            // A merge patch puts its values at their own pointers.
            let mut literals = Literals::new();
            number_literals(&String::from_utf8_lossy(body), "", &mut literals);
            literals.retain(|pointer, text| {
                doc.at(pointer) == serde_json::from_str::<Value>(text).ok().as_ref()
            });
            let shown = Shown::later_or(later, || {
                evanphx_json(&doc, &POD_TY, "", &parsed, &inserted, &literals)
            });
            return Ok(Patched {
                value: doc,
                strict,
                shown,
                literals,
            });
        }
        Value::Array(mut items) => {
            // Not a document: evanphx returns the patch itself, nulls pruned
            // (`pruneAryNulls` keeps null elements, prunes inside the others).
            items.iter_mut().for_each(strategic::discard_nulls);
            Value::Array(items)
        }
        _ => return Err(invalid_patch()),
    };
    let shown = Shown::Text(compact_string(&doc, &Ty::Any));
    Ok(Patched {
        value: doc,
        strict,
        shown,
        literals: Literals::new(),
    })
}

/// evanphx/json-patch v4 `merge` (RFC 7386 as `MergePatch` runs it): two
/// objects merge member by member (`mergeDocs`: `null` deletes, a member
/// the document lacks or holds as `null` is set with its nulls pruned); a
/// non-object in the document is replaced by the patch value with its
/// nulls pruned (`pruneNulls`, also inside list elements), but an object
/// in the document replaced by a non-object takes it as sent, nulls kept.
fn merge_node(cur: &mut Value, patch: Value) {
    match (cur, patch) {
        (Value::Object(doc), Value::Object(patch)) => {
            for (k, v) in patch {
                match doc.get_mut(&k) {
                    _ if v.is_null() => {
                        doc.remove(&k);
                    }
                    Some(existing) if !existing.is_null() => merge_node(existing, v),
                    _ => {
                        let mut v = v;
                        strategic::discard_nulls(&mut v);
                        doc.insert(k, v);
                    }
                }
            }
        }
        (cur @ Value::Object(_), patch) => *cur = patch,
        (cur, mut patch) => {
            strategic::discard_nulls(&mut patch);
            *cur = patch;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    #[rstest]
    #[case::nested_nulls_pruned_in_new_list(json!({"l": 1}), json!({"l": [{"a": null, "b": 1}, null]}), json!({"l": [{"b": 1}, null]}))]
    #[case::object_replaced_by_list_keeps_nulls(json!({"o": {"x": 1}}), json!({"o": [{"a": null}]}), json!({"o": [{"a": null}]}))]
    #[case::null_member_set_pruned(json!({"o": null}), json!({"o": {"a": null, "b": 2}}), json!({"o": {"b": 2}}))]
    #[case::null_deletes(json!({"o": {"x": 1, "y": 2}}), json!({"o": {"x": null}}), json!({"o": {"y": 2}}))]
    fn evanphx_merge(#[case] doc: Value, #[case] patch: Value, #[case] expected: Value) {
        let mut doc = doc;
        merge_node(&mut doc, patch);
        assert_eq!(doc, expected);
    }
}
