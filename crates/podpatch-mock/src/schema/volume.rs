//! The `v1.Volume` tables: every volume source as its Go struct declares
//! it (field order, `omitempty`, pointers, atomic references), so volumes
//! round-trip, prune empty values and track managed fields like the server.

use crate::schema::meta::LABEL_SELECTOR_TY;
use crate::schema::shared::{
    LOCAL_OBJECT_REFERENCE, OBJECT_FIELD_SELECTOR, RESOURCE_FIELD_SELECTOR,
};
use crate::schema::types::{List, STR_LIST, Struct, Ty, a, atomic, f, p};

/// A `*string` without `omitempty`: a nil pointer marshals as `null`.
const NULLABLE_STR: Ty = Ty::Any;

/// The embedded `ObjectMeta` of a claim template: a zero creation timestamp
/// is omitted there (`omitzero`), unlike on the pod itself.
static TEMPLATE_META: Struct = Struct {
    name: "ObjectMeta",
    fields: &[
        f("name", Ty::Str),
        f("generateName", Ty::Str),
        f("namespace", Ty::Str),
        f("selfLink", Ty::Str),
        f("uid", Ty::Str),
        f("resourceVersion", Ty::Str),
        f("generation", Ty::Int),
        p("creationTimestamp", Ty::Time),
        p("deletionTimestamp", Ty::Time),
        p("deletionGracePeriodSeconds", Ty::Int),
        f("labels", Ty::Map(&Ty::Str)),
        f("annotations", Ty::Map(&Ty::Str)),
        f("ownerReferences", Ty::List(&ANY_LIST)),
        f("finalizers", Ty::List(&STR_LIST)),
        f("managedFields", Ty::List(&ANY_LIST)),
    ],
};

/// Template metadata fields validation refuses anyway: kept as sent.
static ANY_LIST: List = atomic(Ty::Any);

/// `v1.Volume`.
pub(crate) static VOLUME: Struct = Struct {
    name: "Volume",
    fields: &[
        a("name", Ty::Str),
        p("hostPath", Ty::Struct(&HOST_PATH)).embedded("VolumeSource"),
        p("emptyDir", Ty::Struct(&EMPTY_DIR)).embedded("VolumeSource"),
        p("gcePersistentDisk", Ty::Struct(&GCE_PD)).embedded("VolumeSource"),
        p("awsElasticBlockStore", Ty::Struct(&AWS_EBS)).embedded("VolumeSource"),
        p("gitRepo", Ty::Struct(&GIT_REPO)).embedded("VolumeSource"),
        p("secret", Ty::Struct(&SECRET_VOLUME)).embedded("VolumeSource"),
        p("nfs", Ty::Struct(&NFS)).embedded("VolumeSource"),
        p("iscsi", Ty::Struct(&ISCSI)).embedded("VolumeSource"),
        p("glusterfs", Ty::Struct(&GLUSTERFS)).embedded("VolumeSource"),
        p("persistentVolumeClaim", Ty::Struct(&PVC_VOLUME)).embedded("VolumeSource"),
        p("rbd", Ty::Struct(&RBD)).embedded("VolumeSource"),
        p("flexVolume", Ty::Struct(&FLEX)).embedded("VolumeSource"),
        p("cinder", Ty::Struct(&CINDER)).embedded("VolumeSource"),
        p("cephfs", Ty::Struct(&CEPHFS)).embedded("VolumeSource"),
        p("flocker", Ty::Struct(&FLOCKER)).embedded("VolumeSource"),
        p("downwardAPI", Ty::Struct(&DOWNWARD_API_VOLUME)).embedded("VolumeSource"),
        p("fc", Ty::Struct(&FC)).embedded("VolumeSource"),
        p("azureFile", Ty::Struct(&AZURE_FILE)).embedded("VolumeSource"),
        p("configMap", Ty::Struct(&CONFIG_MAP_VOLUME)).embedded("VolumeSource"),
        p("vsphereVolume", Ty::Struct(&VSPHERE)).embedded("VolumeSource"),
        p("quobyte", Ty::Struct(&QUOBYTE)).embedded("VolumeSource"),
        p("azureDisk", Ty::Struct(&AZURE_DISK)).embedded("VolumeSource"),
        p("photonPersistentDisk", Ty::Struct(&PHOTON)).embedded("VolumeSource"),
        p("projected", Ty::Struct(&PROJECTED)).embedded("VolumeSource"),
        p("portworxVolume", Ty::Struct(&PORTWORX)).embedded("VolumeSource"),
        p("scaleIO", Ty::Struct(&SCALE_IO)).embedded("VolumeSource"),
        p("storageos", Ty::Struct(&STORAGEOS)).embedded("VolumeSource"),
        p("csi", Ty::Struct(&CSI)).embedded("VolumeSource"),
        p("ephemeral", Ty::Struct(&EPHEMERAL)).embedded("VolumeSource"),
        p("image", Ty::Struct(&IMAGE)).embedded("VolumeSource"),
    ],
};

