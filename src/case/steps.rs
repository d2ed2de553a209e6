//! Scenarios and variants in a case file: `steps` (named requests sent in order
//! to the same pod, each with its own expectations and the values it captures
//! for later steps) and `variants` (one intent written for several requests,
//! each run as its own case), with the checks that need the whole list: unique
//! names, and captures used only after the step that takes them.
//!
//! It holds the model of both; expanding a file into its cases is `document`'s,
//! taking a captured value from an answer the runner's.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::model::{Expect, RequestSpec};
use crate::vars;

/// One request of a case with what its answer must be. A single-request case
/// has one step without a name.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub name: Option<String>,
    pub request: RequestSpec,
    pub expect: Expect,
    /// Values taken from the answer, by name, for `${steps.NAME.CAPTURE}`.
    pub capture: BTreeMap<String, Capture>,
}

/// Where a captured value comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Capture {
    /// A JSON pointer into the response body (`/metadata/resourceVersion`).
    Body(String),
    /// A response header, by name (case-insensitive).
    Header(String),
    /// A JSON pointer into the pod read back after the step (needs `expect.stored`).
    Stored(String),
}

impl<'de> Deserialize<'de> for Capture {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CaptureVisitor;
        impl<'de> Visitor<'de> for CaptureVisitor {
            type Value = Capture;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON pointer into the body, or `{header: NAME}`, `{body: POINTER}`, `{stored: POINTER}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Capture, E> {
                pointer(v).map(Capture::Body).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Capture, A::Error> {
                let key: String = map
                    .next_key()?
                    .ok_or_else(|| de::Error::custom("a capture names one source"))?;
                let value: String = map.next_value()?;
                let capture = match key.as_str() {
                    "body" => Capture::Body(pointer(&value).map_err(de::Error::custom)?),
                    "stored" => Capture::Stored(pointer(&value).map_err(de::Error::custom)?),
                    "header" => Capture::Header(value),
                    other => {
                        return Err(de::Error::custom(format!(
                            "unknown capture source `{other}`, expected `body`, `header` or `stored`"
                        )));
                    }
                };
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format!(
                        "a capture names one source; `{extra}` is one too many"
                    )));
                }
                Ok(capture)
            }
        }
        deserializer.deserialize_any(CaptureVisitor)
    }
}

/// A JSON pointer (RFC 6901): empty (the whole value) or starting with `/`.
fn pointer(p: &str) -> Result<String, String> {
    if p.is_empty() || p.starts_with('/') {
        Ok(p.to_owned())
    } else {
        Err(format!(
            "a capture path is a JSON pointer starting with `/`, found `{p}`"
        ))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    name: String,
    request: RequestSpec,
    expect: Expect,
    #[serde(default)]
    capture: BTreeMap<String, Capture>,
}

/// The `steps` of a scenario, checked as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct Steps(pub Vec<Step>);

impl<'de> Deserialize<'de> for Steps {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StepsVisitor;
        impl<'de> Visitor<'de> for StepsVisitor {
            type Value = Steps;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of steps")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Steps, A::Error> {
                let mut earlier = Vec::new();
                while let Some(step) = seq.next_element_seed(StepSeed(&earlier))? {
                    earlier.push(step);
                }
                if earlier.is_empty() {
                    return Err(de::Error::custom("`steps` lists at least one step"));
                }
                Ok(Steps(earlier))
            }
        }
        deserializer.deserialize_seq(StepsVisitor)
    }
}

/// Reads one step and checks it against the steps before it, inside the step's
/// own mapping so that an error points at the step.
struct StepSeed<'a>(&'a [Step]);

impl<'de> de::DeserializeSeed<'de> for StepSeed<'_> {
    type Value = Step;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Step, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for StepSeed<'_> {
    type Value = Step;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a step: a mapping with `name`, `request` and `expect`")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Step, A::Error> {
        let raw = RawStep::deserialize(de::value::MapAccessDeserializer::new(map))?;
        checked(raw, self.0).map_err(de::Error::custom)
    }
}

/// A step as read, checked: a plain name no earlier step has, captures that
/// earlier steps take, and captures of its own it can take.
fn checked(raw: RawStep, earlier: &[Step]) -> Result<Step, String> {
    let name = raw.name;
    check_name("step", &name)?;
    if earlier.iter().any(|s| s.name.as_deref() == Some(&name)) {
        return Err(format!("two steps are named `{name}`"));
    }
    let step = Step {
        name: Some(name.clone()),
        request: raw.request,
        expect: raw.expect,
        capture: raw.capture,
    };
    let taken: BTreeSet<String> = earlier
        .iter()
        .flat_map(|s| {
            let step = s.name.clone().unwrap_or_default();
            s.capture.keys().map(move |c| format!("{step}.{c}"))
        })
        .collect();
    if let Some(reference) = references(&step).into_iter().find(|r| !taken.contains(r)) {
        return Err(format!(
            "step `{name}` uses `${{steps.{reference}}}`, which no earlier step captures"
        ));
    }
    for (capture, source) in &step.capture {
        check_name("capture", capture)?;
        if matches!(source, Capture::Stored(_)) && step.expect.stored.is_none() {
            return Err(format!(
                "step `{name}` captures `{capture}` from the stored pod: give `expect.stored` so it is read back"
            ));
        }
    }
    Ok(step)
}

/// A step, variant or capture name: it appears in ids, reports and
/// `${steps.…}`, so it stays plain.
fn check_name(what: &str, name: &str) -> Result<(), String> {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        Ok(())
    } else {
        Err(format!(
            "{what} name `{name}` must be letters, digits, `-` or `_`"
        ))
    }
}

/// The `${steps.STEP.CAPTURE}` a step's request and expectations use.
pub(super) fn references(step: &Step) -> Vec<String> {
    // A reference lies inside one string, which JSON writes as it is, so the
    // text in field order (cheaper: no tree) tells whether there is any; the
    // tree's text, keys sorted, names them in order.
    let pair = (&step.request, &step.expect);
    if serde_json::to_string(&pair).is_ok_and(|text| !text.contains("${steps.")) {
        return Vec::new();
    }
    let text = serde_json::json!([&step.request, &step.expect]).to_string();
    vars::capture_references(&text)
}

/// One request of a variant, and its own expectations when they differ from the
/// case's shared `expect`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub request: RequestSpec,
    pub expect: Option<Expect>,
}

/// The `variants` of a case, by name, checked as read.
#[derive(Debug, Clone, Serialize)]
pub struct Variants(pub BTreeMap<String, Variant>);

impl<'de> Deserialize<'de> for Variants {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct VariantsVisitor;
        impl<'de> Visitor<'de> for VariantsVisitor {
            type Value = Variants;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of variant names to requests")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Variants, A::Error> {
                let mut variants = BTreeMap::new();
                while let Some(name) = map.next_key::<String>()? {
                    check_name("variant", &name).map_err(de::Error::custom)?;
                    let variant: Variant = map.next_value()?;
                    if variants.insert(name.clone(), variant).is_some() {
                        return Err(de::Error::custom(format!("duplicate variant `{name}`")));
                    }
                }
                if variants.is_empty() {
                    return Err(de::Error::custom("`variants` lists at least one variant"));
                }
                Ok(Variants(variants))
            }
        }
        deserializer.deserialize_map(VariantsVisitor)
    }
}
