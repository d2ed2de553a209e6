//! Field sets and `managedFields` bookkeeping in the style of
//! structured-merge-diff: paths such as `f:spec`, `k:{"name":"web"}`,
//! `v:"x"`, the `FieldsV1` JSON with its `.` self markers, what an `Update`
//! changed (added or modified, `typed.Compare`), and what an `Apply`
//! configuration sets (`ToFieldSet`).
//!
//! Fields the real field manager strips (kind, apiVersion, system metadata,
//! the pod status) never enter a set. This module computes sets; it must not
//! decide conflicts (see the `apply` module, which reads these sets).

use std::cmp::Ordering;
use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::schema::{ListKind, Ty};

/// One path element.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Elem {
    /// A struct or map field: `f:<name>`.
    Field(String),
    /// A keyed list element: `k:<json of key fields>`.
    Key(String),
    /// A set member: `v:<json value>`.
    Value(String),
}

impl Elem {
    /// The element as a `fieldsV1` key (`f:name`).
    pub(crate) fn render(&self) -> String {
        let (prefix, text) = match self {
            Elem::Field(name) => ("f:", name),
            Elem::Key(k) => ("k:", k),
            Elem::Value(v) => ("v:", v),
        };
        let mut out = String::with_capacity(prefix.len() + text.len());
        out.push_str(prefix);
        out.push_str(text);
        out
    }

    fn parse(s: &str) -> Option<Elem> {
        if let Some(rest) = s.strip_prefix("f:") {
            Some(Elem::Field(rest.into()))
        } else if let Some(rest) = s.strip_prefix("k:") {
            Some(Elem::Key(rest.into()))
        } else {
            s.strip_prefix("v:").map(|rest| Elem::Value(rest.into()))
        }
    }
}

/// A set of field paths.
pub type FieldSet = BTreeSet<Vec<Elem>>;

const STRIPPED_META: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "selfLink",
    "managedFields",
];

/// Which endpoint a write went through; each resets (ignores) a part of
/// the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The pod itself: `status` is reset.
    Main,
    /// The `status` subresource: `spec` is reset.
    Status,
    /// The `ephemeralcontainers` subresource: only `spec.ephemeralContainers`
    /// is kept, yet (as on a live server) the field manager records every
    /// field the patch touched, status excepted.
    EphemeralContainers,
    /// The `resize` subresource: only container (and pod-level) resources
    /// and resize policies are kept; like `EphemeralContainers`, the field
    /// manager still records every field the patch touched.
    Resize,
}

impl Scope {
    /// The `subresource` of managedFields entries written through it.
    pub fn subresource(self) -> &'static str {
        match self {
            Scope::Main => "",
            Scope::Status => "status",
            Scope::EphemeralContainers => "ephemeralcontainers",
            Scope::Resize => "resize",
        }
    }
}

/// The part of an object a field manager tracks: no kind/apiVersion, no
/// reset fields of the scope's strategy (`GetResetFields`), no system
/// metadata. The ephemeral containers and resize strategies declare only a
/// filter the live server does not apply to updates: a status change there
/// is owned.
pub fn tracked(object: &Value, scope: Scope) -> Value {
    let mut out = object.clone();
    if let Some(map) = out.as_object_mut() {
        map.retain(|k, _| !untracked(&[], k, scope));
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            let at = [Elem::Field("metadata".into())];
            meta.retain(|k, _| !untracked(&at, k, scope));
        }
    }
    out
}

/// Whether member `key` of the object at `path` is left out of
/// [`tracked`]: only the root's and `metadata`'s members can be (a
/// deeper path is not matched at all).
pub(super) fn untracked(path: &[Elem], key: &str, scope: Scope) -> bool {
    match path {
        [] => match key {
            "kind" | "apiVersion" => true,
            "status" => scope == Scope::Main,
            "spec" => scope == Scope::Status,
            _ => false,
        },
        [Elem::Field(metadata)] if metadata == "metadata" => {
            STRIPPED_META.contains(&key)
                || (scope == Scope::Status
                    && matches!(key, "ownerReferences" | "deletionTimestamp"))
        }
        _ => false,
    }
}

/// The configuration as structured-merge-diff validates it: without kind
/// and apiVersion (the type is already known), everything else kept.
pub fn tracked_for_schema(object: &Value) -> Value {
    let mut out = object.clone();
    if let Some(map) = out.as_object_mut() {
        map.remove("kind");
        map.remove("apiVersion");
    }
    out
}

