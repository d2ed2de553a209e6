//! The Kubernetes `Status` error type (`metav1.Status`) and constructors for
//! every failure the mock returns, with the texts, reasons and `details`
//! shapes of apimachinery's `api/errors` and the go-restful router.
//!
//! It builds error values only; it must not decide when an error applies.

use serde_json::{Map, Value, json};

use crate::validation::field::{FieldError, aggregate_message};

/// `metav1.StatusDetails`; `None` fields are omitted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details {
    /// `details.name`.
    pub name: Option<String>,
    /// `details.group`.
    pub group: Option<String>,
    /// `details.kind`.
    pub kind: Option<String>,
    /// `details.causes` as (reason, message, field); empty means omitted.
    pub causes: Vec<(String, String, String)>,
}

/// A failed request as a Kubernetes `Status` object.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Status {
    /// HTTP status code, repeated as `code`.
    pub code: u16,
    /// `reason`; `None` for raw internal errors (500 without a reason).
    pub reason: Option<&'static str>,
    /// `message`.
    pub message: String,
    /// `details`; `None` omits the key, `Some(default)` writes `{}`.
    pub details: Option<Box<Details>>,
}

/// `schema.GroupResource.String()`: `pods`, or `deployments.apps`.
fn group_resource(group: &str, resource: &str) -> String {
    if group.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}.{group}")
    }
}

/// A `Details` field: omitted when empty.
fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

