//! The usual `Update` upkeep of `metadata.managedFields` without parsing
//! them: when the writer already owns everything it changed and no other
//! set holds a changed or removed field, every set stays as it is and only
//! the writer's time moves, so the entries are kept as JSON (parsing and
//! rendering every entry's `fieldsV1` was most of the upkeep's cost). It
//! answers only when the entries read back as they are written (as every
//! entry the mock wrote does); otherwise the caller takes the parsed way.
//! It must not decide ownership beyond telling a set unchanged.

use serde_json::Value;

use crate::merge::fieldpath::{Elem, FieldSet, Scope};

/// The entries of `list` after an `Update` by `manager` at `scope` that
/// changed `changed` and removed `removed`, sorted as
/// `sortEncodedManagedFields` does, when no set changes; `Err(list)`
/// untouched otherwise.
pub(super) fn upkeep(
    list: Vec<Value>,
    changed: &FieldSet,
    removed: &FieldSet,
    manager: &str,
    scope: Scope,
    now: &str,
) -> Result<Vec<Value>, Vec<Value>> {
    let own = Owner { manager, scope };
    let Some(order) = order_if_unchanged(&list, changed, removed, own, now) else {
        return Err(list);
    };
    let mut slots: Vec<Option<Value>> = list.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for (at, timed) in order {
        let Some(mut entry) = slots[at].take() else {
            continue;
        };
        if timed && let Some(entry) = entry.as_object_mut() {
            entry.insert("time".into(), Value::String(now.to_string()));
        }
        out.push(entry);
    }
    Ok(out)
}

/// The written order of `list`'s entries (index, whether it is the
/// owner's and takes the time `now`: when something changed), if every set
/// stays as it is and every entry is written back as it reads.
fn order_if_unchanged(
    list: &[Value],
    changed: &FieldSet,
    removed: &FieldSet,
    own: Owner<'_>,
    now: &str,
) -> Option<Vec<(usize, bool)>> {
    let heads: Vec<Head<'_>> = list.iter().map(Head::read).collect::<Option<_>>()?;
    // A repeated manager identifier: the later entry replaces the earlier.
    for (i, head) in heads.iter().enumerate() {
        if heads[..i].iter().any(|earlier| earlier.same_manager(head)) {
            return None;
        }
    }
    let owner = heads.iter().position(|h| h.is_owner(own));
    if owner.is_none() && !changed.is_empty() {
        return None;
    }
    for (i, head) in heads.iter().enumerate() {
        let untouched = if Some(i) == owner {
            // The owner's set loses what went away and gains what changed.
            changed.iter().all(|p| holds(head.fields, p))
                && !removed
                    .iter()
                    .any(|p| !changed.contains(p) && holds(head.fields, p))
        } else {
            !changed.iter().chain(removed).any(|p| holds(head.fields, p))
        };
        if !untouched {
            return None;
        }
    }
    let moved = !changed.is_empty();
    let time = |i: usize| {
        if moved && Some(i) == owner {
            Some(now)
        } else {
            heads[i].time
        }
    };
    let mut order: Vec<usize> = (0..heads.len()).collect();
    // sortEncodedManagedFields: Apply before Update, then time, manager.
    order.sort_by(|&a, &b| {
        let (x, y) = (&heads[a], &heads[b]);
        x.operation
            .cmp(y.operation)
            .then_with(|| time(a).cmp(&time(b)))
            .then_with(|| x.manager.cmp(y.manager))
            .then_with(|| x.api_version.cmp(y.api_version))
            .then_with(|| x.subresource.cmp(y.subresource))
    });
    Some(
        order
            .into_iter()
            .map(|i| (i, moved && Some(i) == owner))
            .collect(),
    )
}

/// The writer an `Update` records, at its endpoint.
#[derive(Debug, Clone, Copy)]
struct Owner<'a> {
    manager: &'a str,
    scope: Scope,
}

/// An entry's identifying members, read only from an entry that
/// rendering its parsed form would give back unchanged.
struct Head<'a> {
    manager: &'a str,
    operation: &'a str,
    api_version: &'a str,
    time: Option<&'a str>,
    subresource: &'a str,
    fields: &'a Value,
}

