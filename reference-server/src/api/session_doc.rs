//! The session resource object and its documents (spec §4.1, §4.2, §5), as typed structs.
//!
//! Fields are declared in byte order of their JSON keys, so serialising a struct directly gives
//! the same text as serialising it through a `serde_json::Value` (whose maps sort their keys).
//! The direct way renders a large list without building a tree of values; the `Value` way is for
//! requests that filter, page or cut fields. A test keeps the two identical.

use std::collections::BTreeMap;

use serde::Serialize;

use super::LinkBase;
use crate::datetime::{http_date, query_timestamp};
use crate::mutant::Faults;
use crate::sim::snapshot::{BufferMemory, Memory, QueryView, SessionView};

/// How a session is rendered beyond its own data.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Shown in place of `remote` when reverse DNS applies (spec §11).
    pub remote_name: Option<&'a str>,
    /// Whether `parameters` includes `log_debug` (a debug build, spec §5.8).
    pub log_debug: bool,
    /// The deliberate defects to render (`crate::mutant`); the default is faithful.
    pub faults: Faults,
}

/// `{"data": <session>, "links": {"self": …}}` for GET one.
#[derive(Debug, Serialize)]
pub struct Single {
    pub data: Resource,
    pub links: SelfLink,
}

/// `{"data": [<session>…], "links": {"self": …}}` for GET all.
#[derive(Debug, Serialize)]
pub struct Collection {
    pub data: Vec<Resource>,
    pub links: SelfLink,
}

/// `{"self": <url>}`.
#[derive(Debug, Serialize)]
pub struct SelfLink {
    #[serde(rename = "self")]
    pub self_: String,
}

/// One session resource object (spec §5.1).
#[derive(Debug, Serialize)]
pub struct Resource {
    attributes: Attributes,
    id: Id,
    links: SelfLink,
    relationships: Relationships,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// The session id: a decimal string (spec §5.1), or a number under the `id-as-number` mutant.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Id {
    Text(String),
    Number(u64),
}

#[derive(Debug, Serialize)]
struct Relationships {
    /// spec §5.1: present only when non-empty, never an empty array.
    #[serde(skip_serializing_if = "Option::is_none")]
    filters: Option<Relationship>,
    services: Relationship,
}

#[derive(Debug, Serialize)]
struct Relationship {
    data: Vec<Identifier>,
    links: RelationshipLinks,
}

#[derive(Debug, Serialize)]
struct Identifier {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Debug, Serialize)]
struct RelationshipLinks {
    related: String,
    #[serde(rename = "self")]
    self_: String,
}

/// spec §5.2.
#[derive(Debug, Serialize)]
struct Attributes {
    client: Client,
    connected: String,
    connections: Vec<Connection>,
    #[serde(skip_serializing_if = "Option::is_none")]
    idle: Option<f64>,
    /// Always present; `None` only under the `missing-required-attribute` mutant.
    #[serde(skip_serializing_if = "Option::is_none")]
    io_activity: Option<u64>,
    log: Vec<String>,
    memory: MemoryDoc,
    parameters: Parameters,
    port: i32,
    queries: Vec<Query>,
    remote: String,
    seconds_alive: f64,
    state: &'static str,
    thread: usize,
    /// spec §5.2: only when non-empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<String>,
}

/// spec §5.5: the history counters only for history-capable routers.
#[derive(Debug, Serialize)]
struct Client {
    cipher: String,
    connection_attributes: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sescmd_history_len: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sescmd_history_stored_metadata: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sescmd_history_stored_responses: Option<u64>,
}

#[derive(Debug, Serialize)]
struct Connection {
    cipher: String,
    connection_id: u64,
    server: String,
}

/// spec §5.4.
#[derive(Debug, Serialize)]
struct MemoryDoc {
    connection_buffers: ConnectionBuffers,
    exec_metadata: u64,
    last_queries: u64,
    sescmd_history: u64,
    total: u64,
    variables: u64,
}

#[derive(Debug, Serialize)]
struct ConnectionBuffers {
    backends: BTreeMap<String, Buffers>,
    client: Buffers,
    total: u64,
}

#[derive(Debug, Serialize)]
struct Buffers {
    misc: u64,
    readq: u64,
    total: u64,
    writeq: u64,
}

/// spec §5.8: `log_debug` only in debug builds.
#[derive(Debug, Serialize)]
struct Parameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    log_debug: Option<bool>,
    log_error: bool,
    log_info: bool,
    log_notice: bool,
    log_warning: bool,
}

