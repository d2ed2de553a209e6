//! Loading one case file: strict YAML parsing of its text (`read`), the cases
//! it expands to and the starting pod it names. Every error names
//! `file:line:column`; nothing is sent.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde::de::{self};
use serde_json::Value;

use super::document::{Case, CaseFile};
use super::error::CaseError;
use super::model::*;
use super::read::read;

/// Reads YAML with positions: the error names the file, line and column.
pub fn parse_yaml<T: de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, CaseError> {
    if let Some((line, column)) = too_deep(text) {
        return Err(CaseError::Invalid {
            path: path.display().to_string(),
            line,
            column,
            message: format!(
                "recursion limit exceeded: nested deeper than {MAX_FLOW_DEPTH} levels"
            ),
        });
    }
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

/// The deepest flow nesting (`[`, `{`) serde_yaml_ng reads; deeper fails anyway.
const MAX_FLOW_DEPTH: usize = 128;

/// Where flow collections first nest deeper than [`MAX_FLOW_DEPTH`], found in one
/// linear pass before libyaml, whose scanner takes time quadratic in the depth (a
/// file nested 40 000 levels took 20 s to be refused). Brackets inside quotes and
/// comments do not count; a stray bracket in a plain scalar may, which can only
/// refuse a file earlier than the parser would if a hundred of them pile up.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    // Fewer brackets than that cannot nest deeper (most files: no scan).
    if text.bytes().filter(|b| matches!(b, b'[' | b'{')).count() <= MAX_FLOW_DEPTH {
        return None;
    }
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let (mut quote, mut comment, mut escaped) = (None::<char>, false, false);
    let mut previous = '\n';
    for c in text.chars() {
        column += 1;
        if c == '\n' {
            (line, column, comment) = (line + 1, 0, false);
            previous = c;
            continue;
        }
        match quote {
            _ if comment => {}
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '#' if previous.is_whitespace() => comment = true,
                '"' | '\'' if matches!(previous, ' ' | '\t' | '\n' | '[' | '{' | ',' | ':') => {
                    quote = Some(c)
                }
                '[' | '{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((line, column));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        previous = c;
    }
    None
}

/// Loads one case file: its case, or one per variant (`id[name]`). `id` names
/// it; `root` is the shipped cases folder, the last place fixtures are looked up.
pub fn load(path: &Path, id: String, root: &Path) -> Result<Vec<Case>, CaseError> {
    Loader::new(root).load(path, id)
}

/// Loads case files, reading and parsing each fixture file once (or once per
/// thread loading at the same time): cases that name the same fixture (and the
/// variants of one file) share one parsed starting pod.
#[derive(Debug)]
pub struct Loader {
    root: PathBuf,
    /// Shared by the threads that load one selection's files together.
    fixtures: Mutex<HashMap<PathBuf, Arc<Value>>>,
    /// Where a fixture name, looked up from a case folder, was found: the
    /// cases of one folder name the same few fixtures, and each lookup that
    /// misses beside the case is a failing `stat` (one per case in the
    /// shipped suite).
    found: Mutex<HashMap<(PathBuf, PathBuf), PathBuf>>,
}

impl Loader {
    /// A loader whose last place to look fixtures up is `root`, the shipped cases
    /// folder.
    pub fn new(root: &Path) -> Loader {
        Loader {
            root: root.to_path_buf(),
            fixtures: Mutex::new(HashMap::new()),
            found: Mutex::new(HashMap::new()),
        }
    }

    /// Loads one case file: its case, or one per variant (`id[name]`); `id` names
    /// it.
    pub fn load(&self, path: &Path, id: String) -> Result<Vec<Case>, CaseError> {
        let text = read(path)?;
        let file: CaseFile = parse_yaml(path, &text)?;
        let expanded = file.expand().map_err(|(key, message)| {
            let line = key_line(&text, key);
            CaseError::Invalid {
                path: path.display().to_string(),
                line,
                column: 1,
                message,
            }
        })?;
        let pod = match &file.given {
            None => None,
            Some(Given {
                pod: PodSource::Inline(v),
                ..
            }) => Some(Arc::new(v.clone())),
            Some(Given {
                pod: PodSource::File(fixture),
                ..
            }) => Some(self.fixture(path, fixture)?),
        };
        Ok(expanded
            .into_iter()
            .map(|(variant, steps)| {
                let mut file = file.clone();
                // A variant is tagged with the patch type it sends, so `--tag` and
                // `--patch-type` select it alone.
                if variant.is_some() {
                    let sends = steps.iter().filter_map(|s| match s.request.content_type {
                        ContentType::Patch(t) => Some(t.tag()),
                        _ => None,
                    });
                    for tag in sends {
                        if !file.tags.iter().any(|t| t == tag) {
                            file.tags.push(tag.to_owned());
                        }
                    }
                }
                Case {
                    id: match &variant {
                        Some(v) => format!("{id}[{v}]"),
                        None => id.clone(),
                    },
                    path: path.to_path_buf(),
                    file,
                    pod: pod.clone(),
                    variant,
                    steps,
                }
            })
            .collect())
    }

    /// The starting pod in the fixture file `fixture` named by the case at `case`,
    /// parsed once per file.
    fn fixture(&self, case: &Path, fixture: &Path) -> Result<Arc<Value>, CaseError> {
        // The maps are never left half-changed, so a panicking thread leaves them usable.
        let key = (
            case.parent().unwrap_or(Path::new("")).to_path_buf(),
            fixture.to_path_buf(),
        );
        let known = self
            .found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .cloned();
        let found = match known {
            Some(found) => found,
            None => {
                let found = resolve_fixture(case, fixture, &self.root).ok_or_else(|| {
                    CaseError::FixtureMissing {
                        path: case.display().to_string(),
                        fixture: fixture.display().to_string(),
                        root: self.root.display().to_string(),
                    }
                })?;
                self.found
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, found.clone());
                found
            }
        };
        let fixtures = || self.fixtures.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(pod) = fixtures().get(&found) {
            return Ok(Arc::clone(pod));
        }
        let pod: Value = parse_yaml(&found, &read(&found)?)?;
        if !pod.is_object() {
            return Err(CaseError::Invalid {
                path: found.display().to_string(),
                line: 1,
                column: 1,
                message: format!(
                    "a fixture is a Pod manifest (a mapping), found {}",
                    kind_of(&pod)
                ),
            });
        }
        // Parsed by another thread meanwhile: the first one parsed is shared.
        Ok(Arc::clone(fixtures().entry(found).or_insert(Arc::new(pod))))
    }
}

