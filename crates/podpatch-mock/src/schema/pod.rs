//! The Pod tree of `k8s.io/api/core/v1/types.go` as static tables: `Pod`,
//! `PodSpec` with affinity, topology spread, DNS, OS and resource claims,
//! `PodStatus`, `Container` with ports, env, probes, lifecycle handlers and
//! security contexts, tolerations and scheduling gates, in Go's declaration
//! order; volumes and container statuses have their own files. Data only.

use crate::schema::container_status::CONTAINER_STATUS;
use crate::schema::meta::{LABEL_SELECTOR_TY, OBJECT_META};
use crate::schema::shared::{
    LOCAL_OBJECT_REFERENCE, OBJECT_FIELD_SELECTOR, RESOURCE_FIELD_SELECTOR, RESOURCE_REQUIREMENTS,
};
use crate::schema::types::{
    Field, List, ListKind, STR_LIST, Struct, Ty, a, atomic, f, keyed, p, promoted,
};
use crate::schema::volume::VOLUME;

/// `v1.Pod`.
pub static POD: Struct = Struct {
    name: "Pod",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&OBJECT_META)),
        a("spec", Ty::Struct(&POD_SPEC)),
        a("status", Ty::Struct(&POD_STATUS)),
    ],
};

/// The `Ty` of a whole Pod.
pub static POD_TY: Ty = Ty::Struct(&POD);

/// The `Ty` of a Pod's `spec`.
pub static POD_SPEC_TY: Ty = Ty::Struct(&POD_SPEC);

pub(crate) static POD_SPEC: Struct = Struct {
    name: "PodSpec",
    fields: &[
        f(
            "volumes",
            Ty::List(&List {
                item: Ty::Struct(&VOLUME),
                kind: ListKind::Merge("name"),
                ssa_keys: &["name"],
            }),
        ),
        f(
            "initContainers",
            Ty::List(&keyed(Ty::Struct(&CONTAINER), "name", &["name"])),
        ),
        a(
            "containers",
            Ty::List(&keyed(Ty::Struct(&CONTAINER), "name", &["name"])),
        ),
        f(
            "ephemeralContainers",
            Ty::List(&keyed(Ty::Struct(&EPHEMERAL_CONTAINER), "name", &["name"])),
        ),
        f("restartPolicy", Ty::Str).go("v1.RestartPolicy"),
        p("terminationGracePeriodSeconds", Ty::Int),
        p("activeDeadlineSeconds", Ty::Int),
        f("dnsPolicy", Ty::Str).go("v1.DNSPolicy"),
        f("nodeSelector", Ty::AtomicMap(&Ty::Str)),
        f("serviceAccountName", Ty::Str),
        f("serviceAccount", Ty::Str),
        p("automountServiceAccountToken", Ty::Bool),
        f("nodeName", Ty::Str),
        f("hostNetwork", Ty::Bool),
        f("hostPID", Ty::Bool),
        f("hostIPC", Ty::Bool),
        p("shareProcessNamespace", Ty::Bool),
        p("securityContext", Ty::Struct(&POD_SECURITY_CONTEXT)),
        f(
            "imagePullSecrets",
            Ty::List(&keyed(
                Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
                "name",
                &["name"],
            )),
        ),
        f("hostname", Ty::Str),
        f("subdomain", Ty::Str),
        p("affinity", Ty::Struct(&AFFINITY)),
        f("schedulerName", Ty::Str),
        f("tolerations", Ty::List(&atomic(Ty::Struct(&TOLERATION)))),
        f(
            "hostAliases",
            Ty::List(&keyed(Ty::Struct(&HOST_ALIAS), "ip", &["ip"])),
        ),
        f("priorityClassName", Ty::Str),
        p("priority", Ty::Int32),
        p("dnsConfig", Ty::Struct(&POD_DNS_CONFIG)),
        f(
            "readinessGates",
            Ty::List(&atomic(Ty::Struct(&POD_READINESS_GATE))),
        ),
        p("runtimeClassName", Ty::Str),
        p("enableServiceLinks", Ty::Bool),
        p("preemptionPolicy", Ty::Str).go("v1.PreemptionPolicy"),
        f("overhead", Ty::Map(&Ty::Quantity)),
        f(
            "topologySpreadConstraints",
            Ty::List(&keyed(
                Ty::Struct(&TOPOLOGY_SPREAD_CONSTRAINT),
                "topologyKey",
                &["topologyKey", "whenUnsatisfiable"],
            )),
        ),
        p("setHostnameAsFQDN", Ty::Bool),
        p("os", Ty::Struct(&POD_OS)),
        p("hostUsers", Ty::Bool),
        f(
            "schedulingGates",
            Ty::List(&keyed(Ty::Struct(&SCHEDULING_GATE), "name", &["name"])),
        ),
        f(
            "resourceClaims",
            Ty::List(&List {
                item: Ty::Struct(&POD_RESOURCE_CLAIM),
                kind: ListKind::Merge("name"),
                ssa_keys: &["name"],
            }),
        ),
        p("resources", Ty::Struct(&RESOURCE_REQUIREMENTS)),
        p("hostnameOverride", Ty::Str),
        p("schedulingGroup", Ty::Struct(&POD_SCHEDULING_GROUP)),
    ],
};

