//! HTTP surface of the mock (axum): the routes a pod PATCH suite needs, the
//! go-restful router behaviour (404/405 Status bodies with `details: {}`,
//! the 415 for a Content-Type outside a route's `Consumes`), the 3 MiB body
//! limit, and the response conventions of every kube-apiserver reply
//! (`Content-Type`, `Audit-Id`, `Cache-Control`, `Warning`, compact or
//! pretty Go-style JSON).
//!
//! Handlers only translate between HTTP and [`crate::rest::pods`] / the store;
//! they must not hold API semantics themselves.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any, get, patch, put};
use serde_json::{Value, json};

use crate::api::status::Status;
use crate::golang::json_encode::{Layout, to_bytes};
use crate::golang::unmarshal;
use crate::http::query::{Query, WriteOptions};
use crate::merge::fieldpath::Scope;
use crate::registry::selector::{FieldSelector, Selector};
use crate::registry::store::{Shared, now_rfc3339};
use crate::rest::patch::PatchKind;
use crate::rest::pods::{self, Failure, Reply, Request as PodRequest};
use crate::schema::{
    NAMESPACE_LIST_TY, NAMESPACE_TY, POD_LIST_TY, POD_TY, SERVICE_ACCOUNT_TY, STATUS_TY, TABLE_TY,
    Ty, VERSION_TY,
};
use crate::validation::objectmeta;

/// Request body limit (`MaxRequestBodyBytes`).
pub const MAX_BODY: usize = 3 * 1024 * 1024;

/// Media types the PATCH route consumes (go-restful `Consumes`).
const PATCH_CONSUMES: &[&str] = &[
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];
/// Media types the create handlers decode (`*/*` at the router).
const WRITE_CONSUMES: &[&str] = &[
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

/// Everything a handler needs to shape its reply.
struct Ctx {
    pretty: bool,
    yaml: bool,
    /// Why no entry of the Accept header can be answered, if none can (see
    /// [`Ctx::refuse_accept`]).
    not_acceptable: Option<Refusal>,
    /// A conversion the Accept header asked for, applied to pods.
    transform: Option<Transform>,
    /// For errors, which never convert: `(yaml, pretty)` of the best entry
    /// without conversion parameters (`DefaultEndpointRestrictions`), if any.
    plain: Option<(bool, bool)>,
    query: Query,
    user_agent: String,
}

/// The conversions an endpoint lets a response take
/// (`EndpointRestrictions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Allowed {
    All,
    /// A storage without a table convertor.
    NoTable,
    /// `DefaultEndpointRestrictions`, which errors get: no conversion.
    Nothing,
}

/// What an `;as=…;g=meta.k8s.io;v=…` media type asks for instead of the pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Transform {
    /// `PartialObjectMetadata` in this meta.k8s.io version.
    Metadata(&'static str),
    /// `PartialObjectMetadataList`, which a single pod cannot be.
    MetadataList,
    /// `Table` in this meta.k8s.io version.
    Table(&'static str),
}

/// Why nothing in the Accept header fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    /// go-restful's router refuses the media types.
    Router,
    /// The handler refuses (`application/*` passes the router).
    Handler,
    /// The handler refuses the `as=` conversions asked for.
    Conversion,
}

/// One clause of an Accept header, as goautoneg's `ParseAccept` reads it.
struct Clause<'a> {
    media: String,
    q: f64,
    params: Vec<(&'a str, &'a str)>,
}

/// goautoneg's `ParseAccept`: malformed clauses and parameters are skipped,
/// an unparsable `q` counts as 0, and the clauses are insertion-sorted by
/// its `Less`, which puts a more specific type first whatever its `q`.
fn accept_clauses(header: &str) -> Vec<Clause<'_>> {
    let mut clauses: Vec<Clause<'_>> = Vec::new();
    for part in header.split(',') {
        let part = part.trim_matches(' ');
        let (media, params) = part.split_once(';').unwrap_or((part, ""));
        let media = match media.split_once('/') {
            None if media.trim_matches(' ') == "*" => "*/*".to_string(),
            None => continue,
            Some((_, sub)) if sub.contains('/') => continue,
            Some((ty, sub)) => format!("{}/{}", ty.trim_matches(' '), sub.trim_matches(' ')),
        };
        let mut clause = Clause {
            media,
            q: 1.0,
            params: Vec::new(),
        };
        for param in params.split(';').filter(|p| !p.is_empty()) {
            let Some((key, value)) = param.split_once('=') else {
                continue;
            };
            if value.is_empty() || value.contains('=') {
                continue;
            }
            match key.trim_matches(' ') {
                "q" => clause.q = value.parse::<f32>().map_or(0.0, f64::from),
                key => clause.params.push((key, value.trim_matches(' '))),
            }
        }
        clauses.push(clause);
    }
    let wild = |media: &str, ty: bool| {
        let (t, s) = media.split_once('/').unwrap_or((media, ""));
        if ty { t == "*" } else { s == "*" }
    };
    let less = |a: &Clause<'_>, b: &Clause<'_>| {
        a.q > b.q
            || (!wild(&a.media, true) && wild(&b.media, true))
            || (!wild(&a.media, false) && wild(&b.media, false))
    };
    for i in 1..clauses.len() {
        let mut j = i;
        while j > 0 && less(&clauses[j], &clauses[j - 1]) {
            clauses.swap(j, j - 1);
            j -= 1;
        }
    }
    clauses
}

