//! The REST behaviour around the session resource over real HTTP: routing, methods, headers,
//! serialisation, rdns, sparse fieldsets, row filtering, pagination, ETag / Last-Modified,
//! conditional requests and request bodies (spec §2, §3, §10, §11; doc-vs-code B).

mod support;

use std::collections::BTreeSet;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use reference_server::Topology;
use serde_json::{json, Value};
use support::{admin_auth, RawResponse, TestServer};

/// MaxScale's `Date` on the virtual clock's first second (two-digit year, spec §10.11).
const NORMAL_DATE: &str = "Fri, 05 Jan 24 07:24:06 GMT";
/// The simulated process start, as `Last-Modified` shows it (four-digit year, spec §10.8).
const STARTED: &str = "Fri, 05 Jan 2024 07:24:06 GMT";
/// SHA-1 of the empty string: the ETag of HEAD answers and body-less 404s (spec §10.6, §10.8).
const EMPTY_ETAG: &str = "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"";
/// The Host of the captures; the empty collection's ETag depends on it (spec §10.8).
const CAPTURE_HOST: &str = "127.0.0.1:8989";

const LOG_INFO_ON: &str = r#"{"data":{"attributes":{"parameters":{"log_info":true}}}}"#;
const TWO_FILTERS: &str = r#"{"data":{"relationships":{"filters":{"data":[{"id":"my-log-filter","type":"filters"},{"id":"my-regex-filter","type":"filters"}]}}}}"#;

// ----- helpers -----

/// Percent-encodes a query value completely.
fn q(value: &str) -> String {
    utf8_percent_encode(value, NON_ALPHANUMERIC).to_string()
}

/// A request as the admin account with an explicit `Host` header (links and ETags depend on it).
async fn with_host(
    server: &TestServer,
    method: &str,
    target: &str,
    host: &str,
    headers: &[(&str, &str)],
) -> RawResponse {
    let mut text = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAuthorization: {}\r\n",
        admin_auth()
    );
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    server.send_raw(text.as_bytes()).await
}

/// A GET as admin with extra headers.
async fn get_with(server: &TestServer, target: &str, headers: &[(&str, &str)]) -> RawResponse {
    let auth = admin_auth();
    let mut all = vec![("Authorization", auth.as_str())];
    all.extend_from_slice(headers);
    server.request("GET", target, &all, None).await
}

/// `GET /v1/sessions<query>` that must answer 200; the document.
async fn list(server: &TestServer, query: &str) -> Value {
    let r = server.get(&format!("/v1/sessions{query}")).await;
    assert_eq!(r.status, 200, "GET /v1/sessions{query}: {}", r.body);
    r.json()
}

/// The `id`s of a collection's `data`, in order.
fn ids(doc: &Value) -> Vec<String> {
    doc["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|row| row["id"].as_str().expect("id is a string").to_string())
        .collect()
}

/// The `id`s of a collection's `data` as a set of numbers.
fn id_set(doc: &Value) -> BTreeSet<u64> {
    ids(doc).iter().map(|id| id.parse().unwrap()).collect()
}

fn set(ids: &[u64]) -> BTreeSet<u64> {
    ids.iter().copied().collect()
}

/// Asserts an empty-bodied answer without Content-Type.
fn assert_empty(r: &RawResponse, status: u16, what: &str) {
    assert_eq!(r.status, status, "{what}: {r:?}");
    assert_eq!(r.body, "", "{what}: body");
    assert_eq!(r.header("content-type"), None, "{what}: Content-Type");
    assert_eq!(
        r.header("content-length"),
        Some("0"),
        "{what}: Content-Length"
    );
}

/// Asserts a JSON error document with exactly these details.
fn assert_error(r: &RawResponse, status: u16, details: &[&str], what: &str) {
    assert_eq!(r.status, status, "{what}: {r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"), "{what}");
    assert_eq!(r.details(), details, "{what}");
}

fn assert_etag_format(tag: &str) {
    let hex = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or_else(|| panic!("ETag {tag} is not quoted"));
    assert_eq!(hex.len(), 40, "{tag}");
    assert!(
        hex.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{tag} is not lower-case hex"
    );
}

/// A topology with one service over one server, plus the given `[maxscale]` lines.
fn topology(global: &str) -> Topology {
    Topology::parse(&format!(
        "[maxscale]\n{global}\n\n[server1]\ntype=server\naddress=127.0.0.1\nport=3306\n\n\
         [RW-Split-Router]\ntype=service\nrouter=readwritesplit\nservers=server1\nuser=u\npassword=p\n"
    ))
    .expect("valid topology")
}

// ----- routing (spec §3.1–§3.4) -----

#[tokio::test]
async fn trailing_and_leading_slashes_are_ignored() {
    // spec §3.1: all trailing slashes removed, leading slashes ignored.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    for target in [
        "/v1/sessions/".to_string(),
        "/v1/sessions//".to_string(),
        format!("/v1/sessions/{id}/"),
        format!("/v1/sessions/{id}//"),
        format!("//v1/sessions/{id}"),
    ] {
        let r = server.get(&target).await;
        assert_eq!(r.status, 200, "{target}: {r:?}");
        assert!(r.json()["data"].is_array() || r.json()["data"]["id"] == json!(id.to_string()));
    }
}

#[tokio::test]
async fn an_empty_segment_matches_nothing() {
    // spec §3.1: `/v1//sessions` keeps an empty part → 404, empty body.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    assert_empty(&server.get("/v1//sessions").await, 404, "/v1//sessions");
    assert_empty(
        &server.get(&format!("/v1//sessions/{id}")).await,
        404,
        "/v1//sessions/N",
    );
    assert_empty(
        &server.get(&format!("/v1/sessions//{id}")).await,
        404,
        "/v1/sessions//N",
    );
}

#[tokio::test]
async fn the_version_prefix_is_optional_and_links_follow_it() {
    // spec §3.1, §3.2 (cap 119): `/sessions` works; its links have no `/v1/`.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let host = server.host();
    let doc = server.get("/sessions").await.json();
    assert_eq!(doc["links"]["self"], format!("http://{host}/sessions/"));
    assert_eq!(
        doc["data"][0]["links"]["self"],
        format!("http://{host}/sessions/{id}/")
    );
    let rel = &doc["data"][0]["relationships"]["services"]["links"];
    assert_eq!(
        rel["self"],
        format!("http://{host}/sessions/{id}/relationships/services/")
    );
    assert_eq!(rel["related"], format!("http://{host}/services/"));
    let one = server.get(&format!("/sessions/{id}")).await.json();
    assert_eq!(
        one["links"]["self"],
        format!("http://{host}/sessions/{id}/")
    );
    // With the prefix, the links have it.
    let doc = server.get("/v1/sessions").await.json();
    assert_eq!(doc["links"]["self"], format!("http://{host}/v1/sessions/"));
    assert_eq!(
        doc["data"][0]["links"]["self"],
        format!("http://{host}/v1/sessions/{id}/")
    );
}

#[tokio::test]
async fn links_copy_the_host_header_verbatim() {
    // spec §3.2: base = `http://` + the verbatim Host header.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let r = with_host(
        &server,
        "GET",
        &format!("/v1/sessions/{id}"),
        "example.com",
        &[],
    )
    .await;
    assert_eq!(
        r.json()["links"]["self"],
        format!("http://example.com/v1/sessions/{id}/")
    );
}

#[tokio::test]
async fn other_versions_double_prefixes_and_wrong_case_are_404() {
    // spec §3.1: only the first `v1` is dropped, `/v2` is unknown, matching is case-sensitive.
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    for target in [
        "/v1/v1/sessions",
        "/v2/sessions",
        "/v1/Sessions",
        "/v1/SESSIONS",
        "/v1/nosuch",
        "/v1/sessions/1/restart",
        "/v1/sessions/abc/x",
    ] {
        assert_empty(&server.get(target).await, 404, target);
    }
}

#[tokio::test]
async fn the_path_is_percent_decoded() {
    // spec §3.1: `/v1/%73essions` is `/v1/sessions`; `%31` is `1`.
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    let r = server.get("/v1/%73essions").await;
    assert_eq!(r.status, 200);
    assert_eq!(ids(&r.json()), ["1"]);
    let r = server.get("/v1/sessions/%31").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["data"]["id"], "1");
}

