//! GET of the resources a session points at: services, filters, servers, `/maxscale`.

use hyper::StatusCode;
use serde_json::Value;

use super::response::Reply;
use super::router::Route;
use super::Ctx;
use crate::api::resources as docs;

/// A collection of services, filters or servers.
pub(super) fn list(ctx: &Ctx<'_>, route: &Route) -> Reply {
    let topology = ctx.state.sim.topology();
    let base = &ctx.base;
    let (kind, data): (&str, Vec<Value>) = match route {
        Route::Services => (
            "services",
            topology
                .services
                .iter()
                .map(|s| docs::service(topology, s, base))
                .collect(),
        ),
        Route::Filters => (
            "filters",
            topology
                .filters
                .iter()
                .map(|f| docs::filter(topology, f, base))
                .collect(),
        ),
        _ => (
            "servers",
            topology
                .servers
                .iter()
                .map(|s| docs::server(topology, s, base))
                .collect(),
        ),
    };
    Reply::json(StatusCode::OK, docs::collection(kind, data, base))
}

/// One service, filter or server (the router checked that it exists), or `/maxscale`.
pub(super) fn one(ctx: &Ctx<'_>, route: &Route) -> Reply {
    let topology = ctx.state.sim.topology();
    let base = &ctx.base;
    let resource = match route {
        Route::Service(name) => topology
            .service(name)
            .map(|s| docs::service(topology, s, base)),
        Route::Filter(name) => topology
            .filter(name)
            .map(|f| docs::filter(topology, f, base)),
        Route::Server(name) => topology
            .server(name)
            .map(|s| docs::server(topology, s, base)),
        _ => {
            let clock = ctx.state.sim.clock();
            let document = docs::maxscale(
                topology,
                clock.wall_secs(0),
                clock.wall_secs(clock.now()),
                base,
            );
            return Reply::json(StatusCode::OK, document);
        }
    };
    match resource {
        Some(resource) => Reply::json(StatusCode::OK, docs::single(resource)),
        None => Reply::empty(StatusCode::NOT_FOUND),
    }
}
