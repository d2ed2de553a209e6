//! What a run can judge on its target, from the target's Kubernetes version: every
//! case and snapshot on the minors the suite is recorded for, only the cases'
//! expectations on a minor outside them, and the baseline on a target whose
//! version is unknown. Decides and words that; it sends nothing.

use serde_json::Value;

use crate::snapshot::{self, BASELINE};
use crate::version::KubeVersion;

/// The oldest Kubernetes minor whose answers the suite records (cases, snapshots).
pub const OLDEST: KubeVersion = KubeVersion {
    major: 1,
    minor: 30,
};

/// The newest Kubernetes minor whose answers the suite records.
pub const NEWEST: KubeVersion = KubeVersion {
    major: 1,
    minor: 37,
};

/// How far a run judges its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A minor the suite is recorded for: everything is judged.
    Known(KubeVersion),
    /// A minor outside OLDEST..=NEWEST: expectations are judged, snapshots are not
    /// (they hold what the known minors answer, so a difference would say nothing
    /// about the target).
    Outside(KubeVersion),
    /// No Kubernetes version in `/version` (a mock, a proxy that hides it): judged
    /// as the baseline, expectations and the shared snapshots.
    Unknown,
}

impl Scope {
    /// The scope of a target that answered `version` to `GET /version`.
    pub fn of(version: Option<&Value>) -> Scope {
        match version.and_then(KubeVersion::of_answer) {
            None => Scope::Unknown,
            Some(v) if (OLDEST..=NEWEST).contains(&v) => Scope::Known(v),
            Some(v) => Scope::Outside(v),
        }
    }

    /// The snapshot mode a run uses on this target: off outside the known minors,
    /// except when recording (`--update-snapshots` writes that minor's overrides).
    pub fn snapshots(self, asked: snapshot::Mode) -> snapshot::Mode {
        match (self, asked) {
            (Scope::Outside(_), snapshot::Mode::Check | snapshot::Mode::Review) => {
                snapshot::Mode::Off
            }
            _ => asked,
        }
    }

    /// What a run tells before its cases: nothing on a known minor, else which
    /// version the target is and what is and is not judged.
    pub fn note(self, asked: snapshot::Mode) -> Option<String> {
        let known = format!("{OLDEST}–{NEWEST}");
        match self {
            Scope::Known(_) => None,
            Scope::Outside(v) => {
                let side = if v < OLDEST {
                    format!("older than the oldest version this suite is recorded for ({OLDEST})")
                } else {
                    format!("newer than the newest version this suite is recorded for ({NEWEST})")
                };
                let snapshots = match (asked, self.snapshots(asked)) {
                    (snapshot::Mode::Off, _) => "snapshots are off".to_owned(),
                    (_, snapshot::Mode::Off) => format!(
                        "snapshots are not compared (they hold what {known} answer, so a difference would be the version's, not the target's fault)"
                    ),
                    _ => format!(
                        "snapshots are compared with the nearest of {known} and {v}'s differences recorded as its overrides"
                    ),
                };
                Some(format!(
                    "the target is Kubernetes {v}, {side}: each case's `expect` is judged and cases whose `kubernetes:` range excludes {v} are skipped; {snapshots}"
                ))
            }
            Scope::Unknown => {
                let snapshots = match asked {
                    snapshot::Mode::Off => String::new(),
                    _ => format!(", and the {BASELINE} snapshots"),
                };
                Some(format!(
                    "the target's /version names no Kubernetes release: it is judged as Kubernetes {BASELINE}, the baseline (each case's `expect`{snapshots}); cases limited by a `kubernetes:` range run regardless"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn of(git: &str) -> Scope {
        Scope::of(Some(&json!({"gitVersion": git, "goVersion": "go1.26.8"})))
    }

    #[test]
    fn known_minors_are_judged_fully_and_say_nothing() {
        for git in ["v1.30.14", "v1.36.5", "v1.37.2", "v1.33.2-eks-1234"] {
            let scope = of(git);
            assert!(matches!(scope, Scope::Known(_)), "{git}");
            assert_eq!(scope.note(snapshot::Mode::Check), None);
            assert_eq!(
                scope.snapshots(snapshot::Mode::Review),
                snapshot::Mode::Review
            );
        }
    }

    #[test]
    fn outside_minors_judge_expectations_only_and_say_so() {
        for (git, side) in [("v1.29.9", "older"), ("v1.38.0", "newer")] {
            let scope = of(git);
            assert!(matches!(scope, Scope::Outside(_)), "{git}");
            assert_eq!(scope.snapshots(snapshot::Mode::Check), snapshot::Mode::Off);
            let note = scope.note(snapshot::Mode::Check).unwrap();
            assert!(note.contains(side), "{note}");
            assert!(note.contains("`expect` is judged"), "{note}");
            assert!(note.contains("snapshots are not compared"), "{note}");
        }
        // Recording a new minor's overrides still compares and writes.
        let scope = of("v1.38.0");
        assert_eq!(
            scope.snapshots(snapshot::Mode::Update),
            snapshot::Mode::Update
        );
        let note = scope.note(snapshot::Mode::Update).unwrap();
        assert!(note.contains("recorded as its overrides"), "{note}");
    }

    #[test]
    fn an_unknown_version_is_judged_as_the_baseline() {
        for version in [
            None,
            Some(json!({"kind": "List"})),
            Some(json!({"gitVersion": "x"})),
        ] {
            let scope = Scope::of(version.as_ref());
            assert_eq!(scope, Scope::Unknown);
            let note = scope.note(snapshot::Mode::Check).unwrap();
            assert!(note.contains("judged as Kubernetes 1.37"), "{note}");
            assert_eq!(
                scope.snapshots(snapshot::Mode::Check),
                snapshot::Mode::Check
            );
        }
    }
}
