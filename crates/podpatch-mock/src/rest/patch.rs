//! The patch mechanics of `k8s.io/apiserver/pkg/endpoints/handlers/patch.go`
//! for the three non-apply content types: decoding the body (strictly under
//! `fieldValidation` Warn/Strict, with Go's error texts), applying it to the
//! current object's JSON, and classifying failures (400 undecodable, 413 too
//! many operations, 422 generic, 500 strategic-merge errors).
//!
//! It returns the patched but untyped JSON plus strict-decoding findings;
//! typing, defaulting and validation happen in [`crate::rest::pods`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::api::status::Status;
use crate::golang::json_encode::compact_string;
use crate::golang::json_number::{Literals, number_literals};
use crate::golang::json_pointer::{escape_pointer, unescape_pointer};
use crate::golang::json_raw::{Step, compact, json_kind, raw_members};
use crate::golang::json_scanner;
use crate::http::query::FieldValidation;
use crate::merge::strategic::{self, SmpError};
use crate::schema::{POD_TY, Ty};

/// The patch flavours the endpoint accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchKind {
    /// `application/json-patch+json`.
    Json,
    /// `application/merge-patch+json`.
    Merge,
    /// `application/strategic-merge-patch+json`.
    Strategic,
    /// `application/apply-patch+yaml`.
    Apply,
}

impl PatchKind {
    /// Maps a media type (parameters stripped) to a patch kind.
    pub fn from_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/json-patch+json" => Some(Self::Json),
            "application/merge-patch+json" => Some(Self::Merge),
            "application/strategic-merge-patch+json" => Some(Self::Strategic),
            "application/apply-patch+yaml" => Some(Self::Apply),
            _ => None,
        }
    }
}

/// The JSON Patch operation limit (`maxJSONPatchOperations`).
pub const MAX_JSON_PATCH_OPS: usize = 10_000;

/// A patched document before typing.
#[derive(Debug)]
pub struct Patched {
    /// The patched JSON.
    pub value: Value,
    /// Strict-decoding findings on the patch body itself, already prefixed.
    pub strict: Vec<String>,
    /// How the 422 "patch" error renders the bad value (Go prints the whole
    /// patched JSON for json/merge patches and the patch map for SMP).
    pub shown: String,
    /// Numbers of the patched document still in the sender's text.
    pub literals: Literals,
}

fn duplicates(dups: Vec<String>, prefix: &str) -> Vec<String> {
    dups.into_iter()
        .map(|d| format!("{prefix}duplicate field \"{d}\""))
        .collect()
}

/// Applies a non-apply patch to `current`.
pub fn apply(
    kind: PatchKind,
    current: &Value,
    body: &[u8],
    validation: FieldValidation,
) -> Result<Patched, Status> {
    let strict_mode = validation != FieldValidation::Ignore;
    match kind {
        PatchKind::Json => json_patch(current, body, strict_mode),
        PatchKind::Merge => merge_patch(current, body, strict_mode),
        PatchKind::Strategic => strategic_patch(current, body),
        PatchKind::Apply => Err(Status::internal_raw("apply is not a plain patch")),
    }
}

const OP_FIELDS: &[&str] = &["op", "path", "from", "value"];

