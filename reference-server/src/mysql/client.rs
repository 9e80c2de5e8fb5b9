//! One real client's side of the protocol: login against `[simulation] users=`, and its
//! statements as client requests of the simulation.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use opensrv_mysql::{
    AsyncMysqlShim, Column, ColumnFlags, ColumnType, ErrorKind, InitWriter, OkResponse,
    ParamParser, QueryResultWriter, StatementMetaWriter,
};
use rand::Rng;
use sha1::{Digest, Sha1};
use tokio::io::AsyncWrite;
use tokio::sync::Notify;

use crate::sim::Simulation;

/// The version MaxScale copies from the captures' backend, `5.5.5-` prefix included.
const VERSION: &str = "5.5.5-10.11.19-MariaDB-0+deb12u1-log";

/// The databases a client may name when the topology declares none: the captures' `test`.
const DATABASES: &[&str] = &["test"];

/// The protocol handler of one connection.
pub(crate) struct Client {
    sim: Arc<Simulation>,
    id: u64,
    host: String,
    salt: [u8; 20],
    /// Bytes read from the client, and their count when the login succeeded.
    bytes_read: Arc<AtomicU64>,
    read_at_login: AtomicU64,
    /// The payload of MaxScale's access-denied packet, for `DenialWriter`.
    denial: Arc<Mutex<Option<Vec<u8>>>>,
    /// Ends the connection after the reply being written (an unknown database at login).
    hang_up: Arc<Notify>,
}

impl Client {
    pub fn new(
        sim: Arc<Simulation>,
        id: u64,
        host: String,
        bytes_read: Arc<AtomicU64>,
        denial: Arc<Mutex<Option<Vec<u8>>>>,
        hang_up: Arc<Notify>,
    ) -> Client {
        // The scramble is a secret nonce, not part of the simulation's seeded state: it is
        // drawn from the thread's RNG so that it stays unpredictable. No NUL, no '$'.
        let mut rng = rand::rng();
        let salt = std::array::from_fn(|_| loop {
            let byte: u8 = rng.random_range(33..127);
            if byte != b'$' {
                break byte;
            }
        });
        Client {
            sim,
            id,
            host,
            salt,
            bytes_read,
            read_at_login: AtomicU64::new(u64::MAX),
            denial,
            hang_up,
        }
    }

    fn password_of(&self, user: &str) -> Option<&str> {
        let users = &self.sim.topology().simulation.users;
        users
            .iter()
            .find(|u| u.name == user)
            .map(|u| u.password.as_str())
    }
}

/// `mysql_native_password`: SHA1(password) XOR SHA1(salt + SHA1(SHA1(password))).
fn native_password_matches(password: &str, salt: &[u8], response: &[u8]) -> bool {
    if password.is_empty() {
        return response.is_empty();
    }
    let stage1 = Sha1::digest(password.as_bytes());
    let stage2 = Sha1::digest(stage1);
    let mut hasher = Sha1::new();
    hasher.update(salt);
    hasher.update(stage2);
    let mix = hasher.finalize();
    let expected: Vec<u8> = stage1.iter().zip(mix.iter()).map(|(a, b)| a ^ b).collect();
    response == expected.as_slice()
}

/// An error packet's payload: marker, code, SQL state, message.
fn error_payload(code: u16, state: &str, message: &str) -> Vec<u8> {
    let mut payload = vec![0xff];
    payload.extend_from_slice(&code.to_le_bytes());
    payload.push(b'#');
    payload.extend_from_slice(state.as_bytes());
    payload.extend_from_slice(message.as_bytes());
    payload
}

/// What a statement is, as far as the reference server answers it.
#[derive(Debug, PartialEq)]
enum Statement {
    /// `SELECT <integer>`: one row, one column named as written.
    Integer(i64),
    /// `SELECT SLEEP(N)`: busy N seconds, then one row `0` (spec §15).
    Sleep(Duration),
    /// `SELECT @@a, @@b`: the client libraries' settings query.
    Variables(Vec<String>),
    /// Transaction control and `SET autocommit`: OK.
    Ok,
    /// Anything else: a syntax error.
    Unknown,
}

