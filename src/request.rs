//! Planning the HTTP request of a case (pure): path, query, headers and body bytes
//! with variables substituted, and its reproduction as a `curl` command.
//!
//! Nothing here sends anything or knows credentials' values.

use std::ops::Deref;
use std::sync::Arc;

use serde::Serialize;

use crate::case::{Aim, Body, Repeated, RequestSpec};
use crate::vars::Vars;

/// A request ready to send, relative to the target's base URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Planned {
    pub method: &'static str,
    /// Path and query string, e.g. `/api/v1/namespaces/ns/pods/web?dryRun=All`.
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// Reports keep an excerpt: a generated body can be megabytes long.
    #[serde(serialize_with = "serialize_excerpt")]
    pub body: SharedBody,
}

/// A request body as planned: shared, not copied, by every send of it
/// (retries included) and by the reports. It holds the `String` it was written
/// into, so a generated body of megabytes is written once (an `Arc<str>` made
/// from it was a copy of its own).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharedBody(Arc<String>);

impl From<String> for SharedBody {
    fn from(text: String) -> SharedBody {
        SharedBody(Arc::new(text))
    }
}

impl From<&str> for SharedBody {
    fn from(text: &str) -> SharedBody {
        text.to_owned().into()
    }
}

impl Deref for SharedBody {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

/// The bytes an HTTP client sends (`bytes::Bytes::from_owner`).
impl AsRef<[u8]> for SharedBody {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Longest request body reports and `curl` lines repeat in full.
pub const REPORTED_BODY_LIMIT: usize = 64 * 1024;

/// `text` cut to `limit` characters, saying how long it was.
pub fn excerpt(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}… ({} bytes in all)", &text[..end], text.len()),
        None => text.to_owned(),
    }
}

fn serialize_excerpt<S: serde::Serializer>(body: &SharedBody, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&excerpt(body, REPORTED_BODY_LIMIT))
}

/// Where a request aims: the names its variables take. `base` holds the case's
/// own pod and namespace (and the captures so far); a named aim may use them.
pub fn vars_for(spec: &RequestSpec, base: &Vars, missing_namespace: &str) -> Vars {
    Vars {
        pod: match &spec.pod {
            Some(Aim::Missing) => format!("{}-missing", base.pod),
            Some(Aim::Named(name)) => base.apply(name),
            None => base.pod.clone(),
        },
        namespace: match &spec.namespace {
            Some(Aim::Missing) => missing_namespace.to_owned(),
            Some(Aim::Named(name)) => base.apply(name),
            None => base.namespace.clone(),
        },
        captures: base.captures.clone(),
    }
}

/// The API path of a pod.
pub fn pod_path(namespace: &str, name: &str) -> String {
    format!("/api/v1/namespaces/{namespace}/pods/{name}")
}

/// Builds the request of a case with its variables substituted.
pub fn plan(spec: &RequestSpec, vars: &Vars) -> Planned {
    let mut path = match &spec.path {
        Some(p) => vars.apply(p),
        None => pod_path(&vars.namespace, &vars.pod),
    };
    if !spec.query.is_empty() {
        let query: Vec<(String, String)> = spec
            .query
            .iter()
            .map(|(k, v)| (vars.apply(k), vars.apply(v)))
            .collect();
        let encoded = query_string(&query);
        path.push(if path.contains('?') { '&' } else { '?' });
        path.push_str(&encoded);
    }
    let body = match &spec.body {
        Body::Empty => String::new(),
        Body::Raw(s) => vars.apply(s),
        Body::Repeated(r) => repeated(r, vars),
        Body::Value(v) => {
            let v = vars.apply_value(v);
            // JSON is valid YAML, so apply patches are sent as JSON too: one encoder,
            // no YAML quirks between targets.
            serde_json::to_string(&v).unwrap_or_default()
        }
    };
    let mut headers: Vec<(String, String)> = spec
        .content_type
        .header()
        .map(|c| ("Content-Type".to_owned(), c.to_owned()))
        .into_iter()
        .collect();
    headers.extend(
        spec.headers
            .iter()
            .map(|(k, v)| (vars.apply(k), vars.apply(v))),
    );
    Planned {
        method: spec.method.as_str(),
        path,
        headers,
        body: body.into(),
    }
}

