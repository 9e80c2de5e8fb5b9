//! `harness load`: a load simulation with thousands of synthetic sessions. It builds a population
//! on the target through its session source, keeps churn going through the control API while
//! REST traffic runs in an open or closed model, judges every answer, records latencies in HDR
//! histograms, judges thresholds and writes reports. A run is bounded by its duration.
//!
//! ## Layout
//! - [`config`]: the settings (command line over profile), defaults, durations, report specs.
//! - [`profile`]: named workload profiles, the YAML files of `scenarios/load/`.
//! - [`op`]: the operations and the mix that weighs them.
//! - `population`: building the sessions, and the live and killed ids.
//! - `churn`: sessions arriving and leaving while the load runs.
//! - `driver`: the open and closed models, sending and recording each request.
//! - [`judge`]: every answer's checks and the invariants; violations with curl evidence.
//! - `histogram`: HDR latency histograms, their text form, per-second timelines.
//! - `threshold`: `get-one.p99<20ms`-style criteria.
//! - [`report`]: the run as one document — console summary, JSON, HTML.
//! - `merge`: adding the JSON reports of several machines.
//! - [`cli`]: the arguments of `harness load` and `harness report merge`, and their exit codes.

pub(crate) mod churn;
pub mod cli;
pub mod config;
pub(crate) mod driver;
pub(crate) mod histogram;
pub mod judge;
pub(crate) mod merge;
pub mod op;
pub(crate) mod population;
pub mod profile;
pub mod report;
pub(crate) mod threshold;

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::watch;

use crate::error::{Error, Exit};
use config::{LoadConfig, LoadReportKind};
use driver::Driver;
use judge::{Judge, Schemas};
use op::{Model, Operation};
use report::{LoadReport, FORMAT};

/// A whole load run, narrated on `out`: reach the target (or start the embedded reference server
/// on a real clock), build the population, drive the load with churn, then print the summary,
/// judge the thresholds and write the reports.
pub async fn run(config: &LoadConfig, out: &mut dyn Write) -> Result<LoadReport, Error> {
    let setup = &config.setup;
    let schemas = Schemas::compile(&setup.schemas, setup.profile)?;
    let connection = setup.connect().await?;
    let (target, source) = (&connection.target, &connection.source);
    let admin = &target.accounts().admin;
    let kind = if connection.embedded() {
        "the embedded reference server, real clock"
    } else {
        source.describe()
    };
    let _ = writeln!(
        out,
        "load: {} ({kind}), profile {}, seed {}",
        target.base(),
        setup.profile,
        setup.seed
    );
    let building = bar(
        config,
        config.sessions as u64,
        "population [{wide_bar}] {pos}/{len} sessions",
    );
    let (population, mut summary) = population::build(target, source, config.sessions, &mut |n| {
        building.set_position(n as u64)
    })
    .await
    .map_err(Error::Population)?;
    building.finish_and_clear();
    let _ = writeln!(
        out,
        "population: {} sessions ({} existing, {} created)",
        population.len(),
        summary.existing,
        summary.created
    );
    if !source.opens_sessions() {
        let _ = writeln!(
            out,
            "churn: unavailable, the target has no session source that opens sessions: the run \
             acts on the sessions that exist and cannot replace those it kills"
        );
    }
    if config.churn > 0.0 && config.mix.weight(Operation::GetAll) == 0 {
        let _ = writeln!(
            out,
            "note: the mix has no get-all, so nothing lists sessions during churn"
        );
    }
    // The filters the target lists, for PATCH bodies; none if it lists none.
    let filters = target.list("/v1/filters").await.unwrap_or_default();
    let _ = writeln!(
        out,
        "drive: {} for {} s, mix {}",
        config.model,
        config.duration.as_secs_f64(),
        config.mix
    );
    let population = Arc::new(population);
    let judge = Judge::new(
        schemas,
        setup.profile.rules(),
        Arc::clone(&population),
        matches!(config.model, Model::Closed { .. }),
        config.list_sample,
        target.base(),
    );
    let (stop, stopped) = watch::channel(false);
    let churn = source.opens_sessions().then(|| {
        tokio::spawn(churn::run(
            source.clone(),
            Arc::clone(&population),
            config.churn,
            config.sessions,
            setup.seed,
            stopped,
        ))
    });
    let driver = Arc::new(Driver::new(
        target.clone(),
        admin.clone(),
        config.mix.clone(),
        filters,
        population,
        judge,
    ));
    let progress = bar(
        config,
        config.duration.as_millis() as u64,
        "{elapsed_precise} [{wide_bar}] {msg}",
    );
    let ticker = tokio::spawn(tick(Arc::clone(&driver), progress.clone()));
    let elapsed = driver
        .drive(config.model, config.duration, setup.seed)
        .await;
    let _ = stop.send(true);
    let churn = match churn {
        Some(task) => task.await.unwrap_or_default(),
        None => report::Churn {
            rate: config.churn,
            ..report::Churn::default()
        },
    };
    ticker.abort();
    progress.finish_and_clear();
    let base = target.base().to_string();
    connection.close().await;
    let (operations, exhausted) = driver.finish(elapsed);
    summary.exhausted = exhausted;
    let (checks, violations, examples) = driver.judge().finish();
    let mut report = LoadReport {
        format: FORMAT.to_string(),
        target: base,
        profile: setup.profile.name().to_string(),
        seed: setup.seed,
        runs: 1,
        duration_s: config.duration.as_secs_f64(),
        elapsed_s: elapsed.as_secs_f64(),
        model: config.model,
        mix: config.mix.by_name(),
        population: summary,
        churn,
        operations: operations
            .into_iter()
            .map(|(op, numbers)| (op.name().to_string(), numbers))
            .collect(),
        checks,
        violations,
        examples,
        thresholds: Vec::new(),
    };
    report.thresholds = config.thresholds.iter().map(|t| t.judge(&report)).collect();
    let _ = write!(out, "\n{}", report::console::summary(&report));
    write_reports(config, &report)?;
    Ok(report)
}

/// Writes the report files a run asks for.
pub fn write_reports(config: &LoadConfig, report: &LoadReport) -> Result<(), Error> {
    for spec in &config.output.reports {
        let text = match spec.kind {
            LoadReportKind::Json => report::json::render(report),
            LoadReportKind::Html => report::html::render(report),
        };
        std::fs::write(&spec.path, text).map_err(|source| Error::Write {
            path: spec.path.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

/// The exit code a finished run earns: 0 when every threshold held and no check broke.
pub fn exit(report: &LoadReport) -> Exit {
    Exit::verdict(report.passed())
}

/// A progress bar on standard error, hidden when it is not a terminal or progress is off.
fn bar(config: &LoadConfig, length: u64, template: &str) -> ProgressBar {
    if !config.output.progress || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(length);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Moves the progress bar on five times a second.
async fn tick(driver: Arc<Driver>, bar: ProgressBar) {
    let mut interval = tokio::time::interval(Duration::from_millis(200));
    let start = std::time::Instant::now();
    loop {
        interval.tick().await;
        let p = driver.progress();
        let seconds = start.elapsed().as_secs_f64().max(0.001);
        bar.set_position(start.elapsed().as_millis() as u64);
        bar.set_message(format!(
            "{} requests, {:.0}/s, {} errors, {} violations",
            p.requests,
            p.requests as f64 / seconds,
            p.failed,
            p.violations
        ));
    }
}
