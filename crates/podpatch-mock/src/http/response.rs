//! Response writing, as `k8s.io/apiserver/pkg/endpoints/handlers/responsewriters`
//! (`writers.go`: `WriteObjectNegotiated`, `ErrorNegotiated`,
//! `SerializeObject`) and `handlers/response.go` (`transformResponseObject`:
//! Table and PartialObjectMetadata conversions) do it: Content-Type, the
//! `Warning` headers, compact or indented Go-style JSON or YAML, chunked
//! beyond 2 KiB. It must not decide what to answer, only how.

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_encode::{Layout, to_bytes};
use crate::http::context::Ctx;
use crate::http::negotiation::{Refusal, Transform};
use crate::rest::outcome::{Failure, Reply};
use crate::schema::{POD_TY, STATUS_TY, TABLE_TY, Ty};

impl Ctx {
    /// The 406 for an Accept header nothing satisfies, if that is the case:
    /// indented when go-restful's router refuses it, compact otherwise.
    pub(crate) fn refuse_accept(&self) -> Option<Response> {
        let refusal = self.not_acceptable?;
        let status = match refusal {
            Refusal::Conversion => Status::not_acceptable_by_handler(
                "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
            ),
            _ => Status::not_acceptable(),
        };
        let raw = Ctx::fixed(false, refusal != Refusal::Handler);
        Some(raw.json(status.code, &status.to_value(), &STATUS_TY, &[]))
    }

    fn layout(&self) -> Layout {
        if self.pretty {
            Layout::Pretty
        } else {
            Layout::Compact
        }
    }

    pub(crate) fn json(
        &self,
        code: u16,
        value: &Value,
        ty: &'static Ty,
        warnings: &[String],
    ) -> Response {
        let bytes = if self.yaml {
            crate::golang::yaml_encode::to_yaml(value).into_bytes()
        } else {
            to_bytes(value, ty, self.layout())
        };
        // Go's net/http sets Content-Length only when the whole body fits
        // its 2048-byte pre-chunking buffer; larger bodies go out chunked.
        let body = if bytes.len() > 2048 {
            let chunk: Result<Bytes, std::convert::Infallible> = Ok(Bytes::from(bytes));
            Body::from_stream(futures::stream::iter([chunk]))
        } else {
            Body::from(bytes)
        };
        let mut response = Response::new(body);
        *response.status_mut() =
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(if self.yaml {
                "application/yaml"
            } else {
                "application/json"
            }),
        );
        let mut seen: Vec<&String> = Vec::new();
        for w in warnings {
            if seen.contains(&w) {
                continue;
            }
            seen.push(w);
            if let Ok(v) = HeaderValue::from_str(&warning_header(w)) {
                h.append(header::WARNING, v);
            }
        }
        response
    }

    pub(crate) fn status(&self, status: &Status) -> Response {
        self.failure(&Failure {
            status: status.clone(),
            warnings: Vec::new(),
        })
    }

    pub(crate) fn failure(&self, failure: &Failure) -> Response {
        let status = &failure.status;
        let fixed = match (self.plain, self.transform) {
            // An error skips the conversion entries and takes the next one.
            (Some((yaml, pretty)), Some(_)) => Some(Ctx::fixed(
                yaml,
                pretty || self.query.pretty(&self.user_agent),
            )),
            // An error for a client whose Accept nothing satisfies, or that
            // asked for a conversion a Status cannot take, is written raw as
            // indented JSON.
            _ if self.not_acceptable.is_some() || self.transform.is_some() => {
                Some(Ctx::fixed(false, true))
            }
            _ => None,
        };
        fixed.as_ref().unwrap_or(self).json(
            status.code,
            &status.to_value(),
            &STATUS_TY,
            &failure.warnings,
        )
    }

    pub(crate) fn reply(&self, outcome: Result<Reply, Failure>) -> Response {
        match (outcome, self.transform) {
            (Ok(reply), None) => self.json(reply.code, &reply.object, &POD_TY, &reply.warnings),
            (Ok(reply), Some(Transform::Table(version))) => {
                let include = self.query.first("includeObject").unwrap_or("");
                match crate::http::table::pod_table(&reply.object, version, include) {
                    Ok(table) => self.json(reply.code, &table, &TABLE_TY, &reply.warnings),
                    Err(s) => self.status(&s),
                }
            }
            // The conversion runs on the written object.
            (Ok(reply), Some(Transform::Metadata(version))) => {
                let partial = json!({
                    "kind": "PartialObjectMetadata",
                    "apiVersion": format!("meta.k8s.io/{version}"),
                    "metadata": reply.object.get("metadata").cloned().unwrap_or_default(),
                });
                self.json(reply.code, &partial, &POD_TY, &reply.warnings)
            }
            (Ok(_), Some(Transform::MetadataList)) => self.status(&Status::not_acceptable_by_handler(
                "you requested PartialObjectMetadataList, but the requested object is not a list (*core.Pod)",
            )),
            (Err(failure), _) => self.failure(&failure),
        }
    }
}

/// `Warning: 299 - "<text>"` with `"` and `\` escaped (`makeQuotedString`).
fn warning_header(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        if !c.is_control() {
            quoted.push(c);
        }
    }
    quoted.push('"');
    format!("299 - {quoted}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_header_escapes_quotes() {
        assert_eq!(
            warning_header("unknown field \"spec.foo\""),
            "299 - \"unknown field \\\"spec.foo\\\"\""
        );
    }
}
