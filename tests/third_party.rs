//! podpatch must work against third-party mocks that implement only the pod
//! endpoints (no namespaces, no ServiceAccounts, 200 instead of 201 on create):
//! the run goes on, says what it made do with, and still judges the cases. Against
//! a mock that wants complete objects and answers 202 (as fabric8's does), a run
//! completes, a refused setup names its cause and leaves nothing behind, and a
//! target that stops answering is noticed after a few cases.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::routing::{get, post};
use podpatch::run::{self, Options, Status};
use podpatch::target::Target;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// A pod-only mock: creation echoes the pod, PATCH answers it with a label added.
fn pod_only_mock() -> Router {
    async fn create(Path(_ns): Path<String>, body: String) -> (StatusCode, String) {
        let mut pod: Value = serde_json::from_str(&body).unwrap_or(json!({}));
        pod["metadata"]["uid"] = json!("0b7e9d52-6f4a-4c1e-9a57-1f2d3c4b5a69");
        (StatusCode::OK, pod.to_string())
    }
    async fn patch(Path((_ns, name)): Path<(String, String)>) -> (StatusCode, String) {
        let pod = json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": name, "labels": {"tier": "web"}}});
        (StatusCode::OK, pod.to_string())
    }
    Router::new()
        .route("/api/v1/namespaces/{ns}/pods", post(create))
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}",
            get(|| async { StatusCode::NOT_FOUND })
                .patch(patch)
                .delete(|| async { StatusCode::OK }),
        )
}

#[tokio::test]
async fn runs_against_a_pod_only_mock() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, pod_only_mock()).await });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("label.yaml");
    std::fs::write(
        &path,
        "description: adds a label\ngiven:\n  pod: fixtures/web.yaml\nrequest:\n  type: merge\n  body: {metadata: {labels: {tier: web}}}\nexpect:\n  status: 200\n  body: {metadata: {name: '${pod}', labels: {tier: web}}}\n",
    )
    .unwrap();
    let case = support::load(&path, dir.path());
    let opts = Options {
        run_timeout: Duration::from_secs(30),
        snapshot_dir: dir.path().to_path_buf(),
        stop_after_no_answer: 3,
        ..Options::new(1, Duration::from_secs(5))
    };
    let target = Target::new(&format!("http://{addr}")).unwrap();
    let report = run::run(vec![case], &target, &opts, CancellationToken::new(), |_| {})
        .await
        .expect("a pod-only target is still usable");
    assert_eq!(
        report.outcomes[0].status,
        Status::Passed,
        "{:#?}",
        report.outcomes[0]
    );
    assert!(
        report.notes.iter().any(|n| n.contains("no namespace API")),
        "{:?}",
        report.notes
    );
}

/// What a fabric8-like mock holds: every object by path, so a test can check that
/// nothing is left behind.
type Store = Arc<Mutex<BTreeMap<String, Value>>>;

/// Behaviour switches of `strict_mock`.
#[derive(Clone, Copy, Default)]
struct Quirks {
    /// Refuse every ServiceAccount with a 422 whose reason is only in `causes`.
    refuse_service_accounts: bool,
    /// Never answer a PATCH, nor `/version` (a target that stopped answering).
    hang: bool,
}

