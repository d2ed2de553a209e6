//! A typed Go value and the two texts apimachinery's `field.Error` prints
//! for it: `fmt`'s `%#v` (Go syntax, what 1.33 and older show for a bad
//! value that is neither a string, a number, a bool nor a `fmt.Stringer`)
//! and `encoding/json` of a struct without JSON tags (what 1.34 and newer
//! show: Go field names, nothing omitted). Only text: the values come typed
//! from their caller, nothing here knows a Kubernetes type.

use serde_json::Value;

use crate::golang::format::{go_quote, write_joined};
use crate::golang::json_encode::compact_string;
use crate::schema::Ty;

/// What `%#v` prints for a pointer's address. The server's heap address is
/// no answer a client can predict (the runner normalises any address), so
/// one plausible address stands for all.
const ADDRESS: &str = "0xc000000000";

/// A Go value with the type names `%#v` shows.
#[derive(Debug, Clone, PartialEq)]
pub enum GoValue {
    /// A `bool`.
    Bool(bool),
    /// Any integer type (`%#v` prints the number alone, whatever its name).
    Int(i64),
    /// A `string` or a named string type (`%#v` quotes it, without the name).
    Str(String),
    /// A nil pointer, slice or map of the Go type named (`*bool`, `[]string`).
    Nil(String),
    /// A non-nil pointer of the Go type named, to its target.
    Ptr(String, Box<GoValue>),
    /// A non-nil slice of the Go type named (`[]core.PodIP`).
    Slice(String, Vec<GoValue>),
    /// A non-nil map with string keys, of the Go type named
    /// (`map[string]string`); `%#v` sorts the keys.
    Map(String, Vec<(String, GoValue)>),
    /// A struct of the Go type named, its fields in declaration order.
    Struct(String, Vec<(&'static str, GoValue)>),
    /// A value with its own `MarshalJSON` (`resource.Quantity`): the
    /// struct `%#v` shows, and the JSON text it marshals to.
    Marshaler(Box<GoValue>, Value),
}

impl GoValue {
    /// `fmt.Sprintf("%#v", v)`.
    pub fn sharp_v(&self) -> String {
        let mut out = String::new();
        self.write_sharp_v(&mut out, 0);
        out
    }

    fn write_sharp_v(&self, out: &mut String, depth: usize) {
        match self {
            GoValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GoValue::Int(i) => out.push_str(&i.to_string()),
            GoValue::Str(s) => out.push_str(&go_quote(s)),
            // A pointer type is parenthesised, a slice or map type not.
            GoValue::Nil(ty) if ty.starts_with('*') => out.push_str(&format!("({ty})(nil)")),
            GoValue::Nil(ty) => out.push_str(&format!("{ty}(nil)")),
            // fmt prints `&` and the target only for a pointer to a
            // composite at the top; deeper, the address.
            GoValue::Ptr(_, target) if depth == 0 && target.is_composite() => {
                out.push('&');
                target.write_sharp_v(out, depth + 1);
            }
            GoValue::Ptr(ty, _) => out.push_str(&format!("({ty})({ADDRESS})")),
            GoValue::Slice(ty, items) => {
                out.push_str(ty);
                out.push('{');
                write_joined(out, items, ", ", |out, item| {
                    item.write_sharp_v(out, depth + 1);
                });
                out.push('}');
            }
            GoValue::Map(ty, entries) => {
                let mut sorted: Vec<&(String, GoValue)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push_str(ty);
                out.push('{');
                write_joined(out, sorted, ", ", |out, (key, value)| {
                    out.push_str(&go_quote(key));
                    out.push(':');
                    value.write_sharp_v(out, depth + 1);
                });
                out.push('}');
            }
            GoValue::Struct(ty, fields) => {
                out.push_str(ty);
                out.push('{');
                write_joined(out, fields, ", ", |out, (name, value)| {
                    out.push_str(name);
                    out.push(':');
                    value.write_sharp_v(out, depth + 1);
                });
                out.push('}');
            }
            GoValue::Marshaler(inner, _) => inner.write_sharp_v(out, depth),
        }
    }

    fn is_composite(&self) -> bool {
        matches!(
            self,
            GoValue::Slice(..) | GoValue::Map(..) | GoValue::Struct(..) | GoValue::Marshaler(..)
        )
    }

    /// `json.Marshal(v)` of a value whose structs have no JSON tags: Go
    /// field names in declaration order, nil as `null`, map keys sorted.
    pub fn json(&self) -> String {
        match self {
            GoValue::Bool(b) => b.to_string(),
            GoValue::Int(i) => i.to_string(),
            GoValue::Str(s) => compact_string(&Value::String(s.clone()), &Ty::Any),
            GoValue::Nil(_) => "null".to_owned(),
            GoValue::Ptr(_, target) => target.json(),
            GoValue::Slice(_, items) => {
                let items: Vec<String> = items.iter().map(GoValue::json).collect();
                format!("[{}]", items.join(","))
            }
            GoValue::Map(_, entries) => {
                let mut sorted: Vec<&(String, GoValue)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                let entries: Vec<String> = sorted
                    .into_iter()
                    .map(|(k, v)| format!("{}:{}", GoValue::Str(k.clone()).json(), v.json()))
                    .collect();
                format!("{{{}}}", entries.join(","))
            }
            GoValue::Struct(_, fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(name, v)| format!("\"{name}\":{}", v.json()))
                    .collect();
                format!("{{{}}}", fields.join(","))
            }
            GoValue::Marshaler(_, json) => compact_string(json, &Ty::Any),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(privileged: GoValue) -> GoValue {
        GoValue::Struct(
            "core.SecurityContext".into(),
            vec![
                ("Capabilities", GoValue::Nil("*core.Capabilities".into())),
                ("Privileged", privileged),
            ],
        )
    }

    #[test]
    fn sharp_v_prints_go_syntax() {
        let set = GoValue::Ptr("*bool".into(), Box::new(GoValue::Bool(true)));
        assert_eq!(
            sc(set.clone()).sharp_v(),
            "core.SecurityContext{Capabilities:(*core.Capabilities)(nil), Privileged:(*bool)(0xc000000000)}"
        );
        assert_eq!(sc(set).json(), r#"{"Capabilities":null,"Privileged":true}"#);
        let map = GoValue::Map(
            "map[string]string".into(),
            vec![
                ("zone".into(), GoValue::Str("a".into())),
                ("disk".into(), GoValue::Str("h\"d".into())),
            ],
        );
        assert_eq!(
            map.sharp_v(),
            r#"map[string]string{"disk":"h\"d", "zone":"a"}"#
        );
        assert_eq!(map.json(), r#"{"disk":"h\"d","zone":"a"}"#);
        let slice = GoValue::Slice("[]string".into(), vec![GoValue::Str("x".into())]);
        assert_eq!(slice.sharp_v(), r#"[]string{"x"}"#);
        assert_eq!(GoValue::Nil("[]string".into()).sharp_v(), "[]string(nil)");
    }

    #[test]
    fn a_top_level_pointer_to_a_struct_prints_its_target() {
        let ptr = GoValue::Ptr("*core.X".into(), Box::new(sc(GoValue::Int(1))));
        assert!(ptr.sharp_v().starts_with("&core.SecurityContext{"));
    }
}
