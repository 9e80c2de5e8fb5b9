//! Named workload profiles: YAML files of `scenarios/load/` (built into the binary), or any file
//! given by path. A profile holds the same settings as the command line (`sessions`, `duration`,
//! `churn`, `rate` or `concurrency`, `mix`, `thresholds`, `seed`, `list-sample`, `timeout`) and a
//! `description`; flags given with it win.

use std::path::Path;

use super::config::Settings;

/// The profiles built into the binary, as (file name, text).
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_load_profiles.rs"));

/// The names of the built-in profiles.
pub fn names() -> Vec<&'static str> {
    EMBEDDED
        .iter()
        .map(|(file, _)| file.rsplit_once('.').map_or(*file, |(name, _)| name))
        .collect()
}

/// The settings of a profile: a file by its path, or a built-in profile by name.
pub fn find(name: &str) -> Result<Settings, String> {
    let path = Path::new(name);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("failed to read {}: {e}", path.display()))?;
        return parse(&path.display().to_string(), &text);
    }
    let built_in = EMBEDDED
        .iter()
        .find(|(file, _)| file.rsplit_once('.').is_some_and(|(stem, _)| stem == name));
    match built_in {
        Some((file, text)) => parse(&format!("scenarios/load/{file}"), text),
        None => Err(format!(
            "no load profile named '{name}' (built in: {}; or give a file)",
            names().join(", ")
        )),
    }
}

/// Parses a profile's text; an error names the file, line and column.
pub fn parse(origin: &str, text: &str) -> Result<Settings, String> {
    serde_saphyr::from_str(text).map_err(|error| {
        let (line, column) = error
            .location()
            .map_or((0, 0), |at| (at.line(), at.column()));
        format!("{origin}:{line}:{column}: {}", error.without_snippet())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::config::{LoadConfig, Output};
    use crate::profile::Profile;
    use crate::setup::Setup;

    #[test]
    fn every_built_in_profile_is_a_valid_run() {
        assert!(names().contains(&"smoke"));
        for name in names() {
            let settings = find(name).unwrap();
            assert!(settings.description.is_some(), "{name} has no description");
            let setup = Setup::defaults(Profile::Maxscale2402, 0);
            LoadConfig::new(settings, setup, Output::default())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn a_bad_profile_names_the_place() {
        let error = parse("p.yaml", "sessions: 10\nchurns: 5\n").unwrap_err();
        assert!(
            error.starts_with("p.yaml:2:1: unknown field `churns`"),
            "{error}"
        );
        assert!(find("no-such-profile")
            .unwrap_err()
            .contains("no load profile named 'no-such-profile' (built in: "));
    }
}
