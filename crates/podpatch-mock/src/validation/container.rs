//! Container validation (`validateContainers`, `validateInitContainers`,
//! `validateEphemeralContainers` and `validateContainerCommon` in
//! `pkg/apis/core/validation/validation.go`), one file per area: the lists
//! themselves, env, ports, mounts and devices, probes and lifecycle hooks,
//! resources, policies and the security context. This file only declares
//! them and re-exports what the pod-level validators call.

mod context;
mod env;
mod lists;
mod mounts;
mod policies;
mod ports;
mod probes;
mod resources;
mod security;

pub(crate) use env::file_key_ref_volumes;
pub(crate) use lists::{containers, image_whitespace};
