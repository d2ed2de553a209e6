//! Server-side apply in `handlers/patch.go` (`applyPatcher`): decoding and
//! checking the apply configuration (YAML or JSON, `invalid object type`,
//! managed fields must be nil, the typed-patch schema check), the strict
//! YAML pass after the apply, and the create an apply makes when the pod
//! does not exist (`Store.Update`'s create-on-update). The merge itself is
//! [`crate::merge::apply`]'s.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_number::Literals;
use crate::golang::json_pointer::Lookup;
use crate::golang::unmarshal;
use crate::http::query::FieldValidation;
use crate::merge::apply;
use crate::merge::fieldpath::Scope;
use crate::registry::object::{meta_mut, meta_str};
use crate::registry::store::{Store, now_rfc3339};
use crate::rest::checks;
use crate::rest::create::{finish_create, wipe_system_fields};
use crate::rest::decode::{Typed, type_pod, zero_pod};
use crate::rest::outcome::{Failure, Outcome, Reply, Request};
use crate::version::Version;

/// The first document of an apply body, as go-yaml reads it.
fn first_document(whole: &str) -> &str {
    // libyaml takes a byte order mark at the start of the stream as the
    // encoding's, not as content.
    let whole = whole.strip_prefix('\u{feff}').unwrap_or(whole);
    crate::golang::yaml_read::first_document(whole)
}

/// How apply body errors begin: `error decoding YAML` (1.36 and older) or
/// `error decoding patch` (1.37), `strict` for the strict pass.
fn decoding(strict: bool) -> String {
    let what = if Version::current().validates_patch_body_first() {
        "patch"
    } else {
        "YAML"
    };
    let strict = if strict { "strict " } else { "" };
    format!("error {strict}decoding {what}")
}

/// `validateAndTranscodePatch` for an apply body (1.37): what is not a JSON
/// object (`IsJSONBuffer`) must convert from YAML to JSON, or the request
/// is refused before anything else is looked at.
pub(crate) fn transcode_apply(body: &[u8]) -> Result<(), Status> {
    let whole = String::from_utf8_lossy(body);
    if whole.trim_start().starts_with('{') {
        return Ok(());
    }
    match crate::golang::yaml_read::parse_yaml(first_document(&whole)) {
        Ok(_) => Ok(()),
        Err(e) => Err(Status::bad_request(format!(
            "error encoding patch: {}",
            crate::golang::yaml_read::yaml_error(&e.to_string())
        ))),
    }
}

/// Decodes and checks an apply configuration (YAML or JSON). Its duplicate
/// keys come back unjudged: the strict YAML pass runs after the apply.
pub(crate) fn decode_apply(body: &[u8]) -> Result<(Value, Vec<String>), Failure> {
    let whole = String::from_utf8_lossy(body);
    let text = first_document(&whole);
    let duplicates = if crate::golang::json_value::from_str::<Value>(text).is_ok() {
        crate::golang::yaml_duplicates::json_duplicate_keys(text)
    } else {
        crate::golang::yaml_duplicates::yaml_duplicate_keys(text)
    };
    let config: Value = match crate::golang::yaml_read::parse_yaml(text) {
        Ok(v) => v,
        Err(e) => {
            return Err(Status::bad_request(format!(
                "{}: error converting YAML to JSON: {}",
                decoding(false),
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
            "{}: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            decoding(false),
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
    // `Unstructured.GetManagedFields` sees only a list of maps (anything
    // else reads as nil and meets the schema check instead).
    if config
        .at("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|items| items.iter().all(Value::is_object))
    {
        return Err(Status::bad_request("metadata.managedFields must be nil").into());
    }
    let errs = apply::schema_errors(&config);
    if !errs.is_empty() {
        let detail = if errs.len() == 1 {
            errs[0].clone()
        } else {
            let lines: Vec<String> = errs.iter().map(|e| format!("  {e}")).collect();
            format!("errors:\n{}", lines.join("\n"))
        };
        return Err(Status::internal_raw(format!(
            "failed to create typed patch object ({}; /v1, Kind=Pod): {detail}",
            config_key(&config)
        ))
        .into());
    }
    Ok((config, duplicates))
}

/// `applyPatchToCurrentObject`'s strict YAML pass, after a successful apply:
/// duplicate keys fail a Strict request and warn under Warn.
pub(crate) fn strict_yaml(
    duplicates: Vec<String>,
    validation: FieldValidation,
) -> Result<Vec<String>, Failure> {
    match validation {
        FieldValidation::Strict if !duplicates.is_empty() => {
            let lines: Vec<String> = duplicates.iter().map(|d| format!("\n  {d}")).collect();
            Err(Status::bad_request(format!(
                "{}: error converting YAML to JSON: yaml: unmarshal errors:{}",
                decoding(true),
                lines.concat()
            ))
            .into())
        }
        FieldValidation::Warn => Ok(duplicates),
        _ => Ok(Vec::new()),
    }
}

/// `objectGVKNN`'s `namespace/name` of an apply configuration: the field
/// manager names the configuration, not the stored pod, in its errors.
pub(crate) fn config_key(config: &Value) -> String {
    let meta = |k: &str| {
        config
            .at(&format!("/metadata/{k}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    format!("{}/{}", meta("namespace"), meta("name"))
}

/// An applied object that passed the schema check but not the conversion
/// to a typed Pod (a malformed quantity): the field manager's 500, naming
/// the configuration by [`config_key`].
pub(crate) fn unconvertible(key: &str, msg: &str) -> Status {
    Status::internal_raw(format!(
        "failed to convert new object ({key}; /v1, Kind=Pod) to proper version: unable to convert unstructured object to /v1, Kind=Pod: {msg}"
    ))
}

/// Server-side apply of a missing pod: the create path (201).
pub(crate) fn apply_create(store: &mut Store, req: &Request<'_>, body: &[u8]) -> Outcome {
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
    if let Some(uid) = config.at("/metadata/uid").and_then(Value::as_str)
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
        quantities,
        ..
    } = type_pod(
        merged,
        unmarshal::Style::Unstructured,
        &Literals::new(),
        FieldValidation::Ignore,
        Vec::new(),
        |msg| unconvertible(&config_key(&config), &msg),
        Status::bad_request,
    )
    .map_err(|f| fail(f.status))?;
    checks::name(meta_str(&pod, "name"), req.name).map_err(fail)?;
    checks::namespace(meta_str(&pod, "namespace"), req.namespace).map_err(fail)?;
    // An apply creates through `Store.Update`, whose `GuaranteedUpdate`
    // clears the object's resourceVersion before storing it
    // (`PrepareObjectForStorage`): a stale or made-up one is ignored,
    // unlike on POST. The dry-run storage skips that step and answers
    // with the applied one.
    let applied_rv = meta_mut(&mut pod).and_then(|meta| meta.remove("resourceVersion"));
    warnings.extend(crate::pod::apparmor::skew_warnings(&pod));
    if Version::current().wipes_apply_created_metadata() {
        wipe_system_fields(&mut pod);
    }
    let dropped = (&empty_lists[..], &empty_maps[..]);
    finish_create(store, req, &mut pod, &live, false, dropped, &quantities).map_err(|status| {
        Failure {
            status,
            warnings: warnings.clone(),
        }
    })?;
    if req.options.is_dry_run()
        && let (Some(rv), Some(meta)) = (applied_rv, meta_mut(&mut pod))
    {
        meta.insert("resourceVersion".into(), rv);
    }
    warnings.extend(crate::pod::warnings::pod::on_create(&pod, &quantities));
    Ok(Reply {
        code: 201,
        object: Arc::new(pod),
        warnings,
    })
}
