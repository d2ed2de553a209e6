//! The pod registry: create, get, list, delete and the PATCH pipeline in
//! kube-apiserver's order (query validation, 404 before the body is read,
//! patch application, typing with `fieldValidation`, namespace and name
//! checks, resourceVersion precondition, `BeforeUpdate`, validation, no-op
//! detection, write), shared by PUT and by the `status` and
//! `ephemeralcontainers` subresources, and the create path of server-side
//! apply.
//!
//! It works on the locked [`Store`] and JSON values; HTTP concerns (content
//! types, body limits, headers, encoding) belong to [`crate::http::routes`].

use serde_json::{Map, Value, json};

use crate::api::status::Status;
use crate::defaults;
use crate::golang::json_number::Literals;
use crate::golang::unmarshal;
use crate::http::query::{FieldValidation, WriteOptions};
use crate::merge::apply;
use crate::merge::fieldpath::Scope;
use crate::pod::admission;
use crate::pod::drop_disabled;
use crate::pod::status_strategy;
use crate::registry::store::{Store, now_rfc3339};
use crate::rest::patch::{self, PatchKind, Patched};
use crate::schema::POD_TY;
use crate::validation;
use crate::validation::field::FieldError;
use crate::validation::objectmeta;

/// Who is asking and where.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Which endpoint: the pod itself or its `status` subresource.
    pub scope: Scope,
    /// Namespace from the URL.
    pub namespace: &'a str,
    /// Pod name from the URL (empty for collection POSTs).
    pub name: &'a str,
    /// The User-Agent header (manager fallback).
    pub user_agent: &'a str,
    /// Write options from the query.
    pub options: WriteOptions,
}

/// A successful write or read.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub code: u16,
    /// The object to return.
    pub object: Value,
    /// `Warning` header texts.
    pub warnings: Vec<String>,
}

/// A failed request, with the warnings gathered before it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The error.
    pub status: Status,
    /// `Warning` header texts.
    pub warnings: Vec<String>,
}

impl From<Status> for Failure {
    fn from(status: Status) -> Self {
        Self {
            status,
            warnings: Vec::new(),
        }
    }
}

type Outcome = Result<Reply, Failure>;

fn key(ns: &str, name: &str) -> (String, String) {
    (ns.to_string(), name.to_string())
}

fn meta_str<'a>(obj: &'a Value, field: &str) -> &'a str {
    obj.get("metadata")
        .and_then(|m| m.get(field))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn meta_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    obj.get_mut("metadata").and_then(Value::as_object_mut)
}

/// The zero `v1.Pod` as JSON: the "live" object of a create.
pub fn zero_pod() -> Value {
    crate::golang::zero::zero(&POD_TY)
}

fn with_type_meta(mut pod: Value) -> Value {
    if let Some(map) = pod.as_object_mut() {
        map.insert("kind".into(), json!("Pod"));
        map.insert("apiVersion".into(), json!("v1"));
    }
    pod
}

/// `GET` one pod.
pub fn get(store: &Store, ns: &str, name: &str) -> Result<Value, Status> {
    store
        .pods
        .get(&key(ns, name))
        .cloned()
        .ok_or_else(|| Status::not_found("pods", name))
}

/// A body decoded into a typed pod.
struct Typed {
    pod: Value,
    warnings: Vec<String>,
    /// Empty lists the decoder dropped ([`unmarshal::Decoded::empty_lists`]).
    empty_lists: Vec<String>,
    /// Empty maps the decoder dropped ([`unmarshal::Decoded::empty_maps`]).
    empty_maps: Vec<String>,
}

/// Decodes a body into a typed pod, handling unknown fields per directive.
/// `on_error` builds the failure for a type mismatch from Go's text.
fn type_pod(
    value: Value,
    style: unmarshal::Style,
    literals: &Literals,
    validation: FieldValidation,
    mut strict: Vec<String>,
    on_type_error: impl FnOnce(String) -> Status,
    on_strict: impl FnOnce(String) -> Status,
) -> Result<Typed, Failure> {
    let decoded = unmarshal::decode_with(value, &POD_TY, style, literals)
        .map_err(|e| Failure::from(on_type_error(e.0)))?;
    strict.extend(
        decoded
            .unknown
            .iter()
            .map(|path| format!("unknown field \"{path}\"")),
    );
    let mut pod = decoded.value;
    defaults::default_pod(&mut pod);
    let warnings = match validation {
        FieldValidation::Ignore => Vec::new(),
        FieldValidation::Warn => strict,
        FieldValidation::Strict if strict.is_empty() => Vec::new(),
        FieldValidation::Strict => {
            return Err(on_strict(format!("strict decoding error: {}", strict.join(", "))).into());
        }
    };
    Ok(Typed {
        pod,
        warnings,
        empty_lists: decoded.empty_lists,
        empty_maps: decoded.empty_maps,
    })
}