pub(crate) static AFFINITY: Struct = Struct {
    name: "Affinity",
    fields: &[
        p("nodeAffinity", Ty::Struct(&NODE_AFFINITY)),
        p("podAffinity", Ty::Struct(&POD_AFFINITY)),
        p("podAntiAffinity", Ty::Struct(&POD_ANTI_AFFINITY)),
    ],
};

pub(crate) static NODE_AFFINITY: Struct = Struct {
    name: "NodeAffinity",
    fields: &[
        p(
            "requiredDuringSchedulingIgnoredDuringExecution",
            Ty::Atomic(&Ty::Struct(&NODE_SELECTOR)),
        ),
        f(
            "preferredDuringSchedulingIgnoredDuringExecution",
            Ty::List(&atomic(Ty::Struct(&PREFERRED_SCHEDULING_TERM))),
        ),
    ],
};

/// `NodeSelector` is `+structType=atomic`.
pub(crate) static NODE_SELECTOR: Struct = Struct {
    name: "NodeSelector",
    fields: &[a(
        "nodeSelectorTerms",
        Ty::List(&atomic(Ty::Atomic(&Ty::Struct(&NODE_SELECTOR_TERM)))),
    )],
};

/// `NodeSelectorTerm` is `+structType=atomic`.
pub(crate) static NODE_SELECTOR_TERM: Struct = Struct {
    name: "NodeSelectorTerm",
    fields: &[
        f(
            "matchExpressions",
            Ty::List(&atomic(Ty::Struct(&NODE_SELECTOR_REQUIREMENT))),
        ),
        f(
            "matchFields",
            Ty::List(&atomic(Ty::Struct(&NODE_SELECTOR_REQUIREMENT))),
        ),
    ],
};

pub(crate) static NODE_SELECTOR_REQUIREMENT: Struct = Struct {
    name: "NodeSelectorRequirement",
    fields: &[
        a("key", Ty::Str),
        a("operator", Ty::Str).go("v1.NodeSelectorOperator"),
        f("values", Ty::List(&STR_LIST)),
    ],
};

pub(crate) static PREFERRED_SCHEDULING_TERM: Struct = Struct {
    name: "PreferredSchedulingTerm",
    fields: &[
        a("weight", Ty::Int32),
        a("preference", Ty::Atomic(&Ty::Struct(&NODE_SELECTOR_TERM))),
    ],
};

pub(crate) static POD_AFFINITY: Struct = Struct {
    name: "PodAffinity",
    fields: &[
        f(
            "requiredDuringSchedulingIgnoredDuringExecution",
            Ty::List(&atomic(Ty::Struct(&POD_AFFINITY_TERM))),
        ),
        f(
            "preferredDuringSchedulingIgnoredDuringExecution",
            Ty::List(&atomic(Ty::Struct(&WEIGHTED_POD_AFFINITY_TERM))),
        ),
    ],
};

pub(crate) static POD_ANTI_AFFINITY: Struct = Struct {
    name: "PodAntiAffinity",
    fields: POD_AFFINITY.fields,
};

