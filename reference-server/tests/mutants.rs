//! The mutants (`--mutant NAME`, `Config::mutant`): each deliberate defect shows over HTTP.
//!
//! Every test runs the same request sequence on a faithful server and on a server with one
//! mutant, asserts what the spec says on the first and the defect on the second. The virtual
//! clock moves only through the control API.

mod support;

use std::collections::{BTreeSet, HashSet};
use std::process::Command;

use clap::ValueEnum;
use reference_server::{Mutant, ProfileName};
use serde_json::{json, Value};
use support::{RawResponse, TestServer};

/// A faithful server and one running `mutant`, both with the test configuration.
async fn pair(mutant: Mutant) -> (TestServer, TestServer) {
    let faithful = TestServer::start().await;
    let mutated = TestServer::with(|c| c.mutant = Some(mutant)).await;
    (faithful, mutated)
}

async fn patch(server: &TestServer, id: u64, body: Value) -> RawResponse {
    server
        .admin(
            "PATCH",
            &format!("/v1/sessions/{id}"),
            Some(&body.to_string()),
        )
        .await
}

/// The session object of GET one; the GET must succeed.
async fn session(server: &TestServer, id: u64) -> Value {
    let reply = server.get(&format!("/v1/sessions/{id}")).await;
    assert_eq!(reply.status, 200, "GET session {id}: {}", reply.body);
    reply.json()["data"].clone()
}

async fn status_of(server: &TestServer, id: u64) -> u16 {
    server.get(&format!("/v1/sessions/{id}")).await.status
}

/// The ids of `relationships.filters`, or `None` when the member is absent.
fn filter_ids(resource: &Value) -> Option<Vec<String>> {
    resource["relationships"].get("filters").map(|filters| {
        filters["data"]
            .as_array()
            .expect("filters.data is an array")
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    })
}

fn connection_ids(resource: &Value) -> Vec<u64> {
    resource["attributes"]["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["connection_id"].as_u64().unwrap())
        .collect()
}

fn filters_body(names: &[&str]) -> Value {
    let data: Vec<Value> = names.iter().map(|n| json!({ "id": n })).collect();
    json!({ "data": { "relationships": { "filters": { "data": data } } } })
}

// ----- the list, the CLI and the control API -----

#[test]
fn all_lists_every_variant_once_with_distinct_names() {
    // The derive lists the variants from the enum's definition: ALL must be exactly those.
    assert_eq!(Mutant::ALL, Mutant::value_variants());
    let distinct: HashSet<Mutant> = Mutant::ALL.iter().copied().collect();
    assert_eq!(distinct.len(), Mutant::ALL.len(), "no variant twice");
    let names: BTreeSet<&str> = Mutant::ALL.iter().map(|m| m.name()).collect();
    assert_eq!(names.len(), Mutant::ALL.len(), "distinct names");
    for &mutant in Mutant::ALL {
        assert_eq!(Mutant::from_str(mutant.name(), false), Ok(mutant));
        assert!(!mutant.description().is_empty());
    }
    assert!(
        Mutant::ALL.len() >= 18,
        "the mutants the conformance suite is proven against"
    );
}

#[test]
fn the_binary_lists_the_mutants() {
    let binary = env!("CARGO_BIN_EXE_reference-server");
    let output = Command::new(binary)
        .args(["--mutant", "list"])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), Mutant::ALL.len(), "{stdout}");
    for (line, mutant) in lines.iter().zip(Mutant::ALL) {
        let (name, rest) = line.split_once("  ").expect("NAME  description");
        assert_eq!(name.trim_end(), mutant.name());
        assert_eq!(rest.trim_start(), mutant.description());
    }

    let help = Command::new(binary).arg("--help").output().unwrap();
    assert!(help.status.success());
    let help = String::from_utf8(help.stdout).unwrap();
    for mutant in Mutant::ALL {
        assert!(
            help.contains(mutant.name()),
            "--help names {}",
            mutant.name()
        );
    }

    let unknown = Command::new(binary)
        .args(["--mutant", "no-such-mutant"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2), "a usage error");
}