/// `POST /api/v1/namespaces/{ns}/pods`.
pub fn create(store: &mut Store, req: &Request<'_>, body: Value, strict: Vec<String>) -> Outcome {
    req.options.validate("CreateOptions", false)?;
    let validation = req.options.field_validation();
    // Non-objects were refused by the route; `null` decodes to an empty pod.
    let body = if body.is_null() { json!({}) } else { body };
    check_type_meta_for_create(&body)?;
    let cannot_handle = |msg: String| {
        Status::bad_request(format!(
            "Pod in version \"v1\" cannot be handled as a Pod: {msg}"
        ))
    };
    let Typed {
        mut pod,
        mut warnings,
        empty_lists,
        empty_maps,
    } = type_pod(
        body,
        unmarshal::Style::Json,
        &Literals::new(),
        validation,
        strict,
        cannot_handle,
        cannot_handle,
    )?;
    wipe_system_fields(&mut pod);
    let body_ns = meta_str(&pod, "namespace");
    if !body_ns.is_empty() && body_ns != req.namespace {
        return Err(Failure {
            status: Status::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ),
            warnings,
        });
    }
    // CREATE dedups after the namespace check (and again after admission,
    // which can then find nothing left).
    warnings.extend(objectmeta::dedup_owner_references(&mut pod, false));
    // PrepareForCreate warns about AppArmor annotations before validating.
    warnings.extend(crate::pod::apparmor::version_skew(&mut pod.clone()));
    let fail = |status: Status| Failure {
        status,
        warnings: warnings.clone(),
    };
    let dropped = (&empty_lists[..], &empty_maps[..]);
    finish_create(store, req, &mut pod, &zero_pod(), true, dropped).map_err(fail)?;
    warnings.extend(crate::pod::warnings::pod::on_create(&pod));
    Ok(Reply {
        code: 201,
        object: pod,
        warnings,
    })
}

/// Kinds the apiserver's scheme knows, by apiVersion, beyond Pod.
const KNOWN_KINDS: &[(&str, &[&str])] = &[
    (
        "v1",
        &[
            "Binding",
            "ComponentStatus",
            "ConfigMap",
            "Endpoints",
            "Event",
            "LimitRange",
            "Namespace",
            "Node",
            "PersistentVolume",
            "PersistentVolumeClaim",
            "PodTemplate",
            "ReplicationController",
            "ResourceQuota",
            "Secret",
            "Service",
            "ServiceAccount",
        ],
    ),
    (
        "apps/v1",
        &[
            "ControllerRevision",
            "DaemonSet",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
        ],
    ),
    ("batch/v1", &["CronJob", "Job"]),
];

/// Why the decoder cannot turn a `kind`/`apiVersion` into a core Pod, if it
/// cannot (empty values default to Pod and v1).
fn kind_mismatch(body: &Value) -> Option<(String, String, String)> {
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("");
    let api_version = body.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = if kind.is_empty() { "Pod" } else { kind };
    let api_version = if api_version.is_empty() {
        "v1"
    } else {
        api_version
    };
    let version = api_version.rsplit('/').next().unwrap_or("").to_string();
    if kind == "Pod" && api_version == "v1" {
        return None;
    }
    let known = KNOWN_KINDS
        .iter()
        .any(|(gv, kinds)| *gv == api_version && kinds.contains(&kind));
    let why = if known {
        format!("converting ({version}.{kind}) to (core.Pod): unknown conversion")
    } else {
        format!(
            "no kind {} is registered for version {} in scheme \"pkg/runtime/scheme.go:111\"",
            crate::golang::format::go_quote(kind),
            crate::golang::format::go_quote(api_version)
        )
    };
    Some((kind.to_string(), version, why))
}

/// The decoder's verdict on a create body whose kind/apiVersion is not Pod/v1.
fn check_type_meta_for_create(body: &Value) -> Result<(), Failure> {
    match kind_mismatch(body) {
        None => Ok(()),
        Some((kind, version, why)) => Err(Status::bad_request(format!(
            "{kind} in version {} cannot be handled as a Pod: {why}",
            crate::golang::format::go_quote(&version)
        ))
        .into()),
    }
}

/// `rest.WipeObjectMetaSystemFields`: the POST handler erases the system
/// fields of the body before the field manager records it, so they are
/// neither stored nor owned. A create through apply skips this (the store's
/// create-on-update branch only fills `uid` and `creationTimestamp`), which
/// is why `deletionTimestamp` and `deletionGracePeriodSeconds` survive there.
fn wipe_system_fields(pod: &mut Value) {
    if let Some(meta) = meta_mut(pod) {
        for key in [
            "creationTimestamp",
            "uid",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "selfLink",
        ] {
            meta.remove(key);
        }
    }
}

