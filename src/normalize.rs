//! Normalisation: turns what a target answered into the stable value that is
//! snapshotted, identical whichever server (mock or real) produced it.
//!
//! This is the one place where volatile values become placeholders; secrets are
//! removed with the same redactor as every other output (`crate::redact`). Pure:
//! values in, a value out.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::{Map, Value, json};

use crate::observed::Observed;

/// Response headers worth snapshotting; the rest (Audit-Id, Date, APF uids) vary per request.
pub const KEPT_HEADERS: &[&str] = &["content-type", "warning", "retry-after"];

pub use crate::redact::REDACTED;
use crate::redact::Redactor;

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("valid regex")
});
static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)").expect("valid regex")
});
/// `resourceVersion` inside text, e.g. an object embedded in an error message.
static EMBEDDED_RV: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(resourceVersion\\*"\s*:\s*\\*")(\d+)"#).expect("valid regex"));
/// The ServiceAccount token volume gets a random suffix.
static API_ACCESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"kube-api-access-[a-z0-9]{5}\b").expect("valid regex"));
/// The tail of this message is a diff whose layout differs across versions.
const UPDATE_FORBIDDEN: &str = "pod updates may not change fields other than";

/// What the normaliser must know about the run: names to hide and secrets to remove.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Literal strings and their placeholders (pod name, namespaces, run id).
    pub names: Vec<(String, String)>,
    /// Values that must never appear (tokens, header values).
    pub secrets: Vec<String>,
}

impl Context {
    /// Replacements applied longest first, so a pod name containing the run id wins.
    fn sorted(&self) -> Vec<(String, String)> {
        let mut names: Vec<_> = self
            .names
            .iter()
            .filter(|(n, _)| !n.is_empty())
            .cloned()
            .collect();
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        names
    }
}

/// Numbers volatile values in order of appearance within one case.
struct Normalizer {
    names: Vec<(String, String)>,
    secrets: std::sync::Arc<Redactor>,
    uids: HashMap<String, usize>,
    rvs: HashMap<String, usize>,
}

impl Normalizer {
    fn new(ctx: &Context) -> Normalizer {
        Normalizer {
            names: ctx.sorted(),
            secrets: crate::redact::cached(&ctx.secrets),
            uids: HashMap::new(),
            rvs: HashMap::new(),
        }
    }

    fn number(map: &mut HashMap<String, usize>, value: &str) -> usize {
        let next = map.len() + 1;
        *map.entry(value.to_owned()).or_insert(next)
    }

    fn rv(&mut self, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        format!("[rv-{}]", Self::number(&mut self.rvs, value))
    }

    fn text(&mut self, s: &str) -> String {
        let mut out = self.secrets.redact(s);
        if let Some(cut) = out
            .find(UPDATE_FORBIDDEN)
            .and_then(|pos| out[pos..].find('\n').map(|nl| pos + nl))
        {
            out.truncate(cut);
            out.push_str("\n[diff]");
        }
        for (name, placeholder) in &self.names {
            out = out.replace(name.as_str(), placeholder);
        }
        let uids = &mut self.uids;
        out = UUID
            .replace_all(&out, |c: &Captures| {
                format!("[uid-{}]", Self::number(uids, &c[0]))
            })
            .into_owned();
        out = TIMESTAMP.replace_all(&out, "[timestamp]").into_owned();
        let rvs = &mut self.rvs;
        out = EMBEDDED_RV
            .replace_all(&out, |c: &Captures| {
                format!("{}[rv-{}]", &c[1], Self::number(rvs, &c[2]))
            })
            .into_owned();
        API_ACCESS
            .replace_all(&out, "kube-api-access-[suffix]")
            .into_owned()
    }

    fn value(&mut self, v: &Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.text(s)),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.value(i)).collect()),
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = Map::new();
                for key in keys {
                    let item = &map[key];
                    let normalized = match (key.as_str(), item) {
                        ("resourceVersion", Value::String(s)) => Value::String(self.rv(s)),
                        _ => self.value(item),
                    };
                    out.insert(self.text(key), normalized);
                }
                Value::Object(out)
            }
            other => other.clone(),
        }
    }
}