fn classify(statement: &str) -> Statement {
    let text = statement.trim().trim_end_matches(';').trim();
    let upper = text.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    match words.as_slice() {
        ["BEGIN"] | ["BEGIN", "WORK"] | ["START", "TRANSACTION", ..] => return Statement::Ok,
        ["COMMIT"] | ["COMMIT", "WORK"] | ["ROLLBACK"] | ["ROLLBACK", "WORK"] => {
            return Statement::Ok
        }
        _ => {}
    }
    let compact: String = upper.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.starts_with("SETAUTOCOMMIT=") || compact.starts_with("SET@@AUTOCOMMIT=") {
        return Statement::Ok;
    }
    let Some(rest) = compact.strip_prefix("SELECT") else {
        return Statement::Unknown;
    };
    if let Ok(n) = rest.parse::<i64>() {
        return Statement::Integer(n);
    }
    if let Some(seconds) = rest
        .strip_prefix("SLEEP(")
        .and_then(|r| r.strip_suffix(')'))
        .and_then(|n| n.parse::<f64>().ok())
    {
        if seconds.is_finite() && seconds >= 0.0 {
            return Statement::Sleep(Duration::from_secs_f64(seconds.min(86_400.0)));
        }
    }
    let names: Vec<String> = text["SELECT".len()..]
        .split(',')
        .map(|n| n.trim().to_string())
        .collect();
    if names.iter().all(|n| n.starts_with("@@") && n.len() > 2) {
        return Statement::Variables(names);
    }
    Statement::Unknown
}

/// The value a client library reads for a system variable.
fn variable(name: &str) -> Option<i64> {
    let name = name.trim_start_matches("@@").to_ascii_lowercase();
    match name
        .trim_start_matches("session.")
        .trim_start_matches("global.")
    {
        "max_allowed_packet" => Some(16_777_216),
        "wait_timeout" => Some(28_800),
        "autocommit" => Some(1),
        _ => None,
    }
}

fn column(name: &str) -> Column {
    Column {
        table: String::new(),
        column: name.to_string(),
        coltype: ColumnType::MYSQL_TYPE_LONGLONG,
        colflags: ColumnFlags::empty(),
    }
}

#[async_trait]
impl<W: AsyncWrite + Send + Unpin> AsyncMysqlShim<W> for Client {
    type Error = io::Error;

    fn version(&self) -> String {
        VERSION.to_string()
    }

    /// The greeting's connection id is the session id (client-protocol.md).
    fn connect_id(&self) -> u32 {
        self.id as u32
    }

    fn salt(&self) -> [u8; 20] {
        self.salt
    }

    async fn authenticate(
        &self,
        auth_plugin: &str,
        username: &[u8],
        salt: &[u8],
        auth_data: &[u8],
    ) -> bool {
        let user = String::from_utf8_lossy(username).into_owned();
        let matches = auth_plugin == "mysql_native_password"
            && self
                .password_of(&user)
                .is_some_and(|password| native_password_matches(password, salt, auth_data));
        if matches && self.sim.login(self.id, &user).is_ok() {
            let read = self.bytes_read.load(Ordering::SeqCst);
            self.read_at_login.store(read, Ordering::SeqCst);
            return true;
        }
        let message = format!(
            "Access denied for user '{user}'@'{}' (using password: {})",
            self.host,
            if auth_data.is_empty() { "NO" } else { "YES" }
        );
        if let Ok(mut denial) = self.denial.lock() {
            *denial = Some(error_payload(1045, "28000", &message));
        }
        false
    }

