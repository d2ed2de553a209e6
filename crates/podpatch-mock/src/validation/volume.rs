//! Volume validation as `pkg/apis/core/validation/validation.go` (1.36)
//! words it, one file per family: `ValidateVolumes` and
//! `validateVolumeSource` with Go's source order (`sources`), node-local
//! sources, network and cloud sources, API-data sources (secret, configMap,
//! downward API, projected, and projected certificates), claim-backed sources (PVC, CSI, ephemeral), and
//! the field rules they share. This file only declares them and re-exports
//! what `ValidatePodSpec` calls.

mod certificates;
mod claims;
mod fields;
mod local;
mod network;
mod projected;
mod sources;

pub(crate) use projected::service_account_tokens;
pub(crate) use sources::volumes;
