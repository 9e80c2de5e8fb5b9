//! One synthetic session: its client, its backend connections and the state the REST API shows
//! and changes (spec §9).

use std::collections::VecDeque;

use super::clock::{Nanos, SECOND};

/// Length of one tick of MaxScale's main clock, in which ttl and idle times are counted.
pub const CLOCK_TICK: Nanos = 100_000_000;

/// Window of the `io_activity` counter, in one-second buckets (spec §5.2).
const IO_WINDOW: usize = 30;

/// Lifecycle state of a session (spec §5.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    /// Accepted, still authenticating: listed, but not addressable.
    Created,
    /// Routing: the only state single-session endpoints see.
    Started,
    /// Closed by a client whose backend is slow to close; leaves the list at `leaves_list_at`.
    Stopping,
}

impl SessionState {
    /// The string MaxScale shows in `attributes.state`.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::Created => "Session created",
            SessionState::Started => "Session started",
            SessionState::Stopping => "Stopping session",
        }
    }
}

/// The five session log flags of `attributes.parameters` (spec §5.8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct LogFlags {
    pub log_debug: bool,
    pub log_info: bool,
    pub log_notice: bool,
    pub log_warning: bool,
    pub log_error: bool,
}

impl LogFlags {
    /// Each flag set where either side has it set: a session shows its own flags OR its
    /// service's (spec §5.8).
    pub fn or(self, other: LogFlags) -> LogFlags {
        LogFlags {
            log_debug: self.log_debug || other.log_debug,
            log_info: self.log_info || other.log_info,
            log_notice: self.log_notice || other.log_notice,
            log_warning: self.log_warning || other.log_warning,
            log_error: self.log_error || other.log_error,
        }
    }
}

/// A change to some of the log flags; `None` leaves a flag as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogFlagsUpdate {
    pub log_debug: Option<bool>,
    pub log_info: Option<bool>,
    pub log_notice: Option<bool>,
    pub log_warning: Option<bool>,
    pub log_error: Option<bool>,
}

impl LogFlags {
    /// Applies an update.
    pub fn apply(&mut self, update: &LogFlagsUpdate) {
        let pairs = [
            (&mut self.log_debug, update.log_debug),
            (&mut self.log_info, update.log_info),
            (&mut self.log_notice, update.log_notice),
            (&mut self.log_warning, update.log_warning),
            (&mut self.log_error, update.log_error),
        ];
        for (flag, value) in pairs {
            if let Some(value) = value {
                *flag = value;
            }
        }
    }
}

/// One backend connection of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// Index of the server in the topology.
    pub server: usize,
    /// The backend's own connection (thread) id.
    pub connection_id: u64,
}

/// One retained client statement (spec §5.6).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub statement: String,
    pub received_ms: u64,
    pub completed_ms: Option<u64>,
    /// Server index and response time in milliseconds, once answered.
    pub responses: Vec<(usize, u64)>,
}

/// I/O events booked per second over a 30 s window. Unlike 24.02, reading does not age the
/// buckets: doc-vs-code A27 lets a reference server keep a true 30 s window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IoActivity {
    buckets: [u32; IO_WINDOW],
    last_second: u64,
}

impl IoActivity {
    /// Books `events` I/O events at monotonic time `now`.
    pub fn book(&mut self, now: Nanos, events: u32) {
        let second = now / SECOND;
        let shift = second.saturating_sub(self.last_second);
        if shift >= IO_WINDOW as u64 {
            self.buckets = [0; IO_WINDOW];
        } else if shift > 0 {
            self.buckets.rotate_right(shift as usize);
            self.buckets[..shift as usize].fill(0);
        }
        self.last_second = self.last_second.max(second);
        self.buckets[0] += events;
    }

    /// Events booked in the 30 seconds up to `now`.
    pub fn count(&self, now: Nanos) -> u64 {
        let age = (now / SECOND).saturating_sub(self.last_second);
        self.buckets
            .iter()
            .enumerate()
            .filter(|(i, _)| age + (*i as u64) < IO_WINDOW as u64)
            .map(|(_, n)| u64::from(*n))
            .sum()
    }
}

/// A kill armed by `DELETE ?ttl=N` (spec §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttl {
    pub seconds: i64,
    /// Main-clock tick (100 ms) at which the DELETE arrived.
    pub start_tick: u64,
}

impl Ttl {
    /// Whether the once-per-second check at `now` kills: more than N whole seconds elapsed.
    pub fn expired(&self, now: Nanos) -> bool {
        self.whole_seconds_elapsed(now) > self.seconds
    }

    /// Whole seconds of main-clock ticks since the DELETE, as the check counts them.
    pub fn whole_seconds_elapsed(&self, now: Nanos) -> i64 {
        let elapsed_ticks = (now / CLOCK_TICK).saturating_sub(self.start_tick);
        (elapsed_ticks / 10) as i64
    }
}

