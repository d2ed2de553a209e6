//! Property tests of the case loader: arbitrary bytes and mutated case files
//! never panic, load or fail within a bounded time, and every failure of a file
//! that was read names a position inside it; a case that loads can be planned.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use podpatch::case::{self, CaseError};
use podpatch::request;
use podpatch::vars::Vars;
use proptest::prelude::*;

/// Case files to mutate: every request body kind, a fixture, matchers, a range.
const SEEDS: &[&str] = &[
    "description: d\nrequest:\n  type: json\n  body: []\nexpect:\n  status: 200\n",
    "description: d\ntags: [a, b]\nkubernetes: '>=1.33, <1.36'\ngiven:\n  pod: {metadata: {name: web}, spec: {containers: [{name: web, image: nginx}]}}\nrequest:\n  type: merge\n  query: {dryRun: All, force: true}\n  headers: {Accept: application/json}\n  body: {metadata: {labels: {a: b}}}\nexpect:\n  status: 200\n  body: {metadata: {name: '${pod}', uid: {$uid: true}}}\n  stored: unchanged\n",
    "description: d\nrequest:\n  type: json\n  repeated_body: {prefix: '[', item: '{\"op\":\"test\",\"path\":\"/kind\",\"value\":\"Pod\"}', separator: ',', count: 10, suffix: ']'}\nexpect:\n  status: 200\n  headers: {content-type: {$prefix: application/json}}\n",
    "description: d\nrequest:\n  content_type: text/plain\n  raw_body: 'x: ${namespace}'\n  path: /api/v1/namespaces/${namespace}/pods/${pod}\nexpect:\n  status: 415\n  body: {message: {$regex: '^unsupported'}}\n",
];

/// Snippets that stress the loader where it was weak: huge counts, empty items,
/// framing headers, impossible ranges, bad UTF-8, deep nesting, odd scalars.
const SNIPPETS: &[&str] = &[
    "repeated_body: {item: '', count: 18446744073709551615}",
    "count: 99999999999",
    "headers: {Content-Length: '1'}",
    "headers: {'bad name': x}",
    "kubernetes: '>=1.36, <1.30'",
    "\u{0}",
    "[[[[[[[[[[[[[[[[",
    "{a: {a: {a: {a: {a: {a: {a: {a: 1}}}}}}}}",
    "&anchor x\n*anchor",
    "!!binary aGVsbG8=",
    "$uid: true",
    "pod: fixtures/none.yaml",
    ": : :",
    "\t",
    "- - -",
    "'",
    "\"\\u",
    "~",
];

/// A mutation of a case file.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    Snippet { at: usize, which: usize },
    Byte { at: usize, byte: u8 },
    DuplicateLine { line: usize },
    Truncate { at: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..20usize).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), "[ -~\n]{0,12}").prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(at, which)| Mutation::Snippet { at, which }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Byte { at, byte }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let pos = |at: usize, len: usize| if len == 0 { 0 } else { at % (len + 1) };
    match m {
        Mutation::Delete { at, len } => {
            let start = pos(*at, bytes.len());
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Mutation::Insert { at, text } => {
            let at = pos(*at, bytes.len());
            bytes.splice(at..at, text.bytes());
        }
        Mutation::Snippet { at, which } => {
            let at = pos(*at, bytes.len());
            bytes.splice(at..at, SNIPPETS[*which].bytes());
        }
        Mutation::Byte { at, byte } => {
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = *byte;
            }
        }
        Mutation::DuplicateLine { line } => {
            let lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
            let which = line % lines.len();
            let mut out = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                out.extend_from_slice(l);
                out.push(b'\n');
                if i == which {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                }
            }
            *bytes = out;
        }
        Mutation::Truncate { at } => {
            let at = pos(*at, bytes.len());
            bytes.truncate(at);
        }
    }
}

/// Loads `bytes` as a case file and checks the loader's promises.
fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.yaml");
    std::fs::write(&path, bytes).unwrap();
    let started = Instant::now();
    let loaded = case::load(&path, "case".into(), &support::root().join("cases"));
    for step in loaded.iter().flatten().flat_map(|c| &c.steps) {
        // A case that loads must plan within bounds too (bodies are generated here).
        let planned = request::plan(&step.request, &Vars::placeholder());
        prop_assert!(planned.body.len() <= case::Repeated::MAX_BYTES + 4096);
    }
    prop_assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    match loaded {
        Ok(_) | Err(CaseError::FixtureMissing { .. }) => {}
        Err(CaseError::Invalid {
            path: p,
            line,
            column,
            message,
        }) => {
            let lines = bytes.split(|b| *b == b'\n').count();
            prop_assert!(Path::new(&p).ends_with("case.yaml"), "{p}");
            prop_assert!(
                line >= 1 && line <= lines + 1,
                "{line} of {lines}: {message}"
            );
            prop_assert!(column >= 1, "{message}");
        }
        Err(other) => prop_assert!(false, "an error without a position: {other}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_case_files_fail_with_a_position(
        seed in 0..SEEDS.len(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = SEEDS[seed].as_bytes().to_vec();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        check(&bytes)?;
    }

    #[test]
    fn arbitrary_bytes_fail_with_a_position(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        check(&bytes)?;
    }
}
