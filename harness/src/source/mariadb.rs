//! Real MariaDB client connections as a session source (`--mysql URL`): each session is one
//! client connected to a MaxScale listener, and its id is the connection id of the server's
//! greeting, which MaxScale makes the id of `/v1/sessions/:id` (captures/maxscale-24.02.4,
//! client-protocol.md).
//!
//! Each connection lives in its own task, which owns the `Conn` and is driven through a
//! channel, so a statement can keep running (`busy`) while the harness does other things. A
//! connection the server closed (a kill) answers the next action with `Done::gone`. Clients
//! left in their handshake (`authenticated: false`) are raw sockets that read the greeting and
//! never answer it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::task::JoinHandle;

use super::control::ControlApi;
use super::{wait_for, Action, Clock, Done, Open, SourceError};
use crate::target::quote;

/// The statement of `busy` when a step gives none. Ten seconds outlast the checks a step makes
/// on a busy session; an `idle` waits for it to end, so it is not longer.
pub const DEFAULT_BUSY: &str = "SELECT SLEEP(10)";

/// The statement of `query` when a step gives none.
pub const DEFAULT_QUERY: &str = "SELECT 1";

/// How many connections an `open` makes at a time.
const CONCURRENCY: usize = 64;

/// The longest a client action (connect, query, idle, close) may take.
const DEADLINE: Duration = Duration::from_secs(30);

/// The longest `idle` waits on a virtual clock. There a statement like `SELECT SLEEP(N)` ends
/// only when time is advanced past it, never by waiting, so a long wait would only stall.
const VIRTUAL_IDLE_DEADLINE: Duration = Duration::from_secs(2);

/// How long `busy` gives its statement to reach the server before it returns.
const SETTLE: Duration = Duration::from_millis(50);

/// A MariaDB server to connect to: `mysql://USER:PASS@HOST:PORT/DB`. Its `Display` and `Debug`
/// never show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct MysqlUrl {
    /// The host name or address.
    pub host: String,
    /// The TCP port (3306 when the URL gives none).
    pub port: u16,
    /// The client user.
    pub user: String,
    password: String,
    /// The default database, if any.
    pub database: Option<String>,
}

impl MysqlUrl {
    /// Reads `mysql://USER:PASS@HOST:PORT/DB` (`:PASS`, `:PORT` and `/DB` optional; user and
    /// password percent-decoded). An error never repeats the password.
    pub fn parse(text: &str) -> Result<MysqlUrl, String> {
        let bad = |why: &str| format!("--mysql takes mysql://USER:PASS@HOST:PORT/DB: {why}");
        let rest = text
            .strip_prefix("mysql://")
            .ok_or_else(|| bad("it does not start with mysql://"))?;
        let (userinfo, rest) = rest
            .rsplit_once('@')
            .ok_or_else(|| bad("there is no USER@"))?;
        let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        let user = decode(user).ok_or_else(|| bad("the user is not valid UTF-8"))?;
        let password = decode(password).ok_or_else(|| bad("the password is not valid UTF-8"))?;
        if user.is_empty() {
            return Err(bad("the user is empty"));
        }
        let (hostport, database) = match rest.split_once('/') {
            Some((hostport, database)) => (hostport, database),
            None => (rest, ""),
        };
        if database.contains(['?', '#', '/']) {
            return Err(bad("the database is one name, without options"));
        }
        let (host, port) = match hostport.strip_prefix('[') {
            Some(v6) => {
                let (host, port) = v6
                    .split_once(']')
                    .ok_or_else(|| bad("an IPv6 address lacks its ']'"))?;
                (host, port.strip_prefix(':'))
            }
            None => match hostport.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (hostport, None),
            },
        };
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        let port = match port {
            None => 3306,
            Some(port) => port
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| bad(&format!("'{port}' is not a port")))?,
        };
        Ok(MysqlUrl {
            host: host.into(),
            port,
            user,
            password,
            database: (!database.is_empty()).then(|| decode(database)).flatten(),
        })
    }

    /// The `mysql` command line of a client of this server running `sql` (none: an interactive
    /// client); `-p` asks for the password instead of showing it.
    pub fn command_line(&self, sql: Option<&str>) -> String {
        let mut words = vec![
            "mysql".to_string(),
            "-h".into(),
            quote(&self.host),
            "-P".into(),
            self.port.to_string(),
            "-u".into(),
            quote(&self.user),
        ];
        if !self.password.is_empty() {
            words.push("-p".into());
        }
        if let Some(database) = &self.database {
            words.push(quote(database));
        }
        if let Some(sql) = sql {
            words.push("-e".into());
            words.push(quote(sql));
        }
        words.join(" ")
    }

    /// The connection options: no Unix socket and no settings read after the handshake, so the
    /// only statements a session sees are the harness's; autocommit on, as the capture's clients.
    fn opts(&self) -> OptsBuilder {
        OptsBuilder::default()
            .ip_or_hostname(self.host.clone())
            .tcp_port(self.port)
            .user(Some(self.user.clone()))
            .pass(Some(self.password.clone()))
            .db_name(self.database.clone())
            .prefer_socket(false)
            .max_allowed_packet(Some(16 << 20))
            .wait_timeout(Some(28_800))
            .init(vec!["SET autocommit=1"])
    }
}

