//! Snapshots of the main documents on the virtual clock with a fixed seed: the regression
//! baseline of the bytes the server sends (spec §4, §5, §10.7, §10.10, §10.13, §10.15).
//!
//! Every request sends `Host: 127.0.0.1:8989`, the captures' address, so the links do not
//! depend on the test server's random port (spec §3.2).

mod support;

use reference_server::ProfileName;
use serde_json::json;
use support::{admin_auth, RawResponse, TestServer};

/// The seed of every snapshot server: ports, client pids and tokens derive from it.
const SEED: u64 = 7;
/// The Host header of the captures.
const HOST: &str = "127.0.0.1:8989";

const TWO_FILTERS: &str = r#"{"data":{"relationships":{"filters":{"data":[{"id":"my-regex-filter","type":"filters"},{"id":"my-log-filter","type":"filters"}]}}}}"#;

async fn server() -> TestServer {
    TestServer::with(|c| c.seed = SEED).await
}

/// `GET target` as admin with the captures' Host header; asserts the status.
async fn get(server: &TestServer, target: &str, status: u16) -> RawResponse {
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\nAuthorization: {}\r\n\r\n",
        admin_auth()
    );
    let r = server.send_raw(request.as_bytes()).await;
    assert_eq!(r.status, status, "GET {target}: {}", r.body);
    r
}

/// Body text of a 200 GET.
async fn body(server: &TestServer, target: &str) -> String {
    get(server, target, 200).await.body
}

#[tokio::test]
async fn one_session() {
    // spec §4.2, §5: a fresh session 1.3 s after it connected.
    let server = server().await;
    let id = server.create_sessions(1).await[0];
    server.advance(1.3).await;
    insta::assert_snapshot!(
        "one_session",
        body(&server, &format!("/v1/sessions/{id}")).await
    );
}

#[tokio::test]
async fn one_session_with_session_filters() {
    // spec §5.1, §6.3: the `filters` relationship in chain order.
    let server = server().await;
    let id = server.create_sessions(1).await[0];
    server.advance(2.0).await;
    let r = server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(TWO_FILTERS))
        .await;
    assert_eq!(r.status, 200);
    insta::assert_snapshot!(
        "one_session_with_filters",
        body(&server, &format!("/v1/sessions/{id}")).await
    );
}

#[tokio::test]
async fn one_session_with_retained_statements_and_trace() {
    // spec §5.6–§5.8: `retain_last_statements=3`, `session_trace=4`, service `log_info=true`;
    // five statements, the last still running.
    let topology = support::topology("traced.cnf");
    let server = TestServer::with(|c| {
        c.seed = SEED;
        c.topology = topology;
    })
    .await;
    let id = server.create_sessions(1).await[0];
    for i in 1..=5 {
        server.advance(0.5).await;
        let statement = format!("SELECT {i}");
        server
            .control(
                "POST",
                &format!("/_sim/sessions/{id}/busy"),
                json!({ "statement": statement }),
            )
            .await;
        if i < 5 {
            server.advance(0.25).await;
            server
                .control("POST", &format!("/_sim/sessions/{id}/idle"), json!({}))
                .await;
        }
    }
    server.advance(0.1).await;
    insta::assert_snapshot!(
        "one_session_with_queries_and_log",
        body(&server, &format!("/v1/sessions/{id}")).await
    );
}

#[tokio::test]
async fn all_sessions() {
    // spec §4.1, §3.5: three sessions on two workers, worker by worker, newest first.
    let server = server().await;
    server.create_sessions(3).await;
    server.advance(0.7).await;
    insta::assert_snapshot!("all_sessions", body(&server, "/v1/sessions").await);
}

#[tokio::test]
async fn paginated_page() {
    // spec §10.7: the middle page of three, with `prev` and `next`, and `meta.total`.
    let server = server().await;
    server.create_sessions(3).await;
    insta::assert_snapshot!(
        "paginated_page",
        body(
            &server,
            "/v1/sessions?page[size]=1&page[number]=1&fields[sessions]=state"
        )
        .await
    );
}

#[tokio::test]
async fn sparse_fieldset() {
    // spec §10.13: `fields[sessions]=state,user,memory/total,services` on the collection.
    let server = server().await;
    server.create_sessions(2).await;
    insta::assert_snapshot!(
        "sparse_fieldset",
        body(
            &server,
            "/v1/sessions?fields[sessions]=state,user,memory/total,services"
        )
        .await
    );
}

#[tokio::test]
async fn error_documents() {
    // spec §3.3, §10.14, §10.15.
    let server = server().await;
    insta::assert_snapshot!(
        "error_not_a_session",
        get(&server, "/v1/sessions/abc", 404).await.body
    );
    insta::assert_snapshot!(
        "error_bad_filter",
        get(
            &server,
            "/v1/sessions?filter=/attributes/state=Session%20started",
            400
        )
        .await
        .body
    );
    insta::assert_snapshot!(
        "error_compact",
        get(&server, "/v1/sessions/0?pretty=false", 404).await.body
    );
}

#[tokio::test]
async fn service() {
    let server = server().await;
    insta::assert_snapshot!(
        "service",
        body(&server, "/v1/services/RW-Split-Router").await
    );
}

#[tokio::test]
async fn maxscale() {
    // maxctrl-sessions.md §2.4: `parameters.retain_last_statements`.
    let server = server().await;
    server.advance(90.0).await;
    insta::assert_snapshot!("maxscale", body(&server, "/v1/maxscale").await);
}

#[tokio::test]
async fn documented_profile_session() {
    // The documented profile shows `log_debug` (spec §5.8, doc-vs-code A18).
    let server = TestServer::with(|c| {
        c.seed = SEED;
        c.profile = ProfileName::Documented;
    })
    .await;
    let id = server.create_sessions(1).await[0];
    server.advance(5.2).await;
    insta::assert_snapshot!(
        "documented_profile_session",
        body(&server, &format!("/v1/sessions/{id}")).await
    );
}
