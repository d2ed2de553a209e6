//! The schema check of an apply configuration
//! (`structured-merge-diff`'s `typed.AsTyped` validation): undeclared
//! fields, wrong scalar types and refused list items, worded as
//! `.metadata.uid: expected string, got …`. It does not merge.

use serde_json::Value;

use crate::golang::format::{go_fmt, go_sharp_v, go_type_of};
use crate::merge::fieldpath::{self, Elem};
use crate::schema::{ListKind, POD_TY, Ty};

/// structured-merge-diff's schema validation of an applied configuration:
/// unknown fields and type mismatches, in its wording and path syntax.
pub fn schema_errors(config: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    walk_schema(
        &fieldpath::tracked_for_schema(config),
        &POD_TY,
        &mut Vec::new(),
        &mut errs,
    );
    errs
}

/// `path` holds rendered segments (`.spec`, `[name="web"]`, `[0]`).
fn walk_schema(value: &Value, ty: &'static Ty, path: &mut Vec<String>, errs: &mut Vec<String>) {
    if value.is_null() {
        return;
    }
    // structured-merge-diff prints the offending value three ways: `%#v`
    // for strings, `%T` of the plain value for numbers, `%v` otherwise.
    let sharp_v = || format!("&value.valueUnstructured{{Value:{}}}", go_sharp_v(value));
    let v = || format!("&{{{}}}", go_fmt(value));
    let at = |path: &[String]| path.concat();
    match ty.resolved() {
        Ty::Atomic(inner) => walk_schema(value, inner, path, errs),
        // `x-kubernetes-int-or-string` is deduced: any value passes.
        Ty::Any | Ty::IntOrString => {}
        Ty::Str => {
            if !value.is_string() {
                errs.push(format!("{}: expected string, got {}", at(path), sharp_v()));
            }
        }
        // Types with their own JSON form (`Time`, `Quantity`) are untyped
        // scalars: any scalar passes, to fail later in their decoder.
        Ty::Time | Ty::Quantity => {
            if value.is_object() || value.is_array() {
                errs.push(format!("{}: expected any scalar, got {}", at(path), v()));
            }
        }
        Ty::Int | Ty::Int32 => {
            if !value.is_number() {
                errs.push(format!(
                    "{}: expected numeric (int or float), got {}",
                    at(path),
                    go_type_of(value)
                ));
            }
        }
        Ty::Bool => {
            if !value.is_boolean() {
                errs.push(format!("{}: expected boolean, got {}", at(path), v()));
            }
        }
        Ty::Struct(_) | Ty::Map(_) | Ty::AtomicMap(_) => {
            let Value::Object(map) = value else {
                errs.push(format!("{}: expected map, got {}", at(path), v()));
                return;
            };
            // `visitMapItems` stops walking a map at its first undeclared
            // field (in Go's random map order; here in key order).
            for (k, child) in map {
                path.push(format!(".{k}"));
                let member = ty.member(k);
                match member {
                    Some(member) => walk_schema(child, member, path, errs),
                    None => errs.push(format!("{}: field not declared in schema", at(path))),
                }
                path.pop();
                if member.is_none() {
                    break;
                }
            }
        }
        Ty::List(list) => {
            let Value::Array(items) = value else {
                errs.push(format!("{}: expected list, got {}", at(path), v()));
                return;
            };
            let keys = list.ssa_keys;
            let mut seen = Vec::new();
            for (i, item) in items.iter().enumerate() {
                // `keyedAssociativeListItemToPathElement` and
                // `setItemToPathElement` refuse these items outright.
                let refused = match (list.ssa_kind(), item) {
                    (ListKind::Merge(_), Value::Null) => {
                        Some("associative list with keys may not have a null element")
                    }
                    (ListKind::Merge(_), other) if !other.is_object() => {
                        Some("associative list with keys may not have non-map elements")
                    }
                    (ListKind::Set, Value::Object(_)) => {
                        Some("associative list without keys has an element that's a map type")
                    }
                    (ListKind::Set, Value::Array(_)) => {
                        Some("not supported: associative list with lists as elements")
                    }
                    (ListKind::Set, Value::Null) => {
                        Some("associative list without keys has an element that's an explicit null")
                    }
                    _ => None,
                };
                if let Some(why) = refused {
                    errs.push(format!("{}: element {i}: {why}", at(path)));
                    continue;
                }
                let elem = match list.ssa_kind() {
                    ListKind::Merge(_) => Some(fieldpath::key_elem(item, keys)),
                    // A set item is named by its value (`[="a"]`).
                    ListKind::Set => {
                        Some(Elem::Value(serde_json::to_string(item).unwrap_or_default()))
                    }
                    ListKind::Atomic => None,
                };
                let segment = match elem {
                    Some(elem) => {
                        let segment = fieldpath::render_path(std::slice::from_ref(&elem));
                        // Reported on the list, before the item's own errors.
                        if seen.contains(&elem) {
                            errs.push(format!("{}: duplicate entries for key {segment}", at(path)));
                        }
                        seen.push(elem);
                        segment
                    }
                    None => format!("[{i}]"),
                };
                path.push(segment);
                walk_schema(item, &list.item, path, errs);
                path.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[rstest::rstest]
    #[case(json!({"finalizers": [null]}), ".metadata.finalizers: element 0: associative list without keys has an element that's an explicit null")]
    #[case(json!({"finalizers": ["a", {"b": 1}]}), ".metadata.finalizers: element 1: associative list without keys has an element that's a map type")]
    #[case(json!({"ownerReferences": [null]}), ".metadata.ownerReferences: element 0: associative list with keys may not have a null element")]
    #[case(json!({"ownerReferences": ["p"]}), ".metadata.ownerReferences: element 0: associative list with keys may not have non-map elements")]
    fn refused_list_items(#[case] metadata: Value, #[case] want: &str) {
        let errs = schema_errors(&json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata}));
        assert_eq!(errs, vec![want.to_string()]);
    }

    #[test]
    fn an_undeclared_field_ends_its_map() {
        let errs = schema_errors(&json!({"spec": {"securityContext":
            {"privileged": true, "runAsNonRoot": " "}, "setHostnameAsFQDN": 1}}));
        assert_eq!(
            errs,
            vec![
                ".spec.securityContext.privileged: field not declared in schema".to_string(),
                ".spec.setHostnameAsFQDN: expected boolean, got &{1}".to_string(),
            ]
        );
    }

    #[test]
    fn a_null_key_is_its_own_item() {
        let ports = |p: Value| {
            schema_errors(&json!({"spec": {"containers": [{"name": "web", "ports": p}]}}))
        };
        assert_eq!(
            ports(json!([{}, {"containerPort": null}])),
            Vec::<String>::new()
        );
        assert_eq!(
            ports(json!([{"containerPort": null}, {"containerPort": null}])),
            vec![
                ".spec.containers[name=\"web\"].ports: duplicate entries for key [containerPort=null,protocol=\"TCP\"]"
                    .to_string()
            ]
        );
    }

    #[test]
    fn schema_errors_read_like_structured_merge_diff() {
        let errs = schema_errors(&json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "uid": 1234}, "spec": {"foo": 1}}));
        assert_eq!(
            errs,
            vec![
                ".metadata.uid: expected string, got &value.valueUnstructured{Value:1234}"
                    .to_string(),
                ".spec.foo: field not declared in schema".to_string(),
            ]
        );
    }
}
