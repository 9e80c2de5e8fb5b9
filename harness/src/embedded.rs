//! The embedded default target: the reference server started in-process on 127.0.0.1:0 with a
//! virtual clock (a real one for `harness load`), so `harness conform` needs nothing else. The
//! harness starts it and then talks to it over HTTP only, like to any target (the independence
//! rule of DESIGN.md): nothing here reads its state or types beyond what starting it takes.

use reference_server::ClockMode;
use reference_server::Credentials as ServerCredentials;
use reference_server::Mutant;
use reference_server::ProfileName;
use reference_server::{Config, Server};

use crate::profile::Profile;
use crate::target::{Accounts, Credentials};

/// The read-only account of the embedded server, as `--basic-user`/`--basic-password` would
/// give it.
pub const BASIC: (&str, &str) = ("basic", "basic-pw");

/// A running embedded server; dropping it stops it.
pub struct Embedded {
    server: Server,
    /// The accounts the server accepts.
    pub accounts: Accounts,
}

impl Embedded {
    /// Starts the reference server answering as `profile`, with the admin account of `admin`,
    /// the read-only account [`BASIC`] (or `basic` when given), the run's seed, and optionally
    /// one deliberate defect.
    pub async fn start(
        profile: Profile,
        admin: Credentials,
        basic: Option<Credentials>,
        seed: u64,
        mutant: Option<Mutant>,
    ) -> std::io::Result<Embedded> {
        Embedded::launch(profile, admin, basic, seed, mutant, ClockMode::Virtual).await
    }

    /// Starts the reference server as [`Embedded::start`] does but on a real clock, so time
    /// passes while a load run goes on (`harness load`).
    pub async fn start_real_clock(
        profile: Profile,
        admin: Credentials,
        seed: u64,
        mutant: Option<Mutant>,
    ) -> std::io::Result<Embedded> {
        Embedded::launch(profile, admin, None, seed, mutant, ClockMode::Real).await
    }

    async fn launch(
        profile: Profile,
        admin: Credentials,
        basic: Option<Credentials>,
        seed: u64,
        mutant: Option<Mutant>,
        clock: ClockMode,
    ) -> std::io::Result<Embedded> {
        let basic = basic.unwrap_or_else(|| Credentials {
            user: BASIC.0.into(),
            password: BASIC.1.into(),
        });
        let server = Server::start(Config {
            listen: "127.0.0.1:0".parse().expect("a socket address"),
            clock,
            profile: match profile {
                Profile::Maxscale2402 => ProfileName::Maxscale2402,
                Profile::Documented => ProfileName::Documented,
            },
            admin: server_credentials(&admin),
            basic: Some(server_credentials(&basic)),
            seed,
            mutant,
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
