//! What every command that talks to a target shares: one group of arguments ([`TargetArgs`],
//! flattened into `run`, `conform`, `props` and `load`), the settings it resolves to
//! ([`Setup`]), and the one function that turns them into a [`Connection`] — the target's
//! client, its session source (chosen by [`choose_source`]), the profile, the schemas, and the embedded reference server when
//! no `--target` is given.

use std::time::Duration;

use clap::{Args, ValueEnum};

use crate::embedded::{Embedded, EmbeddedClock, Mutant};
use crate::error::Error;
use crate::profile::Profile;
use crate::schemas::SchemaSet;
use crate::source::{MysqlUrl, Source};
use crate::target::{Accounts, Credentials, Target, TargetUrl};

/// The read-write account when none is given: MaxScale's default.
pub const DEFAULT_ADMIN: (&str, &str) = ("admin", "mariadb");

/// The options of the target, shared by every command that judges one.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Base URL of the target: http://host:port, optionally with a base path
    /// (http://host:port/prefix); default: the reference server, started in-process.
    #[arg(long, value_name = "URL")]
    pub target: Option<TargetUrl>,
    /// Which answers the target is held to.
    #[arg(long, value_enum, default_value_t = Profile::Maxscale2402)]
    pub profile: Profile,
    /// The read-write account.
    #[arg(long, default_value = DEFAULT_ADMIN.0)]
    pub user: String,
    /// The read-write account's password.
    #[arg(long, default_value = DEFAULT_ADMIN.1)]
    pub password: String,
    /// The read-only account; what needs one is skipped without it (the embedded server has
    /// basic / basic-pw).
    #[arg(long, requires = "basic_password")]
    pub basic_user: Option<String>,
    /// The read-only account's password.
    #[arg(long, requires = "basic_user")]
    pub basic_password: Option<String>,
    /// Seconds each request may take (more than 0) [default: 10; load: 60].
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub timeout: Option<Duration>,
    /// The seed of every random choice and of the embedded server; printed, so a run can be
    /// replayed [default: 0; props: a random one].
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Run the embedded server with one deliberate defect.
    #[arg(long, value_enum, value_name = "NAME", conflicts_with = "target")]
    pub mutant: Option<Mutant>,
    /// A MariaDB listener of the target whose clients make sessions:
    /// mysql://USER:PASS@HOST:PORT/DB (the password is never printed).
    #[arg(long, value_name = "URL", value_parser = MysqlUrlParser)]
    pub mysql: Option<MysqlUrl>,
    /// How sessions are made [default: control when the target has the control API, else mysql
    /// when --mysql is given, else none].
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub sessions_via: Option<SessionsVia>,
}

/// Reads `--mysql`. Unlike a plain value parser, its error does not repeat the value, which
/// holds a password.
#[derive(Debug, Clone, Copy)]
struct MysqlUrlParser;

impl clap::builder::TypedValueParser for MysqlUrlParser {
    type Value = MysqlUrl;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<MysqlUrl, clap::Error> {
        let refused = |message: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("{message}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value
            .to_str()
            .ok_or_else(|| refused("--mysql is not UTF-8".into()))?;
        MysqlUrl::parse(text).map_err(refused)
    }
}

/// Where sessions come from (`--sessions-via`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SessionsVia {
    /// The reference server's control API (`/_sim/`).
    Control,
    /// Real MariaDB client connections to `--mysql URL` (without `--target`, the embedded
    /// server's own listener).
    Mysql,
}

/// A timeout: a number of seconds, finite and more than 0.
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("'{text}' is not a number of seconds"))?;
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("a timeout is a number of seconds more than 0, not {text}"))
}

