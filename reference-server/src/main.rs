//! `reference-server`: the MaxScale session resource on a simulated proxy, over HTTP.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::Parser;
use reference_server::{
    ClockMode, Config, Credentials, Mutant, MysqlListen, ProfileName, Server, Topology, Workload,
};

/// Sessions are many small allocations; mimalloc serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Serves the MaxScale 24.02 REST API session resource (/v1/sessions) on a deterministic
/// simulated proxy. Prints `listening on http://ADDR` first; the simulator's own control API
/// lives under /_sim/.
#[derive(Debug, Parser)]
#[command(version, after_help = exit_codes_help())]
struct Cli {
    /// Address to listen on; port 0 picks a free port (see the first line printed).
    #[arg(long, default_value = "127.0.0.1:8989")]
    listen: SocketAddr,
    /// Address of the first MariaDB listener instead of its topology address; port 0 picks a
    /// free port, and the other listeners then take free ports too. Each listener's address is
    /// printed as `listener NAME on mysql://ADDR`.
    #[arg(long, value_name = "ADDR")]
    mysql_listen: Option<SocketAddr>,
    /// A maxscale.cnf-style topology; default: the captures' setup (server1,
    /// RW-Split-Router, my-log-filter, my-regex-filter, 2 threads).
    #[arg(long)]
    topology: Option<PathBuf>,
    /// Sessions connected at start.
    #[arg(long, default_value_t = 0)]
    sessions: usize,
    /// Seed of every random choice of the simulation.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// `virtual`: time moves only through POST /_sim/clock/advance and dates start at a fixed
    /// epoch, so the same seed and requests give byte-identical responses.
    #[arg(long, value_enum, default_value_t = ClockMode::Real)]
    clock: ClockMode,
    /// `maxscale-24.02`: the real server's answers (200 with an empty body for writes);
    /// `documented`: the documentation's (204, documented body shapes).
    #[arg(long, value_enum, default_value_t = ProfileName::Maxscale2402)]
    profile: ProfileName,
    /// The admin (read-write) account.
    #[arg(long, value_name = "USER:PASS", default_value = "admin:mariadb")]
    admin: Credentials,
    /// A read-only (basic) account; none by default.
    #[arg(long, value_name = "USER:PASS")]
    basic: Option<Credentials>,
    /// Sessions arriving, and as many leaving, per second.
    #[arg(long, default_value_t = 0.0, value_name = "PER_SECOND")]
    churn: f64,
    /// Queries each idle session starts per second (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "PER_SECOND")]
    query_rate: f64,
    /// Run with one deliberate defect, for proving a conformance suite catches it; `list`
    /// prints every mutant with its description and exits.
    #[arg(long, value_name = "NAME", value_parser = mutant_parser())]
    mutant: Option<MutantChoice>,
}

/// The exit codes of `reference-server`, as `--help` lists them. Every failure maps to one of
/// these through [`Error::exit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exit {
    /// The server ran and stopped on Ctrl-C, or `--help`, `--version` or `--mutant list`
    /// printed what was asked.
    Success = 0,
    /// The server could not start: the Tokio runtime or the listen address failed.
    Startup = 1,
    /// The command line is wrong: an unknown flag, a bad value, or a `--topology` file that
    /// cannot be read or parsed. Nothing was started.
    Usage = 2,
}

impl Exit {
    /// Every exit code, in order.
    const ALL: [Exit; 3] = [Exit::Success, Exit::Startup, Exit::Usage];

    /// One line for `--help`.
    fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "stopped on Ctrl-C, or printed --help, --version or --mutant list",
            Exit::Startup => "could not start: the runtime or the listen address failed",
            Exit::Usage => {
                "usage error: a bad flag or value, or an unreadable or invalid --topology"
            }
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit as u8)
    }
}

/// The `Exit codes:` section of `--help`, from [`Exit::ALL`].
fn exit_codes_help() -> String {
    let mut help = String::from("Exit codes:");
    for exit in Exit::ALL {
        help.push_str(&format!("\n  {}  {}", exit as u8, exit.meaning()));
    }
    help
}