/// One synthetic session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: u64,
    pub service: usize,
    pub worker: usize,
    pub state: SessionState,
    pub user: String,
    pub remote: String,
    pub port: i32,
    pub connected_secs: u64,
    pub created: Nanos,
    pub connection_attributes: Option<Vec<(String, String)>>,
    /// A client request is in progress (the session is not idle).
    pub busy: bool,
    /// Last read or write on the client connection.
    pub last_client_io: Nanos,
    pub backends: Vec<Backend>,
    /// Session-level filters in use, by topology index, in chain order.
    pub filters: Vec<usize>,
    /// Filters waiting for the next idle client request (spec §6.3.3).
    pub pending_filters: Option<Vec<usize>>,
    pub restart_pending: bool,
    /// Set by the control API to refuse restarts (spec §7.1, rule 2).
    pub internal_ops_pending: bool,
    /// The running request was started by the workload model, which also ends it.
    pub workload_busy: bool,
    pub log_flags: LogFlags,
    pub queries: VecDeque<Query>,
    pub retain_statements: usize,
    pub log: VecDeque<String>,
    pub trace_lines: usize,
    pub io: IoActivity,
    pub ttl: Option<Ttl>,
    pub pool_time_ms: i64,
    pub history_len: u64,
    /// When a stopping session is gone from the list.
    pub leaves_list_at: Option<Nanos>,
}

impl Session {
    /// Whether a single-session endpoint can address this session (spec §3.5).
    pub fn is_addressable(&self) -> bool {
        self.state == SessionState::Started
    }

    /// `attributes.idle`: seconds since the last client I/O in 100 ms steps, 0 while busy.
    pub fn idle_seconds(&self, now: Nanos) -> f64 {
        if self.busy || self.state != SessionState::Started {
            return 0.0;
        }
        let ticks = now.saturating_sub(self.last_client_io) / CLOCK_TICK;
        ticks as f64 / 10.0
    }

    /// Stops the session but keeps it listed as "Stopping session" until the next
    /// once-per-second tick, as a backend that is slow to close would (spec §14, open question 4).
    /// Other stops take the session off its worker at once (spec §8.2).
    pub fn stop_lingering(&mut self, now: Nanos) {
        self.state = SessionState::Stopping;
        self.busy = false;
        self.ttl = None;
        self.leaves_list_at = Some((now / SECOND + 1) * SECOND);
    }

    /// Whether a stopping session is gone from the list by `now`.
    pub fn is_reapable(&self, now: Nanos) -> bool {
        matches!(self.leaves_list_at, Some(at) if now >= at)
    }

    /// Records a statement for `queries` when statements are retained.
    pub fn retain(&mut self, statement: &str, received_ms: u64) {
        if self.retain_statements == 0 {
            return;
        }
        if self.queries.len() == self.retain_statements {
            self.queries.pop_front();
        }
        self.queries.push_back(Query {
            statement: statement.to_string(),
            received_ms,
            completed_ms: None,
            responses: Vec::new(),
        });
    }

    /// Appends a line to the session trace when tracing is on (spec §5.7).
    pub fn trace(&mut self, line: String) {
        if self.trace_lines == 0 {
            return;
        }
        if self.log.len() == self.trace_lines {
            self.log.pop_front();
        }
        self.log.push_back(line);
    }

    /// Completes the newest retained statement, answered by every backend.
    pub fn complete_last_query(&mut self, completed_ms: u64) {
        let servers: Vec<usize> = self.backends.iter().map(|b| b.server).collect();
        if let Some(query) = self.queries.back_mut() {
            if query.completed_ms.is_none() {
                query.completed_ms = Some(completed_ms);
                let duration = completed_ms.saturating_sub(query.received_ms);
                query.responses = servers.into_iter().map(|s| (s, duration)).collect();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_kills_only_after_more_than_n_whole_seconds() {
        // spec §8.3: armed at 0.5 s with N = 2 → alive at the 3 s tick, killed at the 4 s tick.
        let ttl = Ttl {
            seconds: 2,
            start_tick: 5,
        };
        assert!(!ttl.expired(3 * SECOND));
        assert!(ttl.expired(4 * SECOND));
        let at_zero = Ttl {
            seconds: 2,
            start_tick: 0,
        };
        assert!(!at_zero.expired(2 * SECOND));
        assert!(at_zero.expired(3 * SECOND));
    }

    #[test]
    fn io_activity_is_a_sliding_window() {
        let mut io = IoActivity::default();
        io.book(0, 5);
        io.book(2 * SECOND, 1);
        assert_eq!(io.count(2 * SECOND), 6);
        // Reading does not age the buckets.
        assert_eq!(io.count(2 * SECOND), 6);
        assert_eq!(io.count(29 * SECOND), 6);
        assert_eq!(io.count(30 * SECOND), 1);
        assert_eq!(io.count(32 * SECOND), 0);
        io.book(100 * SECOND, 2);
        assert_eq!(io.count(100 * SECOND), 2);
    }

    #[test]
    fn log_flags_update_only_named_flags() {
        let mut flags = LogFlags {
            log_error: true,
            ..LogFlags::default()
        };
        flags.apply(&LogFlagsUpdate {
            log_info: Some(true),
            log_error: None,
            ..LogFlagsUpdate::default()
        });
        assert!(flags.log_info && flags.log_error && !flags.log_notice);
    }
}