fn compact(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The key element for a list item (`k:{"name":"web"}`), keys sorted. A
/// missing key field takes its OpenAPI default, as structured-merge-diff
/// does: a port's `protocol` is TCP, the other pod list keys are
/// non-`omitempty` fields whose default is their zero value. A key given
/// as an explicit null keeps it (`containerPort=null`), as `Map.Get` finds it.
pub fn key_elem(item: &Value, keys: &[&str]) -> Elem {
    let mut k = Map::new();
    for key in keys {
        let value = match item.get(*key) {
            Some(v) => v.clone(),
            None => match *key {
                "protocol" => Value::String("TCP".into()),
                "containerPort" => Value::from(0),
                _ => Value::String(String::new()),
            },
        };
        k.insert((*key).to_string(), value);
    }
    Elem::Key(compact(&Value::Object(k)))
}

/// Objects tracked field by field (structs and ordinary maps), as opposed
/// to atomic maps and anything typed as a list.
fn is_granular_map(ty: &Ty) -> bool {
    !matches!(ty, Ty::List(_) | Ty::AtomicMap(_))
}

/// What changed from `old` to `new` (`Compare`'s added ∪ modified), both
/// seen as [`tracked`] shows them. The walk skips the untracked members
/// where it meets them instead of comparing copies of both objects, and
/// the top-level members in `same`, known equal on both sides.
pub fn changed(old: &Value, new: &Value, ty: &'static Ty, scope: Scope, same: &[&str]) -> FieldSet {
    let mut set = FieldSet::new();
    if old != new {
        diff(Some(old), new, ty, scope, same, &mut Vec::new(), &mut set);
    }
    set
}

/// The changes below `path`, where `old` differs from `new`: an unchanged
/// value holds no change, however deep it is (most of an update's pod is),
/// and comparing it is far cheaper than walking it, so each caller compares
/// before it descends (once per value, and before building its path).
fn diff(
    old: Option<&Value>,
    new: &Value,
    ty: &'static Ty,
    scope: Scope,
    same: &[&str],
    path: &mut Vec<Elem>,
    out: &mut FieldSet,
) {
    let added = old.is_none();
    // A member is untracked by its name and place alone, so the members
    // skipped in `new` are those skipped in `old`.
    let any_tracked = |map: &Map<String, Value>| map.keys().any(|k| !untracked(path, k, scope));
    match (new, ty) {
        // Atomic structs are one leaf however deep they are.
        (_, Ty::Atomic(_)) => {
            out.insert(path.clone());
        }
        // A map emptied of its children is not itself a change.
        (Value::Object(map), _)
            if !any_tracked(map) && is_granular_map(ty) && old.is_some_and(Value::is_object) => {}
        (Value::Object(map), _) if any_tracked(map) && is_granular_map(ty) => {
            if added && !path.is_empty() {
                out.insert(path.clone());
            }
            for (k, v) in map {
                if untracked(path, k, scope) || (path.is_empty() && same.contains(&k.as_str())) {
                    continue;
                }
                let old_child = old.and_then(|o| o.get(k));
                if old_child == Some(v) {
                    continue;
                }
                let member = ty.member(k).unwrap_or(&Ty::Any);
                path.push(Elem::Field(k.clone()));
                diff(old_child, v, member, scope, &[], path, out);
                path.pop();
            }
        }
        (Value::Array(items), Ty::List(list))
            if list.ssa_kind() != ListKind::Atomic && !items.is_empty() =>
        {
            if added {
                out.insert(path.clone());
            }
            let old_items = old.and_then(Value::as_array);
            match list.ssa_kind() {
                ListKind::Set => {
                    for item in items {
                        if !old_items.is_some_and(|o| o.contains(item)) {
                            path.push(Elem::Value(compact(item)));
                            out.insert(path.clone());
                            path.pop();
                        }
                    }
                }
                _ => {
                    let keys = list.ssa_keys;
                    let elems: Vec<Elem> = items.iter().map(|i| key_elem(i, keys)).collect();
                    // The old items' keys, made once for all the new items.
                    let old_elems: Vec<(Elem, &Value)> = old_items
                        .into_iter()
                        .flatten()
                        .map(|o| (key_elem(o, keys), o))
                        .collect();
                    for (item, elem) in items.iter().zip(&elems) {
                        path.push(elem.clone());
                        // A key that occurs twice is owned as one leaf: the
                        // duplicates cannot be told apart field by field.
                        if elems.iter().filter(|e| *e == elem).count() > 1 {
                            let old_with_key = old_elems.iter().filter(|(e, _)| e == elem);
                            let new_with_key = elems.iter().zip(items).filter(|(e, _)| *e == elem);
                            let same = old_items.is_some()
                                && old_with_key
                                    .map(|(_, o)| *o)
                                    .eq(new_with_key.map(|(_, i)| i));
                            if !same {
                                out.insert(path.clone());
                            }
                        } else {
                            let old_item =
                                old_elems.iter().find(|(e, _)| e == elem).map(|(_, o)| *o);
                            if old_item != Some(item) {
                                diff(old_item, item, &list.item, scope, &[], path, out);
                            }
                        }
                        path.pop();
                    }
                }
            }
        }
        _ => {
            out.insert(path.clone());
        }
    }
}

/// The fields an applied configuration sets (`ToFieldSet`).
pub fn applied(config: &Value, ty: &'static Ty, scope: Scope) -> FieldSet {
    let mut set = FieldSet::new();
    collect(
        &tracked(config, scope),
        ty,
        &mut Vec::new(),
        &mut set,
        false,
    );
    // `stripMetaManager` strips `metadata` itself too, so an empty or null
    // metadata is not a member either.
    set.remove([Elem::Field("metadata".into())].as_slice());
    set
}

fn collect(value: &Value, ty: &'static Ty, path: &mut Vec<Elem>, out: &mut FieldSet, item: bool) {
    if item {
        out.insert(path.clone());
    }
    match (value, ty) {
        (_, Ty::Atomic(_)) => {
            if !item {
                out.insert(path.clone());
            }
        }
        (Value::Object(map), _) if !map.is_empty() && is_granular_map(ty) => {
            for (k, v) in map {
                let member = ty.member(k).unwrap_or(&Ty::Any);
                path.push(Elem::Field(k.clone()));
                collect(v, member, path, out, false);
                path.pop();
            }
        }
        // An empty associative list or set contributes no field.
        (Value::Array(items), Ty::List(list))
            if list.ssa_kind() != ListKind::Atomic && items.is_empty() => {}
        (Value::Array(items), Ty::List(list)) if list.ssa_kind() != ListKind::Atomic => {
            match list.ssa_kind() {
                ListKind::Set => {
                    for v in items {
                        path.push(Elem::Value(compact(v)));
                        out.insert(path.clone());
                        path.pop();
                    }
                }
                _ => {
                    let keys = list.ssa_keys;
                    for v in items {
                        path.push(key_elem(v, keys));
                        collect(v, &list.item, path, out, true);
                        path.pop();
                    }
                }
            }
        }
        _ => {
            if !item && !path.is_empty() {
                out.insert(path.clone());
            }
        }
    }
}

/// Renders a set as `fieldsV1` JSON.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let paths: Vec<&[Elem]> = set.iter().map(Vec::as_slice).collect();
    Value::Object(node(&paths, 0))
}

