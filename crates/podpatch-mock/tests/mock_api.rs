//! Integration tests of the built-in mock through its HTTP surface: routing,
//! headers, encoding, pod create with defaulting and admission, the four
//! patch types and their error paths, and robustness against malformed
//! input (every request gets a `Status`, never a panic).
//!
//! Requests go through `router()` with `tower::ServiceExt::oneshot`; one
//! test drives a real `MockServer` over TCP with reqwest.

use podpatch_mock::{MockServer, Version, router};
use rstest::rstest;
use serde_json::{Value, json};

mod support;
use support::{PODS, post_pod, send, with_pod, with_pod_at};

#[tokio::test]
async fn create_returns_a_defaulted_admitted_pod() {
    let app = with_pod().await;
    let r = send(&app, "GET", &format!("{PODS}/web"), None, b"").await;
    assert_eq!(r.status, 200);
    assert!(
        r.text.ends_with("}\n"),
        "compact output ends with a newline"
    );
    assert!(
        r.text
            .starts_with("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web\"")
    );
    let pod = r.json();
    assert_eq!(
        pod["spec"]["containers"][0]["imagePullPolicy"],
        json!("Always")
    );
    assert_eq!(
        pod["spec"]["containers"][0]["ports"][0]["protocol"],
        json!("TCP")
    );
    assert_eq!(pod["spec"]["serviceAccountName"], json!("default"));
    assert_eq!(pod["spec"]["tolerations"].as_array().map(Vec::len), Some(2));
    assert_eq!(pod["status"]["phase"], json!("Pending"));
    assert_eq!(
        pod["metadata"]["managedFields"][0]["manager"],
        json!("podpatch-test")
    );
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.headers["cache-control"], "no-cache, private");
    assert!(r.headers.contains_key("audit-id"));
}

#[tokio::test]
async fn create_errors() {
    let app = with_pod().await;
    let pod = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    let r = post_pod(&app, &pod).await;
    assert_eq!(r.status, 409);
    assert_eq!(r.json()["message"], json!("pods \"web\" already exists"));
    let r = send(
        &app,
        "POST",
        "/api/v1/namespaces/nope/pods",
        Some("application/json"),
        pod.to_string().as_bytes(),
    )
    .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["message"], json!("namespaces \"nope\" not found"));
    let no_image = json!({"metadata": {"name": "x"}, "spec": {"containers": [{"name": "c"}]}});
    let r = post_pod(&app, &no_image).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["message"],
        json!("Pod \"x\" is invalid: spec.containers[0].image: Required value")
    );
}

#[tokio::test]
async fn missing_service_account_is_forbidden() {
    let app = router();
    let ns = json!({"metadata": {"name": "empty"}});
    let r = send(
        &app,
        "POST",
        "/api/v1/namespaces",
        Some("application/json"),
        ns.to_string().as_bytes(),
    )
    .await;
    assert_eq!(r.status, 201);
    let pod = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    let r = send(
        &app,
        "POST",
        "/api/v1/namespaces/empty/pods",
        Some("application/json"),
        pod.to_string().as_bytes(),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json()["message"],
        json!(
            "pods \"web\" is forbidden: error looking up service account empty/default: serviceaccount \"default\" not found"
        )
    );
}

