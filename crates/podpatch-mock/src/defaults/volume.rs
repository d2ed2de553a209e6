//! Volume defaulting as `SetObjectDefaults_Pod`
//! (`pkg/apis/core/v1/zz_generated.defaults.go` with `SetDefaults_Volume`
//! and the source defaulters of `defaults.go`) runs it per volume: an
//! emptyDir when no source is set, the image volume pull policy, file modes,
//! the `+default` markers of the in-tree sources (iSCSI, RBD, Azure disk,
//! ScaleIO), projected token lifetimes and the claim template's volume mode.

use serde_json::{Map, Value, json};

use crate::defaults::fields::{set_if_missing, set_if_nil};
use crate::defaults::image::image_tag;
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

fn source<'a>(v: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    v.get_mut(key).and_then(Value::as_object_mut)
}

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

/// Applies the v1 defaulters to one volume in place.
pub(super) fn default_volume(v: &mut Map<String, Value>) {
    // Asked of the volume's few members, not of the thirty sources.
    if !v
        .iter()
        .any(|(k, x)| !x.is_null() && VOLUME_SOURCES.contains(&k.as_str()))
    {
        v.insert("emptyDir".into(), json!({}));
    }
    if let Some(image) = source(v, "image")
        && image
            .get("pullPolicy")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
    {
        let reference = image.get("reference").and_then(Value::as_str).unwrap_or("");
        let policy = if image_tag(reference).as_deref() == Some("latest") {
            "Always"
        } else {
            "IfNotPresent"
        };
        image.insert("pullPolicy".into(), json!(policy));
    }
    if let Some(host_path) = source(v, "hostPath") {
        set_if_nil(host_path, "type", || json!(""));
    }
    for key in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(s) = source(v, key) {
            set_if_nil(s, "defaultMode", || json!(420));
        }
    }
    if let Some(iscsi) = source(v, "iscsi") {
        set_if_missing(iscsi, "iscsiInterface", || json!("default"));
    }
    if let Some(rbd) = source(v, "rbd") {
        set_if_missing(rbd, "pool", || json!("rbd"));
        set_if_missing(rbd, "user", || json!("admin"));
        set_if_missing(rbd, "keyring", || json!("/etc/ceph/keyring"));
    }
    if let Some(downward) = source(v, "downwardAPI") {
        downward_items(downward.get_mut("items"));
    }
    if let Some(disk) = source(v, "azureDisk") {
        set_if_nil(disk, "cachingMode", || json!("ReadWrite"));
        set_if_nil(disk, "fsType", || json!("ext4"));
        set_if_nil(disk, "readOnly", || json!(false));
        set_if_nil(disk, "kind", || json!("Shared"));
    }
    // Pods are stored as protobuf, which keeps no empty list: `sources: []`
    // reads back as nil.
    if let Some(projected) = source(v, "projected")
        && projected
            .get("sources")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
    {
        projected.insert("sources".into(), Value::Null);
    }
    if let Some(Value::Array(sources)) = source(v, "projected").and_then(|p| p.get_mut("sources")) {
        for projection in sources.iter_mut() {
            downward_items(projection.at_mut("/downwardAPI/items"));
            if let Some(Value::Object(token)) = projection.get_mut("serviceAccountToken") {
                set_if_nil(token, "expirationSeconds", || json!(3600));
            }
        }
    }
    if let Some(scale_io) = source(v, "scaleIO") {
        set_if_missing(scale_io, "storageMode", || json!("ThinProvisioned"));
        set_if_missing(scale_io, "fsType", || json!("xfs"));
    }
    if let Some(Value::Object(spec)) = source(v, "ephemeral")
        .and_then(|e| e.get_mut("volumeClaimTemplate"))
        .and_then(|t| t.get_mut("spec"))
    {
        set_if_nil(spec, "volumeMode", || json!("Filesystem"));
    }
}
