//! Kubernetes versions: the target's (from `/version`) and the ranges a case
//! declares it applies to (`kubernetes: ">=1.33, <1.36"`), compared by minor version
//! because API behaviour changes with minor releases; and the `mock@1.NN` target
//! spec that asks the built-in mock to answer as one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// A Kubernetes `major.minor` version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl KubeVersion {
    /// Reads a `gitVersion` such as `v1.36.5`, `v1.33.2-eks-1234` or `1.35`.
    pub fn from_git_version(text: &str) -> Option<KubeVersion> {
        let text = text.trim().trim_start_matches('v');
        let mut parts = text.split(['.', '-', '+']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts
            .next()?
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .ok()?;
        Some(KubeVersion { major, minor })
    }
}

/// The `--target` value that names the built-in mock, for every command;
/// `mock@1.NN` names it answering as Kubernetes 1.NN.
pub const MOCK: &str = "mock";

/// Whether `target` names the built-in mock, and at which version: `None` for
/// another target, `Some(Ok(None))` for `mock` (the default version, or the
/// other target's in `diff`), `Some(Ok(Some(v)))` for `mock@1.NN`.
pub fn mock_target(
    target: &str,
) -> Option<Result<Option<podpatch_mock::Version>, podpatch_mock::VersionError>> {
    match target.strip_prefix(MOCK)? {
        "" => Some(Ok(None)),
        version => Some(version.strip_prefix('@')?.parse().map(Some)),
    }
}

impl KubeVersion {
    /// The version a `GET /version` answer names in its `gitVersion`.
    pub fn of_answer(version: &serde_json::Value) -> Option<KubeVersion> {
        version["gitVersion"]
            .as_str()
            .and_then(KubeVersion::from_git_version)
    }

    /// The built-in mock's version answering as this one, if it models it.
    pub fn mock(self) -> Option<podpatch_mock::Version> {
        (self.major == 1)
            .then(|| podpatch_mock::Version::new(self.minor).ok())
            .flatten()
    }
}

impl From<podpatch_mock::Version> for KubeVersion {
    fn from(v: podpatch_mock::Version) -> KubeVersion {
        KubeVersion {
            major: 1,
            minor: v.minor(),
        }
    }
}

