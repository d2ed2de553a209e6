//! What a cluster's own admission and policy did with a request, read from its
//! answer: which policy refused it (Pod Security, a ResourceQuota, a LimitRange, a
//! named admission webhook or admission policy, RBAC) and which warnings it added.
//! The texts are those kube-apiserver writes: `violates PodSecurity "…"`
//! (pod-security-admission), `exceeded quota: …` / `failed quota: …`
//! (resourcequota), `… usage per Container is …` (limitranger), `admission webhook
//! "X" denied the request` (apiserver's webhook errors), `ValidatingAdmissionPolicy
//! 'X' with binding 'Y' denied request` and `User "u" cannot …` (RBAC).
//!
//! Pure: a status and a body in, a cause out. It decides no verdict; `run` does.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;

/// Which of the cluster's policies refused a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "by")]
pub enum Policy {
    /// Pod Security admission at a level (`restricted:latest`).
    PodSecurity { level: String },
    /// A ResourceQuota: exhausted (`exceeded`) or demanding what the pod lacks.
    ResourceQuota { name: String, exceeded: bool },
    /// Quota admission could not record the pod's usage: the quota was written
    /// meanwhile (the resourcequota controller recalculating it), a 409.
    QuotaConflict { name: String },
    /// The LimitRanger plugin, enforcing a LimitRange.
    LimitRange,
    /// A named admission webhook (denied, or failed to be called).
    Webhook { name: String },
    /// A named ValidatingAdmissionPolicy.
    AdmissionPolicy { name: String },
    /// Authorization: the identity may not do this.
    Rbac,
    /// The namespace is being deleted.
    NamespaceTerminating,
}

/// A refusal by the cluster's admission or policy, with its cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub policy: Policy,
    /// The cause as a line shared by every case it refused: the policy and what
    /// it objected to, with what is particular to one pod (names, amounts) left out.
    pub cause: String,
    /// The cluster's message, whole.
    pub message: String,
}

impl Refusal {
    /// Whether more of the same request may be admitted later: an exhausted quota
    /// is freed as other pods go, a contended one settles.
    pub fn is_transient(&self) -> bool {
        matches!(
            self.policy,
            Policy::ResourceQuota { exceeded: true, .. } | Policy::QuotaConflict { .. }
        )
    }
}

/// The policy that refused a request, if its answer (`status`, `body`) is one of
/// the refusals kube-apiserver's admission or authorization writes.
pub fn refusal(status: u16, body: &str) -> Option<Refusal> {
    if status < 400 {
        return None;
    }
    let v: Value = serde_json::from_str(body).ok()?;
    let message = v.get("message").and_then(Value::as_str)?.to_owned();
    let (policy, cause) = classify(&message)?;
    Some(Refusal {
        policy,
        cause,
        message,
    })
}

