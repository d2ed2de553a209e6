//! Proves the runner can fail: cases under `tests/data/must-fail` must fail against
//! the mock, and files under `tests/data/bad-cases` (which the JSON Schema refuses
//! too) and `tests/data/bad-values` (which only the loader can judge, such as a
//! version range no version satisfies) must be rejected at the line and column
//! their first comment names (`# error: LINE:COLUMN: text`).

mod support;

use std::path::PathBuf;

use podpatch::case;
use podpatch::run::Status;
use rstest::rstest;

#[rstest]
#[tokio::test]
async fn must_fail(#[files("tests/data/must-fail/*.yaml")] path: PathBuf) {
    let base = support::root().join("tests/data/must-fail");
    let report = support::run_on_mock(vec![support::load(&path, &base)]).await;
    let outcome = &report.outcomes[0];
    assert_eq!(outcome.status, Status::Failed, "{outcome:#?}");
    assert!(
        !outcome.mismatches.is_empty(),
        "a failure must name what differed"
    );
}

#[rstest]
fn bad_case_is_rejected(
    #[files("tests/data/bad-cases/*.yaml")]
    #[files("tests/data/bad-values/*.yaml")]
    path: PathBuf,
) {
    let text = std::fs::read_to_string(&path).unwrap();
    let expected = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# error: "))
        .expect("first line names the expected error");
    let (line, rest) = expected.split_once(':').unwrap();
    let (column, message) = rest.split_once(':').unwrap();
    let err = case::load(&path, "bad".into(), &support::root().join("cases"))
        .expect_err("the file must not load");
    match err {
        case::CaseError::Invalid {
            line: l,
            column: c,
            message: m,
            ..
        } => {
            assert!(
                m.contains(message.trim()),
                "message `{m}` lacks `{}`",
                message.trim()
            );
            assert_eq!(
                (l, c),
                (line.parse().unwrap(), column.parse().unwrap()),
                "{m}"
            );
        }
        other => panic!("expected a positioned error, got {other}"),
    }
}