/// The normalised form of one case's observation, the content of its snapshot.
pub fn observation(observed: &Observed, ctx: &Context) -> Value {
    let mut n = Normalizer::new(ctx);
    // The starting pod is numbered first, so `[rv-1]` is always the created version
    // and a patch that changed nothing visibly keeps it.
    let created = observed.created.as_ref().map(|c| n.value(c));
    let mut out = Map::new();
    out.insert("status".into(), observed.status.into());
    let mut headers = Map::new();
    for name in KEPT_HEADERS {
        if let Some(value) = observed.header(name) {
            headers.insert((*name).into(), Value::String(n.text(&value)));
        }
    }
    out.insert("headers".into(), Value::Object(headers));
    let parsed = parse_body(observed);
    out.insert(
        "layout".into(),
        layout(&observed.body, parsed.as_ref()).into(),
    );
    let body = match &parsed {
        Some((v, _)) => n.value(v),
        None => Value::String(n.text(&observed.body)),
    };
    if let Some(stored) = &observed.stored {
        let stored = n.value(stored);
        let summary = if created.as_ref() == Some(&stored) {
            json!("[unchanged since created]")
        } else if stored == body {
            json!("[same as response body]")
        } else {
            stored
        };
        out.insert("stored".into(), summary);
    }
    out.insert("body".into(), body);
    Value::Object(out)
}

/// The syntax a response body was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Yaml,
}

/// The body as a value: JSON, or YAML when the server says so (`Accept:
/// application/yaml`), so placeholders apply whatever the encoding.
fn parse_body(observed: &Observed) -> Option<(Value, Format)> {
    if let Ok(v) = serde_json::from_str(&observed.body) {
        return Some((v, Format::Json));
    }
    let yaml = observed
        .header("content-type")
        .is_some_and(|c| c.contains("yaml"));
    yaml.then(|| serde_yaml_ng::from_str(&observed.body).ok())
        .flatten()
        .map(|v| (v, Format::Yaml))
}

/// How the body is laid out: servers differ in indentation and trailing newline.
fn layout(body: &str, parsed: Option<&(Value, Format)>) -> &'static str {
    match parsed {
        _ if body.is_empty() => return "empty",
        None => return "text",
        Some((_, Format::Yaml)) => return "yaml",
        Some((_, Format::Json)) => {}
    }
    let pretty = body.trim_end().contains('\n');
    match (pretty, body.ends_with('\n')) {
        (false, true) => "json, compact, trailing newline",
        (false, false) => "json, compact",
        (true, true) => "json, indented, trailing newline",
        (true, false) => "json, indented",
    }
}

/// Removes secrets, in every form `redact` knows, from any text meant for people
/// (reports, reproduction commands).
pub fn redact(text: &str, secrets: &[String]) -> String {
    crate::redact::cached(secrets).redact(text)
}

/// An observation as reports may show it: `secrets` removed from the body and the
/// header values (the normalised value is redacted by `observation` itself).
pub fn redact_observed(mut observed: Observed, secrets: &[String]) -> Observed {
    observed.body = redact(&observed.body, secrets);
    for (_, v) in &mut observed.headers {
        *v = redact(v, secrets);
    }
    observed
}