fn classify(message: &str) -> Option<(Policy, String)> {
    if let Some(rest) = after(message, "violates PodSecurity \"") {
        let (level, violations) = rest.split_once('"')?;
        let violations = without_parentheses(violations.trim_start_matches(':').trim());
        return Some((
            Policy::PodSecurity {
                level: level.to_owned(),
            },
            format!("Pod Security \"{level}\" refused the pod: {violations}"),
        ));
    }
    if let Some(rest) = after(message, "exceeded quota: ") {
        let name = rest.split(',').next()?.trim().to_owned();
        let resources: Vec<&str> = after(rest, "limited: ")
            .unwrap_or_default()
            .split(',')
            .filter_map(|r| r.split('=').next())
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect();
        let cause = format!(
            "ResourceQuota \"{name}\" exceeded ({})",
            resources.join(", ")
        );
        return Some((
            Policy::ResourceQuota {
                name,
                exceeded: true,
            },
            cause,
        ));
    }
    if let Some(rest) = after(
        message,
        "Operation cannot be fulfilled on resourcequotas \"",
    ) {
        let name = rest.split('"').next()?.to_owned();
        let cause = format!("ResourceQuota \"{name}\" was being written concurrently (a conflict)");
        return Some((Policy::QuotaConflict { name }, cause));
    }
    if let Some(rest) = after(message, "failed quota: ") {
        let (name, what) = rest.split_once(": ").unwrap_or((rest, ""));
        let what = what.split(" for: ").next().unwrap_or(what);
        return Some((
            Policy::ResourceQuota {
                name: name.to_owned(),
                exceeded: false,
            },
            format!("ResourceQuota \"{name}\" refused the pod: {what}"),
        ));
    }
    if let Some(rest) = after(message, "admission webhook \"") {
        let (name, what) = rest.split_once('"')?;
        let what = what.trim_start_matches(':').trim();
        return Some((
            Policy::Webhook {
                name: name.to_owned(),
            },
            format!("admission webhook \"{name}\" {what}"),
        ));
    }
    if let Some(rest) = after(message, "failed calling webhook \"") {
        let (name, _) = rest.split_once('"')?;
        return Some((
            Policy::Webhook {
                name: name.to_owned(),
            },
            format!("admission webhook \"{name}\" could not be called"),
        ));
    }
    if let Some(rest) = after(message, "ValidatingAdmissionPolicy '") {
        let (name, _) = rest.split_once('\'')?;
        let what = after(rest, "denied request: ").unwrap_or("denied the request");
        return Some((
            Policy::AdmissionPolicy {
                name: name.to_owned(),
            },
            format!("ValidatingAdmissionPolicy '{name}': {what}"),
        ));
    }
    if let Some(what) = limit_range(message) {
        return Some((
            Policy::LimitRange,
            format!("LimitRange refused the pod: {what}"),
        ));
    }
    if message.contains("because it is being terminated") {
        return Some((
            Policy::NamespaceTerminating,
            "the namespace is being deleted".to_owned(),
        ));
    }
    // The authorizer's `User "u" cannot patch resource "pods" in API group "" …`.
    if let Some(m) = AUTHORIZATION.captures(message) {
        return Some((
            Policy::Rbac,
            format!("RBAC: the identity cannot {}", &m["what"]),
        ));
    }
    None
}

/// What an authorization refusal says: who, and which verb on which resource.
static AUTHORIZATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"User "[^"]*" cannot (?<what>[a-z]+ resource "[^"]*"(?: in API group "[^"]*")?)"#)
        .expect("a valid regex")
});

/// The LimitRanger's objections (`minimum cpu usage per Container is 100m, but
/// request is 50m`), each cut before its amounts.
fn limit_range(message: &str) -> Option<String> {
    const MARKS: [&str; 2] = [" usage per ", " max limit to request ratio per "];
    if !MARKS.iter().any(|m| message.contains(m)) {
        return None;
    }
    let list = after(message, "is forbidden: ").unwrap_or(message);
    let list = list.trim_start_matches('[').trim_end_matches(']');
    let mut parts: Vec<String> = list
        .split(", ")
        .filter(|p| MARKS.iter().any(|m| p.contains(m)))
        .map(|p| {
            let p = p.split(" is ").next().unwrap_or(p);
            p.trim().to_owned()
        })
        .collect();
    parts.dedup();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The text after the first `mark`, if `text` holds it.
fn after<'a>(text: &'a str, mark: &str) -> Option<&'a str> {
    text.find(mark).map(|i| &text[i + mark.len()..])
}

