//! The command line of `harness load` and `harness report merge`: their arguments and what
//! each exits with (0 every threshold met and no check broken, 1 a threshold failed or a check
//! broke, 2 usage error, 3 target unreachable).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::config::{Connection, LoadConfig, LoadReportSpec, MixSetting, Settings};
use super::report::{console, json};
use super::threshold::Threshold;
use super::{exit, merge, profile, run};
use crate::profile::Profile;
use crate::run::Exit;
use crate::schemas::SchemaSet;
use crate::target::Credentials;

/// The exit codes, at the end of `harness load --help`.
pub const EXIT_CODES: &str = "Exit codes:
  0  every threshold met and no check broken
  1  a threshold failed or a check broke (a 5xx, a wrong status, a body breaking its schema,
     a killed session coming back), or the target could not list or create the sessions
  2  usage error: bad arguments, mix, threshold or profile
  3  the target refuses connections or does not speak HTTP";

/// The arguments of `harness load`; each overrides the workload profile's value.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// A named workload profile (a file of scenarios/load/ without .yaml: smoke, steady-10k,
    /// resident-100k) or a profile file; flags given with it win.
    #[arg(value_name = "PROFILE_NAME")]
    workload: Option<String>,
    /// Base URL of the target (`http://host:8989`); default: the embedded reference server on a
    /// real clock.
    #[arg(long, value_name = "URL")]
    target: Option<String>,
    /// Which answers the target is held to (the schemas bodies are validated against).
    #[arg(long, value_enum, default_value_t = Profile::Maxscale2402)]
    profile: Profile,
    /// The read-write account.
    #[arg(long, default_value = "admin")]
    user: String,
    /// The read-write account's password.
    #[arg(long, default_value = "mariadb")]
    password: String,
    /// Sessions to build and keep (created through the control API) [default: 1000].
    #[arg(long, value_name = "N")]
    sessions: Option<usize>,
    /// How long the load runs: 30s, 500ms, 2m [default: 10s].
    #[arg(long, value_name = "D")]
    duration: Option<String>,
    /// Sessions arriving, and as many leaving, per second (needs the control API) [default: 0].
    #[arg(long, value_name = "PER_SECOND")]
    churn: Option<f64>,
    /// Open model: this many requests per second on a fixed timetable.
    #[arg(long, value_name = "R", conflicts_with = "concurrency")]
    rate: Option<f64>,
    /// Closed model: this many workers in loops [default: 8].
    #[arg(long, value_name = "C")]
    concurrency: Option<usize>,
    /// Operation weights [default: get-all=1,get-one=20,patch=5,restart=1,kill=1].
    #[arg(long, value_name = "OP=W,...")]
    mix: Option<String>,
    /// A pass criterion: get-one.p99<20ms, get-all.p50<500ms, errors<1%, rate>1000/s;
    /// repeatable (replaces the profile's).
    #[arg(long = "threshold", value_name = "EXPR")]
    thresholds: Vec<String>,
    /// Also write a report: json:FILE or html:FILE; repeatable.
    #[arg(long, value_name = "KIND:FILE")]
    report: Vec<LoadReportSpec>,
    /// Seed of the traffic's random choices and of the embedded server [default: 0].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Validate the schema of one get-all body in N (every other body always) [default: 10].
    #[arg(long, value_name = "N")]
    list_sample: Option<u32>,
    /// Seconds each request may take [default: 60].
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
}

/// The subcommands of `harness report`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Adds the JSON reports of load runs (several machines, same time): histograms and
    /// counts add; prints the merged summary.
    Merge(MergeArgs),
}

/// The arguments of `harness report merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON load reports (`harness load --report json:FILE`).
    #[arg(required = true, value_name = "REPORT")]
    files: Vec<PathBuf>,
    /// Write the merged report here.
    #[arg(short, long, value_name = "OUT.json")]
    output: Option<PathBuf>,
    /// A pass criterion judged on the merged numbers; repeatable.
    #[arg(long = "threshold", value_name = "EXPR")]
    thresholds: Vec<String>,
}

/// `harness load`.
pub fn load(args: LoadArgs, schemas: SchemaSet) -> Exit {
    let (config, workload) = match config(args, schemas) {
        Ok(parts) => parts,
        Err(message) => {
            eprintln!("harness: {message}");
            return Exit::Usage;
        }
    };
    if let Some(line) = workload {
        println!("{line}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts");
    match runtime.block_on(run(&config, &mut std::io::stdout())) {
        Ok(report) => exit(&report),
        Err(error) => {
            eprintln!("harness: {error}");
            error.exit()
        }
    }
}

/// The run's configuration: the profile's settings under the flags'; and a line naming the
/// workload profile, if there is one.
fn config(args: LoadArgs, schemas: SchemaSet) -> Result<(LoadConfig, Option<String>), String> {
    let base = match &args.workload {
        Some(name) => profile::find(name)?,
        None => Settings::default(),
    };
    let workload = args.workload.as_ref().map(|name| match &base.description {
        Some(description) => format!("workload {name}: {description}"),
        None => format!("workload {name}"),
    });
    let flags = Settings {
        description: None,
        sessions: args.sessions,
        duration: args.duration,
        churn: args.churn,
        rate: args.rate,
        concurrency: args.concurrency,
        mix: args.mix.map(MixSetting::Text),
        thresholds: (!args.thresholds.is_empty()).then_some(args.thresholds),
        seed: args.seed,
        list_sample: args.list_sample,
        timeout: args.timeout,
    };
    let connection = Connection {
        target: args.target,
        profile: args.profile,
        admin: Credentials {
            user: args.user,
            password: args.password,
        },
        reports: args.report,
        schemas,
        progress: true,
    };
    Ok((LoadConfig::new(flags.over(base), connection)?, workload))
}

/// `harness report …`.
pub fn report(command: ReportCommand) -> Exit {
    match command {
        ReportCommand::Merge(args) => match merge_files(&args) {
            Ok(exit) => exit,
            Err(message) => {
                eprintln!("harness: {message}");
                Exit::Usage
            }
        },
    }
}

fn merge_files(args: &MergeArgs) -> Result<Exit, String> {
    let thresholds = args
        .thresholds
        .iter()
        .map(|t| t.parse::<Threshold>())
        .collect::<Result<Vec<_>, _>>()?;
    let reports = args
        .files
        .iter()
        .map(|file| json::read(file))
        .collect::<Result<Vec<_>, _>>()?;
    let mut merged = merge::merge(reports)?;
    merged.thresholds = thresholds.iter().map(|t| t.judge(&merged)).collect();
    print!("{}", console::summary(&merged));
    if let Some(path) = &args.output {
        std::fs::write(path, json::render(&merged))
            .map_err(|e| format!("failed to write {}: {e}", path.display()))?;
    }
    Ok(exit(&merged))
}