#[rstest]
#[case::json(
    "application/json-patch+json",
    r#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]"#
)]
#[case::merge("application/merge-patch+json", r#"{"spec":{"containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80}],"volumeMounts":null}]}}"#)]
#[case::strategic(
    "application/strategic-merge-patch+json",
    r#"{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}"#
)]
#[case::apply(
    "application/apply-patch+yaml",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n"
)]
#[tokio::test]
async fn image_updates_through_each_patch_type(#[case] ct: &str, #[case] body: &str) {
    let app = with_pod().await;
    let before = send(&app, "GET", &format!("{PODS}/web"), None, b"")
        .await
        .json();
    let uri = format!("{PODS}/web?fieldManager=tester&force=true");
    let uri = if ct.contains("apply") {
        uri
    } else {
        format!("{PODS}/web")
    };
    let r = send(&app, "PATCH", &uri, Some(ct), body.as_bytes()).await;
    if ct.contains("merge-patch+json") && !ct.contains("strategic") {
        // Merge patch replaces the container list, dropping the token mount
        // and other server-set fields: the real server refuses it.
        assert_eq!(r.status, 422, "{}", r.text);
        return;
    }
    assert_eq!(r.status, 200, "{}", r.text);
    let pod = r.json();
    assert_eq!(pod["spec"]["containers"][0]["image"], json!("nginx:1.27"));
    assert_eq!(pod["metadata"]["generation"], json!(2));
    assert_ne!(
        pod["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}

#[rstest]
#[case::no_content_type(None, "{}", 415, "415: Unsupported Media Type")]
#[case::plain_json(Some("application/json"), "{}", 415, "415: Unsupported Media Type")]
#[case::handler_list(
    Some("application/json, application/merge-patch+json"),
    "{}",
    415,
    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"
)]
// 1.36 and older give the decoder's text here (`error decoding patch: invalid
// character 'o' in literal null (expecting 'u')`, the `@1.36` snapshots).
#[case::bad_json(
    Some("application/merge-patch+json"),
    "not json",
    400,
    "invalid JSON patch"
)]
#[case::null_merge(
    Some("application/merge-patch+json"),
    "null",
    400,
    "Invalid JSON Patch"
)]
#[case::failed_test(
    Some("application/json-patch+json"),
    r#"[{"op":"test","path":"/metadata/name","value":"x"}]"#,
    422,
    "the server rejected our request due to an error in our request"
)]
#[case::name_mismatch(
    Some("application/merge-patch+json"),
    r#"{"metadata":{"name":"other"}}"#,
    400,
    "the name of the object (other) does not match the name on the URL (web)"
)]
#[case::stale_rv(
    Some("application/merge-patch+json"),
    r#"{"metadata":{"resourceVersion":"1"}}"#,
    409,
    "Operation cannot be fulfilled on pods \"web\": the object has been modified; please apply your changes to the latest version and try again"
)]
#[case::raise_deadline(
    Some("application/strategic-merge-patch+json"),
    r#"{"spec":{"activeDeadlineSeconds":900}}"#,
    422,
    "Pod \"web\" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value"
)]
#[case::missing_merge_key(
    Some("application/strategic-merge-patch+json"),
    r#"{"spec":{"containers":[{"image":"nginx:1.26"}]}}"#,
    500,
    "map: map[image:nginx:1.26] does not contain declared merge key: name"
)]
#[tokio::test]
async fn patch_errors(
    #[case] ct: Option<&str>,
    #[case] body: &str,
    #[case] status: u16,
    #[case] message: &str,
) {
    let app = with_pod().await;
    let before = send(&app, "GET", &format!("{PODS}/web"), None, b"")
        .await
        .text;
    let r = send(&app, "PATCH", &format!("{PODS}/web"), ct, body.as_bytes()).await;
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(r.json()["kind"], json!("Status"));
    assert_eq!(r.json()["message"], json!(message));
    let after = send(&app, "GET", &format!("{PODS}/web"), None, b"")
        .await
        .text;
    assert_eq!(before, after, "a refused patch changes nothing");
}

/// Up to 1.36 the pod is read before the body is decoded: a malformed body to a
/// missing pod is 404; from 1.37 the body is decoded first (400).
#[rstest]
#[case(
    36,
    404,
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"pods \\\"nope\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"nope\",\"kind\":\"pods\"},\"code\":404}\n"
)]
#[case(
    37,
    400,
    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"invalid JSON patch\",\"reason\":\"BadRequest\",\"code\":400}\n"
)]
#[tokio::test]
async fn a_missing_pod_and_a_malformed_body(
    #[case] minor: u32,
    #[case] status: u16,
    #[case] answer: &str,
) {
    let app = with_pod_at(Version::new(minor).expect("modelled")).await;
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/nope"),
        Some("application/json-patch+json"),
        b"garbage",
    )
    .await;
    assert_eq!(r.status, status);
    assert_eq!(r.text, answer);
}

