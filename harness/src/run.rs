//! A conformance run from start to end: load the scenarios, compile their schemas, reach the
//! target (or start the embedded reference server), run every scenario from a reset simulation,
//! print each outcome, write the reports, and say which exit code the run earns.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::check::schema::SchemaChecks;
use crate::check::snapshot::Snapshots;
use crate::error::Error;
use crate::exec::{self, Env};
use crate::outcome::{Counts, RunReport, ScenarioOutcome};
use crate::profile::Profile;
use crate::report::{self, console, ReportSpec};
use crate::scenario::{Catalog, ScenarioError, ScenarioFile};
use crate::schemas::SchemaError;
use crate::setup::{Connection, Setup};

/// How a run is made.
#[derive(Debug, Clone)]
pub struct Options {
    /// The target, its accounts and the embedded server's settings.
    pub setup: Setup,
    /// A directory of scenarios added to the built-in ones.
    pub scenarios: Option<PathBuf>,
    /// Where snapshots live, and whether to (re)write them.
    pub snapshots: Option<PathBuf>,
    /// Write the snapshots instead of comparing them.
    pub update_snapshots: bool,
    /// Report files to write besides the console's lines.
    pub reports: Vec<ReportSpec>,
}

impl Options {
    /// The command line's defaults: [`Setup::defaults`], no extra scenarios, snapshots or
    /// reports.
    pub fn defaults(profile: Profile, seed: u64) -> Options {
        Options {
            setup: Setup::defaults(profile, seed),
            scenarios: None,
            snapshots: None,
            update_snapshots: false,
            reports: Vec::new(),
        }
    }

    /// The profile the target is held to.
    pub fn profile(&self) -> Profile {
        self.setup.profile
    }
}

/// The suite: the built-in scenarios plus those of `--scenarios DIR`.
pub fn catalog(options: &Options) -> Result<Catalog, ScenarioError> {
    let mut catalog = Catalog::embedded()?;
    if let Some(dir) = &options.scenarios {
        catalog.add_dir(dir)?;
    }
    Ok(catalog)
}

/// The scenarios `harness run` names: files, or names of the suite.
pub fn select(options: &Options, names: &[String]) -> Result<Vec<ScenarioFile>, ScenarioError> {
    let mut catalog = None;
    let mut files = Vec::new();
    for name in names {
        let path = Path::new(name);
        if path.is_file() {
            files.push(ScenarioFile::read(path)?);
            continue;
        }
        if catalog.is_none() {
            catalog = Some(self::catalog(options)?);
        }
        let found = catalog.as_ref().and_then(|c| c.get(name));
        files.push(
            found
                .cloned()
                .ok_or_else(|| ScenarioError::Unknown(name.clone()))?,
        );
    }
    Ok(files)
}

/// Compiles every schema the scenarios name, for the run's profile: once, before any request.
pub fn schemas(files: &[ScenarioFile], options: &Options) -> Result<SchemaChecks, SchemaError> {
    let names = files
        .iter()
        .flat_map(|f| &f.scenario.steps)
        .filter_map(|step| step.value.expect.schema.as_ref())
        .filter_map(|schema| schema.get(options.profile()))
        .map(String::as_str);
    SchemaChecks::compile(&options.setup.schemas, options.profile(), names)
}

/// Runs scenarios against a target, handing each outcome to `each` as it is known.
pub async fn run_all(
    files: &[ScenarioFile],
    schemas: &SchemaChecks,
    connection: &Connection,
    options: &Options,
    each: &mut dyn FnMut(&ScenarioOutcome),
) -> RunReport {
    let snapshots = options
        .snapshots
        .as_deref()
        .map(|dir| Snapshots::new(dir, options.update_snapshots));
    let env = Env {
        connection,
        schemas,
        snapshots: snapshots.as_ref(),
    };
    let mut outcomes = Vec::new();
    for file in files {
        let outcome = exec::run(file, &env).await;
        each(&outcome);
        outcomes.push(outcome);
    }
    RunReport {
        target: connection.target.base().to_string(),
        profile: options.profile().name().to_string(),
        seed: options.setup.seed,
        counts: Counts::of(&outcomes),
        scenarios: outcomes,
    }
}

/// A whole run as `harness run` and `harness conform` make it, printed to `out`: the header,
/// one outcome per scenario, the summary; then the reports.
pub async fn judge(
    files: &[ScenarioFile],
    options: &Options,
    out: &mut dyn Write,
) -> Result<RunReport, Error> {
    let schemas = schemas(files, options)?;
    let connection = options.setup.connect().await?;
    let header = console::header(files.len(), &connection);
    let _ = writeln!(out, "{header}");
    let run = run_all(files, &schemas, &connection, options, &mut |outcome| {
        let _ = write!(out, "{}", console::scenario(outcome));
    })
    .await;
    connection.close().await;
    let _ = write!(out, "{}", console::summary(&run));
    let snapshots = files
        .iter()
        .flat_map(|f| &f.scenario.steps)
        .filter(|step| step.value.expect.snapshot.is_some())
        .count();
    if snapshots > 0 && options.snapshots.is_none() {
        let _ = writeln!(
            out,
            "note: {snapshots} snapshot checks were not made (give --snapshots DIR)"
        );
    }
    for spec in &options.reports {
        report::write(spec, &run).map_err(|source| Error::Write {
            path: spec.path.display().to_string(),
            source,
        })?;
    }
    Ok(run)
}
