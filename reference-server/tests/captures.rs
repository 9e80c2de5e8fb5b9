//! Replays the 127 exchanges captured from a real MaxScale 24.02.4
//! (`fixtures/maxscale-24.02.4/captures.json`, indexed in
//! `../shared/captures/maxscale-24.02.4/README.md`) against the reference server, in capture
//! order, and compares status, the headers that matter and the body.
//!
//! - **Requests** are sent byte for byte (`TestServer::send_raw`) with only the `Host` value
//!   replaced by the test server's address (and, where [`DIFFERENCES`] says so, a validator).
//! - **Session states** are re-created through the control API: [`SETUP`] lists the client-side
//!   events (connect, `SELECT 1`, disconnect) and the passing of time that happened on the real
//!   server between two captures, keyed by the exchange they precede. The virtual clock moves
//!   [`STEP_MS`] before every exchange, as real time passed between the captured requests.
//! - **Compared**: status; `Content-Type`, `WWW-Authenticate`, `Accept` and the security headers
//!   by value, `ETag` by form (and by value where it is the SHA-1 of the empty body),
//!   `Last-Modified`, `Date` and `Content-Length` by presence, and no header the capture lacks;
//!   the body by JSON keys and types recursively, array lengths, and every value except the
//!   volatile ones. Links are compared after replacing `127.0.0.1:8989` by the test host.
//! - **Differences by design** are in the one table [`DIFFERENCES`]; anything else that differs
//!   is a finding. All findings are collected and reported together at the end, each naming the
//!   exchange, its file, its request line, and what was expected and what came back.

mod support;

use std::collections::HashMap;
use std::fmt::Display;

use serde::Deserialize;
use serde_json::{json, Value};
use support::{RawResponse, TestServer};

/// Where the captures live, relative to this crate.
const CAPTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/maxscale-24.02.4/captures.json"
);

/// The address the captures were made against; links carry it (spec §3.2).
const CAPTURE_HOST: &str = "127.0.0.1:8989";

/// The ETag of an empty body, SHA-1 of the empty string (spec §10.6, §10.8).
const EMPTY_ETAG: &str = "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"";

/// Virtual time between two captured requests. The capture tool sent its requests back to back:
/// exchanges 1–63 all carry the `Date` second 23:28:20, so they were at most ~16 ms apart.
const STEP_MS: u64 = 10;

// ----- the captures -----

/// One exchange of `captures.json` (the fields this test reads).
#[derive(Debug, Deserialize)]
struct Capture {
    n: u32,
    file: String,
    method: String,
    path: String,
    request_headers: Vec<(String, String)>,
    request_body: Option<String>,
    status: u16,
    response_headers: Vec<(String, String)>,
    response_body: String,
    note: Option<String>,
}

impl Capture {
    /// The first value of a response header, name case-insensitive.
    fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.response_headers, name)
    }

    /// `METHOD /path`, for messages.
    fn request_line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The first value of a header in a captured list, name case-insensitive.
fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// All exchanges of the fixture, in capture order.
fn load_captures() -> Vec<Capture> {
    let text = std::fs::read_to_string(CAPTURES).expect("captures.json is readable");
    serde_json::from_str(&text).expect("captures.json has the documented fields")
}

// ----- what happened between the captures -----

/// A client-side event or a passing of time on the real server between two captures.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// `Connect(first, count)`: `count` clients connect and log in; they get the next session
    /// ids, `first` on (one process-wide counter from 1, spec §3.5).
    Connect(u64, u64),
    /// The client of a session disconnects (COM_QUIT).
    Close(u64),
    /// The client of a session runs `SELECT 1`, which must succeed.
    Query(u64),
    /// Time passes, in milliseconds.
    Wait(u64),
    /// The clock moves on to this many milliseconds past a whole second: the phase of the
    /// workers' once-per-second tick, which decides when a ttl kills (spec §8.3).
    Phase(u64),
    /// `At(exchange, millis)`: the clock moves on to `millis` after `exchange` was sent.
    At(u32, u64),
    /// `NotePolls(session, exchange)`: the polls listed in the note of the exchange being
    /// prepared, timed from `exchange`: a `GET` of `session` at each listed time must answer the
    /// listed status; the last poll is the exchange itself.
    NotePolls(u64, u32),
}

use Step::{At, Close, Connect, NotePolls, Phase, Query, Wait};

