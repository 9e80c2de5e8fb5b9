//! The embedded default target: the reference server started in-process on 127.0.0.1:0 with a
//! virtual clock (a real one for `harness load`), so `harness conform` needs nothing else. Its
//! first MariaDB listener is on another free port of 127.0.0.1 ([`Embedded::mysql_url`]), for
//! `--sessions-via mysql` without `--mysql`. The
//! harness starts it and then talks to it over HTTP only, like to any target (the independence
//! rule of DESIGN.md): nothing here reads its state or types beyond what starting it takes.

use reference_server::{
    ClockMode, Config, Credentials as ServerCredentials, MysqlListen, ProfileName, Server,
    DEFAULT_PASSWORD, DEFAULT_USER,
};

/// The deliberate defects the embedded server can run with (`--mutant NAME`).
pub use reference_server::Mutant;

use crate::profile::Profile;
use crate::target::{Accounts, Credentials};

/// The read-only account of the embedded server, as `--basic-user`/`--basic-password` would
/// give it.
pub const BASIC: (&str, &str) = ("basic", "basic-pw");

/// The embedded server's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddedClock {
    /// Time moves only when the harness advances it: scenarios and properties replay exactly.
    Virtual,
    /// Time passes while a load run goes on.
    Real,
}

/// A running embedded server; dropping it stops it.
pub struct Embedded {
    server: Server,
    /// The accounts the server accepts.
    pub accounts: Accounts,
}

impl Embedded {
    /// Starts the reference server answering as `profile`, on `clock`, seeded with `seed`,
    /// with the admin account of `accounts` and their read-only account or [`BASIC`], and
    /// optionally one deliberate defect.
    pub async fn start(
        profile: Profile,
        accounts: &Accounts,
        seed: u64,
        clock: EmbeddedClock,
        mutant: Option<Mutant>,
    ) -> std::io::Result<Embedded> {
        let admin = accounts.admin.clone();
        let basic = accounts.basic.clone().unwrap_or_else(|| Credentials {
            user: BASIC.0.into(),
            password: BASIC.1.into(),
        });
        let server = Server::start(Config {
            listen: "127.0.0.1:0".parse().expect("a socket address"),
            clock: match clock {
                EmbeddedClock::Virtual => ClockMode::Virtual,
                EmbeddedClock::Real => ClockMode::Real,
            },
            profile: match profile {
                Profile::Maxscale2402 => ProfileName::Maxscale2402,
                Profile::Documented => ProfileName::Documented,
            },
            admin: server_credentials(&admin),
            basic: Some(server_credentials(&basic)),
            seed,
            mutant,
            mysql: MysqlListen::First("127.0.0.1:0".parse().expect("a socket address")),
            ..Config::default()
        })
        .await?;
        Ok(Embedded {
            server,
            accounts: Accounts {
                admin,
                basic: Some(basic),
            },
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// `mysql://maxuser:maxpwd@127.0.0.1:PORT/test`: the URL of a MariaDB client of the
    /// server's first listener, as `--mysql` would give it.
    pub fn mysql_url(&self) -> Option<String> {
        let (_, addr) = self.server.mysql_addrs().into_iter().next()?;
        Some(format!(
            "mysql://{DEFAULT_USER}:{DEFAULT_PASSWORD}@{addr}/test"
        ))
    }

    /// Stops the server and waits for it to close.
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

fn server_credentials(c: &Credentials) -> ServerCredentials {
    ServerCredentials {
        user: c.user.clone(),
        password: c.password.clone(),
    }
}
