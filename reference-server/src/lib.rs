//! # reference-server
//!
//! A reference implementation of the MariaDB MaxScale 24.02 REST API session resource
//! (`/v1/sessions`), served over HTTP on top of a deterministic simulated proxy.
//!
//! ## Public surface
//! [`Server::start`] runs the whole thing on a Tokio runtime from a [`Config`]; the binary adds
//! the CLI. A config names a [`Topology`] (parsed from a maxscale.cnf-style text, failing with a
//! [`TopologyError`]), a [`ClockMode`], a [`ProfileName`], the accounts' [`Credentials`], a
//! [`Workload`], optionally one [`Mutant`], and where the MariaDB listeners bind
//! ([`MysqlListen`]; [`Server::mysql_addrs`] tells where they did, and real clients log in as
//! [`DEFAULT_USER`] / [`DEFAULT_PASSWORD`] unless the topology says otherwise). Nothing else is
//! public: tests drive the server over HTTP and the MariaDB protocol, and internals are tested
//! beside their code.
//!
//! ## Layout (inside out, all private)
//! - `sim`: the simulated proxy — topology, sessions on routing workers, clock, seeded
//!   workload. No HTTP, no JSON.
//! - `api`: simulation views to JSON:API documents, PATCH bodies to simulation commands.
//! - `http`: MaxScale's request pipeline — routing, auth, options, preconditions, errors.
//! - `control`: the simulator's own endpoints under `/_sim/`.
//! - `mysql`: the MariaDB listeners; real clients' connections drive sessions like `control`.
//! - `profile`: the table of what differs between `maxscale-24.02` and `documented`.
//! - `mutant`: the deliberate defects a conformance suite must catch, off unless named.
//! - `json_text`, `datetime`: MaxScale's JSON text and date formats.

mod api;
mod control;
mod datetime;
mod http;
mod json_text;
mod mutant;
mod mysql;
mod profile;
mod sim;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use http::account::Accounts;
use http::AppState;
use mutant::Faults;
use sim::{SimConfig, Simulation};

pub use http::account::Credentials;
pub use mutant::Mutant;
pub use mysql::MysqlListen;
pub use profile::ProfileName;
pub use sim::clock::ClockMode;
pub use sim::topology::{Topology, TopologyError, DEFAULT_PASSWORD, DEFAULT_USER};
pub use sim::Workload;

/// Everything a server is started with; the CLI flags map onto it one to one.
#[derive(Debug, Clone)]
pub struct Config {
    /// The address to listen on; port 0 picks a free port ([`Server::url`] tells which).
    pub listen: SocketAddr,
    /// Where the MariaDB listeners listen ([`Server::mysql_addrs`] tells where they did);
    /// off by default, the topology's addresses in the binary.
    pub mysql: MysqlListen,
    /// The proxy's objects, as a maxscale.cnf-style text gives them: servers, services, listeners,
    /// filters.
    pub topology: Topology,
    /// Sessions connected at start.
    pub sessions: usize,
    /// The seed of every random choice of the simulation.
    pub seed: u64,
    /// Real time, or a virtual clock that moves only through `POST /_sim/clock/advance`.
    pub clock: ClockMode,
    /// Whose answers to give: the real 24.02 server's or the documentation's.
    pub profile: ProfileName,
    /// The admin (read-write) account.
    pub admin: Credentials,
    /// An optional read-only (`basic`) account.
    pub basic: Option<Credentials>,
    /// Synthetic client traffic: sessions arriving and leaving, queries of idle sessions.
    pub workload: Workload,
    /// The one deliberate defect to run with (`--mutant`); `None`, the default, is the faithful
    /// server.
    pub mutant: Option<Mutant>,
}

impl Default for Config {
    /// The captures' setup on 127.0.0.1:8989, no sessions, seed 0, real clock, admin / mariadb.
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8989)),
            mysql: MysqlListen::Off,
            topology: Topology::default_captures(),
            sessions: 0,
            seed: 0,
            clock: ClockMode::Real,
            profile: ProfileName::Maxscale2402,
            admin: Credentials {
                user: "admin".into(),
                password: "mariadb".into(),
            },
            basic: None,
            workload: Workload::default(),
            mutant: None,
        }
    }
}

/// A running server; dropping it stops it.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    mysql_addrs: Vec<(String, SocketAddr)>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds the listen address and starts serving on the current Tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Server> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let mysql_listeners = mysql::bind(&config.topology, config.mysql).await?;
        let mysql_addrs = mysql_listeners
            .iter()
            .map(|b| Ok((b.name.clone(), b.listener.local_addr()?)))
            .collect::<std::io::Result<Vec<_>>>()?;
        if let Some(mutant) = config.mutant {
            tracing::warn!(
                mutant = mutant.name(),
                "running with a deliberate defect: {}",
                mutant.description()
            );
        }
        let sim = Arc::new(Simulation::new(SimConfig {
            topology: config.topology,
            seed: config.seed,
            initial_sessions: config.sessions,
            clock: config.clock,
            workload: config.workload,
            faults: Faults::of(config.mutant),
        }));
        let state = Arc::new(AppState::new(
            Arc::clone(&sim),
            config.profile.profile(),
            Accounts::new(config.admin, config.basic),
        ));
        let (stop, stopped) = watch::channel(false);
        if config.clock == ClockMode::Real {
            tokio::spawn(tick_real_clock(Arc::clone(&sim), stopped.clone()));
        }
        for bound in mysql_listeners {
            tokio::spawn(mysql::serve(bound, Arc::clone(&sim), stopped.clone()));
        }
        let task = tokio::spawn(http::server::serve(listener, state, wait(stopped)));
        Ok(Server {
            addr,
            mysql_addrs,
            stop,
            task: Some(task),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The MariaDB listeners' names and bound addresses, in topology order.
    pub fn mysql_addrs(&self) -> Vec<(String, SocketAddr)> {
        self.mysql_addrs.clone()
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn wait(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|&stop| stop).await;
}

/// Runs the once-per-second ticks of a real clock.
async fn tick_real_clock(sim: Arc<Simulation>, mut stopped: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stopped.wait_for(|&stop| stop) => return,
        }
        let sim = Arc::clone(&sim);
        let _ = tokio::task::spawn_blocking(move || sim.catch_up()).await;
    }
}
