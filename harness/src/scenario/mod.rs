//! Scenarios: the file format ([`model`]), reading and checking a file (`load`, `validate`),
//! and the catalogue of the suite — the files of `scenarios/` built into the binary, plus those of
//! a `--scenarios DIR`.

pub(crate) mod load;
pub mod model;
pub(crate) mod validate;

use std::path::Path;

pub use load::{ScenarioError, ScenarioFile};

/// The scenario files built into the binary, as (path below `scenarios/`, text).
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_scenarios.rs"));

/// A set of scenarios with distinct names, in the order of their files' paths.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    files: Vec<ScenarioFile>,
}

impl Catalog {
    /// The suite built into the binary.
    pub fn embedded() -> Result<Catalog, ScenarioError> {
        let mut catalog = Catalog::default();
        for (path, text) in EMBEDDED {
            catalog.add(ScenarioFile::parse(&format!("scenarios/{path}"), text)?)?;
        }
        Ok(catalog)
    }

    /// Adds every `*.yaml` (or `*.yml`) file below `dir`, except those under `dir/load/` (load
    /// scenarios are not conformance checks).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), ScenarioError> {
        let mut paths = Vec::new();
        collect(dir, &mut paths).map_err(|source| ScenarioError::Read {
            path: dir.display().to_string(),
            source,
        })?;
        let skipped = dir.join("load");
        paths.retain(|path| !path.starts_with(&skipped));
        paths.sort();
        for path in paths {
            self.add(ScenarioFile::read(&path)?)?;
        }
        Ok(())
    }

    /// Adds one scenario; its name must be new.
    pub fn add(&mut self, file: ScenarioFile) -> Result<(), ScenarioError> {
        if let Some(first) = self.get(&file.scenario.name) {
            return Err(ScenarioError::Clash {
                name: file.scenario.name.clone(),
                first: first.origin.clone(),
                second: file.origin,
            });
        }
        self.files.push(file);
        Ok(())
    }

    /// The scenario of that name.
    pub fn get(&self, name: &str) -> Option<&ScenarioFile> {
        self.files.iter().find(|file| file.scenario.name == name)
    }

    /// Every scenario.
    pub fn all(&self) -> &[ScenarioFile] {
        &self.files
    }
}

fn collect(dir: &Path, paths: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, paths)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            paths.push(path);
        }
    }
    Ok(())
}
