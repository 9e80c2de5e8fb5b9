//! Real MariaDB clients on the reference server's listener (client-protocol.md of the
//! captures): the greeting's connection id is the session id, logins and their errors, `SELECT`
//! answers, and sessions that end from either side (spec §3.5, §8.2, §8.3, §6.3.3, §7.2, §15).
//!
//! The server runs on a virtual clock: `SELECT SLEEP(N)` ends only when the test advances the
//! clock, so no test waits on the machine's time. Where a connection task has to catch up, the
//! tests poll with a deadline.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts, OptsBuilder};
use reference_server::{MysqlListen, DEFAULT_PASSWORD, DEFAULT_USER};
use serde_json::{json, Value};
use support::TestServer;
use tokio::io::AsyncReadExt;

async fn start() -> TestServer {
    TestServer::with(|c| c.mysql = MysqlListen::First("127.0.0.1:0".parse().unwrap())).await
}

fn listener(server: &TestServer) -> SocketAddr {
    let addrs = server.server.mysql_addrs();
    assert_eq!(addrs[0].0, "RW-Split-Listener");
    addrs[0].1
}

fn opts(server: &TestServer, user: &str, password: &str, db: Option<&str>) -> Opts {
    let addr = listener(server);
    OptsBuilder::default()
        .ip_or_hostname(addr.ip().to_string())
        .tcp_port(addr.port())
        .user(Some(user))
        .pass(Some(password))
        .db_name(db)
        .prefer_socket(false)
        .into()
}

async fn connect(server: &TestServer) -> Conn {
    Conn::new(opts(server, DEFAULT_USER, DEFAULT_PASSWORD, Some("test")))
        .await
        .expect("the captures' account logs in")
}

fn server_error(error: mysql_async::Error) -> (u16, String) {
    match error {
        mysql_async::Error::Server(e) => (e.code, e.message),
        other => panic!("expected a server error, got {other:?}"),
    }
}

async fn session_ids(server: &TestServer) -> Vec<u64> {
    let reply = server.get("/v1/sessions").await;
    assert_eq!(reply.status, 200);
    reply.json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Polls `check` until it holds, for at most ten seconds of the machine's time.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn busy(server: &TestServer, id: u64) -> bool {
    server.inspect(id).await["busy"] == json!(true)
}

#[tokio::test]
async fn the_connection_id_is_the_session_id() {
    let server = start().await;
    let conn = connect(&server).await;
    let id = u64::from(conn.id());
    let reply = server.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let doc: Value = reply.json();
    let attributes = &doc["data"]["attributes"];
    assert_eq!(attributes["user"], "maxuser");
    assert_eq!(attributes["remote"], "127.0.0.1");
    assert_eq!(attributes["state"], "Session started");
    // The listener offers no connection attributes, so the client sent none.
    assert!(attributes["client"]["connection_attributes"].is_null());
    let services = &doc["data"]["relationships"]["services"]["data"];
    assert_eq!(services[0]["id"], "RW-Split-Router");
    // The port is the client's own end of the connection.
    let inspected = server.inspect(id).await;
    assert_eq!(inspected["user"], "maxuser");
    let port = attributes["port"].as_i64().expect("a port");
    assert!(port > 0);
    conn.disconnect().await.unwrap();
}

