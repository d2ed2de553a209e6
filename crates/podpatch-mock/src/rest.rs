//! The REST handlers behind the routes (`endpoints/handlers` create, update,
//! patch, get, delete, and the rest.go checks): the order kube-apiserver runs
//! its steps in, from decoding the body to the write.

pub(crate) mod patch;
pub(crate) mod pods;
