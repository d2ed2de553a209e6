//! Go zero values as `json.Marshal` writes them for the pod types (a zero
//! `metav1.Time` is `null`, a zero `resource.Quantity` is `"0"`), and
//! `encoding/json`'s `isEmptyValue`, the `omitempty` test. Values only: it
//! must not decode or compare.

use serde_json::{Map, Value};

use crate::schema::{Presence, Ty};

/// Go's `omitempty` emptiness.
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// The JSON a Go zero value of `ty` marshals to.
pub fn zero(ty: &'static Ty) -> Value {
    match ty.resolved() {
        Ty::Str | Ty::Time | Ty::Quantity => match ty {
            // A zero metav1.Time marshals as null.
            Ty::Time => Value::Null,
            Ty::Quantity => Value::String("0".into()),
            _ => Value::String(String::new()),
        },
        Ty::Int | Ty::Int32 | Ty::IntOrString => Value::from(0),
        Ty::Bool => Value::Bool(false),
        Ty::Struct(st) => {
            let mut out = Map::new();
            for field in st.fields {
                if st.presence(field) == Presence::Always {
                    out.insert(field.name.to_string(), zero(&field.ty));
                }
            }
            Value::Object(out)
        }
        Ty::List(_) | Ty::Map(_) | Ty::AtomicMap(_) | Ty::Any => Value::Null,
        Ty::Atomic(inner) => zero(inner),
    }
}
