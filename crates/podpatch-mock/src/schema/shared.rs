//! The small `k8s.io/api/core/v1` types the pod, volume and container
//! status trees all reach: `ResourceRequirements` with `ResourceClaim`,
//! `LocalObjectReference`, `ObjectFieldSelector` and
//! `ResourceFieldSelector`. Data only.

use crate::schema::types::{Struct, Ty, a, f, keyed};

pub(crate) static RESOURCE_CLAIM: Struct = Struct {
    name: "ResourceClaim",
    fields: &[a("name", Ty::Str), f("request", Ty::Str)],
};

pub(crate) static RESOURCE_FIELD_SELECTOR: Struct = Struct {
    name: "ResourceFieldSelector",
    fields: &[
        f("containerName", Ty::Str),
        a("resource", Ty::Str),
        // A `resource.Quantity` struct: `omitempty` never drops it.
        a("divisor", Ty::Quantity),
    ],
};

pub(crate) static RESOURCE_REQUIREMENTS: Struct = Struct {
    name: "ResourceRequirements",
    fields: &[
        f("limits", Ty::Map(&Ty::Quantity)),
        f("requests", Ty::Map(&Ty::Quantity)),
        f(
            "claims",
            Ty::List(&keyed(Ty::Struct(&RESOURCE_CLAIM), "name", &["name"])),
        ),
    ],
};

/// Used as `Ty::Atomic`: `LocalObjectReference` is `+structType=atomic`.
pub(crate) static LOCAL_OBJECT_REFERENCE: Struct = Struct {
    name: "LocalObjectReference",
    fields: &[f("name", Ty::Str)],
};

pub(crate) static OBJECT_FIELD_SELECTOR: Struct = Struct {
    name: "ObjectFieldSelector",
    fields: &[f("apiVersion", Ty::Str), a("fieldPath", Ty::Str)],
};
