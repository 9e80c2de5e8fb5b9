//! `harness conform` and `harness run` as a user and a CI job run them: the verdict on the
//! faithful reference server and on every mutant, the exit codes, the report files, snapshots,
//! and the console's rendering of a failure. The embedded server has a virtual clock, so nothing
//! here sleeps.

mod support;

use support::{harness, stderr, stdout};

use harness::mutants;
use harness::profile::Profile;
use harness::run::Options;
use harness::scenario::Catalog;
use reference_server::Mutant;

/// The test scenarios of `harness/tests/scenarios`.
const OWN: &str = "harness/tests/scenarios";

/// The numbers of the console's summary line (`N passed, N failed, N skipped, N known
/// deviations`), in that order.
fn summary_numbers(console: &str) -> [u64; 4] {
    let line = console
        .lines()
        .find(|line| line.contains(" passed, ") && line.contains(" known deviations"))
        .unwrap_or_else(|| panic!("no summary line in:\n{console}"));
    let numbers: Vec<u64> = line
        .split([' ', ','])
        .filter_map(|word| word.parse().ok())
        .collect();
    [numbers[0], numbers[1], numbers[2], numbers[3]]
}

/// The whole suite, with the suite's stored snapshots.
#[test]
fn the_faithful_server_conforms() {
    let output = harness(&["conform", "--snapshots", "scenarios/snapshots"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    let [passed, failed, _, _] = summary_numbers(&text);
    assert!(passed > 0, "{text}");
    assert_eq!(failed, 0, "{text}");
    assert!(text.contains("(seed 0)"), "{text}");
    assert!(!text.contains("snapshot checks were not made"), "{text}");
}

#[test]
fn the_documented_profile_conforms_too() {
    let output = harness(&[
        "conform",
        "--profile",
        "documented",
        "--snapshots",
        "scenarios/snapshots",
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        stderr(&output)
    );
}

/// Every mutant fails the suite, and among its findings one names the rule the mutant breaks:
/// the rule `harness/mutants.yaml` gives it, from the spec.
#[test]
fn every_mutant_is_killed_by_a_finding_that_names_its_rule() {
    let options = Options::defaults(Profile::Maxscale2402, 0);
    let files = Catalog::embedded().expect("the suite loads").all().to_vec();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rows = runtime
        .block_on(mutants::kill_table(&files, &options, &mut |_| {}))
        .expect("the kill table runs");
    assert_eq!(rows.len(), Mutant::ALL.len() + 1);
    let problems: Vec<String> = rows
        .iter()
        .filter(|row| !row.as_required())
        .map(|row| {
            let rules: Vec<&str> = row.findings.iter().map(|f| f.rule.as_str()).collect();
            match row.mutant {
                None => format!("the faithful server fails: {:?}", row.findings[0]),
                Some(m) => format!(
                    "{} is not killed by a finding naming {:?}: {rules:?}",
                    m.name(),
                    mutants::expected_rule(m)
                ),
            }
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_yaml_error_exits_2_naming_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(
        &file,
        "name: broken\ndescription: d\nrules: [\"spec §1\"]\nsteps:\n  - request: { method: GET, path: /v1/sessions\n",
    )
    .unwrap();
    let output = harness(&["run", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("{}:5:14: unclosed bracket", file.display())),
        "{message}"
    );
    assert!(message.contains(" | "), "the snippet is shown: {message}");
}

#[test]
fn a_step_breaking_the_format_exits_2_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("invalid.yaml");
    std::fs::write(
        &file,
        "name: invalid\ndescription: d\nrules: [\"spec §1\"]\nsteps:\n  - request: { method: GET, path: \"/v1/sessions/{{id}}\" }\n",
    )
    .unwrap();
    let output = harness(&["run", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!(
            "{}:5:5: step 1: unknown variable '{{{{id}}}}'",
            file.display()
        )),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_unknown_scenario_exits_2() {
    let output = harness(&["run", "no-such-scenario"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no scenario named 'no-such-scenario'"));
}

#[test]
fn a_name_clash_with_the_suite_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let suite = Catalog::embedded().unwrap();
    let taken = &suite.all()[0].scenario.name;
    std::fs::write(
        dir.path().join("twin.yaml"),
        format!("name: {taken}\ndescription: d\nrules: [\"spec §1\"]\nsteps:\n  - advance: 0\n"),
    )
    .unwrap();
    let output = harness(&["conform", "--scenarios", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!("scenario '{taken}' is defined twice")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_closed_port_exits_3() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let target = format!("http://127.0.0.1:{port}");
    let output = harness(&["conform", "--target", &target]);
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
    assert!(
        stderr(&output).contains(&format!("target {target} is unreachable")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_target_that_does_not_speak_http_exits_3() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!("http://{}", listener.local_addr().unwrap());
    // Answers every connection with a line that is not HTTP, then closes it.
    let server = std::thread::spawn(move || {
        use std::io::Write;
        if let Ok((mut stream, _)) = listener.accept() {
            let _ = stream.write_all(b"220 smtp.example ESMTP ready\r\n");
        }
    });
    let output = harness(&["run", "--target", &target, &format!("{OWN}/failing.yaml")]);
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(3), "{}", stdout(&output));
}

/// A target without the control API (here one that answers 404 to everything, as MaxScale
/// answers `GET /_sim`) skips the scenarios that need it, with the reason, and exits 0.
#[test]
fn scenarios_needing_the_control_api_are_skipped_on_other_targets() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target = format!("http://{}", listener.local_addr().unwrap());
    // Only the probe of `/_sim` reaches it: every scenario below is skipped.
    let server = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 1024];
        let _ = stream.read(&mut request);
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    let output = harness(&[
        "run",
        "--target",
        &target,
        "--scenarios",
        OWN,
        "t-passing",
        "t-basic",
    ]);
    server.join().unwrap();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("no control API, real clock"), "{text}");
    assert!(
        text.contains(
            "SKIP  t-passing  needs a session source that opens sessions, which the target lacks"
        ),
        "{text}"
    );
    assert!(
        text.contains("SKIP  t-basic  needs a read-only account"),
        "{text}"
    );
    assert_eq!(summary_numbers(&text), [0, 0, 2, 0]);
}

/// A report run against a reference server given as `--target` (so without `--basic-user`
/// the read-only scenario is skipped): passed, failed, skipped and known-deviation scenarios.
#[test]
fn reports_exist_parse_and_carry_the_consoles_numbers() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(start_server());
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    let json = dir.path().join("report.json");
    let output = harness(&[
        "run",
        "--target",
        &server.url(),
        "--scenarios",
        OWN,
        "--report",
        &format!("junit:{}", junit.display()),
        "--report",
        &format!("json:{}", json.display()),
        "t-passing",
        "t-failing",
        "t-basic",
        "t-deviation",
    ]);
    let console = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{console}");
    let numbers = summary_numbers(&console);
    assert_eq!(numbers, [1, 1, 1, 1], "{console}");

    let xml = std::fs::read_to_string(&junit).expect("the JUnit report exists");
    let report = quick_junit::Report::deserialize_from_str(&xml).expect("JUnit XML parses");
    let suite = &report.test_suites[0];
    assert_eq!(suite.tests, 4);
    assert_eq!(suite.failures as u64, numbers[1]);
    assert_eq!(suite.skipped as u64, numbers[2]);
    let property = |name: &str| -> u64 {
        let found = suite.properties.iter().find(|p| p.name.as_str() == name);
        found.unwrap().value.as_str().parse().unwrap()
    };
    let names = ["passed", "failed", "skipped", "known-deviations"];
    assert_eq!(names.map(property), numbers);
    let failed = suite
        .test_cases
        .iter()
        .find(|c| c.name.as_str() == "t-failing")
        .unwrap();
    let quick_junit::TestCaseStatus::NonSuccess { description, .. } = &failed.status else {
        panic!("t-failing is a failure: {:?}", failed.status);
    };
    let description = description.as_ref().unwrap().as_str();
    assert!(
        description.contains("rule:    spec §4.2 (deliberately wrong)"),
        "{description}"
    );
    assert!(
        description.contains("curl -u admin:mariadb"),
        "{description}"
    );

    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("the JSON report exists"))
            .expect("the JSON report parses");
    let counts = &doc["counts"];
    let keys = ["passed", "failed", "skipped", "known_deviations"];
    assert_eq!(keys.map(|k| counts[k].as_u64().unwrap()), numbers);
    let scenarios = doc["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 4);
    let failing = scenarios.iter().find(|s| s["name"] == "t-failing").unwrap();
    assert_eq!(failing["status"], "failed");
    let finding = &failing["steps"][1]["findings"][0];
    assert_eq!(finding["check"], "status");
    assert_eq!(finding["expected"], "200");
    assert_eq!(finding["actual"], "404");
    assert_eq!(finding["rule"], "spec §4.2 (deliberately wrong)");
    let skipped = scenarios.iter().find(|s| s["name"] == "t-basic").unwrap();
    assert_eq!(skipped["status"], "skipped");
    assert!(skipped["reason"].as_str().unwrap().contains("--basic-user"));
    runtime.block_on(server.stop());
}

async fn start_server() -> reference_server::Server {
    reference_server::Server::start(reference_server::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        clock: reference_server::ClockMode::Virtual,
        ..reference_server::Config::default()
    })
    .await
    .expect("the reference server starts")
}

#[test]
fn a_snapshot_mismatch_is_a_finding_until_updated() {
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--snapshots", snapshots];
        args.extend_from_slice(extra);
        args.push("harness/tests/scenarios/snapshot.yaml");
        harness(&args)
    };
    let missing = run(&[]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stdout(&missing).contains("no such file: run again with --update-snapshots to create it"),
        "{}",
        stdout(&missing)
    );

    let updated = run(&["--update-snapshots"]);
    assert_eq!(updated.status.code(), Some(0), "{}", stdout(&updated));
    let file = dir.path().join("t-snapshot/one-session.json");
    let stored = std::fs::read_to_string(&file).expect("the snapshot was written");
    assert!(stored.contains("\"port\": \"[redacted]\""), "{stored}");
    assert!(
        stored.contains("\"related\": \"http://HOST/v1/services/\""),
        "{stored}"
    );
    assert_eq!(
        run(&[]).status.code(),
        Some(0),
        "the stored snapshot matches"
    );

    std::fs::write(&file, stored.replace("Session started", "Session stopped")).unwrap();
    let changed = run(&[]);
    assert_eq!(changed.status.code(), Some(1));
    let text = stdout(&changed);
    assert!(text.contains("snapshot one-session"), "{text}");
    assert!(
        text.contains("-      \"state\": \"Session stopped\",")
            && text.contains("+      \"state\": \"Session started\","),
        "{text}"
    );
    assert_eq!(run(&["--update-snapshots"]).status.code(), Some(0));
    assert_eq!(run(&[]).status.code(), Some(0));
}

/// The console's rendering of a failure, pinned: the step line, each failed check with what was
/// expected and what came back, the rule, the curl command line.
#[test]
fn the_console_renders_a_failure_with_its_evidence() {
    let output = harness(&["run", &format!("{OWN}/failing.yaml")]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    insta::assert_snapshot!(port.replace_all(&text, "127.0.0.1:PORT"));
}