static HOST_PATH: Struct = Struct {
    name: "HostPathVolumeSource",
    fields: &[a("path", Ty::Str), p("type", Ty::Str).go("v1.HostPathType")],
};

static EMPTY_DIR: Struct = Struct {
    name: "EmptyDirVolumeSource",
    fields: &[
        f("medium", Ty::Str).go("v1.StorageMedium"),
        p("sizeLimit", Ty::Quantity),
    ],
};

static SECRET_VOLUME: Struct = Struct {
    name: "SecretVolumeSource",
    fields: &[
        f("secretName", Ty::Str),
        f("items", Ty::List(&atomic(Ty::Struct(&KEY_TO_PATH)))),
        p("defaultMode", Ty::Int32),
        p("optional", Ty::Bool),
    ],
};

static PVC_VOLUME: Struct = Struct {
    name: "PersistentVolumeClaimVolumeSource",
    fields: &[a("claimName", Ty::Str), f("readOnly", Ty::Bool)],
};

static DOWNWARD_API_VOLUME: Struct = Struct {
    name: "DownwardAPIVolumeSource",
    fields: &[
        f("items", Ty::List(&atomic(Ty::Struct(&DOWNWARD_API_FILE)))),
        p("defaultMode", Ty::Int32),
    ],
};

static CONFIG_MAP_VOLUME: Struct = Struct {
    name: "ConfigMapVolumeSource",
    fields: &[
        f("name", Ty::Str),
        f("items", Ty::List(&atomic(Ty::Struct(&KEY_TO_PATH)))),
        p("defaultMode", Ty::Int32),
        p("optional", Ty::Bool),
    ],
};

static PROJECTED: Struct = Struct {
    name: "ProjectedVolumeSource",
    fields: &[
        // No `omitempty`: a nil list marshals as `null`.
        a("sources", Ty::List(&atomic(Ty::Struct(&VOLUME_PROJECTION)))),
        p("defaultMode", Ty::Int32),
    ],
};

static VOLUME_PROJECTION: Struct = Struct {
    name: "VolumeProjection",
    fields: &[
        p("secret", Ty::Struct(&SECRET_PROJECTION)),
        p("downwardAPI", Ty::Struct(&DOWNWARD_API_PROJECTION)),
        p("configMap", Ty::Struct(&CONFIG_MAP_PROJECTION)),
        p("serviceAccountToken", Ty::Struct(&SA_TOKEN_PROJECTION)),
        p(
            "clusterTrustBundle",
            Ty::Struct(&CLUSTER_TRUST_BUNDLE_PROJECTION),
        ),
        p("podCertificate", Ty::Struct(&POD_CERTIFICATE_PROJECTION)),
    ],
};

