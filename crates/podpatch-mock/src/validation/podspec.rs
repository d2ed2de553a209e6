//! `ValidatePodSpec` (`pkg/apis/core/validation/validation.go`, 1.36) and
//! the pod-level scalar and list checks that have no file of their own: DNS
//! config, readiness gates, hostname override, host aliases, priority class,
//! runtime class, preemption policy and the pod OS with the fields each OS
//! forbids. It inspects values only and must not mutate them.

use serde_json::{Value, json};

use crate::golang::ip::sloppy_v4;
use crate::golang::quantity_states::QuantityStates;
use crate::validation::affinity::{self, label_name};
use crate::validation::container::{containers, file_key_ref_volumes};
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::objectmeta;
use crate::validation::resources;
use crate::validation::scheduling_gates::scheduling_gates;
use crate::validation::security;
use crate::validation::spread;
use crate::validation::tolerations::tolerations;
use crate::validation::value::{
    MAX_INT32, arr, containers_with_path, list_of, members, s, set, str_of,
};
use crate::validation::volume;
use crate::version::Version;

/// `ValidatePodSpec`: volumes first (their names feed the mounts), then
/// containers, pod-level resources, security and the scalar checks, in Go's
/// append order. `old` is the stored spec on update; `quantities` the
/// parse states of the pod's quantities.
pub(crate) fn pod_spec(
    spec: &Value,
    pod_name: &str,
    old: Option<&Value>,
    quantities: &QuantityStates,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    // The members checked here, read in one pass.
    let [
        restart,
        dns,
        node_selector,
        service_account,
        node_name,
        deadline,
        hostname,
        subdomain,
        tolerations_list,
    ] = members(
        spec,
        [
            "restartPolicy",
            "dnsPolicy",
            "nodeSelector",
            "serviceAccountName",
            "nodeName",
            "activeDeadlineSeconds",
            "hostname",
            "subdomain",
            "tolerations",
        ],
    );
    let volumes = volume::volumes(spec, pod_name, &mut errs);
    errs.extend(resources::pod_resource_claims(spec));
    containers(spec, &volumes, quantities, &mut errs);
    errs.extend(resources::pod_resources(spec));
    errs.extend(security::host_network_deps(spec));
    let restart = str_of(restart);
    if !["Always", "OnFailure", "Never"].contains(&restart) {
        if restart.is_empty() {
            errs.push(FieldError::required("spec.restartPolicy", ""));
        } else {
            errs.push(FieldError::not_supported(
                "spec.restartPolicy",
                json!(restart),
                &["Always", "OnFailure", "Never"],
            ));
        }
    }
    let dns = str_of(dns);
    if !["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"].contains(&dns) {
        if dns.is_empty() {
            errs.push(FieldError::required("spec.dnsPolicy", ""));
        } else {
            errs.push(FieldError::not_supported(
                "spec.dnsPolicy",
                json!(dns),
                &["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"],
            ));
        }
    }
    errs.extend(objectmeta::labels(node_selector, "spec.nodeSelector"));
    errs.extend(security::pod_security_context(spec, old));
    if Version::current().holds_host_namespaces_on_spec() {
        errs.extend(security::share_process_namespace(spec, "spec"));
    }
    errs.extend(affinity::affinity(spec));
    errs.extend(dns_config(spec));
    errs.extend(readiness_gates(spec));
    errs.extend(scheduling_gates(spec));
    errs.extend(spread::topology_spread_constraints(spec));
    errs.extend(security::windows_host_process(spec));
    errs.extend(security::host_users(spec));
    errs.extend(hostname_override(spec));
    for (key, v) in [
        ("serviceAccountName", service_account),
        ("nodeName", node_name),
    ] {
        let v = str_of(v);
        if !v.is_empty() {
            for msg in names::dns1123_subdomain(v) {
                errs.push(FieldError::invalid(format!("spec.{key}"), json!(v), msg));
            }
        }
    }
    if let Some(ads) = deadline.and_then(Value::as_i64)
        && !(1..=MAX_INT32).contains(&ads)
    {
        errs.push(FieldError::invalid(
            "spec.activeDeadlineSeconds",
            json!(ads),
            format!("must be between 1 and {MAX_INT32}, inclusive"),
        ));
    }
    for (key, v) in [("hostname", hostname), ("subdomain", subdomain)] {
        let v = str_of(v);
        if !v.is_empty() {
            errs.extend(FieldError::invalid_each(
                format!("spec.{key}"),
                v,
                names::dns1123_label(v),
            ));
        }
    }
    errs.extend(tolerations(list_of(tolerations_list)));
    errs.extend(host_aliases(spec));
    errs.extend(classes(spec));
    errs.extend(resources::overhead(spec));
    errs.extend(os(spec));
    errs.extend(file_key_ref_volumes(spec));
    errs
}