impl<'a> Head<'a> {
    fn read(entry: &'a Value) -> Option<Head<'a>> {
        let map = entry.as_object()?;
        let text = |key: &str| map.get(key).map(Value::as_str);
        // Members a written entry leaves out when empty, or always writes.
        let optional = |key: &str| match text(key) {
            None => Some(""),
            Some(Some(s)) if !s.is_empty() => Some(s),
            Some(_) => None,
        };
        let head = Head {
            manager: optional("manager")?,
            operation: text("operation")??,
            api_version: text("apiVersion")??,
            time: match text("time") {
                None => None,
                Some(time) => Some(time?),
            },
            subresource: optional("subresource")?,
            fields: map.get("fieldsV1")?,
        };
        let members = 4
            + usize::from(!head.manager.is_empty())
            + usize::from(head.time.is_some())
            + usize::from(!head.subresource.is_empty());
        let canonical = map.len() == members
            && text("fieldsType") == Some(Some("FieldsV1"))
            && canonical_set(head.fields, true);
        canonical.then_some(head)
    }

    fn same_manager(&self, other: &Head<'_>) -> bool {
        self.manager == other.manager
            && self.operation == other.operation
            && self.subresource == other.subresource
            && (self.operation == "Update" || self.api_version == other.api_version)
    }

    fn is_owner(&self, own: Owner<'_>) -> bool {
        self.manager == own.manager
            && self.operation == "Update"
            && self.subresource == own.scope.subresource()
    }
}

/// Whether `fieldsV1` JSON is what rendering its parsed set gives: a
/// non-empty root without `.`, every other node either empty (a member
/// without children) or holding children and, only when it is a member
/// too, `.: {}`; every key a path element that parses.
fn canonical_set(node: &Value, root: bool) -> bool {
    let Some(map) = node.as_object() else {
        return false;
    };
    if let Some(dot) = map.get(".") {
        let children = map.len() - 1;
        if root || children == 0 || dot.as_object().is_none_or(|m| !m.is_empty()) {
            return false;
        }
    } else if root && map.is_empty() {
        return false;
    }
    map.iter().all(|(key, child)| {
        key == "."
            || (matches!(key.get(..2), Some("f:" | "k:" | "v:")) && canonical_set(child, false))
    })
}

/// Whether the set `fieldsV1` (canonical) holds `path`.
fn holds(fields: &Value, path: &[Elem]) -> bool {
    let mut node = fields;
    for elem in path {
        let Some(child) = node.as_object().and_then(|m| m.get(elem.render().as_str())) else {
            return false;
        };
        node = child;
    }
    !path.is_empty()
        && node
            .as_object()
            .is_some_and(|m| m.is_empty() || m.contains_key("."))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::merge::fieldpath::{from_fields_v1, to_fields_v1};

    fn path(names: &[&str]) -> Vec<Elem> {
        names.iter().map(|n| Elem::Field(n.to_string())).collect()
    }

    #[test]
    fn canonical_sets_are_those_that_render_back() {
        for fields in [
            json!({"f:metadata": {"f:labels": {".": {}, "f:a": {}}}}),
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}}),
        ] {
            assert!(canonical_set(&fields, true));
            assert_eq!(to_fields_v1(&from_fields_v1(&fields)), fields);
        }
        // An empty set renders back, but its entry is not written.
        assert!(!canonical_set(&json!({}), true));
        assert!(from_fields_v1(&json!({})).is_empty());
        for fields in [
            json!({".": {}, "f:a": {}}),
            json!({"f:a": {".": {}}}),
            json!({"f:a": {".": {"x": 1}, "f:b": {}}}),
            json!({"i:1": {}}),
            json!({"f:a": 1}),
        ] {
            assert!(!canonical_set(&fields, true), "{fields}");
            assert_ne!(to_fields_v1(&from_fields_v1(&fields)), fields);
        }
    }

    #[test]
    fn holds_members_only() {
        let fields =
            json!({"f:metadata": {"f:labels": {"f:a": {}}, "f:annotations": {".": {}, "f:b": {}}}});
        assert!(holds(&fields, &path(&["metadata", "labels", "a"])));
        assert!(holds(&fields, &path(&["metadata", "annotations"])));
        assert!(!holds(&fields, &path(&["metadata", "labels"])));
        assert!(!holds(&fields, &path(&["metadata", "labels", "b"])));
        assert!(!holds(&fields, &[]));
    }

    #[test]
    fn keeps_entries_only_while_no_set_changes() {
        let entry = |manager: &str, time: &str, fields: Value| {
            json!({"manager": manager, "operation": "Update", "apiVersion": "v1",
                "time": time, "fieldsType": "FieldsV1", "fieldsV1": fields})
        };
        let list = vec![
            entry("b", "t1", json!({"f:metadata": {"f:labels": {"f:x": {}}}})),
            entry("a", "t2", json!({"f:spec": {"f:x": {}}})),
        ];
        let own = ("b", Scope::Main);
        let changed: FieldSet = [path(&["metadata", "labels", "x"])].into();
        let kept = upkeep(list.clone(), &changed, &changed, own.0, own.1, "t3").expect("unchanged");
        assert_eq!(kept[0]["manager"], json!("a"));
        assert_eq!(
            kept[1],
            entry("b", "t3", json!({"f:metadata": {"f:labels": {"f:x": {}}}}))
        );
        // Another manager's field changed: its set changes.
        let theirs: FieldSet = [path(&["spec", "x"])].into();
        assert!(upkeep(list.clone(), &theirs, &FieldSet::new(), own.0, own.1, "t3").is_err());
        // The owner gains a field.
        let more: FieldSet = [path(&["metadata", "labels", "y"])].into();
        assert!(upkeep(list, &more, &FieldSet::new(), own.0, own.1, "t3").is_err());
    }
}
