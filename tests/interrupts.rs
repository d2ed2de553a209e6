//! Interrupts at random moments: `podpatch run` against the built-in mock served
//! by `podpatch mock --listen` in a child process gets SIGINT once or twice at a
//! random moment (starting, preparing, mid-case, tearing down). Each run must end
//! within the teardown grace, and afterwards nothing it created may be left on
//! the mock — with its own namespace and with `--namespace default`.

#![cfg(unix)]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::Rng as _;

/// Runs per mode; each is interrupted once, half of them twice.
const RUNS: usize = 8;

/// Cases that create in every way a run does: a starting pod, a pod kept by a
/// finalizer while being deleted, and a pod the case's own apply request creates.
fn write_cases(dir: &std::path::Path) {
    let pod = "{metadata: {name: web}, spec: {containers: [{name: web, image: 'nginx:1.27'}]}}";
    let kept = "{metadata: {name: web, finalizers: [example.com/keep]}, spec: {containers: [{name: web, image: 'nginx:1.27'}]}}";
    let label = "request:\n  type: merge\n  body: {metadata: {labels: {tier: web}}}\nexpect:\n  status: 200\n";
    let apply = "request:\n  type: apply\n  query: {fieldManager: podpatch-apply}\n  body:\n    apiVersion: v1\n    kind: Pod\n    metadata: {name: '${pod}', labels: {app.kubernetes.io/managed-by: podpatch}}\n    spec: {schedulingGates: [{name: podpatch.dev/hold}], containers: [{name: web, image: 'nginx:1.27'}]}\nexpect:\n  status: 201\n";
    for i in 0..10 {
        let files = [
            (
                format!("label-{i}.yaml"),
                format!("description: d\ngiven:\n  pod: {pod}\n{label}"),
            ),
            (
                format!("deleting-{i}.yaml"),
                format!("description: d\ngiven:\n  pod: {kept}\n  deleting: true\n{label}"),
            ),
            (
                format!("apply-{i}.yaml"),
                format!("description: d\n{apply}"),
            ),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
}

fn sigint(pid: u32) {
    let _ = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status();
}

/// Interrupts `RUNS` runs at random moments and checks each left nothing behind.
async fn interrupted_runs(namespace: Option<&str>) {
    let mock = support::ChildMock::start();
    let dir = tempfile::tempdir().unwrap();
    write_cases(dir.path());
    let mut rng = rand::rng();
    let mut ended_early = 0;
    for run in 0..RUNS {
        let log = dir.path().join(format!("run-{run}.log"));
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_podpatch"));
        cmd.args(["run", "--no-snapshots", "--jobs", "4", "--cases-dir", "."])
            .args(["--target", &mock.url])
            .current_dir(dir.path())
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::from(
                std::fs::OpenOptions::new().append(true).open(&log).unwrap(),
            ));
        if let Some(ns) = namespace {
            cmd.args(["--namespace", ns]);
        }
        let mut child = cmd.arg(".").spawn().unwrap();
        let started = Instant::now();
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..400))).await;
        sigint(child.id());
        let twice = rng.random_bool(0.5);
        if twice {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..50))).await;
            sigint(child.id());
        }
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "run {run} did not end after SIGINT"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        let output = std::fs::read_to_string(&log).unwrap();
        if status.code() != Some(0) {
            ended_early += 1;
        }
        let left = support::leftovers(&mock.url).await;
        assert!(
            left.is_empty(),
            "run {run} ({namespace:?}, SIGINT {}) left {left:?}:\n{output}",
            if twice { "twice" } else { "once" }
        );
    }
    eprintln!("{ended_early} of {RUNS} runs ({namespace:?}) were cut short; none left anything");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupts_leave_nothing_in_the_runs_namespace() {
    interrupted_runs(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupts_leave_nothing_in_a_given_namespace() {
    interrupted_runs(Some("default")).await;
}
