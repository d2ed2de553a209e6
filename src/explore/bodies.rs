//! Patch bodies of the four types written from a request's edits: a JSON
//! Patch of `add`/`replace`/`remove` operations (with `test`, `copy`,
//! `move` and `-` now and then), a merge patch (lists sent whole), a
//! strategic merge patch (sometimes with a directive) and an apply
//! configuration.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::{Map, Value, json};

use crate::explore::edits::{Edit, Step, at};

fn pointer(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// A JSON Patch: each edit as `add`, `replace` or `remove` (sometimes a
/// `test` first, or `copy`/`move` from another path, or `-` to append).
pub fn json_patch(rng: &mut StdRng, edits: &[Edit], pod: &Value) -> Value {
    let mut ops = Vec::new();
    for e in edits {
        let mut path = pointer(&e.path);
        if matches!(e.path.last(), Some(Step::Index(_)))
            && rng.random_bool(0.3)
            && let Some(cut) = path.rfind('/')
        {
            path = format!("{}/-", &path[..cut]);
        }
        let exists = at(pod, &e.path).is_some();
        if rng.random_bool(0.1) {
            ops.push(json!({"op": "test", "path": path, "value": at(pod, &e.path).unwrap_or(Value::Null)}));
        }
        match &e.value {
            None => ops.push(json!({"op": "remove", "path": path})),
            Some(_) if rng.random_bool(0.08) => {
                let op = *["copy", "move"].choose(rng).unwrap_or(&"copy");
                ops.push(json!({"op": op, "from": "/metadata/labels/app", "path": path}));
            }
            Some(v) => {
                let op = if exists && rng.random_bool(0.6) {
                    "replace"
                } else {
                    "add"
                };
                ops.push(json!({"op": op, "path": path, "value": v}));
            }
        }
    }
    Value::Array(ops)
}

/// A merge patch: the edits nested as objects; a list is sent whole with
/// its element changed (merge patches cannot address elements), `null`
/// removes a member.
pub fn merge_body(edits: &[Edit], pod: &Value) -> Value {
    let mut out = json!({});
    for e in edits {
        let fragment = fragment(Some(pod), &e.path, &e.value);
        merge_into(&mut out, fragment);
    }
    out
}

/// The merge patch of one edit at `path` under `here`.
fn fragment(here: Option<&Value>, path: &[Step], value: &Option<Value>) -> Value {
    match path.split_first() {
        None => value.clone().unwrap_or(Value::Null),
        Some((Step::Key(k), rest)) => {
            let mut m = Map::new();
            m.insert(
                k.clone(),
                fragment(here.and_then(|h| h.get(k)), rest, value),
            );
            Value::Object(m)
        }
        Some((Step::Index(i), rest)) => {
            let mut list = here.and_then(Value::as_array).cloned().unwrap_or_default();
            let i = (*i).min(list.len());
            if i == list.len() {
                list.push(json!({}));
            }
            match (rest.is_empty(), value) {
                (true, Some(v)) => list[i] = v.clone(),
                (true, None) => {
                    list.remove(i);
                }
                (false, _) => set(&mut list[i], rest, value),
            }
            Value::Array(list)
        }
    }
}

/// Applies one edit to `v` in place, making objects where the path needs them.
fn set(v: &mut Value, path: &[Step], value: &Option<Value>) {
    let Some((step, rest)) = path.split_first() else {
        *v = value.clone().unwrap_or(Value::Null);
        return;
    };
    match step {
        Step::Key(k) => {
            if !v.is_object() {
                *v = json!({});
            }
            if let Some(m) = v.as_object_mut() {
                if rest.is_empty() && value.is_none() {
                    m.remove(k);
                } else {
                    set(m.entry(k.clone()).or_insert(Value::Null), rest, value);
                }
            }
        }
        Step::Index(i) => {
            if !v.is_array() {
                *v = json!([]);
            }
            if let Some(a) = v.as_array_mut() {
                let i = (*i).min(a.len());
                if i == a.len() {
                    a.push(json!({}));
                }
                set(&mut a[i], rest, value);
            }
        }
    }
}

/// Deep-merges objects (the later edit wins elsewhere).
fn merge_into(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge_into(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

/// A strategic merge patch: as a merge patch, with lists of merge-keyed
/// items sent whole (merged by key), and sometimes a directive.
pub fn strategic_body(rng: &mut StdRng, edits: &[Edit], pod: &Value) -> Value {
    let mut body = merge_body(edits, pod);
    if rng.random_bool(0.15)
        && let Some(spec) = body.get_mut("spec").and_then(Value::as_object_mut)
    {
        match rng.random_range(0..3) {
            0 => {
                spec.insert(
                    "$setElementOrder/containers".into(),
                    json!([{"name": "web"}]),
                );
            }
            1 => {
                spec.insert("$retainKeys".into(), json!(["containers", "tolerations"]));
            }
            _ => {
                spec.insert(
                    "$patch".into(),
                    json!(
                        *["replace", "merge", "bogus"]
                            .choose(rng)
                            .unwrap_or(&"merge")
                    ),
                );
            }
        }
    }
    body
}

/// A server-side apply configuration: the pod's identity and the edited
/// parts (lists merged by key, so list edits carry the element's key).
pub fn apply_body(edits: &[Edit], pod: &Value) -> Value {
    let mut body = merge_body(edits, pod);
    strip_nulls(&mut body);
    let obj = body.as_object_mut();
    if let Some(obj) = obj {
        obj.insert("apiVersion".into(), json!("v1"));
        obj.insert("kind".into(), json!("Pod"));
        let meta = obj.entry("metadata").or_insert_with(|| json!({}));
        if let Some(m) = meta.as_object_mut() {
            m.insert("name".into(), json!("${pod}"));
        }
    }
    body
}

fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}
