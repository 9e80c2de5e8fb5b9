//! The simulation driven directly on its virtual clock, without HTTP. Every expected value is one
//! the spec fixes (the section is named beside it), not one read off the implementation.

use std::time::Duration;

use super::clock::ClockMode;
use super::session::SessionState;
use super::topology::Topology;
use super::*;

/// The captures' setup (two routing workers, one readwritesplit service over server1, filters
/// `my-log-filter` and `my-regex-filter`) on a virtual clock.
fn simulation(seed: u64, initial_sessions: usize, workload: Workload) -> Simulation {
    with_topology(
        Topology::default_captures(),
        seed,
        initial_sessions,
        workload,
    )
}

fn with_topology(
    topology: Topology,
    seed: u64,
    initial_sessions: usize,
    workload: Workload,
) -> Simulation {
    Simulation::new(SimConfig {
        topology,
        seed,
        initial_sessions,
        clock: ClockMode::Virtual,
        workload,
        faults: Faults::default(),
    })
}

/// One quiet simulation with one started session; returns it and the session's id.
fn one_session() -> (Simulation, u64) {
    let sim = simulation(1, 0, Workload::default());
    let ids = sim.create_sessions(&connected(1)).unwrap();
    (sim, ids[0])
}

fn connected(count: usize) -> NewSessions {
    NewSessions {
        count,
        authenticated: true,
        ..NewSessions::default()
    }
}

fn advance_ms(sim: &Simulation, ms: u64) {
    sim.advance(Duration::from_millis(ms)).unwrap();
}

fn connection_ids(sim: &Simulation, id: u64) -> Vec<u64> {
    let view = sim.view(id).expect("the session is addressable");
    view.connections.iter().map(|c| c.connection_id).collect()
}

fn filters(sim: &Simulation, id: u64) -> Vec<String> {
    sim.view(id).expect("the session is addressable").filters
}

fn listed(sim: &Simulation, id: u64) -> bool {
    sim.view_all().iter().any(|v| v.id == id)
}

// ----- sessions (spec §3.4, §3.5, §5.3) -----

#[test]
fn session_ids_count_from_1_and_are_never_reused() {
    // spec §3.5: one counter from 1, one id per accepted client, never reused.
    let sim = simulation(1, 2, Workload::default());
    let mut seen: Vec<u64> = sim.view_all().iter().map(|v| v.id).collect();
    seen.sort_unstable();
    assert_eq!(seen, [1, 2]);
    assert_eq!(sim.create_sessions(&connected(3)).unwrap(), [3, 4, 5]);
    sim.kill(4, 0).unwrap();
    sim.close(5, false).unwrap();
    assert_eq!(sim.create_sessions(&connected(1)).unwrap(), [6]);
    assert_eq!(sim.session_count(), 4);
}

#[test]
fn authenticating_sessions_are_listed_but_not_addressable() {
    // spec §3.5, §5.3: "Session created" is listed by E1; single-session commands see no session.
    let sim = simulation(1, 0, Workload::default());
    let ids = sim
        .create_sessions(&NewSessions {
            count: 1,
            authenticated: false,
            ..NewSessions::default()
        })
        .unwrap();
    let id = ids[0];
    let all = sim.view_all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].state.as_str(), "Session created");
    assert_eq!(sim.view(id), None);
    assert!(!sim.exists(id));
    assert_eq!(sim.kill(id, 0), Err(SimError::NotFound));
    assert_eq!(sim.restart(id), Err(SimError::NotFound));
    assert_eq!(
        sim.update(id, &SessionUpdate::default()),
        Err(SimError::NotFound)
    );

    sim.authenticate(id).unwrap();
    let view = sim.view(id).expect("addressable once started");
    assert_eq!(view.state, SessionState::Started);
    assert_eq!(view.state.as_str(), "Session started");
    assert_eq!(view.service, "RW-Split-Router");
}

#[test]
fn an_unknown_service_creates_nothing() {
    let sim = simulation(1, 0, Workload::default());
    let spec = NewSessions {
        service: Some("No-Such-Service".into()),
        ..connected(2)
    };
    assert_eq!(
        sim.create_sessions(&spec),
        Err(SimError::UnknownService("No-Such-Service".into()))
    );
    assert_eq!(sim.session_count(), 0);
}

