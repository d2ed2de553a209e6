//! The built-in mock answers as every Kubernetes minor it models: the whole
//! shipped suite runs against it at each of 1.30–1.37, and every case must
//! give that minor's snapshot (the shared one, or the `@1.NN` override that
//! serves the minor) — the snapshots the real servers of those minors gave.
//! 1.37, the default, is `tests/cases.rs`'s, case by case.

mod support;

use podpatch::report::terminal;
use podpatch::run::Status;
use podpatch::snapshot::Mode;
use podpatch_mock::Version;
use rstest::rstest;

#[rstest]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mock_gives_each_minor_s_snapshots(#[values(30, 31, 32, 33, 34, 35, 36)] minor: u32) {
    let version = Version::new(minor).expect("a modelled minor");
    let report = support::run_on_mock_at(support::shipped(), version, Mode::Check).await;
    assert_eq!(
        report
            .version
            .as_ref()
            .and_then(podpatch::version::KubeVersion::of_answer)
            .map(|v| v.minor),
        Some(minor),
        "the mock's /version names the minor it answers as"
    );
    let failed: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| !matches!(o.status, Status::Passed | Status::Skipped))
        .collect();
    let passed = report
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Passed)
        .count();
    assert!(passed > 600, "only {passed} cases passed on 1.{minor}");
    assert!(
        failed.is_empty(),
        "{} of {} cases differ from the 1.{minor} snapshots: {}\n\n{}",
        failed.len(),
        report.outcomes.len(),
        failed
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        failed
            .iter()
            .take(5)
            .map(|o| terminal::details(o))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
