//! The postconditions of a property case: functions of the [model](super::model) and what the
//! target answered (a response, or its JSON document), with no transport and no clock. Each
//! returns the [`Failure`] that breaks it, naming its rule; [`case`](super::case) sends the
//! requests, keeps the time and places the failures. Status, empty bodies and schemas are
//! judged by [`check`](crate::check) like every other verdict of the harness.
//!
//! Some of them teach the model too: a document settles a choice the spec leaves the target
//! (which flags a failed PATCH applied, whether a session in its ttl window is gone), so those
//! take the model mutably.

use serde_json::{json, Value};

use super::model::{Answer, Life, Model, Row, Rules, Window};
use super::transition::{Fields, Page, RowFilter, Slot};
use crate::check::schema::SchemaChecks;
use crate::check::{body, status, Failure, Reply};
use crate::scenario::model::BodySpec;
use crate::target::Response;

/// A postcondition's verdict.
pub type Post<T = ()> = Result<T, Failure>;

/// A failure of `rule`.
fn fail(
    check: impl Into<String>,
    expected: impl Into<String>,
    actual: impl Into<String>,
    rule: &str,
) -> Failure {
    Failure::new(check, expected, actual).breaking(rule)
}

/// The status is one of `allowed`.
pub fn status_of(response: &Response, allowed: &[u16], rule: &str) -> Post {
    status::one_of(allowed, response).map_or(Ok(()), |f| Err(f.breaking(rule)))
}

/// The body is empty.
pub fn empty(response: &Response, rule: &str) -> Post {
    body::check(BodySpec::Empty, &Reply::new(response)).map_or(Ok(()), |f| Err(f.breaking(rule)))
}

/// The status, then the body as JSON valid against the named schema of the run's profile.
pub fn document(
    schemas: &SchemaChecks,
    response: &Response,
    status: u16,
    schema: &str,
    rule: &str,
) -> Post<Value> {
    status_of(response, &[status], rule)?;
    let reply = Reply::new(response);
    if let Some(failure) = schemas.check(schema, &reply) {
        return Err(failure.breaking(rule));
    }
    Ok(reply.json.unwrap_or(Value::Null))
}

/// A reset target lists no session: the properties need one whose reset leaves none.
pub fn none_listed(document: &Value) -> Post {
    let rows = document["data"].as_array();
    if rows.is_some_and(Vec::is_empty) {
        return Ok(());
    }
    Err(fail(
        "sessions after the session source's reset",
        "none: the properties need a target whose reset leaves no session (reference-server --sessions 0 --churn 0)",
        format!("{} sessions", rows.map_or(0, Vec::len)),
        "harness props (setup)",
    ))
}

/// Each created session is listed (spec §3.5); the model learns it from its first row, which
/// must then agree with what it learnt.
pub fn adopt(model: &mut Model, document: &Value, ids: &[u64]) -> Post {
    for &id in ids {
        let Some(row) = find(document, id) else {
            return Err(fail(
                format!("session {id} in the list"),
                "listed once created (spec §3.5)",
                "absent",
                "spec §3.5",
            ));
        };
        let attributes = &row["attributes"];
        model.add_session(
            id,
            attributes["user"].clone(),
            attributes["remote"].clone(),
            &attributes["parameters"],
            connection_ids(attributes),
        );
        let slot = model.sessions.len() - 1;
        self::row(model, slot, row, None)?;
    }
    Ok(())
}

