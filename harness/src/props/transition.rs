//! The transitions of the property test: what one step does to the target, in a form that names
//! sessions by their place in the case's population (not by id) and filters by their place in the
//! target's `/v1/filters` list, so a sequence means the same on any target and can be stored in a
//! replay file. This module also renders each transition as the request it sends.

use std::collections::BTreeMap;
use std::fmt;

use percent_encoding::{utf8_percent_encode, AsciiSet};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::request::QUERY_PART;

/// A session of the population: 0 is the first one the case created.
pub type Slot = usize;

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// `PATCH /v1/sessions/:id` with log parameters and/or a filter relationship (spec §6).
    Patch {
        /// The session patched.
        session: Slot,
        /// Where the body puts the filter relationship.
        form: BodyForm,
        /// `data.attributes.parameters`; absent when empty.
        parameters: BTreeMap<Param, Value>,
        /// The filter relationship's `data`; `None` leaves the relationship out.
        filters: Option<FilterData>,
    },
    /// `PATCH /v1/sessions/:id/relationships/filters` with `{"data": …}` (spec §4.4).
    PatchFilters {
        /// The session patched.
        session: Slot,
        /// The relationship's `data`.
        filters: FilterData,
    },
    /// `POST /v1/sessions/:id/restart` (spec §7.1).
    Restart {
        /// The session restarted.
        session: Slot,
    },
    /// `POST /v1/sessions/restart` (spec §7.4).
    RestartAll,
    /// `DELETE /v1/sessions/:id`, with the `ttl` option as written when given (spec §8).
    Delete {
        /// The session deleted.
        session: Slot,
        /// The `ttl` option as written (not always a number); `None` sends none.
        ttl: Option<String>,
    },
    /// `GET /v1/sessions/:id` (spec §4.2), perhaps with `fields[sessions]` (spec §10.13).
    GetOne {
        /// The session read.
        session: Slot,
        /// The `fields[sessions]` option, if sent.
        fields: Option<Fields>,
    },
    /// `GET /v1/sessions` with any of `fields[sessions]`, `filter`, `page[…]` (spec §4.1,
    /// §10.7, §10.13, §10.14).
    GetAll {
        /// The `fields[sessions]` option, if sent.
        fields: Option<Fields>,
        /// The `filter` option, if sent.
        filter: Option<RowFilter>,
        /// `page[size]` and `page[number]`, if sent.
        page: Option<Page>,
    },
    /// The client starts a request that keeps running (the session source's `busy`).
    Busy {
        /// The session whose client starts it.
        session: Slot,
    },
    /// The running request completes (the session source's `idle`).
    Idle {
        /// The session whose request completes.
        session: Slot,
    },
    /// The client sends a request that is answered at once (the session source's `query`).
    Query {
        /// The session whose client sends it.
        session: Slot,
    },
    /// Time moves on by `tenths` × 0.1 s (the session source's `advance`: the virtual clock, or
    /// waiting on a real one).
    Advance {
        /// Tenths of a second to move on.
        tenths: u8,
    },
}

impl Transition {
    /// The session the transition addresses, if it addresses one.
    pub fn session(&self) -> Option<Slot> {
        match self {
            Transition::Patch { session, .. }
            | Transition::PatchFilters { session, .. }
            | Transition::Restart { session }
            | Transition::Delete { session, .. }
            | Transition::GetOne { session, .. }
            | Transition::Busy { session }
            | Transition::Idle { session }
            | Transition::Query { session } => Some(*session),
            Transition::GetAll { filter, .. } => match filter {
                Some(RowFilter::Id { session }) => Some(*session),
                _ => None,
            },
            Transition::RestartAll | Transition::Advance { .. } => None,
        }
    }
}

/// Where a PATCH body puts the filter relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyForm {
    /// `data.relationships.filters` — what the code reads and maxctrl sends (spec §6.3).
    Relationships,
    /// `data.attributes.relationships.filters` — the documentation's example (spec §6.2,
    /// doc-vs-code A5).
    NestedInAttributes,
}

/// A key of `data.attributes.parameters`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Param {
    /// `log_info` (spec §5.8)
    LogInfo,
    /// `log_notice` (spec §5.8)
    LogNotice,
    /// `log_warning` (spec §5.8)
    LogWarning,
    /// `log_error` (spec §5.8)
    LogError,
    /// Only in debug builds of MaxScale (spec §5.8, doc-vs-code A18).
    LogDebug,
    /// A key no MaxScale knows: ignored (spec §6.1).
    LogEverything,
}

impl Param {
    /// The parameter's name in JSON.
    pub fn key(self) -> &'static str {
        match self {
            Param::LogInfo => "log_info",
            Param::LogNotice => "log_notice",
            Param::LogWarning => "log_warning",
            Param::LogError => "log_error",
            Param::LogDebug => "log_debug",
            Param::LogEverything => "log_everything",
        }
    }
}

