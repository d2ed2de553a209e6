//! The Kubernetes minor the mock answers as, 1.30 to 1.37, and what that
//! minor's kube-apiserver does differently: its feature gates' defaults
//! (`pkg/features/kube_features.go`, `versioned_kube_features.go`) and the
//! code changes between releases, each as one named predicate here, so that
//! the rest of the mock asks `Version::current().has_pod_generation()` and
//! never compares minors itself.
//!
//! kube-apiserver reads its feature gates from a process-wide value
//! (`utilfeature.DefaultFeatureGate`); the mock may serve several minors in
//! one process (tests run one server per minor), so the version is the
//! server's, set around each request by the router
//! ([`Version::scope`]) and read back anywhere below it with
//! [`Version::current`]. Code that runs outside a request (unit tests) sees
//! the default, 1.37. This module holds versions; it must not hold
//! Kubernetes behaviour beyond naming which minor has it.

use std::fmt;
use std::future::Future;
use std::str::FromStr;

/// Fields of the API types that older minors do not have, as (Go type,
/// field, first minor): a decoder of an older minor drops them as unknown.
const FIELDS_SINCE: &[(&str, &str, u8)] = &[
    ("ContainerStatus", "user", 31),
    ("Lifecycle", "stopSignal", 33),
];

/// Fields that Go's `omitzero` drops when zero, as (Go type, field, first
/// minor): before it, the zero value is emitted (a `metav1.Time` as `null`).
const OMITZERO_SINCE: &[(&str, &str, u8)] = &[("ObjectMeta", "creationTimestamp", 34)];

tokio::task_local! {
    static CURRENT: Version;
}

/// A Kubernetes minor of major version 1 that the mock can answer as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    minor: u8,
}

/// Why a version cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("`{0}` is not a Kubernetes version: give 1.MINOR, e.g. 1.37")]
    Malformed(String),
    #[error("the built-in mock answers as Kubernetes 1.30 to 1.37, not {0}")]
    Unsupported(String),
}

impl Version {
    /// The oldest minor the mock answers as.
    pub const OLDEST: Version = Version { minor: 30 };
    /// The newest minor the mock answers as.
    pub const NEWEST: Version = Version { minor: 37 };
    /// What the mock answers as when no version is asked for: the suite's
    /// baseline.
    pub const DEFAULT: Version = Version { minor: 37 };

    /// Kubernetes 1.`minor`, if the mock can answer as it.
    pub fn new(minor: u32) -> Result<Version, VersionError> {
        u8::try_from(minor)
            .ok()
            .map(|minor| Version { minor })
            .filter(|v| (Version::OLDEST..=Version::NEWEST).contains(v))
            .ok_or_else(|| VersionError::Unsupported(format!("1.{minor}")))
    }

    /// Every minor the mock answers as, oldest first.
    pub fn all() -> impl Iterator<Item = Version> {
        (Version::OLDEST.minor..=Version::NEWEST.minor).map(|minor| Version { minor })
    }

    /// The minor number (`36` for 1.36).
    pub fn minor(self) -> u32 {
        u32::from(self.minor)
    }

    /// The version of the server handling the current request (the default
    /// outside one).
    pub fn current() -> Version {
        CURRENT.try_with(|v| *v).unwrap_or(Version::DEFAULT)
    }

    /// Runs `fut` as a request to a server of this version.
    pub async fn scope<F: Future>(self, fut: F) -> F::Output {
        CURRENT.scope(self, fut).await
    }

    /// Wraps synchronous `work` so that it sees the current version wherever
    /// it runs (work moved to another thread leaves the request's task).
    pub fn carry<T>(work: impl FnOnce() -> T) -> impl FnOnce() -> T {
        let version = Version::current();
        move || version.run(work)
    }

    /// Runs synchronous `work` as a server of this version would.
    pub fn run<T>(self, work: impl FnOnce() -> T) -> T {
        CURRENT.sync_scope(self, work)
    }

    fn since(self, minor: u8) -> bool {
        self.minor >= minor
    }

    /// Whether `field` of the Go type `ty` is dropped when zero (`omitzero`)
    /// in this minor.
    pub fn omits_zero(self, ty: &str, field: &str) -> bool {
        self.reached(OMITZERO_SINCE, ty, field)
    }

    /// Whether `table` lists `field` of `ty` from this minor or an older
    /// one, or does not list it.
    fn reached(self, table: &[(&str, &str, u8)], ty: &str, field: &str) -> bool {
        table
            .iter()
            .find(|(t, f, _)| *t == ty && *f == field)
            .is_none_or(|(_, _, minor)| self.since(*minor))
    }