/// A mock as fabric8's CRUD server behaves: objects need `kind` and `apiVersion`
/// (422 with the reason in `causes` otherwise), writes answer 201/202, deleting a
/// namespace leaves its contents, pods are stored as sent.
fn strict_mock(store: Store, quirks: Quirks) -> Router {
    fn invalid(message: &str) -> (StatusCode, String) {
        let status = json!({"apiVersion": "v1", "kind": "Status", "status": "Failure", "code": 422, "reason": "Invalid", "message": "Invalid",
            "details": {"kind": "Unknown", "causes": [{"message": message, "reason": "ValueRequired"}]}});
        (StatusCode::UNPROCESSABLE_ENTITY, status.to_string())
    }
    fn create(store: &Store, path: String, body: &str, refuse: bool) -> (StatusCode, String) {
        let mut object: Value = serde_json::from_str(body).unwrap_or(json!({}));
        if object["kind"].is_null() || refuse {
            return invalid("Required value: kind is required");
        }
        let mut store = store.lock().unwrap();
        object["metadata"]["uid"] = json!(format!("uid-{}", store.len()));
        object["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or("x")
            .to_owned();
        store.insert(format!("{path}/{name}"), object.clone());
        (StatusCode::CREATED, object.to_string())
    }
    let s = store.clone();
    let namespaces = post(move |body: String| {
        let s = s.clone();
        async move { create(&s, "/api/v1/namespaces".into(), &body, false) }
    });
    let s = store.clone();
    let accounts = post(move |Path(ns): Path<String>, body: String| {
        let s = s.clone();
        async move {
            let path = format!("/api/v1/namespaces/{ns}/serviceaccounts");
            create(&s, path, &body, quirks.refuse_service_accounts)
        }
    });
    let s = store.clone();
    let pods = post(move |Path(ns): Path<String>, body: String| {
        let s = s.clone();
        async move { create(&s, format!("/api/v1/namespaces/{ns}/pods"), &body, false) }
    });
    let s = store.clone();
    let list = get(move |Path(ns): Path<String>| {
        let s = s.clone();
        async move {
            let prefix = format!("/api/v1/namespaces/{ns}/pods/");
            let items: Vec<Value> = s
                .lock()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.starts_with(&prefix))
                .map(|(_, v)| v.clone())
                .collect();
            json!({"kind": "PodList", "apiVersion": "v1", "items": items}).to_string()
        }
    });
    /// The object found (with `status`), or 404 with an empty body as fabric8 answers.
    fn found(object: Option<Value>, status: StatusCode) -> (StatusCode, String) {
        object.map_or((StatusCode::NOT_FOUND, String::new()), |v| {
            (status, v.to_string())
        })
    }
    let s = store.clone();
    let read = move |uri: axum::http::Uri| {
        let object = s.lock().unwrap().get(uri.path()).cloned();
        async move { found(object, StatusCode::OK) }
    };
    let s = store.clone();
    let delete = move |uri: axum::http::Uri| {
        let object = s.lock().unwrap().remove(uri.path());
        async move { found(object, StatusCode::ACCEPTED) }
    };
    // A hanging target stops answering once the cases' PATCHes begin: its
    // `/version` answers the run's first probe, then hangs like the rest.
    let stopped = Arc::new(AtomicBool::new(false));
    let s = store.clone();
    let stop = Arc::clone(&stopped);
    let patch = move |uri: axum::http::Uri| {
        let object = s.lock().unwrap().get(uri.path()).cloned();
        stop.store(true, Ordering::SeqCst);
        async move {
            if quirks.hang {
                std::future::pending::<()>().await;
            }
            found(object, StatusCode::ACCEPTED)
        }
    };
    Router::new()
        .route(
            "/version",
            get(move || async move {
                if quirks.hang && stopped.load(Ordering::SeqCst) {
                    std::future::pending::<()>().await;
                }
                "{}"
            }),
        )
        .route("/api/v1/namespaces", namespaces)
        .route(
            "/api/v1/namespaces/{ns}",
            get(read.clone()).delete(delete.clone()),
        )
        .route("/api/v1/namespaces/{ns}/serviceaccounts", accounts)
        .route(
            "/api/v1/namespaces/{ns}/serviceaccounts/{name}",
            get(read.clone()).delete(delete.clone()),
        )
        .route("/api/v1/namespaces/{ns}/pods", pods.merge(list))
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}",
            get(read).delete(delete).patch(patch),
        )
}

/// Serves `strict_mock` and runs `n` copies of a merge-patch case against it.
async fn run_strict(quirks: Quirks, n: usize, opts: Options) -> (Store, podpatch::run::RunReport) {
    let store = Store::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = strict_mock(store.clone(), quirks);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<_> = (0..n)
        .map(|i| {
            let path = dir.path().join(format!("label-{i}.yaml"));
            std::fs::write(
                &path,
                "description: adds a label\ngiven:\n  pod: fixtures/web.yaml\nrequest:\n  type: merge\n  body: {metadata: {labels: {tier: web}}}\nexpect:\n  status: 200\n",
            )
            .unwrap();
            support::load(&path, dir.path())
        })
        .collect();
    let target = Target::new(&format!("http://{addr}")).unwrap();
    let report = run::run(cases, &target, &opts, CancellationToken::new(), |_| {})
        .await
        .expect("the run completes");
    (store, report)
}