pub(crate) static POD_AFFINITY_TERM: Struct = Struct {
    name: "PodAffinityTerm",
    fields: &[
        p("labelSelector", LABEL_SELECTOR_TY),
        f("namespaces", Ty::List(&STR_LIST)),
        a("topologyKey", Ty::Str),
        p("namespaceSelector", LABEL_SELECTOR_TY),
        f("matchLabelKeys", Ty::List(&STR_LIST)),
        f("mismatchLabelKeys", Ty::List(&STR_LIST)),
    ],
};

pub(crate) static WEIGHTED_POD_AFFINITY_TERM: Struct = Struct {
    name: "WeightedPodAffinityTerm",
    fields: &[
        a("weight", Ty::Int32),
        a("podAffinityTerm", Ty::Struct(&POD_AFFINITY_TERM)),
    ],
};

pub(crate) static TOPOLOGY_SPREAD_CONSTRAINT: Struct = Struct {
    name: "TopologySpreadConstraint",
    fields: &[
        a("maxSkew", Ty::Int32),
        a("topologyKey", Ty::Str),
        a("whenUnsatisfiable", Ty::Str).go("v1.UnsatisfiableConstraintAction"),
        p("labelSelector", LABEL_SELECTOR_TY),
        p("minDomains", Ty::Int32),
        p("nodeAffinityPolicy", Ty::Str).go("v1.NodeInclusionPolicy"),
        p("nodeTaintsPolicy", Ty::Str).go("v1.NodeInclusionPolicy"),
        f("matchLabelKeys", Ty::List(&STR_LIST)),
    ],
};

pub(crate) static POD_DNS_CONFIG: Struct = Struct {
    name: "PodDNSConfig",
    fields: &[
        f("nameservers", Ty::List(&STR_LIST)),
        f("searches", Ty::List(&STR_LIST)),
        f(
            "options",
            Ty::List(&atomic(Ty::Struct(&Struct {
                name: "PodDNSConfigOption",
                fields: &[f("name", Ty::Str), p("value", Ty::Str)],
            }))),
        ),
    ],
};

pub(crate) static POD_READINESS_GATE: Struct = Struct {
    name: "PodReadinessGate",
    fields: &[a("conditionType", Ty::Str).go("v1.PodConditionType")],
};

pub(crate) static POD_OS: Struct = Struct {
    name: "PodOS",
    fields: &[a("name", Ty::Str).go("v1.OSName")],
};

pub(crate) static POD_RESOURCE_CLAIM: Struct = Struct {
    name: "PodResourceClaim",
    fields: &[
        a("name", Ty::Str),
        p("resourceClaimName", Ty::Str),
        p("resourceClaimTemplateName", Ty::Str),
    ],
};

pub(crate) static POD_STATUS: Struct = Struct {
    name: "PodStatus",
    fields: &[
        f("observedGeneration", Ty::Int),
        f("phase", Ty::Str).go("v1.PodPhase"),
        f(
            "conditions",
            Ty::List(&keyed(Ty::Struct(&POD_CONDITION), "type", &["type"])),
        ),
        f("message", Ty::Str),
        f("reason", Ty::Str),
        f("nominatedNodeName", Ty::Str),
        f("hostIP", Ty::Str),
        f(
            "hostIPs",
            // `+listType=atomic` with a `patchMergeKey`.
            Ty::List(&List {
                item: Ty::Struct(&POD_IP),
                kind: ListKind::Merge("ip"),
                ssa_keys: &[],
            }),
        ),
        f("podIP", Ty::Str),
        f(
            "podIPs",
            Ty::List(&keyed(Ty::Struct(&POD_IP), "ip", &["ip"])),
        ),
        p("startTime", Ty::Time),
        f(
            "initContainerStatuses",
            Ty::List(&atomic(Ty::Struct(&CONTAINER_STATUS))),
        ),
        f(
            "containerStatuses",
            Ty::List(&atomic(Ty::Struct(&CONTAINER_STATUS))),
        ),
        f("qosClass", Ty::Str).go("v1.PodQOSClass"),
        f(
            "ephemeralContainerStatuses",
            Ty::List(&atomic(Ty::Struct(&CONTAINER_STATUS))),
        ),
        f("resize", Ty::Str).go("v1.PodResizeStatus"),
        f("resourceClaimStatuses", Ty::List(&atomic(Ty::Any))),
        p("extendedResourceClaimStatus", Ty::Any),
    ],
};