fn json_patch(current: &Value, body: &[u8], strict_mode: bool) -> Result<Patched, Status> {
    let prefix = if strict_mode {
        "error decoding patch: "
    } else {
        ""
    };
    let bad = |msg: String| Status::bad_request(format!("{prefix}{msg}"));
    let dups = json_scanner::check(body).map_err(bad)?;
    let value: Value = serde_json::from_slice(body).map_err(|e| {
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
    let raw_values = raw_values(body);
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
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(vec![op]))
            .map_err(|_| Status::generic_invalid())?;
        json_patch::patch(&mut doc, &patch).map_err(|_| Status::generic_invalid())?;
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
    let shown = evanphx_json(&doc, &POD_TY, "", &parsed, &inserted, &literals);
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
            let mut len = doc.pointer(parent).and_then(Value::as_array)?.len();
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
    serde_json::from_str::<Value>(&raw.text).ok().as_ref() == doc.pointer(pointer)
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
    let value = doc.pointer(pointer)?;
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

/// The patched document as evanphx/json-patch marshals it: containers it
/// decoded (those in `parsed`, by JSON pointer) come out with sorted keys,
/// everything it never touched keeps the bytes of the stored object, which
/// the encoder wrote in Go struct order, and values the patch inserted keep
/// the patch's bytes when known (`Some`, compacted), else sorted keys.
fn evanphx_json(
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
        let raw_members: HashMap<String, Box<RawValue>> = raw
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
            matches!(doc.pointer(parent), Some(Value::Object(map)) if !map.contains_key(&key))
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

fn merge_patch(current: &Value, body: &[u8], strict_mode: bool) -> Result<Patched, Status> {
    let invalid_patch = || Status::bad_request("Invalid JSON Patch");
    let mut strict = Vec::new();
    let value: Value = if strict_mode {
        let bad = |msg: String| Status::bad_request(format!("error decoding patch: {msg}"));
        let dups = json_scanner::check(body).map_err(bad)?;
        let value: Value =
            serde_json::from_slice(body).map_err(|e| bad(go_decode_error(body, &e, "value")))?;
        if !matches!(value, Value::Object(_) | Value::Null) {
            return Err(bad(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&value)
            )));
        }
        strict.extend(duplicates(dups, ""));
        value
    } else {
        json_scanner::check(body).map_err(|_| invalid_patch())?;
        serde_json::from_slice(body).map_err(|_| invalid_patch())?
    };
    let doc = match value {
        Value::Null => return Err(invalid_patch()),
        Value::Object(_) => {
            let mut doc = current.clone();
            merge_node(&mut doc, value.clone());
            let (mut parsed, mut inserted) = (BTreeSet::new(), BTreeMap::new());
            let raw = std::str::from_utf8(body).ok();
            merged_objects(current, &value, raw, "", &mut parsed, &mut inserted);
            // A merge patch puts its values at their own pointers.
            let mut literals = Literals::new();
            number_literals(&String::from_utf8_lossy(body), "", &mut literals);
            literals.retain(|pointer, text| {
                doc.pointer(pointer) == serde_json::from_str::<Value>(text).ok().as_ref()
            });
            let shown = evanphx_json(&doc, &POD_TY, "", &parsed, &inserted, &literals);
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
    let shown = compact_string(&doc, &Ty::Any);
    Ok(Patched {
        value: doc,
        strict,
        shown,
        literals: Literals::new(),
    })
}

/// Go's text for a body serde cannot hold: a number beyond float64 fails
/// in `encoding/json`'s `convertNumber` as an `UnmarshalTypeError` naming
/// the literal (`number 1e400`) and `context` (`value`, or the struct field
/// being decoded); other errors keep serde's text.
fn go_decode_error(body: &[u8], e: &serde_json::Error, context: &str) -> String {
    let message = e.to_string();
    if !message.starts_with("number out of range") {
        return message;
    }
    // serde reports the number's last byte (1-based line and column).
    let line_start: usize = body
        .split(|b| *b == b'\n')
        .take(e.line().saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum();
    let end = (line_start + e.column()).min(body.len());
    let start = body[..end]
        .iter()
        .rposition(|b| !b"0123456789eE+-.".contains(b))
        .map_or(0, |i| i + 1);
    match std::str::from_utf8(&body[start..end]) {
        Ok(literal) if !literal.is_empty() => {
            format!("json: cannot unmarshal number {literal} into Go {context} of type float64")
        }
        _ => message,
    }
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

fn strategic_patch(current: &Value, body: &[u8]) -> Result<Patched, Status> {
    let dups = json_scanner::check(body).map_err(Status::bad_request)?;
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| Status::bad_request(go_decode_error(body, &e, "value")))?;
    let patch = match value {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            return Err(Status::bad_request(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )));
        }
    };
    let shown = crate::golang::format::go_fmt(&Value::Object(patch.clone()));
    let Value::Object(original) = current.clone() else {
        return Err(Status::internal_raw("stored object is not a map"));
    };
    let merged = strategic::apply(original, patch, &POD_TY).map_err(|e| match e {
        SmpError::BadRequest(msg) => Status::bad_request(msg),
        SmpError::Invalid => Status::generic_invalid(),
        SmpError::Internal(msg) => Status::internal_raw(msg),
    })?;
    Ok(Patched {
        value: Value::Object(merged),
        strict: duplicates(dups, ""),
        shown,
        // Go decodes a strategic patch into a map: no text survives.
        literals: Literals::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn pod() -> Value {
        json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "labels": {"a": "1"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
    }

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

    #[rstest]
    #[case::map_value(b"{\"a\":1e400}".as_slice(), "value", "json: cannot unmarshal number 1e400 into Go value of type float64")]
    #[case::second_line(b"{\n \"a\": -2E+999}".as_slice(), "value", "json: cannot unmarshal number -2E+999 into Go value of type float64")]
    #[case::patch_op(b"[{\"value\":1e400}]".as_slice(), "struct field jsonPatchOp.value", "json: cannot unmarshal number 1e400 into Go struct field jsonPatchOp.value of type float64")]
    fn number_beyond_float64(#[case] body: &[u8], #[case] context: &str, #[case] expected: &str) {
        let err = serde_json::from_slice::<Value>(body).expect_err("out of range");
        assert_eq!(go_decode_error(body, &err, context), expected);
    }

    #[rstest]
    #[case(
        PatchKind::Json,
        "not json",
        FieldValidation::Warn,
        400,
        "error decoding patch: invalid character 'o' in literal null (expecting 'u')"
    )]
    #[case(
        PatchKind::Json,
        "not json",
        FieldValidation::Ignore,
        400,
        "invalid character 'o' in literal null (expecting 'u')"
    )]
    #[case(
        PatchKind::Json,
        "{}",
        FieldValidation::Warn,
        400,
        "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"
    )]
    #[case(
        PatchKind::Json,
        "",
        FieldValidation::Warn,
        400,
        "error decoding patch: unexpected end of JSON input"
    )]
    #[case(
        PatchKind::Json,
        r#"[{"op":"test","path":"/metadata/name","value":"x"}]"#,
        FieldValidation::Warn,
        422,
        "the server rejected our request due to an error in our request"
    )]
    #[case(
        PatchKind::Json,
        r#"[{"op":"foo","path":"/x"}]"#,
        FieldValidation::Warn,
        422,
        "the server rejected our request due to an error in our request"
    )]
    #[case(
        PatchKind::Merge,
        "null",
        FieldValidation::Warn,
        400,
        "Invalid JSON Patch"
    )]
    #[case(
        PatchKind::Merge,
        "[]",
        FieldValidation::Warn,
        400,
        "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"
    )]
    #[case(
        PatchKind::Merge,
        "{",
        FieldValidation::Ignore,
        400,
        "Invalid JSON Patch"
    )]
    #[case(
        PatchKind::Strategic,
        "not json",
        FieldValidation::Warn,
        400,
        "invalid character 'o' in literal null (expecting 'u')"
    )]
    #[case(
        PatchKind::Strategic,
        "[]",
        FieldValidation::Warn,
        400,
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    )]
    #[case(
        PatchKind::Strategic,
        r#"{"spec":{"containers":[{"image":"nginx:1.26"}]}}"#,
        FieldValidation::Warn,
        500,
        "map: map[image:nginx:1.26] does not contain declared merge key: name"
    )]
    fn failures(
        #[case] kind: PatchKind,
        #[case] body: &str,
        #[case] validation: FieldValidation,
        #[case] code: u16,
        #[case] message: &str,
    ) {
        let err = apply(kind, &pod(), body.as_bytes(), validation).expect_err("fails");
        assert_eq!((err.code, err.message.as_str()), (code, message));
    }

    #[test]
    fn too_many_operations() {
        let ops: Vec<Value> = (0..10_001)
            .map(|_| json!({"op": "test", "path": "/kind", "value": "Pod"}))
            .collect();
        let body = serde_json::to_vec(&ops).unwrap_or_default();
        let err = apply(PatchKind::Json, &pod(), &body, FieldValidation::Warn).expect_err("413");
        assert_eq!(err.code, 413);
        assert_eq!(
            err.message,
            "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"
        );
    }

    #[test]
    fn strict_findings_on_ops() {
        let body = br#"[{"op":"replace","path":"/metadata/labels/a","vaule":"x","value":"2"}]"#;
        let got = apply(PatchKind::Json, &pod(), body, FieldValidation::Warn).expect("applies");
        assert_eq!(got.strict, vec!["json patch unknown field \"[0].vaule\""]);
        assert_eq!(got.value["metadata"]["labels"]["a"], json!("2"));
    }
}