/// The setup steps, keyed by the exchange they precede, inferred from the captured session lists
/// (1, 72, 73, 102–104, 110, 119, 120), the `idle` values, the `Date` headers and the notes.
#[rustfmt::skip]
const SETUP: &[(u32, &[Step])] = &[
    // Exchange 1 lists sessions 2–5, idle 1.2 s after each ran `SELECT 1` (README "Setup"). Id 1
    // went to an earlier client that had left before.
    (1, &[Connect(1, 5), Close(1), Query(2), Query(3), Query(4), Query(5), Wait(1200)]),
    // ttl=2 is armed 0.2 s into a tick second; the kill then comes 3.8 s later (DIFFERENCES).
    (62, &[Phase(200)]),
    // Note of 64: "Session was idle, ttl=2 given 3.5 s ago".
    (64, &[At(62, 3500)]),
    // Note of 65: "client query after ttl: succeeded"; the 404 follows the kill at 3.8 s.
    (65, &[Query(3), At(62, 3810)]),
    // 72 (23:28:25) lists session 2 only; 73 (23:29:12) lists 8, 7, 6, idle 1.1 s: client 2 has
    // left and three new clients each ran `SELECT 1`.
    (73, &[Wait(45_900), Close(2), Connect(6, 3), Query(6), Query(7), Query(8), Wait(1100)]),
    // 87 → 88: the backend connection id changes and `idle` drops to 0.0: the client ran a
    // query, which executed the restart scheduled by 86 (spec §7.2).
    (88, &[Query(6)]),
    // ttl=2 again, same phase: 98's poll log saw the session alive at 3.56 s, gone at 3.82 s.
    (97, &[Phase(200)]),
    // Note of 98: GET /v1/sessions/7 every 0.25 s after the DELETE of 97.
    (98, &[NotePolls(7, 97)]),
    // 102 lists nothing: client 6 (last addressed in 95) has left. The captures only bound its
    // disconnect to 95–102; the replay puts it as late as possible.
    (102, &[Close(6)]),
    // 109 (23:29:17) → 110 (23:29:36): sessions 10 and 9 connected, idle 1.1 s after `SELECT 1`.
    (110, &[Wait(17_900), Connect(9, 2), Query(9), Query(10), Wait(1100)]),
    // 119 lists 10 and 9, 120 nothing: both clients disconnected in between.
    (120, &[Close(9), Close(10)]),
    // 120 (23:29:36) → 121 (23:30:25): session 11 connected; idle 1.1 s in 122.
    (121, &[Wait(47_900), Connect(11, 1), Query(11), Wait(1100)]),
];

/// The setup steps that precede exchange `n`.
fn setup_for(n: u32) -> &'static [Step] {
    SETUP
        .iter()
        .find(|(at, _)| *at == n)
        .map_or(&[], |(_, steps)| steps)
}

// ----- differences by design -----

/// What is compared differently where a row of [`DIFFERENCES`] applies.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Handling {
    /// Compared in full: [`SETUP`] re-creates the capture's real-time waits on the virtual clock.
    VirtualTime,
    /// The values under these keys (whole subtrees) are compared by JSON type only.
    TypeOnly(&'static [&'static str]),
    /// The rows of `data` are matched by `id`, not by position.
    RowsById,
    /// The rows of a partial page are compared by shape only: which rows a page holds depends on
    /// the list order.
    PageRowsShapeOnly,
    /// The rows of `data` are not compared (their number and ids depend on worker placement).
    NoRows,
    /// Request validators (`If-None-Match`, `If-Modified-Since`, …) that echo a captured `ETag`
    /// or `Last-Modified` are replaced by the value the reference server sent for that exchange.
    TranslatedValidators,
    /// `ETag` and `Last-Modified` are not compared.
    NoValidators,
    /// Neither the body nor its `Content-Type` is compared.
    NoBody,
    /// String values are compared up to this prefix only.
    Prefix(&'static str),
    /// `Content-Length` is not compared.
    NoContentLength,
}

/// A row of the difference table: where, what, why, and the spec or doc-vs-code row.
struct Difference {
    /// The exchanges it applies to; empty means every exchange.
    exchanges: &'static [u32],
    handling: Handling,
    reason: &'static str,
    source: &'static str,
}