static CONFIG_MAP_PROJECTION: Struct = Struct {
    name: "ConfigMapProjection",
    fields: &[
        f("name", Ty::Str),
        f("items", Ty::List(&atomic(Ty::Struct(&KEY_TO_PATH)))),
        p("optional", Ty::Bool),
    ],
};

static SECRET_PROJECTION: Struct = Struct {
    name: "SecretProjection",
    fields: &[
        f("name", Ty::Str),
        f("items", Ty::List(&atomic(Ty::Struct(&KEY_TO_PATH)))),
        p("optional", Ty::Bool),
    ],
};

static CLUSTER_TRUST_BUNDLE_PROJECTION: Struct = Struct {
    name: "ClusterTrustBundleProjection",
    fields: &[
        p("name", Ty::Str),
        p("signerName", Ty::Str),
        p("labelSelector", LABEL_SELECTOR_TY),
        p("optional", Ty::Bool),
        a("path", Ty::Str),
    ],
};

static POD_CERTIFICATE_PROJECTION: Struct = Struct {
    name: "PodCertificateProjection",
    fields: &[
        f("signerName", Ty::Str),
        f("keyType", Ty::Str),
        p("maxExpirationSeconds", Ty::Int32),
        f("credentialBundlePath", Ty::Str),
        f("keyPath", Ty::Str),
        f("certificateChainPath", Ty::Str),
        f("userAnnotations", Ty::Map(&Ty::Str)),
    ],
};

static KEY_TO_PATH: Struct = Struct {
    name: "KeyToPath",
    fields: &[a("key", Ty::Str), a("path", Ty::Str), p("mode", Ty::Int32)],
};

static DOWNWARD_API_PROJECTION: Struct = Struct {
    name: "DownwardAPIProjection",
    fields: &[f(
        "items",
        Ty::List(&atomic(Ty::Struct(&DOWNWARD_API_FILE))),
    )],
};

static DOWNWARD_API_FILE: Struct = Struct {
    name: "DownwardAPIVolumeFile",
    fields: &[
        a("path", Ty::Str),
        p("fieldRef", Ty::Atomic(&Ty::Struct(&OBJECT_FIELD_SELECTOR))),
        p(
            "resourceFieldRef",
            Ty::Atomic(&Ty::Struct(&RESOURCE_FIELD_SELECTOR)),
        ),
        p("mode", Ty::Int32),
    ],
};

static SA_TOKEN_PROJECTION: Struct = Struct {
    name: "ServiceAccountTokenProjection",
    fields: &[
        f("audience", Ty::Str),
        p("expirationSeconds", Ty::Int),
        a("path", Ty::Str),
    ],
};

static GCE_PD: Struct = Struct {
    name: "GCEPersistentDiskVolumeSource",
    fields: &[
        a("pdName", Ty::Str),
        f("fsType", Ty::Str),
        f("partition", Ty::Int32),
        f("readOnly", Ty::Bool),
    ],
};

static AWS_EBS: Struct = Struct {
    name: "AWSElasticBlockStoreVolumeSource",
    fields: &[
        a("volumeID", Ty::Str),
        f("fsType", Ty::Str),
        f("partition", Ty::Int32),
        f("readOnly", Ty::Bool),
    ],
};

static GIT_REPO: Struct = Struct {
    name: "GitRepoVolumeSource",
    fields: &[
        a("repository", Ty::Str),
        f("revision", Ty::Str),
        f("directory", Ty::Str),
    ],
};

static NFS: Struct = Struct {
    name: "NFSVolumeSource",
    fields: &[
        a("server", Ty::Str),
        a("path", Ty::Str),
        f("readOnly", Ty::Bool),
    ],
};

