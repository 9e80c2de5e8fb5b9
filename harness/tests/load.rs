//! `harness load` and `harness report merge` as a user runs them, against the embedded reference
//! server on a real clock: short bounded runs (real time is what a load run measures), exit
//! codes, reports, and the invariant check catching a defect.

mod support;

use support::{harness, stderr, stdout};

use std::path::Path;
use std::time::Duration;

use harness::embedded::{EmbeddedClock, Mutant};
use harness::error::Exit;
use harness::load::config::{LoadConfig, MixSetting, Output, Settings};
use harness::load::{self, judge::kind};
use harness::profile::Profile;
use harness::setup::Setup;
use harness::target::TargetUrl;

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_short_run_with_churn_passes_and_its_reports_merge() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("run.json");
    let html = dir.path().join("run.html");
    let output = harness(&[
        "load",
        "--sessions",
        "200",
        "--duration",
        "2s",
        "--churn",
        "50",
        "--concurrency",
        "4",
        "--threshold",
        "errors<1%",
        "--threshold",
        "get-one.p50<5s",
        "--report",
        &format!("json:{}", json.display()),
        "--report",
        &format!("html:{}", html.display()),
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(text.contains("population: 200 sessions (0 existing, 200 created)"));
    assert!(text.contains("violations: none"), "{text}");
    assert!(text.contains("ok    errors<1%"), "{text}");
    assert!(text.contains("result: PASS"), "{text}");

    let run = read_json(&json);
    assert_eq!(run["format"], "harness-load/1");
    assert_eq!(
        run["model"],
        serde_json::json!({"kind": "closed", "concurrency": 4})
    );
    // Churn went both ways; how far it got in 2 s is the machine's speed, not a behaviour.
    assert!(
        run["churn"]["arrived"].as_u64().unwrap() > 0,
        "{}",
        run["churn"]
    );
    assert!(
        run["churn"]["left"].as_u64().unwrap() > 0,
        "{}",
        run["churn"]
    );
    assert!(run["checks"]["lists"].as_u64().unwrap() > 0);
    assert!(run["checks"]["lists_validated"].as_u64().unwrap() > 0);
    let get_one = &run["operations"]["get-one"];
    assert!(get_one["requests"].as_u64().unwrap() > 0, "{get_one}");
    assert_eq!(get_one["failed"], 0);
    assert!(get_one["latency"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(!get_one["timeline"].as_array().unwrap().is_empty());

    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<svg"));
    assert!(
        !page.contains("<script"),
        "the page is self-contained and static"
    );

    let merged_path = dir.path().join("merged.json");
    let merge = harness(&[
        "report",
        "merge",
        &json.display().to_string(),
        &json.display().to_string(),
        "-o",
        &merged_path.display().to_string(),
        "--threshold",
        "errors<1%",
    ]);
    assert_eq!(merge.status.code(), Some(0), "{}", stderr(&merge));
    assert!(stdout(&merge).contains("2 runs merged"));
    let merged = read_json(&merged_path);
    assert_eq!(merged["runs"], 2);
    for (name, op) in run["operations"].as_object().unwrap() {
        let sum = &merged["operations"][name];
        for count in ["requests", "failed"] {
            assert_eq!(
                sum[count].as_u64().unwrap(),
                2 * op[count].as_u64().unwrap(),
                "{name} {count}"
            );
        }
        for status in op["statuses"].as_object().unwrap().keys() {
            assert_eq!(
                sum["statuses"][status].as_u64().unwrap(),
                2 * op["statuses"][status].as_u64().unwrap()
            );
        }
        for percentile in ["p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms"] {
            assert_eq!(
                sum["summary"][percentile], op["summary"][percentile],
                "{name} {percentile}"
            );
        }
    }
    assert_eq!(
        merged["churn"]["arrived"].as_u64().unwrap(),
        2 * run["churn"]["arrived"].as_u64().unwrap()
    );
}

#[test]
fn a_threshold_that_cannot_hold_exits_1_and_flags_override_the_profile() {
    let output = harness(&[
        "load",
        "smoke",
        "--sessions",
        "50",
        "--duration",
        "1s",
        "--threshold",
        "get-one.p99<1us",
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    // smoke.yaml's closed model with 4 workers, the flags' duration and population.
    assert!(text.contains("drive: closed, 4 workers for 1 s"), "{text}");
    assert!(text.contains("population: 50 sessions"), "{text}");
    assert!(text.contains("FAIL  get-one.p99<1us"), "{text}");
    assert!(text.contains("violations: none"), "{text}");
    assert!(text.contains("result: FAIL (1 of 1 thresholds failed, 0 violations)"));
}

#[test]
fn usage_errors_exit_2_and_an_unreachable_target_3() {
    let mix = harness(&["load", "--mix", "get-one=2,list=1"]);
    assert_eq!(mix.status.code(), Some(2));
    assert!(
        stderr(&mix).contains(
            "mix: unknown operation 'list' (one of get-all, get-one, patch, restart, kill)"
        ),
        "{}",
        stderr(&mix)
    );
    let threshold = harness(&["load", "--threshold", "get-one.p99<20"]);
    assert_eq!(threshold.status.code(), Some(2));
    assert!(stderr(&threshold)
        .contains("threshold 'get-one.p99<20': the latency '20' needs a unit (us, ms or s)"));
    let unknown = harness(&["load", "no-such-profile"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no load profile named 'no-such-profile' (built in: "));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, "sessions: 10\nmix: { get-one: many }\n").unwrap();
    let bad = harness(&["load", &file.display().to_string()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("bad.yaml:2:"), "{}", stderr(&bad));

    let both = harness(&["load", "--rate", "10", "--concurrency", "2"]);
    assert_eq!(both.status.code(), Some(2));
    let merge = harness(&["report", "merge", "Cargo.toml"]);
    assert_eq!(merge.status.code(), Some(2));
    assert!(stderr(&merge).contains("Cargo.toml is not a JSON load report"));

    let refused = harness(&["load", "--target", "http://127.0.0.1:1", "--duration", "1s"]);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("unreachable"));
}

/// With `get-missing-answers-200` the server answers a GET of a killed session with 200: the
/// invariant check must say so, with the request as curl. Open model, so both models run here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_session_coming_back_is_caught() {
    let settings = Settings {
        sessions: Some(50),
        duration: Some("1s".into()),
        rate: Some(300.0),
        mix: Some(MixSetting::Text("get-one=5,kill=1".into())),
        thresholds: Some(vec!["errors<100%".into()]),
        ..Settings::default()
    };
    let setup = Setup {
        clock: EmbeddedClock::Real,
        mutant: Some(Mutant::GetMissingAnswers200),
        ..Setup::defaults(Profile::Maxscale2402, 0)
    };
    let config = LoadConfig::new(settings, setup, Output::default()).unwrap();
    let mut out = Vec::new();
    let report = load::run(&config, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(report.violations[kind::KILLED_CAME_BACK] > 0, "{text}");
    assert_eq!(load::exit(&report), Exit::Failed);
    let example = report
        .examples
        .iter()
        .find(|e| e.check == kind::KILLED_CAME_BACK)
        .unwrap();
    assert_eq!(example.place, "load get-one");
    assert_eq!(example.rule, "spec §8.2");
    assert!(example
        .actual
        .starts_with("answered 200 for a session whose kill was answered"));
    assert!(example
        .request
        .starts_with("curl -u admin:mariadb http://127.0.0.1:"));
    assert!(text.contains("killed-came-back"), "{text}");
    // The driver runs for its whole duration (how much longer it takes is the machine's).
    assert!(Duration::from_secs_f64(report.elapsed_s) >= Duration::from_secs(1));
}

/// A target answering writes as documented (204) conforms to `--profile documented` and breaks
/// `--profile maxscale-24.02`, whose write success is 200 (doc-vs-code A1–A4): the load judge
/// reads the profile table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_success_is_judged_by_the_profile() {
    let documented = Setup {
        clock: EmbeddedClock::Real,
        ..Setup::defaults(Profile::Documented, 0)
    };
    let server = documented.connect().await.unwrap();
    let url = TargetUrl::parse(server.target.base()).unwrap();
    let mut reports = Vec::new();
    for profile in Profile::ALL {
        let settings = Settings {
            sessions: Some(40),
            duration: Some("1s".into()),
            rate: Some(100.0),
            mix: Some(MixSetting::Text("get-one=2,kill=1".into())),
            ..Settings::default()
        };
        let setup = Setup {
            target: Some(url.clone()),
            ..Setup::defaults(profile, 0)
        };
        let config = LoadConfig::new(settings, setup, Output::default()).unwrap();
        let mut out = Vec::new();
        let report = load::run(&config, &mut out).await.unwrap();
        reports.push((profile, report, String::from_utf8(out).unwrap()));
    }
    server.close().await;
    for (profile, report, text) in reports {
        match profile {
            Profile::Documented => assert!(report.clean(), "{text}"),
            Profile::Maxscale2402 => {
                assert!(report.violations[kind::STATUS] > 0, "{text}");
                let example = report
                    .examples
                    .iter()
                    .find(|e| e.check == kind::STATUS)
                    .unwrap();
                assert_eq!(example.place, "load kill");
                assert_eq!(example.actual, "204");
                assert!(example.rule.contains("doc-vs-code A4"), "{}", example.rule);
                assert!(text.contains("200 (write-success)"), "{text}");
            }
        }
    }
}
