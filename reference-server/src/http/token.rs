//! `/v1/auth`: JSON Web Tokens for the REST API (spec §10.2).

use hyper::header::SET_COOKIE;
use hyper::StatusCode;
use serde_json::json;

use super::account::AccountType;
use super::options::Options;
use super::response::Reply;
use super::AppState;

/// Default token lifetime in seconds.
const DEFAULT_MAX_AGE: u64 = 28_800;
/// `admin_jwt_max_age` default: the cap on `max-age`.
const MAX_AGE_CAP: u64 = 86_400;

/// Issues a token for an authenticated account; `persist` puts it in a cookie instead (204).
pub(super) fn issue(
    state: &AppState,
    options: &Options,
    (user, account): &(String, AccountType),
) -> Reply {
    let requested = options
        .get("max-age")
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|age| (1..=2_147_483_646).contains(age));
    let lifetime = requested.map_or(DEFAULT_MAX_AGE, |age| age.min(MAX_AGE_CAP));
    let token = state.key.issue(user, *account, state.now_secs(), lifetime);
    if options.is_true("persist") {
        let max_age = requested.map_or(String::new(), |_| format!("; Max-Age={lifetime}"));
        Reply::empty(StatusCode::NO_CONTENT).with_header(
            SET_COOKIE,
            format!("token_sig={token}; Path=/{max_age}; SameSite=Strict; HttpOnly"),
        )
    } else {
        Reply::json(StatusCode::OK, json!({ "meta": { "token": token } }))
    }
}

/// `?logout=true`: clears the token cookie; needs no credentials.
pub(super) fn logout() -> Reply {
    Reply::empty(StatusCode::OK).with_header(
        SET_COOKIE,
        "token_sig=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict; HttpOnly",
    )
}
