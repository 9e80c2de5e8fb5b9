//! The control API: the simulator's own endpoints under `/_sim/`, apart from MaxScale's paths
//! (a real MaxScale answers them with 404, which is how a client tells the two apart). They need
//! no credentials. The harness sets up its session states through them.
//!
//! | method and path | body | effect |
//! |---|---|---|
//! | `GET /_sim` | – | clock, seed, profile, session count, active mutant (or null) |
//! | `POST /_sim/sessions` | `{"count","service","user","remote","authenticated"}` | connect clients (at most 100000); 201 `{"ids":[…]}` |
//! | `GET /_sim/sessions/:id` | – | the simulation's own view of a session |
//! | `DELETE /_sim/sessions/:id` | `{"linger": bool}` | the client disconnects; with `linger` the session stays listed as "Stopping session" until the next tick |
//! | `POST /_sim/sessions/:id/query` | `{"statement"}` | a client request, answered at once |
//! | `POST /_sim/sessions/:id/busy` | `{"statement"}` | a client request that keeps running |
//! | `POST /_sim/sessions/:id/idle` | – | the running request completes |
//! | `POST /_sim/sessions/:id/authenticate` | – | an authenticating client completes its handshake |
//! | `POST /_sim/sessions/:id/internal-ops` | `{"pending": bool}` | restarts refused while pending (spec §7.1) |
//! | `POST /_sim/clock/advance` | `{"seconds": n}` or `{"millis": n}` | move the virtual clock, running its ticks |
//! | `POST /_sim/reset` | – | back to the initial state (same seed) |

use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::http::response::{Body, Reply};
use crate::http::{AppState, BODY_LIMIT};
use crate::sim::session::Session;
use crate::sim::{NewSessions, SimError};

/// The path prefix of the control API.
pub const PREFIX: &str = "/_sim";

/// Whether a request path belongs to the control API.
pub fn owns(path: &str) -> bool {
    path == PREFIX || path.starts_with("/_sim/")
}

/// Answers one control request.
pub async fn handle(state: &AppState, request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let reply = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(bytes) => {
            let bytes = bytes.to_bytes();
            let path: Vec<&str> = parts
                .uri
                .path()
                .trim_start_matches(PREFIX)
                .split('/')
                .filter(|p| !p.is_empty())
                .collect();
            route(state, &parts.method, &path, &bytes).unwrap_or_else(|reply| reply)
        }
        Err(_) => bad_request("request body too large or unreadable"),
    };
    reply.into_response(
        true,
        false,
        state.sim.clock().wall_secs(state.sim.clock().now()),
    )
}

type Outcome = Result<Reply, Reply>;

