//! The `k8s.io/api/core/v1` objects the mock serves besides the pod's own
//! tree: `Namespace`, `ServiceAccount`, `PodList`, `NamespaceList` and the
//! `metav1.Table` of pods (its rows carry a `Pod`).
//! Data only.

use crate::schema::meta::{LIST_META, OBJECT_META};
use crate::schema::pod::POD;
use crate::schema::types::{STR_LIST, Struct, Ty, a, atomic, f, p};

/// `v1.Namespace`.
pub static NAMESPACE_TY: Ty = Ty::Struct(&NAMESPACE);

pub(crate) static NAMESPACE: Struct = Struct {
    name: "Namespace",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&OBJECT_META)),
        a(
            "spec",
            Ty::Struct(&Struct {
                name: "NamespaceSpec",
                fields: &[f("finalizers", Ty::List(&STR_LIST)).go("v1.FinalizerName")],
            }),
        ),
        a(
            "status",
            Ty::Struct(&Struct {
                name: "NamespaceStatus",
                fields: &[
                    f("phase", Ty::Str).go("v1.NamespacePhase"),
                    f("conditions", Ty::List(&atomic(Ty::Any))),
                ],
            }),
        ),
    ],
};

/// `v1.ServiceAccount`.
pub static SERVICE_ACCOUNT_TY: Ty = Ty::Struct(&Struct {
    name: "ServiceAccount",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&OBJECT_META)),
        f("secrets", Ty::List(&atomic(Ty::Any))),
        f("imagePullSecrets", Ty::List(&atomic(Ty::Any))),
        p("automountServiceAccountToken", Ty::Bool),
    ],
});

/// `v1.PodList`.
pub static POD_LIST_TY: Ty = Ty::Struct(&Struct {
    name: "PodList",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&LIST_META)),
        a("items", Ty::List(&atomic(Ty::Struct(&POD)))),
    ],
});

/// `v1.NamespaceList`.
pub static NAMESPACE_LIST_TY: Ty = Ty::Struct(&Struct {
    name: "NamespaceList",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&LIST_META)),
        a("items", Ty::List(&atomic(Ty::Struct(&NAMESPACE)))),
    ],
});

/// `meta/v1.Table`, whose rows carry the pod (or its metadata) as `object`.
pub static TABLE_TY: Ty = Ty::Struct(&Struct {
    name: "Table",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&LIST_META)),
        a(
            "columnDefinitions",
            Ty::List(&atomic(Ty::Struct(&Struct {
                name: "TableColumnDefinition",
                fields: &[
                    a("name", Ty::Str),
                    a("type", Ty::Str),
                    a("format", Ty::Str),
                    a("description", Ty::Str),
                    a("priority", Ty::Int32),
                ],
            }))),
        ),
        a(
            "rows",
            Ty::List(&atomic(Ty::Struct(&Struct {
                name: "TableRow",
                fields: &[
                    a("cells", Ty::List(&atomic(Ty::Any))),
                    a("object", Ty::Struct(&POD)),
                ],
            }))),
        ),
    ],
});