/// One level of the `fieldsV1` tree: `paths`, which share their first
/// `depth` elements, by their next element, and `.` when the node itself
/// is a member and also has children (not at the root). The set's order
/// puts the node itself first and each child's paths together.
fn node(paths: &[&[Elem]], depth: usize) -> Map<String, Value> {
    let member = paths.first().is_some_and(|path| path.len() == depth);
    let mut rest = &paths[usize::from(member)..];
    let mut map = Map::new();
    if member && depth > 0 && !rest.is_empty() {
        map.insert(".".into(), json!({}));
    }
    while let Some(first) = rest.first() {
        let elem = &first[depth];
        let together = rest.iter().take_while(|path| &path[depth] == elem).count();
        let (child, next) = rest.split_at(together);
        map.insert(elem.render(), Value::Object(node(child, depth + 1)));
        rest = next;
    }
    map
}

/// Parses `fieldsV1` JSON back into a set.
pub fn from_fields_v1(value: &Value) -> FieldSet {
    // Collected, then built into the set at once: the walk meets the paths
    // in (almost always) sorted order, which the set's bulk build takes in
    // one pass, where an insert each searches the tree.
    fn walk(node: &Value, path: &mut Vec<Elem>, paths: &mut Vec<Vec<Elem>>) {
        let Some(map) = node.as_object() else {
            return;
        };
        if !path.is_empty() && (map.is_empty() || map.contains_key(".")) {
            paths.push(path.clone());
        }
        for (k, child) in map {
            if k == "." {
                continue;
            }
            if let Some(elem) = Elem::parse(k) {
                path.push(elem);
                walk(child, path, paths);
                path.pop();
            }
        }
    }
    let mut paths = Vec::new();
    walk(value, &mut Vec::new(), &mut paths);
    paths.into_iter().collect()
}