#[tokio::test]
async fn router_errors_and_pretty_output() {
    let app = router();
    // `/apis/<unknown group>` is not go-restful's: the plain mux answers.
    let r = send(&app, "GET", "/apis/nothing", None, b"").await;
    assert_eq!((r.status, r.text.as_str()), (404, "404 page not found\n"));
    let r = send(&app, "GET", "/api/nothing?pretty=true", None, b"").await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.text,
        "{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {},\n  \"status\": \"Failure\",\n  \"message\": \"the server could not find the requested resource\",\n  \"reason\": \"NotFound\",\n  \"details\": {},\n  \"code\": 404\n}"
    );
    let r = send(&app, "PUT", PODS, Some("application/json"), b"{}").await;
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["details"], json!({}));
    assert!(!r.headers.contains_key("allow"));
}

#[tokio::test]
async fn body_over_three_mebibytes_is_413() {
    let app = with_pod().await;
    let big = vec![b' '; 3 * 1024 * 1024 + 1];
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/merge-patch+json"),
        &big,
    )
    .await;
    assert_eq!(r.status, 413);
    assert_eq!(
        r.json()["message"],
        json!("Request entity too large: limit is 3145728")
    );
}

#[tokio::test]
async fn noop_patch_and_dry_run_store_nothing() {
    let app = with_pod().await;
    let before = send(&app, "GET", &format!("{PODS}/web"), None, b"")
        .await
        .text;
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/merge-patch+json"),
        b"{}",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.text, before);
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web?dryRun=All"),
        Some("application/merge-patch+json"),
        br#"{"metadata":{"labels":{"x":"y"}}}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["metadata"]["labels"]["x"], json!("y"));
    let after = send(&app, "GET", &format!("{PODS}/web"), None, b"")
        .await
        .text;
    assert_eq!(before, after);
}

#[tokio::test]
async fn unknown_fields_warn() {
    let app = with_pod().await;
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/merge-patch+json"),
        br#"{"spec":{"foo":1}}"#,
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers["warning"],
        "299 - \"unknown field \\\"spec.foo\\\"\""
    );
}

#[tokio::test]
async fn list_and_delete_by_label_selector() {
    let app = with_pod().await;
    let r = send(
        &app,
        "GET",
        &format!("{PODS}?labelSelector=app%3Dweb"),
        None,
        b"",
    )
    .await;
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(1));
    let r = send(
        &app,
        "GET",
        &format!("{PODS}?labelSelector=app%3Dother"),
        None,
        b"",
    )
    .await;
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(0));
    let r = send(
        &app,
        "DELETE",
        &format!("{PODS}?labelSelector=app%3Dweb"),
        None,
        b"",
    )
    .await;
    assert_eq!(r.status, 200);
    let r = send(&app, "GET", &format!("{PODS}/web"), None, b"").await;
    assert_eq!(r.status, 404);
}

/// Malformed and odd bodies of every kind get the status a real kube-apiserver
/// 1.36.5 gives them (recorded once per content type, in the order of
/// `PATCH_TYPES`: JSON Patch, merge, strategic merge, apply), and every refusal
/// is a `Status` object.
#[rstest]
#[case("", [400, 400, 400, 400])]
#[case("null", [200, 400, 200, 400])]
#[case("[]", [200, 400, 400, 400])]
#[case("{}", [400, 200, 200, 400])]
#[case("1", [400, 400, 400, 400])]
#[case("\"x\"", [400, 400, 400, 400])]
#[case("[1,2]", [400, 400, 400, 400])]
#[case("[{}]", [422, 400, 400, 400])]
#[case("[{\"op\":1}]", [400, 400, 400, 400])]
#[case("{\"spec\":[]}", [400, 422, 422, 400])]
#[case("{\"spec\":{\"containers\":[1]}}", [400, 422, 500, 400])]
#[case("{\"spec\":{\"containers\":[[]]}}", [400, 422, 500, 400])]
#[case("{\"metadata\":{\"labels\":{\"a\":{\"b\":1}}}}", [400, 422, 422, 400])]
#[case("{\"$patch\":\"delete\"}", [400, 200, 400, 400])]
#[case("{\"spec\":{\"$setElementOrder/containers\":5}}", [400, 200, 500, 400])]
#[case("{\"metadata\":{\"$retainKeys\":1}}", [400, 200, 400, 400])]
#[case("{\"spec\":{\"containers\":{\"$patch\":\"replace\"}}}", [400, 422, 422, 400])]
#[case("\u{0}\u{1}", [400, 400, 400, 400])]
#[case("{\"a\":1,\"a\":2}", [400, 200, 200, 400])]
#[case("[{\"op\":\"add\",\"path\":\"/spec/containers/-\",\"value\":{\"name\":\"x\"}}]", [422, 400, 400, 400])]
#[case("[{\"op\":\"remove\",\"path\":\"/metadata\"}]", [400, 400, 400, 400])]
#[case("[{\"op\":\"replace\",\"path\":\"\",\"value\":[]}]", [422, 400, 400, 400])]
#[case("apiVersion: v1\nkind: Pod\nmetadata: [\n", [400, 400, 400, 400])]
#[case("kind: Pod\napiVersion: v1\nspec: 3\n", [400, 400, 400, 500])]
#[case("{\"metadata\":{\"resourceVersion\":\"99999999999999999999999\"}}", [400, 500, 500, 400])]
#[tokio::test]
async fn malformed_bodies_answer_as_the_real_server(#[case] body: &str, #[case] real: [u16; 4]) {
    for (ct, want) in PATCH_TYPES.iter().zip(real) {
        let app = with_pod().await;
        let uri = format!("{PODS}/web?fieldManager=fuzz");
        let r = send(&app, "PATCH", &uri, Some(ct), body.as_bytes()).await;
        assert_eq!(r.status, want, "{ct} {body:?}: {}", r.text);
        if r.status >= 300 {
            assert_eq!(
                r.json()["kind"],
                json!("Status"),
                "{ct} {body:?}: {}",
                r.text
            );
        }
    }
}

