//! The resources around the sessions — services, filters, servers, `/maxscale` — and what
//! maxctrl's session commands send and read (maxctrl-sessions.md §2, §3).

mod support;

use reference_server::Topology;
use serde_json::{json, Value};
use support::TestServer;

/// The value at a dotted path (`data.attributes.user`; numeric parts index arrays); `Null` when
/// absent, as lodash-getpath gives maxctrl `""` for a missing value.
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(value, |v, part| match part.parse::<usize>() {
            Ok(i) if v.is_array() => &v[i],
            _ => &v[part],
        })
}

/// A topology with the captures' objects and the given `[maxscale]` lines.
fn topology(global: &str) -> Topology {
    Topology::parse(&format!(
        "[maxscale]\nthreads=2\n{global}\n\n\
         [server1]\ntype=server\naddress=127.0.0.1\nport=3306\n\n\
         [RW-Split-Router]\ntype=service\nrouter=readwritesplit\nservers=server1\nuser=maxscale\npassword=pw\n\n\
         [RW-Split-Listener]\ntype=listener\nservice=RW-Split-Router\nprotocol=MariaDBClient\naddress=127.0.0.1\nport=4006\n\n\
         [my-log-filter]\ntype=filter\nmodule=qlafilter\nfilebase=qla/session\n\n\
         [my-regex-filter]\ntype=filter\nmodule=regexfilter\nmatch=/fetch/\nreplace=select\n"
    ))
    .expect("valid topology")
}

/// Asserts a JSON:API relationship to `kind` objects named `ids`, with its links.
fn assert_relationship(rel: &Value, host: &str, owner: &str, kind: &str, ids: &[&str]) {
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "id": id, "type": kind }))
        .collect();
    assert_eq!(rel["data"], json!(data), "{owner} → {kind}");
    assert_eq!(
        rel["links"],
        json!({
            "self": format!("http://{host}/v1/{owner}/relationships/{kind}/"),
            "related": format!("http://{host}/v1/{kind}/"),
        }),
        "{owner} → {kind} links"
    );
}

