//! `harness`: checks implementations of the MaxScale REST API session resource.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use harness::error::{Error, Exit, EXIT_CODES};
use harness::load;
use harness::mutants;
use harness::profile::Profile;
use harness::props;
use harness::report::ReportSpec;
use harness::run::{self, Options};
use harness::schemas::SchemaSet;
use harness::setup::{runtime, Setup, TargetArgs};

/// Conformance harness for the session resource of the MaxScale REST API (/v1/sessions).
#[derive(Debug, Parser)]
#[command(version, after_help = EXIT_CODES)]
struct Cli {
    /// Read the JSON Schemas from this directory instead of the ones built in.
    #[arg(long, global = true, value_name = "DIR")]
    schemas: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validates JSON documents against a named schema.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// The schema's name: a file of the schema directory without `.json`
        /// (`session-one`, `error`, `patch-session`, …); a profile's own file wins.
        #[arg(long)]
        schema: String,
        /// Which answers the documents are held to.
        #[arg(long, value_enum, default_value_t = Profile::Maxscale2402)]
        profile: Profile,
        /// The documents; `-` reads one from standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Lists the schema files.
    Schemas,
    /// Runs the named scenarios against a target.
    ///
    /// Without --target the reference server is started in-process (virtual clock, read-only
    /// account basic/basic-pw) and stopped at the end.
    #[command(after_help = EXIT_CODES)]
    Run {
        #[command(flatten)]
        run: RunArgs,
        /// Scenario files, or names of the built-in scenarios (and of --scenarios DIR).
        #[arg(required = true, value_name = "SCENARIO")]
        scenarios: Vec<String>,
    },
    /// Runs every scenario against a target: the conformance verdict.
    ///
    /// Without --target the reference server is started in-process (virtual clock, read-only
    /// account basic/basic-pw) and stopped at the end, so `harness conform` alone works
    /// anywhere.
    #[command(after_help = EXIT_CODES)]
    Conform {
        #[command(flatten)]
        run: RunArgs,
        /// Run the suite against the embedded server with every deliberate defect in turn and
        /// print the kill table; exit 0 only when the faithful server passes and every mutant
        /// is killed.
        #[arg(long, conflicts_with_all = ["target", "mutant", "update_snapshots", "report"])]
        mutants: bool,
    },
    /// Property test of PATCH, restart and kill-with-ttl: random sequences against a model of
    /// the spec, a failure shrunk to numbered curl lines and a replay file.
    ///
    /// Needs a session source that opens sessions; without --target the reference server is
    /// started in-process on a virtual clock. One seed drives every random choice (printed).
    #[command(after_help = EXIT_CODES)]
    Props(PropsArgs),
    /// Load simulation: builds a population of sessions, keeps churn going, drives REST traffic
    /// (open model with --rate, closed with --concurrency), checks every answer, and prints
    /// latency percentiles per operation; thresholds set the exit code.
    ///
    /// Without --target the reference server is started in-process on a real clock.
    #[command(after_help = EXIT_CODES)]
    Load(load::cli::LoadArgs),
    /// Works on reports: `merge` adds the JSON reports of load runs.
    #[command(after_help = EXIT_CODES)]
    Report {
        #[command(subcommand)]
        command: load::cli::ReportCommand,
    },
}

/// The options of `props`.
#[derive(Debug, Args)]
struct PropsArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// How many cases to run; the rate (cases per second) is printed.
    #[arg(long, value_name = "N", default_value_t = 64)]
    cases: u32,
    /// Each case has 1 to K transitions.
    #[arg(long, value_name = "K", default_value_t = 24)]
    max_steps: usize,
    /// Run the sequence of a replay file once instead of searching (its profile and seed are
    /// the file's).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["seed", "cases", "max_steps", "profile"])]
    replay: Option<PathBuf>,
    /// Where the replay file of a failure goes [default: harness-failures in the temporary directory].
    #[arg(long, value_name = "DIR")]
    failures: Option<PathBuf>,
}

/// The options of `run` and `conform`.
#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    target: TargetArgs,
    /// Also the scenarios of this directory (*.yaml, recursively, except DIR/load/).
    #[arg(long = "scenarios", value_name = "DIR")]
    scenario_dir: Option<PathBuf>,
    /// Compare named snapshots with DIR/<scenario>/<name>.json (after redaction).
    #[arg(long, value_name = "DIR")]
    snapshots: Option<PathBuf>,
    /// Write the snapshots instead of comparing them.
    #[arg(long, requires = "snapshots")]
    update_snapshots: bool,
    /// Also write a report: junit:FILE or json:FILE; repeatable.
    #[arg(long, value_name = "KIND:FILE")]
    report: Vec<ReportSpec>,
    /// Where the replay file of a failing property goes (conform) [default: harness-failures
    /// in the temporary directory].
    #[arg(long, value_name = "DIR")]
    failures: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let set = match &cli.schemas {
        Some(dir) => match SchemaSet::from_dir(dir) {
            Ok(set) => set,
            Err(error) => return finish(Err(error.into())),
        },
        None => SchemaSet::embedded(),
    };
    finish(match cli.command {
        Command::Schemas => {
            for path in set.paths() {
                println!("{path}");
            }
            Ok(Exit::Passed)
        }
        Command::Validate {
            schema,
            profile,
            files,
        } => validate(&set, &schema, profile, &files),
        Command::Run { run, scenarios } => {
            let options = options(run, set);
            block_on(async {
                let files = run::select(&options.run, &scenarios)?;
                judge(&files, &options.run).await
            })
        }
        Command::Conform { run, mutants } => conform(options(run, set), mutants),
        Command::Props(args) => props_command(args, set),
        Command::Load(args) => load::cli::load(args, set),
        Command::Report { command } => load::cli::report(command),
    })
}