/// Percent-decoding, as in any URL's user, password and path.
fn decode(text: &str) -> Option<String> {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

impl std::str::FromStr for MysqlUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<MysqlUrl, String> {
        MysqlUrl::parse(text)
    }
}

impl std::fmt::Display for MysqlUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "mysql://{}", self.user)?;
        if !self.password.is_empty() {
            write!(f, ":***")?;
        }
        if self.host.contains(':') {
            write!(f, "@[{}]:{}", self.host, self.port)?;
        } else {
            write!(f, "@{}:{}", self.host, self.port)?;
        }
        if let Some(database) = &self.database {
            write!(f, "/{database}")?;
        }
        Ok(())
    }
}

impl std::fmt::Debug for MysqlUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MysqlUrl({self})")
    }
}

/// The connection id of a protocol-10 greeting's payload (the packet without its 4-byte
/// header): the 4 little-endian bytes after the NUL-terminated server version. An error packet
/// (0xff) is the server refusing the client.
pub(crate) fn greeting_id(payload: &[u8]) -> Result<u32, String> {
    match payload.first() {
        Some(10) => {}
        Some(0xff) => {
            let code = payload
                .get(1..3)
                .map_or(0, |c| u16::from_le_bytes([c[0], c[1]]));
            let mut message = payload.get(3..).unwrap_or_default();
            if message.first() == Some(&b'#') {
                message = message.get(6..).unwrap_or_default();
            }
            return Err(format!(
                "error {code} instead of a greeting: {}",
                String::from_utf8_lossy(message)
            ));
        }
        Some(other) => return Err(format!("a greeting of protocol {other}, not 10")),
        None => return Err("an empty greeting".into()),
    }
    let rest = &payload[1..];
    let end = rest
        .iter()
        .position(|b| *b == 0)
        .ok_or("a greeting whose server version does not end")?;
    let id = rest
        .get(end + 1..end + 5)
        .ok_or("a greeting that ends before the connection id")?;
    Ok(u32::from_le_bytes([id[0], id[1], id[2], id[3]]))
}

/// What a client's task answers.
#[derive(Debug)]
enum Outcome {
    Done,
    /// The server closed the connection (a kill) or it was closed before.
    Gone,
    Failed(String),
}

type Reply = oneshot::Sender<Outcome>;

/// What a client's task is told to do.
enum Command {
    Query(String, Reply),
    Busy(String, Reply),
    Idle(Reply),
    Close(Reply),
}

