//! Every answer of a load run is judged, from the schemas and the spec only:
//!
//! - the status is one the operation may get: 200 for get-all; 200 or 404 (the session left
//!   meanwhile) for get-one; 2xx or 404 for patch, restart and kill, and for restart also a 400
//!   refusal with an error document (spec §7.1); never a 5xx;
//! - bodies: a 404 and a successful write are empty (spec §4); a get-one body validates against
//!   `session-one`, an error body against `error`; get-all bodies (~2.9 KB per session) are
//!   validated one in `list_sample`, each one read for its ids;
//! - invariants: a killed session never comes back — any request on it sent after its DELETE
//!   was answered (GET one probes them on purpose) is a 404 (spec §8.2), and no list requested
//!   after that contains it.
//!
//! Broken checks are counted by kind, and the first ones kept with their request as curl.
//! A request that got no answer is an error, not a violation: thresholds judge those.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Semaphore;

use super::op::Operation;
use super::population::{list_ids, Population};
use super::report::{Checks, Example};
use crate::profile::Profile;

use crate::schemas::{Schema, SchemaError, SchemaSet};
use crate::target::{curl, Outgoing, Response};

/// How many violations are kept as examples.
const EXAMPLES: usize = 10;

/// The kinds of violation.
pub mod kind {
    /// A 5xx answer.
    pub const SERVER_ERROR: &str = "server-error";
    /// A status the operation may not get.
    pub const STATUS: &str = "status";
    /// A body where there must be none.
    pub const BODY: &str = "body";
    /// A body that breaks its schema or is not JSON.
    pub const SCHEMA: &str = "schema";
    /// A GET one of a killed session did not answer 404.
    pub const KILLED_CAME_BACK: &str = "killed-came-back";
    /// A list requested after a kill was answered contains the killed session.
    pub const KILLED_LISTED: &str = "killed-listed";
}

/// The schemas answers are judged by, compiled once.
pub struct Schemas {
    list: Schema,
    one: Schema,
    error: Schema,
}

impl Schemas {
    /// Compiles `session-list`, `session-one` and `error` for the profile.
    pub fn compile(set: &SchemaSet, profile: Profile) -> Result<Schemas, SchemaError> {
        Ok(Schemas {
            list: set.compile("session-list", profile.name())?,
            one: set.compile("session-one", profile.name())?,
            error: set.compile("error", profile.name())?,
        })
    }
}

/// One request as the judge needs to know it.
pub struct Exchange {
    pub op: Operation,
    pub request: Outgoing,
    /// When it went out.
    pub sent: Instant,
    /// For a request on a session killed before it was sent: when the kill was answered.
    pub killed_at: Option<Instant>,
}

/// The judge of a run, shared by every request.
pub struct Judge {
    schemas: Arc<Schemas>,
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
    examples: Vec<Example>,
}

