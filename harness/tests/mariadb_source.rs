//! The MariaDB session source (`--mysql URL`) against real sockets: the reference server's
//! MariaDB listener, whose sessions the REST API lists under the ids the clients' greetings
//! gave (captures/maxscale-24.02.4, client-protocol.md), and a bare socket sending the captured
//! greeting for clients left in their handshake.
//!
//! The server runs on a virtual clock, which the source moves through the control API: a busy
//! statement ends when the test advances time, not the machine's.

use std::time::Duration;

use harness::setup::{choose_source, SessionsVia};
use harness::source::{Action, Clock, MariaDb, MysqlUrl, Open, Source};
use harness::target::{collection_ids, Accounts, Credentials, Outgoing, Target, TargetUrl};
use reference_server::{ClockMode, Config, MysqlListen, Server, DEFAULT_PASSWORD, DEFAULT_USER};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

/// The reference server with its MariaDB listener on a free port, its REST API as a target,
/// and the MariaDB source of its listener (which keeps the control API for the clock).
async fn start() -> (Server, Target, Source) {
    let server = Server::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        mysql: MysqlListen::First("127.0.0.1:0".parse().unwrap()),
        clock: ClockMode::Virtual,
        ..Config::default()
    })
    .await
    .unwrap();
    let accounts = Accounts {
        admin: admin(),
        basic: None,
    };
    let url = TargetUrl::parse(&server.url()).unwrap();
    let target = Target::new(url, accounts, Duration::from_secs(10));
    let listener = server.mysql_addrs()[0].1;
    let mysql = MysqlUrl::parse(&format!(
        "mysql://{DEFAULT_USER}:{DEFAULT_PASSWORD}@{listener}/test"
    ))
    .unwrap();
    let detected = Source::detect(&target).await.unwrap();
    let source = choose_source(Some(SessionsVia::Mysql), detected, Some(&mysql)).unwrap();
    (server, target, source)
}

/// The embedded server's default read-write account.
fn admin() -> Credentials {
    Credentials {
        user: "admin".into(),
        password: "mariadb".into(),
    }
}

async fn listed(target: &Target) -> Vec<String> {
    let out = Outgoing::json("GET", "/v1/sessions".into(), None, Some(admin()));
    let answer = target.send(&out).await.unwrap();
    assert_eq!(answer.status, 200);
    collection_ids(&answer.body).unwrap()
}

