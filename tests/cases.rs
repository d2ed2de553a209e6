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
    let case = support::load(&path, &cases_dir);
    let (dir, name) = case
        .id
        .rsplit_once('/')
        .map_or((String::new(), case.id.clone()), |(d, n)| {
            (d.to_owned(), n.to_owned())
        });
    let description = case.file.description.clone();
    let report = support::run_on_mock(vec![case]).await;
    let outcome = &report.outcomes[0];
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
    settings.set_description(description);
    settings.set_input_file(&path);
    settings.bind(|| insta::assert_snapshot!(name, rendered));
}
