//! Feature tags and the compatibility score: the vocabulary of tags a case may
//! carry (one spelling per feature), the tags a case's request implies (its patch
//! type and the subresource it aims at), the check that a case's tags agree with
//! both, and pass rates per feature for the end of a report.
//!
//! Pure: cases and outcomes in, findings and scores out. Rendering belongs to
//! the reports; `tests/` enforce the vocabulary on every shipped case.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::case::{Case, ContentType, PatchType};
use crate::run::{CaseOutcome, Status};

/// Patch-type tags, one per `request.type`.
pub const PATCH_TYPES: &[&str] = &[
    "json-patch",
    "merge-patch",
    "strategic-merge-patch",
    "apply",
];

/// Subresource tags, one per subresource a case may aim at.
pub const SUBRESOURCES: &[&str] = &["status", "resize", "ephemeralcontainers"];

/// Every other tag a case may carry: field families and outcome families. A new
/// feature is added here, once, with one spelling.
pub const VOCABULARY: &[&str] = &[
    // field families
    "labels",
    "annotations",
    "metadata",
    "image",
    "tolerations",
    "active-deadline",
    "scheduling-gates",
    "resources",
    "init-containers",
    "ephemeral-containers",
    "container-statuses",
    "conditions",
    "volumes",
    "volume-mounts",
    "volume-devices",
    "projected",
    "env",
    "command",
    "ports",
    "probes",
    "lifecycle",
    "security-context",
    "seccomp",
    "sysctls",
    "node-affinity",
    "pod-affinity",
    "affinity",
    "node-selector",
    "topology-spread",
    "dns",
    "hostname",
    "host-aliases",
    "host-network",
    "host-users",
    "os",
    "overhead",
    "priority",
    "readiness-gates",
    "runtime-class",
    "service-account",
    "resource-claims",
    "pod-resources",
    "pod-level-resources",
    "resize-policy",
    "qos",
    "limits",
    "quantity",
    "int32",
    "int64",
    "ip",
    "finalizers",
    "owner-references",
    "generate-name",
    "generation",
    "resource-version",
    "managed-fields",
    "last-applied",
    "field-manager",
    "sidecar",
    "containers",
    "spec",
    "nulls",
    "empty-list",
    // patch mechanics
    "test-op",
    "pointer",
    "path",
    "copy",
    "patch-directive",
    "retain-keys",
    "set-element-order",
    "list-order",
    "force",
    "conflict",
    "yaml",
    "content-type",
    "decoding",
    "accept",
    "pretty",
    "patch-options",
    "dry-run",
    "field-validation",
    "query",
    "routing",
    "no-op",
    "dropped",
    "defaults",
    "create",
    "deleting",
    "immutable",
    "validation",
    "admission",
    "impersonation",
    "feature-gate",
    // outcome families
    "error",
    "not-found",
    "check-order",
    "error-order",
    "error-text",
    "warnings",
    "page-example",
    // case shapes
    "scenario",
];

/// Spellings that name a feature another tag already names.
pub const SYNONYMS: &[(&str, &str)] = &[
    ("jp", "json-patch"),
    ("mp", "merge-patch"),
    ("merge", "merge-patch"),
    ("smp", "strategic-merge-patch"),
    ("strategic", "strategic-merge-patch"),
    ("ssa", "apply"),
    ("decode", "decoding"),
    ("options", "patch-options"),
    ("quantities", "quantity"),
    ("conflicts", "conflict"),
    ("errors", "error"),
    ("warning", "warnings"),
    ("directives", "patch-directive"),
    ("subresource", "status"),
];

/// The patch-type tag a request implies: its `type`, or the patch media type a raw
/// Content-Type names (none for a type that is not a patch, or several).
pub fn patch_type_tag(content_type: &ContentType) -> Option<&'static str> {
    match content_type {
        ContentType::Patch(t) => Some(t.tag()),
        ContentType::Raw(raw) => {
            let media = raw
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            [
                PatchType::Json,
                PatchType::Merge,
                PatchType::Strategic,
                PatchType::Apply,
            ]
            .into_iter()
            .find(|t| t.content_type() == media)
            .map(PatchType::tag)
        }
        ContentType::Omitted => None,
    }
}

/// The subresource tag a request path implies.
pub fn subresource_tag(path: Option<&str>) -> Option<&'static str> {
    let path = path?.split('?').next()?;
    SUBRESOURCES
        .iter()
        .find(|s| path.ends_with(&format!("/{s}")))
        .copied()
}

/// What is wrong with a case's tags, one message per problem.
pub fn check(case: &Case) -> Vec<String> {
    let tags = &case.file.tags;
    let mut problems = Vec::new();
    for t in tags {
        if let Some((_, canonical)) = SYNONYMS.iter().find(|(s, _)| s == t) {
            problems.push(format!("tag `{t}` is a synonym: write `{canonical}`"));
        } else if !PATCH_TYPES.contains(&t.as_str())
            && !SUBRESOURCES.contains(&t.as_str())
            && !VOCABULARY.contains(&t.as_str())
        {
            problems.push(format!(
                "tag `{t}` is not in the vocabulary (src/features.rs): use an existing tag or add it there"
            ));
        }
    }
    let requests: Vec<_> = case.steps.iter().map(|s| &s.request).collect();
    let implied: Vec<&str> = requests
        .iter()
        .filter_map(|r| patch_type_tag(&r.content_type))
        .collect();
    for t in tags.iter().filter(|t| PATCH_TYPES.contains(&t.as_str())) {
        if !implied.contains(&t.as_str()) {
            let sends: Vec<_> = requests
                .iter()
                .filter_map(|r| r.content_type.header())
                .collect();
            problems.push(format!(
                "tag `{t}` names a patch type the request does not send ({})",
                sends.join(", ")
            ));
        }
    }
    for p in &implied {
        if !tags.iter().any(|t| t == p) && !problems.iter().any(|m| m.contains(&format!("`{p}`"))) {
            problems.push(format!("the request sends {p}: tag the case `{p}`"));
        }
    }
    for s in requests
        .iter()
        .filter_map(|r| subresource_tag(r.path.as_deref()))
    {
        if !tags.iter().any(|t| t == s) && !problems.iter().any(|m| m.contains(&format!("`{s}`"))) {
            problems.push(format!(
                "the request aims at the {s} subresource: tag the case `{s}`"
            ));
        }
    }
    problems
}

