//! The namespace endpoints (`registry/core/namespace/storage` and its
//! strategy's create validation: a DNS-1123 label name and valid labels):
//! list, create, get and delete. Deleting removes at once; a real cluster
//! keeps the namespace `Terminating` until its controller has emptied it.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_pointer::Lookup;
use crate::http::body::{parse_write_body, read_write_body};
use crate::http::context::Accepted;
use crate::http::meta::{name_errors, object_name, strip_type_meta};
use crate::registry::store::{Shared, now_rfc3339};
use crate::schema::{NAMESPACE_LIST_TY, NAMESPACE_TY};
use crate::validation::objectmeta;

pub(crate) async fn list_namespaces(
    State(state): State<Shared>,
    Accepted(ctx): Accepted,
) -> Response {
    let store = state.lock();
    let items: Vec<Value> = store.namespaces.values().map(strip_type_meta).collect();
    let list = json!({"kind": "NamespaceList", "apiVersion": "v1",
        "metadata": {"resourceVersion": store.current_rv()}, "items": items});
    ctx.json(200, &list, &NAMESPACE_LIST_TY, &[])
}

pub(crate) async fn create_namespace(
    State(state): State<Shared>,
    headers: HeaderMap,
    Accepted(ctx): Accepted,
    body: Body,
) -> Response {
    let (yaml, bytes) = match read_write_body(&headers, body).await {
        Ok(read) => read,
        Err(s) => return ctx.status(&s),
    };
    let body = match parse_write_body(yaml, &bytes, "Namespace") {
        Ok((v, _)) => v,
        Err(s) => return ctx.status(&s),
    };
    let name = object_name(&body);
    let mut errs = name_errors(&name, objectmeta::dns1123_label);
    errs.extend(objectmeta::labels(
        body.at("/metadata/labels"),
        "metadata.labels",
    ));
    if !errs.is_empty() {
        return ctx.status(&Status::invalid("", "Namespace", &name, &errs));
    }
    let dry_run = ctx.options().is_dry_run();
    let manager = ctx.options().manager(&ctx.user_agent);
    let mut store = state.lock();
    if store.namespaces.contains_key(&name) {
        return ctx.status(&Status::already_exists("namespaces", &name));
    }
    let mut ns = store.new_namespace(&name, &manager);
    if let Some(Value::Object(labels)) = body.at("/metadata/labels")
        && let Some(Value::Object(target)) = ns.at_mut("/metadata/labels")
    {
        for (k, v) in labels {
            target.insert(k.clone(), v.clone());
        }
    }
    if let Some(annotations) = body.at("/metadata/annotations")
        && let Some(meta) = ns.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.insert("annotations".into(), annotations.clone());
    }
    if !dry_run {
        store.namespaces.insert(name, ns.clone());
    }
    ctx.json(201, &ns, &NAMESPACE_TY, &[])
}

pub(crate) async fn get_namespace(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    Accepted(ctx): Accepted,
) -> Response {
    let store = state.lock();
    match store.namespaces.get(&ns) {
        Some(v) => ctx.json(200, v, &NAMESPACE_TY, &[]),
        None => ctx.status(&Status::not_found("namespaces", &ns)),
    }
}

pub(crate) async fn delete_namespace(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    Accepted(ctx): Accepted,
) -> Response {
    let mut store = state.lock();
    // The mock removes the namespace at once; a real cluster answers with
    // the Terminating object and empties it in the background.
    match store.delete_namespace(&ns) {
        Some(mut v) => {
            if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("deletionTimestamp".into(), json!(now_rfc3339()));
            }
            if let Some(status) = v.get_mut("status").and_then(Value::as_object_mut) {
                status.insert("phase".into(), json!("Terminating"));
            }
            ctx.json(200, &v, &NAMESPACE_TY, &[])
        }
        None => ctx.status(&Status::not_found("namespaces", &ns)),
    }
}