/// Everything that cannot match by design. Anything else that differs is a finding.
const DIFFERENCES: &[Difference] = &[
    Difference {
        exchanges: &[],
        handling: Handling::TypeOnly(&["idle", "seconds_alive", "io_activity", "connected"]),
        reason: "real elapsed time versus the virtual clock; `io_activity` is aged by every read \
                 in 24.02 and a true 30 s window here",
        source: "spec §5.2; doc-vs-code A27 (neither)",
    },
    Difference {
        exchanges: &[],
        handling: Handling::TypeOnly(&["port", "_pid", "memory"]),
        reason: "the client's ephemeral port and process id, and buffer sizes of MaxScale's \
                 allocator, are environment values the simulator draws or models",
        source: "spec §5.2, §5.4, §5.5",
    },
    Difference {
        exchanges: &[],
        handling: Handling::TypeOnly(&["thread", "connection_id"]),
        reason: "worker placement and backend thread ids are the environment's; connection ids \
                 are instead checked to map one to one between capture and replay (a restart \
                 gives a new one, 85–88)",
        source: "spec §3.5, §5.2, §7.2",
    },
    Difference {
        exchanges: &[],
        handling: Handling::RowsById,
        reason: "the list order follows worker placement, newest first inside a worker; \
                 clients must not rely on it",
        source: "spec §3.5; README observation 18",
    },
    Difference {
        exchanges: &[14, 15, 76, 78],
        handling: Handling::PageRowsShapeOnly,
        reason: "a page of one row out of several shows whichever row the list order puts \
                 there; count, `meta.total` and the page links are still compared",
        source: "spec §3.5, §10.7",
    },
    Difference {
        exchanges: &[75],
        handling: Handling::NoRows,
        reason: "`filter=/attributes/thread=0` selects by worker placement: MaxScale had put \
                 6, 7 and 8 on worker 1, the simulator spreads them over both workers",
        source: "spec §3.5, §10.14",
    },
    Difference {
        exchanges: &[62, 63, 64, 65, 97, 98],
        handling: Handling::VirtualTime,
        reason: "ttl on a 1 s worker tick: kill once floor(elapsed 100 ms ticks / 10) > N, i.e. \
                 N+1 to N+2 s after the DELETE. 64 (alive 3.5 s after ttl=2) is inside that \
                 window, so the rule reproduces it, no documented difference: with the DELETE \
                 0.2 s into a tick second the kill comes at the tick 3.8 s later, which also \
                 matches 98's poll log (alive at 3.56 s, gone at 3.82 s)",
        source: "spec §8.3; doc-vs-code A14 (code)",
    },
    Difference {
        exchanges: &[7, 105, 107],
        handling: Handling::TranslatedValidators,
        reason: "the captured validators hash documents linking to 127.0.0.1:8989 in \
                 MaxScale's key order and date MaxScale's clock; the replay sends the \
                 reference server's own validator of the echoed exchange (6, 104)",
        source: "spec §10.8 (conformance advice), §10.9",
    },
    Difference {
        exchanges: &[7],
        handling: Handling::NoValidators,
        reason: "a conditional GET that does not give 304 is answered normally, with ETag and \
                 Last-Modified; 24.02 drops them (and fields/filter/page processing)",
        source: "spec §10.9, §13.4; doc-vs-code B14 (doc)",
    },
    Difference {
        exchanges: &[49, 83],
        handling: Handling::NoBody,
        reason: "24.02 leaks `restart is not a session`, left in its error buffer by an earlier \
                 request, into this OPTIONS body; the reference server sends no leaked body",
        source: "spec §10.14, §13.7; doc-vs-code B31 (neither)",
    },
    Difference {
        exchanges: &[22],
        handling: Handling::Prefix("Invalid JSON in request: "),
        reason: "the text after the prefix is the JSON parser's own message (jansson's in 24.02, \
                 serde_json's here); 24.02 also inserts it unescaped, which can break the JSON \
                 of the error body, and the reference server escapes it",
        source: "spec §10.16",
    },
    Difference {
        exchanges: &[105, 107, 108],
        handling: Handling::NoContentLength,
        reason: "hyper sends no Content-Length on a 304, as RFC 9110 §8.6 lets it (on a 304 the \
                 header would describe the selected representation); MaxScale sends `0`",
        source: "spec §10.11",
    },
];

