//! `ValidateVolumes` and `validateVolumeSource` as
//! `pkg/apis/core/validation/validation.go` (1.36) words them: each source's
//! own validator, the "more than 1 volume type" rule in Go's source order,
//! and the name rules, appending in the same order so causes match.
//!
//! A volume with any error is left out of the returned names, as Go leaves
//! it out of its volume map: mounts naming it are then "Not found" too.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use crate::golang::quantity::Quantity;
use crate::validation::field::FieldError;
use crate::validation::objectmeta;
use crate::validation::paths::{local_descending, no_backsteps};
use crate::validation::value::{arr, s, set};

const FILE_MODE: &str = "must be a number between 0 and 0777 (octal), both inclusive";
const PARTITION: &str = "must be between 1 and 255, inclusive";
const LUN: &str = "must be between 0 and 255, inclusive";
const ONE_TYPE: &str = "may not specify more than 1 volume type";
const IQN_PREFIX: &str = "must be valid format starting with iqn, eui, or naa";

static IQN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"iqn\.\d{4}-\d{2}\.([[:alnum:]\-.]+)(:[^,;*&$|\s]+)$").expect("valid regex")
});
static EUI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^eui.[[:alnum:]]{16}$").expect("valid regex"));
static NAA: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^naa.[[:alnum:]]{32}$").expect("valid regex"));

/// A source validator: the source object and its field path.
type Check = fn(&Value, &str, &mut Vec<FieldError>);

/// Volume sources in the order `validateVolumeSource` tests them, with the
/// path segment its errors use (Go mislabels a few) and the validator.
const SOURCES: &[(&str, &str, &str, Check)] = &[
    ("emptyDir", "emptyDir", "emptyDir", empty_dir),
    ("hostPath", "hostPath", "hostPath", host_path),
    ("gitRepo", "gitRepo", "gitRepo", git_repo),
    (
        "gcePersistentDisk",
        "gcePersistentDisk",
        "persistentDisk",
        gce_pd,
    ),
    (
        "awsElasticBlockStore",
        "awsElasticBlockStore",
        "awsElasticBlockStore",
        aws_ebs,
    ),
    ("secret", "secret", "secret", secret),
    ("nfs", "nfs", "nfs", nfs),
    ("iscsi", "iscsi", "iscsi", iscsi),
    ("glusterfs", "glusterfs", "glusterfs", glusterfs),
    ("flocker", "flocker", "flocker", flocker),
    (
        "persistentVolumeClaim",
        "persistentVolumeClaim",
        "persistentVolumeClaim",
        pvc,
    ),
    ("rbd", "rbd", "rbd", rbd),
    ("cinder", "cinder", "cinder", cinder),
    ("cephfs", "cephFS", "cephfs", cephfs),
    ("quobyte", "quobyte", "quobyte", quobyte),
    ("downwardAPI", "downwarAPI", "downwardAPI", downward_api),
    ("fc", "fc", "fc", fc),
    ("flexVolume", "flexVolume", "flexVolume", flex),
    ("configMap", "configMap", "configMap", config_map),
    ("azureFile", "azureFile", "azureFile", azure_file),
    ("vsphereVolume", "vsphereVolume", "vsphereVolume", vsphere),
    (
        "photonPersistentDisk",
        "photonPersistentDisk",
        "photonPersistentDisk",
        photon,
    ),
    (
        "portworxVolume",
        "portworxVolume",
        "portworxVolume",
        portworx,
    ),
    ("azureDisk", "azureDisk", "azureDisk", azure_disk),
    ("storageos", "storageos", "storageos", storageos),
    ("projected", "projected", "projected", projected),
    ("scaleIO", "scaleIO", "scaleIO", scale_io),
    ("csi", "csi", "csi", csi),
    ("ephemeral", "ephemeral", "ephemeral", ephemeral),
    ("image", "image", "image", image),
];

