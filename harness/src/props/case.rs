//! One case against the target: set up a population through the session source, apply each
//! transition, and after every step compare the target with the [model](super::model) by the
//! [postconditions](super::post). This file is the transport and the dispatch: it sends, keeps
//! the time, and places what a postcondition finds as a [`Finding`] of its step. Every request
//! is kept as a curl command line for the report.

use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::context::Context;
use super::model::{Answer, Life, Model, Window};
use super::post::{self, find, Post};
use super::transition::{self, BodyForm, Fields, Slot, Transition};
use crate::check::{status, Failure, Finding};
use crate::source::{Action, Done, Open};
use crate::target::curl;
use crate::target::{Outgoing, Response};

/// Real clock only: how long a session killed at once may stay in the list (spec §8.2: 24.02
/// drops it before its next request is served, "harnesses should still poll with a short
/// deadline").
const LIST_GRACE: Duration = Duration::from_millis(500);

/// Real clock only: how often the list is polled meanwhile.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// A request a step made, as the report prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The step, counted from 1; 0 is the setup.
    pub step: usize,
    /// A curl command line, or `sleep S` for time passing on a real clock.
    pub text: String,
}

/// A request with its answer and when it happened.
struct Exchange {
    out: Outgoing,
    response: Response,
    at: Window,
}

/// A case in progress: the system under test of the state machine test.
pub struct Case {
    ctx: Rc<Context>,
    model: Model,
    /// When the case started, for a real clock's windows.
    started: Instant,
    /// The virtual clock's advance since the case started, in ms.
    virtual_ms: u64,
    step: usize,
    lines: Vec<Line>,
}

/// A step's verdict; the finding is boxed, it is large and rare.
type Checked<T = ()> = Result<T, Box<Finding>>;

impl Case {
    /// Resets the target, makes sure it lists no session, creates `sessions` sessions and reads
    /// their first documents into the model.
    pub fn start(ctx: Rc<Context>, sessions: usize) -> Checked<Case> {
        let model = Model::new(ctx.rules, ctx.filters.clone(), ctx.real_clock());
        let mut case = Case {
            ctx,
            model,
            started: Instant::now(),
            virtual_ms: 0,
            step: 0,
            lines: Vec::new(),
        };
        case.act(Action::Reset)?;
        let ex = case.send(case.rest("GET", "/v1/sessions".into(), None), false)?;
        let document = case.document(&ex, "session-list", "spec §4.1")?;
        case.holds(&ex, post::none_listed(&document))?;
        let open = Action::Open(Open {
            count: u32::try_from(sessions).expect("a case has a handful of sessions"),
            ..Open::default()
        });
        let (done, _) = case.act(open)?;
        let ids = done
            .ids
            .iter()
            .map(|id| id.parse::<u64>())
            .collect::<Result<Vec<u64>, _>>()
            .map_err(|_| {
                let failure = Failure::new("session ids", "decimal numbers", done.ids.join(", "));
                Box::new(failure.at(case.place(), 0, done.evidence.clone(), "spec §3.2"))
            })?;
        let ex = case.send(case.rest("GET", "/v1/sessions".into(), None), false)?;
        let document = case.document(&ex, "session-list", "spec §4.1")?;
        let adopted = post::adopt(&mut case.model, &document, &ids);
        case.holds(&ex, adopted)?;
        case.started = Instant::now();
        Ok(case)
    }

