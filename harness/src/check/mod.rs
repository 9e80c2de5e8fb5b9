//! One place for every verdict. Each kind of expectation has its file — [`status`], [`headers`],
//! [`body`], [`schema`], [`json`] (over [`jsonpath`]), [`snapshot`] (over [`redact`]) — and
//! returns [`Failure`]s; the executor turns them into [`Finding`]s by adding the scenario, the
//! step, the rule and the request.

pub mod body;
pub mod diff;
pub mod headers;
pub mod json;
pub mod jsonpath;
pub mod redact;
pub mod schema;
pub mod snapshot;
pub mod status;

use regex::Regex;
use serde::Serialize;
use serde_json::Value;

use crate::profile::Profile;
use crate::scenario::model::{Expect, Scenario};
use crate::target::Response;
use crate::vars::Vars;

/// One expectation that did not hold, before it is placed in its scenario and step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Which check: `status`, `header ETag`, `schema session-one`, `json /data/id`, …
    pub check: String,
    pub expected: String,
    /// What came back; for bodies a short line diff.
    pub actual: String,
    /// The author's reason for the assertion, when given.
    pub because: Option<String>,
}

impl Failure {
    /// A failure without a reason.
    pub fn new(
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Failure {
        Failure {
            check: check.into(),
            expected: expected.into(),
            actual: actual.into(),
            because: None,
        }
    }
}

/// A failed expectation with its evidence: where it was, which rule it enforces, and the request
/// that shows it (as a curl command line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub scenario: String,
    /// The step, counted from 1.
    pub step: usize,
    pub check: String,
    /// The rule: the step's `rule`, else the scenario's rules.
    pub rule: String,
    /// The request as a curl command line (empty for a clock advance).
    pub request: String,
    pub expected: String,
    pub actual: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

/// What the checks of one step need besides the response.
pub struct Context<'a> {
    pub profile: Profile,
    pub scenario: &'a Scenario,
    pub vars: &'a Vars,
    pub schemas: &'a schema::SchemaChecks,
    /// Where snapshots live; `None` when the run compares none.
    pub snapshots: Option<&'a snapshot::Snapshots>,
}

/// A response with its body parsed as JSON once for every check.
pub struct Reply<'a> {
    pub response: &'a Response,
    pub json: Result<Value, String>,
}

impl<'a> Reply<'a> {
    /// Parses the body (an empty body is "not JSON").
    pub fn new(response: &'a Response) -> Reply<'a> {
        let json = if response.body.is_empty() {
            Err("the body is empty".to_string())
        } else {
            serde_json::from_slice(&response.body)
                .map_err(|e| format!("the body is not JSON ({e}): {}", response.body_excerpt()))
        };
        Reply { response, json }
    }
}

/// Every expectation of a step that does not hold, in the order status, headers, body, schema,
/// json, snapshot.
pub fn evaluate(expect: &Expect, reply: &Reply<'_>, ctx: &Context<'_>) -> Vec<Failure> {
    let mut failures = Vec::new();
    if let Some(spec) = expect.status.as_ref().and_then(|s| s.get(ctx.profile)) {
        failures.extend(status::check(spec, &ctx.profile.rules(), reply.response.status));
    }
    for (name, spec) in &expect.headers {
        failures.extend(headers::check(name, spec, reply.response, ctx.vars));
    }
    if let Some(spec) = expect.body {
        failures.extend(body::check(spec, reply));
    }
    if let Some(name) = expect.schema.as_ref().and_then(|s| s.get(ctx.profile)) {
        failures.extend(ctx.schemas.check(name, reply));
    }
    failures.extend(json::check_all(&expect.json, reply, ctx.vars));
    if let (Some(name), Some(snapshots)) = (&expect.snapshot, ctx.snapshots) {
        failures.extend(snapshots.check(ctx.scenario, name, reply));
    }
    failures
}

/// Compiles a scenario's regular expression (the `regex` crate: linear time, no look-around).
pub fn pattern(text: &str) -> Result<Regex, String> {
    Regex::new(text).map_err(|e| format!("pattern '{text}': {e}"))
}
