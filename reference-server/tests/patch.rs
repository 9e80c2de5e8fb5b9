//! E3 `PATCH /v1/sessions/:id` and E4 `PATCH /v1/sessions/:id/relationships/filters` over real
//! HTTP: log flags, the filter relationship, pending lists on busy sessions, and every error
//! answer — each followed by a check that the error changed nothing (spec §4.3, §4.4, §6;
//! doc-vs-code A5, A8, A18, A19, A25).

mod support;

use serde_json::{json, Value};
use support::{assert_ok_empty, RawResponse, TestServer};

const LOG: &str = "my-log-filter";
const REGEX: &str = "my-regex-filter";

async fn patch(server: &TestServer, id: u64, body: &str) -> RawResponse {
    server
        .admin("PATCH", &format!("/v1/sessions/{id}"), Some(body))
        .await
}

async fn patch_filters(server: &TestServer, id: u64, body: &str) -> RawResponse {
    server
        .admin(
            "PATCH",
            &format!("/v1/sessions/{id}/relationships/filters"),
            Some(body),
        )
        .await
}

/// An E3 body in the JSON:API form that 24.02 reads: `data.relationships.filters.data`.
fn filters_body(names: &[&str]) -> String {
    json!({"data": {"relationships": {"filters": {"data": entries(names)}}}}).to_string()
}

/// An E4 body: `{"data": [...]}`.
fn relationship_body(names: &[&str]) -> String {
    json!({ "data": entries(names) }).to_string()
}

fn entries(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|name| json!({"id": name, "type": "filters"}))
        .collect()
}

fn parameters_body(parameters: Value) -> String {
    json!({"data": {"attributes": {"parameters": parameters}}}).to_string()
}

async fn resource(server: &TestServer, id: u64) -> Value {
    let reply = server.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(reply.status, 200, "GET session {id}: {}", reply.body);
    reply.json()["data"].clone()
}

/// The session filters GET shows; an empty relationship must be absent, never `[]` (spec §5.1).
async fn filters(server: &TestServer, id: u64) -> Vec<String> {
    let data = resource(server, id).await;
    let Some(relationship) = data["relationships"].get("filters") else {
        return Vec::new();
    };
    let entries = relationship["data"].as_array().expect("relationship data");
    assert!(
        !entries.is_empty(),
        "an emptied relationship is absent, not []"
    );
    entries
        .iter()
        .map(|entry| {
            assert_eq!(entry["type"], "filters");
            entry["id"].as_str().unwrap().to_string()
        })
        .collect()
}

async fn parameters(server: &TestServer, id: u64) -> Value {
    resource(server, id).await["attributes"]["parameters"].clone()
}

/// The pending filter list the simulation holds (not visible through the REST API).
async fn pending(server: &TestServer, id: u64) -> Option<Vec<String>> {
    let internal = server.inspect(id).await;
    internal["pending_filters"].as_array().map(|list| {
        list.iter()
            .map(|name| name.as_str().unwrap().to_string())
            .collect()
    })
}

async fn busy(server: &TestServer, id: u64) {
    server
        .control("POST", &format!("/_sim/sessions/{id}/busy"), json!({}))
        .await;
}

