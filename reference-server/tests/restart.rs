//! E5 `POST /v1/sessions/:id/restart` and E6 `POST /v1/sessions/restart` over real HTTP, plus
//! who may write at all and the write preconditions (spec §4.5, §4.6, §7, §10.1, §10.4, §10.9;
//! doc-vs-code A2, A3, A9–A13, B11, B12, B16).

mod support;

use serde_json::{json, Value};
use support::{admin_auth, assert_ok_empty, ro_auth, RawResponse, TestServer};

const REFUSE_INTERNAL: &str =
    "Cannot restart session due to ongoing internal operations. Try again later.";
const REFUSE_POOLING: &str = "Cannot restart session if 'idle_session_pool_time' is in use.";
const NOT_ALL: &str = "Could not restart all sessions";

async fn pooling_server() -> TestServer {
    let topology = support::topology("pooling.cnf");
    TestServer::with(|c| c.topology = topology).await
}

async fn restart(server: &TestServer, id: u64) -> RawResponse {
    server
        .admin("POST", &format!("/v1/sessions/{id}/restart"), None)
        .await
}

async fn restart_all(server: &TestServer) -> RawResponse {
    server.admin("POST", "/v1/sessions/restart", None).await
}

async fn resource(server: &TestServer, id: u64) -> Value {
    let reply = server.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(reply.status, 200, "GET session {id}: {}", reply.body);
    reply.json()["data"].clone()
}

/// The backend connection ids GET shows.
async fn connection_ids(server: &TestServer, id: u64) -> Vec<u64> {
    let data = resource(server, id).await;
    let ids: Vec<u64> = data["attributes"]["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["connection_id"].as_u64().unwrap())
        .collect();
    assert!(!ids.is_empty(), "a started session has backend connections");
    ids
}

async fn restart_pending(server: &TestServer, id: u64) -> bool {
    server.inspect(id).await["restart_pending"]
        .as_bool()
        .unwrap()
}

async fn control_post(server: &TestServer, id: u64, action: &str, body: Value) {
    server
        .control("POST", &format!("/_sim/sessions/{id}/{action}"), body)
        .await;
}

async fn internal_ops(server: &TestServer, id: u64, pending: bool) {
    control_post(server, id, "internal-ops", json!({ "pending": pending })).await;
}

#[track_caller]
fn assert_error(reply: &RawResponse, status: u16, details: &[&str]) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.details(), details);
}

#[track_caller]
fn assert_empty(reply: &RawResponse, status: u16) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.body, "");
    assert_eq!(reply.header("content-type"), None);
}

// ----- E5 and E6 answers (spec §1, §4.5, §4.6; doc-vs-code A2, A3) -----

#[tokio::test]
async fn restart_answers_an_empty_200() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    assert_ok_empty(&restart(&server, id).await);
    assert!(restart_pending(&server, id).await);
    // spec §7.1 rule 3: setting the flag again is harmless.
    assert_ok_empty(&restart(&server, id).await);
    assert_ok_empty(&restart_all(&server).await);
    assert!(restart_pending(&server, id).await);
}

#[tokio::test]
async fn restart_answers_204_under_documented() {
    let server = TestServer::documented().await;
    let id = server.create_sessions(1).await[0];
    for reply in [restart(&server, id).await, restart_all(&server).await] {
        assert_eq!(reply.status, 204, "{}", reply.body);
        assert_eq!(reply.body, "");
    }
    assert!(restart_pending(&server, id).await);
}

#[tokio::test]
async fn restart_all_with_no_sessions_answers_200() {
    let server = TestServer::start().await;
    // spec §4.6 (P-misc).
    assert_ok_empty(&restart_all(&server).await);
}

// ----- execution (spec §7.2, §15; doc-vs-code A10) -----

#[tokio::test]
async fn restart_is_only_scheduled_until_the_next_client_request() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let (id, other) = (ids[0], ids[1]);
    let before = connection_ids(&server, id).await;
    let other_before = connection_ids(&server, other).await;
    assert_ok_empty(&restart(&server, id).await);
    // spec §7.2: nothing happens until the next client request, however long that takes.
    assert_eq!(connection_ids(&server, id).await, before);
    server.advance(5.0).await;
    assert_eq!(connection_ids(&server, id).await, before);
    server.query(id).await;
    let after = connection_ids(&server, id).await;
    assert_eq!(after.len(), before.len());
    assert!(
        after.iter().all(|c| !before.contains(c)),
        "{before:?} → {after:?}"
    );
    assert!(!restart_pending(&server, id).await, "the flag is cleared");
    // The next request does not restart again, and the other session never restarted.
    server.query(id).await;
    assert_eq!(connection_ids(&server, id).await, after);
    server.query(other).await;
    assert_eq!(connection_ids(&server, other).await, other_before);
}

