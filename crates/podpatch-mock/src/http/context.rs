//! What every handler starts from (the part of `handlers.RequestScope` and
//! `request.RequestInfo` the mock needs): the parsed query, the User-Agent
//! and the negotiated output, built once per request by the [`Ctx`] and
//! [`Accepted`] extractors instead of in each handler. Writing the reply is
//! the response module's job.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::Response;

use crate::http::headers::header_text;
use crate::http::negotiation::{Allowed, Refusal, Transform, negotiate};
use crate::http::query::{Query, WriteOptions};
use crate::merge::fieldpath::Scope;

/// Everything a handler needs to shape its reply.
pub(crate) struct Ctx {
    pub(crate) pretty: bool,
    pub(crate) yaml: bool,
    /// Why no entry of the Accept header can be answered, if none can (see
    /// [`Ctx::refuse_accept`]).
    pub(crate) not_acceptable: Option<Refusal>,
    /// A conversion the Accept header asked for, applied to pods.
    pub(crate) transform: Option<Transform>,
    /// For errors, which never convert: `(yaml, pretty)` of the best entry
    /// without conversion parameters (`DefaultEndpointRestrictions`), if any.
    pub(crate) plain: Option<(bool, bool)>,
    pub(crate) query: Query,
    pub(crate) user_agent: String,
}

impl Ctx {
    pub(crate) fn new(headers: &HeaderMap, raw_query: Option<&str>) -> Self {
        Self::negotiated(headers, raw_query, Allowed::All)
    }

    fn negotiated(headers: &HeaderMap, raw_query: Option<&str>, allowed: Allowed) -> Self {
        let query = Query::parse(raw_query);
        let user_agent = header_text(headers, header::USER_AGENT).to_string();
        let accept = header_text(headers, header::ACCEPT);
        let (yaml, accept_pretty, transform, not_acceptable) = match negotiate(accept, allowed) {
            Ok((yaml, pretty, transform)) => (yaml, pretty, transform, None),
            Err(refusal) => (false, false, None, Some(refusal)),
        };
        let plain = negotiate(accept, Allowed::Nothing)
            .ok()
            .map(|(yaml, pretty, _)| (yaml, pretty));
        Self {
            pretty: accept_pretty || query.pretty(&user_agent),
            yaml,
            not_acceptable,
            transform,
            plain,
            query,
            user_agent,
        }
    }

    /// Writes as JSON or YAML, with nothing negotiated left to refuse or
    /// convert: how a `Status` goes out when the Accept header cannot apply.
    pub(crate) fn fixed(yaml: bool, pretty: bool) -> Self {
        Ctx {
            pretty,
            yaml,
            not_acceptable: None,
            transform: None,
            plain: None,
            query: Query::default(),
            user_agent: String::new(),
        }
    }

    pub(crate) fn options(&self) -> WriteOptions {
        WriteOptions::from_query(&self.query)
    }
}

/// The conversions the endpoint lets a response take: the `ephemeralcontainers`
/// and `resize` storages convert to no Table (`status` delegates to the
/// pod's). Pod routes carry their scope as an extension.
fn allowed(parts: &Parts) -> Allowed {
    match parts.extensions.get::<Scope>() {
        Some(Scope::EphemeralContainers | Scope::Resize) => Allowed::NoTable,
        _ => Allowed::All,
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Ctx::negotiated(
            &parts.headers,
            parts.uri.query(),
            allowed(parts),
        ))
    }
}

/// A [`Ctx`] whose Accept header can be answered; the 406 is the
/// extractor's rejection, before anything else of the handler runs.
pub(crate) struct Accepted(pub(crate) Ctx);

impl<S: Send + Sync> FromRequestParts<S> for Accepted {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Ok(ctx) = Ctx::from_request_parts(parts, state).await;
        match ctx.refuse_accept() {
            Some(refused) => Err(refused),
            None => Ok(Accepted(ctx)),
        }
    }
}