fn route(state: &AppState, method: &Method, path: &[&str], body: &[u8]) -> Outcome {
    let sim = &state.sim;
    match (method, path) {
        (&Method::GET, []) => Ok(ok(info(state))),
        (&Method::POST, ["sessions"]) => {
            let spec: CreateBody = parse(body)?;
            if spec.count > MAX_NEW_SESSIONS {
                return Err(bad_request(&format!(
                    "at most {MAX_NEW_SESSIONS} sessions per request"
                )));
            }
            let ids = sim
                .create_sessions(&NewSessions {
                    count: spec.count,
                    service: spec.service,
                    user: spec.user,
                    remote: spec.remote,
                    port: None,
                    authenticated: spec.authenticated,
                })
                .map_err(sim_error)?;
            Ok(Reply::json(StatusCode::CREATED, json!({ "ids": ids })))
        }
        (&Method::GET, ["sessions", id]) => {
            let session = sim.inspect(session_id(id)?).ok_or_else(not_found)?;
            Ok(ok(describe(state, &session)))
        }
        (&Method::DELETE, ["sessions", id]) => {
            let close: CloseBody = parse(body)?;
            done(sim.close(session_id(id)?, close.linger))
        }
        (&Method::POST, ["sessions", id, action]) => {
            let id = session_id(id)?;
            match *action {
                "query" | "busy" => {
                    let request: QueryBody = parse(body)?;
                    done(sim.client_request(id, &request.statement, *action == "query"))
                }
                "idle" => done(sim.finish_request(id)),
                "authenticate" => done(sim.authenticate(id)),
                "internal-ops" => {
                    let ops: InternalOpsBody = parse(body)?;
                    done(sim.set_internal_ops(id, ops.pending))
                }
                _ => Err(not_found()),
            }
        }
        (&Method::POST, ["clock", "advance"]) => {
            let by: AdvanceBody = parse(body)?;
            let duration = by.duration().map_err(|e| bad_request(&e))?;
            sim.advance(duration).map_err(sim_error)?;
            Ok(ok(info(state)))
        }
        (&Method::POST, ["reset"]) => {
            sim.reset();
            state.last_modified.clear();
            Ok(ok(info(state)))
        }
        _ => Err(not_found()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    #[serde(default = "one")]
    count: usize,
    service: Option<String>,
    user: Option<String>,
    remote: Option<String>,
    #[serde(default = "yes")]
    authenticated: bool,
}

/// Most clients one `POST /_sim/sessions` connects: a bound on what a single request can make
/// the simulation allocate.
const MAX_NEW_SESSIONS: usize = 100_000;

fn one() -> usize {
    1
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    #[serde(default)]
    linger: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryBody {
    #[serde(default = "select_one")]
    statement: String,
}

fn select_one() -> String {
    "SELECT 1".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InternalOpsBody {
    pending: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    seconds: Option<f64>,
    millis: Option<u64>,
}

/// Largest single step of the virtual clock: one day.
const MAX_ADVANCE: Duration = Duration::from_secs(86_400);

impl AdvanceBody {
    fn duration(&self) -> Result<Duration, String> {
        let duration = match (self.seconds, self.millis) {
            (Some(s), None) if s.is_finite() && s >= 0.0 => Duration::from_secs_f64(s.min(1e9)),
            (None, Some(ms)) => Duration::from_millis(ms),
            _ => return Err("give either \"seconds\" (≥ 0) or \"millis\"".to_string()),
        };
        if duration > MAX_ADVANCE {
            return Err(format!(
                "at most {} seconds per step",
                MAX_ADVANCE.as_secs()
            ));
        }
        Ok(duration)
    }
}

/// An empty body counts as `{}`.
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Reply> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| bad_request(&format!("invalid body: {e}")))
}

fn session_id(text: &str) -> Result<u64, Reply> {
    text.parse::<u64>()
        .map_err(|_| bad_request(&format!("'{text}' is not a session id")))
}

fn done(result: Result<(), SimError>) -> Outcome {
    result.map(|()| ok(json!({}))).map_err(sim_error)
}

fn ok(body: Value) -> Reply {
    Reply::json(StatusCode::OK, body)
}

fn not_found() -> Reply {
    Reply::error(
        StatusCode::NOT_FOUND,
        &["no such session or control endpoint"],
    )
}

fn bad_request(detail: &str) -> Reply {
    Reply::error(StatusCode::BAD_REQUEST, &[detail])
}

fn sim_error(error: SimError) -> Reply {
    let status = match error {
        SimError::NotFound => StatusCode::NOT_FOUND,
        SimError::RealClock | SimError::NotAuthenticating(_) => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    Reply::error(status, &[error.to_string()])
}

fn info(state: &AppState) -> Value {
    let sim = &state.sim;
    let clock = sim.clock();
    let now = clock.now();
    json!({
        "clock": clock.mode(),
        "monotonic_ms": now / 1_000_000,
        "wall_ms": clock.wall_ms(now),
        "seed": sim.config().seed,
        "profile": state.profile.name,
        "sessions": sim.session_count(),
        "mutant": state.faults.mutant.map(|m| m.name()),
    })
}

/// The simulation's own view of a session: what the REST API does not show.
fn describe(state: &AppState, s: &Session) -> Value {
    let topology = state.sim.topology();
    let filter_names = |list: &[usize]| -> Vec<&str> {
        list.iter()
            .map(|&f| topology.filters[f].name.as_str())
            .collect()
    };
    json!({
        "id": s.id,
        "state": s.state,
        "service": topology.services[s.service].name,
        "worker": s.worker,
        "user": s.user,
        "remote": s.remote,
        "busy": s.busy,
        "restart_pending": s.restart_pending,
        "internal_ops_pending": s.internal_ops_pending,
        "filters": filter_names(&s.filters),
        "pending_filters": s.pending_filters.as_deref().map(filter_names),
        "log_flags": s.log_flags,
        "ttl": s.ttl.map(|t| json!({ "seconds": t.seconds, "armed_at_ms": t.start_tick * 100 })),
        "backends": s.backends.iter().map(|b| json!({
            "server": topology.servers[b.server].name,
            "connection_id": b.connection_id,
        })).collect::<Vec<_>>(),
    })
}
