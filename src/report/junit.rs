//! The JUnit XML report: one testcase per case, named by case id and classed by
//! its topic folder, so CI dashboards track each case across runs.

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::terminal;
use crate::run::{RunReport, Status};

/// Builds the JUnit document of a run.
pub fn build(report: &RunReport) -> Report {
    let mut suite = TestSuite::new("podpatch");
    suite.add_property(Property::new("target", report.target.as_str()));
    suite.add_property(Property::new("run_id", report.run_id.as_str()));
    if let Some(v) = report
        .version
        .as_ref()
        .and_then(|v| v["gitVersion"].as_str())
    {
        suite.add_property(Property::new("kubernetes_version", v));
    }
    for o in &report.outcomes {
        let status = match o.status {
            Status::Passed => TestCaseStatus::success(),
            Status::Skipped => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(o.skip_reason.clone().unwrap_or_default());
                s
            }
            // A known gap is neither a pass nor a failure of the run: skipped, with why.
            Status::ExpectedFailure => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(o.expected_failure.clone().unwrap_or_default());
                s.set_description(terminal::details(o));
                s
            }
            // The cluster's policy kept the case from being judged: neither a pass
            // nor a failure of the Pod API.
            Status::Blocked | Status::Inconclusive => {
                let mut s = TestCaseStatus::skipped();
                let word = if o.status == Status::Blocked {
                    "blocked"
                } else {
                    "inconclusive"
                };
                s.set_message(format!(
                    "{word}: {}",
                    o.admission.as_deref().unwrap_or_default()
                ));
                s.set_description(terminal::details(o));
                s
            }
            Status::Failed | Status::Errored => {
                let kind = if o.status == Status::Failed {
                    NonSuccessKind::Failure
                } else {
                    NonSuccessKind::Error
                };
                let mut s = TestCaseStatus::non_success(kind);
                s.set_message(terminal::headline(o));
                s.set_description(terminal::details(o));
                s
            }
        };
        let mut case = TestCase::new(o.id.as_str(), status);
        case.set_classname(o.id.rsplit_once('/').map_or("cases", |(dir, _)| dir));
        case.set_time(o.duration);
        suite.add_test_case(case);
    }
    let mut doc = Report::new("podpatch");
    doc.add_test_suite(suite);
    doc
}

/// The JUnit XML of a run; the binary redacts it before writing it.
pub fn render(report: &RunReport) -> Result<String, quick_junit::SerializeError> {
    build(report).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn one_testcase_per_outcome() {
        let xml = build(&sample::report()).to_string().unwrap();
        insta::assert_snapshot!(xml);
    }
}
