//! The create flow of `handlers/create.go` for pods (`createHandler`):
//! options, decoding, `WipeObjectMetaSystemFields`, the namespace check,
//! managed fields, admission, the strategy's `PrepareForCreate`,
//! validation and the store's create; its tail is shared with an apply
//! that creates. Each step's rules live in the layer named after it.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_number::Literals;
use crate::golang::quantity_states::QuantityStates;
use crate::golang::unmarshal;
use crate::merge::apply;
use crate::merge::fieldpath::Scope;
use crate::pod::admission;
use crate::pod::strategy;
use crate::registry::object::{meta_mut, meta_str};
use crate::registry::pods;
use crate::registry::store::{Store, now_rfc3339};
use crate::rest::checks;
use crate::rest::decode::{Typed, check_type_meta_for_create, type_pod, zero_pod};
use crate::rest::outcome::{Failure, Outcome, Reply, Request};
use crate::validation;
use crate::validation::objectmeta;

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
        quantities,
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
    if let Err(status) = checks::namespace(meta_str(&pod, "namespace"), req.namespace) {
        return Err(Failure { status, warnings });
    }
    // CREATE dedups after the namespace check (and again after admission,
    // which can then find nothing left).
    warnings.extend(objectmeta::dedup_owner_references(&mut pod, false));
    // PrepareForCreate warns about AppArmor annotations before validating.
    warnings.extend(crate::pod::apparmor::skew_warnings(&pod));
    let fail = |status: Status| Failure {
        status,
        warnings: warnings.clone(),
    };
    let dropped = (&empty_lists[..], &empty_maps[..]);
    finish_create(
        store,
        req,
        &mut pod,
        &zero_pod(),
        true,
        dropped,
        &quantities,
    )
    .map_err(fail)?;
    warnings.extend(crate::pod::warnings::pod::on_create(&pod, &quantities));
    Ok(Reply {
        code: 201,
        object: Arc::new(pod),
        warnings,
    })
}

/// `rest.WipeObjectMetaSystemFields`: the POST handler erases the system
/// fields of the body before the field manager records it, so they are
/// neither stored nor owned. A create through apply skips this before 1.37
/// (the store's create-on-update branch only fills `uid` and
/// `creationTimestamp`), which is why `deletionTimestamp` and
/// `deletionGracePeriodSeconds` survive there; from 1.37 that branch wipes
/// them too, after the field manager has recorded them.
pub(crate) fn wipe_system_fields(pod: &mut Value) {
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
/// `BeforeCreate`, validation (of the empty lists and maps the decoder
/// `dropped` put back, and of the `quantities` it parsed), conflict check,
/// storage.
pub(crate) fn finish_create(
    store: &mut Store,
    req: &Request<'_>,
    pod: &mut Value,
    live: &Value,
    record_update: bool,
    (empty_lists, empty_maps): (&[String], &[String]),
    quantities: &QuantityStates,
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
    strategy::prepare_for_create(pod, &now);
    // Validation sees Go's non-nil empty lists, the RuntimeClass plugin
    // its non-nil empty `overhead` map too: the pod is copied only when
    // there are some to put back (a pod can be megabytes).
    let with_lists;
    let view = if empty_lists.is_empty() {
        &*pod
    } else {
        let mut copy = pod.clone();
        unmarshal::restore_empty_lists(&mut copy, empty_lists);
        with_lists = copy;
        &with_lists
    };
    let errs = validation::validate_create(view, quantities);
    let name = meta_str(pod, "name").to_string();
    if !errs.is_empty() {
        return Err(Status::invalid("", "Pod", &name, &errs));
    }
    let with_maps;
    let view = if empty_maps.is_empty() {
        view
    } else {
        let mut copy = view.clone();
        unmarshal::restore_empty_maps(&mut copy, empty_maps);
        with_maps = copy;
        &with_maps
    };
    admission::validate_create(view)?;
    pods::create(store, req.namespace, pod, req.options.is_dry_run())
}
