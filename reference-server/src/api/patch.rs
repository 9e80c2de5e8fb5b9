//! PATCH bodies to [`SessionUpdate`]s (spec §6, §4.4).
//!
//! Everything is validated before anything is applied: a bad filter list changes nothing, not
//! even the log flags of the same body (24.02 applies those first, spec §6.3.5).

use serde_json::Value;

use crate::profile::Profile;
use crate::sim::session::LogFlagsUpdate;
use crate::sim::SessionUpdate;

/// Decodes the body of `PATCH /v1/sessions/:id`; the error is the detail of a 400.
pub fn session_body(body: &Value, profile: &Profile) -> Result<SessionUpdate, BadEntry> {
    let log = body
        .pointer("/data/attributes/parameters")
        .map(|p| log_flags(p, profile))
        .unwrap_or_default();
    // spec §6.2: the documented form nests `relationships` under `attributes`; only the
    // documented profile reads it (doc-vs-code A5).
    let filters = body
        .pointer("/data/relationships/filters/data")
        .or_else(|| {
            profile
                .filters_under_attributes
                .then(|| body.pointer("/data/attributes/relationships/filters/data"))
                .flatten()
        })
        .map(filter_list)
        .transpose()?;
    Ok(SessionUpdate { log, filters })
}

/// Decodes the body of `PATCH /v1/sessions/:id/relationships/filters`: its top-level `data`
/// is the filter list; without one the request changes nothing (spec §4.4).
pub fn relationship_body(body: &Value) -> Result<SessionUpdate, BadEntry> {
    let filters = body.get("data").map(filter_list).transpose()?;
    Ok(SessionUpdate {
        log: LogFlagsUpdate::default(),
        filters,
    })
}

/// spec §6.1: each recognised key with a JSON boolean sets or clears its flag; anything else
/// is silently ignored.
fn log_flags(parameters: &Value, profile: &Profile) -> LogFlagsUpdate {
    let flag = |key: &str| parameters.get(key).and_then(Value::as_bool);
    LogFlagsUpdate {
        log_debug: if profile.log_debug {
            flag("log_debug")
        } else {
            None
        },
        log_info: flag("log_info"),
        log_notice: flag("log_notice"),
        log_warning: flag("log_warning"),
        log_error: flag("log_error"),
    }
}

/// A filter list entry that is not `{"id": <string>}`. Entries are checked in order and the first
/// error answers (spec §6.3.2), so the names before it must still be checked for existence: an
/// unknown one among them is the error to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEntry {
    /// The names of the well-formed entries before the bad one.
    pub names_before: Vec<String>,
    /// The detail of the 400.
    pub detail: String,
}

/// spec §6.3: a non-array means "no filters"; each entry needs a string `id`. An entry that is
/// not an object or has no `id` crashes 24.02 (§13.1); here it is a 400 (doc-vs-code A8).
fn filter_list(data: &Value) -> Result<Vec<String>, BadEntry> {
    let Some(entries) = data.as_array() else {
        return Ok(Vec::new());
    };
    let mut names = Vec::with_capacity(entries.len());
    for entry in entries {
        let detail = match entry {
            Value::Object(members) => match members.get("id") {
                Some(Value::String(name)) => {
                    names.push(name.clone());
                    continue;
                }
                Some(other) => format!("Not a JSON string but a {}", type_name(other)),
                None => "Filter relationship entry has no 'id' member".to_string(),
            },
            other => format!("Not a JSON object but a {}", type_name(other)),
        };
        return Err(BadEntry {
            names_before: names,
            detail,
        });
    }
    Ok(names)
}

/// The JSON type names MaxScale uses in its messages (jansson's).
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "real",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{DOCUMENTED, MAXSCALE_24_02};
    use serde_json::json;

    fn names(list: &[&str]) -> Option<Vec<String>> {
        Some(list.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn only_boolean_parameters_count() {
        let body = json!({"data": {"attributes": {"parameters": {
            "log_info": true, "log_notice": "true", "log_warning": 1, "log_error": false,
            "log_debug": true, "no_such": true
        }}}});
        let update = session_body(&body, &MAXSCALE_24_02).unwrap();
        assert_eq!(update.log.log_info, Some(true));
        assert_eq!(update.log.log_notice, None);
        assert_eq!(update.log.log_warning, None);
        assert_eq!(update.log.log_error, Some(false));
        assert_eq!(
            update.log.log_debug, None,
            "release build ignores log_debug"
        );
        assert_eq!(update.filters, None);
        let documented = session_body(&body, &DOCUMENTED).unwrap();
        assert_eq!(documented.log.log_debug, Some(true));
    }

    #[test]
    fn filter_relationship_forms() {
        let body = json!({"data": {"relationships": {"filters": {"data": [
            {"id": "a", "type": "filters"}, {"id": "b"}
        ]}}}});
        assert_eq!(
            session_body(&body, &MAXSCALE_24_02).unwrap().filters,
            names(&["a", "b"])
        );
        for not_array in [json!(null), json!({}), json!("x"), json!(5)] {
            let body = json!({"data": {"relationships": {"filters": {"data": not_array}}}});
            assert_eq!(
                session_body(&body, &MAXSCALE_24_02).unwrap().filters,
                names(&[])
            );
        }
        for untouched in [
            json!({"data": {"relationships": {"filters": null}}}),
            json!([]),
        ] {
            assert_eq!(
                session_body(&untouched, &MAXSCALE_24_02).unwrap().filters,
                None
            );
        }
    }

    #[test]
    fn documented_body_only_in_documented_profile() {
        let body = json!({"data": {"attributes": {"relationships": {"filters": {"data": [
            {"id": "a"}
        ]}}}}});
        assert_eq!(session_body(&body, &MAXSCALE_24_02).unwrap().filters, None);
        assert_eq!(
            session_body(&body, &DOCUMENTED).unwrap().filters,
            names(&["a"])
        );
    }

    #[test]
    fn bad_entries_are_errors() {
        let cases = [
            (json!([{"id": 5}]), "Not a JSON string but a integer"),
            (json!([{"id": 1.5}]), "Not a JSON string but a real"),
            (json!([{"id": null}]), "Not a JSON string but a null"),
            (json!([{"id": true}]), "Not a JSON string but a boolean"),
            (
                json!([{"type": "filters"}]),
                "Filter relationship entry has no 'id' member",
            ),
            (json!(["my-log-filter"]), "Not a JSON object but a string"),
            (json!([{"id": "a"}, 5]), "Not a JSON object but a integer"),
        ];
        for (data, message) in cases {
            let body = json!({"data": {"relationships": {"filters": {"data": data.clone()}}}});
            let detail = |r: Result<SessionUpdate, BadEntry>| r.unwrap_err().detail;
            assert_eq!(detail(session_body(&body, &MAXSCALE_24_02)), message);
            assert_eq!(detail(relationship_body(&json!({ "data": data }))), message);
        }
    }

    #[test]
    fn relationship_endpoint_takes_top_level_data() {
        assert_eq!(
            relationship_body(&json!({"data": [{"id": "a"}]}))
                .unwrap()
                .filters,
            names(&["a"])
        );
        assert_eq!(
            relationship_body(&json!({"data": null})).unwrap().filters,
            names(&[])
        );
        assert_eq!(relationship_body(&json!({})).unwrap().filters, None);
        assert_eq!(relationship_body(&json!([])).unwrap().filters, None);
    }
}