#[test]
fn the_readme_lists_the_mutants() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let section = readme
        .split_once("### Mutants")
        .expect("a Mutants section")
        .1;
    for mutant in Mutant::ALL {
        let row = format!("| `{}` |", mutant.name());
        assert!(
            section.contains(&row),
            "README.md has a row for {}",
            mutant.name()
        );
    }
}

#[tokio::test]
async fn the_control_api_reports_the_mutant() {
    let (faithful, mutated) = pair(Mutant::EtagStale).await;
    let info = faithful.control("GET", "/_sim", json!({})).await;
    assert_eq!(info["mutant"], Value::Null);
    let info = mutated.control("GET", "/_sim", json!({})).await;
    assert_eq!(info["mutant"], "etag-stale");
    // A reset keeps the mutant: it is part of the configuration, not of the state.
    let info = mutated.control("POST", "/_sim/reset", json!({})).await;
    assert_eq!(info["mutant"], "etag-stale");
}

// ----- simulation -----

#[tokio::test]
async fn patch_ignores_log_info() {
    let (faithful, mutated) = pair(Mutant::PatchIgnoresLogInfo).await;
    let body =
        json!({"data": {"attributes": {"parameters": {"log_info": true, "log_notice": true}}}});
    let mut shown = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        assert_eq!(patch(server, id, body.clone()).await.status, 200);
        let parameters = session(server, id).await["attributes"]["parameters"].clone();
        // Only log_info is at stake: the other flag of the same body applies on both.
        assert_eq!(parameters["log_notice"], true);
        shown.push(parameters["log_info"].clone());
    }
    // spec §6.1: a boolean log_info sets the flag.
    assert_eq!(shown, [json!(true), json!(false)]);
}

#[tokio::test]
async fn patch_accepts_unknown_filter() {
    let (faithful, mutated) = pair(Mutant::PatchAcceptsUnknownFilter).await;
    let body = filters_body(&["my-log-filter", "nope"]);

    // spec §6.3: 400 `Not a valid filter: nope`, nothing changed.
    let id = faithful.create_sessions(1).await[0];
    let reply = patch(&faithful, id, body.clone()).await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.details(), ["Not a valid filter: nope"]);
    assert_eq!(filter_ids(&session(&faithful, id).await), None);

    let id = mutated.create_sessions(1).await[0];
    let reply = patch(&mutated, id, body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        filter_ids(&session(&mutated, id).await),
        Some(vec!["my-log-filter".to_string()])
    );
}

#[tokio::test]
async fn filters_apply_while_busy() {
    let (faithful, mutated) = pair(Mutant::FiltersApplyWhileBusy).await;
    let mut shown = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        server
            .control("POST", &format!("/_sim/sessions/{id}/busy"), json!({}))
            .await;
        let reply = patch(server, id, filters_body(&["my-log-filter"])).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        shown.push(filter_ids(&session(server, id).await));
    }
    // spec §6.3.3: a busy session keeps its filters until its next idle request.
    assert_eq!(shown[0], None);
    assert_eq!(shown[1], Some(vec!["my-log-filter".to_string()]));
}

#[tokio::test]
async fn restart_keeps_connections() {
    let (faithful, mutated) = pair(Mutant::RestartKeepsConnections).await;
    let mut changed = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let before = connection_ids(&session(server, id).await);
        let reply = server
            .admin("POST", &format!("/v1/sessions/{id}/restart"), None)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        server.query(id).await;
        let after = connection_ids(&session(server, id).await);
        assert_eq!(before.len(), after.len());
        // The flag is consumed by the request either way.
        assert_eq!(server.inspect(id).await["restart_pending"], false);
        changed.push(before.iter().all(|c| !after.contains(c)));
    }
    // spec §7.2: the request after a restart runs on new backend connections.
    assert_eq!(changed, [true, false]);
}

