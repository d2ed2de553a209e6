//! Normalisation: turns what a target answered into the stable value that is
//! snapshotted, identical whichever server (mock or real) produced it.
//!
//! This is the one place where volatile values become placeholders; secrets are
//! removed with the same redactor as every other output (`crate::redact`). Pure:
//! values in, a value out.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::namespace_tokens::{NAMESPACE, namespace_tokens};
pub use crate::needles::Needles;
use crate::needles::{
    CUT, DASH, NAMESPACE_OR_NAME, UPDATE_FORBIDDEN, VOLATILE_KEY, may_hold_uid_or_time,
};
use crate::observed::Observed;
use crate::volatile::{self, Volatile};

/// Response headers worth snapshotting; the rest (Audit-Id, Date, APF uids) vary per request.
pub const KEPT_HEADERS: &[&str] = &["content-type", "warning", "retry-after"];

pub use crate::redact::REDACTED;
use crate::redact::Redactor;

/// What the normaliser must know about the run: names to hide and secrets to remove.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Literals found once per run (see [`Needles`]); used where they cover this
    /// context's namespace and names, else each normalisation builds its own.
    pub needles: Option<Arc<Needles>>,
    /// Names generated for this run and unique to it (pod names, the run id, a
    /// namespace named after the run), with their placeholders: replaced
    /// wherever they occur, longest first, so a pod name holding the run id wins.
    pub names: Vec<(String, String)>,
    /// The namespace the run works in. It may be a common word (`--namespace
    /// default` or `web`), so it is replaced only where a namespace stands: as
    /// the whole value of a `namespace` field, and inside text as a whole token
    /// after `namespace "`, `namespaces/`, `"namespace":"` or before `/name`.
    pub namespace: Option<String>,
    /// Values that must never appear (tokens, header values).
    pub secrets: Vec<String>,
}

/// Numbers volatile values in order of appearance within one case.
struct Normalizer<'c> {
    names: Vec<(&'c str, &'c str)>,
    namespace: Option<&'c str>,
    secrets: std::sync::Arc<Redactor>,
    needles: Cow<'c, Needles>,
    uids: HashMap<String, usize>,
    rvs: HashMap<String, usize>,
}