/// Output negotiation over the Accept header (`NegotiateMediaTypeOptions`):
/// the first sorted clause naming JSON, YAML (or protobuf, answered as
/// JSON) with acceptable parameters wins; `pretty=1` as a media-type
/// parameter; `as`/`g`/`v` conversions. A conversion the endpoint does
/// not allow is skipped like an unknown one.
fn negotiate(accept: &str, allowed: Allowed) -> Result<(bool, bool, Option<Transform>), Refusal> {
    if accept.trim().is_empty() {
        return Ok((false, false, None));
    }
    let mut wildcard_subtype = false;
    let mut conversion_refused = false;
    for clause in accept_clauses(accept) {
        // Media types compare case-sensitively, as in Go.
        let media = clause.media;
        let mut pretty = false;
        let (mut as_kind, mut group, mut version) = (None, "", "");
        // `acceptMediaTypeOptions`: any of as/g/v asks for a conversion.
        let convert = clause
            .params
            .iter()
            .any(|&(k, _)| matches!(k, "as" | "g" | "v"));
        for &(k, v) in &clause.params {
            match k {
                "pretty" => pretty = v == "1",
                "as" => as_kind = Some(v),
                "g" => group = v,
                "v" => version = v,
                _ => {}
            }
        }
        let yaml = match media.as_str() {
            "application/json" | "*/*" | "application/vnd.kubernetes.protobuf" => false,
            "application/yaml" => true,
            "application/*" => {
                wildcard_subtype = true;
                continue;
            }
            _ => continue,
        };
        let version = match version {
            "v1" => "v1",
            "v1beta1" => "v1beta1",
            _ => "",
        };
        let transform = match as_kind {
            None if !convert => None,
            _ if allowed == Allowed::Nothing => continue,
            Some(kind) if group == "meta.k8s.io" && !version.is_empty() => match kind {
                "PartialObjectMetadata" => Some(Transform::Metadata(version)),
                "PartialObjectMetadataList" => Some(Transform::MetadataList),
                "Table" if allowed == Allowed::All => Some(Transform::Table(version)),
                _ => {
                    conversion_refused = true;
                    continue;
                }
            },
            _ => {
                conversion_refused = true;
                continue;
            }
        };
        return Ok((yaml, pretty, transform));
    }
    if conversion_refused {
        Err(Refusal::Conversion)
    } else if wildcard_subtype {
        Err(Refusal::Handler)
    } else {
        Err(Refusal::Router)
    }
}

impl Ctx {
    fn new(headers: &HeaderMap, raw_query: Option<&str>) -> Self {
        Self::negotiated(headers, raw_query, Allowed::All)
    }

