//! The MariaDB session source (`--mysql URL`) against real sockets: clients left in their
//! handshake take the session id from the greeting (captures/maxscale-24.02.4,
//! client-protocol.md) and see a server's close as `gone`.

use std::time::Duration;

use harness::source::{Action, MariaDb, MysqlUrl, Open, Source};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

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
    tokio::time::sleep(Duration::from_millis(50)).await;
    let done = source.act(&query).await.unwrap();
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