#[tokio::test]
async fn busy_session_restarts_at_the_first_request_after_it_went_idle() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let before = connection_ids(&server, id).await;
    control_post(&server, id, "busy", json!({"statement": "SELECT SLEEP(4)"})).await;
    // spec §7.1 rule 3: accepted while a query runs; §15: executed only after it finished.
    assert_ok_empty(&restart(&server, id).await);
    server.advance(4.0).await;
    assert_eq!(connection_ids(&server, id).await, before);
    control_post(&server, id, "idle", json!({})).await;
    assert_eq!(
        connection_ids(&server, id).await,
        before,
        "not at the end of the query"
    );
    assert!(restart_pending(&server, id).await);
    server.query(id).await;
    let after = connection_ids(&server, id).await;
    assert!(
        after.iter().all(|c| !before.contains(c)),
        "{before:?} → {after:?}"
    );
}

#[tokio::test]
async fn restart_keeps_identity_parameters_and_session_filters() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let body = json!({"data": {
        "attributes": {"parameters": {"log_info": true, "log_error": true}},
        "relationships": {"filters": {"data": [{"id": "my-regex-filter"}, {"id": "my-log-filter"}]}}
    }});
    assert_ok_empty(
        &server
            .admin(
                "PATCH",
                &format!("/v1/sessions/{id}"),
                Some(&body.to_string()),
            )
            .await,
    );
    let before = resource(&server, id).await;
    assert_ok_empty(&restart(&server, id).await);
    server.advance(1.0).await;
    server.query(id).await;
    let after = resource(&server, id).await;
    // spec §7.2, doc-vs-code A12: unchanged by a restart ...
    assert_eq!(after["id"], before["id"]);
    for key in [
        "user",
        "remote",
        "port",
        "connected",
        "parameters",
        "thread",
    ] {
        assert_eq!(after["attributes"][key], before["attributes"][key], "{key}");
    }
    assert_eq!(after["relationships"], before["relationships"]);
    assert_eq!(
        after["relationships"]["filters"]["data"],
        json!([{"id": "my-regex-filter", "type": "filters"}, {"id": "my-log-filter", "type": "filters"}])
    );
    // ... but the backend connections are new.
    assert_ne!(
        after["attributes"]["connections"],
        before["attributes"]["connections"]
    );
}

// ----- refusals (spec §4.5, §4.6, §7.1, §7.4; doc-vs-code A11, A13) -----

#[tokio::test]
async fn restart_of_unknown_or_malformed_ids_is_a_404() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(1).await;
    let before = server.observe(&ids).await;
    // spec §4.5 (cap 40, 89).
    assert_empty(&restart(&server, 999_999).await, 404);
    assert_empty(&restart(&server, ids[0] + 1).await, 404);
    for part in ["abc", "0", "-1"] {
        let reply = server
            .admin("POST", &format!("/v1/sessions/{part}/restart"), None)
            .await;
        assert_error(&reply, 404, &[&format!("{part} is not a session")]);
    }
    assert_eq!(server.observe(&ids).await, before);
}

#[tokio::test]
async fn restart_is_refused_while_internal_operations_are_pending() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let before = connection_ids(&server, id).await;
    internal_ops(&server, id, true).await;
    let snapshot = server.observe(&[id]).await;
    // spec §7.1 rule 2.
    assert_error(&restart(&server, id).await, 400, &[REFUSE_INTERNAL]);
    assert_eq!(
        server.observe(&[id]).await,
        snapshot,
        "a refusal changes nothing"
    );
    server.query(id).await;
    assert_eq!(connection_ids(&server, id).await, before);
    // Once the operations are over the restart is accepted again.
    internal_ops(&server, id, false).await;
    assert_ok_empty(&restart(&server, id).await);
    server.query(id).await;
    assert_ne!(connection_ids(&server, id).await, before);
}

