//! The simulator's control API under `/_sim/` (src/control/mod.rs): synthetic clients, the
//! virtual clock, reset and determinism, seen through MaxScale's own endpoints where the spec
//! says what they must show (spec §3.5, §5.2, §8.2, §9, §15).

mod support;

use reference_server::{ClockMode, Workload};
use serde_json::{json, Value};
use support::{admin_auth, RawResponse, TestServer};

/// A control request whose answer may be an error.
async fn control_raw(server: &TestServer, method: &str, path: &str, body: &str) -> RawResponse {
    server.request(method, path, &[], Some(body)).await
}

async fn info(server: &TestServer) -> Value {
    server.control("GET", "/_sim", json!({})).await
}

async fn session_status(server: &TestServer, id: u64) -> u16 {
    server.get(&format!("/v1/sessions/{id}")).await.status
}

async fn resource(server: &TestServer, id: u64) -> Value {
    let reply = server.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(reply.status, 200, "GET session {id}: {}", reply.body);
    reply.json()["data"].clone()
}

async fn idle_attribute(server: &TestServer, id: u64) -> f64 {
    resource(server, id).await["attributes"]["idle"]
        .as_f64()
        .expect("idle is a number")
}

/// The collection's entry for a session, whatever its state.
async fn listed(server: &TestServer, id: u64) -> Option<Value> {
    let list = server.get("/v1/sessions").await.json();
    let id = id.to_string();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"].as_str() == Some(id.as_str()))
        .cloned()
}

async fn post_action(server: &TestServer, id: u64, action: &str) -> RawResponse {
    control_raw(
        server,
        "POST",
        &format!("/_sim/sessions/{id}/{action}"),
        "{}",
    )
    .await
}

#[track_caller]
fn assert_control_error(reply: &RawResponse, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "{what}"
    );
    let details = reply.details();
    assert_eq!(details.len(), 1, "{what}");
    assert!(!details[0].is_empty(), "{what}");
}