/// `text` without its parenthesised parts (Pod Security names containers there).
fn without_parentheses(text: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a `Warning` header value comes from the cluster's policy rather than
/// from the Pod API itself: Pod Security's `would violate PodSecurity` (its warn
/// and audit modes) and the LimitRanger's notes. Upstream kube-apiserver with no
/// policy never sends them, so they are not part of what a PATCH is judged on.
pub fn is_policy_warning(value: &str) -> bool {
    value.contains("would violate PodSecurity")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    fn status(code: u16, message: &str) -> (u16, String) {
        let body = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "code": code});
        (code, body.to_string())
    }

    #[rstest]
    #[case::pod_security(
        403,
        r#"pods "web-1-abc" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#,
        r#"Pod Security "restricted:latest" refused the pod: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"#
    )]
    #[case::quota_exceeded(
        403,
        r#"pods "web-2-abc" is forbidden: exceeded quota: tenant, requested: pods=1, used: pods=4, limited: pods=4"#,
        r#"ResourceQuota "tenant" exceeded (pods)"#
    )]
    #[case::quota_needs_limits(
        403,
        r#"pods "web-2-abc" is forbidden: failed quota: tenant: must specify limits.cpu for: web; limits.memory for: web"#,
        r#"ResourceQuota "tenant" refused the pod: must specify limits.cpu"#
    )]
    #[case::limit_range(
        403,
        r#"pods "web-2-abc" is forbidden: [maximum cpu usage per Container is 1, but limit is 2, maximum memory usage per Container is 1Gi, but limit is 2Gi]"#,
        "LimitRange refused the pod: maximum cpu usage per Container, maximum memory usage per Container"
    )]
    #[case::webhook(
        400,
        r#"admission webhook "limits.podpatch.test" denied the request: container "web" has no resource limits"#,
        r#"admission webhook "limits.podpatch.test" denied the request: container "web" has no resource limits"#
    )]
    #[case::webhook_unreachable(
        500,
        r#"Internal error occurred: failed calling webhook "label.podpatch.test": failed to call webhook: Post "https://127.0.0.1:1/mutate?timeout=10s": dial tcp: connection refused"#,
        r#"admission webhook "label.podpatch.test" could not be called"#
    )]
    #[case::rbac(
        403,
        r#"pods is forbidden: User "alice" cannot create resource "pods" in API group "" in the namespace "team""#,
        r#"RBAC: the identity cannot create resource "pods" in API group """#
    )]
    #[case::terminating(
        403,
        r#"pods "x" is forbidden: unable to create new content in namespace team because it is being terminated"#,
        "the namespace is being deleted"
    )]
    fn names_the_policy(#[case] code: u16, #[case] message: &str, #[case] cause: &str) {
        let (code, body) = status(code, message);
        let r = refusal(code, &body).expect("a policy refusal");
        assert_eq!(r.cause, cause);
        assert_eq!(r.message, message);
    }

    #[test]
    fn other_answers_name_no_policy() {
        let (code, body) = status(
            400,
            r#"Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field SecretVolumeSource.spec.volumes.VolumeSource.secret.defaultMode of type int32 (ServiceAccount)"#,
        );
        assert_eq!(refusal(code, &body), None);
        let (code, body) = status(
            422,
            r#"Pod "x" is invalid: spec: Forbidden: pod updates may not change fields"#,
        );
        assert_eq!(refusal(code, &body), None);
        let (code, body) = status(403, "forbidden for some other reason");
        assert_eq!(refusal(code, &body), None);
        assert_eq!(refusal(200, r#"{"message":"exceeded quota: q"}"#), None);
        assert_eq!(refusal(403, "not json"), None);
    }

    #[test]
    fn only_an_exhausted_or_contended_quota_is_transient() {
        let (code, body) = status(
            403,
            "exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1",
        );
        assert!(refusal(code, &body).unwrap().is_transient());
        let conflict = json!({"message": "Operation cannot be fulfilled on resourcequotas \"tenant\": the object has been modified; please apply your changes to the latest version and try again"}).to_string();
        let r = refusal(409, &conflict).unwrap();
        assert!(r.is_transient());
        assert_eq!(
            r.cause,
            "ResourceQuota \"tenant\" was being written concurrently (a conflict)"
        );
        let (code, body) = status(403, "failed quota: q: must specify limits.cpu for: web");
        assert!(!refusal(code, &body).unwrap().is_transient());
    }

    #[test]
    fn pod_security_warnings_are_policy_warnings() {
        assert!(is_policy_warning(
            r#"299 - "would violate PodSecurity \"restricted:latest\": runAsNonRoot != true""#
        ));
        assert!(!is_policy_warning(
            r#"299 - "metadata.finalizers: \"x\": prefer a domain-qualified finalizer name""#
        ));
    }
}