    /// For the `ephemeralcontainers` and `resize` subresources, whose
    /// storage converts to no Table (`status` delegates to the pod's).
    fn for_scope(headers: &HeaderMap, raw_query: Option<&str>, scope: Scope) -> Self {
        let allowed = if matches!(scope, Scope::EphemeralContainers | Scope::Resize) {
            Allowed::NoTable
        } else {
            Allowed::All
        };
        Self::negotiated(headers, raw_query, allowed)
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

    /// The 406 for an Accept header nothing satisfies, if that is the case:
    /// indented when go-restful's router refuses it, compact otherwise.
    fn refuse_accept(&self) -> Option<Response> {
        let refusal = self.not_acceptable?;
        let status = match refusal {
            Refusal::Conversion => Status::not_acceptable_by_handler(
                "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
            ),
            _ => Status::not_acceptable(),
        };
        let raw = Ctx::fixed(false, refusal != Refusal::Handler);
        Some(raw.json(status.code, &status.to_value(), &STATUS_TY, &[]))
    }

    /// Writes as JSON or YAML, with nothing negotiated left to refuse or
    /// convert: how a `Status` goes out when the Accept header cannot apply.
    fn fixed(yaml: bool, pretty: bool) -> Self {
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

    fn layout(&self) -> Layout {
        if self.pretty {
            Layout::Pretty
        } else {
            Layout::Compact
        }
    }

    fn json(&self, code: u16, value: &Value, ty: &'static Ty, warnings: &[String]) -> Response {
        let bytes = if self.yaml {
            crate::golang::yaml_encode::to_yaml(value).into_bytes()
        } else {
            to_bytes(value, ty, self.layout())
        };
        // Go's net/http sets Content-Length only when the whole body fits
        // its 2048-byte pre-chunking buffer; larger bodies go out chunked.
        let body = if bytes.len() > 2048 {
            let chunk: Result<Bytes, std::convert::Infallible> = Ok(Bytes::from(bytes));
            Body::from_stream(futures::stream::iter([chunk]))
        } else {
            Body::from(bytes)
        };
        let mut response = Response::new(body);
        *response.status_mut() =
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(if self.yaml {
                "application/yaml"
            } else {
                "application/json"
            }),
        );
        let mut seen: Vec<&String> = Vec::new();
        for w in warnings {
            if seen.contains(&w) {
                continue;
            }
            seen.push(w);
            if let Ok(v) = HeaderValue::from_str(&warning_header(w)) {
                h.append(header::WARNING, v);
            }
        }
        response
    }

    fn status(&self, status: &Status) -> Response {
        self.failure(&Failure {
            status: status.clone(),
            warnings: Vec::new(),
        })
    }

    fn failure(&self, failure: &Failure) -> Response {
        let status = &failure.status;
        let fixed = match (self.plain, self.transform) {
            // An error skips the conversion entries and takes the next one.
            (Some((yaml, pretty)), Some(_)) => Some(Ctx::fixed(
                yaml,
                pretty || self.query.pretty(&self.user_agent),
            )),
            // An error for a client whose Accept nothing satisfies, or that
            // asked for a conversion a Status cannot take, is written raw as
            // indented JSON.
            _ if self.not_acceptable.is_some() || self.transform.is_some() => {
                Some(Ctx::fixed(false, true))
            }
            _ => None,
        };
        fixed.as_ref().unwrap_or(self).json(
            status.code,
            &status.to_value(),
            &STATUS_TY,
            &failure.warnings,
        )
    }

    fn reply(&self, outcome: Result<Reply, Failure>) -> Response {
        match (outcome, self.transform) {
            (Ok(reply), None) => self.json(reply.code, &reply.object, &POD_TY, &reply.warnings),
            (Ok(reply), Some(Transform::Table(version))) => {
                let include = self.query.first("includeObject").unwrap_or("");
                match crate::http::table::pod_table(&reply.object, version, include) {
                    Ok(table) => self.json(reply.code, &table, &TABLE_TY, &reply.warnings),
                    Err(s) => self.status(&s),
                }
            }
            // The conversion runs on the written object.
            (Ok(reply), Some(Transform::Metadata(version))) => {
                let partial = json!({
                    "kind": "PartialObjectMetadata",
                    "apiVersion": format!("meta.k8s.io/{version}"),
                    "metadata": reply.object.get("metadata").cloned().unwrap_or_default(),
                });
                self.json(reply.code, &partial, &POD_TY, &reply.warnings)
            }
            (Ok(_), Some(Transform::MetadataList)) => self.status(&Status::not_acceptable_by_handler(
                "you requested PartialObjectMetadataList, but the requested object is not a list (*core.Pod)",
            )),
            (Err(failure), _) => self.failure(&failure),
        }
    }

    fn options(&self) -> WriteOptions {
        WriteOptions::from_query(&self.query)
    }
}

/// `Warning: 299 - "<text>"` with `"` and `\` escaped (`makeQuotedString`).
fn warning_header(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        if !c.is_control() {
            quoted.push(c);
        }
    }
    quoted.push('"');
    format!("299 - {quoted}")
}

/// The API Priority and Fairness identities a server reports: fixed for the
/// life of a server, like the uids of its FlowSchema and PriorityLevel.
#[derive(Debug, Clone)]
struct Flow {
    schema: HeaderValue,
    level: HeaderValue,
}

