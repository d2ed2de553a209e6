//! Proves the runner can fail: cases under `tests/data/must-fail` must fail against
//! the mock, and files under `tests/data/bad-cases` (which the JSON Schema refuses
//! too) and `tests/data/bad-values` (which only the loader can judge, such as a
//! version range no version satisfies) must be rejected at the line and column
//! their first comment names (`# error: LINE:COLUMN: text`). A failing step of a
//! scenario is named with what it sent, and a file with variants runs as one case
//! per variant (`tests/data/variants`).

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

#[tokio::test]
async fn a_failing_step_is_named_with_what_it_sent() {
    let base = support::root().join("tests/data/must-fail");
    let path = base.join("scenario-wrong-second-step.yaml");
    let report = support::run_on_mock(vec![support::load(&path, &base)]).await;
    let outcome = &report.outcomes[0];
    assert_eq!(outcome.status, Status::Failed, "{outcome:#?}");
    assert_eq!(outcome.step.as_deref(), Some("patch (step 2 of 3)"));
    assert_eq!(outcome.mismatches[0].at, "steps.patch.status");
    // The request shown is the failing step's, captures substituted.
    let request = outcome.request.as_ref().expect("the step's request");
    assert_eq!(request.method, "PATCH");
    assert!(
        request.body.contains("\"resourceVersion\":\""),
        "{}",
        &*request.body
    );
    assert!(!request.body.contains("${steps"), "{}", &*request.body);
    let curl = outcome.curl.as_deref().unwrap_or_default();
    assert!(curl.contains("resourceVersion"), "{curl}");
    let summary = podpatch::report::terminal::summary(outcome);
    assert!(summary.contains("at step patch (step 2 of 3)"), "{summary}");
}

#[tokio::test]
async fn variants_are_run_and_reported_apart() {
    let base = support::root().join("tests/data/variants");
    let cases = support::load_all(&base.join("one-right-one-wrong.yaml"), &base);
    let report = support::run_on_mock(cases).await;
    let verdicts: Vec<_> = report
        .outcomes
        .iter()
        .map(|o| (o.id.as_str(), o.status))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("one-right-one-wrong[right]", Status::Passed),
            ("one-right-one-wrong[wrong]", Status::Failed)
        ]
    );
    let wrong = &report.outcomes[1];
    assert!(wrong.tags.contains(&"strategic-merge-patch".to_owned()));
}
