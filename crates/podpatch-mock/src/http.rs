//! The HTTP layer (`k8s.io/apiserver/pkg/endpoints` and its filters):
//! routing, content negotiation, impersonation and authorization, request
//! options, tables and output. It turns requests into calls on [`crate::rest`]
//! and results into responses; it must not hold Kubernetes object rules.

pub(crate) mod auth;
pub(crate) mod query;
pub(crate) mod routes;
pub(crate) mod table;
