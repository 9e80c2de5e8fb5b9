//! The one error type of the command line and the one table of exit codes. Every command ends
//! in [`Exit`]: a verdict (`Passed`, `Failed`) or an [`Error`], whose [`Error::exit`] is the only
//! way from an error to a code.

use crate::scenario::ScenarioError;
use crate::schemas::SchemaError;

/// The exit codes, shown at the end of every `--help`.
pub const EXIT_CODES: &str = "Exit codes:
  0  the target conforms: every scenario passed (skips and known deviations allowed), every
     property held, every load threshold was met with no check broken
  1  a conformance failure: a finding, a broken property or load check, a threshold missed, a
     document breaking its schema (validate), a surviving mutant (conform --mutants), a
     population the target would not build (load)
  2  usage error: bad arguments (a --target that cannot be honoured, --timeout 0), bad YAML, an
     unknown scenario, a schema error, a file that cannot be read or written
  3  the target refuses connections or does not speak HTTP";

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything conforms.
    Passed = 0,
    /// A conformance failure.
    Failed = 1,
    /// Usage, scenario, schema or file error.
    Usage = 2,
    /// The target refuses connections or does not speak HTTP.
    Unreachable = 3,
}

impl Exit {
    /// `Passed` when `passed`, else `Failed`.
    pub fn verdict(passed: bool) -> Exit {
        if passed {
            Exit::Passed
        } else {
            Exit::Failed
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(exit as u8)
    }
}

/// Why a command could not reach its verdict.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The arguments make no sense together, or a value is out of range.
    #[error("{0}")]
    Usage(String),
    /// The scenarios could not be loaded: see [`ScenarioError`].
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The schemas could not be loaded or compiled: see [`SchemaError`].
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// The target refuses the connection or does not answer in HTTP.
    #[error("target {url} is unreachable or does not speak HTTP: {message}")]
    Unreachable {
        /// The target's base URL.
        url: String,
        /// What the connection attempt or the answer came to.
        message: String,
    },
    /// The target answers, but lacks what the command needs (a session source that can open
    /// sessions, say).
    #[error("{0}")]
    Unsupported(String),
    /// The target answered, but the sessions a command needs could not be made on it.
    #[error("failed to build the population: {0}")]
    Population(String),
    /// The embedded reference server could not start.
    #[error("failed to start the embedded reference server: {0}")]
    Embedded(std::io::Error),
    /// The Tokio runtime could not be built.
    #[error("failed to start a Tokio runtime: {0}")]
    Runtime(std::io::Error),
    /// A file the command reads (a document to validate, a replay file) could not be read or
    /// understood.
    #[error("failed to read {path}: {message}")]
    Read {
        /// The file, as given.
        path: String,
        /// Why it could not be read or understood.
        message: String,
    },
    /// A report, a replay file or their directory could not be written.
    #[error("failed to write {path}: {source}")]
    Write {
        /// The file or directory, as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The property search stopped without a verdict.
    #[error("proptest gave up: {0}")]
    Aborted(String),
}

impl Error {
    /// The exit code this error means.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Unreachable { .. } => Exit::Unreachable,
            Error::Population(_) => Exit::Failed,
            _ => Exit::Usage,
        }
    }
}
