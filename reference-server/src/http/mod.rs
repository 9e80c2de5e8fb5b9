//! The REST layer: MaxScale's request pipeline (spec §2) over hyper. It holds no session state;
//! every answer comes from the simulation and the `api` documents.

pub(crate) mod account;
mod auth;
mod conditional;
mod jwt;
mod options;
mod query;
mod read;
mod resources;
pub(crate) mod response;
mod router;
pub(crate) mod server;
mod sessions;
mod token;

use std::sync::Arc;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use serde_json::Value;

use crate::api::LinkBase;
use crate::mutant::Faults;
use crate::profile::Profile;
use crate::sim::Simulation;
use account::{AccountType, Accounts};
use auth::Verdict;
use conditional::{etag_of_reply, LastModified};
use jwt::TokenKey;
use options::Options;
use response::{Body, Reply};
use router::ApiPath;

/// Largest request body accepted; MaxScale has no limit (spec §10.16), a simulator needs one.
pub const BODY_LIMIT: usize = 1 << 20;

/// Everything the REST layer needs, shared by all connections.
#[derive(Debug)]
pub struct AppState {
    pub sim: Arc<Simulation>,
    pub profile: &'static Profile,
    pub accounts: Accounts,
    pub key: TokenKey,
    pub last_modified: LastModified,
    /// The deliberate defects to answer with (`crate::mutant`): the simulation's.
    pub faults: Faults,
    /// Large lists being rendered at once. Each holds its whole text in memory (about 3 KB per
    /// session), so without a bound a burst of lists of 100,000 sessions exhausts memory; the
    /// others wait their turn.
    large_lists: tokio::sync::Semaphore,
}

/// Large lists rendered at the same time: one per core of the 2-core machines this runs on.
const LARGE_LISTS_AT_ONCE: usize = 2;

impl AppState {
    /// The REST layer over a simulation.
    pub fn new(sim: Arc<Simulation>, profile: &'static Profile, accounts: Accounts) -> AppState {
        let started = sim.clock().wall_secs(0);
        let key = TokenKey::from_seed(sim.config().seed);
        let faults = sim.config().faults;
        AppState {
            sim,
            profile,
            accounts,
            key,
            last_modified: LastModified::new(started),
            faults,
            large_lists: tokio::sync::Semaphore::new(LARGE_LISTS_AT_ONCE),
        }
    }

    fn now_secs(&self) -> u64 {
        self.sim.clock().wall_secs(self.sim.clock().now())
    }
}

/// One request as the handlers see it, after authentication and body parsing.
pub(crate) struct Ctx<'a> {
    pub state: &'a AppState,
    pub method: Method,
    pub path: ApiPath,
    pub options: Options,
    pub headers: &'a HeaderMap,
    pub base: LinkBase,
    pub body: Option<Value>,
}

/// The seven methods MaxScale knows; anything else is a 405 (spec §2 step 9).
const KNOWN_METHODS: [Method; 7] = [
    Method::GET,
    Method::PUT,
    Method::PATCH,
    Method::POST,
    Method::DELETE,
    Method::OPTIONS,
    Method::HEAD,
];

fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// The method after `X-HTTP-Method-Override` (spec §10.4): `None` when it is not one of the
/// seven known methods. An empty override value is ignored.
fn effective_method(real: &Method, headers: &HeaderMap) -> Option<Method> {
    let method = match headers.get("x-http-method-override").map(|v| v.as_bytes()) {
        Some(value) if !value.is_empty() => Method::from_bytes(value).ok()?,
        _ => real.clone(),
    };
    KNOWN_METHODS.contains(&method).then_some(method)
}

/// Answers one request of MaxScale's REST API (spec §2).
pub async fn handle(state: Arc<AppState>, request: Request<Incoming>) -> Response<Body> {
    let wrong_content_type = state.faults.wrong_content_type;
    let mut response = pipeline(state, request).await;
    if wrong_content_type && response.headers().contains_key(CONTENT_TYPE) {
        // mutant: wrong-content-type — JSON bodies go out as text/plain (spec §10.11).
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    }
    response
}

