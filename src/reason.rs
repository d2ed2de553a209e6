//! Why a target refused something, in one line a person can act on: a Kubernetes
//! `Status`'s `message` and its `details.causes` first (where a mock puts "kind is
//! required"), else a bounded excerpt of the body that never ends inside a JSON
//! value.
//!
//! Pure text building; it decides nothing about the outcome of a case.

use serde_json::Value;

/// Longest reason shown for a body that is not a `Status`.
const LIMIT: usize = 300;

/// The reason an answer body gives, fit for an error message.
pub fn from_body(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(v) => from_json(&v).unwrap_or_else(|| compact_json(&v)),
        Err(_) if body.trim().is_empty() => "an empty body".to_owned(),
        Err(_) => text_excerpt(body.trim()),
    }
}

/// `message` and causes of a `Status`-like object, if it has either.
fn from_json(v: &Value) -> Option<String> {
    let message = v
        .get("message")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty());
    let causes: Vec<String> = v
        .pointer("/details/causes")
        .or_else(|| v.get("causes"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(cause)
        .collect();
    let causes = (!causes.is_empty()).then(|| format!("causes: {}", causes.join("; ")));
    match (message, causes) {
        (None, None) => None,
        (Some(m), None) => Some(m.to_owned()),
        (None, Some(c)) => Some(c),
        (Some(m), Some(c)) => Some(format!("{m} ({c})")),
    }
}

/// One `StatusCause` as `field: message (reason)`, skipping empty parts.
fn cause(c: &Value) -> Option<String> {
    let text = |k: &str| c.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let message = text("message").or(text("reason"))?;
    Some(
        match (text("field"), text("reason").filter(|r| *r != message)) {
            (Some(f), Some(r)) => format!("{f}: {message} ({r})"),
            (Some(f), None) => format!("{f}: {message}"),
            (None, Some(r)) => format!("{message} ({r})"),
            (None, None) => message.to_owned(),
        },
    )
}

/// JSON without a message: whole when short, else its shape, never a cut value.
fn compact_json(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= LIMIT {
        return text;
    }
    match v {
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).take(12).collect();
            format!(
                "a JSON object with keys {} and no `message`",
                keys.join(", ")
            )
        }
        Value::Array(items) => format!(
            "a JSON array of {} items ({} bytes)",
            items.len(),
            text.len()
        ),
        _ => text_excerpt(&text),
    }
}

/// Plain text cut at a character boundary, saying how much was left out.
fn text_excerpt(text: &str) -> String {
    match text.char_indices().nth(LIMIT) {
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::status_with_causes(
        r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"ServiceAccount is invalid","reason":"Invalid","details":{"causes":[{"reason":"FieldValueRequired","message":"kind is required","field":"kind"}]},"code":422}"#,
        "ServiceAccount is invalid (causes: kind: kind is required (FieldValueRequired))"
    )]
    #[case::causes_only(
        r#"{"causes":[{"message":"apiVersion is required"}]}"#,
        "causes: apiVersion is required"
    )]
    #[case::message_only(r#"{"message":"pods \"x\" not found"}"#, "pods \"x\" not found")]
    #[case::empty("", "an empty body")]
    #[case::short_json(r#"{"a":1}"#, r#"{"a":1}"#)]
    #[case::text("upstream connect error", "upstream connect error")]
    fn gives_the_reason(#[case] body: &str, #[case] reason: &str) {
        assert_eq!(from_body(body), reason);
    }

    #[test]
    fn long_json_is_described_not_cut() {
        let body =
            serde_json::json!({"kind": "Pod", "spec": {"containers": "x".repeat(500)}}).to_string();
        let reason = from_body(&body);
        assert!(reason.starts_with("a JSON object with keys"), "{reason}");
        assert!(reason.contains("kind, spec"), "{reason}");
        assert!(!reason.contains('{'), "no JSON fragment: {reason}");
    }

    #[test]
    fn long_text_is_cut_at_a_character_boundary() {
        let reason = from_body(&"é".repeat(400));
        assert!(reason.ends_with("(800 bytes in all)"), "{reason}");
    }
}
