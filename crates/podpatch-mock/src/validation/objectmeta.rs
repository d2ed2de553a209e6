//! Object-metadata validation as apimachinery's `api/validation/objectmeta.go`
//! and the `content` helpers render it (1.35+ wording): names, labels,
//! annotations, finalizers, and the immutability rules of updates.
//!
//! Each function returns field errors in Go's append order; label and
//! annotation maps are walked in sorted key order (Go's is random). It must
//! not know about pod specs.

use serde_json::{Value, json};

use crate::golang::json_encode;
use crate::schema::{POD_TY, Ty};
use crate::validation::field::FieldError;
use crate::validation::internal_types::{self, OWNER_REFERENCES};
use crate::validation::value::{members, str_of};
use crate::version::Version;
// The name rules are re-exported for the HTTP and registry layers, which
// reach them through `objectmeta`.
pub use crate::validation::names::{dns1123_label, dns1123_subdomain, label_value, qualified_name};

/// Go's zero `time.Time` in RFC 3339, which the immutable-field error
/// shows (as `time.String()`) before 1.34.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Total annotation size limit in bytes.
pub const TOTAL_ANNOTATION_SIZE: usize = 256 * 1024;

/// `ValidateLabels` on `field`.
pub fn labels(map: Option<&Value>, field: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(Value::Object(map)) = map else {
        return errs;
    };
    for (key, value) in map {
        for msg in qualified_name(key) {
            errs.push(FieldError::invalid(field, json!(key), msg));
        }
        let v = value.as_str().unwrap_or("");
        for msg in label_value(v) {
            errs.push(FieldError::invalid(field, json!(v), msg));
        }
    }
    errs
}

/// `ValidateAnnotations` on `field`.
pub fn annotations(map: Option<&Value>, field: &str) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(Value::Object(map)) = map else {
        return errs;
    };
    let mut total = 0;
    for (key, value) in map {
        for msg in qualified_name(&key.to_lowercase()) {
            errs.push(FieldError::invalid(field, json!(key), msg));
        }
        total += key.len() + value.as_str().map_or(0, str::len);
    }
    if total > TOTAL_ANNOTATION_SIZE {
        errs.push(FieldError::too_long(field, TOTAL_ANNOTATION_SIZE));
    }
    errs
}

fn finalizers(list: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(Value::Array(list)) = list {
        for f in list.iter().filter_map(Value::as_str) {
            for msg in qualified_name(f) {
                errs.push(FieldError::invalid("metadata.finalizers", json!(f), msg));
            }
        }
        let has = |name: &str| list.iter().any(|f| f == name);
        if has("orphan") && has("foregroundDeletion") {
            errs.push(FieldError::invalid(
                "metadata.finalizers",
                json!(list),
                "finalizer orphan and foregroundDeletion cannot be both set",
            ));
        }
    }
    errs
}