fn strict_options() -> Options {
    Options {
        run_timeout: Duration::from_secs(60),
        retry: podpatch::client::Retry {
            attempts: 1,
            ..Default::default()
        },
        stop_after_no_answer: 2,
        ..Options::new(2, Duration::from_secs(1))
    }
}

#[tokio::test]
async fn completes_against_a_mock_that_wants_complete_objects_and_answers_202() {
    let (store, report) = run_strict(Quirks::default(), 3, strict_options()).await;
    assert_eq!(report.setup_error, None);
    for o in &report.outcomes {
        // Judged: the mock answered 202 where Kubernetes answers 200.
        assert_eq!(o.status, Status::Failed, "{o:#?}");
        assert_eq!(o.observed.as_ref().unwrap().status, 202);
    }
    assert_eq!(report.cleanup_error, None);
    let left = store.lock().unwrap().keys().cloned().collect::<Vec<_>>();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test]
async fn a_refused_setup_names_the_cause_and_leaves_nothing() {
    let quirks = Quirks {
        refuse_service_accounts: true,
        ..Quirks::default()
    };
    let (store, report) = run_strict(quirks, 2, strict_options()).await;
    let error = report.setup_error.expect("setup was refused");
    assert!(
        error.contains("creating ServiceAccount default") && error.contains("kind is required"),
        "{error}"
    );
    assert_eq!(report.outcomes.len(), 2, "every case is reported");
    assert!(report.outcomes.iter().all(|o| o.status == Status::Errored));
    let left = store.lock().unwrap().keys().cloned().collect::<Vec<_>>();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[tokio::test]
async fn a_target_that_stops_answering_ends_the_run_quickly() {
    let quirks = Quirks {
        hang: true,
        ..Quirks::default()
    };
    let started = std::time::Instant::now();
    let (store, report) = run_strict(quirks, 40, strict_options()).await;
    // 40 cases of 1 s each would take 20 s at 2 jobs; the watchdog stops after
    // 2 in a row and a 5 s probe.
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "{:?}",
        started.elapsed()
    );
    let not_judged = report
        .outcomes
        .iter()
        .filter(|o| {
            o.error
                .as_deref()
                .is_some_and(|e| e.contains("the target stopped answering"))
        })
        .count();
    assert!(not_judged >= 30, "{not_judged} not judged");
    assert!(report.notes.iter().any(|n| n.contains("stopped answering")));
    let left = store.lock().unwrap().keys().cloned().collect::<Vec<_>>();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A schema-driven mock: every answer has the right shape and placeholder values
/// (`"string"`, 0), whatever was asked, with the status a success would have.
fn placeholder_mock() -> Router {
    async fn answer(method: axum::http::Method) -> (StatusCode, String) {
        let pod = json!({
            "kind": "string", "apiVersion": "string",
            "metadata": {"name": "string", "namespace": "string", "uid": "string", "labels": {"string": "string"}, "resourceVersion": "string"},
            "spec": {"containers": [{"name": "string", "image": "string"}], "activeDeadlineSeconds": 0},
            "status": {"phase": "string"},
            "code": 0, "reason": "string", "message": "string",
        });
        let status = if method == axum::http::Method::POST {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        (status, pod.to_string())
    }
    Router::new().fallback(answer)
}

#[tokio::test]
async fn a_mock_answering_placeholders_passes_no_shipped_case() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, placeholder_mock()).await });
    let root = support::root().join("cases");
    let cases: Vec<_> = podpatch::case::discover(std::slice::from_ref(&root), &root)
        .unwrap()
        .into_iter()
        .flat_map(|f| support::load_all(&f.path, &root))
        .collect();
    let opts = Options {
        jobs: 8,
        ..strict_options()
    };
    let target = Target::new(&format!("http://{addr}")).unwrap();
    let report = run::run(cases, &target, &opts, CancellationToken::new(), |_| {})
        .await
        .expect("the run completes");
    let passed: Vec<&str> = report
        .outcomes
        .iter()
        .filter(|o| o.status == Status::Passed)
        .map(|o| o.id.as_str())
        .collect();
    assert!(
        passed.is_empty(),
        "false passes with --no-snapshots: {passed:?}"
    );
}
