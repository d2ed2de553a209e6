//! The built-in mock Kubernetes API server: namespaces, service accounts and
//! pods in memory, answering the Pod endpoints the way a kube-apiserver of
//! a minor 1.30 to 1.37 (1.37 unless told, see [`Version`]) with default
//! admission plugins does (check order, status codes, `Status`
//! bodies, defaulting, admission mutations, patch semantics, validation
//! messages, managed fields), checked response by response against a live
//! 1.36.5 server.
//!
//! Served: `/version`, `/healthz`, `/readyz`, `/livez`, `/api`; namespaces
//! (list, create, get, delete); service accounts (list, create, get, delete);
//! pods (list and delete-collection with `labelSelector` and `fieldSelector`, create, get, PUT,
//! PATCH with all four content types, delete) and the pod `status`,
//! `ephemeralcontainers` and `resize` (GET, PATCH, PUT) subresources.
//!
//! This file only declares the layers and re-exports the public API. The
//! layers follow kube-apiserver's own, so a reader of the Go source finds the
//! counterpart by name (see the crate README); the crate depends on nothing
//! of the podpatch runner.
//!
//! Known simplifications: deleting a namespace removes it and its objects
//! immediately (a real cluster keeps it `Terminating` until the namespace
//! controller has emptied it); pods are never scheduled, so they stay
//! `Pending`; the diff after "pod updates may not change fields other than
//! …" is a unified diff of the JSON specs, not Go's internal-struct dump
//! (go-cmp randomises its spacing anyway); where Go walks a map (several bad
//! labels, resource names, apply conflict causes) the mock walks it sorted,
//! while the real order is random; responses are never protobuf (nor
//! gzip-compressed); a strategic patch's `-0` and `-0.0` cannot be told
//! apart (Go prints the first as `0`); no node exists, so a resize that
//! changes a bound pod's spec is always forbidden by `PodResizeValidator`
//! ("node … not found"); of RBAC only the bootstrap `system:masters`
//! binding is modelled, so an impersonated system user that a bootstrap
//! role grants pod rights (`system:kube-scheduler` on `pods/status`) is
//! refused here; an apply body's YAML oddities
//! beyond merge keys and `!!binary` (other explicit tags, `.inf`/`.nan`,
//! null or collection keys, a `%YAML 1.2` directive) are not read as go-yaml
//! v2 reads them, nor is an apply body written as YAML (not JSON) whose
//! collections nest past 128 levels (serde_yaml_ng's limit; go-yaml reads
//! 10000, and JSON bodies that deep are read here too); namespace and
//! ServiceAccount bodies nested past 128 levels are refused; only the API
//! paths answer PATCH (`/openapi` and `/apis` discovery do not); bodies
//! decode in key order, not document order (which of two type mismatches
//! is reported); quantities beyond 38 digits are refused; a strategic patch
//! shown in an error after two items with one merge key has only the
//! aliasing of the items themselves, not of maps the first took over.
//!
//! A pod is kept as JSON with each quantity in its canonical text (what is
//! stored and answered), while the state Go's parser left it in (text as
//! sent, `int64Amount` or `inf.Dec`), which validation reads, travels beside
//! it by field path (`golang/quantity_states.rs`) from decoding through
//! defaulting to validation and warnings.

pub(crate) mod api;
pub(crate) mod defaults;
pub(crate) mod golang;
pub(crate) mod http;
pub(crate) mod merge;
pub(crate) mod pod;
pub(crate) mod registry;
pub(crate) mod rest;
pub(crate) mod schema;
mod server;
pub(crate) mod validation;
pub mod version;

pub use server::{ConnectionTimeouts, MockServer, router, router_at};
pub use version::{Version, VersionError};
