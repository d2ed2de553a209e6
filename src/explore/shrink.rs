//! Shrinking a generated case that shows a difference: the smaller case
//! files one step away from it (a member or list element removed from the
//! starting pod or the request body, a query option dropped), biggest cuts
//! first. The explorer keeps the first that still shows the same
//! difference and starts again from it, until no step does. Pure: it
//! proposes, the explorer judges by running.

use serde_json::Value;

/// Parts of the starting pod a pod cannot be created without; never cut.
const KEPT: &[&str] = &[
    "/apiVersion",
    "/kind",
    "/metadata",
    "/metadata/name",
    "/spec",
    "/spec/containers",
    "/spec/containers/0",
    "/spec/containers/0/name",
    "/spec/containers/0/image",
];

/// The case files one removal smaller than `file`, shallowest removals
/// first (they cut most).
pub fn smaller(file: &Value) -> Vec<Value> {
    let mut cuts: Vec<(usize, Value)> = Vec::new();
    for (part, keep) in [
        ("/request/query", false),
        ("/request/body", false),
        ("/given/pod", true),
    ] {
        let Some(root) = file.pointer(part) else {
            continue;
        };
        let mut paths = Vec::new();
        removable(root, String::new(), &mut paths);
        for path in paths {
            if keep && KEPT.contains(&path.as_str()) {
                continue;
            }
            let mut next = file.clone();
            if let Some(target) = next.pointer_mut(part)
                && remove(target, &path)
            {
                cuts.push((path.matches('/').count(), next));
            }
        }
    }
    cuts.sort_by_key(|(depth, _)| *depth);
    cuts.into_iter().map(|(_, v)| v).collect()
}

/// Every member and element path under `v` (JSON pointers, relative).
fn removable(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                removable(x, p, out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                removable(x, p, out);
            }
        }
        _ => {}
    }
}

/// Removes what `pointer` names under `root`; false when it names nothing.
fn remove(root: &mut Value, pointer: &str) -> bool {
    let Some(cut) = pointer.rfind('/') else {
        return false;
    };
    let (parent, last) = (&pointer[..cut], &pointer[cut + 1..]);
    let last = last.replace("~1", "/").replace("~0", "~");
    match root.pointer_mut(parent) {
        Some(Value::Object(m)) => m.remove(&last).is_some(),
        Some(Value::Array(a)) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => {
                a.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn cuts_come_shallowest_first_and_keep_what_a_pod_needs() {
        let file = json!({
            "given": {"pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"a": "b"}},
                "spec": {"containers": [{"name": "web", "image": "nginx"}]}}},
            "request": {"type": "merge", "body": {"metadata": {"labels": {"x": "y"}}}, "query": {"dryRun": "All"}},
        });
        let cuts = smaller(&file);
        assert_eq!(cuts[0].pointer("/request/query"), Some(&json!({})));
        assert!(
            cuts.iter()
                .all(|c| c.pointer("/given/pod/spec/containers/0/image").is_some())
        );
        assert!(
            cuts.iter()
                .any(|c| c.pointer("/given/pod/metadata/labels").is_none())
        );
        assert!(
            cuts.iter()
                .any(|c| c.pointer("/request/body/metadata/labels/x").is_none())
        );
        // 1 query option, 3 body members, 2 removable pod members.
        assert_eq!(cuts.len(), 6, "{cuts:#?}");
    }

    #[test]
    fn escaped_keys_are_removed() {
        let mut v = json!({"a/b": {"c~d": 1}});
        assert!(remove(&mut v, "/a~1b/c~0d"));
        assert_eq!(v, json!({"a/b": {}}));
        assert!(!remove(&mut v, "/missing/x"));
    }
}
