//! Storage (`registry/generic/registry/store.go` over etcd): objects,
//! resourceVersions, the store's steps on pods, and the label and field
//! selectors of list and delete-collection.

pub(crate) mod object;
pub(crate) mod pods;
pub(crate) mod selector;
pub(crate) mod store;
