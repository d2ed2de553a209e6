//! Volume defaulting as `SetObjectDefaults_Pod`
//! (`pkg/apis/core/v1/zz_generated.defaults.go` with `SetDefaults_Volume`
//! and the source defaulters of `defaults.go`) runs it per volume: an
//! emptyDir when no source is set, the image volume pull policy, file modes,
//! the `+default` markers of the in-tree sources (iSCSI, RBD, Azure disk,
//! ScaleIO), projected token lifetimes and the claim template's volume mode.

use serde_json::{Map, Value, json};

use crate::defaults::fields::{set_if_missing, set_if_nil};
use crate::defaults::image::default_pull_policy;
use crate::golang::json_pointer::Lookup;

/// The pointer fields of `VolumeSource`: with all of them nil the volume
/// becomes an emptyDir.
const VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// Defaults `fieldRef.apiVersion` of downward API files.
fn downward_items(items: Option<&mut Value>) {
    if let Some(Value::Array(items)) = items {
        for item in items.iter_mut() {
            if let Some(Value::Object(field_ref)) = item.get_mut("fieldRef") {
                set_if_missing(field_ref, "apiVersion", || json!("v1"));
            }
        }
    }
}

/// Applies the v1 defaulters to one volume in place: each source's own,
/// found in one pass over the volume's few members.
pub(super) fn default_volume(v: &mut Map<String, Value>) {
    // Asked of the volume's few members, not of the thirty sources.
    if !v
        .iter()
        .any(|(k, x)| !x.is_null() && VOLUME_SOURCES.contains(&k.as_str()))
    {
        v.insert("emptyDir".into(), json!({}));
    }
    for (key, source) in v.iter_mut() {
        let Value::Object(source) = source else {
            continue;
        };
        match key.as_str() {
            "image" => default_image_source(source),
            "hostPath" => set_if_nil(source, "type", || json!("")),
            "secret" | "configMap" => set_if_nil(source, "defaultMode", || json!(420)),
            "downwardAPI" => {
                set_if_nil(source, "defaultMode", || json!(420));
                downward_items(source.get_mut("items"));
            }
            "projected" => {
                set_if_nil(source, "defaultMode", || json!(420));
                default_projections(source);
            }
            "iscsi" => set_if_missing(source, "iscsiInterface", || json!("default")),
            "rbd" => {
                set_if_missing(source, "pool", || json!("rbd"));
                set_if_missing(source, "user", || json!("admin"));
                set_if_missing(source, "keyring", || json!("/etc/ceph/keyring"));
            }
            "azureDisk" => {
                set_if_nil(source, "cachingMode", || json!("ReadWrite"));
                set_if_nil(source, "fsType", || json!("ext4"));
                set_if_nil(source, "readOnly", || json!(false));
                set_if_nil(source, "kind", || json!("Shared"));
            }
            "scaleIO" => {
                set_if_missing(source, "storageMode", || json!("ThinProvisioned"));
                set_if_missing(source, "fsType", || json!("xfs"));
            }
            "ephemeral" => {
                if let Some(Value::Object(spec)) = source
                    .get_mut("volumeClaimTemplate")
                    .and_then(|t| t.get_mut("spec"))
                {
                    set_if_nil(spec, "volumeMode", || json!("Filesystem"));
                }
            }
            _ => {}
        }
    }
}

/// An image volume's pull policy, from its reference's tag.
fn default_image_source(image: &mut Map<String, Value>) {
    if image
        .get("pullPolicy")
        .and_then(Value::as_str)
        .is_some_and(|policy| !policy.is_empty())
    {
        return;
    }
    let policy = default_pull_policy(image.get("reference").and_then(Value::as_str).unwrap_or(""));
    image.insert("pullPolicy".into(), json!(policy));
}

/// A projected volume's sources: downward API items and token lifetimes.
fn default_projections(projected: &mut Map<String, Value>) {
    // Pods are stored as protobuf, which keeps no empty list: `sources: []`
    // reads back as nil.
    match projected.get_mut("sources") {
        Some(Value::Array(sources)) if sources.is_empty() => {
            projected.insert("sources".into(), Value::Null);
        }
        Some(Value::Array(sources)) => {
            for projection in sources.iter_mut() {
                downward_items(projection.at_mut("/downwardAPI/items"));
                if let Some(Value::Object(token)) = projection.get_mut("serviceAccountToken") {
                    set_if_nil(token, "expirationSeconds", || json!(3600));
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::no_source(json!({"name": "v"}), json!({"name": "v", "emptyDir": {}}))]
    #[case::null_source(json!({"name": "v", "secret": null}), json!({"name": "v", "secret": null, "emptyDir": {}}))]
    #[case::modes(
        json!({"name": "v", "secret": {"secretName": "s"}, "configMap": {"name": "c", "defaultMode": 256}}),
        json!({"name": "v", "secret": {"secretName": "s", "defaultMode": 420}, "configMap": {"name": "c", "defaultMode": 256}})
    )]
    #[case::host_path(json!({"hostPath": {"path": "/x"}}), json!({"hostPath": {"path": "/x", "type": ""}}))]
    #[case::image(json!({"image": {"reference": "busybox"}}), json!({"image": {"reference": "busybox", "pullPolicy": "Always"}}))]
    #[case::image_kept(json!({"image": {"reference": "busybox", "pullPolicy": "Never"}}), json!({"image": {"reference": "busybox", "pullPolicy": "Never"}}))]
    #[case::rbd(json!({"rbd": {"image": "i", "user": ""}}), json!({"rbd": {"image": "i", "pool": "rbd", "user": "admin", "keyring": "/etc/ceph/keyring"}}))]
    #[case::azure_disk(json!({"azureDisk": {"diskName": "d", "fsType": ""}}), json!({"azureDisk": {"diskName": "d", "fsType": "", "cachingMode": "ReadWrite", "readOnly": false, "kind": "Shared"}}))]
    #[case::scale_io(json!({"scaleIO": {"system": "s"}}), json!({"scaleIO": {"system": "s", "storageMode": "ThinProvisioned", "fsType": "xfs"}}))]
    #[case::iscsi(json!({"iscsi": {"iqn": "q"}}), json!({"iscsi": {"iqn": "q", "iscsiInterface": "default"}}))]
    #[case::downward(
        json!({"downwardAPI": {"items": [{"path": "p", "fieldRef": {"fieldPath": "metadata.name"}}]}}),
        json!({"downwardAPI": {"defaultMode": 420, "items": [{"path": "p", "fieldRef": {"fieldPath": "metadata.name", "apiVersion": "v1"}}]}})
    )]
    #[case::projected(
        json!({"projected": {"sources": [{"serviceAccountToken": {"path": "t"}},
            {"downwardAPI": {"items": [{"path": "p", "fieldRef": {"fieldPath": "metadata.name"}}]}}]}}),
        json!({"projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}},
            {"downwardAPI": {"items": [{"path": "p", "fieldRef": {"fieldPath": "metadata.name", "apiVersion": "v1"}}]}}]}})
    )]
    #[case::projected_no_sources(json!({"projected": {"sources": []}}), json!({"projected": {"defaultMode": 420, "sources": null}}))]
    #[case::ephemeral(
        json!({"ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}}),
        json!({"ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": "Filesystem"}}}})
    )]
    fn sources_get_their_defaults(#[case] volume: Value, #[case] expected: Value) {
        let Value::Object(mut volume) = volume else {
            panic!("a volume is an object");
        };
        default_volume(&mut volume);
        assert_eq!(Value::Object(volume), expected);
    }
}