#[tokio::test]
async fn restart_all_reports_each_refusal_once_and_still_flags_the_others() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(4).await;
    // Two refusing sessions, on different routing workers, and two accepting ones.
    let (refusing, accepting) = (&ids[..2], &ids[2..]);
    for &id in refusing {
        internal_ops(&server, id, true).await;
    }
    assert_ne!(
        server.inspect(refusing[0]).await["worker"],
        server.inspect(refusing[1]).await["worker"],
        "the refusals come from two workers"
    );
    let mut before = Vec::new();
    for &id in &ids {
        before.push(connection_ids(&server, id).await);
    }
    // spec §4.6: the distinct refusal once, then the summary.
    assert_error(
        &restart_all(&server).await,
        400,
        &[REFUSE_INTERNAL, NOT_ALL],
    );
    // spec §7.4, doc-vs-code A13: the accepting sessions are flagged all the same.
    for &id in accepting {
        assert!(restart_pending(&server, id).await, "session {id} flagged");
    }
    for &id in refusing {
        assert!(
            !restart_pending(&server, id).await,
            "session {id} not flagged"
        );
    }
    for &id in &ids {
        server.query(id).await;
    }
    for (i, &id) in ids.iter().enumerate() {
        let now = connection_ids(&server, id).await;
        if accepting.contains(&id) {
            assert!(now.iter().all(|c| !before[i].contains(c)), "{id} restarted");
        } else {
            assert_eq!(now, before[i], "{id} not restarted");
        }
    }
}

