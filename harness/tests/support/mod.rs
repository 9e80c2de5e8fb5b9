//! Shared test support: the harness binary run as a user runs it, from the workspace root, and
//! its output as text.

#![allow(dead_code)] // Each test crate uses its own part of the support module.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The workspace root, where the commands run (so `fixtures/…` and `scenarios/…` resolve).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `harness ARGS…` from the workspace root and waits for it.
pub fn harness(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_harness"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the harness binary runs")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