#[tokio::test]
async fn restart_all_skips_a_worker() {
    let (faithful, mutated) = pair(Mutant::RestartAllSkipsAWorker).await;
    let mut flagged = Vec::new();
    for server in [&faithful, &mutated] {
        // The captures' topology has two routing workers; two sessions take one each.
        let ids = server.create_sessions(2).await;
        let mut workers = Vec::new();
        for &id in &ids {
            workers.push(server.inspect(id).await["worker"].as_u64().unwrap());
        }
        assert_eq!(workers, [0, 1]);
        let reply = server.admin("POST", "/v1/sessions/restart", None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let mut pending = Vec::new();
        for &id in &ids {
            pending.push(server.inspect(id).await["restart_pending"].clone());
        }
        flagged.push(pending);
    }
    // spec §7.4: every session on every worker is flagged.
    assert_eq!(flagged[0], [json!(true), json!(true)]);
    assert_eq!(flagged[1], [json!(true), json!(false)]);
}

#[tokio::test]
async fn ttl_kills_at_once() {
    let (faithful, mutated) = pair(Mutant::TtlKillsAtOnce).await;
    let mut statuses = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let reply = server
            .admin("DELETE", &format!("/v1/sessions/{id}?ttl=2"), None)
            .await;
        assert_eq!(reply.status, 200);
        statuses.push(status_of(server, id).await);
    }
    // spec §8.3: ttl=2 arms a kill; the session is still there right after the DELETE.
    assert_eq!(statuses, [200, 404]);
}

#[tokio::test]
async fn ttl_never_kills() {
    let (faithful, mutated) = pair(Mutant::TtlNeverKills).await;
    let mut statuses = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let reply = server
            .admin("DELETE", &format!("/v1/sessions/{id}?ttl=1"), None)
            .await;
        assert_eq!(reply.status, 200);
        assert!(
            server.inspect(id).await["ttl"].is_object(),
            "the ttl is armed"
        );
        server.advance(10.0).await;
        statuses.push(status_of(server, id).await);
    }
    // spec §8.3: ttl=1 kills between 2 s and 3 s after the DELETE.
    assert_eq!(statuses, [404, 200]);
}

#[tokio::test]
async fn ttl_kills_a_tick_early() {
    let (faithful, mutated) = pair(Mutant::TtlKillsATickEarly).await;
    let mut statuses = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        server.advance(0.5).await;
        let reply = server
            .admin("DELETE", &format!("/v1/sessions/{id}?ttl=2"), None)
            .await;
        assert_eq!(reply.status, 200);
        // The 3 s tick sees 2.5 s elapsed: 2 whole seconds, not more than 2.
        server.advance(2.5).await;
        let at_three = status_of(server, id).await;
        // The 4 s tick sees 3 whole seconds: both kill by then.
        server.advance(1.0).await;
        statuses.push((at_three, status_of(server, id).await));
    }
    // spec §8.3: killed when floor(elapsed) > N.
    assert_eq!(statuses, [(200, 404), (404, 404)]);
}

// ----- HTTP -----

#[tokio::test]
async fn delete_missing_answers_200() {
    let (faithful, mutated) = pair(Mutant::DeleteMissingAnswers200).await;
    let mut answers = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        // An existing session is killed on both.
        let reply = server
            .admin("DELETE", &format!("/v1/sessions/{id}"), None)
            .await;
        assert_eq!(reply.status, 200);
        let reply = server.admin("DELETE", "/v1/sessions/12345", None).await;
        assert_eq!(reply.body, "");
        answers.push(reply.status);
    }
    // spec §4.7: a well-formed id of no session is an empty 404.
    assert_eq!(answers, [404, 200]);
}

