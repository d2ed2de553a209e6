//! The volume part of `GetWarningsForPod` (`pkg/api/pod/warnings.go`),
//! returned on create only: deprecated in-tree plugins, fractional claim
//! template sizes, and overlapping file paths inside one volume.

use serde_json::Value;

use crate::golang::format::go_quote;
use crate::golang::json_pointer::Lookup;
use crate::golang::quantity_states::QuantityStates;
use crate::validation::value::{arr, s, set};
use crate::version::Version;

/// Deprecated plugins in the order Go tests them, with the field name its
/// message uses (`storageOS`, not the JSON `storageos`).
const DEPRECATED: &[(&str, &str, &str)] = &[
    (
        "photonPersistentDisk",
        "photonPersistentDisk",
        "deprecated in v1.11, non-functional in v1.16+",
    ),
    (
        "gitRepo",
        "gitRepo",
        "deprecated in v1.11, and disabled by default in v1.33+",
    ),
    (
        "scaleIO",
        "scaleIO",
        "deprecated in v1.16, non-functional in v1.22+",
    ),
    (
        "flocker",
        "flocker",
        "deprecated in v1.22, non-functional in v1.25+",
    ),
    (
        "storageos",
        "storageOS",
        "deprecated in v1.22, non-functional in v1.25+",
    ),
    (
        "quobyte",
        "quobyte",
        "deprecated in v1.22, non-functional in v1.25+",
    ),
    (
        "glusterfs",
        "glusterfs",
        "deprecated in v1.25, non-functional in v1.26+",
    ),
    ("ephemeral", "", ""),
    (
        "cephfs",
        "cephfs",
        "deprecated in v1.28, non-functional in v1.31+",
    ),
    (
        "rbd",
        "rbd",
        "deprecated in v1.28, non-functional in v1.31+",
    ),
];

/// Volume warnings for a pod being created, whose quantities Go holds as
/// `quantities` says.
pub fn warnings(spec: &Value, quantities: &QuantityStates) -> Vec<String> {
    let mut out = Vec::new();
    for (i, v) in arr(spec, "volumes").iter().enumerate() {
        for (key, name, msg) in DEPRECATED {
            if !set(v, key) {
                continue;
            }
            if *key == "ephemeral" {
                out.extend(claim_size_warnings(v, i, quantities));
            } else {
                out.push(format!("spec.volumes[{i}].{name}: {msg}"));
            }
        }
    }
    out.extend(overlapping_paths(spec));
    out
}

/// `GetWarningsForPersistentVolumeClaimSpec`: storage sizes must be whole bytes.
fn claim_size_warnings(v: &Value, i: usize, quantities: &QuantityStates) -> Vec<String> {
    let Some(resources) = v.at("/ephemeral/volumeClaimTemplate/spec/resources") else {
        return Vec::new();
    };
    ["requests", "limits"]
        .iter()
        .filter_map(|kind| {
            let path = format!(
                "spec.volumes[{i}].ephemeral.volumeClaimTemplate.spec.resources.{kind}[storage]"
            );
            let text = resources.get(*kind)?.get("storage")?;
            let value = quantities.at(&path, text)?;
            value.is_fractional().then(|| {
                format!(
                    "{path}: fractional byte value {} is invalid, must be an integer",
                    go_quote(&value.to_string())
                )
            })
        })
        .collect()
}

/// A file path and where it came from (`pathAndSource`).
#[derive(Clone)]
struct Entry {
    path: String,
    source: String,
}

impl Entry {
    fn new(path: &str, source: String) -> Entry {
        Entry {
            path: path.trim_end_matches('/').to_string(),
            source,
        }
    }

    fn text(&self) -> String {
        if self.source.is_empty() {
            go_quote(&self.path)
        } else {
            format!("{} ({})", go_quote(&self.path), self.source)
        }
    }
}

/// `checkForOverlap`: entries equal to or nested with `needle`.
fn collisions<'a>(seen: &'a [Entry], needle: &Entry) -> impl Iterator<Item = &'a Entry> {
    let n = format!("{}/", needle.path);
    seen.iter().filter(move |item| {
        let p = format!("{}/", item.path);
        !needle.path.is_empty() && !item.path.is_empty() && (p.starts_with(&n) || n.starts_with(&p))
    })
}

