//! The scenario file format (YAML). A scenario names the rules of the spec it checks and is a
//! sequence of steps: requests to the target with their expectations, session steps that make
//! and drive sessions through the target's session source, clock advances, and control calls
//! for the simulator's own knobs. See `scenarios/README.md` for the author's guide.
//!
//! ```yaml
//! name: kill-with-ttl
//! description: DELETE ?ttl=N kills after more than N whole seconds.
//! rules: ["spec §8.3"]
//! requires: [sessions]
//! steps:
//!   - session: { open: { count: 1 } }
//!     capture: { id: { pointer: /ids/0 } }
//!   - request: { method: DELETE, path: "/v1/sessions/{{id}}", query: { ttl: "2" } }
//!     expect: { status: write-success, body: empty }
//!   - advance: 2.5
//!   - request: { method: GET, path: "/v1/sessions/{{id}}" }
//!     expect: { status: 200 }
//!   - advance: 1.0
//!   - request: { method: GET, path: "/v1/sessions/{{id}}" }
//!     expect: { status: 404 }
//!     rule: "spec §8.3"
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;

use crate::profile::{Profile, NAMED_STATUSES};
use crate::source::Open;

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique name, kebab-case; shown in reports.
    pub name: String,
    /// One sentence: what the scenario shows.
    pub description: String,
    /// The rules it checks, as spec references (`spec §8.3`, `doc-vs-code B11`).
    pub rules: Vec<String>,
    /// What the target must offer; a scenario whose requirement is missing is skipped with the
    /// reason.
    #[serde(default)]
    pub requires: Vec<Requirement>,
    /// Profiles under which a failure is a known deviation of the real server (reported, but
    /// not a conformance failure): doc-vs-code rows whose normative column is "doc".
    #[serde(default)]
    pub known_deviations: Vec<KnownDeviation>,
    /// Pointers (with `*` for any one segment) whose values are replaced by a placeholder
    /// before snapshots are compared, on top of the default redactions.
    #[serde(default)]
    pub redact: Vec<String>,
    /// The steps, each with where it starts in the file (for error messages).
    pub steps: Vec<Spanned<Step>>,
}

/// A capability of the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Requirement {
    /// A session source that opens sessions and drives their clients (`session:` steps).
    Sessions,
    /// The simulator's control API (`/_sim/`), for its own knobs (`control:` steps).
    Control,
    /// A read-only account (`--basic-user`/`--basic-password` of the harness).
    BasicAccount,
}

impl Requirement {
    /// The name a scenario file gives it.
    pub fn name(self) -> &'static str {
        match self {
            Requirement::Sessions => "sessions",
            Requirement::Control => "control",
            Requirement::BasicAccount => "basic-account",
        }
    }
}

/// Under this profile, the scenario is expected to fail because of a known defect.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDeviation {
    /// The profile (`maxscale-24.02`, `documented`) under which the failure is expected.
    pub profile: String,
    /// The doc-vs-code row or spec section of the defect.
    pub rule: String,
}

/// One step. Exactly one of `request`, `session`, `control` and `advance` is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A request to the target's REST API.
    pub request: Option<Request>,
    /// Sessions opened, or a client's action, through the target's session source; it must
    /// succeed, else the scenario errors. `open` answers `{"ids": [...]}` for captures.
    pub session: Option<SessionStep>,
    /// A call of the simulator's control API (`/_sim/…`) for what no session source does
    /// (lingering closes, internal operations, completing a handshake); it must succeed (2xx).
    pub control: Option<Request>,
    /// Seconds to move the clock: through the control API on a virtual clock, by waiting on a
    /// real one.
    pub advance: Option<f64>,
    /// What the response must look like.
    #[serde(default)]
    pub expect: Expect,
    /// Values to remember for `{{name}}` in later steps.
    #[serde(default)]
    pub capture: BTreeMap<String, Extract>,
    /// Retry the whole step until its expectations hold or the deadline passes.
    pub poll: Option<Poll>,
    /// The rule this step's expectations enforce, when narrower than the scenario's.
    pub rule: Option<String>,
}

/// What a `session:` step does. Ids may be `{{name}}` variables.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum SessionStep {
    /// Back to the initial state (every scenario also starts from one).
    Reset,
    /// Clients connect: `{ count, service, user, remote, authenticated }`.
    Open(Open),
    /// A client's statement, answered at once.
    Query(ClientStatement),
    /// A client's statement that keeps running.
    Busy(ClientStatement),
    /// The running statement completes.
    Idle(Client),
    /// The client disconnects.
    Close(Client),
}

/// A client, by its session's id.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// The session's id, or a `{{name}}` variable that holds it.
    pub id: String,
}

/// A client's statement; the source chooses one when none is given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientStatement {
    /// The session's id, or a `{{name}}` variable that holds it.
    pub id: String,
    /// The statement's SQL text; `None` lets the source choose.
    pub statement: Option<String>,
}

/// An HTTP request. Strings may hold `{{name}}` variables.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// Any method token, sent as written (`GET`, `PATCH`, `FOO`).
    pub method: String,
    /// The path, sent as written (no normalisation), without the query.
    pub path: String,
    /// Query options in order. Values are percent-encoded when sent, except `+` (which the
    /// server reads as a space) and escapes already written (`%2B`). Written as a map
    /// (`{ ttl: "2" }`) or, to repeat a name, as a list of pairs (`[[ttl, "5"], [ttl, "0"]]`).
    #[serde(default, deserialize_with = "query_pairs")]
    pub query: Vec<(String, String)>,
    /// Headers to send, values with `{{name}}` expanded.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body (sent with `Content-Type: application/json`).
    pub body: Option<Value>,
    /// A body sent byte for byte (for malformed JSON).
    pub raw_body: Option<String>,
    /// Which credentials to send; default the admin account.
    #[serde(default)]
    pub auth: Auth,
}

