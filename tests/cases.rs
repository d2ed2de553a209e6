//! The data-driven suite: every shipped case file is its own test, run against an
//! in-process mock and checked with insta against `snapshots/` — the same files
//! `podpatch run` uses.

mod support;

use std::path::PathBuf;

use podpatch::normalize;
use podpatch::report::terminal;
use podpatch::run::Status;
use rstest::rstest;

#[rstest]
#[tokio::test]
async fn case(
    #[files("cases/**/*.yaml")]
    #[exclude("/fixtures/")]
    path: PathBuf,
) {
    let cases_dir = support::root().join("cases");
    // A file with variants holds one case per variant, each with its snapshot.
    let cases = support::load_all(&path, &cases_dir);
    let report = support::run_on_mock(cases.clone()).await;
    for case in &cases {
        let (dir, name) = case
            .id
            .rsplit_once('/')
            .map_or((String::new(), case.id.clone()), |(d, n)| {
                (d.to_owned(), n.to_owned())
            });
        let outcome = report
            .outcomes
            .iter()
            .find(|o| o.id == case.id)
            .expect("every case has an outcome");
        if outcome.status == Status::Skipped {
            // A case for other Kubernetes minors than the mock's (`kubernetes:`): its
            // snapshots are those minors' overrides, checked against real servers.
            assert!(outcome.skip_reason.is_some(), "skipped without a reason");
            continue;
        }
        assert_eq!(
            outcome.status,
            Status::Passed,
            "{}",
            terminal::details(outcome)
        );
        let rendered = normalize::render(
            outcome
                .normalized
                .as_ref()
                .expect("judged cases are normalised"),
        );
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(support::root().join("snapshots").join(dir));
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.set_description(case.file.description.clone());
        settings.set_input_file(&path);
        settings.bind(|| insta::assert_snapshot!(name, rendered));
    }
}

/// Each version override records an answer its minor would not get otherwise.
#[test]
fn every_shipped_override_differs_from_its_fallback() {
    let redundant =
        podpatch::snapshot::redundant_overrides(&support::root().join("snapshots")).unwrap();
    assert!(
        redundant.is_empty(),
        "overrides equal to the snapshot their minor falls back to (delete them): {redundant:#?}"
    );
}
