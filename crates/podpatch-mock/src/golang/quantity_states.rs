//! The quantities of a decoded object as Go holds them until it serialises
//! the object, by the field path Go's errors name
//! (`spec.containers[0].resources.limits[example.com/foo]`).
//!
//! The mock keeps a pod as JSON, each quantity in its canonical text: what
//! is stored and answered. Go keeps a `resource.Quantity` in the state its
//! parser left (an `int64Amount` or an `inf.Dec`, the text only when it was
//! already canonical) until the object is encoded, and its validation reads
//! that state: a bad value printed whole before 1.34 shows it (`0.5` is
//! `value:5, scale:-1, s:""`, not `500m`'s `value:500, scale:-3,
//! s:"500m"`), and `MilliValue` of a value beyond int64 wraps where its
//! canonical form's does not (`10000000000000000000` is an `inf.Dec`,
//! `10E` an int64 amount). So the decoder records each state here, beside
//! the decoded pod rather than in it (the tree stays what is stored, and
//! everything that compares or copies it sees Go's encoded form), defaulting
//! rounds and copies the states as Go's `SetDefaults_*` do, and validation
//! and warnings read them back by the path they report.
//!
//! A state stands for the value at its path only while it renders as the
//! text the pod holds there: a step that replaced the value (a strategy
//! copying the old pod's, pod-level defaulting) leaves a stale state, and
//! the text is parsed instead, as Go would parse what it was handed.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::golang::quantity::Quantity;

/// Quantities as Go's decoder and defaulting left them, by field path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuantityStates(BTreeMap<String, Quantity>);

impl QuantityStates {
    /// Records the state of the quantity at `path`.
    pub fn record(&mut self, path: String, state: Quantity) {
        self.0.insert(path, state);
    }

    /// The quantity at `path`, whose text in the pod is `value`: its
    /// recorded state while that still renders as `value`, else `value`
    /// parsed (`None` when it is no quantity).
    pub fn at(&self, path: &str, value: &Value) -> Option<Quantity> {
        let text = value.as_str()?;
        match self.0.get(path) {
            Some(state) if state.render() == text => Some(state.clone()),
            _ => Quantity::parse(text),
        }
    }

    /// `DeepCopy` of the quantity at `from` (whose text is `value`) to
    /// `to`: the copy keeps the state.
    pub fn copy(&mut self, from: &str, value: &Value, to: String) {
        if let Some(state) = self.at(from, value) {
            self.0.insert(to, state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn state(text: &str) -> Quantity {
        Quantity::parse(text).expect("a quantity")
    }

    #[test]
    fn a_recorded_state_stands_while_it_renders_as_the_pod_text() {
        let mut states = QuantityStates::default();
        states.record("limits[a]".into(), state("0.5"));
        let sent = states.at("limits[a]", &json!("500m")).expect("recorded");
        assert_eq!(sent.go_value().sharp_v(), state("0.5").go_value().sharp_v());
        // A value that replaced it is read from its text.
        let replaced = states.at("limits[a]", &json!("2")).expect("parsed");
        assert_eq!(
            replaced.go_value().sharp_v(),
            state("2").go_value().sharp_v()
        );
        // A place never recorded is read from its text too.
        let other = states.at("limits[b]", &json!("500m")).expect("parsed");
        assert_eq!(
            other.go_value().sharp_v(),
            state("500m").go_value().sharp_v()
        );
        assert!(states.at("limits[b]", &json!(5)).is_none());
    }

    #[test]
    fn a_copy_keeps_the_state() {
        let mut states = QuantityStates::default();
        states.record("limits[a]".into(), state("0.5"));
        states.copy("limits[a]", &json!("500m"), "requests[a]".into());
        let copied = states.at("requests[a]", &json!("500m")).expect("copied");
        assert_eq!(
            copied.go_value().sharp_v(),
            state("0.5").go_value().sharp_v()
        );
    }
}