fn owner_references(refs: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(Value::Array(refs)) = refs else {
        return errs;
    };
    let mut first_controller: Option<String> = None;
    let refs_ty = POD_TY
        .member("metadata")
        .and_then(|m| m.member("ownerReferences"))
        .unwrap_or(&Ty::Any);
    // From 1.37 each reference's errors name its index, and an empty
    // field is `Required`, no longer an invalid empty value.
    let indexed = Version::current().indexes_owner_references();
    for (i, r) in refs.iter().enumerate() {
        let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("");
        let gvk_path = "metadata.ownerReferences";
        let item_path = if indexed {
            format!("{gvk_path}[{i}]")
        } else {
            gvk_path.to_owned()
        };
        // 1.33 and older name the field in the detail (`uid must not be empty`).
        let named = !Version::current().renders_values_as_json();
        let empty = |errs: &mut Vec<FieldError>, key: &str| {
            errs.push(if indexed {
                FieldError::required(format!("{item_path}.{key}"), "must not be empty")
            } else if named {
                FieldError::invalid(
                    format!("{item_path}.{key}"),
                    json!(s(key)),
                    format!("{key} must not be empty"),
                )
            } else {
                FieldError::invalid(
                    format!("{item_path}.{key}"),
                    json!(s(key)),
                    "must not be empty",
                )
            });
        };
        // schema.FromAPIVersionAndKind: an unparsable group/version has none.
        let api_version = s("apiVersion");
        let (group, version) = match api_version.matches('/').count() {
            _ if api_version == "/" => ("", ""),
            0 => ("", api_version),
            1 => api_version.split_once('/').unwrap_or_default(),
            _ => ("", ""),
        };
        if indexed && api_version.is_empty() {
            empty(&mut errs, "apiVersion");
        } else if indexed && version.is_empty() {
            errs.push(FieldError::invalid(
                format!("{item_path}.apiVersion"),
                json!(api_version),
                "must be <group>/<version> or <version>",
            ));
        } else if version.is_empty() {
            errs.push(FieldError::invalid(
                format!("{gvk_path}.apiVersion"),
                json!(s("apiVersion")),
                "version must not be empty",
            ));
        }
        for key in ["kind", "name", "uid"] {
            if s(key).is_empty() {
                empty(&mut errs, key);
            }
        }
        if (group, version, s("kind")) == ("", "v1", "Event") {
            let item_ty = refs_ty.as_list().map_or(&Ty::Any, |l| &l.item);
            errs.push(FieldError::invalid_rendered(
                item_path,
                json_encode::compact_string(r, item_ty),
                "/v1, Kind=Event is disallowed from being an owner",
            ));
        }
        if r.get("controller").and_then(Value::as_bool) == Some(true) {
            let current = format!("{}/{}", s("kind"), s("name"));
            match &first_controller {
                None => first_controller = Some(current),
                Some(first) => {
                    // The metav1 type has JSON tags: since 1.34 it marshals
                    // as the pod's own JSON.
                    let refs = Value::Array(refs.clone());
                    let shown = if Version::current().renders_values_as_json() {
                        json_encode::compact_string(&refs, refs_ty)
                    } else {
                        OWNER_REFERENCES.value(Some(&refs)).sharp_v()
                    };
                    errs.push(FieldError::invalid_rendered(
                        "metadata.ownerReferences",
                        shown,
                        format!(
                            "Only one reference can have Controller set to true. Found \"true\" in references for {first} and {current}"
                        ),
                    ));
                }
            }
        }
    }
    errs
}

/// Go's `ValidateNameFunc`: checks a name, or with `prefix` a
/// `generateName` (which gets a random suffix appended later).
pub type NameRule = fn(&str, bool) -> Vec<String>;

/// `NameIsDNSSubdomain` (`ValidatePodName`): a `generateName` is checked
/// through `maskTrailingDash`, so its trailing dash may end the prefix.
pub fn dns1123_subdomain_name(name: &str, prefix: bool) -> Vec<String> {
    if prefix {
        dns1123_subdomain(&mask_trailing_dash(name))
    } else {
        dns1123_subdomain(name)
    }
}

/// `maskTrailingDash`: Go replaces the last *two* bytes of a prefix ending
/// in '-' with "a" (not just the dash), so `"ab_-"` passes as `"aba"` and
/// `"--"` as `"a"`.
fn mask_trailing_dash(name: &str) -> String {
    let bytes = name.as_bytes();
    if bytes.len() > 1 && name.ends_with('-') {
        let mut masked = bytes[..bytes.len() - 2].to_vec();
        masked.push(b'a');
        String::from_utf8_lossy(&masked).into_owned()
    } else {
        name.to_string()
    }
}

/// apimachinery's `ValidateObjectMetaAccessor` for a namespaced object
/// whose name must satisfy `name_rule` (the generic registry's check; the
/// core API's adds [`kube_finalizers`], see [`core_object_meta`]).
pub fn object_meta(meta: &Value, name_rule: NameRule) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let [
        generate,
        name,
        namespace,
        labels_map,
        annotations_map,
        refs,
        finalizer_list,
    ] = members(
        meta,
        [
            "generateName",
            "name",
            "namespace",
            "labels",
            "annotations",
            "ownerReferences",
            "finalizers",
        ],
    );
    let [generate, name, namespace] = [generate, name, namespace].map(str_of);
    if !generate.is_empty() {
        for msg in name_rule(generate, true) {
            errs.push(FieldError::invalid(
                "metadata.generateName",
                json!(generate),
                msg,
            ));
        }
    }
    if name.is_empty() {
        errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
    } else {
        for msg in name_rule(name, false) {
            errs.push(FieldError::invalid("metadata.name", json!(name), msg));
        }
    }
    if namespace.is_empty() {
        errs.push(FieldError::required("metadata.namespace", ""));
    }
    errs.extend(labels(labels_map, "metadata.labels"));
    errs.extend(annotations(annotations_map, "metadata.annotations"));
    errs.extend(owner_references(refs));
    errs.extend(finalizers(finalizer_list));
    errs
}

