//! End to end on a real clock, where every other test uses the virtual one: the reference server
//! kills a session `DELETE ?ttl=1` armed within the bound of spec §8.3, and `harness run` of the
//! ttl scenario passes against it (its `advance` steps then wait on the wall clock).

mod support;

use std::time::{Duration, Instant};

use harness::embedded::EmbeddedClock;
use harness::profile::Profile;
use harness::setup::{runtime, Setup};
use harness::source::Open;
use harness::target::Outgoing;

/// spec §8.3: a tick kills the session once N+1 whole seconds have elapsed since the DELETE, so
/// never before about N+0.9 s ...
const NOT_BEFORE: Duration = Duration::from_millis(900);
/// ... and by about N+2 s "plus scheduling delay if the worker is busy": one second of it here.
const GONE_BY: Duration = Duration::from_secs(1 + 2 + 1);

#[test]
fn a_ttl_kill_lands_within_the_spec_bound_and_the_scenario_passes() {
    let runtime = runtime().unwrap();
    let setup = Setup {
        clock: EmbeddedClock::Real,
        ..Setup::defaults(Profile::Maxscale2402, 0)
    };
    let connection = runtime.block_on(setup.connect()).unwrap();
    let target = &connection.target;
    let admin = target.accounts().admin.clone();

    let ids = runtime
        .block_on(connection.source.open(Open {
            count: 1,
            ..Open::default()
        }))
        .unwrap();
    let one = format!("/v1/sessions/{}", ids[0]);
    let delete = Outgoing::json("DELETE", format!("{one}?ttl=1"), None, Some(admin.clone()));
    let get = Outgoing::json("GET", one, None, Some(admin));
    let sent = Instant::now();
    let answer = runtime.block_on(target.send(&delete)).unwrap();
    assert_eq!(answer.status, 200, "spec §4.7");
    let gone = loop {
        let status = runtime.block_on(target.send(&get)).unwrap().status;
        let at = sent.elapsed();
        if status == 404 {
            break at;
        }
        assert_eq!(status, 200);
        assert!(
            at < GONE_BY,
            "still there {at:?} after DELETE ?ttl=1 (spec §8.3)"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        gone >= NOT_BEFORE,
        "killed {gone:?} after DELETE ?ttl=1, before the N+1 s of spec §8.3"
    );

    let output = support::harness(&["run", "--target", target.base(), "kill-ttl"]);
    let text = support::stdout(&output);
    runtime.block_on(connection.close());
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("(control API, real clock)"), "{text}");
    assert!(text.contains("1 passed, 0 failed"), "{text}");
}
