//! The whole built-in suite against the embedded server with sessions from real MariaDB clients
//! of its own listener (`--sessions-via mysql`, no `--target`, no `--mysql`): nothing fails, and
//! what the clients cannot do is skipped with its reason rather than run.

use harness::outcome::Verdict;
use harness::profile::Profile;
use harness::run::{self, Options};
use harness::setup::{runtime, SessionsVia};

#[test]
fn the_suite_runs_on_mariadb_clients_of_the_embedded_server() {
    let mut options = Options::defaults(Profile::Maxscale2402, 0);
    options.setup.sessions_via = Some(SessionsVia::Mysql);
    let files = run::catalog(&options).expect("the suite").all().to_vec();
    let mut console = Vec::new();
    let report = runtime()
        .expect("a runtime")
        .block_on(run::judge(&files, &options, &mut console))
        .expect("a run");
    let console = String::from_utf8_lossy(&console);
    assert!(
        console.contains("MariaDB clients, virtual clock"),
        "{console}"
    );
    let failed: Vec<&str> = report
        .scenarios
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Failed))
        .map(|s| s.name.as_str())
        .collect();
    assert!(failed.is_empty(), "failed: {failed:?}\n{console}");
    let skipped: Vec<(&str, &str)> = report
        .scenarios
        .iter()
        .filter_map(|s| match &s.verdict {
            Verdict::Skipped { reason } => Some((s.name.as_str(), reason.as_str())),
            _ => None,
        })
        .collect();
    for (name, reason) in &skipped {
        assert!(
            reason.contains("MariaDB clients")
                && (reason.contains("virtual clock")
                    || reason.contains("--mysql URL gives")
                    || reason.contains("handshake")),
            "{name}: {reason}"
        );
    }
    let total = report.scenarios.len();
    let run = total - skipped.len();
    assert!(total >= 110, "{total} scenarios\n{console}");
    assert!(run >= 95, "{run} of {total} run; skipped: {skipped:#?}");
}
