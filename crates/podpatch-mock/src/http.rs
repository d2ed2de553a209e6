//! The HTTP layer (`k8s.io/apiserver/pkg/endpoints` and its filters):
//! routing, content negotiation, impersonation and authorization, request
//! options, request bodies, tables and output. It turns requests into calls
//! on [`crate::rest`] and results into responses; it must not hold
//! Kubernetes object rules.

pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod context;
pub(crate) mod discovery;
pub(crate) mod filters;
pub(crate) mod headers;
pub(crate) mod idle_io;
pub(crate) mod meta;
pub(crate) mod namespaces;
pub(crate) mod negotiation;
pub(crate) mod pods;
pub(crate) mod query;
pub(crate) mod response;
pub(crate) mod router;
pub(crate) mod service_accounts;
pub(crate) mod table;
pub(crate) mod unread;
pub(crate) mod unrouted;
