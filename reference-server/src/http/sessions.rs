//! The session endpoints E1–E7 (spec §1, §4).

use hyper::{Method, StatusCode};

use super::conditional::{etag_of_parts, fails};
use super::options::atoi;
use super::response::Reply;
use super::router::Route;
use super::Ctx;
use crate::api::patch::{self, BadEntry};
use crate::api::session_doc::{self, RenderOptions};
use crate::json_text;
use crate::sim::snapshot::SessionView;
use crate::sim::{SessionUpdate, SimError, Simulation};

/// E1 `GET /v1/sessions`. Without row filtering, paging or sparse fieldsets the list is
/// rendered straight from its typed form; with them it becomes a `Value` tree to cut.
pub(super) fn list(ctx: &Ctx<'_>) -> Reply {
    let data = ctx
        .state
        .sim
        .view_all()
        .iter()
        .map(|view| session_doc::resource(view, &ctx.base, render_options(ctx, view)))
        .collect();
    let document = session_doc::collection(data, &ctx.base);
    if ctx.cuts_collection() {
        return Reply::json(StatusCode::OK, to_value(&document));
    }
    let etag = etag_of_parts(&document.links, &document.data);
    let text = json_text::render_serialize(&document, ctx.pretty());
    Reply::rendered(StatusCode::OK, etag, text)
}

/// A typed document as a `Value`; its types serialise to JSON without fail.
fn to_value<T: serde::Serialize>(document: &T) -> serde_json::Value {
    serde_json::to_value(document).expect("session documents serialise")
}

/// E2 `GET /v1/sessions/:id`: a well-formed id of no started session is an empty 404.
pub(super) fn one(ctx: &Ctx<'_>, id: u64) -> Reply {
    match ctx.state.sim.view(id) {
        Some(view) => Reply::json(
            StatusCode::OK,
            to_value(&session_doc::single(
                &view,
                &ctx.base,
                render_options(ctx, &view),
            )),
        ),
        // mutant: get-missing-answers-200 — an unknown id is an empty 200 (spec §4.2).
        None if ctx.state.faults.get_missing_answers_200 => Reply::empty(StatusCode::OK),
        None => Reply::empty(StatusCode::NOT_FOUND),
    }
}

/// spec §11: `rdns` truthy replaces `remote` by its name, unless `skip_name_resolve`; an address
/// without a name stays as it is.
fn render_options<'a>(ctx: &'a Ctx<'_>, view: &SessionView) -> RenderOptions<'a> {
    let topology = ctx.state.sim.topology();
    let rdns = ctx.options.is_true("rdns") && !topology.maxscale.skip_name_resolve;
    RenderOptions {
        remote_name: rdns.then(|| topology.reverse_dns(&view.remote)).flatten(),
        log_debug: ctx.state.profile.log_debug,
        faults: ctx.state.faults,
    }
}

/// E3–E7: PATCH, POST restart, DELETE.
pub(super) fn write(ctx: &Ctx<'_>, route: &Route) -> Reply {
    let reply = match (&ctx.method, route) {
        (&Method::POST, Route::RestartAll) => restart_all(ctx),
        (_, Route::Session(id) | Route::SessionFilters(id) | Route::SessionRestart(id)) => {
            session_write(ctx, route, *id)
        }
        _ => Reply::empty(StatusCode::NOT_FOUND),
    };
    if reply.status.is_success() {
        let now = ctx.state.now_secs();
        ctx.state.last_modified.stamp(&ctx.path.key(), now);
    }
    reply
}

/// A write on one session: existence, then preconditions, then the body, then the change.
/// Preconditions are checked before anything changes (doc-vs-code B11, B12); `If-None-Match`
/// and `If-Modified-Since` do not apply to writes (B13).
fn session_write(ctx: &Ctx<'_>, route: &Route, id: u64) -> Reply {
    let sim = &ctx.state.sim;
    if !sim.exists(id) {
        if ctx.state.faults.delete_missing_answers_200 && ctx.method == Method::DELETE {
            // mutant: delete-missing-answers-200 — an unknown id "is deleted" (spec §4.7).
            return Reply::empty(ctx.state.profile.mutation_status);
        }
        return Reply::empty(StatusCode::NOT_FOUND);
    }
    // If-Match compares with the session document a GET would answer now.
    let current = || ctx.etag(&one(ctx, id), &format!("sessions/{id}"));
    let modified = ctx.state.last_modified.get(&ctx.path.key());
    if fails(ctx.headers, current, modified) {
        return Reply::empty(StatusCode::PRECONDITION_FAILED);
    }
    let profile = ctx.state.profile;
    let empty = serde_json::Value::Null;
    let body = ctx.body.as_ref().unwrap_or(&empty);
    let result = match route {
        Route::SessionRestart(_) => sim.restart(id).map_err(|e| error_reply(&e)),
        Route::SessionFilters(_) => {
            apply(sim, id, patch::relationship_body(body)).map_err(|reply| {
                // spec §4.4: 24.02 answers E4's errors with an empty 400.
                if reply.status == StatusCode::BAD_REQUEST && !profile.relationship_errors_have_body
                {
                    Reply::empty(StatusCode::BAD_REQUEST)
                } else {
                    reply
                }
            })
        }
        _ if ctx.method == Method::DELETE => sim
            .kill(id, i64::from(ctx.options.get("ttl").map_or(0, atoi)))
            .map_err(|e| error_reply(&e)),
        _ => apply(sim, id, patch::session_body(body, profile)),
    };
    match result {
        Ok(()) => Reply::empty(profile.mutation_status),
        Err(reply) => reply,
    }
}

fn apply(sim: &Simulation, id: u64, decoded: Result<SessionUpdate, BadEntry>) -> Result<(), Reply> {
    let update = match decoded {
        Ok(update) => update,
        Err(bad) => {
            // spec §6.3.2: the first error in list order answers, an unknown name included.
            sim.check_filters(&bad.names_before)
                .map_err(|e| error_reply(&e))?;
            return Err(Reply::error(StatusCode::BAD_REQUEST, &[bad.detail]));
        }
    };
    sim.update(id, &update).map_err(|e| error_reply(&e))
}

fn error_reply(error: &SimError) -> Reply {
    match error {
        SimError::NotFound => Reply::empty(StatusCode::NOT_FOUND),
        SimError::UnknownFilter(_) | SimError::RestartRefused(_) => {
            Reply::error(StatusCode::BAD_REQUEST, &[error.to_string()])
        }
        other => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, &[other.to_string()]),
    }
}

/// E6: every session's acceptance; refusals make a 400 after the others were flagged
/// (spec §4.6, §7.4).
fn restart_all(ctx: &Ctx<'_>) -> Reply {
    let sim: &Simulation = &ctx.state.sim;
    let modified = ctx.state.last_modified.get(&ctx.path.key());
    let current = || ctx.etag(&list(ctx), "sessions");
    if fails(ctx.headers, current, modified) {
        return Reply::empty(StatusCode::PRECONDITION_FAILED);
    }
    let mut refusals = sim.restart_all();
    if refusals.is_empty() {
        Reply::empty(ctx.state.profile.mutation_status)
    } else {
        refusals.push("Could not restart all sessions".to_string());
        Reply::error(StatusCode::BAD_REQUEST, &refusals)
    }
}
