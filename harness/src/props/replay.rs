//! Replay files: a case as JSON — the seed, the profile, the population and the transitions —
//! written when a search fails and run again by `harness props --replay FILE`. The transitions
//! name sessions by their place in the population and filters by their place in the target's
//! list, so a file means the same on any target with the control API.
//! `harness/props-regressions/` keeps the ones the test suite replays.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::runner::admissible;
use super::transition::Transition;
use crate::error::Error;
use crate::profile::Profile;

/// A case to run again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// The search's seed, which also seeds the embedded server.
    pub seed: u64,
    /// The profile the target is held to.
    #[serde(with = "profile_name")]
    pub profile: Profile,
    /// How many sessions the case creates.
    pub sessions: usize,
    /// The case's steps, in order.
    pub transitions: Vec<Transition>,
    /// The deliberate defect of the embedded server the case was found against, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutant: Option<String>,
    /// What the case showed when it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

/// The most sessions a replay file may ask for.
const MAX_SESSIONS: usize = 100;

impl Replay {
    /// Reads a replay file and checks that its sequence is one the search could make.
    pub fn read(path: &Path) -> Result<Replay, Error> {
        let error = |message: String| Error::Read {
            path: path.display().to_string(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| error(e.to_string()))?;
        let replay: Replay = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
        if !(1..=MAX_SESSIONS).contains(&replay.sessions) {
            return Err(error(format!(
                "\"sessions\" must be 1 to {MAX_SESSIONS}, not {}",
                replay.sessions
            )));
        }
        admissible(replay.sessions, &replay.transitions).map_err(error)?;
        Ok(replay)
    }

    /// Writes the file, pretty-printed.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).expect("a replay serialises");
        text.push('\n');
        std::fs::write(path, text).map_err(|source| Error::Write {
            path: path.display().to_string(),
            source,
        })
    }

    /// The name a search gives the file of its failure.
    pub fn file_name(&self) -> PathBuf {
        PathBuf::from(format!("props-failure-{}.json", self.seed))
    }
}

/// A profile as its name (`maxscale-24.02`, `documented`).
mod profile_name {
    use clap::ValueEnum;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::profile::Profile;

    pub fn serialize<S: Serializer>(profile: &Profile, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(profile.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Profile, D::Error> {
        let name = String::deserialize(deserializer)?;
        Profile::from_str(&name, false).map_err(|_| {
            serde::de::Error::custom(format!(
                "unknown profile '{name}' (maxscale-24.02 or documented)"
            ))
        })
    }
}
