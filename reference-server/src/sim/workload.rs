//! The workload model: synthetic clients arrive, run queries and leave, one step per tick,
//! every choice drawn from the simulation's one seeded RNG.

use rand::Rng;

use super::clock::Nanos;
use super::{lock, NewSessions, Simulation};

/// Rates that drive the synthetic clients; all zero means a quiet proxy that changes only
/// when told to through the control API.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Workload {
    /// Sessions arriving, and as many leaving, per second (population stays steady).
    pub churn_per_second: f64,
    /// Queries each idle session starts per second; a query runs until the next tick.
    pub query_rate: f64,
}

impl Simulation {
    /// One workload step at tick time `at`.
    pub(super) fn run_workload(&self, at: Nanos) {
        let workload = self.config.workload;
        if workload.query_rate > 0.0 {
            self.step_queries(at, workload.query_rate.min(1.0));
        }
        if workload.churn_per_second > 0.0 {
            self.step_churn(at, workload.churn_per_second);
        }
    }

    /// Ends the queries the workload started at the last tick and starts new ones.
    fn step_queries(&self, at: Nanos, probability: f64) {
        for worker in &self.workers {
            let mut sessions = lock(worker);
            for session in sessions.values_mut().filter(|s| s.is_addressable()) {
                if session.workload_busy {
                    session.workload_busy = false;
                    self.end_request(session, at);
                } else if !session.busy && lock(&self.rng).random_bool(probability) {
                    self.begin_request(session, "SELECT 1", at);
                    session.workload_busy = true;
                }
            }
        }
    }

    /// Closes `n` random sessions and connects `n` new ones, `n` accumulating fractions.
    fn step_churn(&self, at: Nanos, per_second: f64) {
        let n = {
            let mut carry = lock(&self.churn_carry);
            *carry += per_second;
            let n = carry.floor();
            *carry -= n;
            n as usize
        };
        let mut ids: Vec<u64> = self
            .workers
            .iter()
            .flat_map(|w| {
                lock(w)
                    .values()
                    .filter(|s| s.is_addressable())
                    .map(|s| s.id)
                    .collect::<Vec<_>>()
            })
            .collect();
        let leaving = n.min(ids.len());
        {
            let mut rng = lock(&self.rng);
            for i in 0..leaving {
                let j = rng.random_range(i..ids.len());
                ids.swap(i, j);
            }
        }
        for &id in &ids[..leaving] {
            // The session may have been killed since the ids were collected.
            let _ = self.stop(id, at, false);
        }
        let arriving = NewSessions {
            count: n,
            authenticated: true,
            ..NewSessions::default()
        };
        self.create_sessions_at(&arriving, at)
            .expect("the default service exists");
    }
}