/// Everything needed to reach a target, resolved from the arguments and a command's defaults.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The target; `None` starts the embedded reference server.
    pub target: Option<TargetUrl>,
    /// Which answers the target is held to.
    pub profile: Profile,
    /// The accounts the harness uses on the target.
    pub accounts: Accounts,
    /// The timeout of each request.
    pub timeout: Duration,
    /// The seed of every random choice and of the embedded server.
    pub seed: u64,
    /// The schemas documents are validated against.
    pub schemas: SchemaSet,
    /// The embedded server's clock (virtual for scenarios and properties, real for load).
    pub clock: EmbeddedClock,
    /// The embedded server's deliberate defect, if any.
    pub mutant: Option<Mutant>,
    /// The MariaDB listener whose clients can make sessions; with `--sessions-via mysql` and
    /// no target, the embedded server's own.
    pub mysql: Option<MysqlUrl>,
    /// The session source asked for; `None` chooses (see [`choose_source`]).
    pub sessions_via: Option<SessionsVia>,
}

impl Setup {
    /// The defaults: the embedded reference server on a virtual clock, admin / mariadb, no
    /// read-only account, 10 s per request, the built-in schemas.
    pub fn defaults(profile: Profile, seed: u64) -> Setup {
        Setup {
            target: None,
            profile,
            accounts: Accounts {
                admin: Credentials {
                    user: DEFAULT_ADMIN.0.into(),
                    password: DEFAULT_ADMIN.1.into(),
                },
                basic: None,
            },
            timeout: Duration::from_secs(10),
            seed,
            schemas: SchemaSet::embedded(),
            clock: EmbeddedClock::Virtual,
            mutant: None,
            mysql: None,
            sessions_via: None,
        }
    }

    /// The settings of the arguments; `defaults` fills what they leave out.
    pub fn from_args(args: TargetArgs, schemas: SchemaSet, defaults: Setup) -> Setup {
        Setup {
            target: args.target,
            profile: args.profile,
            accounts: Accounts {
                admin: Credentials {
                    user: args.user,
                    password: args.password,
                },
                basic: args
                    .basic_user
                    .zip(args.basic_password)
                    .map(|(user, password)| Credentials { user, password }),
            },
            timeout: args.timeout.unwrap_or(defaults.timeout),
            seed: args.seed.unwrap_or(defaults.seed),
            schemas,
            clock: defaults.clock,
            mutant: args.mutant,
            mysql: args.mysql,
            sessions_via: args.sessions_via,
        }
    }

    /// Reaches the target, or starts the embedded server, and finds its session source.
    pub async fn connect(&self) -> Result<Connection, Error> {
        if self.sessions_via == Some(SessionsVia::Mysql)
            && self.mysql.is_none()
            && self.target.is_some()
        {
            return Err(Error::Usage(
                "--sessions-via mysql needs --mysql URL".into(),
            ));
        }
        let mut mysql = self.mysql.clone();
        let (url, accounts, embedded) = match &self.target {
            Some(url) => (url.clone(), self.accounts.clone(), None),
            None => {
                let embedded = Embedded::start(
                    self.profile,
                    &self.accounts,
                    self.seed,
                    self.clock,
                    self.mutant,
                )
                .await
                .map_err(Error::Embedded)?;
                let url = TargetUrl::parse(&embedded.url()).map_err(Error::Usage)?;
                // `--sessions-via mysql` alone: clients of the embedded server's own listener.
                if self.sessions_via == Some(SessionsVia::Mysql) && mysql.is_none() {
                    let listener = embedded.mysql_url().ok_or_else(|| {
                        Error::Unsupported("the embedded server has no MariaDB listener".into())
                    })?;
                    mysql = Some(MysqlUrl::parse(&listener).map_err(Error::Usage)?);
                }
                (url, embedded.accounts.clone(), Some(embedded))
            }
        };
        let target = Target::new(url, accounts, self.timeout);
        let detected = Source::detect(&target)
            .await
            .map_err(|message| Error::Unreachable {
                url: target.base().to_string(),
                message,
            })?;
        let source = choose_source(self.sessions_via, detected, mysql.as_ref())?;
        Ok(Connection {
            target,
            source,
            profile: self.profile,
            embedded,
        })
    }
}

