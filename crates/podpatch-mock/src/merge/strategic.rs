//! Strategic merge patch as `k8s.io/apimachinery/pkg/util/strategicpatch`
//! applies it server-side (`MergeParallelList` and `IgnoreUnmatchedNulls`
//! on): maps merge, `null` deletes, lists follow the Pod's Go struct tags
//! from [`crate::schema`] (merge by key, primitive sets, or replace), and the
//! directives `$patch`, `$retainKeys`, `$setElementOrder/<list>` and
//! `$deleteFromPrimitiveList/<list>`. The element order of merged lists
//! follows Go's `normalizeElementOrder`, so new elements land first.
//!
//! This file only declares the parts (the merge itself, directives, schema
//! lookups, element order, errors with the Go texts) and re-exports what
//! the patch handler calls.

mod directives;
mod errors;
mod lookup;
mod order;
mod patch;

pub use errors::SmpError;
pub use patch::apply;
pub(crate) use patch::discard_nulls;