/// Repeats `action` until its session is gone, for at most ten seconds of the machine's time:
/// the server's close reaches the client's socket a moment after the REST answer.
async fn until_gone(source: &Source, action: &Action) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if source.act(action).await.unwrap().gone {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never gone: {action:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn real_clients_are_the_sessions_of_the_rest_api() {
    let (server, target, source) = start().await;
    assert_eq!(source.clock(), Clock::Virtual);
    assert_eq!(
        source.describe(),
        "MariaDB clients, virtual clock (control API)"
    );
    let ids = source
        .open(Open {
            count: 2,
            ..Open::default()
        })
        .await
        .unwrap();
    assert_eq!(ids.len(), 2);
    let list = listed(&target).await;
    assert!(
        ids.iter().all(|id| list.contains(id)),
        "{ids:?} in {list:?}"
    );

    let query = Action::Query {
        id: ids[0].clone(),
        statement: None,
    };
    let done = source.act(&query).await.unwrap();
    assert!(!done.gone);
    let port = server.mysql_addrs()[0].1.port();
    assert_eq!(
        done.evidence,
        format!(
            "mysql -h 127.0.0.1 -P {port} -u {DEFAULT_USER} -p test -e 'SELECT 1'  # session {}",
            ids[0]
        )
    );
    assert!(!done.evidence.contains(DEFAULT_PASSWORD));

    // A busy statement runs until the (virtual) clock has passed its SLEEP.
    let busy = Action::Busy {
        id: ids[1].clone(),
        statement: Some("SELECT SLEEP(5)".into()),
    };
    assert!(!source.act(&busy).await.unwrap().gone);
    let idle = Action::Idle { id: ids[1].clone() };
    let stalled = source.act(&idle).await.unwrap_err();
    assert!(stalled.actual.contains("virtual clock"), "{stalled}");
    source
        .act(&Action::Advance(Duration::from_secs(5)))
        .await
        .unwrap();
    assert!(!source.act(&idle).await.unwrap().gone);

    // A kill closes the client's connection: its next action finds the session gone (spec §8.2).
    let path = format!("/v1/sessions/{}", ids[0]);
    let kill = Outgoing::json("DELETE", path, None, Some(admin()));
    let answer = target.send(&kill).await.unwrap();
    assert!((200..300).contains(&answer.status), "{}", answer.status);
    until_gone(&source, &query).await;
    assert!(
        source
            .act(&Action::Close { id: ids[0].clone() })
            .await
            .unwrap()
            .gone
    );

    // A client that disconnects takes its session out of the list.
    let close = Action::Close { id: ids[1].clone() };
    assert!(!source.act(&close).await.unwrap().gone);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while listed(&target).await.contains(&ids[1]) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} stays listed",
            ids[1]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    source.act(&Action::Reset).await.unwrap();
    server.stop().await;
}

/// The greeting of client-protocol.md (payload only): connection id 10068.
const GREETING: &str = "0a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275312d6c6f6700542700003341447850334a7500def7080200bf01150000000000001c0000002b5d41464f3e3c347b4d4547006d7973716c5f6e61746976655f70617373776f726400";

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test]
async fn a_client_in_its_handshake_has_the_greetings_id_and_sees_the_close() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let payload = hex(GREETING);
        let mut packet = (payload.len() as u32).to_le_bytes()[..3].to_vec();
        packet.push(0);
        packet.extend(payload);
        socket.write_all(&packet).await.unwrap();
        // The client never answers; the server closes it, as a kill does.
        let _ = closed_rx.await;
        drop(socket);
    });
    let url = MysqlUrl::parse(&format!("mysql://maxuser:maxpwd@127.0.0.1:{port}/test")).unwrap();
    let source = Source::MariaDb(MariaDb::new(url, None));
    let open = Open {
        count: 1,
        authenticated: Some(false),
        ..Open::default()
    };
    assert_eq!(source.open(open).await.unwrap(), vec!["10068".to_string()]);

    // Still in its handshake: it cannot query, and is not gone.
    let query = Action::Query {
        id: "10068".into(),
        statement: None,
    };
    let refused = source.act(&query).await.unwrap_err();
    assert!(refused.actual.contains("handshake"), "{refused}");

    closed_tx.send(()).unwrap();
    server.await.unwrap();
    // The close reaches the client's socket a moment later: poll until it is seen, bounded.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let done = loop {
        match source.act(&query).await {
            Ok(done) => break done,
            Err(refused) => {
                assert!(refused.actual.contains("handshake"), "{refused}");
                assert!(
                    tokio::time::Instant::now() < deadline,
                    "the close is never seen"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    assert!(done.gone, "{done:?}");
    assert!(!done.evidence.contains("maxpwd"), "{}", done.evidence);
    let close = Action::Close { id: "10068".into() };
    assert!(source.act(&close).await.unwrap().gone);
    // A close of a client already closed is fine too.
    assert!(source.act(&close).await.unwrap().gone);
}

#[tokio::test]
async fn a_user_service_or_remote_of_its_own_cannot_be_honoured() {
    let url = MysqlUrl::parse("mysql://maxuser:maxpwd@127.0.0.1:1/test").unwrap();
    let source = Source::MariaDb(MariaDb::new(url, None));
    for open in [
        Open {
            user: Some("alice".into()),
            ..Open::default()
        },
        Open {
            service: Some("RW-Split-Router".into()),
            ..Open::default()
        },
        Open {
            remote: Some("10.0.0.7".into()),
            ..Open::default()
        },
    ] {
        let error = source.open(Open { count: 1, ..open }).await.unwrap_err();
        assert!(error.actual.contains("--mysql URL"), "{error}");
        assert!(!error.to_string().contains("maxpwd"), "{error}");
    }
}