/// Core's `ValidateObjectMeta`: apimachinery's checks, then the legacy
/// finalizer-name rule of [`kube_finalizers`].
pub fn core_object_meta(meta: &Value, name_rule: NameRule) -> Vec<FieldError> {
    let mut errs = object_meta(meta, name_rule);
    errs.extend(kube_finalizers(meta));
    errs
}

/// Core's `ValidateObjectMetaUpdate`: apimachinery's update checks, then the
/// finalizer-name rule again. The generic registry's `validateCommonFields`
/// uses apimachinery's version only, so its copy of the errors has none.
pub fn core_object_meta_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = object_meta_update(new, old);
    errs.extend(kube_finalizers(new));
    errs
}

/// Core validation's extra finalizer rule: a name without a `/` must be one
/// of the standard finalizers.
fn kube_finalizers(meta: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(Value::Array(list)) = meta.get("finalizers") {
        for (i, f) in list.iter().enumerate() {
            let f = f.as_str().unwrap_or("");
            let standard = ["kubernetes", "orphan", "foregroundDeletion"].contains(&f);
            if !f.contains('/') && !standard {
                errs.push(FieldError::invalid(
                    format!("metadata.finalizers[{i}]"),
                    json!(f),
                    "name is neither a standard finalizer name nor is it fully qualified",
                ));
            }
        }
    }
    errs
}

/// apimachinery's `ValidateObjectMetaUpdate`.
pub fn object_meta_update(new: &Value, old: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    const IMMUTABLE: [&str; 6] = [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ];
    // Read in place and in one pass: most updates change none of these.
    let [
        new_immutable @ ..,
        resource_version,
        new_finalizers,
        labels_map,
        annotations_map,
        refs,
    ] = members(
        new,
        [
            IMMUTABLE[0],
            IMMUTABLE[1],
            IMMUTABLE[2],
            IMMUTABLE[3],
            IMMUTABLE[4],
            IMMUTABLE[5],
            "resourceVersion",
            "finalizers",
            "labels",
            "annotations",
            "ownerReferences",
        ],
    );
    let old_immutable = members(old, IMMUTABLE);
    if old_immutable[4].is_some_and(|v| !v.is_null()) {
        let old_set: Vec<Value> = old
            .get("finalizers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let added: Vec<Value> = new_finalizers
            .and_then(Value::as_array)
            .map(|l| l.iter().filter(|f| !old_set.contains(f)).cloned().collect())
            .unwrap_or_default();
        if !added.is_empty() {
            let names: Vec<String> = added
                .iter()
                .map(|f| crate::golang::format::go_quote(f.as_str().unwrap_or("")))
                .collect();
            errs.push(FieldError::forbidden(
                "metadata.finalizers",
                format!(
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{}}}",
                    names.join(", ")
                ),
            ));
        }
    }
    if resource_version
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        errs.push(FieldError::invalid(
            "metadata.resourceVersion",
            json!(""),
            "must be specified for an update",
        ));
    }
    for (i, key) in IMMUTABLE.into_iter().enumerate() {
        let null = &Value::Null;
        let (n, o) = (
            new_immutable[i].unwrap_or(null),
            old_immutable[i].unwrap_or(null),
        );
        let both_empty = |v: &Value| v.is_null() || v.as_str() == Some("");
        // A patch that sets the zero time leaves Go a non-nil
        // `*metav1.Time` (an explicit null here), unlike the unset old one.
        let zero_set = key == "deletionTimestamp" && new_immutable[i].is_some_and(Value::is_null);
        if zero_set || (n != o && !(both_empty(n) && both_empty(o))) {
            // Since 1.34 non-primitive values (metav1.Time included) render
            // as JSON, so timestamps show as their RFC 3339 string; before,
            // as the time's `String()`.
            let path = format!("metadata.{key}");
            let time = key.ends_with("Timestamp") && !Version::current().renders_values_as_json();
            let shown = if zero_set {
                Some(ZERO_TIME)
            } else {
                n.as_str()
            };
            errs.push(match shown {
                Some(t) if time => FieldError::invalid_rendered(
                    path,
                    internal_types::time(t),
                    "field is immutable",
                ),
                _ if key == "name" || key == "namespace" || key == "uid" => {
                    FieldError::invalid(path, json!(n.as_str().unwrap_or("")), "field is immutable")
                }
                _ => FieldError::invalid(path, n.clone(), "field is immutable"),
            });
        }
    }
    errs.extend(labels(labels_map, "metadata.labels"));
    errs.extend(annotations(annotations_map, "metadata.annotations"));
    errs.extend(owner_references(refs));
    errs
}