#[tokio::test]
async fn an_authenticating_client_is_listed_but_not_addressable() {
    let server = start().await;
    let mut socket = tokio::net::TcpStream::connect(listener(&server))
        .await
        .unwrap();
    // The greeting: 4 bytes of packet header, protocol 10, the version up to its NUL, then the
    // connection id (client-protocol.md).
    let mut greeting = vec![0; 4];
    socket.read_exact(&mut greeting).await.unwrap();
    let len = u32::from_le_bytes([greeting[0], greeting[1], greeting[2], 0]) as usize;
    let mut payload = vec![0; len];
    socket.read_exact(&mut payload).await.unwrap();
    assert_eq!(payload[0], 10);
    let nul = payload.iter().position(|&b| b == 0).unwrap();
    assert!(payload[1..nul].starts_with(b"5.5.5-10.11.19-MariaDB"));
    let id_bytes: [u8; 4] = payload[nul + 1..nul + 5].try_into().unwrap();
    let id = u64::from(u32::from_le_bytes(id_bytes));
    // spec §3.5: listed as "Session created", not addressable, with the client's real port.
    let list = server.get("/v1/sessions").await.json();
    let session = &list["data"][0];
    assert_eq!(session["id"], id.to_string());
    assert_eq!(session["attributes"]["state"], "Session created");
    let port = i64::from(socket.local_addr().unwrap().port());
    assert_eq!(session["attributes"]["port"], port);
    assert_eq!(server.get(&format!("/v1/sessions/{id}")).await.status, 404);
    drop(socket);
    eventually("the session left", || async {
        session_ids(&server).await.is_empty()
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_is_1045_and_leaves_no_session() {
    let server = start().await;
    let error = Conn::new(opts(&server, DEFAULT_USER, "wrong", None))
        .await
        .unwrap_err();
    assert_eq!(
        server_error(error),
        (
            1045,
            "Access denied for user 'maxuser'@'127.0.0.1' (using password: YES)".to_string()
        )
    );
    let error = Conn::new(opts(&server, "nobody", DEFAULT_PASSWORD, None))
        .await
        .unwrap_err();
    assert_eq!(server_error(error).0, 1045);
    eventually("no session is left", || async {
        session_ids(&server).await.is_empty()
    })
    .await;
}

#[tokio::test]
async fn an_unknown_database_is_1049() {
    let server = start().await;
    let error = Conn::new(opts(
        &server,
        DEFAULT_USER,
        DEFAULT_PASSWORD,
        Some("nosuchdb"),
    ))
    .await
    .unwrap_err();
    assert_eq!(
        server_error(error),
        (1049, "Unknown database 'nosuchdb'".to_string())
    );
    eventually("no session is left", || async {
        session_ids(&server).await.is_empty()
    })
    .await;
}

#[tokio::test]
async fn select_answers_one_row_and_other_statements_an_error() {
    let server = start().await;
    let mut conn = connect(&server).await;
    let rows: Vec<mysql_async::Row> = conn.query("SELECT 1").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].columns_ref()[0].name_str(), "1");
    assert_eq!(rows[0].get::<i64, _>(0), Some(1));
    for ok in [
        "BEGIN",
        "COMMIT",
        "START TRANSACTION",
        "ROLLBACK",
        "SET autocommit=1",
    ] {
        conn.query_drop(ok).await.unwrap();
    }
    let error = conn.query_drop("DROP TABLE t").await.unwrap_err();
    assert_eq!(server_error(error).0, 1064);
    // The connection survives the error.
    assert_eq!(
        conn.query_first::<i64, _>("SELECT 7").await.unwrap(),
        Some(7)
    );
    conn.disconnect().await.unwrap();
}

#[tokio::test]
async fn a_kill_closes_the_connection_and_the_session_is_gone() {
    let server = start().await;
    let mut conn = connect(&server).await;
    let id = conn.id();
    let reply = server
        .admin("DELETE", &format!("/v1/sessions/{id}"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // spec §8.2: gone at once; the client's next query fails (2013, no error packet).
    assert_eq!(server.get(&format!("/v1/sessions/{id}")).await.status, 404);
    let error = conn.query_drop("SELECT 1").await.unwrap_err();
    assert!(
        !matches!(error, mysql_async::Error::Server(_)),
        "no error packet: {error:?}"
    );
}

#[tokio::test]
async fn a_ttl_kill_cuts_off_a_running_query() {
    let server = start().await;
    let mut conn = connect(&server).await;
    let id = u64::from(conn.id());
    let running = tokio::spawn(async move { conn.query_drop("SELECT SLEEP(100)").await });
    eventually("the session is busy", || busy(&server, id)).await;
    let reply = server
        .admin("DELETE", &format!("/v1/sessions/{id}?ttl=1"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // spec §8.3: the ttl fires after more than one whole second.
    server.advance(3.0).await;
    let error = running.await.unwrap().unwrap_err();
    assert!(!matches!(error, mysql_async::Error::Server(_)), "{error:?}");
    assert_eq!(server.get(&format!("/v1/sessions/{id}")).await.status, 404);
}

#[tokio::test]
async fn a_closed_client_leaves_the_list_at_once() {
    let server = start().await;
    let conn = connect(&server).await;
    let id = u64::from(conn.id());
    assert_eq!(session_ids(&server).await, vec![id]);
    conn.disconnect().await.unwrap();
    // spec §8.2: the session leaves at COM_QUIT; the poll only waits for the server's task.
    eventually("the session left", || async {
        session_ids(&server).await.is_empty()
    })
    .await;
}

#[tokio::test]
async fn sleep_keeps_the_session_busy_until_the_clock_passes_it() {
    let server = start().await;
    let mut conn = connect(&server).await;
    let id = u64::from(conn.id());
    let running = tokio::spawn(async move {
        let value = conn.query_first::<i64, _>("SELECT SLEEP(2)").await;
        (conn, value)
    });
    eventually("the session is busy", || busy(&server, id)).await;
    // spec §6.3.3: a filter PATCH on a busy session waits for its next statement.
    let body = json!({"data": {"relationships": {"filters": {"data": [
        {"id": "my-log-filter", "type": "filters"}
    ]}}}});
    let reply = server
        .admin(
            "PATCH",
            &format!("/v1/sessions/{id}"),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    server.advance(1.0).await;
    assert!(busy(&server, id).await, "one second of two has passed");
    assert!(!running.is_finished());
    server.advance(1.5).await;
    let (mut conn, value) = running.await.unwrap();
    assert_eq!(value.unwrap(), Some(0));
    assert!(!busy(&server, id).await);
    assert_eq!(server.inspect(id).await["filters"], json!([]));
    conn.query_drop("SELECT 1").await.unwrap();
    let inspected = server.inspect(id).await;
    assert_eq!(inspected["filters"], json!(["my-log-filter"]));
    assert_eq!(inspected["pending_filters"], Value::Null);
    conn.disconnect().await.unwrap();
}

#[tokio::test]
async fn a_restart_gives_new_backend_connections_at_the_next_statement() {
    let server = start().await;
    let mut conn = connect(&server).await;
    let id = u64::from(conn.id());
    let before = server.inspect(id).await["backends"].clone();
    let reply = server
        .admin("POST", &format!("/v1/sessions/{id}/restart"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(server.inspect(id).await["backends"], before);
    // spec §7.2: the restart happens at the next client statement.
    conn.query_drop("SELECT 1").await.unwrap();
    let after = server.inspect(id).await["backends"].clone();
    assert_ne!(after, before);
    assert_eq!(server.inspect(id).await["restart_pending"], json!(false));
    conn.disconnect().await.unwrap();
}

#[tokio::test]
async fn real_and_control_sessions_coexist() {
    let server = start().await;
    let synthetic = server.create_sessions(1).await;
    let conn = connect(&server).await;
    let mut ids = session_ids(&server).await;
    ids.sort();
    let mut expected = vec![synthetic[0], u64::from(conn.id())];
    expected.sort();
    assert_eq!(ids, expected);
    conn.disconnect().await.unwrap();
}

#[tokio::test]
async fn a_reset_closes_real_clients_without_touching_new_ones() {
    let server = start().await;
    let mut old = connect(&server).await;
    server.control("POST", "/_sim/reset", json!({})).await;
    let error = old.query_drop("SELECT 1").await.unwrap_err();
    assert!(!matches!(error, mysql_async::Error::Server(_)), "{error:?}");
    // Ids start again after a reset: the old connection's end must not remove the new session.
    let new = connect(&server).await;
    assert_eq!(new.id(), old.id());
    assert_eq!(session_ids(&server).await, vec![u64::from(new.id())]);
    new.disconnect().await.unwrap();
}

#[tokio::test]
async fn sleep_on_a_real_clock_answers_zero() {
    let server = TestServer::with(|c| {
        c.mysql = MysqlListen::First("127.0.0.1:0".parse().unwrap());
        c.clock = reference_server::ClockMode::Real;
    })
    .await;
    let mut conn = connect(&server).await;
    let id = u64::from(conn.id());
    let value: Option<i64> = conn.query_first("SELECT SLEEP(0.05)").await.unwrap();
    assert_eq!(value, Some(0));
    assert!(
        !busy(&server, id).await,
        "the request completed with its answer"
    );
    conn.disconnect().await.unwrap();
}
