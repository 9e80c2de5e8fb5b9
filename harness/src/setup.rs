//! What every command that talks to a target shares: one group of arguments ([`TargetArgs`],
//! flattened into `run`, `conform`, `props` and `load`), the settings it resolves to
//! ([`Setup`]), and the one function that turns them into a [`Connection`] — the target's
//! client, its session source, the profile, the schemas, and the embedded reference server when
//! no `--target` is given.

use std::time::Duration;

use clap::Args;

use crate::embedded::{Embedded, EmbeddedClock, Mutant};
use crate::error::Error;
use crate::profile::Profile;
use crate::schemas::SchemaSet;
use crate::source::Source;
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
        }
    }

    /// Reaches the target, or starts the embedded server, and finds its session source.
    pub async fn connect(&self) -> Result<Connection, Error> {
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
                (url, embedded.accounts.clone(), Some(embedded))
            }
        };
        let target = Target::new(url, accounts, self.timeout);
        let source = Source::detect(&target)
            .await
            .map_err(|message| Error::Unreachable {
                url: target.base().to_string(),
                message,
            })?;
        Ok(Connection {
            target,
            source,
            profile: self.profile,
            embedded,
        })
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
}