/// The handlings that apply to exchange `n`.
fn handlings(n: u32) -> Vec<Handling> {
    DIFFERENCES
        .iter()
        .filter(|d| d.exchanges.is_empty() || d.exchanges.contains(&n))
        .map(|d| d.handling)
        .collect()
}

// ----- the replay -----

/// The reference server, the virtual time, and what the replay learnt so far.
struct Replay {
    server: TestServer,
    host: String,
    /// Virtual time in milliseconds.
    now_ms: u64,
    /// When each exchange was sent.
    sent_at: HashMap<u32, u64>,
    /// Captured `ETag` / `Last-Modified` values and what the reference server sent instead.
    validators: HashMap<String, String>,
    /// Captured backend connection ids and the reference server's for the same connection.
    connections: HashMap<u64, u64>,
    findings: Vec<String>,
}

impl Replay {
    /// A fresh reference server with no sessions, the virtual clock at zero.
    async fn start() -> Replay {
        let server = TestServer::start().await;
        let host = server.host();
        Replay {
            server,
            host,
            now_ms: 0,
            sent_at: HashMap::new(),
            validators: HashMap::new(),
            connections: HashMap::new(),
            findings: Vec::new(),
        }
    }

    /// Re-creates what happened before exchange `c`, sends it and compares the answer.
    async fn exchange(&mut self, c: &Capture) {
        self.wait(STEP_MS).await;
        for step in setup_for(c.n) {
            self.run(step, c).await;
        }
        let handlings = handlings(c.n);
        let request = self.request_text(c, &handlings);
        self.sent_at.insert(c.n, self.now_ms);
        let response = self.server.send_raw(request.as_bytes()).await;
        let mut check = Check::new(c, &response, &handlings, &self.host);
        check.status();
        check.headers();
        check.body(&mut self.connections);
        self.findings.append(&mut check.findings);
        self.learn_validators(c, &response);
    }

    /// Runs one setup step before exchange `c`.
    async fn run(&mut self, step: &Step, c: &Capture) {
        match *step {
            Connect(first, count) => self.connect(c, first, count).await,
            Close(id) => {
                let path = format!("/_sim/sessions/{id}");
                self.client_event(c, "DELETE", &path).await;
            }
            Query(id) => {
                let path = format!("/_sim/sessions/{id}/query");
                self.client_event(c, "POST", &path).await;
            }
            Wait(ms) => self.wait(ms).await,
            Phase(ms) => self.wait((1000 + ms - self.now_ms % 1000) % 1000).await,
            At(after, millis) => self.wait_until(self.sent_at[&after] + millis).await,
            NotePolls(session, after) => self.note_polls(c, session, after).await,
        }
    }

    /// `count` clients connect; they must get the session ids the captures show.
    async fn connect(&mut self, c: &Capture, first: u64, count: u64) {
        let body = json!({ "count": count }).to_string();
        let reply = self
            .server
            .request("POST", "/_sim/sessions", &[], Some(&body))
            .await;
        let ids: Vec<u64> = serde_json::from_str::<Value>(&reply.body)
            .ok()
            .and_then(|v| serde_json::from_value(v["ids"].clone()).ok())
            .unwrap_or_default();
        let expected: Vec<u64> = (first..first + count).collect();
        if ids != expected {
            let what = "setup: ids of the connecting clients";
            self.findings.push(finding(
                c,
                what,
                format!("{expected:?}"),
                format!("{ids:?}"),
            ));
        }
    }

    /// A client-side event through the control API; it must succeed (a session that is already
    /// gone cannot run a query or disconnect).
    async fn client_event(&mut self, c: &Capture, method: &str, path: &str) {
        let reply = self.server.request(method, path, &[], Some("{}")).await;
        if reply.status >= 300 {
            let what = format!("setup: {method} {path}");
            let actual = format!("{} {}", reply.status, compact(&reply.body));
            self.findings.push(finding(c, &what, "success", actual));
        }
    }

    /// Advances the virtual clock, running the ticks that fall in between (spec §8.3).
    async fn wait(&mut self, ms: u64) {
        if ms > 0 {
            let body = json!({ "millis": ms });
            let info = self
                .server
                .control("POST", "/_sim/clock/advance", body)
                .await;
            self.now_ms = info["monotonic_ms"].as_u64().expect("the clock's time");
        }
    }

