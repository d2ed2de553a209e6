//! What a target did with one case, before normalisation: the starting pod as
//! created, the answer to the case's request, and the pod read back afterwards.
//!
//! This module owns the type and its only constructor, so every stage that reads an
//! observation (compare, normalize, report) sees one built the same way. It sends
//! nothing and judges nothing.

use serde::Serialize;
use serde_json::Value;

use crate::client::Answer;

/// What a target answered to a case, before normalisation.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Observed {
    /// The starting pod as the target created it.
    pub created: Option<Value>,
    pub status: u16,
    /// Response headers in the order received (names as sent by the server).
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The pod read back after the patch, when the case asks for it.
    pub stored: Option<Value>,
    /// Tries the case's request took; more than one means infrastructure trouble.
    pub attempts: u32,
}

impl Observed {
    /// The observation of a case whose request got `answer`: `created` is the
    /// starting pod (if the case has one), `stored` the pod read back (if asked for).
    pub fn new(created: Option<Value>, answer: Answer, stored: Option<Value>) -> Observed {
        Observed {
            created,
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            stored,
            attempts: answer.attempts,
        }
    }

    /// All values of a response header (case-insensitive name), joined as HTTP
    /// joins repeated headers.
    pub fn header(&self, name: &str) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> Answer {
        Answer {
            status: 422,
            headers: vec![
                ("Warning".into(), "299 - \"one\"".into()),
                ("warning".into(), "299 - \"tok3n\"".into()),
            ],
            body: "{\"message\":\"tok3n\"}".into(),
            attempts: 2,
        }
    }

    #[test]
    fn takes_the_answer_whole() {
        let o = Observed::new(None, answer(), Some(Value::Null));
        assert_eq!((o.status, o.attempts), (422, 2));
        assert_eq!(o.stored, Some(Value::Null));
        assert_eq!(
            o.header("WARNING").as_deref(),
            Some("299 - \"one\", 299 - \"tok3n\"")
        );
        assert_eq!(o.header("Audit-Id"), None);
    }
}
