//! The JSON report: the whole `RunReport`, its failures grouped by cause, its
//! blocked and inconclusive cases grouped by the cluster policy's cause, and its
//! pass rates per feature, for tools. This writer only serialises; the
//! binary passes the text through the redactor before writing it.

use serde_json::{Value, json};

use super::Counts;
use crate::run::{RunReport, Status};

/// The JSON document of a run: podpatch's version, the counts and the whole run.
pub fn build(report: &RunReport) -> Value {
    json!({
        "podpatch": env!("CARGO_PKG_VERSION"),
        "summary": Counts::of(report),
        "groups": crate::triage::of_run(report),
        "blocked": crate::triage::of_policy(report, Status::Blocked),
        "inconclusive": crate::triage::of_policy(report, Status::Inconclusive),
        "features": crate::features::scores(&report.outcomes),
        "run": report,
    })
}

/// The run as pretty JSON text.
pub fn render(report: &RunReport) -> String {
    let mut text = serde_json::to_string_pretty(&build(report)).unwrap_or_else(|e| {
        json!({"error": format!("the report could not be serialised: {e}")}).to_string()
    });
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn the_whole_run_with_its_summary() {
        let mut doc = build(&sample::report());
        // The version changes with every release, not with the report's shape.
        doc["podpatch"] = Value::String("[version]".into());
        insta::assert_snapshot!(serde_json::to_string_pretty(&doc).unwrap());
    }
}
