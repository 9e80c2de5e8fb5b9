//! The session source: how sessions come to exist on a target, how their clients act, and how
//! the target's time moves. Scenarios (`session:` steps), property cases and load runs reach
//! sessions only through [`Source`], so another kind of source plugs into all three at once.
//!
//! - `control`: the reference server's control API (`/_sim/`): sessions on request, clients
//!   made busy and idle, a virtual or real clock.
//! - `mariadb`: real MariaDB client connections to a listener (`--mysql URL`): sessions are
//!   clients, ids the connection ids of their greetings, time the wall's (or the control API's
//!   virtual clock when the target has one too).
//! - [`Source::Passive`]: any other target. It offers the sessions it already has; time is the
//!   wall's, and the harness waits for it.

pub(crate) mod control;
pub(crate) mod mariadb;

use std::time::Duration;

use serde_json::Value;

use crate::target::{Outgoing, Target};
use control::ControlApi;

pub use mariadb::{MariaDb, MysqlUrl, DEFAULT_BUSY, DEFAULT_QUERY};

/// The longest single wait for time to pass on a real clock.
pub const MAX_REAL_WAIT: Duration = Duration::from_secs(120);

/// How time moves on the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// Only when told (the control API's `POST /_sim/clock/advance`).
    Virtual,
    /// As on the wall; the harness waits.
    Real,
}

/// Sessions to open: how many, and as whom.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Open {
    /// How many sessions (at least 1).
    #[serde(default = "one")]
    pub count: u32,
    /// The service they connect to; default the source's first.
    pub service: Option<String>,
    /// The client user; default the source's own.
    pub user: Option<String>,
    /// The client address.
    pub remote: Option<String>,
    /// `false` leaves the clients in their handshake ("Session created", spec §3.5).
    pub authenticated: Option<bool>,
}

fn one() -> u32 {
    1
}

/// One thing a session source does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Back to the initial state: no session the harness made is left.
    Reset,
    /// Clients connect; the ids of their sessions come back.
    Open(Open),
    /// The client sends a statement that is answered at once.
    Query {
        /// The session of the client.
        id: String,
        /// The statement's SQL text; `None` lets the source choose.
        statement: Option<String>,
    },
    /// The client sends a statement that keeps running.
    Busy {
        /// The session of the client.
        id: String,
        /// The statement's SQL text; `None` lets the source choose.
        statement: Option<String>,
    },
    /// The running statement completes.
    Idle {
        /// The session of the client.
        id: String,
    },
    /// The client disconnects.
    Close {
        /// The session of the client.
        id: String,
    },
    /// Time moves on.
    Advance(Duration),
}

impl Action {
    /// Whether the action is one client's (query, busy, idle, close), whose session may be gone.
    pub fn is_client(&self) -> bool {
        matches!(
            self,
            Action::Query { .. } | Action::Busy { .. } | Action::Idle { .. } | Action::Close { .. }
        )
    }

    /// A short label: `open 2 sessions`, `busy 7`, `advance 2.5 s`.
    pub fn label(&self) -> String {
        match self {
            Action::Reset => "reset".into(),
            Action::Open(open) => format!(
                "open {} session{}",
                open.count,
                if open.count == 1 { "" } else { "s" }
            ),
            Action::Query { id, .. } => format!("query {id}"),
            Action::Busy { id, .. } => format!("busy {id}"),
            Action::Idle { id } => format!("idle {id}"),
            Action::Close { id } => format!("close {id}"),
            Action::Advance(wait) => format!("advance {} s", wait.as_secs_f64()),
        }
    }
}

/// What an action did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Done {
    /// The ids of the sessions an `Open` made, in order.
    pub ids: Vec<String>,
    /// A client's action found its session gone (killed or closed): the client is disconnected.
    pub gone: bool,
    /// The action as a command line a person can run again (curl for the control API, `sleep`
    /// for waiting); empty when nothing was sent.
    pub evidence: String,
}

impl Done {
    /// The result as JSON, `{"ids": [...]}`, for a scenario's captures (`pointer: /ids/0`).
    /// Ids that are numbers are numbers.
    pub fn as_json(&self) -> Value {
        let ids = self
            .ids
            .iter()
            .map(|id| match id.parse::<u64>() {
                Ok(n) => Value::from(n),
                Err(_) => Value::from(id.as_str()),
            })
            .collect();
        serde_json::json!({ "ids": Value::Array(ids) })
    }
}

/// Why a source could not do an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    /// What was expected of the source.
    pub expected: String,
    /// What happened.
    pub actual: String,
    /// The command line of the attempt, as in [`Done::evidence`].
    pub evidence: String,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, got {}", self.expected, self.actual)
    }
}

