//! The REST handlers behind the routes (`endpoints/handlers` create, update,
//! patch and the rest.go checks): the order kube-apiserver runs its steps
//! in, from decoding the body to the store's write. Get and delete are the
//! store's alone ([`crate::registry::pods`]).

pub(crate) mod apply;
pub(crate) mod checks;
pub(crate) mod create;
pub(crate) mod decode;
pub(crate) mod outcome;
pub(crate) mod patch;
pub(crate) mod patch_type;
#[cfg(test)]
mod pipeline_tests;
pub(crate) mod update;
