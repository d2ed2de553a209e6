//! The certificate projection sources of `validateProjectionSources`
//! (1.37, where `ClusterTrustBundleProjection` and `PodCertificateRequest`
//! are on; older minors drop both sources before validation): a
//! `clusterTrustBundle` by name or by signer name and label selector, a
//! `podCertificate` with its signer, key type, lifetime, user annotations
//! and file paths, and the signer-name and bundle-name rules of
//! `pkg/apis/core/validation/names.go`. It inspects values only; the
//! projection's path bookkeeping is its caller's.

use serde_json::{Value, json};

use super::fields::local_non_reserved;
use crate::golang::format::go_quote;
use crate::golang::json_encode::compact_string;
use crate::schema::LABEL_SELECTOR_TY;
use crate::validation::affinity::label_selector;
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::objectmeta::TOTAL_ANNOTATION_SIZE;
use crate::validation::value::{present, s};

/// The key types a pod certificate may ask for, in Go's order.
const KEY_TYPES: &[&str] = &[
    "RSA3072",
    "RSA4096",
    "ECDSAP256",
    "ECDSAP384",
    "ECDSAP521",
    "ED25519",
];

/// `certificates.MaxMaxExpirationSeconds` (91 days) and, for signers of
/// the Kubernetes project, `KubernetesMaxMaxExpirationSeconds` (one day).
const MAX_EXPIRATION: i64 = 91 * 24 * 60 * 60;
const KUBERNETES_MAX_EXPIRATION: i64 = 24 * 60 * 60;

/// A projected file path a source claims; its caller reports a path
/// claimed twice on the volume.
pub(super) type Claim<'a> = &'a mut dyn FnMut(&str, &mut Vec<FieldError>);

/// The `ClusterTrustBundleProjection` struct as `field.Invalid` renders it:
/// the internal type has no JSON tags, so Go's field names, every field.
fn render_bundle(ctb: &Value) -> String {
    let string = |key: &str| present(ctb, key).map_or("null".to_string(), |v| v.to_string());
    let selector = present(ctb, "labelSelector").map_or("null".to_string(), |sel| {
        compact_string(sel, &LABEL_SELECTOR_TY)
    });
    format!(
        "{{\"Name\":{},\"SignerName\":{},\"LabelSelector\":{selector},\"Optional\":{},\"Path\":{},\"User\":null}}",
        string("name"),
        string("signerName"),
        string("optional"),
        json!(s(ctb, "path")),
    )
}

/// The `clusterTrustBundle` source at `path` (`….sources[i].clusterTrustBundle`).
pub(super) fn cluster_trust_bundle(
    ctb: &Value,
    path: &str,
    claim: Claim,
    errs: &mut Vec<FieldError>,
) {
    let name = present(ctb, "name").map(|v| v.as_str().unwrap_or(""));
    let signer = present(ctb, "signerName").map(|v| v.as_str().unwrap_or(""));
    match (name, signer) {
        (Some(_), Some(_)) => errs.push(FieldError::invalid_rendered(
            path,
            render_bundle(ctb),
            "only one of name and signerName may be used",
        )),
        (Some(name), None) => {
            if name.is_empty() {
                errs.push(FieldError::required(
                    format!("{path}.name"),
                    "must be a valid object name",
                ));
            }
            for msg in bundle_name(name) {
                errs.push(FieldError::invalid(
                    format!("{path}.name"),
                    json!(name),
                    format!("not a valid clustertrustbundlename: {msg}"),
                ));
            }
            if let Some(selector) = present(ctb, "labelSelector") {
                errs.push(FieldError::invalid_rendered(
                    format!("{path}.labelSelector"),
                    compact_string(selector, &LABEL_SELECTOR_TY),
                    "labelSelector must be unset if name is specified",
                ));
            }
        }
        (None, Some(signer)) => {
            if signer.is_empty() {
                errs.push(FieldError::required(
                    format!("{path}.signerName"),
                    "must be a valid signer name",
                ));
            }
            errs.extend(signer_name(&format!("{path}.signerName"), signer));
            errs.extend(label_selector(
                ctb.get("labelSelector"),
                &format!("{path}.labelSelector"),
            ));
        }
        (None, None) => errs.push(FieldError::required(
            path,
            "either name or signerName must be specified",
        )),
    }
    let file = s(ctb, "path");
    if file.is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
    }
    errs.extend(local_non_reserved(file, &format!("{path}.path")));
    // The bundle's path is claimed even when empty.
    claim(file, errs);
}