pub(crate) static POD_IP: Struct = Struct {
    name: "PodIP",
    fields: &[f("ip", Ty::Str)],
};

pub(crate) static POD_CONDITION: Struct = Struct {
    name: "PodCondition",
    fields: &[
        a("type", Ty::Str).go("v1.PodConditionType"),
        f("observedGeneration", Ty::Int),
        a("status", Ty::Str).go("v1.ConditionStatus"),
        a("lastProbeTime", Ty::Time),
        a("lastTransitionTime", Ty::Time),
        f("reason", Ty::Str),
        f("message", Ty::Str),
    ],
};

pub(crate) static CONTAINER: Struct = Struct {
    name: "Container",
    fields: &CONTAINER_FIELDS,
};

/// `v1.EphemeralContainer`: `Container`'s fields, promoted from its embedded
/// `EphemeralContainerCommon` (which Go's decode errors name from 1.35), then
/// `targetContainerName`.
static EPHEMERAL_CONTAINER: Struct = Struct {
    name: "EphemeralContainer",
    fields: &promoted::<25, 26>(
        &CONTAINER_FIELDS,
        "EphemeralContainerCommon",
        f("targetContainerName", Ty::Str),
    ),
};

/// `v1.Container`'s fields in Go's declaration order.
static CONTAINER_FIELDS: [Field; 25] = [
    a("name", Ty::Str),
    f("image", Ty::Str),
    f("command", Ty::List(&STR_LIST)),
    f("args", Ty::List(&STR_LIST)),
    f("workingDir", Ty::Str),
    f(
        "ports",
        Ty::List(&keyed(
            Ty::Struct(&CONTAINER_PORT),
            "containerPort",
            &["containerPort", "protocol"],
        )),
    ),
    f("envFrom", Ty::List(&atomic(Ty::Struct(&ENV_FROM_SOURCE)))),
    f(
        "env",
        Ty::List(&keyed(Ty::Struct(&ENV_VAR), "name", &["name"])),
    ),
    a("resources", Ty::Struct(&RESOURCE_REQUIREMENTS)),
    f(
        "resizePolicy",
        Ty::List(&atomic(Ty::Struct(&CONTAINER_RESIZE_POLICY))),
    ),
    p("restartPolicy", Ty::Str).go("v1.ContainerRestartPolicy"),
    f(
        "restartPolicyRules",
        Ty::List(&atomic(Ty::Struct(&CONTAINER_RESTART_RULE))),
    ),
    f(
        "volumeMounts",
        Ty::List(&keyed(
            Ty::Struct(&VOLUME_MOUNT),
            "mountPath",
            &["mountPath"],
        )),
    ),
    f(
        "volumeDevices",
        Ty::List(&keyed(
            Ty::Struct(&VOLUME_DEVICE),
            "devicePath",
            &["devicePath"],
        )),
    ),
    p("livenessProbe", Ty::Struct(&PROBE)),
    p("readinessProbe", Ty::Struct(&PROBE)),
    p("startupProbe", Ty::Struct(&PROBE)),
    p("lifecycle", Ty::Struct(&LIFECYCLE)),
    f("terminationMessagePath", Ty::Str),
    f("terminationMessagePolicy", Ty::Str).go("v1.TerminationMessagePolicy"),
    f("imagePullPolicy", Ty::Str).go("v1.PullPolicy"),
    p("securityContext", Ty::Struct(&SECURITY_CONTEXT)),
    f("stdin", Ty::Bool),
    f("stdinOnce", Ty::Bool),
    f("tty", Ty::Bool),
];