/// GET that must answer 200; the document.
async fn ok(server: &TestServer, target: &str) -> Value {
    let r = server.get(target).await;
    assert_eq!(r.status, 200, "GET {target}: {}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    r.json()
}

// ----- services, filters, servers (the relationships of a session point at them) -----

#[tokio::test]
async fn services_collection_and_resource() {
    let server = TestServer::start().await;
    let host = server.host();
    let all = ok(&server, "/v1/services").await;
    assert_eq!(all["links"]["self"], format!("http://{host}/v1/services/"));
    let rows = all["data"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let one = ok(&server, "/v1/services/RW-Split-Router").await;
    assert_eq!(
        one["data"], rows[0],
        "the collection holds the same resource"
    );
    let s = &one["data"];
    assert_eq!(s["id"], "RW-Split-Router");
    assert_eq!(s["type"], "services");
    assert_eq!(
        one["links"]["self"],
        format!("http://{host}/v1/services/RW-Split-Router/")
    );
    assert_eq!(s["links"]["self"], one["links"]["self"]);
    assert_eq!(s["attributes"]["router"], "readwritesplit");
    assert!(s["attributes"]["parameters"].is_object());
    let owner = "services/RW-Split-Router";
    assert_relationship(
        &s["relationships"]["servers"],
        &host,
        owner,
        "servers",
        &["server1"],
    );
    assert_relationship(
        &s["relationships"]["listeners"],
        &host,
        owner,
        "listeners",
        &["RW-Split-Listener"],
    );
    // The filters are defined but not attached to the service.
    assert!(s["relationships"].get("filters").is_none());
    // No password is ever shown.
    assert!(!one.to_string().contains("maxscale_pw"));
    // A session's `related` link points at this collection.
    let id = server.create_sessions(1).await[0];
    let session = ok(&server, &format!("/v1/sessions/{id}")).await;
    assert_eq!(
        session["data"]["relationships"]["services"]["links"]["related"],
        all["links"]["self"]
    );
}

#[tokio::test]
async fn filters_collection_and_resource() {
    let server = TestServer::start().await;
    let host = server.host();
    let all = ok(&server, "/v1/filters").await;
    assert_eq!(all["links"]["self"], format!("http://{host}/v1/filters/"));
    let names: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["my-log-filter", "my-regex-filter"]);
    for (name, module) in [
        ("my-log-filter", "qlafilter"),
        ("my-regex-filter", "regexfilter"),
    ] {
        let one = ok(&server, &format!("/v1/filters/{name}")).await;
        assert_eq!(one["data"]["id"], name);
        assert_eq!(one["data"]["type"], "filters");
        assert_eq!(one["data"]["attributes"]["module"], module);
        assert!(one["data"]["attributes"]["parameters"].is_object());
        assert_eq!(
            one["links"]["self"],
            format!("http://{host}/v1/filters/{name}/")
        );
        assert_eq!(one["data"]["links"]["self"], one["links"]["self"]);
        // Not attached to any service.
        assert!(one["data"]["relationships"].get("services").is_none());
    }
    let regex = ok(&server, "/v1/filters/my-regex-filter").await;
    assert_eq!(
        regex["data"]["attributes"]["parameters"]["match"],
        "/fetch/"
    );
}

#[tokio::test]
async fn a_filter_attached_to_a_service_points_back_at_it() {
    let text = "[server1]\ntype=server\naddress=127.0.0.1\n\n\
                [svc]\ntype=service\nrouter=readconnroute\nservers=server1\nfilters=f1\n\n\
                [f1]\ntype=filter\nmodule=qlafilter\n";
    let server = TestServer::with(|c| c.topology = Topology::parse(text).unwrap()).await;
    let host = server.host();
    let filter = ok(&server, "/v1/filters/f1").await;
    assert_relationship(
        &filter["data"]["relationships"]["services"],
        &host,
        "filters/f1",
        "services",
        &["svc"],
    );
    let service = ok(&server, "/v1/services/svc").await;
    assert_relationship(
        &service["data"]["relationships"]["filters"],
        &host,
        "services/svc",
        "filters",
        &["f1"],
    );
    // spec §5.1: a service's own filters never appear as session filters.
    let id = server.create_sessions(1).await[0];
    let session = ok(&server, &format!("/v1/sessions/{id}")).await;
    assert!(session["data"]["relationships"].get("filters").is_none());
    assert_eq!(
        session["data"]["relationships"]["services"]["data"],
        json!([{ "id": "svc", "type": "services" }])
    );
}

#[tokio::test]
async fn servers_collection_and_resource() {
    let server = TestServer::start().await;
    let host = server.host();
    let all = ok(&server, "/v1/servers").await;
    assert_eq!(all["links"]["self"], format!("http://{host}/v1/servers/"));
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    let one = ok(&server, "/v1/servers/server1").await;
    assert_eq!(one["data"], all["data"][0]);
    let s = &one["data"];
    assert_eq!(s["id"], "server1");
    assert_eq!(s["type"], "servers");
    assert_eq!(s["attributes"]["parameters"]["address"], "127.0.0.1");
    assert_eq!(s["attributes"]["parameters"]["port"], 3306);
    assert_eq!(
        s["links"]["self"],
        format!("http://{host}/v1/servers/server1/")
    );
    assert_relationship(
        &s["relationships"]["services"],
        &host,
        "servers/server1",
        "services",
        &["RW-Split-Router"],
    );
    // A session's backend connection names this server.
    let id = server.create_sessions(1).await[0];
    let session = ok(&server, &format!("/v1/sessions/{id}")).await;
    assert_eq!(
        session["data"]["attributes"]["connections"][0]["server"],
        s["id"]
    );
}

#[tokio::test]
async fn unknown_names_are_404_with_the_kind_in_the_message() {
    // spec §3.3: a variable part that fails its check → `<part> is not a <kind>`.
    let server = TestServer::start().await;
    for (target, detail) in [
        ("/v1/services/nope", "nope is not a service"),
        ("/v1/filters/nope", "nope is not a filter"),
        ("/v1/servers/nope", "nope is not a server"),
    ] {
        let r = server.get(target).await;
        assert_eq!(r.status, 404, "{target}");
        assert_eq!(r.details(), [detail], "{target}");
    }
    // Names are case-sensitive.
    assert_eq!(server.get("/v1/services/rw-split-router").await.status, 404);
}

#[tokio::test]
async fn resources_are_read_only_here() {
    // Only GET routes exist for these paths: OPTIONS lists GET, writes are unrouted (404).
    let server = TestServer::start().await;
    for target in [
        "/v1/services/RW-Split-Router",
        "/v1/filters/my-log-filter",
        "/v1/servers/server1",
        "/v1/maxscale",
    ] {
        let r = server.admin("OPTIONS", target, None).await;
        assert_eq!(r.header("accept"), Some("GET"), "{target}");
        let r = server.admin("DELETE", target, None).await;
        assert_eq!(r.status, 404, "DELETE {target}");
    }
}

// ----- /v1/maxscale (maxctrl-sessions.md §2.4) -----

#[tokio::test]
async fn maxscale_reports_retain_last_statements() {
    let server = TestServer::start().await;
    let doc = ok(&server, "/v1/maxscale").await;
    assert_eq!(doc["data"]["id"], "maxscale");
    assert_eq!(doc["data"]["type"], "maxscale");
    assert_eq!(
        doc["links"]["self"],
        format!("http://{}/v1/maxscale/", server.host())
    );
    // spec §12: default 0 (verified live, P-queries).
    assert_eq!(
        at(&doc, "data.attributes.parameters.retain_last_statements"),
        &json!(0)
    );

    let server = TestServer::with(|c| c.topology = topology("retain_last_statements=3")).await;
    let doc = ok(&server, "/v1/maxscale").await;
    assert_eq!(
        at(&doc, "data.attributes.parameters.retain_last_statements"),
        &json!(3)
    );
}

// ----- maxctrl's session commands (maxctrl-sessions.md §2, §3) -----

/// Asserts the types of the columns `list sessions` reads from one row (§2.1).
fn assert_list_row(row: &Value) {
    assert!(row["id"].is_string(), "Id");
    assert!(at(row, "attributes.user").is_string(), "User");
    assert!(at(row, "attributes.remote").is_string(), "Host");
    let connected = at(row, "attributes.connected").as_str().expect("Connected");
    assert_rfc1123(connected);
    assert!(at(row, "attributes.idle").is_number(), "Idle");
    assert!(at(row, "attributes.memory.total").is_u64(), "Memory");
    assert!(at(row, "attributes.io_activity").is_u64(), "I/O-Activity");
    let services = at(row, "relationships.services.data")
        .as_array()
        .expect("Service");
    assert!(!services.is_empty() && services.iter().all(|s| s["id"].is_string()));
}

/// `Fri, 05 Jan 2024 07:24:06 GMT`: what JS `new Date(…)` parses (spec §5.2).
fn assert_rfc1123(text: &str) {
    let parts: Vec<&str> = text.split(' ').collect();
    assert_eq!(parts.len(), 6, "{text}");
    assert!(parts[0].ends_with(',') && parts[0].len() == 4, "{text}");
    assert_eq!(parts[1].len(), 2, "{text}");
    assert_eq!(parts[3].len(), 4, "{text}: four-digit year");
    assert_eq!(parts[4].len(), 8, "{text}");
    assert_eq!(parts[5], "GMT", "{text}");
}

/// `YYYY-MM-DDTHH:MM:SS.mmm` (spec §5.6).
fn assert_query_timestamp(text: &str) {
    let shape: String = text
        .chars()
        .map(|c| if c.is_ascii_digit() { 'd' } else { c })
        .collect();
    assert_eq!(shape, "dddd-dd-ddTdd:dd:dd.ddd", "{text}");
}

#[tokio::test]
async fn maxctrl_list_sessions_finds_its_columns() {
    // §2.1: `GET /v1/sessions` and `?rdns=true`; `data` must be an array.
    let server = TestServer::start().await;
    let empty = ok(&server, "/v1/sessions").await;
    assert_eq!(empty["data"], json!([]), "zero sessions: an empty array");
    server.create_sessions(3).await;
    for target in ["/v1/sessions", "/v1/sessions?rdns=true"] {
        let doc = ok(&server, target).await;
        let rows = doc["data"].as_array().expect("data array");
        assert_eq!(rows.len(), 3);
        rows.iter().for_each(assert_list_row);
    }
    let doc = ok(&server, "/v1/sessions?rdns=true").await;
    assert_eq!(at(&doc, "data.0.attributes.remote"), &json!("localhost"));
}

/// Asserts the paths `show session` reads (§2.2).
fn assert_show_block(s: &Value) {
    assert!(s["id"].is_string(), "Id");
    assert!(
        at(s, "relationships.services.data.0.id").is_string(),
        "Service"
    );
    assert_eq!(
        at(s, "attributes.state"),
        &json!("Session started"),
        "State"
    );
    assert!(at(s, "attributes.user").is_string(), "User");
    assert!(at(s, "attributes.remote").is_string(), "Host");
    assert!(at(s, "attributes.port").is_i64(), "Port");
    // A26: `database` is never emitted (maxctrl prints an empty value).
    assert!(at(s, "attributes.database").is_null(), "Database");
    assert_rfc1123(at(s, "attributes.connected").as_str().expect("Connected"));
    assert!(at(s, "attributes.idle").is_number(), "Idle");
    let parameters = at(s, "attributes.parameters")
        .as_object()
        .expect("Parameters");
    assert!(parameters.values().all(Value::is_boolean));
    assert!(
        at(s, "attributes.client.cipher").is_string(),
        "Client TLS Cipher"
    );
    let attrs = at(s, "attributes.client.connection_attributes");
    assert!(
        attrs.is_object() || attrs.is_null(),
        "Connection attributes"
    );
    let connections = at(s, "attributes.connections")
        .as_array()
        .expect("Connections");
    for c in connections {
        assert!(c["server"].is_string() && c["connection_id"].is_u64());
    }
    assert!(at(s, "attributes.queries").is_array(), "Queries");
    let log = at(s, "attributes.log").as_array().expect("Log");
    assert!(log.iter().all(Value::is_string));
    assert!(at(s, "attributes.memory").is_object(), "Memory");
    assert!(at(s, "attributes.io_activity").is_u64(), "I/O Activity");
}

#[tokio::test]
async fn maxctrl_show_session_finds_its_rows() {
    // §2.2: `GET /v1/sessions/<id>` with and without `?rdns=true`.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    for query in ["", "?rdns=true"] {
        let doc = ok(&server, &format!("/v1/sessions/{id}{query}")).await;
        assert!(doc["data"].is_object(), "data object");
        assert_show_block(&doc["data"]);
    }
    // Not found: a body-less 404 for a well-formed id, an error document for a malformed one.
    let r = server.get("/v1/sessions/123456").await;
    assert_eq!((r.status, r.body.as_str()), (404, ""));
    let r = server.get("/v1/sessions/abc").await;
    assert_eq!(r.details(), ["abc is not a session"]);
}