    /// Advances the virtual clock to a time; the setup never goes back in time.
    async fn wait_until(&mut self, at_ms: u64) {
        assert!(at_ms >= self.now_ms, "SETUP moves the clock backwards");
        self.wait(at_ms - self.now_ms).await;
    }

    /// The polls of the note, all but the last (which is the exchange itself), then the clock at
    /// the last one.
    async fn note_polls(&mut self, c: &Capture, session: u64, after: u32) {
        let polls = parse_polls(c.note.as_deref().unwrap_or(""));
        let (last, earlier) = polls.split_last().expect("the note lists polls");
        let start = self.sent_at[&after];
        for &(at, status) in earlier {
            self.wait_until(start + at).await;
            let got = self.server.get(&format!("/v1/sessions/{session}")).await;
            if got.status != status {
                self.findings.push(finding(
                    c,
                    &format!("poll of the note at {at} ms: status"),
                    status,
                    got.status,
                ));
            }
        }
        assert_eq!(last.1, c.status, "the note's last poll is the exchange");
        self.wait_until(start + last.0).await;
    }

    /// The captured request with the test server as `Host`, everything else byte for byte
    /// (except the validators [`Handling::TranslatedValidators`] replaces).
    fn request_text(&mut self, c: &Capture, handlings: &[Handling]) -> String {
        let translate = handlings.contains(&Handling::TranslatedValidators);
        let mut translated = false;
        let mut text = format!("{} {} HTTP/1.1\r\n", c.method, c.path);
        for (name, value) in &c.request_headers {
            let value = if name.eq_ignore_ascii_case("host") {
                self.host.clone()
            } else if translate && is_validator_header(name) {
                let replayed = self.validators.get(value).cloned();
                translated |= replayed.is_some();
                replayed.unwrap_or_else(|| value.clone())
            } else {
                value.clone()
            };
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        text.push_str(c.request_body.as_deref().unwrap_or(""));
        if translate && !translated {
            let what = "a validator echoing an earlier response (DIFFERENCES)";
            self.findings
                .push(finding(c, what, "translated", "none found"));
        }
        text
    }

    /// Remembers which validator the reference server sent where the capture had one.
    fn learn_validators(&mut self, c: &Capture, response: &RawResponse) {
        for name in ["etag", "last-modified"] {
            if let (Some(captured), Some(replayed)) = (c.header(name), response.header(name)) {
                self.validators
                    .insert(captured.to_string(), replayed.to_string());
            }
        }
    }

    /// Panics with every finding, if there are any.
    fn finish(self) {
        assert!(
            self.findings.is_empty(),
            "{} finding(s) in the replay of the captures:\n\n{}",
            self.findings.len(),
            self.findings.join("\n")
        );
    }
}

/// The request headers that carry a validator (spec §10.9).
fn is_validator_header(name: &str) -> bool {
    [
        "if-none-match",
        "if-match",
        "if-modified-since",
        "if-unmodified-since",
    ]
    .iter()
    .any(|v| name.eq_ignore_ascii_case(v))
}

/// `[(0.04, 200), (0.29, 200), …]` at the end of a note → `(milliseconds, status)` pairs.
fn parse_polls(note: &str) -> Vec<(u64, u16)> {
    let list = note
        .rsplit_once('[')
        .and_then(|(_, rest)| rest.split_once(']'))
        .map_or("", |(list, _)| list);
    list.split("),")
        .map(|pair| {
            let pair = pair.trim().trim_start_matches('(').trim_end_matches(')');
            let (secs, status) = pair.split_once(',').expect("a (seconds, status) pair");
            let secs: f64 = secs.trim().parse().expect("seconds");
            let status = status.trim().parse().expect("a status");
            ((secs * 1000.0).round() as u64, status)
        })
        .collect()
}

/// One finding: exchange, file, request line, what, expected and actual.
fn finding(c: &Capture, what: &str, expected: impl Display, actual: impl Display) -> String {
    format!(
        "#{} {} `{}`: {what}: expected {expected}, got {actual}",
        c.n,
        c.file,
        c.request_line()
    )
}

// ----- the comparison of one exchange -----

/// Headers compared by value, present exactly where the capture has them (spec §10.1, §10.6,
/// §10.11).
const VALUE_HEADERS: &[&str] = &[
    "content-type",
    "www-authenticate",
    "accept",
    "x-frame-options",
    "x-xss-protection",
    "referrer-policy",
    "cache-control",
];

/// Headers compared by presence only: `Date` (two- or four-digit year, doc-vs-code B9, B32),
/// `Content-Length` (always sent, spec §10.11).
const PRESENCE_HEADERS: &[&str] = &["date", "content-length"];

/// The comparison of one replayed answer with its capture.
struct Check<'a> {
    capture: &'a Capture,
    response: &'a RawResponse,
    handlings: &'a [Handling],
    host: &'a str,
    findings: Vec<String>,
}

