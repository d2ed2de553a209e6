//! `ValidateVolumes` and `validateVolumeSource` as
//! `pkg/apis/core/validation/validation.go` (1.36) words them: the source
//! table in Go's order (with the path segment Go's errors use), the "more
//! than 1 volume type" rule, and the name rules, appending in the same order
//! so causes match.
//!
//! A volume with any error is left out of the returned names, as Go leaves
//! it out of its volume map: mounts naming it are then "Not found" too.

use std::collections::BTreeSet;
use std::fmt::Display;

use serde_json::{Value, json};

use super::claims::{csi, ephemeral, pvc};
use super::local::{empty_dir, git_repo, host_path, image};
use super::network::{
    aws_ebs, azure_disk, azure_file, cephfs, cinder, fc, flex, flocker, gce_pd, glusterfs, iscsi,
    nfs, photon, portworx, quobyte, rbd, scale_io, storageos, vsphere,
};
use super::projected::{config_map, downward_api, projected, secret};
use crate::validation::field::FieldError;
use crate::validation::names;
use crate::validation::value::{arr, s, set};

pub(super) const ONE_TYPE: &str = "may not specify more than 1 volume type";

/// A source validator: the source object and its field path.
pub(super) type Check = fn(&Value, &str, &mut Vec<FieldError>);

/// Volume sources in the order `validateVolumeSource` tests them, with the
/// path segment its errors use (Go mislabels a few) and the validator.
pub(super) const SOURCES: &[(&str, &str, &str, Check)] = &[
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
pub(crate) fn volumes(
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
        let path = format_args!("spec.volumes[{i}]");
        let name = s(volume, "name");
        let mut el = source(volume, &path, name, pod_name);
        let name_path = format_args!("{path}.name");
        if name.is_empty() {
            el.push(FieldError::required(name_path.to_string(), ""));
        } else {
            for msg in names::dns1123_label(name) {
                el.push(FieldError::invalid(name_path.to_string(), json!(name), msg));
            }
        }
        if names.contains(name) {
            el.push(FieldError::duplicate(name_path.to_string(), json!(name)));
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

/// `validateVolumeSource`.
pub(super) fn source(
    volume: &Value,
    path: &(impl Display + ?Sized),
    name: &str,
    pod_name: &str,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut count = 0;
    // A volume sets one source or two of the thirty: found from its own
    // members, then taken in Go's order.
    let mut present: Vec<(usize, &Value)> = volume
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, src)| !src.is_null())
        .filter_map(|(k, src)| Some((SOURCES.iter().position(|s| s.0 == k)?, src)))
        .collect();
    present.sort_unstable_by_key(|&(at, _)| at);
    for (at, src) in present {
        let (key, forbidden_segment, segment, check) = &SOURCES[at];
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
                for msg in names::dns1123_subdomain(&pvc) {
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
        errs.push(FieldError::required(
            path.to_string(),
            "must specify a volume type",
        ));
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field::aggregate_message;

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