/// One open client.
enum Client {
    /// An authenticated connection, driven through its task.
    Conn(mpsc::Sender<Command>),
    /// A socket that read the greeting and holds the session in its handshake.
    Handshake(TcpStream),
}

/// Real MariaDB clients of one server, and the control API when the target also has one (its
/// virtual clock then moves time).
#[derive(Debug, Clone)]
pub struct MariaDb {
    url: MysqlUrl,
    control: Option<ControlApi>,
    /// The open clients by session id. A `std` mutex: it is never held across an `await`.
    clients: Arc<Mutex<HashMap<String, Client>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Client::Conn(_) => "Conn",
            Client::Handshake(_) => "Handshake",
        })
    }
}

impl MariaDb {
    /// Clients of `url`; `control` is the target's control API, if it has one.
    pub fn new(url: MysqlUrl, control: Option<ControlApi>) -> MariaDb {
        MariaDb {
            url,
            control,
            clients: Arc::default(),
        }
    }

    /// The server the clients connect to.
    pub fn url(&self) -> &MysqlUrl {
        &self.url
    }

    /// The target's control API, when it has one.
    pub fn control(&self) -> Option<&ControlApi> {
        self.control.as_ref()
    }

    /// How time moves: the control API's clock when there is one, else the wall's.
    pub fn clock(&self) -> Clock {
        self.control.as_ref().map_or(Clock::Real, ControlApi::clock)
    }