/// The shared tail of a create (POST or apply): managed fields, admission,
/// `BeforeCreate`, validation, conflict check, storage.
fn finish_create(
    store: &mut Store,
    req: &Request<'_>,
    pod: &mut Value,
    live: &Value,
    record_update: bool,
    (empty_lists, empty_maps): (&[String], &[String]),
) -> Result<(), Status> {
    let now = now_rfc3339();
    if let Some(meta) = meta_mut(pod) {
        meta.insert("namespace".into(), json!(req.namespace));
    }
    if record_update {
        let manager = req.options.manager(req.user_agent);
        apply::record_update(live, pod, &manager, &now, Scope::Main);
    }
    admission::admit_create(store, req.namespace, pod)?;
    // BeforeCreate / PrepareForCreate.
    if let Some(spec) = pod.get_mut("spec") {
        drop_disabled::drop_disabled(spec, None);
    }
    crate::pod::apparmor::version_skew(pod);
    let generate = meta_str(pod, "generateName").to_string();
    let qos = admission::qos_class(pod);
    if let Some(meta) = meta_mut(pod) {
        let name_missing = meta
            .get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if name_missing && !generate.is_empty() {
            meta.insert(
                "name".into(),
                json!(format!("{generate}{}", admission::random_suffix(5))),
            );
        }
        meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("creationTimestamp".into(), json!(now));
        meta.insert("generation".into(), json!(1));
        meta.remove("selfLink");
    }
    let gated = pod
        .pointer("/spec/schedulingGates")
        .and_then(Value::as_array)
        .is_some_and(|g| !g.is_empty());
    let mut status = json!({"phase": "Pending", "qosClass": qos});
    if gated {
        // applySchedulingGatedCondition.
        status["conditions"] = json!([{
            "type": "PodScheduled",
            "status": "False",
            "lastProbeTime": null,
            "lastTransitionTime": now,
            "reason": "SchedulingGated",
            "message": "Scheduling is blocked due to non-empty scheduling gates",
        }]);
    }
    if let Some(map) = pod.as_object_mut() {
        map.insert("status".into(), status);
    }
    crate::pod::label_keys::merge_into_selectors(pod);
    let mut view = pod.clone();
    unmarshal::restore_empty_lists(&mut view, empty_lists);
    let errs = validation::validate_create(&view);
    let name = meta_str(pod, "name").to_string();
    if !errs.is_empty() {
        return Err(Status::invalid("", "Pod", &name, &errs));
    }
    // The RuntimeClass plugin sees a non-nil empty `overhead` map too.
    unmarshal::restore_empty_maps(&mut view, empty_maps);
    admission::validate_create(&view)?;
    if store.pods.contains_key(&key(req.namespace, &name)) {
        return Err(Status::already_exists("pods", &name));
    }
    let rv = meta_str(pod, "resourceVersion").to_string();
    if !rv.is_empty() {
        return Err(Status::internal_raw(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    *pod = with_type_meta(std::mem::take(pod));
    if !req.options.is_dry_run() {
        let rv = store.next_rv();
        if let Some(meta) = meta_mut(pod) {
            meta.insert("resourceVersion".into(), json!(rv));
        }
        store.pods.insert(key(req.namespace, &name), pod.clone());
    }
    Ok(())
}

/// `DELETE` one pod: unscheduled pods go away at once, as on a real
/// cluster without kubelets. Pods with finalizers get a deletionTimestamp.
pub fn delete(store: &mut Store, ns: &str, name: &str, dry_run: bool) -> Result<Value, Status> {
    let k = key(ns, name);
    let Some(pod) = store.pods.get(&k).cloned() else {
        return Err(Status::not_found("pods", name));
    };
    let has_finalizers = pod
        .pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| !f.is_empty());
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        return Ok(pod);
    }
    // BeforeDelete: an unscheduled pod gets grace period 0, a deletion
    // timestamp and a generation bump; without finalizers it goes at once.
    let mut pod = pod;
    let generation = pod
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let rv = if dry_run {
        meta_str(&pod, "resourceVersion").to_string()
    } else {
        store.next_rv()
    };
    if let Some(meta) = meta_mut(&mut pod) {
        meta.insert("deletionTimestamp".into(), json!(now_rfc3339()));
        meta.insert("deletionGracePeriodSeconds".into(), json!(0));
        if generation > 0 {
            meta.insert("generation".into(), json!(generation + 1));
        }
        meta.insert("resourceVersion".into(), json!(rv));
    }
    if dry_run {
        return Ok(pod);
    }
    if has_finalizers {
        store.pods.insert(k, pod.clone());
    } else {
        store.pods.remove(&k);
    }
    Ok(pod)
}

/// Go's `ShouldDeleteDuringUpdate`: the update removed the last finalizer of a
/// pod whose deletion has no grace period left, so the store deletes it instead
/// of writing it.
fn deletes_during_update(new: &Value, old: &Value) -> bool {
    new.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty)
        && old.pointer("/metadata/deletionTimestamp").is_some()
        && old
            .pointer("/metadata/deletionGracePeriodSeconds")
            .and_then(Value::as_i64)
            .is_none_or(|g| g == 0)
}

/// `PUT` one pod: the body is the new object (no create on PUT here).
pub fn replace(store: &mut Store, req: &Request<'_>, body: Value, strict: Vec<String>) -> Outcome {
    let Some(current) = store.pods.get(&key(req.namespace, req.name)).cloned() else {
        return Err(Status::not_found("pods", req.name).into());
    };
    let body = if body.is_null() { json!({}) } else { body };
    let patched = Patched {
        shown: crate::golang::json_encode::compact_string(&body, &crate::schema::Ty::Any),
        value: body,
        strict,
        literals: Literals::new(),
    };
    update(store, req, None, current, patched)
}

