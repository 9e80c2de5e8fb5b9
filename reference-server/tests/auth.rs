//! Authentication and authorization over real HTTP: Basic credentials, the read-only account,
//! `--admin`, and JSON Web Tokens from `/v1/auth` (spec §2 steps 5–6, §10.1–§10.3).

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};
use support::{admin_auth, basic_auth, ro_auth, RawResponse, TestServer};

/// The raw 401 body (spec §10.1): a fixed text in MaxScale's spaced form, unaffected by `pretty`.
const ACCESS_DENIED: &str = r#"{"errors": [ { "detail": "Access denied" } ] }"#;
/// The raw 403 body of a basic account's token on a write (spec §10.2).
const ADMIN_REQUIRED: &str = r#"{"errors": [ { "detail": "Administrative access required" } ] }"#;
/// The `Date` of raw responses on the virtual clock: four-digit year (spec §10.11, doc-vs-code B32).
const RAW_DATE: &str = "Fri, 05 Jan 2024 07:24:06 GMT";
/// The `Date` of normal responses on the virtual clock: two-digit year (spec §10.11).
const NORMAL_DATE: &str = "Fri, 05 Jan 24 07:24:06 GMT";
/// The exact challenge value (spec §10.1).
const CHALLENGE: &str = "Basic realm=\"maxscale\"";

/// Asserts a raw 401 `Access denied` and whether it carries the Basic challenge.
fn assert_denied(r: &RawResponse, challenge: bool, what: &str) {
    assert_eq!(r.status, 401, "{what}: {r:?}");
    assert_eq!(r.body, ACCESS_DENIED, "{what}");
    let expected = challenge.then_some(CHALLENGE);
    assert_eq!(
        r.header("www-authenticate"),
        expected,
        "{what}: WWW-Authenticate"
    );
}

/// Asserts the header set of a raw error response: no Content-Type, Cache-Control or security
/// headers, a `Date` with a four-digit year and the body's length (spec §10.1).
fn assert_raw_headers(r: &RawResponse, what: &str) {
    for absent in [
        "content-type",
        "cache-control",
        "x-frame-options",
        "x-xss-protection",
        "referrer-policy",
        "etag",
        "last-modified",
    ] {
        assert_eq!(r.header(absent), None, "{what}: {absent} must be absent");
    }
    assert_eq!(r.header("date"), Some(RAW_DATE), "{what}");
    let dates = r.headers.iter().filter(|(n, _)| n == "date").count();
    assert_eq!(dates, 1, "{what}: exactly one Date header");
    assert_eq!(
        r.header("content-length"),
        Some(r.body.len().to_string().as_str()),
        "{what}"
    );
}

/// A token from `GET /v1/auth` with the given Basic credentials and query.
async fn token(server: &TestServer, authorization: &str, query: &str) -> String {
    let r = server
        .request(
            "GET",
            &format!("/v1/auth{query}"),
            &[("Authorization", authorization)],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "GET /v1/auth{query}: {r:?}");
    r.json()["meta"]["token"]
        .as_str()
        .expect("meta.token is a string")
        .to_string()
}

/// The claims of a JWT (its middle part).
fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a payload part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url payload"))
        .expect("JSON claims")
}

fn lifetime(token: &str) -> u64 {
    let c = claims(token);
    c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap()
}

/// `GET /v1/sessions` with a Bearer token.
async fn get_with(server: &TestServer, jwt: &str) -> RawResponse {
    server
        .request(
            "GET",
            "/v1/sessions",
            &[("Authorization", &bearer(jwt))],
            None,
        )
        .await
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn cookie(token: &str) -> String {
    format!("token_sig={token}")
}

const LOG_INFO_ON: &str = r#"{"data":{"attributes":{"parameters":{"log_info":true}}}}"#;

// ----- Basic authentication (spec §10.1) -----

#[tokio::test]
async fn missing_wrong_unknown_and_undecodable_credentials_get_the_raw_401_with_challenge() {
    let server = TestServer::start().await;
    let cases: [(&str, Vec<(&str, String)>); 5] = [
        ("no credentials", vec![]),
        (
            "wrong password",
            vec![("Authorization", basic_auth("admin", "wrong"))],
        ),
        (
            "unknown user",
            vec![("Authorization", basic_auth("nobody", "mariadb"))],
        ),
        (
            "undecodable",
            vec![("Authorization", "Basic !!!!".to_string())],
        ),
        (
            "no colon",
            vec![("Authorization", format!("Basic {}", "YWRtaW4="))],
        ),
    ];
    for (what, headers) in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        for target in ["/v1/sessions", "/v1/sessions/1", "/v1/nosuch"] {
            let r = server.request("GET", target, &headers, None).await;
            assert_denied(&r, true, &format!("{what} GET {target}"));
            assert_raw_headers(&r, what);
        }
    }
}