async fn idle(server: &TestServer, id: u64) {
    server
        .control("POST", &format!("/_sim/sessions/{id}/idle"), json!({}))
        .await;
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// doc-vs-code A1: the documentation's 204.
#[track_caller]
fn assert_no_content(reply: &RawResponse) {
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(reply.body, "");
    assert_eq!(reply.header("content-type"), None);
}

/// Two sessions with log flags and a session filter: the first idle, the second busy with a
/// pending list. Every error case below must leave both exactly as they are.
async fn prepared(server: &TestServer) -> Vec<u64> {
    let ids = server.create_sessions(2).await;
    let setup = json!({"data": {
        "attributes": {"parameters": {"log_notice": true, "log_warning": true}},
        "relationships": {"filters": {"data": [{"id": REGEX}]}}
    }});
    for &id in &ids {
        assert_ok_empty(&patch(server, id, &setup.to_string()).await);
    }
    busy(server, ids[1]).await;
    assert_ok_empty(&patch_filters(server, ids[1], &relationship_body(&[LOG])).await);
    assert_eq!(pending(server, ids[1]).await, Some(names(&[LOG])));
    assert_eq!(filters(server, ids[1]).await, names(&[REGEX]));
    ids
}

/// Sends a PATCH to `target(id)` for each prepared session, checks the answer and that no
/// session changed.
async fn assert_rejected(
    server: &TestServer,
    ids: &[u64],
    target: impl Fn(u64) -> String,
    body: Option<&str>,
    check: impl Fn(&RawResponse),
) {
    for &id in ids {
        let before = server.observe(ids).await;
        let reply = server.admin("PATCH", &target(id), body).await;
        check(&reply);
        assert_eq!(
            server.observe(ids).await,
            before,
            "PATCH {} with {body:?} changed state",
            target(id)
        );
    }
}

fn session_path(id: u64) -> String {
    format!("/v1/sessions/{id}")
}

fn filters_path(id: u64) -> String {
    format!("/v1/sessions/{id}/relationships/filters")
}

/// A 4xx with an error document carrying exactly these details (spec §10.15).
fn document(status: u16, details: &[&str]) -> impl Fn(&RawResponse) {
    let details = names(details);
    move |reply: &RawResponse| {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        assert_eq!(reply.details(), details);
    }
}

/// A 4xx with no body at all.
fn empty(status: u16) -> impl Fn(&RawResponse) {
    move |reply: &RawResponse| {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.body, "");
        assert_eq!(reply.header("content-type"), None);
    }
}

/// spec §2 step 7: the raw, spaced `Invalid JSON in request: …` 400 without Content-Type.
fn assert_invalid_json(reply: &RawResponse) {
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.header("content-type"), None);
    assert_eq!(reply.header("cache-control"), None);
    assert!(
        reply
            .body
            .starts_with(r#"{"errors": [ { "detail": "Invalid JSON in request: "#),
        "{}",
        reply.body
    );
    assert!(reply.body.ends_with(r#"" } ] }"#), "{}", reply.body);
    let detail = &reply.details()[0];
    assert!(detail.len() > "Invalid JSON in request: ".len(), "{detail}");
}

// ----- log flags (spec §6.1, §5.8) -----

#[tokio::test]
async fn boolean_log_flags_are_set_and_cleared_and_others_left_alone() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    let all = json!({"log_info": true, "log_notice": true, "log_warning": true, "log_error": true});
    assert_ok_empty(&patch(&server, id, &parameters_body(all.clone())).await);
    assert_eq!(parameters(&server, id).await, all);
    // spec §6.1: `false` clears; keys not named keep their value.
    let clear = json!({"log_info": false, "log_warning": false});
    assert_ok_empty(&patch(&server, id, &parameters_body(clear)).await);
    assert_eq!(
        parameters(&server, id).await,
        json!({"log_info": false, "log_notice": true, "log_warning": false, "log_error": true})
    );
}

#[tokio::test]
async fn non_booleans_unknown_keys_and_log_debug_are_silently_ignored() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    // spec §6.1, §5.8 (release build), doc-vs-code A18/A19: 200 and no change at all.
    let bodies = [
        parameters_body(json!({"log_info": "true"})),
        parameters_body(json!({"log_info": 1})),
        parameters_body(json!({"log_info": null})),
        parameters_body(json!({"log_info": {}})),
        parameters_body(json!({"log_info": [true]})),
        parameters_body(json!({"no_such_param": true})),
        parameters_body(json!({"log_debug": true})),
        parameters_body(json!([{"log_info": true}])),
        parameters_body(json!("log_info")),
    ];
    for body in bodies {
        let before = server.observe(&[id]).await;
        assert_ok_empty(&patch(&server, id, &body).await);
        assert_eq!(server.observe(&[id]).await, before, "{body}");
    }
    let shown = parameters(&server, id).await;
    assert_eq!(
        shown.get("log_debug"),
        None,
        "a release build hides log_debug"
    );
    assert_eq!(server.inspect(id).await["log_flags"]["log_debug"], false);
}

#[tokio::test]
async fn documented_profile_accepts_and_shows_log_debug() {
    let server = TestServer::documented().await;
    let id = server.create_sessions(1).await[0];
    assert_eq!(parameters(&server, id).await["log_debug"], false);
    // doc-vs-code A18: the documentation's examples come from a debug build.
    let reply = patch(&server, id, &parameters_body(json!({"log_debug": true}))).await;
    assert_no_content(&reply);
    assert_eq!(
        parameters(&server, id).await,
        json!({"log_debug": true, "log_info": false, "log_notice": false,
               "log_warning": false, "log_error": false})
    );
    let reply = patch(&server, id, &parameters_body(json!({"log_debug": false}))).await;
    assert_no_content(&reply);
    assert_eq!(parameters(&server, id).await["log_debug"], false);
}