/// MaxScale's request pipeline, step by step (spec §2).
async fn pipeline(state: Arc<AppState>, request: Request<Incoming>) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let head = parts.method == Method::HEAD;
    let path = ApiPath::parse(parts.uri.path());
    let options = Options::parse(parts.uri.query());
    let pretty = !options.is_false("pretty");
    let effective = effective_method(&parts.method, &parts.headers);
    let is_auth_endpoint = path.parts == ["auth"];

    // spec §2 step 5: logout needs no credentials.
    if is_auth_endpoint && options.is_true("logout") {
        return token::logout().into_response(pretty, head, state.now_secs());
    }
    // spec §2 step 6, with the doc-normative fix of doc-vs-code B16: authorization judges the
    // effective method, so a read-only account cannot write through an override.
    let judged = effective.as_ref().unwrap_or(&parts.method);
    let unguarded_patch = *judged == Method::PATCH && !is_auth_endpoint;
    let verdict = if state.faults.patch_without_auth && unguarded_patch {
        // mutant: patch-without-auth — a PATCH is let through without credentials (spec §10.1).
        Verdict::Allowed {
            user: String::new(),
            account: AccountType::Admin,
        }
    } else {
        auth::judge(
            &parts.headers,
            &state.accounts,
            &state.key,
            state.now_secs(),
            is_write(judged),
        )
    };
    let account = match verdict {
        Verdict::Allowed { user, account } => (user, account),
        Verdict::Denied { challenge } => {
            let xhr = parts
                .headers
                .get("x-requested-with")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"XMLHttpRequest"));
            let mut reply = Reply::raw(StatusCode::UNAUTHORIZED, "Access denied");
            if challenge && !xhr && !is_auth_endpoint {
                reply = reply.with_header(WWW_AUTHENTICATE, "Basic realm=\"maxscale\"");
            }
            return reply.into_response(pretty, head, state.now_secs());
        }
        Verdict::Forbidden => {
            return Reply::raw(StatusCode::FORBIDDEN, "Administrative access required")
                .into_response(pretty, head, state.now_secs());
        }
    };

    // spec §2 step 7: any non-empty body must be a JSON object or array.
    let body = match read_body(body).await {
        Ok(body) => body,
        Err(reply) => return reply.into_response(pretty, head, state.now_secs()),
    };
    if is_auth_endpoint {
        return token::issue(&state, &options, &account).into_response(
            pretty,
            head,
            state.now_secs(),
        );
    }
    let Some(method) = effective else {
        return Reply::empty(StatusCode::METHOD_NOT_ALLOWED).into_response(
            pretty,
            head,
            state.now_secs(),
        );
    };
    let host = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    let answers_head = method == Method::HEAD;
    let base = LinkBase::new(&host, path.versioned);
    let offload = matches!(method, Method::GET | Method::HEAD)
        && path.parts == ["sessions"]
        && state.sim.session_count() > OFFLOAD_THRESHOLD;
    let run = move |state: &AppState| {
        let ctx = Ctx {
            state,
            method,
            path,
            options,
            headers: &parts.headers,
            base,
            body,
        };
        dispatch(&ctx).into_response(pretty, answers_head, state.now_secs())
    };
    if offload {
        // Rendering a large list takes a while: keep it off the threads that serve other
        // requests, and render only a few at once.
        let _turn = state.large_lists.acquire().await;
        let shared = Arc::clone(&state);
        match tokio::task::spawn_blocking(move || run(&shared)).await {
            Ok(response) => response,
            Err(_) => Reply::empty(StatusCode::INTERNAL_SERVER_ERROR).into_response(
                pretty,
                head,
                state.now_secs(),
            ),
        }
    } else {
        run(&state)
    }
}

