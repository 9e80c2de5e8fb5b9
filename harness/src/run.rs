//! A conformance run from start to end: load the scenarios, compile their schemas, reach the
//! target (or start the embedded reference server), run every scenario from a reset simulation,
//! print each outcome, write the reports, and say which exit code the run earns.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::check::schema::SchemaChecks;
use crate::check::snapshot::Snapshots;
use crate::embedded::Embedded;
use crate::exec::{self, Env};
use crate::outcome::{Counts, RunReport, ScenarioOutcome};
use crate::profile::Profile;
use crate::report::{self, console, ReportSpec};
use crate::scenario::{Catalog, ScenarioError, ScenarioFile};
use crate::schemas::{SchemaError, SchemaSet};
use crate::target::{Accounts, Credentials, Target, TargetError};

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every scenario passed (skips and known deviations allowed).
    Passed = 0,
    /// A conformance failure.
    Failed = 1,
    /// Usage or scenario error: bad YAML, unknown scenario, schema error.
    Usage = 2,
    /// The target refuses connections or does not speak HTTP.
    Unreachable = 3,
}

/// Why a run could not judge the target.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error("failed to start the embedded reference server: {0}")]
    Embedded(std::io::Error),
    #[error("failed to write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

impl RunError {
    /// The exit code this error means.
    pub fn exit(&self) -> Exit {
        match self {
            RunError::Target(_) => Exit::Unreachable,
            _ => Exit::Usage,
        }
    }
}

/// How a run is made.
#[derive(Debug, Clone)]
pub struct Options {
    /// The target's base URL; `None` starts the embedded reference server.
    pub target: Option<String>,
    pub profile: Profile,
    pub admin: Credentials,
    pub basic: Option<Credentials>,
    /// A directory of scenarios added to the built-in ones.
    pub scenarios: Option<PathBuf>,
    /// Where snapshots live, and whether to (re)write them.
    pub snapshots: Option<PathBuf>,
    pub update_snapshots: bool,
    pub reports: Vec<ReportSpec>,
    /// The timeout of each request.
    pub timeout: Duration,
    pub seed: u64,
    pub schemas: SchemaSet,
}

impl Options {
    /// The command line's defaults: the embedded reference server, admin / mariadb, no
    /// read-only account, no extra scenarios, snapshots or reports, 10 s per request, the
    /// built-in schemas.
    pub fn defaults(profile: Profile, seed: u64) -> Options {
        Options {
            target: None,
            profile,
            admin: Credentials {
                user: "admin".into(),
                password: "mariadb".into(),
            },
            basic: None,
            scenarios: None,
            snapshots: None,
            update_snapshots: false,
            reports: Vec::new(),
            timeout: Duration::from_secs(10),
            seed,
            schemas: SchemaSet::embedded(),
        }
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

/// The target a run judges, and the embedded server behind it when there is one.
pub struct Judged {
    pub target: Target,
    pub embedded: Option<Embedded>,
}

/// Reaches the given target, or starts the embedded reference server (with `mutant`, if any).
pub async fn reach(
    options: &Options,
    mutant: Option<reference_server::Mutant>,
) -> Result<Judged, RunError> {
    let (url, accounts, embedded) = match &options.target {
        Some(url) => {
            let accounts = Accounts {
                admin: options.admin.clone(),
                basic: options.basic.clone(),
            };
            (url.clone(), accounts, None)
        }
        None => {
            let embedded = Embedded::start(
                options.profile,
                options.admin.clone(),
                options.basic.clone(),
                options.seed,
                mutant,
            )
            .await
            .map_err(RunError::Embedded)?;
            (embedded.url(), embedded.accounts.clone(), Some(embedded))
        }
    };
    let target = Target::connect(&url, accounts, options.timeout).await?;
    Ok(Judged { target, embedded })
}

/// Compiles every schema the scenarios name, for the run's profile: once, before any request.
pub fn schemas(files: &[ScenarioFile], options: &Options) -> Result<SchemaChecks, SchemaError> {
    let names = files
        .iter()
        .flat_map(|f| &f.scenario.steps)
        .filter_map(|step| step.value.expect.schema.as_ref())
        .filter_map(|schema| schema.get(options.profile))
        .map(String::as_str);
    SchemaChecks::compile(&options.schemas, options.profile, names)
}

/// Runs scenarios against a target, handing each outcome to `each` as it is known.
pub async fn run_all(
    files: &[ScenarioFile],
    schemas: &SchemaChecks,
    target: &Target,
    options: &Options,
    each: &mut dyn FnMut(&ScenarioOutcome),
) -> RunReport {
    let snapshots = options
        .snapshots
        .as_deref()
        .map(|dir| Snapshots::new(dir, options.update_snapshots));
    let env = Env {
        target,
        profile: options.profile,
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
        target: target.base().to_string(),
        profile: options.profile.name().to_string(),
        seed: options.seed,
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
) -> Result<RunReport, RunError> {
    let schemas = schemas(files, options)?;
    let judged = reach(options, None).await?;
    let header = console::header(files.len(), &judged.target, options);
    let _ = writeln!(out, "{header}");
    let run = run_all(files, &schemas, &judged.target, options, &mut |outcome| {
        let _ = write!(out, "{}", console::scenario(outcome));
    })
    .await;
    if let Some(embedded) = judged.embedded {
        embedded.stop().await;
    }
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
        report::write(spec, &run).map_err(|source| RunError::Write {
            path: spec.path.display().to_string(),
            source,
        })?;
    }
    Ok(run)
}
