//! podpatch: a contract-testing conformance suite for the Kubernetes Pod PATCH
//! endpoint, `PATCH /api/v1/namespaces/{namespace}/pods/{name}`.
//!
//! Data flow, one module per stage:
//! `case` (load) → `request` (plan) → `client` (send) → `normalize` → `compare` +
//! `snapshot` → `report`, orchestrated by `run` with `fixture` owning every object
//! the suite creates. `mock` is a Kubernetes-compatible server that imports nothing
//! from the rest, so it can become its own crate.

pub mod case;
pub mod client;
pub mod compare;
pub mod differential;
pub mod fixture;
pub mod kubeconfig;
pub mod normalize;
pub mod report;
pub mod request;
pub mod run;
pub mod shape;
pub mod snapshot;
pub mod target;
pub mod vars;
pub mod version;