impl<'a> Check<'a> {
    /// A comparison with no findings yet.
    fn new(
        capture: &'a Capture,
        response: &'a RawResponse,
        handlings: &'a [Handling],
        host: &'a str,
    ) -> Check<'a> {
        Check {
            capture,
            response,
            handlings,
            host,
            findings: Vec::new(),
        }
    }

    /// Whether a row of [`DIFFERENCES`] with this handling applies.
    fn has(&self, handling: Handling) -> bool {
        self.handlings.contains(&handling)
    }

    /// Records a finding about this exchange.
    fn report(&mut self, what: &str, expected: impl Display, actual: impl Display) {
        let text = finding(self.capture, what, expected, actual);
        self.findings.push(text);
    }

    /// The status line's code.
    fn status(&mut self) {
        if self.response.status != self.capture.status {
            let body = compact(&self.response.body);
            let actual = format!("{} (body {body})", self.response.status);
            self.report("status", self.capture.status, actual);
        }
    }

    /// The headers that matter, names case-insensitive (`RawResponse` lower-cases them).
    fn headers(&mut self) {
        for name in VALUE_HEADERS {
            if *name == "content-type" && self.has(Handling::NoBody) {
                continue;
            }
            let expected = self.capture.header(name).map(str::to_string);
            let actual = self.response.header(name).map(str::to_string);
            if expected != actual {
                self.report(&format!("header {name}"), show(&expected), show(&actual));
            }
        }
        for name in PRESENCE_HEADERS {
            if *name == "content-length" && self.has(Handling::NoContentLength) {
                continue;
            }
            self.presence(name);
        }
        if !self.has(Handling::NoValidators) {
            self.etag();
            self.presence("last-modified");
        }
        self.no_extra_headers();
    }

    /// Present exactly where the capture has it.
    fn presence(&mut self, name: &str) {
        let expected = self.capture.header(name).is_some();
        let actual = self.response.header(name).is_some();
        if expected != actual {
            self.report(&format!("header {name} present"), expected, actual);
        }
    }

    /// spec §10.8: `"` + 40 lower-case hex digits + `"`; the empty body's hash where the capture
    /// has it (HEAD, body-less 404s), another one where it has another.
    fn etag(&mut self) {
        let expected = self.capture.header("etag");
        let actual = self.response.header("etag").map(str::to_string);
        let Some(expected) = expected else {
            if let Some(actual) = actual {
                self.report("header etag", "none", actual);
            }
            return;
        };
        let ok = actual
            .as_deref()
            .is_some_and(|a| is_etag_form(a) && (a == EMPTY_ETAG) == (expected == EMPTY_ETAG));
        if !ok {
            let wanted = if expected == EMPTY_ETAG {
                EMPTY_ETAG.to_string()
            } else {
                "\"<40 hex>\" of a non-empty body".to_string()
            };
            self.report("header etag", wanted, show(&actual));
        }
    }

    /// spec §10.11: never `Allow`, `Accept-Patch`, `Location`, …: every header the reference
    /// server sends beyond the compared ones has a namesake in the capture.
    fn no_extra_headers(&mut self) {
        let compared = [VALUE_HEADERS, PRESENCE_HEADERS, &["etag", "last-modified"]];
        for (name, value) in &self.response.headers {
            let known = compared.iter().any(|list| list.contains(&name.as_str()));
            if !known && self.capture.header(name).is_none() {
                self.report(&format!("header {name}"), "none", value);
            }
        }
    }

    /// Empty where the capture's body is empty, else the same JSON document up to volatile
    /// values (see [`Walk`]).
    fn body(&mut self, connections: &mut HashMap<u64, u64>) {
        if self.has(Handling::NoBody) {
            return;
        }
        let expected_text = &self.capture.response_body;
        let actual_text = &self.response.body;
        if expected_text.is_empty() || actual_text.is_empty() {
            if expected_text.is_empty() != actual_text.is_empty() {
                self.report("body", compact(expected_text), compact(actual_text));
            }
            return;
        }
        let expected: Value =
            serde_json::from_str(expected_text).expect("captured bodies are JSON");
        let Ok(actual) = serde_json::from_str::<Value>(actual_text) else {
            self.report("body", "JSON", compact(actual_text));
            return;
        };
        let mut walk = Walk {
            check: self,
            connections,
            shape_only: false,
        };
        walk.value(&mut Vec::new(), &expected, &actual);
    }
}