// ----- success answers (spec §1, doc-vs-code A1) -----

#[tokio::test]
async fn success_is_an_empty_200_without_content_type() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    assert_ok_empty(&patch(&server, id, &parameters_body(json!({"log_info": true}))).await);
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG])).await);
    assert_ok_empty(&patch_filters(&server, id, &relationship_body(&[REGEX])).await);
    assert_eq!(filters(&server, id).await, names(&[REGEX]));
}

#[tokio::test]
async fn documented_profile_answers_204() {
    let server = TestServer::documented().await;
    let id = server.create_sessions(1).await[0];
    assert_no_content(&patch(&server, id, &parameters_body(json!({"log_info": true}))).await);
    assert_no_content(&patch(&server, id, &filters_body(&[LOG])).await);
    assert_no_content(&patch_filters(&server, id, &relationship_body(&[REGEX])).await);
    assert_eq!(filters(&server, id).await, names(&[REGEX]));
    assert_eq!(parameters(&server, id).await["log_info"], true);
}

// ----- the filter relationship (spec §6.2, §6.3) -----

#[tokio::test]
async fn filter_list_keeps_order_and_duplicates() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    // spec §6.3.4: first element = first filter after the client; duplicates allowed.
    assert_ok_empty(&patch(&server, id, &filters_body(&[REGEX, LOG, REGEX])).await);
    assert_eq!(filters(&server, id).await, names(&[REGEX, LOG, REGEX]));
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG, REGEX])).await);
    assert_eq!(filters(&server, id).await, names(&[LOG, REGEX]));
    // `type` is not checked and may be omitted (spec §6.3.2).
    let untyped = json!({"data": {"relationships": {"filters": {"data": [{"id": REGEX}]}}}});
    assert_ok_empty(&patch(&server, id, &untyped.to_string()).await);
    assert_eq!(filters(&server, id).await, names(&[REGEX]));
}

#[tokio::test]
async fn empty_array_and_non_array_filter_data_remove_every_filter() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    // spec §6.3.1: `[]`, and any non-array (null, object, string, number), means "no filters".
    let values = [
        json!([]),
        json!(null),
        json!({"id": LOG}),
        json!(LOG),
        json!(5),
        json!(true),
    ];
    for value in values {
        assert_ok_empty(&patch(&server, id, &filters_body(&[LOG, REGEX])).await);
        assert_eq!(filters(&server, id).await, names(&[LOG, REGEX]));
        let body = json!({"data": {"relationships": {"filters": {"data": value}}}});
        assert_ok_empty(&patch(&server, id, &body.to_string()).await);
        // spec §5.1: an emptied relationship disappears instead of becoming [].
        let data = resource(&server, id).await;
        assert_eq!(data["relationships"].get("filters"), None, "after {value}");
        assert!(data["relationships"]["services"].is_object());
    }
}

#[tokio::test]
async fn bodies_without_a_filter_list_change_nothing() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG])).await);
    // spec §6.3 ("If `filters` has no `data` member, nothing happens") and §6.2.
    let bodies = [
        json!({"data": {"relationships": {"filters": null}}}),
        json!({"data": {"relationships": {"filters": {}}}}),
        json!({"data": {"relationships": {}}}),
        json!({"data": {"relationships": {"services": {"data": [{"id": "nope"}]}}}}),
        json!({"data": {"id": "999", "type": "x", "attributes": {"state": "gone"}}}),
        json!({"data": {}}),
        json!({}),
        json!([]),
    ];
    for body in bodies {
        let before = server.observe(&[id]).await;
        assert_ok_empty(&patch(&server, id, &body.to_string()).await);
        assert_eq!(server.observe(&[id]).await, before, "{body}");
    }
    assert_eq!(filters(&server, id).await, names(&[LOG]));
}

