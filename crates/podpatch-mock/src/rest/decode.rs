//! Decoding a body into a typed pod, as the apiserver's scheme does it
//! (`runtime.Decode` with the JSON serializer, `UnstructuredConverter.FromUnstructured`
//! for patched maps, the kind/version lookup and its errors,
//! `fieldValidation`'s unknown-field handling, defaulting). It must not
//! check names, admit or validate.

use serde_json::Value;

use crate::api::status::Status;
use crate::defaults;
use crate::golang::json_number::Literals;
use crate::golang::quantity_states::QuantityStates;
use crate::golang::unmarshal;
use crate::http::query::FieldValidation;
use crate::rest::outcome::Failure;
use crate::schema::POD_TY;

/// The zero `v1.Pod` as JSON: the "live" object of a create.
pub fn zero_pod() -> Value {
    crate::golang::zero::zero(&POD_TY)
}

/// A body decoded into a typed pod.
pub(crate) struct Typed {
    pub(crate) pod: Value,
    pub(crate) warnings: Vec<String>,
    /// Empty lists the decoder dropped ([`unmarshal::Decoded::empty_lists`]).
    pub(crate) empty_lists: Vec<String>,
    /// Empty maps the decoder dropped ([`unmarshal::Decoded::empty_maps`]).
    pub(crate) empty_maps: Vec<String>,
    /// Quantities as Go holds them after decoding and defaulting
    /// ([`unmarshal::Decoded::quantities`]), for validation.
    pub(crate) quantities: QuantityStates,
}

/// Decodes a body into a typed pod, handling unknown fields per directive.
/// `on_error` builds the failure for a type mismatch from Go's text.
pub(crate) fn type_pod(
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
    let mut quantities = decoded.quantities;
    defaults::default_pod(&mut pod, &mut quantities);
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
        quantities,
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
pub(crate) fn kind_mismatch(body: &Value) -> Option<(String, String, String)> {
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
pub(crate) fn check_type_meta_for_create(body: &Value) -> Result<(), Failure> {
    match kind_mismatch(body) {
        None => Ok(()),
        Some((kind, version, why)) => Err(Status::bad_request(format!(
            "{kind} in version {} cannot be handled as a Pod: {why}",
            crate::golang::format::go_quote(&version)
        ))
        .into()),
    }
}
