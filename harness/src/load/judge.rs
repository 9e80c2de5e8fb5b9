//! Every answer of a load run is judged through [`check`](crate::check), from the schemas, the
//! spec and the profile table ([`Rules`]) only:
//!
//! - the status is one the operation may get: 200 for get-all; 200 or 404 (the session left
//!   meanwhile) for get-one; the profile's write success (200 in 24.02, 204 as documented,
//!   doc-vs-code A1–A4) or 404 for patch, restart and kill, and for restart also a 400 refusal
//!   with an error document (spec §7.1); never a 5xx (spec §1);
//! - bodies: a 404 and a successful write are empty (spec §4); a get-one body validates against
//!   `session-one`, an error body against `error`; get-all bodies (~2.9 KB per session) are
//!   validated one in `list_sample`, each one read for its ids. The schemas are compiled once,
//!   before the first request ([`SchemaChecks`]);
//! - invariants: a killed session never comes back — any request on it sent after its DELETE
//!   was answered (GET one probes them on purpose) is a 404 (spec §8.2), and no list requested
//!   after that contains it.
//!
//! Broken checks are counted by check name (`status`, `body`, `schema session-one`,
//! `killed-came-back`, …), and the first ones kept as [`Finding`]s placed at `load OPERATION`
//! with their request as curl. A request that got no answer is an error, not a violation:
//! thresholds judge those.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Semaphore;

use super::op::Operation;
use super::population::{list_ids, Population};
use super::report::Checks;
use crate::check::schema::SchemaChecks;
use crate::check::{body, status, Failure, Finding, Reply};
use crate::profile::{Profile, Rules};
use crate::scenario::model::BodySpec;
use crate::schemas::{SchemaError, SchemaSet};
use crate::target::{curl, Outgoing, Response};

/// How many violations are kept as examples.
const EXAMPLES: usize = 10;

/// The names of the checks only the load judge makes; the others are [`check`](crate::check)'s
/// (`status`, `server-error`, `body`, `schema NAME`).
pub mod kind {
    /// A status the operation may not get.
    pub const STATUS: &str = "status";
    /// A GET one of a killed session did not answer 404.
    pub const KILLED_CAME_BACK: &str = "killed-came-back";
    /// A list requested after a kill was answered contains the killed session.
    pub const KILLED_LISTED: &str = "killed-listed";
}

/// The schemas answers are judged by.
const SCHEMAS: [&str; 3] = ["session-list", "session-one", "error"];

/// The schemas answers are judged by, compiled once for the run.
pub struct Schemas(SchemaChecks);

impl Schemas {
    /// Compiles `session-list`, `session-one` and `error` for the profile.
    pub fn compile(set: &SchemaSet, profile: Profile) -> Result<Schemas, SchemaError> {
        SchemaChecks::compile(set, profile, SCHEMAS).map(Schemas)
    }
}

/// One request as the judge needs to know it.
pub struct Exchange {
    /// The operation the request performs.
    pub op: Operation,
    /// The request as it went on the wire.
    pub request: Outgoing,
    /// When it went out.
    pub sent: Instant,
    /// For a request on a session killed before it was sent: when the kill was answered.
    pub killed_at: Option<Instant>,
}

/// The judge of a run, shared by every request.
pub struct Judge {
    schemas: Arc<SchemaChecks>,
    rules: Rules,
    population: Arc<Population>,
    /// One list body is read at a time; a list that finds the checker busy waits in the closed
    /// model and goes unchecked in the open one (whose timetable must not wait for the harness).
    list_checker: Semaphore,
    wait_for_checker: bool,
    list_sample: u32,
    base: String,
    lists: AtomicU64,
    lists_validated: AtomicU64,
    lists_id_checked: AtomicU64,
    bodies_validated: AtomicU64,
    killed_probes: AtomicU64,
    violations: Mutex<Violations>,
}

#[derive(Default)]
struct Violations {
    counts: BTreeMap<String, u64>,
    examples: Vec<Finding>,
}

/// The verdict on one answer.
type Verdict = Result<(), Failure>;

impl Judge {
    /// A judge for a run against `base`, holding answers to the profile's `rules`.
    pub fn new(
        schemas: Schemas,
        rules: Rules,
        population: Arc<Population>,
        wait_for_checker: bool,
        list_sample: u32,
        base: &str,
    ) -> Judge {
        Judge {
            schemas: Arc::new(schemas.0),
            rules,
            population,
            list_checker: Semaphore::new(1),
            wait_for_checker,
            list_sample,
            base: base.to_string(),
            lists: AtomicU64::new(0),
            lists_validated: AtomicU64::new(0),
            lists_id_checked: AtomicU64::new(0),
            bodies_validated: AtomicU64::new(0),
            killed_probes: AtomicU64::new(0),
            violations: Mutex::new(Violations::default()),
        }
    }