#[tokio::test]
async fn the_401_body_ignores_pretty() {
    // spec §10.10: raw error bodies are fixed strings, unaffected by `pretty`.
    let server = TestServer::start().await;
    for query in ["?pretty=false", "?pretty=true", ""] {
        let r = server
            .request("GET", &format!("/v1/sessions{query}"), &[], None)
            .await;
        assert_denied(&r, true, query);
    }
}

#[tokio::test]
async fn x_requested_with_xmlhttprequest_in_any_case_suppresses_the_challenge() {
    // spec §10.1: no WWW-Authenticate with `X-Requested-With: XMLHttpRequest`, case-insensitive.
    let server = TestServer::start().await;
    let wrong = basic_auth("admin", "wrong");
    for value in ["XMLHttpRequest", "xmlhttprequest", "XMLHTTPREQUEST"] {
        let r = server
            .request(
                "GET",
                "/v1/sessions",
                &[("X-Requested-With", value), ("Authorization", &wrong)],
                None,
            )
            .await;
        assert_denied(&r, false, value);
        assert_raw_headers(&r, value);
    }
    // Another value keeps the challenge.
    let r = server
        .request(
            "GET",
            "/v1/sessions",
            &[("X-Requested-With", "fetch")],
            None,
        )
        .await;
    assert_denied(&r, true, "X-Requested-With: fetch");
}

#[tokio::test]
async fn authentication_comes_before_the_method_and_body_checks() {
    // spec §10.1, §2 steps 6–9: without credentials an unknown method or an invalid body is a 401,
    // not a 405 or 400.
    let server = TestServer::start().await;
    let r = server.request("FOO", "/v1/sessions", &[], None).await;
    assert_denied(&r, true, "FOO without credentials");
    let r = server
        .request("PATCH", "/v1/sessions/1", &[], Some("{not json"))
        .await;
    assert_denied(&r, true, "invalid JSON without credentials");
    let r = server
        .request("GET", "/v1/sessions", &[], Some("{not json"))
        .await;
    assert_denied(&r, true, "GET with invalid JSON without credentials");
    // With credentials the same requests get past authentication.
    assert_eq!(server.admin("FOO", "/v1/sessions", None).await.status, 405);
    assert_eq!(
        server
            .admin("GET", "/v1/sessions", Some("{not json"))
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn admin_credentials_are_accepted() {
    let server = TestServer::start().await;
    let r = server.get("/v1/sessions").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("www-authenticate"), None);
    // A normal response has the 2-digit-year Date (spec §10.11), unlike the raw 401.
    assert_eq!(r.header("date"), Some(NORMAL_DATE));
}

// ----- the read-only (basic) account (spec §10.1) -----

#[tokio::test]
async fn read_only_account_may_get_head_and_options() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let ro = ro_auth();
    let h = [("Authorization", ro.as_str())];
    let one = format!("/v1/sessions/{id}");
    for (method, target, status) in [
        ("GET", "/v1/sessions", 200),
        ("GET", one.as_str(), 200),
        ("HEAD", one.as_str(), 200),
        ("OPTIONS", one.as_str(), 200),
        ("GET", "/v1/sessions/999999", 404),
        // spec §10.6 (P-auth): a basic account gets the 405 as well.
        ("FOO", "/v1/sessions", 405),
    ] {
        let r = server.request(method, target, &h, None).await;
        assert_eq!(r.status, status, "ro {method} {target}: {r:?}");
    }
}