/// Renders a normalised value as snapshot text: YAML with sorted keys.
pub fn render(value: &Value) -> String {
    serde_yaml_ng::to_string(value).unwrap_or_else(|e| format!("unrenderable value: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            names: vec![
                ("web-abc12".into(), "[pod]".into()),
                ("podpatch-abc12".into(), "[namespace]".into()),
                ("abc12".into(), "[run]".into()),
            ],
            secrets: vec!["s3cret".into()],
        }
    }

    fn observed(body: Value) -> Observed {
        Observed {
            created: Some(
                json!({"metadata": {"uid": "5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f", "resourceVersion": "41"}}),
            ),
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Audit-Id".into(), "x".into()),
                ("Warning".into(), "299 - \"s3cret\"".into()),
            ],
            body: format!("{body}\n"),
            stored: None,
            attempts: 1,
        }
    }

    #[test]
    fn redacted_observations_keep_no_secret() {
        let o = redact_observed(observed(json!({"message": "s3cret"})), &["s3cret".into()]);
        assert!(!o.body.contains("s3cret"), "{}", o.body);
        assert!(o.headers.iter().all(|(_, v)| !v.contains("s3cret")));
        assert_eq!(o.header("warning").as_deref(), Some("299 - \"[redacted]\""));
    }

    #[test]
    fn placeholders_are_stable_within_a_case() {
        let body = json!({
            "metadata": {
                "name": "web-abc12",
                "namespace": "podpatch-abc12",
                "uid": "5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f",
                "resourceVersion": "42",
                "creationTimestamp": "2026-11-24T10:00:00Z",
                "labels": {"podpatch.dev/run": "abc12"}
            },
            "spec": {"volumes": [{"name": "kube-api-access-x7k2p"}]}
        });
        let n = observation(&observed(body), &ctx());
        assert_eq!(n["status"], 200);
        assert_eq!(n["layout"], "json, compact, trailing newline");
        assert_eq!(
            n["headers"],
            json!({"content-type": "application/json", "warning": "299 - \"[redacted]\""})
        );
        let m = &n["body"]["metadata"];
        assert_eq!(m["name"], "[pod]");
        assert_eq!(m["namespace"], "[namespace]");
        assert_eq!(m["uid"], "[uid-1]");
        assert_eq!(m["resourceVersion"], "[rv-2]", "41 was the created version");
        assert_eq!(m["creationTimestamp"], "[timestamp]");
        assert_eq!(m["labels"]["podpatch.dev/run"], "[run]");
        assert_eq!(
            n["body"]["spec"]["volumes"][0]["name"],
            "kube-api-access-[suffix]"
        );
    }

    #[test]
    fn cuts_the_version_specific_diff() {
        let msg = "Pod \"web-abc12\" is invalid: spec: Forbidden: pod updates may not change fields other than `a`\n  core.PodSpec{\n-  x\n}";
        let n = observation(&observed(json!({"message": msg})), &ctx());
        assert_eq!(
            n["body"]["message"],
            "Pod \"[pod]\" is invalid: spec: Forbidden: pod updates may not change fields other than `a`\n[diff]"
        );
    }

    #[test]
    fn numbers_embedded_versions_and_uids() {
        let msg = r#"patch: Invalid value: "{\"metadata\":{\"resourceVersion\":\"41\",\"uid\":\"5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f\"}}""#;
        let n = observation(&observed(json!({"message": msg})), &ctx());
        assert_eq!(
            n["body"]["message"],
            r#"patch: Invalid value: "{\"metadata\":{\"resourceVersion\":\"[rv-1]\",\"uid\":\"[uid-1]\"}}""#
        );
    }

    #[test]
    fn summarises_the_stored_pod() {
        let mut o = observed(json!({"kind": "Status"}));
        o.stored = o.created.clone();
        assert_eq!(
            observation(&o, &ctx())["stored"],
            "[unchanged since created]"
        );
        o.stored = Some(json!({"kind": "Status"}));
        assert_eq!(observation(&o, &ctx())["stored"], "[same as response body]");
    }

    #[test]
    fn yaml_bodies_are_normalised_too() {
        let mut o = observed(json!(null));
        o.headers = vec![("Content-Type".into(), "application/yaml".into())];
        o.body = "metadata:\n  name: web-abc12\n  resourceVersion: \"41\"\n".into();
        let n = observation(&o, &ctx());
        assert_eq!(n["layout"], "yaml");
        assert_eq!(
            n["body"]["metadata"],
            json!({"name": "[pod]", "resourceVersion": "[rv-1]"})
        );
    }

    #[test]
    fn non_json_bodies_are_kept_as_text() {
        let mut o = observed(json!(null));
        o.body = "404 page not found web-abc12".into();
        let n = observation(&o, &ctx());
        assert_eq!(n["layout"], "text");
        assert_eq!(n["body"], "404 page not found [pod]");
    }
}
