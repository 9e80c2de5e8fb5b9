//! The command line of `harness load` and `harness report merge`: their arguments, laid over a
//! workload profile. Exit codes are the harness's one table (`error::EXIT_CODES`).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::config::{LoadConfig, LoadReportSpec, MixSetting, Output, Settings};
use super::report::{console, json};
use super::threshold::Threshold;
use super::{exit, merge, profile, run};
use crate::embedded::EmbeddedClock;
use crate::error::{Error, Exit};
use crate::schemas::SchemaSet;
use crate::setup::{runtime, Setup, TargetArgs};

/// The arguments of `harness load`; each overrides the workload profile's value.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// A named workload profile (a file of scenarios/load/ without .yaml: smoke, steady-10k,
    /// resident-100k) or a profile file; flags given with it win.
    #[arg(value_name = "PROFILE_NAME")]
    workload: Option<String>,
    /// The target (default: the embedded reference server on a real clock); a workload
    /// profile's seed and timeout give way to --seed and --timeout.
    #[command(flatten)]
    target: TargetArgs,
    /// Sessions to build and keep (opened through the session source) [default: 1000].
    #[arg(long, value_name = "N")]
    sessions: Option<usize>,
    /// How long the load runs: 30s, 500ms, 2m [default: 10s].
    #[arg(long, value_name = "D")]
    duration: Option<String>,
    /// Sessions arriving, and as many leaving, per second (needs a session source that opens
    /// sessions) [default: 0].
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
    /// Validate the schema of one get-all body in N (every other body always) [default: 10].
    #[arg(long, value_name = "N")]
    list_sample: Option<u32>,
}

/// The subcommands of `harness report`.
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Adds the JSON reports of load runs (several machines, same time): histograms and
    /// counts add; prints the merged summary.
    #[command(after_help = crate::error::EXIT_CODES)]
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
pub fn load(args: LoadArgs, schemas: SchemaSet) -> Result<Exit, Error> {
    let (config, workload) = config(args, schemas).map_err(Error::Usage)?;
    if let Some(line) = workload {
        println!("{line}");
    }
    let report = runtime()?.block_on(run(&config, &mut std::io::stdout()))?;
    Ok(exit(&report))
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
        seed: args.target.seed,
        list_sample: args.list_sample,
        timeout: args.target.timeout.map(|t| t.as_secs_f64()),
    };
    let defaults = Setup {
        clock: EmbeddedClock::Real,
        ..Setup::defaults(args.target.profile, 0)
    };
    let setup = Setup::from_args(args.target, schemas, defaults);
    let output = Output {
        reports: args.report,
        progress: true,
    };
    Ok((LoadConfig::new(flags.over(base), setup, output)?, workload))
}

/// `harness report …`.
pub fn report(command: ReportCommand) -> Result<Exit, Error> {
    match command {
        ReportCommand::Merge(args) => merge_files(&args).map_err(Error::Usage),
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
