//! Case files: the serde model of one YAML case, its strict loader, and discovery
//! of case files on disk.
//!
//! Every error names `file:line:column`. This module reads files; it sends nothing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::shape::Shape;
use crate::version::VersionReq;

/// The folder under a cases root that holds starting pods, not cases.
pub const FIXTURES_DIR: &str = "fixtures";

/// One case file, as written.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// What the case proves, and where the real server differs from the page.
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The Kubernetes versions the case applies to; other targets skip it.
    pub kubernetes: Option<VersionReq>,
    pub given: Option<Given>,
    pub request: RequestSpec,
    pub expect: Expect,
}

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

/// The only value of `request.pod` and `request.namespace`: aim at something absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Aim {
    Missing,
}

/// The PATCH request of a case, as written (variables not yet substituted).
#[derive(Debug, Clone, Serialize)]
pub struct RequestSpec {
    pub content_type: ContentType,
    pub body: Body,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub pod: Option<Aim>,
    pub namespace: Option<Aim>,
    pub path: Option<String>,
}

/// Where the Content-Type comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ContentType {
    Patch(PatchType),
    Raw(String),
}

impl ContentType {
    /// The header value to send.
    pub fn header(&self) -> &str {
        match self {
            ContentType::Patch(t) => t.content_type(),
            ContentType::Raw(s) => s,
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
    fn len(&self) -> Option<usize> {
        let items = self.item.len().checked_mul(self.count)?;
        let separators = self
            .separator
            .len()
            .checked_mul(self.count.saturating_sub(1))?;
        items
            .checked_add(separators)?
            .checked_add(self.prefix.len() + self.suffix.len())
    }

    /// The body, with `f` applied to each written part.
    pub fn render(&self, f: impl Fn(&str) -> String) -> String {
        let item = f(&self.item);
        let separator = f(&self.separator);
        let mut out = f(&self.prefix);
        for i in 0..self.count {
            if i > 0 {
                out.push_str(&separator);
            }
            out.push_str(&item);
        }
        out.push_str(&f(&self.suffix));
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequest {
    #[serde(rename = "type")]
    patch_type: Option<PatchType>,
    content_type: Option<String>,
    body: Option<Value>,
    raw_body: Option<String>,
    repeated_body: Option<Repeated>,
    #[serde(default)]
    query: BTreeMap<String, QueryValue>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
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
        let content_type = match (raw.patch_type, raw.content_type) {
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
                if r.len().is_none_or(|n| n > Repeated::MAX_BYTES) {
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
        for (name, value) in &raw.headers {
            check_header(name, value)?;
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
            content_type,
            body,
            query,
            headers: raw.headers,
            pod: raw.pod,
            namespace: raw.namespace,
            path: raw.path,
        })
    }
}

/// Headers the HTTP client sets from the body itself: a case that sets them would
/// send a request that contradicts its own framing.
const FRAMING_HEADERS: &[&str] = &["content-length", "transfer-encoding", "host"];

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

/// A loaded case: its id, where it came from, and its content with fixtures resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Case {
    /// Path under the cases root without extension, `/`-separated: names the snapshot.
    pub id: String,
    pub path: PathBuf,
    pub file: CaseFile,
    /// The starting pod manifest, fixture files read.
    pub pod: Option<Value>,
}

/// Why a case file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: failed to read")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{path}: fixture `{fixture}` not found (looked beside the case, in its parent folders and in {root})"
    )]
    FixtureMissing {
        path: String,
        fixture: String,
        root: String,
    },
    #[error("{path}: no case files found")]
    NoCases { path: String },
    #[error("{path} {why}")]
    Unreadable { path: String, why: String },
    #[error(
        "{first} and {second} have the same case id `{id}` (and would share one snapshot); remove or rename one"
    )]
    DuplicateId {
        id: String,
        first: String,
        second: String,
    },
}

/// Reads YAML with positions: the error names the file, line and column.
pub fn parse_yaml<T: de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, CaseError> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        let full = e.to_string();
        let suffix = format!(" at line {line} column {column}");
        // The position leads the message already; libyaml repeats it mid-text.
        let message = full.replacen(&suffix, "", 1);
        CaseError::Invalid {
            path: path.display().to_string(),
            line,
            column,
            message,
        }
    })
}