/// `PATCH` one pod with any of the four content types.
pub fn patch(store: &mut Store, req: &Request<'_>, kind: PatchKind, body: &[u8]) -> Outcome {
    req.options
        .validate("PatchOptions", kind == PatchKind::Apply)?;
    let current = store.pods.get(&key(req.namespace, req.name)).cloned();
    let validation = req.options.field_validation();
    let Some(current) = current else {
        if kind == PatchKind::Apply && req.scope == Scope::Main {
            return apply_create(store, req, body);
        }
        return Err(Status::not_found("pods", req.name).into());
    };
    let patched = if kind == PatchKind::Apply {
        let (config, duplicates) = decode_apply(body)?;
        let manager = req.options.field_manager.clone();
        let merged = apply::server_side_apply(
            &current,
            &config,
            &manager,
            req.options.force == Some(true),
            &now_rfc3339(),
            req.scope,
        )?;
        Patched {
            value: merged,
            strict: strict_yaml(duplicates, validation)?,
            shown: String::new(),
            literals: Literals::new(),
        }
    } else {
        patch::apply(kind, &current, body, validation)?
    };
    update(store, req, Some(kind), current, patched)
}

/// The shared update pipeline of PATCH (`kind` set) and PUT: typing,
/// namespace/name checks, managed fields, admission, resourceVersion,
/// `BeforeUpdate`, validation, no-op detection, write.
fn update(
    store: &mut Store,
    req: &Request<'_>,
    kind: Option<PatchKind>,
    current: Value,
    patched: Patched,
) -> Outcome {
    let Patched {
        value: patched_value,
        strict,
        shown,
        literals,
    } = patched;
    let validation = req.options.field_validation();
    if !patched_value.is_object() {
        let shown_value = json!(shown);
        return Err(Status::invalid(
            "",
            "",
            "",
            &[FieldError::invalid(
                "patch",
                shown_value,
                format!(
                    "couldn't get version/kind; json parse error: json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
                    crate::golang::json_raw::json_kind(&patched_value)
                ),
            )],
        )
        .into());
    }
    if kind.is_none() {
        check_type_meta_for_create(&patched_value)?;
    }
    if let Some((_, _, why)) = kind_mismatch(&patched_value) {
        return Err(Status::invalid(
            "",
            "",
            "",
            &[FieldError::invalid("patch", json!(shown), why)],
        )
        .into());
    }
    let is_put = kind.is_none();
    let empty_node_selector = patched_value
        .pointer("/spec/nodeSelector")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty);
    let invalid_patch = |msg: String| {
        if kind == Some(PatchKind::Apply) {
            return unconvertible(req.name, &msg);
        }
        if is_put {
            // PUT bodies fail in the decoder, like create bodies.
            return Status::bad_request(format!(
                "Pod in version \"v1\" cannot be handled as a Pod: {msg}"
            ));
        }
        Status::invalid(
            "",
            "",
            "",
            &[FieldError::invalid("patch", json!(shown), msg)],
        )
    };
    // Strategic merge and apply results are unstructured maps that
    // `DefaultUnstructuredConverter.FromUnstructured` types (an integral
    // float fits an int field); the other patches are JSON-decoded.
    let style = if matches!(kind, Some(PatchKind::Strategic | PatchKind::Apply)) {
        unmarshal::Style::Unstructured
    } else {
        unmarshal::Style::Json
    };
    // Typing drops an empty list, but `managedFields: []` resets them.
    let managed_reset = patched_value
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty);
    let Typed {
        mut pod,
        mut warnings,
        empty_lists,
        ..
    } = type_pod(
        patched_value,
        style,
        &literals,
        validation,
        strict,
        invalid_patch,
        invalid_patch,
    )?;
    status_strategy::convert_pod_ips(&mut pod);
    // UPDATE dedups right after decoding; PATCH only after mutating
    // admission (below), hence the two wordings of the warning.
    if is_put {
        warnings.extend(objectmeta::dedup_owner_references(&mut pod, false));
    }
    let fail = |status: Status| Failure {
        status,
        warnings: warnings.clone(),
    };
    let ns = meta_str(&pod, "namespace");
    if !ns.is_empty() && ns != req.namespace {
        return Err(fail(Status::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )));
    }
    // EnsureObjectNamespaceMatchesRequestNamespace fills an empty namespace.
    if let Some(meta) = meta_mut(&mut pod) {
        meta.insert("namespace".into(), json!(req.namespace));
    }
    let name = meta_str(&pod, "name");
    if name.is_empty() {
        return Err(fail(Status::bad_request(format!(
            "the name of the object ({} based on URL) was undeterminable: name must be provided",
            req.name
        ))));
    }
    if name != req.name {
        return Err(fail(Status::bad_request(format!(
            "the name of the object ({name}) does not match the name on the URL ({})",
            req.name
        ))));
    }
    // The field manager records the change before mutating admission runs.
    if kind != Some(PatchKind::Apply) {
        if managed_reset && let Some(meta) = meta_mut(&mut pod) {
            meta.insert("managedFields".into(), json!([]));
        }
        let manager = req.options.manager(req.user_agent);
        apply::record_update(&current, &mut pod, &manager, &now_rfc3339(), req.scope);
    }
    if req.scope == Scope::Main {
        admission::preserve_priority(&mut pod, &current);
        admission::default_toleration_seconds(&mut pod);
    }
    if !is_put {
        warnings.extend(objectmeta::dedup_owner_references(&mut pod, true));
    }
    let fail = |status: Status| Failure {
        status,
        warnings: warnings.clone(),
    };
    let current_rv = meta_str(&current, "resourceVersion").to_string();
    let rv = meta_str(&pod, "resourceVersion").to_string();
    if !rv.is_empty() && rv != "0" {
        match rv.parse::<u64>() {
            Err(e) => {
                let why = if matches!(e.kind(), std::num::IntErrorKind::PosOverflow) {
                    "value out of range"
                } else {
                    "invalid syntax"
                };
                return Err(fail(Status::internal_raw(format!(
                    "strconv.ParseUint: parsing {}: {why}",
                    crate::golang::format::go_quote(&rv)
                ))));
            }
            Ok(_) if rv != current_rv => return Err(fail(Status::stale("pods", req.name))),
            Ok(_) => {}
        }
    }
    before_update(&mut pod, &current, req.scope);
    let mut errs = validation::common_fields_update(&pod, &current);
    match req.scope {
        Scope::Main => {
            // Validation sees Go's non-nil empty lists; the old object
            // gets them too, as nil and empty compare equal.
            let (mut new, mut old) = (pod.clone(), current.clone());
            unmarshal::restore_empty_lists(&mut new, &empty_lists);
            unmarshal::restore_empty_lists(&mut old, &empty_lists);
            let mut update_errs = validation::validate_update(&new, &old);
            // Typing drops an empty map, but Go tells a non-nil empty
            // nodeSelector (a patch removed its last key) from nil.
            if empty_node_selector {
                for e in update_errs.iter_mut() {
                    if e.field == "spec.nodeSelector" && e.value == Some(Value::Null) {
                        e.value = Some(json!({}));
                    }
                }
            }
            errs.extend(update_errs);
        }
        Scope::Status => errs.extend(validation::validate_status_update(&pod, &current)),
        Scope::EphemeralContainers => {
            errs.extend(validation::validate_ephemeral_update(&pod, &current));
        }
        Scope::Resize => errs.extend(validation::validate_resize(&pod, &current)),
    }
    if !errs.is_empty() {
        return Err(fail(Status::invalid("", "Pod", req.name, &errs)));
    }
    if req.scope == Scope::Resize {
        admission::validate_resize(&pod, &current, req.name).map_err(fail)?;
    }
    if req.scope == Scope::Status {
        warnings.extend(status_strategy::warnings(&pod));
    }
    let pod = with_type_meta(pod);
    if pod == current {
        return Ok(Reply {
            code: 200,
            object: current,
            warnings,
        });
    }
    let mut pod = pod;
    if deletes_during_update(&pod, &current) {
        // `deleteWithoutFinalizers` answers with the updated object as it
        // stood before the write: its resourceVersion does not move.
        if !req.options.is_dry_run() {
            store.pods.remove(&key(req.namespace, req.name));
        }
    } else if !req.options.is_dry_run() {
        let rv = store.next_rv();
        if let Some(meta) = meta_mut(&mut pod) {
            meta.insert("resourceVersion".into(), json!(rv));
        }
        store.pods.insert(key(req.namespace, req.name), pod.clone());
    }
    Ok(Reply {
        code: 200,
        object: pod,
        warnings,
    })
}