    /// The requests made so far.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Applies one transition and checks the target against the model afterwards.
    pub fn step(&mut self, transition: &Transition) -> Checked {
        self.step += 1;
        match transition {
            Transition::Patch {
                session,
                form,
                parameters,
                filters,
            } => {
                let body =
                    transition::patch_body(*form, parameters, filters.as_ref(), &self.ctx.filters);
                let path = format!("/v1/sessions/{}", self.id(*session));
                let ex = self.send(self.rest("PATCH", path, Some(body)), true)?;
                if self.addressed(*session, &ex, "spec §4.3")? {
                    // spec §6.2: the documented form is read only where the profile reads it.
                    let read = match form {
                        BodyForm::Relationships => filters.as_ref(),
                        BodyForm::NestedInAttributes => filters
                            .as_ref()
                            .filter(|_| self.model.rules.nested_relationships),
                    };
                    let answer = self.model.patch(*session, parameters, read);
                    self.expect_answer(&ex, &answer, "spec §4.3, §6")?;
                }
            }
            Transition::PatchFilters { session, filters } => {
                let body = json!({ "data": filters.to_json(&self.ctx.filters) });
                let path = format!("/v1/sessions/{}/relationships/filters", self.id(*session));
                let ex = self.send(self.rest("PATCH", path, Some(body)), true)?;
                if self.addressed(*session, &ex, "spec §4.4")? {
                    let answer = self.model.patch_filters(*session, filters);
                    self.expect_answer(&ex, &answer, "spec §4.4, §6.3")?;
                }
            }
            Transition::Restart { session } => {
                let path = format!("/v1/sessions/{}/restart", self.id(*session));
                let ex = self.send(self.rest("POST", path, None), true)?;
                if self.addressed(*session, &ex, "spec §4.5")? {
                    self.model.restart(*session);
                    self.expect_answer(&ex, &Answer::Done, "spec §4.5, §7.1")?;
                }
            }
            Transition::RestartAll => {
                let ex = self.send(self.rest("POST", "/v1/sessions/restart".into(), None), true)?;
                self.model.restart_all();
                self.expect_answer(&ex, &Answer::Done, "spec §4.6, §7.4")?;
            }
            Transition::Delete { session, ttl } => self.delete(*session, ttl.as_deref())?,
            Transition::GetOne { session, fields } => self.get_one(*session, *fields)?,
            Transition::GetAll {
                fields,
                filter,
                page,
            } => {
                let ids: Vec<u64> = self.model.sessions.iter().map(|s| s.id).collect();
                let expression = filter.and_then(|f| f.expression(&ids, &self.ctx.filters));
                // A filter naming a filter the target lacks is left out, and with it its rows.
                let filter = filter.filter(|_| expression.is_some());
                let query = transition::list_query(*fields, expression.as_deref(), *page);
                let path = query.map_or("/v1/sessions".into(), |q| format!("/v1/sessions?{q}"));
                let ex = self.send(self.rest("GET", path, None), true)?;
                self.check_list(&ex, *fields, filter.as_ref(), *page)?;
            }
            Transition::Busy { session } => {
                if self.client(*session, "busy")? {
                    self.model.client_request(*session, false);
                }
            }
            Transition::Idle { session } => {
                if self.client(*session, "idle")? {
                    self.model.finish_request(*session);
                }
            }
            Transition::Query { session } => {
                if self.client(*session, "query")? {
                    self.model.client_request(*session, true);
                }
            }
            Transition::Advance { tenths } => self.advance(*tenths)?,
        }
        self.observe()
    }

    /// `DELETE /v1/sessions/:id[?ttl=…]` (spec §8): a kill at once is followed by a GET of the
    /// session, which must be a 404 at once (spec §8.2).
    fn delete(&mut self, slot: Slot, ttl: Option<&str>) -> Checked {
        let mut path = format!("/v1/sessions/{}", self.id(slot));
        if let Some(ttl) = ttl {
            path.push_str(&format!("?ttl={}", transition::encode(ttl)));
        }
        let ex = self.send(self.rest("DELETE", path.clone(), None), true)?;
        if !self.addressed(slot, &ex, "spec §4.7")? {
            return Ok(());
        }
        self.expect_answer(&ex, &Answer::Done, "spec §4.7")?;
        self.model.delete(slot, ttl, ex.at);
        if self.model.life(slot, ex.at) != Life::Dead {
            return Ok(());
        }
        let path = format!("/v1/sessions/{}", self.id(slot));
        let ex = self.send(self.rest("GET", path, None), true)?;
        self.holds(&ex, post::gone_at_once(&ex.response))?;
        if self.ctx.real_clock() {
            self.await_unlisted(slot)?;
        }
        Ok(())
    }