/// The `data` of a filter relationship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterData {
    /// An array of entries.
    List(Vec<FilterEntry>),
    /// `null`: not an array, so an empty list (spec §6.3.1).
    Null,
}

/// One entry of a filter relationship's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterEntry {
    /// `{"id": NAME, "type": "filters"}` with NAME the `index`-th (modulo their number) of the
    /// target's filters; `type` is left out when `typed` is false (spec §6.3.2: not checked).
    Known {
        /// Which of the target's filters, counted modulo their number.
        index: u8,
        /// Whether the entry has `"type": "filters"`.
        typed: bool,
    },
    /// A name the target does not have: 400 `Not a valid filter: …` (spec §6.3.2).
    Unknown,
    /// An `id` that is not a string: 400 `Not a JSON string but a …` (spec §6.3.2).
    NonStringId(Value),
    /// An entry without `id`: 400 (doc-vs-code A8; 24.02 crashes).
    MissingId,
}

/// The name [`FilterEntry::Unknown`] uses.
pub const UNKNOWN_FILTER: &str = "no-such-filter";

/// A `fields[sessions]` value (spec §10.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fields {
    /// `parameters`
    Parameters,
    /// `parameters/log_info`
    LogInfo,
    /// `state,filters` — an attribute and a relationship.
    StateAndFilters,
    /// `connections`
    Connections,
}

impl Fields {
    /// The option's value.
    pub fn value(self) -> &'static str {
        match self {
            Fields::Parameters => "parameters",
            Fields::LogInfo => "parameters/log_info",
            Fields::StateAndFilters => "state,filters",
            Fields::Connections => "connections",
        }
    }
}

/// A `filter` option of `GET /v1/sessions` (spec §10.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowFilter {
    /// `/id="ID"` of one session (ids are strings).
    Id {
        /// The session whose id the option names.
        session: Slot,
    },
    /// `/attributes/parameters/KEY=eq(true|false)` (a bare `true` is rejected, spec §10.14).
    Flag {
        /// The parameter compared: KEY.
        param: Param,
        /// The value it must equal.
        value: bool,
    },
    /// `/relationships/filters/data/0/id="NAME"`: sessions whose first filter is NAME.
    FirstFilter {
        /// Which of the target's filters is NAME, counted modulo their number.
        index: u8,
    },
    /// `/attributes/state=eq("Session started")`
    Started,
}

/// `page[size]` and `page[number]` (spec §10.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// `page[size]`: rows per page.
    pub size: u8,
    /// `page[number]`: which page of that size.
    pub number: u8,
}

/// What a query value escapes: what would end it or cannot stand in a URL, and `+` (a literal
/// plus, not a space, spec §8.1).
const QUERY_VALUE: &AsciiSet = &QUERY_PART.add(b'+').add(b'%');

/// A query value, percent-encoded.
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// The filter name an entry index stands for; `None` when the target has no filters.
pub fn filter_name(filters: &[String], index: u8) -> Option<&str> {
    (!filters.is_empty()).then(|| filters[usize::from(index) % filters.len()].as_str())
}

impl FilterData {
    /// The JSON value, with known entries named from the target's filters (left out when it has
    /// none).
    pub fn to_json(&self, filters: &[String]) -> Value {
        match self {
            FilterData::Null => Value::Null,
            FilterData::List(entries) => entries
                .iter()
                .filter_map(|entry| match entry {
                    FilterEntry::Known { index, typed } => {
                        let name = filter_name(filters, *index)?;
                        Some(if *typed {
                            json!({ "id": name, "type": "filters" })
                        } else {
                            json!({ "id": name })
                        })
                    }
                    FilterEntry::Unknown => {
                        Some(json!({ "id": UNKNOWN_FILTER, "type": "filters" }))
                    }
                    FilterEntry::NonStringId(id) => Some(json!({ "id": id, "type": "filters" })),
                    FilterEntry::MissingId => Some(json!({ "type": "filters" })),
                })
                .collect(),
        }
    }
}

/// The body of a `PATCH /v1/sessions/:id`.
pub fn patch_body(
    form: BodyForm,
    parameters: &BTreeMap<Param, Value>,
    filters: Option<&FilterData>,
    names: &[String],
) -> Value {
    let mut attributes = serde_json::Map::new();
    if !parameters.is_empty() {
        let parameters: serde_json::Map<String, Value> = parameters
            .iter()
            .map(|(param, value)| (param.key().to_string(), value.clone()))
            .collect();
        attributes.insert("parameters".into(), Value::Object(parameters));
    }
    let mut data = serde_json::Map::new();
    if let Some(filters) = filters {
        let relationships = json!({ "filters": { "data": filters.to_json(names) } });
        match form {
            BodyForm::Relationships => {
                data.insert("relationships".into(), relationships);
            }
            BodyForm::NestedInAttributes => {
                attributes.insert("relationships".into(), relationships);
            }
        }
    }
    if !attributes.is_empty() {
        data.insert("attributes".into(), Value::Object(attributes));
    }
    json!({ "data": data })
}

