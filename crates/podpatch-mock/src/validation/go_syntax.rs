//! How validation quoted bad values before 1.34 (`field.Error.ErrorBody`):
//! Go's `%#v` of the internal types (`[]string{"a", "b"}`,
//! `map[string]string{"k":"v"}`, `core.NodeSelectorTerm{…}`, a nil slice
//! or map as `[]T(nil)`) and a `metav1.Time` by its `String()`. It renders
//! values the caller hands it; it must not decide what is valid.

use serde_json::{Map, Value};

use crate::golang::format::go_quote;
use crate::validation::value::s;

/// `%#v` of a Go `[]string` (nil when `None`).
pub fn string_slice(items: Option<&Vec<Value>>) -> String {
    match items {
        None => "[]string(nil)".to_owned(),
        Some(items) => {
            let quoted: Vec<String> = items
                .iter()
                .map(|v| go_quote(v.as_str().unwrap_or_default()))
                .collect();
            format!("[]string{{{}}}", quoted.join(", "))
        }
    }
}

/// `%#v` of a Go `map[string]string` (nil when `None`): keys sorted.
pub fn string_map(map: Option<&Map<String, Value>>) -> String {
    match map {
        None => "map[string]string(nil)".to_owned(),
        Some(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let shown: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}:{}",
                        go_quote(k),
                        go_quote(v.as_str().unwrap_or_default())
                    )
                })
                .collect();
            format!("map[string]string{{{}}}", shown.join(", "))
        }
    }
}

/// `%#v` of a `[]core.NodeSelectorTerm` (nil when `None`).
pub fn node_selector_terms(terms: Option<&Vec<Value>>) -> String {
    match terms {
        None => "[]core.NodeSelectorTerm(nil)".to_owned(),
        Some(terms) => {
            let shown: Vec<String> = terms.iter().map(node_selector_term).collect();
            format!("[]core.NodeSelectorTerm{{{}}}", shown.join(", "))
        }
    }
}

/// `%#v` of a `core.NodeSelectorTerm`.
pub fn node_selector_term(term: &Value) -> String {
    let requirements = |key: &str| match term.get(key).and_then(Value::as_array) {
        None => "[]core.NodeSelectorRequirement(nil)".to_owned(),
        Some(list) => {
            let shown: Vec<String> = list
                .iter()
                .map(|r| {
                    format!(
                        "core.NodeSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        go_quote(s(r, "key")),
                        go_quote(s(r, "operator")),
                        string_slice(r.get("values").and_then(Value::as_array)),
                    )
                })
                .collect();
            format!("[]core.NodeSelectorRequirement{{{}}}", shown.join(", "))
        }
    };
    format!(
        "core.NodeSelectorTerm{{MatchExpressions:{}, MatchFields:{}}}",
        requirements("matchExpressions"),
        requirements("matchFields")
    )
}

/// A `metav1.Time` by `time.Time.String()` (`2030-01-01 00:00:00 +0000
/// UTC`); text that is no RFC 3339 time is shown as it is.
pub fn time(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string(),
        Err(_) => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_as_go_sharp_v() {
        assert_eq!(
            string_slice(Some(&vec![json!("x"), json!("y")])),
            r#"[]string{"x", "y"}"#
        );
        let map = json!({"zone": "a", "disktype": "hdd"});
        assert_eq!(
            string_map(map.as_object()),
            r#"map[string]string{"disktype":"hdd", "zone":"a"}"#
        );
        assert_eq!(string_map(None), "map[string]string(nil)");
        let term = json!({"matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]});
        assert_eq!(
            node_selector_term(&term),
            r#"core.NodeSelectorTerm{MatchExpressions:[]core.NodeSelectorRequirement{core.NodeSelectorRequirement{Key:"k", Operator:"In", Values:[]string{"v"}}}, MatchFields:[]core.NodeSelectorRequirement(nil)}"#
        );
        assert_eq!(
            time("2030-01-01T00:00:00Z"),
            "2030-01-01 00:00:00 +0000 UTC"
        );
    }
}