impl Flow {
    fn new() -> Self {
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

/// The groups a kube-apiserver 1.36 serves under `/apis` (its discovery
/// list): paths under them reach go-restful or the aggregator.
const SERVED_GROUPS: &[&str] = &[
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
];

/// Whether an unrouted path is go-restful's (a JSON `Status` 404): the
/// director hands it a path equal to or under a web service's root
/// (`/api`, `/apis/<group>/…`); any other path falls to the plain mux.
fn restful_path(path: &str) -> bool {
    let under = |root: &str| path == root || path.starts_with(&format!("{root}/"));
    under("/api")
        || path == "/apis"
        || path
            .strip_prefix("/apis/")
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|group| SERVED_GROUPS.contains(&group))
}

/// Adds `Audit-Id`, `Cache-Control` and the APF headers to every response.
async fn common_headers(State(flow): State<Flow>, mut request: Request, next: Next) -> Response {
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
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
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

/// Builds the router over `state`. The routes sit behind a fallback so
/// that the header middleware sees every response, including the 405s the
/// method routers produce themselves.
pub fn build(state: Shared) -> Router {
    Router::new()
        .fallback_service(routes(state))
        .layer(middleware::from_fn_with_state(Flow::new(), common_headers))
}

fn routes(state: Shared) -> Router {
    Router::new()
        .route("/version", get(version))
        .route("/api", get(api_versions))
        .route("/api/v1", get(api_v1_resources))
        .route("/apis", get(api_groups))
        // The health checks answer every method alike.
        .route("/healthz", any(health))
        .route("/readyz", any(health))
        .route("/livez", any(health))
        .route(
            "/api/v1/namespaces",
            get(list_namespaces).post(create_namespace),
        )
        .route(
            "/api/v1/namespaces/{ns}",
            get(get_namespace).delete(delete_namespace),
        )
        .route(
            "/api/v1/namespaces/{ns}/serviceaccounts",
            get(list_service_accounts).post(create_service_account),
        )
        .route(
            "/api/v1/namespaces/{ns}/serviceaccounts/{name}",
            get(get_service_account).delete(delete_service_account),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods",
            get(list_pods).post(create_pod).delete(delete_pods),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}",
            scoped(Scope::Main, true).delete(delete_pod),
        )
        // `status` reads the pod as the main endpoint does (its storage
        // shares the pod's table convertor).
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/status",
            get_scoped(Scope::Main).merge(patch_scoped(Scope::Status)),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/ephemeralcontainers",
            scoped(Scope::EphemeralContainers, false),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/resize",
            scoped(Scope::Resize, true),
        )
        // Routes the real server serves without PATCH (pod subresources,
        // proxy aside, and the list and watch paths): the route exists, so
        // the method is what is refused.
        .merge(unpatchable_routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

fn unpatchable_routes() -> Router<Shared> {
    [
        "binding",
        "eviction",
        "log",
        "exec",
        "attach",
        "portforward",
    ]
    .into_iter()
    .map(|sub| format!("/api/v1/namespaces/{{ns}}/pods/{{name}}/{sub}"))
    // The deprecated watch paths are GET-only routes too.
    .chain([
        "/api/v1/pods".to_string(),
        "/api/v1/watch/pods".to_string(),
        "/api/v1/watch/namespaces/{ns}/pods".to_string(),
        "/api/v1/watch/namespaces/{ns}/pods/{name}".to_string(),
    ])
    .fold(Router::new(), |router, path| {
        router.route(&path, patch(method_not_allowed))
    })
}

async fn not_found(uri: axum::http::Uri, headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    if !restful_path(uri.path()) {
        // The non-go-restful mux's `http.NotFound`.
        return (
            StatusCode::NOT_FOUND,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            "404 page not found\n",
        )
            .into_response();
    }
    Ctx::new(&headers, q.as_deref()).status(&Status::route_not_found())
}

async fn method_not_allowed(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    Ctx::new(&headers, q.as_deref()).status(&Status::method_not_allowed())
}

/// `/api`: the legacy group's versions, the server address taken from Host.
async fn api_versions(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let body = json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
    });
    Ctx::new(&headers, q.as_deref()).json(200, &body, &API_VERSIONS_TY, &[])
}

static API_VERSIONS_TY: Ty = Ty::Struct(&crate::schema::Struct {
    name: "APIVersions",
    fields: &[
        crate::schema::f("kind", Ty::Str),
        crate::schema::a("versions", Ty::Any),
        crate::schema::a("serverAddressByClientCIDRs", Ty::Any),
    ],
});

