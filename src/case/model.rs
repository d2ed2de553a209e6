//! The serde model of one YAML case file: what it is given, what it sends and what
//! it expects, with the strict checks a value needs on its own (header names,
//! body sizes, version ranges). It reads no file and sends nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::shape::Shape;

/// The folder under a cases root that holds starting pods, not cases.
pub const FIXTURES_DIR: &str = "fixtures";

/// What must exist before the request is sent.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Given {
    pub pod: PodSource,
    /// Delete the pod before the request, so it is terminating: its own
    /// finalizers keep it, with `deletionTimestamp` set (PATCHes on pods
    /// being deleted follow extra rules).
    #[serde(default)]
    pub deleting: bool,
}

/// A starting pod: a file (resolved when loading) or an inline manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum PodSource {
    File(PathBuf),
    Inline(Value),
}

impl<'de> Deserialize<'de> for PodSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PodVisitor;
        impl<'de> Visitor<'de> for PodVisitor {
            type Value = PodSource;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a fixture path or an inline Pod manifest")
            }
            fn visit_str<E>(self, v: &str) -> Result<PodSource, E> {
                Ok(PodSource::File(PathBuf::from(v)))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<PodSource, A::Error> {
                let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(PodSource::Inline(value))
            }
        }
        deserializer.deserialize_any(PodVisitor)
    }
}

/// The patch type, which decides the Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchType {
    Json,
    Merge,
    Strategic,
    Apply,
}

impl PatchType {
    /// The tag of cases that send this patch type (`--patch-type` takes it too).
    pub fn tag(self) -> &'static str {
        match self {
            PatchType::Json => "json-patch",
            PatchType::Merge => "merge-patch",
            PatchType::Strategic => "strategic-merge-patch",
            PatchType::Apply => "apply",
        }
    }

    /// The Content-Type Kubernetes expects for this patch type.
    pub fn content_type(self) -> &'static str {
        match self {
            PatchType::Json => "application/json-patch+json",
            PatchType::Merge => "application/merge-patch+json",
            PatchType::Strategic => "application/strategic-merge-patch+json",
            PatchType::Apply => "application/apply-patch+yaml",
        }
    }
}

/// What `request.pod` or `request.namespace` aims at instead of the case's own:
/// something absent, under a generated name (`missing`) or a given one
/// (`{missing: NAME}`, variables substituted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Aim {
    Missing,
    Named(String),
}

impl<'de> Deserialize<'de> for Aim {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Named {
            missing: String,
        }
        struct AimVisitor;
        impl<'de> Visitor<'de> for AimVisitor {
            type Value = Aim;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`missing` or `{missing: NAME}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Aim, E> {
                match v {
                    "missing" => Ok(Aim::Missing),
                    other => Err(E::custom(format!(
                        "expected `missing` or `{{missing: NAME}}`, found `{other}`"
                    ))),
                }
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Aim, A::Error> {
                let Named { missing } =
                    Named::deserialize(de::value::MapAccessDeserializer::new(map))?;
                // The name is one path segment: a `/`, `?` or `#` would aim elsewhere.
                if missing.is_empty() || missing.contains(['/', '?', '#']) {
                    return Err(de::Error::custom(format!(
                        "`missing: {missing:?}` must be one non-empty path segment (no `/`, `?` or `#`)"
                    )));
                }
                Ok(Aim::Named(missing))
            }
        }
        deserializer.deserialize_any(AimVisitor)
    }
}

/// The request of a case or step, as written (variables not yet substituted).
#[derive(Debug, Clone, Serialize)]
pub struct RequestSpec {
    pub method: Method,
    pub content_type: ContentType,
    pub body: Body,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub pod: Option<Aim>,
    pub namespace: Option<Aim>,
    pub path: Option<String>,
}

/// The HTTP method of a request: PATCH, or GET to read the pod in a step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Patch,
    Get,
}

impl Method {
    /// The method as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Patch => "PATCH",
            Method::Get => "GET",
        }
    }
}

/// Where the Content-Type comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ContentType {
    Patch(PatchType),
    Raw(String),
    /// No Content-Type header at all (`headers: {Content-Type: null}`), or a GET.
    Omitted,
}

