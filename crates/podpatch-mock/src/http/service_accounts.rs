//! The service account endpoints (`registry/core/serviceaccount/storage`,
//! with its strategy's create validation: a DNS-1123 subdomain name):
//! list, create, get and delete, in a namespace that must exist.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::unmarshal;
use crate::http::body::{parse_write_body, read_write_body};
use crate::http::context::Accepted;
use crate::http::meta::{name_errors, object_name, strip_type_meta};
use crate::registry::store::Shared;
use crate::schema::{SERVICE_ACCOUNT_TY, Ty};
use crate::validation::objectmeta;

pub(crate) async fn list_service_accounts(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    Accepted(ctx): Accepted,
) -> Response {
    let store = state.lock();
    let items: Vec<Value> = store
        .service_accounts
        .iter()
        .filter(|((n, _), _)| *n == ns)
        .map(|(_, v)| strip_type_meta(v))
        .collect();
    let list = json!({"kind": "ServiceAccountList", "apiVersion": "v1",
        "metadata": {"resourceVersion": store.current_rv()}, "items": items});
    ctx.json(200, &list, &Ty::Any, &[])
}

pub(crate) async fn create_service_account(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    Accepted(ctx): Accepted,
    body: Body,
) -> Response {
    let (yaml, bytes) = match read_write_body(&headers, body).await {
        Ok(read) => read,
        Err(s) => return ctx.status(&s),
    };
    let body = match parse_write_body(yaml, &bytes, "ServiceAccount") {
        Ok((v, _)) => v,
        Err(s) => return ctx.status(&s),
    };
    let name = object_name(&body);
    let errs = name_errors(&name, objectmeta::dns1123_subdomain);
    if !errs.is_empty() {
        return ctx.status(&Status::invalid("", "ServiceAccount", &name, &errs));
    }
    let mut store = state.lock();
    if !store.namespaces.contains_key(&ns) {
        return ctx.status(&Status::not_found("namespaces", &ns));
    }
    if store
        .service_accounts
        .contains_key(&(ns.clone(), name.clone()))
    {
        return ctx.status(&Status::already_exists("serviceaccounts", &name));
    }
    let mut sa = store.new_service_account(&ns, &name);
    if let Some(obj) = sa.as_object_mut() {
        for key in [
            "automountServiceAccountToken",
            "imagePullSecrets",
            "secrets",
        ] {
            if let Some(v) = body.get(key) {
                obj.insert(key.into(), v.clone());
            }
        }
    }
    if let Ok(decoded) = unmarshal::decode(sa.clone(), &SERVICE_ACCOUNT_TY) {
        sa = decoded.value;
    }
    if !ctx.options().is_dry_run() {
        store.service_accounts.insert((ns, name), sa.clone());
    }
    ctx.json(201, &sa, &SERVICE_ACCOUNT_TY, &[])
}

pub(crate) async fn get_service_account(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    Accepted(ctx): Accepted,
) -> Response {
    let store = state.lock();
    match store.service_accounts.get(&(ns, name.clone())) {
        Some(v) => ctx.json(200, v, &SERVICE_ACCOUNT_TY, &[]),
        None => ctx.status(&Status::not_found("serviceaccounts", &name)),
    }
}

pub(crate) async fn delete_service_account(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    Accepted(ctx): Accepted,
) -> Response {
    let mut store = state.lock();
    match store.service_accounts.remove(&(ns, name.clone())) {
        Some(v) => {
            store.next_rv();
            ctx.json(200, &v, &SERVICE_ACCOUNT_TY, &[])
        }
        None => ctx.status(&Status::not_found("serviceaccounts", &name)),
    }
}