/// `/api/v1`: discovery limited to the resources the mock serves, with the
/// entries a 1.36 server publishes for them.
async fn api_v1_resources(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let rw = [
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    ];
    let sub = ["get", "patch", "update"];
    let body = json!({
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace",
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"],
             "storageVersionHash": "Q3oi5N2YM8M="},
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod", "verbs": rw,
             "shortNames": ["po"], "categories": ["all"], "storageVersionHash": "xPOwRZ+Yhw8="},
            {"name": "pods/ephemeralcontainers", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": sub},
            {"name": "pods/resize", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": sub},
            {"name": "pods/status", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": sub},
            {"name": "serviceaccounts", "singularName": "serviceaccount", "namespaced": true,
             "kind": "ServiceAccount", "verbs": rw, "shortNames": ["sa"], "storageVersionHash": "pbx9ZvyFpBE="},
        ],
    });
    Ctx::new(&headers, q.as_deref()).json(200, &body, &crate::schema::API_RESOURCE_LIST_TY, &[])
}

/// `/apis`: the mock serves no API groups.
async fn api_groups(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let body = json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []});
    Ctx::new(&headers, q.as_deref()).json(200, &body, &API_GROUP_LIST_TY, &[])
}

static API_GROUP_LIST_TY: Ty = Ty::Struct(&crate::schema::Struct {
    name: "APIGroupList",
    fields: &[
        crate::schema::f("kind", Ty::Str),
        crate::schema::f("apiVersion", Ty::Str),
        crate::schema::a("groups", Ty::Any),
    ],
});

async fn version(headers: HeaderMap, RawQuery(q): RawQuery) -> Response {
    let info = json!({
        "major": "1",
        "minor": "36",
        "emulationMajor": "1",
        "emulationMinor": "36",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "35",
        "gitVersion": "v1.36.0-podpatch-mock",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "n/a (podpatch mock, Rust)",
        "compiler": "rustc",
        "platform": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
    });
    // `/version` is written by `WriteRawJSON`, which always indents.
    let mut ctx = Ctx::new(&headers, q.as_deref());
    ctx.pretty = true;
    ctx.json(200, &info, &VERSION_TY, &[])
}

/// `/healthz`, `/readyz`, `/livez` answer `ok` as plain text, as the real
/// server's healthz handlers do.
async fn health() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        "ok",
    )
        .into_response()
}

/// A request header's text; empty when absent or not visible ASCII.
pub(crate) fn header_text(headers: &HeaderMap, name: impl header::AsHeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// go-restful's `Consumes` check: comma-separated, parameters dropped,
/// spaces trimmed, case-sensitive; a missing header means octet-stream.
fn route_consumes(headers: &HeaderMap, consumes: &[&str]) -> Result<(), Status> {
    let raw = header_text(headers, header::CONTENT_TYPE);
    let raw = if raw.is_empty() {
        "application/octet-stream"
    } else {
        raw
    };
    let ok = raw.split(',').any(|part| {
        // `stringTrimSpaceCutset`: spaces only, a tab stays.
        let media = part.split(';').next().unwrap_or("").trim_matches(' ');
        consumes.contains(&media)
    });
    if ok {
        Ok(())
    } else {
        Err(Status::unsupported_media_type_router())
    }
}

/// The create handlers' input negotiation: no Content-Type means JSON,
/// parameters are ignored, anything but JSON or YAML is a handler 415.
fn write_media_type(headers: &HeaderMap) -> Result<bool, Status> {
    let raw = header_text(headers, header::CONTENT_TYPE);
    let media = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "" | "application/json" => Ok(false),
        "application/yaml" => Ok(true),
        _ => Err(Status::unsupported_media_type_handler(WRITE_CONSUMES)),
    }
}

/// The media type (YAML or JSON) and bytes of a create or update body, in the
/// order the real server checks them.
async fn read_write_body(headers: &HeaderMap, body: Body) -> Result<(bool, Bytes), Status> {
    let yaml = write_media_type(headers)?;
    Ok((yaml, read_body(body).await?))
}

async fn read_body(body: Body) -> Result<Bytes, Status> {
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| Status::body_too_large())
}

/// `summarizeData`: the body excerpt Go appends to "unrecognized" errors.
fn summarize(data: &[u8]) -> String {
    const MAX: usize = 30;
    let cut = &data[..data.len().min(MAX)];
    let more = if data.len() > MAX { " ..." } else { "" };
    match data.first() {
        None => "<empty>".to_string(),
        Some(b'{') => format!("{}{more}", String::from_utf8_lossy(cut)),
        Some(_) => {
            let hex: String = cut.iter().map(|b| format!("{b:02x}")).collect();
            format!("{hex}{more}")
        }
    }
}