pub(crate) static CONTAINER_PORT: Struct = Struct {
    name: "ContainerPort",
    fields: &[
        f("name", Ty::Str),
        f("hostPort", Ty::Int32),
        a("containerPort", Ty::Int32),
        f("protocol", Ty::Str).go("v1.Protocol"),
        f("hostIP", Ty::Str),
    ],
};

pub(crate) static ENV_VAR: Struct = Struct {
    name: "EnvVar",
    fields: &[
        a("name", Ty::Str),
        f("value", Ty::Str),
        p("valueFrom", Ty::Struct(&ENV_VAR_SOURCE)),
    ],
};

pub(crate) static ENV_VAR_SOURCE: Struct = Struct {
    name: "EnvVarSource",
    fields: &[
        p("fieldRef", Ty::Atomic(&Ty::Struct(&OBJECT_FIELD_SELECTOR))),
        p(
            "resourceFieldRef",
            Ty::Atomic(&Ty::Struct(&RESOURCE_FIELD_SELECTOR)),
        ),
        p("configMapKeyRef", Ty::Atomic(&Ty::Struct(&KEY_SELECTOR))),
        p("secretKeyRef", Ty::Atomic(&Ty::Struct(&KEY_SELECTOR))),
        p("fileKeyRef", Ty::Atomic(&Ty::Struct(&FILE_KEY_SELECTOR))),
    ],
};

pub(crate) static FILE_KEY_SELECTOR: Struct = Struct {
    name: "FileKeySelector",
    fields: &[
        a("volumeName", Ty::Str),
        a("path", Ty::Str),
        a("key", Ty::Str),
        p("optional", Ty::Bool),
    ],
};

pub(crate) static ENV_FROM_SOURCE: Struct = Struct {
    name: "EnvFromSource",
    fields: &[
        f("prefix", Ty::Str),
        p("configMapRef", Ty::Struct(&CONFIG_MAP_ENV_SOURCE)),
        p("secretRef", Ty::Struct(&SECRET_ENV_SOURCE)),
    ],
};

/// An inlined `LocalObjectReference` plus `optional` (not atomic: inlining
/// drops the embedded struct's marker).
pub(crate) static CONFIG_MAP_ENV_SOURCE: Struct = Struct {
    name: "ConfigMapEnvSource",
    fields: &[f("name", Ty::Str), p("optional", Ty::Bool)],
};

pub(crate) static SECRET_ENV_SOURCE: Struct = Struct {
    name: "SecretEnvSource",
    fields: CONFIG_MAP_ENV_SOURCE.fields,
};

pub(crate) static CONTAINER_RESIZE_POLICY: Struct = Struct {
    name: "ContainerResizePolicy",
    fields: &[
        a("resourceName", Ty::Str).go("v1.ResourceName"),
        a("restartPolicy", Ty::Str).go("v1.ResourceResizeRestartPolicy"),
    ],
};

pub(crate) static CONTAINER_RESTART_RULE: Struct = Struct {
    name: "ContainerRestartRule",
    fields: &[
        f("action", Ty::Str).go("v1.ContainerRestartRuleAction"),
        p(
            "exitCodes",
            Ty::Struct(&Struct {
                name: "ContainerRestartRuleOnExitCodes",
                fields: &[
                    f("operator", Ty::Str).go("v1.ContainerRestartRuleOnExitCodesOperator"),
                    f(
                        "values",
                        Ty::List(&List {
                            item: Ty::Int32,
                            kind: ListKind::Set,
                            ssa_keys: &[],
                        }),
                    ),
                ],
            }),
        ),
    ],
};

pub(crate) static VOLUME_DEVICE: Struct = Struct {
    name: "VolumeDevice",
    fields: &[a("name", Ty::Str), a("devicePath", Ty::Str)],
};

pub(crate) static LIFECYCLE: Struct = Struct {
    name: "Lifecycle",
    fields: &[
        p("postStart", Ty::Struct(&LIFECYCLE_HANDLER)),
        p("preStop", Ty::Struct(&LIFECYCLE_HANDLER)),
        p("stopSignal", Ty::Str).go("v1.Signal"),
    ],
};