/// About how much of a generated body is copied at once: `separator item`
/// written this many bytes' worth of times, then that block copied over.
const REPEATED_BLOCK: usize = 64 * 1024;

/// A generated body with its variables substituted, written once into a
/// buffer of its final size: megabytes of one-byte items take a few dozen
/// copies of one block (a copy call per item was a call per byte), and no
/// intermediate copy of the repeated part is made and faulted in.
fn repeated(r: &Repeated, vars: &Vars) -> String {
    let [prefix, item, separator, suffix] =
        [&r.prefix, &r.item, &r.separator, &r.suffix].map(|part| vars.apply(part));
    let rest = r.count.saturating_sub(1);
    let unit = [separator.as_str(), &item].concat();
    let first = if r.count > 0 { item.as_str() } else { "" };
    let mut body =
        String::with_capacity(prefix.len() + first.len() + unit.len() * rest + suffix.len());
    body.push_str(&prefix);
    body.push_str(first);
    let per_block = (REPEATED_BLOCK / unit.len().max(1)).clamp(1, rest.max(1));
    let block = unit.repeat(per_block);
    for _ in 0..rest / per_block {
        body.push_str(&block);
    }
    body.push_str(&block[..unit.len() * (rest % per_block)]);
    body.push_str(&suffix);
    body
}

/// Encodes query parameters as `application/x-www-form-urlencoded`.
pub fn query_string(pairs: &[(String, String)]) -> String {
    let mut ser = reqwest::Url::parse("http://x/").expect("static URL parses");
    ser.query_pairs_mut().extend_pairs(pairs);
    ser.query().unwrap_or_default().to_owned()
}

