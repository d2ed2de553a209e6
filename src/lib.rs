//! podpatch: a contract-testing conformance suite for the Kubernetes Pod PATCH
//! endpoint, `PATCH /api/v1/namespaces/{namespace}/pods/{name}`.
//!
//! Data flow, one module per stage:
//! `case` (load) → `request` (plan) → `client` (send) → `normalize` → `compare` +
//! `snapshot` → `report`, orchestrated by `run` (the run) and `scenario` (one
//! case's steps) with `fixture` owning every object the suite creates. The built-in mock server is its own crate (`podpatch-mock`)
//! and imports nothing from this one. Around the stages, what the binary
//! needs: `cli` (the clap definitions), `suite` (built-in or on-disk cases and
//! snapshots), `select`, `resolve` (targets), `flags` (options), `exit` (the exit
//! rule) and `command` (one module per subcommand). On a cluster with its own
//! admission and policy: `admission` (which policy refused, from its answer),
//! `oracle` (the built-in mock as upstream's stand-in) and `policed` (what the
//! cluster's admission explains of a case that did not pass).

pub mod admission;
pub mod allocator;
pub mod case;
pub mod changelog;
pub mod changes;
pub mod cli;
pub mod client;
pub mod command;
pub mod compare;
pub mod differential;
pub mod exit;
pub mod expected;
pub mod explore;
pub mod features;
pub mod fixture;
pub mod flags;
pub mod kubeconfig;
pub mod liveness;
pub mod managed;
pub mod namespace_tokens;
pub mod needles;
pub mod normalize;
pub mod observed;
pub mod oracle;
pub mod outcome;
pub mod pod_metadata;
pub mod policed;
pub mod preflight;
pub mod profile;
pub mod reason;
pub mod redact;
pub mod replayed;
pub mod report;
pub mod request;
pub mod resolve;
pub mod run;
pub mod scenario;
pub mod scope;
pub mod select;
pub mod settle;
pub mod shape;
pub mod snapshot;
pub mod snapshot_yaml;
pub mod suite;
pub mod target;
pub mod triage;
pub mod vars;
pub mod version;
pub mod volatile;
