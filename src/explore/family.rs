//! The parts of the Pod API that `podpatch explore` aims its requests at
//! (field families), and the four patch types. Coverage is counted per
//! family and patch type, and the generator steers by those counts.

/// The part of the Pod API a generated request aims at; coverage is counted
/// per family and the generator steers toward the least covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Labels,
    Annotations,
    MetadataOther,
    Image,
    Tolerations,
    ActiveDeadline,
    SchedulingGates,
    Resources,
    Probes,
    SecurityContext,
    Affinity,
    Volumes,
    Env,
    ImmutableSpec,
    Status,
    Resize,
    EphemeralContainers,
}

impl Family {
    pub const ALL: [Family; 17] = [
        Family::Labels,
        Family::Annotations,
        Family::MetadataOther,
        Family::Image,
        Family::Tolerations,
        Family::ActiveDeadline,
        Family::SchedulingGates,
        Family::Resources,
        Family::Probes,
        Family::SecurityContext,
        Family::Affinity,
        Family::Volumes,
        Family::Env,
        Family::ImmutableSpec,
        Family::Status,
        Family::Resize,
        Family::EphemeralContainers,
    ];

    /// The name used in tags, file names and the coverage table.
    pub fn name(self) -> &'static str {
        match self {
            Family::Labels => "labels",
            Family::Annotations => "annotations",
            Family::MetadataOther => "metadata",
            Family::Image => "image",
            Family::Tolerations => "tolerations",
            Family::ActiveDeadline => "active-deadline",
            Family::SchedulingGates => "scheduling-gates",
            Family::Resources => "resources",
            Family::Probes => "probes",
            Family::SecurityContext => "security-context",
            Family::Affinity => "affinity",
            Family::Volumes => "volumes",
            Family::Env => "env",
            Family::ImmutableSpec => "immutable-spec",
            Family::Status => "status",
            Family::Resize => "resize",
            Family::EphemeralContainers => "ephemeral-containers",
        }
    }

    /// The subresource the family's requests go to, if not the pod itself.
    pub fn subresource(self) -> Option<&'static str> {
        match self {
            Family::Status => Some("status"),
            Family::Resize => Some("resize"),
            Family::EphemeralContainers => Some("ephemeralcontainers"),
            _ => None,
        }
    }
}

/// The four patch types, as case files name them.
pub const PATCH_TYPES: [&str; 4] = ["json", "merge", "strategic", "apply"];