/// `dedupOwnerReferencesAndAddWarning`: drops owner references that repeat
/// an earlier entry exactly (same UID and every other field), returning the
/// warning the apiserver sends when it did. Entries sharing a UID but
/// differing elsewhere are kept, as in Go.
pub fn dedup_owner_references(pod: &mut Value, after_admission: bool) -> Option<String> {
    let refs = pod
        .get_mut("metadata")
        .and_then(|m| m.get_mut("ownerReferences"))
        .and_then(Value::as_array_mut)?;
    let mut kept: Vec<Value> = Vec::with_capacity(refs.len());
    let mut duplicates = Vec::new();
    for r in refs.drain(..) {
        if kept.contains(&r) {
            duplicates.push(
                r.get("uid")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            );
        } else {
            kept.push(r);
        }
    }
    *refs = kept;
    if duplicates.is_empty() {
        return None;
    }
    let when = if after_admission {
        " after mutating admission happens"
    } else {
        ""
    };
    Some(format!(
        ".metadata.ownerReferences contains duplicate entries{when}; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: {}",
        duplicates.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn bad_label_value_message() {
        let errs = labels(Some(&json!({"app": "bad value!"})), "metadata.labels");
        assert_eq!(
            errs[0].message(),
            "metadata.labels: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
        );
    }

    #[rstest]
    #[case::exact_duplicate(
        json!([{"uid": "u1", "name": "a"}, {"uid": "u1", "name": "a"}]),
        json!([{"uid": "u1", "name": "a"}]),
        Some("u1")
    )]
    #[case::same_uid_other_fields_kept(
        json!([{"uid": "u1", "name": "a"}, {"uid": "u1", "name": "b"}]),
        json!([{"uid": "u1", "name": "a"}, {"uid": "u1", "name": "b"}]),
        None
    )]
    #[case::two_duplicates(
        json!([{"uid": "u1"}, {"uid": "u2"}, {"uid": "u1"}, {"uid": "u2"}]),
        json!([{"uid": "u1"}, {"uid": "u2"}]),
        Some("u1, u2")
    )]
    fn owner_references_dedup(
        #[case] refs: Value,
        #[case] kept: Value,
        #[case] uids: Option<&str>,
    ) {
        let mut pod = json!({"metadata": {"ownerReferences": refs}});
        let warning = dedup_owner_references(&mut pod, true);
        assert_eq!(pod["metadata"]["ownerReferences"], kept);
        assert_eq!(
            warning,
            uids.map(|u| format!(".metadata.ownerReferences contains duplicate entries after mutating admission happens; API server dedups owner references in 1.20+, and may reject such requests as early as 1.24; please fix your requests; duplicate UID(s) observed: {u}"))
        );
    }

    #[rstest]
    #[case("--", true)]
    #[case("ab_-", true)]
    #[case("x.-", true)]
    #[case("-", false)]
    #[case("Ab-", false)]
    #[case("web-", true)]
    #[case("web", true)]
    fn generate_name_masks_two_bytes(#[case] prefix: &str, #[case] valid: bool) {
        assert_eq!(dns1123_subdomain_name(prefix, true).is_empty(), valid);
    }

    #[test]
    fn generate_name_length_counts_after_masking() {
        let name = format!("{}-", "g".repeat(253));
        assert!(dns1123_subdomain_name(&name, true).is_empty());
        assert!(!dns1123_subdomain_name(&name, false).is_empty());
    }

    #[test]
    fn core_update_adds_the_finalizer_rule() {
        let meta = json!({"resourceVersion": "5", "finalizers": ["bad"]});
        assert!(object_meta_update(&meta, &meta).is_empty());
        let errs = core_object_meta_update(&meta, &meta);
        assert_eq!(errs.len(), 1);
        assert_eq!(
            errs[0].message(),
            "metadata.finalizers[0]: Invalid value: \"bad\": name is neither a standard finalizer name nor is it fully qualified"
        );
    }

    #[test]
    fn uid_is_immutable() {
        let errs = object_meta_update(
            &json!({"uid": "bogus", "resourceVersion": "5"}),
            &json!({"uid": "real", "resourceVersion": "5"}),
        );
        assert_eq!(
            errs[0].message(),
            "metadata.uid: Invalid value: \"bogus\": field is immutable"
        );
    }
}
