//! The shape of the Kubernetes objects the mock serves (Pod, Namespace,
//! ServiceAccount, Status, lists), written down as static tables mirroring the
//! Go structs of `k8s.io/api/core/v1` and `k8s.io/apimachinery/pkg/apis/meta/v1`.
//!
//! One table drives several behaviours so they cannot drift apart: the key
//! order of responses (Go emits struct fields in declaration order), which
//! fields are dropped when empty (`omitempty`), unknown-field detection, type
//! checks on decode, the strategic-merge-patch list strategies and the
//! server-side-apply list keys. Sub-trees the mock does not model in detail
//! are `Ty::Any`: accepted as sent, keys sorted. This file only declares the
//! table files and re-exports them; the schema holds data only, never
//! request logic.

mod container_status;
mod meta;
mod objects;
mod pod;
mod shared;
mod types;
mod volume;

pub(crate) use meta::LABEL_SELECTOR_TY;
pub use meta::{API_RESOURCE_LIST_TY, STATUS_TY, VERSION_TY};
pub use objects::{NAMESPACE_LIST_TY, NAMESPACE_TY, POD_LIST_TY, SERVICE_ACCOUNT_TY, TABLE_TY};
pub use pod::{POD_SPEC_TY, POD_TY};
pub use types::{Field, List, ListKind, Presence, Struct, Ty};
pub(crate) use types::{a, f};