impl Status {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            reason: Some(reason),
            message: message.into(),
            details: None,
        }
    }

    fn with_details(mut self, details: Details) -> Self {
        self.details = Some(Box::new(details));
        self
    }

    fn named(resource: &str, name: &str) -> Details {
        Details {
            name: Some(name.to_string()),
            kind: Some(resource.to_string()),
            ..Details::default()
        }
    }

    /// Router 404 for a path with no route.
    pub fn route_not_found() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
        .with_details(Details::default())
    }

    /// Router 405 for a route without the method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
        .with_details(Details::default())
    }

    /// 404 `<resource> "<name>" not found`.
    pub fn not_found(resource: &str, name: &str) -> Self {
        Self::new(404, "NotFound", format!("{resource} \"{name}\" not found"))
            .with_details(Self::named(resource, name))
    }

    /// 409 `<resource> "<name>" already exists`.
    pub fn already_exists(resource: &str, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{resource} \"{name}\" already exists"),
        )
        .with_details(Self::named(resource, name))
    }

    /// 409 optimistic-concurrency conflict.
    pub fn conflict(resource: &str, name: &str, why: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!("Operation cannot be fulfilled on {resource} \"{name}\": {why}"),
        )
        .with_details(Self::named(resource, name))
    }

    /// 409 stale resourceVersion.
    pub fn stale(resource: &str, name: &str) -> Self {
        Self::conflict(
            resource,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// Router 415 (`details: {}`). A live 1.36 server sends the same text
    /// for empty and non-empty bodies.
    pub fn unsupported_media_type_router() -> Self {
        Self::new(415, "UnsupportedMediaType", "415: Unsupported Media Type")
            .with_details(Details::default())
    }

    /// Router 415 of go-restful before 3.12, for an empty write without
    /// Content-Length: it lists the (no) representations left.
    pub fn unsupported_media_type_router_listing() -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            "415: Unsupported Media Type\n\nAvailable representations: ",
        )
        .with_details(Details::default())
    }

    /// Router 406 of go-restful before 3.12, for an empty request of an
    /// unaccepted Content-Type that has a Content-Length.
    pub fn not_acceptable_router_listing() -> Self {
        Self::new(
            406,
            "NotAcceptable",
            "406: Not Acceptable\n\nAvailable representations: ",
        )
        .with_details(Details::default())
    }

    /// Handler 415 (no details) listing the accepted media types.
    pub fn unsupported_media_type_handler(accepted: &[&str]) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: {}",
                accepted.join(", ")
            ),
        )
    }

    /// 406 when the Accept header names nothing the server produces.
    pub fn not_acceptable() -> Self {
        Self::new(
            406,
            "NotAcceptable",
            "406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, application/vnd.kubernetes.protobuf",
        )
        .with_details(Details::default())
    }

    /// 406 from the handler's own negotiation, without details.
    pub fn not_acceptable_by_handler(message: impl Into<String>) -> Self {
        Self::new(406, "NotAcceptable", message)
    }

    /// 413 with the given message.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(413, "RequestEntityTooLarge", message)
    }

    /// 413 for a body over the 3 MiB limit.
    pub fn body_too_large() -> Self {
        Self::too_large("Request entity too large: limit is 3145728")
    }

    /// 400 `BadRequest`, no details.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 500 without reason or details (a raw Go error).
    pub fn internal_raw(message: impl Into<String>) -> Self {
        Self {
            code: 500,
            reason: None,
            message: message.into(),
            details: None,
        }
    }

    /// 422 with the generic text (`NewGenericServerResponse(422, ...)`).
    pub fn generic_invalid() -> Self {
        Self::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        )
        .with_details(Details::default())
    }

    /// 403 `Forbidden` on a resource (`errors.NewForbidden`).
    pub fn forbidden(resource: &str, name: &str, why: &str) -> Self {
        Self::forbidden_resource("", resource, name, why)
    }

    /// 403 `errors.NewForbidden` for any group, resource and name, each
    /// possibly empty (a non-resource path has none).
    pub fn forbidden_resource(group: &str, resource: &str, name: &str, why: &str) -> Self {
        let qualified = group_resource(group, resource);
        let message = match (qualified.is_empty(), name.is_empty()) {
            (true, _) => format!("forbidden: {why}"),
            (false, true) => format!("{qualified} is forbidden: {why}"),
            (false, false) => format!("{qualified} \"{name}\" is forbidden: {why}"),
        };
        Self::new(403, "Forbidden", message).with_details(Details {
            name: non_empty(name),
            group: non_empty(group),
            kind: non_empty(resource),
            ..Details::default()
        })
    }

    /// 422 `errors.NewInvalid(kind, name, errs)`; `group` empty for core.
    pub fn invalid(group: &str, kind: &str, name: &str, errors: &[FieldError]) -> Self {
        let message = format!(
            "{} {} is invalid: {}",
            group_resource(group, kind),
            crate::golang::format::go_quote(name),
            aggregate_message(errors)
        );
        Self::new(422, "Invalid", message).with_details(Details {
            name: non_empty(name),
            group: non_empty(group),
            kind: non_empty(kind),
            causes: errors
                .iter()
                .map(|e| (e.kind.cause_reason().to_string(), e.body(), e.field.clone()))
                .collect(),
        })
    }

    /// The `Status` object as JSON (key order is applied by the encoder).
    pub fn to_value(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("kind".into(), json!("Status"));
        obj.insert("apiVersion".into(), json!("v1"));
        obj.insert("metadata".into(), json!({}));
        obj.insert("status".into(), json!("Failure"));
        if !self.message.is_empty() {
            obj.insert("message".into(), json!(self.message));
        }
        if let Some(reason) = self.reason {
            obj.insert("reason".into(), json!(reason));
        }
        if let Some(details) = &self.details {
            let mut d = Map::new();
            for (key, value) in [
                ("name", &details.name),
                ("group", &details.group),
                ("kind", &details.kind),
            ] {
                if let Some(v) = value {
                    d.insert(key.into(), json!(v));
                }
            }
            if !details.causes.is_empty() {
                let causes = details
                    .causes
                    .iter()
                    .map(|(reason, message, field)| {
                        let mut c = Map::new();
                        for (k, v) in [("reason", reason), ("message", message), ("field", field)] {
                            if !v.is_empty() {
                                c.insert(k.into(), json!(v));
                            }
                        }
                        Value::Object(c)
                    })
                    .collect();
                d.insert("causes".into(), Value::Array(causes));
            }
            obj.insert("details".into(), Value::Object(d));
        }
        obj.insert("code".into(), json!(self.code));
        Value::Object(obj)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::golang::json_encode::{Layout, to_bytes};
    use crate::schema::STATUS_TY;

    fn compact(status: &Status) -> String {
        String::from_utf8_lossy(&to_bytes(&status.to_value(), &STATUS_TY, Layout::Compact))
            .into_owned()
    }

    #[test]
    fn not_found_bytes() {
        assert_eq!(
            compact(&Status::not_found("pods", "web")),
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"pods \\\"web\\\" not found\",\"reason\":\"NotFound\",\"details\":{\"name\":\"web\",\"kind\":\"pods\"},\"code\":404}\n"
        );
    }

    #[test]
    fn invalid_bytes() {
        let err = FieldError::invalid(
            "spec.activeDeadlineSeconds",
            json!(900),
            "must be less than or equal to previous value",
        );
        assert_eq!(
            compact(&Status::invalid("", "Pod", "web", &[err])),
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"Pod \\\"web\\\" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to previous value\",\"reason\":\"Invalid\",\"details\":{\"name\":\"web\",\"kind\":\"Pod\",\"causes\":[{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: 900: must be less than or equal to previous value\",\"field\":\"spec.activeDeadlineSeconds\"}]},\"code\":422}\n"
        );
    }

    #[test]
    fn internal_raw_has_no_reason() {
        assert_eq!(
            compact(&Status::internal_raw("boom")),
            "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"boom\",\"code\":500}\n"
        );
    }
}
