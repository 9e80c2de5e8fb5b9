//! The session resource object and its documents (spec §4.1, §4.2, §5).

use serde_json::{json, Map, Value};

use super::LinkBase;
use crate::datetime::{http_date, query_timestamp};
use crate::sim::snapshot::{BufferMemory, Memory, QueryView, SessionView};

/// How a session is rendered beyond its own data.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    /// Shown in place of `remote` when reverse DNS applies (spec §11).
    pub remote_name: Option<&'a str>,
    /// Whether `parameters` includes `log_debug` (a debug build, spec §5.8).
    pub log_debug: bool,
}

/// `{"data": <session>, "links": {"self": …}}` for GET one.
pub fn single(view: &SessionView, base: &LinkBase, options: RenderOptions<'_>) -> Value {
    json!({
        "data": resource(view, base, options),
        "links": { "self": base.to(&format!("sessions/{}", view.id)) },
    })
}

/// `{"data": [<session>…], "links": {"self": …}}` for GET all.
pub fn collection(data: Vec<Value>, base: &LinkBase) -> Value {
    json!({ "data": data, "links": { "self": base.to("sessions") } })
}

/// One session resource object (spec §5.1).
pub fn resource(view: &SessionView, base: &LinkBase, options: RenderOptions<'_>) -> Value {
    let id = view.id.to_string();
    let mut relationships = Map::new();
    relationships.insert(
        "services".into(),
        relationship(&id, "services", std::slice::from_ref(&view.service), base),
    );
    // spec §5.1: present only when non-empty, never an empty array.
    if !view.filters.is_empty() {
        relationships.insert(
            "filters".into(),
            relationship(&id, "filters", &view.filters, base),
        );
    }
    json!({
        "id": id,
        "type": "sessions",
        "relationships": relationships,
        "attributes": attributes(view, options),
        "links": { "self": base.to(&format!("sessions/{id}")) },
    })
}

fn relationship(session_id: &str, kind: &str, ids: &[String], base: &LinkBase) -> Value {
    let data: Vec<Value> = ids
        .iter()
        .map(|name| json!({ "id": name, "type": kind }))
        .collect();
    json!({
        "data": data,
        "links": {
            "self": base.to(&format!("sessions/{session_id}/relationships/{kind}")),
            "related": base.to(kind),
        },
    })
}

fn attributes(view: &SessionView, options: RenderOptions<'_>) -> Value {
    let mut a = Map::new();
    a.insert("state".into(), view.state.as_str().into());
    // spec §5.2: `user` only when non-empty.
    if let Some(user) = &view.user {
        a.insert("user".into(), user.as_str().into());
    }
    let remote = options.remote_name.unwrap_or(&view.remote);
    a.insert("remote".into(), remote.into());
    a.insert("port".into(), view.port.into());
    a.insert("connected".into(), http_date(view.connected_secs).into());
    a.insert("seconds_alive".into(), view.seconds_alive.into());
    if let Some(idle) = view.idle {
        a.insert("idle".into(), idle.into());
    }
    a.insert("memory".into(), memory(&view.memory));
    a.insert("io_activity".into(), view.io_activity.into());
    let connections: Vec<Value> = view
        .connections
        .iter()
        .map(
            |c| json!({ "connection_id": c.connection_id, "server": c.server, "cipher": c.cipher }),
        )
        .collect();
    a.insert("connections".into(), connections.into());
    a.insert("client".into(), client(view));
    a.insert("thread".into(), view.thread.into());
    let queries: Vec<Value> = view.queries.iter().map(query).collect();
    a.insert("queries".into(), queries.into());
    a.insert("log".into(), view.log.clone().into());
    a.insert("parameters".into(), parameters(view, options.log_debug));
    Value::Object(a)
}

fn memory(m: &Memory) -> Value {
    let backends: Map<String, Value> = m
        .backends
        .iter()
        .map(|(server, b)| (server.clone(), buffers(b)))
        .collect();
    json!({
        "connection_buffers": {
            "total": m.connection_buffers_total(),
            "client": buffers(&m.client),
            "backends": backends,
        },
        "last_queries": m.last_queries,
        "variables": m.variables,
        "sescmd_history": m.sescmd_history,
        "exec_metadata": m.exec_metadata,
        "total": m.total(),
    })
}

fn buffers(b: &BufferMemory) -> Value {
    json!({ "writeq": b.writeq, "readq": b.readq, "misc": b.misc, "total": b.total() })
}

fn client(view: &SessionView) -> Value {
    let c = &view.client;
    let attributes = match &c.connection_attributes {
        Some(pairs) => Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
                .collect(),
        ),
        None => Value::Null,
    };
    let mut client = json!({ "cipher": c.cipher, "connection_attributes": attributes });
    if let Some(h) = c.history {
        client["sescmd_history_len"] = h.len.into();
        client["sescmd_history_stored_responses"] = h.stored_responses.into();
        client["sescmd_history_stored_metadata"] = h.stored_metadata.into();
    }
    client
}

fn query(q: &QueryView) -> Value {
    let responses: Vec<Value> = q
        .responses
        .iter()
        .map(|(server, ms)| json!({ "server": server, "duration": ms }))
        .collect();
    let mut entry = json!({
        "command": "COM_QUERY",
        "statement": q.statement,
        "received": query_timestamp(q.received_ms),
        "responses": responses,
    });
    if let Some(done) = q.completed_ms {
        entry["completed"] = query_timestamp(done).into();
    }
    entry
}

fn parameters(view: &SessionView, log_debug: bool) -> Value {
    let p = view.parameters;
    let mut params = json!({
        "log_info": p.log_info,
        "log_notice": p.log_notice,
        "log_warning": p.log_warning,
        "log_error": p.log_error,
    });
    if log_debug {
        params["log_debug"] = p.log_debug.into();
    }
    params
}