/// The old pod with the new object's metadata, except what
/// `ResetObjectMetaForStatus` takes back from the old one (labels,
/// annotations, finalizers, owner references, deletion timestamp,
/// generation): what a subresource strategy starts from.
fn reset_for_subresource(new: &Value, old: &Value) -> Value {
    let mut kept = old.clone();
    if let Some(meta) = meta_mut(&mut kept) {
        for k in [
            "name",
            "generateName",
            "namespace",
            "resourceVersion",
            "uid",
            "deletionGracePeriodSeconds",
            "managedFields",
        ] {
            match new.pointer(&format!("/metadata/{k}")) {
                Some(v) => meta.insert(k.into(), v.clone()),
                None => meta.remove(k),
            };
        }
    }
    kept
}

/// `dropNonResizeUpdates`: the old pod with the new containers' (and init
/// containers') `resources` and `resizePolicy` and the new pod-level
/// `resources`. When containers were added, removed, renamed or reordered
/// it keeps the new pod as it is (`None`; for renames, that list only), for
/// validation to refuse.
fn drop_non_resize_updates(new: &Value, old: &Value) -> Option<Value> {
    let list = |pod: &Value, key: &str| -> Vec<Value> {
        pod.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let lists = ["containers", "initContainers"];
    if lists
        .iter()
        .any(|key| list(new, key).len() != list(old, key).len())
    {
        return None;
    }
    let mut kept = reset_for_subresource(new, old);
    let spec = kept.get_mut("spec").and_then(Value::as_object_mut)?;
    for key in lists {
        let (new_list, old_list) = (list(new, key), list(old, key));
        if new_list.is_empty() {
            continue;
        }
        let renamed = new_list
            .iter()
            .zip(&old_list)
            .any(|(n, o)| n.get("name") != o.get("name"));
        let merged: Vec<Value> = if renamed {
            new_list
        } else {
            new_list
                .iter()
                .zip(old_list)
                .map(|(n, mut o)| {
                    if let Some(obj) = o.as_object_mut() {
                        for field in ["resources", "resizePolicy"] {
                            match n.get(field) {
                                Some(v) => obj.insert(field.into(), v.clone()),
                                None => obj.remove(field),
                            };
                        }
                    }
                    o
                })
                .collect()
        };
        spec.insert(key.into(), Value::Array(merged));
    }
    // InPlacePodLevelResourcesVerticalScaling (on in 1.36) keeps the new
    // pod-level resources.
    match new.pointer("/spec/resources") {
        Some(v) => spec.insert("resources".into(), v.clone()),
        None => spec.remove("resources"),
    };
    Some(kept)
}

/// `rest.BeforeUpdate` + the pod strategy's `PrepareForUpdate`.
fn before_update(pod: &mut Value, old: &Value, scope: Scope) {
    if let Some(spec) = pod.get_mut("spec") {
        drop_disabled::drop_disabled(spec, old.get("spec"));
    }
    if scope == Scope::EphemeralContainers {
        // dropNonEphemeralContainerUpdates: the old pod with the new
        // ephemeral containers and the new metadata but what
        // `ResetObjectMetaForStatus` takes from the old one.
        let mut kept = reset_for_subresource(pod, old);
        if let Some(spec) = kept.get_mut("spec").and_then(Value::as_object_mut) {
            match pod.pointer("/spec/ephemeralContainers") {
                Some(v) => spec.insert("ephemeralContainers".into(), v.clone()),
                None => spec.remove("ephemeralContainers"),
            };
        }
        *pod = kept;
    }
    if scope == Scope::Resize
        && let Some(kept) = drop_non_resize_updates(pod, old)
    {
        *pod = kept;
    }
    if scope == Scope::Status {
        // The status strategy keeps the spec and owner references.
        if let (Some(map), Some(spec)) = (pod.as_object_mut(), old.get("spec")) {
            map.insert("spec".into(), spec.clone());
        }
        if let Some(meta) = meta_mut(pod) {
            match old.pointer("/metadata/ownerReferences") {
                Some(refs) => meta.insert("ownerReferences".into(), refs.clone()),
                None => meta.remove("ownerReferences"),
            };
        }
        status_strategy::prepare_for_update(pod, old);
    }
    let old_meta = old.get("metadata").cloned().unwrap_or(Value::Null);
    let old_generation = old_meta
        .get("generation")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    // `updatePodGeneration` compares with `Semantic.DeepEqual`: a quantity
    // respelled (`64Mi` as `67108864`) is no spec change.
    let spec_changed = !crate::golang::semantic::semantic_eq(
        pod.get("spec"),
        old.get("spec"),
        &crate::schema::POD_SPEC_TY,
    );
    if let Some(meta) = meta_mut(pod) {
        if meta
            .get("uid")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
            && let Some(uid) = old_meta.get("uid")
        {
            meta.insert("uid".into(), uid.clone());
        }
        match old_meta.get("creationTimestamp") {
            Some(ts) => meta.insert("creationTimestamp".into(), ts.clone()),
            None => meta.remove("creationTimestamp"),
        };
        // An update can never remove or change a deletion timestamp, and a
        // grace period only comes back when the patch dropped it.
        if let Some(v) = old_meta.get("deletionTimestamp") {
            meta.insert("deletionTimestamp".into(), v.clone());
        }
        if let Some(v) = old_meta.get("deletionGracePeriodSeconds")
            && !meta.contains_key("deletionGracePeriodSeconds")
        {
            meta.insert("deletionGracePeriodSeconds".into(), v.clone());
        }
        let generation = if spec_changed {
            old_generation + 1
        } else {
            old_generation
        };
        if generation == 0 {
            meta.remove("generation");
        } else {
            meta.insert("generation".into(), json!(generation));
        }
        // The server no longer keeps selfLink (RemoveSelfLink, 1.24).
        meta.remove("selfLink");
        // An emptied resourceVersion means "unconditional"; the stored
        // object keeps its own until the write assigns a new one.
        if let Some(rv) = old_meta.get("resourceVersion") {
            meta.insert("resourceVersion".into(), rv.clone());
        }
    }
    if scope == Scope::Main
        && let (Some(map), Some(status)) = (pod.as_object_mut(), old.get("status"))
    {
        map.insert("status".into(), status.clone());
    }
}

/// Decodes and checks an apply configuration (YAML or JSON). Its duplicate
/// keys come back unjudged: the strict YAML pass runs after the apply.
fn decode_apply(body: &[u8]) -> Result<(Value, Vec<String>), Failure> {
    let whole = String::from_utf8_lossy(body);
    // libyaml takes a byte order mark at the start of the stream as the
    // encoding's, not as content.
    let whole = whole.strip_prefix('\u{feff}').unwrap_or(&whole);
    let text = crate::golang::yaml_read::first_document(whole);
    let duplicates = if serde_json::from_str::<Value>(text).is_ok() {
        crate::golang::yaml_duplicates::json_duplicate_keys(text)
    } else {
        crate::golang::yaml_duplicates::yaml_duplicate_keys(text)
    };
    let config: Value = match crate::golang::yaml_read::parse_yaml(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(Status::bad_request(format!(
                "error decoding YAML: error converting YAML to JSON: {}",
                crate::golang::yaml_read::yaml_error(&e.to_string())
            ))
            .into());
        }
    };
    let mut config = if config.is_null() { json!({}) } else { config };
    // sigs.k8s.io/yaml turns the YAML into JSON, decoded into a map.
    crate::golang::json_number::int64_or_float(&mut config);
    if !config.is_object() {
        return Err(Status::bad_request(format!(
            "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            crate::golang::json_raw::json_kind(&config)
        ))
        .into());
    }
    let api_version = config
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = config.get("kind").and_then(Value::as_str).unwrap_or("");
    if api_version != "v1" || kind != "Pod" {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api_version),
        };
        return Err(Status::bad_request(format!(
            "invalid object type: {group}/{version}, Kind={kind}"
        ))
        .into());
    }
    if config
        .pointer("/metadata/managedFields")
        .is_some_and(|v| !v.is_null())
    {
        return Err(Status::bad_request("metadata.managedFields must be nil").into());
    }
    let errs = apply::schema_errors(&config);
    if !errs.is_empty() {
        let meta = |k: &str| {
            config
                .pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let detail = if errs.len() == 1 {
            errs[0].clone()
        } else {
            let lines: Vec<String> = errs.iter().map(|e| format!("  {e}")).collect();
            format!("errors:\n{}", lines.join("\n"))
        };
        return Err(Status::internal_raw(format!(
            "failed to create typed patch object ({}/{}; /v1, Kind=Pod): {detail}",
            meta("namespace"),
            meta("name")
        ))
        .into());
    }
    Ok((config, duplicates))
}