/// Collections larger than this are rendered on the blocking pool.
const OFFLOAD_THRESHOLD: usize = 500;

async fn read_body(body: Incoming) -> Result<Option<Value>, Reply> {
    let bytes = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return Err(Reply::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &[format!("Request body larger than {BODY_LIMIT} bytes")],
            ))
        }
        Err(error) => {
            return Err(Reply::error(
                StatusCode::BAD_REQUEST,
                &[format!("Failed to read request body: {error}")],
            ))
        }
    };
    if bytes.is_empty() {
        return Ok(None);
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(value @ (Value::Object(_) | Value::Array(_))) => Ok(Some(value)),
        Ok(_) => Err(Reply::raw(
            StatusCode::BAD_REQUEST,
            "Invalid JSON in request: '[' or '{' expected",
        )),
        Err(error) => Err(Reply::raw(
            StatusCode::BAD_REQUEST,
            &format!("Invalid JSON in request: {error}"),
        )),
    }
}

/// spec §2 step 10: route, then the handler.
fn dispatch(ctx: &Ctx<'_>) -> Reply {
    match ctx.method {
        Method::OPTIONS => options_reply(ctx),
        Method::GET | Method::HEAD => read::get(ctx, ctx.method == Method::HEAD),
        _ => {
            let topology = ctx.state.sim.topology();
            match router::resolve(&ctx.method, &ctx.path, topology) {
                Ok(route) if route.needs_body(&ctx.method) && ctx.body.is_none() => {
                    Reply::error(StatusCode::BAD_REQUEST, &["Missing request body"])
                }
                Ok(route) => sessions::write(ctx, &route),
                Err(miss) => not_found(&miss),
            }
        }
    }
}

/// spec §10.6: `Accept` lists the methods with a route; none → 404.
fn options_reply(ctx: &Ctx<'_>) -> Reply {
    // spec §10.9: the failing preconditions hold for OPTIONS too; its ETag is the empty body's.
    let modified = ctx.state.last_modified.get(&ctx.path.key());
    if conditional::fails(
        ctx.headers,
        || conditional::EMPTY_ETAG.to_string(),
        modified,
    ) {
        return Reply::empty(StatusCode::PRECONDITION_FAILED);
    }
    match router::allowed(&ctx.path, ctx.state.sim.topology()) {
        Ok(methods) => {
            Reply::empty(StatusCode::OK).with_header(hyper::header::ACCEPT, methods.join(", "))
        }
        Err(_) => Reply::empty(StatusCode::NOT_FOUND),
    }
}

/// The 404 of a path that matched no route (spec §3.3).
fn not_found(miss: &router::Miss) -> Reply {
    match miss.detail() {
        Some(detail) => Reply::error(StatusCode::NOT_FOUND, &[detail]),
        None => Reply::empty(StatusCode::NOT_FOUND),
    }
}

impl Ctx<'_> {
    /// Whether the reply is indented (spec §10.10).
    fn pretty(&self) -> bool {
        !self.options.is_false("pretty")
    }

    /// The ETag of the document `reply` holds, which is the resource at path `key`
    /// (spec §10.8): what GET sends and what `If-Match` compares with.
    fn etag(&self, reply: &Reply, key: &str) -> String {
        let tag = etag_of_reply(reply);
        if self.state.faults.etag_stale && tag != conditional::EMPTY_ETAG {
            // mutant: etag-stale — a document's ETag hashes its path, so a changed body keeps
            // it (spec §10.8).
            return conditional::etag(Some(&Value::String(key.to_string())));
        }
        tag
    }

    /// Whether a collection reply is filtered, paged or cut by sparse fieldsets.
    fn cuts_collection(&self) -> bool {
        let o = &self.options;
        o.get("filter").is_some()
            || o.get("page[size]").is_some()
            || !o.bracketed("filter").is_empty()
            || !o.bracketed("fields").is_empty()
    }
}