/// Why the server did not run.
#[derive(Debug, thiserror::Error)]
enum Error {
    #[error("failed to read {path}: {source}")]
    ReadTopology { path: PathBuf, source: io::Error },
    #[error("{path}: {source}")]
    ParseTopology {
        path: PathBuf,
        source: reference_server::TopologyError,
    },
    #[error("{0}")]
    BadValue(&'static str),
    #[error("failed to start the runtime: {0}")]
    Runtime(io::Error),
    #[error("failed to listen: {0}")]
    Listen(io::Error),
}

impl Error {
    /// The documented exit code of this failure.
    fn exit(&self) -> Exit {
        match self {
            Error::ReadTopology { .. } | Error::ParseTopology { .. } | Error::BadValue(_) => {
                Exit::Usage
            }
            Error::Runtime(_) | Error::Listen(_) => Exit::Startup,
        }
    }
}

/// Reports a failure on stderr and returns its exit code.
fn fail(error: &Error) -> ExitCode {
    eprintln!("reference-server: {error}");
    error.exit().into()
}

/// What `--mutant` names: a mutant, or `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MutantChoice {
    List,
    Run(Mutant),
}

/// `list` and every mutant's name, each with its description in `--help`.
fn mutant_parser() -> impl TypedValueParser<Value = MutantChoice> {
    let list = PossibleValue::new("list").help("print every mutant and exit");
    let mutants = Mutant::ALL
        .iter()
        .map(|m| PossibleValue::new(m.name()).help(m.description()));
    PossibleValuesParser::new(std::iter::once(list).chain(mutants)).map(|name: String| {
        Mutant::ALL
            .iter()
            .find(|m| m.name() == name)
            .map_or(MutantChoice::List, |&m| MutantChoice::Run(m))
    })
}

/// `--mutant list`: one line per mutant, its name and its description.
fn print_mutants() {
    let width = Mutant::ALL
        .iter()
        .map(|m| m.name().len())
        .max()
        .unwrap_or(0);
    for mutant in Mutant::ALL {
        println!("{:<width$}  {}", mutant.name(), mutant.description());
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // `--help` and `--version` come here too, to be printed on stdout.
            let _ = error.print();
            return if error.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            }
            .into();
        }
    };
    if cli.mutant == Some(MutantChoice::List) {
        print_mutants();
        return Exit::Success.into();
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = config(cli).and_then(|config| {
        let runtime = tokio::runtime::Runtime::new().map_err(Error::Runtime)?;
        runtime.block_on(run(config))
    });
    match result {
        Ok(()) => Exit::Success.into(),
        Err(error) => fail(&error),
    }
}

fn config(cli: Cli) -> Result<Config, Error> {
    let topology = match cli.topology {
        None => Topology::default_captures(),
        Some(path) => {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(source) => return Err(Error::ReadTopology { path, source }),
            };
            Topology::parse(&text).map_err(|source| Error::ParseTopology { path, source })?
        }
    };
    if !(cli.churn.is_finite() && cli.churn >= 0.0) {
        return Err(Error::BadValue("--churn must be a number ≥ 0"));
    }
    if !(0.0..=1.0).contains(&cli.query_rate) {
        return Err(Error::BadValue("--query-rate must be between 0 and 1"));
    }
    Ok(Config {
        listen: cli.listen,
        mysql: match cli.mysql_listen {
            Some(addr) => MysqlListen::First(addr),
            None => MysqlListen::Topology,
        },
        topology,
        sessions: cli.sessions,
        seed: cli.seed,
        clock: cli.clock,
        profile: cli.profile,
        admin: cli.admin,
        basic: cli.basic,
        workload: Workload {
            churn_per_second: cli.churn,
            query_rate: cli.query_rate,
        },
        mutant: match cli.mutant {
            Some(MutantChoice::Run(mutant)) => Some(mutant),
            Some(MutantChoice::List) | None => None,
        },
    })
}

async fn run(config: Config) -> Result<(), Error> {
    let (clock, profile, sessions) = (config.clock, config.profile, config.sessions);
    let mutant = config.mutant.map(Mutant::name);
    let server = Server::start(config).await.map_err(Error::Listen)?;
    println!("listening on {}", server.url());
    for (name, addr) in server.mysql_addrs() {
        println!("listener {name} on mysql://{addr}");
    }
    tracing::info!(
        ?clock,
        ?profile,
        sessions,
        mutant,
        "serving /v1/sessions; control API under /_sim/"
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::error!(%error, "cannot wait for Ctrl-C");
    }
    tracing::info!("shutting down");
    server.stop().await;
    Ok(())
}