    /// Judges an answer; `true` when the request failed (no answer, or a broken check).
    pub async fn judge(&self, exchange: &Exchange, answer: Result<Response, String>) -> bool {
        let Ok(response) = answer else {
            return true;
        };
        if exchange.killed_at.is_some() {
            self.killed_probes.fetch_add(1, Ordering::Relaxed);
        }
        let verdict = match status::no_server_error(&response) {
            Some(failure) => Err(failure.breaking("spec §1")),
            None if exchange.op == Operation::GetAll => self.list(exchange, response).await,
            None => self.single(exchange, &response),
        };
        match verdict {
            Ok(()) => false,
            Err(failure) => {
                self.violation(exchange, failure);
                true
            }
        }
    }

    /// Judges the answer to an operation on one session.
    fn single(&self, exchange: &Exchange, response: &Response) -> Verdict {
        let status = response.status;
        if let Some(killed_at) = exchange.killed_at {
            if status != 404 {
                return Err(Failure::new(
                    kind::KILLED_CAME_BACK,
                    "404: the session was killed",
                    format!(
                        "answered {status} for a session whose kill was answered {:.3} s before \
                         this request",
                        exchange.sent.duration_since(killed_at).as_secs_f64()
                    ),
                )
                .breaking("spec §8.2"));
            }
        }
        let op = exchange.op;
        match (op, status) {
            (Operation::GetOne, 200) => self.validate("session-one", response, "spec §4.2, §5"),
            (Operation::Restart, 400) => self.validate("error", response, "spec §7.1, §10.15"),
            (_, 404) => empty(response, "spec §4.2"),
            (Operation::Patch | Operation::Restart | Operation::Kill, _)
                if status == self.rules.write_success =>
            {
                empty(response, "spec §4, doc-vs-code A1–A4")
            }
            _ => Err(Failure::new(
                kind::STATUS,
                expected(op, &self.rules),
                status::answered(response),
            )
            .breaking(rule(op))),
        }
    }

    /// Validates a JSON body against a schema compiled for the run.
    fn validate(&self, schema: &str, response: &Response, rule: &str) -> Verdict {
        self.bodies_validated.fetch_add(1, Ordering::Relaxed);
        match self.schemas.check(schema, &Reply::new(response)) {
            None => Ok(()),
            Some(failure) => Err(failure.breaking(rule)),
        }
    }

    /// Judges a get-all answer: status, then (checker permitting) ids and a sampled schema.
    async fn list(&self, exchange: &Exchange, response: Response) -> Verdict {
        if let Some(failure) = status::one_of(&[200], &response) {
            return Err(failure.breaking(rule(Operation::GetAll)));
        }
        let seen = self.lists.fetch_add(1, Ordering::Relaxed);
        let permit = if self.wait_for_checker {
            self.list_checker.acquire().await.ok()
        } else {
            self.list_checker.try_acquire().ok()
        };
        if permit.is_none() {
            return Ok(());
        }
        let validate = seen.is_multiple_of(u64::from(self.list_sample));
        let schemas = Arc::clone(&self.schemas);
        let read = tokio::task::spawn_blocking(move || {
            let ids = list_ids(&response.body);
            let schema = validate.then(|| schemas.check("session-list", &Reply::new(&response)));
            (ids, schema)
        })
        .await;
        let Ok((ids, schema)) = read else {
            return Ok(());
        };
        if let Some(result) = schema {
            self.lists_validated.fetch_add(1, Ordering::Relaxed);
            if let Some(failure) = result {
                return Err(failure.breaking("spec §4.1, §5"));
            }
        }
        let ids = ids.map_err(|e| {
            Failure::new("schema session-list", "a list of sessions with ids", e)
                .breaking("spec §4.1, §5")
        })?;
        self.lists_id_checked.fetch_add(1, Ordering::Relaxed);
        let back = self.population.killed_before(&ids, exchange.sent);
        match back.first() {
            None => Ok(()),
            Some((id, at)) => Err(Failure::new(
                kind::KILLED_LISTED,
                "no killed session listed",
                format!(
                    "lists {} killed session(s), such as {id}, whose kill was answered {:.3} s \
                     before this request",
                    back.len(),
                    exchange.sent.duration_since(*at).as_secs_f64()
                ),
            )
            .breaking("spec §8.2")),
        }
    }

    fn violation(&self, exchange: &Exchange, failure: Failure) {
        let mut v = self.violations.lock().unwrap_or_else(|e| e.into_inner());
        *v.counts.entry(failure.check.clone()).or_default() += 1;
        if v.examples.len() < EXAMPLES {
            let place = format!("load {}", exchange.op.name());
            let request = curl(&exchange.request, &self.base);
            v.examples.push(failure.at(place, 0, request, "spec §4"));
        }
    }

