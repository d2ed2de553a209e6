//! Request bodies: the size limit (`MaxRequestBodyBytes`, `limitedReadBody`
//! in `handlers/rest.go`) and the create/update handlers' decoding of a
//! JSON or YAML object with `transformDecodeError`'s texts (`create.go`,
//! `summarizeData`). It reads and decodes; it must not judge the object.

use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use serde_json::Value;

use crate::api::status::Status;
use crate::http::negotiation::write_media_type;

/// Request body limit (`MaxRequestBodyBytes`).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// The media type (YAML or JSON) and bytes of a create or update body, in the
/// order the real server checks them.
pub(crate) async fn read_write_body(
    headers: &HeaderMap,
    body: Body,
) -> Result<(bool, Bytes), Status> {
    let yaml = write_media_type(headers)?;
    Ok((yaml, read_body(body).await?))
}

pub(crate) async fn read_body(body: Body) -> Result<Bytes, Status> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Status::body_too_large())
}

/// `summarizeData`: the body excerpt Go appends to "unrecognized" errors.
fn summarize(data: &[u8]) -> String {
    const MAX: usize = 30;
    let cut = &data[..data.len().min(MAX)];
    let more = if data.len() > MAX { " ..." } else { "" };
    match data.first() {
        None => "<empty>".to_string(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(cut)),
        Some(_) => {
            let hex: String = cut.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

/// Parses a create body (JSON, or YAML when `yaml`), with the texts of
/// `transformDecodeError` when the kind cannot even be read.
pub(crate) fn parse_write_body(
    yaml: bool,
    bytes: &[u8],
    kind: &str,
) -> Result<(Value, Vec<String>), Status> {
    let unrecognized = |err: String| {
        Status::bad_request(format!(
            "the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: {err} ({})",
            summarize(bytes)
        ))
    };
    let mut duplicates = Vec::new();
    let value: Value = if yaml {
        crate::golang::yaml_read::parse_yaml(&String::from_utf8_lossy(bytes))
            .map_err(|e| unrecognized(crate::golang::yaml_read::yaml_error(&e.to_string())))?
    } else {
        let dups = crate::golang::json_scanner::check(bytes).map_err(unrecognized)?;
        duplicates = dups
            .into_iter()
            .map(|d| format!("duplicate field \"{d}\""))
            .collect();
        crate::golang::json_value::from_slice(bytes).map_err(|e| unrecognized(e.to_string()))?
    };
    match &value {
        Value::Object(_) | Value::Null => Ok((value, duplicates)),
        other => Err(unrecognized(format!(
            "json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "bool",
            }
        ))),
    }
}