impl ContentType {
    /// The header value to send, if any.
    pub fn header(&self) -> Option<&str> {
        match self {
            ContentType::Patch(t) => Some(t.content_type()),
            ContentType::Raw(s) => Some(s),
            ContentType::Omitted => None,
        }
    }
}

/// The request body.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Body {
    /// No body at all.
    Empty,
    /// A value, sent as JSON (YAML for apply patches).
    Value(Value),
    /// Bytes sent as written.
    Raw(String),
    /// A body too large to write out: `item` repeated `count` times.
    Repeated(Repeated),
}

/// A generated body: `prefix`, then `count` copies of `item` joined by
/// `separator`, then `suffix`. It lets size-limit cases (3 MiB bodies, 10001
/// JSON Patch operations) stay small files.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Repeated {
    #[serde(default)]
    pub prefix: String,
    pub item: String,
    #[serde(default)]
    pub separator: String,
    pub count: usize,
    #[serde(default)]
    pub suffix: String,
}

impl Repeated {
    /// The largest body a case may generate: well past the 3 MiB API limit.
    pub const MAX_BYTES: usize = 16 * 1024 * 1024;
    /// The most copies a case may generate: even empty items cost a loop turn
    /// each, so the count is bounded on its own, not only through the size.
    pub const MAX_COUNT: usize = Repeated::MAX_BYTES;

    /// The body's length in bytes, `None` past `usize`.
    pub fn bytes(&self) -> Option<usize> {
        let items = self.item.len().checked_mul(self.count)?;
        let separators = self
            .separator
            .len()
            .checked_mul(self.count.saturating_sub(1))?;
        items
            .checked_add(separators)?
            .checked_add(self.prefix.len() + self.suffix.len())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    #[serde(default)]
    method: Method,
    #[serde(rename = "type")]
    patch_type: Option<PatchType>,
    content_type: Option<String>,
    body: Option<Value>,
    raw_body: Option<String>,
    repeated_body: Option<Repeated>,
    #[serde(default)]
    query: BTreeMap<String, QueryValue>,
    #[serde(default)]
    headers: BTreeMap<String, Option<String>>,
    pod: Option<Aim>,
    namespace: Option<Aim>,
    path: Option<String>,
}

/// A query parameter value: YAML scalars (`true`, `1`) are sent as their text.
#[derive(Deserialize)]
#[serde(transparent)]
struct QueryValue(Value);

impl<'de> Deserialize<'de> for RequestSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Checked inside the map visit so that errors carry the mapping's position.
        struct RequestVisitor;
        impl<'de> Visitor<'de> for RequestVisitor {
            type Value = RequestSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a request mapping")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<RequestSpec, A::Error> {
                let raw = RawRequest::deserialize(de::value::MapAccessDeserializer::new(map))?;
                RequestSpec::try_from(raw).map_err(de::Error::custom)
            }
        }
        deserializer.deserialize_map(RequestVisitor)
    }
}

impl TryFrom<RawRequest> for RequestSpec {
    type Error = String;

