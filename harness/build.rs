//! Embeds every file of `../schemas/`, the conformance scenarios of `../scenarios/` (without
//! `scenarios/load/`) and the load profiles of `../scenarios/load/` in the binary, so the harness
//! works anywhere.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    // Read at run time, not with `env!`: a build script compiled in one checkout and reused from
    // a copied target directory must still embed the files of the checkout it builds.
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let manifest = manifest.as_path();
    embed(
        &manifest.join("../schemas"),
        &["json"],
        None,
        "embedded_schemas.rs",
    );
    embed(
        &manifest.join("../scenarios"),
        &["yaml", "yml"],
        Some("load"),
        "embedded_scenarios.rs",
    );
    embed(
        &manifest.join("../scenarios/load"),
        &["yaml", "yml"],
        None,
        "embedded_load_profiles.rs",
    );
}

/// Writes `OUT_DIR/out` as a slice of (path below `root`, text) for every file with one of the
/// extensions, skipping the top-level folder `skip`.
fn embed(root: &Path, extensions: &[&str], skip: Option<&str>, out: &str) {
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(root, extensions, &mut files);
    if let Some(skip) = skip {
        let skipped = root.join(skip);
        files.retain(|file| !file.starts_with(&skipped));
    }
    files.sort();
    let mut table = String::from("&[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file.strip_prefix(root).expect("below the root");
        let name = relative.to_string_lossy().replace('\\', "/");
        let absolute = file.canonicalize().expect("the file exists");
        writeln!(
            table,
            "    ({name:?}, include_str!({:?})),",
            absolute.display()
        )
        .unwrap();
    }
    table.push_str("]\n");
    let dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dir.join(out), table).expect("OUT_DIR is writable");
}

/// Every file below `dir` with one of the extensions.
fn collect(dir: &Path, extensions: &[&str], files: &mut Vec<PathBuf>) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, extensions, files);
        } else if path
            .extension()
            .is_some_and(|e| extensions.iter().any(|x| e == *x))
        {
            files.push(path);
        }
    }
}