    /// Whether the Go type `ty` has `field` in this minor's API.
    pub fn has_field(self, ty: &str, field: &str) -> bool {
        self.reached(FIELDS_SINCE, ty, field)
    }

    /// Pods carry `metadata.generation` (KEP-5067, 1.33), which also made
    /// the ephemeral-containers strategy keep the new metadata
    /// (`ResetObjectMetaForStatus`) rather than the old pod's whole.
    pub fn has_pod_generation(self) -> bool {
        self.since(33)
    }

    /// Dynamic resource allocation is on (`DynamicResourceAllocation` GA,
    /// 1.34): before, a pod's `resourceClaims` and its containers'
    /// `resources.claims` are dropped unless the old pod lists claims.
    pub fn enables_dynamic_resource_allocation(self) -> bool {
        self.since(34)
    }

    /// `ProcMountType` is on (beta, on by default from 1.33): a container's
    /// `procMount` is kept as sent; before, a set one reads `Default`.
    pub fn keeps_proc_mount(self) -> bool {
        self.since(33)
    }

    /// In-place resize is on (`InPlacePodVerticalScaling` beta, 1.33): the
    /// `pods/resize` subresource is served and containers keep `resizePolicy`.
    pub fn has_resize_subresource(self) -> bool {
        self.since(33)
    }

    /// Every init container may be resized in place, not only sidecars
    /// (`InPlacePodVerticalScalingInitContainers`, beta and on in 1.36;
    /// before, a non-sidecar init container's resources are immutable).
    pub fn resizes_init_containers(self) -> bool {
        self.since(36)
    }

    /// Pod-level resources may be resized in place
    /// (`InPlacePodLevelResourcesVerticalScaling`, beta and on in 1.36).
    pub fn resizes_pod_level_resources(self) -> bool {
        self.since(36)
    }

    /// A resize of a pod with pod-level resources is refused before any
    /// other resize check (1.33 and 1.34); 1.35 refuses it later, naming
    /// the alpha gate.
    pub fn refuses_pod_level_resize_first(self) -> bool {
        !self.since(35)
    }

    /// A resize compares each container's resource claims with the old
    /// ones (`dropCPUMemoryResourcesFromContainer` keeps them, 1.37): a pod
    /// with claims may be resized, a resize that adds a claim is refused;
    /// before, the claims were dropped from the new container only.
    pub fn compares_resize_claims(self) -> bool {
        self.since(37)
    }

    /// A resize drops a container's new limits (or requests) whole when the
    /// old container had none, so whatever the resize adds there is not
    /// compared (1.33 and 1.34's `dropCPUMemoryUpdates` returns nil for a nil
    /// old list; from 1.35 only when both lists are nil).
    pub fn ignores_resize_lists_new_to_a_container(self) -> bool {
        !self.since(35)
    }

    /// A resize may not lower a container's memory limit, or add one,
    /// unless memory's resize policy is `RestartContainer` (1.33's
    /// `validateContainerResize`; 1.34 dropped the rule).
    pub fn keeps_memory_limits_from_shrinking(self) -> bool {
        self.minor == 33
    }

    /// Owner reference errors name the reference's index, and an empty
    /// field is `Required` (apimachinery's `validateOwnerReference`, 1.37).
    pub fn indexes_owner_references(self) -> bool {
        self.since(37)
    }

    /// An update's errors that several validation passes find (metadata,
    /// images, tolerations) are reported once each (1.37; before, once per
    /// pass, 2 to 4 times).
    pub fn reports_metadata_causes_once(self) -> bool {
        self.since(37)
    }

    /// A PATCH body is checked before anything else (`validateAndTranscodePatch`,
    /// 1.37): JSON bodies must be valid JSON (`invalid JSON patch`), apply
    /// bodies must convert from YAML (`error encoding patch: …`), and apply
    /// decoding errors say `patch`, not `YAML`.
    pub fn validates_patch_body_first(self) -> bool {
        self.since(37)
    }

    /// A create through apply (`Store.Update` creating) wipes the system
    /// metadata fields as POST does (`WipeObjectMetaSystemFields`, 1.37).
    pub fn wipes_apply_created_metadata(self) -> bool {
        self.since(37)
    }

    /// IP addresses in legacy fields (status pod and host IPs, DNS
    /// nameservers, host alias IPs) are validated strictly: leading zeros and
    /// IPv4-mapped IPv6 addresses are refused (`StrictIPCIDRValidation`, beta
    /// and on in 1.36; before, `ParseIPSloppy` alone decides).
    pub fn validates_ips_strictly(self) -> bool {
        self.since(36)
    }

    /// Such IP addresses get warnings when non-standard or non-canonical
    /// (`GetWarningsForIP`, in the pod and status strategies since 1.33).
    pub fn warns_on_ip_formats(self) -> bool {
        self.since(33)
    }