#[tokio::test]
async fn session_id_syntax_follows_the_table_of_spec_3_4() {
    let server = TestServer::start().await;
    server.create_sessions(7).await;
    let host = server.host();
    // `007` is session 7; links carry the canonical id (spec §3.2).
    let r = server.get("/v1/sessions/007").await;
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert_eq!(doc["data"]["id"], "7");
    assert_eq!(
        doc["links"]["self"],
        format!("http://{host}/v1/sessions/7/")
    );
    assert_eq!(
        doc["data"]["links"]["self"],
        format!("http://{host}/v1/sessions/7/")
    );
    // Malformed ids: 404 with `<part> is not a session`, the part percent-decoded.
    for (raw, part) in [
        ("0", "0"),
        ("-1", "-1"),
        ("+1", "+1"),
        ("%201", " 1"),
        ("1%20", "1 "),
        ("1a", "1a"),
        ("1.0", "1.0"),
        ("0x1", "0x1"),
        ("abc", "abc"),
        ("1e3", "1e3"),
        ("18446744073709551616", "18446744073709551616"),
        ("99999999999999999999999", "99999999999999999999999"),
        ("restart", "restart"),
    ] {
        let r = server.get(&format!("/v1/sessions/{raw}")).await;
        assert_error(&r, 404, &[&format!("{part} is not a session")], raw);
    }
    // The largest u64 is well-formed: no such session → empty 404.
    assert_empty(
        &server.get("/v1/sessions/18446744073709551615").await,
        404,
        "2^64-1",
    );
    assert_empty(&server.get("/v1/sessions/999999").await, 404, "unknown id");
}

