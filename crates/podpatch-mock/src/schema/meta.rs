//! The `metav1` (and `version.Info`) tables of
//! `k8s.io/apimachinery/pkg/apis/meta/v1/types.go`: `ObjectMeta` with its
//! owner references and managed-fields entries, `ListMeta`, `LabelSelector`,
//! `Status` and its causes, `APIResourceList` and the `/version` body. Data only.

use crate::schema::types::{List, ListKind, STR_LIST, Struct, Ty, a, atomic, f, keyed, p};

/// `metav1.ObjectMeta`.
pub static OBJECT_META: Struct = Struct {
    name: "ObjectMeta",
    fields: &[
        f("name", Ty::Str),
        f("generateName", Ty::Str),
        f("namespace", Ty::Str),
        f("selfLink", Ty::Str),
        f("uid", Ty::Str),
        f("resourceVersion", Ty::Str),
        f("generation", Ty::Int),
        a("creationTimestamp", Ty::Time),
        p("deletionTimestamp", Ty::Time),
        p("deletionGracePeriodSeconds", Ty::Int),
        f("labels", Ty::Map(&Ty::Str)),
        f("annotations", Ty::Map(&Ty::Str)),
        f(
            "ownerReferences",
            Ty::List(&keyed(
                Ty::Atomic(&Ty::Struct(&OWNER_REFERENCE)),
                "uid",
                &["uid"],
            )),
        ),
        f(
            "finalizers",
            Ty::List(&List {
                item: Ty::Str,
                kind: ListKind::Set,
                ssa_keys: &[],
            }),
        ),
        f(
            "managedFields",
            Ty::List(&atomic(Ty::Struct(&MANAGED_FIELDS_ENTRY))),
        ),
    ],
};

pub(crate) static OWNER_REFERENCE: Struct = Struct {
    name: "OwnerReference",
    fields: &[
        a("apiVersion", Ty::Str),
        a("kind", Ty::Str),
        a("name", Ty::Str),
        a("uid", Ty::Str),
        p("controller", Ty::Bool),
        p("blockOwnerDeletion", Ty::Bool),
    ],
};

pub(crate) static MANAGED_FIELDS_ENTRY: Struct = Struct {
    name: "ManagedFieldsEntry",
    fields: &[
        f("manager", Ty::Str),
        f("operation", Ty::Str),
        f("apiVersion", Ty::Str),
        p("time", Ty::Time),
        f("fieldsType", Ty::Str),
        p("fieldsV1", Ty::Any),
        f("subresource", Ty::Str),
    ],
};

pub(crate) static LIST_META: Struct = Struct {
    name: "ListMeta",
    fields: &[
        f("selfLink", Ty::Str),
        f("resourceVersion", Ty::Str),
        f("continue", Ty::Str),
        p("remainingItemCount", Ty::Int),
    ],
};

/// `metav1.LabelSelector`, which is `+structType=atomic` wherever it is used.
pub(crate) const LABEL_SELECTOR_TY: Ty = Ty::Atomic(&Ty::Struct(&LABEL_SELECTOR));

pub(crate) static LABEL_SELECTOR: Struct = Struct {
    name: "LabelSelector",
    fields: &[
        f("matchLabels", Ty::Map(&Ty::Str)),
        f(
            "matchExpressions",
            Ty::List(&atomic(Ty::Struct(&LABEL_SELECTOR_REQUIREMENT))),
        ),
    ],
};

pub(crate) static LABEL_SELECTOR_REQUIREMENT: Struct = Struct {
    name: "LabelSelectorRequirement",
    fields: &[
        a("key", Ty::Str),
        a("operator", Ty::Str),
        f("values", Ty::List(&STR_LIST)),
    ],
};

pub(crate) static CAUSE: Struct = Struct {
    name: "StatusCause",
    fields: &[
        f("reason", Ty::Str),
        f("message", Ty::Str),
        f("field", Ty::Str),
    ],
};

/// `metav1.Status`.
pub static STATUS_TY: Ty = Ty::Struct(&Struct {
    name: "Status",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&LIST_META)),
        f("status", Ty::Str),
        f("message", Ty::Str),
        f("reason", Ty::Str),
        p(
            "details",
            Ty::Struct(&Struct {
                name: "StatusDetails",
                fields: &[
                    f("name", Ty::Str),
                    f("group", Ty::Str),
                    f("kind", Ty::Str),
                    f("uid", Ty::Str),
                    f("causes", Ty::List(&atomic(Ty::Struct(&CAUSE)))),
                    f("retryAfterSeconds", Ty::Int32),
                ],
            }),
        ),
        f("code", Ty::Int32),
    ],
});

pub(crate) static API_RESOURCE: Struct = Struct {
    name: "APIResource",
    fields: &[
        a("name", Ty::Str),
        a("singularName", Ty::Str),
        a("namespaced", Ty::Bool),
        f("group", Ty::Str),
        f("version", Ty::Str),
        a("kind", Ty::Str),
        a("verbs", Ty::List(&STR_LIST)),
        f("shortNames", Ty::List(&STR_LIST)),
        f("categories", Ty::List(&STR_LIST)),
        f("storageVersionHash", Ty::Str),
    ],
};

/// `metav1.APIResourceList` (`/api/v1` discovery).
pub static API_RESOURCE_LIST_TY: Ty = Ty::Struct(&Struct {
    name: "APIResourceList",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("groupVersion", Ty::Str),
        a("resources", Ty::List(&atomic(Ty::Struct(&API_RESOURCE)))),
    ],
});

/// The `/version` document (`version.Info`).
pub static VERSION_TY: Ty = Ty::Struct(&Struct {
    name: "Info",
    fields: &[
        a("major", Ty::Str),
        a("minor", Ty::Str),
        f("emulationMajor", Ty::Str),
        f("emulationMinor", Ty::Str),
        f("minCompatibilityMajor", Ty::Str),
        f("minCompatibilityMinor", Ty::Str),
        a("gitVersion", Ty::Str),
        a("gitCommit", Ty::Str),
        a("gitTreeState", Ty::Str),
        a("buildDate", Ty::Str),
        a("goVersion", Ty::Str),
        a("compiler", Ty::Str),
        a("platform", Ty::Str),
    ],
});