/// `applyPatchToCurrentObject`'s strict YAML pass, after a successful apply:
/// duplicate keys fail a Strict request and warn under Warn.
fn strict_yaml(
    duplicates: Vec<String>,
    validation: FieldValidation,
) -> Result<Vec<String>, Failure> {
    match validation {
        FieldValidation::Strict if !duplicates.is_empty() => {
            let lines: Vec<String> = duplicates.iter().map(|d| format!("\n  {d}")).collect();
            Err(Status::bad_request(format!(
                "error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:{}",
                lines.concat()
            ))
            .into())
        }
        FieldValidation::Warn => Ok(duplicates),
        _ => Ok(Vec::new()),
    }
}

/// An applied object that passed the schema check but not the conversion
/// to a typed Pod (a malformed quantity): the field manager's 500.
fn unconvertible(name: &str, msg: &str) -> Status {
    Status::internal_raw(format!(
        "failed to convert new object (/{name}; /v1, Kind=Pod) to proper version: unable to convert unstructured object to /v1, Kind=Pod: {msg}"
    ))
}

/// Server-side apply of a missing pod: the create path (201).
fn apply_create(store: &mut Store, req: &Request<'_>, body: &[u8]) -> Outcome {
    let (config, duplicates) = decode_apply(body)?;
    let live = zero_pod();
    let merged = apply::server_side_apply(
        &live,
        &config,
        &req.options.field_manager,
        req.options.force == Some(true),
        &now_rfc3339(),
        Scope::Main,
    )?;
    let mut warnings = strict_yaml(duplicates, req.options.field_validation())?;
    // Later failures still carry the strict pass's warnings.
    let fail = |status: Status| Failure {
        status,
        warnings: warnings.clone(),
    };
    if let Some(uid) = config.pointer("/metadata/uid").and_then(Value::as_str)
        && !uid.is_empty()
    {
        return Err(fail(Status::conflict(
            "pods",
            req.name,
            &format!(
                "uid mismatch: the provided object specified uid {uid}, and no existing object was found"
            ),
        )));
    }
    let Typed {
        mut pod,
        empty_lists,
        empty_maps,
        ..
    } = type_pod(
        merged,
        unmarshal::Style::Unstructured,
        &Literals::new(),
        FieldValidation::Ignore,
        Vec::new(),
        |msg| unconvertible(req.name, &msg),
        Status::bad_request,
    )
    .map_err(|f| fail(f.status))?;
    let name = meta_str(&pod, "name");
    // `checkName`: an object without a name is refused before the mismatch
    // test, naming the URL's name instead.
    if name.is_empty() {
        return Err(fail(Status::bad_request(format!(
            "the name of the object ({} based on URL) was undeterminable: name must be provided",
            req.name
        ))));
    }
    if name != req.name {
        return Err(fail(Status::bad_request(format!(
            "the name of the object ({name}) does not match the name on the URL ({})",
            req.name
        ))));
    }
    let ns = meta_str(&pod, "namespace");
    if !ns.is_empty() && ns != req.namespace {
        return Err(fail(Status::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )));
    }
    // An apply creates through `Store.Update`, whose `GuaranteedUpdate`
    // clears the object's resourceVersion before storing it
    // (`PrepareObjectForStorage`): a stale or made-up one is ignored,
    // unlike on POST. The dry-run storage skips that step and answers
    // with the applied one.
    let applied_rv = meta_mut(&mut pod).and_then(|meta| meta.remove("resourceVersion"));
    warnings.extend(crate::pod::apparmor::version_skew(&mut pod.clone()));
    let dropped = (&empty_lists[..], &empty_maps[..]);
    finish_create(store, req, &mut pod, &live, false, dropped).map_err(|status| Failure {
        status,
        warnings: warnings.clone(),
    })?;
    if req.options.is_dry_run()
        && let (Some(rv), Some(meta)) = (applied_rv, meta_mut(&mut pod))
    {
        meta.insert("resourceVersion".into(), rv);
    }
    warnings.extend(crate::pod::warnings::pod::on_create(&pod));
    Ok(Reply {
        code: 201,
        object: pod,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::query::Query;

    fn req(query: &str) -> Request<'static> {
        Request {
            scope: Scope::Main,
            namespace: "default",
            name: "web",
            user_agent: "test/1.0",
            options: WriteOptions::from_query(&Query::parse(Some(query))),
        }
    }

    fn seeded() -> Store {
        let mut store = Store::booted();
        let body = json!({"metadata": {"name": "web"}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        create(&mut store, &req(""), body, Vec::new()).expect("created");
        store
    }

    #[test]
    fn create_defaults_and_admits() {
        let store = seeded();
        let pod = get(&store, "default", "web").expect("stored");
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
        let mut store = seeded();
        let before = get(&store, "default", "web").expect("stored");
        let reply = patch(&mut store, &req(""), PatchKind::Merge, b"{}").expect("ok");
        assert_eq!(reply.object, before);
    }

    #[test]
    fn image_patch_bumps_generation_and_rv() {
        let mut store = seeded();
        let before = get(&store, "default", "web").expect("stored");
        let body = br#"[{"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.27"}]"#;
        let reply = patch(&mut store, &req(""), PatchKind::Json, body).expect("ok");
        assert_eq!(reply.object["metadata"]["generation"], json!(2));
        assert_ne!(
            reply.object["metadata"]["resourceVersion"],
            before["metadata"]["resourceVersion"]
        );
    }

    #[test]
    fn stale_and_bad_resource_versions() {
        let mut store = seeded();
        let stale = br#"{"metadata":{"resourceVersion":"1"}}"#;
        let err = patch(&mut store, &req(""), PatchKind::Merge, stale).expect_err("409");
        assert_eq!(err.status.code, 409);
        let bad = br#"{"metadata":{"resourceVersion":"abc"}}"#;
        let err = patch(&mut store, &req(""), PatchKind::Merge, bad).expect_err("500");
        assert_eq!(
            err.status.message,
            "strconv.ParseUint: parsing \"abc\": invalid syntax"
        );
    }

    #[test]
    fn unknown_field_warns_or_fails() {
        let mut store = seeded();
        let body = br#"{"spec":{"foo":1}}"#;
        let reply = patch(&mut store, &req(""), PatchKind::Merge, body).expect("warn");
        assert_eq!(reply.warnings, vec!["unknown field \"spec.foo\""]);
        let err = patch(
            &mut store,
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
        let mut store = Store::booted();
        let body = json!({"metadata": {"name": "web", "deletionGracePeriodSeconds": 30,
            "deletionTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}});
        let reply = create(&mut store, &req(""), body, Vec::new()).expect("created");
        let meta = &reply.object["metadata"];
        assert!(meta.get("deletionGracePeriodSeconds").is_none());
        assert!(meta.get("deletionTimestamp").is_none());
        let owned = &meta["managedFields"][0]["fieldsV1"]["f:metadata"];
        assert!(owned.get("f:deletionGracePeriodSeconds").is_none());
        assert!(owned.get("f:deletionTimestamp").is_none());
    }

    #[test]
    fn apply_create_keeps_deletion_grace_period() {
        let mut store = Store::booted();
        let body = br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","deletionGracePeriodSeconds":30},"spec":{"containers":[{"name":"web","image":"nginx"}]}}"#;
        let reply =
            patch(&mut store, &req("fieldManager=a"), PatchKind::Apply, body).expect("created");
        assert_eq!(reply.code, 201);
        let meta = &reply.object["metadata"];
        assert_eq!(meta["deletionGracePeriodSeconds"], json!(30));
        assert_eq!(
            meta["managedFields"][0]["fieldsV1"]["f:metadata"]["f:deletionGracePeriodSeconds"],
            json!({})
        );
    }

    #[test]
    fn name_mismatch() {
        let mut store = seeded();
        let err = patch(
            &mut store,
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
        let mut store = Store::booted();
        let mut r = req("fieldManager=me");
        r.name = "api";
        let failure =
            patch(&mut store, &r, PatchKind::Apply, body.as_bytes()).expect_err("refused");
        assert_eq!(failure.status.code, 400);
        assert_eq!(failure.status.message, message);
    }

    #[test]
    fn apply_creates_then_conflicts() {
        let mut store = Store::booted();
        let mut r = req("fieldManager=me");
        r.name = "api";
        let body = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n  - name: c\n    image: nginx\n";
        let reply = patch(&mut store, &r, PatchKind::Apply, body).expect("created");
        assert_eq!(reply.code, 201);
        assert_eq!(
            reply.object["metadata"]["managedFields"][0]["operation"],
            json!("Apply")
        );
        let again = patch(&mut store, &r, PatchKind::Apply, body).expect("no-op");
        assert_eq!(again.object, reply.object);
    }
}