    /// Real clock: polls the list until the session killed at once has left it, at most
    /// [`LIST_GRACE`] (spec §8.2).
    fn await_unlisted(&mut self, slot: Slot) -> Checked {
        let deadline = Instant::now() + LIST_GRACE;
        loop {
            let ex = self.send(self.rest("GET", "/v1/sessions".into(), None), false)?;
            let document = self.document(&ex, "session-list", "spec §4.1")?;
            if find(&document, self.id(slot)).is_none() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let failure = Failure::new(
                    format!("session {} in the list", self.id(slot)),
                    format!("gone within {} ms of the kill", LIST_GRACE.as_millis()),
                    "still listed",
                );
                return Err(self.finding(&ex, failure.breaking("spec §8.2")));
            }
            self.ctx.block_on(tokio::time::sleep(POLL_EVERY));
        }
    }

    /// `GET /v1/sessions/:id`, perhaps with `fields[sessions]`.
    fn get_one(&mut self, slot: Slot, fields: Option<Fields>) -> Checked {
        let query = transition::list_query(fields, None, None);
        let base = format!("/v1/sessions/{}", self.id(slot));
        let path = query.map_or(base.clone(), |q| format!("{base}?{q}"));
        let ex = self.send(self.rest("GET", path, None), true)?;
        if !self.addressed(slot, &ex, "spec §4.2")? {
            return Ok(());
        }
        let schema = if fields.is_some() {
            "session-one-sparse"
        } else {
            "session-one"
        };
        let document = self.document(&ex, schema, "spec §4.2")?;
        let row = post::row(&mut self.model, slot, &document["data"], fields);
        self.holds(&ex, row)
    }

    /// A client's action through the session source: `busy`, `idle` or `query`; `false` when
    /// its session is gone, which the model must agree with.
    fn client(&mut self, slot: Slot, action: &str) -> Checked<bool> {
        let id = self.id(slot).to_string();
        let action = match action {
            "busy" => Action::Busy {
                id,
                statement: None,
            },
            "idle" => Action::Idle { id },
            _ => Action::Query {
                id,
                statement: None,
            },
        };
        let (done, at) = self.act(action)?;
        let reached = post::reached(&mut self.model, slot, done.gone, at);
        reached.map_err(|failure| {
            Box::new(failure.at(self.place(), self.step, done.evidence, "harness props"))
        })
    }

    /// Time passes: the virtual clock is advanced, or the harness waits on a real one.
    fn advance(&mut self, tenths: u8) -> Checked {
        let millis = u64::from(tenths) * 100;
        self.act(Action::Advance(Duration::from_millis(millis)))?;
        if !self.ctx.real_clock() {
            self.virtual_ms += millis;
        }
        Ok(())
    }

    /// An action of the session source, shown among the report's lines; what it did and when.
    fn act(&mut self, action: Action) -> Checked<(Done, Window)> {
        let sent = self.now_ms();
        let result = self.ctx.block_on(self.ctx.source().act(&action));
        let at = Window {
            lo: sent,
            hi: self.now_ms(),
        };
        let evidence = match &result {
            Ok(done) => done.evidence.clone(),
            Err(error) => error.evidence.clone(),
        };
        // An action may take several commands (MariaDB clients closing, then a control reset):
        // one numbered line each.
        for text in evidence.lines() {
            self.lines.push(Line {
                step: self.step,
                text: text.to_string(),
            });
        }
        result.map(|done| (done, at)).map_err(|error| {
            let failure = Failure::new(
                format!("session source: {}", action.label()),
                error.expected,
                error.actual,
            );
            Box::new(failure.at(
                self.place(),
                self.step,
                error.evidence,
                "the session source",
            ))
        })
    }

    /// After every step: the whole list against the model — which sessions exist, and each
    /// one's parameters, filters, user, remote and backend connections.
    fn observe(&mut self) -> Checked {
        let ex = self.send(self.rest("GET", "/v1/sessions".into(), None), false)?;
        let document = self.document(&ex, "session-list", "spec §4.1")?;
        let observed = post::observe(&mut self.model, &document, ex.at);
        self.holds(&ex, observed)
    }

    /// `GET /v1/sessions` with options: the list as the model says (spec §10.7, §10.13,
    /// §10.14).
    fn check_list(
        &mut self,
        ex: &Exchange,
        fields: Option<Fields>,
        filter: Option<&transition::RowFilter>,
        page: Option<transition::Page>,
    ) -> Checked {
        let schema = if fields.is_some() {
            "session-list-sparse"
        } else {
            "session-list"
        };
        let document = self.document(ex, schema, "spec §4.1")?;
        let listed = post::list(&mut self.model, &document, ex.at, fields, filter, page);
        self.holds(ex, listed)
    }

    /// Judges a request about one session by whether the model says it exists; `Ok(false)` when
    /// it is gone.
    fn addressed(&mut self, slot: Slot, ex: &Exchange, rule: &str) -> Checked<bool> {
        let addressed = post::addressed(&mut self.model, slot, &ex.response, ex.at, rule);
        self.holds(ex, addressed)
    }

    /// A mutating request's answer, as the model expects it.
    fn expect_answer(&self, ex: &Exchange, answer: &Answer, rule: &str) -> Checked {
        let rules = self.model.rules;
        let answered = post::answer(&self.ctx.schemas, &rules, &ex.response, answer, rule);
        self.holds(ex, answered)
    }

    /// A 200 whose body is valid against the named schema of the run's profile.
    fn document(&self, ex: &Exchange, schema: &str, rule: &str) -> Checked<Value> {
        let document = post::document(&self.ctx.schemas, &ex.response, 200, schema, rule);
        self.holds(ex, document)
    }

    /// A postcondition's verdict on an exchange, its failure placed at this step.
    fn holds<T>(&self, ex: &Exchange, verdict: Post<T>) -> Checked<T> {
        verdict.map_err(|failure| self.finding(ex, failure))
    }

    /// Where the case is: setting up, or running its steps.
    fn place(&self) -> &'static str {
        if self.step == 0 {
            "props setup"
        } else {
            "props case"
        }
    }

    /// A failure at this step, shown by the exchange's request.
    fn finding(&self, ex: &Exchange, failure: Failure) -> Box<Finding> {
        let request = curl(&ex.out, self.ctx.target.base());
        Box::new(failure.at(self.place(), self.step, request, "harness props"))
    }

    /// Sends a request and times it; `shown` puts it among the report's lines. Whatever the
    /// request, a 5xx is a violation (spec §1: no session endpoint answers one).
    fn send(&mut self, out: Outgoing, shown: bool) -> Checked<Exchange> {
        let curl = curl(&out, self.ctx.target.base());
        if shown {
            self.lines.push(Line {
                step: self.step,
                text: curl.clone(),
            });
        }
        let sent = self.now_ms();
        let answer = self.ctx.block_on(self.ctx.target.send(&out));
        let at = Window {
            lo: sent,
            hi: self.now_ms(),
        };
        let response = answer.map_err(|message| {
            let failure = Failure::new("transport", "an HTTP answer", message);
            Box::new(failure.at(self.place(), self.step, curl.clone(), "harness props"))
        })?;
        let ex = Exchange { out, response, at };
        match status::no_server_error(&ex.response) {
            Some(failure) => Err(self.finding(&ex, failure.breaking("spec §1"))),
            None => Ok(ex),
        }
    }

    /// The case's time: the virtual clock's advance, or the wall's since the start.
    fn now_ms(&self) -> u64 {
        if self.ctx.real_clock() {
            self.started.elapsed().as_millis() as u64
        } else {
            self.virtual_ms
        }
    }

    /// A REST request with the admin account.
    fn rest(&self, method: &str, path: String, body: Option<Value>) -> Outgoing {
        let admin = self.ctx.target.accounts().admin.clone();
        Outgoing::json(method, path, body.as_ref(), Some(admin))
    }

    fn id(&self, slot: Slot) -> u64 {
        self.model.sessions[slot].id
    }
}