/// The verdict on one answer.
type Verdict = Result<(), (&'static str, String)>;

impl Judge {
    /// A judge for a run against `base`.
    pub fn new(
        schemas: Schemas,
        population: Arc<Population>,
        wait_for_checker: bool,
        list_sample: u32,
        base: &str,
    ) -> Judge {
        Judge {
            schemas: Arc::new(schemas),
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
        let verdict = match response.status {
            500..=599 => Err((
                kind::SERVER_ERROR,
                format!("answered {}: {}", response.status, response.body_excerpt()),
            )),
            _ if exchange.op == Operation::GetAll => self.list(exchange, response).await,
            _ => self.single(exchange, &response),
        };
        match verdict {
            Ok(()) => false,
            Err((kind, message)) => {
                self.violation(kind, exchange, message);
                true
            }
        }
    }

    /// Judges the answer to an operation on one session.
    fn single(&self, exchange: &Exchange, response: &Response) -> Verdict {
        let status = response.status;
        if let Some(killed_at) = exchange.killed_at {
            if status != 404 {
                return Err((
                    kind::KILLED_CAME_BACK,
                    format!(
                        "answered {status} for a session whose kill was answered {:.3} s before \
                         this request (spec §8.2: 404)",
                        exchange.sent.duration_since(killed_at).as_secs_f64()
                    ),
                ));
            }
        }
        match (exchange.op, status) {
            (Operation::GetOne, 200) => self.validate(&self.schemas.one, "session-one", response),
            (Operation::Restart, 400) => self.validate(&self.schemas.error, "error", response),
            (_, 404) => empty(response, "a 404 of a session (spec §4.2)"),
            (Operation::Patch | Operation::Restart | Operation::Kill, 200..=299) => {
                empty(response, "a successful write (spec §4)")
            }
            (op, status) => Err((
                kind::STATUS,
                format!(
                    "answered {status}: {} (expected {})",
                    response.body_excerpt(),
                    expected(op)
                ),
            )),
        }
    }

    /// Validates a JSON body against a schema.
    fn validate(&self, schema: &Schema, name: &str, response: &Response) -> Verdict {
        self.bodies_validated.fetch_add(1, Ordering::Relaxed);
        let document: serde_json::Value = serde_json::from_slice(&response.body).map_err(|e| {
            (
                kind::SCHEMA,
                format!("the body is not JSON ({e}), expected {name}"),
            )
        })?;
        match schema.violations(&document).first() {
            None => Ok(()),
            Some(first) => Err((
                kind::SCHEMA,
                format!("the body breaks {}: {first}", schema.path()),
            )),
        }
    }

    /// Judges a get-all answer: status, then (checker permitting) ids and a sampled schema.
    async fn list(&self, exchange: &Exchange, response: Response) -> Verdict {
        if response.status != 200 {
            return Err((
                kind::STATUS,
                format!(
                    "answered {}: {} (expected 200)",
                    response.status,
                    response.body_excerpt()
                ),
            ));
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
        let body = response.body;
        let read = tokio::task::spawn_blocking(move || {
            let ids = list_ids(&body);
            let schema = validate.then(|| {
                serde_json::from_slice::<serde_json::Value>(&body)
                    .map(|doc| schemas.list.violations(&doc).into_iter().next())
            });
            (ids, schema)
        })
        .await;
        let Ok((ids, schema)) = read else {
            return Ok(());
        };
        if let Some(result) = schema {
            self.lists_validated.fetch_add(1, Ordering::Relaxed);
            match result {
                Err(e) => return Err((kind::SCHEMA, format!("the body is not JSON ({e})"))),
                Ok(Some(first)) => {
                    return Err((
                        kind::SCHEMA,
                        format!("the body breaks {}: {first}", self.schemas.list.path()),
                    ))
                }
                Ok(None) => {}
            }
        }
        let ids = ids.map_err(|e| (kind::SCHEMA, e))?;
        self.lists_id_checked.fetch_add(1, Ordering::Relaxed);
        let back = self.population.killed_before(&ids, exchange.sent);
        match back.first() {
            None => Ok(()),
            Some((id, at)) => Err((
                kind::KILLED_LISTED,
                format!(
                    "lists {} killed session(s), such as {id}, whose kill was answered {:.3} s \
                     before this request (spec §8.2)",
                    back.len(),
                    exchange.sent.duration_since(*at).as_secs_f64()
                ),
            )),
        }
    }

    fn violation(&self, kind: &str, exchange: &Exchange, message: String) {
        let mut v = self.violations.lock().unwrap_or_else(|e| e.into_inner());
        *v.counts.entry(kind.to_string()).or_default() += 1;
        if v.examples.len() < EXAMPLES {
            v.examples.push(Example {
                kind: kind.to_string(),
                operation: exchange.op.name().to_string(),
                message,
                curl: curl(&exchange.request, &self.base),
            });
        }
    }

    /// What was checked, and the violations with their examples.
    pub fn finish(&self) -> (Checks, BTreeMap<String, u64>, Vec<Example>) {
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
fn empty(response: &Response, what: &str) -> Verdict {
    if response.body.is_empty() {
        Ok(())
    } else {
        Err((
            kind::BODY,
            format!(
                "answered {} with a body where {what} has none: {}",
                response.status,
                response.body_excerpt()
            ),
        ))
    }
}

/// The statuses an operation may get, for messages.
fn expected(op: Operation) -> &'static str {
    match op {
        Operation::GetAll => "200",
        Operation::GetOne => "200, or 404 for a session gone",
        Operation::Restart => "2xx, 400 refused, or 404 for a session gone",
        Operation::Patch | Operation::Kill => "2xx, or 404 for a session gone",
    }
}