    /// Environment variable names (and `envFrom` prefixes) may be any
    /// printable ASCII but `=` (`RelaxedEnvironmentVariableValidation`, beta
    /// and on in 1.32; before, `[-._a-zA-Z][-._a-zA-Z0-9]*`).
    pub fn relaxes_env_var_names(self) -> bool {
        self.since(32)
    }

    /// The values of required node affinity requirements must be label
    /// values (`ValidateNodeSelectorRequirement` with
    /// `AllowInvalidLabelValueInRequiredNodeAffinity` from the old pod, 1.33;
    /// before, `validateNodeAffinity` passes `true`, a TODO).
    pub fn checks_required_node_affinity_values(self) -> bool {
        self.since(33)
    }

    /// A container status's reported uid may be any `uid_t`, up to
    /// 4294967295 (1.37; an int32 before).
    pub fn allows_uint32_status_uid(self) -> bool {
        self.since(37)
    }

    /// An allocated resource status naming no claim of its container says
    /// how claim names are formed from `container.resources.claims[*]`
    /// (1.37; before, `in a format 'claim:<claimName>/<request>' …`).
    pub fn explains_claim_status_names(self) -> bool {
        self.since(37)
    }

    /// A status update that drops `resourceClaimStatuses` (nil, not
    /// empty) keeps the old ones (`podStatusStrategy.PrepareForUpdate`,
    /// 1.37; before, the update removes them).
    pub fn keeps_dropped_claim_statuses(self) -> bool {
        self.since(37)
    }

    /// Status errors name their own paths: container status users under
    /// `….user.linux` (`….linux` before) and condition types under
    /// `status.conditions` (`metadata.conditions` before) (1.33).
    pub fn fixed_status_paths(self) -> bool {
        self.since(33)
    }

    /// The host namespace fields (`hostNetwork`, `hostPID`, `hostIPC`,
    /// `shareProcessNamespace`, `hostUsers`) are fields of the internal pod
    /// spec (1.37; of its security context before): `shareProcessNamespace`
    /// with `hostPID` is refused on `spec.shareProcessNamespace` after the
    /// security context's checks (`validateShareProcessNamespace`), and a
    /// Windows pod's host namespaces are refused after its security context
    /// fields (`validateWindows`).
    pub fn holds_host_namespaces_on_spec(self) -> bool {
        self.since(37)
    }

    /// Label keys and values are checked by `api/validate/content`: "a valid
    /// label key", limits in bytes (1.35; "a qualified name" and characters
    /// before).
    pub fn words_limits_in_bytes(self) -> bool {
        self.since(35)
    }

    /// `field.TooLong` says `may not be more than N bytes` (1.32; `must have
    /// at most N bytes` before).
    pub fn words_too_long_may_not(self) -> bool {
        self.since(32)
    }

    /// A `preStop`/`postStart` sleep of 0 seconds is allowed
    /// (PodLifecycleSleepActionAllowZero, beta in 1.33).
    pub fn allows_zero_sleep(self) -> bool {
        self.since(33)
    }

    /// A refused sleep names the AllowPodLifecycleSleepActionZeroValue gate
    /// (1.32, while the gate was alpha).
    pub fn hints_zero_sleep_gate(self) -> bool {
        self.minor == 32
    }

    /// `ComputePodQOS` classes each container's (or the pod-level) requests
    /// and limits on their own, a negative amount included, and pod-level
    /// resources decide only when they name a supported resource
    /// (`PodLevelResourcesFixKubeletQOSClass`): 1.37; before, amounts above
    /// zero are summed over all containers.
    pub fn computes_qos_per_requirements(self) -> bool {
        self.since(37)
    }

    /// `ValidatePodUpdate` refuses a spec change that changes the QoS class
    /// with `metadata: Pod QoS is immutable` (1.31 and older; from 1.32 the
    /// spec cause alone says it).
    pub fn checks_qos_on_update(self) -> bool {
        !self.since(32)
    }

    /// A status update keeps `qosClass`: an emptied one gets the old class
    /// back (`podStatusStrategy.PrepareForUpdate`) and any other change is
    /// refused `field is immutable` (`ValidatePodStatusUpdate`) (1.32;
    /// before, a status update may set it to anything).
    pub fn keeps_qos_class_in_status(self) -> bool {
        self.since(32)
    }

    /// A toleration with `Exists` and a value is refused quoting the value
    /// (1.32; the whole `core.Toleration` struct before).
    pub fn quotes_toleration_value(self) -> bool {
        self.since(32)
    }

