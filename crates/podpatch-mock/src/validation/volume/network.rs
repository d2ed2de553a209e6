//! The in-tree network, cloud and driver volume sources of
//! `validateVolumeSource` (`pkg/apis/core/validation/validation.go`): GCE
//! PD, AWS EBS, NFS, iSCSI (with its IQN/EUI/NAA name formats), GlusterFS,
//! Flocker, RBD, Cinder, CephFS, Quobyte, FC, FlexVolume, Azure File and
//! Disk, vSphere, Photon, Portworx, StorageOS and ScaleIO. It inspects values
//! only.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use super::fields::{int, required};
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::value::{arr, s, set};

pub(super) const IQN_PREFIX: &str = "must be valid format starting with iqn, eui, or naa";

pub(super) static IQN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"iqn\.\d{4}-\d{2}\.([[:alnum:]\-.]+)(:[^,;*&$|\s]+)$").expect("valid regex")
});

pub(super) static EUI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^eui.[[:alnum:]]{16}$").expect("valid regex"));

pub(super) static NAA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^naa.[[:alnum:]]{32}$").expect("valid regex"));

pub(super) const PARTITION: &str = "must be between 1 and 255, inclusive";

pub(super) const LUN: &str = "must be between 0 and 255, inclusive";

pub(super) fn partition(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let p = int(src, "partition").unwrap_or(0);
    if !(0..=255).contains(&p) {
        errs.push(FieldError::invalid(
            format!("{path}.partition"),
            json!(p),
            PARTITION,
        ));
    }
}

pub(super) fn gce_pd(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "pdName");
    partition(src, path, errs);
}

pub(super) fn aws_ebs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumeID");
    partition(src, path, errs);
}

pub(super) fn nfs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "server");
    required(errs, src, path, "path");
    let p = s(src, "path");
    if !p.starts_with('/') {
        errs.push(FieldError::invalid(
            format!("{path}.path"),
            json!(p),
            "must be an absolute path",
        ));
    }
}

/// The iSCSI qualified-name format checks shared by `iqn` and `initiatorName`.
pub(super) fn iscsi_name_format(name: &str) -> bool {
    (!name.starts_with("iqn") || IQN.is_match(name))
        && (!name.starts_with("eui") || EUI.is_match(name))
        && (!name.starts_with("naa") || NAA.is_match(name))
}

pub(super) fn iscsi_prefixed(name: &str) -> bool {
    ["iqn", "eui", "naa"].iter().any(|p| name.starts_with(p))
}

pub(super) fn iscsi(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "targetPortal");
    let iqn = s(src, "iqn");
    if iqn.is_empty() {
        errs.push(FieldError::required(format!("{path}.iqn"), ""));
    } else if !iscsi_prefixed(iqn) {
        errs.push(FieldError::invalid(
            format!("{path}.iqn"),
            json!(iqn),
            IQN_PREFIX,
        ));
    } else if !iscsi_name_format(iqn) {
        errs.push(FieldError::invalid(
            format!("{path}.iqn"),
            json!(iqn),
            "must be valid format",
        ));
    }
    let lun = int(src, "lun").unwrap_or(0);
    if !(0..=255).contains(&lun) {
        errs.push(FieldError::invalid(format!("{path}.lun"), json!(lun), LUN));
    }
    let chap = |k: &str| src.get(k).and_then(Value::as_bool) == Some(true);
    if (chap("chapAuthDiscovery") || chap("chapAuthSession")) && !set(src, "secretRef") {
        errs.push(FieldError::required(format!("{path}.secretRef"), ""));
    }
    if let Some(initiator) = src.get("initiatorName").and_then(Value::as_str) {
        let field = format!("{path}.initiatorname");
        if !iscsi_prefixed(initiator) {
            errs.push(FieldError::invalid(&field, json!(initiator), IQN_PREFIX));
        }
        if !iscsi_name_format(initiator) {
            errs.push(FieldError::invalid(
                &field,
                json!(initiator),
                "must be valid format",
            ));
        }
    }
}

pub(super) fn glusterfs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "endpoints");
    required(errs, src, path, "path");
}

pub(super) fn flocker(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let (name, uuid) = (s(src, "datasetName"), s(src, "datasetUUID"));
    if name.is_empty() && uuid.is_empty() {
        errs.push(FieldError::required(
            path,
            "one of datasetName and datasetUUID is required",
        ));
    }
    if !name.is_empty() && !uuid.is_empty() {
        errs.push(FieldError::invalid(
            path,
            json!("resource"),
            "datasetName and datasetUUID can not be specified simultaneously",
        ));
    }
    if name.contains('/') {
        errs.push(FieldError::invalid(
            format!("{path}.datasetName"),
            json!(name),
            "must not contain '/'",
        ));
    }
}

pub(super) fn rbd(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if arr(src, "monitors").is_empty() {
        errs.push(FieldError::required(format!("{path}.monitors"), ""));
    }
    required(errs, src, path, "image");
}

pub(super) fn secret_ref_name(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(r) = src.get("secretRef").filter(|v| !v.is_null())
        && s(r, "name").is_empty()
    {
        errs.push(FieldError::required(format!("{path}.secretRef.name"), ""));
    }
}

pub(super) fn cinder(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumeID");
    secret_ref_name(src, path, errs);
}