/// `validatePodDNSConfig` (relaxed search validation is on in 1.36).
pub(super) fn dns_config(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let config = spec.get("dnsConfig").filter(|v| !v.is_null());
    let path = "spec.dnsConfig";
    if s(spec, "dnsPolicy") == "None" {
        match config {
            None => {
                return vec![FieldError::required(
                    path,
                    "must provide `dnsConfig` when `dnsPolicy` is None",
                )];
            }
            Some(c) if arr(c, "nameservers").is_empty() => {
                return vec![FieldError::required(
                    format!("{path}.nameservers"),
                    "must provide at least one DNS nameserver when `dnsPolicy` is None",
                )];
            }
            _ => {}
        }
    }
    let Some(config) = config else {
        return errs;
    };
    let nameservers = arr(config, "nameservers");
    if nameservers.len() > 3 {
        errs.push(FieldError::invalid(
            format!("{path}.nameservers"),
            json!(nameservers),
            "must not have more than 3 nameservers",
        ));
    }
    for (i, ns) in nameservers.iter().enumerate() {
        errs.extend(legacy_ip(
            &format!("{path}.nameservers[{i}]"),
            ns.as_str().unwrap_or(""),
        ));
    }
    let searches = arr(config, "searches");
    if searches.len() > 32 {
        errs.push(FieldError::invalid(
            format!("{path}.searches"),
            json!(searches),
            "must not have more than 32 search paths",
        ));
    }
    let joined: usize = searches
        .iter()
        .map(|v| v.as_str().unwrap_or("").len())
        .sum::<usize>()
        + searches.len().saturating_sub(1);
    if joined > 2048 {
        errs.push(FieldError::invalid(
            format!("{path}.searches"),
            json!(searches),
            "must not have more than 2048 characters (including spaces) in the search list",
        ));
    }
    for (i, search) in searches.iter().enumerate() {
        let search = search.as_str().unwrap_or("");
        if search == "." {
            continue;
        }
        let search = search.strip_suffix('.').unwrap_or(search);
        for msg in subdomain_with_underscore(search) {
            errs.push(FieldError::invalid(
                format!("{path}.searches[{i}]"),
                json!(search),
                msg,
            ));
        }
    }
    for (i, option) in arr(config, "options").iter().enumerate() {
        if s(option, "name").is_empty() {
            errs.push(FieldError::required(
                format!("{path}.options[{i}]"),
                "must not be empty",
            ));
        }
    }
    errs
}

/// `IsDNS1123SubdomainWithUnderscore`.
fn subdomain_with_underscore(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    // _?[a-z0-9]([-_a-z0-9]*[a-z0-9])?
    let label = |l: &str| {
        let l = l.strip_prefix('_').unwrap_or(l);
        let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        l.starts_with(alnum)
            && l.ends_with(alnum)
            && l.chars().all(|c| alnum(c) || c == '-' || c == '_')
    };
    if !value.split('.').all(label) {
        errs.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*')".to_string());
    }
    errs
}

/// `IsValidIPForLegacyField`: Go's sloppy parser must accept the value;
/// with `StrictIPCIDRValidation` (on from 1.36) leading zeros and
/// IPv4-mapped IPv6 addresses are refused too.
pub(super) fn legacy_ip(path: &str, value: &str) -> Vec<FieldError> {
    let bad = |detail: &str| vec![FieldError::invalid(path, json!(value), detail)];
    let strict = Version::current().validates_ips_strictly();
    match value.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if strict && v6.to_ipv4_mapped().is_some() => {
            bad("must not be an IPv4-mapped IPv6 address")
        }
        Ok(_) => Vec::new(),
        Err(_) if sloppy_v4(value).is_none() => {
            bad("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
        }
        Err(_) if strict => bad("must not have leading 0s"),
        Err(_) => Vec::new(),
    }
}