/// The four patch content types, in the order of the tables above.
const PATCH_TYPES: [&str; 4] = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

#[tokio::test]
async fn mock_server_serves_over_tcp() {
    let server = MockServer::start("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("binds");
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/version", server.base_url()))
        .send()
        .await
        .expect("reachable");
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.expect("json");
    assert_eq!(v["major"], json!("1"));
    assert_eq!(v["minor"], json!("37"));
    server.shutdown().await;
}

/// Behaviours seen on a live 1.36.5 server that depart from the RFCs or the
/// reference text.
#[tokio::test]
async fn live_server_quirks() {
    let app = with_pod().await;
    // evanphx/json-patch v4: `replace` of a missing member adds it.
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/json-patch+json"),
        br#"[{"op":"replace","path":"/metadata/labels/missing","value":"x"}]"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json()["metadata"]["labels"]["missing"], json!("x"));
    // DefaultTolerationSeconds also runs on update.
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/merge-patch+json"),
        br#"{"spec":{"tolerations":[{"key":"gpu","operator":"Exists","effect":"NoSchedule"}]}}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["spec"]["tolerations"].as_array().map(Vec::len),
        Some(3)
    );
    // Removed fields leave managedFields.
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/merge-patch+json"),
        br#"{"metadata":{"labels":{"missing":null}}}"#,
    )
    .await;
    let fields = r.json()["metadata"]["managedFields"].to_string();
    assert!(!fields.contains("f:missing"), "{fields}");
}

#[tokio::test]
async fn gated_pods_get_the_scheduling_gated_condition() {
    let app = router();
    let pod = json!({"metadata": {"name": "g"}, "spec": {"schedulingGates": [{"name": "example.com/hold"}],
        "containers": [{"name": "c", "image": "nginx"}]}});
    let r = post_pod(&app, &pod).await;
    assert_eq!(r.status, 201);
    assert!(r.text.contains(
        "\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\",\"lastProbeTime\":null,\"lastTransitionTime\":\""
    ));
    assert_eq!(
        r.json()["status"]["conditions"][0]["reason"],
        json!("SchedulingGated")
    );
}

#[tokio::test]
async fn apply_of_present_values_records_no_time() {
    let app = with_pod().await;
    let body = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\n";
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web?fieldManager=applier"),
        Some("application/apply-patch+yaml"),
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let entry = &r.json()["metadata"]["managedFields"][0];
    assert_eq!(entry["manager"], json!("applier"));
    assert_eq!(entry.get("time"), None);
}

