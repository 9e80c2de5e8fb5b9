//! What a run found: per scenario a verdict and its steps with their findings, and the counts
//! every report prints. The reports only render these types.

use std::time::Duration;

use serde::Serialize;

use crate::check::Finding;

/// The result of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioOutcome {
    /// The scenario's name, as its file gives it.
    pub name: String,
    /// The file it came from.
    pub origin: String,
    /// The rules it checks.
    pub rules: Vec<String>,
    /// How it ended; in the JSON report, `status` with its reason or rule beside it.
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The steps that ran, up to and including the first failed one.
    pub steps: Vec<StepOutcome>,
    /// How long it took (`duration_ms` in the JSON report).
    #[serde(serialize_with = "millis", rename = "duration_ms")]
    pub duration: Duration,
}

/// How a scenario ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Verdict {
    /// Every step's expectations held.
    Passed,
    /// A step's expectation did not hold, and no profile lists the failure as known.
    Failed,
    /// Not run: the target lacks something the scenario requires.
    Skipped {
        /// The requirement the target lacks, as a sentence.
        reason: String,
    },
    /// Failed under a profile that lists the failure as a known defect of the real server.
    KnownDeviation {
        /// The doc-vs-code row or spec section of the defect.
        rule: String,
    },
}

/// One step that ran.
#[derive(Debug, Clone, Serialize)]
pub struct StepOutcome {
    /// Counted from 1.
    pub number: usize,
    /// What kind of action the step was.
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
    /// A request to the target's REST API (`request:`).
    Request,
    /// An action of the session source (`session:`).
    Session,
    /// A call of the simulator's control API (`control:`).
    Control,
    /// The clock moved on (`advance:`).
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
    /// Scenarios whose every step held.
    pub passed: usize,
    /// Scenarios that failed: conformance failures.
    pub failed: usize,
    /// Scenarios not run for a requirement the target lacks.
    pub skipped: usize,
    /// Scenarios that failed as their profile's known deviation.
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
    /// The profile the target was held to (`maxscale-24.02`, `documented`).
    pub profile: String,
    /// The seed of every random choice and of the embedded server.
    pub seed: u64,
    /// How many scenarios ended each way.
    pub counts: Counts,
    /// Every scenario's outcome, in run order.
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