#[tokio::test]
async fn get_missing_answers_200() {
    let (faithful, mutated) = pair(Mutant::GetMissingAnswers200).await;
    let mut answers = Vec::new();
    for server in [&faithful, &mutated] {
        server.create_sessions(1).await;
        let reply = server.get("/v1/sessions/12345").await;
        assert_eq!(reply.body, "");
        answers.push(reply.status);
        // A malformed id is still `… is not a session` on both.
        let malformed = server.get("/v1/sessions/abc").await;
        assert_eq!(malformed.status, 404);
        assert_eq!(malformed.details(), ["abc is not a session"]);
    }
    // spec §4.2: a well-formed id of no session is an empty 404.
    assert_eq!(answers, [404, 200]);
}

#[tokio::test]
async fn missing_required_attribute() {
    let (faithful, mutated) = pair(Mutant::MissingRequiredAttribute).await;
    let mut present = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let one = session(server, id).await;
        let listed = server.get("/v1/sessions").await.json()["data"][0].clone();
        assert_eq!(listed["id"], one["id"]);
        present.push((
            one["attributes"].get("io_activity").map(Value::is_u64),
            listed["attributes"].get("io_activity").map(Value::is_u64),
        ));
        assert!(one["attributes"]["state"].is_string(), "the rest is there");
    }
    // spec §5.2: io_activity, an integer, is always present.
    assert_eq!(present, [(Some(true), Some(true)), (None, None)]);
}

#[tokio::test]
async fn id_as_number() {
    let (faithful, mutated) = pair(Mutant::IdAsNumber).await;
    let mut ids = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let resource = session(server, id).await;
        assert_eq!(
            resource["links"]["self"],
            format!("http://{}/v1/sessions/{id}/", server.host())
        );
        ids.push(resource["id"].clone());
    }
    // spec §5.1: the id is a decimal string.
    assert_eq!(ids, [json!("1"), json!(1)]);
}

#[tokio::test]
async fn empty_filters_relationship() {
    let (faithful, mutated) = pair(Mutant::EmptyFiltersRelationship).await;
    let mut shown = Vec::new();
    for server in [&faithful, &mutated] {
        let ids = server.create_sessions(2).await;
        let reply = patch(server, ids[0], filters_body(&["my-log-filter"])).await;
        assert_eq!(reply.status, 200);
        // With filters both show them.
        assert_eq!(
            filter_ids(&session(server, ids[0]).await),
            Some(vec!["my-log-filter".to_string()])
        );
        shown.push(filter_ids(&session(server, ids[1]).await));
    }
    // spec §5.1: without session filters the `filters` member is absent, not `[]`.
    assert_eq!(shown, [None, Some(Vec::new())]);
}

#[tokio::test]
async fn wrong_content_type() {
    let (faithful, mutated) = pair(Mutant::WrongContentType).await;
    let mut types = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let list = server.get("/v1/sessions").await;
        let one = server.get(&format!("/v1/sessions/{id}")).await;
        assert_eq!(list.header("content-type"), one.header("content-type"));
        // An empty body has no Content-Type on both.
        let empty = patch(server, id, json!({})).await;
        assert_eq!(empty.header("content-type"), None);
        types.push(list.header("content-type").map(str::to_string));
    }
    // spec §10.11: `Content-Type: application/json` when there is a body.
    assert_eq!(
        types,
        [
            Some("application/json".to_string()),
            Some("text/plain".to_string())
        ]
    );
}

#[tokio::test]
async fn pagination_off_by_one() {
    let (faithful, mutated) = pair(Mutant::PaginationOffByOne).await;
    let mut pages = Vec::new();
    for server in [&faithful, &mutated] {
        server.create_sessions(3).await;
        let all: Vec<Value> = server.get("/v1/sessions").await.json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect();
        assert_eq!(all.len(), 3);
        let page = server
            .get("/v1/sessions?page[size]=1&page[number]=1")
            .await
            .json();
        assert_eq!(page["meta"]["total"], 3);
        let ids: Vec<Value> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].clone())
            .collect();
        // Which row of the unpaged list the page holds.
        let at: Vec<usize> = ids
            .iter()
            .map(|id| all.iter().position(|a| a == id).unwrap())
            .collect();
        pages.push(at);
    }
    // spec §10.7: page P holds rows [P·L, (P+1)·L).
    assert_eq!(pages, [vec![1], vec![2]]);
}