    /// Whether the clients connect from `remote`: the URL's host when it is a loopback
    /// address, since a client of a loopback listener connects from that same address.
    fn is_own(&self, remote: &str) -> bool {
        remote == self.url.host
            && self
                .url
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// Why real clients cannot do an action of this kind, if they cannot (pure: ids are not
    /// looked at). They connect only as the URL gives, and on a virtual clock they cannot end a
    /// running statement (`SELECT SLEEP(N)` ends only when time is advanced past it).
    pub fn refuses(&self, action: &Action) -> Option<String> {
        match action {
            Action::Open(open) => {
                let what = if let Some(user) = open.user.as_ref().filter(|u| **u != self.url.user) {
                    format!("user {user}")
                } else if let Some(service) = &open.service {
                    format!("service {service}")
                } else if let Some(remote) = open.remote.as_ref().filter(|r| !self.is_own(r)) {
                    format!("remote {remote}")
                } else {
                    return None;
                };
                Some(format!(
                    "opens a session with {what}, but MariaDB clients connect only as the \
                     --mysql URL gives ({})",
                    self.url
                ))
            }
            Action::Idle { .. } if self.clock() == Clock::Virtual => Some(
                "ends a running statement (idle), which MariaDB clients cannot do on a virtual \
                 clock: their statement ends only when time is advanced past it"
                    .into(),
            ),
            _ => None,
        }
    }

    /// Why real clients cannot stand a control call, if they cannot: completing a handshake
    /// (`POST /_sim/sessions/:id/authenticate`) is the client's own handshake response, which
    /// the control API cannot send for a real connection.
    pub fn refuses_control(&self, method: &str, path: &str) -> Option<String> {
        let authenticate = method.eq_ignore_ascii_case("POST")
            && path.starts_with("/_sim/sessions/")
            && path.ends_with("/authenticate");
        authenticate.then(|| {
            "completes a handshake through the control API, but a MariaDB client in its \
             handshake completes it only by its own handshake response, which the source's \
             clients never send"
                .into()
        })
    }

    /// Does an action with real clients.
    pub async fn act(&self, action: &Action) -> Result<Done, SourceError> {
        let statement = |s: &Option<String>, default: &str| s.clone().unwrap_or(default.into());
        match action {
            Action::Reset => self.reset().await,
            Action::Open(open) => self.open(open).await,
            Action::Advance(wait) => match &self.control {
                Some(api) if api.clock() == Clock::Virtual => api.act(action).await,
                _ => wait_for(*wait).await,
            },
            Action::Query { id, statement: s } => {
                let sql = statement(s, DEFAULT_QUERY);
                let evidence = self.evidence(Some(&sql), id);
                self.client(id, action, evidence, |r| Command::Query(sql, r), DEADLINE)
                    .await
            }
            Action::Busy { id, statement: s } => {
                let sql = statement(s, DEFAULT_BUSY);
                let evidence = self.evidence(Some(&sql), id);
                self.client(id, action, evidence, |r| Command::Busy(sql, r), DEADLINE)
                    .await
            }
            Action::Idle { id } => {
                let evidence = format!("# the running statement of session {id} ends");
                let virtual_clock = self.clock() == Clock::Virtual;
                let deadline = if virtual_clock {
                    VIRTUAL_IDLE_DEADLINE
                } else {
                    DEADLINE
                };
                let done = self
                    .client(id, action, evidence, Command::Idle, deadline)
                    .await;
                match done {
                    Err(mut error) if virtual_clock => {
                        error.actual = format!(
                            "{} (on a virtual clock a statement ends only when time is advanced \
                             past it)",
                            error.actual
                        );
                        Err(error)
                    }
                    done => done,
                }
            }
            Action::Close { id } => {
                let evidence = format!("# session {id}'s client disconnects (COM_QUIT)");
                let client = self.clients.lock().expect("clients").remove(id);
                match client {
                    Some(Client::Handshake(stream)) => Ok(Done {
                        gone: closed(&stream),
                        evidence,
                        ..Done::default()
                    }),
                    Some(Client::Conn(tx)) => {
                        let outcome = ask(&tx, Command::Close, DEADLINE).await;
                        self.done(action, outcome, evidence)
                    }
                    None => Ok(Done {
                        gone: true,
                        evidence,
                        ..Done::default()
                    }),
                }
            }
        }
    }

    /// `mysql -h H -P P -u U -p DB -e 'SQL'  # session 12`.
    fn evidence(&self, sql: Option<&str>, id: &str) -> String {
        format!("{}  # session {id}", self.url.command_line(sql))
    }

    /// Sends a command to the client of session `id`. A session the source does not hold (never
    /// opened, or closed) is gone, as the control API's 404.
    async fn client(
        &self,
        id: &str,
        action: &Action,
        evidence: String,
        command: impl FnOnce(Reply) -> Command,
        deadline: Duration,
    ) -> Result<Done, SourceError> {
        let tx = {
            let clients = self.clients.lock().expect("clients");
            match clients.get(id) {
                Some(Client::Conn(tx)) => tx.clone(),
                Some(Client::Handshake(stream)) if closed(stream) => {
                    return Ok(Done {
                        gone: true,
                        evidence,
                        ..Done::default()
                    })
                }
                Some(Client::Handshake(_)) => {
                    return Err(SourceError {
                        expected: format!("a client that can {}", action.label()),
                        actual: format!(
                            "session {id}'s client is in its handshake (authenticated: false)"
                        ),
                        evidence,
                    })
                }
                None => {
                    return Ok(Done {
                        gone: true,
                        evidence,
                        ..Done::default()
                    })
                }
            }
        };
        let outcome = ask(&tx, command, deadline).await;
        self.done(action, outcome, evidence)
    }

    fn done(
        &self,
        action: &Action,
        outcome: Outcome,
        evidence: String,
    ) -> Result<Done, SourceError> {
        match outcome {
            Outcome::Done => Ok(Done {
                evidence,
                ..Done::default()
            }),
            Outcome::Gone => Ok(Done {
                gone: true,
                evidence,
                ..Done::default()
            }),
            Outcome::Failed(actual) => Err(SourceError {
                expected: format!("{} to succeed", action.label()),
                actual,
                evidence,
            }),
        }
    }

    /// Opens `open.count` clients, at most [`CONCURRENCY`] connecting at once; the ids in order.
    async fn open(&self, open: &Open) -> Result<Done, SourceError> {
        let evidence = self.url.command_line(None);
        let refuse = |what: String| SourceError {
            expected: format!("a session {what}"),
            actual: format!(
                "MariaDB clients connect only as the --mysql URL gives ({})",
                self.url
            ),
            evidence: evidence.clone(),
        };
        if let Some(user) = open.user.as_ref().filter(|u| **u != self.url.user) {
            return Err(refuse(format!("of user {user}")));
        }
        if let Some(service) = &open.service {
            return Err(refuse(format!("of service {service}")));
        }
        if let Some(remote) = open.remote.as_ref().filter(|r| !self.is_own(r)) {
            return Err(refuse(format!("from {remote}")));
        }
        let authenticated = open.authenticated.unwrap_or(true);
        let permits = Arc::new(Semaphore::new(CONCURRENCY));
        let tasks: Vec<JoinHandle<Result<(String, Client), String>>> = (0..open.count)
            .map(|_| {
                let url = self.url.clone();
                let permits = permits.clone();
                tokio::spawn(async move {
                    let _permit = permits.acquire_owned().await.map_err(|e| e.to_string())?;
                    let connecting = async {
                        if authenticated {
                            connect(&url).await
                        } else {
                            handshake(&url).await
                        }
                    };
                    tokio::time::timeout(DEADLINE, connecting)
                        .await
                        .unwrap_or_else(|_| Err(format!("no connection within {DEADLINE:?}")))
                })
            })
            .collect();
        let mut ids = Vec::new();
        let mut failure = None;
        for task in tasks {
            match task.await.map_err(|e| e.to_string()).and_then(|r| r) {
                Ok((id, client)) => {
                    self.clients
                        .lock()
                        .expect("clients")
                        .insert(id.clone(), client);
                    ids.push(id);
                }
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        let evidence = format!(
            "{evidence}  # {} {}",
            if ids.len() == 1 {
                "session"
            } else {
                "sessions"
            },
            ids.join(", ")
        );
        match failure {
            None => Ok(Done {
                ids,
                evidence,
                ..Done::default()
            }),
            Some(actual) => Err(SourceError {
                expected: format!("{} MariaDB clients connected to {}", open.count, self.url),
                actual,
                evidence,
            }),
        }
    }

    /// Closes every client the source opened; then, when the target has the control API, resets
    /// it too (its sessions, ids and clock), as the control source does.
    async fn reset(&self) -> Result<Done, SourceError> {
        let closed = self.close_all().await;
        match &self.control {
            Some(api) => {
                let mut done = api.act(&Action::Reset).await?;
                if !closed.is_empty() {
                    done.evidence = format!("{closed}\n{}", done.evidence);
                }
                Ok(done)
            }
            None => Ok(Done {
                evidence: closed,
                ..Done::default()
            }),
        }
    }

    /// Closes every client the source opened; the evidence (empty when there was none).
    async fn close_all(&self) -> String {
        let clients: Vec<Client> = self
            .clients
            .lock()
            .expect("clients")
            .drain()
            .map(|(_, client)| client)
            .collect();
        if clients.is_empty() {
            return String::new();
        }
        let count = clients.len();
        let mut replies = Vec::new();
        for client in clients {
            if let Client::Conn(tx) = client {
                let (reply, answer) = oneshot::channel();
                if tx.send(Command::Close(reply)).await.is_ok() {
                    replies.push(answer);
                }
            }
        }
        for answer in replies {
            let _ = tokio::time::timeout(DEADLINE, answer).await;
        }
        format!("# {count} MariaDB clients disconnect (COM_QUIT)")
    }
}

/// Sends a command to a client's task and waits, at most `deadline`, for its answer. A task
/// that has ended means a closed client.
async fn ask(
    tx: &mpsc::Sender<Command>,
    command: impl FnOnce(Reply) -> Command,
    deadline: Duration,
) -> Outcome {
    let (reply, answer) = oneshot::channel();
    if tx.send(command(reply)).await.is_err() {
        return Outcome::Gone;
    }
    match tokio::time::timeout(deadline, answer).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Outcome::Gone,
        Err(_) => Outcome::Failed(format!("no answer within {deadline:?}")),
    }
}

/// An authenticated client: its session id and its task.
async fn connect(url: &MysqlUrl) -> Result<(String, Client), String> {
    let conn = Conn::new(url.opts()).await.map_err(|e| e.to_string())?;
    let id = conn.id().to_string();
    let (tx, rx) = mpsc::channel(4);
    tokio::spawn(drive(conn, rx));
    Ok((id, Client::Conn(tx)))
}

/// A client that reads the greeting and stops there: its session stays in its handshake.
async fn handshake(url: &MysqlUrl) -> Result<(String, Client), String> {
    let mut stream = TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| e.to_string())?;
    let mut header = [0u8; 4];
    stream
        .read_exact(&mut header)
        .await
        .map_err(|e| format!("no greeting: {e}"))?;
    let length = u32::from_le_bytes([header[0], header[1], header[2], 0]) as usize;
    let mut payload = vec![0u8; length];
    stream
        .read_exact(&mut payload)
        .await
        .map_err(|e| format!("a greeting cut short: {e}"))?;
    let id = greeting_id(&payload)?;
    Ok((id.to_string(), Client::Handshake(stream)))
}

/// Whether the server has closed a socket the client never writes to (EOF or an error); what
/// it sent before that is dropped.
fn closed(stream: &TcpStream) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match stream.try_read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(_) => return true,
        }
    }
}