    fn try_from(raw: RawRequest) -> Result<Self, String> {
        let (headers, omit) = split_headers(raw.headers)?;
        let content_type = match (raw.patch_type, raw.content_type) {
            (Some(_), _) | (_, Some(_)) if omit => {
                return Err(
                    "`headers: {Content-Type: null}` sends no Content-Type: it excludes `type` and `content_type`".into(),
                );
            }
            (None, None) if omit || raw.method == Method::Get => ContentType::Omitted,
            (Some(t), None) => ContentType::Patch(t),
            (None, Some(c)) => ContentType::Raw(c),
            (Some(_), Some(_)) => {
                return Err("`type` and `content_type` are exclusive: give one".into());
            }
            (None, None) => {
                return Err(
                    "missing `type` (json, merge, strategic, apply) or `content_type`".into(),
                );
            }
        };
        let body = match (raw.body, raw.raw_body, raw.repeated_body) {
            (Some(v), None, None) => Body::Value(v),
            (None, Some(s), None) => Body::Raw(s),
            (None, None, Some(r)) => {
                if r.count > Repeated::MAX_COUNT {
                    return Err(format!(
                        "`repeated_body.count` is {}; at most {} copies are allowed",
                        r.count,
                        Repeated::MAX_COUNT
                    ));
                }
                if r.bytes().is_none_or(|n| n > Repeated::MAX_BYTES) {
                    return Err(format!(
                        "`repeated_body` would exceed {} bytes",
                        Repeated::MAX_BYTES
                    ));
                }
                Body::Repeated(r)
            }
            (None, None, None) => Body::Empty,
            _ => {
                return Err(
                    "`body`, `raw_body` and `repeated_body` are exclusive: give one".into(),
                );
            }
        };
        if raw.path.is_some() && (raw.pod.is_some() || raw.namespace.is_some()) {
            return Err("`path` replaces the pod's path: it excludes `pod` and `namespace`".into());
        }
        if let Some(path) = raw.path.as_ref().filter(|p| !p.starts_with('/')) {
            return Err(format!("`path` must start with `/`, found `{path}`"));
        }
        if raw.method == Method::Get
            && (body != Body::Empty || content_type != ContentType::Omitted)
        {
            return Err("a `GET` request sends no body and no `type` or `content_type`".into());
        }
        let query = raw
            .query
            .into_iter()
            .map(|(k, QueryValue(v))| match v {
                Value::String(s) => Ok((k, s)),
                Value::Bool(_) | Value::Number(_) => Ok((k, v.to_string())),
                other => Err(format!("query `{k}` must be a scalar, found {other}")),
            })
            .collect::<Result<_, _>>()?;
        Ok(RequestSpec {
            method: raw.method,
            content_type,
            body,
            query,
            headers,
            pod: raw.pod,
            namespace: raw.namespace,
            path: raw.path,
        })
    }
}

/// Headers the HTTP client sets from the body itself: a case that sets them would
/// send a request that contradicts its own framing.
const FRAMING_HEADERS: &[&str] = &["content-length", "transfer-encoding", "host"];

/// The headers to send, checked, and whether `Content-Type: null` asks to send
/// none: `null` omits a header podpatch sends by default, and the only one it
/// adds itself is Content-Type (the HTTP client always sends Accept and
/// User-Agent, so those can be given other values, not omitted).
fn split_headers(
    raw: BTreeMap<String, Option<String>>,
) -> Result<(BTreeMap<String, String>, bool), String> {
    let mut headers = BTreeMap::new();
    let mut omit = false;
    for (name, value) in raw {
        match value {
            Some(value) => {
                check_header(&name, &value)?;
                headers.insert(name, value);
            }
            None if name.eq_ignore_ascii_case("content-type") => omit = true,
            None => {
                return Err(format!(
                    "header `{name}: null`: only `Content-Type` can be omitted (the HTTP client always sends its other default headers; give `{name}` a value instead)"
                ));
            }
        }
    }
    Ok((headers, omit))
}

/// A request header of a case must be sendable as written.
fn check_header(name: &str, value: &str) -> Result<(), String> {
    if reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!(
            "header name `{name}` is not a valid HTTP header name"
        ));
    }
    if FRAMING_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
        return Err(format!(
            "header `{name}` is set by the HTTP client from the body; a case cannot set it"
        ));
    }
    if reqwest::header::HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "the value of header `{name}` is not a valid HTTP header value (control characters?)"
        ));
    }
    Ok(())
}

/// What the response must look like.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: u16,
    pub body: Option<Shape>,
    #[serde(default)]
    pub headers: BTreeMap<String, Shape>,
    pub stored: Option<Stored>,
}

/// What a GET after the patch must show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Stored {
    /// Exactly the pod as it was created.
    Unchanged,
    /// A pod matching this shape.
    Shape(Shape),
}

impl<'de> Deserialize<'de> for Stored {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Shape::deserialize(deserializer)? {
            Shape::Scalar(Value::String(s)) if s == "unchanged" => Ok(Stored::Unchanged),
            shape @ Shape::Map(_) => Ok(Stored::Shape(shape)),
            other => Err(de::Error::custom(format!(
                "`stored` is `unchanged` or a mapping, found {}",
                other.to_json()
            ))),
        }
    }
}