    async fn on_prepare<'a>(
        &'a mut self,
        _query: &'a str,
        info: StatementMetaWriter<'a, W>,
    ) -> io::Result<()> {
        info.error(
            ErrorKind::ER_UNSUPPORTED_PS,
            b"This command is not supported in the prepared statement protocol yet",
        )
        .await
    }

    async fn on_execute<'a>(
        &'a mut self,
        _id: u32,
        _params: ParamParser<'a>,
        results: QueryResultWriter<'a, W>,
    ) -> io::Result<()> {
        results
            .error(
                ErrorKind::ER_UNKNOWN_STMT_HANDLER,
                b"Unknown prepared statement handler",
            )
            .await
    }

    async fn on_close<'a>(&'a mut self, _stmt: u32)
    where
        W: 'async_trait,
    {
    }

    /// The database of the handshake, or a `USE`: only the known databases (client-protocol.md:
    /// 1049). An unknown one at login ends the connection, as MaxScale does.
    async fn on_init<'a>(
        &'a mut self,
        database: &'a str,
        writer: InitWriter<'a, W>,
    ) -> io::Result<()> {
        if database.is_empty() || DATABASES.contains(&database) {
            return writer.ok().await;
        }
        let at_login =
            self.bytes_read.load(Ordering::SeqCst) == self.read_at_login.load(Ordering::SeqCst);
        let message = format!("Unknown database '{database}'");
        writer
            .error(ErrorKind::ER_BAD_DB_ERROR, message.as_bytes())
            .await?;
        if at_login {
            let _ = self.sim.close(self.id, false);
            self.hang_up.notify_one();
        }
        Ok(())
    }

    /// Every statement is a client request, exactly as the control API's `query`: a pending
    /// restart and pending filters apply first (spec §6.3.3, §7.2).
    async fn on_query<'a>(
        &'a mut self,
        query: &'a str,
        results: QueryResultWriter<'a, W>,
    ) -> io::Result<()> {
        let statement = classify(query);
        let sleep = match statement {
            Statement::Sleep(duration) => Some(duration),
            _ => None,
        };
        let _ = self.sim.client_request(self.id, query, sleep.is_none());
        if let Some(duration) = sleep {
            // spec §15: busy for N seconds of the simulation's clock; a virtual clock has to be
            // advanced past it.
            let clock = self.sim.clock();
            let deadline = clock.now() + duration.as_nanos() as u64;
            clock.sleep_until(deadline).await;
            let _ = self.sim.finish_request(self.id);
        }
        let name = query.trim().trim_end_matches(';').trim();
        let name = name.get("SELECT".len()..).unwrap_or("").trim();
        match statement {
            Statement::Integer(n) => {
                let columns = [column(name)];
                let mut rows = results.start(&columns).await?;
                rows.write_row([n]).await?;
                rows.finish().await
            }
            Statement::Sleep(_) => {
                let columns = [column(name)];
                let mut rows = results.start(&columns).await?;
                rows.write_row([0i64]).await?;
                rows.finish().await
            }
            Statement::Variables(names) => {
                let columns: Vec<Column> = names.iter().map(|n| column(n)).collect();
                let mut rows = results.start(&columns).await?;
                for name in &names {
                    rows.write_col(variable(name))?;
                }
                rows.end_row().await?;
                rows.finish().await
            }
            Statement::Ok => results.completed(OkResponse::default()).await,
            Statement::Unknown => {
                let near: String = query.trim().chars().take(80).collect();
                let message = format!(
                    "You have an error in your SQL syntax; check the manual that corresponds to \
                     your MariaDB server version for the right syntax to use near '{near}' at \
                     line 1"
                );
                results
                    .error(ErrorKind::ER_PARSE_ERROR, message.as_bytes())
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_classified() {
        assert_eq!(classify("SELECT 1"), Statement::Integer(1));
        assert_eq!(classify("select  42 ;"), Statement::Integer(42));
        assert_eq!(
            classify("SELECT SLEEP(0.5)"),
            Statement::Sleep(Duration::from_millis(500))
        );
        assert_eq!(classify("START TRANSACTION READ ONLY"), Statement::Ok);
        assert_eq!(classify("set autocommit = 0"), Statement::Ok);
        assert_eq!(classify("COMMIT"), Statement::Ok);
        assert_eq!(
            classify("SELECT @@max_allowed_packet,@@wait_timeout"),
            Statement::Variables(vec!["@@max_allowed_packet".into(), "@@wait_timeout".into()])
        );
        assert_eq!(classify("DROP TABLE t"), Statement::Unknown);
        assert_eq!(classify("SELECT * FROM t"), Statement::Unknown);
    }

    #[test]
    fn native_password_round_trip() {
        let salt = b"abcdefghijklmnopqrst";
        let stage1 = Sha1::digest(b"maxpwd");
        let mut hasher = Sha1::new();
        hasher.update(salt);
        hasher.update(Sha1::digest(stage1));
        let mix = hasher.finalize();
        let response: Vec<u8> = stage1.iter().zip(mix.iter()).map(|(a, b)| a ^ b).collect();
        assert!(native_password_matches("maxpwd", salt, &response));
        assert!(!native_password_matches("other", salt, &response));
        assert!(native_password_matches("", salt, b""));
    }
}
