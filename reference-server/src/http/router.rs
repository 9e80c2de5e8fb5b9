//! Path normalisation and the route tables of MaxScale's REST API (spec §3).

use hyper::Method;

use crate::sim::topology::Topology;

/// A request path after normalisation (spec §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiPath {
    /// Segments after the optional `v1` prefix; empty segments (`//`) are kept.
    pub parts: Vec<String>,
    /// Whether the path had the `v1` prefix (links follow it, spec §3.2).
    pub versioned: bool,
}

impl ApiPath {
    /// Percent-decodes the path, drops leading and trailing slashes and the first `v1`.
    pub fn parse(raw: &str) -> ApiPath {
        let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
        let trimmed = decoded.trim_matches('/');
        let mut parts: Vec<String> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').map(str::to_string).collect()
        };
        let versioned = parts.first().is_some_and(|p| p == "v1");
        if versioned {
            parts.remove(0);
        }
        ApiPath { parts, versioned }
    }

    /// The key of this path in the last-modified table: as written, without `v1` (spec §10.8).
    pub fn key(&self) -> String {
        self.parts.join("/")
    }
}

/// A resolved endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Root,
    Sessions,
    Session(u64),
    SessionFilters(u64),
    SessionRestart(u64),
    RestartAll,
    Services,
    Service(String),
    Filters,
    Filter(String),
    Servers,
    Server(String),
    Maxscale,
}

impl Route {
    /// Whether the route needs a request body: the PATCHes E3 and E4 (spec §2 step 10.2).
    pub fn needs_body(&self, method: &Method) -> bool {
        *method == Method::PATCH && matches!(self, Route::Session(_) | Route::SessionFilters(_))
    }
}

/// Why no route matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// A template of the same shape failed only on a variable part: `<part> is not a <kind>`.
    NotA { part: String, kind: &'static str },
    /// Nothing of that shape: 404 with an empty body.
    NoRoute,
}