    /// What was checked, and the violations with their examples.
    pub fn finish(&self) -> (Checks, BTreeMap<String, u64>, Vec<Finding>) {
        let checks = Checks {
            list_sample: self.list_sample,
            lists: self.lists.load(Ordering::Relaxed),
            lists_validated: self.lists_validated.load(Ordering::Relaxed),
            lists_id_checked: self.lists_id_checked.load(Ordering::Relaxed),
            bodies_validated: self.bodies_validated.load(Ordering::Relaxed),
            killed_probes: self.killed_probes.load(Ordering::Relaxed),
        };
        let v = self.violations.lock().unwrap_or_else(|e| e.into_inner());
        (checks, v.counts.clone(), v.examples.clone())
    }

    /// Violations so far, for the progress bar.
    pub fn violation_count(&self) -> u64 {
        let v = self.violations.lock().unwrap_or_else(|e| e.into_inner());
        v.counts.values().sum()
    }
}

/// The body must be empty.
fn empty(response: &Response, rule: &str) -> Verdict {
    match body::check(BodySpec::Empty, &Reply::new(response)) {
        None => Ok(()),
        Some(failure) => Err(failure.breaking(rule)),
    }
}

/// The statuses an operation may get, for messages.
fn expected(op: Operation, rules: &Rules) -> String {
    let success = rules.write_success;
    match op {
        Operation::GetAll => "200".to_string(),
        Operation::GetOne => "200, or 404 for a session gone".to_string(),
        Operation::Restart => {
            format!("{success} (write-success), 400 refused, or 404 for a session gone")
        }
        Operation::Patch | Operation::Kill => {
            format!("{success} (write-success), or 404 for a session gone")
        }
    }
}

/// The rule an operation's status follows.
fn rule(op: Operation) -> &'static str {
    match op {
        Operation::GetAll => "spec §4.1",
        Operation::GetOne => "spec §4.2",
        Operation::Patch => "spec §4.3, doc-vs-code A1",
        Operation::Restart => "spec §4.5, §7.1, doc-vs-code A2",
        Operation::Kill => "spec §4.7, doc-vs-code A4",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(profile: Profile) -> Judge {
        let schemas = Schemas::compile(&SchemaSet::embedded(), profile).unwrap();
        let population = Arc::new(Population::default());
        Judge::new(schemas, profile.rules(), population, true, 1, "http://h")
    }

    fn exchange(op: Operation, killed_at: Option<Instant>) -> Exchange {
        Exchange {
            op,
            request: Outgoing {
                method: "DELETE".into(),
                path: "/v1/sessions/1".into(),
                headers: Vec::new(),
                body: None,
                credentials: None,
            },
            sent: Instant::now(),
            killed_at,
        }
    }

    fn response(status: u16, body: &str) -> Result<Response, String> {
        Ok(Response {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        })
    }

    #[tokio::test]
    async fn a_write_succeeds_with_the_status_of_the_profile_table() {
        // doc-vs-code A1–A4: 200 in 24.02, 204 as documented.
        let kill = exchange(Operation::Kill, None);
        let maxscale = judge(Profile::Maxscale2402);
        assert!(!maxscale.judge(&kill, response(200, "")).await);
        assert!(maxscale.judge(&kill, response(204, "")).await);
        let (_, counts, examples) = maxscale.finish();
        assert_eq!(counts, BTreeMap::from([("status".to_string(), 1)]));
        let finding = &examples[0];
        assert_eq!(finding.place, "load kill");
        assert_eq!(finding.actual, "204");
        assert!(finding.expected.starts_with("200 (write-success)"));
        assert_eq!(finding.rule, "spec §4.7, doc-vs-code A4");
        assert_eq!(finding.request, "curl -X DELETE http://h/v1/sessions/1");

        let documented = judge(Profile::Documented);
        assert!(!documented.judge(&kill, response(204, "")).await);
        assert!(documented.judge(&kill, response(200, "")).await);
    }

    #[tokio::test]
    async fn bodies_schemas_and_kills_are_judged_through_check() {
        let j = judge(Profile::Maxscale2402);
        // spec §4.2: a 404 of a session has no body.
        let get = exchange(Operation::GetOne, None);
        assert!(j.judge(&get, response(404, "{}")).await);
        // spec §4.2, §5: a session document validates against session-one.
        assert!(j.judge(&get, response(200, "{}")).await);
        // spec §1: never a 5xx.
        assert!(j.judge(&get, response(503, "")).await);
        // spec §8.2: a killed session does not come back.
        let probe = exchange(Operation::GetOne, Some(Instant::now()));
        assert!(!j.judge(&probe, response(404, "")).await);
        assert!(j.judge(&probe, response(200, "{}")).await);
        let (checks, counts, _) = j.finish();
        let names: Vec<&str> = counts.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "body",
                "killed-came-back",
                "schema session-one",
                "server-error"
            ]
        );
        assert_eq!((checks.bodies_validated, checks.killed_probes), (1, 2));
    }
}
