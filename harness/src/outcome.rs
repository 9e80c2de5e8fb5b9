//! What a run found: per scenario a verdict and its steps with their findings, and the counts
//! every report prints. The reports only render these types.

use std::time::Duration;

use serde::Serialize;

use crate::check::Finding;

/// The result of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioOutcome {
    pub name: String,
    /// The file it came from.
    pub origin: String,
    /// The rules it checks.
    pub rules: Vec<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The steps that ran, up to and including the first failed one.
    pub steps: Vec<StepOutcome>,
    #[serde(serialize_with = "millis", rename = "duration_ms")]
    pub duration: Duration,
}

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Verdict {
    Passed,
    Failed,
    /// Not run: the target lacks something the scenario requires.
    Skipped {
        reason: String,
    },
    /// Failed under a profile that lists the failure as a known defect of the real server.
    KnownDeviation {
        rule: String,
    },
}

/// One step that ran.
#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    /// Counted from 1.
    pub number: usize,
    pub kind: StepKind,
    /// What it did: `GET /v1/sessions/3`, `session open 2 sessions`, `control POST
    /// /_sim/sessions/3/internal-ops`, `advance 2.5 s`.
    pub label: String,
    /// How often it was sent (more than once when polling).
    pub tries: u32,
    /// Every expectation that failed on the last try; empty when the step passed.
    pub findings: Vec<Finding>,
}

/// The action of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepKind {
    Request,
    Session,
    Control,
    Advance,
}

impl StepOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }
}

impl ScenarioOutcome {
    /// Every finding of the scenario (those of its failed step).
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.steps.iter().flat_map(|step| &step.findings)
    }
}

/// How many scenarios ended each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub known_deviations: usize,
}

impl Counts {
    /// The counts of some outcomes.
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a ScenarioOutcome>) -> Counts {
        let mut counts = Counts::default();
        for outcome in outcomes {
            match outcome.verdict {
                Verdict::Passed => counts.passed += 1,
                Verdict::Failed => counts.failed += 1,
                Verdict::Skipped { .. } => counts.skipped += 1,
                Verdict::KnownDeviation { .. } => counts.known_deviations += 1,
            }
        }
        counts
    }

    /// `N passed, N failed, N skipped, N known deviations`.
    pub fn line(&self) -> String {
        format!(
            "{} passed, {} failed, {} skipped, {} known deviations",
            self.passed, self.failed, self.skipped, self.known_deviations
        )
    }
}

/// A whole run: against what, under which profile and seed, and every scenario's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// The target's base URL (`embedded` runs name the reference server's address).
    pub target: String,
    pub profile: String,
    pub seed: u64,
    pub counts: Counts,
    pub scenarios: Vec<ScenarioOutcome>,
}

impl RunReport {
    /// Whether the target conforms: no scenario failed.
    pub fn passed(&self) -> bool {
        self.counts.failed == 0
    }

    /// The findings of the failed scenarios (not those of known deviations), in run order.
    pub fn failures(&self) -> impl Iterator<Item = &Finding> {
        self.scenarios
            .iter()
            .filter(|s| s.verdict == Verdict::Failed)
            .flat_map(ScenarioOutcome::findings)
    }
}

fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(duration.as_millis() as u64)
}