/// spec §5.6.
#[derive(Debug, Serialize)]
struct Query {
    command: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    completed: Option<String>,
    received: String,
    responses: Vec<Response>,
    statement: String,
}

#[derive(Debug, Serialize)]
struct Response {
    duration: u64,
    server: String,
}

/// The document of GET one.
pub fn single(view: &SessionView, base: &LinkBase, options: RenderOptions<'_>) -> Single {
    Single {
        links: SelfLink {
            self_: base.to(&format!("sessions/{}", view.id)),
        },
        data: resource(view, base, options),
    }
}

/// The document of GET all.
pub fn collection(data: Vec<Resource>, base: &LinkBase) -> Collection {
    Collection {
        data,
        links: SelfLink {
            self_: base.to("sessions"),
        },
    }
}

/// One session resource object (spec §5.1).
pub fn resource(view: &SessionView, base: &LinkBase, options: RenderOptions<'_>) -> Resource {
    let id = view.id.to_string();
    let mut filters =
        (!view.filters.is_empty()).then(|| relationship(&id, "filters", &view.filters, base));
    if options.faults.empty_filters_relationship && filters.is_none() {
        // mutant: empty-filters-relationship — `[]` instead of no `filters` member (spec §5.1).
        filters = Some(relationship(&id, "filters", &[], base));
    }
    Resource {
        relationships: Relationships {
            filters,
            services: relationship(&id, "services", std::slice::from_ref(&view.service), base),
        },
        attributes: attributes(view, options),
        links: SelfLink {
            self_: base.to(&format!("sessions/{id}")),
        },
        // mutant: id-as-number — the id is a JSON number (spec §5.1).
        id: if options.faults.id_as_number {
            Id::Number(view.id)
        } else {
            Id::Text(id)
        },
        kind: "sessions",
    }
}

fn relationship(
    session_id: &str,
    kind: &'static str,
    ids: &[String],
    base: &LinkBase,
) -> Relationship {
    Relationship {
        data: ids
            .iter()
            .map(|name| Identifier {
                id: name.clone(),
                kind,
            })
            .collect(),
        links: RelationshipLinks {
            related: base.to(kind),
            self_: base.to(&format!("sessions/{session_id}/relationships/{kind}")),
        },
    }
}

fn attributes(view: &SessionView, options: RenderOptions<'_>) -> Attributes {
    let p = view.parameters;
    let history = view.client.history;
    Attributes {
        client: Client {
            cipher: view.client.cipher.clone(),
            connection_attributes: view
                .client
                .connection_attributes
                .as_ref()
                .map(|pairs| pairs.iter().cloned().collect()),
            sescmd_history_len: history.map(|h| h.len),
            sescmd_history_stored_metadata: history.map(|h| h.stored_metadata),
            sescmd_history_stored_responses: history.map(|h| h.stored_responses),
        },
        connected: http_date(view.connected_secs),
        connections: view
            .connections
            .iter()
            .map(|c| Connection {
                cipher: c.cipher.clone(),
                connection_id: c.connection_id,
                server: c.server.clone(),
            })
            .collect(),
        idle: view.idle,
        // mutant: missing-required-attribute — `io_activity` is left out (spec §5.2).
        io_activity: (!options.faults.missing_required_attribute).then_some(view.io_activity),
        log: view.log.clone(),
        memory: memory(&view.memory),
        parameters: Parameters {
            log_debug: options.log_debug.then_some(p.log_debug),
            log_error: p.log_error,
            log_info: p.log_info,
            log_notice: p.log_notice,
            log_warning: p.log_warning,
        },
        port: view.port,
        queries: view.queries.iter().map(query).collect(),
        remote: options.remote_name.unwrap_or(&view.remote).to_string(),
        seconds_alive: view.seconds_alive,
        state: view.state.as_str(),
        thread: view.thread,
        user: view.user.clone(),
    }
}

fn memory(m: &Memory) -> MemoryDoc {
    MemoryDoc {
        connection_buffers: ConnectionBuffers {
            backends: m
                .backends
                .iter()
                .map(|(server, b)| (server.clone(), buffers(b)))
                .collect(),
            client: buffers(&m.client),
            total: m.connection_buffers_total(),
        },
        exec_metadata: m.exec_metadata,
        last_queries: m.last_queries,
        sescmd_history: m.sescmd_history,
        total: m.total(),
        variables: m.variables,
    }
}

