//! Request header access as Go's `http.Header.Get` reads a value, shared
//! by the filters, negotiation and handlers (a leaf: it must not depend on
//! any other HTTP module).

use axum::http::{HeaderMap, header};

/// A request header's text; empty when absent or not visible ASCII.
pub(crate) fn header_text(headers: &HeaderMap, name: impl header::AsHeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}