#[tokio::test]
async fn documented_attributes_relationships_body_is_ignored_under_maxscale_24_02() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    // spec §6.2, doc-vs-code A5 (cap 24/25): 200 and the filters stay as they are.
    let documented =
        json!({"data": {"attributes": {"relationships": {"filters": {"data": entries(&[LOG])}}}}});
    let before = server.observe(&[id]).await;
    assert_ok_empty(&patch(&server, id, &documented.to_string()).await);
    assert_eq!(server.observe(&[id]).await, before);
    assert_eq!(filters(&server, id).await, Vec::<String>::new());
}

#[tokio::test]
async fn documented_attributes_relationships_body_is_honoured_under_documented() {
    let server = TestServer::documented().await;
    let id = server.create_sessions(1).await[0];
    let documented = json!({"data": {"attributes": {"relationships": {"filters": {
        "data": entries(&[LOG, REGEX])
    }}}}});
    assert_no_content(&patch(&server, id, &documented.to_string()).await);
    assert_eq!(filters(&server, id).await, names(&[LOG, REGEX]));
}

#[tokio::test]
async fn relationship_endpoint_sets_removes_and_ignores_bodies_without_data() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    // spec §4.4: the top-level `data` is the list.
    assert_ok_empty(&patch_filters(&server, id, &relationship_body(&[LOG, REGEX, LOG])).await);
    assert_eq!(filters(&server, id).await, names(&[LOG, REGEX, LOG]));
    // ... a non-array `data` (null, an object, even an E3-shaped body) removes all.
    for data in [
        json!(null),
        json!({"id": LOG}),
        json!({"relationships": {"filters": {"data": entries(&[LOG])}}}),
    ] {
        assert_ok_empty(&patch_filters(&server, id, &relationship_body(&[REGEX])).await);
        assert_eq!(filters(&server, id).await, names(&[REGEX]));
        assert_ok_empty(&patch_filters(&server, id, &json!({ "data": data }).to_string()).await);
        assert_eq!(
            filters(&server, id).await,
            Vec::<String>::new(),
            "data {data}"
        );
    }
    // ... and a body without top-level `data` is a no-op 200.
    assert_ok_empty(&patch_filters(&server, id, &relationship_body(&[REGEX])).await);
    for body in ["{}", "[]", r#"{"attributes": {"x": 1}}"#] {
        let before = server.observe(&[id]).await;
        assert_ok_empty(&patch_filters(&server, id, body).await);
        assert_eq!(server.observe(&[id]).await, before, "{body}");
    }
}

// ----- idle and busy sessions (spec §6.3.3, §6.3.6, §15; doc-vs-code A6, A25) -----

#[tokio::test]
async fn filters_on_an_idle_session_apply_at_once() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG])).await);
    assert_eq!(filters(&server, id).await, names(&[LOG]));
    assert_eq!(pending(&server, id).await, None);
}

#[tokio::test]
async fn filters_on_a_busy_session_wait_for_the_next_request_after_it_went_idle() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    busy(&server, id).await;
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG, REGEX])).await);
    // spec §6.3.3: pending; GET shows the old (empty) list.
    assert_eq!(filters(&server, id).await, Vec::<String>::new());
    assert_eq!(pending(&server, id).await, Some(names(&[LOG, REGEX])));
    server.advance(3.0).await;
    assert_eq!(filters(&server, id).await, Vec::<String>::new());
    // "A pending list is not installed when the busy query finishes" ...
    idle(&server, id).await;
    assert_eq!(filters(&server, id).await, Vec::<String>::new());
    assert_eq!(pending(&server, id).await, Some(names(&[LOG, REGEX])));
    // ... "it waits for the next client request".
    server.query(id).await;
    assert_eq!(filters(&server, id).await, names(&[LOG, REGEX]));
    assert_eq!(pending(&server, id).await, None);
}

#[tokio::test]
async fn parameters_on_a_busy_session_apply_at_once() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    busy(&server, id).await;
    // spec §15: "log flags do not wait".
    assert_ok_empty(&patch(&server, id, &parameters_body(json!({"log_error": true}))).await);
    assert_eq!(parameters(&server, id).await["log_error"], true);
}

