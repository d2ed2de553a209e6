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
            Some(parse_yaml(&found, &read(&found)?)?)
        }
    };
    Ok(Case {
        id,
        path: path.to_path_buf(),
        file,
        pod,
    })
}

fn read(path: &Path) -> Result<String, CaseError> {
    std::fs::read_to_string(path).map_err(|source| CaseError::Read {
        path: path.display().to_string(),
        source,
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
        if arg.is_file() {
            let base = arg.parent().unwrap_or(Path::new(""));
            found.push(Found {
                id: case_id(arg, root, base),
                path: arg.clone(),
            });
            continue;
        }
        if !arg.is_dir() {
            return Err(CaseError::Read {
                path: arg.display().to_string(),
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
            });
        }
        let before = found.len();
        let walker = walkdir::WalkDir::new(arg)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || e.file_name() != FIXTURES_DIR);
        for entry in walker {
            let entry = entry.map_err(|e| CaseError::Read {
                path: arg.display().to_string(),
                source: e.into(),
            })?;
            let p = entry.path();
            if entry.file_type().is_file() && is_yaml(p) {
                found.push(Found {
                    id: case_id(p, root, arg),
                    path: p.to_path_buf(),
                });
            }
        }
        if found.len() == before {
            return Err(CaseError::NoCases {
                path: arg.display().to_string(),
            });
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
}

fn is_yaml(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn case_id(path: &Path, root: &Path, base: &Path) -> String {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (path_c, root_c) = (canon(path), canon(root));
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
    #[case::overflowing_body(
        "description: d\nrequest:\n  type: json\n  repeated_body: {item: xx, count: 18446744073709551615}\nexpect:\n  status: 200\n",
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
