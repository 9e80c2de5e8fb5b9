//! The resources a session points at, from the topology: services, filters, servers and
//! `/maxscale` — enough for clients such as maxctrl (maxctrl-sessions.md §3).

use serde_json::{json, Map, Value};

use super::LinkBase;
use crate::datetime::http_date;
use crate::sim::topology::{Filter, Server, Service, Topology};

/// The version the reference server reports in `/v1/maxscale`.
pub const VERSION: &str = "24.02.4";

/// `{"data": [...], "links": {"self": …}}` for a collection of `kind`.
pub fn collection(kind: &str, data: Vec<Value>, base: &LinkBase) -> Value {
    json!({ "data": data, "links": { "self": base.to(kind) } })
}

/// `{"data": <resource>, "links": {"self": …}}` for one resource.
pub fn single(resource: Value) -> Value {
    let link = resource["links"]["self"].clone();
    json!({ "data": resource, "links": { "self": link } })
}

/// A service resource.
pub fn service(topology: &Topology, s: &Service, base: &LinkBase) -> Value {
    let self_path = format!("services/{}", s.name);
    let mut relationships = Map::new();
    relationships.insert(
        "servers".into(),
        relation(base, &self_path, "servers", &s.servers),
    );
    if !s.filters.is_empty() {
        relationships.insert(
            "filters".into(),
            relation(base, &self_path, "filters", &s.filters),
        );
    }
    let listeners: Vec<String> = topology
        .listeners
        .iter()
        .filter(|l| l.service == s.name)
        .map(|l| l.name.clone())
        .collect();
    if !listeners.is_empty() {
        relationships.insert(
            "listeners".into(),
            relation(base, &self_path, "listeners", &listeners),
        );
    }
    let mut parameters = params(&s.params);
    parameters.insert("router".into(), s.router.clone().into());
    json!({
        "id": s.name,
        "type": "services",
        "attributes": {
            "router": s.router,
            "state": "Started",
            "parameters": parameters,
        },
        "relationships": relationships,
        "links": { "self": base.to(&self_path) },
    })
}

/// A filter resource.
pub fn filter(topology: &Topology, f: &Filter, base: &LinkBase) -> Value {
    let self_path = format!("filters/{}", f.name);
    let services: Vec<String> = topology
        .services
        .iter()
        .filter(|s| s.filters.contains(&f.name))
        .map(|s| s.name.clone())
        .collect();
    let mut relationships = Map::new();
    if !services.is_empty() {
        relationships.insert(
            "services".into(),
            relation(base, &self_path, "services", &services),
        );
    }
    json!({
        "id": f.name,
        "type": "filters",
        "attributes": { "module": f.module, "parameters": params(&f.params) },
        "relationships": relationships,
        "links": { "self": base.to(&self_path) },
    })
}

/// A server resource.
pub fn server(topology: &Topology, s: &Server, base: &LinkBase) -> Value {
    let self_path = format!("servers/{}", s.name);
    let services: Vec<String> = topology
        .services
        .iter()
        .filter(|svc| svc.servers.contains(&s.name))
        .map(|svc| svc.name.clone())
        .collect();
    let mut parameters = params(&s.params);
    parameters.insert("address".into(), s.address.clone().into());
    parameters.insert("port".into(), s.port.into());
    let mut relationships = Map::new();
    if !services.is_empty() {
        relationships.insert(
            "services".into(),
            relation(base, &self_path, "services", &services),
        );
    }
    json!({
        "id": s.name,
        "type": "servers",
        "attributes": { "state": "Running", "parameters": parameters },
        "relationships": relationships,
        "links": { "self": base.to(&self_path) },
    })
}

/// The `/v1/maxscale` resource: the global parameters maxctrl reads (`retain_last_statements`
/// for `list queries`, maxctrl-sessions.md §2.4) and the process facts.
pub fn maxscale(topology: &Topology, started_secs: u64, now_secs: u64, base: &LinkBase) -> Value {
    let g = &topology.maxscale;
    let mut parameters = params(&g.params);
    parameters.insert("threads".into(), g.threads.into());
    parameters.insert(
        "retain_last_statements".into(),
        g.retain_last_statements.into(),
    );
    parameters.insert("session_trace".into(), g.session_trace.into());
    parameters.insert("skip_name_resolve".into(), g.skip_name_resolve.into());
    parameters.insert("admin_host".into(), g.admin_host.clone().into());
    parameters.insert("admin_port".into(), g.admin_port.into());
    json!({
        "data": {
            "id": "maxscale",
            "type": "maxscale",
            "attributes": {
                "version": VERSION,
                "started_at": http_date(started_secs),
                "activated_at": http_date(started_secs),
                "uptime": now_secs.saturating_sub(started_secs),
                "parameters": parameters,
            },
            "links": { "self": base.to("maxscale") },
        },
        "links": { "self": base.to("maxscale") },
    })
}

fn relation(base: &LinkBase, owner: &str, kind: &str, ids: &[String]) -> Value {
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "id": id, "type": kind }))
        .collect();
    json!({
        "data": data,
        "links": {
            "self": base.to(&format!("{owner}/relationships/{kind}")),
            "related": base.to(kind),
        },
    })
}

/// Parameters as written in the configuration file, numbers and booleans typed.
fn params(pairs: &[(String, String)]) -> Map<String, Value> {
    pairs
        .iter()
        .filter(|(key, _)| key != "type" && !key.contains("password"))
        .map(|(key, value)| (key.clone(), typed(value)))
        .collect()
}

fn typed(value: &str) -> Value {
    if let Ok(n) = value.parse::<i64>() {
        return n.into();
    }
    match value {
        "true" => true.into(),
        "false" => false.into(),
        _ => value.into(),
    }
}