#[tokio::test]
async fn of_two_patches_while_busy_the_later_wins() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    busy(&server, id).await;
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG])).await);
    assert_ok_empty(&patch_filters(&server, id, &relationship_body(&[REGEX, REGEX])).await);
    assert_eq!(pending(&server, id).await, Some(names(&[REGEX, REGEX])));
    // A PATCH without a filter list leaves the pending one alone.
    assert_ok_empty(&patch(&server, id, &parameters_body(json!({"log_info": true}))).await);
    assert_eq!(pending(&server, id).await, Some(names(&[REGEX, REGEX])));
    idle(&server, id).await;
    server.query(id).await;
    // spec §6.3.3: "Of two PATCHes made while busy, the later pending list wins."
    assert_eq!(filters(&server, id).await, names(&[REGEX, REGEX]));
}

#[tokio::test]
async fn an_immediate_patch_replaces_a_stale_pending_list() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    busy(&server, id).await;
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG])).await);
    idle(&server, id).await;
    assert_ok_empty(&patch(&server, id, &filters_body(&[REGEX])).await);
    assert_eq!(filters(&server, id).await, names(&[REGEX]));
    assert_eq!(
        pending(&server, id).await,
        None,
        "the stale list is dropped"
    );
    server.query(id).await;
    // spec §6.3.6, doc-vs-code A25 ("doc"): the last PATCH wins; 24.02 would install LOG here.
    assert_eq!(filters(&server, id).await, names(&[REGEX]));
}

#[tokio::test]
async fn filters_emptied_while_busy_disappear_at_the_next_request() {
    let server = TestServer::start().await;
    let id = server.create_sessions(1).await[0];
    assert_ok_empty(&patch(&server, id, &filters_body(&[LOG])).await);
    busy(&server, id).await;
    assert_ok_empty(&patch_filters(&server, id, r#"{"data": []}"#).await);
    assert_eq!(filters(&server, id).await, names(&[LOG]));
    assert_eq!(pending(&server, id).await, Some(Vec::new()));
    idle(&server, id).await;
    server.query(id).await;
    let data = resource(&server, id).await;
    assert_eq!(data["relationships"].get("filters"), None);
}

// ----- errors: exact answers, and nothing changed (spec §4.3, §4.4, §2 step 7, §3.3) -----

#[tokio::test]
async fn unknown_filter_is_a_400_and_nothing_of_the_list_is_applied() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §6.3.2: "also when an earlier element was valid: the list is not partly applied".
    for list in [&["nope"][..], &[LOG, "nope"][..], &[LOG, REGEX, ""][..]] {
        let bad = list.iter().find(|n| **n != LOG && **n != REGEX).unwrap();
        let detail = format!("Not a valid filter: {bad}");
        let body = filters_body(list);
        assert_rejected(
            &server,
            &ids,
            session_path,
            Some(&body),
            document(400, &[detail.as_str()]),
        )
        .await;
    }
}

#[tokio::test]
async fn parameters_with_an_unknown_filter_are_not_applied_either() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    let body = json!({"data": {
        "attributes": {"parameters": {"log_info": true, "log_notice": false}},
        "relationships": {"filters": {"data": [{"id": "no-such-filter"}]}}
    }});
    // The server validates the whole body before applying any of it; 24.02 applies the
    // parameters first and then fails on the list, leaving them changed (spec §6.3.5).
    assert_rejected(
        &server,
        &ids,
        session_path,
        Some(&body.to_string()),
        document(400, &["Not a valid filter: no-such-filter"]),
    )
    .await;
    assert_eq!(parameters(&server, ids[0]).await["log_info"], false);
    assert_eq!(parameters(&server, ids[0]).await["log_notice"], true);
}

#[tokio::test]
async fn non_string_filter_ids_are_400s_naming_the_json_type() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §6.3.2: all six jansson type names; the parameters in the body stay unapplied.
    let cases = [
        (json!(5), "integer"),
        (json!(1.5), "real"),
        (json!(true), "boolean"),
        (json!(null), "null"),
        (json!({"name": LOG}), "object"),
        (json!([LOG]), "array"),
    ];
    for (id_value, type_name) in cases {
        let detail = format!("Not a JSON string but a {type_name}");
        let body = json!({"data": {
            "attributes": {"parameters": {"log_error": true}},
            "relationships": {"filters": {"data": [{"id": LOG}, {"id": id_value}]}}
        }});
        assert_rejected(
            &server,
            &ids,
            session_path,
            Some(&body.to_string()),
            document(400, &[detail.as_str()]),
        )
        .await;
    }
}

