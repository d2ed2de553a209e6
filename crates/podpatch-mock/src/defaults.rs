//! Pod defaulting as `k8s.io/kubernetes/pkg/apis/core/v1/defaults.go` (and
//! its generated `SetObjectDefaults_Pod`) does it, one file per object: the
//! pod and its spec, containers, volumes, resource rounding, the
//! image-reference parsing the pull policy needs, and the two field setters. This file only declares
//! them and re-exports the entry point.

mod container;
mod fields;
mod image;
mod pod;
mod pod_level;
mod resources;
mod volume;

pub use pod::default_pod;
pub use pod_level::default_pod_level_resources;