/// `ValidateVolumes`: appends the errors and returns the names of the
/// volumes that passed.
pub(super) fn volumes(
    spec: &Value,
    pod_name: &str,
    errs: &mut Vec<FieldError>,
) -> BTreeSet<String> {
    let list = arr(spec, "volumes");
    let created_pvcs: BTreeSet<String> = if pod_name.is_empty() {
        BTreeSet::new()
    } else {
        list.iter()
            .filter(|v| set(v, "ephemeral"))
            .map(|v| format!("{pod_name}-{}", s(v, "name")))
            .collect()
    };
    let mut names = BTreeSet::new();
    for (i, volume) in list.iter().enumerate() {
        let path = format!("spec.volumes[{i}]");
        let name = s(volume, "name");
        let mut el = source(volume, &path, name, pod_name);
        let name_path = format!("{path}.name");
        if name.is_empty() {
            el.push(FieldError::required(&name_path, ""));
        } else {
            for msg in objectmeta::dns1123_label(name) {
                el.push(FieldError::invalid(&name_path, json!(name), msg));
            }
        }
        if names.contains(name) {
            el.push(FieldError::duplicate(&name_path, json!(name)));
        }
        if el.is_empty() {
            names.insert(name.to_string());
        } else {
            errs.extend(el);
        }
        if let Some(claim) = volume.get("persistentVolumeClaim").filter(|v| !v.is_null())
            && created_pvcs.contains(s(claim, "claimName"))
        {
            errs.push(FieldError::invalid(
                format!("{path}.persistentVolumeClaim.claimName"),
                json!(s(claim, "claimName")),
                "must not reference a PVC that gets created for an ephemeral volume",
            ));
        }
    }
    names
}

fn int(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(Value::as_i64)
}

fn required(errs: &mut Vec<FieldError>, v: &Value, path: &str, key: &str) {
    if s(v, key).is_empty() {
        errs.push(FieldError::required(format!("{path}.{key}"), ""));
    }
}

/// `validateVolumeSource`.
fn source(volume: &Value, path: &str, name: &str, pod_name: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut count = 0;
    for (key, forbidden_segment, segment, check) in SOURCES {
        let Some(src) = volume.get(*key).filter(|v| !v.is_null()) else {
            continue;
        };
        if count > 0 {
            errs.push(FieldError::forbidden(
                format!("{path}.{forbidden_segment}"),
                ONE_TYPE,
            ));
        } else {
            count += 1;
            check(src, &format!("{path}.{segment}"), &mut errs);
            if *key == "ephemeral" && !pod_name.is_empty() && !name.is_empty() {
                let pvc = format!("{pod_name}-{name}");
                for msg in objectmeta::dns1123_subdomain(&pvc) {
                    errs.push(FieldError::invalid(
                        format!("{path}.name"),
                        json!(name),
                        format!("PVC name {}: {msg}", crate::golang::format::go_quote(&pvc)),
                    ));
                }
            }
        }
        // The iSCSI length rule sits outside the "first type" branch.
        if *key == "iscsi"
            && set(src, "initiatorName")
            && name.len() + 1 + s(src, "targetPortal").len() > 64
        {
            errs.push(FieldError::invalid(
                format!("{path}.name"),
                json!(name),
                "Total length of <volume name>:<iscsi.targetPortal> must be under 64 characters if iscsi.initiatorName is specified.",
            ));
        }
    }
    if count == 0 {
        errs.push(FieldError::required(path, "must specify a volume type"));
    }
    errs
}

fn empty_dir(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let negative = src
        .get("sizeLimit")
        .and_then(Value::as_str)
        .and_then(Quantity::parse)
        .is_some_and(|q| q.is_negative());
    if negative {
        errs.push(FieldError::forbidden(
            format!("{path}.sizeLimit"),
            "SizeLimit field must be a valid resource quantity",
        ));
    }
}

const HOST_PATH_TYPES: &[&str] = &[
    "",
    "BlockDevice",
    "CharDevice",
    "Directory",
    "DirectoryOrCreate",
    "File",
    "FileOrCreate",
    "Socket",
];