#[tokio::test]
async fn malformed_ids_get_the_error_document_on_writes_too() {
    // spec §3.3 (cap 69, 89, 96, 101).
    let server = TestServer::start().await;
    let cases = [
        ("DELETE", "/v1/sessions/abc", None),
        ("POST", "/v1/sessions/abc/restart", None),
        ("PATCH", "/v1/sessions/0", Some(LOG_INFO_ON)),
        (
            "PATCH",
            "/v1/sessions/x/relationships/filters",
            Some(r#"{"data":[]}"#),
        ),
    ];
    for (method, target, body) in cases {
        let r = server.admin(method, target, body).await;
        let part = target.split('/').nth(3).unwrap();
        assert_error(&r, 404, &[&format!("{part} is not a session")], target);
    }
}

// ----- methods (spec §1, §10.6, doc-vs-code B5) -----

#[tokio::test]
async fn unknown_methods_are_405_with_an_empty_body() {
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    for method in ["FOO", "TRACE"] {
        for target in ["/v1/sessions", "/v1/sessions/1", "/v1/nosuch"] {
            let r = server.admin(method, target, None).await;
            assert_empty(&r, 405, &format!("{method} {target}"));
            assert_eq!(r.header("allow"), None, "no Allow header");
        }
    }
    // spec §10.4: an override that is not one of the seven methods (case-sensitive) is a 405.
    let auth = admin_auth();
    // (A trailing space, `DELETE `, cannot be sent: HTTP/1.1 strips it from header values.)
    for value in ["delete", "FOO", "Delete"] {
        let r = server
            .request(
                "GET",
                "/v1/sessions/1",
                &[
                    ("Authorization", auth.as_str()),
                    ("X-HTTP-Method-Override", value),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, 405, "override {value:?}");
    }
}

#[tokio::test]
async fn known_methods_without_a_route_are_404_with_an_empty_body() {
    // spec §1 "Not routed", §3.3 (cap 56–58).
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    for (method, target, body) in [
        ("PUT", "/v1/sessions", Some(r#"{"data": {}}"#)),
        ("POST", "/v1/sessions", Some(r#"{"data": {}}"#)),
        ("DELETE", "/v1/sessions", None),
        ("PATCH", "/v1/sessions", Some("{}")),
        ("PUT", "/v1/sessions/1", Some(r#"{"data": {}}"#)),
        ("POST", "/v1/sessions/1", None),
        ("DELETE", "/v1/sessions/1/restart", None),
        ("PATCH", "/v1/sessions/1/relationships/services", Some("{}")),
    ] {
        assert_empty(
            &server.admin(method, target, body).await,
            404,
            &format!("{method} {target}"),
        );
    }
    assert_eq!(
        server.get("/v1/sessions/1").await.status,
        200,
        "nothing was killed"
    );
}

#[tokio::test]
async fn relationship_self_links_do_not_resolve() {
    // spec §1, §13.12 (cap 36, 37).
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    server
        .admin("PATCH", "/v1/sessions/1", Some(TWO_FILTERS))
        .await;
    for target in [
        "/v1/sessions/1/relationships/filters",
        "/v1/sessions/1/relationships/services",
    ] {
        assert_empty(&server.get(target).await, 404, target);
    }
}

#[tokio::test]
async fn the_root_answers_200_with_an_empty_body() {
    // spec §10.18: health check.
    let server = TestServer::start().await;
    for target in ["/", "/v1/", "/v1"] {
        let r = server.get(target).await;
        assert_empty(&r, 200, target);
    }
}

#[tokio::test]
async fn options_lists_accept_from_get_put_post_delete_never_patch() {
    // spec §10.6 (cap 46–48, 81–84).
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    for (target, accept) in [
        ("/v1/sessions", "GET"),
        ("/v1/sessions/1", "GET, DELETE"),
        ("/v1/sessions/999999", "GET, DELETE"),
        ("/v1/sessions/1/restart", "POST"),
        ("/v1/sessions/restart", "POST"),
    ] {
        let r = server.admin("OPTIONS", target, None).await;
        assert_empty(&r, 200, target);
        assert_eq!(r.header("accept"), Some(accept), "{target}");
        assert_eq!(r.header("allow"), None, "{target}: never Allow (B6)");
        assert_eq!(r.header("etag"), None, "{target}: no ETag");
        assert_eq!(
            r.header("last-modified"),
            None,
            "{target}: no Last-Modified"
        );
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{target}");
    }
    // A PATCH-only path has nothing to list → 404.
    let r = server
        .admin("OPTIONS", "/v1/sessions/1/relationships/filters", None)
        .await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("accept"), None);
    // A malformed id → 404 (doc-vs-code B31: the body may be empty or an error document).
    let r = server.admin("OPTIONS", "/v1/sessions/abc", None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.header("accept"), None);
    if !r.body.is_empty() {
        assert_eq!(r.details(), ["abc is not a session"]);
    }
}

#[tokio::test]
async fn head_answers_like_get_without_the_body() {
    // spec §10.6 (cap 51–53, 109).
    let server = TestServer::start().await;
    // Empty collection first (cap 109).
    let r = server.admin("HEAD", "/v1/sessions", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    server.create_sessions(2).await;
    for target in ["/v1/sessions", "/v1/sessions/1", "/v1/sessions/2/"] {
        let get = server.get(target).await;
        let head = server.admin("HEAD", target, None).await;
        assert_eq!(head.status, get.status, "{target}");
        assert_eq!(head.body, "", "{target}");
        assert_eq!(
            head.header("content-type"),
            Some("application/json"),
            "{target}"
        );
        assert_eq!(head.header("content-length"), Some("0"), "{target}");
        assert_eq!(head.header("etag"), Some(EMPTY_ETAG), "{target}");
        assert_ne!(
            get.header("etag"),
            Some(EMPTY_ETAG),
            "{target}: GET hashes its body"
        );
        assert_eq!(head.header("last-modified"), Some(STARTED), "{target}");
        assert_eq!(head.header("cache-control"), Some("no-cache"), "{target}");
    }
    let missing = server.admin("HEAD", "/v1/sessions/999999", None).await;
    assert_empty(&missing, 404, "HEAD of an unknown id");
    assert_eq!(missing.header("etag"), Some(EMPTY_ETAG));
}

// ----- response headers (spec §10.11) -----

#[tokio::test]
async fn normal_responses_carry_the_standard_headers() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let security = [
        ("cache-control", "no-cache"),
        ("x-frame-options", "Deny"),
        ("x-xss-protection", "1"),
        ("referrer-policy", "same-origin"),
    ];
    let with_body = server.get(&format!("/v1/sessions/{id}")).await;
    let patch = server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(LOG_INFO_ON))
        .await;
    let not_found = server.get("/v1/sessions/999999").await;
    let not_allowed = server.admin("FOO", "/v1/sessions", None).await;
    let bad_filter = server.get("/v1/sessions?filter=/id=bad").await;
    for (what, r) in [
        ("GET 200", &with_body),
        ("PATCH 200", &patch),
        ("GET 404", &not_found),
        ("FOO 405", &not_allowed),
        ("filter 400", &bad_filter),
    ] {
        for (name, value) in security {
            assert_eq!(r.header(name), Some(value), "{what}: {name}");
        }
        assert_eq!(
            r.header("date"),
            Some(NORMAL_DATE),
            "{what}: 2-digit-year Date"
        );
        let dates = r.headers.iter().filter(|(n, _)| n == "date").count();
        assert_eq!(dates, 1, "{what}: one Date");
        assert_eq!(
            r.header("content-length"),
            Some(r.body.len().to_string().as_str()),
            "{what}: Content-Length"
        );
        for never in ["allow", "accept-patch", "location", "www-authenticate"] {
            assert_eq!(r.header(never), None, "{what}: {never}");
        }
        // Content-Type only with a body.
        let expected = (!r.body.is_empty()).then_some("application/json");
        assert_eq!(r.header("content-type"), expected, "{what}: Content-Type");
    }
    assert!(!with_body.body.is_empty() && patch.body.is_empty() && not_found.body.is_empty());
    // The Date follows the (virtual) clock.
    server.advance(3600.0).await;
    let later = server.get("/v1/sessions").await;
    assert_eq!(later.header("date"), Some("Fri, 05 Jan 24 08:24:06 GMT"));
}

// ----- pretty (spec §10.10, doc-vs-code B18) -----

#[tokio::test]
async fn pretty_indents_by_default_and_falsy_values_compact() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let target = format!("/v1/sessions/{id}");
    let reference = server.get(&target).await.json();
    for query in [
        "",
        "?pretty",
        "?pretty=",
        "?pretty=true",
        "?pretty=1",
        "?pretty=abc",
        "?pretty=%20false",
    ] {
        let body = server.get(&format!("{target}{query}")).await.body;
        assert!(
            body.starts_with("{\n    \"data\": {\n        \"attributes\": {\n"),
            "{query}: {body}"
        );
        assert!(
            body.contains("\n    \"links\": {\n        \"self\": "),
            "{query}"
        );
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            reference,
            "{query}"
        );
    }
    for query in [
        "?pretty=false",
        "?pretty=FALSE",
        "?pretty=off",
        "?pretty=no",
        "?pretty=0",
        "?Pretty=false",
        "?pretty=false&pretty=true",
    ] {
        let body = server.get(&format!("{target}{query}")).await.body;
        assert!(
            !body.contains('\n') && !body.contains("\": ") && !body.contains(", \""),
            "{query}: {body}"
        );
        assert!(
            body.starts_with("{\"data\":{\"attributes\":{\"client\":{"),
            "{query}: {body}"
        );
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            reference,
            "{query}"
        );
    }
}

#[tokio::test]
async fn keys_are_sorted_at_every_level() {
    // spec §10.10.
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    let body = server.get("/v1/sessions/1?pretty=false").await.body;
    let order = [
        "\"client\"",
        "\"connected\"",
        "\"connections\"",
        "\"idle\"",
        "\"io_activity\"",
        "\"log\"",
        "\"memory\"",
        "\"parameters\"",
        "\"port\"",
        "\"queries\"",
        "\"remote\"",
        "\"seconds_alive\"",
        "\"state\"",
        "\"thread\"",
        "\"user\"",
        "\"id\"",
        "\"links\"",
        "\"relationships\"",
        "\"type\"",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|key| body.find(key).unwrap_or_else(|| panic!("{key} missing")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{body}");
}

// ----- rdns (spec §11) -----

#[tokio::test]
async fn truthy_rdns_replaces_the_remote_address_on_e1_and_e2() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let port = server.get(&format!("/v1/sessions/{id}")).await.json()["data"]["attributes"]["port"]
        .clone();
    for query in [
        "?rdns=true",
        "?rdns=TRUE",
        "?rdns=on",
        "?rdns=yes",
        "?rdns=1",
        "?RDNS=true",
    ] {
        let one = server
            .get(&format!("/v1/sessions/{id}{query}"))
            .await
            .json();
        assert_eq!(
            one["data"]["attributes"]["remote"], "localhost",
            "E2{query}"
        );
        assert_eq!(
            one["data"]["attributes"]["port"], port,
            "E2{query}: port unchanged"
        );
        let all = list(&server, query).await;
        assert_eq!(
            all["data"][0]["attributes"]["remote"], "localhost",
            "E1{query}"
        );
    }
    for query in ["", "?rdns", "?rdns=", "?rdns=false", "?rdns=abc", "?rdns=0"] {
        let one = server
            .get(&format!("/v1/sessions/{id}{query}"))
            .await
            .json();
        assert_eq!(
            one["data"]["attributes"]["remote"], "127.0.0.1",
            "E2{query}"
        );
        let all = list(&server, query).await;
        assert_eq!(
            all["data"][0]["attributes"]["remote"], "127.0.0.1",
            "E1{query}"
        );
    }
}

#[tokio::test]
async fn an_address_without_a_name_stays() {
    // spec §11: on lookup failure (no PTR record, non-IP such as `localhost`) the text stays.
    let server = TestServer::start().await;
    for remote in ["192.0.2.7", "localhost"] {
        let created = server
            .control("POST", "/_sim/sessions", json!({ "remote": remote }))
            .await;
        let id = created["ids"][0].as_u64().unwrap();
        let one = server
            .get(&format!("/v1/sessions/{id}?rdns=true"))
            .await
            .json();
        assert_eq!(one["data"]["attributes"]["remote"], remote);
    }
}

#[tokio::test]
async fn skip_name_resolve_ignores_rdns() {
    // spec §11: ignored entirely when `[maxscale] skip_name_resolve=true`.
    let server = TestServer::with(|c| c.topology = topology("skip_name_resolve=true")).await;
    let id = server.create_sessions(1).await[0];
    let one = server
        .get(&format!("/v1/sessions/{id}?rdns=true"))
        .await
        .json();
    assert_eq!(one["data"]["attributes"]["remote"], "127.0.0.1");
    assert_eq!(
        list(&server, "?rdns=true").await["data"][0]["attributes"]["remote"],
        "127.0.0.1"
    );
    // The same topology without the setting resolves.
    let server = TestServer::with(|c| c.topology = topology("skip_name_resolve=false")).await;
    let id = server.create_sessions(1).await[0];
    let one = server
        .get(&format!("/v1/sessions/{id}?rdns=true"))
        .await
        .json();
    assert_eq!(one["data"]["attributes"]["remote"], "localhost");
}

// ----- sparse fieldsets (spec §10.13) -----

/// The members of the resource, and its attributes / relationships keys.
fn shape(resource: &Value) -> (Vec<String>, Option<Vec<String>>, Option<Vec<String>>) {
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    (
        keys(resource).unwrap(),
        keys(&resource["attributes"]),
        keys(&resource["relationships"]),
    )
}

#[tokio::test]
async fn fields_keeps_only_the_named_paths() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(TWO_FILTERS))
        .await;
    let full = server.get(&format!("/v1/sessions/{id}")).await.json()["data"].clone();
    let get = |spec: &str| {
        let target = format!("/v1/sessions/{id}?fields[sessions]={spec}");
        let server = &server;
        async move {
            let r = server.get(&target).await;
            assert_eq!(r.status, 200, "{target}");
            r.json()["data"].clone()
        }
    };
    let all = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let base = all(&["attributes", "id", "links", "type"]);

    let r = get("state").await;
    assert_eq!(
        shape(&r),
        (base.clone(), Some(all(&["state"])), None),
        "state"
    );
    assert_eq!(r["attributes"]["state"], "Session started");
    assert_eq!(r["id"], full["id"]);
    assert_eq!(r["links"], full["links"]);
    assert_eq!(r["type"], "sessions");

    let r = get("services").await;
    assert_eq!(
        shape(&r),
        (
            all(&["id", "links", "relationships", "type"]),
            None,
            Some(all(&["services"]))
        ),
        "services"
    );
    assert_eq!(
        r["relationships"]["services"],
        full["relationships"]["services"]
    );

    let r = get("filters").await;
    assert_eq!(
        r["relationships"],
        json!({ "filters": full["relationships"]["filters"] })
    );

    let r = get("memory/total,state").await;
    assert_eq!(
        r["attributes"],
        json!({ "memory": { "total": full["attributes"]["memory"]["total"] }, "state": "Session started" })
    );
    assert_eq!(
        get("memory/bogus").await["attributes"],
        json!({ "memory": {} })
    );
    // The descent stops at arrays: the whole array is kept.
    assert_eq!(
        get("connections/server").await["attributes"],
        json!({ "connections": full["attributes"]["connections"] })
    );
    assert_eq!(
        get("state/x").await["attributes"],
        json!({ "state": "Session started" })
    );
    assert_eq!(
        get("/state").await["attributes"],
        json!({ "state": "Session started" })
    );
    assert_eq!(
        get(",,state,,").await["attributes"],
        json!({ "state": "Session started" })
    );
    assert_eq!(
        get("memory//total").await["attributes"],
        json!({ "memory": { "total": full["attributes"]["memory"]["total"] } })
    );
    assert_eq!(
        get("services/links/self").await["relationships"],
        json!({ "services": { "links": { "self": full["relationships"]["services"]["links"]["self"] } } })
    );
    assert_eq!(
        get("client/connection_attributes/_pid").await["attributes"],
        json!({ "client": { "connection_attributes": { "_pid": full["attributes"]["client"]["connection_attributes"]["_pid"] } } })
    );
    // Names that are neither attributes nor relationships leave only id, type, links.
    for spec in [
        "relationships",
        "attributes",
        "id",
        "type,links",
        "nosuchfield",
    ] {
        let r = get(spec).await;
        assert_eq!(
            shape(&r),
            (all(&["id", "links", "type"]), None, None),
            "{spec}"
        );
    }
    // An empty value changes nothing; another type is untouched; the type name is lower-cased.
    assert_eq!(get("").await, full);
    let other = server
        .get(&format!("/v1/sessions/{id}?fields[services]=state"))
        .await
        .json();
    assert_eq!(other["data"], full);
    let upper = server
        .get(&format!("/v1/sessions/{id}?fields[Sessions]=state"))
        .await
        .json();
    assert_eq!(
        upper["data"]["attributes"],
        json!({ "state": "Session started" })
    );
    // The first of two fields[sessions] options wins.
    let twice = server
        .get(&format!(
            "/v1/sessions/{id}?fields[sessions]=state&fields[sessions]=user"
        ))
        .await
        .json();
    assert_eq!(
        twice["data"]["attributes"],
        json!({ "state": "Session started" })
    );
}

#[tokio::test]
async fn fields_applies_to_every_row_of_the_collection() {
    // spec §10.13 (cap 8).
    let server = TestServer::start().await;
    server.create_sessions(3).await;
    let doc = list(&server, "?fields[sessions]=state,user").await;
    let rows = doc["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_eq!(
            row["attributes"],
            json!({ "state": "Session started", "user": "maxuser" })
        );
        assert!(row.get("relationships").is_none());
        assert!(row["links"]["self"].is_string());
    }
    assert!(doc["links"]["self"].is_string(), "top-level links stay");
}

// ----- row filtering (spec §10.14, doc-vs-code B19–B21) -----

/// Sessions 1–3 started, 4 still authenticating ("Session created"); session 2 has `log_info`.
/// Workers: 1 and 3 on thread 0, 2 and 4 on thread 1.
async fn filter_fixture() -> TestServer {
    let server = TestServer::start().await;
    assert_eq!(server.create_sessions(3).await, [1, 2, 3]);
    server
        .control("POST", "/_sim/sessions", json!({ "authenticated": false }))
        .await;
    let r = server
        .admin("PATCH", "/v1/sessions/2", Some(LOG_INFO_ON))
        .await;
    assert_eq!(r.status, 200);
    let threads: Vec<(String, Value)> = list(&server, "").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["attributes"]["thread"].clone(),
            )
        })
        .collect();
    for (id, thread) in threads {
        let expected = if id == "1" || id == "3" { 0 } else { 1 };
        assert_eq!(thread, json!(expected), "session {id} thread");
    }
    server
}

