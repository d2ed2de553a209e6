//! The PATCH flow of `handlers/patch.go` (`PatchResource`, `patchResource`):
//! options, the 404 before the body is read (or an apply's create), the
//! patch mechanism chosen by content type (JSON Patch, merge patch,
//! strategic merge, apply), then the shared update flow of
//! [`crate::rest::update`]. The mechanics of each patch flavour live in
//! [`crate::merge`]; this file only chooses and orders them.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::api::status::Status;
use crate::golang::json_number::Literals;
use crate::golang::json_raw::json_kind;
use crate::golang::json_scanner::{self, Syntax};
use crate::http::query::FieldValidation;
use crate::merge::apply::server_side_apply;
use crate::merge::fieldpath::Scope;
use crate::merge::json_patch::json_patch;
use crate::merge::merge_patch::merge_patch;
use crate::merge::patched::{Patched, Shown, duplicates, go_decode_error};
use crate::merge::strategic::{self, SmpError};
use crate::registry::object::key;
use crate::registry::store::{Shared, now_rfc3339};
use crate::rest::apply::{apply_create, config_key, decode_apply, strict_yaml, transcode_apply};
use crate::rest::outcome::{Outcome, Request};
use crate::rest::patch_type::PatchKind;
use crate::rest::update::guaranteed_update;
use crate::schema::POD_TY;
use crate::version::Version;

/// Applies a non-apply patch to `current`; `syntax` is the body's
/// [`json_scanner::check`].
pub fn apply<'b>(
    kind: PatchKind,
    current: &Arc<Value>,
    body: &'b [u8],
    syntax: &'b Syntax,
    validation: FieldValidation,
) -> Result<Patched<'b>, Status> {
    let strict_mode = validation != FieldValidation::Ignore;
    match kind {
        PatchKind::Json => json_patch(current, body, syntax, strict_mode),
        PatchKind::Merge => merge_patch(current, body, syntax, strict_mode),
        PatchKind::Strategic => strategic_patch(current, body, syntax),
        PatchKind::Apply => Err(Status::internal_raw("apply is not a plain patch")),
    }
}

/// `PATCH` one pod with any of the four content types.
pub fn patch(state: &Shared, req: &Request<'_>, kind: PatchKind, body: &[u8]) -> Outcome {
    req.options
        .validate("PatchOptions", kind == PatchKind::Apply)?;
    // A JSON body's syntax is checked once, for the check below and the patch.
    let syntax = (kind != PatchKind::Apply).then(|| json_scanner::check(body));
    if Version::current().validates_patch_body_first() {
        // `validateAndTranscodePatch`, before the audit log records the
        // body: a body that is not JSON (or, for apply, YAML) is refused
        // before the pod is looked up.
        match &syntax {
            None => transcode_apply(body)?,
            Some(Err(_)) => return Err(Status::bad_request("invalid JSON patch").into()),
            Some(Ok(_)) => {}
        }
    }
    if kind == PatchKind::Apply && req.scope == Scope::Main {
        let mut store = state.lock();
        if !store.pods.contains_key(&key(req.namespace, req.name)) {
            return apply_create(&mut store, req, body);
        }
    }
    let validation = req.options.field_validation();
    guaranteed_update(state, req, Some(kind), |current| {
        if let Some(syntax) = &syntax {
            return Ok(apply(kind, current, body, syntax, validation)?);
        }
        let (config, duplicates) = decode_apply(body)?;
        let manager = req.options.field_manager.clone();
        let merged = server_side_apply(
            current,
            &config,
            &manager,
            req.options.force == Some(true),
            &now_rfc3339(),
            req.scope,
        )?;
        Ok(Patched {
            value: merged,
            strict: strict_yaml(duplicates, validation)?,
            shown: Shown::Text(config_key(&config)),
            literals: Literals::new(),
        })
    })
}