/// Quotes a word for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A `curl` command that sends the same request. `auth` lists the headers the client
/// adds (already redacted by the caller). A body past `REPORTED_BODY_LIMIT` is
/// shown as an excerpt, marked as such.
pub fn curl(base_url: &str, planned: &Planned, auth: &[(String, String)]) -> String {
    let mut parts = vec![
        "curl".to_owned(),
        "-sS".to_owned(),
        "-X".to_owned(),
        planned.method.to_owned(),
    ];
    for (k, v) in auth.iter().chain(&planned.headers) {
        parts.push("-H".into());
        parts.push(shell_quote(&format!("{k}: {v}")));
    }
    if !planned.body.is_empty() {
        parts.push("--data-binary".into());
        parts.push(shell_quote(&excerpt(&planned.body, REPORTED_BODY_LIMIT)));
    }
    parts.push(shell_quote(&format!("{base_url}{}", planned.path)));
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::parse_yaml;
    use std::path::Path;

    fn spec(yaml: &str) -> RequestSpec {
        parse_yaml(Path::new("r.yaml"), yaml).unwrap()
    }

    fn vars() -> Vars {
        Vars {
            pod: "web-1".into(),
            namespace: "ns".into(),
            captures: Default::default(),
        }
    }

    #[test]
    fn plans_a_json_patch() {
        let p = plan(
            &spec(
                "type: json\nbody: [{op: add, path: /metadata/labels/a, value: '${pod}'}]\nquery: {dryRun: All}\n",
            ),
            &vars(),
        );
        assert_eq!(p.path, "/api/v1/namespaces/ns/pods/web-1?dryRun=All");
        assert_eq!(
            p.headers,
            [(
                "Content-Type".to_owned(),
                "application/json-patch+json".to_owned()
            )]
        );
        assert_eq!(
            &*p.body,
            r#"[{"op":"add","path":"/metadata/labels/a","value":"web-1"}]"#
        );
    }

    #[test]
    fn aims_at_missing_things() {
        let s = spec("type: merge\nbody: {}\npod: missing\nnamespace: missing\n");
        let v = vars_for(&s, &vars(), "ns-missing");
        assert_eq!(
            plan(&s, &v).path,
            "/api/v1/namespaces/ns-missing/pods/web-1-missing"
        );
        let named = spec(
            "type: merge\nbody: {}\npod: {missing: ghost}\nnamespace: {missing: '${namespace}-gone'}\n",
        );
        let v = vars_for(&named, &vars(), "ns-missing");
        assert_eq!(
            plan(&named, &v).path,
            "/api/v1/namespaces/ns-gone/pods/ghost"
        );
    }

    #[test]
    fn raw_paths_and_bodies() {
        let s = spec(
            "content_type: text/plain\nraw_body: 'not json'\npath: /api/v1/namespaces/${namespace}/pods\n",
        );
        let p = plan(&s, &vars());
        assert_eq!(p.path, "/api/v1/namespaces/ns/pods");
        assert_eq!(&*p.body, "not json");
        assert_eq!(p.headers[0].1, "text/plain");
    }

    #[test]
    fn repeated_bodies_are_generated_with_variables() {
        let s = spec(
            "type: json\nrepeated_body: {prefix: '[', item: '\"${pod}\"', separator: ',', count: 3, suffix: ']'}\n",
        );
        assert_eq!(&*plan(&s, &vars()).body, r#"["web-1","web-1","web-1"]"#);
        let none =
            spec("type: json\nrepeated_body: {prefix: '[', item: x, count: 0, suffix: ']'}\n");
        assert_eq!(&*plan(&none, &vars()).body, "[]");
    }

    #[rstest::rstest]
    #[case("", "", 0)]
    #[case("x", "", 1)]
    #[case("", "", 100_000)]
    #[case("x", "", REPEATED_BLOCK * 3 + 7)]
    #[case("ab", ",", REPEATED_BLOCK / 3)]
    #[case("${pod}", ", ", REPEATED_BLOCK + 1)]
    #[case("{\"op\":\"test\"}", ",", 10_001)]
    fn repeated_bodies_are_the_items_joined(
        #[case] item: &str,
        #[case] separator: &str,
        #[case] count: usize,
    ) {
        let r = Repeated {
            prefix: "<${namespace}>".into(),
            item: item.into(),
            separator: separator.into(),
            count,
            suffix: "</>".into(),
        };
        let item = item.replace("${pod}", "web-1");
        let joined = vec![item.as_str(); count].join(separator);
        let body = repeated(&r, &vars());
        assert_eq!(body, format!("<ns>{joined}</>"));
        assert_eq!(body.capacity(), body.len(), "written into its final size");
    }

    #[test]
    fn long_bodies_are_reported_as_excerpts() {
        let body = "x".repeat(REPORTED_BODY_LIMIT + 1);
        let p = Planned {
            method: "PATCH",
            path: "/p".into(),
            headers: vec![],
            body: body.as_str().into(),
        };
        let shown = excerpt(&body, REPORTED_BODY_LIMIT);
        assert!(shown.ends_with(&format!("… ({} bytes in all)", body.len())));
        assert_eq!(serde_json::to_value(&p).unwrap()["body"], shown.as_str());
        assert!(curl("http://h", &p, &[]).contains("bytes in all)"));
        assert_eq!(excerpt("héllo", 5), "héllo");
        assert_eq!(excerpt("héllo", 2), "hé… (6 bytes in all)");
    }

    #[test]
    fn curl_quotes_for_the_shell() {
        let p = Planned {
            method: "PATCH",
            path: "/p".into(),
            headers: vec![("Content-Type".into(), "a/b".into())],
            body: "it's".into(),
        };
        assert_eq!(
            curl(
                "http://h",
                &p,
                &[("Authorization".into(), "Bearer [redacted]".into())]
            ),
            r#"curl -sS -X PATCH -H 'Authorization: Bearer [redacted]' -H 'Content-Type: a/b' --data-binary 'it'\''s' 'http://h/p'"#
        );
    }
}