/// Whether `FieldsToSet` accepts a `fieldsV1` value: nested objects whose
/// keys are `.` or path elements; `k:`, `v:` and `i:` must parse, keys of an
/// unknown type are skipped, keys shorter than two bytes are errors.
pub fn valid_fields_v1(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    map.iter().all(|(k, child)| {
        if k == "." {
            return true;
        }
        let parses = match k.split_at_checked(2) {
            None => false,
            // A JSON object, checked without building it.
            Some(("k:", key)) => {
                key.trim_start_matches([' ', '\t', '\n', '\r'])
                    .starts_with('{')
                    && serde_json::from_str::<serde::de::IgnoredAny>(key).is_ok()
            }
            Some(("v:", v)) => serde_json::from_str::<Value>(v).is_ok(),
            Some(("i:", i)) => i.parse::<i64>().is_ok(),
            Some(("f:", _)) => true,
            Some(_) => return true,
        };
        parses && valid_fields_v1(child)
    })
}

/// structured-merge-diff's `value.Compare` for the scalars a path element
/// holds: numbers (ints and floats together, by value) before strings before
/// booleans before anything else (compared by their JSON text).
fn compare_values(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Number(_) => 0,
            Value::String(_) => 1,
            Value::Bool(_) => 2,
            Value::Array(_) => 3,
            Value::Object(_) => 4,
            Value::Null => 5,
        }
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => {
                let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                x.partial_cmp(&y).unwrap_or(Ordering::Equal)
            }
        },
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| compact(a).cmp(&compact(b))),
    }
}

/// `PathElement.Compare`: field names before keys before values; names by
/// byte order, keys as `FieldList.Compare` (field by field: name, then
/// value), values by `value.Compare`.
fn compare_elems(a: &Elem, b: &Elem) -> Ordering {
    match (a, b) {
        (Elem::Field(x), Elem::Field(y)) => x.cmp(y),
        (Elem::Key(x), Elem::Key(y)) => {
            let x: Map<String, Value> = serde_json::from_str(x).unwrap_or_default();
            let y: Map<String, Value> = serde_json::from_str(y).unwrap_or_default();
            for (l, r) in x.iter().zip(y.iter()) {
                let c = l.0.cmp(r.0).then_with(|| compare_values(l.1, r.1));
                if c != Ordering::Equal {
                    return c;
                }
            }
            x.len().cmp(&y.len())
        }
        (Elem::Value(x), Elem::Value(y)) => {
            let x: Value = serde_json::from_str(x).unwrap_or(Value::Null);
            let y: Value = serde_json::from_str(y).unwrap_or(Value::Null);
            compare_values(&x, &y)
        }
        _ => a.cmp(b),
    }
}