#[tokio::test]
async fn filter_json_values_and_expressions_select_rows() {
    let server = filter_fixture().await;
    let cases: &[(&str, &[u64])] = &[
        // cap 73: a bare JSON string means eq.
        (r#"/attributes/state="Session started""#, &[1, 2, 3]),
        // cap 110.
        (r#"/attributes/state=eq("Session started")"#, &[1, 2, 3]),
        (r#"/attributes/state="Session created""#, &[4]),
        (r#"/attributes/state=ne("Session started")"#, &[4]),
        // cap 111.
        (r#"/id=or(eq("2"),eq("999"))"#, &[2]),
        // Session ids are strings: numbers never equal them (B20).
        (r#"/id="2""#, &[2]),
        ("/id=2", &[]),
        ("/id=eq(2)", &[]),
        ("/id=and(ge(50),le(100))", &[1, 2, 3, 4]),
        (r#"/id=ge("2")"#, &[2, 3, 4]),
        (r#"/id=lt("2")"#, &[1]),
        (r#"/id=not(eq("1"),eq("2"))"#, &[3, 4]),
        // cap 113.
        (
            r#"/relationships/services/data/0/id="RW-Split-Router""#,
            &[1, 2, 3, 4],
        ),
        (r#"/attributes/connections/0/server="server1""#, &[1, 2, 3]),
        // Integers, reals and strings differ (spec §10.14).
        ("/attributes/thread=0", &[1, 3]),
        ("/attributes/thread=0.0", &[]),
        (r#"/attributes/thread="0""#, &[]),
        ("/attributes/thread=gt(0)", &[2, 4]),
        // Pointer forms: leading `/` optional, `//` collapses, unresolved pointers drop the row.
        (r#"attributes/state="Session created""#, &[4]),
        (r#"//attributes//state="Session created""#, &[4]),
        ("/attributes/nosuch=ne(0)", &[]),
        ("/attributes/connections/server=le(0)", &[]),
        // An empty pointer compares the whole row.
        (r#"=ne("x")"#, &[1, 2, 3, 4]),
        // doc-vs-code B21 (doc-normative): bare true, false and null are accepted.
        ("/attributes/parameters/log_info=true", &[2]),
        ("/attributes/parameters/log_info=false", &[1, 3, 4]),
        ("/attributes/client/connection_attributes=null", &[4]),
    ];
    for (filter, expected) in cases {
        let doc = list(&server, &format!("?filter={}", q(filter))).await;
        assert_eq!(id_set(&doc), set(expected), "filter={filter}");
    }
    // A `+` in the query value is a space (spec §10.5).
    let doc = list(
        &server,
        "?filter=/attributes/state=eq(%22Session+started%22)",
    )
    .await;
    assert_eq!(id_set(&doc), set(&[1, 2, 3]));
    // Option names are lower-cased.
    let doc = list(&server, &format!("?FILTER={}", q(r#"/id="3""#))).await;
    assert_eq!(id_set(&doc), set(&[3]));
}

#[tokio::test]
async fn filter_on_reals_needs_real_operands() {
    // spec §10.14: `idle` is a real, so `gt(1)` never matches but `gt(1.0)` does.
    let server = filter_fixture().await;
    server.advance(2.0).await;
    let all = list(&server, "").await;
    for row in all["data"].as_array().unwrap() {
        assert!(row["attributes"]["idle"].is_f64(), "idle is a real");
    }
    assert_eq!(
        id_set(&list(&server, "?filter=/attributes/idle=gt(1)").await),
        set(&[])
    );
    assert_eq!(
        id_set(&list(&server, "?filter=/attributes/idle=gt(1.0)").await),
        set(&[1, 2, 3])
    );
    // `le` is true whenever the types differ (spec §10.14).
    assert_eq!(
        id_set(&list(&server, "?filter=/attributes/idle=lt(100)").await),
        set(&[])
    );
    assert_eq!(
        id_set(&list(&server, "?filter=/attributes/idle=le(100)").await),
        set(&[1, 2, 3, 4])
    );
}

#[tokio::test]
async fn a_filter_without_equals_is_ignored() {
    // spec §10.14 (cap 12): no `=` → no filtering, still 200.
    let server = filter_fixture().await;
    for query in ["?filter=/attributes/state", "?filter="] {
        assert_eq!(
            id_set(&list(&server, query).await),
            set(&[1, 2, 3, 4]),
            "{query}"
        );
    }
}

#[tokio::test]
async fn bad_filter_expressions_are_400_with_maxscales_messages() {
    // spec §10.14, the P-filter list and cap 10–12, 112.
    let server = filter_fixture().await;
    let cases = [
        (
            "/attributes/state=Session started",
            "Not a valid filter expression: Session started",
        ),
        (
            "/attributes/state=Nope",
            "Not a valid filter expression: Nope",
        ),
        ("/attributes/state=eq(", "Invalid JSON: "),
        (
            r#"/a=and(eq("x"), eq("y"))"#,
            r#"Not a valid filter expression:  eq("y"))"#,
        ),
        (
            r#"/a= eq("x")"#,
            r#"Not a valid filter expression:  eq("x")"#,
        ),
        (r#"/a=eq ("x")"#, "Expected '(', got ' '"),
        ("/a=eq", "Expected '(', got ''"),
        ("/a=eq(1", "Expected ')', got ''"),
        ("/a=eq(1,2)", "Expected ')', got ','"),
        (r#"/a=eq("x") "#, "Unexpected trailing data:  "),
        (r#"="Session started"=x"#, "Unexpected trailing data: =x"),
        ("/a=", "Empty filter expression"),
        ("/a=and()", "Not a valid filter expression: )"),
        (r#"/a="a"#, r#"Not a valid filter expression: "a"#),
        ("/a=foo(1)", "Not a valid filter expression: foo(1)"),
        (
            "/attributes/user=maxuser",
            "Not a valid filter expression: maxuser",
        ),
        ("/id=bad", "Not a valid filter expression: bad"),
    ];
    for (filter, detail) in cases {
        let r = server
            .get(&format!("/v1/sessions?filter={}", q(filter)))
            .await;
        assert_error(&r, 400, &[detail], filter);
    }
    // cap 10 exactly as sent.
    let r = server
        .get("/v1/sessions?filter=/attributes/state=Session%20started")
        .await;
    assert_error(
        &r,
        400,
        &["Not a valid filter expression: Session started"],
        "cap 10",
    );
    let r = server.get("/v1/sessions?filter[id]=").await;
    assert_error(&r, 400, &["Empty filter expression"], "filter[id]=");
    let r = server.get("/v1/sessions?filter[id]=bad").await;
    assert_error(
        &r,
        400,
        &["Not a valid filter expression: bad"],
        "filter[id]=bad",
    );
}

#[tokio::test]
async fn jsonpath_filters_select_rows_of_the_collection() {
    // spec §10.14 `filter[<jsonpath>]` (cap 13, 114).
    let server = filter_fixture().await;
    let cases: &[(&str, &str, &[u64])] = &[
        ("$.attributes.user", r#"eq("maxuser")"#, &[1, 2, 3]),
        ("attributes.user", r#"eq("maxuser")"#, &[1, 2, 3]),
        ("id", r#"eq("2")"#, &[2]),
        ("$.id", r#"eq("2")"#, &[2]),
        ("$['id']", r#"eq("2")"#, &[2]),
        (
            "$.attributes.connections[*].server",
            r#"eq("server1")"#,
            &[1, 2, 3],
        ),
        (
            "$.attributes.connections[0].server",
            r#"eq("server1")"#,
            &[1, 2, 3],
        ),
        ("$.attributes.parameters.*", "eq(true)", &[2]),
        ("$.attributes.state", r#""Session created""#, &[4]),
        // Unsupported syntax matches nothing.
        ("$..id", r#"eq("2")"#, &[]),
        (
            "$.attributes.connections[0:2].server",
            r#"eq("server1")"#,
            &[],
        ),
        ("[user]", r#"eq("maxuser")"#, &[]),
    ];
    for (path, expr, expected) in cases {
        let doc = list(&server, &format!("?filter[{}]={}", q(path), q(expr))).await;
        assert_eq!(id_set(&doc), set(expected), "filter[{path}]={expr}");
    }
    // Several filter[…] options, and filter with filter[…], are ANDed.
    let doc = list(
        &server,
        &format!(
            "?filter[id]={}&filter[$.attributes.thread]=eq(0)",
            q(r#"ge("2")"#)
        ),
    )
    .await;
    assert_eq!(id_set(&doc), set(&[3]));
    let doc = list(
        &server,
        &format!(
            "?filter=/attributes/thread=0&filter[id]={}",
            q(r#"eq("1")"#)
        ),
    )
    .await;
    assert_eq!(id_set(&doc), set(&[1]));
    // An option name without the closing bracket is not a filter.
    assert_eq!(
        id_set(&list(&server, "?filter[id=eq(%222%22)").await),
        set(&[1, 2, 3, 4])
    );
}

#[tokio::test]
async fn filters_and_pages_are_ignored_on_a_single_session() {
    // doc-vs-code B19 (doc-normative): individual resources are not filtered; spec §4.2 (cap 116,
    // 117): `page[…]` is ignored.
    let server = filter_fixture().await;
    let plain = server.get("/v1/sessions/2").await.json();
    for query in [
        format!("filter[id]={}", q(r#"eq("x")"#)),
        format!("filter[id]={}", q(r#"eq("2")"#)),
        format!("filter={}", q(r#"/id="x""#)),
        format!("filter={}", q(r#"/attributes/state="nope""#)),
        "page[size]=1&page[number]=5".to_string(),
    ] {
        let r = server.get(&format!("/v1/sessions/2?{query}")).await;
        assert_eq!(r.status, 200, "{query}: {}", r.body);
        assert_eq!(r.json(), plain, "{query}");
    }
    // spec §4.2 (P-jsonpath): an expression that does not parse is still a 400.
    for query in ["filter[id]=bad", "filter=/id=bad"] {
        let r = server.get(&format!("/v1/sessions/2?{query}")).await;
        assert_eq!(r.status, 400, "{query}: {}", r.body);
        assert_eq!(
            r.details(),
            ["Not a valid filter expression: bad"],
            "{query}"
        );
    }
    // cap 116: the filter is ignored, fields still apply.
    let r = server
        .get(&format!(
            "/v1/sessions/2?filter={}&fields[sessions]=state",
            q(r#"/attributes/state="nope""#)
        ))
        .await;
    assert_eq!(
        r.json()["data"]["attributes"],
        json!({ "state": "Session started" })
    );
    // An unknown id stays an empty 404.
    let r = server
        .get(&format!(
            "/v1/sessions/999999?filter[id]={}",
            q(r#"eq("x")"#)
        ))
        .await;
    assert_empty(&r, 404, "filter[…] on an unknown id");
}

// ----- pagination (spec §10.7, doc-vs-code B24–B26) -----

fn page_link(host: &str, size: u64, number: u64) -> String {
    format!("http://{host}/v1/sessions/?page%5Bsize%5D={size}&page%5Bnumber%5D={number}")
}

#[tokio::test]
async fn pages_slice_the_collection_with_links_and_total() {
    let server = TestServer::start().await;
    server.create_sessions(4).await;
    let host = server.host();
    let all = ids(&list(&server, "").await);
    assert_eq!(all.len(), 4);
    // cap 14.
    let doc = list(&server, "?page[size]=1").await;
    assert_eq!(ids(&doc), [all[0].clone()]);
    assert_eq!(doc["meta"], json!({ "total": 4 }));
    assert_eq!(
        doc["links"],
        json!({
            "self": page_link(&host, 1, 0),
            "first": page_link(&host, 1, 0),
            "last": page_link(&host, 1, 3),
            "next": page_link(&host, 1, 1),
        })
    );
    // cap 15.
    let doc = list(&server, "?page[size]=1&page[number]=1").await;
    assert_eq!(ids(&doc), [all[1].clone()]);
    assert_eq!(
        doc["links"],
        json!({
            "self": page_link(&host, 1, 1),
            "first": page_link(&host, 1, 0),
            "last": page_link(&host, 1, 3),
            "next": page_link(&host, 1, 2),
            "prev": page_link(&host, 1, 0),
        })
    );
    // The last page has no next.
    let doc = list(&server, "?page[size]=3&page[number]=1").await;
    assert_eq!(ids(&doc), [all[3].clone()]);
    assert_eq!(doc["links"]["prev"], page_link(&host, 3, 0));
    assert!(doc["links"].get("next").is_none());
    assert_eq!(doc["links"]["last"], page_link(&host, 3, 1));
    // cap 16: past the end → empty, no next, no prev.
    let doc = list(&server, "?page[size]=1&page[number]=99").await;
    assert_eq!(doc["data"], json!([]));
    assert_eq!(doc["meta"], json!({ "total": 4 }));
    assert_eq!(
        doc["links"],
        json!({
            "self": page_link(&host, 1, 99),
            "first": page_link(&host, 1, 0),
            "last": page_link(&host, 1, 3),
        })
    );
    // Other options are not carried into the links; option names are lower-cased.
    let doc = list(
        &server,
        "?PAGE[SIZE]=2&pretty=false&rdns=true&fields[sessions]=state",
    )
    .await;
    assert_eq!(ids(&doc), all[..2]);
    assert_eq!(doc["links"]["self"], page_link(&host, 2, 0));
    assert_eq!(doc["links"]["next"], page_link(&host, 2, 1));
    // `+1` is " 1" = 1 (spec §10.5).
    assert_eq!(
        ids(&list(&server, "?page[size]=+1").await),
        [all[0].clone()]
    );
}

#[tokio::test]
async fn a_page_past_the_end_is_empty_even_when_everything_fits_on_one_page() {
    // doc-vs-code B25 (doc-normative): 24.02 returns every row when total ≤ size.
    let server = TestServer::start().await;
    server.create_sessions(3).await;
    let host = server.host();
    for query in [
        "?page[size]=3&page[number]=1",
        "?page[size]=5&page[number]=3",
    ] {
        let doc = list(&server, query).await;
        assert_eq!(doc["data"], json!([]), "{query}");
        assert_eq!(doc["meta"], json!({ "total": 3 }), "{query}");
        assert!(doc["links"].get("next").is_none() && doc["links"].get("prev").is_none());
    }
    let doc = list(&server, "?page[size]=5").await;
    assert_eq!(doc["data"].as_array().unwrap().len(), 3);
    assert_eq!(doc["links"]["last"], page_link(&host, 5, 0));
}

#[tokio::test]
async fn an_empty_collection_has_last_page_zero() {
    // doc-vs-code B26 (doc-normative): `links.last` is page 0, not -1.
    let server = TestServer::start().await;
    let host = server.host();
    let doc = list(&server, "?page[size]=2").await;
    assert_eq!(doc["data"], json!([]));
    assert_eq!(doc["meta"], json!({ "total": 0 }));
    assert_eq!(
        doc["links"],
        json!({
            "self": page_link(&host, 2, 0),
            "first": page_link(&host, 2, 0),
            "last": page_link(&host, 2, 0),
        })
    );
}

#[tokio::test]
async fn invalid_page_options_switch_pagination_off() {
    // spec §10.7 (cap 79, 80).
    let server = TestServer::start().await;
    server.create_sessions(3).await;
    let plain = list(&server, "").await;
    for query in [
        "?page[size]=0",
        "?page[size]=-1",
        "?page[size]=abc",
        "?page[number]=1",
        "?page[size]=1&page[number]=-1",
    ] {
        let doc = list(&server, query).await;
        assert_eq!(doc, plain, "{query}");
        assert!(doc.get("meta").is_none(), "{query}: no meta");
    }
}

#[tokio::test]
async fn filter_fields_and_page_apply_together() {
    // cap 76: filter, then page, then fields.
    let server = TestServer::start().await;
    server.create_sessions(3).await;
    server
        .control("POST", "/_sim/sessions", json!({ "authenticated": false }))
        .await;
    let host = server.host();
    let started: Vec<String> = list(&server, "").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["attributes"]["state"] == "Session started")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(started.len(), 3);
    let doc = list(
        &server,
        "?filter=/attributes/state=%22Session%20started%22&fields[sessions]=state,user&page[size]=1",
    )
    .await;
    assert_eq!(ids(&doc), [started[0].clone()]);
    assert_eq!(
        doc["data"][0]["attributes"],
        json!({ "state": "Session started", "user": "maxuser" })
    );
    assert!(doc["data"][0].get("relationships").is_none());
    assert_eq!(doc["meta"], json!({ "total": 3 }));
    assert_eq!(
        doc["links"],
        json!({
            "self": page_link(&host, 1, 0),
            "first": page_link(&host, 1, 0),
            "last": page_link(&host, 1, 2),
            "next": page_link(&host, 1, 1),
        })
    );
    // Without the version prefix, the links have none either.
    let doc = server.get("/sessions?page[size]=1").await.json();
    assert_eq!(
        doc["links"]["self"],
        format!("http://{host}/sessions/?page%5Bsize%5D=1&page%5Bnumber%5D=0")
    );
}

// ----- ETag (spec §10.8) -----

#[tokio::test]
async fn etags_hash_the_body() {
    let server = TestServer::start().await;
    let id = server.create_sessions(2).await[0];
    let one = format!("/v1/sessions/{id}");
    let a = server.get(&one).await;
    let b = server.get(&one).await;
    let tag = a.header("etag").unwrap().to_string();
    assert_etag_format(&tag);
    assert_eq!(a.body, b.body, "the virtual clock keeps the document still");
    assert_eq!(
        b.header("etag"),
        Some(tag.as_str()),
        "identical bodies, identical ETags"
    );
    // Different documents, different ETags.
    let other = server.get(&format!("/v1/sessions/{}", id + 1)).await;
    assert_ne!(other.header("etag"), Some(tag.as_str()));
    let all = server.get("/v1/sessions").await;
    assert_etag_format(all.header("etag").unwrap());
    // A change gives a new ETag.
    server.admin("PATCH", &one, Some(LOG_INFO_ON)).await;
    let c = server.get(&one).await;
    assert_ne!(c.header("etag"), Some(tag.as_str()), "after PATCH");
    let tag = c.header("etag").unwrap().to_string();
    server.advance(1.0).await;
    assert_ne!(
        server.get(&one).await.header("etag"),
        Some(tag.as_str()),
        "after time passed"
    );
}

#[tokio::test]
async fn etag_is_that_of_the_unprocessed_document() {
    // spec §2 step 10.6, §10.7, §10.8: computed before filtering, paging and fields; and the
    // serialisation (`pretty`) does not change it.
    let server = TestServer::start().await;
    let id = server.create_sessions(3).await[0];
    for base in [format!("/v1/sessions/{id}"), "/v1/sessions".to_string()] {
        let tag = server.get(&base).await.header("etag").unwrap().to_string();
        for query in [
            "fields[sessions]=state",
            "page[size]=1",
            "pretty=false",
            "filter=/id=%22999%22",
            "filter[id]=eq(%22999%22)",
        ] {
            let r = server.get(&format!("{base}?{query}")).await;
            assert_eq!(r.header("etag"), Some(tag.as_str()), "{base}?{query}");
        }
    }
}

#[tokio::test]
async fn the_empty_collection_has_maxscales_etag_and_body() {
    // spec §10.8 (cap 104, P-etag): with Host 127.0.0.1:8989 the ETag equals MaxScale's, also with
    // pretty, fields, filter and page.
    let server = TestServer::start().await;
    let expected = "\"f3f7a0b565362e906a97c6b326d7595e74753a78\"";
    let r = with_host(&server, "GET", "/v1/sessions", CAPTURE_HOST, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("etag"), Some(expected));
    assert_eq!(
        r.body,
        "{\n    \"data\": [],\n    \"links\": {\n        \"self\": \"http://127.0.0.1:8989/v1/sessions/\"\n    }\n}"
    );
    assert_eq!(r.header("content-length"), Some("93"));
    for query in [
        "?pretty=false",
        "?fields[sessions]=user",
        "?filter=/id=%221%22",
        "?page[size]=1",
    ] {
        let r = with_host(
            &server,
            "GET",
            &format!("/v1/sessions{query}"),
            CAPTURE_HOST,
            &[],
        )
        .await;
        assert_eq!(r.header("etag"), Some(expected), "{query}");
    }
    // Another Host gives other links, hence another ETag.
    let r = with_host(&server, "GET", "/v1/sessions", "localhost:8989", &[]).await;
    assert_ne!(r.header("etag"), Some(expected));
}

#[tokio::test]
async fn error_documents_and_empty_404s_have_etags_too() {
    // spec §10.8 (cap 42–45): the error document of cap 44 hashes to its ETag; a body-less 404
    // has the empty body's ETag; both carry Last-Modified.
    let server = TestServer::start().await;
    let r = with_host(&server, "GET", "/v1/sessions/abc", CAPTURE_HOST, &[]).await;
    assert_eq!(r.status, 404);
    assert_eq!(
        r.header("etag"),
        Some("\"20f7dcd39a9bf78737db6249d02a76559812b2ad\"")
    );
    assert_eq!(
        r.body,
        "{\n    \"errors\": [\n        {\n            \"detail\": \"abc is not a session\"\n        }\n    ]\n}"
    );
    assert_eq!(r.header("last-modified"), Some(STARTED));
    let r = server.get("/v1/sessions/999999").await;
    assert_eq!(r.header("etag"), Some(EMPTY_ETAG));
    assert_eq!(r.header("last-modified"), Some(STARTED));
}

// ----- Last-Modified (spec §10.8) -----

async fn last_modified(server: &TestServer, target: &str) -> String {
    let r = server.get(target).await;
    r.header("last-modified")
        .unwrap_or_else(|| panic!("{target} has no Last-Modified: {r:?}"))
        .to_string()
}

#[tokio::test]
async fn last_modified_is_the_start_time_until_a_rest_write() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    // Session traffic, new sessions and time do not count (spec §10.8).
    server.advance(5.0).await;
    server.query(ids[0]).await;
    server.create_sessions(1).await;
    for target in [
        "/v1/sessions".to_string(),
        format!("/v1/sessions/{}", ids[0]),
        "/v1/".to_string(),
        "/v1/sessions/999999".to_string(),
        "/v1/services".to_string(),
    ] {
        assert_eq!(last_modified(&server, &target).await, STARTED, "{target}");
    }
}

#[tokio::test]
async fn a_write_stamps_its_path_and_parents_but_not_siblings_or_the_root() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let (a, b) = (ids[0], ids[1]);
    server.advance(10.0).await;
    // Failed writes stamp nothing (P-lm: 400, 404).
    let bad = r#"{"data":{"relationships":{"filters":{"data":[{"id":"nope"}]}}}}"#;
    assert_eq!(
        server
            .admin("PATCH", &format!("/v1/sessions/{b}"), Some(bad))
            .await
            .status,
        400
    );
    assert_eq!(
        server
            .admin("PATCH", "/v1/sessions/999999", Some(LOG_INFO_ON))
            .await
            .status,
        404
    );
    assert_eq!(
        server
            .admin("PATCH", &format!("/v1/sessions/{b}"), None)
            .await
            .status,
        400
    );
    assert_eq!(last_modified(&server, "/v1/sessions").await, STARTED);
    assert_eq!(
        last_modified(&server, &format!("/v1/sessions/{b}")).await,
        STARTED
    );

    assert_eq!(
        server
            .admin("PATCH", &format!("/v1/sessions/{a}"), Some(LOG_INFO_ON))
            .await
            .status,
        200
    );
    let stamped = "Fri, 05 Jan 2024 07:24:16 GMT";
    server.advance(5.0).await;
    assert_eq!(
        last_modified(&server, &format!("/v1/sessions/{a}")).await,
        stamped
    );
    assert_eq!(
        last_modified(&server, &format!("/sessions/{a}/")).await,
        stamped,
        "same key without v1"
    );
    assert_eq!(last_modified(&server, "/v1/sessions").await, stamped);
    assert_eq!(
        last_modified(&server, &format!("/v1/sessions/{b}")).await,
        STARTED
    );
    assert_eq!(last_modified(&server, "/v1/").await, STARTED);
    assert_eq!(last_modified(&server, "/").await, STARTED);
    // The key is the path as written: `0A` is not `A`.
    assert_eq!(
        last_modified(&server, &format!("/v1/sessions/0{a}")).await,
        STARTED
    );

    // POST restart of B stamps B and the collection (P-lm).
    assert_eq!(
        server
            .admin("POST", &format!("/v1/sessions/{b}/restart"), None)
            .await
            .status,
        200
    );
    let restarted = "Fri, 05 Jan 2024 07:24:21 GMT";
    assert_eq!(
        last_modified(&server, &format!("/v1/sessions/{b}")).await,
        restarted
    );
    assert_eq!(last_modified(&server, "/v1/sessions").await, restarted);
    assert_eq!(
        last_modified(&server, &format!("/v1/sessions/{a}")).await,
        stamped
    );
}

// ----- conditional requests (spec §10.9, doc-vs-code B14) -----

#[tokio::test]
async fn if_none_match_with_the_current_etag_is_304() {
    let server = TestServer::start().await;
    server.create_sessions(2).await;
    for target in ["/v1/sessions", "/v1/sessions/1"] {
        let tag = server.get(target).await.header("etag").unwrap().to_string();
        let r = get_with(&server, target, &[("If-None-Match", &tag)]).await;
        assert_eq!(r.status, 304, "{target}");
        assert_eq!(r.body, "");
        assert_eq!(r.header("etag"), None, "{target}: 304 without ETag");
        assert_eq!(
            r.header("last-modified"),
            None,
            "{target}: 304 without Last-Modified"
        );
        assert_eq!(r.header("content-type"), None);
    }
    // HEAD with the empty body's ETag (P-cond) and a missing id with it (cap 108).
    let r = server
        .request(
            "HEAD",
            "/v1/sessions",
            &[
                ("Authorization", &admin_auth()),
                ("If-None-Match", EMPTY_ETAG),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, 304);
    let r = get_with(
        &server,
        "/v1/sessions/999999",
        &[("If-None-Match", EMPTY_ETAG)],
    )
    .await;
    assert_eq!(r.status, 304);
}

#[tokio::test]
async fn if_match_mismatch_is_412() {
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    let tag = server
        .get("/v1/sessions")
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let r = get_with(&server, "/v1/sessions", &[("If-Match", &tag)]).await;
    assert_eq!(r.status, 200, "matching If-Match");
    // Exact string compare: no `*`, no W/, no lists, quotes required (spec §10.9).
    let weak = format!("W/{tag}");
    let list = format!("{tag}, \"x\"");
    let unquoted = tag.trim_matches('"').to_string();
    for value in [
        "\"nope\"",
        "*",
        weak.as_str(),
        list.as_str(),
        unquoted.as_str(),
    ] {
        let r = get_with(&server, "/v1/sessions", &[("If-Match", value)]).await;
        assert_empty(&r, 412, value);
        assert_eq!(r.header("etag"), None);
        assert_eq!(r.header("last-modified"), None);
    }
}

#[tokio::test]
async fn if_modified_since_compares_with_last_modified() {
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    for (since, status) in [
        ("Sat, 06 Jan 2024 00:00:00 GMT", 304),
        (STARTED, 304),
        ("Fri, 05 Jan 2024 07:24:05 GMT", 200),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 200),
    ] {
        for target in ["/v1/sessions", "/v1/sessions/1"] {
            let r = get_with(&server, target, &[("If-Modified-Since", since)]).await;
            assert_eq!(r.status, status, "{target} If-Modified-Since {since}");
        }
    }
    // cap 108: an unknown id with a future date is 304, not 404.
    let r = get_with(
        &server,
        "/v1/sessions/999999",
        &[("If-Modified-Since", "Sat, 06 Jan 2024 00:00:00 GMT")],
    )
    .await;
    assert_eq!(r.status, 304);
    // 304 even though the session's statistics changed (doc-vs-code B15).
    server.advance(30.0).await;
    server.query(1).await;
    let r = get_with(&server, "/v1/sessions/1", &[("If-Modified-Since", STARTED)]).await;
    assert_eq!(r.status, 304);
}

#[tokio::test]
async fn unparsable_dates_count_as_the_distant_past() {
    // spec §10.9: garbage If-Modified-Since → 200; garbage If-Unmodified-Since → 412; MaxScale's own
    // two-digit-year Date is unparsable, so echoing it never yields 304.
    let server = TestServer::start().await;
    server.create_sessions(1).await;
    let date = server
        .get("/v1/sessions")
        .await
        .header("date")
        .unwrap()
        .to_string();
    assert_eq!(date, NORMAL_DATE);
    for since in ["garbage", date.as_str(), ""] {
        let r = get_with(&server, "/v1/sessions/1", &[("If-Modified-Since", since)]).await;
        assert_eq!(r.status, 200, "If-Modified-Since {since:?}");
        assert_etag_format(r.header("etag").unwrap());
    }
    let r = get_with(
        &server,
        "/v1/sessions/1",
        &[("If-Unmodified-Since", "garbage")],
    )
    .await;
    assert_empty(&r, 412, "garbage If-Unmodified-Since");
    let r = get_with(
        &server,
        "/v1/sessions/1",
        &[("If-Unmodified-Since", "Fri, 05 Jan 2024 07:24:05 GMT")],
    )
    .await;
    assert_eq!(r.status, 412, "modified after the date");
    for until in [STARTED, "Sat, 06 Jan 2024 00:00:00 GMT"] {
        let r = get_with(&server, "/v1/sessions/1", &[("If-Unmodified-Since", until)]).await;
        assert_eq!(r.status, 200, "If-Unmodified-Since {until}");
    }
}

#[tokio::test]
async fn a_conditional_get_that_is_not_304_is_processed_normally() {
    // doc-vs-code B14 (doc-normative): fields, filter and page still apply, with ETag and
    // Last-Modified (24.02 sends the unprocessed document without them).
    let server = TestServer::start().await;
    server.create_sessions(3).await;
    let plain = server
        .get("/v1/sessions?fields[sessions]=state&page[size]=1")
        .await;
    let tag = server
        .get("/v1/sessions")
        .await
        .header("etag")
        .unwrap()
        .to_string();
    for (name, value) in [
        ("If-None-Match", "\"nope\""),
        ("If-Modified-Since", "Fri, 05 Jan 2024 07:24:05 GMT"),
        ("If-Modified-Since", "garbage"),
    ] {
        let r = get_with(
            &server,
            "/v1/sessions?fields[sessions]=state&page[size]=1",
            &[(name, value)],
        )
        .await;
        assert_eq!(r.status, 200, "{name}: {value}");
        assert_eq!(
            r.body, plain.body,
            "{name}: {value}: processed like an unconditional GET"
        );
        let doc = r.json();
        assert_eq!(doc["data"].as_array().unwrap().len(), 1);
        assert_eq!(doc["meta"]["total"], 3);
        assert_eq!(
            doc["data"][0]["attributes"],
            json!({ "state": "Session started" })
        );
        assert_eq!(r.header("etag"), Some(tag.as_str()), "{name}: ETag present");
        assert_eq!(
            r.header("last-modified"),
            Some(STARTED),
            "{name}: Last-Modified present"
        );
    }
}

// ----- request bodies (spec §2 step 7, §10.16, doc-vs-code B17) -----

#[tokio::test]
async fn bodies_on_get_and_delete_are_parsed_and_ignored() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let one = format!("/v1/sessions/{}", ids[0]);
    let plain = server.get(&one).await;
    let with_body = server
        .admin("GET", &one, Some(r#"{"data":{"id":"999"}}"#))
        .await;
    assert_eq!(with_body.status, 200);
    assert_eq!(with_body.body, plain.body);
    assert_eq!(
        server.admin("GET", "/v1/sessions", Some("[]")).await.status,
        200
    );
    // Invalid bodies → the raw 400, before the method and route checks.
    for (method, target, body) in [
        ("GET", one.as_str(), "{not json"),
        ("GET", "/v1/sessions", "5"),
        ("GET", "/v1/sessions", "null"),
        ("GET", "/v1/sessions", " "),
        ("DELETE", one.as_str(), "{not json"),
        ("POST", "/v1/sessions/restart", "\"x\""),
        ("FOO", "/v1/sessions", "{"),
        ("GET", "/v1/nosuch", "{} {}"),
    ] {
        let r = server.admin(method, target, Some(body)).await;
        assert_eq!(r.status, 400, "{method} {target} {body:?}");
        let detail = r
            .body
            .strip_prefix(r#"{"errors": [ { "detail": "Invalid JSON in request: "#)
            .unwrap_or_else(|| panic!("{method} {body:?}: {}", r.body));
        assert!(detail.ends_with(r#"" } ] }"#), "{}", r.body);
        assert_eq!(r.header("content-type"), None, "raw 400");
        assert_eq!(r.header("cache-control"), None, "raw 400");
        assert_eq!(r.header("date"), Some(STARTED), "raw 400: 4-digit year");
    }
    assert_eq!(
        server.get(&one).await.status,
        200,
        "an invalid DELETE body kills nothing"
    );
    // A valid body on DELETE is ignored: the kill happens.
    let r = server.admin("DELETE", &one, Some(r#"{"ttl": 100}"#)).await;
    assert_empty(&r, 200, "DELETE with a body");
    assert_eq!(server.get(&one).await.status, 404);
    // cap 90: a body on POST restart is ignored.
    let r = server
        .admin("POST", "/v1/sessions/restart", Some(r#"{"data": {}}"#))
        .await;
    assert_empty(&r, 200, "POST restart with a body");
}

#[tokio::test]
async fn content_type_is_not_checked() {
    // spec §6.2, §10.16 (P-body): a text/plain body is parsed and applied.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let auth = admin_auth();
    let r = server
        .request(
            "PATCH",
            &format!("/v1/sessions/{id}"),
            &[
                ("Authorization", auth.as_str()),
                ("Content-Type", "text/plain"),
            ],
            Some(LOG_INFO_ON),
        )
        .await;
    assert_empty(&r, 200, "text/plain PATCH");
    let doc = server.get(&format!("/v1/sessions/{id}")).await.json();
    assert_eq!(
        doc["data"]["attributes"]["parameters"]["log_info"],
        json!(true)
    );
}

#[tokio::test]
async fn options_honours_failing_preconditions() {
    // spec §10.9 (P-cond): OPTIONS + a wrong If-Match → 412; the empty body's ETag passes.
    let server = TestServer::start().await;
    let wrong = server
        .request(
            "OPTIONS",
            "/v1/sessions",
            &[("Authorization", &admin_auth()), ("If-Match", "\"nope\"")],
            None,
        )
        .await;
    assert_eq!(wrong.status, 412);
    assert_eq!(wrong.header("accept"), None);
    let right = server
        .request(
            "OPTIONS",
            "/v1/sessions",
            &[("Authorization", &admin_auth()), ("If-Match", EMPTY_ETAG)],
            None,
        )
        .await;
    assert_eq!(right.status, 200);
    assert_eq!(right.header("accept"), Some("GET"));
}
