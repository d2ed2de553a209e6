//! JSON Patch (RFC 6902) as kube-apiserver applies it with evanphx/json-patch
//! v4 (`handlers/patch.go` `jsonPatcher.applyJSPatch`): decoding the
//! operations (strictly under `fieldValidation` Warn/Strict, with Go's
//! error texts), the 10,000-operation limit, v4's departures from the RFC,
//! the generic 422 for any failing operation, and which values stay
//! undecoded (their text shows in errors and numbers keep their
//! spelling). It returns the patched, untyped document; typing is the REST
//! layer's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use crate::api::status::Status;
use crate::golang::json_number::{Literals, number_literals};
use crate::golang::json_pointer::Lookup;
use crate::golang::json_pointer::{escape_pointer, unescape_pointer};
use crate::golang::json_raw::{Step, compact, json_kind, raw_members};
use crate::golang::json_scanner::Syntax;
use crate::merge::evanphx_marshal::evanphx_json;
use crate::merge::patched::{Later, Patched, Shown, duplicates, go_decode_error, with_shown_later};
use crate::schema::{POD_TY, Ty};

/// The JSON Patch operation limit (`maxJSONPatchOperations`).
pub const MAX_JSON_PATCH_OPS: usize = 10_000;

const OP_FIELDS: &[&str] = &["op", "path", "from", "value"];

/// Applies a JSON Patch body to `current` (`syntax`: its
/// [`crate::golang::json_scanner::check`]; `strict_mode`: fieldValidation
/// is not Ignore). The patched document as evanphx marshals it is made only
/// when an error shows it ([`Shown::Later`]).
pub fn json_patch<'b>(
    current: &Arc<Value>,
    body: &'b [u8],
    syntax: &'b Syntax,
    strict_mode: bool,
) -> Result<Patched<'b>, Status> {
    with_shown_later(current, move |pod, later| {
        apply_ops(pod, body, syntax, strict_mode, later)
    })
}

