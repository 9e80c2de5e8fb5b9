//! One place for every verdict, for every command. Each kind of expectation has its file —
//! `status`, `headers`, `body`, [`schema`], `json` (over `jsonpath`), `snapshot`
//! (over `redact`) — and returns [`Failure`]s. Whoever asked places them ([`Failure::at`]):
//! the scenario executor, a property case, the load judge. The [`Finding`] they become is the
//! one finding type of the harness, and [`render`] the one way a console shows it.

pub(crate) mod body;
pub(crate) mod diff;
pub(crate) mod headers;
pub(crate) mod json;
pub(crate) mod jsonpath;
pub(crate) mod redact;
pub mod schema;
pub(crate) mod snapshot;
pub(crate) mod status;

use std::fmt::{self, Write as _};

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::profile::Profile;
use crate::scenario::model::{Expect, Scenario};
use crate::target::Response;
use crate::vars::Vars;

/// One expectation that did not hold, before it is placed where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Which check: `status`, `header ETag`, `schema session-one`, `json /data/id`, …
    pub check: String,
    /// What the check wanted to see.
    pub expected: String,
    /// What came back; for bodies a short line diff.
    pub actual: String,
    /// The author's reason for the assertion, when given.
    pub because: Option<String>,
    /// The rule the check itself enforces (`spec §8.2`), when it knows better than its place.
    pub rule: Option<String>,
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
            rule: None,
        }
    }

    /// The failure, naming the rule it breaks.
    pub fn breaking(self, rule: impl Into<String>) -> Failure {
        Failure {
            rule: Some(rule.into()),
            ..self
        }
    }

    /// The finding this failure is at `place` and `step` (0: none), shown by `request` (a curl
    /// command line, or empty); its rule is its own, else `rule`.
    pub fn at(self, place: impl Into<String>, step: usize, request: String, rule: &str) -> Finding {
        Finding {
            place: place.into(),
            step,
            check: self.check,
            rule: self.rule.unwrap_or_else(|| rule.to_string()),
            request,
            expected: self.expected,
            actual: self.actual,
            because: self.because,
        }
    }
}

/// A failed expectation with its evidence, whichever command found it: where it was, which rule
/// it enforces, what was expected and what came back, and the request that shows it (as a curl
/// command line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Where it was found: a scenario's name, `props case`, `props setup`, `load get-one`.
    pub place: String,
    /// The step of the place, counted from 1; 0 when it has none.
    #[serde(default)]
    pub step: usize,
    /// Which check: `status`, `header ETag`, `schema session-one`, `json /data/id`, …
    pub check: String,
    /// The rule, as `spec §8.3` or `doc-vs-code A25`.
    #[serde(default)]
    pub rule: String,
    /// The request as a curl command line (empty for a clock advance).
    #[serde(default)]
    pub request: String,
    /// What the check wanted to see (empty when read from an older load report, which lacks it).
    #[serde(default)]
    pub expected: String,
    /// What came back; for bodies a short line diff.
    pub actual: String,
    /// The author's reason for the assertion, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
}

impl Finding {
    /// Where it was found: `props case, step 3`, `load get-one`.
    pub fn origin(&self) -> String {
        if self.step == 0 {
            self.place.clone()
        } else {
            format!("{}, step {}", self.place, self.step)
        }
    }
}

/// The finding under its origin, as [`render`] shows it.
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.origin())?;
        f.write_str(render(std::slice::from_ref(self), "  ").trim_end())
    }
}

/// The evidence of findings, every line starting with `indent`: each failed check with what
/// was expected and what came back (and why, when the author said), then the rule and the
/// request — once when they all share them, as the findings of one step do.
pub fn render(findings: &[Finding], indent: &str) -> String {
    let shared = findings
        .windows(2)
        .all(|w| w[0].rule == w[1].rule && w[0].request == w[1].request);
    let mut out = String::new();
    for (i, finding) in findings.iter().enumerate() {
        let _ = writeln!(out, "{indent}{}", finding.check);
        let _ = writeln!(
            out,
            "{indent}  {}",
            labelled("expected:", &finding.expected, indent)
        );
        let _ = writeln!(
            out,
            "{indent}  {}",
            labelled("actual:", &finding.actual, indent)
        );
        if let Some(because) = &finding.because {
            let _ = writeln!(out, "{indent}  because:  {because}");
        }
        if !shared || i + 1 == findings.len() {
            let _ = writeln!(out, "{indent}rule:    {}", finding.rule);
            if !finding.request.is_empty() {
                let _ = writeln!(out, "{indent}request: {}", finding.request);
            }
        }
    }
    out
}

/// `label value` on one line, or, when the value has several lines, the label alone and the
/// value on indented lines below it.
fn labelled(label: &str, text: &str, indent: &str) -> String {
    if !text.contains('\n') {
        return format!("{label:<9} {text}");
    }
    let mut out = label.to_string();
    for line in text.lines() {
        out.push('\n');
        out.push_str(indent);
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

/// What the checks of one step need besides the response.
pub struct Context<'a> {
    /// The profile the target is held to: it decides named statuses and which schema a name means.
    pub profile: Profile,
    /// The scenario of the step: its name places snapshots, its `redact` pointers apply to them.
    pub scenario: &'a Scenario,
    /// The variables so far, for `{{name}}` in expected values.
    pub vars: &'a Vars,
    /// The schemas `schema:` expectations name, compiled once for the run.
    pub schemas: &'a schema::SchemaChecks,
    /// Where snapshots live; `None` when the run compares none.
    pub snapshots: Option<&'a snapshot::Snapshots>,
}

/// A response with its body parsed as JSON once for every check.
pub struct Reply<'a> {
    /// The response as it came back.
    pub response: &'a Response,
    /// The body as JSON, or why it is not JSON.
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
        failures.extend(status::check(
            spec,
            &ctx.profile.rules(),
            reply.response.status,
        ));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(check: &str, actual: &str) -> Finding {
        Failure::new(check, "200", actual).at(
            "kill-now",
            2,
            "curl http://h/v1/sessions/1".into(),
            "spec §8.2",
        )
    }

    #[test]
    fn the_findings_of_one_step_share_their_rule_and_request() {
        let text = render(&[finding("status", "404"), finding("body", "x\ny")], "  ");
        assert_eq!(
            text,
            "  status\n    expected: 200\n    actual:   404\n  body\n    expected: 200\n    actual:\n      x\n      y\n  rule:    spec §8.2\n  request: curl http://h/v1/sessions/1\n"
        );
    }

    #[test]
    fn a_finding_shows_where_it_was_found_and_its_own_rule() {
        let own = Failure::new("killed-came-back", "404", "200")
            .breaking("spec §8.2")
            .at("load get-one", 0, String::new(), "spec §4");
        assert_eq!(
            own.to_string(),
            "load get-one\n  killed-came-back\n    expected: 404\n    actual:   200\n  rule:    spec §8.2"
        );
        assert!(finding("status", "404")
            .to_string()
            .starts_with("kill-now, step 2\n"));
    }
}