/// The line of a top-level `key:` in a case file (1 when it is not written).
fn key_line(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.strip_prefix(key).is_some_and(|r| r.starts_with(':')))
        .map_or(1, |i| i + 1)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::discover;
    use rstest::rstest;

    fn parse(text: &str) -> Result<CaseFile, CaseError> {
        parse_yaml(Path::new("c.yaml"), text)
    }

    #[test]
    fn deep_flow_nesting_is_refused_in_linear_time() {
        let n = 40_000;
        let text = format!(
            "description: d\nrequest:\n  type: merge\n  body: {}{}\nexpect:\n  status: 200\n",
            "[".repeat(n),
            "]".repeat(n)
        );
        let started = std::time::Instant::now();
        let e = parse(&text).unwrap_err().to_string();
        assert!(e.contains("c.yaml:4:137"), "{e}");
        assert!(e.contains("recursion limit exceeded"), "{e}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Brackets in quotes and comments are text, and 128 levels still parse.
        let quoted = format!(
            "description: '{}'\n# {}\n",
            "[".repeat(300),
            "{".repeat(300)
        );
        assert_eq!(too_deep(&quoted), None);
        // What the parser reads (127 flow levels in a mapping) passes the scan.
        let ok = format!("a: {}{}\n", "[".repeat(127), "]".repeat(127));
        assert_eq!(too_deep(&ok), None);
        assert!(serde_yaml_ng::from_str::<serde_json::Value>(&ok).is_ok());
    }

    const MINIMAL: &str =
        "description: d\nrequest:\n  type: json\n  body: []\nexpect:\n  status: 200\n";

    #[test]
    fn parses_a_minimal_case() {
        let case = parse(MINIMAL).unwrap();
        let request = case.request.unwrap();
        assert_eq!(request.content_type, ContentType::Patch(PatchType::Json));
        assert_eq!(request.body, Body::Value(serde_json::json!([])));
        assert_eq!(case.expect.unwrap().status, 200);
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
        .unwrap()
        .request
        .unwrap();
        assert_eq!(case.query["force"], "true");
        assert_eq!(case.query["n"], "1");
        assert_eq!(case.query["dryRun"], "All");
    }

    #[test]
    fn stored_is_unchanged_or_a_mapping() {
        let ok = parse(&format!("{MINIMAL}  stored: unchanged\n")).unwrap();
        assert_eq!(ok.expect.unwrap().stored, Some(Stored::Unchanged));
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
    fn megabytes_of_generated_body_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.yaml");
        let large = "description: d\nrequest:\n  type: json\n  repeated_body: {item: 'a', count: 2000000}\nexpect:\n  status: 413\n";
        for (text, large) in [(MINIMAL, false), (large, true)] {
            std::fs::write(&path, text).unwrap();
            let case = &load(&path, "c".into(), dir.path()).unwrap()[0];
            assert_eq!(case.generates_more_than(1024 * 1024), large, "{text}");
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

    #[test]
    fn one_loader_finds_each_folders_own_fixture_of_a_name() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (folder, from) in [("", "root"), ("a/", "a")] {
            std::fs::create_dir_all(root.join(folder).join("fixtures")).unwrap();
            std::fs::write(
                root.join(folder).join("fixtures/pod.yaml"),
                format!("metadata: {{name: {from}}}\n"),
            )
            .unwrap();
        }
        let case = format!("given:\n  pod: fixtures/pod.yaml\n{MINIMAL}");
        let loader = Loader::new(root);
        // Each case twice: the second lookup of a folder's name is remembered.
        for (at, from) in [
            ("a/c.yaml", "a"),
            ("a/sub/c.yaml", "a"),
            ("b/c.yaml", "root"),
        ]
        .iter()
        .cycle()
        .take(6)
        {
            let path = root.join(at);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &case).unwrap();
            let pod = loader.load(&path, "c".into()).unwrap()[0]
                .pod
                .clone()
                .unwrap();
            assert_eq!(pod["metadata"]["name"], *from, "{at}");
        }
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