/// The `podCertificate` source at `path` (`….sources[i].podCertificate`).
pub(super) fn pod_certificate(pc: &Value, path: &str, claim: Claim, errs: &mut Vec<FieldError>) {
    let signer = s(pc, "signerName");
    errs.extend(signer_name(&format!("{path}.signerName"), signer));
    if let Some(Value::Object(annotations)) = present(pc, "userAnnotations") {
        let at = format!("{path}.userAnnotations");
        // Go ranges over the map in random order; the keys' order here.
        let mut total = 0;
        for (key, value) in annotations {
            errs.extend(domain_prefixed_key(&at, &key.to_lowercase()));
            total += key.len() + value.as_str().map_or(0, str::len);
        }
        if total > TOTAL_ANNOTATION_SIZE {
            errs.push(FieldError::too_long(&at, TOTAL_ANNOTATION_SIZE));
        }
    }
    let key_type = s(pc, "keyType");
    if !KEY_TYPES.contains(&key_type) {
        errs.push(FieldError::not_supported(
            format!("{path}.keyType"),
            json!(key_type),
            KEY_TYPES,
        ));
    }
    if let Some(seconds) = present(pc, "maxExpirationSeconds").and_then(Value::as_i64) {
        let at = format!("{path}.maxExpirationSeconds");
        if seconds < 3600 {
            errs.push(FieldError::invalid(
                &at,
                json!(seconds),
                "if provided, maxExpirationSeconds must be >= 3600",
            ));
        }
        let max = if is_kubernetes_signer(signer) {
            KUBERNETES_MAX_EXPIRATION
        } else {
            MAX_EXPIRATION
        };
        if seconds > max {
            errs.push(FieldError::invalid(
                &at,
                json!(seconds),
                format!("if provided, maxExpirationSeconds must be <= {max}"),
            ));
        }
    }
    let mut files = 0;
    for key in ["credentialBundlePath", "keyPath", "certificateChainPath"] {
        let file = s(pc, key);
        if file.is_empty() {
            continue;
        }
        files += 1;
        errs.extend(local_non_reserved(file, &format!("{path}.{key}")));
        claim(file, errs);
    }
    if files == 0 {
        errs.push(FieldError::required(
            path,
            "specify at least one of credentialBundlePath, keyPath, and certificateChainPath",
        ));
    }
}

/// `IsKubernetesSignerName`: the signer's domain is `kubernetes.io` or
/// under it.
fn is_kubernetes_signer(signer: &str) -> bool {
    let host = signer.split('/').next().unwrap_or("");
    host == "kubernetes.io" || host.ends_with(".kubernetes.io")
}

/// `ValidateSignerName`: `domain.example/path`, each domain label a DNS
/// label, each path part a DNS subdomain, within Go's length limits.
fn signer_name(path: &str, signer: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if signer.is_empty() {
        errs.push(FieldError::required(path, ""));
        return errs;
    }
    let segments: Vec<&str> = signer.split('/').collect();
    let [domain, rest] = segments[..] else {
        errs.push(FieldError::invalid(
            path,
            json!(signer),
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        ));
        return errs;
    };
    if domain.len() > 253 {
        errs.push(FieldError::too_long(path, 253));
    }
    errs.extend(first_bad_label(path, domain, names::dns1123_label));
    if domain.split('.').count() < 2 {
        errs.push(FieldError::invalid(
            path,
            json!(domain),
            "should be a domain with at least two segments separated by dots",
        ));
    }
    errs.extend(first_bad_label(path, rest, names::dns1123_subdomain));
    // A domain, then a label, a dot and a subdomain, and the slash.
    let max = 253 + (253 + 63 + 1) + 1;
    if signer.len() > max {
        errs.push(FieldError::too_long(path, max));
    }
    errs
}

/// The errors of the first dot-separated label of `segment` that `rule`
/// refuses, each as `validating label "…": …` on the whole segment (the
/// other labels' errors would read the same).
fn first_bad_label(path: &str, segment: &str, rule: fn(&str) -> Vec<String>) -> Vec<FieldError> {
    let Some((label, msgs)) = segment
        .split('.')
        .map(|l| (l, rule(l)))
        .find(|(_, msgs)| !msgs.is_empty())
    else {
        return Vec::new();
    };
    msgs.into_iter()
        .map(|msg| {
            FieldError::invalid(
                path,
                json!(segment),
                format!("validating label {}: {msg}", go_quote(label)),
            )
        })
        .collect()
}

/// `ValidateClusterTrustBundleName` for the signer the name implies
/// (`extractSignerNameFromClusterTrustBundleName`: what precedes its last
/// colon, colons read as slashes).
fn bundle_name(name: &str) -> Vec<String> {
    let Some(split) = name.rfind(':') else {
        return names::dns1123_subdomain(name);
    };
    let signer = name[..split].replace(':', "/");
    if signer.is_empty() {
        return vec![
            "ClusterTrustBundle without signer name must not have \":\" in its name".into(),
        ];
    }
    let prefix = format!("{}:", signer.replace('/', ":"));
    match name.strip_prefix(&prefix) {
        Some(rest) => names::dns1123_subdomain(rest),
        None => vec![format!(
            "ClusterTrustBundle for signerName {signer} must be named with prefix {prefix}"
        )],
    }
}

/// `IsDomainPrefixedKey`: a label key with a domain prefix.
fn domain_prefixed_key(path: &str, key: &str) -> Vec<FieldError> {
    if key.is_empty() {
        return vec![FieldError::required(path, "")];
    }
    let errs: Vec<FieldError> =
        FieldError::invalid_each(path, key, names::qualified_name(key)).collect();
    if !errs.is_empty() {
        return errs;
    }
    if key.split('/').count() != 2 {
        return vec![FieldError::invalid(
            path,
            json!(key),
            "must be a domain-prefixed key (such as \"acme.io/foo\")",
        )];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_names_follow_their_signer() {
        assert!(bundle_name("example.com:s:abc").is_empty());
        assert!(bundle_name("plain").is_empty());
        assert_eq!(
            bundle_name(":x"),
            vec!["ClusterTrustBundle without signer name must not have \":\" in its name"]
        );
        assert_eq!(
            bundle_name("a/b:c"),
            vec!["ClusterTrustBundle for signerName a/b must be named with prefix a:b:"]
        );
    }

    #[test]
    fn signer_names_need_a_domain_and_a_path() {
        assert!(signer_name("p", "example.com/signer").is_empty());
        assert_eq!(
            signer_name("p", "bad")[0].detail,
            "must be a fully qualified domain and path of the form 'example.com/signer-name'"
        );
        let errs = signer_name("p", "example/Bad_");
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(
            errs[0].detail,
            "should be a domain with at least two segments separated by dots"
        );
    }
}
