//! The reports of a run: the console's lines ([`console`]), JUnit XML ([`junit`]) and one JSON
//! document ([`json`]). All render the same [`RunReport`], so their numbers agree.

pub mod console;
pub mod json;
pub mod junit;

use std::path::PathBuf;
use std::str::FromStr;

use crate::outcome::RunReport;

/// Indentation of the evidence under a line.
pub(crate) const INDENT: &str = "      ";

/// A report file to write: `junit:FILE` or `json:FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    /// The file's format.
    pub kind: ReportKind,
    /// Where the file is written.
    pub path: PathBuf,
}

/// The formats of report files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// JUnit XML: one test case per scenario.
    Junit,
    /// The whole run as one JSON document.
    Json,
}

impl FromStr for ReportSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<ReportSpec, String> {
        let (kind, path) = text
            .split_once(':')
            .filter(|(_, path)| !path.is_empty())
            .ok_or_else(|| format!("expected KIND:FILE (junit:FILE or json:FILE), got '{text}'"))?;
        let kind = match kind {
            "junit" => ReportKind::Junit,
            "json" => ReportKind::Json,
            other => return Err(format!("unknown report kind '{other}' (junit or json)")),
        };
        Ok(ReportSpec {
            kind,
            path: PathBuf::from(path),
        })
    }
}

/// Writes one report file.
pub fn write(spec: &ReportSpec, run: &RunReport) -> std::io::Result<()> {
    let text = match spec.kind {
        ReportKind::Junit => junit::render(run),
        ReportKind::Json => json::render(run),
    };
    std::fs::write(&spec.path, text)
}
