//! The binary's contract: exit codes 0, 1 and 2, positioned errors for bad case
//! files, readable failures, JUnit output, and no secrets in any output.

mod support;

use assert_cmd::Command;
use predicates::prelude::*;

fn podpatch() -> Command {
    let mut cmd = Command::cargo_bin("podpatch").unwrap();
    cmd.current_dir(support::root())
        .env_remove("PODPATCH_TARGET")
        .env_remove("PODPATCH_TOKEN_FILE")
        .env_remove("PODPATCH_CA_FILE");
    cmd
}

/// A case that passes against the mock, copied so snapshots stay out of the way.
fn passing_case(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("label.yaml");
    std::fs::write(
        &path,
        "description: adds a label\ngiven:\n  pod: fixtures/web.yaml\nrequest:\n  type: merge\n  body: {metadata: {labels: {tier: web}}}\nexpect:\n  status: 200\n  body: {metadata: {name: '${pod}', labels: {tier: web}}}\n",
    )
    .unwrap();
    path
}

#[test]
fn exit_0_when_every_case_passes() {
    let dir = tempfile::tempdir().unwrap();
    let case = passing_case(dir.path());
    podpatch()
        .args(["run", "--no-snapshots"])
        .arg(&case)
        .assert()
        .code(0)
        .stdout(predicate::str::ends_with("1 passed, 0 failed, 0 skipped\n"));
}

#[test]
fn exit_1_with_a_diff_when_a_case_fails() {
    podpatch()
        .args([
            "run",
            "--no-snapshots",
            "tests/data/must-fail/wrong-status.yaml",
        ])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("status: expected 201, got 200"))
        .stdout(predicate::str::contains("curl -sS -X PATCH"))
        .stdout(predicate::str::contains("0 passed, 1 failed, 0 skipped"));
}

#[test]
fn exit_2_naming_file_line_column_for_a_bad_case() {
    podpatch()
        .args(["check", "tests/data/bad-cases/misspelt-expect-key.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "tests/data/bad-cases/misspelt-expect-key.yaml:7:3: expect: unknown field `stauts`",
        ));
}

#[test]
fn exit_2_for_a_bad_flag() {
    podpatch().args(["run", "--jobz", "3"]).assert().code(2);
}

#[test]
fn exit_2_for_an_unreachable_target() {
    let dir = tempfile::tempdir().unwrap();
    let case = passing_case(dir.path());
    podpatch()
        .args([
            "run",
            "--no-snapshots",
            "--timeout",
            "5",
            "--target",
            "http://127.0.0.1:9",
        ])
        .arg(&case)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot connect"));
}

#[test]
fn junit_has_one_testcase_per_case() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    podpatch()
        .args(["run", "--no-snapshots", "tests/data/must-fail", "--junit"])
        .arg(&junit)
        .assert()
        .code(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    let cases = std::fs::read_dir(support::root().join("tests/data/must-fail"))
        .unwrap()
        .count();
    assert_eq!(xml.matches("<testcase ").count(), cases, "{xml}");
    assert!(xml.contains("name=\"wrong-status\""), "{xml}");
}

#[test]
fn secrets_never_reach_output_or_reports() {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "tok-SECRET-123\n").unwrap();
    let (json, junit) = (dir.path().join("r.json"), dir.path().join("r.xml"));
    let out = podpatch()
        .args([
            "run",
            "--no-snapshots",
            "tests/data/must-fail/wrong-status.yaml",
            "--header",
            "X-Auth-Token: hdr-SECRET-456",
            "--token-file",
        ])
        .arg(&token_file)
        .arg("--json")
        .arg(&json)
        .arg("--junit")
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let all = [
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        std::fs::read_to_string(&json).unwrap(),
        std::fs::read_to_string(&junit).unwrap(),
    ]
    .join("\n");
    assert!(!all.contains("SECRET"), "a secret leaked:\n{all}");
    assert!(all.contains("Authorization: Bearer [redacted]"), "{all}");
    assert!(all.contains("X-Auth-Token: [redacted]"), "{all}");
}