/// Where a target's sessions come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The simulator's control API.
    Control(ControlApi),
    /// Real MariaDB client connections (`--mysql URL`).
    MariaDb(MariaDb),
    /// Sessions the target already has; time on the wall.
    Passive,
}

impl Source {
    /// Finds out what the target offers: the control API when `GET /_sim` answers 200 with a
    /// JSON object, else nothing. An error is a target that does not answer in HTTP.
    pub async fn detect(target: &Target) -> Result<Source, String> {
        let probe = Outgoing::json("GET", "/_sim".into(), None, None);
        let answer = target.send(&probe).await?;
        let info = (answer.status == 200)
            .then(|| serde_json::from_slice::<Value>(&answer.body).ok())
            .flatten()
            .filter(Value::is_object);
        Ok(match info {
            Some(info) => Source::Control(ControlApi::new(target.clone(), &info)),
            None => Source::Passive,
        })
    }

    /// Whether the source can open sessions and drive their clients.
    pub fn opens_sessions(&self) -> bool {
        matches!(self, Source::Control(_) | Source::MariaDb(_))
    }

    /// Whether the simulator's control API is there (for `control:` steps).
    pub fn control(&self) -> Option<&ControlApi> {
        match self {
            Source::Control(api) => Some(api),
            Source::MariaDb(clients) => clients.control(),
            Source::Passive => None,
        }
    }

    /// How time moves on the target.
    pub fn clock(&self) -> Clock {
        match self {
            Source::Control(api) => api.clock(),
            Source::MariaDb(clients) => clients.clock(),
            Source::Passive => Clock::Real,
        }
    }

    /// One line for headers: `control API, virtual clock`.
    pub fn describe(&self) -> &'static str {
        match (self, self.clock()) {
            (Source::Control(_), Clock::Virtual) => "control API, virtual clock",
            (Source::Control(_), Clock::Real) => "control API, real clock",
            (Source::MariaDb(_), Clock::Virtual) => "MariaDB clients, virtual clock (control API)",
            (Source::MariaDb(_), Clock::Real) => "MariaDB clients, real clock",
            (Source::Passive, _) => "no control API, real clock",
        }
    }

    /// Why the source cannot do an action of this kind, if it cannot; asked of every
    /// `session:` step before a scenario runs, which is skipped with the reason. Only the kind
    /// and the open options count, never the ids. The control API and a passive source refuse
    /// nothing here (a passive source's sessions are the `sessions` requirement's).
    pub fn refuses(&self, action: &Action) -> Option<String> {
        match self {
            Source::MariaDb(clients) => clients.refuses(action),
            Source::Control(_) | Source::Passive => None,
        }
    }

    /// Why the source's sessions cannot stand a `control:` call, if they cannot (MariaDB
    /// clients: a handshake completed for them).
    pub fn refuses_control(&self, method: &str, path: &str) -> Option<String> {
        match self {
            Source::MariaDb(clients) => clients.refuses_control(method, path),
            Source::Control(_) | Source::Passive => None,
        }
    }

    /// Does an action. A passive source resets by doing nothing and waits for time on the wall;
    /// the other actions are refused.
    pub async fn act(&self, action: &Action) -> Result<Done, SourceError> {
        match (self, action) {
            (_, Action::Advance(wait)) if self.clock() == Clock::Real => wait_for(*wait).await,
            (Source::Control(api), _) => api.act(action).await,
            (Source::MariaDb(clients), _) => clients.act(action).await,
            (Source::Passive, Action::Reset) => Ok(Done::default()),
            (Source::Passive, _) => Err(SourceError {
                expected: format!("a session source that can {}", action.label()),
                actual: "the target has none (no control API)".into(),
                evidence: String::new(),
            }),
        }
    }

    /// Opens sessions; their ids.
    pub async fn open(&self, open: Open) -> Result<Vec<String>, SourceError> {
        Ok(self.act(&Action::Open(open)).await?.ids)
    }
}

/// Time passing on a real clock: the harness sleeps, at most [`MAX_REAL_WAIT`] at once.
pub(crate) async fn wait_for(wait: Duration) -> Result<Done, SourceError> {
    let evidence = format!("sleep {}", wait.as_secs_f64());
    if wait > MAX_REAL_WAIT {
        return Err(SourceError {
            expected: format!("a wait of at most {} s", MAX_REAL_WAIT.as_secs()),
            actual: format!("{} s", wait.as_secs_f64()),
            evidence,
        });
    }
    tokio::time::sleep(wait).await;
    Ok(Done {
        evidence,
        ..Done::default()
    })
}
