//! Reading a scenario file: YAML into the model (an error names file, line and column and shows
//! the offending lines), then the checks the types cannot express ([`super::validate`]).

use std::fmt;
use std::path::Path;

use super::model::Scenario;
use super::validate::{self, Problem};

/// A scenario with the file it came from.
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The file as shown in messages: a path, or `scenarios/…` for a built-in one.
    pub origin: String,
    /// The scenario as read and checked.
    pub scenario: Scenario,
}

/// Why a scenario cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// A scenario file or directory could not be read.
    #[error("failed to read {path}: {source}")]
    Read {
        /// The file or directory, as given.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not YAML, or not a scenario.
    #[error("{origin}:{line}:{column}: {message}\n{snippet}")]
    Yaml {
        /// The file, as shown in messages.
        origin: String,
        /// The line of the error, counted from 1.
        line: u64,
        /// The column of the error, counted from 1.
        column: u64,
        /// What the parser or the model says is wrong.
        message: String,
        /// The offending lines with a marker, as the YAML parser renders them.
        snippet: String,
    },
    /// The file is a well-formed scenario with steps that break the format's rules.
    #[error("{}", Problems(.0))]
    Invalid(Vec<Problem>),
    /// Two files define a scenario of the same name.
    #[error("scenario '{name}' is defined twice: in {first} and in {second}")]
    Clash {
        /// The name both use.
        name: String,
        /// The file that defines it first.
        first: String,
        /// The file that defines it again.
        second: String,
    },
    /// No scenario file or built-in scenario has the name given.
    #[error("no scenario named '{0}' (give a scenario file, or the `name` of a built-in scenario or of one in --scenarios DIR)")]
    Unknown(String),
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

impl ScenarioFile {
    /// Reads and checks one file.
    pub fn read(path: &Path) -> Result<ScenarioFile, ScenarioError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: origin.clone(),
            source,
        })?;
        ScenarioFile::parse(&origin, &text)
    }

    /// Parses and checks the text of a file.
    pub fn parse(origin: &str, text: &str) -> Result<ScenarioFile, ScenarioError> {
        let scenario: Scenario = serde_saphyr::from_str(text).map_err(|error| {
            let (line, column) = error
                .location()
                .map_or((0, 0), |at| (at.line(), at.column()));
            let options = serde_saphyr::render_options! { source_name: Some(origin) };
            ScenarioError::Yaml {
                origin: origin.to_string(),
                line,
                column,
                message: error.without_snippet().to_string(),
                snippet: error.render_with_options(options),
            }
        })?;
        let problems = validate::check(origin, &scenario);
        if !problems.is_empty() {
            return Err(ScenarioError::Invalid(problems));
        }
        Ok(ScenarioFile {
            origin: origin.to_string(),
            scenario,
        })
    }
}
