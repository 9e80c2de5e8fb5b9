//! The model the properties hold a target to: what each session of a case should look like after
//! every step, written from the spec (sessions-api.md §6–§8, doc-vs-code.md) and nothing else —
//! not from the reference server (DESIGN.md's independence rule).
//!
//! Where the spec leaves the target a choice, the model holds every allowed outcome and learns
//! the target's choice from what it answers next:
//! - a PATCH whose filter list fails may or may not have applied the log flags of the same body
//!   (24.02 applies them first, spec §6.3.5; a server that validates first applies none): both
//!   are kept until a document shows which, and the choice then holds for the rest of the run;
//! - a session with a ttl of N s may die anywhere between N+0.9 s and N+2 s after the DELETE
//!   (spec §8.3: a once-per-second tick kills it once more than N whole seconds have passed on a
//!   100 ms clock); inside that window it may be there or gone, and whichever the target shows
//!   is taken as the truth from then on.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::transition::{filter_name, FilterData, FilterEntry, Param, RowFilter, UNKNOWN_FILTER};

/// spec §8.3: a session with ttl N is never killed before about N+0.9 s after the DELETE (the
/// countdown starts at the current 100 ms tick of the main clock, so it may have started up to
/// 0.1 s before the DELETE).
pub const TTL_EARLIEST_MS: u64 = 900;

/// spec §8.3: … and is gone by N+2 s, the first once-per-second worker tick after N+1 s.
pub const TTL_LATEST_MS: u64 = 2_000;

/// On a real clock the tick may run late by scheduling delay (spec §8.3, "plus scheduling delay
/// if the worker is busy"); a session must be gone by N+2 s plus this much.
pub const REAL_SLACK_MS: u64 = 250;

/// The profile table the model reads (log_debug, nested relationships, E4 error bodies, the
/// write success status).
pub use crate::profile::Rules;

/// The five levels a session can switch, in the order of [`Flags`].
const LEVELS: [Param; 5] = [
    Param::LogInfo,
    Param::LogNotice,
    Param::LogWarning,
    Param::LogError,
    Param::LogDebug,
];

/// A session's own log flags (spec §5.8: all off at the start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags([bool; 5]);

impl Flags {
    fn level(param: Param) -> Option<usize> {
        LEVELS.iter().position(|p| *p == param)
    }

    /// The flags after a PATCH's `parameters` (spec §6.1): each known level given a JSON boolean
    /// is set to it; other values and unknown keys are ignored, and so is `log_debug` where the
    /// profile does not accept it.
    fn patched(self, parameters: &BTreeMap<Param, Value>, rules: Rules) -> Flags {
        let mut flags = self;
        for (param, value) in parameters {
            let accepted = *param != Param::LogDebug || rules.log_debug;
            if let (Some(level), Some(on), true) = (Flags::level(*param), value.as_bool(), accepted)
            {
                flags.0[level] = on;
            }
        }
        flags
    }

    /// A level's flag.
    fn get(self, param: Param) -> Option<bool> {
        Flags::level(param).map(|level| self.0[level])
    }
}

/// A span of time in milliseconds since the case started: when a request was sent and when its
/// answer came. On a virtual clock both ends are the clock's reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When the request was sent.
    pub lo: u64,
    /// When its answer came.
    pub hi: u64,
}

/// An armed ttl (spec §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ttl {
    seconds: u64,
    armed: Window,
}

/// Whether a session exists at some moment, as far as the model knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Life {
    /// Certainly there.
    Alive,
    /// Certainly gone.
    Dead,
    /// Inside a ttl's window: either.
    Either,
}

/// Whether a row belongs in a filtered list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// It belongs.
    Yes,
    /// It does not belong.
    No,
    /// It belongs under one of the target's possible choices for a failed PATCH, not the other.
    Maybe,
}

/// Which request flagged a restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restart {
    /// `POST /v1/sessions/:id/restart`
    One,
    /// `POST /v1/sessions/restart`
    All,
}

impl Restart {
    /// The rule a restart that did not happen breaks.
    pub fn rule(self) -> &'static str {
        match self {
            Restart::One => "spec §7.2",
            Restart::All => "spec §7.4, §7.2",
        }
    }
}

/// What a target chose for a PATCH whose filter list fails (spec §6.3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedPatch {
    /// The log flags of the body were applied first, as 24.02 does.
    AppliesFlags,
    /// Nothing changed: validation came first.
    ChangesNothing,
}