/// A body for messages: compact JSON (or the text), cut after 160 characters; `""` when empty.
fn compact(body: &str) -> String {
    let text =
        serde_json::from_str::<Value>(body).map_or_else(|_| format!("{body:?}"), |v| v.to_string());
    match text.char_indices().nth(160) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A header value for messages: the value, or `none`.
fn show(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "none".to_string())
}

/// `"` + 40 lower-case hex digits + `"` (spec §10.8).
fn is_etag_form(value: &str) -> bool {
    let hex = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or("");
    hex.len() == 40
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The recursive comparison of a captured body with the replayed one.
struct Walk<'c, 'a> {
    check: &'c mut Check<'a>,
    connections: &'c mut HashMap<u64, u64>,
    /// Compare keys and types only (rows of a partial page).
    shape_only: bool,
}

impl Walk<'_, '_> {
    /// Records a finding at a JSON path of the body.
    fn report(
        &mut self,
        path: &[String],
        what: &str,
        expected: impl Display,
        actual: impl Display,
    ) {
        let at = format!("/{}", path.join("/"));
        self.check
            .report(&format!("{what} at {at}"), expected, actual);
    }

    /// Same JSON type, then the same keys, elements or value.
    fn value(&mut self, path: &mut Vec<String>, expected: &Value, actual: &Value) {
        if json_type(expected) != json_type(actual) {
            self.report(path, "JSON type", json_type(expected), json_type(actual));
            return;
        }
        match (expected, actual) {
            (Value::Object(e), Value::Object(a)) => self.object(path, e, a),
            (Value::Array(e), Value::Array(a)) => self.array(path, e, a),
            _ => self.leaf(path, expected, actual),
        }
    }

    /// The same keys, each compared recursively.
    fn object(
        &mut self,
        path: &mut Vec<String>,
        expected: &serde_json::Map<String, Value>,
        actual: &serde_json::Map<String, Value>,
    ) {
        let keys = |m: &serde_json::Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        if keys(expected) != keys(actual) {
            let (e, a) = (keys(expected).join(","), keys(actual).join(","));
            self.report(path, "keys", format!("[{e}]"), format!("[{a}]"));
        }
        for (key, e) in expected {
            if let Some(a) = actual.get(key) {
                path.push(key.clone());
                self.value(path, e, a);
                path.pop();
            }
        }
    }

    /// The same length (all arrays of these documents are deterministic in length), then the
    /// elements pairwise; the rows of `data` as [`DIFFERENCES`] says.
    fn array(&mut self, path: &mut Vec<String>, expected: &[Value], actual: &[Value]) {
        let rows = path.len() == 1 && path[0] == "data";
        if rows && self.check.has(Handling::NoRows) {
            return;
        }
        if expected.len() != actual.len() {
            let described = describe_rows(actual);
            let actual = format!("{} {described}", actual.len());
            self.report(path, "array length", expected.len(), actual);
            return;
        }
        let (expected, actual) = if rows && self.check.has(Handling::RowsById) {
            (by_id(expected), by_id(actual))
        } else {
            (expected.iter().collect(), actual.iter().collect())
        };
        let shape_only = self.shape_only;
        self.shape_only |= rows && self.check.has(Handling::PageRowsShapeOnly);
        for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
            path.push(i.to_string());
            self.value(path, e, a);
            path.pop();
        }
        self.shape_only = shape_only;
    }

    /// A scalar: equal, after the capture's host is replaced in links, unless volatile.
    fn leaf(&mut self, path: &[String], expected: &Value, actual: &Value) {
        if self.shape_only || self.type_only(path) {
            self.connection_id(path, expected, actual);
            return;
        }
        let expected = match expected {
            Value::String(s) => Value::String(s.replace(CAPTURE_HOST, self.check.host)),
            other => other.clone(),
        };
        if let (Some(prefix), Some(e), Some(a)) =
            (self.prefix(), expected.as_str(), actual.as_str())
        {
            if !(e.starts_with(prefix) && a.starts_with(prefix)) {
                self.report(path, &format!("prefix {prefix:?}"), e, a);
            }
            return;
        }
        if expected != *actual {
            self.report(path, "value", &expected, actual);
        }
    }

    /// The prefix a [`Handling::Prefix`] row limits string comparison to.
    fn prefix(&self) -> Option<&'static str> {
        self.check.handlings.iter().find_map(|h| match h {
            Handling::Prefix(prefix) => Some(*prefix),
            _ => None,
        })
    }

    /// Whether a [`Handling::TypeOnly`] row names a key on the path.
    fn type_only(&self, path: &[String]) -> bool {
        self.check.handlings.iter().any(|h| match h {
            Handling::TypeOnly(keys) => path.iter().any(|p| keys.contains(&p.as_str())),
            _ => false,
        })
    }

    /// spec §7.2: a backend connection keeps its id and a new one gets a new id, so captured and
    /// replayed connection ids must map one to one over the whole replay.
    fn connection_id(&mut self, path: &[String], expected: &Value, actual: &Value) {
        if self.shape_only || path.last().map(String::as_str) != Some("connection_id") {
            return;
        }
        let (Some(e), Some(a)) = (expected.as_u64(), actual.as_u64()) else {
            return;
        };
        let known = self.connections.get(&e).copied();
        let owner = self
            .connections
            .iter()
            .find(|(_, v)| **v == a)
            .map(|(k, _)| *k);
        match (known, owner) {
            (None, None) => {
                self.connections.insert(e, a);
            }
            (Some(k), _) if k == a => {}
            (Some(k), _) => {
                let what = format!("connection id of captured connection {e}");
                self.report(path, &what, format!("{k}, as before"), a);
            }
            (None, Some(other)) => {
                let what = format!("connection id of new captured connection {e}");
                let actual = format!("{a}, the id of captured connection {other}");
                self.report(path, &what, "a new id", actual);
            }
        }
    }
}

