//! Runs one scenario against a target: its steps in order, with captures, polling and clock
//! advances. A scenario stops at its first failed step (later steps build on earlier ones) and
//! reports every expectation of that step that failed.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::check::schema::SchemaChecks;
use crate::check::snapshot::Snapshots;
use crate::check::{self, Context, Failure, Reply};
use crate::outcome::{ScenarioOutcome, StepKind, StepOutcome, Verdict};
use crate::request::{credentials, prepare};
use crate::scenario::model::{ClientStatement, Extract, Requirement, Scenario, SessionStep, Step};
use crate::scenario::ScenarioFile;
use crate::setup::Connection;
use crate::source::{Action, Clock, Source};
use crate::target::{curl, Outgoing, Response};
use crate::vars::{as_text, VarError, Vars};

/// Everything the steps of a run share.
pub struct Env<'a> {
    /// The reached target, with its session source and profile.
    pub connection: &'a Connection,
    /// The schemas `schema:` expectations name, compiled once for the run.
    pub schemas: &'a SchemaChecks,
    /// Where snapshots live; `None` when the run compares none.
    pub snapshots: Option<&'a Snapshots>,
}

/// Runs a scenario: skipped when the target lacks a requirement; otherwise, on a target with
/// the control API, from a freshly reset simulation.
pub async fn run(file: &ScenarioFile, env: &Env<'_>) -> ScenarioOutcome {
    let started = Instant::now();
    let scenario = &file.scenario;
    let mut outcome = ScenarioOutcome {
        name: scenario.name.clone(),
        origin: file.origin.clone(),
        rules: scenario.rules.clone(),
        verdict: Verdict::Passed,
        steps: Vec::new(),
        duration: Duration::ZERO,
    };
    let refused = missing_requirement(scenario, env.connection)
        .or_else(|| refused_step(scenario, &env.connection.source));
    if let Some(reason) = refused {
        outcome.verdict = Verdict::Skipped { reason };
        return outcome;
    }
    let mut runner = StepRunner {
        scenario,
        env,
        vars: Vars::new(env.connection.target.host()),
    };
    if let Some(failed_reset) = runner.reset().await {
        outcome.steps.push(failed_reset);
    } else {
        for (index, step) in scenario.steps.iter().enumerate() {
            let result = runner.step(index + 1, &step.value).await;
            let failed = !result.passed();
            outcome.steps.push(result);
            if failed {
                break;
            }
        }
    }
    if outcome.steps.iter().any(|step| !step.passed()) {
        let deviation = scenario
            .known_deviations
            .iter()
            .find(|d| d.profile == env.connection.profile.name());
        outcome.verdict = match deviation {
            Some(d) => Verdict::KnownDeviation {
                rule: d.rule.clone(),
            },
            None => Verdict::Failed,
        };
    }
    outcome.duration = started.elapsed();
    outcome
}

/// Why a scenario cannot run on this target, if it cannot.
fn missing_requirement(scenario: &Scenario, connection: &Connection) -> Option<String> {
    let source = &connection.source;
    scenario.requires.iter().find_map(|req| match req {
        Requirement::Sessions if !source.opens_sessions() => {
            Some("needs a session source that opens sessions, which the target lacks".into())
        }
        Requirement::Control if source.control().is_none() => Some(
            "needs the simulator's control API (/_sim/), which the target does not offer".into(),
        ),
        Requirement::BasicAccount if connection.target.accounts().basic.is_none() => {
            Some("needs a read-only account: give --basic-user and --basic-password".into())
        }
        _ => None,
    })
}

/// Why the session source cannot do one of the scenario's steps, if it cannot: every
/// `session:` step by its kind and open options (ids may be variables and are not expanded),
/// and every `control:` call its sessions cannot stand.
fn refused_step(scenario: &Scenario, source: &Source) -> Option<String> {
    scenario.steps.iter().enumerate().find_map(|(index, step)| {
        let step = &step.value;
        let reason = match (&step.session, &step.control) {
            (Some(session), _) => source.refuses(&shape(session)),
            (None, Some(control)) => source.refuses_control(&control.method, &control.path),
            (None, None) => None,
        }?;
        Some(format!(
            "step {}: the session source ({}) {reason}",
            index + 1,
            source.describe()
        ))
    })
}

/// The action of a session step with its ids and statement as written (variables unexpanded).
fn shape(session: &SessionStep) -> Action {
    match session {
        SessionStep::Reset => Action::Reset,
        SessionStep::Open(open) => Action::Open(open.clone()),
        SessionStep::Query(c) => Action::Query {
            id: c.id.clone(),
            statement: c.statement.clone(),
        },
        SessionStep::Busy(c) => Action::Busy {
            id: c.id.clone(),
            statement: c.statement.clone(),
        },
        SessionStep::Idle(c) => Action::Idle { id: c.id.clone() },
        SessionStep::Close(c) => Action::Close { id: c.id.clone() },
    }
}

