//! The workflow of a mock author, through the binary: known gaps in an
//! expected-failures file (exit 0 while they fail for the listed cause, reported
//! when they pass, failing again once expired), a Markdown summary with pass rates
//! per feature, selection by patch type and tag, snapshots never offered as a
//! baseline for a target that is not upstream Kubernetes, and `diff` reports.

mod support;

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const WRONG_STATUS: &str = "tests/data/must-fail/wrong-status.yaml";

fn podpatch() -> Command {
    let mut cmd = Command::cargo_bin("podpatch").unwrap();
    cmd.current_dir(support::root())
        .env_remove("PODPATCH_TARGET")
        .env_remove("PODPATCH_TOKEN_FILE")
        .env_remove("PODPATCH_CA_FILE")
        .env_remove("CI");
    cmd
}

fn gaps(dir: &Path, yaml: &str) -> std::path::PathBuf {
    let path = dir.join("gaps.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// Runs the must-fail case with `yaml` as its expected-failures file.
fn run_wrong_status_with(yaml: &str) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    podpatch()
        .args(["run", "--no-snapshots", WRONG_STATUS, "--expected-failures"])
        .arg(gaps(dir.path(), yaml))
        .assert()
}

#[test]
fn an_expected_failure_does_not_fail_the_run_until_it_expires() {
    run_wrong_status_with(
        "- reason: answers 200 where the case wants 201\n  cases: [wrong-status]\n  cause: status expected 201, got 200\n",
    )
    .code(0)
    .stdout(predicate::str::contains("1 expected failure(s)"))
    .stdout(predicate::str::ends_with(
        "0 passed, 0 failed, 0 skipped, 1 expected failures\n",
    ));
    run_wrong_status_with(
        "- reason: answers 200\n  cases: [wrong-status]\n  expires: 2020-01-01\n",
    )
    .code(1)
    .stdout(predicate::str::contains("expired on 2020-01-01"));
    run_wrong_status_with("- reason: answers 202\n  cases: [wrong-status]\n  cause: got 202\n")
        .code(1)
        .stdout(predicate::str::contains("but failed for another"));
    run_wrong_status_with("- reason: x\n  case: [a]\n")
        .code(2)
        .stderr(predicate::str::contains("unknown field `case`"));
}

#[test]
fn a_listed_case_that_passes_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let listed = gaps(
        dir.path(),
        "- reason: no labels yet\n  cases: [labels-annotations/]\n",
    );
    podpatch()
        .args([
            "run",
            "--no-snapshots",
            "--filter",
            "labels-annotations/json-replace-label",
            "--expected-failures",
        ])
        .arg(&listed)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "1 case(s) listed as expected failures pass now; remove them from the file:\n  labels-annotations/json-replace-label",
        ));
}

#[test]
fn markdown_summary_has_causes_and_pass_rates_per_feature() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("summary.md");
    podpatch()
        .args([
            "run",
            "--no-snapshots",
            "cases/labels-annotations/json-replace-label.yaml",
            WRONG_STATUS,
            "--markdown",
        ])
        .arg(&md)
        .assert()
        .code(1);
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(
        text.contains("| 1 | status expected 201, got 200 | `wrong-status` |"),
        "{text}"
    );
    assert!(
        text.contains("| `json-patch` | 100.0% | 1 | 0 | 0 | 0 |"),
        "{text}"
    );
}

#[test]
fn selects_by_patch_type_and_excludes_tags() {
    let out = podpatch()
        .args(["list", "--patch-type", "apply"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() > 50, "{text}");
    assert!(text.lines().all(|l| l.contains("[apply")), "{text}");
    podpatch()
        .args(["list", "--patch-type", "apply", "--exclude-tag", "apply"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no case matches"));
}

#[test]
fn no_pending_snapshots_or_new_baseline_for_a_target_that_is_not_upstream() {
    // The built-in mock's /version says it is not a kube-apiserver.
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().join("snaps");
    podpatch()
        .args(["run", WRONG_STATUS, "--snapshots-dir"])
        .arg(&snapshots)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("nothing written"));
    assert!(!snapshots.exists(), "nothing may be written for a mock");
    // --update-snapshots into the default folder (here a scratch working folder) is refused.
    Command::cargo_bin("podpatch")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("PODPATCH_TARGET")
        .args(["run", "--update-snapshots", "--cases-dir"])
        .arg(support::root().join("cases"))
        .arg(support::root().join(WRONG_STATUS))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("refusing --update-snapshots"));
    assert!(!dir.path().join("snapshots").exists());
}

#[test]
fn diff_writes_junit_and_structured_json() {
    let dir = tempfile::tempdir().unwrap();
    let (junit, json) = (dir.path().join("d.xml"), dir.path().join("d.json"));
    podpatch()
        .args([
            "diff",
            "--target",
            "mock",
            "--target",
            "mock",
            "--filter",
            "labels-annotations/json-replace-label",
            "--junit",
        ])
        .arg(&junit)
        .arg("--json")
        .arg(&json)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("A [1/1] PASS"))
        .stdout(predicate::str::ends_with(
            "1 same, 0 different, 0 incomparable\n",
        ));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("name=\"labels-annotations/json-replace-label\""),
        "{xml}"
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(doc["cases"][0]["result"], "same", "{doc}");
    assert!(doc["groups"].as_array().is_some_and(Vec::is_empty), "{doc}");
}