#[rstest]
#[case::test_null_on_missing(r#"[{"op":"test","path":"/metadata/labels/nope","value":null}]"#, 200)]
#[case::negative_index_appends(
    r#"[{"op":"add","path":"/spec/containers/0/ports/-1","value":{"containerPort":81}}]"#,
    422
)]
#[case::copy_from_missing(
    r#"[{"op":"copy","from":"/metadata/nope","path":"/metadata/labels/x"}]"#,
    200
)]
#[case::missing_value_is_null(r#"[{"op":"add","path":"/metadata/labels/q"}]"#, 200)]
#[case::null_body(r#"null"#, 200)]
#[case::root_replaced(r#"[{"op":"replace","path":"","value":{}}]"#, 400)]
#[tokio::test]
async fn json_patch_follows_evanphx_v4(#[case] body: &str, #[case] status: u16) {
    let app = with_pod().await;
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/json-patch+json"),
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, status, "{}", r.text);
}

#[rstest]
#[case::set_element_order_not_list(
    r#"{"spec":{"$setElementOrder/containers":5}}"#,
    500,
    "expected a []interface {}, but received a int64"
)]
#[case::directive_on_missing_map_dropped(
    r#"{"metadata":{"annotations":{"$patch":"replace","x":"y"}}}"#,
    200,
    ""
)]
#[tokio::test]
async fn strategic_merge_edge_cases(
    #[case] body: &str,
    #[case] status: u16,
    #[case] message: &str,
) {
    let app = with_pod().await;
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web"),
        Some("application/strategic-merge-patch+json"),
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, status, "{}", r.text);
    if !message.is_empty() {
        assert_eq!(r.json()["message"], json!(message));
    } else {
        assert_eq!(r.json()["metadata"].get("annotations"), None);
    }
}

#[tokio::test]
async fn status_subresource_changes_status_and_metadata_only() {
    let app = with_pod().await;
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web/status"),
        Some("application/merge-patch+json"),
        br#"{"metadata":{"labels":{"s":"t"}},"spec":{"activeDeadlineSeconds":5},"status":{"phase":"Running"}}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let pod = r.json();
    assert_eq!(pod["status"]["phase"], json!("Running"));
    assert_eq!(pod["metadata"]["labels"]["s"], json!("t"));
    assert_eq!(pod["spec"]["activeDeadlineSeconds"], json!(600));
    let entries = pod["metadata"]["managedFields"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(entries.iter().any(|e| e["subresource"] == json!("status")));
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web/status"),
        Some("application/merge-patch+json"),
        br#"{"status":{"qosClass":"Guaranteed"}}"#,
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["message"],
        json!(
            "Pod \"web\" is invalid: status.qosClass: Invalid value: \"Guaranteed\": field is immutable"
        )
    );
}

/// Pathologically deep documents are refused, not a stack overflow.
#[rstest]
#[case("application/merge-patch+json")]
#[case("application/json-patch+json")]
#[case("application/strategic-merge-patch+json")]
#[case("application/apply-patch+yaml")]
#[tokio::test]
async fn deep_nesting_is_refused(#[case] ct: &str) {
    let app = with_pod().await;
    let depth = 100_000;
    let mut body = "[".repeat(depth).into_bytes();
    body.extend(std::iter::repeat_n(b']', depth));
    let r = send(
        &app,
        "PATCH",
        &format!("{PODS}/web?fieldManager=deep"),
        Some(ct),
        &body,
    )
    .await;
    assert!(r.status >= 400, "{}", r.status);
    assert_eq!(r.json()["kind"], json!("Status"));
}

#[tokio::test]
async fn ephemeral_containers_subresource() {
    let app = with_pod().await;
    let uri = format!("{PODS}/web/ephemeralcontainers");
    let add = br#"{"spec":{"ephemeralContainers":[{"name":"debug","image":"busybox","targetContainerName":"web"}]}}"#;
    let r = send(
        &app,
        "PATCH",
        &uri,
        Some("application/strategic-merge-patch+json"),
        add,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json()["spec"]["ephemeralContainers"][0]["imagePullPolicy"],
        json!("Always")
    );
    assert_eq!(r.json()["metadata"]["generation"], json!(2));
    let remove = br#"[{"op":"remove","path":"/spec/ephemeralContainers/0"}]"#;
    let r = send(
        &app,
        "PATCH",
        &uri,
        Some("application/json-patch+json"),
        remove,
    )
    .await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json()["message"],
        json!(
            "Pod \"web\" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers \"debug\" may not be removed\n"
        )
    );
    let ports = br#"{"spec":{"ephemeralContainers":[{"name":"d2","image":"busybox","ports":[{"containerPort":80}]}]}}"#;
    let r = send(
        &app,
        "PATCH",
        &uri,
        Some("application/strategic-merge-patch+json"),
        ports,
    )
    .await;
    assert_eq!(
        r.json()["message"],
        json!(
            "Pod \"web\" is invalid: spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container"
        )
    );
}