/// `validateReadinessGates`.
pub(super) fn readiness_gates(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, gate) in arr(spec, "readinessGates").iter().enumerate() {
        label_name(
            &mut errs,
            s(gate, "conditionType"),
            &format!("spec.readinessGates[{i}].conditionType"),
        );
    }
    errs
}

/// `validatePodHostName`: `hostnameOverride` excludes FQDN hostnames and
/// host networking, and must be a short subdomain.
pub(super) fn hostname_override(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(name) = spec.get("hostnameOverride").and_then(Value::as_str) else {
        return errs;
    };
    let path = "spec.hostnameOverride";
    if spec.get("setHostnameAsFQDN").and_then(Value::as_bool) == Some(true) {
        errs.push(FieldError::forbidden(
            path,
            "may not be specified when setHostnameAsFQDN is true",
        ));
    }
    if spec.get("hostNetwork").and_then(Value::as_bool) == Some(true) {
        errs.push(FieldError::forbidden(
            path,
            "may not be specified when hostNetwork is true",
        ));
    }
    if name.len() > 64 {
        errs.push(FieldError::too_long(path, 64));
    }
    errs.extend(FieldError::invalid_each(
        path,
        name,
        names::dns1123_subdomain(name),
    ));
    errs
}

/// `ValidateHostAliases`.
pub(super) fn host_aliases(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, alias) in arr(spec, "hostAliases").iter().enumerate() {
        let path = format!("spec.hostAliases[{i}]");
        errs.extend(legacy_ip(&format!("{path}.ip"), s(alias, "ip")));
        for (j, host) in arr(alias, "hostnames").iter().enumerate() {
            let host = host.as_str().unwrap_or("");
            errs.extend(FieldError::invalid_each(
                format!("{path}.hostnames[{j}]"),
                host,
                names::dns1123_subdomain(host),
            ));
        }
    }
    errs
}

/// `priorityClassName`, `runtimeClassName` and `preemptionPolicy`, in
/// `ValidatePodSpec` order.
pub(super) fn classes(spec: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name = s(spec, "priorityClassName");
    if !name.is_empty() {
        errs.extend(FieldError::invalid_each(
            "spec.priorityClassName",
            name,
            names::dns1123_subdomain(name),
        ));
    }
    if let Some(name) = spec.get("runtimeClassName").and_then(Value::as_str) {
        errs.extend(FieldError::invalid_each(
            "spec.runtimeClassName",
            name,
            names::dns1123_subdomain(name),
        ));
    }
    match spec.get("preemptionPolicy").and_then(Value::as_str) {
        None | Some("PreemptLowerPriority" | "Never") => {}
        Some("") => errs.push(FieldError::required("spec.preemptionPolicy", "")),
        Some(other) => errs.push(FieldError::not_supported(
            "spec.preemptionPolicy",
            json!(other),
            &["PreemptLowerPriority", "Never"],
        )),
    }
    errs
}

/// `validateOS`, then `validateLinux` or `validateWindows` for a valid name.
pub(super) fn os(spec: &Value) -> Vec<FieldError> {
    let Some(os) = spec.get("os").filter(|v| !v.is_null()) else {
        return Vec::new();
    };
    match s(os, "name") {
        "" => vec![FieldError::required("spec.os.name", "")],
        "linux" => linux(spec),
        "windows" => windows(spec),
        other => vec![FieldError::not_supported(
            "spec.os",
            json!(other),
            &["linux", "windows"],
        )],
    }
}

fn linux(spec: &Value) -> Vec<FieldError> {
    const MSG: &str = "windows options cannot be set for a linux pod";
    let mut errs = Vec::new();
    if spec
        .get("securityContext")
        .is_some_and(|sc| set(sc, "windowsOptions"))
    {
        errs.push(FieldError::forbidden(
            "spec.securityContext.windowsOptions",
            MSG,
        ));
    }
    for (path, c) in containers_with_path(spec) {
        if c.get("securityContext")
            .is_some_and(|sc| set(sc, "windowsOptions"))
        {
            errs.push(FieldError::forbidden(
                format!("{path}.securityContext.windowsOptions"),
                MSG,
            ));
        }
    }
    errs
}

