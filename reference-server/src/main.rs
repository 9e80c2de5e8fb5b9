//! `reference-server`: the MaxScale session resource on a simulated proxy, over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::Parser;
use reference_server::{
    ClockMode, Config, Credentials, Mutant, ProfileName, Server, Topology, Workload,
};

/// Sessions are many small allocations; mimalloc serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Serves the MaxScale 24.02 REST API session resource (/v1/sessions) on a deterministic
/// simulated proxy. Prints `listening on http://ADDR` first; the simulator's own control API
/// lives under /_sim/.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Address to listen on; port 0 picks a free port (see the first line printed).
    #[arg(long, default_value = "127.0.0.1:8989")]
    listen: SocketAddr,
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
    let cli = Cli::parse();
    if cli.mutant == Some(MutantChoice::List) {
        print_mutants();
        return ExitCode::SUCCESS;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let config = match config(cli) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("reference-server: {message}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("reference-server: failed to start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(config))
}

fn config(cli: Cli) -> Result<Config, String> {
    let topology = match &cli.topology {
        None => Topology::default_captures(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("failed to read {}: {e}", path.display()))?;
            Topology::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
    };
    if !(cli.churn.is_finite() && cli.churn >= 0.0) {
        return Err("--churn must be a number ≥ 0".into());
    }
    if !(0.0..=1.0).contains(&cli.query_rate) {
        return Err("--query-rate must be between 0 and 1".into());
    }
    Ok(Config {
        listen: cli.listen,
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

async fn run(config: Config) -> ExitCode {
    let (clock, profile, sessions) = (config.clock, config.profile, config.sessions);
    let mutant = config.mutant.map(Mutant::name);
    let server = match Server::start(config).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("reference-server: failed to listen: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on {}", server.url());
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
    ExitCode::SUCCESS
}
