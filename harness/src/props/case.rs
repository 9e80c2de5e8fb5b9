//! One case against the target: set up a population through the control API, apply each
//! transition, and after every step compare the target with the [model](super::model) — the
//! postconditions. Every request is kept as a curl command line for the report.

use std::fmt;
use std::rc::Rc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::context::Context;
use super::model::{Answer, Life, Model, Row, Window};
use super::transition::{self, BodyForm, Fields, Slot, Transition};
use crate::check::{self, Reply};
use crate::request;
use crate::target::{Outgoing, Response};

/// Real clock only: how long a session killed at once may stay in the list (spec §8.2: 24.02
/// drops it before its next request is served, "harnesses should still poll with a short
/// deadline").
const LIST_GRACE: Duration = Duration::from_millis(500);

/// Real clock only: how often the list is polled meanwhile.
const POLL_EVERY: Duration = Duration::from_millis(50);

/// A postcondition that did not hold, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The step, counted from 1; 0 is the setup.
    pub step: usize,
    /// What was checked: `status`, `schema session-list`, `parameters of session 3`, …
    pub check: String,
    pub expected: String,
    pub actual: String,
    /// The rule, as `spec §8.3` or `doc-vs-code A25`.
    pub rule: String,
    /// The request that showed it, as a curl command line.
    pub request: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "step {}: {}", self.step, self.check)?;
        writeln!(f, "  expected: {}", self.expected)?;
        writeln!(f, "  actual:   {}", self.actual)?;
        writeln!(f, "  rule:     {}", self.rule)?;
        write!(f, "  request:  {}", self.request)
    }
}

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