/// Credentials of a request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// The read-write account (`--user`, `--password`).
    #[default]
    Admin,
    /// The read-only account.
    Basic,
    /// No `Authorization` header.
    None,
    /// The admin user with a wrong password.
    Wrong,
}

/// Expectations on a response; every one given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The status line's code.
    pub status: Option<ByProfile<StatusSpec>>,
    /// Header name (case-insensitive) to expectation.
    #[serde(default)]
    pub headers: BTreeMap<String, HeaderSpec>,
    /// The kind of body.
    pub body: Option<BodySpec>,
    /// The body validates against this schema (of the run's profile).
    pub schema: Option<ByProfile<String>>,
    /// Assertions on the JSON body.
    #[serde(default)]
    pub json: Vec<JsonAssertion>,
    /// The body (redacted) equals the stored snapshot of this name.
    pub snapshot: Option<String>,
}

/// A value that may differ by profile: either one value, or a map from profile name to value
/// (`default` for the others).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ByProfile<T> {
    /// One value for every profile.
    Same(T),
    /// A value by profile name, `default` for the others.
    PerProfile(BTreeMap<String, T>),
}

impl<T> ByProfile<T> {
    /// The value for a profile: its own, else `default`.
    pub fn get(&self, profile: Profile) -> Option<&T> {
        match self {
            ByProfile::Same(value) => Some(value),
            ByProfile::PerProfile(map) => map.get(profile.name()).or_else(|| map.get("default")),
        }
    }
}

/// An expected status: exact (`200`), a set (`[200, 204]`), a status of the profile table
/// named (`write-success`, [`crate::profile::Rules`]) or a class (`"2xx"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StatusSpec {
    /// Exactly this code: `200`.
    Exact(u16),
    /// Any of these codes: `[200, 204]`.
    OneOf(Vec<u16>),
    /// The status the profile table gives a name: `write-success`.
    Named(StatusName),
    /// Any code of a class: `"2xx"`.
    Class(String),
}

/// A name of [`NAMED_STATUSES`]; any other text is not one (it may be a class).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusName(pub String);

impl<'de> Deserialize<'de> for StatusName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StatusName, D::Error> {
        let name = String::deserialize(deserializer)?;
        if NAMED_STATUSES.contains(&name.as_str()) {
            Ok(StatusName(name))
        } else {
            Err(serde::de::Error::custom(format!(
                "'{name}' is not a named status"
            )))
        }
    }
}

/// An expected header.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum HeaderSpec {
    /// `present`, `absent`, or the exact value.
    Word(String),
    /// A pattern, or a comparison with a captured value.
    Check(HeaderCheck),
}

/// A header checked by pattern or by comparison with a captured value.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderCheck {
    /// A regular expression the value must match.
    pub matches: Option<String>,
    /// The header must equal this captured variable.
    pub equals_var: Option<String>,
    /// The header must differ from this captured variable.
    pub differs_from_var: Option<String>,
}

/// What the body must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodySpec {
    /// No body bytes.
    Empty,
    /// A JSON document.
    Json,
    /// Empty, or an error document (`{"errors":[…]}`).
    EmptyOrErrors,
}

/// One assertion on the JSON body, at a JSON pointer or a JSONPath; exactly one predicate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonAssertion {
    /// A JSON pointer (`/data/id`); its one node is checked, or its absence.
    pub pointer: Option<String>,
    /// A JSONPath (`$.data[*].id`); its nodes are checked (all of them for `equals`, `type`,
    /// `matches`; their number for `count`).
    pub path: Option<String>,
    /// Equal to this JSON value (strings may hold `{{name}}`).
    pub equals: Option<Value>,
    /// `true`: the pointer or path selects something; `false`: nothing.
    pub exists: Option<bool>,
    /// `true` means the same as `exists: false`.
    pub absent: Option<bool>,
    /// `string`, `integer`, `number`, `boolean`, `array`, `object`, `null`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The number of nodes (a path) or the array length (a pointer).
    pub count: Option<usize>,
    /// A regular expression a string must match.
    pub matches: Option<String>,
    /// Differs from a captured variable.
    pub changed: Option<String>,
    /// Equals a captured variable.
    pub unchanged: Option<String>,
    /// Why: shown when the assertion fails.
    pub because: Option<String>,
}

/// Where a captured value comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Extract {
    /// A JSON pointer into the response body; the value keeps its JSON type.
    pub pointer: Option<String>,
    /// A response header (case-insensitive); the value is its text.
    pub header: Option<String>,
}

/// Polling of a step: retried until its expectations hold.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    /// Give up after this many seconds (of the target's clock: virtual time is advanced by
    /// `interval` between tries on a virtual clock).
    pub deadline: f64,
    /// Seconds between tries.
    #[serde(default = "default_interval")]
    pub interval: f64,
}

fn default_interval() -> f64 {
    0.1
}

/// Reads query options from a map or from a list of `[name, value]` pairs, in order.
fn query_pairs<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<(String, String)>, D::Error> {
    struct Pairs;

    impl<'de> Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map of query options or a list of [name, value] pairs")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = map.next_entry()? {
                pairs.push(pair);
            }
            Ok(pairs)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut pairs = Vec::new();
            while let Some(pair) = seq.next_element()? {
                pairs.push(pair);
            }
            Ok(pairs)
        }
    }

    deserializer.deserialize_any(Pairs)
}