#[tokio::test]
async fn restart_is_refused_when_idle_session_pool_time_is_in_use() {
    let server = pooling_server().await;
    let pooled = server
        .control(
            "POST",
            "/_sim/sessions",
            json!({"count": 2, "service": "Pooled-Router"}),
        )
        .await["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_u64().unwrap())
        .collect::<Vec<_>>();
    let plain = server.create_sessions(1).await[0];
    let mut all = pooled.clone();
    all.push(plain);
    let before = server.observe(&all).await;
    // spec §7.1 rule 1.
    for &id in &pooled {
        assert_error(&restart(&server, id).await, 400, &[REFUSE_POOLING]);
    }
    assert_eq!(server.observe(&all).await, before);
    // A session can be refused for both reasons; pooling is checked first.
    internal_ops(&server, pooled[0], true).await;
    assert_error(&restart(&server, pooled[0]).await, 400, &[REFUSE_POOLING]);
    internal_ops(&server, pooled[0], false).await;
    // spec §4.6: two pooled sessions, one message; the plain session is flagged (§7.4).
    assert_error(&restart_all(&server).await, 400, &[REFUSE_POOLING, NOT_ALL]);
    assert!(restart_pending(&server, plain).await);
    for &id in &pooled {
        assert!(!restart_pending(&server, id).await);
    }
}

// ----- request bodies (spec §4.5, §10.16) -----

#[tokio::test]
async fn restart_ignores_a_json_body_but_rejects_invalid_json() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let one = format!("/v1/sessions/{}/restart", ids[0]);
    // spec §2 step 7, §4.5: a body must parse; scalars and bad text are the raw 400.
    for target in [one.as_str(), "/v1/sessions/restart"] {
        for body in ["{bad", "5", r#""x""#] {
            let before = server.observe(&ids).await;
            let reply = server.admin("POST", target, Some(body)).await;
            assert_eq!(reply.status, 400, "{target} {body}");
            assert_eq!(reply.header("content-type"), None);
            assert!(
                reply
                    .body
                    .starts_with(r#"{"errors": [ { "detail": "Invalid JSON in request: "#),
                "{}",
                reply.body
            );
            assert_eq!(server.observe(&ids).await, before, "{target} {body}");
        }
    }
    // cap 90: a valid body is ignored.
    assert_ok_empty(&server.admin("POST", &one, Some(r#"{"data": {}}"#)).await);
    assert!(restart_pending(&server, ids[0]).await);
    assert!(!restart_pending(&server, ids[1]).await);
    let reply = server
        .admin("POST", "/v1/sessions/restart", Some(r#"{"data": {}}"#))
        .await;
    assert_ok_empty(&reply);
    assert!(restart_pending(&server, ids[1]).await);
}

// ----- who may write (spec §10.1, §10.4; doc-vs-code B16) -----

/// Every session write, as (method, target, body).
fn writes(id: u64) -> Vec<(&'static str, String, Option<&'static str>)> {
    let patch = r#"{"data": {"attributes": {"parameters": {"log_info": true}}}}"#;
    vec![
        ("PATCH", format!("/v1/sessions/{id}"), Some(patch)),
        (
            "PATCH",
            format!("/v1/sessions/{id}/relationships/filters"),
            Some(r#"{"data": [{"id": "my-log-filter"}]}"#),
        ),
        ("POST", format!("/v1/sessions/{id}/restart"), None),
        ("POST", "/v1/sessions/restart".to_string(), None),
        ("DELETE", format!("/v1/sessions/{id}"), None),
    ]
}

#[track_caller]
fn assert_access_denied(reply: &RawResponse, what: &str) {
    assert_eq!(reply.status, 401, "{what}: {}", reply.body);
    assert_eq!(
        reply.body, r#"{"errors": [ { "detail": "Access denied" } ] }"#,
        "{what}"
    );
    assert_eq!(
        reply.header("www-authenticate"),
        Some("Basic realm=\"maxscale\""),
        "{what}"
    );
}

#[tokio::test]
async fn read_only_account_gets_401_for_every_write() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let ro = ro_auth();
    // The account can read ...
    let read = server
        .request(
            "GET",
            &format!("/v1/sessions/{}", ids[0]),
            &[("Authorization", &ro)],
            None,
        )
        .await;
    assert_eq!(read.status, 200);
    // ... but spec §10.1: PATCH, POST and DELETE need an admin account.
    for (method, target, body) in writes(ids[0]) {
        let before = server.observe(&ids).await;
        let reply = server
            .request(method, &target, &[("Authorization", &ro)], body)
            .await;
        assert_access_denied(&reply, &format!("{method} {target}"));
        assert_eq!(server.observe(&ids).await, before, "{method} {target}");
    }
}

#[tokio::test]
async fn read_only_account_cannot_write_through_a_method_override() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let ro = ro_auth();
    // doc-vs-code B16 ("doc"): authorization judges the effective method; 24.02 judges the
    // real one and lets a read-only account write (spec §10.4, §13.2).
    for real in ["GET", "HEAD"] {
        for (method, target, body) in writes(ids[0]) {
            let before = server.observe(&ids).await;
            let reply = server
                .request(
                    real,
                    &target,
                    &[("Authorization", &ro), ("X-HTTP-Method-Override", method)],
                    body,
                )
                .await;
            let what = format!("{real} + override {method} {target}");
            assert_eq!(reply.status, 401, "{what}");
            assert_eq!(
                reply.header("www-authenticate"),
                Some("Basic realm=\"maxscale\""),
                "{what}"
            );
            if real == "GET" {
                assert_access_denied(&reply, &what);
            }
            assert_eq!(server.observe(&ids).await, before, "{what}");
        }
    }
    // The override itself works for an admin: GET + DELETE kills.
    let admin = admin_auth();
    let reply = server
        .request(
            "GET",
            &format!("/v1/sessions/{}", ids[0]),
            &[
                ("Authorization", &admin),
                ("X-HTTP-Method-Override", "DELETE"),
            ],
            None,
        )
        .await;
    assert_ok_empty(&reply);
    assert_eq!(
        server.get(&format!("/v1/sessions/{}", ids[0])).await.status,
        404
    );
}

// ----- preconditions on writes (spec §10.9; doc-vs-code B11, B12) -----

#[tokio::test]
async fn wrong_if_match_is_a_412_before_anything_changes() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    control_post(&server, ids[1], "busy", json!({})).await;
    let empty_etag = "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"";
    // B11: 24.02 applies the write and then answers 412 (its ETag is that of the empty
    // response, so only `empty_etag` passes there); here a mismatch changes nothing.
    for if_match in ["\"nope\"", empty_etag, "*"] {
        for (method, target, body) in writes(ids[0]) {
            let before = server.observe(&ids).await;
            let reply = server
                .request(
                    method,
                    &target,
                    &[("Authorization", &admin_auth()), ("If-Match", if_match)],
                    body,
                )
                .await;
            assert_empty(&reply, 412);
            assert_eq!(
                server.observe(&ids).await,
                before,
                "{method} {target} If-Match {if_match}"
            );
        }
    }
    // The current ETag of the session passes.
    let target = format!("/v1/sessions/{}", ids[0]);
    let etag = server
        .get(&target)
        .await
        .header("etag")
        .unwrap()
        .to_string();
    let reply = server
        .request(
            "PATCH",
            &target,
            &[("Authorization", &admin_auth()), ("If-Match", &etag)],
            Some(r#"{"data": {"attributes": {"parameters": {"log_info": true}}}}"#),
        )
        .await;
    assert_ok_empty(&reply);
    assert_eq!(
        resource(&server, ids[0]).await["attributes"]["parameters"]["log_info"],
        true
    );
}

#[tokio::test]
async fn if_unmodified_since_before_the_last_change_is_a_412_before_anything_changes() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let target = format!("/v1/sessions/{}", ids[0]);
    let started = server
        .get(&target)
        .await
        .header("last-modified")
        .unwrap()
        .to_string();
    server.advance(5.0).await;
    // Stamp every write path (spec §10.8: each path and its parents) with a successful write.
    let body = r#"{"data": {"attributes": {"parameters": {"log_warning": true}}}}"#;
    assert_ok_empty(&server.admin("PATCH", &target, Some(body)).await);
    let relationship = format!("{target}/relationships/filters");
    let list = r#"{"data": [{"id": "my-regex-filter"}]}"#;
    assert_ok_empty(&server.admin("PATCH", &relationship, Some(list)).await);
    assert_ok_empty(&restart(&server, ids[0]).await);
    assert_ok_empty(&restart_all(&server).await);
    // Carry the restarts out, so that a restart slipping through below would show.
    for &id in &ids {
        server.query(id).await;
        assert!(!restart_pending(&server, id).await);
    }
    let changed = server
        .get(&target)
        .await
        .header("last-modified")
        .unwrap()
        .to_string();
    assert_ne!(changed, started, "the writes stamped the path");
    // B12: the write on a path changed after the given date fails and changes nothing.
    for (method, target, body) in writes(ids[0]) {
        let before = server.observe(&ids).await;
        let reply = server
            .request(
                method,
                &target,
                &[
                    ("Authorization", &admin_auth()),
                    ("If-Unmodified-Since", &started),
                ],
                body,
            )
            .await;
        assert_eq!(reply.status, 412, "{method} {target}");
        assert_empty(&reply, 412);
        assert_eq!(server.observe(&ids).await, before, "{method} {target}");
    }
    // A date not older than the change passes.
    let reply = server
        .request(
            "PATCH",
            &target,
            &[
                ("Authorization", &admin_auth()),
                ("If-Unmodified-Since", &changed),
            ],
            Some(r#"{"data": {"attributes": {"parameters": {"log_error": true}}}}"#),
        )
        .await;
    assert_ok_empty(&reply);
    assert_eq!(
        resource(&server, ids[0]).await["attributes"]["parameters"]["log_error"],
        true
    );
}

#[tokio::test]
async fn restart_is_skipped_when_internal_operations_started_before_it_ran() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let before = connection_ids(&server, id).await;
    assert_ok_empty(&restart(&server, id).await);
    internal_ops(&server, id, true).await;
    // spec §7.2: "the restart is skipped and the flag cleared".
    server.query(id).await;
    assert_eq!(connection_ids(&server, id).await, before);
    assert!(!restart_pending(&server, id).await);
    internal_ops(&server, id, false).await;
    server.query(id).await;
    assert_eq!(
        connection_ids(&server, id).await,
        before,
        "not carried over"
    );
}

#[tokio::test]
async fn pending_restart_and_pending_filters_happen_on_the_same_request() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let before = connection_ids(&server, id).await;
    control_post(&server, id, "busy", json!({})).await;
    assert_ok_empty(&restart(&server, id).await);
    let list = r#"{"data": [{"id": "my-log-filter"}]}"#;
    let target = format!("/v1/sessions/{id}/relationships/filters");
    assert_ok_empty(&server.admin("PATCH", &target, Some(list)).await);
    control_post(&server, id, "idle", json!({})).await;
    let waiting = resource(&server, id).await;
    assert_eq!(waiting["relationships"].get("filters"), None);
    // spec §7.3: the next request restarts, then installs the pending list.
    server.query(id).await;
    let after = resource(&server, id).await;
    assert_eq!(
        after["relationships"]["filters"]["data"],
        json!([{"id": "my-log-filter", "type": "filters"}])
    );
    assert_ne!(connection_ids(&server, id).await, before);
    let internal = server.inspect(id).await;
    assert_eq!(internal["restart_pending"], false);
    assert_eq!(internal["pending_filters"], Value::Null);
}

#[tokio::test]
async fn if_none_match_and_if_modified_since_do_not_apply_to_writes() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(1).await;
    let target = format!("/v1/sessions/{}", ids[0]);
    let empty_etag = "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"";
    let future = "Fri, 01 Jan 2100 00:00:00 GMT";
    // doc-vs-code B13 ("doc"): 24.02 answers 304 after performing the write; here the write is
    // performed and answered like any other.
    let patch = r#"{"data": {"attributes": {"parameters": {"log_notice": true}}}}"#;
    let reply = server
        .request(
            "PATCH",
            &target,
            &[
                ("Authorization", &admin_auth()),
                ("If-None-Match", empty_etag),
            ],
            Some(patch),
        )
        .await;
    assert_ok_empty(&reply);
    assert_eq!(
        resource(&server, ids[0]).await["attributes"]["parameters"]["log_notice"],
        true
    );
    let reply = server
        .request(
            "POST",
            &format!("{target}/restart"),
            &[
                ("Authorization", &admin_auth()),
                ("If-Modified-Since", future),
            ],
            None,
        )
        .await;
    assert_ok_empty(&reply);
    assert!(restart_pending(&server, ids[0]).await);
}
