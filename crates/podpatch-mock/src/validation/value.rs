//! The small JSON accessors every validation file reads pods with (a
//! missing or mistyped field reads as Go's zero value, as the typed Go
//! struct would hold it), the `VisitContainersWithPath` walk of
//! `pkg/api/pod/util.go`, the subscripted field-path split of
//! `pkg/fieldpath`, and Go's `math.MaxInt32` bound. It holds no rule
//! of its own and must not produce errors.

use std::fmt;

use serde_json::Value;

/// `math.MaxInt32`, the bound of every `int32` field.
pub(crate) const MAX_INT32: i64 = 2_147_483_647;

/// A string field, `""` when absent or not a string.
pub(crate) fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    str_of(v.get(key))
}

/// A list field, empty when absent or not a list.
pub(crate) fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    list_of(v.get(key))
}

/// The members `keys` of an object (`None` where absent, all `None` for a
/// non-object), read in one pass over it: a validator that reads several
/// members of a struct-shaped object pays one walk of a few dozen length
/// comparisons instead of a map search with string comparisons per member
/// (those searches were a seventh of a PATCH's instructions).
pub(crate) fn members<'a, const N: usize>(v: &'a Value, keys: [&str; N]) -> [Option<&'a Value>; N] {
    let mut found = [None; N];
    if let Some(map) = v.as_object() {
        for (key, value) in map {
            if let Some(i) = keys.iter().position(|k| k == key) {
                found[i] = Some(value);
            }
        }
    }
    found
}

/// The value at a fixed path of member names: what `Lookup::at` finds for
/// a pointer without escapes or list indexes, without parsing one (the
/// validators read such paths of every pod on every update).
pub(crate) fn dig<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |v, key| v.get(key))
}

/// A string member read with [`members`], `""` when absent or not a string.
pub(crate) fn str_of(v: Option<&Value>) -> &str {
    v.and_then(Value::as_str).unwrap_or("")
}

/// A list member read with [`members`], empty when absent or not a list.
pub(crate) fn list_of(v: Option<&Value>) -> &[Value] {
    v.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Whether a pointer field is set (present and not null).
pub(crate) fn set(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(|x| !x.is_null())
}

/// A pointer field's value when it is set (present and not `null`).
pub(crate) fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|v| !v.is_null())
}

/// `fieldpath.SplitMaybeSubscriptedPath`: `metadata.annotations['x']` into
/// the path and the subscript, `None` when the path has no subscript.
pub(crate) fn split_subscript(field_path: &str) -> Option<(&str, &str)> {
    let inner = field_path.strip_suffix("']")?;
    let (path, subscript) = inner.split_once("['")?;
    (!path.is_empty()).then_some((path, subscript))
}

/// `VisitContainersWithPath`: init, regular, then ephemeral containers.
pub(crate) fn containers_with_path(spec: &Value) -> impl Iterator<Item = (ContainerPath, &Value)> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |list| {
            arr(spec, list)
                .iter()
                .enumerate()
                .map(move |(index, c)| (ContainerPath { list, index }, c))
        })
}

/// A container's field path (`spec.initContainers[0]`), written out only
/// when an error names it: the walks that take it rarely report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ContainerPath {
    list: &'static str,
    index: usize,
}

impl fmt::Display for ContainerPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "spec.{}[{}]", self.list, self.index)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// One pass finds what a search per member finds, in the order asked.
    #[test]
    fn members_read_as_get_does() {
        let spec = json!({"dnsPolicy": "None", "hostname": "web", "os": null, "zz": 1});
        let keys = ["os", "hostname", "missing", "dnsPolicy"];
        assert_eq!(members(&spec, keys), keys.map(|k| spec.get(k)));
        assert_eq!(members(&json!([1]), ["os"]), [None]);
        assert_eq!(str_of(members(&spec, ["hostname"])[0]), "web");
        assert!(list_of(members(&spec, ["zz"])[0]).is_empty());
    }

    #[test]
    fn dig_reads_as_a_pointer_does() {
        use crate::golang::json_pointer::Lookup;
        let pod =
            json!({"metadata": {"annotations": {"a/b": "x"}}, "spec": {"os": {"name": "linux"}}});
        assert_eq!(dig(&pod, &["spec", "os", "name"]), pod.at("/spec/os/name"));
        assert_eq!(
            dig(&pod, &["metadata", "annotations", "a/b"]),
            Some(&json!("x"))
        );
        assert_eq!(dig(&pod, &["spec", "missing", "name"]), None);
        assert_eq!(dig(&pod, &[]), Some(&pod));
    }
}