pub(crate) static LIFECYCLE_HANDLER: Struct = Struct {
    name: "LifecycleHandler",
    fields: &[
        p("exec", Ty::Struct(&EXEC_ACTION)),
        p("httpGet", Ty::Struct(&HTTP_GET_ACTION)),
        p("tcpSocket", Ty::Struct(&TCP_SOCKET_ACTION)),
        p(
            "sleep",
            Ty::Struct(&Struct {
                name: "SleepAction",
                fields: &[a("seconds", Ty::Int)],
            }),
        ),
    ],
};

pub(crate) static EXEC_ACTION: Struct = Struct {
    name: "ExecAction",
    fields: &[f("command", Ty::List(&STR_LIST))],
};

pub(crate) static HTTP_GET_ACTION: Struct = Struct {
    name: "HTTPGetAction",
    fields: &[
        f("path", Ty::Str),
        p("port", Ty::IntOrString),
        f("host", Ty::Str),
        f("scheme", Ty::Str).go("v1.URIScheme"),
        f(
            "httpHeaders",
            Ty::List(&atomic(Ty::Struct(&Struct {
                name: "HTTPHeader",
                fields: &[a("name", Ty::Str), a("value", Ty::Str)],
            }))),
        ),
    ],
};

pub(crate) static TCP_SOCKET_ACTION: Struct = Struct {
    name: "TCPSocketAction",
    fields: &[p("port", Ty::IntOrString), f("host", Ty::Str)],
};

pub(crate) static GRPC_ACTION: Struct = Struct {
    name: "GRPCAction",
    fields: &[a("port", Ty::Int32), p("service", Ty::Str)],
};

pub(crate) static CAPABILITIES: Struct = Struct {
    name: "Capabilities",
    fields: &[
        f("add", Ty::List(&STR_LIST)).go("v1.Capability"),
        f("drop", Ty::List(&STR_LIST)).go("v1.Capability"),
    ],
};

pub(crate) static SE_LINUX_OPTIONS: Struct = Struct {
    name: "SELinuxOptions",
    fields: &[
        f("user", Ty::Str),
        f("role", Ty::Str),
        f("type", Ty::Str),
        f("level", Ty::Str),
    ],
};

pub(crate) static WINDOWS_OPTIONS: Struct = Struct {
    name: "WindowsSecurityContextOptions",
    fields: &[
        p("gmsaCredentialSpecName", Ty::Str),
        p("gmsaCredentialSpec", Ty::Str),
        p("runAsUserName", Ty::Str),
        p("hostProcess", Ty::Bool),
    ],
};

pub(crate) static SECCOMP_PROFILE: Struct = Struct {
    name: "SeccompProfile",
    fields: &[
        a("type", Ty::Str).go("v1.SeccompProfileType"),
        p("localhostProfile", Ty::Str),
    ],
};

pub(crate) static APP_ARMOR_PROFILE: Struct = Struct {
    name: "AppArmorProfile",
    fields: &[
        a("type", Ty::Str).go("v1.AppArmorProfileType"),
        p("localhostProfile", Ty::Str),
    ],
};

pub(crate) static NAME_VALUE_SYSCTL: Struct = Struct {
    name: "Sysctl",
    fields: &[a("name", Ty::Str), a("value", Ty::Str)],
};

pub(crate) static KEY_SELECTOR: Struct = Struct {
    name: "KeySelector",
    fields: &[
        f("name", Ty::Str),
        a("key", Ty::Str),
        p("optional", Ty::Bool),
    ],
};

pub(crate) static VOLUME_MOUNT: Struct = Struct {
    name: "VolumeMount",
    fields: &[
        a("name", Ty::Str),
        f("readOnly", Ty::Bool),
        p("recursiveReadOnly", Ty::Str).go("v1.RecursiveReadOnlyMode"),
        a("mountPath", Ty::Str),
        f("subPath", Ty::Str),
        p("mountPropagation", Ty::Str).go("v1.MountPropagationMode"),
        f("subPathExpr", Ty::Str),
    ],
};

