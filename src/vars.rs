//! Case variables (`${pod}`, `${namespace}`): the per-run names a case file cannot
//! know in advance, substituted into requests and expectations before use.
//!
//! Substitution is purely textual and happens only here, so every stage sees the
//! same names.

use serde_json::Value;

/// The values of the variables for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vars {
    /// The case's pod name, unique per run.
    pub pod: String,
    /// The namespace the case's requests are aimed at.
    pub namespace: String,
}

impl Vars {
    /// Stand-in values, for checking case files without a run.
    pub fn placeholder() -> Vars {
        Vars {
            pod: "pod".into(),
            namespace: "namespace".into(),
        }
    }

    /// Substitutes the variables in a string.
    pub fn apply(&self, text: &str) -> String {
        text.replace("${pod}", &self.pod)
            .replace("${namespace}", &self.namespace)
    }

    /// Substitutes the variables in a regular expression, escaped as literals.
    pub fn apply_regex(&self, pattern: &str) -> String {
        pattern
            .replace("${pod}", &regex::escape(&self.pod))
            .replace("${namespace}", &regex::escape(&self.namespace))
    }

    /// Substitutes the variables in every string (keys included) of a JSON value.
    pub fn apply_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.apply(s)),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.apply_value(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (self.apply(k), self.apply_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn substitutes_everywhere() {
        let vars = Vars {
            pod: "web-1".into(),
            namespace: "ns".into(),
        };
        assert_eq!(
            vars.apply_value(&json!({"m": "pods \"${pod}\" in ${namespace}", "n": [1, "${pod}"]})),
            json!({"m": "pods \"web-1\" in ns", "n": [1, "web-1"]})
        );
        assert_eq!(vars.apply_regex("^${pod}$"), "^web\\-1$");
    }
}
