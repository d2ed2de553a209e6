//! `apiequality.Semantic.DeepEqual` (k8s.io/apimachinery/pkg/api/equality)
//! on decoded values: quantities by amount, nil and empty collections
//! alike, pointers told from values. It compares only; it must not decode
//! or default.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::golang::zero::is_empty;
use crate::schema::{Presence, Ty};

/// `apiequality.Semantic.DeepEqual` on two decoded values of `ty` (`None`
/// for an absent field): quantities compare by amount (`64Mi` equals
/// `67108864`), nil and empty slices and maps are equal, an unset value
/// equals its zero value, and a pointer (`Presence::Ptr`) that is set never
/// equals one that is not.
pub fn semantic_eq(a: Option<&Value>, b: Option<&Value>, ty: &'static Ty) -> bool {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    let (a, b) = match (a, b) {
        (None, None) => return true,
        (Some(a), Some(b)) => (a, b),
        (Some(v), None) | (None, Some(v)) => return is_zero(v, ty),
    };
    // Equal JSON is equal under every rule below; most of an update's
    // subtrees are unchanged, and comparing them as JSON is far cheaper than
    // walking them by their schema.
    if a == b {
        return true;
    }
    match ty.resolved() {
        Ty::Quantity => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => match (
                crate::golang::quantity::Quantity::parse(x),
                crate::golang::quantity::Quantity::parse(y),
            ) {
                (Some(x), Some(y)) => x == y,
                _ => x == y,
            },
            _ => a == b,
        },
        Ty::Struct(st) => {
            let (Some(x), Some(y)) = (a.as_object(), b.as_object()) else {
                return a == b;
            };
            // A field absent from both sides is equal: only the keys either
            // side holds are compared.
            members(x, y).all(|(k, fx, fy)| {
                let Some(f) = st.fields.iter().find(|f| f.name == k) else {
                    // Keys the schema does not model compare as JSON.
                    return fx == fy;
                };
                if f.presence == Presence::Ptr {
                    let set = |v: Option<&Value>| v.is_some_and(|v| !v.is_null());
                    if set(fx) != set(fy) {
                        return false;
                    }
                }
                semantic_eq(fx, fy, &f.ty)
            })
        }
        Ty::List(list) => match (a.as_array(), b.as_array()) {
            (Some(x), Some(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(i, j)| semantic_eq(Some(i), Some(j), &list.item))
            }
            _ => a == b,
        },
        Ty::Map(item) | Ty::AtomicMap(item) => match (a.as_object(), b.as_object()) {
            (Some(x), Some(y)) => {
                x.len() == y.len()
                    && x.iter().all(|(k, v)| {
                        y.get(k)
                            .is_some_and(|w| semantic_eq(Some(v), Some(w), item))
                    })
            }
            _ => a == b,
        },
        _ => a == b,
    }
}

/// The keys of two objects in order, each once, with its value on either
/// side (the maps iterate sorted).
fn members<'a>(
    x: &'a Map<String, Value>,
    y: &'a Map<String, Value>,
) -> impl Iterator<Item = (&'a str, Option<&'a Value>, Option<&'a Value>)> {
    let (mut x, mut y) = (x.iter().peekable(), y.iter().peekable());
    std::iter::from_fn(move || {
        let order = match (x.peek(), y.peek()) {
            (None, None) => return None,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((kx, _)), Some((ky, _))) => kx.cmp(ky),
        };
        Some(match order {
            Ordering::Less => x.next().map(|(k, v)| (k.as_str(), Some(v), None))?,
            Ordering::Greater => y.next().map(|(k, v)| (k.as_str(), None, Some(v)))?,
            Ordering::Equal => {
                let ((k, vx), (_, vy)) = (x.next()?, y.next()?);
                (k.as_str(), Some(vx), Some(vy))
            }
        })
    })
}

/// Whether a set value equals the Go zero value of `ty` under
/// [`semantic_eq`] (an empty slice or map is the nil one).
fn is_zero(v: &Value, ty: &'static Ty) -> bool {
    match (ty.resolved(), v) {
        (Ty::Struct(st), Value::Object(map)) => map.iter().all(|(k, v)| {
            st.fields
                .iter()
                .find(|f| f.name == k.as_str())
                .is_some_and(|f| f.presence != Presence::Ptr && is_zero(v, &f.ty))
        }),
        (Ty::Quantity, Value::String(s)) => {
            crate::golang::quantity::Quantity::parse(s).is_some_and(|q| q.is_zero())
        }
        _ => is_empty(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::POD_TY;
    use serde_json::json;

    #[rstest::rstest]
    #[case(json!({"memory": "128Mi"}), json!({"memory": "134217728"}), true)]
    #[case(json!({"cpu": "100m"}), json!({"cpu": "0.1"}), true)]
    #[case(json!({"memory": "128Mi"}), json!({"memory": "128M"}), false)]
    #[case(json!({"memory": "1Gi"}), json!({"memory": "1Gi", "cpu": "1"}), false)]
    fn quantities_compare_by_value(#[case] a: Value, #[case] b: Value, #[case] equal: bool) {
        let spec =
            |limits: Value| json!({"containers": [{"name": "c", "resources": {"limits": limits}}]});
        let ty = POD_TY.member("spec").expect("spec");
        assert_eq!(semantic_eq(Some(&spec(a)), Some(&spec(b)), ty), equal);
    }

    #[test]
    fn semantic_equality() {
        let spec = POD_TY.member("spec").expect("spec");
        let with = |res: Value| json!({"containers": [{"name": "c", "resources": res}]});
        // Quantities by amount.
        assert!(semantic_eq(
            Some(&with(json!({"requests": {"memory": "64Mi"}}))),
            Some(&with(json!({"requests": {"memory": "67108864"}}))),
            spec
        ));
        assert!(!semantic_eq(
            Some(&with(json!({"requests": {"memory": "64Mi"}}))),
            Some(&with(json!({"requests": {"memory": "64M"}}))),
            spec
        ));
        // An empty map is the nil one; a missing map key is not a zero one.
        assert!(semantic_eq(
            Some(&with(json!({"requests": {}}))),
            Some(&with(json!({}))),
            spec
        ));
        assert!(!semantic_eq(
            Some(&with(json!({"requests": {"cpu": "0"}}))),
            Some(&with(json!({}))),
            spec
        ));
        // A set pointer never equals an unset one, even when empty.
        assert!(!semantic_eq(
            Some(&json!({"resources": {}})),
            Some(&json!({})),
            spec
        ));
        assert!(semantic_eq(
            Some(&json!({"hostNetwork": false})),
            Some(&json!({})),
            spec
        ));
    }

    /// Keys the schema does not model compare as JSON, on either side.
    #[rstest::rstest]
    #[case(json!({"x": 1, "hostNetwork": false}), json!({"x": 1}), true)]
    #[case(json!({"x": 1}), json!({"x": 2}), false)]
    #[case(json!({"a": {}, "hostNetwork": false}), json!({}), false)]
    #[case(json!({}), json!({"zz": null}), false)]
    fn unmodelled_keys_compare_as_json(#[case] a: Value, #[case] b: Value, #[case] equal: bool) {
        let spec = POD_TY.member("spec").expect("spec");
        assert_eq!(semantic_eq(Some(&a), Some(&b), spec), equal);
        assert_eq!(semantic_eq(Some(&b), Some(&a), spec), equal);
    }
}