fn host_path(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let p = s(src, "path");
    if p.is_empty() {
        errs.push(FieldError::required(format!("{path}.path"), ""));
        return;
    }
    errs.extend(no_backsteps(p, &format!("{path}.path")));
    if let Some(t) = src.get("type").and_then(Value::as_str)
        && !HOST_PATH_TYPES.contains(&t)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.type"),
            json!(t),
            HOST_PATH_TYPES,
        ));
    }
}

fn git_repo(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "repository");
    errs.extend(local_descending(
        s(src, "directory"),
        &format!("{path}.directory"),
    ));
}

fn partition(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let p = int(src, "partition").unwrap_or(0);
    if !(0..=255).contains(&p) {
        errs.push(FieldError::invalid(
            format!("{path}.partition"),
            json!(p),
            PARTITION,
        ));
    }
}

fn gce_pd(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "pdName");
    partition(src, path, errs);
}

fn aws_ebs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumeID");
    partition(src, path, errs);
}

fn mode(v: &Value, key: &str, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(m) = int(v, key)
        && !(0..=0o777).contains(&m)
    {
        errs.push(FieldError::invalid(
            format!("{path}.{key}"),
            json!(m),
            FILE_MODE,
        ));
    }
}

fn secret(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "secretName");
    mode(src, "defaultMode", path, errs);
    for (i, kp) in arr(src, "items").iter().enumerate() {
        key_to_path(kp, &format!("{path}.items[{i}]"), errs);
    }
}

fn config_map(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "name");
    mode(src, "defaultMode", path, errs);
    for (i, kp) in arr(src, "items").iter().enumerate() {
        key_to_path(kp, &format!("{path}.items[{i}]"), errs);
    }
}

/// `validateKeyToPath`.
fn key_to_path(kp: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, kp, path, "key");
    required(errs, kp, path, "path");
    errs.extend(local_non_reserved(s(kp, "path"), &format!("{path}.path")));
    mode(kp, "mode", path, errs);
}

fn pvc(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "claimName");
}

fn nfs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
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
fn iscsi_name_format(name: &str) -> bool {
    (!name.starts_with("iqn") || IQN.is_match(name))
        && (!name.starts_with("eui") || EUI.is_match(name))
        && (!name.starts_with("naa") || NAA.is_match(name))
}

fn iscsi_prefixed(name: &str) -> bool {
    ["iqn", "eui", "naa"].iter().any(|p| name.starts_with(p))
}

fn iscsi(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

fn glusterfs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "endpoints");
    required(errs, src, path, "path");
}

