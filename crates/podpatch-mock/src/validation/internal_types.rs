//! The internal Go types (`pkg/apis/core/types.go`, and the `metav1` ones
//! validation shares) whose values validation quotes whole in a
//! `field.Error` — Go names, field order and Go types, as 1.30 to 1.37
//! declare them — and the typed [`GoValue`] of a pod's v1 JSON in one of
//! them, which `%#v` (before 1.34) or `json.Marshal` (since) prints, see
//! `FieldError::invalid_go`. Also a `metav1.Time` by its `String()`.
//! It renders values its caller hands it; it must not decide what is valid.

use serde_json::Value;

use crate::golang::go_value::GoValue;

/// A Go type as `%#v` names it.
#[derive(Debug)]
pub enum GoTy {
    /// A `string` or named string type (`core.ProcMountType`).
    Str(&'static str),
    /// A `bool`.
    Bool,
    /// An integer type (`int64`).
    Int(&'static str),
    /// A pointer.
    Ptr(&'static GoTy),
    /// A slice.
    Slice(&'static GoTy),
    /// A `map[string]string`.
    StrMap,
    /// A struct.
    Struct(&'static GoStruct),
}

/// A Go struct: its qualified name and fields in declaration order.
#[derive(Debug)]
pub struct GoStruct {
    name: &'static str,
    fields: &'static [GoField],
}

/// A struct field: its Go name, the v1 JSON member it converts from, and
/// its type.
#[derive(Debug)]
struct GoField {
    go: &'static str,
    json: &'static str,
    ty: GoTy,
}

const fn field(go: &'static str, json: &'static str, ty: GoTy) -> GoField {
    GoField { go, json, ty }
}

const STRING: GoTy = GoTy::Str("string");
const STRING_PTR: GoTy = GoTy::Ptr(&STRING);
const BOOL_PTR: GoTy = GoTy::Ptr(&GoTy::Bool);
const INT64_PTR: GoTy = GoTy::Ptr(&GoTy::Int("int64"));

/// `core.SecurityContext`.
pub static SECURITY_CONTEXT: GoStruct = GoStruct {
    name: "core.SecurityContext",
    fields: &[
        field(
            "Capabilities",
            "capabilities",
            GoTy::Ptr(&GoTy::Struct(&CAPABILITIES)),
        ),
        field("Privileged", "privileged", BOOL_PTR),
        field(
            "SELinuxOptions",
            "seLinuxOptions",
            GoTy::Ptr(&GoTy::Struct(&SELINUX_OPTIONS)),
        ),
        field(
            "WindowsOptions",
            "windowsOptions",
            GoTy::Ptr(&GoTy::Struct(&WINDOWS_OPTIONS)),
        ),
        field("RunAsUser", "runAsUser", INT64_PTR),
        field("RunAsGroup", "runAsGroup", INT64_PTR),
        field("RunAsNonRoot", "runAsNonRoot", BOOL_PTR),
        field("ReadOnlyRootFilesystem", "readOnlyRootFilesystem", BOOL_PTR),
        field(
            "AllowPrivilegeEscalation",
            "allowPrivilegeEscalation",
            BOOL_PTR,
        ),
        field(
            "ProcMount",
            "procMount",
            GoTy::Ptr(&GoTy::Str("core.ProcMountType")),
        ),
        field(
            "SeccompProfile",
            "seccompProfile",
            GoTy::Ptr(&GoTy::Struct(&SECCOMP_PROFILE)),
        ),
        field(
            "AppArmorProfile",
            "appArmorProfile",
            GoTy::Ptr(&GoTy::Struct(&APPARMOR_PROFILE)),
        ),
    ],
};

static CAPABILITIES: GoStruct = GoStruct {
    name: "core.Capabilities",
    fields: &[
        field("Add", "add", GoTy::Slice(&GoTy::Str("core.Capability"))),
        field("Drop", "drop", GoTy::Slice(&GoTy::Str("core.Capability"))),
    ],
};

static SELINUX_OPTIONS: GoStruct = GoStruct {
    name: "core.SELinuxOptions",
    fields: &[
        field("User", "user", STRING),
        field("Role", "role", STRING),
        field("Type", "type", STRING),
        field("Level", "level", STRING),
    ],
};

static WINDOWS_OPTIONS: GoStruct = GoStruct {
    name: "core.WindowsSecurityContextOptions",
    fields: &[
        field(
            "GMSACredentialSpecName",
            "gmsaCredentialSpecName",
            STRING_PTR,
        ),
        field("GMSACredentialSpec", "gmsaCredentialSpec", STRING_PTR),
        field("RunAsUserName", "runAsUserName", STRING_PTR),
        field("HostProcess", "hostProcess", BOOL_PTR),
    ],
};

/// `core.SeccompProfile`.
pub static SECCOMP_PROFILE: GoStruct = GoStruct {
    name: "core.SeccompProfile",
    fields: &[
        field("Type", "type", GoTy::Str("core.SeccompProfileType")),
        field("LocalhostProfile", "localhostProfile", STRING_PTR),
    ],
};

static APPARMOR_PROFILE: GoStruct = GoStruct {
    name: "core.AppArmorProfile",
    fields: &[
        field("Type", "type", GoTy::Str("core.AppArmorProfileType")),
        field("LocalhostProfile", "localhostProfile", STRING_PTR),
    ],
};

/// `core.Toleration`.
pub static TOLERATION: GoStruct = GoStruct {
    name: "core.Toleration",
    fields: &[
        field("Key", "key", STRING),
        field("Operator", "operator", GoTy::Str("core.TolerationOperator")),
        field("Value", "value", STRING),
        field("Effect", "effect", GoTy::Str("core.TaintEffect")),
        field("TolerationSeconds", "tolerationSeconds", INT64_PTR),
    ],
};

/// `[]core.NodeSelectorTerm`.
pub static NODE_SELECTOR_TERMS: GoTy = GoTy::Slice(&GoTy::Struct(&NODE_SELECTOR_TERM));

/// `core.NodeSelectorTerm`.
pub static NODE_SELECTOR_TERM: GoStruct = GoStruct {
    name: "core.NodeSelectorTerm",
    fields: &[
        field("MatchExpressions", "matchExpressions", REQUIREMENTS),
        field("MatchFields", "matchFields", REQUIREMENTS),
    ],
};

const REQUIREMENTS: GoTy = GoTy::Slice(&GoTy::Struct(&NODE_SELECTOR_REQUIREMENT));

static NODE_SELECTOR_REQUIREMENT: GoStruct = GoStruct {
    name: "core.NodeSelectorRequirement",
    fields: &[
        field("Key", "key", STRING),
        field(
            "Operator",
            "operator",
            GoTy::Str("core.NodeSelectorOperator"),
        ),
        field("Values", "values", GoTy::Slice(&STRING)),
    ],
};

/// `core.PodResourceClaim` (1.31's layout; 1.30 nests the two names in a
/// `Source core.ClaimSource`, which the mock does not model).
pub static POD_RESOURCE_CLAIM: GoStruct = GoStruct {
    name: "core.PodResourceClaim",
    fields: &[
        field("Name", "name", STRING),
        field("ResourceClaimName", "resourceClaimName", STRING_PTR),
        field(
            "ResourceClaimTemplateName",
            "resourceClaimTemplateName",
            STRING_PTR,
        ),
    ],
};

/// `[]core.PodIP`.
pub static POD_IPS: GoTy = GoTy::Slice(&GoTy::Struct(&GoStruct {
    name: "core.PodIP",
    fields: &[field("IP", "ip", STRING)],
}));

/// `[]core.HostIP`.
pub static HOST_IPS: GoTy = GoTy::Slice(&GoTy::Struct(&GoStruct {
    name: "core.HostIP",
    fields: &[field("IP", "ip", STRING)],
}));

/// `[]metav1.OwnerReference` (package `v1`).
pub static OWNER_REFERENCES: GoTy = GoTy::Slice(&GoTy::Struct(&GoStruct {
    name: "v1.OwnerReference",
    fields: &[
        field("APIVersion", "apiVersion", STRING),
        field("Kind", "kind", STRING),
        field("Name", "name", STRING),
        field("UID", "uid", GoTy::Str("types.UID")),
        field("Controller", "controller", BOOL_PTR),
        field("BlockOwnerDeletion", "blockOwnerDeletion", BOOL_PTR),
    ],
}));

impl GoTy {
    /// The type's name as `%#v` spells it.
    fn name(&self) -> String {
        match self {
            GoTy::Str(name) | GoTy::Int(name) => (*name).to_owned(),
            GoTy::Bool => "bool".to_owned(),
            GoTy::Ptr(inner) => format!("*{}", inner.name()),
            GoTy::Slice(item) => format!("[]{}", item.name()),
            GoTy::StrMap => "map[string]string".to_owned(),
            GoTy::Struct(s) => s.name.to_owned(),
        }
    }

    /// The Go value a v1 JSON member converts to (`None`: absent): a
    /// missing or null member is the zero value, a nil pointer, slice or map.
    pub fn value(&self, json: Option<&Value>) -> GoValue {
        let json = json.filter(|v| !v.is_null());
        match (self, json) {
            (GoTy::Str(_), v) => GoValue::Str(v.and_then(Value::as_str).unwrap_or("").to_owned()),
            (GoTy::Bool, v) => GoValue::Bool(v.and_then(Value::as_bool).unwrap_or(false)),
            (GoTy::Int(_), v) => GoValue::Int(v.and_then(Value::as_i64).unwrap_or(0)),
            (GoTy::Ptr(_) | GoTy::Slice(_) | GoTy::StrMap, None) => GoValue::Nil(self.name()),
            (GoTy::Ptr(inner), Some(v)) => {
                GoValue::Ptr(self.name(), Box::new(inner.value(Some(v))))
            }
            (GoTy::Slice(item), Some(v)) => GoValue::Slice(
                self.name(),
                v.as_array()
                    .map(|items| items.iter().map(|i| item.value(Some(i))).collect())
                    .unwrap_or_default(),
            ),
            (GoTy::StrMap, Some(v)) => GoValue::Map(
                self.name(),
                v.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), STRING.value(Some(v))))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            (GoTy::Struct(s), v) => s.value(v.unwrap_or(&Value::Null)),
        }
    }
}

impl GoStruct {
    /// The struct converted from the v1 JSON object `json`.
    pub fn value(&self, json: &Value) -> GoValue {
        GoValue::Struct(
            self.name.to_owned(),
            self.fields
                .iter()
                .map(|f| (f.go, f.ty.value(json.get(f.json))))
                .collect(),
        )
    }
}

/// A `map[string]string` (nil when `None`).
pub fn string_map(map: Option<&Value>) -> GoValue {
    GoTy::StrMap.value(map)
}

/// A `metav1.Time` by `time.Time.String()` (`2030-01-01 00:00:00 +0000
/// UTC`); text that is no RFC 3339 time is shown as it is.
pub fn time(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) => t.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string(),
        Err(_) => rfc3339.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_internal_types_as_go_sharp_v() {
        assert_eq!(
            string_map(Some(&json!({"zone": "a", "disktype": "hdd"}))).sharp_v(),
            r#"map[string]string{"disktype":"hdd", "zone":"a"}"#
        );
        assert_eq!(string_map(None).sharp_v(), "map[string]string(nil)");
        let term = json!({"matchExpressions": [{"key": "k", "operator": "In", "values": ["v"]}]});
        assert_eq!(
            NODE_SELECTOR_TERM.value(&term).sharp_v(),
            r#"core.NodeSelectorTerm{MatchExpressions:[]core.NodeSelectorRequirement{core.NodeSelectorRequirement{Key:"k", Operator:"In", Values:[]string{"v"}}}, MatchFields:[]core.NodeSelectorRequirement(nil)}"#
        );
        assert_eq!(
            time("2030-01-01T00:00:00Z"),
            "2030-01-01 00:00:00 +0000 UTC"
        );
    }

    #[test]
    fn a_security_context_prints_as_1_33_does() {
        let sc = json!({"allowPrivilegeEscalation": false, "privileged": true});
        assert_eq!(
            SECURITY_CONTEXT.value(&sc).sharp_v(),
            "core.SecurityContext{Capabilities:(*core.Capabilities)(nil), Privileged:(*bool)(0xc000000000), SELinuxOptions:(*core.SELinuxOptions)(nil), WindowsOptions:(*core.WindowsSecurityContextOptions)(nil), RunAsUser:(*int64)(nil), RunAsGroup:(*int64)(nil), RunAsNonRoot:(*bool)(nil), ReadOnlyRootFilesystem:(*bool)(nil), AllowPrivilegeEscalation:(*bool)(0xc000000000), ProcMount:(*core.ProcMountType)(nil), SeccompProfile:(*core.SeccompProfile)(nil), AppArmorProfile:(*core.AppArmorProfile)(nil)}"
        );
        assert_eq!(
            SECURITY_CONTEXT.value(&sc).json(),
            r#"{"Capabilities":null,"Privileged":true,"SELinuxOptions":null,"WindowsOptions":null,"RunAsUser":null,"RunAsGroup":null,"RunAsNonRoot":null,"ReadOnlyRootFilesystem":null,"AllowPrivilegeEscalation":false,"ProcMount":null,"SeccompProfile":null,"AppArmorProfile":null}"#
        );
    }
}