/// [`json_patch`], its patched document shown by `later` or, without it,
/// rendered now.
fn apply_ops<'b>(
    current: &Value,
    body: &[u8],
    syntax: &Syntax,
    strict_mode: bool,
    later: Option<Later<'b>>,
) -> Result<Patched<'b>, Status> {
    let prefix = if strict_mode {
        "error decoding patch: "
    } else {
        ""
    };
    let bad = |msg: String| Status::bad_request(format!("{prefix}{msg}"));
    let dups = syntax.clone().map_err(bad)?;
    let value: Value = crate::golang::json_value::from_slice(body).map_err(|e| {
        let context = if strict_mode {
            "struct field jsonPatchOp.value"
        } else {
            "value"
        };
        bad(go_decode_error(body, &e, context))
    })?;
    let (list_type, op_type) = if strict_mode {
        ("[]handlers.jsonPatchOp", "handlers.jsonPatchOp")
    } else {
        ("jsonpatch.Patch", "jsonpatch.Operation")
    };
    // `null` decodes to an empty patch: a no-op.
    let value = if value.is_null() {
        Value::Array(Vec::new())
    } else {
        value
    };
    let Value::Array(ops) = value else {
        return Err(bad(format!(
            "json: cannot unmarshal {} into Go value of type {list_type}",
            json_kind(&value)
        )));
    };
    let mut strict = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let Value::Object(map) = op else {
            if op.is_null() {
                continue;
            }
            return Err(bad(format!(
                "json: cannot unmarshal {} into Go value of type {op_type}",
                json_kind(op)
            )));
        };
        if strict_mode {
            for (k, v) in map {
                if !OP_FIELDS.contains(&k.as_str()) {
                    strict.push(format!("json patch unknown field \"[{i}].{k}\""));
                } else if k != "value" && !v.is_string() && !v.is_null() {
                    return Err(bad(format!(
                        "json: cannot unmarshal {} into Go struct field jsonPatchOp.{k} of type string",
                        json_kind(v)
                    )));
                }
            }
        }
    }
    if strict_mode {
        strict.extend(duplicates(dups.clone(), "json patch "));
    }
    if ops.len() > MAX_JSON_PATCH_OPS {
        return Err(Status::too_large(format!(
            "Request entity too large: The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPS}, got {}",
            ops.len()
        )));
    }
    // evanphx/json-patch fails every malformed or inapplicable operation at
    // apply time, and patch.go turns all of them into the same generic 422.
    let known = ["add", "remove", "replace", "move", "copy", "test"];
    for op in &ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or("");
        let needs_from = matches!(name, "move" | "copy");
        // findObject finds nothing for a pointer without any '/'; only
        // `replace` has a whole-document case, for an object or array.
        let pointer = |key: &str| {
            op.get(key)
                .and_then(Value::as_str)
                .is_some_and(|p| p.contains('/'))
        };
        let whole_document = name == "replace"
            && op.get("path").and_then(Value::as_str) == Some("")
            && op
                .get("value")
                .is_some_and(|v| v.is_object() || v.is_array());
        if !known.contains(&name)
            || !(pointer("path") || whole_document)
            || (needs_from && !pointer("from"))
        {
            return Err(Status::generic_invalid());
        }
    }
    // Only added and replaced values are inserted as sent: a patch of none
    // (the 10,000 `test` operations of the size cases) skips a second parse.
    let inserts = ops.iter().any(|op| {
        matches!(
            op.get("op").and_then(Value::as_str),
            Some("add" | "replace")
        )
    });
    let raw_values = if inserts {
        raw_values(body)
    } else {
        Vec::new()
    };
    let mut doc = current.clone();
    let mut parsed = BTreeSet::from([String::new()]);
    // Values inserted by the patch that are still undecoded, by pointer.
    let mut raw_at: BTreeMap<String, Raw> = BTreeMap::new();
    let mut inserted = BTreeMap::new();
    for (i, op) in ops.into_iter().enumerate() {
        for key in ["path", "from"] {
            if let Some(path) = op.get(key).and_then(Value::as_str) {
                // findObject decodes every container on the way to the target.
                let parts: Vec<&str> = path.split('/').collect();
                for end in 1..parts.len().saturating_sub(1) + 1 {
                    let prefix = parts[..end].join("/");
                    if let Some(raw) = raw_at.remove(&prefix) {
                        inserted.remove(&prefix);
                        for (child, member) in raw.members(&prefix) {
                            inserted.insert(child.clone(), None);
                            raw_at.insert(child, member);
                        }
                    }
                    parsed.insert(prefix);
                }
            }
        }
        let sent = match op.get("op").and_then(Value::as_str) {
            Some("add" | "replace") => raw_values.get(i).cloned().flatten(),
            _ => None,
        };
        let Some(op) = evanphx_v4(&doc, op) else {
            continue;
        };
        // copy and move insert the node found at `from`, which marshals as
        // it stands: its raw bytes, or sorted keys where it was decoded
        // (evanphx's `deepCopy` marshals it; `move` moves the node itself).
        let moved = match op.get("op").and_then(Value::as_str) {
            Some("copy" | "move") => op
                .get("from")
                .and_then(Value::as_str)
                .and_then(|from| node_json(&doc, from, &parsed, &inserted, &raw_at)),
            _ => None,
        };
        let sent = sent.or(moved);
        if let Some(pointer) = inserted_pointer(&doc, &op) {
            raw_at.retain(|p, _| !(*p == pointer || p.starts_with(&format!("{pointer}/"))));
            if let Some(text) = sent {
                let raw = Raw {
                    text,
                    op: i,
                    rest: String::new(),
                };
                raw_at.insert(pointer.clone(), raw);
            }
            inserted.insert(pointer, None);
        }
        let op: json_patch::PatchOperation =
            serde_json::from_value(op).map_err(|_| Status::generic_invalid())?;
        json_patch::patch(&mut doc, std::slice::from_ref(&op))
            .map_err(|_| Status::generic_invalid())?;
    }
    // A value still at its place shows as sent (a later `remove` or index
    // shift may have put something else there).
    raw_at.retain(|pointer, raw| {
        let here = raw_in_place(&doc, pointer, raw);
        if let (true, Some(entry)) = (here, inserted.get_mut(pointer)) {
            *entry = Some(compact(&raw.text));
        }
        here
    });
    if strict_mode {
        // Undecoded values keep their duplicate keys into the patched
        // document, whose strict decoding reports them again at their place.
        strict.extend(dups.iter().filter_map(|d| {
            let (i, rest) = d.strip_prefix('[')?.split_once("].value")?;
            let i: usize = i.parse().ok()?;
            raw_at.iter().find_map(|(pointer, raw)| {
                let tail = rest
                    .strip_prefix(raw.rest.as_str())
                    .filter(|t| raw.op == i && (t.starts_with('.') || t.starts_with('[')))?;
                Some(format!(
                    "duplicate field \"{}{tail}\"",
                    go_field_path(&doc, pointer)
                ))
            })
        }));
    }
    let mut literals = Literals::new();
    for (pointer, raw) in &raw_at {
        number_literals(&raw.text, pointer, &mut literals);
    }
    let shown = Shown::later_or(later, || {
        evanphx_json(&doc, &POD_TY, "", &parsed, &inserted, &literals)
    });
    Ok(Patched {
        value: doc,
        strict,
        shown,
        literals,
    })
}