/// `pods/resize` serves GET, PATCH and PUT (as a live 1.36.5 does): PUT of
/// the read object with a new cpu request resizes it and drops the image
/// change; other methods are 405.
#[tokio::test]
async fn resize_subresource_methods() {
    let app = router();
    let pod = json!({"metadata": {"name": "web"},
        "spec": {"containers": [{"name": "web", "image": "nginx",
            "resources": {"requests": {"cpu": "100m"}, "limits": {"cpu": "200m"}}}]}});
    let r = post_pod(&app, &pod).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let uri = format!("{PODS}/web/resize");
    let r = send(&app, "GET", &uri, None, b"").await;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut pod = r.json();
    pod["spec"]["containers"][0]["image"] = json!("busybox");
    pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] = json!("150m");
    let r = send(
        &app,
        "PUT",
        &uri,
        Some("application/json"),
        pod.to_string().as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = r.json();
    assert_eq!(got["spec"]["containers"][0]["image"], json!("nginx"));
    assert_eq!(
        got["spec"]["containers"][0]["resources"]["requests"]["cpu"],
        json!("150m")
    );
    assert_eq!(got["metadata"]["generation"], json!(2));
    assert_eq!(
        got["metadata"]["managedFields"][1]["subresource"],
        json!("resize")
    );
    let r = send(&app, "POST", &uri, Some("application/json"), b"{}").await;
    assert_eq!(r.status, 405);
    let r = send(&app, "GET", "/api/v1", None, b"").await;
    assert!(r.text.contains("\"pods/resize\""), "{}", r.text);
}

/// Random mutations of valid patch bodies: every answer is a response,
/// errors are `Status` objects, and the handler never panics.
#[tokio::test]
async fn fuzzed_bodies_get_status_answers() {
    use rand::{Rng, SeedableRng};
    let seeds: &[(&str, &str)] = &[
        (
            "application/json-patch+json",
            r#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1"},{"op":"add","path":"/metadata/labels/a","value":"b"}]"#,
        ),
        (
            "application/merge-patch+json",
            r#"{"metadata":{"labels":{"a":"b"}},"spec":{"activeDeadlineSeconds":5,"tolerations":[{"key":"k","operator":"Exists"}]}}"#,
        ),
        (
            "application/strategic-merge-patch+json",
            r#"{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"name":"web","image":"x","$patch":"merge"}],"volumes":[{"name":"v","$retainKeys":["name"]}]},"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}}"#,
        ),
        (
            "application/apply-patch+yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    a: b\nspec:\n  containers:\n  - name: web\n    image: x\n",
        ),
    ];
    let alphabet: &[u8] = b"{}[]\":,.-0123456789abcdefnulltrue$/ \n\\";
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let app = with_pod().await;
    for round in 0..2000 {
        let (ct, seed) = seeds[round % seeds.len()];
        let mut body = seed.as_bytes().to_vec();
        for _ in 0..rng.random_range(1..6) {
            let at = rng.random_range(0..body.len().max(1));
            match rng.random_range(0..3) {
                0 => {
                    body.insert(at, alphabet[rng.random_range(0..alphabet.len())]);
                }
                1 if !body.is_empty() => {
                    body.remove(at.min(body.len() - 1));
                }
                _ => {
                    let len = rng.random_range(0..8).min(body.len().saturating_sub(at));
                    body.drain(at..at + len);
                }
            }
        }
        let r = send(
            &app,
            "PATCH",
            &if ct.contains("apply") {
                format!("{PODS}/web?fieldManager=fuzz&force=true")
            } else {
                format!("{PODS}/web")
            },
            Some(ct),
            &body,
        )
        .await;
        assert!((200..600).contains(&r.status));
        if r.status >= 400 {
            assert_eq!(
                r.json()["kind"],
                json!("Status"),
                "{ct} {:?}: {}",
                String::from_utf8_lossy(&body),
                r.text
            );
        }
    }
}
