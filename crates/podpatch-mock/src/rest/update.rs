//! The update flow shared by `handlers/update.go` (PUT) and
//! `handlers/patch.go` (the patched object's way to storage): typing with
//! `fieldValidation`, the namespace and name checks, managed fields,
//! mutating admission, then the store's `Update` with the strategy's
//! `BeforeUpdate` and `ValidateUpdate` in between. Each step's rules live
//! in the layer named after it.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use crate::api::status::Status;
use crate::golang::json_number::Literals;
use crate::golang::json_pointer::Lookup;
use crate::golang::unmarshal;
use crate::merge::apply;
use crate::merge::fieldpath::Scope;
use crate::merge::patched::{Patched, Shown};
use crate::pod::admission;
use crate::pod::status_strategy;
use crate::pod::strategy;
use crate::registry::object::{key, meta_mut, meta_str};
use crate::registry::pods;
use crate::registry::store::{Shared, Store, now_rfc3339};
use crate::rest::apply::unconvertible;
use crate::rest::checks;
use crate::rest::decode::{Typed, check_type_meta_for_create, kind_mismatch, type_pod};
use crate::rest::outcome::{Failure, Outcome, Reply, Request};
use crate::rest::patch_type::PatchKind;
use crate::validation::field::FieldError;
use crate::validation::objectmeta;

/// How often [`guaranteed_update`] reads the pod again after another
/// request wrote it between the read and the write. The storage layer
/// retries without bound; a bound keeps a pod rewritten in a tight loop
/// from holding a request forever.
const MAX_ATTEMPTS: usize = 32;

/// `PUT` one pod: the body is the new object (no create on PUT here).
pub fn replace(state: &Shared, req: &Request<'_>, body: Value, strict: Vec<String>) -> Outcome {
    let body = if body.is_null() { json!({}) } else { body };
    let shown = crate::golang::json_encode::compact_string(&body, &crate::schema::Ty::Any);
    guaranteed_update(state, req, None, |_| {
        Ok(Patched {
            shown: Shown::Text(shown.clone()),
            value: body.clone(),
            strict: strict.clone(),
            literals: Literals::new(),
        })
    })
}

/// The storage layer's `GuaranteedUpdate`: reads the stored pod, computes
/// the new object from it (`new_object`, then [`prepare`]) without holding
/// the store, so that a heavy patch does not stall requests on other pods,
/// and writes only if the pod is still the one read; otherwise it starts
/// again from the newer pod, as etcd's compare-and-swap makes the real
/// store do.
pub(crate) fn guaranteed_update<'b>(
    state: &Shared,
    req: &Request<'_>,
    kind: Option<PatchKind>,
    mut new_object: impl FnMut(&Arc<Value>) -> Result<Patched<'b>, Failure>,
) -> Outcome {
    let key = key(req.namespace, req.name);
    for _ in 0..MAX_ATTEMPTS {
        let Some(current) = state.lock().pods.get(&key).map(Arc::clone) else {
            return Err(Status::not_found("pods", req.name).into());
        };
        let prepared = prepare(req, kind, &current, new_object(&current)?)?;
        let mut store = state.lock();
        // A write replaces the stored `Arc`: the same allocation is the
        // same pod, unwritten since it was read.
        if store
            .pods
            .get(&key)
            .is_some_and(|now| Arc::ptr_eq(now, &current))
        {
            return Ok(write(&mut store, req, prepared, current));
        }
    }
    Err(Status::conflict(
        "pods",
        req.name,
        "the object has been modified; please apply your changes to the latest version and try again",
    )
    .into())
}

/// A patched (or PUT) object decoded into a typed pod, with what typing
/// loses that later steps still need.
struct Decoded {
    typed: Typed,
    /// The object held a non-nil empty `spec.nodeSelector`.
    empty_node_selector: bool,
    /// The object held `metadata.managedFields: []` (a reset).
    managed_reset: bool,
}

