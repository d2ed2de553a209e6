//! The `v1.ContainerStatus` tables: the real server decodes the status
//! lists into these structs, so zero values (`state: {}`, `ready: false`,
//! `restartCount: 0`, `startedAt: null`) appear and Go types are enforced.

use crate::schema::shared::RESOURCE_REQUIREMENTS;
use crate::schema::types::{List, ListKind, Struct, Ty, a, atomic, f, keyed, p};

/// `v1.ContainerStatus`, the item of the three atomic status lists.
pub(crate) static CONTAINER_STATUS: Struct = Struct {
    name: "ContainerStatus",
    fields: &[
        a("name", Ty::Str),
        // Structs held by value: `omitempty` never drops them.
        a("state", Ty::Struct(&CONTAINER_STATE)),
        a("lastState", Ty::Struct(&CONTAINER_STATE)),
        a("ready", Ty::Bool),
        a("restartCount", Ty::Int32),
        a("image", Ty::Str),
        a("imageID", Ty::Str),
        f("containerID", Ty::Str),
        p("started", Ty::Bool),
        f("allocatedResources", Ty::Map(&Ty::Quantity)),
        p("resources", Ty::Struct(&RESOURCE_REQUIREMENTS)),
        f(
            "volumeMounts",
            Ty::List(&keyed(
                Ty::Struct(&VOLUME_MOUNT_STATUS),
                "mountPath",
                &["mountPath"],
            )),
        ),
        p("user", Ty::Struct(&CONTAINER_USER)),
        f(
            "allocatedResourcesStatus",
            Ty::List(&keyed(Ty::Struct(&RESOURCE_STATUS), "name", &["name"])),
        ),
        p("stopSignal", Ty::Str).go("v1.Signal"),
    ],
};

static CONTAINER_STATE: Struct = Struct {
    name: "ContainerState",
    fields: &[
        p(
            "waiting",
            Ty::Struct(&Struct {
                name: "ContainerStateWaiting",
                fields: &[f("reason", Ty::Str), f("message", Ty::Str)],
            }),
        ),
        p(
            "running",
            Ty::Struct(&Struct {
                name: "ContainerStateRunning",
                // A `metav1.Time` struct: a zero value marshals as `null`.
                fields: &[a("startedAt", Ty::Time)],
            }),
        ),
        p("terminated", Ty::Struct(&CONTAINER_STATE_TERMINATED)),
    ],
};

static CONTAINER_STATE_TERMINATED: Struct = Struct {
    name: "ContainerStateTerminated",
    fields: &[
        a("exitCode", Ty::Int32),
        f("signal", Ty::Int32),
        f("reason", Ty::Str),
        f("message", Ty::Str),
        a("startedAt", Ty::Time),
        a("finishedAt", Ty::Time),
        f("containerID", Ty::Str),
    ],
};

static VOLUME_MOUNT_STATUS: Struct = Struct {
    name: "VolumeMountStatus",
    fields: &[
        a("name", Ty::Str),
        a("mountPath", Ty::Str),
        f("readOnly", Ty::Bool),
        p("recursiveReadOnly", Ty::Str).go("v1.RecursiveReadOnlyMode"),
        p(
            "volumeStatus",
            Ty::Struct(&Struct {
                name: "VolumeStatus",
                fields: &[p(
                    "image",
                    Ty::Struct(&Struct {
                        name: "ImageVolumeStatus",
                        fields: &[a("imageRef", Ty::Str)],
                    }),
                )],
            }),
        ),
    ],
};

static CONTAINER_USER: Struct = Struct {
    name: "ContainerUser",
    fields: &[p(
        "linux",
        Ty::Struct(&Struct {
            name: "LinuxContainerUser",
            fields: &[
                a("uid", Ty::Int),
                a("gid", Ty::Int),
                f("supplementalGroups", Ty::List(&atomic(Ty::Int))),
            ],
        }),
    )],
};

static RESOURCE_STATUS: Struct = Struct {
    name: "ResourceStatus",
    fields: &[
        a("name", Ty::Str).go("v1.ResourceName"),
        f(
            "resources",
            // `+listType=map` without a patch strategy: replaced by strategic
            // merge, keyed by server-side apply.
            Ty::List(&List {
                item: Ty::Struct(&Struct {
                    name: "ResourceHealth",
                    fields: &[
                        a("resourceID", Ty::Str).go("v1.ResourceID"),
                        f("health", Ty::Str).go("v1.ResourceHealthStatus"),
                        p("message", Ty::Str),
                    ],
                }),
                kind: ListKind::Atomic,
                ssa_keys: &["resourceID"],
            }),
        ),
    ],
};