#[tokio::test]
async fn maxctrl_show_sessions_reads_the_collection_with_a_trailing_slash() {
    // §2.3: `GET /v1/sessions/` (trailing slash), `?rdns=true` too.
    let server = TestServer::start().await;
    let empty = ok(&server, "/v1/sessions/").await;
    assert_eq!(empty["data"], json!([]));
    server.create_sessions(2).await;
    for target in ["/v1/sessions/", "/v1/sessions/?rdns=true"] {
        let doc = ok(&server, target).await;
        let rows = doc["data"].as_array().expect("data array");
        assert_eq!(rows.len(), 2);
        rows.iter().for_each(assert_show_block);
    }
}

#[tokio::test]
async fn maxctrl_list_queries_sees_a_running_statement() {
    // §2.4: `GET /v1/maxscale` then `GET /v1/sessions`; sessions whose `queries[0]` has no
    // `completed` are listed with `statement` and `received`.
    let server = TestServer::with(|c| c.topology = topology("retain_last_statements=3")).await;
    let maxscale = ok(&server, "/v1/maxscale").await;
    let retain = at(
        &maxscale,
        "data.attributes.parameters.retain_last_statements",
    );
    assert!(
        retain.as_i64().unwrap() > 0,
        "list queries needs retain_last_statements > 0"
    );
    let ids = server.create_sessions(3).await;
    server.advance(1.5).await;
    server
        .control(
            "POST",
            &format!("/_sim/sessions/{}/busy", ids[0]),
            json!({ "statement": "SELECT SLEEP(4)" }),
        )
        .await;
    server.query(ids[1]).await;
    let doc = ok(&server, "/v1/sessions").await;
    let rows = doc["data"].as_array().unwrap();
    for row in rows {
        assert!(
            at(row, "attributes.queries").is_array(),
            "every session has queries"
        );
    }
    let running: Vec<&Value> = rows
        .iter()
        .filter(|row| {
            let queries = at(row, "attributes.queries").as_array().unwrap();
            !queries.is_empty() && queries[0].get("completed").is_none()
        })
        .collect();
    assert_eq!(running.len(), 1, "only the busy session is listed");
    let row = running[0];
    assert_eq!(row["id"], ids[0].to_string());
    assert!(at(row, "attributes.user").is_string() && at(row, "attributes.remote").is_string());
    let query = at(row, "attributes.queries.0");
    assert_eq!(query["statement"], "SELECT SLEEP(4)");
    let received = query["received"].as_str().expect("received");
    assert_query_timestamp(received);
    assert_eq!(
        received, "2024-01-05T07:24:07.500",
        "virtual clock, 1.5 s after the epoch"
    );
    assert_eq!(query["responses"], json!([]), "nothing has answered yet");
    // The completed query of the other session has both timestamps.
    let other = ids[1].to_string();
    let done = rows.iter().find(|r| r["id"] == other.as_str()).unwrap();
    let entry = at(done, "attributes.queries.0");
    assert_query_timestamp(entry["completed"].as_str().expect("completed"));
    assert!(entry["statement"].is_string());
}

