//! The shape of the Kubernetes objects the mock serves (Pod, Namespace,
//! ServiceAccount, Status, lists), written down as static tables mirroring the
//! Go structs of `k8s.io/api/core/v1`.
//!
//! One table drives several behaviours so they cannot drift apart: the key
//! order of responses (Go emits struct fields in declaration order), which
//! fields are dropped when empty (`omitempty`), unknown-field detection, type
//! checks on decode, the strategic-merge-patch list strategies and the
//! server-side-apply list keys. Sub-trees the mock does not model in detail
//! are `Ty::Any`: accepted as sent, keys sorted. This module holds data only;
//! it must not hold request logic.

mod container_status;
mod volume;

/// A field or value type, as the Go decoder sees it.
#[derive(Debug)]
pub enum Ty {
    /// A Go `string`.
    Str,
    /// A Go `int64`.
    Int,
    /// A Go `int32` (named in decode errors, range-checked).
    Int32,
    /// A Go `bool`.
    Bool,
    /// A `resource.Quantity`: a string, or a number that is re-rendered as one.
    Quantity,
    /// A `metav1.Time`, serialised as an RFC 3339 string.
    Time,
    /// A Go struct with ordered fields.
    Struct(&'static Struct),
    /// A Go slice.
    List(&'static List),
    /// A Go `map[string]T`, keys sorted on output.
    Map(&'static Ty),
    /// A `map[string]T` marked `+mapType=atomic` (`nodeSelector`): owned and
    /// applied as one value.
    AtomicMap(&'static Ty),
    /// Not modelled: any JSON value is accepted and kept.
    Any,
    /// A `+structType=atomic` value: the inner type everywhere, but owned
    /// and tracked as one leaf by the field manager.
    Atomic(&'static Ty),
}

/// A Go struct: its name (used in Go decode error texts) and ordered fields.
#[derive(Debug)]
pub struct Struct {
    /// Go type name, e.g. `Container`.
    pub name: &'static str,
    /// Fields in declaration order (the order Go serialises them in).
    pub fields: &'static [Field],
}

/// How a field behaves when it is absent or empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// `omitempty` on a non-struct value: dropped when zero, empty or null.
    Omit,
    /// A pointer: dropped only when absent or null; zero values are kept.
    Ptr,
    /// No `omitempty`, or a struct held by value: always emitted, the Go zero
    /// value when absent.
    Always,
}

/// One struct field.
#[derive(Debug)]
pub struct Field {
    /// JSON name.
    pub name: &'static str,
    /// Value type.
    pub ty: Ty,
    /// Empty-value behaviour.
    pub presence: Presence,
    /// The embedded Go struct the field is promoted from (`VolumeSource`):
    /// Go's decode errors put its name in the field path.
    pub embedded: Option<&'static str>,
    /// The Go type when the JSON type does not tell it (`v1.PullPolicy`;
    /// for a list or map, of its items): decode errors name it.
    pub go_type: Option<&'static str>,
}

impl Field {
    /// The field as promoted from the embedded struct `name`.
    pub(super) const fn embedded(self, name: &'static str) -> Field {
        Field {
            embedded: Some(name),
            ..self
        }
    }

    /// The field with its Go type spelled out.
    pub(super) const fn go(self, go_type: &'static str) -> Field {
        Field {
            go_type: Some(go_type),
            ..self
        }
    }
}

/// How strategic merge patch and server-side apply treat a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// Replaced wholesale (`+listType=atomic`, no patch strategy).
    Atomic,
    /// Merged by a key field (`patchStrategy:"merge" patchMergeKey:"<key>"`).
    Merge(&'static str),
    /// A set of primitives merged by value (`patchStrategy:"merge"` on `[]string`).
    Set,
}

/// A Go slice and its merge behaviour.
#[derive(Debug)]
pub struct List {
    /// Element type.
    pub item: Ty,
    /// Strategic-merge behaviour.
    pub kind: ListKind,
    /// Server-side-apply `listMapKey`s (empty for atomic lists and sets).
    pub ssa_keys: &'static [&'static str],
}

impl List {
    /// How server-side apply and managedFields see the list. It differs from
    /// the strategic kind for a `+listType=atomic` list that still has a
    /// `patchMergeKey` (`status.hostIPs`).
    pub fn ssa_kind(&self) -> ListKind {
        match (self.kind, self.ssa_keys.first()) {
            (ListKind::Set, _) => ListKind::Set,
            (_, Some(key)) => ListKind::Merge(key),
            (_, None) => ListKind::Atomic,
        }
    }
}

/// A field Go omits when empty (`omitempty`).
pub(super) const fn f(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        presence: Presence::Omit,
        embedded: None,
        go_type: None,
    }
}
/// A pointer field: omitted only when nil.
pub(super) const fn p(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        presence: Presence::Ptr,
        embedded: None,
        go_type: None,
    }
}
/// A field Go always writes, even when empty.
pub(super) const fn a(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        presence: Presence::Always,
        embedded: None,
        go_type: None,
    }
}
const fn atomic(item: Ty) -> List {
    List {
        item,
        kind: ListKind::Atomic,
        ssa_keys: &[],
    }
}
const fn keyed(item: Ty, key: &'static str, ssa_keys: &'static [&'static str]) -> List {
    List {
        item,
        kind: ListKind::Merge(key),
        ssa_keys,
    }
}

static STR_LIST: List = atomic(Ty::Str);

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

static OWNER_REFERENCE: Struct = Struct {
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

static MANAGED_FIELDS_ENTRY: Struct = Struct {
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

static POD_SPEC: Struct = Struct {
    name: "PodSpec",
    fields: &[
        f(
            "volumes",
            Ty::List(&List {
                item: Ty::Struct(&volume::VOLUME),
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
            Ty::List(&keyed(Ty::Struct(&CONTAINER), "name", &["name"])),
        ),
        f("restartPolicy", Ty::Str),
        p("terminationGracePeriodSeconds", Ty::Int),
        p("activeDeadlineSeconds", Ty::Int),
        f("dnsPolicy", Ty::Str),
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
        p("preemptionPolicy", Ty::Str),
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

static AFFINITY: Struct = Struct {
    name: "Affinity",
    fields: &[
        p("nodeAffinity", Ty::Struct(&NODE_AFFINITY)),
        p("podAffinity", Ty::Struct(&POD_AFFINITY)),
        p("podAntiAffinity", Ty::Struct(&POD_ANTI_AFFINITY)),
    ],
};

static NODE_AFFINITY: Struct = Struct {
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
static NODE_SELECTOR: Struct = Struct {
    name: "NodeSelector",
    fields: &[a(
        "nodeSelectorTerms",
        Ty::List(&atomic(Ty::Atomic(&Ty::Struct(&NODE_SELECTOR_TERM)))),
    )],
};

/// `NodeSelectorTerm` is `+structType=atomic`.
static NODE_SELECTOR_TERM: Struct = Struct {
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

static NODE_SELECTOR_REQUIREMENT: Struct = Struct {
    name: "NodeSelectorRequirement",
    fields: &[
        a("key", Ty::Str),
        a("operator", Ty::Str),
        f("values", Ty::List(&STR_LIST)),
    ],
};

static PREFERRED_SCHEDULING_TERM: Struct = Struct {
    name: "PreferredSchedulingTerm",
    fields: &[
        a("weight", Ty::Int32),
        a("preference", Ty::Atomic(&Ty::Struct(&NODE_SELECTOR_TERM))),
    ],
};

static POD_AFFINITY: Struct = Struct {
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

static POD_ANTI_AFFINITY: Struct = Struct {
    name: "PodAntiAffinity",
    fields: POD_AFFINITY.fields,
};

static POD_AFFINITY_TERM: Struct = Struct {
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

static WEIGHTED_POD_AFFINITY_TERM: Struct = Struct {
    name: "WeightedPodAffinityTerm",
    fields: &[
        a("weight", Ty::Int32),
        a("podAffinityTerm", Ty::Struct(&POD_AFFINITY_TERM)),
    ],
};

/// `metav1.LabelSelector`, which is `+structType=atomic` wherever it is used.
const LABEL_SELECTOR_TY: Ty = Ty::Atomic(&Ty::Struct(&LABEL_SELECTOR));

static LABEL_SELECTOR: Struct = Struct {
    name: "LabelSelector",
    fields: &[
        f("matchLabels", Ty::Map(&Ty::Str)),
        f(
            "matchExpressions",
            Ty::List(&atomic(Ty::Struct(&LABEL_SELECTOR_REQUIREMENT))),
        ),
    ],
};

static LABEL_SELECTOR_REQUIREMENT: Struct = Struct {
    name: "LabelSelectorRequirement",
    fields: &[
        a("key", Ty::Str),
        a("operator", Ty::Str),
        f("values", Ty::List(&STR_LIST)),
    ],
};

static TOPOLOGY_SPREAD_CONSTRAINT: Struct = Struct {
    name: "TopologySpreadConstraint",
    fields: &[
        a("maxSkew", Ty::Int32),
        a("topologyKey", Ty::Str),
        a("whenUnsatisfiable", Ty::Str),
        p("labelSelector", LABEL_SELECTOR_TY),
        p("minDomains", Ty::Int32),
        p("nodeAffinityPolicy", Ty::Str),
        p("nodeTaintsPolicy", Ty::Str),
        f("matchLabelKeys", Ty::List(&STR_LIST)),
    ],
};

static POD_DNS_CONFIG: Struct = Struct {
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

static POD_READINESS_GATE: Struct = Struct {
    name: "PodReadinessGate",
    fields: &[a("conditionType", Ty::Str)],
};

static POD_OS: Struct = Struct {
    name: "PodOS",
    fields: &[a("name", Ty::Str)],
};

static POD_RESOURCE_CLAIM: Struct = Struct {
    name: "PodResourceClaim",
    fields: &[
        a("name", Ty::Str),
        p("resourceClaimName", Ty::Str),
        p("resourceClaimTemplateName", Ty::Str),
    ],
};

static POD_STATUS: Struct = Struct {
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
            Ty::List(&atomic(Ty::Struct(&container_status::CONTAINER_STATUS))),
        ),
        f(
            "containerStatuses",
            Ty::List(&atomic(Ty::Struct(&container_status::CONTAINER_STATUS))),
        ),
        f("qosClass", Ty::Str).go("v1.PodQOSClass"),
        f(
            "ephemeralContainerStatuses",
            Ty::List(&atomic(Ty::Struct(&container_status::CONTAINER_STATUS))),
        ),
        f("resize", Ty::Str).go("v1.PodResizeStatus"),
        f("resourceClaimStatuses", Ty::List(&atomic(Ty::Any))),
        p("extendedResourceClaimStatus", Ty::Any),
    ],
};

static POD_IP: Struct = Struct {
    name: "PodIP",
    fields: &[f("ip", Ty::Str)],
};

static POD_CONDITION: Struct = Struct {
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

static CONTAINER: Struct = Struct {
    name: "Container",
    fields: &[
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
        p("restartPolicy", Ty::Str),
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
        f("terminationMessagePolicy", Ty::Str),
        f("imagePullPolicy", Ty::Str),
        p("securityContext", Ty::Struct(&SECURITY_CONTEXT)),
        f("stdin", Ty::Bool),
        f("stdinOnce", Ty::Bool),
        f("tty", Ty::Bool),
        // Ephemeral containers only.
        f("targetContainerName", Ty::Str),
    ],
};

static CONTAINER_PORT: Struct = Struct {
    name: "ContainerPort",
    fields: &[
        f("name", Ty::Str),
        f("hostPort", Ty::Int32),
        a("containerPort", Ty::Int32),
        f("protocol", Ty::Str),
        f("hostIP", Ty::Str),
    ],
};

static ENV_VAR: Struct = Struct {
    name: "EnvVar",
    fields: &[
        a("name", Ty::Str),
        f("value", Ty::Str),
        p("valueFrom", Ty::Struct(&ENV_VAR_SOURCE)),
    ],
};

static ENV_VAR_SOURCE: Struct = Struct {
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

static FILE_KEY_SELECTOR: Struct = Struct {
    name: "FileKeySelector",
    fields: &[
        a("volumeName", Ty::Str),
        a("path", Ty::Str),
        a("key", Ty::Str),
        p("optional", Ty::Bool),
    ],
};

static ENV_FROM_SOURCE: Struct = Struct {
    name: "EnvFromSource",
    fields: &[
        f("prefix", Ty::Str),
        p("configMapRef", Ty::Struct(&CONFIG_MAP_ENV_SOURCE)),
        p("secretRef", Ty::Struct(&SECRET_ENV_SOURCE)),
    ],
};

/// An inlined `LocalObjectReference` plus `optional` (not atomic: inlining
/// drops the embedded struct's marker).
static CONFIG_MAP_ENV_SOURCE: Struct = Struct {
    name: "ConfigMapEnvSource",
    fields: &[f("name", Ty::Str), p("optional", Ty::Bool)],
};

static SECRET_ENV_SOURCE: Struct = Struct {
    name: "SecretEnvSource",
    fields: CONFIG_MAP_ENV_SOURCE.fields,
};

static CONTAINER_RESIZE_POLICY: Struct = Struct {
    name: "ContainerResizePolicy",
    fields: &[a("resourceName", Ty::Str), a("restartPolicy", Ty::Str)],
};

static CONTAINER_RESTART_RULE: Struct = Struct {
    name: "ContainerRestartRule",
    fields: &[
        f("action", Ty::Str),
        p(
            "exitCodes",
            Ty::Struct(&Struct {
                name: "ContainerRestartRuleOnExitCodes",
                fields: &[
                    f("operator", Ty::Str),
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

static VOLUME_DEVICE: Struct = Struct {
    name: "VolumeDevice",
    fields: &[a("name", Ty::Str), a("devicePath", Ty::Str)],
};

static LIFECYCLE: Struct = Struct {
    name: "Lifecycle",
    fields: &[
        p("postStart", Ty::Struct(&LIFECYCLE_HANDLER)),
        p("preStop", Ty::Struct(&LIFECYCLE_HANDLER)),
        p("stopSignal", Ty::Str),
    ],
};

static LIFECYCLE_HANDLER: Struct = Struct {
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

static EXEC_ACTION: Struct = Struct {
    name: "ExecAction",
    fields: &[f("command", Ty::List(&STR_LIST))],
};

/// `port` is an `intstr.IntOrString`, which the schema cannot express, so
/// it stays `Any`.
static HTTP_GET_ACTION: Struct = Struct {
    name: "HTTPGetAction",
    fields: &[
        f("path", Ty::Str),
        p("port", Ty::Any),
        f("host", Ty::Str),
        f("scheme", Ty::Str),
        f(
            "httpHeaders",
            Ty::List(&atomic(Ty::Struct(&Struct {
                name: "HTTPHeader",
                fields: &[a("name", Ty::Str), a("value", Ty::Str)],
            }))),
        ),
    ],
};

static TCP_SOCKET_ACTION: Struct = Struct {
    name: "TCPSocketAction",
    fields: &[p("port", Ty::Any), f("host", Ty::Str)],
};

static GRPC_ACTION: Struct = Struct {
    name: "GRPCAction",
    fields: &[a("port", Ty::Int32), p("service", Ty::Str)],
};

static CAPABILITIES: Struct = Struct {
    name: "Capabilities",
    fields: &[
        f("add", Ty::List(&STR_LIST)),
        f("drop", Ty::List(&STR_LIST)),
    ],
};

static SE_LINUX_OPTIONS: Struct = Struct {
    name: "SELinuxOptions",
    fields: &[
        f("user", Ty::Str),
        f("role", Ty::Str),
        f("type", Ty::Str),
        f("level", Ty::Str),
    ],
};

static WINDOWS_OPTIONS: Struct = Struct {
    name: "WindowsSecurityContextOptions",
    fields: &[
        p("gmsaCredentialSpecName", Ty::Str),
        p("gmsaCredentialSpec", Ty::Str),
        p("runAsUserName", Ty::Str),
        p("hostProcess", Ty::Bool),
    ],
};

static SECCOMP_PROFILE: Struct = Struct {
    name: "SeccompProfile",
    fields: &[a("type", Ty::Str), p("localhostProfile", Ty::Str)],
};

static APP_ARMOR_PROFILE: Struct = Struct {
    name: "AppArmorProfile",
    fields: &[a("type", Ty::Str), p("localhostProfile", Ty::Str)],
};

static NAME_VALUE_SYSCTL: Struct = Struct {
    name: "Sysctl",
    fields: &[a("name", Ty::Str), a("value", Ty::Str)],
};

static RESOURCE_CLAIM: Struct = Struct {
    name: "ResourceClaim",
    fields: &[a("name", Ty::Str), f("request", Ty::Str)],
};

static RESOURCE_FIELD_SELECTOR: Struct = Struct {
    name: "ResourceFieldSelector",
    fields: &[
        f("containerName", Ty::Str),
        a("resource", Ty::Str),
        // A `resource.Quantity` struct: `omitempty` never drops it.
        a("divisor", Ty::Quantity),
    ],
};

static KEY_SELECTOR: Struct = Struct {
    name: "KeySelector",
    fields: &[
        f("name", Ty::Str),
        a("key", Ty::Str),
        p("optional", Ty::Bool),
    ],
};

static RESOURCE_REQUIREMENTS: Struct = Struct {
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

static VOLUME_MOUNT: Struct = Struct {
    name: "VolumeMount",
    fields: &[
        a("name", Ty::Str),
        f("readOnly", Ty::Bool),
        p("recursiveReadOnly", Ty::Str),
        a("mountPath", Ty::Str),
        f("subPath", Ty::Str),
        p("mountPropagation", Ty::Str),
        f("subPathExpr", Ty::Str),
    ],
};

static PROBE: Struct = Struct {
    name: "Probe",
    fields: &[
        p("exec", Ty::Struct(&EXEC_ACTION)),
        p("httpGet", Ty::Struct(&HTTP_GET_ACTION)),
        p("tcpSocket", Ty::Struct(&TCP_SOCKET_ACTION)),
        p("grpc", Ty::Struct(&GRPC_ACTION)),
        f("initialDelaySeconds", Ty::Int32),
        f("timeoutSeconds", Ty::Int32),
        f("periodSeconds", Ty::Int32),
        f("successThreshold", Ty::Int32),
        f("failureThreshold", Ty::Int32),
        p("terminationGracePeriodSeconds", Ty::Int),
    ],
};

static SECURITY_CONTEXT: Struct = Struct {
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
        p("procMount", Ty::Str),
        p("seccompProfile", Ty::Struct(&SECCOMP_PROFILE)),
        p("appArmorProfile", Ty::Struct(&APP_ARMOR_PROFILE)),
    ],
};

static POD_SECURITY_CONTEXT: Struct = Struct {
    name: "PodSecurityContext",
    fields: &[
        p("seLinuxOptions", Ty::Struct(&SE_LINUX_OPTIONS)),
        p("windowsOptions", Ty::Struct(&WINDOWS_OPTIONS)),
        p("runAsUser", Ty::Int),
        p("runAsGroup", Ty::Int),
        p("runAsNonRoot", Ty::Bool),
        f("supplementalGroups", Ty::List(&atomic(Ty::Int))),
        p("supplementalGroupsPolicy", Ty::Str),
        p("fsGroup", Ty::Int),
        f("sysctls", Ty::List(&atomic(Ty::Struct(&NAME_VALUE_SYSCTL)))),
        p("fsGroupChangePolicy", Ty::Str),
        p("seccompProfile", Ty::Struct(&SECCOMP_PROFILE)),
        p("appArmorProfile", Ty::Struct(&APP_ARMOR_PROFILE)),
        p("seLinuxChangePolicy", Ty::Str),
    ],
};

/// Used as `Ty::Atomic`: `LocalObjectReference` is `+structType=atomic`.
static LOCAL_OBJECT_REFERENCE: Struct = Struct {
    name: "LocalObjectReference",
    fields: &[f("name", Ty::Str)],
};

static TOLERATION: Struct = Struct {
    name: "Toleration",
    fields: &[
        f("key", Ty::Str),
        f("operator", Ty::Str),
        f("value", Ty::Str),
        f("effect", Ty::Str),
        p("tolerationSeconds", Ty::Int),
    ],
};

static HOST_ALIAS: Struct = Struct {
    name: "HostAlias",
    fields: &[a("ip", Ty::Str), f("hostnames", Ty::List(&STR_LIST))],
};

static POD_SCHEDULING_GROUP: Struct = Struct {
    name: "PodSchedulingGroup",
    fields: &[p("podGroupName", Ty::Str)],
};

static SCHEDULING_GATE: Struct = Struct {
    name: "PodSchedulingGate",
    fields: &[a("name", Ty::Str)],
};

static OBJECT_FIELD_SELECTOR: Struct = Struct {
    name: "ObjectFieldSelector",
    fields: &[f("apiVersion", Ty::Str), a("fieldPath", Ty::Str)],
};

/// `v1.Namespace`.
pub static NAMESPACE_TY: Ty = Ty::Struct(&NAMESPACE);
static NAMESPACE: Struct = Struct {
    name: "Namespace",
    fields: &[
        f("kind", Ty::Str),
        f("apiVersion", Ty::Str),
        a("metadata", Ty::Struct(&OBJECT_META)),
        a(
            "spec",
            Ty::Struct(&Struct {
                name: "NamespaceSpec",
                fields: &[f("finalizers", Ty::List(&STR_LIST))],
            }),
        ),
        a(
            "status",
            Ty::Struct(&Struct {
                name: "NamespaceStatus",
                fields: &[
                    f("phase", Ty::Str),
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

static LIST_META: Struct = Struct {
    name: "ListMeta",
    fields: &[
        f("selfLink", Ty::Str),
        f("resourceVersion", Ty::Str),
        f("continue", Ty::Str),
        p("remainingItemCount", Ty::Int),
    ],
};

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

static CAUSE: Struct = Struct {
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

static API_RESOURCE: Struct = Struct {
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

impl Struct {
    /// The field called `name`, if the struct declares it.
    pub fn field(&self, name: &str) -> Option<&'static Field>
    where
        Self: 'static,
    {
        self.fields.iter().find(|field| field.name == name)
    }
}

impl Ty {
    /// The type itself, with an `Atomic` wrapper removed.
    pub fn resolved(&'static self) -> &'static Ty {
        match self {
            Ty::Atomic(inner) => inner.resolved(),
            other => other,
        }
    }

    /// The type of the member `key` of a value of this type: a struct field,
    /// a map value, or `Any` for unmodelled sub-trees. `None` when a struct
    /// does not declare the field.
    pub fn member(&'static self, key: &str) -> Option<&'static Ty> {
        match self.resolved() {
            Ty::Struct(s) => s.field(key).map(|field| &field.ty),
            Ty::Map(value) | Ty::AtomicMap(value) => Some(value),
            Ty::Any => Some(&Ty::Any),
            _ => None,
        }
    }

    /// The list description, when this is a list.
    pub fn as_list(&'static self) -> Option<&'static List> {
        match self.resolved() {
            Ty::List(list) => Some(list),
            _ => None,
        }
    }
}

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