/// Parses a create body (JSON, or YAML when `yaml`), with the texts of
/// `transformDecodeError` when the kind cannot even be read.
fn parse_write_body(yaml: bool, bytes: &[u8], kind: &str) -> Result<(Value, Vec<String>), Status> {
    let unrecognized = |err: String| {
        Status::bad_request(format!(
            "the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; json parse error: {err} ({})",
            summarize(bytes)
        ))
    };
    let mut duplicates = Vec::new();
    let value: Value = if yaml {
        crate::golang::yaml_read::parse_yaml(&String::from_utf8_lossy(bytes))
            .map_err(|e| unrecognized(crate::golang::yaml_read::yaml_error(&e.to_string())))?
    } else {
        let dups = crate::golang::json_scanner::check(bytes).map_err(unrecognized)?;
        duplicates = dups
            .into_iter()
            .map(|d| format!("duplicate field \"{d}\""))
            .collect();
        serde_json::from_slice(bytes).map_err(|e| unrecognized(e.to_string()))?
    };
    match &value {
        Value::Object(_) | Value::Null => Ok((value, duplicates)),
        other => Err(unrecognized(format!(
            "json: cannot unmarshal {} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}",
            match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "bool",
            }
        ))),
    }
}

async fn list_namespaces(
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let store = state.lock();
    let items: Vec<Value> = store.namespaces.values().map(strip_type_meta).collect();
    let list = json!({"kind": "NamespaceList", "apiVersion": "v1",
        "metadata": {"resourceVersion": store.current_rv()}, "items": items});
    ctx.json(200, &list, &NAMESPACE_LIST_TY, &[])
}

fn strip_type_meta(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("kind");
        m.remove("apiVersion");
    }
    v
}

/// The create-time errors of `metadata.name`, checked by `syntax`.
fn name_errors(
    name: &str,
    syntax: fn(&str) -> Vec<String>,
) -> Vec<crate::validation::field::FieldError> {
    if name.is_empty() {
        return vec![crate::validation::field::FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )];
    }
    syntax(name)
        .into_iter()
        .map(|msg| crate::validation::field::FieldError::invalid("metadata.name", json!(name), msg))
        .collect()
}

fn object_name(body: &Value) -> String {
    body.pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

async fn create_namespace(
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
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
        body.pointer("/metadata/labels"),
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
    if let Some(Value::Object(labels)) = body.pointer("/metadata/labels")
        && let Some(Value::Object(target)) = ns.pointer_mut("/metadata/labels")
    {
        for (k, v) in labels {
            target.insert(k.clone(), v.clone());
        }
    }
    if let Some(annotations) = body.pointer("/metadata/annotations")
        && let Some(meta) = ns.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.insert("annotations".into(), annotations.clone());
    }
    if !dry_run {
        store.namespaces.insert(name, ns.clone());
    }
    ctx.json(201, &ns, &NAMESPACE_TY, &[])
}

async fn get_namespace(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let store = state.lock();
    match store.namespaces.get(&ns) {
        Some(v) => ctx.json(200, v, &NAMESPACE_TY, &[]),
        None => ctx.status(&Status::not_found("namespaces", &ns)),
    }
}