/// A postcondition's verdict; the violation is boxed, it is large and rare.
type Checked<T = ()> = Result<T, Box<Violation>>;

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
        let reset = case.control("/_sim/reset", json!({}));
        let ex = case.send(reset, true)?;
        case.expect_status(&ex, &[200], "the control API (README)")?;
        let ex = case.send(case.rest("GET", "/v1/sessions".into(), None), false)?;
        let document = case.expect_document(&ex, 200, "session-list", "spec §4.1")?;
        if document["data"]
            .as_array()
            .is_none_or(|rows| !rows.is_empty())
        {
            return Err(case.violation(
                &ex,
                "sessions after POST /_sim/reset",
                "none: the properties need a target whose reset leaves no session (reference-server --sessions 0 --churn 0)",
                format!("{} sessions", document["data"].as_array().map_or(0, Vec::len)),
                "harness props (setup)",
            ));
        }
        let create = case.control("/_sim/sessions", json!({ "count": sessions }));
        let ex = case.send(create, true)?;
        case.expect_status(&ex, &[201], "the control API (README)")?;
        let created: Value = serde_json::from_slice(&ex.response.body).unwrap_or(Value::Null);
        let ids: Vec<u64> = created["ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
            .collect();
        if ids.len() != sessions {
            return Err(case.violation(
                &ex,
                "the created sessions",
                format!("{{\"ids\": [{sessions} ids]}}"),
                ex.response.body_excerpt(),
                "the control API (README)",
            ));
        }
        let ex = case.send(case.rest("GET", "/v1/sessions".into(), None), false)?;
        let document = case.expect_document(&ex, 200, "session-list", "spec §4.1")?;
        for id in ids {
            let Some(row) = find(&document, id) else {
                return Err(case.violation(
                    &ex,
                    format!("session {id} in the list"),
                    "listed once created (spec §3.5)",
                    "absent",
                    "spec §3.5",
                ));
            };
            let attributes = &row["attributes"];
            case.model.add_session(
                id,
                attributes["user"].clone(),
                attributes["remote"].clone(),
                &attributes["parameters"],
                connection_ids(attributes),
            );
            let slot = case.model.sessions.len() - 1;
            case.check_row(&ex, slot, row, None)?;
        }
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
                let ex = self.client(*session, "busy")?;
                if self.addressed(*session, &ex, "the control API (README)")? {
                    self.model.client_request(*session, false);
                }
            }
            Transition::Idle { session } => {
                let ex = self.client(*session, "idle")?;
                if self.addressed(*session, &ex, "the control API (README)")? {
                    self.model.finish_request(*session);
                }
            }
            Transition::Query { session } => {
                let ex = self.client(*session, "query")?;
                if self.addressed(*session, &ex, "the control API (README)")? {
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
        self.expect_status(&ex, &[404], "spec §8.2")?;
        self.expect_empty(&ex, "spec §4.2")?;
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
            let document = self.expect_document(&ex, 200, "session-list", "spec §4.1")?;
            if find(&document, self.id(slot)).is_none() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(self.violation(
                    &ex,
                    format!("session {} in the list", self.id(slot)),
                    format!("gone within {} ms of the kill", LIST_GRACE.as_millis()),
                    "still listed",
                    "spec §8.2",
                ));
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
        let document = self.expect_document(&ex, 200, schema, "spec §4.2")?;
        self.check_row(&ex, slot, &document["data"], fields)
    }

    /// A control call about a client: `busy`, `idle` or `query`.
    fn client(&mut self, slot: Slot, action: &str) -> Checked<Exchange> {
        let path = format!("/_sim/sessions/{}/{action}", self.id(slot));
        let out = self.control(&path, json!({}));
        self.send(out, true)
    }

    /// Time passes: the virtual clock is advanced, or the harness waits on a real one.
    fn advance(&mut self, tenths: u8) -> Checked {
        let millis = u64::from(tenths) * 100;
        if self.ctx.real_clock() {
            self.lines.push(Line {
                step: self.step,
                text: format!("sleep {}.{}", tenths / 10, tenths % 10),
            });
            let seconds = millis as f64 / 1_000.0;
            return self
                .ctx
                .block_on(self.ctx.target.advance(seconds))
                .map_err(|message| {
                    Box::new(Violation {
                        step: self.step,
                        check: "waiting".into(),
                        expected: format!("{seconds} s passes"),
                        actual: message,
                        rule: "harness props".into(),
                        request: String::new(),
                    })
                });
        }
        let out = self.control("/_sim/clock/advance", json!({ "millis": millis }));
        let ex = self.send(out, true)?;
        self.expect_status(&ex, &[200], "the control API (README)")?;
        self.virtual_ms += millis;
        Ok(())
    }

    /// After every step: the whole list against the model — which sessions exist, and each
    /// one's parameters, filters, user, remote and backend connections.
    fn observe(&mut self) -> Checked {
        let ex = self.send(self.rest("GET", "/v1/sessions".into(), None), false)?;
        let document = self.expect_document(&ex, 200, "session-list", "spec §4.1")?;
        for row in document["data"].as_array().into_iter().flatten() {
            let id = row["id"].as_str().and_then(|id| id.parse::<u64>().ok());
            if id.is_none_or(|id| self.slot_of(id).is_none()) {
                return Err(self.violation(
                    &ex,
                    "the rows of the list",
                    "only the sessions the case created",
                    format!("a row with id {}", row["id"]),
                    "spec §3.5",
                ));
            }
        }
        for slot in 0..self.model.sessions.len() {
            let id = self.id(slot);
            let row = find(&document, id);
            match (self.model.life(slot, ex.at), row) {
                (Life::Alive, None) => {
                    return Err(self.violation(
                        &ex,
                        format!("session {id} in the list"),
                        format!("listed ({})", self.model.explain(slot, ex.at)),
                        "absent",
                        self.model.rule_of_life(slot),
                    ))
                }
                (Life::Dead, Some(_)) => {
                    return Err(self.violation(
                        &ex,
                        format!("session {id} in the list"),
                        format!("absent ({})", self.model.explain(slot, ex.at)),
                        "listed",
                        self.model.rule_of_life(slot),
                    ))
                }
                (Life::Either, None) => self.model.seen_gone(slot),
                (_, Some(row)) => self.check_row(&ex, slot, row, None)?,
                (Life::Dead, None) => {}
            }
        }
        Ok(())
    }

    /// `GET /v1/sessions` with options: the rows must be the model's live sessions that pass the
    /// filter (spec §10.14), cut to the page (spec §10.7; a page past the end is empty,
    /// doc-vs-code B25) and to the fields (spec §10.13).
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
        let document = self.expect_document(ex, 200, schema, "spec §4.1")?;
        let mut certain = 0;
        let mut possible = 0;
        for slot in 0..self.model.sessions.len() {
            let matches = filter.map_or(Row::Yes, |f| self.model.matches(slot, f));
            let row = match (self.model.life(slot, ex.at), matches) {
                (Life::Dead, _) | (_, Row::No) => Row::No,
                (Life::Alive, Row::Yes) => Row::Yes,
                _ => Row::Maybe,
            };
            if row == Row::Yes {
                certain += 1;
            }
            if row != Row::No {
                possible += 1;
            }
            let present = find(&document, self.id(slot));
            match (row, present) {
                (Row::No, Some(_)) => {
                    return Err(self.violation(
                        ex,
                        format!("session {} in the result", self.id(slot)),
                        "absent: killed, or not passing the filter",
                        "listed",
                        "spec §10.14",
                    ))
                }
                (_, Some(found)) => self.check_row(ex, slot, found, fields)?,
                (Row::Yes, None) if page.is_none() => {
                    return Err(self.violation(
                        ex,
                        format!("session {} in the result", self.id(slot)),
                        "listed: it exists and passes the filter",
                        "absent",
                        "spec §10.14",
                    ))
                }
                _ => {}
            }
        }
        let rows = document["data"].as_array().map_or(0, Vec::len);
        let Some(page) = page else {
            return Ok(());
        };
        let total = document["meta"]["total"].as_u64();
        let Some(total) = total.filter(|t| (certain..=possible).contains(t)) else {
            return Err(self.violation(
                ex,
                "meta.total",
                format!("{certain} to {possible} (the rows that pass the filter)"),
                document["meta"]["total"].to_string(),
                "spec §10.7",
            ));
        };
        let (size, number) = (u64::from(page.size), u64::from(page.number));
        let on_page = total.saturating_sub(number * size).min(size);
        if rows as u64 != on_page {
            return Err(self.violation(
                ex,
                "the rows of the page",
                format!("{on_page} of {total} (page {number} of size {size})"),
                format!("{rows} rows"),
                "spec §10.7, doc-vs-code B25",
            ));
        }
        Ok(())
    }

    /// One session document (a list row or `data` of GET one) against the model: id, and what
    /// `fields` keeps (everything without it). spec §5, §6, §7.2, §10.13.
    fn check_row(
        &mut self,
        ex: &Exchange,
        slot: Slot,
        row: &Value,
        fields: Option<Fields>,
    ) -> Checked {
        let id = self.id(slot);
        if row["id"] != json!(id.to_string()) {
            return Err(self.violation(
                ex,
                "id",
                format!("\"{id}\""),
                row["id"].to_string(),
                "spec §5.1",
            ));
        }
        let attributes = &row["attributes"];
        let relationships = row.get("relationships");
        match fields {
            None => {
                self.check_parameters(ex, slot, &attributes["parameters"])?;
                self.check_filters(ex, slot, relationships)?;
                let s = &self.model.sessions[slot];
                for (key, first) in [("user", s.user.clone()), ("remote", s.remote.clone())] {
                    let now = attributes.get(key).cloned().unwrap_or(Value::Null);
                    if now != first {
                        return Err(self.violation(
                            ex,
                            format!("attributes.{key} of session {id}"),
                            first.to_string(),
                            now.to_string(),
                            "spec §7.2",
                        ));
                    }
                }
                self.check_connections(ex, slot, attributes)
            }
            Some(fields) => {
                let keys = object_keys(attributes);
                let (wanted, relationships_kept): (&[&str], bool) = match fields {
                    Fields::Parameters | Fields::LogInfo => (&["parameters"], false),
                    Fields::StateAndFilters => (&["state"], true),
                    Fields::Connections => (&["connections"], false),
                };
                if keys != wanted {
                    return Err(self.violation(
                        ex,
                        format!(
                            "attributes of session {id} with fields[sessions]={}",
                            fields.value()
                        ),
                        format!("{wanted:?}"),
                        format!("{keys:?}"),
                        "spec §10.13",
                    ));
                }
                if !relationships_kept && relationships.is_some() {
                    return Err(self.violation(
                        ex,
                        format!(
                            "relationships of session {id} with fields[sessions]={}",
                            fields.value()
                        ),
                        "absent",
                        relationships.map(Value::to_string).unwrap_or_default(),
                        "spec §10.13",
                    ));
                }
                match fields {
                    Fields::Parameters => {
                        self.check_parameters(ex, slot, &attributes["parameters"])
                    }
                    Fields::LogInfo => {
                        let allowed: Vec<Value> = self
                            .model
                            .parameters(slot)
                            .into_iter()
                            .map(|p| json!({ "log_info": p["log_info"] }))
                            .collect();
                        self.expect_one_of(ex, slot, &attributes["parameters"], &allowed)
                    }
                    Fields::StateAndFilters => {
                        if attributes["state"] != json!("Session started") {
                            return Err(self.violation(
                                ex,
                                format!("attributes.state of session {id}"),
                                "\"Session started\"",
                                attributes["state"].to_string(),
                                "spec §5.3",
                            ));
                        }
                        let kept = relationships.map(object_keys).unwrap_or_default();
                        if kept.iter().any(|k| k != "filters") {
                            return Err(self.violation(
                                ex,
                                format!("relationships of session {id} with fields[sessions]=state,filters"),
                                "only filters",
                                format!("{kept:?}"),
                                "spec §10.13",
                            ));
                        }
                        self.check_filters(ex, slot, relationships)
                    }
                    Fields::Connections => self.check_connections(ex, slot, attributes),
                }
            }
        }
    }

    fn check_parameters(&mut self, ex: &Exchange, slot: Slot, observed: &Value) -> Checked {
        if self.model.settle_parameters(slot, observed) {
            return Ok(());
        }
        let allowed = self.model.parameters(slot);
        self.expect_one_of(ex, slot, observed, &allowed)
    }

    fn expect_one_of(
        &self,
        ex: &Exchange,
        slot: Slot,
        observed: &Value,
        allowed: &[Value],
    ) -> Checked {
        if allowed.contains(observed) {
            return Ok(());
        }
        let expected: Vec<String> = allowed.iter().map(Value::to_string).collect();
        Err(self.violation(
            ex,
            format!("attributes.parameters of session {}", self.id(slot)),
            expected.join(" or "),
            observed.to_string(),
            if allowed.len() > 1 {
                "spec §6.1, §6.3.5"
            } else {
                "spec §6.1, §5.8"
            },
        ))
    }

    /// `relationships.filters`: the filters in use, in order, absent when there are none (spec
    /// §5.1); a pending list is not shown (spec §6.3.3).
    fn check_filters(&self, ex: &Exchange, slot: Slot, relationships: Option<&Value>) -> Checked {
        let s = &self.model.sessions[slot];
        let relationship = relationships.and_then(|r| r.get("filters"));
        let observed: Option<Vec<String>> = relationship.map(|r| {
            r["data"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| f["id"].as_str().unwrap_or("?").to_string())
                .collect()
        });
        // A pending list is not shown until the next idle request installs it.
        let rule = if s.pending.is_some() {
            "spec §6.3.3"
        } else {
            "spec §6.3, doc-vs-code A25"
        };
        let fine = match &observed {
            None => s.filters.is_empty(),
            Some(list) => !list.is_empty() && *list == s.filters,
        };
        if fine {
            return Ok(());
        }
        let expected = if s.filters.is_empty() {
            "no filters relationship".to_string()
        } else {
            format!("filters {:?}", s.filters)
        };
        let actual = match observed {
            None => "no filters relationship".to_string(),
            Some(list) if list.is_empty() => {
                "an empty filters relationship (spec §5.1: absent)".to_string()
            }
            Some(list) => format!("filters {list:?}"),
        };
        Err(self.violation(
            ex,
            format!("relationships.filters of session {}", s.id),
            expected,
            actual,
            rule,
        ))
    }

    fn check_connections(&mut self, ex: &Exchange, slot: Slot, attributes: &Value) -> Checked {
        let observed = connection_ids(attributes);
        match self.model.settle_connections(slot, observed.clone()) {
            None => Ok(()),
            Some((expected, rule)) => Err(self.violation(
                ex,
                format!("backend connection ids of session {}", self.id(slot)),
                expected,
                format!("{observed:?}"),
                rule,
            )),
        }
    }

    /// Judges a request about one session by whether the model says it exists; `Ok(false)` when
    /// it is gone (a 404 with an empty body, spec §4.2, §4.7; the control API's own 404 has a
    /// body).
    fn addressed(&mut self, slot: Slot, ex: &Exchange, rule: &str) -> Checked<bool> {
        let status = ex.response.status;
        let control = ex.out.path.starts_with("/_sim/");
        match self.model.life(slot, ex.at) {
            Life::Alive if status == 404 => Err(self.violation(
                ex,
                "status",
                format!(
                    "not 404: session {} exists ({})",
                    self.id(slot),
                    self.model.explain(slot, ex.at)
                ),
                "404",
                self.model.rule_of_life(slot),
            )),
            Life::Alive => Ok(true),
            Life::Either if status != 404 => Ok(true),
            life => {
                let rule = if life == Life::Dead {
                    self.model.rule_of_life(slot)
                } else {
                    rule
                };
                self.expect_status(ex, &[404], rule)?;
                if !control {
                    self.expect_empty(ex, rule)?;
                }
                self.model.seen_gone(slot);
                Ok(false)
            }
        }
    }

    /// A mutating request's answer: the profile's success status with an empty body, or a 400
    /// with or without its error document (spec §4.3, §4.4, §10.15).
    fn expect_answer(&self, ex: &Exchange, answer: &Answer, rule: &str) -> Checked {
        match answer {
            Answer::Done => {
                let success = self.model.rules.write_success;
                self.expect_status(ex, &[success], &format!("{rule}, doc-vs-code A1–A4"))?;
                self.expect_empty(ex, rule)
            }
            Answer::Rejected { detail, body } => {
                let rule = "spec §6.3.2, doc-vs-code A8";
                self.expect_status(ex, &[400], rule)?;
                if !body {
                    return self.expect_empty(ex, "spec §4.4");
                }
                let document = self.expect_document(ex, 400, "error", "spec §10.15")?;
                let Some(detail) = detail else {
                    return Ok(());
                };
                let details: Vec<&str> = document["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["detail"].as_str())
                    .collect();
                if details.contains(&detail.as_str()) {
                    return Ok(());
                }
                Err(self.violation(
                    ex,
                    "errors[].detail",
                    format!("{detail:?} (entries are checked in order, the first error answers)"),
                    format!("{details:?}"),
                    "spec §6.3.2, §4.3",
                ))
            }
        }
    }

    fn expect_status(&self, ex: &Exchange, allowed: &[u16], rule: &str) -> Checked {
        if allowed.contains(&ex.response.status) {
            return Ok(());
        }
        let expected: Vec<String> = allowed.iter().map(u16::to_string).collect();
        Err(self.violation(
            ex,
            "status",
            expected.join(" or "),
            format!("{} {}", ex.response.status, ex.response.body_excerpt()),
            rule,
        ))
    }

    fn expect_empty(&self, ex: &Exchange, rule: &str) -> Checked {
        if ex.response.body.is_empty() {
            return Ok(());
        }
        Err(self.violation(ex, "body", "empty", ex.response.body_excerpt(), rule))
    }

    /// The status, then the body as JSON valid against the named schema of the run's profile.
    fn expect_document(
        &self,
        ex: &Exchange,
        status: u16,
        schema: &str,
        rule: &str,
    ) -> Checked<Value> {
        self.expect_status(ex, &[status], rule)?;
        let reply = Reply::new(&ex.response);
        if let Some(failure) = self.ctx.schemas.check(schema, &reply) {
            let check::Failure {
                check,
                expected,
                actual,
                ..
            } = failure;
            return Err(self.violation(ex, check, expected, actual, rule));
        }
        Ok(reply.json.unwrap_or(Value::Null))
    }

    fn violation(
        &self,
        ex: &Exchange,
        check: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
        rule: impl Into<String>,
    ) -> Box<Violation> {
        Box::new(Violation {
            step: self.step,
            check: check.into(),
            expected: expected.into(),
            actual: actual.into(),
            rule: rule.into(),
            request: request::curl(&ex.out, self.ctx.target.base()),
        })
    }

    /// Sends a request and times it; `shown` puts it among the report's lines. Whatever the
    /// request, a 5xx is a violation (spec §1: no session endpoint answers one).
    fn send(&mut self, out: Outgoing, shown: bool) -> Checked<Exchange> {
        let curl = request::curl(&out, self.ctx.target.base());
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
            Box::new(Violation {
                step: self.step,
                check: "transport".into(),
                expected: "an HTTP answer".into(),
                actual: message,
                rule: "harness props".into(),
                request: curl.clone(),
            })
        })?;
        let ex = Exchange { out, response, at };
        if ex.response.status >= 500 {
            return Err(self.violation(
                &ex,
                "status",
                "not 5xx",
                format!("{} {}", ex.response.status, ex.response.body_excerpt()),
                "spec §1",
            ));
        }
        Ok(ex)
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

    /// A control API request (no credentials).
    fn control(&self, path: &str, body: Value) -> Outgoing {
        Outgoing {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(body.to_string().into_bytes()),
            credentials: None,
        }
    }

    fn id(&self, slot: Slot) -> u64 {
        self.model.sessions[slot].id
    }

    fn slot_of(&self, id: u64) -> Option<Slot> {
        self.model.sessions.iter().position(|s| s.id == id)
    }
}

/// The row of a session in a list document.
fn find(document: &Value, id: u64) -> Option<&Value> {
    let id = id.to_string();
    document["data"]
        .as_array()?
        .iter()
        .find(|row| row["id"].as_str() == Some(id.as_str()))
}

/// `attributes.connections[].connection_id`.
fn connection_ids(attributes: &Value) -> Vec<u64> {
    attributes["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["connection_id"].as_u64())
        .collect()
}

/// The keys of an object, sorted; none for anything else.
fn object_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}