pub(crate) static PROBE: Struct = Struct {
    name: "Probe",
    fields: &[
        p("exec", Ty::Struct(&EXEC_ACTION)).embedded("ProbeHandler"),
        p("httpGet", Ty::Struct(&HTTP_GET_ACTION)).embedded("ProbeHandler"),
        p("tcpSocket", Ty::Struct(&TCP_SOCKET_ACTION)).embedded("ProbeHandler"),
        p("grpc", Ty::Struct(&GRPC_ACTION)).embedded("ProbeHandler"),
        f("initialDelaySeconds", Ty::Int32),
        f("timeoutSeconds", Ty::Int32),
        f("periodSeconds", Ty::Int32),
        f("successThreshold", Ty::Int32),
        f("failureThreshold", Ty::Int32),
        p("terminationGracePeriodSeconds", Ty::Int),
    ],
};

pub(crate) static SECURITY_CONTEXT: Struct = Struct {
    name: "SecurityContext",
    fields: &[
        p("capabilities", Ty::Struct(&CAPABILITIES)),
        p("privileged", Ty::Bool),
        p("seLinuxOptions", Ty::Struct(&SE_LINUX_OPTIONS)),
        p("windowsOptions", Ty::Struct(&WINDOWS_OPTIONS)),
        p("runAsUser", Ty::Int),
        p("runAsGroup", Ty::Int),
        p("runAsNonRoot", Ty::Bool),
        p("readOnlyRootFilesystem", Ty::Bool),
        p("allowPrivilegeEscalation", Ty::Bool),
        p("procMount", Ty::Str).go("v1.ProcMountType"),
        p("seccompProfile", Ty::Struct(&SECCOMP_PROFILE)),
        p("appArmorProfile", Ty::Struct(&APP_ARMOR_PROFILE)),
    ],
};

pub(crate) static POD_SECURITY_CONTEXT: Struct = Struct {
    name: "PodSecurityContext",
    fields: &[
        p("seLinuxOptions", Ty::Struct(&SE_LINUX_OPTIONS)),
        p("windowsOptions", Ty::Struct(&WINDOWS_OPTIONS)),
        p("runAsUser", Ty::Int),
        p("runAsGroup", Ty::Int),
        p("runAsNonRoot", Ty::Bool),
        f("supplementalGroups", Ty::List(&atomic(Ty::Int))),
        p("supplementalGroupsPolicy", Ty::Str).go("v1.SupplementalGroupsPolicy"),
        p("fsGroup", Ty::Int),
        f("sysctls", Ty::List(&atomic(Ty::Struct(&NAME_VALUE_SYSCTL)))),
        p("fsGroupChangePolicy", Ty::Str).go("v1.PodFSGroupChangePolicy"),
        p("seccompProfile", Ty::Struct(&SECCOMP_PROFILE)),
        p("appArmorProfile", Ty::Struct(&APP_ARMOR_PROFILE)),
        p("seLinuxChangePolicy", Ty::Str).go("v1.PodSELinuxChangePolicy"),
    ],
};

pub(crate) static TOLERATION: Struct = Struct {
    name: "Toleration",
    fields: &[
        f("key", Ty::Str),
        f("operator", Ty::Str).go("v1.TolerationOperator"),
        f("value", Ty::Str),
        f("effect", Ty::Str).go("v1.TaintEffect"),
        p("tolerationSeconds", Ty::Int),
    ],
};

pub(crate) static HOST_ALIAS: Struct = Struct {
    name: "HostAlias",
    fields: &[a("ip", Ty::Str), f("hostnames", Ty::List(&STR_LIST))],
};

pub(crate) static POD_SCHEDULING_GROUP: Struct = Struct {
    name: "PodSchedulingGroup",
    fields: &[p("podGroupName", Ty::Str)],
};

pub(crate) static SCHEDULING_GATE: Struct = Struct {
    name: "PodSchedulingGate",
    fields: &[a("name", Ty::Str)],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_spec_containers_merge_by_name() {
        let spec = POD_TY.member("spec").expect("spec");
        let containers = spec.member("containers").and_then(Ty::as_list);
        assert_eq!(containers.map(|l| l.kind), Some(ListKind::Merge("name")));
        let tolerations = spec.member("tolerations").and_then(Ty::as_list);
        assert_eq!(tolerations.map(|l| l.kind), Some(ListKind::Atomic));
    }
}