/// Whether a `/version` answer is a kube-apiserver's: a `gitVersion` of Kubernetes 1
/// and the `goVersion` it was built with. Mocks answer something else (fabric8's a
/// `List`, schema-driven mocks placeholder strings); their answers are not the
/// upstream baseline that snapshots record.
pub fn is_kube_apiserver(version: &serde_json::Value) -> bool {
    let text = |k: &str| version.get(k).and_then(serde_json::Value::as_str);
    text("gitVersion")
        .and_then(KubeVersion::from_git_version)
        .is_some_and(|v| v.major == 1)
        && text("goVersion").is_some_and(|g| g.starts_with("go1."))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
enum Op {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

/// A set of comparisons that must all hold, e.g. `>=1.33, <1.36`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionReq {
    #[serde(skip)]
    parts: Vec<(Op, KubeVersion)>,
    text: String,
}

impl VersionReq {
    /// Whether `v` satisfies every comparison.
    pub fn matches(&self, v: KubeVersion) -> bool {
        self.parts.iter().all(|(op, bound)| match op {
            Op::Eq => v == *bound,
            Op::Ge => v >= *bound,
            Op::Gt => v > *bound,
            Op::Le => v <= *bound,
            Op::Lt => v < *bound,
        })
    }
}

impl VersionReq {
    /// Whether some version satisfies every comparison: the greatest lower bound
    /// must not pass the least upper bound.
    fn satisfiable(&self) -> bool {
        let key = |v: KubeVersion| (u64::from(v.major) << 32) | u64::from(v.minor);
        let (mut low, mut high) = (0u64, u64::MAX);
        for (op, v) in &self.parts {
            let k = key(*v);
            match op {
                Op::Eq => (low, high) = (low.max(k), high.min(k)),
                Op::Ge => low = low.max(k),
                Op::Gt => low = low.max(k.saturating_add(1)),
                Op::Le => high = high.min(k),
                Op::Lt if k == 0 => return false,
                Op::Lt => high = high.min(k - 1),
            }
        }
        low <= high
    }
}

impl fmt::Display for VersionReq {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for VersionReq {
    type Err = String;

    fn from_str(text: &str) -> Result<VersionReq, String> {
        let mut parts = Vec::new();
        for item in text.split(',').map(str::trim) {
            let (op, rest) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .iter()
            .find_map(|(p, op)| item.strip_prefix(p).map(|r| (*op, r)))
            .unwrap_or((Op::Eq, item));
            let version = rest
                .trim()
                .split_once('.')
                .and_then(|(a, b)| {
                    Some(KubeVersion {
                        major: a.parse().ok()?,
                        minor: b.parse().ok()?,
                    })
                })
                .ok_or_else(|| {
                    format!(
                        "invalid Kubernetes version range `{text}`: expected e.g. `>=1.33, <1.36`"
                    )
                })?;
            parts.push((op, version));
        }
        let req = VersionReq {
            parts,
            text: text.trim().to_owned(),
        };
        if !req.satisfiable() {
            return Err(format!(
                "Kubernetes version range `{text}` matches no version: the case would always be skipped"
            ));
        }
        Ok(req)
    }
}

impl<'de> Deserialize<'de> for VersionReq {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Parsed inside the visit so that errors carry the value's position.
        struct ReqVisitor;
        impl serde::de::Visitor<'_> for ReqVisitor {
            type Value = VersionReq;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Kubernetes version range such as `>=1.33, <1.36`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<VersionReq, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(ReqVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn v(minor: u32) -> KubeVersion {
        KubeVersion { major: 1, minor }
    }

    #[rstest]
    #[case("v1.36.5", Some(v(36)))]
    #[case("v1.33.2-eks-1234", Some(v(33)))]
    #[case("v1.36.0-podpatch-mock", Some(v(36)))]
    #[case("1.35", Some(v(35)))]
    #[case("v1.30+", Some(v(30)))]
    #[case("garbage", None)]
    fn reads_git_versions(#[case] text: &str, #[case] expected: Option<KubeVersion>) {
        assert_eq!(KubeVersion::from_git_version(text), expected);
    }

    #[rstest]
    #[case(serde_json::json!({"gitVersion": "v1.36.5", "goVersion": "go1.25.1", "major": "1"}), true)]
    #[case(serde_json::json!({"gitVersion": "string", "goVersion": "string"}), false)]
    #[case(serde_json::json!({"apiVersion": "v1", "kind": "List", "items": []}), false)]
    #[case(serde_json::json!({"gitVersion": "v1.36.0"}), false)]
    fn recognises_kube_apiservers(#[case] version: serde_json::Value, #[case] expected: bool) {
        assert_eq!(is_kube_apiserver(&version), expected);
    }

    #[rstest]
    #[case(">=1.33", 33, true)]
    #[case(">=1.33", 32, false)]
    #[case(">=1.33, <1.36", 36, false)]
    #[case(">=1.33, <1.36", 35, true)]
    #[case("1.34", 34, true)]
    #[case("=1.34", 35, false)]
    #[case("<=1.34", 34, true)]
    #[case(">1.34", 34, false)]
    fn matches_ranges(#[case] req: &str, #[case] minor: u32, #[case] expected: bool) {
        assert_eq!(
            req.parse::<VersionReq>().unwrap().matches(v(minor)),
            expected
        );
    }

    #[test]
    fn rejects_bad_ranges() {
        assert!("1".parse::<VersionReq>().is_err());
        assert!(">=one.two".parse::<VersionReq>().is_err());
        for empty in [
            ">=1.36, <1.33",
            ">1.34, <1.35",
            "1.34, 1.35",
            "<0.0",
            ">=1.35, <=1.34",
        ] {
            assert!(empty.parse::<VersionReq>().is_err(), "{empty}");
        }
        assert!(">1.34, <1.36".parse::<VersionReq>().is_ok());
    }
}
