//! `harness`: checks implementations of the MaxScale REST API session resource.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use harness::load;
use harness::mutants;
use harness::profile::Profile;
use harness::props;
use harness::report::ReportSpec;
use harness::run::{self, Exit, Options, RunError};
use harness::schemas::{SchemaError, SchemaSet};
use harness::target::Credentials;

/// The exit codes, at the end of every `--help`.
const EXIT_CODES: &str = "Exit codes:
  0  everything conforms (skipped scenarios and known deviations allowed)
  1  a conformance failure (validate: a document breaks its schema; conform --mutants: the
     faithful server fails or a mutant survives)
  2  usage or scenario error: bad arguments, bad YAML, unknown scenario, schema error
  3  the target refuses connections or does not speak HTTP";

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
        #[arg(long, conflicts_with_all = ["target", "update_snapshots", "report"])]
        mutants: bool,
    },
    /// Property test of PATCH, restart and kill-with-ttl: random sequences against a model of
    /// the spec, a failure shrunk to numbered curl lines and a replay file.
    ///
    /// Needs the simulator's control API; without --target the reference server is started
    /// in-process on a virtual clock. One seed drives every random choice (printed).
    Props(PropsArgs),
    /// Load simulation: builds a population of sessions, keeps churn going, drives REST traffic
    /// (open model with --rate, closed with --concurrency), checks every answer, and prints
    /// latency percentiles per operation; thresholds set the exit code.
    ///
    /// Without --target the reference server is started in-process on a real clock.
    #[command(after_help = load::cli::EXIT_CODES)]
    Load(load::cli::LoadArgs),
    /// Works on reports: `merge` adds the JSON reports of load runs.
    Report {
        #[command(subcommand)]
        command: load::cli::ReportCommand,
    },
}

/// The options of `props`.
#[derive(Debug, Args)]
struct PropsArgs {
    /// Base URL of the target (`http://host:8989`); default: the embedded reference server.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// Which answers the target is held to (a replay file names its own).
    #[arg(long, value_enum, default_value_t = Profile::Maxscale2402)]
    profile: Profile,
    /// The read-write account.
    #[arg(long, default_value = "admin")]
    user: String,
    #[arg(long, default_value = "mariadb")]
    password: String,
    /// Seconds each request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// How many cases to run; the rate (cases per second) is printed.
    #[arg(long, value_name = "N", default_value_t = 64)]
    cases: u32,
    /// The seed of every random choice (and of the embedded server); default: a random one.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Each case has 1 to K transitions.
    #[arg(long, value_name = "K", default_value_t = 24)]
    max_steps: usize,
    /// Run the sequence of a replay file once instead of searching.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["seed", "cases", "max_steps", "profile"])]
    replay: Option<PathBuf>,
    /// Run the embedded server with one deliberate defect.
    #[arg(long, value_enum, value_name = "NAME", conflicts_with = "target")]
    mutant: Option<reference_server::Mutant>,
}

/// The options of `run` and `conform`.
#[derive(Debug, Args)]
struct RunArgs {
    /// Base URL of the target (`http://host:8989`); default: the embedded reference server.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// Which answers the target is held to.
    #[arg(long, value_enum, default_value_t = Profile::Maxscale2402)]
    profile: Profile,
    /// The read-write account.
    #[arg(long, default_value = "admin")]
    user: String,
    /// The read-write account's password.
    #[arg(long, default_value = "mariadb")]
    password: String,
    /// The read-only account; scenarios that need one are skipped without it.
    #[arg(long, requires = "basic_password")]
    basic_user: Option<String>,
    /// The read-only account's password.
    #[arg(long, requires = "basic_user")]
    basic_password: Option<String>,
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
    /// Seconds each request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// Seed of randomised checks (reserved) and of the embedded server; printed in the summary.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let set = match &cli.schemas {
        Some(dir) => match SchemaSet::from_dir(dir) {
            Ok(set) => set,
            Err(error) => return usage_error(&error),
        },
        None => SchemaSet::embedded(),
    };
    match cli.command {
        Command::Schemas => {
            for path in set.paths() {
                println!("{path}");
            }
            ExitCode::SUCCESS
        }
        Command::Validate {
            schema,
            profile,
            files,
        } => validate(&set, &schema, profile, &files),
        Command::Run { run, scenarios } => {
            let Some(options) = options(run, set) else {
                return ExitCode::from(Exit::Usage as u8);
            };
            finish(block_on(async {
                let files = run::select(&options, &scenarios)?;
                judge(&files, &options).await
            }))
        }
        Command::Conform { run, mutants } => {
            let Some(options) = options(run, set) else {
                return ExitCode::from(Exit::Usage as u8);
            };
            let result = block_on(async {
                let files = run::catalog(&options)?.all().to_vec();
                if mutants {
                    kill_table(&files, &options).await
                } else {
                    judge(&files, &options).await
                }
            });
            finish(result.map(|exit| match mutants {
                true => exit,
                false => props::after_conform(exit, &options, &mut std::io::stdout()),
            }))
        }
        Command::Props(args) => props_command(args, set),
        Command::Load(args) => ExitCode::from(load::cli::load(args, set) as u8),
        Command::Report { command } => ExitCode::from(load::cli::report(command) as u8),
    }
}

