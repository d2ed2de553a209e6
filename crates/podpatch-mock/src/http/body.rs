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

/// Reads a body of at most [`MAX_BODY`] bytes (any failure to read it is
/// answered as too large, as `limitedReadBody`'s callers do). A body that
/// arrives in one piece is kept as it came; one in several pieces is copied
/// once into a buffer sized from its `Content-Length`, each piece dropped as
/// it is copied (collecting the pieces first and then joining them touched
/// twice the body's size of fresh memory: 6 MiB for a 3 MiB body).
pub(crate) async fn read_body(body: Body) -> Result<Bytes, Status> {
    use axum::body::HttpBody as _;
    use futures::TryStreamExt as _;
    let expected = body.size_hint().lower() as usize;
    let mut pieces = body.into_data_stream();
    let (mut read, mut first, mut joined) = (0, None, Vec::new());
    while let Some(piece) = pieces
        .try_next()
        .await
        .map_err(|_| Status::body_too_large())?
    {
        read += piece.len();
        if read > MAX_BODY {
            return Err(Status::body_too_large());
        }
        if first.is_none() && joined.is_empty() {
            first = Some(piece);
            continue;
        }
        if let Some(earlier) = first.take() {
            joined.reserve_exact(expected.clamp(read, MAX_BODY));
            joined.extend_from_slice(&earlier);
        }
        joined.extend_from_slice(&piece);
    }
    Ok(first.unwrap_or_else(|| Bytes::from(joined)))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(sizes: &[usize]) -> Body {
        let pieces: Vec<Result<Bytes, std::io::Error>> = sizes
            .iter()
            .enumerate()
            .map(|(i, n)| Ok(Bytes::from(vec![b'a' + i as u8; *n])))
            .collect();
        Body::from_stream(futures::stream::iter(pieces))
    }

    #[tokio::test]
    async fn a_body_in_pieces_is_read_whole_up_to_the_limit() {
        let read = read_body(pieces(&[2, 0, 3, 1])).await.unwrap();
        assert_eq!(&read[..], b"aacccd");
        let read = read_body(pieces(&[0, 0, 2])).await.unwrap();
        assert_eq!(&read[..], b"cc");
        assert!(read_body(pieces(&[])).await.unwrap().is_empty());
        let whole = read_body(pieces(&[MAX_BODY - 1, 1])).await.unwrap();
        assert_eq!((whole.len(), whole[MAX_BODY - 1]), (MAX_BODY, b'b'));
        let over = read_body(pieces(&[MAX_BODY - 1, 1, 1])).await;
        assert_eq!(over.unwrap_err().code, 413);
    }
}