/// The type checks of `update.go` and `patch.go`: the result must be an
/// object of kind Pod in v1 (a PUT body is judged as a create body first),
/// typed as the patch's decoder does it, its errors worded per flavour.
fn decode_update(
    req: &Request<'_>,
    kind: Option<PatchKind>,
    patched: Patched,
) -> Result<Decoded, Failure> {
    let Patched {
        value: patched_value,
        strict,
        shown,
        literals,
    } = patched;
    let validation = req.options.field_validation();
    if !patched_value.is_object() {
        let shown_value = json!(shown.text());
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
            &[FieldError::invalid("patch", json!(shown.text()), why)],
        )
        .into());
    }
    let is_put = kind.is_none();
    let empty_node_selector = patched_value
        .at("/spec/nodeSelector")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty);
    let invalid_patch = |msg: String| {
        if kind == Some(PatchKind::Apply) {
            return unconvertible(&shown.text(), &msg);
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
            &[FieldError::invalid("patch", json!(shown.text()), msg)],
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
        .at("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty);
    let typed = type_pod(
        patched_value,
        style,
        &literals,
        validation,
        strict,
        invalid_patch,
        invalid_patch,
    )?;
    Ok(Decoded {
        typed,
        empty_node_selector,
        managed_reset,
    })
}

/// The new pod an update would write, with the warnings it earned.
pub(crate) struct Prepared {
    pod: Value,
    warnings: Vec<String>,
}

/// The shared update pipeline of PATCH (`kind` set) and PUT up to the
/// write: typing, namespace/name checks, managed fields, admission,
/// resourceVersion, `BeforeUpdate`, validation. It reads no store.
fn prepare(
    req: &Request<'_>,
    kind: Option<PatchKind>,
    current: &Value,
    patched: Patched,
) -> Result<Prepared, Failure> {
    let Decoded {
        typed:
            Typed {
                mut pod,
                mut warnings,
                empty_lists,
                quantities,
                ..
            },
        empty_node_selector,
        managed_reset,
    } = decode_update(req, kind, patched)?;
    let is_put = kind.is_none();
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
    checks::namespace(meta_str(&pod, "namespace"), req.namespace).map_err(fail)?;
    // EnsureObjectNamespaceMatchesRequestNamespace fills an empty namespace.
    if let Some(meta) = meta_mut(&mut pod) {
        meta.insert("namespace".into(), json!(req.namespace));
    }
    checks::name(meta_str(&pod, "name"), req.name).map_err(fail)?;
    // The field manager records the change before mutating admission runs.
    if kind != Some(PatchKind::Apply) {
        if managed_reset && let Some(meta) = meta_mut(&mut pod) {
            meta.insert("managedFields".into(), json!([]));
        }
        let manager = req.options.manager(req.user_agent);
        apply::record_update(current, &mut pod, &manager, &now_rfc3339(), req.scope);
    }
    if req.scope == Scope::Main {
        admission::preserve_priority(&mut pod, current);
        admission::default_toleration_seconds(&mut pod);
    }
    if !is_put {
        warnings.extend(objectmeta::dedup_owner_references(&mut pod, true));
    }
    let fail = |status: Status| Failure {
        status,
        warnings: warnings.clone(),
    };
    pods::check_resource_version(&pod, current, req.name).map_err(fail)?;
    let spec_unchanged = strategy::before_update(&mut pod, current, req.scope, &empty_lists);
    let errs = strategy::validate_update(
        req.scope,
        &pod,
        current,
        &empty_lists,
        &quantities,
        empty_node_selector,
        spec_unchanged,
    );
    if !errs.is_empty() {
        return Err(fail(Status::invalid("", "Pod", req.name, &errs)));
    }
    if req.scope == Scope::Resize {
        admission::validate_resize(&pod, current, req.name).map_err(fail)?;
    }
    if req.scope == Scope::Status {
        warnings.extend(status_strategy::warnings(&pod));
    }
    Ok(Prepared { pod, warnings })
}

/// The store's write of a prepared pod over `current` (none on a dry run).
fn write(store: &mut Store, req: &Request<'_>, prepared: Prepared, current: Arc<Value>) -> Reply {
    let dry_run = req.options.is_dry_run();
    let Prepared { pod, warnings } = prepared;
    let object = pods::update(store, req.namespace, req.name, pod, current, dry_run);
    Reply {
        code: 200,
        object,
        warnings,
    }
}