/// Loads one case file. `id` names it; `root` is the shipped cases folder, the last
/// place fixtures are looked up.
pub fn load(path: &Path, id: String, root: &Path) -> Result<Case, CaseError> {
    let text = read(path)?;
    let file: CaseFile = parse_yaml(path, &text)?;
    let pod = match &file.given {
        None => None,
        Some(Given {
            pod: PodSource::Inline(v),
            ..
        }) => Some(v.clone()),
        Some(Given {
            pod: PodSource::File(fixture),
            ..
        }) => {
            let found =
                resolve_fixture(path, fixture, root).ok_or_else(|| CaseError::FixtureMissing {
                    path: path.display().to_string(),
                    fixture: fixture.display().to_string(),
                    root: root.display().to_string(),
                })?;
            let fixture: Value = parse_yaml(&found, &read(&found)?)?;
            if !fixture.is_object() {
                return Err(CaseError::Invalid {
                    path: found.display().to_string(),
                    line: 1,
                    column: 1,
                    message: format!(
                        "a fixture is a Pod manifest (a mapping), found {}",
                        kind_of(&fixture)
                    ),
                });
            }
            Some(fixture)
        }
    };
    Ok(Case {
        id,
        path: path.to_path_buf(),
        file,
        pod,
    })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The largest case or fixture file read.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a case or fixture file: a regular file (symbolic links followed) of at
/// most `MAX_FILE_BYTES`, in UTF-8; a bad byte is reported at its line and column.
fn read(path: &Path) -> Result<String, CaseError> {
    use std::io::Read as _;
    let shown = path.display().to_string();
    let read_err = |source| CaseError::Read {
        path: shown.clone(),
        source,
    };
    not_a_case_file(path)?;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(CaseError::Unreadable {
            path: shown,
            why: format!("is larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&valid[line_start..])
            .chars()
            .count()
            + 1;
        CaseError::Invalid {
            path: shown.clone(),
            line,
            column,
            message: "invalid UTF-8: case files are UTF-8 text".into(),
        }
    })
}

/// An error when `path` is not something a case can be read from: missing, a
/// broken symbolic link, a folder, a FIFO (reading would block) or a device.
fn not_a_case_file(path: &Path) -> Result<(), CaseError> {
    let shown = path.display().to_string();
    let link = std::fs::symlink_metadata(path).map_err(|source| CaseError::Read {
        path: shown.clone(),
        source,
    })?;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) if link.file_type().is_symlink() => {
            let to = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_default();
            return Err(CaseError::Unreadable {
                path: shown,
                why: format!("is a broken symbolic link (to `{to}`)"),
            });
        }
        Err(source) => {
            return Err(CaseError::Read {
                path: shown,
                source,
            });
        }
    };
    if meta.is_file() {
        return Ok(());
    }
    Err(CaseError::Unreadable {
        path: shown,
        why: format!(
            "is {}, not a case file",
            crate::target::file_kind(&meta.file_type())
        ),
    })
}

/// Fixtures resolve beside the case, then in each parent folder, then in `root`,
/// so ad-hoc case folders can bring their own or reuse the shipped ones.
fn resolve_fixture(case: &Path, fixture: &Path, root: &Path) -> Option<PathBuf> {
    if fixture.is_absolute() {
        return fixture.is_file().then(|| fixture.to_path_buf());
    }
    case.ancestors()
        .skip(1)
        .map(|dir| dir.join(fixture))
        .chain(std::iter::once(root.join(fixture)))
        .find(|p| p.is_file())
}

/// A case file found on disk, with its id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub id: String,
    pub path: PathBuf,
}