#[tokio::test]
async fn the_first_bad_entry_in_list_order_answers() {
    // spec §6.3.2: entries are checked in order and the first error answers, whether it is an
    // unknown name or a malformed entry.
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    let cases = [
        (
            json!([{"id": "no-such-filter"}, {"id": 5}]),
            "Not a valid filter: no-such-filter",
        ),
        (
            json!([{"id": 5}, {"id": "no-such-filter"}]),
            "Not a JSON string but a integer",
        ),
        (
            json!([{"id": LOG}, {"type": "filters"}, {"id": "nope"}]),
            "Filter relationship entry has no 'id' member",
        ),
    ];
    for (data, detail) in cases {
        let body = json!({"data": {"relationships": {"filters": {"data": data}}}});
        assert_rejected(
            &server,
            &ids,
            session_path,
            Some(&body.to_string()),
            document(400, &[detail]),
        )
        .await;
    }
}

#[tokio::test]
async fn filter_entries_without_id_or_not_objects_are_400s() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §4.3, §13.1, doc-vs-code A8 ("doc"): 24.02 crashes; here a 400 with the messages
    // src/api/patch.rs chooses, and no change.
    let cases = [
        (
            json!([{"type": "filters"}]),
            "Filter relationship entry has no 'id' member",
        ),
        (json!([{}]), "Filter relationship entry has no 'id' member"),
        (
            json!([{"id": LOG}, {"type": "filters"}]),
            "Filter relationship entry has no 'id' member",
        ),
        (json!([LOG]), "Not a JSON object but a string"),
        (json!([5]), "Not a JSON object but a integer"),
        (json!([null]), "Not a JSON object but a null"),
        (json!([[{"id": LOG}]]), "Not a JSON object but a array"),
    ];
    for (data, detail) in cases {
        let body = json!({"data": {"relationships": {"filters": {"data": data}}}});
        assert_rejected(
            &server,
            &ids,
            session_path,
            Some(&body.to_string()),
            document(400, &[detail]),
        )
        .await;
    }
}

#[tokio::test]
async fn relationship_endpoint_errors_are_empty_400s_under_maxscale_24_02() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §4.4 (cap 32): E4's update errors never reach the client.
    let bodies = [
        json!({"data": [{"id": "no-such-filter"}]}),
        json!({"data": [{"id": LOG}, {"id": "no-such-filter"}]}),
        json!({"data": [{"id": 5}]}),
        json!({"data": [{"id": null}]}),
        json!({"data": [{"type": "filters"}]}),
        json!({"data": [LOG]}),
    ];
    for body in bodies {
        assert_rejected(
            &server,
            &ids,
            filters_path,
            Some(&body.to_string()),
            empty(400),
        )
        .await;
    }
}

#[tokio::test]
async fn relationship_endpoint_errors_have_a_document_under_documented() {
    let server = TestServer::documented().await;
    let ids = server.create_sessions(2).await;
    assert_no_content(&patch_filters(&server, ids[0], &relationship_body(&[REGEX])).await);
    busy(&server, ids[1]).await;
    assert_no_content(&patch_filters(&server, ids[1], &relationship_body(&[LOG])).await);
    let cases = [
        (
            json!({"data": [{"id": "no-such-filter"}]}),
            "Not a valid filter: no-such-filter",
        ),
        (
            json!({"data": [{"id": 5}]}),
            "Not a JSON string but a integer",
        ),
        (
            json!({"data": [{"id": 0.5}]}),
            "Not a JSON string but a real",
        ),
        (
            json!({"data": [{"type": "filters"}]}),
            "Filter relationship entry has no 'id' member",
        ),
        (json!({"data": [LOG]}), "Not a JSON object but a string"),
    ];
    for (body, detail) in cases {
        assert_rejected(
            &server,
            &ids,
            filters_path,
            Some(&body.to_string()),
            document(400, &[detail]),
        )
        .await;
    }
}

#[tokio::test]
async fn missing_body_is_a_400_even_for_an_unknown_session() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §2 step 10.2 (cap 21): checked before the handler looks the session up.
    for target in [session_path, filters_path] {
        assert_rejected(
            &server,
            &ids,
            target,
            None,
            document(400, &["Missing request body"]),
        )
        .await;
        let before = server.observe(&ids).await;
        let reply = server.admin("PATCH", &target(999_999), None).await;
        document(400, &["Missing request body"])(&reply);
        assert_eq!(server.observe(&ids).await, before);
    }
    // An empty body is a missing body.
    assert_rejected(
        &server,
        &ids,
        session_path,
        Some(""),
        document(400, &["Missing request body"]),
    )
    .await;
    // A malformed id still gives the route's 404 first.
    let reply = server.admin("PATCH", "/v1/sessions/abc", None).await;
    document(404, &["abc is not a session"])(&reply);
}