static ISCSI: Struct = Struct {
    name: "ISCSIVolumeSource",
    fields: &[
        a("targetPortal", Ty::Str),
        a("iqn", Ty::Str),
        a("lun", Ty::Int32),
        f("iscsiInterface", Ty::Str),
        f("fsType", Ty::Str),
        f("readOnly", Ty::Bool),
        f("portals", Ty::List(&STR_LIST)),
        f("chapAuthDiscovery", Ty::Bool),
        f("chapAuthSession", Ty::Bool),
        p(
            "secretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
        p("initiatorName", Ty::Str),
    ],
};

static GLUSTERFS: Struct = Struct {
    name: "GlusterfsVolumeSource",
    fields: &[
        a("endpoints", Ty::Str),
        a("path", Ty::Str),
        f("readOnly", Ty::Bool),
    ],
};

static RBD: Struct = Struct {
    name: "RBDVolumeSource",
    fields: &[
        a("monitors", Ty::List(&STR_LIST)),
        a("image", Ty::Str),
        f("fsType", Ty::Str),
        f("pool", Ty::Str),
        f("user", Ty::Str),
        f("keyring", Ty::Str),
        p(
            "secretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
        f("readOnly", Ty::Bool),
    ],
};

static FLEX: Struct = Struct {
    name: "FlexVolumeSource",
    fields: &[
        a("driver", Ty::Str),
        f("fsType", Ty::Str),
        p(
            "secretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
        f("readOnly", Ty::Bool),
        f("options", Ty::Map(&Ty::Str)),
    ],
};

static CINDER: Struct = Struct {
    name: "CinderVolumeSource",
    fields: &[
        a("volumeID", Ty::Str),
        f("fsType", Ty::Str),
        f("readOnly", Ty::Bool),
        p(
            "secretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
    ],
};

static CEPHFS: Struct = Struct {
    name: "CephFSVolumeSource",
    fields: &[
        a("monitors", Ty::List(&STR_LIST)),
        f("path", Ty::Str),
        f("user", Ty::Str),
        f("secretFile", Ty::Str),
        p(
            "secretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
        f("readOnly", Ty::Bool),
    ],
};

static FLOCKER: Struct = Struct {
    name: "FlockerVolumeSource",
    fields: &[f("datasetName", Ty::Str), f("datasetUUID", Ty::Str)],
};

static FC: Struct = Struct {
    name: "FCVolumeSource",
    fields: &[
        f("targetWWNs", Ty::List(&STR_LIST)),
        p("lun", Ty::Int32),
        f("fsType", Ty::Str),
        f("readOnly", Ty::Bool),
        f("wwids", Ty::List(&STR_LIST)),
    ],
};

static AZURE_FILE: Struct = Struct {
    name: "AzureFileVolumeSource",
    fields: &[
        a("secretName", Ty::Str),
        a("shareName", Ty::Str),
        f("readOnly", Ty::Bool),
    ],
};

static VSPHERE: Struct = Struct {
    name: "VsphereVirtualDiskVolumeSource",
    fields: &[
        a("volumePath", Ty::Str),
        f("fsType", Ty::Str),
        f("storagePolicyName", Ty::Str),
        f("storagePolicyID", Ty::Str),
    ],
};

static QUOBYTE: Struct = Struct {
    name: "QuobyteVolumeSource",
    fields: &[
        a("registry", Ty::Str),
        a("volume", Ty::Str),
        f("readOnly", Ty::Bool),
        f("user", Ty::Str),
        f("group", Ty::Str),
        f("tenant", Ty::Str),
    ],
};

static AZURE_DISK: Struct = Struct {
    name: "AzureDiskVolumeSource",
    fields: &[
        a("diskName", Ty::Str),
        a("diskURI", Ty::Str),
        p("cachingMode", Ty::Str).go("v1.AzureDataDiskCachingMode"),
        p("fsType", Ty::Str),
        p("readOnly", Ty::Bool),
        p("kind", Ty::Str).go("v1.AzureDataDiskKind"),
    ],
};

static PHOTON: Struct = Struct {
    name: "PhotonPersistentDiskVolumeSource",
    fields: &[a("pdID", Ty::Str), f("fsType", Ty::Str)],
};

static PORTWORX: Struct = Struct {
    name: "PortworxVolumeSource",
    fields: &[
        a("volumeID", Ty::Str),
        f("fsType", Ty::Str),
        f("readOnly", Ty::Bool),
    ],
};

static SCALE_IO: Struct = Struct {
    name: "ScaleIOVolumeSource",
    fields: &[
        a("gateway", Ty::Str),
        a("system", Ty::Str),
        p(
            "secretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
        f("sslEnabled", Ty::Bool),
        f("protectionDomain", Ty::Str),
        f("storagePool", Ty::Str),
        f("storageMode", Ty::Str),
        f("volumeName", Ty::Str),
        f("fsType", Ty::Str),
        f("readOnly", Ty::Bool),
    ],
};

static STORAGEOS: Struct = Struct {
    name: "StorageOSVolumeSource",
    fields: &[
        f("volumeName", Ty::Str),
        f("volumeNamespace", Ty::Str),
        f("fsType", Ty::Str),
        f("readOnly", Ty::Bool),
        p(
            "secretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
    ],
};

static CSI: Struct = Struct {
    name: "CSIVolumeSource",
    fields: &[
        a("driver", Ty::Str),
        p("readOnly", Ty::Bool),
        p("fsType", Ty::Str),
        f("volumeAttributes", Ty::Map(&Ty::Str)),
        p(
            "nodePublishSecretRef",
            Ty::Atomic(&Ty::Struct(&LOCAL_OBJECT_REFERENCE)),
        ),
    ],
};

static EPHEMERAL: Struct = Struct {
    name: "EphemeralVolumeSource",
    fields: &[p("volumeClaimTemplate", Ty::Struct(&CLAIM_TEMPLATE))],
};

static CLAIM_TEMPLATE: Struct = Struct {
    name: "PersistentVolumeClaimTemplate",
    fields: &[
        a("metadata", Ty::Struct(&TEMPLATE_META)),
        a("spec", Ty::Struct(&CLAIM_SPEC)),
    ],
};

static CLAIM_SPEC: Struct = Struct {
    name: "PersistentVolumeClaimSpec",
    fields: &[
        f("accessModes", Ty::List(&STR_LIST)).go("v1.PersistentVolumeAccessMode"),
        p("selector", LABEL_SELECTOR_TY),
        a("resources", Ty::Struct(&VOLUME_RESOURCES)),
        f("volumeName", Ty::Str),
        p("storageClassName", Ty::Str),
        p("volumeMode", Ty::Str).go("v1.PersistentVolumeMode"),
        p("dataSource", Ty::Atomic(&Ty::Struct(&TYPED_LOCAL_REF))),
        p("dataSourceRef", Ty::Struct(&TYPED_REF)),
        p("volumeAttributesClassName", Ty::Str),
    ],
};

static VOLUME_RESOURCES: Struct = Struct {
    name: "VolumeResourceRequirements",
    fields: &[
        f("limits", Ty::Map(&Ty::Quantity)),
        f("requests", Ty::Map(&Ty::Quantity)),
    ],
};

static TYPED_LOCAL_REF: Struct = Struct {
    name: "TypedLocalObjectReference",
    fields: &[
        a("apiGroup", NULLABLE_STR),
        a("kind", Ty::Str),
        a("name", Ty::Str),
    ],
};

static TYPED_REF: Struct = Struct {
    name: "TypedObjectReference",
    fields: &[
        a("apiGroup", NULLABLE_STR),
        a("kind", Ty::Str),
        a("name", Ty::Str),
        p("namespace", Ty::Str),
    ],
};

static IMAGE: Struct = Struct {
    name: "ImageVolumeSource",
    fields: &[
        f("reference", Ty::Str),
        f("pullPolicy", Ty::Str).go("v1.PullPolicy"),
    ],
};