/// `checkVolumeMappingForOverlap` over one list of entries.
fn overlaps(entries: Vec<Entry>) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: Vec<Entry> = Vec::new();
    for entry in entries {
        for c in collisions(&seen, &entry) {
            out.push(format!("{} with {}", entry.text(), c.text()));
        }
        seen.push(entry);
    }
    out
}

fn item_paths(items: &[Value], source: &str) -> Vec<Entry> {
    items
        .iter()
        .map(|item| Entry::new(s(item, "path"), source.to_string()))
        .collect()
}

/// `warningsForOverlappingVirtualPaths`.
fn overlapping_paths(spec: &Value) -> Vec<String> {
    let mut out = Vec::new();
    // Added in 1.32.
    if !Version::current().warns_overlapping_paths() {
        return out;
    }
    for v in arr(spec, "volumes") {
        let name = go_quote(s(v, "name"));
        let warn =
            |desc: &str, body: String| format!("volume {name} ({desc}): overlapping paths: {body}");
        for (key, name_key, kind) in [
            ("configMap", "name", "ConfigMap"),
            ("secret", "secretName", "Secret"),
        ] {
            if let Some(src) = v
                .get(key)
                .filter(|x| x.get("items").is_some_and(Value::is_array))
            {
                let desc = format!("{kind} {}", go_quote(s(src, name_key)));
                for body in overlaps(item_paths(arr(src, "items"), "")) {
                    out.push(warn(&desc, body));
                }
            }
        }
        if let Some(src) = v
            .get("downwardAPI")
            .filter(|x| x.get("items").is_some_and(Value::is_array))
        {
            for body in overlaps(item_paths(arr(src, "items"), "")) {
                out.push(warn("DownwardAPI", body));
            }
        }
        let Some(projected) = v.get("projected").filter(|x| !x.is_null()) else {
            continue;
        };
        let mut seen: Vec<Entry> = Vec::new();
        // Before 1.34 the paths of a source were held across the loop, so a
        // source with none of its own (a secret without items) checked the
        // previous source's paths again, against themselves.
        let carried = !Version::current().resets_projected_source_paths();
        let mut previous: Vec<Entry> = Vec::new();
        for source in arr(projected, "sources") {
            if source.as_object().is_none_or(serde_json::Map::is_empty) {
                out.push(format!("volume {name} (Projected) has no sources provided"));
                continue;
            }
            let with_items = |k: &str| {
                source
                    .get(k)
                    .filter(|x| x.get("items").is_some_and(Value::is_array))
            };
            let entries = if let Some(cm) = with_items("configMap") {
                item_paths(
                    arr(cm, "items"),
                    &format!("ConfigMap {}", go_quote(s(cm, "name"))),
                )
            } else if let Some(sec) = with_items("secret") {
                item_paths(
                    arr(sec, "items"),
                    &format!("Secret {}", go_quote(s(sec, "name"))),
                )
            } else if let Some(d) = with_items("downwardAPI") {
                item_paths(arr(d, "items"), "DownwardAPI")
            } else if let Some(t) = source.get("serviceAccountToken").filter(|x| !x.is_null()) {
                vec![Entry::new(s(t, "path"), "ServiceAccountToken".into())]
            } else if let Some(b) = source.get("clusterTrustBundle").filter(|x| !x.is_null()) {
                // Validation refused a bundle without name or signer name.
                let name = b
                    .get("name")
                    .filter(|x| !x.is_null())
                    .unwrap_or(&b["signerName"]);
                let name = go_quote(name.as_str().unwrap_or(""));
                vec![Entry::new(
                    s(b, "path"),
                    format!("ClusterTrustBundle {name}"),
                )]
            } else if let Some(c) = source.get("podCertificate").filter(|x| !x.is_null()) {
                [
                    ("certificateChainPath", "PodCertificate chain"),
                    ("keyPath", "PodCertificate key"),
                    ("credentialBundlePath", "PodCertificate credential bundle"),
                ]
                .into_iter()
                .filter(|(key, _)| !s(c, key).is_empty())
                .map(|(key, what)| Entry::new(s(c, key), what.into()))
                .collect()
            } else if carried {
                previous.clone()
            } else {
                Vec::new()
            };
            previous.clone_from(&entries);
            for entry in entries {
                for c in collisions(&seen, &entry) {
                    out.push(warn(
                        "Projected",
                        format!("{} with {}", entry.text(), c.text()),
                    ));
                }
                seen.push(entry);
            }
        }
    }
    out
}