// ----- kill and ttl (spec §8) -----

#[test]
fn a_kill_without_a_positive_ttl_removes_the_session_at_once() {
    // spec §8.1: ttl ≤ 0 is an immediate kill; §8.2: gone from E1 and E2 at once, and a second
    // DELETE finds no session.
    for ttl in [0, -5] {
        let (sim, id) = one_session();
        sim.kill(id, ttl).unwrap();
        assert_eq!(sim.view(id), None, "ttl={ttl}");
        assert!(!listed(&sim, id), "ttl={ttl}");
        assert_eq!(sim.kill(id, ttl), Err(SimError::NotFound), "ttl={ttl}");
    }
}

#[test]
fn a_ttl_kills_after_more_than_n_whole_seconds_and_before_n_plus_2() {
    // spec §8.3: the DELETE stores the 100 ms main-clock tick; a once-per-second check kills when
    // floor(elapsed ticks / 10) > N, so the session is alive N s and (at least) N + 0.9 s after
    // the DELETE, and gone by N + 2 s, whatever the phase of the DELETE within the second.
    for n in [1_u64, 2, 5] {
        for phase_ms in [0, 1, 99, 100, 101, 450, 900, 999] {
            let (sim, id) = one_session();
            advance_ms(&sim, phase_ms);
            sim.kill(id, n as i64).unwrap();
            let case = format!("ttl={n}, DELETE at +{phase_ms} ms");

            advance_ms(&sim, n * 1000);
            assert!(sim.exists(id), "{case}: alive after exactly N s");
            advance_ms(&sim, 899);
            assert!(sim.exists(id), "{case}: alive after N + 0.899 s");
            assert!(listed(&sim, id), "{case}: still listed");

            advance_ms(&sim, 2000 - 899);
            assert!(!sim.exists(id), "{case}: killed by N + 2 s");
            assert!(!listed(&sim, id), "{case}: gone from the list");
        }
    }
}

#[test]
fn ttls_armed_in_the_same_tick_die_together() {
    // spec §8.3: the kill depends on the stored tick, so two sessions given the same ttl within
    // one 100 ms tick die at the same check, after N + 1 whole seconds of ticks.
    let sim = simulation(1, 0, Workload::default());
    let ids = sim.create_sessions(&connected(2)).unwrap();
    advance_ms(&sim, 310);
    sim.kill(ids[0], 2).unwrap();
    advance_ms(&sim, 80);
    sim.kill(ids[1], 2).unwrap();
    // 2.999 s after tick 3 began, 29 ticks have elapsed: 2 whole seconds, not more.
    advance_ms(&sim, 300 + 2999 - 390);
    assert!(sim.exists(ids[0]) && sim.exists(ids[1]));
    for _ in 0..200 {
        advance_ms(&sim, 10);
        assert_eq!(
            sim.exists(ids[0]),
            sim.exists(ids[1]),
            "at {} ns",
            sim.clock().now()
        );
    }
    assert!(!sim.exists(ids[0]), "killed by N + 2 s");
}

#[test]
fn a_later_delete_restarts_or_replaces_the_countdown() {
    // spec §8.3: a later DELETE with ttl > 0 restarts the countdown with the new N; one without a
    // positive ttl kills at once.
    let (sim, id) = one_session();
    sim.kill(id, 1).unwrap();
    advance_ms(&sim, 1500);
    sim.kill(id, 3).unwrap();
    advance_ms(&sim, 3899);
    assert!(sim.exists(id), "the first ttl no longer counts");
    advance_ms(&sim, 2000 - 899);
    assert!(!sim.exists(id), "killed by 3 + 2 s after the second DELETE");

    let (sim, id) = one_session();
    sim.kill(id, 5).unwrap();
    advance_ms(&sim, 100);
    sim.kill(id, 0).unwrap();
    assert!(!sim.exists(id));
}

#[test]
fn a_ttl_kills_a_busy_session_too() {
    // spec §8.3: the kill does not wait for a running query.
    let (sim, id) = one_session();
    sim.client_request(id, "SELECT SLEEP(3)", false).unwrap();
    sim.kill(id, 1).unwrap();
    advance_ms(&sim, 3000);
    assert!(!sim.exists(id));
}

