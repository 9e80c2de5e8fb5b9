//! Every document the reference server sends, for every endpoint and both profiles, over a
//! population of more than 1,000 varied sessions, validates against the schemas of its profile.
//!
//! The reference server runs in-process and is spoken to over HTTP only, as the harness speaks
//! to any target; its sessions are set up through its control API.

use harness::schemas::{Schema, SchemaSet};
use reference_server::ClockMode;
use reference_server::ProfileName;
use reference_server::Topology;
use reference_server::{Config, Server};
use serde_json::{json, Value};

const AUTH: (&str, &str) = ("admin", "mariadb");

/// A reference server with its client.
struct Target {
    _server: Server,
    base: String,
    client: reqwest::Client,
}

impl Target {
    async fn start(profile: ProfileName) -> Target {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/topologies/varied.cnf"
        );
        let topology = Topology::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        let server = Server::start(Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            clock: ClockMode::Virtual,
            profile,
            topology,
            seed: 11,
            ..Config::default()
        })
        .await
        .expect("the reference server starts");
        Target {
            base: server.url(),
            _server: server,
            client: reqwest::Client::new(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .basic_auth(AUTH.0, Some(AUTH.1));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    async fn control(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, text) = self.send(method, path, Some(body)).await;
        assert!(status < 300, "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// More than 1,000 sessions in every shape: on both services, from several hosts, idle and
    /// busy, with and without session filters (pending ones too), with retained statements and
    /// trace lines, an armed ttl, still authenticating, and stopping.
    async fn populate(&self) -> Vec<u64> {
        let mut ids = Vec::new();
        for (service, count) in [("RW-Split-Router", 900), ("Read-Only-Router", 150)] {
            let created = self
                .control(
                    "POST",
                    "/_sim/sessions",
                    json!({ "count": count, "service": service }),
                )
                .await;
            ids.extend(
                created["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_u64().unwrap()),
            );
        }
        for &id in &ids {
            if id % 7 == 0 {
                self.control("POST", &format!("/_sim/sessions/{id}/query"), json!({}))
                    .await;
            }
            if id % 4 == 0 {
                let filters = json!({"data": {"relationships": {"filters": {"data": [
                    {"id": "my-log-filter", "type": "filters"}, {"id": "my-regex-filter"}
                ]}}}});
                self.send("PATCH", &format!("/v1/sessions/{id}"), Some(filters))
                    .await;
            }
            if id % 5 == 0 {
                let statement = json!({ "statement": "SELECT SLEEP(4)" });
                self.control("POST", &format!("/_sim/sessions/{id}/busy"), statement)
                    .await;
            }
            if id % 10 == 0 {
                let pending = json!({"data": {"relationships": {"filters": {"data": [
                    {"id": "my-cache-filter"}
                ]}}}});
                self.send("PATCH", &format!("/v1/sessions/{id}"), Some(pending))
                    .await;
            }
            if id % 11 == 0 {
                self.send("DELETE", &format!("/v1/sessions/{id}?ttl=100"), None)
                    .await;
            }
        }
        self.control("POST", "/_sim/clock/advance", json!({ "seconds": 1.7 }))
            .await;
        let authenticating = json!({ "count": 20, "authenticated": false });
        self.control("POST", "/_sim/sessions", authenticating).await;
        for &id in ids.iter().filter(|id| *id % 97 == 0) {
            let linger = json!({ "linger": true });
            self.control("DELETE", &format!("/_sim/sessions/{id}"), linger)
                .await;
        }
        ids
    }
}

/// Asserts a document is valid, listing every violation when it is not.
#[track_caller]
fn assert_valid(schema: &Schema, what: &str, text: &str) {
    let document: Value = serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{what}: the body is not JSON ({e}): {text:.200}"));
    let violations = schema.violations(&document);
    assert!(
        violations.is_empty(),
        "{what} breaks {}:\n{}",
        schema.path(),
        violations
            .iter()
            .take(10)
            .map(|v| format!("  {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

async fn every_response_validates(profile: ProfileName, profile_name: &str) {
    let schemas = SchemaSet::embedded();
    let schema = |name: &str| schemas.compile(name, profile_name).unwrap();
    let target = Target::start(profile).await;
    let ids = target.populate().await;

    let list = schema("session-list");
    let (status, text) = target.send("GET", "/v1/sessions", None).await;
    assert_eq!(status, 200);
    let listed: Value = serde_json::from_str(&text).unwrap();
    let states: std::collections::BTreeSet<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["attributes"]["state"].as_str().unwrap())
        .collect();
    assert!(listed["data"].as_array().unwrap().len() > 1_000);
    assert_eq!(
        states.into_iter().collect::<Vec<_>>(),
        ["Session created", "Session started", "Stopping session"],
        "the population covers every state"
    );
    assert_valid(&list, "GET /v1/sessions", &text);
    for path in [
        "/v1/sessions?rdns=true&pretty=false",
        "/v1/sessions?page[size]=25&page[number]=3",
        "/v1/sessions?page[size]=25&page[number]=999",
        "/v1/sessions?filter=/attributes/state=eq(%22Session%20started%22)",
        "/v1/sessions?filter[$.relationships.filters.data[*].id]=eq(%22my-log-filter%22)",
        "/sessions",
    ] {
        let (status, text) = target.send("GET", path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_valid(&list, path, &text);
    }

    let one = schema("session-one");
    for &id in ids.iter().filter(|id| *id % 97 != 0).take(300) {
        let path = format!("/v1/sessions/{id}?rdns=true");
        let (status, text) = target.send("GET", &path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_valid(&one, &path, &text);
    }

    // A sparse fieldset cuts attributes away: the sparse schemas drop the required lists only.
    for (name, path) in [
        (
            "session-list-sparse",
            "/v1/sessions?fields[sessions]=state,user,memory/total",
        ),
        (
            "session-list-sparse",
            "/v1/sessions?fields[sessions]=filters&page[size]=5",
        ),
        (
            "session-one-sparse",
            "/v1/sessions/1?fields[sessions]=connections/server,client",
        ),
    ] {
        let (status, text) = target.send("GET", path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_valid(&schema(name), path, &text);
    }

    let error = schema("error");
    let errors = [
        ("GET", "/v1/sessions/abc", None, 404),
        ("GET", "/v1/sessions?filter=/id=bad", None, 400),
        (
            "PATCH",
            "/v1/sessions/1",
            Some(json!({"data": {"relationships": {"filters": {"data": [{"id": "nope"}]}}}})),
            400,
        ),
        (
            "PATCH",
            "/v1/sessions/1",
            Some(json!({"data": {"relationships": {"filters": {"data": [{"id": 5}]}}}})),
            400,
        ),
        (
            "PATCH",
            "/v1/sessions/1",
            Some(json!({"data": {"relationships": {"filters": {"data": [{"type": "filters"}]}}}})),
            400,
        ),
        ("DELETE", "/v1/sessions/0", None, 404),
        ("POST", "/v1/sessions/abc/restart", None, 404),
    ];
    for (method, path, body, expected) in errors {
        let (status, text) = target.send(method, path, body).await;
        assert_eq!(status, expected, "{method} {path}: {text}");
        assert_valid(&error, &format!("{method} {path}"), &text);
    }

    for (name, path) in [
        ("service-list", "/v1/services"),
        ("service-one", "/v1/services/RW-Split-Router"),
        ("service-one", "/v1/services/Read-Only-Router"),
        ("filter-list", "/v1/filters"),
        ("filter-one", "/v1/filters/my-log-filter"),
        ("server-list", "/v1/servers"),
        ("server-one", "/v1/servers/server2"),
        ("maxscale", "/v1/maxscale"),
    ] {
        let (status, text) = target.send("GET", path, None).await;
        assert_eq!(status, 200, "{path}");
        assert_valid(&schema(name), path, &text);
    }
}

#[tokio::test]
async fn every_response_of_the_maxscale_profile_validates() {
    every_response_validates(ProfileName::Maxscale2402, "maxscale-24.02").await;
}

#[tokio::test]
async fn every_response_of_the_documented_profile_validates() {
    every_response_validates(ProfileName::Documented, "documented").await;
}
