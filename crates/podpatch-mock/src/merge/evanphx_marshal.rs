//! How evanphx/json-patch v4 marshals a patched document
//! (`partialDoc`/`partialArray`/`lazyNode` `MarshalJSON`): containers it
//! decoded come out with sorted keys, untouched ones keep the stored bytes,
//! inserted values keep the sender's text. Used to render the 422 "patch"
//! value; it must not change documents.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::golang::json_encode::compact_string;
use crate::golang::json_number::Literals;
use crate::golang::json_pointer::escape_pointer;
use crate::schema::Ty;

/// The patched document as evanphx/json-patch marshals it: containers it
/// decoded (those in `parsed`, by JSON pointer) come out with sorted keys,
/// everything it never touched keeps the bytes of the stored object, which
/// the encoder wrote in Go struct order, and values the patch inserted keep
/// the patch's bytes when known (`Some`, compacted), else sorted keys.
pub fn evanphx_json(
    value: &Value,
    ty: &'static Ty,
    pointer: &str,
    parsed: &BTreeSet<String>,
    inserted: &BTreeMap<String, Option<String>>,
    literals: &Literals,
) -> String {
    if let Some(raw) = inserted.get(pointer) {
        return raw
            .clone()
            .unwrap_or_else(|| compact_literals(value, pointer, literals));
    }
    if !parsed.contains(pointer) {
        return compact_string(value, ty);
    }
    compact_children(value, ty, pointer, |v, member, child| {
        evanphx_json(v, member, child, parsed, inserted, literals)
    })
    .unwrap_or_else(|| compact_literals(value, pointer, literals))
}

/// [`compact_string`], but numbers listed in `literals` (by pointer below
/// `pointer`) keep the sender's text.
fn compact_literals(value: &Value, pointer: &str, literals: &Literals) -> String {
    if let Some(text) = literals.get(pointer) {
        return text.clone();
    }
    let below = format!("{pointer}/");
    if !literals
        .range(below.clone()..)
        .next()
        .is_some_and(|(p, _)| p.starts_with(&below))
    {
        return compact_string(value, &Ty::Any);
    }
    compact_children(value, &Ty::Any, pointer, |v, _, child| {
        compact_literals(v, child, literals)
    })
    .unwrap_or_else(|| compact_string(value, &Ty::Any))
}

/// An object or list as compact JSON, each member or item written by
/// `child` (given it, its type under `ty` and its JSON pointer); `None`
/// for a scalar.
fn compact_children(
    value: &Value,
    ty: &'static Ty,
    pointer: &str,
    child: impl Fn(&Value, &'static Ty, &str) -> String,
) -> Option<String> {
    match value {
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let member = ty.member(k).unwrap_or(&Ty::Any);
                    let pointer = format!("{pointer}/{}", escape_pointer(k));
                    format!(
                        "{}:{}",
                        compact_string(&Value::String(k.clone()), &Ty::Any),
                        child(v, member, &pointer)
                    )
                })
                .collect();
            Some(format!("{{{}}}", parts.join(",")))
        }
        Value::Array(items) => {
            let item_ty = ty.as_list().map_or(&Ty::Any, |l| &l.item);
            let parts: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, v)| child(v, item_ty, &format!("{pointer}/{i}")))
                .collect();
            Some(format!("[{}]", parts.join(",")))
        }
        _ => None,
    }
}
