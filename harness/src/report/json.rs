//! The JSON report: one document with the run's target, profile, seed, counts and every
//! scenario with its steps and findings.

use crate::outcome::RunReport;

/// The report as indented JSON.
pub fn render(run: &RunReport) -> String {
    let mut text = serde_json::to_string_pretty(run).expect("a run report always serialises");
    text.push('\n');
    text
}