/// `harness props`: a search, or one replay file.
fn props_command(args: PropsArgs, schemas: SchemaSet) -> ExitCode {
    let Ok(timeout) = Duration::try_from_secs_f64(args.timeout) else {
        eprintln!("harness: --timeout takes a number of seconds ≥ 0");
        return ExitCode::from(Exit::Usage as u8);
    };
    let seed = args.seed.unwrap_or_else(|| {
        use std::hash::{BuildHasher, Hasher};
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
    });
    let options = Options {
        target: args.target,
        admin: Credentials {
            user: args.user,
            password: args.password,
        },
        timeout,
        schemas,
        ..Options::defaults(args.profile, seed)
    };
    let mut stdout = std::io::stdout();
    let report = match &args.replay {
        Some(file) => props::replay::Replay::read(file)
            .and_then(|replay| props::replay(&options, &replay, args.mutant, &mut stdout)),
        None => {
            let settings = props::Settings {
                cases: args.cases,
                max_steps: args.max_steps,
                seed,
                mutant: args.mutant,
                shrink_iters: None,
                replay_dir: Some(PathBuf::from(".")),
            };
            props::run(&options, &settings, &mut stdout)
        }
    };
    match report {
        Ok(report) if report.passed() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(Exit::Failed as u8),
        Err(error) => {
            eprintln!("harness: {error}");
            ExitCode::from(error.exit() as u8)
        }
    }
}

/// The run's options from the command line; `None` (after a message) when they make no sense.
fn options(args: RunArgs, schemas: SchemaSet) -> Option<Options> {
    let Ok(timeout) = Duration::try_from_secs_f64(args.timeout) else {
        eprintln!("harness: --timeout takes a number of seconds ≥ 0");
        return None;
    };
    Some(Options {
        target: args.target,
        profile: args.profile,
        admin: Credentials {
            user: args.user,
            password: args.password,
        },
        basic: args
            .basic_user
            .zip(args.basic_password)
            .map(|(user, password)| Credentials { user, password }),
        scenarios: args.scenario_dir,
        snapshots: args.snapshots,
        update_snapshots: args.update_snapshots,
        reports: args.report,
        timeout,
        seed: args.seed,
        schemas,
    })
}

async fn judge(
    files: &[harness::scenario::ScenarioFile],
    options: &Options,
) -> Result<Exit, RunError> {
    let report = run::judge(files, options, &mut std::io::stdout()).await?;
    Ok(if report.passed() {
        Exit::Passed
    } else {
        Exit::Failed
    })
}

async fn kill_table(
    files: &[harness::scenario::ScenarioFile],
    options: &Options,
) -> Result<Exit, RunError> {
    let mut stdout = std::io::stdout();
    let _ = write!(stdout, "{}", mutants::heading());
    let rows = mutants::kill_table(files, options, &mut |row| {
        let _ = write!(std::io::stdout(), "{}", mutants::line(row));
    })
    .await?;
    let _ = write!(stdout, "{}", mutants::summary(&rows));
    Ok(if rows.iter().all(mutants::Row::as_required) {
        Exit::Passed
    } else {
        Exit::Failed
    })
}

fn block_on<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts")
        .block_on(future)
}

fn finish(result: Result<Exit, RunError>) -> ExitCode {
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(error) => {
            eprintln!("harness: {error}");
            ExitCode::from(error.exit() as u8)
        }
    }
}

fn validate(set: &SchemaSet, name: &str, profile: Profile, files: &[PathBuf]) -> ExitCode {
    let schema = match set.compile(name, profile.name()) {
        Ok(schema) => schema,
        Err(error) => return usage_error(&error),
    };
    let mut broken = 0;
    for file in files {
        let shown = file.display();
        let document = match read_document(file) {
            Ok(document) => document,
            Err(message) => {
                eprintln!("harness: {shown}: {message}");
                return ExitCode::from(2);
            }
        };
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
    if broken == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn read_document(file: &PathBuf) -> Result<serde_json::Value, String> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| e.to_string())?
    } else {
        std::fs::read_to_string(file).map_err(|e| e.to_string())?
    };
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

fn usage_error(error: &SchemaError) -> ExitCode {
    eprintln!("harness: {error}");
    ExitCode::from(2)
}