async fn delete_namespace(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
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

async fn list_service_accounts(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
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

async fn create_service_account(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
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

async fn get_service_account(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let store = state.lock();
    match store.service_accounts.get(&(ns, name.clone())) {
        Some(v) => ctx.json(200, v, &SERVICE_ACCOUNT_TY, &[]),
        None => ctx.status(&Status::not_found("serviceaccounts", &name)),
    }
}

async fn delete_service_account(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let mut store = state.lock();
    match store.service_accounts.remove(&(ns, name.clone())) {
        Some(v) => {
            store.next_rv();
            ctx.json(200, &v, &SERVICE_ACCOUNT_TY, &[])
        }
        None => ctx.status(&Status::not_found("serviceaccounts", &name)),
    }
}

/// The selectors of a list or delete-collection, as one filter, or the 400
/// for the first one that does not parse.
fn pod_filter(ctx: &Ctx) -> Result<impl Fn(&Value) -> bool + use<>, Status> {
    let refuse = Status::bad_request;
    let labels = Selector::parse(ctx.query.first("labelSelector").unwrap_or("")).map_err(refuse)?;
    let fields =
        FieldSelector::parse(ctx.query.first("fieldSelector").unwrap_or("")).map_err(refuse)?;
    Ok(move |pod: &Value| {
        labels.matches(pod.pointer("/metadata/labels").and_then(Value::as_object))
            && fields.matches(pod)
    })
}

async fn list_pods(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
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

async fn delete_pods(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
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
        if pods::delete(&mut store, &ns, &name, dry_run).is_ok()
            && let Some(pod) = before
        {
            items.push(strip_type_meta(&pod));
        }
    }
    let list = json!({"kind": "PodList", "apiVersion": "v1",
        "metadata": {"resourceVersion": store.current_rv()}, "items": items});
    ctx.json(200, &list, &POD_LIST_TY, &[])
}

/// Reads a pod create or update body in the real server's order: media type and
/// size, then the `*Options` query, then the object itself.
async fn read_pod_body(
    ctx: &Ctx,
    headers: &HeaderMap,
    body: Body,
    options_kind: &str,
) -> Result<(Value, Vec<String>, WriteOptions), Status> {
    let (yaml, bytes) = read_write_body(headers, body).await?;
    let options = ctx.options();
    options.validate(options_kind, false)?;
    let (value, duplicates) = parse_write_body(yaml, &bytes, "Pod")?;
    Ok((value, duplicates, options))
}

async fn create_pod(
    State(state): State<Shared>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
    body: Body,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let (body, duplicates, options) =
        match read_pod_body(&ctx, &headers, body, "CreateOptions").await {
            Ok(read) => read,
            Err(s) => return ctx.status(&s),
        };
    let req = PodRequest {
        scope: Scope::Main,
        namespace: &ns,
        name: "",
        user_agent: &ctx.user_agent,
        options,
    };
    let outcome = {
        let mut store = state.lock();
        pods::create(&mut store, &req, body, duplicates)
    };
    ctx.reply(outcome)
}

/// The GET and PATCH (and, `with_put`, PUT) handlers of the pod or of one
/// of its subresources, each bound to its scope.
fn scoped(scope: Scope, with_put: bool) -> MethodRouter<Shared> {
    let router = get_scoped(scope).merge(patch_scoped(scope));
    if with_put {
        router.merge(put_scoped(scope))
    } else {
        router
    }
}

fn get_scoped(scope: Scope) -> MethodRouter<Shared> {
    get(
        move |State(state): State<Shared>,
              Path((ns, name)): Path<(String, String)>,
              headers: HeaderMap,
              RawQuery(q): RawQuery| async move {
            get_in_scope(&state, &ns, &name, &headers, q, scope)
        },
    )
}

fn patch_scoped(scope: Scope) -> MethodRouter<Shared> {
    patch(
        move |State(state): State<Shared>,
              Path((ns, name)): Path<(String, String)>,
              headers: HeaderMap,
              RawQuery(q): RawQuery,
              body: Body| async move {
            patch_in_scope(state, ns, name, headers, q, body, scope).await
        },
    )
}

fn put_scoped(scope: Scope) -> MethodRouter<Shared> {
    put(
        move |State(state): State<Shared>,
              Path((ns, name)): Path<(String, String)>,
              headers: HeaderMap,
              RawQuery(q): RawQuery,
              body: Body| async move {
            put_in_scope(state, ns, name, headers, q, body, scope).await
        },
    )
}

fn get_in_scope(
    state: &Shared,
    ns: &str,
    name: &str,
    headers: &HeaderMap,
    q: Option<String>,
    scope: Scope,
) -> Response {
    let ctx = Ctx::for_scope(headers, q.as_deref(), scope);
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let result = pods::get(&state.lock(), ns, name);
    match result {
        Ok(pod) => ctx.json(200, &pod, &POD_TY, &[]),
        Err(s) => ctx.status(&s),
    }
}

async fn delete_pod(
    State(state): State<Shared>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers, q.as_deref());
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let dry_run = ctx.options().is_dry_run();
    let result = pods::delete(&mut state.lock(), &ns, &name, dry_run);
    match result {
        Ok(pod) => ctx.json(200, &pod, &POD_TY, &[]),
        Err(s) => ctx.status(&s),
    }
}

/// `PUT` replaces the pod: the update pipeline of a patch whose result is
/// the body itself (on `pods/resize`, the resize strategy applied to it).
async fn put_in_scope(
    state: Shared,
    ns: String,
    name: String,
    headers: HeaderMap,
    q: Option<String>,
    body: Body,
    scope: Scope,
) -> Response {
    let ctx = Ctx::for_scope(&headers, q.as_deref(), scope);
    if let Some(refused) = ctx.refuse_accept() {
        return refused;
    }
    let (value, duplicates, options) =
        match read_pod_body(&ctx, &headers, body, "UpdateOptions").await {
            Ok(read) => read,
            Err(s) => return ctx.status(&s),
        };
    let req = PodRequest {
        scope,
        namespace: &ns,
        name: &name,
        user_agent: &ctx.user_agent,
        options,
    };
    let outcome = {
        let mut store = state.lock();
        pods::replace(&mut store, &req, value, duplicates)
    };
    ctx.reply(outcome)
}

async fn patch_in_scope(
    state: Shared,
    ns: String,
    name: String,
    headers: HeaderMap,
    q: Option<String>,
    body: Body,
    scope: Scope,
) -> Response {
    let ctx = Ctx::for_scope(&headers, q.as_deref(), scope);
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
    let req = PodRequest {
        scope,
        namespace: &ns,
        name: &name,
        user_agent: &ctx.user_agent,
        options: ctx.options(),
    };
    let outcome = {
        let mut store = state.lock();
        pods::patch(&mut store, &req, kind, &bytes)
    };
    ctx.reply(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    // A specific type sorts before a wildcard whatever its q.
    #[case("*/*;q=1, application/yaml;q=0.5", Ok(true))]
    // q=0 and an unparsable q still accept, ranked last.
    #[case("application/yaml;q=0", Ok(true))]
    #[case("application/json;q=abc, application/yaml;q=0.5", Ok(true))]
    #[case("application/yaml;q=0.5, application/json;q=0.5", Ok(true))]
    // Media types compare case-sensitively.
    #[case("application/YAML, application/json;q=0.1", Ok(false))]
    #[case("Application/JSON", Err(Refusal::Router))]
    #[case("application/*", Err(Refusal::Handler))]
    #[case(
        "application/json;as=Bogus;g=meta.k8s.io;v=v1",
        Err(Refusal::Conversion)
    )]
    fn accept_negotiates_as_goautoneg_sorts(
        #[case] accept: &str,
        #[case] yaml: Result<bool, Refusal>,
    ) {
        assert_eq!(negotiate(accept, Allowed::All).map(|(yaml, ..)| yaml), yaml);
    }

    #[test]
    fn only_pretty_1_is_pretty() {
        assert_eq!(
            negotiate("application/json;pretty=1", Allowed::All).map(|r| r.1),
            Ok(true)
        );
        assert_eq!(
            negotiate("application/json;pretty=true", Allowed::All).map(|r| r.1),
            Ok(false)
        );
    }

    #[rstest]
    #[case("/api/v1/namespaces/ns/%70ods/p", "/api/v1/namespaces/ns/pods/p")]
    #[case("/api/v1/namespaces/ns/pods/a%2Fb", "/api/v1/namespaces/ns/pods/a/b")]
    #[case("/x/a%25b/a%20b+", "/x/a%25b/a%20b+")]
    #[case("/x/%zz", "/x/%zz")]
    fn paths_route_decoded(#[case] raw: &str, #[case] want: &str) {
        assert_eq!(routable_path(raw), want);
    }

    #[rstest]
    #[case("/api", true)]
    #[case("/api/v2/x", true)]
    #[case("/apifoo/x", false)]
    #[case("/API/v1", false)]
    #[case("/apis/apps/v1/x", true)]
    #[case("/apis/foo/v1/x", false)]
    fn go_restful_owns_api_paths(#[case] path: &str, #[case] want: bool) {
        assert_eq!(restful_path(path), want);
    }

    #[rstest]
    #[case("application/json;v=v1;g=meta.k8s.io", Err(Refusal::Conversion))]
    #[case("APPLICATION/JSON", Err(Refusal::Router))]
    #[case("application/yaml", Ok((true, false, None)))]
    fn negotiates_like_the_apiserver(
        #[case] accept: &str,
        #[case] want: Result<(bool, bool, Option<Transform>), Refusal>,
    ) {
        assert_eq!(negotiate(accept, Allowed::All), want);
    }

    #[test]
    fn conversions_left_out_for_errors() {
        assert_eq!(
            negotiate(
                "application/json;as=Table;v=v1;g=meta.k8s.io, application/yaml",
                Allowed::Nothing
            ),
            Ok((true, false, None))
        );
    }

    #[test]
    fn warning_header_escapes_quotes() {
        assert_eq!(
            warning_header("unknown field \"spec.foo\""),
            "299 - \"unknown field \\\"spec.foo\\\"\""
        );
    }
}