/// The query string (without `?`) of a `GET /v1/sessions`.
pub fn list_query(
    fields: Option<Fields>,
    filter: Option<&str>,
    page: Option<Page>,
) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(fields) = fields {
        parts.push(format!("fields[sessions]={}", encode(fields.value())));
    }
    if let Some(filter) = filter {
        parts.push(format!("filter={}", encode(filter)));
    }
    if let Some(page) = page {
        parts.push(format!(
            "page[size]={}&page[number]={}",
            page.size, page.number
        ));
    }
    (!parts.is_empty()).then(|| parts.join("&"))
}

impl RowFilter {
    /// The `filter` option's value; `None` when it names a filter the target does not have.
    pub fn expression(&self, ids: &[u64], filters: &[String]) -> Option<String> {
        Some(match self {
            RowFilter::Id { session } => format!("/id=\"{}\"", ids[*session]),
            RowFilter::Flag { param, value } => {
                format!("/attributes/parameters/{}=eq({value})", param.key())
            }
            RowFilter::FirstFilter { index } => format!(
                "/relationships/filters/data/0/id=\"{}\"",
                filter_name(filters, *index)?
            ),
            RowFilter::Started => "/attributes/state=eq(\"Session started\")".to_string(),
        })
    }
}

impl fmt::Display for Transition {
    /// A short label: `PATCH #2`, `advance 1.2 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transition::Patch { session, .. } => write!(f, "PATCH #{session}"),
            Transition::PatchFilters { session, .. } => {
                write!(f, "PATCH #{session} relationships/filters")
            }
            Transition::Restart { session } => write!(f, "restart #{session}"),
            Transition::RestartAll => write!(f, "restart all"),
            Transition::Delete { session, ttl } => match ttl {
                Some(ttl) => write!(f, "DELETE #{session} ttl={ttl:?}"),
                None => write!(f, "DELETE #{session}"),
            },
            Transition::GetOne { session, .. } => write!(f, "GET #{session}"),
            Transition::GetAll { .. } => write!(f, "GET all"),
            Transition::Busy { session } => write!(f, "busy #{session}"),
            Transition::Idle { session } => write!(f, "idle #{session}"),
            Transition::Query { session } => write!(f, "query #{session}"),
            Transition::Advance { tenths } => {
                write!(f, "advance {}.{} s", tenths / 10, tenths % 10)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_put_the_relationship_where_the_form_says() {
        let names = vec!["f1".to_string(), "f2".to_string()];
        let parameters = BTreeMap::from([(Param::LogInfo, json!(true))]);
        let filters = FilterData::List(vec![
            FilterEntry::Known {
                index: 3,
                typed: true,
            },
            FilterEntry::Known {
                index: 0,
                typed: false,
            },
            FilterEntry::MissingId,
        ]);
        assert_eq!(
            patch_body(BodyForm::Relationships, &parameters, Some(&filters), &names),
            json!({"data": {
                "attributes": {"parameters": {"log_info": true}},
                "relationships": {"filters": {"data": [
                    {"id": "f2", "type": "filters"}, {"id": "f1"}, {"type": "filters"}
                ]}}
            }})
        );
        assert_eq!(
            patch_body(
                BodyForm::NestedInAttributes,
                &BTreeMap::new(),
                Some(&FilterData::Null),
                &names
            ),
            json!({"data": {"attributes": {"relationships": {"filters": {"data": null}}}}})
        );
        assert_eq!(
            patch_body(BodyForm::Relationships, &BTreeMap::new(), None, &names),
            json!({"data": {}})
        );
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            list_query(
                Some(Fields::StateAndFilters),
                Some("/attributes/state=eq(\"Session started\")"),
                Some(Page { size: 2, number: 1 })
            )
            .unwrap(),
            "fields[sessions]=state,filters&filter=/attributes/state%3Deq(%22Session%20started%22)\
             &page[size]=2&page[number]=1"
        );
        assert_eq!(encode("+2"), "%2B2");
        assert_eq!(encode(" 1"), "%201");
    }

    #[test]
    fn transitions_round_trip_through_json() {
        let t = Transition::Patch {
            session: 1,
            form: BodyForm::NestedInAttributes,
            parameters: BTreeMap::from([(Param::LogDebug, json!("true"))]),
            filters: Some(FilterData::List(vec![FilterEntry::NonStringId(json!(5))])),
        };
        let text = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<Transition>(&text).unwrap(), t);
    }
}