#[tokio::test]
async fn read_only_account_gets_401_on_every_write() {
    // spec §10.1, §10.3 row 2: with Basic auth a write by a basic account is 401 with the
    // challenge (not 403), also for an unknown id or an unrouted path.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let ro = ro_auth();
    let h = [("Authorization", ro.as_str())];
    let writes = [
        ("PATCH", format!("/v1/sessions/{id}"), Some(LOG_INFO_ON)),
        ("POST", format!("/v1/sessions/{id}/restart"), None),
        ("POST", "/v1/sessions/restart".to_string(), None),
        ("DELETE", format!("/v1/sessions/{id}"), None),
        ("PUT", format!("/v1/sessions/{id}"), Some("{}")),
        ("DELETE", "/v1/sessions/999999".to_string(), None),
        ("POST", "/v1/nosuch".to_string(), None),
    ];
    for (method, target, body) in writes {
        let r = server.request(method, &target, &h, body).await;
        assert_denied(&r, true, &format!("ro {method} {target}"));
        assert_raw_headers(&r, &format!("ro {method} {target}"));
    }
    // Nothing was changed: still alive, log_info still off, no restart pending.
    let doc = server.get(&format!("/v1/sessions/{id}")).await.json();
    assert_eq!(
        doc["data"]["attributes"]["parameters"]["log_info"],
        json!(false)
    );
    assert_eq!(server.inspect(id).await["restart_pending"], json!(false));
}

#[tokio::test]
async fn read_only_account_cannot_write_through_method_override() {
    // doc-vs-code B16 (doc-normative): authorization judges the effective method.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let ro = ro_auth();
    let r = server
        .request(
            "GET",
            &format!("/v1/sessions/{id}"),
            &[
                ("Authorization", ro.as_str()),
                ("X-HTTP-Method-Override", "DELETE"),
            ],
            None,
        )
        .await;
    assert_denied(&r, true, "ro GET + override DELETE");
    assert_eq!(
        server.get(&format!("/v1/sessions/{id}")).await.status,
        200,
        "not killed"
    );
}

// ----- `--admin` (spec §10.1: the admin account is configurable) -----

#[tokio::test]
async fn admin_replacement_rejects_the_default_admin() {
    let server = TestServer::with(|c| c.admin = "me:pw".parse().unwrap()).await;
    let id = server.create_sessions(1).await[0];
    let old = server.get("/v1/sessions").await;
    assert_denied(&old, true, "default admin after --admin me:pw");
    let me = basic_auth("me", "pw");
    let h = [("Authorization", me.as_str())];
    assert_eq!(
        server.request("GET", "/v1/sessions", &h, None).await.status,
        200
    );
    let patch = server
        .request(
            "PATCH",
            &format!("/v1/sessions/{id}"),
            &h,
            Some(LOG_INFO_ON),
        )
        .await;
    assert_eq!(patch.status, 200, "the new admin may write");
    assert_denied(
        &server
            .request(
                "GET",
                "/v1/sessions",
                &[("Authorization", &basic_auth("me", "mariadb"))],
                None,
            )
            .await,
        true,
        "new user with the old password",
    );
}

// ----- JSON Web Tokens (spec §10.2) -----

#[tokio::test]
async fn auth_issues_a_token_with_exactly_maxscales_claims() {
    let server = TestServer::start().await;
    for path in ["/v1/auth", "/auth", "/v1/auth/"] {
        let r = server
            .request("GET", path, &[("Authorization", &admin_auth())], None)
            .await;
        assert_eq!(r.status, 200, "{path}");
        // A normal response (spec §10.2): Content-Type, 2-digit Date, security headers.
        assert_eq!(r.header("content-type"), Some("application/json"), "{path}");
        assert_eq!(r.header("date"), Some(NORMAL_DATE), "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        let doc = r.json();
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["meta"], "{path}: only meta");
        let jwt = doc["meta"]["token"].as_str().unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "{path}: header.payload.signature");
        for part in &parts {
            assert!(!part.is_empty(), "{path}: empty JWT part");
            assert!(
                URL_SAFE_NO_PAD.decode(part).is_ok(),
                "{path}: {part} is not base64url"
            );
        }
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "HS256");
        let c = claims(jwt);
        let mut names: Vec<&String> = c.as_object().unwrap().keys().collect();
        names.sort();
        assert_eq!(
            names,
            ["account", "aud", "exp", "iat", "iss", "sub"],
            "{path}"
        );
        assert_eq!(c["account"], "admin");
        assert_eq!(c["aud"], "admin");
        assert_eq!(c["sub"], "admin");
        assert_eq!(c["iss"], "maxscale");
        // iat is the (virtual) time of issue.
        assert_eq!(c["iat"], json!(1_704_439_446));
        assert_eq!(lifetime(jwt), 28_800, "{path}: default lifetime");
    }
}

