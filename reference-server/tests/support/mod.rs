//! Shared test support: a reference server on 127.0.0.1:0 with a virtual clock, and a raw
//! HTTP/1.1 client that sends requests byte for byte (odd methods, unnormalised paths, exact
//! headers) and reads the whole response.

#![allow(dead_code)] // Each test crate uses its own part of the support module.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reference_server::{ClockMode, Config, Credentials, ProfileName, Server, Topology};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A topology of `fixtures/topologies/`, by file name.
pub fn topology(file: &str) -> Topology {
    let path = format!(
        "{}/../fixtures/topologies/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Topology::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `Authorization` value of the default admin account.
pub fn admin_auth() -> String {
    basic_auth("admin", "mariadb")
}

/// `Authorization` value of the read-only account the test server has (`ro` / `ropw`).
pub fn ro_auth() -> String {
    basic_auth("ro", "ropw")
}

/// A Basic `Authorization` header value.
pub fn basic_auth(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// A reference server for one test; it stops when dropped.
pub struct TestServer {
    pub server: Server,
}

/// The test configuration: port 0, virtual clock, a read-only account `ro` / `ropw`.
pub fn test_config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        clock: ClockMode::Virtual,
        basic: Some(Credentials {
            user: "ro".into(),
            password: "ropw".into(),
        }),
        ..Config::default()
    }
}

impl TestServer {
    /// The default test server with no sessions.
    pub async fn start() -> TestServer {
        TestServer::with(|_| {}).await
    }

    /// The documented profile.
    pub async fn documented() -> TestServer {
        TestServer::with(|c| c.profile = ProfileName::Documented).await
    }

    /// A test server with a changed configuration.
    pub async fn with(change: impl FnOnce(&mut Config)) -> TestServer {
        let mut config = test_config();
        change(&mut config);
        TestServer {
            server: Server::start(config).await.expect("server starts"),
        }
    }

    /// `127.0.0.1:PORT`, as a Host header value.
    pub fn host(&self) -> String {
        self.server.addr().to_string()
    }

    /// Sends a raw request text (with `\r\n` line ends, no `Connection` header needed).
    pub async fn send_raw(&self, request: &[u8]) -> RawResponse {
        let mut stream = TcpStream::connect(self.server.addr())
            .await
            .expect("connects");
        stream.write_all(request).await.expect("request written");
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.expect("response read");
        RawResponse::parse(&bytes)
    }

    /// Sends a request with the given headers (Host and `Connection: close` are added).
    pub async fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> RawResponse {
        let mut text = format!(
            "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.host()
        );
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            text.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        text.push_str("\r\n");
        text.push_str(body.unwrap_or(""));
        self.send_raw(text.as_bytes()).await
    }

    /// A request as the admin account.
    pub async fn admin(&self, method: &str, target: &str, body: Option<&str>) -> RawResponse {
        self.request(method, target, &[("Authorization", &admin_auth())], body)
            .await
    }

    /// `GET` as the admin account.
    pub async fn get(&self, target: &str) -> RawResponse {
        self.admin("GET", target, None).await
    }

    /// A control API call that must succeed; returns its JSON answer.
    pub async fn control(&self, method: &str, path: &str, body: Value) -> Value {
        let body = body.to_string();
        let response = self.request(method, path, &[], Some(&body)).await;
        assert!(
            response.status < 300,
            "control {method} {path} failed: {} {}",
            response.status,
            response.body
        );
        response.json()
    }

    /// Connects `count` clients; returns their session ids.
    pub async fn create_sessions(&self, count: usize) -> Vec<u64> {
        let created = self
            .control("POST", "/_sim/sessions", json!({ "count": count }))
            .await;
        created["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_u64().unwrap())
            .collect()
    }

    /// Advances the virtual clock.
    pub async fn advance(&self, seconds: f64) {
        self.control("POST", "/_sim/clock/advance", json!({ "seconds": seconds }))
            .await;
    }

    /// A client request on a session, answered at once.
    pub async fn query(&self, id: u64) {
        self.control("POST", &format!("/_sim/sessions/{id}/query"), json!({}))
            .await;
    }

    /// Everything observable about the sessions: GET /v1/sessions as rendered, and the
    /// simulation's own view of each (pending filters, restart flag, log flags). On the virtual
    /// clock two observations of an unchanged simulation are equal byte for byte.
    pub async fn observe(&self, ids: &[u64]) -> Observed {
        let collection = self.get("/v1/sessions").await;
        assert_eq!(collection.status, 200);
        let mut internal = Vec::new();
        for &id in ids {
            internal.push(self.inspect(id).await);
        }
        Observed {
            collection: collection.body,
            internal,
        }
    }

    /// The simulation's own view of a session.
    pub async fn inspect(&self, id: u64) -> Value {
        self.control("GET", &format!("/_sim/sessions/{id}"), json!({}))
            .await
    }
}

/// The state of the sessions as [`TestServer::observe`] saw it.
#[derive(Debug, PartialEq)]
pub struct Observed {
    pub collection: String,
    pub internal: Vec<Value>,
}

/// spec §1: 24.02 answers a successful write with 200, an empty body and no Content-Type.
#[track_caller]
pub fn assert_ok_empty(reply: &RawResponse) {
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body, "");
    assert_eq!(reply.header("content-type"), None);
    assert_eq!(reply.header("content-length"), Some("0"));
}

/// A response as it came over the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Header names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    fn parse(bytes: &[u8]) -> RawResponse {
        let text = String::from_utf8_lossy(bytes);
        let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        RawResponse {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// The first value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    /// The `detail` strings of an error document.
    pub fn details(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .expect("an error document")
            .iter()
            .map(|e| e["detail"].as_str().unwrap().to_string())
            .collect()
    }
}