/// `strategicPatchObject`: the patch decoded into a map and merged by
/// [`strategic::apply`], its errors classified as patch.go does.
fn strategic_patch(
    current: &Value,
    body: &[u8],
    syntax: &Syntax,
) -> Result<Patched<'static>, Status> {
    let dups = syntax.clone().map_err(Status::bad_request)?;
    let value: Value = crate::golang::json_value::from_slice(body)
        .map_err(|e| Status::bad_request(go_decode_error(body, &e, "value")))?;
    let mut patch = match value {
        Value::Object(map) => map,
        Value::Null => Map::new(),
        other => {
            return Err(Status::bad_request(format!(
                "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                json_kind(&other)
            )));
        }
    };
    let Value::Object(original) = current.clone() else {
        return Err(Status::internal_raw("stored object is not a map"));
    };
    let merged = strategic::apply(original, &mut patch, &POD_TY).map_err(|e| match e {
        SmpError::BadRequest(msg) => Status::bad_request(msg),
        SmpError::Invalid => Status::generic_invalid(),
        SmpError::Internal(msg) => Status::internal_raw(msg),
    })?;
    // `applyPatchToObject` prints the patch map as the merge left it.
    let shown = Shown::Text(crate::golang::format::go_fmt(&Value::Object(patch)));
    Ok(Patched {
        value: Value::Object(merged),
        strict: duplicates(dups, ""),
        shown,
        // Go decodes a strategic patch into a map: no text survives.
        literals: Literals::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn pod() -> Value {
        json!({"kind": "Pod", "apiVersion": "v1", "metadata": {"name": "web", "labels": {"a": "1"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
    }
    #[rstest]
    #[case(
        PatchKind::Json,
        "not json",
        FieldValidation::Warn,
        400,
        "error decoding patch: invalid character 'o' in literal null (expecting 'u')"
    )]
    #[case(
        PatchKind::Json,
        "not json",
        FieldValidation::Ignore,
        400,
        "invalid character 'o' in literal null (expecting 'u')"
    )]
    #[case(
        PatchKind::Json,
        "{}",
        FieldValidation::Warn,
        400,
        "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"
    )]
    #[case(
        PatchKind::Json,
        "",
        FieldValidation::Warn,
        400,
        "error decoding patch: unexpected end of JSON input"
    )]
    #[case(
        PatchKind::Json,
        r#"[{"op":"test","path":"/metadata/name","value":"x"}]"#,
        FieldValidation::Warn,
        422,
        "the server rejected our request due to an error in our request"
    )]
    #[case(
        PatchKind::Json,
        r#"[{"op":"foo","path":"/x"}]"#,
        FieldValidation::Warn,
        422,
        "the server rejected our request due to an error in our request"
    )]
    #[case(
        PatchKind::Merge,
        "null",
        FieldValidation::Warn,
        400,
        "Invalid JSON Patch"
    )]
    #[case(
        PatchKind::Merge,
        "[]",
        FieldValidation::Warn,
        400,
        "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"
    )]
    #[case(
        PatchKind::Merge,
        "{",
        FieldValidation::Ignore,
        400,
        "Invalid JSON Patch"
    )]
    #[case(
        PatchKind::Strategic,
        "not json",
        FieldValidation::Warn,
        400,
        "invalid character 'o' in literal null (expecting 'u')"
    )]
    #[case(
        PatchKind::Strategic,
        "[]",
        FieldValidation::Warn,
        400,
        "json: cannot unmarshal array into Go value of type map[string]interface {}"
    )]
    #[case(
        PatchKind::Strategic,
        r#"{"spec":{"containers":[{"image":"nginx:1.26"}]}}"#,
        FieldValidation::Warn,
        500,
        "map: map[image:nginx:1.26] does not contain declared merge key: name"
    )]
    fn failures(
        #[case] kind: PatchKind,
        #[case] body: &str,
        #[case] validation: FieldValidation,
        #[case] code: u16,
        #[case] message: &str,
    ) {
        let syntax = json_scanner::check(body.as_bytes());
        let err =
            apply(kind, &Arc::new(pod()), body.as_bytes(), &syntax, validation).expect_err("fails");
        assert_eq!((err.code, err.message.as_str()), (code, message));
    }

    #[test]
    fn too_many_operations() {
        let ops: Vec<Value> = (0..10_001)
            .map(|_| json!({"op": "test", "path": "/kind", "value": "Pod"}))
            .collect();
        let body = serde_json::to_vec(&ops).unwrap_or_default();
        let err = apply(
            PatchKind::Json,
            &Arc::new(pod()),
            &body,
            &json_scanner::check(&body),
            FieldValidation::Warn,
        )
        .expect_err("413");
        assert_eq!(err.code, 413);
        assert_eq!(
            err.message,
            "Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001"
        );
    }

    #[test]
    fn strict_findings_on_ops() {
        let body = br#"[{"op":"replace","path":"/metadata/labels/a","vaule":"x","value":"2"}]"#;
        let syntax = json_scanner::check(body);
        let got = apply(
            PatchKind::Json,
            &Arc::new(pod()),
            body,
            &syntax,
            FieldValidation::Warn,
        )
        .expect("applies");
        assert_eq!(got.strict, vec!["json patch unknown field \"[0].vaule\""]);
        assert_eq!(got.value["metadata"]["labels"]["a"], json!("2"));
    }
}