impl Miss {
    /// The detail of the 404 document, if the miss has one.
    pub fn detail(&self) -> Option<String> {
        match self {
            Miss::NotA { part, kind } => Some(format!("{part} is not a {kind}")),
            Miss::NoRoute => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Seg {
    Lit(&'static str),
    Session,
    Service,
    Filter,
    Server,
}

use Seg::{Filter as F, Lit, Server as Srv, Service as Svc, Session as S};

type Build = fn(&[Arg]) -> Route;

#[derive(Debug, Clone)]
enum Arg {
    Id(u64),
    Name(String),
}

impl Arg {
    fn id(&self) -> u64 {
        match self {
            Arg::Id(id) => *id,
            Arg::Name(_) => 0,
        }
    }
    fn name(&self) -> String {
        match self {
            Arg::Name(name) => name.clone(),
            Arg::Id(id) => id.to_string(),
        }
    }
}

const GET: &[(&[Seg], Build)] = &[
    (&[], |_| Route::Root),
    (&[Lit("sessions")], |_| Route::Sessions),
    (&[Lit("sessions"), S], |a| Route::Session(a[0].id())),
    (&[Lit("services")], |_| Route::Services),
    (&[Lit("services"), Svc], |a| Route::Service(a[0].name())),
    (&[Lit("filters")], |_| Route::Filters),
    (&[Lit("filters"), F], |a| Route::Filter(a[0].name())),
    (&[Lit("servers")], |_| Route::Servers),
    (&[Lit("servers"), Srv], |a| Route::Server(a[0].name())),
    (&[Lit("maxscale")], |_| Route::Maxscale),
];
const PATCH: &[(&[Seg], Build)] = &[
    (&[Lit("sessions"), S], |a| Route::Session(a[0].id())),
    (
        &[Lit("sessions"), S, Lit("relationships"), Lit("filters")],
        |a| Route::SessionFilters(a[0].id()),
    ),
];
const POST: &[(&[Seg], Build)] = &[
    (&[Lit("sessions"), Lit("restart")], |_| Route::RestartAll),
    (&[Lit("sessions"), S, Lit("restart")], |a| {
        Route::SessionRestart(a[0].id())
    }),
];
const DELETE: &[(&[Seg], Build)] = &[(&[Lit("sessions"), S], |a| Route::Session(a[0].id()))];

fn table(method: &Method) -> &'static [(&'static [Seg], Build)] {
    match *method {
        Method::GET => GET,
        Method::PATCH => PATCH,
        Method::POST => POST,
        Method::DELETE => DELETE,
        _ => &[],
    }
}

/// Looks the path up in the method's table (spec §3.3).
pub fn resolve(method: &Method, path: &ApiPath, topology: &Topology) -> Result<Route, Miss> {
    let mut miss = Miss::NoRoute;
    for (template, build) in table(method) {
        match match_template(template, &path.parts, topology) {
            Ok(args) => return Ok(build(&args)),
            Err(Some(not_a)) if miss == Miss::NoRoute => miss = not_a,
            Err(_) => {}
        }
    }
    Err(miss)
}

/// The methods an OPTIONS request lists for the path, from `GET, PUT, POST, DELETE` in that
/// order: PATCH is never listed (spec §10.6). `Err` when none has a route.
pub fn allowed(path: &ApiPath, topology: &Topology) -> Result<Vec<&'static str>, Miss> {
    let methods = [
        (Method::GET, "GET"),
        (Method::PUT, "PUT"),
        (Method::POST, "POST"),
        (Method::DELETE, "DELETE"),
    ];
    let mut miss = Miss::NoRoute;
    let mut found = Vec::new();
    for (method, name) in methods {
        match resolve(&method, path, topology) {
            Ok(_) => found.push(name),
            Err(m @ Miss::NotA { .. }) => miss = m,
            Err(Miss::NoRoute) => {}
        }
    }
    if found.is_empty() {
        Err(miss)
    } else {
        Ok(found)
    }
}

/// `Err(Some(..))` when only a variable part failed its check.
fn match_template(
    template: &[Seg],
    parts: &[String],
    topology: &Topology,
) -> Result<Vec<Arg>, Option<Miss>> {
    if template.len() != parts.len() {
        return Err(None);
    }
    let literals_match = template
        .iter()
        .zip(parts)
        .all(|(seg, part)| !matches!(seg, Lit(l) if l != part));
    if !literals_match {
        return Err(None);
    }
    let mut args = Vec::new();
    for (seg, part) in template.iter().zip(parts) {
        let (arg, kind) = match seg {
            Lit(_) => continue,
            S => (parse_session_id(part).map(Arg::Id), "session"),
            Svc => (named(part, topology.service(part).is_some()), "service"),
            F => (named(part, topology.filter(part).is_some()), "filter"),
            Srv => (named(part, topology.server(part).is_some()), "server"),
        };
        match arg {
            Some(arg) => args.push(arg),
            None => {
                return Err(Some(Miss::NotA {
                    part: part.clone(),
                    kind,
                }))
            }
        }
    }
    Ok(args)
}

fn named(part: &str, exists: bool) -> Option<Arg> {
    exists.then(|| Arg::Name(part.to_string()))
}

/// A session id: an unsigned 64-bit decimal consuming the whole part, greater than zero;
/// leading zeros allowed (spec §3.4).
pub fn parse_session_id(part: &str) -> Option<u64> {
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse::<u64>().ok().filter(|&id| id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> ApiPath {
        ApiPath::parse(p)
    }

    #[test]
    fn normalisation() {
        assert_eq!(path("/v1/sessions/1/").parts, vec!["sessions", "1"]);
        assert_eq!(path("//v1/sessions/1//").parts, vec!["sessions", "1"]);
        assert_eq!(path("/v1//sessions/1").parts, vec!["", "sessions", "1"]);
        assert!(!path("/sessions/1").versioned);
        assert!(path("/v1/sessions").versioned);
        assert_eq!(path("/v1/v1/sessions").parts, vec!["v1", "sessions"]);
        assert_eq!(path("/v1/%73essions").parts, vec!["sessions"]);
        assert_eq!(path("/v1/sessions/%2010").parts, vec!["sessions", " 10"]);
        assert_eq!(path("/v1/").parts, Vec::<String>::new());
        assert_eq!(path("/v1/sessions/0010").key(), "sessions/0010");
    }

    #[test]
    fn session_ids() {
        for (part, id) in [
            ("1", Some(1)),
            ("007", Some(7)),
            ("18446744073709551615", Some(u64::MAX)),
        ] {
            assert_eq!(parse_session_id(part), id, "{part}");
        }
        for bad in [
            "0",
            "-1",
            "+1",
            " 1",
            "1 ",
            "1a",
            "1.0",
            "0x1",
            "abc",
            "1e3",
            "18446744073709551616",
            "",
        ] {
            assert_eq!(parse_session_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn routes_and_misses() {
        let t = Topology::default_captures();
        let get = |p: &str| resolve(&Method::GET, &path(p), &t);
        assert_eq!(get("/v1/sessions/5"), Ok(Route::Session(5)));
        assert_eq!(
            get("/v1/sessions/abc").unwrap_err().detail().as_deref(),
            Some("abc is not a session")
        );
        assert_eq!(
            get("/v1/sessions/restart").unwrap_err().detail().as_deref(),
            Some("restart is not a session")
        );
        assert_eq!(get("/v1/sessions/1/restart"), Err(Miss::NoRoute));
        assert_eq!(get("/v1/sessions/abc/x"), Err(Miss::NoRoute));
        assert_eq!(get("/v1/Sessions"), Err(Miss::NoRoute));
        assert_eq!(
            get("/v1/services/nope").unwrap_err().detail().as_deref(),
            Some("nope is not a service")
        );
        assert_eq!(
            get("/v1/services/RW-Split-Router"),
            Ok(Route::Service("RW-Split-Router".into()))
        );
        assert_eq!(
            resolve(&Method::POST, &path("/v1/sessions/restart"), &t),
            Ok(Route::RestartAll)
        );
        assert_eq!(
            resolve(&Method::PUT, &path("/v1/sessions/1"), &t),
            Err(Miss::NoRoute)
        );
        assert_eq!(
            resolve(&Method::DELETE, &path("/v1/sessions"), &t),
            Err(Miss::NoRoute)
        );
    }

    #[test]
    fn options_lists() {
        let t = Topology::default_captures();
        let allow = |p: &str| allowed(&path(p), &t);
        assert_eq!(allow("/v1/sessions"), Ok(vec!["GET"]));
        assert_eq!(allow("/v1/sessions/2"), Ok(vec!["GET", "DELETE"]));
        assert_eq!(allow("/v1/sessions/999999"), Ok(vec!["GET", "DELETE"]));
        assert_eq!(allow("/v1/sessions/restart"), Ok(vec!["POST"]));
        assert_eq!(allow("/v1/sessions/2/restart"), Ok(vec!["POST"]));
        assert!(allow("/v1/sessions/2/relationships/filters").is_err());
        assert!(allow("/v1/sessions/abc").is_err());
    }
}
