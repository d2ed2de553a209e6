//! Server-side apply and `metadata.managedFields` upkeep, after
//! `k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager` and
//! `structured-merge-diff`: the managed-fields entries and the `Update`
//! upkeep, the tree merge of an applied configuration, the schema check of
//! a configuration, kubectl's last-applied annotation, conflicts (409
//! `FieldManagerConflict`) and the apply operation itself. Ownership is
//! tracked with `fieldpath` sets. This file only declares the parts and
//! re-exports what the REST layer calls; none of them defaults, admits or
//! validates the result.

mod conflicts;
mod last_applied;
mod managed_fields;
mod merge_tree;
mod schema_check;
mod server_side;
mod unchanged_sets;

pub use managed_fields::record_update;
pub use schema_check::schema_errors;
pub use server_side::server_side_apply;