/// The exact raw body of an `Invalid JSON in request` 400 with this parser message.
fn invalid_json(message: &'static str) -> impl Fn(&RawResponse) {
    move |reply: &RawResponse| {
        assert_invalid_json(reply);
        let expected =
            format!(r#"{{"errors": [ {{ "detail": "Invalid JSON in request: {message}" }} ] }}"#);
        assert_eq!(reply.body, expected);
    }
}

#[tokio::test]
async fn invalid_json_is_a_raw_400() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §2 step 7 (cap 22); the parser's messages are the server's (serde_json's), not
    // jansson's.
    let cases = [
        ("{not json", "key must be a string at line 1 column 2"),
        (
            r#"{"data": {"attributes": {"parameters": {"log_info": true}}}"#,
            "EOF while parsing an object at line 1 column 59",
        ),
        (
            r#"{"data": {"attributes": {"parameters": {"log_info": true}}}} x"#,
            "trailing characters at line 1 column 62",
        ),
        (" ", "EOF while parsing a value at line 1 column 1"),
    ];
    for (body, message) in cases {
        for target in [session_path, filters_path] {
            assert_rejected(&server, &ids, target, Some(body), invalid_json(message)).await;
        }
    }
}

#[tokio::test]
async fn scalar_json_bodies_are_the_same_raw_400() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §2 step 7: the top level must be an object or an array.
    for body in ["5", r#""x""#, "null", "true"] {
        for target in [session_path, filters_path] {
            let check = invalid_json("'[' or '{' expected");
            assert_rejected(&server, &ids, target, Some(body), check).await;
        }
    }
}

#[tokio::test]
async fn body_over_one_mib_is_a_413() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    // spec §10.16: MaxScale has no limit; the simulator refuses bodies over 1 MiB (BODY_LIMIT).
    // The body would be a valid PATCH setting log_info if it were read.
    let mut body = parameters_body(json!({"log_info": true}));
    body.push_str(&" ".repeat((1 << 20) + 1 - body.len()));
    assert_eq!(body.len(), (1 << 20) + 1);
    assert_rejected(&server, &ids, session_path, Some(&body), |reply| {
        assert_eq!(reply.status, 413, "{}", reply.body);
        assert_eq!(reply.details(), ["Request body larger than 1048576 bytes"]);
    })
    .await;
    assert_eq!(parameters(&server, ids[0]).await["log_info"], false);
    // Exactly 1 MiB is still read and applied.
    body.pop();
    assert_ok_empty(&patch(&server, ids[0], &body).await);
    assert_eq!(parameters(&server, ids[0]).await["log_info"], true);
}

#[tokio::test]
async fn malformed_ids_are_404_documents() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    let body = parameters_body(json!({"log_info": true}));
    // spec §3.3, §3.4 (cap 96).
    for part in ["0", "abc", "-1", "1a"] {
        let detail = format!("{part} is not a session");
        for target in [
            format!("/v1/sessions/{part}"),
            format!("/v1/sessions/{part}/relationships/filters"),
        ] {
            let before = server.observe(&ids).await;
            let reply = server.admin("PATCH", &target, Some(&body)).await;
            document(404, &[detail.as_str()])(&reply);
            assert_eq!(server.observe(&ids).await, before, "{target}");
        }
    }
}

#[tokio::test]
async fn unknown_session_is_an_empty_404() {
    let server = TestServer::start().await;
    let ids = prepared(&server).await;
    let body = filters_body(&[LOG]);
    // spec §3.3, §4.3 (cap 23): a well-formed id of no started session.
    for target in [session_path, filters_path] {
        for unknown in [999_999, ids[1] + 1, u64::MAX] {
            let before = server.observe(&ids).await;
            let reply = server.admin("PATCH", &target(unknown), Some(&body)).await;
            empty(404)(&reply);
            assert_eq!(server.observe(&ids).await, before);
        }
    }
}
