//! The scenario index of `scenarios/README.md` is generated from the built-in catalogue, so it
//! cannot drift from the files it lists.
//!
//! The index is the block between `<!-- index:start -->` and `<!-- index:end -->`. This test
//! renders it from `Catalog::embedded()` and compares; with `UPDATE_INDEX=1` it rewrites the
//! block instead:
//!
//! ```sh
//! UPDATE_INDEX=1 cargo test -p harness --test scenario_index
//! ```

use std::path::PathBuf;

use harness::scenario::Catalog;

const START: &str = "<!-- index:start -->";
const END: &str = "<!-- index:end -->";

/// The index as a Markdown table: one row per scenario in catalogue (path) order, with its
/// file, rules, requirements and the profiles under which it is a known deviation.
fn index_markdown(catalog: &Catalog) -> String {
    let mut out = String::from("| file | rules | requires | known dev. |\n|---|---|---|---|\n");
    for file in catalog.all() {
        let scenario = &file.scenario;
        let path = file
            .origin
            .strip_prefix("scenarios/")
            .unwrap_or(&file.origin);
        let rules: Vec<String> = scenario.rules.iter().map(|r| short_rule(r)).collect();
        let requires: Vec<&str> = scenario.requires.iter().map(|r| r.name()).collect();
        // A profile with several known deviations (two doc-vs-code rows) is listed once.
        let mut deviations: Vec<&str> = Vec::new();
        for deviation in &scenario.known_deviations {
            if !deviations.contains(&deviation.profile.as_str()) {
                deviations.push(&deviation.profile);
            }
        }
        out.push_str(&format!(
            "| `{path}` | {} | {} | {} |\n",
            rules.join(", "),
            requires.join(", "),
            deviations.join(", ")
        ));
    }
    out
}

/// A rule as the index writes it: `spec §8.3` → `§8.3`, `doc-vs-code B11` → `B11`,
/// `maxctrl-sessions.md §2.1` → `maxctrl §2.1`.
fn short_rule(rule: &str) -> String {
    if let Some(section) = rule.strip_prefix("spec ") {
        section.to_string()
    } else if let Some(row) = rule.strip_prefix("doc-vs-code ") {
        row.to_string()
    } else if let Some(section) = rule.strip_prefix("maxctrl-sessions.md ") {
        format!("maxctrl {section}")
    } else {
        rule.to_string()
    }
}

fn readme() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/README.md")
}

#[test]
fn scenario_index_matches_the_catalogue() {
    let catalog = Catalog::embedded().expect("the built-in scenarios load");
    let rendered = index_markdown(&catalog);
    let path = readme();
    let text = std::fs::read_to_string(&path).expect("scenarios/README.md is readable");
    let start = text
        .find(START)
        .unwrap_or_else(|| panic!("{} has no `{START}` marker", path.display()));
    let end = text
        .find(END)
        .unwrap_or_else(|| panic!("{} has no `{END}` marker", path.display()));
    assert!(start < end, "`{START}` must come before `{END}`");
    let body_start = start + START.len();
    let current = text[body_start..end].trim_matches('\n');
    if current == rendered.trim_end() {
        return;
    }
    if std::env::var_os("UPDATE_INDEX").is_some_and(|v| v == "1") {
        let updated = format!("{}\n{}{}", &text[..body_start], rendered, &text[end..]);
        std::fs::write(&path, updated).expect("scenarios/README.md is writable");
        return;
    }
    panic!(
        "the scenario index in scenarios/README.md is out of date with the scenario files.\n\
         Regenerate it with:\n\n    UPDATE_INDEX=1 cargo test -p harness --test scenario_index\n\n\
         and review `git diff scenarios/README.md`.\n\nExpected:\n{rendered}"
    );
}
