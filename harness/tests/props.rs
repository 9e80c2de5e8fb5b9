//! `harness props` against the embedded reference server (virtual clock, so nothing sleeps): the
//! faithful server passes, every mutant that touches PATCH, restart or ttl fails with a violation
//! naming its rule — with the seed the faithful server passes —, the stored regression cases
//! replay, and replay files round-trip through the command line.

mod support;

use support::harness;

use std::path::{Path, PathBuf};

use harness::embedded::Mutant;
use harness::mutants;
use harness::profile::Profile;
use harness::props::replay::Replay;
use harness::props::transition::Transition;
use harness::props::{self, Report, Settings};
use harness::setup::Setup;

/// One seed for every run here: the faithful server passes it in both profiles, and each
/// mutant below fails it.
const SEED: u64 = 4;
const CASES: u32 = 24;
const STEPS: usize = 16;
/// Shrinking budget of a failing run: enough for a short case, small enough to stay fast.
const SHRINK: u32 = 48;

/// The mutants whose defect lies in PATCH, restart or ttl.
const MUTANTS: [&str; 8] = [
    "patch-ignores-log-info",
    "patch-accepts-unknown-filter",
    "filters-apply-while-busy",
    "restart-keeps-connections",
    "restart-all-skips-a-worker",
    "ttl-kills-at-once",
    "ttl-never-kills",
    "ttl-kills-a-tick-early",
];

/// The embedded server, with `mutant` if given, and the seed.
fn setup(profile: Profile, mutant: Option<Mutant>) -> Setup {
    Setup {
        mutant,
        ..Setup::defaults(profile, SEED)
    }
}

fn settings(replay_dir: Option<PathBuf>) -> Settings {
    Settings {
        cases: CASES,
        max_steps: STEPS,
        shrink_iters: Some(SHRINK),
        replay_dir,
    }
}

fn search(profile: Profile, mutant: Option<Mutant>) -> (Report, String) {
    let mut out = Vec::new();
    let report = props::run(&setup(profile, mutant), &settings(None), &mut out)
        .expect("the property run starts");
    (report, String::from_utf8(out).unwrap())
}

fn mutant(name: &str) -> Mutant {
    *Mutant::ALL
        .iter()
        .find(|m| m.name() == name)
        .unwrap_or_else(|| panic!("no mutant {name}"))
}

/// The spec section a mutant breaks, from `harness/mutants.yaml`: `spec §8.3` → `§8.3`.
fn section(m: Mutant) -> &'static str {
    mutants::expected_rule(m)
        .and_then(|rule| rule.strip_prefix("spec "))
        .unwrap_or_else(|| panic!("mutants.yaml cites no spec section for {}", m.name()))
}

fn regressions() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("props-regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("harness/props-regressions exists")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn the_faithful_server_passes_in_both_profiles_and_every_mutant_fails_with_that_seed() {
    for profile in Profile::ALL {
        let (report, out) = search(profile, None);
        assert!(report.passed(), "{profile}:\n{out}");
        assert_eq!(report.passed, CASES, "{out}");
        assert!(out.contains(&format!("seed {SEED}")), "{out}");
    }
    let mut problems = Vec::new();
    for name in MUTANTS {
        let m = mutant(name);
        let (report, out) = search(Profile::Maxscale2402, Some(m));
        let Some(failure) = &report.failure else {
            problems.push(format!("{name} survives {CASES} cases of seed {SEED}"));
            continue;
        };
        let violation = failure
            .violation
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: the minimal case did not reproduce:\n{out}"));
        if !mutants::cites(&violation.rule, section(m)) {
            problems.push(format!(
                "{name} fails, but on {} rather than {}:\n{out}",
                violation.rule,
                section(m)
            ));
        }
        // The report shows the minimal sequence as numbered curl lines.
        assert!(out.contains("    1. curl "), "{out}");
        assert!(
            failure.replay.transitions.len() <= 4,
            "{name} shrinks:\n{out}"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_regression_cases_pass_on_the_faithful_server_and_fail_on_their_mutant() {
    let files = regressions();
    assert!(files.len() >= MUTANTS.len(), "{files:?}");
    for file in files {
        let replay = Replay::read(&file).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let faithful = props::replay(&setup(replay.profile, None), &replay, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(faithful.passed(), "{}:\n{out}", file.display());
        let Some(name) = &replay.mutant else {
            continue;
        };
        let m = mutant(name);
        let mut out = Vec::new();
        let report = props::replay(&setup(replay.profile, Some(m)), &replay, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let violation = report
            .failure
            .and_then(|f| f.violation)
            .unwrap_or_else(|| panic!("{} passes on {name}:\n{out}", file.display()));
        assert!(mutants::cites(&violation.rule, section(m)), "{out}");
    }
}

#[test]
fn a_failure_writes_a_replay_file_that_reproduces_it_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let m = mutant("ttl-kills-at-once");
    let mut out = Vec::new();
    let report = props::run(
        &setup(Profile::Maxscale2402, Some(m)),
        &settings(Some(dir.path().to_path_buf())),
        &mut out,
    )
    .unwrap();
    let failure = report.failure.expect("the mutant fails");
    let file = failure.file.expect("a replay file is written");
    assert_eq!(file, dir.path().join(format!("props-failure-{SEED}.json")));

    // The file holds the minimal case, and reads back as written.
    let read = Replay::read(&file).unwrap();
    assert_eq!(read, failure.replay);
    assert_eq!(read.seed, SEED);
    assert_eq!(read.mutant.as_deref(), Some("ttl-kills-at-once"));
    let text = serde_json::to_string(&read).unwrap();
    assert_eq!(serde_json::from_str::<Replay>(&text).unwrap(), read);

    // `--replay` runs exactly that sequence: it fails on the mutant, passes on the faithful
    // server.
    let path = file.to_str().unwrap();
    let output = harness(&["props", "--replay", path, "--mutant", "ttl-kills-at-once"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("props: replaying"), "{stdout}");
    assert!(
        stdout.contains("    1. curl -u admin:mariadb -X DELETE"),
        "{stdout}"
    );
    assert!(stdout.contains("rule:    spec §8.3"), "{stdout}");
    let output = harness(&["props", "--replay", path]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_search_prints_its_seed_and_rate_and_a_bad_replay_file_exits_2() {
    let output = harness(&["props", "--cases", "3", "--max-steps", "4", "--seed", "9"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("(profile maxscale-24.02, seed 9)"),
        "{stdout}"
    );
    assert!(stdout.contains("props: 3 cases passed in "), "{stdout}");
    assert!(stdout.contains(" cases/s, seed 9)"), "{stdout}");

    // A sequence the generator could not make: `idle` for a session that is not busy.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    let bad = Replay {
        seed: 1,
        profile: Profile::Documented,
        sessions: 2,
        transitions: vec![Transition::Idle { session: 0 }],
        mutant: None,
        found: None,
    };
    bad.write(&file).unwrap();
    let output = harness(&["props", "--replay", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("transition 1 (idle #0)"), "{stderr}");
}