    /// A created pod's projected volumes whose item paths overlap are
    /// warned about (`warningsForOverlappingVirtualPaths`, 1.32).
    pub fn warns_overlapping_paths(self) -> bool {
        self.since(32)
    }

    /// Two volume types in one projection are refused `… per source` (1.31;
    /// `may not specify more than 1 volume type` before).
    pub fn says_per_source(self) -> bool {
        self.since(31)
    }

    /// Decode errors name embedded structs in the Go field path
    /// (`readinessProbe.ProbeHandler.httpGet.port`): sigs.k8s.io/json took
    /// Go 1.24's encoding/json change in the version 1.35 vendors; before, the
    /// path skips them.
    pub fn names_embedded_structs(self) -> bool {
        self.since(35)
    }

    /// Field errors render non-primitive bad values as JSON (1.34; Go's
    /// `%#v` before, and a nil value as the string `"null"`).
    pub fn renders_values_as_json(self) -> bool {
        self.since(34)
    }

    /// go-restful (3.12, in 1.34) refuses a PATCH of an unaccepted
    /// Content-Type with `415: Unsupported Media Type` whatever its body;
    /// before, an empty body was matched on to Accept and answered listing
    /// no representations.
    pub fn restful_refuses_content_type_alone(self) -> bool {
        self.since(34)
    }

    /// The overlapping-paths warning starts each projected source with no
    /// paths (1.34; before, a source without paths of its own reused the
    /// previous source's).
    pub fn resets_projected_source_paths(self) -> bool {
        self.since(34)
    }

    /// Pod-level resources are defaulted by the pod strategy on create
    /// (`DefaultPodLevelResources`, PodLevelResourcesFixDefaulting, 1.37),
    /// not on every decode: after the field manager, and not on updates.
    pub fn defaults_pod_level_resources_in_strategy(self) -> bool {
        self.since(37)
    }

    /// Projected volumes keep their `clusterTrustBundle` and
    /// `podCertificate` sources, which are validated
    /// (`ClusterTrustBundleProjection` and `PodCertificateRequest` GA and
    /// on in 1.37; before, `dropDisabledPodFields` removes them unless the
    /// old pod uses them).
    pub fn keeps_certificate_projections(self) -> bool {
        self.since(37)
    }

    /// A pod's `seLinuxChangePolicy` may be `MountOption` as well as
    /// `Recursive` (`SELinuxMount` GA and on in 1.37; before, only a pod
    /// whose old spec has a policy may, `useOnlyRecursiveSELinuxChangePolicy`).
    pub fn allows_mount_option_selinux_policy(self) -> bool {
        self.since(37)
    }

    /// The scheduling-gated condition a created pod gets is set through
    /// `UpdatePodCondition`, with a `lastTransitionTime` (1.31; 1.30
    /// appends it with none).
    pub fn stamps_gated_condition(self) -> bool {
        self.since(31)
    }
}

impl Default for Version {
    fn default() -> Self {
        Version::DEFAULT
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "1.{}", self.minor)
    }
}

impl FromStr for Version {
    type Err = VersionError;

    /// Reads `1.33` (or `v1.33`, `1.33.2`).
    fn from_str(text: &str) -> Result<Version, VersionError> {
        let malformed = || VersionError::Malformed(text.to_owned());
        let trimmed = text.trim().trim_start_matches('v');
        let mut parts = trimmed.split('.');
        let (Some("1"), Some(minor)) = (parts.next(), parts.next()) else {
            return Err(malformed());
        };
        if parts.next().is_some_and(|p| p.parse::<u32>().is_err()) || parts.next().is_some() {
            return Err(malformed());
        }
        let minor: u32 = minor.parse().map_err(|_| malformed())?;
        Version::new(minor).map_err(|_| VersionError::Unsupported(trimmed.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds_versions() {
        assert_eq!("1.33".parse::<Version>().unwrap().minor(), 33);
        assert_eq!("v1.30.14".parse::<Version>().unwrap().minor(), 30);
        assert!(matches!(
            "1.29".parse::<Version>(),
            Err(VersionError::Unsupported(_))
        ));
        assert!(matches!(
            "2.1".parse::<Version>(),
            Err(VersionError::Malformed(_))
        ));
        assert!(matches!(
            "1.x".parse::<Version>(),
            Err(VersionError::Malformed(_))
        ));
        assert_eq!(Version::all().count(), 8);
    }

    #[tokio::test]
    async fn the_current_version_is_the_scope_s_also_on_other_threads() {
        assert_eq!(Version::current(), Version::DEFAULT);
        let v = Version::new(31).unwrap();
        let seen = v
            .scope(async {
                let work = Version::carry(Version::current);
                tokio::task::spawn_blocking(work).await.unwrap()
            })
            .await;
        assert_eq!(seen, v);
    }
}