/// The whole list answered during `at` against the model: only the case's sessions (spec
/// §3.5), each listed exactly while it lives (spec §8.2, §8.3), and each row as the model says.
pub fn observe(model: &mut Model, document: &Value, at: Window) -> Post {
    for row in document["data"].as_array().into_iter().flatten() {
        let id = row["id"].as_str().and_then(|id| id.parse::<u64>().ok());
        if id.is_none_or(|id| !model.sessions.iter().any(|s| s.id == id)) {
            return Err(fail(
                "the rows of the list",
                "only the sessions the case created",
                format!("a row with id {}", row["id"]),
                "spec §3.5",
            ));
        }
    }
    for slot in 0..model.sessions.len() {
        let id = model.sessions[slot].id;
        let row = find(document, id);
        match (model.life(slot, at), row) {
            (Life::Alive, None) => {
                return Err(fail(
                    format!("session {id} in the list"),
                    format!("listed ({})", model.explain(slot, at)),
                    "absent",
                    model.rule_of_life(slot),
                ))
            }
            (Life::Dead, Some(_)) => {
                return Err(fail(
                    format!("session {id} in the list"),
                    format!("absent ({})", model.explain(slot, at)),
                    "listed",
                    model.rule_of_life(slot),
                ))
            }
            (Life::Either, None) => model.seen_gone(slot),
            (_, Some(row)) => self::row(model, slot, row, None)?,
            (Life::Dead, None) => {}
        }
    }
    Ok(())
}

/// `GET /v1/sessions` with options, answered during `at`: the rows must be the model's live
/// sessions that pass the filter (spec §10.14), cut to the page (spec §10.7; a page past the
/// end is empty, doc-vs-code B25) and to the fields (spec §10.13).
pub fn list(
    model: &mut Model,
    document: &Value,
    at: Window,
    fields: Option<Fields>,
    filter: Option<&RowFilter>,
    page: Option<Page>,
) -> Post {
    let mut certain = 0;
    let mut possible = 0;
    for slot in 0..model.sessions.len() {
        let id = model.sessions[slot].id;
        let matches = filter.map_or(Row::Yes, |f| model.matches(slot, f));
        let row = match (model.life(slot, at), matches) {
            (Life::Dead, _) | (_, Row::No) => Row::No,
            (Life::Alive, Row::Yes) => Row::Yes,
            _ => Row::Maybe,
        };
        if row == Row::Yes {
            certain += 1;
        }
        if row != Row::No {
            possible += 1;
        }
        match (row, find(document, id)) {
            (Row::No, Some(_)) => {
                return Err(fail(
                    format!("session {id} in the result"),
                    "absent: killed, or not passing the filter",
                    "listed",
                    "spec §10.14",
                ))
            }
            (_, Some(found)) => self::row(model, slot, found, fields)?,
            (Row::Yes, None) if page.is_none() => {
                return Err(fail(
                    format!("session {id} in the result"),
                    "listed: it exists and passes the filter",
                    "absent",
                    "spec §10.14",
                ))
            }
            _ => {}
        }
    }
    let rows = document["data"].as_array().map_or(0, Vec::len);
    let Some(page) = page else {
        return Ok(());
    };
    let total = document["meta"]["total"].as_u64();
    let Some(total) = total.filter(|t| (certain..=possible).contains(t)) else {
        return Err(fail(
            "meta.total",
            format!("{certain} to {possible} (the rows that pass the filter)"),
            document["meta"]["total"].to_string(),
            "spec §10.7",
        ));
    };
    let (size, number) = (u64::from(page.size), u64::from(page.number));
    let on_page = total.saturating_sub(number * size).min(size);
    if rows as u64 != on_page {
        return Err(fail(
            "the rows of the page",
            format!("{on_page} of {total} (page {number} of size {size})"),
            format!("{rows} rows"),
            "spec §10.7, doc-vs-code B25",
        ));
    }
    Ok(())
}