/// The rows sorted by their numeric `id`.
fn by_id(rows: &[Value]) -> Vec<&Value> {
    let mut sorted: Vec<&Value> = rows.iter().collect();
    sorted.sort_by_key(|row| row["id"].as_str().and_then(|id| id.parse::<u64>().ok()));
    sorted
}

/// `[id state, …]` of session rows, for messages about row counts.
fn describe_rows(rows: &[Value]) -> String {
    let rows: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            let id = row.get("id")?.as_str()?;
            let state = row["attributes"]["state"].as_str().unwrap_or("");
            Some(format!("{id} {state}").trim().to_string())
        })
        .collect();
    format!("[{}]", rows.join(", "))
}

/// JSON type names as MaxScale's messages use them (jansson's): integer and real apart.
fn json_type(v: &Value) -> &'static str {
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

// ----- the tests -----

/// Every capture in order, against one reference server.
#[tokio::test]
async fn replays_the_captured_exchanges() {
    let captures = load_captures();
    let mut replay = Replay::start().await;
    for capture in &captures {
        replay.exchange(capture).await;
    }
    replay.finish();
}

/// The fixture holds the 127 exchanges, numbered in order, and the tables name only those.
#[test]
fn the_tables_name_captured_exchanges() {
    let captures = load_captures();
    let numbers: Vec<u32> = captures.iter().map(|c| c.n).collect();
    assert_eq!(numbers, (1..=127).collect::<Vec<u32>>());
    let keys: Vec<u32> = SETUP.iter().map(|(n, _)| *n).collect();
    assert!(
        keys.windows(2).all(|w| w[0] < w[1]),
        "SETUP is in capture order"
    );
    for difference in DIFFERENCES {
        assert!(difference.exchanges.iter().all(|n| numbers.contains(n)));
        assert!(!difference.reason.is_empty() && !difference.source.is_empty());
    }
}

/// The poll log of exchange 98 parses into the times and statuses the setup replays.
#[test]
fn the_poll_note_parses() {
    let polls = parse_polls("after DELETE ?ttl=2 (idle): [(0.04, 200), (3.56, 200), (3.82, 404)]");
    assert_eq!(polls, vec![(40, 200), (3560, 200), (3820, 404)]);
}