/// The connection between commands.
enum State {
    Ready(Conn),
    /// A `busy` statement runs in a task that gives the connection back.
    Running(JoinHandle<(Conn, Result<(), mysql_async::Error>)>),
    Gone,
}

/// A client's task: one command at a time, as on one real connection. A statement still
/// running is waited for before the next one, except by a close, which cuts it off.
async fn drive(conn: Conn, mut commands: mpsc::Receiver<Command>) {
    let mut state = State::Ready(conn);
    while let Some(command) = commands.recv().await {
        match command {
            Command::Close(reply) => {
                let outcome = match state {
                    State::Ready(conn) => match conn.disconnect().await {
                        Ok(()) => Outcome::Done,
                        Err(_) => Outcome::Gone,
                    },
                    State::Running(task) => {
                        task.abort();
                        Outcome::Done
                    }
                    State::Gone => Outcome::Gone,
                };
                let _ = reply.send(outcome);
                return;
            }
            Command::Idle(reply) => {
                let (next, outcome) = settle(state).await;
                state = next;
                let _ = reply.send(outcome);
            }
            Command::Query(sql, reply) => {
                let (next, outcome) = match settle(state).await {
                    (State::Ready(mut conn), _) => {
                        let result = conn.query_drop(sql).await;
                        finished(conn, result)
                    }
                    (next, outcome) => (next, outcome),
                };
                state = next;
                let _ = reply.send(outcome);
            }
            Command::Busy(sql, reply) => {
                let (next, outcome) = match settle(state).await {
                    (State::Ready(mut conn), _) => {
                        let mut task = tokio::spawn(async move {
                            let result = conn.query_drop(sql).await;
                            (conn, result)
                        });
                        // The statement is on its way once the client has had a moment to
                        // write it; one that ends (or fails) at once is answered as such.
                        match tokio::time::timeout(SETTLE, &mut task).await {
                            Ok(joined) => joined_state(joined),
                            Err(_) => (State::Running(task), Outcome::Done),
                        }
                    }
                    (next, outcome) => (next, outcome),
                };
                state = next;
                let _ = reply.send(outcome);
            }
        }
    }
    if let State::Running(task) = state {
        task.abort();
    }
}

