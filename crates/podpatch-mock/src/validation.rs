//! Pod validation as `pkg/apis/core/validation` words it, one file per
//! area: `ValidatePodCreate` and the pod-specific annotations (`pod`),
//! `ValidatePodUpdate` with its mutable fields (`pod_update`), the status,
//! ephemeral-containers and resize subresources (`pod_status`,
//! `ephemeral_update`, `resize`), `ValidatePodSpec` (`podspec`) and the
//! areas it calls (containers, volumes, resources, security, affinity,
//! topology spread, tolerations, scheduling gates), object metadata and the
//! name formats it relies on (`objectmeta`, `names`), and the generic
//! registry's common-fields pass (`common_fields`).
//!
//! This file only declares the modules and re-exports what the REST layer
//! calls; validation inspects values only and never mutates them.

mod affinity;
mod annotations;
mod common_fields;
mod container;
mod ephemeral_update;
pub(crate) mod field;
pub(crate) mod internal_types;
pub(crate) mod names;
pub(crate) mod objectmeta;
mod paths;
mod pod;
mod pod_status;
mod pod_update;
mod podspec;
mod profiles;
mod resize;
pub(crate) mod resources;
mod scheduling_gates;
mod security;
mod spread;
mod tolerations;
pub(crate) mod value;
pub(crate) mod volume;

pub use common_fields::common_fields_update;
pub use ephemeral_update::validate_ephemeral_update;
pub use pod::validate_create;
pub use pod_status::validate_status_update;
pub use pod_update::validate_update;
pub use resize::validate_resize;
