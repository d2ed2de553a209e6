//! The pod endpoints' HTTP side (`endpoints/handlers` `ListResource`,
//! `createHandler`, `GetResource`, `UpdateResource`, `PatchResource`,
//! `DeleteResource`, `DeleteCollection` as installed for `pods` and its
//! `status`, `ephemeralcontainers` and `resize` subresources): they read
//! the body and options, run the [`crate::rest`] pipeline off the async
//! threads, a deeply nested body on a stack as deep as Go's
//! ([`crate::golang::stack`]: a huge or deeply nested body must not stall
//! unrelated requests, and must decode as deep as kube-apiserver decodes it) and write the reply. They must not
//! hold API semantics themselves.

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_pointer::Lookup;
use crate::http::body::{parse_write_body, read_body, read_write_body};
use crate::http::context::{Accepted, Ctx};
use crate::http::headers::header_text;
use crate::http::meta::strip_type_meta;
use crate::http::negotiation::{PATCH_CONSUMES, Refusal, route_consumes};
use crate::http::query::WriteOptions;
use crate::merge::fieldpath::Scope;
use crate::registry::pods::{delete, get};
use crate::registry::selector::{FieldSelector, Selector};
use crate::registry::store::Shared;
use crate::rest::create::create;
use crate::rest::outcome::{Failure, Outcome, Request as PodRequest};
use crate::rest::patch::patch;
use crate::rest::patch_type::PatchKind;
use crate::rest::update::replace;
use crate::schema::{POD_LIST_TY, POD_TY};

/// The selectors of a list or delete-collection, as one filter, or the 400
/// for the first one that does not parse.
fn pod_filter(ctx: &Ctx) -> Result<impl Fn(&Value) -> bool + use<>, Status> {
    let refuse = Status::bad_request;
    let labels = Selector::parse(ctx.query.first("labelSelector").unwrap_or("")).map_err(refuse)?;
    let fields =
        FieldSelector::parse(ctx.query.first("fieldSelector").unwrap_or("")).map_err(refuse)?;
    Ok(move |pod: &Value| {
        labels.matches(pod.at("/metadata/labels").and_then(Value::as_object)) && fields.matches(pod)
    })
}

pub(crate) async fn list_pods(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    Accepted(ctx): Accepted,
) -> Response {
    let keep = match pod_filter(&ctx) {
        Ok(keep) => keep,
        Err(s) => return ctx.status(&s),
    };
    let store = state.lock();
    let items: Vec<Value> = store
        .pods
        .iter()
        .filter(|((pod_ns, _), pod)| *pod_ns == ns && keep(pod))
        .map(|(_, pod)| strip_type_meta(pod))
        .collect();
    let list = json!({"kind": "PodList", "apiVersion": "v1",
        "metadata": {"resourceVersion": store.current_rv()}, "items": items});
    ctx.json(200, &list, &POD_LIST_TY, &[])
}

pub(crate) async fn delete_pods(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    Accepted(ctx): Accepted,
) -> Response {
    let keep = match pod_filter(&ctx) {
        Ok(keep) => keep,
        Err(s) => return ctx.status(&s),
    };
    let dry_run = ctx.options().is_dry_run();
    let mut store = state.lock();
    let names: Vec<String> = store
        .pods
        .iter()
        .filter(|((pod_ns, _), pod)| *pod_ns == ns && keep(pod))
        .map(|((_, name), _)| name.clone())
        .collect();
    let mut items = Vec::new();
    for name in names {
        // DeleteCollection lists the pods as they were before deletion.
        let before = store.pods.get(&(ns.clone(), name.clone())).cloned();
        if delete(&mut store, &ns, &name, dry_run).is_ok()
            && let Some(pod) = before
        {
            items.push(strip_type_meta(&pod));
        }
    }
    let list = json!({"kind": "PodList", "apiVersion": "v1",
        "metadata": {"resourceVersion": store.current_rv()}, "items": items});
    ctx.json(200, &list, &POD_LIST_TY, &[])
}

/// Where a pod request goes and who sends it, owned so that the request's
/// CPU-heavy part (decoding, patching, typing, validating) can run on
/// another thread (a deep-stack one for deeply nested bodies, the blocking
/// pool for large ones) while the async worker threads keep answering
/// other requests; small bodies run inline
/// ([`crate::golang::stack::Placement`]).
struct Target {
    state: Shared,
    scope: Scope,
    namespace: String,
    name: String,
    user_agent: String,
    options: WriteOptions,
}

impl Target {
    fn new(state: Shared, ctx: &Ctx, scope: Scope, namespace: String, name: String) -> Self {
        Self {
            state,
            scope,
            namespace,
            name,
            user_agent: ctx.user_agent.clone(),
            options: ctx.options(),
        }
    }