/// Waits for a running statement; a connection that is gone stays so.
async fn settle(state: State) -> (State, Outcome) {
    match state {
        State::Ready(conn) => (State::Ready(conn), Outcome::Done),
        State::Running(task) => joined_state(task.await),
        State::Gone => (State::Gone, Outcome::Gone),
    }
}

fn joined_state(
    joined: Result<(Conn, Result<(), mysql_async::Error>), tokio::task::JoinError>,
) -> (State, Outcome) {
    match joined {
        Ok((conn, result)) => finished(conn, result),
        Err(e) => (State::Gone, Outcome::Failed(e.to_string())),
    }
}

/// The state after a statement: a lost connection is gone, a statement the server refused is a
/// failure on a connection that stays.
fn finished(conn: Conn, result: Result<(), mysql_async::Error>) -> (State, Outcome) {
    match result {
        Ok(()) => (State::Ready(conn), Outcome::Done),
        Err(e) if lost(&e) => (State::Gone, Outcome::Gone),
        Err(e) => (State::Ready(conn), Outcome::Failed(e.to_string())),
    }
}

/// Whether an error means the server closed the connection: an I/O error or EOF (2013, "Lost
/// connection"), a closed connection, or the server's own "killed" / "gone away" errors.
fn lost(error: &mysql_async::Error) -> bool {
    match error {
        mysql_async::Error::Io(_) => true,
        mysql_async::Error::Driver(mysql_async::DriverError::ConnectionClosed) => true,
        mysql_async::Error::Server(e) => matches!(e.code, 1927 | 2006 | 2013),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The greeting of client-protocol.md, byte for byte (payload only).
    const GREETING: &str = "0a352e352e352d31302e31312e31392d4d6172696144422d302b646562313275312d6c6f6700542700003341447850334a7500def7080200bf01150000000000001c0000002b5d41464f3e3c347b4d4547006d7973716c5f6e61746976655f70617373776f726400";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    #[test]
    fn the_greeting_gives_the_session_id() {
        assert_eq!(greeting_id(&hex(GREETING)), Ok(10068));
    }

    #[test]
    fn a_greeting_that_is_not_one_is_refused() {
        assert!(greeting_id(&[]).is_err());
        assert!(greeting_id(&[9, b'5', 0, 1, 2, 3, 4]).is_err());
        assert!(greeting_id(&[10, b'5', b'.', b'5']).is_err());
        assert!(greeting_id(&[10, b'5', 0, 1, 2]).is_err());
        let refused =
            greeting_id(&hex("ff1504233238303030416363657373")).expect_err("an error packet");
        assert!(refused.contains("1045"), "{refused}");
        assert!(refused.ends_with("Access"), "{refused}");
    }

    #[test]
    fn a_url_is_read_whole() {
        let url = MysqlUrl::parse("mysql://maxuser:maxpwd@127.0.0.1:4006/test").expect("url");
        assert_eq!(url.host, "127.0.0.1");
        assert_eq!(url.port, 4006);
        assert_eq!(url.user, "maxuser");
        assert_eq!(url.password, "maxpwd");
        assert_eq!(url.database.as_deref(), Some("test"));

        let url = MysqlUrl::parse("mysql://a%40b:p%3Aw@@[::1]").expect("url");
        assert_eq!((url.user.as_str(), url.password.as_str()), ("a@b", "p:w@"));
        assert_eq!((url.host.as_str(), url.port), ("::1", 3306));
        assert_eq!(url.database, None);
    }

    #[test]
    fn a_bad_url_is_refused_without_its_password() {
        for bad in [
            "http://u:secret@h:1/db",
            "mysql://h:1/db",
            "mysql://:secret@h:1/db",
            "mysql://u:secret@:1/db",
            "mysql://u:secret@h:0/db",
            "mysql://u:secret@h:port/db",
            "mysql://u:secret@h:1/db?ssl=1",
            "mysql://u:secret@[::1/db",
        ] {
            let error = MysqlUrl::parse(bad).expect_err(bad);
            assert!(!error.contains("secret"), "{bad}: {error}");
        }
    }

    #[test]
    fn the_password_is_never_shown() {
        let url = MysqlUrl::parse("mysql://maxuser:maxpwd@127.0.0.1:4006/test").expect("url");
        assert_eq!(url.to_string(), "mysql://maxuser:***@127.0.0.1:4006/test");
        assert!(!format!("{url:?}").contains("maxpwd"));
        assert_eq!(
            url.command_line(Some("SELECT 1")),
            "mysql -h 127.0.0.1 -P 4006 -u maxuser -p test -e 'SELECT 1'"
        );
        let url = MysqlUrl::parse("mysql://root@[::1]:3307").expect("url");
        assert_eq!(url.to_string(), "mysql://root@[::1]:3307");
        assert_eq!(url.command_line(None), "mysql -h ::1 -P 3307 -u root");
    }

    fn clients(clock: Option<&str>) -> MariaDb {
        let url = MysqlUrl::parse("mysql://maxuser:maxpwd@127.0.0.1:4006/test").expect("url");
        let control = clock.map(|clock| {
            let target = crate::target::Target::new(
                crate::target::TargetUrl::parse("http://127.0.0.1:1").expect("url"),
                crate::setup::Setup::defaults(crate::profile::Profile::Maxscale2402, 0).accounts,
                Duration::from_secs(1),
            );
            ControlApi::new(target, &serde_json::json!({ "clock": clock }))
        });
        MariaDb::new(url, control)
    }

    #[test]
    fn an_open_as_another_than_the_url_is_refused() {
        let source = clients(None);
        let open = |open: Open| source.refuses(&Action::Open(open));
        assert_eq!(open(Open::default()), None);
        let own = Open {
            user: Some("maxuser".into()),
            authenticated: Some(false),
            count: 3,
            ..Open::default()
        };
        assert_eq!(open(own), None);
        let loopback = Open {
            remote: Some("127.0.0.1".into()),
            ..Open::default()
        };
        assert_eq!(open(loopback), None, "the URL's own loopback address");
        for (other, named) in [
            (
                Open {
                    user: Some("bob".into()),
                    ..Open::default()
                },
                "user bob",
            ),
            (
                Open {
                    service: Some("S".into()),
                    ..Open::default()
                },
                "service S",
            ),
            (
                Open {
                    remote: Some("10.0.0.1".into()),
                    ..Open::default()
                },
                "remote 10.0.0.1",
            ),
        ] {
            let reason = open(other).expect("refused");
            assert!(reason.contains(named), "{reason}");
            assert!(!reason.contains("maxpwd"), "{reason}");
        }
    }

    #[test]
    fn idle_is_refused_only_on_a_virtual_clock() {
        let idle = Action::Idle {
            id: "{{id}}".into(),
        };
        assert_eq!(clients(None).refuses(&idle), None);
        assert_eq!(clients(Some("real")).refuses(&idle), None);
        let reason = clients(Some("virtual")).refuses(&idle).expect("refused");
        assert!(reason.contains("virtual clock"), "{reason}");
        for action in [
            Action::Reset,
            Action::Busy {
                id: "1".into(),
                statement: None,
            },
            Action::Query {
                id: "1".into(),
                statement: None,
            },
            Action::Close { id: "1".into() },
            Action::Advance(Duration::from_secs(1)),
        ] {
            assert_eq!(clients(Some("virtual")).refuses(&action), None);
        }
    }

    #[test]
    fn only_a_control_authenticate_is_refused() {
        let source = clients(Some("virtual"));
        assert!(source
            .refuses_control("POST", "/_sim/sessions/{{id}}/authenticate")
            .is_some());
        assert_eq!(
            source.refuses_control("POST", "/_sim/sessions/{{id}}/internal-ops"),
            None
        );
        assert_eq!(
            source.refuses_control("DELETE", "/_sim/sessions/{{id}}"),
            None
        );
        assert_eq!(source.refuses_control("POST", "/_sim/clock/advance"), None);
    }
}