pub(super) fn cephfs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if arr(src, "monitors").is_empty() {
        errs.push(FieldError::required(format!("{path}.monitors"), ""));
    }
}

/// Go's `net.SplitHostPort` succeeding.
pub(super) fn host_port(pair: &str) -> bool {
    if let Some(rest) = pair.strip_prefix('[') {
        return rest
            .split_once("]:")
            .is_some_and(|(host, port)| !host.contains(['[', ']']) && !port.contains(':'));
    }
    pair.matches(':').count() == 1 && !pair.contains(['[', ']'])
}

pub(super) fn quobyte(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    const PAIRS: &str = "must be a host:port pair or multiple pairs separated by commas";
    let registry = s(src, "registry");
    if registry.is_empty() {
        errs.push(FieldError::required(format!("{path}.registry"), PAIRS));
    } else if s(src, "tenant").len() >= 65 {
        errs.push(FieldError::required(
            format!("{path}.tenant"),
            "must be a UUID and may not exceed a length of 64 characters",
        ));
    } else {
        for pair in registry.split(',') {
            if !host_port(pair) {
                errs.push(FieldError::invalid(
                    format!("{path}.registry"),
                    json!(registry),
                    PAIRS,
                ));
            }
        }
    }
    required(errs, src, path, "volume");
}

pub(super) fn fc(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let wwns = arr(src, "targetWWNs");
    let wwids = arr(src, "wwids");
    if wwns.is_empty() && wwids.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.targetWWNs"),
            "must specify either targetWWNs or wwids, but not both",
        ));
    }
    if !wwns.is_empty() && !wwids.is_empty() {
        errs.push(FieldError::invalid(
            format!("{path}.targetWWNs"),
            json!(wwns),
            "targetWWNs and wwids can not be specified simultaneously",
        ));
    }
    if !wwns.is_empty() {
        match int(src, "lun") {
            None => errs.push(FieldError::required(
                format!("{path}.lun"),
                "lun is required if targetWWNs is specified",
            )),
            Some(lun) if !(0..=255).contains(&lun) => {
                errs.push(FieldError::invalid(format!("{path}.lun"), json!(lun), LUN));
            }
            Some(_) => {}
        }
    }
}

pub(super) fn flex(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "driver");
    if let Some(options) = src.get("options").and_then(Value::as_object) {
        for key in options.keys() {
            let namespace = key.split_once('/').map_or(key.as_str(), |(ns, _)| ns);
            let normalized = format!(".{}", namespace.to_lowercase());
            if normalized.ends_with(".kubernetes.io") || normalized.ends_with(".k8s.io") {
                errs.push(FieldError::invalid(
                    format!("{path}.options[{key}]"),
                    json!(key),
                    "kubernetes.io and k8s.io namespaces are reserved",
                ));
            }
        }
    }
}

pub(super) fn azure_file(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "secretName");
    required(errs, src, path, "shareName");
}

pub(super) fn vsphere(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumePath");
}

pub(super) fn photon(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "pdID");
}

pub(super) fn portworx(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumeID");
}

pub(super) fn azure_disk(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "diskName");
    required(errs, src, path, "diskURI");
    if let Some(caching) = src.get("cachingMode").and_then(Value::as_str)
        && !["None", "ReadOnly", "ReadWrite"].contains(&caching)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.cachingMode"),
            json!(caching),
            &["None", "ReadOnly", "ReadWrite"],
        ));
    }
    let kind = src.get("kind").and_then(Value::as_str);
    if let Some(kind) = kind
        && !["Dedicated", "Managed", "Shared"].contains(&kind)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.kind"),
            json!(kind),
            &["Dedicated", "Managed", "Shared"],
        ));
    }
    let uri = s(src, "diskURI");
    match kind {
        Some("Managed") if !uri.starts_with("/subscriptions/") => {
            errs.push(FieldError::not_supported(
                format!("{path}.diskURI"),
                json!(uri),
                &["/subscriptions/{sub-id}/resourcegroups/{group-name}/providers/microsoft.compute/disks/{disk-id}"],
            ));
        }
        Some(k) if k != "Managed" && !uri.starts_with("https://") => {
            errs.push(FieldError::not_supported(
                format!("{path}.diskURI"),
                json!(uri),
                &["https://{account-name}.blob.core.windows.net/{container-name}/{disk-name}.vhd"],
            ));
        }
        _ => {}
    }
}

pub(super) fn storageos(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let name = s(src, "volumeName");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.volumeName"), ""));
    } else {
        errs.extend(FieldError::invalid_each(
            format!("{path}.volumeName"),
            name,
            names::dns1123_label(name),
        ));
    }
    let namespace = s(src, "volumeNamespace");
    if !namespace.is_empty() {
        errs.extend(FieldError::invalid_each(
            format!("{path}.volumeNamespace"),
            namespace,
            names::dns1123_label(namespace),
        ));
    }
    secret_ref_name(src, path, errs);
}

pub(super) fn scale_io(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for key in ["gateway", "system", "volumeName"] {
        required(errs, src, path, key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("host:1", true)]
    #[case("[::1]:80", true)]
    #[case("host", false)]
    #[case("::1:80", false)]
    fn host_ports(#[case] pair: &str, #[case] ok: bool) {
        assert_eq!(host_port(pair), ok);
    }
}
