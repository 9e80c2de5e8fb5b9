//! The JUnit XML report: one test suite, one test case per scenario. A failure carries the
//! console's evidence; a skip its reason; a known deviation passes with the deviation's rule in
//! its output. The suite's properties hold the four counts of the console's summary.

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::INDENT;
use crate::check;
use crate::outcome::{RunReport, ScenarioOutcome, Verdict};

/// The report as XML.
pub fn render(run: &RunReport) -> String {
    let mut suite = TestSuite::new("harness conform");
    let counts = run.counts;
    suite.add_properties([
        Property::new("target", run.target.as_str()),
        Property::new("profile", run.profile.as_str()),
        Property::new("seed", run.seed.to_string()),
        Property::new("passed", counts.passed.to_string()),
        Property::new("failed", counts.failed.to_string()),
        Property::new("skipped", counts.skipped.to_string()),
        Property::new("known-deviations", counts.known_deviations.to_string()),
    ]);
    suite.add_test_cases(run.scenarios.iter().map(test_case));
    let mut report = Report::new("harness");
    report.add_test_suite(suite);
    report.to_string().expect("the report serialises")
}

fn test_case(outcome: &ScenarioOutcome) -> TestCase {
    let findings: Vec<_> = outcome.findings().cloned().collect();
    let status = match &outcome.verdict {
        Verdict::Passed | Verdict::KnownDeviation { .. } => TestCaseStatus::success(),
        Verdict::Failed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            if let Some(first) = findings.first() {
                status.set_message(format!(
                    "step {}: {} (rule: {})",
                    first.step, first.check, first.rule
                ));
            }
            status.set_description(check::render(&findings, INDENT));
            status
        }
        Verdict::Skipped { reason } => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(reason.as_str());
            status
        }
    };
    let mut case = TestCase::new(outcome.name.as_str(), status);
    case.set_classname(outcome.origin.as_str());
    case.set_time(outcome.duration);
    if let Verdict::KnownDeviation { rule } = &outcome.verdict {
        case.set_system_out(format!(
            "known deviation: {rule}\n{}",
            check::render(&findings, INDENT)
        ));
    }
    case
}
