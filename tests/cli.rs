//! The binary's contract: exit codes 0, 1 and 2, positioned errors for bad case
//! files, readable failures, JUnit output, and no secrets in any output.

mod support;

use assert_cmd::Command;
use predicates::prelude::*;

fn podpatch() -> Command {
    podpatch_in(&support::root())
}

/// The binary working in `dir`, with no target in the environment.
fn podpatch_in(dir: &std::path::Path) -> Command {
    let mut cmd = Command::cargo_bin("podpatch").unwrap();
    cmd.current_dir(dir)
        .env_remove("CI")
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

#[test]
fn the_built_in_suite_runs_from_any_folder() {
    let elsewhere = tempfile::tempdir().unwrap();
    let listed = podpatch_in(elsewhere.path())
        .args(["list", "json-patch"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let listed = String::from_utf8(listed).unwrap();
    let count = listed.lines().count();
    assert!(
        count > 10 && listed.lines().all(|l| l.starts_with("json-patch/")),
        "{listed}"
    );
    podpatch_in(elsewhere.path())
        .args(["run", "--target", "mock", "json-patch"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains(format!(
            "running {count} cases of the built-in suite against the built-in mock"
        )))
        .stdout(predicate::str::ends_with(format!(
            "{count} passed, 0 failed, 0 skipped\n"
        )));
    podpatch_in(elsewhere.path())
        .args(["check"])
        .assert()
        .code(0)
        .stdout(
            predicate::str::is_match(
                r"^\d{3,} case files are valid \(\d{3,} cases with their variants\)\n$",
            )
            .unwrap(),
        );
    podpatch_in(elsewhere.path())
        .args(["diff", "--target", "mock", "--target", "mock", "images"])
        .assert()
        .code(0);
    podpatch_in(elsewhere.path())
        .args(["cleanup", "--target", "mock"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 objects to remove"));
    // Nothing was left behind where the binary ran.
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn the_built_in_snapshots_are_never_written() {
    let elsewhere = tempfile::tempdir().unwrap();
    podpatch_in(elsewhere.path())
        .args(["run", "--update-snapshots", "images"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the built-in snapshots are read-only",
        ));
}

#[test]
fn an_exported_suite_is_used_in_place() {
    let dir = tempfile::tempdir().unwrap();
    podpatch_in(dir.path())
        .args(["cases", "export", "."])
        .assert()
        .code(0);
    assert!(dir.path().join("cases/fixtures/web.yaml").is_file());
    assert!(dir.path().join("snapshots/images").is_dir());
    podpatch_in(dir.path())
        .args(["cases", "export", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("never overwrites"));
    // An edited case is what runs: its snapshot no longer matches. The built-in
    // mock is not upstream Kubernetes, so no pending file is offered as a new
    // baseline (snapshots are recorded from a real kube-apiserver).
    let case = dir.path().join("cases/images/replace-with-digest.yaml");
    let text = std::fs::read_to_string(&case).unwrap();
    std::fs::write(&case, text.replace("sha256:0", "sha256:1")).unwrap();
    podpatch_in(dir.path())
        .args(["run", "images/replace-with-digest.yaml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "snapshot differs at body.spec.containers[*].image",
        ))
        .stderr(predicate::str::contains("of the built-in suite").not());
    assert!(
        !dir.path()
            .join("snapshots/images/replace-with-digest.snap.new")
            .exists()
    );
}

#[test]
fn completions_and_man_page_come_from_the_command_line_definitions() {
    podpatch()
        .args(["completions", "fish"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("complete -c podpatch"));
    podpatch()
        .arg("man")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(".TH podpatch"));
}

/// Flag errors of every subcommand, with secrets in every flag that takes one.
#[rstest::rstest]
#[case(&["run", "--header", "X-Auth-Token S3CRET-hdr"])]
#[case(&["run", "--header", "X Auth: S3CRET-hdr"])]
#[case(&["run", "--target", "https://me:S3CRET-pw@127.0.0.1:9"])]
#[case(&["run", "--target", "https://127.0.0.1:9/?token=S3CRET-q"])]
#[case(&["run", "--token", "S3CRET-tok", "--jobs", "many"])]
#[case(&["run", "--token=S3CRET-tok", "--no-such-flag"])]
#[case(&["cleanup", "--header", "X-Auth-Token S3CRET-hdr", "--target", "http://127.0.0.1:9"])]
#[case(&["cleanup", "--target", "http://me:S3CRET-pw@127.0.0.1:9"])]
#[case(&["diff", "--target", "mock", "--target", "https://me:S3CRET-pw@127.0.0.1:9,token-file=/none"])]
#[case(&["diff", "--target", "mock", "--target", "https://127.0.0.1:9/?token=S3CRET-q"])]
#[case(&["diff", "--target", "mock", "--target", "https://127.0.0.1:9,token=S3CRET-tok,header=X-Auth-Token: S3CRET-hdr", "--jobs", "0"])]
#[case(&["diff", "--target", "mock", "--target", "https://127.0.0.1:9,header=X-Auth-Token S3CRET-hdr"])]
fn flag_errors_never_show_secrets(#[case] args: &[&str]) {
    let out = podpatch().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("S3CRET"), "a secret leaked:\n{all}");
    assert!(all.contains("error"), "{all}");
}

#[test]
fn json_and_junit_at_one_path_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let case = passing_case(dir.path());
    let report = dir.path().join("report");
    podpatch()
        .args(["run", "--no-snapshots", "--json"])
        .arg(&report)
        .arg("--junit")
        .arg(dir.path().join(".").join("report"))
        .arg(&case)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name the same file"));
}

#[test]
fn an_unwritable_report_still_prints_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let case = passing_case(dir.path());
    podpatch()
        .args(["run", "--no-snapshots", "--json"])
        .arg(dir.path().join("no/such/folder/r.json"))
        .arg(&case)
        .assert()
        .code(3)
        .stdout(predicate::str::contains("1 passed, 0 failed, 0 skipped"))
        .stderr(predicate::str::contains("failed to write the JSON report"));
}

#[test]
fn a_ca_file_without_pem_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let case = passing_case(dir.path());
    let ca = dir.path().join("ca.crt");
    std::fs::write(&ca, "not a certificate\n").unwrap();
    podpatch()
        .args([
            "run",
            "--no-snapshots",
            "--target",
            "https://127.0.0.1:9",
            "--ca-file",
        ])
        .arg(&ca)
        .arg(&case)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no PEM certificate"));
}

#[test]
fn tls_to_a_plain_http_port_is_named_and_not_retried() {
    let mock = support::ChildMock::start();
    let http = mock.url.clone();
    let dir = tempfile::tempdir().unwrap();
    let case = passing_case(dir.path());
    let started = std::time::Instant::now();
    podpatch()
        .args(["run", "--no-snapshots", "--target"])
        .arg(http.replace("http://", "https://"))
        .arg(&case)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not speak TLS"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn a_token_file_that_never_ends_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let case = passing_case(dir.path());
    podpatch()
        .args(["run", "--no-snapshots", "--token-file", "/dev/zero"])
        .arg(&case)
        .timeout(std::time::Duration::from_secs(10))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is a device, not a regular file"));
}

/// A namespace named like other things (`default-scheduler`, the `default`
/// ServiceAccount) is replaced only where it names the namespace, so the shipped
/// snapshots hold in it (issue 11, item 6).
#[test]
fn snapshots_hold_in_a_namespace_with_a_common_name() {
    podpatch()
        .env("CI", "true")
        .args(["run", "--namespace", "default", "cases/images"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" passed, 0 failed, 0 skipped"));
}

/// The JSON report takes passing cases from a spool written as they finished:
/// every case appears once, in id order, whole (sent, observed, normalised).
#[test]
fn json_report_holds_every_case_whole_in_id_order() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    podpatch()
        .args(["run", "--no-snapshots", "cases/images", "--json"])
        .arg(&json)
        .assert()
        .code(0);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let outcomes = doc["run"]["outcomes"].as_array().unwrap();
    let ids: Vec<&str> = outcomes.iter().map(|o| o["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted);
    assert!(ids.len() > 1);
    assert_eq!(
        ids.len(),
        doc["summary"]["passed"].as_u64().unwrap() as usize
    );
    for o in outcomes {
        // A scenario's normalised observation lists its steps.
        let normalized = &o["normalized"];
        assert!(
            normalized["status"].is_number() || normalized["steps"].is_array(),
            "{o}"
        );
        assert!(o["observed"]["body"].is_string(), "{o}");
        assert!(o["curl"].is_string(), "{o}");
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn changes_between_minors_come_from_the_recorded_snapshots() {
    // 1.37 words a malformed JSON Patch body `invalid JSON patch` (docs/versions.md);
    // the built-in snapshots say so, case by case.
    podpatch_in(&std::env::temp_dir())
        .args(["cases", "changes", "--from", "1.36", "--to", "1.37"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## 1.36 → 1.37: "))
        .stdout(predicate::str::contains(
            r#"body.message: "error decoding patch: invalid character 'o' in literal null (expecting 'u')" → "invalid JSON patch""#,
        ))
        .stdout(predicate::str::contains("- json-patch/not-json\n"));
    podpatch()
        .args(["cases", "changes", "--from", "1.37", "--to", "1.36"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--from 1.37 must be older than --to 1.36",
        ));
    podpatch()
        .args(["cases", "changes", "--from", "1.29"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`1.29` is not a Kubernetes minor from 1.30 to 1.37",
        ));
}