#[tokio::test]
async fn maxctrl_alter_session_sets_parameters() {
    // §2.5: `maxctrl alter session 5 log_info=true`.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let body = r#"{"data":{"attributes":{"parameters":{"log_info":true}}}}"#;
    let r = server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(body))
        .await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, ""),
        "2xx with an empty body prints OK"
    );
    let doc = ok(&server, &format!("/v1/sessions/{id}")).await;
    assert_eq!(
        at(&doc, "data.attributes.parameters.log_info"),
        &json!(true)
    );
    // `log_info=0` is sent as the number 0, which the server ignores (§2.5, spec §6.1).
    let body = r#"{"data":{"attributes":{"parameters":{"log_info":0}}}}"#;
    assert_eq!(
        server
            .admin("PATCH", &format!("/v1/sessions/{id}"), Some(body))
            .await
            .status,
        200
    );
    let doc = ok(&server, &format!("/v1/sessions/{id}")).await;
    assert_eq!(
        at(&doc, "data.attributes.parameters.log_info"),
        &json!(true)
    );
}

#[tokio::test]
async fn maxctrl_alter_session_filters_sets_the_chain_in_order() {
    // §2.6: the main session endpoint, `data.type` "services", no `data.id`.
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let body = r#"{"data":{"type":"services","relationships":{"filters":{"data":[{"id":"my-regex-filter","type":"filters"},{"id":"my-log-filter","type":"filters"}]}}}}"#;
    let r = server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(body))
        .await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    let doc = ok(&server, &format!("/v1/sessions/{id}")).await;
    assert_eq!(
        at(&doc, "data.relationships.filters.data"),
        &json!([
            { "id": "my-regex-filter", "type": "filters" },
            { "id": "my-log-filter", "type": "filters" }
        ])
    );
    // No filters → `"data": []` → all removed, and the `filters` key disappears (spec §5.1).
    let body = r#"{"data":{"type":"services","relationships":{"filters":{"data":[]}}}}"#;
    let r = server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(body))
        .await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    let doc = ok(&server, &format!("/v1/sessions/{id}")).await;
    assert!(at(&doc, "data.relationships.filters").is_null());
}

