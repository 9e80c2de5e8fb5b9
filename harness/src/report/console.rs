//! What a person reads: one line per check group — `PASS`, `FAIL`, `SKIP` or `XFAIL`, the
//! scenario, the step — and for a failure the evidence: each failed check with what was expected
//! and what came back, the rule, and the request as a curl command line. A summary line ends it.

use std::fmt::Write as _;

use super::INDENT;
use crate::check;
use crate::outcome::{RunReport, ScenarioOutcome, StepKind, StepOutcome, Verdict};
use crate::setup::Connection;

/// The first line: what is judged, how.
pub fn header(scenarios: usize, connection: &Connection) -> String {
    let embedded = if connection.embedded() {
        "the embedded reference server at "
    } else {
        ""
    };
    format!(
        "harness: {scenarios} scenarios against {embedded}{} ({}), profile {}",
        connection.target.base(),
        connection.source.describe(),
        connection.profile
    )
}

/// The lines of one scenario.
pub fn scenario(outcome: &ScenarioOutcome) -> String {
    let name = &outcome.name;
    let mut out = String::new();
    if let Verdict::Skipped { reason } = &outcome.verdict {
        let _ = writeln!(out, "SKIP  {name}  {reason}");
        return out;
    }
    let mut lines = 0;
    for step in &outcome.steps {
        if step.passed() {
            if step.kind == StepKind::Request {
                lines += 1;
                let _ = writeln!(out, "PASS  {name}  {}", step_title(step));
            }
            continue;
        }
        lines += 1;
        let tag = match &outcome.verdict {
            Verdict::KnownDeviation { .. } => "XFAIL",
            _ => "FAIL ",
        };
        let _ = writeln!(out, "{tag} {name}  {}", step_title(step));
        out.push_str(&check::render(&step.findings, INDENT));
        if let Verdict::KnownDeviation { rule } = &outcome.verdict {
            let _ = writeln!(out, "{INDENT}known deviation: {rule}");
        }
    }
    if lines == 0 {
        let _ = writeln!(out, "PASS  {name}");
    }
    out
}

/// `step N: LABEL`, with the number of tries when it polled.
fn step_title(step: &StepOutcome) -> String {
    let tries = if step.tries > 1 {
        format!(" ({} tries)", step.tries)
    } else {
        String::new()
    };
    format!("step {}: {}{tries}", step.number, step.label)
}

/// The closing line: the counts and the seed.
pub fn summary(run: &RunReport) -> String {
    format!("\n{} (seed {})\n", run.counts.line(), run.seed)
}
