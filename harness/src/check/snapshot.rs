//! Snapshots: a body, redacted ([`super::redact`]), compared with `DIR/<scenario>/<name>.json`,
//! or written there with `--update-snapshots`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::diff::{json_diff, pretty};
use super::redact::redact;
use super::{Failure, Reply};
use crate::scenario::model::Scenario;

/// The snapshot directory of a run.
#[derive(Debug, Clone)]
pub struct Snapshots {
    dir: PathBuf,
    update: bool,
}

impl Snapshots {
    /// Snapshots in `dir`; with `update`, a differing or missing one is (re)written, not a failure.
    pub fn new(dir: &Path, update: bool) -> Snapshots {
        Snapshots {
            dir: dir.to_path_buf(),
            update,
        }
    }

    /// Where a scenario's snapshot of this name lives.
    pub fn path(&self, scenario: &str, name: &str) -> PathBuf {
        self.dir.join(scenario).join(format!("{name}.json"))
    }

    /// The failure, if the redacted body differs from the stored snapshot (or none is stored).
    pub fn check(&self, scenario: &Scenario, name: &str, reply: &Reply<'_>) -> Option<Failure> {
        let check = format!("snapshot {name}");
        let path = self.path(&scenario.name, name);
        let shown = path.display();
        let mut actual = match &reply.json {
            Ok(doc) => doc.clone(),
            Err(why) => return Some(Failure::new(check, "a JSON body", why.clone())),
        };
        redact(&mut actual, &scenario.redact);
        if self.update {
            return self.write(&path, &actual).err().map(|e| {
                Failure::new(
                    check,
                    format!("{shown} written"),
                    format!("failed to write it: {e}"),
                )
            });
        }
        let stored = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Some(Failure::new(
                    check,
                    format!("the snapshot {shown}"),
                    "no such file: run again with --update-snapshots to create it",
                ))
            }
            Err(e) => {
                return Some(Failure::new(
                    check,
                    format!("the snapshot {shown}"),
                    format!("failed to read it: {e}"),
                ))
            }
        };
        let expected: Value = match serde_json::from_str(&stored) {
            Ok(value) => value,
            Err(e) => {
                return Some(Failure::new(
                    check,
                    format!("the snapshot {shown}"),
                    format!("it is not JSON: {e}"),
                ))
            }
        };
        (expected != actual).then(|| {
            Failure::new(
                check,
                format!(
                    "the body equal to {shown} after redaction (--update-snapshots accepts it)"
                ),
                json_diff(&expected, &actual),
            )
        })
    }

    /// Writes a snapshot unless it already holds the same document.
    fn write(&self, path: &Path, value: &Value) -> std::io::Result<()> {
        let text = pretty(value);
        if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    }
}
