//! A case file as a whole (`CaseFile`: one request, variants or steps) and a
//! loaded case (`Case`), with the expansion of a file into the cases it runs:
//! one per variant, each as the list of steps it sends.
//!
//! It reads no file and sends nothing; the pieces of a file live in `model` and
//! `steps`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{Expect, Given, RequestSpec};
use super::steps::{Step, Steps, Variants, references};
use crate::version::VersionReq;

/// One case file, as written: one request (`request` and `expect`), the same
/// intent for several requests (`variants`, sharing `expect`), or a scenario
/// (`steps`). `Case::steps` checks which and expands it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CaseFile {
    /// What the case proves, and where the real server differs from the page.
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The Kubernetes versions the case applies to; other targets skip it.
    pub kubernetes: Option<VersionReq>,
    pub given: Option<Given>,
    pub request: Option<RequestSpec>,
    pub expect: Option<Expect>,
    /// Requests sent in order to the same starting pod.
    pub steps: Option<Steps>,
    /// One request per variant name, each run and snapshotted as `id[name]`.
    pub variants: Option<Variants>,
}

/// A loaded case: its id, where it came from, and its content with fixtures resolved.
#[derive(Debug, Clone)]
pub struct Case {
    /// Path under the cases root without extension, `/`-separated: names the snapshot.
    pub id: String,
    pub path: PathBuf,
    pub file: CaseFile,
    /// The starting pod manifest, fixture files read; cases that name the same
    /// fixture file, and the variants of one file, share one parsed copy.
    pub pod: Option<Arc<Value>>,
    /// The variant of the file this case runs (its id ends in `[name]`).
    pub variant: Option<String>,
    /// What it sends, in order: one unnamed step for a single-request case.
    pub steps: Vec<Step>,
}

impl Case {
    /// Whether the case is a scenario of named steps (its snapshot lists them).
    pub fn is_scenario(&self) -> bool {
        self.file.steps.is_some()
    }

    /// Whether a step generates a body of more than `bytes` (the size-limit
    /// cases' megabytes).
    pub fn generates_more_than(&self, bytes: usize) -> bool {
        self.steps.iter().any(|s| match &s.request.body {
            super::model::Body::Repeated(r) => r.bytes().is_none_or(|len| len > bytes),
            _ => false,
        })
    }
}

/// Why a case file's top-level keys do not make a case: the key to point at and
/// the message.
pub type ShapeError = (&'static str, String);

/// One case a file holds: its variant name (`None` without variants) and the
/// steps it runs.
pub type Expanded = (Option<String>, Vec<Step>);

impl CaseFile {
    /// The cases a file holds: one list of steps per variant (the variant name,
    /// `None` without variants). Errors name the key at fault.
    pub fn expand(&self) -> Result<Vec<Expanded>, ShapeError> {
        let single = |request: &RequestSpec, expect: &Expect| Step {
            name: None,
            request: request.clone(),
            expect: expect.clone(),
            capture: BTreeMap::new(),
        };
        let cases = match (&self.steps, &self.variants, &self.request, &self.expect) {
            (Some(steps), None, None, None) => vec![(None, steps.0.clone())],
            (Some(_), ..) => {
                return Err((
                    "steps",
                    "`steps` holds every request and expectation: it excludes `request`, `expect` and `variants`".into(),
                ));
            }
            (None, Some(_), Some(_), _) => {
                return Err((
                    "variants",
                    "each variant has its own `request`: `variants` excludes a top-level `request`"
                        .into(),
                ));
            }
            (None, Some(variants), None, shared) => {
                let mut cases = Vec::new();
                for (name, v) in &variants.0 {
                    let expect = v.expect.as_ref().or(shared.as_ref()).ok_or_else(|| {
                        (
                            "variants",
                            format!("variant `{name}` has no `expect`, and the case none to share"),
                        )
                    })?;
                    cases.push((Some(name.clone()), vec![single(&v.request, expect)]));
                }
                cases
            }
            (None, None, Some(request), Some(expect)) => {
                vec![(None, vec![single(request, expect)])]
            }
            (None, None, None, _) => {
                return Err((
                    "description",
                    "missing `request` (or `steps`, or `variants`)".into(),
                ));
            }
            (None, None, Some(_), None) => {
                return Err(("request", "missing `expect`".into()));
            }
        };
        for (_, steps) in &cases {
            if self.steps.is_none()
                && let Some(r) = steps.iter().flat_map(references).next()
            {
                return Err((
                    "request",
                    format!(
                        "`${{steps.{r}}}` refers to a capture, and only `steps` capture values"
                    ),
                ));
            }
        }
        Ok(cases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expanded(yaml: &str) -> Result<Vec<Expanded>, ShapeError> {
        serde_yaml_ng::from_str::<CaseFile>(yaml).unwrap().expand()
    }

    #[test]
    fn only_steps_refer_to_captures() {
        let one = "description: d\nrequest:\n  type: json\n  body: [{op: add, path: /a, value: X}]\nexpect:\n  status: 200\n";
        assert!(expanded(one).is_ok());
        let referring = one.replace("X", "'${steps.read.rv}'");
        let (key, message) = expanded(&referring).unwrap_err();
        assert_eq!(key, "request");
        assert!(
            message.starts_with("`${steps.read.rv}` refers to a capture"),
            "{message}"
        );
    }
}