fn flocker(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

fn rbd(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if arr(src, "monitors").is_empty() {
        errs.push(FieldError::required(format!("{path}.monitors"), ""));
    }
    required(errs, src, path, "image");
}

fn secret_ref_name(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if let Some(r) = src.get("secretRef").filter(|v| !v.is_null())
        && s(r, "name").is_empty()
    {
        errs.push(FieldError::required(format!("{path}.secretRef.name"), ""));
    }
}

fn cinder(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumeID");
    secret_ref_name(src, path, errs);
}

fn cephfs(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    if arr(src, "monitors").is_empty() {
        errs.push(FieldError::required(format!("{path}.monitors"), ""));
    }
}

/// Go's `net.SplitHostPort` succeeding.
fn host_port(pair: &str) -> bool {
    if let Some(rest) = pair.strip_prefix('[') {
        return rest
            .split_once("]:")
            .is_some_and(|(host, port)| !host.contains(['[', ']']) && !port.contains(':'));
    }
    pair.matches(':').count() == 1 && !pair.contains(['[', ']'])
}

fn quobyte(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

/// Field paths a downward API volume file may read.
const DOWNWARD_FIELDS: &[&str] = &[
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
];

/// Field labels `ConvertDownwardAPIFieldLabel` knows for v1.
const FIELD_LABELS: &[&str] = &[
    "metadata.annotations",
    "metadata.labels",
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.serviceAccountName",
    "spec.schedulerName",
    "status.phase",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

/// `fieldpath.SplitMaybeSubscriptedPath`.
fn split_subscript(field_path: &str) -> Option<(&str, &str)> {
    let inner = field_path.strip_suffix("']")?;
    let (path, subscript) = inner.split_once("['")?;
    (!path.is_empty()).then_some((path, subscript))
}

/// `validateObjectFieldSelector` with the volume's allowed paths.
fn object_field_selector(fs: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let version = s(fs, "apiVersion");
    let field_path = s(fs, "fieldPath");
    if version.is_empty() {
        errs.push(FieldError::required(format!("{path}.apiVersion"), ""));
        return;
    }
    if field_path.is_empty() {
        errs.push(FieldError::required(format!("{path}.fieldPath"), ""));
        return;
    }
    let converted = if version != "v1" {
        Err(format!("unsupported pod version: {version}"))
    } else if let Some((p, _)) = split_subscript(field_path) {
        if ["metadata.annotations", "metadata.labels"].contains(&p) {
            Ok(field_path.to_string())
        } else {
            Err(format!(
                "field label does not support subscript: {field_path}"
            ))
        }
    } else if field_path == "spec.host" {
        Ok("spec.nodeName".to_string())
    } else if FIELD_LABELS.contains(&field_path) {
        Ok(field_path.to_string())
    } else {
        Err(format!("field label not supported: {field_path}"))
    };
    let internal = match converted {
        Ok(p) => p,
        Err(e) => {
            errs.push(FieldError::invalid(
                format!("{path}.fieldPath"),
                json!(field_path),
                format!("error converting fieldPath: {e}"),
            ));
            return;
        }
    };
    if let Some((p, subscript)) = split_subscript(&internal) {
        let key = if p == "metadata.annotations" {
            subscript.to_lowercase()
        } else {
            subscript.to_string()
        };
        for msg in objectmeta::qualified_name(&key, "a valid label key") {
            errs.push(FieldError::invalid(path, json!(key), msg));
        }
    } else if !DOWNWARD_FIELDS.contains(&internal.as_str()) {
        errs.push(FieldError::not_supported(
            format!("{path}.fieldPath"),
            json!(internal),
            DOWNWARD_FIELDS,
        ));
    }
}

const RESOURCE_FIELDS: &[&str] = &[
    "limits.cpu",
    "limits.ephemeral-storage",
    "limits.memory",
    "requests.cpu",
    "requests.ephemeral-storage",
    "requests.memory",
];

const SIZE_DIVISORS: &[&str] = &[
    "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
];

/// `validateContainerResourceFieldSelector` for a volume file.
fn resource_field_selector(fs: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let resource = s(fs, "resource");
    if s(fs, "containerName").is_empty() {
        errs.push(FieldError::required(format!("{path}.containerName"), ""));
    } else if resource.is_empty() {
        errs.push(FieldError::required(format!("{path}.resource"), ""));
    } else if !RESOURCE_FIELDS.contains(&resource)
        && !resource.starts_with("limits.hugepages-")
        && !resource.starts_with("requests.hugepages-")
    {
        errs.push(FieldError::not_supported(
            format!("{path}.resource"),
            json!(resource),
            RESOURCE_FIELDS,
        ));
    }
    let Some(divisor) = fs.get("divisor").and_then(Value::as_str) else {
        return;
    };
    let Some(canonical) = Quantity::parse(divisor)
        .filter(|d| !d.is_zero())
        .map(|d| d.to_string())
    else {
        return;
    };
    let bad = |allowed: &[&str]| !allowed.contains(&canonical.as_str());
    let what = match resource {
        "limits.cpu" | "requests.cpu" if bad(&["1m", "1"]) => {
            Some("only divisor's values 1m and 1 are supported with the cpu resource")
        }
        "limits.memory" | "requests.memory" if bad(SIZE_DIVISORS) => Some(
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource",
        ),
        "limits.ephemeral-storage" | "requests.ephemeral-storage" if bad(SIZE_DIVISORS) => Some(
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource",
        ),
        _ => None,
    };
    if let Some(msg) = what {
        errs.push(FieldError::invalid(
            format!("{path}.divisor"),
            json!(resource),
            msg,
        ));
    }
    if (resource.starts_with("requests.hugepages-") || resource.starts_with("limits.hugepages-"))
        && bad(SIZE_DIVISORS)
    {
        errs.push(FieldError::invalid(
            format!("{path}.divisor"),
            json!(resource),
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the hugepages resource",
        ));
    }
}

/// `validateDownwardAPIVolumeFile`.
fn downward_file(file: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, file, path, "path");
    errs.extend(local_non_reserved(s(file, "path"), &format!("{path}.path")));
    if let Some(fs) = file.get("fieldRef").filter(|v| !v.is_null()) {
        object_field_selector(fs, &format!("{path}.fieldRef"), errs);
        if set(file, "resourceFieldRef") {
            errs.push(FieldError::invalid(
                path,
                json!("resource"),
                "fieldRef and resourceFieldRef can not be specified simultaneously",
            ));
        }
    } else if let Some(fs) = file.get("resourceFieldRef").filter(|v| !v.is_null()) {
        resource_field_selector(fs, &format!("{path}.resourceFieldRef"), errs);
    } else {
        errs.push(FieldError::required(
            path,
            "one of fieldRef and resourceFieldRef is required",
        ));
    }
    mode(file, "mode", path, errs);
}

fn downward_api(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    mode(src, "defaultMode", path, errs);
    // Go validates every item on the source's path, without an index.
    for file in arr(src, "items") {
        downward_file(file, path, errs);
    }
}

fn fc(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

fn flex(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

fn azure_file(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "secretName");
    required(errs, src, path, "shareName");
}

fn vsphere(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumePath");
}

fn photon(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "pdID");
}

fn portworx(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "volumeID");
}

fn azure_disk(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
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

fn storageos(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let name = s(src, "volumeName");
    if name.is_empty() {
        errs.push(FieldError::required(format!("{path}.volumeName"), ""));
    } else {
        errs.extend(FieldError::invalid_each(
            format!("{path}.volumeName"),
            name,
            objectmeta::dns1123_label(name),
        ));
    }
    let namespace = s(src, "volumeNamespace");
    if !namespace.is_empty() {
        errs.extend(FieldError::invalid_each(
            format!("{path}.volumeNamespace"),
            namespace,
            objectmeta::dns1123_label(namespace),
        ));
    }
    secret_ref_name(src, path, errs);
}

fn projected(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    mode(src, "defaultMode", path, errs);
    let mut paths = BTreeSet::new();
    let mut claim = |p: &str, bad: &str, errs: &mut Vec<FieldError>| {
        if !paths.insert(p.to_string()) {
            errs.push(FieldError::invalid(
                path,
                json!(bad),
                "conflicting duplicate paths",
            ));
        }
    };
    for (i, proj) in arr(src, "sources").iter().enumerate() {
        let src_path = format!("{path}.sources[{i}]");
        let mut count = 0;
        for kind in ["secret", "configMap"] {
            let Some(obj) = proj.get(kind).filter(|v| !v.is_null()) else {
                continue;
            };
            count += 1;
            let obj_path = format!("{src_path}.{kind}");
            required(errs, obj, &obj_path, "name");
            for (j, kp) in arr(obj, "items").iter().enumerate() {
                key_to_path(kp, &format!("{obj_path}.items[{j}]"), errs);
                let p = s(kp, "path");
                if !p.is_empty() {
                    claim(p, s(obj, "name"), errs);
                }
            }
        }
        if let Some(obj) = proj.get("downwardAPI").filter(|v| !v.is_null()) {
            count += 1;
            let obj_path = format!("{src_path}.downwardAPI");
            for file in arr(obj, "items") {
                downward_file(file, &obj_path, errs);
                let p = s(file, "path");
                if !p.is_empty() {
                    claim(p, p, errs);
                }
            }
        }
        if let Some(token) = proj.get("serviceAccountToken").filter(|v| !v.is_null()) {
            count += 1;
            let exp_path = format!("{src_path}.serviceAccountToken.expirationSeconds");
            let exp = int(token, "expirationSeconds").unwrap_or(0);
            if exp < 600 {
                errs.push(FieldError::invalid(
                    &exp_path,
                    json!(exp),
                    "may not specify a duration less than 10 minutes",
                ));
            }
            if exp > 1 << 32 {
                errs.push(FieldError::invalid(
                    &exp_path,
                    json!(exp),
                    "may not specify a duration larger than 2^32 seconds",
                ));
            }
            // Go reports the token path on the volume's path, not the source's.
            let p = s(token, "path");
            if p.is_empty() {
                errs.push(FieldError::required(format!("{path}.path"), ""));
            } else {
                errs.extend(local_non_reserved(p, &format!("{path}.path")));
            }
        }
        // clusterTrustBundle and podCertificate sources never get here:
        // `projection::drop_disabled` removed them (gates off in 1.36).
        if count > 1 {
            errs.push(FieldError::forbidden(
                src_path,
                "may not specify more than 1 volume type per source",
            ));
        }
    }
}

fn scale_io(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    for key in ["gateway", "system", "volumeName"] {
        required(errs, src, path, key);
    }
}

fn csi(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let driver = s(src, "driver");
    let driver_path = format!("{path}.driver");
    if driver.is_empty() {
        errs.push(FieldError::required(&driver_path, ""));
    } else {
        if driver.len() > 63 {
            errs.push(FieldError::too_long(&driver_path, 63));
        }
        for msg in objectmeta::dns1123_subdomain(&driver.to_lowercase()) {
            errs.push(FieldError::invalid(&driver_path, json!(driver), msg));
        }
    }
    if let Some(r) = src.get("nodePublishSecretRef").filter(|v| !v.is_null()) {
        let name = s(r, "name");
        if name.is_empty() {
            errs.push(FieldError::required(
                format!("{path}.nodePublishSecretRef.name"),
                "",
            ));
        } else {
            // Go reports a bad secret name on `csi.name`.
            errs.extend(FieldError::invalid_each(
                format!("{path}.name"),
                name,
                objectmeta::dns1123_subdomain(name),
            ));
        }
    }
}

fn ephemeral(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let Some(template) = src.get("volumeClaimTemplate").filter(|v| !v.is_null()) else {
        errs.push(FieldError::required(
            format!("{path}.volumeClaimTemplate"),
            "",
        ));
        return;
    };
    let path = format!("{path}.volumeClaimTemplate");
    template_meta(&template["metadata"], &format!("{path}.metadata"), errs);
    claim_spec(&template["spec"], &format!("{path}.spec"), errs);
}

/// `ObjectMeta` fields in Go order with the names `validateFieldAllowList`
/// derives from them (the Go name with its first letter lowered).
const TEMPLATE_META_FIELDS: &[(&str, &str)] = &[
    ("name", "name"),
    ("generateName", "generateName"),
    ("namespace", "namespace"),
    ("selfLink", "selfLink"),
    ("uid", "uID"),
    ("resourceVersion", "resourceVersion"),
    ("generation", "generation"),
    ("creationTimestamp", "creationTimestamp"),
    ("deletionTimestamp", "deletionTimestamp"),
    ("deletionGracePeriodSeconds", "deletionGracePeriodSeconds"),
    ("ownerReferences", "ownerReferences"),
    ("finalizers", "finalizers"),
    ("managedFields", "managedFields"),
];

/// `ValidateTemplateObjectMeta`: labels and annotations only.
fn template_meta(meta: &Value, path: &str, errs: &mut Vec<FieldError>) {
    errs.extend(objectmeta::annotations(
        meta.get("annotations"),
        &format!("{path}.annotations"),
    ));
    errs.extend(objectmeta::labels(
        meta.get("labels"),
        &format!("{path}.labels"),
    ));
    for (key, go_name) in TEMPLATE_META_FIELDS {
        if meta
            .get(*key)
            .is_some_and(|v| !crate::golang::zero::is_empty(v))
        {
            errs.push(FieldError::forbidden(
                format!("{path}.{go_name}"),
                "cannot be set",
            ));
        }
    }
}

const ACCESS_MODES: &[&str] = &[
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOnce",
    "ReadWriteOncePod",
];

/// `ValidatePersistentVolumeClaimSpec` (label selectors not modelled).
fn claim_spec(spec: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let modes = arr(spec, "accessModes");
    if modes.is_empty() {
        errs.push(FieldError::required(
            format!("{path}.accessModes"),
            "at least 1 access mode is required",
        ));
    }
    let (mut once_pod, mut other) = (false, false);
    for m in modes {
        let m = m.as_str().unwrap_or("");
        if !ACCESS_MODES.contains(&m) {
            errs.push(FieldError::not_supported(
                format!("{path}.accessModes"),
                json!(m),
                ACCESS_MODES,
            ));
        }
        if m == "ReadWriteOncePod" {
            once_pod = true;
        } else if ACCESS_MODES.contains(&m) {
            other = true;
        }
    }
    if once_pod && other {
        errs.push(FieldError::forbidden(
            format!("{path}.accessModes"),
            "may not use ReadWriteOncePod with other access modes",
        ));
    }
    let storage_path = format!("{path}.resources[storage]");
    match spec.pointer("/resources/requests/storage") {
        None | Some(Value::Null) => errs.push(FieldError::required(&storage_path, "")),
        Some(q) => {
            let text = q.as_str().map_or_else(|| q.to_string(), str::to_string);
            if Quantity::parse(&text).is_some_and(|v| v.is_negative() || v.is_zero()) {
                errs.push(FieldError::invalid(
                    &storage_path,
                    json!(text),
                    "must be greater than zero",
                ));
            }
        }
    }
    class_name(spec, "storageClassName", path, errs);
    if let Some(m) = spec.get("volumeMode").and_then(Value::as_str)
        && !["Block", "Filesystem"].contains(&m)
    {
        errs.push(FieldError::not_supported(
            format!("{path}.volumeMode"),
            json!(m),
            &["Block", "Filesystem"],
        ));
    }
    data_sources(spec, path, errs);
    class_name(spec, "volumeAttributesClassName", path, errs);
}

/// `ValidateClassName` on a set class field.
fn class_name(spec: &Value, key: &str, path: &str, errs: &mut Vec<FieldError>) {
    let class = s(spec, key);
    if !class.is_empty() {
        errs.extend(FieldError::invalid_each(
            format!("{path}.{key}"),
            class,
            objectmeta::dns1123_subdomain(class),
        ));
    }
}

/// `validateDataSource` / `validateDataSourceRef` and their agreement.
fn data_sources(spec: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let source = spec.get("dataSource").filter(|v| !v.is_null());
    let source_ref = spec.get("dataSourceRef").filter(|v| !v.is_null());
    for (key, r) in [("dataSource", source), ("dataSourceRef", source_ref)] {
        let Some(r) = r else { continue };
        let p = format!("{path}.{key}");
        required(errs, r, &p, "name");
        required(errs, r, &p, "kind");
        let group = s(r, "apiGroup");
        if group.is_empty() && s(r, "kind") != "PersistentVolumeClaim" {
            errs.push(FieldError::invalid(
                &p,
                json!(s(r, "kind")),
                "must be 'PersistentVolumeClaim' when referencing the default apiGroup",
            ));
        }
        if !group.is_empty() {
            errs.extend(FieldError::invalid_each(
                format!("{p}.apiGroup"),
                group,
                objectmeta::dns1123_subdomain(group),
            ));
        }
        if key == "dataSourceRef" {
            let ns = s(r, "namespace");
            if !ns.is_empty() {
                errs.extend(FieldError::invalid_each(
                    format!("{p}.namespace"),
                    ns,
                    objectmeta::dns1123_label(ns),
                ));
            }
        }
    }
    let ref_ns = source_ref.is_some_and(|r| !s(r, "namespace").is_empty());
    if let (Some(src), Some(r)) = (source, source_ref) {
        let same = ["apiGroup", "kind", "name"]
            .iter()
            .all(|k| src.get(*k) == r.get(*k));
        let detail = if ref_ns {
            Some("may not be specified when dataSourceRef.namespace is specified")
        } else if !same {
            Some("must match dataSourceRef")
        } else {
            None
        };
        if let Some(detail) = detail {
            // Go passes a `*field.Path`, which marshals as an empty object.
            errs.push(FieldError::invalid(path, json!({}), detail));
        }
    }
}

fn image(src: &Value, path: &str, errs: &mut Vec<FieldError>) {
    required(errs, src, path, "reference");
    let policy = s(src, "pullPolicy");
    let field = format!("{path}.pullPolicy");
    match policy {
        "Always" | "IfNotPresent" | "Never" => {}
        "" => errs.push(FieldError::required(field, "")),
        other => errs.push(FieldError::not_supported(
            field,
            json!(other),
            &["Always", "IfNotPresent", "Never"],
        )),
    }
}

/// `ValidateLocalNonReservedPath`.
fn local_non_reserved(target: &str, path: &str) -> Vec<FieldError> {
    let mut errs = local_descending(target, path);
    if target.starts_with("..") && !target.starts_with("../") {
        errs.push(FieldError::invalid(
            path,
            json!(target),
            "must not start with '..'",
        ));
    }
    errs
}

/// `validatePodMetadataAndSpec`: a pod without a service account may not
/// project its token.
pub(super) fn service_account_tokens(spec: &Value) -> Vec<FieldError> {
    if !s(spec, "serviceAccountName").is_empty() {
        return Vec::new();
    }
    let mut errs = Vec::new();
    for (i, volume) in arr(spec, "volumes").iter().enumerate() {
        let Some(projected) = volume.get("projected").filter(|v| !v.is_null()) else {
            continue;
        };
        for (j, source) in arr(projected, "sources").iter().enumerate() {
            if set(source, "serviceAccountToken") {
                errs.push(FieldError::forbidden(
                    format!("spec.volumes[{i}].projected.sources[{j}].serviceAccountToken"),
                    "must not be specified when serviceAccountName is not set",
                ));
            }
        }
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field::aggregate_message;
    use rstest::rstest;

    #[rstest]
    #[case("host:1", true)]
    #[case("[::1]:80", true)]
    #[case("host", false)]
    #[case("::1:80", false)]
    fn host_ports(#[case] pair: &str, #[case] ok: bool) {
        assert_eq!(host_port(pair), ok);
    }

    /// The first type in Go's order is validated; later ones are Forbidden
    /// under Go's own path spelling (`cephFS`).
    #[test]
    fn second_type_forbidden_after_first_is_validated() {
        let spec = json!({"volumes": [{"name": "v", "rbd": {}, "cephfs": {}}]});
        let mut errs = Vec::new();
        let names = volumes(&spec, "web", &mut errs);
        assert!(names.is_empty());
        assert_eq!(
            aggregate_message(&errs),
            "[spec.volumes[0].rbd.monitors: Required value, spec.volumes[0].rbd.image: Required value, spec.volumes[0].cephFS: Forbidden: may not specify more than 1 volume type]"
        );
    }

    /// An invalid volume is not registered, so a later namesake is no duplicate.
    #[test]
    fn invalid_volume_not_registered() {
        let spec = json!({"volumes": [{"name": "a", "secret": {}}, {"name": "a", "emptyDir": {}}]});
        let mut errs = Vec::new();
        let names = volumes(&spec, "web", &mut errs);
        assert_eq!(names, BTreeSet::from(["a".to_string()]));
        assert_eq!(
            aggregate_message(&errs),
            "spec.volumes[0].secret.secretName: Required value"
        );
    }
}