/// `validateWindows`: Linux-only pod and container security fields.
fn windows(spec: &Value) -> Vec<FieldError> {
    const MSG: &str = "cannot be set for a windows pod";
    let mut errs = Vec::new();
    let sc = spec.get("securityContext").unwrap_or(&Value::Null);
    let on = |key: &str| spec.get(key).and_then(Value::as_bool) == Some(true);
    let host = [
        (set(spec, "hostUsers"), "spec.hostUsers"),
        (on("hostPID"), "spec.hostPID"),
        (on("hostIPC"), "spec.hostIPC"),
    ];
    let share = (
        set(spec, "shareProcessNamespace"),
        "spec.shareProcessNamespace",
    );
    let mut checks = vec![
        (
            set(sc, "appArmorProfile"),
            "spec.securityContext.appArmorProfile",
        ),
        (
            set(sc, "seLinuxOptions"),
            "spec.securityContext.seLinuxOptions",
        ),
        (
            set(sc, "seccompProfile"),
            "spec.securityContext.seccompProfile",
        ),
        (set(sc, "fsGroup"), "spec.securityContext.fsGroup"),
        (
            set(sc, "fsGroupChangePolicy"),
            "spec.securityContext.fsGroupChangePolicy",
        ),
        (
            !arr(sc, "sysctls").is_empty(),
            "spec.securityContext.sysctls",
        ),
        (set(sc, "runAsUser"), "spec.securityContext.runAsUser"),
        (set(sc, "runAsGroup"), "spec.securityContext.runAsGroup"),
        (
            set(sc, "supplementalGroups"),
            "spec.securityContext.supplementalGroups",
        ),
        (
            set(sc, "supplementalGroupsPolicy"),
            "spec.securityContext.supplementalGroupsPolicy",
        ),
        (
            set(sc, "seLinuxChangePolicy"),
            "spec.securityContext.seLinuxChangePolicy",
        ),
    ];
    if Version::current().holds_host_namespaces_on_spec() {
        // 1.37 checks the host namespaces on the spec, after its context.
        checks.extend(host);
        checks.push(share);
    } else {
        // Before, they were fields of the internal security context, each
        // checked at its place there.
        checks.insert(6, share);
        checks.splice(2..2, host);
    }
    for (present, path) in checks {
        if present {
            errs.push(FieldError::forbidden(path, MSG));
        }
    }
    for (path, c) in containers_with_path(spec) {
        let Some(csc) = c.get("securityContext").filter(|v| !v.is_null()) else {
            continue;
        };
        for key in [
            "appArmorProfile",
            "seLinuxOptions",
            "seccompProfile",
            "capabilities",
            "readOnlyRootFilesystem",
            "privileged",
            "allowPrivilegeEscalation",
            "procMount",
            "runAsUser",
            "runAsGroup",
        ] {
            if set(csc, key) {
                errs.push(FieldError::forbidden(
                    format!("{path}.securityContext.{key}"),
                    MSG,
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("10.0.0.1", "")]
    #[case("2001:db8::1", "")]
    #[case("010.0.0.1", "must not have leading 0s")]
    #[case("::ffff:1.2.3.4", "must not be an IPv4-mapped IPv6 address")]
    #[case(
        "999.1.1.1",
        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
    )]
    #[case("", "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")]
    fn legacy_ip_rules(#[case] ip: &str, #[case] detail: &str) {
        let errs = legacy_ip("x", ip);
        let got = errs.first().map_or("", |e| e.detail.as_str());
        assert_eq!(got, detail);
    }

    #[rstest]
    #[case("010.0.0.1")]
    #[case("::ffff:1.2.3.4")]
    fn sloppy_ips_pass_before_1_36(#[case] ip: &str) {
        let v35 = Version::new(35).unwrap();
        assert!(v35.run(|| legacy_ip("x", ip)).is_empty());
        let v30 = Version::new(30).unwrap();
        assert_eq!(v30.run(|| legacy_ip("x", "999.1.1.1")).len(), 1);
    }

    #[rstest]
    #[case("_srv.example.com", true)]
    #[case("a_b.example", true)]
    #[case("Upper.example", false)]
    #[case("_", false)]
    #[case("-a", false)]
    fn search_domains(#[case] domain: &str, #[case] ok: bool) {
        assert_eq!(subdomain_with_underscore(domain).is_empty(), ok);
    }

    #[test]
    fn dns_none_stops_at_missing_nameservers() {
        let spec = json!({"dnsPolicy": "None", "dnsConfig": {"searches": ["Bad_"]}});
        let errs = dns_config(&spec);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].field, "spec.dnsConfig.nameservers");
    }
}
