//! GET and HEAD: the handler's document, then ETag and preconditions, then row filtering,
//! pagination and sparse fieldsets, in that order (spec §2 step 10).

use hyper::header::{ETAG, LAST_MODIFIED};
use hyper::{Method, StatusCode};
use serde_json::{json, Value};

use super::conditional::{check_read, Precondition, EMPTY_ETAG};
use super::options::Options;
use super::query::{apply_fields, parse_page, PathFilter, PointerFilter};
use super::response::Reply;
use super::router::{self, Route};
use super::{not_found, resources, sessions, Ctx};
use crate::datetime::http_date;

/// Answers a GET (or a HEAD, which drops the body and hashes the empty one, spec §10.6).
pub(super) fn get(ctx: &Ctx<'_>, head: bool) -> Reply {
    let (reply, collection) =
        match router::resolve(&Method::GET, &ctx.path, ctx.state.sim.topology()) {
            Ok(route) => handle(ctx, &route),
            Err(miss) => (not_found(&miss), false),
        };
    finish(ctx, reply, head, collection)
}

fn handle(ctx: &Ctx<'_>, route: &Route) -> (Reply, bool) {
    match route {
        Route::Root => (Reply::empty(StatusCode::OK), false),
        Route::Sessions => (sessions::list(ctx), true),
        Route::Session(id) => (sessions::one(ctx, *id), false),
        Route::Services | Route::Filters | Route::Servers => (resources::list(ctx, route), true),
        _ => (resources::one(ctx, route), false),
    }
}

fn finish(ctx: &Ctx<'_>, mut reply: Reply, head: bool, collection: bool) -> Reply {
    let key = ctx.path.key();
    let tag = if head {
        EMPTY_ETAG.to_string()
    } else {
        ctx.etag(&reply, &key)
    };
    let modified = ctx.state.last_modified.get(&key);
    match check_read(ctx.headers, &tag, modified) {
        Precondition::Failed => return Reply::empty(StatusCode::PRECONDITION_FAILED),
        Precondition::NotModified => return Reply::empty(StatusCode::NOT_MODIFIED),
        Precondition::Proceed => {}
    }
    if reply.status == StatusCode::OK {
        // spec §10.14: the expressions are parsed whatever the resource; a bad one is a 400.
        let filters = match RowFilters::parse(&ctx.options) {
            Ok(filters) => filters,
            Err(detail) => return Reply::error(StatusCode::BAD_REQUEST, &[detail]),
        };
        if let Some(body) = reply.json_mut() {
            if collection {
                filter_and_page(ctx, &filters, body);
            }
            // mutant: fields-ignored — `fields[…]` cuts nothing (spec §10.13).
            if !ctx.state.faults.fields_ignored {
                sparse_fields(ctx, body);
            }
        }
    }
    reply
        .with_header(ETAG, tag)
        .with_header(LAST_MODIFIED, http_date(modified))
}

/// The row filters of a request: `filter`, then every `filter[…]` in name order (spec §10.14).
struct RowFilters {
    pointer: Option<PointerFilter>,
    paths: Vec<PathFilter>,
}

impl RowFilters {
    /// Parses the filter options; the error is the detail of a 400.
    fn parse(options: &Options) -> Result<RowFilters, String> {
        let pointer = match options.get("filter") {
            Some(value) => PointerFilter::parse(value)?,
            None => None,
        };
        let paths = options
            .bracketed("filter")
            .into_iter()
            .map(|(path, expr)| PathFilter::parse(path, expr))
            .collect::<Result<_, _>>()?;
        Ok(RowFilters { pointer, paths })
    }

    fn keeps(&self, row: &Value) -> bool {
        self.pointer.as_ref().is_none_or(|f| f.matches(row))
            && self.paths.iter().all(|f| f.matches(row))
    }
}

/// Row filtering, then `page[…]` (spec §10.14, §10.7). Only collections are filtered: a single
/// resource never is (doc-vs-code B19), though its filter options must still parse.
fn filter_and_page(ctx: &Ctx<'_>, filters: &RowFilters, body: &mut Value) {
    let options = &ctx.options;
    let self_link = body["links"]["self"].as_str().unwrap_or("").to_string();
    let Some(rows) = body.get_mut("data").and_then(Value::as_array_mut) else {
        return;
    };
    rows.retain(|row| filters.keeps(row));
    if let Some(page) = parse_page(options.get("page[size]"), options.get("page[number]")) {
        let total = rows.len();
        let mut rows_of = page;
        if ctx.state.faults.pagination_off_by_one {
            // mutant: pagination-off-by-one — page P shows the rows of page P+1 (spec §10.7).
            rows_of.number = rows_of.number.saturating_add(1);
        }
        let kept: Vec<Value> = rows.drain(rows_of.slice(total)).collect();
        *rows = kept;
        body["links"] = Value::Object(page.links(total, &self_link));
        body["meta"] = json!({ "total": total });
    }
}

/// `fields[TYPE]=…` on every resource of that type in `data` (spec §10.13).
fn sparse_fields(ctx: &Ctx<'_>, body: &mut Value) {
    for (kind, spec) in ctx.options.bracketed("fields") {
        let resources: Vec<&mut Value> = match body.get_mut("data") {
            Some(Value::Array(rows)) => rows.iter_mut().collect(),
            Some(resource @ Value::Object(_)) => vec![resource],
            _ => Vec::new(),
        };
        for resource in resources {
            if resource["type"] == kind {
                apply_fields(resource, spec);
            }
        }
    }
}