impl<'c> Normalizer<'c> {
    fn new(ctx: &'c Context) -> Normalizer<'c> {
        let mut names: Vec<(&str, &str)> = ctx
            .names
            .iter()
            .filter(|(n, _)| !n.is_empty())
            .map(|(n, p)| (n.as_str(), p.as_str()))
            .collect();
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let namespace = ctx.namespace.as_deref().filter(|n| !n.is_empty());
        let needles = match &ctx.needles {
            Some(run) if run.cover(namespace, &names) => Cow::Borrowed(&**run),
            _ => {
                let parts: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                Cow::Owned(Needles::for_case(namespace, &parts))
            }
        };
        Normalizer {
            needles,
            names,
            namespace,
            secrets: crate::redact::cached(&ctx.secrets),
            uids: HashMap::new(),
            rvs: HashMap::new(),
        }
    }

    fn number(map: &mut HashMap<String, usize>, value: &str) -> usize {
        if let Some(&n) = map.get(value) {
            return n;
        }
        let next = map.len() + 1;
        map.insert(value.to_owned(), next);
        next
    }

    fn rv(&mut self, value: &str) -> String {
        if value.is_empty() {
            return String::new();
        }
        format!("[rv-{}]", Self::number(&mut self.rvs, value))
    }

    /// `s` with every volatile value replaced; borrowed (no copy) when nothing
    /// in it can vary, which is what almost every key and value is.
    fn text<'s>(&mut self, s: &'s str) -> Cow<'s, str> {
        let mut out = self.secrets.redact_cow(s);
        let found = self.needles.found(&out);
        if found == 0 {
            return out;
        }
        if found & CUT != 0
            && let Some(cut) = out
                .find(UPDATE_FORBIDDEN)
                .and_then(|pos| out[pos..].find('\n').map(|nl| pos + nl))
        {
            let mut cut_text = out[..cut].to_owned();
            cut_text.push_str("\n[diff]");
            out = Cow::Owned(cut_text);
        }
        // The volatile patterns go first: a uid may hold the run id (six hex
        // digits: once in about 1.7 million uids, so in a few CI runs in a
        // hundred, which see tens of thousands), which the names would
        // otherwise cut out of it. Most text with a `-` skips the regex.
        if found & VOLATILE_KEY != 0 || (found & DASH != 0 && may_hold_uid_or_time(&out)) {
            let (uids, rvs) = (&mut self.uids, &mut self.rvs);
            let replaced = match volatile::replace(&out, |found| match found {
                Volatile::Uid(uid) => format!("[uid-{}]", Self::number(uids, uid)),
                Volatile::Timestamp => "[timestamp]".to_owned(),
                Volatile::ResourceVersion { key, rv } => {
                    format!("{key}[rv-{}]", Self::number(rvs, rv))
                }
                Volatile::Pointer => ")([pointer])".to_owned(),
                Volatile::TokenVolume => "kube-api-access-[suffix]".to_owned(),
            }) {
                Cow::Borrowed(_) => None,
                Cow::Owned(o) => Some(o),
            };
            if let Some(o) = replaced {
                out = Cow::Owned(o);
            }
        }
        // The placeholders put in above hold no name, so what the first
        // search found still decides.
        if found & NAMESPACE_OR_NAME != 0 {
            if let Some(namespace) = self.namespace
                && let Some(replaced) = namespace_tokens(&out, namespace, &self.names)
            {
                out = Cow::Owned(replaced);
            }
            for (name, placeholder) in &self.names {
                if out.contains(name) {
                    out = Cow::Owned(out.replace(name, placeholder));
                }
            }
        }
        out
    }

    /// Normalises `v` in place: only what changes is rewritten.
    fn value(&mut self, v: &mut Value) {
        match v {
            Value::String(s) => {
                if let Cow::Owned(t) = self.text(s) {
                    *s = t;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.value(i)),
            Value::Object(map) => {
                // Keys are visited in order (the map is sorted), each after its
                // value, so placeholders are numbered as they appear in the snapshot.
                let mut renamed = Vec::new();
                for (index, (key, item)) in map.iter_mut().enumerate() {
                    match (key.as_str(), &mut *item) {
                        ("resourceVersion", Value::String(s)) => *s = self.rv(s),
                        ("namespace", Value::String(s)) if Some(s.as_str()) == self.namespace => {
                            *s = NAMESPACE.to_owned();
                        }
                        _ => self.value(item),
                    }
                    if let Cow::Owned(k) = self.text(key) {
                        renamed.push((index, k));
                    }
                }
                if !renamed.is_empty() {
                    let mut renamed = renamed.into_iter().peekable();
                    for (index, (key, item)) in std::mem::take(map).into_iter().enumerate() {
                        let key = match renamed.next_if(|(i, _)| *i == index) {
                            Some((_, k)) => k,
                            None => key,
                        };
                        map.insert(key, item);
                    }
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

/// The normalised form of one case's observation, the content of its snapshot.
pub fn observation(observed: &Observed, ctx: &Context) -> Value {
    let mut n = Normalizer::new(ctx);
    // The starting pod is numbered first, so `[rv-1]` is always the created version
    // and a patch that changed nothing visibly keeps it.
    let created = observed.created.clone().map(|mut c| {
        n.value(&mut c);
        c
    });
    let created = observed.created.as_ref().zip(created.as_ref());
    Value::Object(answer(&mut n, observed, created, None))
}

/// The normalised form of a scenario: a list of the steps' answers, each under
/// its name, in order, numbered as one case (`[rv-1]` the created pod, then as they appear),
/// so a version that moves, or not, between steps shows.
pub fn scenario(created: Option<&Value>, steps: &[(String, &Observed)], ctx: &Context) -> Value {
    let mut n = Normalizer::new(ctx);
    let normalized = created.cloned().map(|mut c| {
        n.value(&mut c);
        c
    });
    let created = created.zip(normalized.as_ref());
    let steps = steps
        .iter()
        .map(|(name, observed)| {
            // A later step's `created` is the pod as read before it, when it
            // asks to see it unchanged.
            let before = observed.created.clone().map(|mut b| {
                n.value(&mut b);
                b
            });
            let before = observed.created.as_ref().zip(before.as_ref());
            let mut step = answer(&mut n, observed, created, before);
            for key in ["body", "stored"] {
                if let Some(v) = step.get_mut(key) {
                    managed_fields_by_manager(v);
                }
            }
            json!({ name.as_str(): Value::Object(step) })
        })
        .collect();
    json!({ "steps": Value::Array(steps) })
}

/// Lists a pod's managedFields by operation, manager and subresource. The server
/// orders entries of one operation by the second they were last written, then
/// by manager: within one request a case cannot tell, but between steps the
/// clock may tick or not, so a scenario's snapshot lists them by name.
fn managed_fields_by_manager(pod: &mut Value) {
    if let Some(entries) = pod
        .pointer_mut("/metadata/managedFields")
        .and_then(Value::as_array_mut)
    {
        let key = |e: &Value| {
            ["operation", "manager", "subresource"]
                .map(|k| e[k].as_str().unwrap_or_default().to_owned())
        };
        entries.sort_by_key(key);
    }
}

/// A pod seen earlier in a case: as the target answered it, and normalised.
type Seen<'a> = (&'a Value, &'a Value);

/// One answer normalised: status, kept headers, layout, body and the stored pod,
/// which is summarised when it equals the `created` pod, the pod `before` the
/// step (in a scenario) or the body.
fn answer(
    n: &mut Normalizer,
    observed: &Observed,
    created: Option<Seen>,
    before: Option<Seen>,
) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    out.insert("status".into(), observed.status.into());
    let mut headers = serde_json::Map::new();
    for name in KEPT_HEADERS {
        if let Some(value) = observed.header(name) {
            let value = n.text(&value).into_owned();
            headers.insert((*name).into(), Value::String(value));
        }
    }
    out.insert("headers".into(), Value::Object(headers));
    let parsed = parse_body(observed);
    let layout = layout(observed.body(), parsed.as_ref().map(|(_, f)| *f));
    out.insert("layout".into(), layout.into());
    let stored_is_body = matches!((&observed.stored, &parsed), (Some(s), Some((v, _))) if s == v);
    let body = match parsed {
        Some((mut v, _)) => {
            n.value(&mut v);
            v
        }
        None => Value::String(n.text(observed.body()).into_owned()),
    };
    if let Some(stored) = &observed.stored {
        // A stored pod equal to one normalised before it in this case
        // normalises the same (its values are numbered already): it is
        // compared as that one, not normalised again.
        let same = |seen: Option<Seen>| seen.is_some_and(|(raw, _)| raw == stored);
        let earlier = match (same(created), same(before)) {
            (true, _) => created.map(|(_, normalized)| normalized),
            (_, true) => before.map(|(_, normalized)| normalized),
            _ => stored_is_body.then_some(&body),
        };
        let stored = match earlier {
            Some(normalized) => Cow::Borrowed(normalized),
            None => {
                let mut stored = stored.clone();
                n.value(&mut stored);
                Cow::Owned(stored)
            }
        };
        let summary = if created.map(|(_, c)| c) == Some(&*stored) {
            json!("[unchanged since created]")
        } else if before.map(|(_, b)| b) == Some(&*stored) {
            json!("[unchanged by this step]")
        } else if *stored == body {
            json!("[same as response body]")
        } else {
            stored.into_owned()
        };
        out.insert("stored".into(), summary);
    }
    out.insert("body".into(), body);
    out
}

/// One object (a pod as a server stored it) with its volatile values as
/// placeholders, numbered from one as in an observation.
pub fn object(value: &Value, ctx: &Context) -> Value {
    let mut n = Normalizer::new(ctx);
    let mut v = value.clone();
    n.value(&mut v);
    v
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
    if let Some(v) = observed.json() {
        return Some((v.clone(), Format::Json));
    }
    let yaml = observed
        .header("content-type")
        .is_some_and(|c| c.contains("yaml"));
    yaml.then(|| serde_yaml_ng::from_str(observed.body()).ok())
        .flatten()
        .map(|v| (v, Format::Yaml))
}

/// How the body is laid out: servers differ in indentation and trailing newline.
fn layout(body: &str, parsed: Option<Format>) -> &'static str {
    match parsed {
        _ if body.is_empty() => return "empty",
        None => return "text",
        Some(Format::Yaml) => return "yaml",
        Some(Format::Json) => {}
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
    let redactor = crate::redact::cached(secrets);
    observed.edit_body(|body| redactor.redact_cow(body));
    for (_, v) in &mut observed.headers {
        *v = redact(v, secrets);
    }
    observed
}

/// Renders a normalised value as snapshot text: YAML with sorted keys.
pub fn render(value: &Value) -> String {
    crate::snapshot_yaml::to_string(value).unwrap_or_else(|e| format!("unrenderable value: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context {
            needles: None,
            names: vec![
                ("web-abc12".into(), "[pod]".into()),
                ("abc12".into(), "[run]".into()),
            ],
            namespace: Some("podpatch-abc12".into()),
            secrets: vec!["s3cret".into()],
        }
    }

    /// A run in a namespace the user chose, named like things that are not it.
    fn in_default() -> Context {
        Context {
            namespace: Some("default".into()),
            ..ctx()
        }
    }

    fn observed(body: Value) -> Observed {
        answered("application/json", format!("{body}\n"))
    }

    fn answered(content_type: &str, body: String) -> Observed {
        let answer = crate::client::Answer {
            status: 200,
            headers: vec![
                ("Content-Type".into(), content_type.into()),
                ("Audit-Id".into(), "x".into()),
                ("Warning".into(), "299 - \"s3cret\"".into()),
            ],
            body,
            attempts: 1,
        };
        let created = json!({"metadata": {"uid": "5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f", "resourceVersion": "41"}});
        Observed::new(Some(created), answer, None)
    }

    #[test]
    fn redacted_observations_keep_no_secret() {
        let o = redact_observed(observed(json!({"message": "s3cret"})), &["s3cret".into()]);
        assert!(!o.body().contains("s3cret"), "{}", o.body());
        assert_eq!(o.json(), Some(&json!({"message": "[redacted]"})));
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
    fn a_uid_holding_the_run_id_is_a_uid() {
        let body = json!({"metadata": {
            "uid": "5f1c2a9e-6c1d-4b3b-9d1e-3aabc12d9e8f",
            "labels": {"podpatch.dev/run": "abc12"}
        }});
        let n = observation(&observed(body), &ctx());
        // The created pod's uid is the first.
        assert_eq!(n["body"]["metadata"]["uid"], "[uid-2]");
        assert_eq!(n["body"]["metadata"]["labels"]["podpatch.dev/run"], "[run]");
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
        // Not the same as created, but the same once normalised.
        let mut later = o.created.clone().unwrap();
        later["metadata"]["creationTimestamp"] = json!("2026-11-24T10:00:00Z");
        o.created.as_mut().unwrap()["metadata"]["creationTimestamp"] =
            json!("2026-11-24T09:00:00Z");
        o.stored = Some(later);
        assert_eq!(
            observation(&o, &ctx())["stored"],
            "[unchanged since created]"
        );
    }

    #[test]
    fn a_runs_needles_normalise_as_a_cases_own() {
        let body = json!({
            "metadata": {"name": "web-abc12", "namespace": "podpatch-abc12",
                "uid": "5f1c2a9e-6c1d-4b3b-9d1e-3a2b1c0d9e8f"},
            "message": "pod updates may not change fields other than `a`\n diff",
            "other": "podpatch-abc12/web-abc12 at 2026-11-24T10:00:00Z, (*int64)(0xc0000a1b28)",
            "spec": {"schedulerName": "default-scheduler", "volumes": [{"name": "kube-api-access-x7k2p"}]}
        });
        let run = Arc::new(Needles::for_run(Some("podpatch-abc12"), &["abc12"]));
        let shared = Context {
            needles: Some(run),
            ..ctx()
        };
        assert_eq!(
            observation(&observed(body.clone()), &shared),
            observation(&observed(body), &ctx())
        );
    }

    #[test]
    fn yaml_bodies_are_normalised_too() {
        let o = answered(
            "application/yaml",
            "metadata:\n  name: web-abc12\n  resourceVersion: \"41\"\n".into(),
        );
        let n = observation(&o, &ctx());
        assert_eq!(n["layout"], "yaml");
        assert_eq!(
            n["body"]["metadata"],
            json!({"name": "[pod]", "resourceVersion": "[rv-1]"})
        );
    }

    #[test]
    fn non_json_bodies_are_kept_as_text() {
        let o = answered("text/plain", "404 page not found web-abc12".into());
        let n = observation(&o, &ctx());
        assert_eq!(n["layout"], "text");
        assert_eq!(n["body"], "404 page not found [pod]");
    }

    #[test]
    fn a_common_namespace_is_replaced_only_where_it_names_the_namespace() {
        let body = json!({
            "metadata": {"namespace": "default", "name": "web-abc12"},
            "spec": {
                "schedulerName": "default-scheduler",
                "serviceAccountName": "default",
                "containers": [{"name": "default"}]
            },
            "message": "pods \"web-abc12\" is forbidden: User \"alice\" cannot patch resource \"pods\" in the namespace \"default\"",
            "other": "namespaces \"default\" not found; default/web-abc12; /api/v1/namespaces/default/pods; default/other; {\"namespace\":\"default\"}",
        });
        let n = observation(&observed(body), &in_default());
        let b = &n["body"];
        assert_eq!(b["metadata"]["namespace"], "[namespace]");
        assert_eq!(b["spec"]["schedulerName"], "default-scheduler");
        assert_eq!(b["spec"]["serviceAccountName"], "default");
        assert_eq!(b["spec"]["containers"][0]["name"], "default");
        assert_eq!(
            b["message"],
            "pods \"[pod]\" is forbidden: User \"alice\" cannot patch resource \"pods\" in the namespace \"[namespace]\""
        );
        assert_eq!(
            b["other"],
            "namespaces \"[namespace]\" not found; [namespace]/[pod]; /api/v1/namespaces/[namespace]/pods; default/other; {\"namespace\":\"[namespace]\"}"
        );
    }

    #[test]
    fn a_go_pointer_address_is_hidden() {
        let c = ctx();
        let mut n = Normalizer::new(&c);
        assert_eq!(
            n.text(
                "Invalid value: core.Toleration{Key:\"\", TolerationSeconds:(*int64)(0xc0000a1b28)}"
            ),
            "Invalid value: core.Toleration{Key:\"\", TolerationSeconds:(*int64)([pointer])}"
        );
        assert_eq!(n.text("(*int64)(nil)"), "(*int64)(nil)");
    }

    #[test]
    fn text_without_volatile_values_is_not_copied() {
        let c = ctx();
        let mut n = Normalizer::new(&c);
        assert!(matches!(n.text("spec"), Cow::Borrowed("spec")));
        assert!(matches!(n.text("busybox:1.36"), Cow::Borrowed(_)));
        assert!(matches!(n.text("default-scheduler"), Cow::Borrowed(_)));
        assert!(matches!(n.text("web-abc12"), Cow::Owned(_)));
    }
}