/// The order in which `fieldpath.Set.Iterate` visits paths (a preorder walk
/// where, at each level, the paths ending there come before the subtrees):
/// the order of SSA conflicts in a 409, e.g. `.spec.tolerations` before
/// `.spec.containers[name="web"].image`.
pub fn iterate_order(a: &[Elem], b: &[Elem]) -> Ordering {
    for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
        let (x_ends, y_ends) = (a.len() == i + 1, b.len() == i + 1);
        if x_ends != y_ends {
            return if x_ends {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        let c = compare_elems(x, y);
        if c != Ordering::Equal || x_ends {
            return c;
        }
    }
    a.len().cmp(&b.len())
}

/// Renders a path the way SSA conflict messages do, e.g.
/// `.spec.containers[name="nginx"].image`.
pub fn render_path(path: &[Elem]) -> String {
    let mut out = String::new();
    for elem in path {
        match elem {
            Elem::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Elem::Key(k) => {
                let parsed: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
                let parts: Vec<String> = parsed
                    .iter()
                    .map(|(k, v)| format!("{k}={}", compact(v)))
                    .collect();
                out.push_str(&format!("[{}]", parts.join(",")));
            }
            Elem::Value(v) => out.push_str(&format!("[={v}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::POD_TY;

    fn path(elems: &[&str]) -> Vec<Elem> {
        elems.iter().filter_map(|e| Elem::parse(e)).collect()
    }

    /// A `k:` key is valid exactly when it decodes as a JSON object.
    #[rstest::rstest]
    #[case("{\"name\":\"web\"}")]
    #[case(" \n{\"port\":80,\"protocol\":\"TCP\"} ")]
    #[case("{}")]
    #[case("[1]")]
    #[case("\"web\"")]
    #[case("{\"name\":")]
    #[case("{\"a\":1} x")]
    #[case("\u{a0}{}")]
    fn keys_valid_as_json_objects(#[case] key: &str) {
        let fields = json!({format!("k:{key}"): {}});
        assert_eq!(
            valid_fields_v1(&fields),
            serde_json::from_str::<Map<String, Value>>(key).is_ok()
        );
    }

    #[rstest::rstest]
    #[case::member_before_subtree(&["f:spec", "f:tolerations"], &["f:spec", "f:containers", "k:{\"name\":\"a\"}"])]
    #[case::members_by_name(&["f:spec", "f:a"], &["f:spec", "f:b"])]
    #[case::node_before_its_fields(&["f:spec", "f:lifecycle"], &["f:spec", "f:lifecycle", "f:stopSignal"])]
    #[case::fields_before_keys(&["f:spec", "f:x", "f:z"], &["f:spec", "f:x", "k:{\"name\":\"a\"}", "f:b"])]
    // 9090 < 10000 by value, though not as text.
    #[case::numeric_keys(&["f:p", "k:{\"containerPort\":9090}", "f:x"], &["f:p", "k:{\"containerPort\":10000}", "f:x"])]
    fn iterate_order_matches_set_iterate(#[case] first: &[&str], #[case] second: &[&str]) {
        let (a, b) = (path(first), path(second));
        assert_eq!(iterate_order(&a, &b), Ordering::Less);
        assert_eq!(iterate_order(&b, &a), Ordering::Greater);
    }

    #[test]
    fn create_set_marks_new_nodes() {
        let empty = json!({"metadata": {"creationTimestamp": null}, "spec": {"containers": null}, "status": {}});
        let pod = json!({"metadata": {"name": "web", "labels": {"run": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx", "resources": {}}], "dnsPolicy": "ClusterFirst"}});
        let set = changed(&empty, &pod, &POD_TY, Scope::Main, &[]);
        assert_eq!(
            to_fields_v1(&set),
            json!({"f:metadata": {"f:labels": {".": {}, "f:run": {}}},
                "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}, "f:name": {}, "f:resources": {}}},
                    "f:dnsPolicy": {}}})
        );
        assert_eq!(from_fields_v1(&to_fields_v1(&set)), set);
    }

    /// `+structType=atomic` values (`LabelSelector`, `NodeSelector`,
    /// `NodeSelectorTerm`) are owned as one leaf, however deep they are.
    #[rstest::rstest]
    #[case::spread_label_selector(
        json!({"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone",
            "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"app": "web"}}}]}),
        json!({"f:topologySpreadConstraints": {".": {},
            "k:{\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}": {".": {},
                "f:labelSelector": {}, "f:maxSkew": {}, "f:topologyKey": {}, "f:whenUnsatisfiable": {}}}})
    )]
    #[case::required_node_selector(
        json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchExpressions": [{"key": "k", "operator": "Exists"}]}]}}}}),
        json!({"f:affinity": {".": {}, "f:nodeAffinity": {".": {},
            "f:requiredDuringSchedulingIgnoredDuringExecution": {}}}})
    )]
    #[case::image_pull_secret(
        json!({"imagePullSecrets": [{"name": "reg"}]}),
        json!({"f:imagePullSecrets": {".": {}, "k:{\"name\":\"reg\"}": {}}})
    )]
    fn atomic_structs_are_leaves(#[case] spec: Value, #[case] want: Value) {
        let old = json!({"spec": {}});
        let new = json!({ "spec": spec });
        assert_eq!(
            to_fields_v1(&changed(&old, &new, &POD_TY, Scope::Main, &[])),
            json!({ "f:spec": want })
        );
    }

    #[test]
    fn update_tracks_modified_leaf_only() {
        let old = json!({"spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        let new = json!({"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
        assert_eq!(
            to_fields_v1(&changed(&old, &new, &POD_TY, Scope::Main, &[])),
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {"f:image": {}}}}})
        );
    }

    #[test]
    fn conflict_path_rendering() {
        let path = vec![
            Elem::Field("spec".into()),
            Elem::Field("containers".into()),
            Elem::Key("{\"name\":\"nginx\"}".into()),
            Elem::Field("image".into()),
        ];
        assert_eq!(render_path(&path), ".spec.containers[name=\"nginx\"].image");
    }
}