fn ids_of(created: &Value) -> Vec<u64> {
    created["ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|id| id.as_u64().unwrap())
        .collect()
}

// ----- creating clients -----

#[tokio::test]
async fn create_uses_count_service_user_and_remote() {
    let topology = support::topology("two-services.cnf");
    let server = TestServer::with(|c| c.topology = topology).await;
    let reply = control_raw(
        &server,
        "POST",
        "/_sim/sessions",
        r#"{"count": 3, "service": "Read-Router", "user": "carol", "remote": "192.0.2.7"}"#,
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    // spec §3.5: ids come from one counter starting at 1.
    let ids = ids_of(&reply.json());
    assert_eq!(ids, [1, 2, 3]);
    for &id in &ids {
        let data = resource(&server, id).await;
        assert_eq!(data["attributes"]["state"], "Session started");
        assert_eq!(data["attributes"]["user"], "carol");
        assert_eq!(data["attributes"]["remote"], "192.0.2.7");
        assert_eq!(
            data["relationships"]["services"]["data"],
            json!([{"id": "Read-Router", "type": "services"}])
        );
    }
    // Defaults: one client of the first service, user and remote from `[simulation]`.
    let reply = control_raw(&server, "POST", "/_sim/sessions", "").await;
    assert_eq!(reply.status, 201);
    assert_eq!(ids_of(&reply.json()), [4]);
    let data = resource(&server, 4).await;
    assert_eq!(data["attributes"]["user"], "maxuser");
    assert_eq!(data["attributes"]["remote"], "127.0.0.1");
    assert_eq!(
        data["relationships"]["services"]["data"][0]["id"],
        "RW-Split-Router"
    );
    assert_eq!(info(&server).await["sessions"], 4);
}

#[tokio::test]
async fn create_with_an_unknown_service_is_a_400_and_creates_nothing() {
    let server = TestServer::start().await;
    let reply = control_raw(
        &server,
        "POST",
        "/_sim/sessions",
        r#"{"count": 2, "service": "nope"}"#,
    )
    .await;
    assert_control_error(&reply, 400, "unknown service");
    assert_eq!(info(&server).await["sessions"], 0);
    // The id counter did not move either.
    assert_eq!(server.create_sessions(1).await, [1]);
}

#[tokio::test]
async fn create_with_an_absurd_count_is_a_400_and_creates_nothing() {
    let server = TestServer::start().await;
    // "Bad input gets a clear error and changes nothing": a count the simulator cannot hold is
    // refused up front instead of exhausting memory (or panicking on the allocation).
    for count in ["18446744073709551615", "100000000", "100001"] {
        let body = format!(r#"{{"count": {count}}}"#);
        let reply = control_raw(&server, "POST", "/_sim/sessions", &body).await;
        assert_control_error(&reply, 400, &body);
        assert_eq!(info(&server).await["sessions"], 0, "{body}");
    }
    assert_eq!(server.create_sessions(1).await, [1]);
}

#[tokio::test]
async fn authenticating_session_is_listed_but_not_addressable_until_authenticated() {
    let server = TestServer::start().await;
    let created = server
        .control(
            "POST",
            "/_sim/sessions",
            json!({"user": "dave", "remote": "192.0.2.9", "authenticated": false}),
        )
        .await;
    let id = ids_of(&created)[0];
    // spec §3.5, doc-vs-code A16/A24 (P-created): listed as "Session created", without `user`,
    // with no backend connections and no connection attributes yet.
    let entry = listed(&server, id).await.expect("listed by E1");
    let attributes = &entry["attributes"];
    assert_eq!(attributes["state"], "Session created");
    assert_eq!(attributes.get("user"), None);
    assert_eq!(attributes["remote"], "192.0.2.9");
    assert_eq!(attributes["connections"], json!([]));
    assert_eq!(attributes["client"]["connection_attributes"], Value::Null);
    // ... and every single-session endpoint answers the empty 404.
    let patch = r#"{"data": {"attributes": {"parameters": {"log_info": true}}}}"#;
    let requests = [
        ("GET", format!("/v1/sessions/{id}"), None),
        ("PATCH", format!("/v1/sessions/{id}"), Some(patch)),
        (
            "PATCH",
            format!("/v1/sessions/{id}/relationships/filters"),
            Some(r#"{"data": []}"#),
        ),
        ("POST", format!("/v1/sessions/{id}/restart"), None),
        ("DELETE", format!("/v1/sessions/{id}"), None),
    ];
    for (method, target, body) in &requests {
        let reply = server.admin(method, target, *body).await;
        assert_eq!(reply.status, 404, "{method} {target}");
        assert_eq!(reply.body, "", "{method} {target}");
    }
    assert_eq!(server.inspect(id).await["log_flags"]["log_info"], false);
    assert_eq!(post_action(&server, id, "query").await.status, 404);
    // The handshake completes: the session is started and addressable.
    let reply = post_action(&server, id, "authenticate").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let data = resource(&server, id).await;
    assert_eq!(data["attributes"]["state"], "Session started");
    assert_eq!(data["attributes"]["user"], "dave");
    assert!(!data["attributes"]["connections"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(data["attributes"]["client"]["connection_attributes"].is_object());
    let reply = server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(patch))
        .await;
    assert_eq!(reply.status, 200);
    // A started session is not authenticating any more; its handshake is not redone.
    let before = server.inspect(id).await;
    let reply = post_action(&server, id, "authenticate").await;
    assert_control_error(&reply, 409, "again");
    assert_eq!(server.inspect(id).await, before);
}

#[tokio::test]
async fn client_close_removes_the_session_at_once() {
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let reply = control_raw(&server, "DELETE", &format!("/_sim/sessions/{}", ids[0]), "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // spec §8.2, §9: gone for the single-session endpoints at once.
    assert_eq!(session_status(&server, ids[0]).await, 404);
    let patch = r#"{"data": {"attributes": {"parameters": {"log_info": true}}}}"#;
    let reply = server
        .admin("PATCH", &format!("/v1/sessions/{}", ids[0]), Some(patch))
        .await;
    assert_eq!(reply.status, 404);
    // Gone from the list at once too, and the control API does not know it either.
    assert_eq!(listed(&server, ids[0]).await, None);
    let reply = control_raw(&server, "GET", &format!("/_sim/sessions/{}", ids[0]), "").await;
    assert_control_error(&reply, 404, "closed session");
    assert_eq!(
        session_status(&server, ids[1]).await,
        200,
        "the other stays"
    );
}

// ----- busy and idle (spec §15, §5.2) -----

#[tokio::test]
async fn busy_idle_and_query_drive_the_idle_attribute() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    assert_eq!(idle_attribute(&server, id).await, 0.0);
    // spec §15: seconds since the last client I/O, in 0.1 s steps.
    server.advance(1.2).await;
    assert_eq!(idle_attribute(&server, id).await, 1.2);
    server.advance(0.05).await;
    assert_eq!(idle_attribute(&server, id).await, 1.2, "0.1 s steps");
    // `0.0` for the whole query ...
    let reply = control_raw(
        &server,
        "POST",
        &format!("/_sim/sessions/{id}/busy"),
        r#"{"statement": "SELECT SLEEP(4)"}"#,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(server.inspect(id).await["busy"], true);
    server.advance(2.0).await;
    assert_eq!(idle_attribute(&server, id).await, 0.0);
    // ... "and 0.0 right after it finished".
    assert_eq!(post_action(&server, id, "idle").await.status, 200);
    assert_eq!(server.inspect(id).await["busy"], false);
    assert_eq!(idle_attribute(&server, id).await, 0.0);
    server.advance(1.2).await;
    assert_eq!(idle_attribute(&server, id).await, 1.2);
    // A query answered at once resets the idle time and leaves the session idle.
    server.query(id).await;
    assert_eq!(server.inspect(id).await["busy"], false);
    assert_eq!(idle_attribute(&server, id).await, 0.0);
    server.advance(0.35).await;
    assert_eq!(idle_attribute(&server, id).await, 0.3);
}

// ----- the clock -----

#[tokio::test]
async fn clock_advance_rejects_bad_amounts_and_does_not_move() {
    let server = TestServer::start().await;
    server.advance(2.5).await;
    let bodies = [
        r#"{"seconds": -1}"#,
        r#"{"seconds": -0.001}"#,
        r#"{"seconds": 1, "millis": 1000}"#,
        r#"{}"#,
        r#"{"seconds": 86400.5}"#,
        r#"{"seconds": 1e300}"#,
        r#"{"millis": 86400001}"#,
        r#"{"millis": -5}"#,
        r#"{"seconds": "1"}"#,
    ];
    for body in bodies {
        let reply = control_raw(&server, "POST", "/_sim/clock/advance", body).await;
        assert_control_error(&reply, 400, body);
        assert_eq!(info(&server).await["monotonic_ms"], 2500, "{body}");
    }
    // The limits themselves are fine: one day per step.
    let reply = control_raw(&server, "POST", "/_sim/clock/advance", r#"{"millis": 500}"#).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["monotonic_ms"], 3000);
    let reply = control_raw(
        &server,
        "POST",
        "/_sim/clock/advance",
        r#"{"seconds": 86400}"#,
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["monotonic_ms"], 86_403_000);
}

#[tokio::test]
async fn clock_advance_on_a_real_clock_is_a_409() {
    let server = TestServer::with(|c| c.clock = ClockMode::Real).await;
    let reply = control_raw(&server, "POST", "/_sim/clock/advance", r#"{"seconds": 1}"#).await;
    assert_control_error(&reply, 409, "real clock");
    assert_eq!(info(&server).await["clock"], "real");
}

// ----- errors -----

#[tokio::test]
async fn unknown_sessions_are_404() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let before = server.inspect(id).await;
    let requests = [
        ("GET", "/_sim/sessions/999"),
        ("DELETE", "/_sim/sessions/999"),
        ("POST", "/_sim/sessions/999/query"),
        ("POST", "/_sim/sessions/999/busy"),
        ("POST", "/_sim/sessions/999/idle"),
        ("POST", "/_sim/sessions/999/authenticate"),
    ];
    for (method, path) in requests {
        assert_control_error(&control_raw(&server, method, path, "").await, 404, path);
    }
    let reply = control_raw(
        &server,
        "POST",
        "/_sim/sessions/999/internal-ops",
        r#"{"pending": true}"#,
    )
    .await;
    assert_control_error(&reply, 404, "internal-ops");
    // Paths the control API does not have.
    for (method, path) in [
        ("POST", "/_sim/sessions/1/nap"),
        ("GET", "/_sim/nothing"),
        ("PUT", "/_sim/sessions/1"),
    ] {
        assert_control_error(&control_raw(&server, method, path, "").await, 404, path);
    }
    // A malformed id is a bad request.
    let reply = control_raw(&server, "GET", "/_sim/sessions/abc", "").await;
    assert_control_error(&reply, 400, "abc");
    assert_eq!(server.inspect(id).await, before);
    assert_eq!(info(&server).await["sessions"], 1);
}

#[tokio::test]
async fn bad_json_is_a_400_and_changes_nothing() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let before = server.inspect(id).await;
    let requests = [
        ("/_sim/sessions".to_string(), r#"{"count": "#),
        ("/_sim/sessions".to_string(), r#"{"count": -1}"#),
        ("/_sim/sessions".to_string(), r#"[2]"#),
        (format!("/_sim/sessions/{id}/busy"), "{busy"),
        (
            format!("/_sim/sessions/{id}/internal-ops"),
            r#"{"pending": "yes"}"#,
        ),
        (format!("/_sim/sessions/{id}/internal-ops"), r#"{}"#),
        ("/_sim/clock/advance".to_string(), "soon"),
    ];
    for (path, body) in &requests {
        let reply = control_raw(&server, "POST", path, body).await;
        assert_control_error(&reply, 400, &format!("{path} {body}"));
    }
    assert_eq!(server.inspect(id).await, before);
    let now = info(&server).await;
    assert_eq!(now["sessions"], 1);
    assert_eq!(now["monotonic_ms"], 0);
}

#[tokio::test]
async fn unknown_fields_are_400s() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let before = server.inspect(id).await;
    let requests = [
        ("/_sim/sessions".to_string(), r#"{"counts": 2}"#),
        (
            "/_sim/sessions".to_string(),
            r#"{"count": 1, "password": "x"}"#,
        ),
        (
            format!("/_sim/sessions/{id}/query"),
            r#"{"sql": "SELECT 1"}"#,
        ),
        (
            format!("/_sim/sessions/{id}/busy"),
            r#"{"statement": "SELECT 1", "for": 3}"#,
        ),
        (
            format!("/_sim/sessions/{id}/internal-ops"),
            r#"{"pending": true, "why": "kill"}"#,
        ),
        ("/_sim/clock/advance".to_string(), r#"{"second": 1}"#),
    ];
    for (path, body) in &requests {
        let reply = control_raw(&server, "POST", path, body).await;
        assert_control_error(&reply, 400, &format!("{path} {body}"));
    }
    assert_eq!(server.inspect(id).await, before);
    let now = info(&server).await;
    assert_eq!(now["sessions"], 1);
    assert_eq!(now["monotonic_ms"], 0);
}

#[tokio::test]
async fn internal_ops_flag_is_set_and_cleared() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    for pending in [true, false] {
        let reply = control_raw(
            &server,
            "POST",
            &format!("/_sim/sessions/{id}/internal-ops"),
            &json!({ "pending": pending }).to_string(),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(server.inspect(id).await["internal_ops_pending"], pending);
    }
}

// ----- reset and determinism -----

/// A GET as the admin with a fixed Host header, so that two servers on different ports render
/// the same links.
async fn get_fixed_host(server: &TestServer, target: &str) -> RawResponse {
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: localhost:8989\r\nConnection: close\r\nAuthorization: {}\r\n\r\n",
        admin_auth()
    );
    server.send_raw(request.as_bytes()).await
}

#[tokio::test]
async fn reset_restores_the_initial_population_byte_for_byte() {
    let server = TestServer::with(|c| {
        c.sessions = 3;
        c.seed = 11;
    })
    .await;
    let initial = server.get("/v1/sessions").await;
    assert_eq!(initial.status, 200);
    let initial_ids: Vec<&str> = vec!["1", "2", "3"];
    let mut ids_listed: Vec<String> = initial.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    ids_listed.sort();
    assert_eq!(ids_listed, initial_ids);
    let mut internal = Vec::new();
    for id in 1..=3 {
        internal.push(server.inspect(id).await);
    }
    let first_new = server.create_sessions(2).await;
    // Change as much as possible, late enough for the writes to stamp a new Last-Modified.
    server.advance(2.0).await;
    let patch = r#"{"data": {"attributes": {"parameters": {"log_info": true}},
        "relationships": {"filters": {"data": [{"id": "my-log-filter"}]}}}}"#;
    assert_eq!(
        server
            .admin("PATCH", "/v1/sessions/1", Some(patch))
            .await
            .status,
        200
    );
    assert_eq!(post_action(&server, 2, "busy").await.status, 200);
    assert_eq!(
        server.admin("DELETE", "/v1/sessions/3", None).await.status,
        200
    );
    assert_eq!(
        server
            .admin("POST", "/v1/sessions/restart", None)
            .await
            .status,
        200
    );
    server.query(first_new[0]).await;
    server.advance(5.5).await;
    let changed = server.get("/v1/sessions").await;
    assert_ne!(changed.body, initial.body);
    assert_ne!(
        changed.header("last-modified"),
        initial.header("last-modified")
    );

    let reply = control_raw(&server, "POST", "/_sim/reset", "").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let after = reply.json();
    assert_eq!(after["sessions"], 3);
    assert_eq!(after["monotonic_ms"], 0);
    assert_eq!(after["seed"], 11);
    let again = server.get("/v1/sessions").await;
    assert_eq!(again.body, initial.body, "byte-identical collection");
    assert_eq!(again.header("etag"), initial.header("etag"));
    assert_eq!(
        again.header("last-modified"),
        initial.header("last-modified")
    );
    for id in 1..=3 {
        assert_eq!(
            server.inspect(id).await,
            internal[id as usize - 1],
            "session {id}"
        );
    }
    // The id counter starts over too.
    assert_eq!(server.create_sessions(2).await, first_new);
}

/// The same requests against a server; returns every answer body, in order.
async fn scenario(server: &TestServer) -> Vec<String> {
    let mut bodies = Vec::new();
    let created = control_raw(server, "POST", "/_sim/sessions", r#"{"count": 3}"#).await;
    bodies.push(created.body.clone());
    server.query(2).await;
    server.advance(2.5).await;
    bodies.push(get_fixed_host(server, "/v1/sessions").await.body);
    let patch = r#"{"data": {"attributes": {"parameters": {"log_notice": true}}}}"#;
    for id in 1..=4 {
        let reply = server
            .admin("PATCH", &format!("/v1/sessions/{id}"), Some(patch))
            .await;
        bodies.push(format!("{} {}", reply.status, reply.body));
    }
    server.admin("POST", "/v1/sessions/restart", None).await;
    server.advance(6.0).await;
    for id in 1..=8 {
        bodies.push(
            get_fixed_host(server, &format!("/v1/sessions/{id}"))
                .await
                .body,
        );
        let internal = control_raw(server, "GET", &format!("/_sim/sessions/{id}"), "").await;
        bodies.push(internal.body);
    }
    bodies.push(
        get_fixed_host(server, "/v1/sessions?pretty=false")
            .await
            .body,
    );
    bodies.push(info(server).await.to_string());
    bodies
}

fn seeded(seed: u64) -> impl FnOnce(&mut reference_server::Config) {
    move |c| {
        c.seed = seed;
        c.sessions = 4;
        c.workload = Workload {
            churn_per_second: 0.5,
            query_rate: 0.3,
        };
    }
}

#[tokio::test]
async fn same_seed_and_requests_give_byte_identical_answers() {
    let first = TestServer::with(seeded(42)).await;
    let second = TestServer::with(seeded(42)).await;
    assert_ne!(first.host(), second.host());
    let a = scenario(&first).await;
    let b = scenario(&second).await;
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(x, y, "answer {i} differs");
    }
    // The workload did something: sessions left and arrived over the 8.5 s.
    let list: Value = serde_json::from_str(&a[a.len() - 2]).unwrap();
    let listed: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(
        listed.iter().any(|id| id.parse::<u64>().unwrap() > 7),
        "{listed:?}"
    );
}

#[tokio::test]
async fn a_different_seed_gives_different_client_ports() {
    async fn ports(seed: u64) -> Vec<u64> {
        let server = TestServer::with(|c| {
            c.seed = seed;
            c.sessions = 5;
        })
        .await;
        let mut ports = Vec::new();
        for id in 1..=5 {
            ports.push(
                resource(&server, id).await["attributes"]["port"]
                    .as_u64()
                    .unwrap(),
            );
        }
        ports
    }
    let one = ports(1).await;
    assert_eq!(ports(1).await, one, "same seed, same ports");
    assert_ne!(ports(2).await, one);
}

#[tokio::test]
async fn info_reports_clock_seed_profile_and_session_count() {
    let server = TestServer::with(|c| {
        c.seed = 9;
        c.sessions = 2;
    })
    .await;
    let now = info(&server).await;
    assert_eq!(now["clock"], "virtual");
    assert_eq!(now["seed"], 9);
    assert_eq!(now["profile"], "maxscale-24.02");
    assert_eq!(now["sessions"], 2);
    assert_eq!(now["monotonic_ms"], 0);
    // The virtual clock starts at the date of the 24.02 documentation example (spec §5.9).
    assert_eq!(now["wall_ms"], 1_704_439_446_000u64);
    assert_eq!(
        info(&TestServer::documented().await).await["profile"],
        "documented"
    );
}

// ----- where clients come from (spec §5.2) -----

#[tokio::test]
async fn socket_listener_clients_and_readconnroute_backends() {
    let topology = support::topology("many-servers.cnf");
    let server = TestServer::with(|c| c.topology = topology).await;
    let created = server
        .control(
            "POST",
            "/_sim/sessions",
            json!({ "count": 2, "service": "Read-Only-Router" }),
        )
        .await;
    for id in created["ids"].as_array().unwrap() {
        let doc = server.get(&format!("/v1/sessions/{id}")).await.json();
        let attributes = &doc["data"]["attributes"];
        // The service's only listener is a Unix socket: `localhost`, port -1.
        assert_eq!(attributes["remote"], "localhost");
        assert_eq!(attributes["port"], -1);
        // readconnroute routes to one server of the two.
        assert_eq!(attributes["connections"].as_array().unwrap().len(), 1);
    }
    let rw = server.create_sessions(1).await[0];
    let doc = server.get(&format!("/v1/sessions/{rw}")).await.json();
    let connections = doc["data"]["attributes"]["connections"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(connections, 3, "readwritesplit connects to every server");
    assert_ne!(doc["data"]["attributes"]["port"], -1);
}