/// An undecoded JSON Patch value: its text, the operation that sent it and
/// where it sits inside that operation's `value` (`.a[0]`).
struct Raw {
    text: String,
    op: usize,
    rest: String,
}

impl Raw {
    /// The members evanphx/json-patch leaves undecoded when it decodes this
    /// container (a Go map: the last of duplicate keys wins).
    fn members(&self, pointer: &str) -> Vec<(String, Raw)> {
        raw_members(&self.text)
            .into_iter()
            .map(|(step, text)| {
                let rest = match &step {
                    Step::Key(k) => format!("{}.{k}", self.rest),
                    Step::Index(i) => format!("{}[{i}]", self.rest),
                };
                let raw = Raw {
                    text: text.get().to_string(),
                    op: self.op,
                    rest,
                };
                (format!("{pointer}/{}", step.token()), raw)
            })
            .collect()
    }
}

/// The raw JSON of each operation's `value` (the last one if repeated, as
/// Go's decoder keeps): evanphx/json-patch inserts it undecoded.
fn raw_values(body: &[u8]) -> Vec<Option<String>> {
    serde_json::from_slice::<Vec<Option<HashMap<String, Box<RawValue>>>>>(body)
        .map(|ops| {
            ops.into_iter()
                .map(|op| {
                    op.and_then(|mut m| m.remove("value"))
                        .map(|v| v.get().to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON pointer into `doc` as a Go strict-decoding path
/// (`spec.containers[0].env`).
fn go_field_path(doc: &Value, pointer: &str) -> String {
    let mut out = String::new();
    let mut cur = Some(doc);
    for segment in pointer.split('/').skip(1) {
        let key = unescape_pointer(segment);
        if cur.is_some_and(Value::is_array) {
            out.push_str(&format!("[{key}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&key);
        }
        cur = cur.and_then(|c| match c {
            Value::Array(a) => key.parse::<usize>().ok().and_then(|n| a.get(n)),
            other => other.get(&key),
        });
    }
    out
}

/// Where an `add`, `replace`, `copy` or `move` puts its value (`-`
/// resolved to the index, after a `move` took its node out): that value is
/// the patch's own JSON or the node copied or moved, which
/// evanphx/json-patch marshals back as it stands, not in Go struct order.
fn inserted_pointer(doc: &Value, op: &Value) -> Option<String> {
    let name = op.get("op").and_then(Value::as_str);
    if !matches!(name, Some("add" | "replace" | "copy" | "move")) {
        return None;
    }
    let path = op.get("path").and_then(Value::as_str)?;
    match split_pointer(path) {
        Some((parent, last)) if last == "-" => {
            let mut len = doc.at(parent).and_then(Value::as_array)?.len();
            let from_parent = op
                .get("from")
                .and_then(Value::as_str)
                .and_then(split_pointer)
                .map(|(from_parent, _)| from_parent);
            if name == Some("move") && from_parent == Some(parent) {
                len = len.saturating_sub(1);
            }
            Some(format!("{parent}/{len}"))
        }
        _ => Some(path.to_string()),
    }
}

/// Whether the undecoded value `raw` still sits at `pointer`.
fn raw_in_place(doc: &Value, pointer: &str, raw: &Raw) -> bool {
    crate::golang::json_value::from_str::<Value>(&raw.text)
        .ok()
        .as_ref()
        == doc.at(pointer)
}

/// The JSON evanphx/json-patch marshals for the node at `pointer` now
/// (see [`evanphx_json`]), with the undecoded values still in place shown
/// as sent.
fn node_json(
    doc: &Value,
    pointer: &str,
    parsed: &BTreeSet<String>,
    inserted: &BTreeMap<String, Option<String>>,
    raw_at: &BTreeMap<String, Raw>,
) -> Option<String> {
    let value = doc.at(pointer)?;
    let mut shown = inserted.clone();
    for (p, raw) in raw_at {
        if raw_in_place(doc, p, raw) {
            shown.insert(p.clone(), Some(compact(&raw.text)));
        }
    }
    let ty = pointer
        .split('/')
        .skip(1)
        .fold(&POD_TY, |ty: &'static Ty, segment| match ty.as_list() {
            Some(list) => &list.item,
            None => ty.member(&unescape_pointer(segment)).unwrap_or(&Ty::Any),
        });
    Some(evanphx_json(
        value,
        ty,
        pointer,
        parsed,
        &shown,
        &Literals::new(),
    ))
}

fn split_pointer(path: &str) -> Option<(&str, String)> {
    let (parent, key) = path.rsplit_once('/')?;
    Some((parent, unescape_pointer(key)))
}

/// Rewrites a pointer as evanphx/json-patch v4 reads it into the RFC 6901
/// form: whatever precedes the first '/' is ignored, keys are unescaped by
/// `decodePatchKey` (plain replaces of `~1` then `~0`, so a stray `~` or
/// `~2` stays literal) and escaped again, and array indices go
/// through `strconv.Atoi` (signs and leading zeros allowed; negative indices
/// count from the end, one past it for the target of an `add`).
fn canonical_indices(doc: &Value, path: &str, add: bool) -> String {
    let Some((_, rest)) = path.split_once('/') else {
        return path.to_string();
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let mut out = String::new();
    let mut cur = Some(doc);
    for (i, part) in parts.iter().enumerate() {
        out.push('/');
        match (cur, part.parse::<i64>()) {
            (Some(Value::Array(items)), Ok(mut idx)) => {
                let len = items.len() as i64 + i64::from(add && i + 1 == parts.len());
                if idx < 0 && idx >= -len {
                    idx += len;
                }
                out.push_str(&idx.to_string());
                cur = usize::try_from(idx).ok().and_then(|i| items.get(i));
            }
            (Some(Value::Object(map)), _) => {
                let key = unescape_pointer(part);
                out.push_str(&escape_pointer(&key));
                cur = map.get(&key);
            }
            _ => {
                out.push_str(&escape_pointer(&unescape_pointer(part)));
                cur = None;
            }
        }
    }
    out
}

/// evanphx/json-patch v4 departs from RFC 6902 in ways a live server shows;
/// rewrite each operation into the RFC one that has the same effect, or
/// `None` when v4 does nothing at all:
/// - a missing `value` is JSON `null`;
/// - `replace` of a missing object member adds it (its map lookup never fails);
/// - `copy` from a missing object member copies `null`;
/// - `test` of a missing member against `null` passes;
/// - negative array indices count from the end (`add` at -1 appends).
fn evanphx_v4(doc: &Value, mut op: Value) -> Option<Value> {
    let name = op
        .get("op")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let obj = op.as_object_mut()?;
    if matches!(name.as_str(), "add" | "replace" | "test") && !obj.contains_key("value") {
        obj.insert("value".into(), Value::Null);
    }
    for key in ["path", "from"] {
        if let Some(path) = obj.get(key).and_then(Value::as_str) {
            let canonical = canonical_indices(doc, path, name == "add" && key == "path");
            obj.insert(key.into(), Value::String(canonical));
        }
    }
    let path = obj
        .get("path")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let missing_member = |path: &str| {
        split_pointer(path).is_some_and(|(parent, key)| {
            matches!(doc.at(parent), Some(Value::Object(map)) if !map.contains_key(&key))
        })
    };
    match name.as_str() {
        "replace" if missing_member(&path) => {
            obj.insert("op".into(), Value::String("add".into()));
        }
        "test" if missing_member(&path) && obj.get("value") == Some(&Value::Null) => return None,
        "copy" => {
            let from = obj
                .get("from")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if missing_member(&from) {
                obj.insert("op".into(), Value::String("add".into()));
                obj.insert("value".into(), Value::Null);
                obj.remove("from");
            }
        }
        _ => {}
    }
    Some(op)
}