// ----- restart (spec §7) -----

#[test]
fn a_restart_runs_at_the_next_client_request() {
    // spec §7.1 rule 3 and §7.2: accepted at once, executed before the next request; new backend
    // connections, the same session.
    let (sim, id) = one_session();
    let before = connection_ids(&sim, id);
    assert!(!before.is_empty());
    sim.restart(id).unwrap();
    sim.restart(id).unwrap(); // "Setting it again is harmless."
    advance_ms(&sim, 5000);
    assert_eq!(
        connection_ids(&sim, id),
        before,
        "nothing happens without a request"
    );

    sim.client_request(id, "SELECT 1", true).unwrap();
    let after = connection_ids(&sim, id);
    assert_eq!(
        after.len(),
        before.len(),
        "one connection per server, as before"
    );
    assert!(
        after.iter().all(|c| !before.contains(c)),
        "new connection ids: {before:?} -> {after:?}"
    );
    assert!(sim.exists(id), "same session id");

    sim.client_request(id, "SELECT 2", true).unwrap();
    assert_eq!(connection_ids(&sim, id), after, "the flag was cleared");
}

#[test]
fn a_restart_flagged_while_busy_waits_for_an_idle_request() {
    // spec §7.1 rule 3: accepted while a query runs; §7.2: runs at the start of a request that
    // arrives while the session is idle, not when the running query ends.
    let (sim, id) = one_session();
    let before = connection_ids(&sim, id);
    sim.client_request(id, "SELECT SLEEP(3)", false).unwrap();
    sim.restart(id).unwrap();
    sim.finish_request(id).unwrap();
    assert_eq!(connection_ids(&sim, id), before);
    sim.client_request(id, "SELECT 1", true).unwrap();
    assert_ne!(connection_ids(&sim, id), before);
}

#[test]
fn restarts_are_refused_with_the_spec_messages() {
    // spec §7.1 rule 2.
    let (sim, id) = one_session();
    sim.set_internal_ops(id, true).unwrap();
    assert_eq!(
        sim.restart(id),
        Err(SimError::RestartRefused(
            "Cannot restart session due to ongoing internal operations. Try again later."
        ))
    );
    sim.set_internal_ops(id, false).unwrap();
    assert_eq!(sim.restart(id), Ok(()));

    // spec §7.1 rule 1: a service with idle_session_pool_time ≥ 0.
    let sim = with_topology(pooling_topology(), 1, 0, Workload::default());
    let pooled = sim
        .create_sessions(&NewSessions {
            service: Some("Pooled-Router".into()),
            ..connected(1)
        })
        .unwrap()[0];
    assert_eq!(
        sim.restart(pooled),
        Err(SimError::RestartRefused(
            "Cannot restart session if 'idle_session_pool_time' is in use."
        ))
    );
}

#[test]
fn restart_all_flags_every_accepting_session_even_when_others_refuse() {
    // spec §7.4: acceptance on every session of every worker; partial effect; a session still
    // authenticating causes no refusal.
    let sim = with_topology(pooling_topology(), 1, 0, Workload::default());
    let plain = sim.create_sessions(&connected(3)).unwrap();
    sim.create_sessions(&NewSessions {
        service: Some("Pooled-Router".into()),
        ..connected(1)
    })
    .unwrap();
    sim.create_sessions(&NewSessions {
        count: 1,
        authenticated: false,
        ..NewSessions::default()
    })
    .unwrap();
    let threads: std::collections::BTreeSet<usize> =
        sim.view_all().iter().map(|v| v.thread).collect();
    assert_eq!(threads.len(), 2, "sessions on both routing workers");
    let before: Vec<Vec<u64>> = plain.iter().map(|&id| connection_ids(&sim, id)).collect();

    assert_eq!(
        sim.restart_all(),
        ["Cannot restart session if 'idle_session_pool_time' is in use."]
    );
    for (&id, before) in plain.iter().zip(&before) {
        sim.client_request(id, "SELECT 1", true).unwrap();
        assert_ne!(
            &connection_ids(&sim, id),
            before,
            "session {id} was flagged"
        );
    }
}

