//! The request filters that run before routing, as kube-apiserver's
//! handler chain has them (`endpoints/filters`: `WithAuditInit`'s
//! `Audit-Id`, `WithRequestDeadline`'s `timeout` check, `WithImpersonation`
//! and `WithAuthorization` via [`crate::http::auth`]; `server/filters`'
//! `Cache-Control`; the APF `X-Kubernetes-PF-*` headers), plus Go's path
//! handling (`URL.Path` decoding, go-restful's trailing slash). It must not
//! answer anything a route answers.

use axum::extract::{RawQuery, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::status::Status;
use crate::http::context::Ctx;
use crate::http::unread::SharedBody;
use crate::http::unrouted::method_not_allowed;
use crate::version::Version;

/// The API Priority and Fairness identities a server reports: fixed for the
/// life of a server, like the uids of its FlowSchema and PriorityLevel.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    schema: HeaderValue,
    level: HeaderValue,
}

impl Flow {
    pub(crate) fn new() -> Self {
        let id = || {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()).unwrap_or(
                HeaderValue::from_static("00000000-0000-0000-0000-000000000000"),
            )
        };
        Self {
            schema: id(),
            level: id(),
        }
    }
}

/// A request path as Go's `URL.Path` holds it (percent-decoded), escaped
/// again only where a URI path cannot hold the byte (`%` included), so
/// that routing sees Go's segments and axum's extractors Go's values. A
/// path with an invalid escape stays as written.
fn routable_path(raw: &str) -> String {
    let Some(decoded) = crate::http::query::go_unescape(raw, false) else {
        return raw.to_string();
    };
    let mut out = String::with_capacity(decoded.len());
    for b in decoded {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs the request as a server of `version` does: everything below reads
/// it with [`Version::current`], as kube-apiserver reads its feature gates.
pub(crate) async fn answer_as(
    State(version): State<Version>,
    request: Request,
    next: Next,
) -> Response {
    version.scope(next.run(request)).await
}

/// Adds `Audit-Id`, `Cache-Control` and the APF headers to every response.
pub(crate) async fn common_headers(
    State(flow): State<Flow>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = SharedBody::new(body);
    let mut request = Request::from_parts(parts, body.for_handler());
    // go-restful ignores one trailing slash, and routes on Go's decoded
    // `URL.Path`: `%70ods` is `pods` and an encoded `%2F` separates
    // segments like `/` (axum matches the raw path and decodes each
    // segment only after splitting).
    let path = request.uri().path();
    if path.contains('%') || (path.len() > 1 && path.ends_with('/')) {
        let path = routable_path(path);
        let trimmed = if path.len() > 1 {
            path.trim_end_matches('/').to_string()
        } else {
            path
        };
        let rebuilt = match request.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed,
        };
        if let Ok(uri) = rebuilt.parse() {
            *request.uri_mut() = uri;
        }
    }
    let audit_id = request
        .headers()
        .get("audit-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.trim().is_empty())
        .map(str::to_string)
        // A version 4 UUID from the thread's generator: `Uuid::new_v4`
        // asks the kernel for its bytes, a system call on every request.
        .unwrap_or_else(|| {
            uuid::Builder::from_random_bytes(rand::random())
                .into_uuid()
                .to_string()
        });
    let ctx = Ctx::new(request.headers(), request.uri().query());
    let bad_timeout = ctx
        .query
        .first("timeout")
        .filter(|t| !t.is_empty())
        .and_then(|t| crate::golang::duration::check(t).err());
    // go-restful routes GET only; axum would answer HEAD with it.
    let mut response = if let Some(e) = bad_timeout {
        // filters.WithRequestDeadline, before any routing.
        ctx.status(&Status::bad_request(format!(
            "invalid timeout specified in the request URL - {e}"
        )))
    } else if let Err(refused) =
        crate::http::auth::check(request.method(), request.uri().path(), request.headers())
    {
        // WithImpersonation and WithAuthorization, before any routing.
        ctx.status(&refused)
    } else if request.method() == axum::http::Method::HEAD
        && request.uri().path().starts_with("/api")
    {
        let headers = request.headers().clone();
        let q = request.uri().query().map(str::to_string);
        method_not_allowed(headers, RawQuery(q)).await
    } else {
        next.run(request).await
    };
    body.drain().await;
    let h = response.headers_mut();
    // go-restful does not forward an `Allow` header with its 405.
    h.remove(header::ALLOW);
    if let Ok(v) = HeaderValue::from_str(&audit_id) {
        h.insert("audit-id", v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    h.insert("x-kubernetes-pf-flowschema-uid", flow.schema);
    h.insert("x-kubernetes-pf-prioritylevel-uid", flow.level);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("/api/v1/namespaces/ns/%70ods/p", "/api/v1/namespaces/ns/pods/p")]
    #[case("/api/v1/namespaces/ns/pods/a%2Fb", "/api/v1/namespaces/ns/pods/a/b")]
    #[case("/x/a%25b/a%20b+", "/x/a%25b/a%20b+")]
    #[case("/x/%zz", "/x/%zz")]
    fn paths_route_decoded(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(routable_path(raw), want);
    }
}