/// The session source of a target whose own offer is `detected` (its control API or nothing):
/// what `--sessions-via` asks for, else the control API, else MariaDB clients of `--mysql`, else
/// none. MariaDB clients keep the control API, whose virtual clock then moves time.
pub fn choose_source(
    via: Option<SessionsVia>,
    detected: Source,
    mysql: Option<&MysqlUrl>,
) -> Result<Source, Error> {
    let control = detected.control().cloned();
    match (via, control, mysql) {
        (Some(SessionsVia::Mysql), _, None) => Err(Error::Usage(
            "--sessions-via mysql needs --mysql URL".into(),
        )),
        (Some(SessionsVia::Mysql), control, Some(url)) | (None, control @ None, Some(url)) => Ok(
            Source::MariaDb(crate::source::MariaDb::new(url.clone(), control)),
        ),
        (Some(SessionsVia::Control), None, _) => Err(Error::Unsupported(
            "--sessions-via control: the target has no control API (GET /_sim)".into(),
        )),
        (_, Some(api), _) => Ok(Source::Control(api)),
        (None, None, None) => Ok(Source::Passive),
    }
}

/// A reached target: what every command works through.
pub struct Connection {
    /// The target's HTTP client, with its accounts.
    pub target: Target,
    /// How sessions come to exist on the target and how its time moves.
    pub source: Source,
    /// Which answers the target is held to.
    pub profile: Profile,
    embedded: Option<Embedded>,
}

impl Connection {
    /// Whether the target is the embedded reference server.
    pub fn embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Stops the embedded server, if there is one, and waits for it to close.
    pub async fn close(self) {
        if let Some(embedded) = self.embedded {
            embedded.stop().await;
        }
    }
}

/// The one Tokio runtime builder of the harness.
pub fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_is_more_than_zero() {
        assert_eq!(seconds("2.5"), Ok(Duration::from_millis(2500)));
        assert!(seconds("0").is_err());
        assert!(seconds("-1").is_err());
        assert!(seconds("NaN").is_err());
        assert!(seconds("soon").is_err());
    }

    fn control() -> Source {
        let url = TargetUrl::parse("http://127.0.0.1:1").expect("url");
        let target = Target::new(
            url,
            Setup::defaults(Profile::Maxscale2402, 0).accounts,
            Duration::from_secs(1),
        );
        Source::Control(crate::source::control::ControlApi::new(
            target,
            &serde_json::json!({ "clock": "virtual" }),
        ))
    }

    fn chosen(
        via: Option<SessionsVia>,
        detected: Source,
        mysql: bool,
    ) -> Result<&'static str, String> {
        let url = MysqlUrl::parse("mysql://maxuser:maxpwd@127.0.0.1:4006/test").expect("url");
        choose_source(via, detected, mysql.then_some(&url))
            .map(|source| source.describe())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_control_api_first_then_mysql_then_none() {
        assert_eq!(
            chosen(None, control(), true),
            Ok("control API, virtual clock")
        );
        assert_eq!(
            chosen(None, Source::Passive, true),
            Ok("MariaDB clients, real clock")
        );
        assert_eq!(
            chosen(None, Source::Passive, false),
            Ok("no control API, real clock")
        );
        assert_eq!(
            chosen(None, control(), false),
            Ok("control API, virtual clock")
        );
    }

    #[test]
    fn sessions_via_is_obeyed_or_refused() {
        let mysql = Some(SessionsVia::Mysql);
        assert_eq!(
            chosen(mysql, control(), true),
            Ok("MariaDB clients, virtual clock (control API)")
        );
        assert_eq!(
            chosen(mysql, Source::Passive, true),
            Ok("MariaDB clients, real clock")
        );
        let usage = choose_source(mysql, Source::Passive, None)
            .map(|_| ())
            .expect_err("usage");
        assert_eq!(usage.exit(), crate::error::Exit::Usage);
        let control_via = Some(SessionsVia::Control);
        assert_eq!(
            chosen(control_via, control(), true),
            Ok("control API, virtual clock")
        );
        assert!(chosen(control_via, Source::Passive, true).is_err());
    }
}