/// A run's options, and where a failing property's replay file goes.
struct RunOptions {
    run: Options,
    failures: PathBuf,
}

/// The run's options from the command line.
fn options(args: RunArgs, schemas: SchemaSet) -> RunOptions {
    let defaults = Setup::defaults(args.target.profile, 0);
    RunOptions {
        run: Options {
            setup: Setup::from_args(args.target, schemas, defaults),
            scenarios: args.scenario_dir,
            snapshots: args.snapshots,
            update_snapshots: args.update_snapshots,
            reports: args.report,
        },
        failures: props::failures_dir(args.failures),
    }
}

/// `harness conform`: every scenario, then the properties; or the kill table.
fn conform(options: RunOptions, mutants: bool) -> Result<Exit, Error> {
    let scenarios = block_on(async {
        let files = run::catalog(&options.run)?.all().to_vec();
        if mutants {
            kill_table(&files, &options.run).await
        } else {
            judge(&files, &options.run).await
        }
    })?;
    if mutants {
        return Ok(scenarios);
    }
    Ok(props::after_conform(
        scenarios,
        &options.run.setup,
        &options.failures,
        &mut std::io::stdout(),
    ))
}

/// `harness props`: a search, or one replay file.
fn props_command(args: PropsArgs, schemas: SchemaSet) -> Result<Exit, Error> {
    let seed = args.target.seed.unwrap_or_else(|| {
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    });
    let defaults = Setup::defaults(args.target.profile, seed);
    let setup = Setup::from_args(args.target, schemas, defaults);
    let mut stdout = std::io::stdout();
    let report = match &args.replay {
        Some(file) => props::replay::Replay::read(file)
            .and_then(|replay| props::replay(&setup, &replay, &mut stdout)),
        None => {
            let settings = props::Settings {
                cases: args.cases,
                max_steps: args.max_steps,
                shrink_iters: None,
                replay_dir: Some(props::failures_dir(args.failures)),
            };
            props::run(&setup, &settings, &mut stdout)
        }
    }?;
    Ok(Exit::verdict(report.passed()))
}

async fn judge(
    files: &[harness::scenario::ScenarioFile],
    options: &Options,
) -> Result<Exit, Error> {
    let report = run::judge(files, options, &mut std::io::stdout()).await?;
    Ok(Exit::verdict(report.passed()))
}

async fn kill_table(
    files: &[harness::scenario::ScenarioFile],
    options: &Options,
) -> Result<Exit, Error> {
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "{}", mutants::heading());
    let rows = mutants::kill_table(files, options, &mut |row| {
        let _ = write!(std::io::stdout(), "{}", mutants::line(row));
    })
    .await?;
    let _ = write!(stdout, "{}", mutants::summary(&rows));
    Ok(Exit::verdict(rows.iter().all(mutants::Row::as_required)))
}

/// Runs a future on the harness's runtime.
fn block_on<T>(future: impl std::future::Future<Output = Result<T, Error>>) -> Result<T, Error> {
    runtime()?.block_on(future)
}

/// The one way from a command's result to the process's exit code.
fn finish(result: Result<Exit, Error>) -> ExitCode {
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            eprintln!("harness: {error}");
            error.exit().into()
        }
    }
}

fn validate(
    set: &SchemaSet,
    name: &str,
    profile: Profile,
    files: &[PathBuf],
) -> Result<Exit, Error> {
    let schema = set.compile(name, profile.name())?;
    let mut broken = 0;
    for file in files {
        let shown = file.display();
        let document = read_document(file).map_err(|message| Error::Read {
            path: shown.to_string(),
            message,
        })?;
        let violations = schema.violations(&document);
        if violations.is_empty() {
            println!("ok    {shown} ({})", schema.path());
        } else {
            broken += 1;
            println!("FAIL  {shown} ({})", schema.path());
            for violation in violations {
                println!("      {violation}");
            }
        }
    }
    Ok(Exit::verdict(broken == 0))
}

fn read_document(file: &PathBuf) -> Result<serde_json::Value, String> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| e.to_string())?
    } else {
        std::fs::read_to_string(file).map_err(|e| e.to_string())?
    };
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}