/// One session document (a list row or `data` of GET one) against the model: id, and what
/// `fields` keeps (everything without it). spec §5, §6, §7.2, §10.13.
pub fn row(model: &mut Model, slot: Slot, row: &Value, fields: Option<Fields>) -> Post {
    let id = model.sessions[slot].id;
    if row["id"] != json!(id.to_string()) {
        return Err(fail(
            "id",
            format!("\"{id}\""),
            row["id"].to_string(),
            "spec §5.1",
        ));
    }
    let attributes = &row["attributes"];
    let relationships = row.get("relationships");
    let Some(fields) = fields else {
        parameters(model, slot, &attributes["parameters"])?;
        filters(model, slot, relationships)?;
        let s = &model.sessions[slot];
        for (key, first) in [("user", &s.user), ("remote", &s.remote)] {
            let now = attributes.get(key).unwrap_or(&Value::Null);
            if now != first {
                return Err(fail(
                    format!("attributes.{key} of session {id}"),
                    first.to_string(),
                    now.to_string(),
                    "spec §7.2",
                ));
            }
        }
        return connections(model, slot, attributes);
    };
    let keys = object_keys(attributes);
    let (wanted, relationships_kept): (&[&str], bool) = match fields {
        Fields::Parameters | Fields::LogInfo => (&["parameters"], false),
        Fields::StateAndFilters => (&["state"], true),
        Fields::Connections => (&["connections"], false),
    };
    if keys != wanted {
        return Err(fail(
            format!(
                "attributes of session {id} with fields[sessions]={}",
                fields.value()
            ),
            format!("{wanted:?}"),
            format!("{keys:?}"),
            "spec §10.13",
        ));
    }
    if !relationships_kept && relationships.is_some() {
        return Err(fail(
            format!(
                "relationships of session {id} with fields[sessions]={}",
                fields.value()
            ),
            "absent",
            relationships.map(Value::to_string).unwrap_or_default(),
            "spec §10.13",
        ));
    }
    match fields {
        Fields::Parameters => parameters(model, slot, &attributes["parameters"]),
        Fields::LogInfo => {
            let allowed: Vec<Value> = model
                .parameters(slot)
                .into_iter()
                .map(|p| json!({ "log_info": p["log_info"] }))
                .collect();
            one_of(id, &attributes["parameters"], &allowed)
        }
        Fields::StateAndFilters => {
            if attributes["state"] != json!("Session started") {
                return Err(fail(
                    format!("attributes.state of session {id}"),
                    "\"Session started\"",
                    attributes["state"].to_string(),
                    "spec §5.3",
                ));
            }
            let kept = relationships.map(object_keys).unwrap_or_default();
            if kept.iter().any(|k| k != "filters") {
                return Err(fail(
                    format!("relationships of session {id} with fields[sessions]=state,filters"),
                    "only filters",
                    format!("{kept:?}"),
                    "spec §10.13",
                ));
            }
            filters(model, slot, relationships)
        }
        Fields::Connections => connections(model, slot, attributes),
    }
}

/// `attributes.parameters`: the service's flags OR-ed with the session's, the keys of the
/// profile (spec §5.8, §6.1); while a failed PATCH's choice is open, either (spec §6.3.5), and
/// the document settles it.
pub fn parameters(model: &mut Model, slot: Slot, observed: &Value) -> Post {
    if model.settle_parameters(slot, observed) {
        return Ok(());
    }
    one_of(model.sessions[slot].id, observed, &model.parameters(slot))
}

fn one_of(id: u64, observed: &Value, allowed: &[Value]) -> Post {
    if allowed.contains(observed) {
        return Ok(());
    }
    let expected: Vec<String> = allowed.iter().map(Value::to_string).collect();
    Err(fail(
        format!("attributes.parameters of session {id}"),
        expected.join(" or "),
        observed.to_string(),
        if allowed.len() > 1 {
            "spec §6.1, §6.3.5"
        } else {
            "spec §6.1, §5.8"
        },
    ))
}