#[tokio::test]
async fn read_only_account_gets_a_basic_token() {
    let server = TestServer::start().await;
    let jwt = token(&server, &ro_auth(), "").await;
    let c = claims(&jwt);
    assert_eq!(c["account"], "basic");
    assert_eq!(c["sub"], "ro");
    assert_eq!(c["aud"], "ro");
}

#[tokio::test]
async fn max_age_sets_the_lifetime_within_the_cap() {
    // spec §10.2: 1..2147483646 accepted, capped at 86400; other values ignored (28800).
    let server = TestServer::start().await;
    for (query, expected) in [
        ("?max-age=10", 10),
        ("?max-age=1", 1),
        ("?max-age=86400", 86_400),
        ("?max-age=999999999", 86_400),
        ("?max-age=0", 28_800),
        ("?max-age=-5", 28_800),
        ("?max-age=abc", 28_800),
        ("?max-age=", 28_800),
    ] {
        let jwt = token(&server, &admin_auth(), query).await;
        assert_eq!(lifetime(&jwt), expected, "{query}");
    }
}

#[tokio::test]
async fn persist_puts_the_token_in_a_cookie_with_204() {
    let server = TestServer::start().await;
    let r = server
        .request(
            "GET",
            "/v1/auth?persist=yes",
            &[("Authorization", &admin_auth())],
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.body, "");
    let set = r.header("set-cookie").expect("Set-Cookie");
    let jwt = set
        .strip_prefix("token_sig=")
        .and_then(|rest| rest.strip_suffix("; Path=/; SameSite=Strict; HttpOnly"))
        .unwrap_or_else(|| panic!("unexpected cookie {set}"));
    assert_eq!(jwt.split('.').count(), 3);
    assert_eq!(lifetime(jwt), 28_800);

    let r = server
        .request(
            "GET",
            "/v1/auth?persist=true&max-age=60",
            &[("Authorization", &admin_auth())],
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    let set = r.header("set-cookie").expect("Set-Cookie");
    let jwt = set
        .strip_prefix("token_sig=")
        .and_then(|rest| rest.strip_suffix("; Path=/; Max-Age=60; SameSite=Strict; HttpOnly"))
        .unwrap_or_else(|| panic!("unexpected cookie {set}"));
    assert_eq!(lifetime(jwt), 60);
    // The persisted token works as a cookie.
    let r = server
        .request("GET", "/v1/sessions", &[("Cookie", &cookie(jwt))], None)
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn logout_clears_the_cookie_without_credentials() {
    // spec §2 step 5, §10.2.
    let server = TestServer::start().await;
    for path in ["/v1/auth?logout=true", "/auth?logout=1"] {
        let r = server.request("GET", path, &[], None).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.body, "");
        assert_eq!(r.header("content-length"), Some("0"));
        assert_eq!(
            r.header("set-cookie"),
            Some("token_sig=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Strict; HttpOnly"),
            "{path}"
        );
    }
    // A non-truthy logout is a normal /auth request, which needs credentials.
    let r = server
        .request("GET", "/v1/auth?logout=abc", &[], None)
        .await;
    assert_denied(&r, false, "logout=abc without credentials");
}

#[tokio::test]
async fn admin_token_works_as_bearer_and_as_cookie_on_get_patch_and_delete() {
    // spec §10.2: token-authenticated admins use every session endpoint like Basic ones.
    let server = TestServer::start().await;
    let jwt = token(&server, &admin_auth(), "").await;
    let ids = server.create_sessions(2).await;
    for (auth_header, value, id) in [
        ("Authorization", bearer(&jwt), ids[0]),
        ("Cookie", format!("other=1; {}", cookie(&jwt)), ids[1]),
    ] {
        let h = [(auth_header, value.as_str())];
        let one = format!("/v1/sessions/{id}");
        let get = server.request("GET", &one, &h, None).await;
        assert_eq!(get.status, 200, "{auth_header} GET");
        let patch = server.request("PATCH", &one, &h, Some(LOG_INFO_ON)).await;
        assert_eq!(patch.status, 200, "{auth_header} PATCH");
        let doc = server.request("GET", &one, &h, None).await.json();
        assert_eq!(
            doc["data"]["attributes"]["parameters"]["log_info"],
            json!(true)
        );
        let delete = server.request("DELETE", &one, &h, None).await;
        assert_eq!(delete.status, 200, "{auth_header} DELETE");
        assert_eq!(
            server.request("GET", &one, &h, None).await.status,
            404,
            "killed"
        );
        assert_eq!(
            server.request("DELETE", &one, &h, None).await.status,
            404,
            "second DELETE"
        );
    }
}

#[tokio::test]
async fn a_token_wins_over_basic_credentials() {
    // spec §10.2: when a token is present Basic credentials are not consulted.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let ro_jwt = token(&server, &ro_auth(), "").await;
    let r = server
        .request(
            "PATCH",
            &format!("/v1/sessions/{id}"),
            &[
                ("Cookie", &cookie(&ro_jwt)),
                ("Authorization", &admin_auth()),
            ],
            Some(LOG_INFO_ON),
        )
        .await;
    assert_eq!(r.status, 403, "basic cookie + admin Basic credentials");
    // A valid admin token with wrong Basic credentials alongside still works.
    let admin_jwt = token(&server, &admin_auth(), "").await;
    let r = server
        .request(
            "GET",
            "/v1/sessions",
            &[
                ("Cookie", &cookie(&admin_jwt)),
                ("Authorization", &basic_auth("admin", "x")),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn basic_accounts_token_on_a_write_is_a_raw_403() {
    // spec §10.2, §10.3 row 3.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let jwt = token(&server, &ro_auth(), "").await;
    let one = format!("/v1/sessions/{id}");
    for (header, value) in [("Authorization", bearer(&jwt)), ("Cookie", cookie(&jwt))] {
        let h = [(header, value.as_str())];
        assert_eq!(
            server.request("GET", &one, &h, None).await.status,
            200,
            "{header} GET"
        );
        for (method, target, body) in [
            ("PATCH", one.clone(), Some(LOG_INFO_ON)),
            ("DELETE", one.clone(), None),
            ("POST", format!("{one}/restart"), None),
        ] {
            let r = server.request(method, &target, &h, body).await;
            assert_eq!(r.status, 403, "{header} {method}: {r:?}");
            assert_eq!(r.body, ADMIN_REQUIRED);
            assert_eq!(r.header("www-authenticate"), None);
            assert_raw_headers(&r, "403");
        }
        // Also with X-Requested-With (P-jwt).
        let r = server
            .request(
                "DELETE",
                &one,
                &[h[0], ("X-Requested-With", "XMLHttpRequest")],
                None,
            )
            .await;
        assert_eq!(r.status, 403);
    }
    assert_eq!(server.get(&one).await.status, 200, "the session survived");
    let doc = server.get(&one).await.json();
    assert_eq!(
        doc["data"]["attributes"]["parameters"]["log_info"],
        json!(false)
    );
}

#[tokio::test]
async fn invalid_tokens_get_401_without_challenge() {
    // spec §10.2: invalid token → 401 Access denied, no WWW-Authenticate.
    let server = TestServer::start().await;
    let jwt = token(&server, &admin_auth(), "").await;
    let mut tampered = jwt.clone();
    // Change one character of the payload.
    let at = jwt.find('.').unwrap() + 3;
    let replacement = if &jwt[at..at + 1] == "A" { "B" } else { "A" };
    tampered.replace_range(at..at + 1, replacement);
    let other_server = TestServer::with(|c| c.seed = 99).await;
    let foreign = token(&other_server, &admin_auth(), "").await;
    for (what, value) in [
        ("garbage", "nope".to_string()),
        ("tampered", tampered),
        ("signed with another key", foreign),
    ] {
        for (header, v) in [
            ("Authorization", bearer(&value)),
            ("Cookie", cookie(&value)),
        ] {
            let r = server
                .request("GET", "/v1/sessions", &[(header, v.as_str())], None)
                .await;
            assert_denied(&r, false, &format!("{what} token in {header}"));
            assert_raw_headers(&r, what);
        }
    }
}

#[tokio::test]
async fn tokens_expire_on_the_virtual_clock() {
    let server = TestServer::start().await;
    let short = token(&server, &admin_auth(), "?max-age=10").await;
    let default = token(&server, &admin_auth(), "").await;
    server.advance(9.0).await;
    assert_eq!(
        get_with(&server, &short).await.status,
        200,
        "9 s into a 10 s token"
    );
    server.advance(1.0).await;
    assert_denied(&get_with(&server, &short).await, false, "expired at exp");
    assert_eq!(
        get_with(&server, &default).await.status,
        200,
        "the 8 h token is still valid"
    );
    server.advance(28_789.0).await;
    assert_eq!(
        get_with(&server, &default).await.status,
        200,
        "1 s before exp"
    );
    server.advance(1.0).await;
    assert_denied(
        &get_with(&server, &default).await,
        false,
        "expired after 8 h",
    );
}

#[tokio::test]
async fn lower_case_bearer_falls_through_to_basic() {
    // spec §10.2: the scheme word is case-sensitive; `bearer <jwt>` is not a token.
    let server = TestServer::start().await;
    let jwt = token(&server, &admin_auth(), "").await;
    let r = server
        .request(
            "GET",
            "/v1/sessions",
            &[("Authorization", &format!("bearer {jwt}"))],
            None,
        )
        .await;
    assert_denied(&r, true, "bearer in lower case");
}

#[tokio::test]
async fn credential_failure_on_auth_has_no_challenge() {
    // spec §10.2: 401 Access denied without WWW-Authenticate on /auth.
    let server = TestServer::start().await;
    for (path, headers) in [
        ("/v1/auth", vec![]),
        (
            "/v1/auth",
            vec![("Authorization", basic_auth("admin", "wrong"))],
        ),
        ("/auth", vec![("Authorization", basic_auth("nobody", "x"))]),
        ("/v1/auth?persist=yes", vec![]),
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let r = server.request("GET", path, &headers, None).await;
        assert_denied(&r, false, path);
        assert_raw_headers(&r, path);
    }
}

#[tokio::test]
async fn post_auth_needs_an_admin_account() {
    // spec §10.2: any method works, but writes need an admin account; the read-only account's
    // POST is a 401 without challenge.
    let server = TestServer::start().await;
    let r = server
        .request("POST", "/v1/auth", &[("Authorization", &ro_auth())], None)
        .await;
    assert_denied(&r, false, "ro POST /v1/auth");
    let r = server
        .request("DELETE", "/v1/auth", &[("Authorization", &ro_auth())], None)
        .await;
    assert_denied(&r, false, "ro DELETE /v1/auth");
    let r = server
        .request(
            "POST",
            "/v1/auth",
            &[("Authorization", &admin_auth())],
            None,
        )
        .await;
    assert_eq!(r.status, 200, "admin POST /v1/auth");
    assert_eq!(
        claims(r.json()["meta"]["token"].as_str().unwrap())["account"],
        "admin"
    );
    // An unknown method on /auth also issues a token (P-jwt: FOO returns one).
    let r = server
        .request("FOO", "/v1/auth", &[("Authorization", &ro_auth())], None)
        .await;
    assert_eq!(r.status, 200, "ro FOO /v1/auth");
    assert_eq!(
        claims(r.json()["meta"]["token"].as_str().unwrap())["account"],
        "basic"
    );
}
