//! The pod's own registry logic (`pkg/registry/core/pod` and the admission
//! plugins of `plugin/pkg/admission`): the strategy's PrepareForCreate /
//! PrepareForUpdate steps, dropping disabled fields, create warnings and the
//! default admission chain.

pub(crate) mod admission;
pub(crate) mod apparmor;
pub(crate) mod drop_disabled;
pub(crate) mod label_keys;
pub(crate) mod status_strategy;
pub(crate) mod strategy;
pub(crate) mod warnings;