#[test]
fn a_pending_restart_and_pending_filters_take_effect_on_the_same_request() {
    // spec §7.3.
    let (sim, id) = one_session();
    let before = connection_ids(&sim, id);
    sim.client_request(id, "SELECT SLEEP(3)", false).unwrap();
    sim.restart(id).unwrap();
    sim.update(id, &filter_update(&["my-log-filter"])).unwrap();
    sim.finish_request(id).unwrap();
    assert_eq!(filters(&sim, id), Vec::<String>::new());
    sim.client_request(id, "SELECT 1", true).unwrap();
    assert_eq!(filters(&sim, id), ["my-log-filter"]);
    assert_ne!(connection_ids(&sim, id), before);
}

fn pooling_topology() -> Topology {
    Topology::parse(include_str!("../../../fixtures/topologies/pooling.cnf"))
        .expect("the fixture parses")
}

// ----- filters (spec §6.3) -----

fn filter_update(names: &[&str]) -> SessionUpdate {
    SessionUpdate {
        filters: Some(names.iter().map(|n| n.to_string()).collect()),
        ..SessionUpdate::default()
    }
}

#[test]
fn filters_apply_at_once_on_an_idle_session() {
    // spec §6.3.3 (idle), §6.3.4 (order kept, duplicates allowed), §6.3.1 (`[]` removes all).
    let (sim, id) = one_session();
    let chain = ["my-regex-filter", "my-log-filter", "my-regex-filter"];
    sim.update(id, &filter_update(&chain)).unwrap();
    assert_eq!(filters(&sim, id), chain);
    sim.update(id, &filter_update(&[])).unwrap();
    assert_eq!(filters(&sim, id), Vec::<String>::new());
}

#[test]
fn filters_patched_while_busy_wait_for_the_next_idle_request() {
    // spec §6.3.3: stored as pending; not installed when the busy query finishes; installed at
    // the start of the next client request; of two pending lists the later wins.
    let (sim, id) = one_session();
    sim.client_request(id, "SELECT SLEEP(3)", false).unwrap();
    sim.update(id, &filter_update(&["my-log-filter"])).unwrap();
    sim.update(id, &filter_update(&["my-regex-filter"]))
        .unwrap();
    assert_eq!(
        filters(&sim, id),
        Vec::<String>::new(),
        "GET shows the old list"
    );
    advance_ms(&sim, 3000);
    sim.finish_request(id).unwrap();
    assert_eq!(filters(&sim, id), Vec::<String>::new(), "not at completion");
    sim.client_request(id, "SELECT 1", true).unwrap();
    assert_eq!(filters(&sim, id), ["my-regex-filter"]);
}

#[test]
fn an_unknown_filter_changes_nothing() {
    // spec §6.3.2: `Not a valid filter: <name>`, nothing changed, also after a valid element.
    let (sim, id) = one_session();
    sim.update(id, &filter_update(&["my-log-filter"])).unwrap();
    let error = sim
        .update(id, &filter_update(&["my-regex-filter", "nope"]))
        .unwrap_err();
    assert_eq!(error.to_string(), "Not a valid filter: nope");
    assert_eq!(filters(&sim, id), ["my-log-filter"]);
}

// ----- determinism -----

/// Everything observable after a busy minute: arrivals, departures and queries of a workload.
fn busy_minute(seed: u64) -> Vec<SessionView> {
    let workload = Workload {
        churn_per_second: 3.0,
        query_rate: 0.5,
    };
    let sim = simulation(seed, 20, workload);
    for _ in 0..60 {
        advance_ms(&sim, 1000);
    }
    sim.view_all()
}

#[test]
fn the_same_seed_gives_the_same_state() {
    let first = busy_minute(42);
    assert!(!first.is_empty());
    assert_eq!(first, busy_minute(42));
    assert_ne!(
        first,
        busy_minute(43),
        "the seed decides the random choices"
    );
}

#[test]
fn reset_returns_to_the_initial_state() {
    let workload = Workload {
        churn_per_second: 2.0,
        query_rate: 0.5,
    };
    let sim = simulation(7, 10, workload);
    let initial = sim.view_all();
    advance_ms(&sim, 10_000);
    sim.create_sessions(&connected(5)).unwrap();
    assert_ne!(sim.view_all(), initial);
    sim.reset();
    assert_eq!(sim.view_all(), initial);
    assert_eq!(sim.clock().now(), 0);
}