/// How a target did on one feature.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    pub feature: String,
    pub passed: usize,
    pub failed: usize,
    pub expected_failures: usize,
    pub skipped: usize,
}

impl Score {
    /// Cases judged (passed, failed or expected to fail).
    pub fn judged(&self) -> usize {
        self.passed + self.failed + self.expected_failures
    }

    /// The pass rate in percent of the judged cases, if any were judged.
    pub fn rate(&self) -> Option<f64> {
        let judged = self.judged();
        (judged > 0).then(|| self.passed as f64 * 100.0 / judged as f64)
    }
}

/// Pass rates per feature: patch types first, subresources next, then the other
/// tags by name. A case counts for each of its tags.
pub fn scores(outcomes: &[CaseOutcome]) -> Vec<Score> {
    let mut by_tag: BTreeMap<&str, Score> = BTreeMap::new();
    for o in outcomes {
        for t in &o.tags {
            let s = by_tag.entry(t.as_str()).or_insert_with(|| Score {
                feature: t.clone(),
                ..Score::default()
            });
            match o.status {
                Status::Passed => s.passed += 1,
                Status::Failed | Status::Errored => s.failed += 1,
                Status::ExpectedFailure => s.expected_failures += 1,
                // The cluster's policy, not the feature: not judged.
                Status::Skipped | Status::Blocked | Status::Inconclusive => s.skipped += 1,
            }
        }
    }
    let rank = |f: &str| {
        PATCH_TYPES
            .iter()
            .position(|p| *p == f)
            .or_else(|| SUBRESOURCES.iter().position(|p| *p == f).map(|i| i + 10))
            .unwrap_or(100)
    };
    let mut out: Vec<Score> = by_tag.into_values().collect();
    out.sort_by(|a, b| {
        rank(&a.feature)
            .cmp(&rank(&b.feature))
            .then(a.feature.cmp(&b.feature))
    });
    out
}

/// A rate as the reports show it: `83.3%`, or `-` when nothing was judged.
pub fn rate_text(s: &Score) -> String {
    s.rate().map_or("-".to_owned(), |r| format!("{r:.1}%"))
}

/// The scores as a Markdown table, for a CI job to post.
pub fn markdown(scores: &[Score], title: &str) -> String {
    let mut out = format!(
        "## {title}\n\n| feature | pass rate | passed | failed | expected failures | skipped |\n|---|---:|---:|---:|---:|---:|\n"
    );
    for s in scores {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            s.feature,
            rate_text(s),
            s.passed,
            s.failed,
            s.expected_failures,
            s.skipped
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_has_one_spelling_per_feature() {
        let mut all: Vec<&str> = PATCH_TYPES
            .iter()
            .chain(SUBRESOURCES)
            .chain(VOCABULARY)
            .copied()
            .collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n, "a tag is listed twice");
        for (synonym, canonical) in SYNONYMS {
            assert!(
                !all.contains(synonym),
                "{synonym} is both a synonym and a tag"
            );
            assert!(all.contains(canonical), "{canonical} is not a tag");
        }
    }

    #[test]
    fn request_implied_tags() {
        assert_eq!(
            patch_type_tag(&ContentType::Raw("Application/JSON-Patch+JSON".into())),
            Some("json-patch")
        );
        assert_eq!(
            patch_type_tag(&ContentType::Raw(
                "application/merge-patch+json\t;charset=utf-8".into()
            )),
            Some("merge-patch")
        );
        assert_eq!(patch_type_tag(&ContentType::Raw("text/plain".into())), None);
        assert_eq!(
            patch_type_tag(&ContentType::Patch(PatchType::Apply)),
            Some("apply")
        );
        assert_eq!(
            subresource_tag(Some("/api/v1/namespaces/${namespace}/pods/${pod}/resize")),
            Some("resize")
        );
        assert_eq!(
            subresource_tag(Some("/api/v1/namespaces/x/pods/p?dryRun=All")),
            None
        );
    }

    #[test]
    fn scores_count_each_tag_and_rank_patch_types_first() {
        let o = |tags: &[&str], status| CaseOutcome {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            status,
            ..crate::report::sample::bare("x")
        };
        let scores = scores(&[
            o(&["labels", "merge-patch"], Status::Passed),
            o(&["labels", "json-patch"], Status::Failed),
            o(&["json-patch"], Status::ExpectedFailure),
        ]);
        let view: Vec<(&str, String)> = scores
            .iter()
            .map(|s| (s.feature.as_str(), rate_text(s)))
            .collect();
        assert_eq!(
            view,
            [
                ("json-patch", "0.0%".to_owned()),
                ("merge-patch", "100.0%".to_owned()),
                ("labels", "50.0%".to_owned())
            ]
        );
        assert!(markdown(&scores, "t").contains("| `labels` | 50.0% | 1 | 1 | 0 | 0 |"));
    }
}