#[tokio::test]
async fn maxctrl_destroy_session_kills_with_ttl_zero() {
    // §2.7: `DELETE /v1/sessions/<id>?ttl=<N>`, the query string always present.
    let server = TestServer::start().await;
    let ids = server.create_sessions(3).await;
    for (id, query) in [(ids[0], "?ttl=0"), (ids[1], "?ttl=NaN")] {
        let r = server
            .admin("DELETE", &format!("/v1/sessions/{id}{query}"), None)
            .await;
        assert_eq!((r.status, r.body.as_str()), (200, ""), "{query}");
        assert_eq!(
            server.get(&format!("/v1/sessions/{id}")).await.status,
            404,
            "{query}: killed at once"
        );
    }
    // `--ttl 1.5` sends `ttl=1.5`, a 1 s ttl (spec §8.1).
    let r = server
        .admin("DELETE", &format!("/v1/sessions/{}?ttl=1.5", ids[2]), None)
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(server.inspect(ids[2]).await["ttl"]["seconds"], 1);
    // An unknown id fails the command: body-less 404.
    let r = server
        .admin("DELETE", "/v1/sessions/123456?ttl=0", None)
        .await;
    assert_eq!((r.status, r.body.as_str()), (404, ""));
}

#[tokio::test]
async fn maxctrl_reload_session_and_sessions_schedule_restarts() {
    // §2.8: `POST /v1/sessions/<id>/restart`, `POST /v1/sessions/restart`, no body.
    let server = TestServer::start().await;
    let ids = server.create_sessions(2).await;
    let before = ok(&server, &format!("/v1/sessions/{}", ids[0])).await;
    let r = server
        .admin("POST", &format!("/v1/sessions/{}/restart", ids[0]), None)
        .await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    assert_eq!(server.inspect(ids[0]).await["restart_pending"], true);
    assert_eq!(server.inspect(ids[1]).await["restart_pending"], false);
    // spec §7.2: executed at the next client request: new backend connection ids.
    server.query(ids[0]).await;
    let after = ok(&server, &format!("/v1/sessions/{}", ids[0])).await;
    assert_ne!(
        at(&after, "data.attributes.connections.0.connection_id"),
        at(&before, "data.attributes.connections.0.connection_id")
    );
    let r = server.admin("POST", "/v1/sessions/restart", None).await;
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    for id in &ids {
        assert_eq!(
            server.inspect(*id).await["restart_pending"],
            true,
            "session {id}"
        );
    }
}

#[tokio::test]
async fn maxctrl_multi_host_probe_is_answered() {
    // §3 last row: with several hosts maxctrl first sends `GET /v1/` and needs a 2xx.
    let server = TestServer::start().await;
    let r = server.get("/v1/").await;
    assert!((200..300).contains(&r.status));
}