fn buffers(b: &BufferMemory) -> Buffers {
    Buffers {
        misc: b.misc,
        readq: b.readq,
        total: b.total(),
        writeq: b.writeq,
    }
}

fn query(q: &QueryView) -> Query {
    Query {
        command: "COM_QUERY",
        completed: q.completed_ms.map(query_timestamp),
        received: query_timestamp(q.received_ms),
        responses: q
            .responses
            .iter()
            .map(|(server, ms)| Response {
                duration: *ms,
                server: server.clone(),
            })
            .collect(),
        statement: q.statement.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json_text::{render, render_serialize};
    use crate::mutant::Mutant;
    use crate::sim::clock::ClockMode;
    use crate::sim::topology::Topology;
    use crate::sim::{NewSessions, SessionUpdate, SimConfig, Simulation, Workload};

    /// Sessions in every shape the document has: authenticating, with session filters, with
    /// retained queries and trace lines, busy.
    fn varied_views() -> Vec<SessionView> {
        let topology = Topology::parse(
            "[maxscale]\nthreads=2\nretain_last_statements=2\nsession_trace=2\n\
             [server1]\ntype=server\naddress=127.0.0.1\n\
             [svc]\ntype=service\nrouter=readwritesplit\nservers=server1\nlog_info=true\n\
             [f]\ntype=filter\nmodule=qlafilter\n",
        )
        .expect("topology parses");
        let sim = Simulation::new(SimConfig {
            topology,
            seed: 3,
            initial_sessions: 3,
            clock: ClockMode::Virtual,
            workload: Workload::default(),
            faults: Faults::default(),
        });
        let creating = NewSessions {
            count: 1,
            ..NewSessions::default()
        };
        sim.create_sessions(&creating).unwrap();
        let update = SessionUpdate {
            filters: Some(vec!["f".into(), "f".into()]),
            ..SessionUpdate::default()
        };
        sim.update(1, &update).unwrap();
        sim.advance(std::time::Duration::from_millis(1234)).unwrap();
        sim.client_request(2, "SELECT \"x\"", true).unwrap();
        sim.client_request(2, "SELECT 2", false).unwrap();
        sim.view_all()
    }

    #[test]
    fn direct_and_value_rendering_agree() {
        let base = LinkBase::new("localhost:8989", true);
        let documents = [
            None,
            Some(Mutant::IdAsNumber),
            Some(Mutant::MissingRequiredAttribute),
            Some(Mutant::EmptyFiltersRelationship),
        ];
        for (log_debug, mutant) in [false, true]
            .into_iter()
            .flat_map(|d| documents.map(|m| (d, m)))
        {
            let options = RenderOptions {
                remote_name: Some("localhost"),
                log_debug,
                faults: Faults::of(mutant),
            };
            let views = varied_views();
            assert_eq!(views.len(), 4);
            let list = collection(
                views.iter().map(|v| resource(v, &base, options)).collect(),
                &base,
            );
            let value = serde_json::to_value(&list).unwrap();
            for pretty in [true, false] {
                assert_eq!(render_serialize(&list, pretty), render(&value, pretty));
            }
            let one = single(&views[0], &base, options);
            let value = serde_json::to_value(&one).unwrap();
            assert_eq!(render_serialize(&one, true), render(&value, true));
        }
    }

    #[test]
    fn optional_members_follow_the_session() {
        let base = LinkBase::new("h", false);
        let options = RenderOptions {
            remote_name: None,
            log_debug: false,
            faults: Faults::default(),
        };
        let views = varied_views();
        let docs: Vec<serde_json::Value> = views
            .iter()
            .map(|v| serde_json::to_value(resource(v, &base, options)).unwrap())
            .collect();
        let by_id = |id: &str| docs.iter().find(|d| d["id"] == id).unwrap();
        let created = by_id("4");
        assert_eq!(created["attributes"]["state"], "Session created");
        assert!(created["attributes"].get("user").is_none());
        assert!(created["attributes"]["client"]["connection_attributes"].is_null());
        let filtered = by_id("1");
        assert_eq!(
            filtered["relationships"]["filters"]["data"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert!(by_id("3")["relationships"].get("filters").is_none());
        let queried = &by_id("2")["attributes"];
        assert_eq!(queried["queries"].as_array().unwrap().len(), 2);
        assert!(
            queried["queries"][1].get("completed").is_none(),
            "still running"
        );
        assert_eq!(queried["log"].as_array().unwrap().len(), 2);
        assert!(queried["parameters"].get("log_debug").is_none());
    }
}