/// The model of one session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The session's id on the target.
    pub id: u64,
    /// `attributes.user` and `remote` as first seen: nothing changes them (spec §7.2).
    pub user: Value,
    /// `attributes.remote` as first seen; nothing changes it either (spec §7.2).
    pub remote: Value,
    /// The service's flags, shown OR-ed with the session's (spec §5.8); read from the first
    /// document, where the session's own are all off.
    service: Flags,
    flags: Flags,
    /// The flags had the target applied those of a failed PATCH, while its choice is unknown.
    flags_if_applied: Option<Flags>,
    /// The session filters in use (spec §6.3.3).
    pub filters: Vec<String>,
    /// A list waiting for the next client request made while idle (spec §6.3.3).
    pub pending: Option<Vec<String>>,
    /// A restart waiting for the next client request made while idle (spec §7.2), and the
    /// request that asked for it.
    pub restart_pending: Option<Restart>,
    /// A client request is running (spec §15).
    pub busy: bool,
    /// The backend connection ids last seen, sorted.
    pub connections: Vec<u64>,
    /// A restart ran: the next document must show new connection ids (spec §7.2).
    pub expect_new_connections: Option<Restart>,
    ttl: Option<Ttl>,
    /// Known to be gone: killed at once, or seen gone.
    dead: bool,
    /// Killed by a DELETE without a positive ttl (spec §8.2).
    killed_at_once: bool,
}

/// The model of a case: its sessions, the profile's rules, what the target chose.
#[derive(Debug, Clone)]
pub struct Model {
    /// The profile's table the model reads.
    pub rules: Rules,
    /// The target's filters (`GET /v1/filters`), which filter entries name.
    pub filter_names: Vec<String>,
    /// Added to the latest moment a ttl may fire: 0 on a virtual clock, [`REAL_SLACK_MS`] on a
    /// real one.
    slack_ms: u64,
    /// The case's sessions, by slot.
    pub sessions: Vec<Session>,
    failed_patch: Option<FailedPatch>,
}

/// How a mutating request should be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The profile's success status, empty body.
    Done,
    /// 400; `detail` is the error message when the spec fixes it, `body` whether an error
    /// document comes with it.
    Rejected {
        /// The error message, when the spec fixes it.
        detail: Option<String>,
        /// Whether an error document comes with the 400.
        body: bool,
    },
}

impl Model {
    /// A model with no sessions yet.
    pub fn new(rules: Rules, filter_names: Vec<String>, real_clock: bool) -> Model {
        Model {
            rules,
            filter_names,
            slack_ms: if real_clock { REAL_SLACK_MS } else { 0 },
            sessions: Vec::new(),
            failed_patch: None,
        }
    }

    /// Adds a session as its first document shows it: user, remote, connections, and the
    /// service's log flags (`parameters`, where the session's own are still off, spec §5.8).
    pub fn add_session(
        &mut self,
        id: u64,
        user: Value,
        remote: Value,
        parameters: &Value,
        connections: Vec<u64>,
    ) {
        let mut service = Flags::default();
        for (level, param) in LEVELS.iter().enumerate() {
            service.0[level] = parameters
                .get(param.key())
                .and_then(Value::as_bool)
                .unwrap_or(false);
        }
        self.sessions.push(Session {
            id,
            user,
            remote,
            service,
            flags: Flags::default(),
            flags_if_applied: None,
            filters: Vec::new(),
            pending: None,
            restart_pending: None,
            busy: false,
            connections: sorted(connections),
            expect_new_connections: None,
            ttl: None,
            dead: false,
            killed_at_once: false,
        });
    }

    /// Whether a session exists during `at`.
    pub fn life(&self, slot: usize, at: Window) -> Life {
        let s = &self.sessions[slot];
        if s.dead {
            return Life::Dead;
        }
        let Some(ttl) = s.ttl else {
            return Life::Alive;
        };
        let n = ttl.seconds * 1_000;
        if at.hi < ttl.armed.lo + n + TTL_EARLIEST_MS {
            Life::Alive
        } else if at.lo >= ttl.armed.hi + n + TTL_LATEST_MS + self.slack_ms {
            Life::Dead
        } else {
            Life::Either
        }
    }

