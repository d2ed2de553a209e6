//! What the HTTP handlers hand the REST layer and get back (the part of
//! `handlers.RequestScope` a pod request needs, and the object or `Status`
//! plus `Warning` texts a handler writes): plain data, no behaviour.

use std::sync::Arc;

use serde_json::Value;

use crate::api::status::Status;
use crate::http::query::WriteOptions;
use crate::merge::fieldpath::Scope;

/// Who is asking and where.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// Which endpoint: the pod itself or its `status` subresource.
    pub scope: Scope,
    /// Namespace from the URL.
    pub namespace: &'a str,
    /// Pod name from the URL (empty for collection POSTs).
    pub name: &'a str,
    /// The User-Agent header (manager fallback).
    pub user_agent: &'a str,
    /// Write options from the query.
    pub options: WriteOptions,
}

/// A successful write or read.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// HTTP status.
    pub code: u16,
    /// The object to return, shared with the store when it was written.
    pub object: Arc<Value>,
    /// `Warning` header texts.
    pub warnings: Vec<String>,
}

/// A failed request, with the warnings gathered before it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The error.
    pub status: Status,
    /// `Warning` header texts.
    pub warnings: Vec<String>,
}

impl From<Status> for Failure {
    fn from(status: Status) -> Self {
        Self {
            status,
            warnings: Vec::new(),
        }
    }
}

/// A write or read, as the REST layer answers it.
pub type Outcome = Result<Reply, Failure>;
