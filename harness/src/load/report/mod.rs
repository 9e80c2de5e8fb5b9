//! What a load run measured, as one serialisable document: the console summary ([`console`]),
//! the JSON report ([`json`]) and the HTML page ([`html`]) all render a [`LoadReport`], and
//! `harness report merge` adds several (`super::merge`).

pub mod console;
pub mod html;
pub mod json;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::check::Finding;

use super::histogram::{Latencies, Recorded};
use super::op::Model;

/// The `format` member of a JSON load report.
pub const FORMAT: &str = "harness-load/1";

/// A whole load run (or several merged).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadReport {
    /// Always [`FORMAT`].
    pub format: String,
    /// The target's base URL.
    pub target: String,
    /// The profile bodies were validated against.
    pub profile: String,
    /// The seed of the run's random choices and of the embedded server.
    pub seed: u64,
    /// How many runs this report adds up (1 unless merged).
    pub runs: u32,
    /// The planned length of the load phase, in seconds.
    pub duration_s: f64,
    /// The measured length of the load phase, from the first request to the last answer; rates
    /// are per second of it (for merged runs, the longest).
    pub elapsed_s: f64,
    /// How requests were issued: the open model's rate or the closed model's workers.
    pub model: Model,
    /// The weights by operation.
    pub mix: BTreeMap<String, u32>,
    /// The sessions the run acted on.
    pub population: Population,
    /// Sessions arriving and leaving while the load ran.
    pub churn: Churn,
    /// By operation name.
    pub operations: BTreeMap<String, OpReport>,
    /// How much of the answers was checked beyond status and invariants.
    pub checks: Checks,
    /// Broken checks by check name (`status`, `server-error`, `schema session-one`,
    /// `killed-came-back`, …).
    pub violations: BTreeMap<String, u64>,
    /// The first violations, with their requests; written in the form of `harness-load/1`
    /// ([`examples`]).
    #[serde(with = "examples")]
    pub examples: Vec<Finding>,
    /// Thresholds judged on this report.
    pub thresholds: Vec<Verdict>,
}

/// The sessions the run acted on.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Population {
    /// Sessions asked for (`--sessions`).
    pub requested: usize,
    /// Sessions the target listed before the run.
    pub existing: usize,
    /// Sessions the harness created before the load started.
    pub created: usize,
    /// Whether the target's session source opens and closes sessions (the control API or
    /// MariaDB clients); the name is the report format's.
    pub control: bool,
    /// Operations not sent because no live session was known to act on.
    pub exhausted: u64,
}

/// Sessions arriving and leaving while the load ran.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Churn {
    /// Sessions arriving, and as many leaving, per second (asked for).
    pub rate: f64,
    /// Whether churn could run (it needs a session source that opens sessions).
    pub available: bool,
    /// Sessions that arrived.
    pub arrived: u64,
    /// Sessions that left.
    pub left: u64,
    /// Sessions created to replace killed ones, keeping the population.
    pub replaced: u64,
    /// Openings and closes of the session source that failed.
    pub errors: u64,
}

/// How much of the answers was checked beyond status and invariants.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Checks {
    /// One get-all body in this many is schema-validated.
    pub list_sample: u32,
    /// get-all bodies received (200).
    pub lists: u64,
    /// get-all bodies validated against the schema.
    pub lists_validated: u64,
    /// get-all bodies whose ids were checked against the killed sessions.
    pub lists_id_checked: u64,
    /// Other bodies validated against their schema (every one that has one).
    pub bodies_validated: u64,
    /// Requests on sessions killed before they were sent (GET one probes them; each must be
    /// 404).
    pub killed_probes: u64,
}

/// One operation's numbers.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OpReport {
    /// Requests sent, answered or not.
    pub requests: u64,
    /// Requests that broke a check or got no answer.
    pub failed: u64,
    /// Requests that got no answer (refused, reset, timed out).
    pub transport_errors: u64,
    /// Answers by status code.
    pub statuses: BTreeMap<String, u64>,
    /// Derived from the rest; recomputed when reports are merged.
    pub summary: Summary,
    /// Every request's latency.
    pub latency: Latencies,
    /// One histogram per second of the run (`null`: no request completed in that second).
    pub timeline: Vec<Option<String>>,
}

/// The numbers people read, derived from an [`OpReport`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Requests per second of the run.
    pub rate: f64,
    /// The median latency, in milliseconds.
    pub p50_ms: f64,
    /// The 90th percentile latency, in milliseconds.
    pub p90_ms: f64,
    /// The 99th percentile latency, in milliseconds.
    pub p99_ms: f64,
    /// The 99.9th percentile latency, in milliseconds.
    pub p99_9_ms: f64,
    /// The longest latency, in milliseconds.
    pub max_ms: f64,
}