/// Finds case files under the given paths (files or folders), sorted by id.
///
/// Ids are relative to `root` when a file lies under it, so shipped cases keep their
/// snapshot names whichever path selects them; otherwise relative to the folder given.
pub fn discover(paths: &[PathBuf], root: &Path) -> Result<Vec<Found>, CaseError> {
    let mut found = Vec::new();
    for arg in paths {
        if !arg.is_dir() {
            not_a_case_file(arg)?;
            let base = arg.parent().unwrap_or(Path::new(""));
            found.push(Found {
                id: case_id(arg, root, base),
                path: arg.clone(),
            });
            continue;
        }
        let before = found.len();
        // Symbolic links are followed (walkdir reports loops); a `.yaml` entry that
        // is not a readable file is an error, never silently skipped.
        let walker = walkdir::WalkDir::new(arg)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || e.file_name() != FIXTURES_DIR);
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    if let Some(p) = e.path().filter(|p| is_yaml(p)) {
                        not_a_case_file(p)?;
                    }
                    return Err(CaseError::Read {
                        path: e.path().unwrap_or(arg).display().to_string(),
                        source: e.into(),
                    });
                }
            };
            let p = entry.path();
            if !is_yaml(p) || entry.file_type().is_dir() {
                continue;
            }
            not_a_case_file(p)?;
            found.push(Found {
                id: case_id(p, root, arg),
                path: p.to_path_buf(),
            });
        }
        if found.len() == before {
            return Err(CaseError::NoCases {
                path: arg.display().to_string(),
            });
        }
    }
    found.sort();
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    // The same file selected twice (`cases/a.yaml` and `./cases/a.yaml`) is one case.
    found.dedup_by(|a, b| a.id == b.id && canon(&a.path) == canon(&b.path));
    if let Some(pair) = found.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(CaseError::DuplicateId {
            id: pair[0].id.clone(),
            first: pair[0].path.display().to_string(),
            second: pair[1].path.display().to_string(),
        });
    }
    Ok(found)
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn case_id(path: &Path, root: &Path, base: &Path) -> String {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    // The folder is resolved, the file name kept: a symbolic link to a case file
    // is a case of its own name.
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let path_c = canon(parent.unwrap_or(Path::new("."))).join(path.file_name().unwrap_or_default());
    let root_c = canon(root);
    let rel = path_c
        .strip_prefix(&root_c)
        .or_else(|_| path_c.strip_prefix(canon(base)))
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| PathBuf::from(path.file_name().unwrap_or_default()));
    let rel = rel.with_extension("");
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn parse(text: &str) -> Result<CaseFile, CaseError> {
        parse_yaml(Path::new("c.yaml"), text)
    }

    const MINIMAL: &str =
        "description: d\nrequest:\n  type: json\n  body: []\nexpect:\n  status: 200\n";

    #[test]
    fn parses_a_minimal_case() {
        let case = parse(MINIMAL).unwrap();
        assert_eq!(
            case.request.content_type,
            ContentType::Patch(PatchType::Json)
        );
        assert_eq!(case.request.body, Body::Value(serde_json::json!([])));
        assert_eq!(case.expect.status, 200);
    }

    #[rstest]
    #[case::misspelt_top_key("descripton: d\n", 1, 1, "unknown field `descripton`")]
    #[case::misspelt_expect_key(
        "description: d\nrequest:\n  type: json\nexpect:\n  status: 200\n  bdy: {}\n",
        6,
        3,
        "unknown field `bdy`"
    )]
    #[case::bad_type(
        "description: d\nrequest:\n  type: jsn\nexpect:\n  status: 200\n",
        3,
        9,
        "unknown variant `jsn`"
    )]
    #[case::status_not_a_number(
        "description: d\nrequest:\n  type: json\nexpect:\n  status: ok\n",
        5,
        11,
        "invalid type"
    )]
    #[case::bad_matcher(
        "description: d\nrequest:\n  type: json\nexpect:\n  status: 200\n  body:\n    a: {$uuid: true}\n",
        7,
        8,
        "unknown matcher `$uuid`"
    )]
    #[case::both_types(
        "description: d\nrequest:\n  type: json\n  content_type: text/plain\nexpect:\n  status: 200\n",
        3,
        3,
        "exclusive"
    )]
    #[case::two_bodies(
        "description: d\nrequest:\n  type: json\n  raw_body: x\n  repeated_body: {item: x, count: 2}\nexpect:\n  status: 200\n",
        3,
        3,
        "exclusive"
    )]
    #[case::body_too_large(
        "description: d\nrequest:\n  type: json\n  repeated_body: {item: xxxxxxxx, count: 2097153}\nexpect:\n  status: 200\n",
        3,
        3,
        "would exceed 16777216 bytes"
    )]
    #[case::endless_empty_items(
        "description: d\nrequest:\n  type: json\n  repeated_body: {item: '', count: 18446744073709551615}\nexpect:\n  status: 200\n",
        3,
        3,
        "at most 16777216 copies"
    )]
    #[case::invalid_header_name(
        "description: d\nrequest:\n  type: json\n  headers: {'bad name': x}\nexpect:\n  status: 200\n",
        3,
        3,
        "not a valid HTTP header name"
    )]
    #[case::content_length(
        "description: d\nrequest:\n  type: json\n  headers: {Content-Length: '5'}\nexpect:\n  status: 200\n",
        3,
        3,
        "set by the HTTP client"
    )]
    #[case::unsatisfiable_range(
        "description: d\nkubernetes: '>=1.36, <1.33'\nrequest:\n  type: json\nexpect:\n  status: 200\n",
        2,
        13,
        "matches no version"
    )]
    #[case::overflowing_body(
        "description: d\nrequest:\n  type: json\n  repeated_body: {item: xx, count: 9223372036854775807, separator: x}\nexpect:\n  status: 200\n",
        3,
        3,
        "copies are allowed"
    )]
    #[case::overflowing_size(
        "description: d\nrequest:\n  type: json\n  repeated_body: {item: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx, count: 16777216}\nexpect:\n  status: 200\n",
        3,
        3,
        "would exceed"
    )]
    fn rejects_with_position(
        #[case] text: &str,
        #[case] line: usize,
        #[case] column: usize,
        #[case] message: &str,
    ) {
        match parse(text).unwrap_err() {
            CaseError::Invalid {
                line: l,
                column: c,
                message: m,
                ..
            } => {
                assert!(m.contains(message), "{m}");
                assert_eq!((l, c), (line, column), "{m}");
            }
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn query_scalars_become_text() {
        let case = parse(
            "description: d\nrequest:\n  type: json\n  query: {force: true, n: 1, dryRun: All}\nexpect:\n  status: 200\n",
        )
        .unwrap();
        assert_eq!(case.request.query["force"], "true");
        assert_eq!(case.request.query["n"], "1");
        assert_eq!(case.request.query["dryRun"], "All");
    }

    #[test]
    fn stored_is_unchanged_or_a_mapping() {
        let ok = parse(&format!("{MINIMAL}  stored: unchanged\n")).unwrap();
        assert_eq!(ok.expect.stored, Some(Stored::Unchanged));
        assert!(parse(&format!("{MINIMAL}  stored: same\n")).is_err());
    }

    fn invalid(e: CaseError) -> (usize, usize, String) {
        match e {
            CaseError::Invalid {
                line,
                column,
                message,
                ..
            } => (line, column, message),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn invalid_utf8_has_a_position() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, b"description: d\nrequest:\n  type: j\xffson\n").unwrap();
        let (line, column, message) = invalid(load(&path, "c".into(), dir.path()).unwrap_err());
        assert_eq!((line, column), (3, 10), "{message}");
        assert!(message.contains("UTF-8"), "{message}");
    }

    #[test]
    fn fixtures_must_be_mappings() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pod.yaml"), "- a list\n").unwrap();
        let path = dir.path().join("c.yaml");
        std::fs::write(&path, format!("given:\n  pod: pod.yaml\n{}", &MINIMAL)).unwrap();
        let (_, _, message) = invalid(load(&path, "c".into(), dir.path()).unwrap_err());
        assert!(message.contains("found a list"), "{message}");
    }

    #[cfg(unix)]
    #[test]
    fn links_fifos_and_twins_are_named_never_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("real.yaml"), MINIMAL).unwrap();
        std::os::unix::fs::symlink(root.join("real.yaml"), root.join("linked.yaml")).unwrap();
        let ids: Vec<_> = discover(&[root.to_path_buf()], root)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(ids, ["linked", "real"]);

        std::os::unix::fs::symlink(root.join("gone.yaml"), root.join("broken.yaml")).unwrap();
        let e = discover(&[root.to_path_buf()], root)
            .unwrap_err()
            .to_string();
        assert!(e.contains("broken.yaml is a broken symbolic link"), "{e}");
        let e = discover(&[root.join("broken.yaml")], root)
            .unwrap_err()
            .to_string();
        assert!(e.contains("broken symbolic link"), "{e}");
        std::fs::remove_file(root.join("broken.yaml")).unwrap();

        let fifo = root.join("pipe.yaml");
        if std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            let e = discover(&[root.to_path_buf()], root)
                .unwrap_err()
                .to_string();
            assert!(e.contains("pipe.yaml is a FIFO"), "{e}");
            let e = load(&fifo, "pipe".into(), root).unwrap_err().to_string();
            assert!(e.contains("is a FIFO"), "{e}");
            std::fs::remove_file(&fifo).unwrap();
        }

        std::fs::write(root.join("real.yml"), MINIMAL).unwrap();
        let e = discover(&[root.to_path_buf()], root)
            .unwrap_err()
            .to_string();
        assert!(e.contains("same case id `real`"), "{e}");
    }

    #[test]
    fn discovers_cases_and_skips_fixtures() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::create_dir_all(root.join("fixtures")).unwrap();
        for f in [
            "a/one.yaml",
            "a/b/two.yml",
            "fixtures/web.yaml",
            "a/notes.txt",
        ] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        let ids: Vec<_> = discover(&[root.to_path_buf()], root)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(ids, ["a/b/two", "a/one"]);
        let sub: Vec<_> = discover(&[root.join("a/b")], root)
            .unwrap()
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(sub, ["a/b/two"]);
    }
}
