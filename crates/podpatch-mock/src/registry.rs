//! Storage (`registry/generic/registry/store.go` over etcd): objects,
//! resourceVersions, and the label and field selectors of list and
//! delete-collection.

pub(crate) mod selector;
pub(crate) mod store;