    /// Why the session exists or not during `at`, for a report: `killed at once`, `ttl 2 s
    /// armed 1.5 s before: not due before 2.9 s`.
    pub fn explain(&self, slot: usize, at: Window) -> String {
        let s = &self.sessions[slot];
        if s.killed_at_once {
            return "killed at once".to_string();
        }
        let Some(ttl) = s.ttl else {
            return "never killed".to_string();
        };
        let n = ttl.seconds * 1_000;
        let armed = format!(
            "ttl {} s armed {} s before",
            ttl.seconds,
            seconds(at.lo.saturating_sub(ttl.armed.hi))
        );
        match self.life(slot, at) {
            Life::Alive => format!("{armed}: not due before {} s", seconds(n + TTL_EARLIEST_MS)),
            _ => format!(
                "{armed}: gone by {} s",
                seconds(n + TTL_LATEST_MS + self.slack_ms)
            ),
        }
    }

    /// The rule that says whether the session exists: the kill's (spec §8.2, §8.3), else that
    /// a started session is listed and addressable (spec §3.5).
    pub fn rule_of_life(&self, slot: usize) -> &'static str {
        let s = &self.sessions[slot];
        if s.killed_at_once {
            "spec §8.2"
        } else if s.ttl.is_some() {
            "spec §8.3"
        } else {
            "spec §3.5"
        }
    }

    /// The target showed the session gone.
    pub fn seen_gone(&mut self, slot: usize) {
        self.sessions[slot].dead = true;
    }

    /// `PATCH /v1/sessions/:id` (spec §6): `filters` is the relationship as the target reads it
    /// (`None` when the body has none, or has it where the profile does not look).
    pub fn patch(
        &mut self,
        slot: usize,
        parameters: &BTreeMap<Param, Value>,
        filters: Option<&FilterData>,
    ) -> Answer {
        self.update(slot, parameters, filters, true)
    }

    /// `PATCH /v1/sessions/:id/relationships/filters` (spec §4.4): as a PATCH with that
    /// relationship alone, but its errors carry a body only where the profile says so.
    pub fn patch_filters(&mut self, slot: usize, filters: &FilterData) -> Answer {
        let body = self.rules.e4_error_body;
        self.update(slot, &BTreeMap::new(), Some(filters), body)
    }

    fn update(
        &mut self,
        slot: usize,
        parameters: &BTreeMap<Param, Value>,
        filters: Option<&FilterData>,
        error_body: bool,
    ) -> Answer {
        let rules = self.rules;
        let list = filters.map(|data| self.resolve(data));
        let policy = self.failed_patch;
        let s = &mut self.sessions[slot];
        let patched = s.flags.patched(parameters, rules);
        match list {
            Some(Err(detail)) => {
                // spec §6.3.5 (24.02 applies the flags first) or validation first: the target's
                // choice if known, else both until a document tells.
                match policy {
                    Some(FailedPatch::AppliesFlags) => s.flags = patched,
                    Some(FailedPatch::ChangesNothing) => {}
                    None => {
                        let applied = s.flags_if_applied.unwrap_or(s.flags);
                        let applied = applied.patched(parameters, rules);
                        s.flags_if_applied = (applied != s.flags).then_some(applied);
                    }
                }
                return Answer::Rejected {
                    detail,
                    body: error_body,
                };
            }
            Some(Ok(list)) => {
                if s.busy {
                    // spec §6.3.3: installed at the next client request made while idle.
                    s.pending = Some(list);
                } else {
                    // spec §6.3.3 at once; doc-vs-code A25: the last PATCH wins over a stale
                    // pending list.
                    s.filters = list;
                    s.pending = None;
                }
            }
            None => {}
        }
        s.flags = patched;
        s.flags_if_applied = s
            .flags_if_applied
            .map(|f| f.patched(parameters, rules))
            .filter(|f| *f != patched);
        Answer::Done
    }

    /// The filter names a relationship's `data` sets, or the error it earns: spec §6.3.1–2 and
    /// doc-vs-code A8 (an entry without `id` is a 400 whose message the spec leaves open).
    fn resolve(&self, data: &FilterData) -> Result<Vec<String>, Option<String>> {
        let FilterData::List(entries) = data else {
            return Ok(Vec::new());
        };
        let mut names = Vec::new();
        for entry in entries {
            match entry {
                FilterEntry::Known { index, .. } => {
                    if let Some(name) = filter_name(&self.filter_names, *index) {
                        names.push(name.to_string());
                    }
                }
                FilterEntry::Unknown => {
                    return Err(Some(format!("Not a valid filter: {UNKNOWN_FILTER}")))
                }
                FilterEntry::NonStringId(id) => {
                    return Err(Some(format!("Not a JSON string but a {}", json_type(id))))
                }
                FilterEntry::MissingId => return Err(None),
            }
        }
        Ok(names)
    }

    /// `POST /v1/sessions/:id/restart`: flagged, carried out at the next request (spec §7.1).
    pub fn restart(&mut self, slot: usize) {
        self.sessions[slot].restart_pending = Some(Restart::One);
    }

    /// `POST /v1/sessions/restart`: every session that may still exist is flagged (spec §7.4).
    pub fn restart_all(&mut self) {
        for s in self.sessions.iter_mut().filter(|s| !s.dead) {
            s.restart_pending = Some(Restart::All);
        }
    }

    /// A client request starts; `completes` when it is answered at once. Made while idle, it
    /// first carries out a pending restart (spec §7.2) and then installs a pending filter list
    /// (spec §6.3.3, §7.3).
    pub fn client_request(&mut self, slot: usize, completes: bool) {
        let s = &mut self.sessions[slot];
        if !s.busy {
            if let Some(restart) = s.restart_pending.take() {
                s.expect_new_connections = Some(restart);
            }
            if let Some(list) = s.pending.take() {
                s.filters = list;
            }
        }
        s.busy = !completes;
    }

    /// The running request completes; a pending list still waits for the next request (spec
    /// §6.3.3).
    pub fn finish_request(&mut self, slot: usize) {
        self.sessions[slot].busy = false;
    }

    /// `DELETE /v1/sessions/:id` answered during `at`: a positive ttl (C `atoi`, spec §8.1) arms
    /// or re-arms the countdown (spec §8.3), anything else kills at once (spec §8.2).
    pub fn delete(&mut self, slot: usize, ttl: Option<&str>, at: Window) {
        let s = &mut self.sessions[slot];
        match ttl.map_or(0, atoi) {
            n if n > 0 => {
                s.ttl = Some(Ttl {
                    seconds: n.unsigned_abs().into(),
                    armed: at,
                })
            }
            _ => {
                s.dead = true;
                s.killed_at_once = true;
            }
        }
    }

    /// Every `parameters` object the session may show now: one, or two while a failed PATCH's
    /// flag policy is unknown. The keys are the profile's (spec §5.8).
    pub fn parameters(&self, slot: usize) -> Vec<Value> {
        let s = &self.sessions[slot];
        let mut all = vec![self.shown(s.service, s.flags)];
        if let Some(alternative) = s.flags_if_applied {
            let shown = self.shown(s.service, alternative);
            if !all.contains(&shown) {
                all.push(shown);
            }
        }
        all
    }

    fn shown(&self, service: Flags, flags: Flags) -> Value {
        let mut parameters = serde_json::Map::new();
        for (level, param) in LEVELS.iter().enumerate() {
            if *param != Param::LogDebug || self.rules.log_debug {
                parameters.insert(
                    param.key().to_string(),
                    json!(service.0[level] || flags.0[level]),
                );
            }
        }
        Value::Object(parameters)
    }

    /// A document showed `parameters`: settle a failed PATCH's open choice by it, for this
    /// session and, the choice being the target's, for every other. `false` when it matches
    /// none of the allowed values.
    pub fn settle_parameters(&mut self, slot: usize, observed: &Value) -> bool {
        let s = &self.sessions[slot];
        let now = self.shown(s.service, s.flags);
        let Some(alternative) = s.flags_if_applied else {
            return *observed == now;
        };
        let applied = self.shown(s.service, alternative);
        let choice = match (*observed == now, *observed == applied) {
            (false, false) => return false,
            (true, true) => return true,
            (true, false) => FailedPatch::ChangesNothing,
            (false, true) => FailedPatch::AppliesFlags,
        };
        self.failed_patch = Some(choice);
        for s in &mut self.sessions {
            if let Some(alternative) = s.flags_if_applied.take() {
                if choice == FailedPatch::AppliesFlags {
                    s.flags = alternative;
                }
            }
        }
        true
    }

    /// A document showed these backend connection ids: after a restart they must all be new
    /// (spec §7.2), otherwise the same as before. Returns the complaint and its rule, if any.
    pub fn settle_connections(
        &mut self,
        slot: usize,
        observed: Vec<u64>,
    ) -> Option<(String, &'static str)> {
        let s = &mut self.sessions[slot];
        let observed = sorted(observed);
        let complaint = match s.expect_new_connections {
            Some(restart) => {
                let kept: Vec<u64> = observed
                    .iter()
                    .copied()
                    .filter(|id| s.connections.contains(id))
                    .collect();
                (!kept.is_empty()).then(|| {
                    let text = format!(
                        "new backend connections after the restart, but {kept:?} of {:?} are the old ones",
                        s.connections
                    );
                    (text, restart.rule())
                })
            }
            None => (observed != s.connections).then(|| {
                let text = format!(
                    "the backend connections {:?}, since no restart ran",
                    s.connections
                );
                (text, "spec §7.2")
            }),
        };
        s.connections = observed;
        s.expect_new_connections = None;
        complaint
    }

    /// Whether the session's row passes a `filter` (spec §10.14), ignoring whether it exists.
    pub fn matches(&self, slot: usize, filter: &RowFilter) -> Row {
        let s = &self.sessions[slot];
        let yes = |b: bool| if b { Row::Yes } else { Row::No };
        match filter {
            RowFilter::Id { session } => yes(*session == slot),
            RowFilter::Flag { param, value } => {
                // A key the document lacks does not resolve: the row is dropped.
                if Flags::level(*param).is_none()
                    || (*param == Param::LogDebug && !self.rules.log_debug)
                {
                    return Row::No;
                }
                let shown =
                    |f: Flags| s.service.get(*param) == Some(true) || f.get(*param) == Some(true);
                let now = shown(s.flags) == *value;
                match s.flags_if_applied.map(shown) {
                    Some(other) if (other == *value) != now => Row::Maybe,
                    _ => yes(now),
                }
            }
            RowFilter::FirstFilter { index } => yes(filter_name(&self.filter_names, *index)
                .is_some_and(|name| s.filters.first().map(String::as_str) == Some(name))),
            RowFilter::Started => Row::Yes,
        }
    }
}

