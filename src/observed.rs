//! What a target did with one case, before normalisation: the starting pod as
//! created, the answer to the case's request, and the pod read back afterwards.
//!
//! This module owns the type and its only constructor, so every stage that reads an
//! observation (compare, normalize, report) sees one built the same way. It sends
//! nothing and judges nothing.

use std::borrow::Cow;

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
    /// Read with [`Observed::body`]; set with the answer or edited with
    /// [`Observed::edit_body`] only, so that `json` always reads it.
    body: String,
    /// `body` as JSON, when it is JSON, parsed once with the answer: comparing
    /// and normalising each parsed it before.
    #[serde(skip)]
    json: Option<Value>,
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
            json: serde_json::from_str(&answer.body).ok(),
            body: answer.body,
            stored,
            attempts: answer.attempts,
        }
    }

    /// The body as answered (or as edited since).
    pub fn body(&self) -> &str {
        &self.body
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<&Value> {
        self.json.as_ref()
    }

    /// Changes the body to what `edit` makes of it (an unchanged body is
    /// borrowed back and kept as it is, parse included).
    pub fn edit_body(&mut self, edit: impl FnOnce(&str) -> Cow<'_, str>) {
        let edited = match edit(&self.body) {
            Cow::Owned(text) => text,
            Cow::Borrowed(_) => return,
        };
        self.json = serde_json::from_str(&edited).ok();
        self.body = edited;
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

    #[test]
    fn the_body_is_read_as_json_once_and_follows_edits() {
        let mut o = Observed::new(None, answer(), None);
        assert_eq!(o.json(), Some(&serde_json::json!({"message": "tok3n"})));
        o.edit_body(|b| Cow::Owned(b.replace("tok3n", "[redacted]")));
        assert_eq!(o.body(), "{\"message\":\"[redacted]\"}");
        assert_eq!(
            o.json(),
            Some(&serde_json::json!({"message": "[redacted]"}))
        );
        o.edit_body(|_| Cow::Owned("not json".into()));
        assert_eq!((o.body(), o.json()), ("not json", None));
    }
}