struct StepRunner<'a> {
    scenario: &'a Scenario,
    env: &'a Env<'a>,
    vars: Vars,
}

/// What a step did, before its failures become findings.
struct Done {
    number: usize,
    /// The step's own rule, if it names one.
    rule: Option<String>,
    kind: StepKind,
    label: String,
    tries: u32,
    /// The curl command line of its request.
    request: String,
}

impl StepRunner<'_> {
    /// Puts the session source back into its initial state, so every scenario starts from the
    /// same one; a failed reset is step 0's finding.
    async fn reset(&self) -> Option<StepOutcome> {
        let error = self.env.connection.source.act(&Action::Reset).await.err()?;
        let done = Done {
            number: 0,
            rule: None,
            kind: StepKind::Session,
            label: "session reset".into(),
            tries: 1,
            request: error.evidence.clone(),
        };
        let failure = Failure::new("reset", error.expected, error.actual);
        Some(self.outcome(done, vec![failure]))
    }

    async fn step(&mut self, number: usize, step: &Step) -> StepOutcome {
        let mut done = Done {
            number,
            rule: step.rule.clone(),
            kind: StepKind::Advance,
            label: String::new(),
            tries: 1,
            request: String::new(),
        };
        if let Some(session) = &step.session {
            done.kind = StepKind::Session;
            return self.session(done, step, session).await;
        }
        let (request, kind) = match (&step.request, &step.control, step.advance) {
            (Some(request), _, _) => (request, StepKind::Request),
            (None, Some(control), _) => (control, StepKind::Control),
            (None, None, seconds) => {
                let seconds = seconds.unwrap_or_default();
                let action = Action::Advance(Duration::from_secs_f64(seconds));
                done.label = action.label();
                let failures = match self.env.connection.source.act(&action).await {
                    Ok(_) => Vec::new(),
                    Err(error) => {
                        done.request = error.evidence;
                        vec![Failure::new("advance", error.expected, error.actual)]
                    }
                };
                return self.outcome(done, failures);
            }
        };
        done.kind = kind;
        // Control calls need no credentials (and must not depend on the accounts).
        let credentials = match kind {
            StepKind::Request => credentials(self.env.connection.target.accounts(), request.auth),
            _ => None,
        };
        let prefix = if kind == StepKind::Control {
            "control "
        } else {
            ""
        };
        let out = match prepare(request, &self.vars, credentials) {
            Ok(out) => out,
            Err(error) => {
                done.label = format!("{prefix}{} {}", request.method, request.path);
                let failure =
                    Failure::new("variables", "every variable defined", error.to_string());
                return self.outcome(done, vec![failure]);
            }
        };
        done.label = format!("{prefix}{} {}", out.method, out.path);
        done.request = curl(&out, self.env.connection.target.base());
        let (tries, failures) = self.exchange(step, kind, &out).await;
        done.tries = tries;
        self.outcome(done, failures)
    }

    /// A `session:` step: the action through the session source, then its captures.
    async fn session(&mut self, mut done: Done, step: &Step, session: &SessionStep) -> StepOutcome {
        let action = match self.action(session) {
            Ok(action) => action,
            Err(error) => {
                done.label = "session".into();
                let failure =
                    Failure::new("variables", "every variable defined", error.to_string());
                return self.outcome(done, vec![failure]);
            }
        };
        done.label = format!("session {}", action.label());
        let result = match self.env.connection.source.act(&action).await {
            Ok(result) => result,
            Err(error) => {
                done.request = error.evidence;
                let failure = Failure::new("session", error.expected, error.actual);
                return self.outcome(done, vec![failure]);
            }
        };
        done.request = result.evidence.clone();
        if result.gone && !matches!(action, Action::Close { .. }) {
            let failure = Failure::new("session", "the client's session to exist", "it is gone");
            return self.outcome(done, vec![failure]);
        }
        let answer = Response {
            status: 200,
            headers: Vec::new(),
            body: result.as_json().to_string().into_bytes(),
        };
        let reply = Reply::new(&answer);
        let mut failures = Vec::new();
        for (name, extract) in &step.capture {
            match capture(extract, &reply) {
                Ok(value) => self.vars.set(name, value),
                Err(failure) => failures.push(failure),
            }
        }
        self.outcome(done, failures)
    }

    /// The source's action for a session step, variables expanded.
    fn action(&self, session: &SessionStep) -> Result<Action, VarError> {
        let expand = |text: &str| self.vars.expand(text);
        let statement = |c: &ClientStatement| c.statement.as_deref().map(expand).transpose();
        Ok(match session {
            SessionStep::Reset => Action::Reset,
            SessionStep::Open(open) => Action::Open(open.clone()),
            SessionStep::Query(c) => Action::Query {
                id: expand(&c.id)?,
                statement: statement(c)?,
            },
            SessionStep::Busy(c) => Action::Busy {
                id: expand(&c.id)?,
                statement: statement(c)?,
            },
            SessionStep::Idle(c) => Action::Idle { id: expand(&c.id)? },
            SessionStep::Close(c) => Action::Close { id: expand(&c.id)? },
        })
    }

    /// Sends the request and judges the answer; with `poll`, again until the expectations hold
    /// or the deadline passes. Returns the number of tries and the last try's failures.
    async fn exchange(
        &mut self,
        step: &Step,
        kind: StepKind,
        out: &Outgoing,
    ) -> (u32, Vec<Failure>) {
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut tries = 0;
        loop {
            tries += 1;
            let sent = match kind {
                StepKind::Control => match self.env.connection.source.control() {
                    Some(api) => api.send(out).await,
                    None => Err("the target has no control API".into()),
                },
                _ => self.env.connection.target.send(out).await,
            };
            let failures = match sent {
                Ok(response) => self.judge(step, kind, &response),
                Err(error) => vec![Failure::new("response", "an HTTP response", error)],
            };
            let Some(poll) = step.poll.as_ref().filter(|_| !failures.is_empty()) else {
                return (tries, failures);
            };
            // The deadline is in the target's time: virtual seconds advanced, or real ones.
            let interval = Duration::from_secs_f64(poll.interval);
            let elapsed = match self.env.connection.source.clock() {
                Clock::Virtual => waited,
                Clock::Real => started.elapsed(),
            };
            if elapsed + interval > Duration::from_secs_f64(poll.deadline) {
                return (tries, failures);
            }
            let advance = Action::Advance(interval);
            if let Err(error) = self.env.connection.source.act(&advance).await {
                let failure = Failure::new("poll", "the clock to move between tries", error.actual);
                return (tries, vec![failure]);
            }
            waited += interval;
        }
    }

    /// Checks a response against the step's expectations; when they hold, takes its captures.
    fn judge(&mut self, step: &Step, kind: StepKind, response: &Response) -> Vec<Failure> {
        let reply = Reply::new(response);
        let mut failures = Vec::new();
        if kind == StepKind::Control && !(200..300).contains(&response.status) {
            failures.push(Failure::new(
                "control",
                "a 2xx answer",
                format!("{}: {}", response.status, response.body_excerpt()),
            ));
        }
        let ctx = Context {
            profile: self.env.connection.profile,
            scenario: self.scenario,
            vars: &self.vars,
            schemas: self.env.schemas,
            snapshots: self.env.snapshots,
        };
        failures.extend(check::evaluate(&step.expect, &reply, &ctx));
        if failures.is_empty() {
            for (name, extract) in &step.capture {
                match capture(extract, &reply) {
                    Ok(value) => self.vars.set(name, value),
                    Err(failure) => failures.push(failure),
                }
            }
        }
        failures
    }

    /// A step's outcome; its findings name the step's own rule, else the scenario's rules.
    fn outcome(&self, done: Done, failures: Vec<Failure>) -> StepOutcome {
        let rule = done.rule.unwrap_or_else(|| self.scenario.rules.join(", "));
        StepOutcome {
            number: done.number,
            kind: done.kind,
            tries: done.tries,
            findings: failures
                .into_iter()
                .map(|f| {
                    f.at(
                        self.scenario.name.as_str(),
                        done.number,
                        done.request.clone(),
                        &rule,
                    )
                })
                .collect(),
            label: done.label,
        }
    }
}

/// The value a capture takes from a response.
fn capture(extract: &Extract, reply: &Reply<'_>) -> Result<Value, Failure> {
    if let Some(header) = &extract.header {
        return reply
            .response
            .header(header)
            .map(Value::String)
            .ok_or_else(|| {
                Failure::new(format!("capture header {header}"), "the header", "(absent)")
            });
    }
    let pointer = extract.pointer.as_deref().unwrap_or_default();
    let check = format!("capture {pointer}");
    match &reply.json {
        Ok(doc) => doc.pointer(pointer).cloned().ok_or_else(|| {
            Failure::new(
                check,
                "a value there",
                format!(
                    "nothing there in {}",
                    as_text(doc).chars().take(200).collect::<String>()
                ),
            )
        }),
        Err(why) => Err(Failure::new(check, "a JSON body", why.clone())),
    }
}