/// jansson's name of a JSON value's type, as `Not a JSON string but a …` spells it (spec §6.3.2).
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "real",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// C `atoi` as glibc does it (spec §8.1): leading whitespace, an optional sign, decimal digits up
/// to the first non-digit; `strtol` saturates at the `long` range and the result is truncated to
/// `int`.
pub fn atoi(text: &str) -> i32 {
    let rest = text.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (negative, digits) = match rest.as_bytes().first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    let mut value: i128 = 0;
    for digit in digits.bytes().take_while(u8::is_ascii_digit) {
        value = (value * 10 + i128::from(digit - b'0')).min(i128::from(i64::MAX) + 1);
    }
    let value = if negative { -value } else { value };
    let long = value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    long as i32
}

/// Milliseconds as seconds for a message: `2.9`.
fn seconds(ms: u64) -> String {
    format!("{}.{}", ms / 1_000, ms % 1_000 / 100)
}

fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
    ids.sort_unstable();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    #[test]
    fn atoi_follows_the_spec_table() {
        // spec §8.1
        for (text, value) in [
            ("", 0),
            ("0", 0),
            ("abc", 0),
            ("0x10", 0),
            ("NaN", 0),
            ("-5", -5),
            ("5", 5),
            ("+5", 5),
            (" 5", 5),
            ("5abc", 5),
            ("1.5", 1),
            ("1e3", 1),
            ("2147483648", -2_147_483_648),
            ("4294967297", 1),
            ("99999999999999999999", -1),
        ] {
            assert_eq!(atoi(text), value, "atoi({text:?})");
        }
    }

    fn model(profile: Profile) -> Model {
        let mut model = Model::new(Rules::of(profile), vec!["f1".into(), "f2".into()], false);
        let parameters = json!({"log_info": false, "log_notice": false, "log_warning": false, "log_error": false});
        model.add_session(1, json!("u"), json!("127.0.0.1"), &parameters, vec![8]);
        model.add_session(2, json!("u"), json!("127.0.0.1"), &parameters, vec![9]);
        model
    }

    fn known(index: u8) -> FilterEntry {
        FilterEntry::Known { index, typed: true }
    }

    #[test]
    fn a_busy_session_gets_its_filters_at_the_next_idle_request() {
        let mut m = model(Profile::Maxscale2402);
        m.client_request(0, false);
        let list = FilterData::List(vec![known(1)]);
        assert_eq!(m.patch(0, &BTreeMap::new(), Some(&list)), Answer::Done);
        assert!(m.sessions[0].filters.is_empty());
        m.finish_request(0);
        assert!(m.sessions[0].filters.is_empty(), "not when the query ends");
        m.client_request(0, true);
        assert_eq!(m.sessions[0].filters, ["f2"]);
    }

    #[test]
    fn the_last_patch_wins_over_a_stale_pending_list() {
        let mut m = model(Profile::Maxscale2402);
        m.client_request(0, false);
        m.patch(0, &BTreeMap::new(), Some(&FilterData::List(vec![known(0)])));
        m.finish_request(0);
        m.patch(0, &BTreeMap::new(), Some(&FilterData::List(vec![known(1)])));
        m.client_request(0, true);
        assert_eq!(m.sessions[0].filters, ["f2"]);
    }

    #[test]
    fn a_failed_patch_leaves_the_flag_choice_open_until_a_document_shows_it() {
        let mut m = model(Profile::Maxscale2402);
        let parameters = BTreeMap::from([(Param::LogInfo, json!(true))]);
        let bad = FilterData::List(vec![known(0), FilterEntry::NonStringId(json!(1.5))]);
        assert_eq!(
            m.patch(0, &parameters, Some(&bad)),
            Answer::Rejected {
                detail: Some("Not a JSON string but a real".into()),
                body: true
            }
        );
        assert_eq!(m.parameters(0).len(), 2);
        m.patch(
            1,
            &parameters,
            Some(&FilterData::List(vec![FilterEntry::MissingId])),
        );
        let applied = json!({"log_info": true, "log_notice": false, "log_warning": false, "log_error": false});
        assert!(m.settle_parameters(0, &applied));
        assert_eq!(m.failed_patch, Some(FailedPatch::AppliesFlags));
        assert_eq!(m.parameters(1), [applied]);
        assert!(m.sessions[0].filters.is_empty());
    }

    #[test]
    fn the_two_flag_choices_follow_later_patches_and_merge_when_they_agree() {
        let mut m = model(Profile::Maxscale2402);
        let bad = FilterData::List(vec![FilterEntry::Unknown]);
        let on = BTreeMap::from([(Param::LogInfo, json!(true))]);
        let off = BTreeMap::from([(Param::LogInfo, json!(false))]);
        m.patch(0, &on, Some(&bad));
        assert_eq!(m.parameters(0).len(), 2);
        // A second failed PATCH switching it off again: both choices now agree.
        m.patch(0, &off, Some(&bad));
        assert_eq!(m.parameters(0).len(), 1);
        m.patch(0, &on, Some(&bad));
        // A successful PATCH applies to both; setting the flag makes them agree.
        m.patch(0, &on, None);
        assert_eq!(m.parameters(0).len(), 1);
        assert_eq!(m.failed_patch, None);
    }

    #[test]
    fn log_debug_counts_only_where_the_profile_has_it() {
        let parameters =
            BTreeMap::from([(Param::LogDebug, json!(true)), (Param::LogError, json!(1))]);
        let mut m = model(Profile::Maxscale2402);
        m.patch(0, &parameters, None);
        assert_eq!(
            m.parameters(0),
            [
                json!({"log_info": false, "log_notice": false, "log_warning": false, "log_error": false})
            ]
        );
        let mut m = model(Profile::Documented);
        m.patch(0, &parameters, None);
        assert_eq!(m.parameters(0)[0]["log_debug"], json!(true));
        assert_eq!(m.parameters(0)[0]["log_error"], json!(false));
    }

    #[test]
    fn a_restart_needs_an_idle_request_and_new_connections() {
        let mut m = model(Profile::Maxscale2402);
        m.client_request(0, false);
        m.restart(0);
        m.client_request(1, true);
        assert_eq!(m.settle_connections(0, vec![8]), None);
        m.finish_request(0);
        m.client_request(0, true);
        assert!(m.settle_connections(0, vec![8]).is_some());
        m.restart_all();
        m.client_request(0, true);
        assert_eq!(m.settle_connections(0, vec![12]), None);
        assert!(m.settle_connections(0, vec![13]).is_some());
    }

    #[test]
    fn a_ttl_window_runs_from_n_plus_0_9_to_n_plus_2_seconds() {
        let mut m = model(Profile::Maxscale2402);
        let at = |ms| Window { lo: ms, hi: ms };
        m.delete(0, Some(" 1"), at(500));
        assert_eq!(m.life(0, at(2_399)), Life::Alive);
        assert_eq!(m.life(0, at(2_400)), Life::Either);
        assert_eq!(m.life(0, at(3_499)), Life::Either);
        assert_eq!(m.life(0, at(3_500)), Life::Dead);
        m.delete(0, Some("3"), at(3_000));
        assert_eq!(m.life(0, at(6_899)), Life::Alive);
        m.delete(1, Some("-1"), at(0));
        assert_eq!(m.life(1, at(0)), Life::Dead);
    }
}