    /// Runs `work` with the REST request and the store, where the body's
    /// size and depth place it.
    async fn run(
        self,
        body: &[u8],
        work: impl FnOnce(&Shared, &PodRequest<'_>) -> Outcome + Send + 'static,
    ) -> Outcome {
        let deep = crate::golang::json_value::nests_deep(body);
        let placement = crate::golang::stack::Placement::of(deep, body.len());
        let done = crate::golang::stack::off_async_threads(placement, move || {
            let Target {
                state,
                scope,
                namespace,
                name,
                user_agent,
                options,
            } = self;
            let req = PodRequest {
                scope,
                namespace: &namespace,
                name: &name,
                user_agent: &user_agent,
                options,
            };
            work(&state, &req)
        });
        done.await.unwrap_or_else(|| {
            Err(Failure::from(Status::internal_raw(
                "the request's handler stopped before answering",
            )))
        })
    }

    /// A create or update body, after the route has read it, in the real
    /// server's order: the `*Options` query, then the object itself.
    fn decode(
        req: &PodRequest<'_>,
        options_kind: &str,
        (yaml, bytes): (bool, Bytes),
    ) -> Result<(Value, Vec<String>), Status> {
        req.options.validate(options_kind, false)?;
        parse_write_body(yaml, &bytes, "Pod")
    }
}

pub(crate) async fn create_pod(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    Accepted(ctx): Accepted,
    body: Body,
) -> Response {
    // Media type and size come first.
    let read = match read_write_body(&headers, body).await {
        Ok(read) => read,
        Err(s) => return ctx.status(&s),
    };
    let target = Target::new(state, &ctx, Scope::Main, ns, String::new());
    let body = read.1.clone();
    let outcome = target
        .run(&body, move |state, req| {
            let (body, duplicates) = Target::decode(req, "CreateOptions", read)?;
            create(&mut state.lock(), req, body, duplicates)
        })
        .await;
    ctx.reply(outcome)
}

/// `GET` of the pod or of one of its subresources.
pub(crate) async fn get_pod(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    Accepted(ctx): Accepted,
) -> Response {
    let result = get(&state.lock(), &ns, &name);
    match result {
        Ok(pod) => ctx.json(200, &pod, &POD_TY, &[]),
        Err(s) => ctx.status(&s),
    }
}

pub(crate) async fn delete_pod(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    Accepted(ctx): Accepted,
) -> Response {
    let dry_run = ctx.options().is_dry_run();
    let result = delete(&mut state.lock(), &ns, &name, dry_run);
    match result {
        Ok(pod) => ctx.json(200, &pod, &POD_TY, &[]),
        Err(s) => ctx.status(&s),
    }
}

/// `PUT` replaces the pod: the update pipeline of a patch whose result is
/// the body itself (on `pods/resize`, the resize strategy applied to it).
pub(crate) async fn put_pod(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    Extension(scope): Extension<Scope>,
    headers: HeaderMap,
    Accepted(ctx): Accepted,
    body: Body,
) -> Response {
    let read = match read_write_body(&headers, body).await {
        Ok(read) => read,
        Err(s) => return ctx.status(&s),
    };
    let target = Target::new(state, &ctx, scope, ns, name);
    let body = read.1.clone();
    let outcome = target
        .run(&body, move |state, req| {
            let (value, duplicates) = Target::decode(req, "UpdateOptions", read)?;
            replace(state, req, value, duplicates)
        })
        .await;
    ctx.reply(outcome)
}

/// `PATCH` of the pod or of one of its subresources, with the route's
/// `Consumes` and Accept checks in go-restful's order before the handler's.
pub(crate) async fn patch_pod(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    Extension(scope): Extension<Scope>,
    headers: HeaderMap,
    ctx: Ctx,
    body: Body,
) -> Response {
    if let Err(s) = route_consumes(&headers, PATCH_CONSUMES) {
        return ctx.status(&s);
    }
    if ctx.not_acceptable == Some(Refusal::Router) {
        return ctx.refuse_accept().unwrap_or_default();
    }
    // The handler's own check: everything before the first ';', untrimmed.
    let content_type = header_text(&headers, header::CONTENT_TYPE);
    let media = match content_type.find(';') {
        Some(i) if i > 0 => &content_type[..i],
        _ => content_type,
    };
    let Some(kind) = PatchKind::from_media_type(media) else {
        return ctx.status(&Status::unsupported_media_type_handler(PATCH_CONSUMES));
    };
    // `scope.Namer.Name`: an empty namespace segment (`namespaces//pods`).
    if ns.is_empty() {
        return ctx.status(&Status::bad_request("Namespace parameter required."));
    }
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let bytes = match read_body(body).await {
        Ok(b) => b,
        Err(s) => return ctx.status(&s),
    };
    let target = Target::new(state, &ctx, scope, ns, name);
    let outcome = target
        .run(&bytes.clone(), move |state, req| {
            patch(state, req, kind, &bytes)
        })
        .await;
    ctx.reply(outcome)
}