/// `relationships.filters`: the filters in use, in order, absent when there are none (spec
/// §5.1); a pending list is not shown (spec §6.3.3).
pub fn filters(model: &Model, slot: Slot, relationships: Option<&Value>) -> Post {
    let s = &model.sessions[slot];
    let relationship = relationships.and_then(|r| r.get("filters"));
    let observed: Option<Vec<String>> = relationship.map(|r| {
        r["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["id"].as_str().unwrap_or("?").to_string())
            .collect()
    });
    // A pending list is not shown until the next idle request installs it.
    let rule = if s.pending.is_some() {
        "spec §6.3.3"
    } else {
        "spec §6.3, doc-vs-code A25"
    };
    let fine = match &observed {
        None => s.filters.is_empty(),
        Some(list) => !list.is_empty() && *list == s.filters,
    };
    if fine {
        return Ok(());
    }
    let expected = if s.filters.is_empty() {
        "no filters relationship".to_string()
    } else {
        format!("filters {:?}", s.filters)
    };
    let actual = match observed {
        None => "no filters relationship".to_string(),
        Some(list) if list.is_empty() => {
            "an empty filters relationship (spec §5.1: absent)".to_string()
        }
        Some(list) => format!("filters {list:?}"),
    };
    Err(fail(
        format!("relationships.filters of session {}", s.id),
        expected,
        actual,
        rule,
    ))
}

/// `attributes.connections`: new backend connection ids after a restart ran, the same ones
/// otherwise (spec §7.2).
pub fn connections(model: &mut Model, slot: Slot, attributes: &Value) -> Post {
    let observed = connection_ids(attributes);
    match model.settle_connections(slot, observed.clone()) {
        None => Ok(()),
        Some((expected, rule)) => Err(fail(
            format!(
                "backend connection ids of session {}",
                model.sessions[slot].id
            ),
            expected,
            format!("{observed:?}"),
            rule,
        )),
    }
}

/// Judges a request about one session, answered during `at`, by whether the model says it
/// exists; `Ok(false)` when it is gone: a 404 with an empty body (spec §4.2, §4.7, or the kill's
/// rule).
pub fn addressed(
    model: &mut Model,
    slot: Slot,
    response: &Response,
    at: Window,
    rule: &str,
) -> Post<bool> {
    let life = model.life(slot, at);
    match life {
        Life::Alive if response.status == 404 => Err(not_gone(model, slot, at, "404")),
        Life::Alive => Ok(true),
        Life::Either if response.status != 404 => Ok(true),
        _ => {
            let rule = if life == Life::Dead {
                model.rule_of_life(slot)
            } else {
                rule
            };
            status_of(response, &[404], rule)?;
            empty(response, rule)?;
            model.seen_gone(slot);
            Ok(false)
        }
    }
}

/// Judges a client's action on one session, done during `at`, by whether the model says the
/// session exists; `Ok(false)` when the session source found it gone.
pub fn reached(model: &mut Model, slot: Slot, gone: bool, at: Window) -> Post<bool> {
    let life = model.life(slot, at);
    match (life, gone) {
        (Life::Alive, true) => Err(not_gone(model, slot, at, "the client found it gone")),
        (Life::Dead, false) => Err(fail(
            "session",
            format!("gone ({})", model.explain(slot, at)),
            "the client still reached it",
            model.rule_of_life(slot),
        )),
        (_, false) => Ok(true),
        (_, true) => {
            model.seen_gone(slot);
            Ok(false)
        }
    }
}

/// A live session was found gone.
fn not_gone(model: &Model, slot: Slot, at: Window, actual: &str) -> Failure {
    fail(
        "status",
        format!(
            "not 404: session {} exists ({})",
            model.sessions[slot].id,
            model.explain(slot, at)
        ),
        actual,
        model.rule_of_life(slot),
    )
}

/// A mutating request's answer: the profile's write success with an empty body (spec §4.3–4.7,
/// doc-vs-code A1–A4), or a 400 with or without its error document (spec §4.4, §6.3.2,
/// §10.15), whose detail is the spec's when it fixes one.
pub fn answer(
    schemas: &SchemaChecks,
    rules: &Rules,
    response: &Response,
    answer: &Answer,
    rule: &str,
) -> Post {
    match answer {
        Answer::Done => {
            status_of(
                response,
                &[rules.write_success],
                &format!("{rule}, doc-vs-code A1–A4"),
            )?;
            empty(response, rule)
        }
        Answer::Rejected { detail, body } => {
            status_of(response, &[400], "spec §6.3.2, doc-vs-code A8")?;
            if !body {
                return empty(response, "spec §4.4");
            }
            let document = document(schemas, response, 400, "error", "spec §10.15")?;
            let Some(detail) = detail else {
                return Ok(());
            };
            let details: Vec<&str> = document["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["detail"].as_str())
                .collect();
            if details.contains(&detail.as_str()) {
                return Ok(());
            }
            Err(fail(
                "errors[].detail",
                format!("{detail:?} (entries are checked in order, the first error answers)"),
                format!("{details:?}"),
                "spec §6.3.2, §4.3",
            ))
        }
    }
}

/// A session killed at once: a GET of it is a 404 at once (spec §8.2) with no body (spec §4.2).
pub fn gone_at_once(response: &Response) -> Post {
    status_of(response, &[404], "spec §8.2")?;
    empty(response, "spec §4.2")
}

/// The row of a session in a list document.
pub fn find(document: &Value, id: u64) -> Option<&Value> {
    let id = id.to_string();
    document["data"]
        .as_array()?
        .iter()
        .find(|row| row["id"].as_str() == Some(id.as_str()))
}

/// `attributes.connections[].connection_id`.
fn connection_ids(attributes: &Value) -> Vec<u64> {
    attributes["connections"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["connection_id"].as_u64())
        .collect()
}

/// The keys of an object, sorted; none for anything else.
fn object_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::profile::Profile;
    use crate::props::transition::{FilterData, FilterEntry, Param};
    use crate::schemas::SchemaSet;

    const OFF: &str =
        r#"{"log_info": false, "log_notice": false, "log_warning": false, "log_error": false}"#;

    fn flags() -> Value {
        serde_json::from_str(OFF).unwrap()
    }

    /// Two sessions, 1 and 2, with backend connections 8 and 9 and no filters.
    fn model(profile: Profile) -> Model {
        let mut model = Model::new(profile.rules(), vec!["f1".into(), "f2".into()], false);
        model.add_session(1, json!("u"), json!("127.0.0.1"), &flags(), vec![8]);
        model.add_session(2, json!("u"), json!("127.0.0.1"), &flags(), vec![9]);
        model
    }

    /// A full session row as the model expects it.
    fn session(id: u64, connection: u64) -> Value {
        json!({
            "id": id.to_string(),
            "type": "sessions",
            "attributes": {
                "user": "u",
                "remote": "127.0.0.1",
                "parameters": flags(),
                "connections": [ { "connection_id": connection } ],
            },
        })
    }

    fn at(ms: u64) -> Window {
        Window { lo: ms, hi: ms }
    }

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn rule<T: std::fmt::Debug>(post: Post<T>) -> String {
        post.expect_err("the postcondition fails").rule.unwrap()
    }

    fn schemas(profile: Profile) -> SchemaChecks {
        SchemaChecks::compile(&SchemaSet::embedded(), profile, ["error"]).unwrap()
    }

    #[test]
    fn the_list_holds_exactly_the_live_sessions_of_the_case() {
        // spec §3.5: a started session is listed; nothing else of the case's target is.
        let mut m = model(Profile::Maxscale2402);
        let both = json!({ "data": [session(1, 8), session(2, 9)] });
        assert_eq!(observe(&mut m, &both, at(0)), Ok(()));
        let missing = json!({ "data": [session(1, 8)] });
        assert_eq!(rule(observe(&mut m, &missing, at(0))), "spec §3.5");
        let foreign = json!({ "data": [session(1, 8), session(2, 9), session(7, 1)] });
        assert_eq!(rule(observe(&mut m, &foreign, at(0))), "spec §3.5");
        // spec §8.2: a session killed at once leaves the list at once.
        m.delete(0, None, at(0));
        assert_eq!(rule(observe(&mut m, &both, at(0))), "spec §8.2");
        let rest = json!({ "data": [session(2, 9)] });
        assert_eq!(observe(&mut m, &rest, at(0)), Ok(()));
    }

    #[test]
    fn a_session_in_its_ttl_window_may_be_either_and_is_then_gone() {
        // spec §8.3: ttl=1 armed at 0 may be gone from 1.9 s; once seen gone it stays gone.
        let mut m = model(Profile::Maxscale2402);
        m.delete(0, Some("1"), at(0));
        let both = json!({ "data": [session(1, 8), session(2, 9)] });
        let rest = json!({ "data": [session(2, 9)] });
        assert_eq!(rule(observe(&mut m, &rest, at(1_000))), "spec §8.3");
        assert_eq!(observe(&mut m, &both, at(2_000)), Ok(()));
        assert_eq!(observe(&mut m, &rest, at(2_100)), Ok(()));
        assert_eq!(rule(observe(&mut m, &both, at(2_200))), "spec §8.3");
    }

    #[test]
    fn a_row_keeps_its_id_user_and_remote() {
        let mut m = model(Profile::Maxscale2402);
        // spec §5.1: the id is the session's, as a string.
        let mut wrong = session(1, 8);
        wrong["id"] = json!(1);
        assert_eq!(rule(row(&mut m, 0, &wrong, None)), "spec §5.1");
        // spec §7.2: nothing changes user and remote.
        let mut moved = session(1, 8);
        moved["attributes"]["remote"] = json!("10.0.0.1");
        let failure = row(&mut m, 0, &moved, None).unwrap_err();
        assert_eq!(failure.check, "attributes.remote of session 1");
        assert_eq!(failure.rule.as_deref(), Some("spec §7.2"));
    }

    #[test]
    fn parameters_show_the_profiles_keys_and_the_patched_flags() {
        // spec §5.8, doc-vs-code A18: 24.02 neither shows nor accepts log_debug.
        let mut m = model(Profile::Maxscale2402);
        let mut debug = session(1, 8);
        debug["attributes"]["parameters"]["log_debug"] = json!(false);
        assert_eq!(rule(row(&mut m, 0, &debug, None)), "spec §6.1, §5.8");
        // spec §6.1: a boolean sets its level.
        m.patch(0, &BTreeMap::from([(Param::LogInfo, json!(true))]), None);
        let mut on = session(1, 8);
        on["attributes"]["parameters"]["log_info"] = json!(true);
        assert_eq!(row(&mut m, 0, &on, None), Ok(()));
        assert_eq!(
            rule(row(&mut m, 0, &session(1, 8), None)),
            "spec §6.1, §5.8"
        );
    }

    #[test]
    fn a_failed_patch_allows_either_flag_choice_until_a_document_shows_one() {
        // spec §6.3.5: 24.02 applies the flags before the filter list fails; a target that
        // validates first applies none. Either, then the same choice for the rest of the run.
        let mut m = model(Profile::Maxscale2402);
        let on = BTreeMap::from([(Param::LogInfo, json!(true))]);
        let bad = FilterData::List(vec![FilterEntry::Unknown]);
        m.patch(0, &on, Some(&bad));
        let observed =
            json!({"log_info": true, "log_notice": true, "log_warning": false, "log_error": false});
        assert_eq!(rule(parameters(&mut m, 0, &observed)), "spec §6.1, §6.3.5");
        assert_eq!(parameters(&mut m, 0, &flags()), Ok(()));
        let mut applied = flags();
        applied["log_info"] = json!(true);
        assert_eq!(rule(parameters(&mut m, 0, &applied)), "spec §6.1, §5.8");
    }

    #[test]
    fn filters_are_absent_when_none_and_a_pending_list_is_not_shown() {
        let mut m = model(Profile::Maxscale2402);
        // spec §5.1: no filters, no relationship — not an empty one.
        let empty = json!({ "filters": { "data": [] } });
        let failure = filters(&m, 0, Some(&empty)).unwrap_err();
        assert!(failure.actual.contains("spec §5.1: absent"), "{failure:?}");
        // spec §6.3.3: a list set while busy waits for the next idle request.
        m.client_request(0, false);
        let list = FilterData::List(vec![FilterEntry::Known {
            index: 1,
            typed: true,
        }]);
        m.patch(0, &BTreeMap::new(), Some(&list));
        let shown = json!({ "filters": { "data": [ { "id": "f2", "type": "filters" } ] } });
        assert_eq!(rule(filters(&m, 0, Some(&shown))), "spec §6.3.3");
        assert_eq!(filters(&m, 0, None), Ok(()));
        m.finish_request(0);
        m.client_request(0, true);
        assert_eq!(filters(&m, 0, Some(&shown)), Ok(()));
    }

    #[test]
    fn a_restart_shows_new_backend_connections_and_nothing_else_does() {
        // spec §7.2: carried out at the next idle request, with new connections.
        let mut m = model(Profile::Maxscale2402);
        let attributes = |id: u64| json!({ "connections": [ { "connection_id": id } ] });
        assert_eq!(rule(connections(&mut m, 0, &attributes(12))), "spec §7.2");
        m.restart(1);
        m.client_request(1, true);
        assert_eq!(rule(connections(&mut m, 1, &attributes(9))), "spec §7.2");
        m.restart_all();
        m.client_request(1, true);
        assert_eq!(connections(&mut m, 1, &attributes(13)), Ok(()));
    }

    #[test]
    fn fields_keep_only_what_they_name() {
        // spec §10.13.
        let mut m = model(Profile::Maxscale2402);
        let parameters_only = json!({ "id": "1", "attributes": { "parameters": flags() } });
        assert_eq!(
            row(&mut m, 0, &parameters_only, Some(Fields::Parameters)),
            Ok(())
        );
        let more = session(1, 8);
        assert_eq!(
            rule(row(&mut m, 0, &more, Some(Fields::Parameters))),
            "spec §10.13"
        );
        let with_relationships = json!({
            "id": "1",
            "attributes": { "connections": [ { "connection_id": 8 } ] },
            "relationships": { "services": { "data": [] } },
        });
        assert_eq!(
            rule(row(
                &mut m,
                0,
                &with_relationships,
                Some(Fields::Connections)
            )),
            "spec §10.13"
        );
        // spec §5.3: a listed session has started.
        let stopping = json!({ "id": "1", "attributes": { "state": "Stopping session" } });
        assert_eq!(
            rule(row(&mut m, 0, &stopping, Some(Fields::StateAndFilters))),
            "spec §5.3"
        );
    }

    #[test]
    fn a_page_counts_the_rows_that_pass_the_filter() {
        // spec §10.7: meta.total counts every row; doc-vs-code B25: a page past the end is
        // empty.
        let mut m = model(Profile::Maxscale2402);
        let page = |number| Some(Page { size: 1, number });
        let first = json!({ "data": [session(1, 8)], "meta": { "total": 2 } });
        assert_eq!(list(&mut m, &first, at(0), None, None, page(0)), Ok(()));
        let wrong_total = json!({ "data": [session(1, 8)], "meta": { "total": 3 } });
        assert_eq!(
            rule(list(&mut m, &wrong_total, at(0), None, None, page(0))),
            "spec §10.7"
        );
        let past_end = json!({ "data": [session(2, 9)], "meta": { "total": 2 } });
        assert_eq!(
            rule(list(&mut m, &past_end, at(0), None, None, page(2))),
            "spec §10.7, doc-vs-code B25"
        );
        // spec §10.14: a row that does not pass the filter is not listed.
        let filter = RowFilter::Id { session: 1 };
        let both = json!({ "data": [session(1, 8), session(2, 9)] });
        assert_eq!(
            rule(list(&mut m, &both, at(0), None, Some(&filter), None)),
            "spec §10.14"
        );
    }

    #[test]
    fn a_request_about_a_session_is_judged_by_whether_it_exists() {
        let mut m = model(Profile::Maxscale2402);
        // spec §3.5: a live session is addressable.
        let gone = response(404, "");
        assert_eq!(
            rule(addressed(&mut m, 0, &gone, at(0), "spec §4.2")),
            "spec §3.5"
        );
        assert_eq!(
            addressed(&mut m, 0, &response(200, "{}"), at(0), "spec §4.2"),
            Ok(true)
        );
        // A client reaches a live session; finding it gone breaks the rule of its life.
        assert_eq!(reached(&mut m, 0, false, at(0)), Ok(true));
        assert_eq!(rule(reached(&mut m, 0, true, at(0))), "spec §3.5");
        // spec §8.2: a killed session is a 404 with no body, and its client is disconnected.
        m.delete(0, Some("0"), at(0));
        assert_eq!(addressed(&mut m, 0, &gone, at(0), "spec §4.2"), Ok(false));
        let with_body = response(404, r#"{"errors": [{"detail": "x"}]}"#);
        let failure = addressed(&mut m, 0, &with_body, at(0), "spec §4.2").unwrap_err();
        assert_eq!(
            (failure.check.as_str(), failure.rule.as_deref()),
            ("body", Some("spec §8.2"))
        );
        assert_eq!(rule(reached(&mut m, 0, false, at(0))), "spec §8.2");
        assert_eq!(reached(&mut m, 0, true, at(0)), Ok(false));
        assert_eq!(rule(gone_at_once(&response(200, "{}"))), "spec §8.2");
    }

    #[test]
    fn a_write_succeeds_with_the_profiles_status_and_no_body() {
        // doc-vs-code A1–A4: 200 in 24.02, 204 as documented; empty either way (spec §4.3).
        let done = Answer::Done;
        let maxscale = Profile::Maxscale2402;
        let schemas = schemas(maxscale);
        let answered = |profile: Profile, response: &Response| {
            answer(&schemas, &profile.rules(), response, &done, "spec §4.3")
        };
        assert_eq!(answered(maxscale, &response(200, "")), Ok(()));
        assert_eq!(
            rule(answered(maxscale, &response(204, ""))),
            "spec §4.3, doc-vs-code A1–A4"
        );
        assert_eq!(answered(Profile::Documented, &response(204, "")), Ok(()));
        let failure = answered(maxscale, &response(200, "{}")).unwrap_err();
        assert_eq!(failure.check, "body");
    }

    #[test]
    fn a_refused_patch_answers_400_with_the_first_errors_detail() {
        // spec §6.3.2: the first bad entry in list order answers.
        let maxscale = Profile::Maxscale2402;
        let schemas = schemas(maxscale);
        let rules = maxscale.rules();
        let refused = Answer::Rejected {
            detail: Some("Not a valid filter: nope".into()),
            body: true,
        };
        let document = |detail: &str| {
            response(
                400,
                &json!({ "errors": [ { "detail": detail } ] }).to_string(),
            )
        };
        let right = document("Not a valid filter: nope");
        assert_eq!(
            answer(&schemas, &rules, &right, &refused, "spec §4.3"),
            Ok(())
        );
        let other = document("Not a JSON string but a real");
        assert_eq!(
            rule(answer(&schemas, &rules, &other, &refused, "spec §4.3")),
            "spec §6.3.2, §4.3"
        );
        assert_eq!(
            rule(answer(
                &schemas,
                &rules,
                &response(200, ""),
                &refused,
                "spec §4.3"
            )),
            "spec §6.3.2, doc-vs-code A8"
        );
        // spec §4.4: 24.02's relationships endpoint refuses with an empty body.
        let bare = Answer::Rejected {
            detail: None,
            body: false,
        };
        assert_eq!(
            answer(&schemas, &rules, &response(400, ""), &bare, "spec §4.4"),
            Ok(())
        );
        assert_eq!(
            rule(answer(&schemas, &rules, &right, &bare, "spec §4.4")),
            "spec §4.4"
        );
    }

    #[test]
    fn setup_needs_an_empty_target_and_lists_the_created_sessions() {
        assert_eq!(none_listed(&json!({ "data": [] })), Ok(()));
        assert_eq!(
            rule(none_listed(&json!({ "data": [session(1, 8)] }))),
            "harness props (setup)"
        );
        // spec §3.5: a created session is listed, and the model learns it from its row.
        let mut m = Model::new(Profile::Maxscale2402.rules(), Vec::new(), false);
        let listed = json!({ "data": [session(1, 8)] });
        assert_eq!(adopt(&mut m, &listed, &[1]), Ok(()));
        assert_eq!(m.sessions[0].connections, [8]);
        assert_eq!(rule(adopt(&mut m, &listed, &[2])), "spec §3.5");
    }
}