/// The JSON form of the examples: each [`Finding`] under the member names `harness-load/1`
/// gave it — `kind` (the check), `operation`, `message` (what came back), `curl` (the request)
/// — plus `expected` and `rule`, which older reports lack. Reports of either age read back.
pub mod examples {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::check::Finding;

    /// Where a load run finds: `load OPERATION`.
    const PLACE: &str = "load ";

    #[derive(Serialize, Deserialize)]
    struct Example {
        kind: String,
        operation: String,
        message: String,
        curl: String,
        #[serde(default)]
        expected: String,
        #[serde(default)]
        rule: String,
    }

    /// Writes the findings in the report's form.
    pub fn serialize<S: Serializer>(findings: &[Finding], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(findings.iter().map(|f| Example {
            kind: f.check.clone(),
            operation: f.place.strip_prefix(PLACE).unwrap_or(&f.place).to_string(),
            message: f.actual.clone(),
            curl: f.request.clone(),
            expected: f.expected.clone(),
            rule: f.rule.clone(),
        }))
    }

    /// Reads the findings back.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Finding>, D::Error> {
        let examples = Vec::<Example>::deserialize(d)?;
        Ok(examples
            .into_iter()
            .map(|e| Finding {
                place: format!("{PLACE}{}", e.operation),
                step: 0,
                check: e.kind,
                rule: e.rule,
                request: e.curl,
                expected: e.expected,
                actual: e.message,
                because: None,
            })
            .collect())
    }
}

impl OpReport {
    /// The numbers of a recorder, summarised over `elapsed_s`.
    pub fn from_recorded(recorded: Recorded, elapsed_s: f64) -> OpReport {
        let mut op = OpReport {
            requests: recorded.requests,
            failed: recorded.failed,
            transport_errors: recorded.transport_errors,
            statuses: recorded.statuses,
            summary: Summary::default(),
            latency: recorded.latency,
            timeline: recorded.timeline,
        };
        op.summarise(elapsed_s);
        op
    }

    /// Recomputes the summary.
    pub fn summarise(&mut self, elapsed_s: f64) {
        let l = &self.latency;
        self.summary = Summary {
            rate: rate(self.requests, elapsed_s),
            p50_ms: l.percentile_ms(50.0),
            p90_ms: l.percentile_ms(90.0),
            p99_ms: l.percentile_ms(99.0),
            p99_9_ms: l.percentile_ms(99.9),
            max_ms: l.max_ms(),
        };
    }
}

/// Requests per second, rounded to 0.1.
fn rate(requests: u64, elapsed_s: f64) -> f64 {
    if elapsed_s > 0.0 {
        (requests as f64 / elapsed_s * 10.0).round() / 10.0
    } else {
        0.0
    }
}

impl LoadReport {
    /// Requests, failed requests and latencies of all operations together.
    pub fn totals(&self) -> (u64, u64, Latencies) {
        let mut latency = Latencies::default();
        let (mut requests, mut failed) = (0, 0);
        for op in self.operations.values() {
            requests += op.requests;
            failed += op.failed;
            latency.add(&op.latency);
        }
        (requests, failed, latency)
    }

    /// Whether no check was broken.
    pub fn clean(&self) -> bool {
        self.violations.values().all(|n| *n == 0)
    }

    /// Whether every threshold held and no check was broken: exit code 0.
    pub fn passed(&self) -> bool {
        self.clean() && self.thresholds.iter().all(|t| t.passed)
    }
}

/// A threshold judged on a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The threshold as written: `get-one.p99<20ms`.
    pub threshold: String,
    /// Whether the measured value met it.
    pub passed: bool,
    /// The measured value, with its unit (or why there is none).
    pub actual: String,
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use crate::check::Finding;

    #[derive(Serialize, Deserialize)]
    struct Doc {
        #[serde(with = "super::examples")]
        examples: Vec<Finding>,
    }

    #[test]
    fn examples_keep_the_form_of_harness_load_1() {
        let old = r#"{"examples": [{"kind": "status", "operation": "kill", "message": "204", "curl": "curl -X DELETE x"}]}"#;
        let doc: Doc = serde_json::from_str(old).unwrap();
        let finding = &doc.examples[0];
        assert_eq!(
            (finding.place.as_str(), finding.check.as_str()),
            ("load kill", "status")
        );
        assert_eq!(
            (finding.actual.as_str(), finding.request.as_str()),
            ("204", "curl -X DELETE x")
        );
        let written = serde_json::to_value(&doc).unwrap();
        assert_eq!(
            written["examples"][0],
            serde_json::json!({
                "kind": "status", "operation": "kill", "message": "204",
                "curl": "curl -X DELETE x", "expected": "", "rule": ""
            })
        );
    }
}
