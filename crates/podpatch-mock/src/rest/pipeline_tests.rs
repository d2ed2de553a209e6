//! End-to-end checks of the REST flows on an in-memory store: create,
//! patch in each flavour, apply's create, the checks' messages.

use serde_json::json;

use crate::http::query::{Query, WriteOptions};
use crate::merge::fieldpath::Scope;
use crate::registry::pods::get;
use crate::registry::store::Shared;
use crate::rest::create::create;
use crate::rest::outcome::Request;
use crate::rest::patch::patch;
use crate::rest::patch_type::PatchKind;
use crate::version::Version;

fn req(query: &str) -> Request<'static> {
    Request {
        scope: Scope::Main,
        namespace: "default",
        name: "web",
        user_agent: "test/1.0",
        options: WriteOptions::from_query(&Query::parse(Some(query))),
    }
}

fn seeded() -> Shared {
    let store = Shared::booted();
    let body = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    create(&mut store.lock(), &req(""), body, Vec::new()).expect("created");
    store
}

#[test]
fn create_defaults_and_admits() {
    let store = seeded();
    let pod = get(&store.lock(), "default", "web").expect("stored");
    assert_eq!(pod["spec"]["dnsPolicy"], json!("ClusterFirst"));
    assert_eq!(pod["spec"]["serviceAccountName"], json!("default"));
    assert_eq!(
        pod["status"],
        json!({"phase": "Pending", "qosClass": "BestEffort"})
    );
    assert_eq!(pod["metadata"]["generation"], json!(1));
    assert_eq!(
        pod["metadata"]["managedFields"][0]["manager"],
        json!("test")
    );
}

#[test]
fn noop_patch_keeps_resource_version() {
    let store = seeded();
    let before = get(&store.lock(), "default", "web").expect("stored");
    let reply = patch(&store, &req(""), PatchKind::Merge, b"{}").expect("ok");
    assert_eq!(reply.object, before);
}

#[test]
fn image_patch_bumps_generation_and_rv() {
    let store = seeded();
    let before = get(&store.lock(), "default", "web").expect("stored");
    let body = br#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]"#;
    let reply = patch(&store, &req(""), PatchKind::Json, body).expect("ok");
    assert_eq!(reply.object["metadata"]["generation"], json!(2));
    assert_ne!(
        reply.object["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}

#[test]
fn stale_and_bad_resource_versions() {
    let store = seeded();
    let stale = br#"{"metadata":{"resourceVersion":"1"}}"#;
    let err = patch(&store, &req(""), PatchKind::Merge, stale).expect_err("409");
    assert_eq!(err.status.code, 409);
    let bad = br#"{"metadata":{"resourceVersion":"abc"}}"#;
    let err = patch(&store, &req(""), PatchKind::Merge, bad).expect_err("500");
    assert_eq!(
        err.status.message,
        "strconv.ParseUint: parsing \"abc\": invalid syntax"
    );
}

#[test]
fn unknown_field_warns_or_fails() {
    let store = seeded();
    let body = br#"{"spec":{"foo":1}}"#;
    let reply = patch(&store, &req(""), PatchKind::Merge, body).expect("warn");
    assert_eq!(reply.warnings, vec!["unknown field \"spec.foo\""]);
    let err = patch(
        &store,
        &req("fieldValidation=Strict"),
        PatchKind::Merge,
        body,
    )
    .expect_err("strict");
    assert_eq!(err.status.code, 422);
    assert!(
        err.status
            .message
            .starts_with(" \"\" is invalid: patch: Invalid value: \"")
    );
    assert!(
        err.status
            .message
            .ends_with("strict decoding error: unknown field \"spec.foo\"")
    );
}

#[test]
fn post_wipes_system_fields_before_recording_ownership() {
    let store = Shared::booted();
    let body = json!({"metadata": {"name": "web", "deletionGracePeriodSeconds": 30,
        "deletionTimestamp": "2020-01-01T00:00:00Z"},
        "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
    let reply = create(&mut store.lock(), &req(""), body, Vec::new()).expect("created");
    let meta = &reply.object["metadata"];
    assert!(meta.get("deletionGracePeriodSeconds").is_none());
    assert!(meta.get("deletionTimestamp").is_none());
    let owned = &meta["managedFields"][0]["fieldsV1"]["f:metadata"];
    assert!(owned.get("f:deletionGracePeriodSeconds").is_none());
    assert!(owned.get("f:deletionTimestamp").is_none());
}

/// Apply that creates a pod stores `deletionGracePeriodSeconds` up to 1.36;
/// from 1.37 it wipes it as POST does, but the applier still owns the field
/// it sent (the field manager ran before the wipe).
#[rstest::rstest]
#[case(36, Some(30))]
#[case(37, None)]
fn apply_create_and_deletion_grace_period(#[case] minor: u32, #[case] kept: Option<i64>) {
    let store = Shared::booted();
    let body = br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","deletionGracePeriodSeconds":30},"spec":{"containers":[{"name":"web","image":"nginx"}]}}"#;
    let version = Version::new(minor).expect("modelled");
    let reply = version
        .run(|| patch(&store, &req("fieldManager=a"), PatchKind::Apply, body))
        .expect("created");
    assert_eq!(reply.code, 201);
    let meta = &reply.object["metadata"];
    assert_eq!(
        meta.get("deletionGracePeriodSeconds"),
        kept.map(|s| json!(s)).as_ref()
    );
    assert_eq!(
        meta["managedFields"][0]["fieldsV1"]["f:metadata"]["f:deletionGracePeriodSeconds"],
        json!({})
    );
}

#[test]
fn name_mismatch() {
    let store = seeded();
    let err = patch(
        &store,
        &req(""),
        PatchKind::Merge,
        br#"{"metadata":{"name":"x"}}"#,
    )
    .expect_err("400");
    assert_eq!(
        err.status.message,
        "the name of the object (x) does not match the name on the URL (web)"
    );
}

#[rstest::rstest]
#[case::no_name(
    "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    a: b\n",
    "the name of the object (api based on URL) was undeterminable: name must be provided"
)]
#[case::other_name(
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n",
    "the name of the object (web) does not match the name on the URL (api)"
)]
fn apply_create_name_checks(#[case] body: &str, #[case] message: &str) {
    let store = Shared::booted();
    let mut r = req("fieldManager=me");
    r.name = "api";
    let failure = patch(&store, &r, PatchKind::Apply, body.as_bytes()).expect_err("refused");
    assert_eq!(failure.status.code, 400);
    assert_eq!(failure.status.message, message);
}

#[test]
fn apply_creates_then_conflicts() {
    let store = Shared::booted();
    let mut r = req("fieldManager=me");
    r.name = "api";
    let body = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
    let reply = patch(&store, &r, PatchKind::Apply, body).expect("created");
    assert_eq!(reply.code, 201);
    assert_eq!(
        reply.object["metadata"]["managedFields"][0]["operation"],
        json!("Apply")
    );
    let again = patch(&store, &r, PatchKind::Apply, body).expect("no-op");
    assert_eq!(again.object, reply.object);
}