#[tokio::test]
async fn fields_ignored() {
    let (faithful, mutated) = pair(Mutant::FieldsIgnored).await;
    let mut cut = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let reply = server
            .get(&format!("/v1/sessions/{id}?fields[sessions]=state"))
            .await;
        assert_eq!(reply.status, 200);
        let data = reply.json()["data"].clone();
        let keys: Vec<String> = data["attributes"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        cut.push((keys, data.get("relationships").is_some()));
    }
    // spec §10.13: `fields[sessions]=state` keeps only `state`, and no relationships.
    assert_eq!(cut[0], (vec!["state".to_string()], false));
    assert!(cut[1].0.len() > 1 && cut[1].0.contains(&"io_activity".to_string()));
    assert!(cut[1].1, "relationships kept");
}

#[tokio::test]
async fn etag_stale() {
    let (faithful, mutated) = pair(Mutant::EtagStale).await;
    let mut same = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let path = format!("/v1/sessions/{id}");
        let first = server.get(&path).await;
        let before = first.header("etag").unwrap().to_string();
        assert_eq!(before.len(), 42, "quoted 40 hex digits: {before}");
        let reply = patch(
            server,
            id,
            json!({"data": {"attributes": {"parameters": {"log_info": true}}}}),
        )
        .await;
        assert_eq!(reply.status, 200);
        let second = server.get(&path).await;
        assert_ne!(first.body, second.body, "the body changed");
        let after = second.header("etag").unwrap().to_string();
        // If-Match with the ETag GET just gave lets a write through on both.
        let guarded = server
            .request(
                "PATCH",
                &path,
                &[
                    ("Authorization", &support::admin_auth()),
                    ("If-Match", &after),
                ],
                Some("{}"),
            )
            .await;
        assert_eq!(guarded.status, 200);
        let conditional = server
            .request(
                "GET",
                &path,
                &[
                    ("Authorization", &support::admin_auth()),
                    ("If-None-Match", &before),
                ],
                None,
            )
            .await;
        same.push((before == after, conditional.status));
    }
    // spec §10.8: different bodies have different ETags, so the old one is not "not modified".
    assert_eq!(same, [(false, 200), (true, 304)]);
}

#[tokio::test]
async fn patch_without_auth() {
    let (faithful, mutated) = pair(Mutant::PatchWithoutAuth).await;
    let mut answers = Vec::new();
    for server in [&faithful, &mutated] {
        let id = server.create_sessions(1).await[0];
        let body = json!({"data": {"attributes": {"parameters": {"log_info": true}}}});
        let reply = server
            .request(
                "PATCH",
                &format!("/v1/sessions/{id}"),
                &[],
                Some(&body.to_string()),
            )
            .await;
        // Other requests still need credentials on both.
        let get = server
            .request("GET", &format!("/v1/sessions/{id}"), &[], None)
            .await;
        assert_eq!(get.status, 401);
        let log_info = session(server, id).await["attributes"]["parameters"]["log_info"].clone();
        answers.push((reply.status, log_info));
    }
    // spec §10.1: without credentials a request is a 401 and changes nothing.
    assert_eq!(answers, [(401, json!(false)), (200, json!(true))]);
}

#[tokio::test]
async fn a_mutant_keeps_its_defect_under_the_documented_profile() {
    // The mutants are independent of the profile: delete-missing answers the profile's success.
    let server = TestServer::with(|c| {
        c.profile = ProfileName::Documented;
        c.mutant = Some(Mutant::DeleteMissingAnswers200);
    })
    .await;
    let reply = server.admin("DELETE", "/v1/sessions/12345", None).await;
    assert_eq!(reply.status, 204);
}
