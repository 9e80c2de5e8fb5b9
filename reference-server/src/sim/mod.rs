//! The simulated proxy: topology, sessions on routing workers, a clock and a seeded workload.
//! Pure and deterministic; nothing here knows about HTTP or JSON (ARCHITECTURE.md).
//!
//! Locking: each routing worker's sessions sit behind their own `std::sync::Mutex`, held only for
//! short, non-async sections, so rendering a large list never holds more than one worker at a time.
//! The RNG mutex is a leaf: nothing else is locked while it is held.

pub(crate) mod clock;
pub(crate) mod session;
pub(crate) mod snapshot;
pub(crate) mod topology;
mod workload;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::watch;

use crate::mutant::Faults;
use clock::{Clock, ClockMode, Nanos, SECOND};
use session::{
    Backend, IoActivity, LogFlags, LogFlagsUpdate, Session, SessionState, Ttl, CLOCK_TICK,
};
use snapshot::{
    BufferMemory, ClientView, ConnectionView, HistoryView, Memory, QueryView, SessionView,
};
use topology::Topology;
pub use workload::Workload;

/// Everything that decides the simulation's initial state and evolution.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub topology: Topology,
    pub seed: u64,
    pub initial_sessions: usize,
    pub clock: ClockMode,
    pub workload: Workload,
    /// The deliberate defects to simulate (`crate::mutant`); the default is faithful.
    pub faults: Faults,
}

/// How new synthetic clients connect; unset fields are drawn from the topology's `[simulation]`.
#[derive(Debug, Clone, Default)]
pub struct NewSessions {
    pub count: usize,
    pub service: Option<String>,
    pub user: Option<String>,
    pub remote: Option<String>,
    /// The client's port; unset, a random ephemeral port.
    pub port: Option<i32>,
    /// `false` leaves the sessions authenticating ("Session created").
    pub authenticated: bool,
}

/// What a PATCH asks of a session, already decoded from JSON (spec §6).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionUpdate {
    pub log: LogFlagsUpdate,
    /// New session-level filter chain by name; `None` leaves the filters alone.
    pub filters: Option<Vec<String>>,
}

/// Why a simulation command failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("no such session")]
    NotFound,
    #[error("Not a valid filter: {0}")]
    UnknownFilter(String),
    #[error("{0}")]
    RestartRefused(&'static str),
    #[error("unknown service '{0}'")]
    UnknownService(String),
    #[error("the clock is real: only a virtual clock can be advanced")]
    RealClock,
    #[error("session {0} is not authenticating")]
    NotAuthenticating(u64),
}

/// spec §7.1 rule 1.
pub const REFUSE_POOLING: &str = "Cannot restart session if 'idle_session_pool_time' is in use.";
/// spec §7.1 rule 2.
pub const REFUSE_INTERNAL: &str =
    "Cannot restart session due to ongoing internal operations. Try again later.";

/// Sessions of one routing worker, by id.
type Worker = BTreeMap<u64, Session>;

/// The simulated proxy.
#[derive(Debug)]
pub struct Simulation {
    config: SimConfig,
    clock: Clock,
    workers: Vec<Mutex<Worker>>,
    rng: Mutex<ChaCha8Rng>,
    next_session_id: AtomicU64,
    next_connection_id: Vec<AtomicU64>,
    /// Last whole second whose tick has run.
    ticked_second: Mutex<u64>,
    churn_carry: Mutex<f64>,
    /// The hang-up signals of sessions that have a real client connection, by session id. A leaf
    /// lock, like the RNG's.
    hang_ups: Mutex<HashMap<u64, watch::Sender<bool>>>,
}

/// First backend connection id handed out by every simulated server.
const FIRST_CONNECTION_ID: u64 = 8;

impl Simulation {
    /// Builds the simulation with its initial population.
    pub fn new(config: SimConfig) -> Simulation {
        let threads = config.topology.maxscale.threads.max(1);
        let sim = Simulation {
            clock: Clock::new(config.clock),
            workers: (0..threads).map(|_| Mutex::new(Worker::new())).collect(),
            rng: Mutex::new(ChaCha8Rng::seed_from_u64(config.seed)),
            next_session_id: AtomicU64::new(1),
            next_connection_id: config
                .topology
                .servers
                .iter()
                .map(|_| AtomicU64::new(FIRST_CONNECTION_ID))
                .collect(),
            ticked_second: Mutex::new(0),
            churn_carry: Mutex::new(0.0),
            hang_ups: Mutex::new(HashMap::new()),
            config,
        };
        sim.populate();
        sim
    }

    fn populate(&self) {
        let initial = NewSessions {
            count: self.config.initial_sessions,
            authenticated: true,
            ..NewSessions::default()
        };
        self.create_sessions(&initial)
            .expect("the default service exists");
    }

    /// Puts everything back as it was at start: same seed, same population, clock at zero.
    pub fn reset(&self) {
        for worker in &self.workers {
            lock(worker).clear();
        }
        for (_, hang_up) in lock(&self.hang_ups).drain() {
            hang_up.send_replace(true);
        }
        *lock(&self.rng) = ChaCha8Rng::seed_from_u64(self.config.seed);
        self.next_session_id.store(1, Ordering::SeqCst);
        for counter in &self.next_connection_id {
            counter.store(FIRST_CONNECTION_ID, Ordering::SeqCst);
        }
        *lock(&self.churn_carry) = 0.0;
        self.clock.rewind();
        // A real clock cannot go back: its ticks go on from the current second.
        *lock(&self.ticked_second) = self.clock.now() / SECOND;
        self.populate();
    }

    /// The topology the simulation runs.
    pub fn topology(&self) -> &Topology {
        &self.config.topology
    }

    /// The configuration the simulation was built from.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The simulation's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Number of sessions registered on all workers, in any state.
    pub fn session_count(&self) -> usize {
        self.workers.iter().map(|w| lock(w).len()).sum()
    }

    // ----- synthetic clients (control API) -----

    /// Connects `spec.count` new clients and returns their session ids.
    pub fn create_sessions(&self, spec: &NewSessions) -> Result<Vec<u64>, SimError> {
        self.create_sessions_at(spec, self.clock.now())
    }

    fn create_sessions_at(&self, spec: &NewSessions, now: Nanos) -> Result<Vec<u64>, SimError> {
        let topology = &self.config.topology;
        let service = match &spec.service {
            Some(name) => topology
                .services
                .iter()
                .position(|s| &s.name == name)
                .ok_or_else(|| SimError::UnknownService(name.clone()))?,
            None => 0,
        };
        let mut ids = Vec::with_capacity(spec.count);
        for _ in 0..spec.count {
            let session = self.new_session(service, spec, now);
            ids.push(session.id);
            let worker = self.least_loaded_worker();
            lock(&self.workers[worker]).insert(session.id, Session { worker, ..session });
        }
        Ok(ids)
    }

    fn least_loaded_worker(&self) -> usize {
        (0..self.workers.len())
            .min_by_key(|&w| (lock(&self.workers[w]).len(), w))
            .unwrap_or(0)
    }

    fn new_session(&self, service: usize, spec: &NewSessions, now: Nanos) -> Session {
        let topology = &self.config.topology;
        let settings = &topology.simulation;
        let listeners: Vec<_> = topology
            .listeners
            .iter()
            .filter(|l| l.service == topology.services[service].name)
            .collect();
        let (user, remote, port, pid) = {
            let mut rng = lock(&self.rng);
            // Drawn like `pick` draws, so that a seed gives the same users as before passwords.
            let user = spec
                .user
                .clone()
                .unwrap_or_else(|| match settings.users.len() {
                    0 => topology::DEFAULT_USER.to_string(),
                    n => settings.users[rng.random_range(0..n)].name.clone(),
                });
            let listener = match listeners.len() {
                0 => None,
                1 => Some(listeners[0]),
                n => Some(listeners[rng.random_range(0..n)]),
            };
            let (remote, port) = match listener {
                // spec §5.2: Unix-socket clients show `localhost` and port -1.
                Some(l) if l.port.is_none() && spec.remote.is_none() => ("localhost".into(), -1),
                _ => {
                    let remote = spec
                        .remote
                        .clone()
                        .unwrap_or_else(|| pick(&mut rng, &settings.client_hosts, "127.0.0.1"));
                    let port = spec.port.unwrap_or_else(|| rng.random_range(32768..61000));
                    (remote, port)
                }
            };
            (user, remote, port, rng.random_range(1000..65536))
        };
        let svc = &topology.services[service];
        let retain = match svc.retain_last_statements {
            n if n >= 0 => n,
            _ => topology.maxscale.retain_last_statements,
        };
        let mut session = Session {
            id: self.next_session_id.fetch_add(1, Ordering::SeqCst),
            service,
            worker: 0,
            state: SessionState::Created,
            user,
            remote,
            port,
            connected_secs: self.clock.wall_secs(now),
            created: now,
            connection_attributes: None,
            busy: false,
            last_client_io: now,
            backends: Vec::new(),
            filters: Vec::new(),
            pending_filters: None,
            restart_pending: false,
            internal_ops_pending: false,
            workload_busy: false,
            log_flags: LogFlags::default(),
            queries: VecDeque::new(),
            retain_statements: retain.max(0) as usize,
            log: VecDeque::new(),
            trace_lines: topology.maxscale.session_trace,
            io: IoActivity::default(),
            ttl: None,
            pool_time_ms: svc.idle_session_pool_time_ms,
            history_len: 0,
            leaves_list_at: None,
        };
        session.io.book(now, 1);
        if spec.authenticated {
            self.finish_handshake(&mut session, pid, now);
        }
        session
    }

    /// The client's handshake response arrives: user, attributes and backend connections.
    fn finish_handshake(&self, session: &mut Session, pid: u32, now: Nanos) {
        session.state = SessionState::Started;
        session.connection_attributes = Some(vec![
            ("_client_name".into(), "pymysql".into()),
            ("_pid".into(), pid.to_string()),
            ("_client_version".into(), "1.0.2".into()),
        ]);
        session.backends = self.connect_backends(session.service, session.id);
        session.last_client_io = now;
        session.io.book(now, 3);
    }

    /// Opens new backend connections for a session: one to every server of the service, or,
    /// for readconnroute, which routes to a single server, to one of them.
    fn connect_backends(&self, service: usize, session_id: u64) -> Vec<Backend> {
        let topology = &self.config.topology;
        let service = &topology.services[service];
        let servers: Vec<usize> = service
            .servers
            .iter()
            .filter_map(|name| topology.servers.iter().position(|s| &s.name == name))
            .collect();
        let chosen = if service.router.eq_ignore_ascii_case("readconnroute") && !servers.is_empty()
        {
            vec![servers[(session_id % servers.len() as u64) as usize]]
        } else {
            servers
        };
        chosen
            .into_iter()
            .map(|server| Backend {
                server,
                connection_id: self.next_connection_id[server].fetch_add(1, Ordering::SeqCst),
            })
            .collect()
    }

    /// Completes the handshake of an authenticating session.
    pub fn authenticate(&self, id: u64) -> Result<(), SimError> {
        let now = self.clock.now();
        let pid: u32 = lock(&self.rng).random_range(1000..65536);
        self.with_any(id, |s| {
            if s.state != SessionState::Created {
                return Err(SimError::NotAuthenticating(id));
            }
            self.finish_handshake(s, pid, now);
            Ok(())
        })?
    }

    // ----- real clients (the MariaDB listeners) -----

    /// A real client connected to a listener of `service`: its session is created authenticating
    /// ("Session created", spec §3.5), like `POST /_sim/sessions` with `authenticated: false`.
    /// The receiver turns `true` when the session ends from the proxy's side (a kill, a ttl, a
    /// reset): the connection must then be closed.
    pub fn accept_client(
        &self,
        service: &str,
        remote: String,
        port: i32,
    ) -> Result<(u64, watch::Receiver<bool>), SimError> {
        let spec = NewSessions {
            count: 1,
            service: Some(service.to_string()),
            user: Some(String::new()),
            remote: Some(remote),
            port: Some(port),
            authenticated: false,
        };
        let id = self.create_sessions(&spec)?[0];
        let (hang_up, hung_up) = watch::channel(false);
        lock(&self.hang_ups).insert(id, hang_up);
        Ok((id, hung_up))
    }

    /// A real client's login succeeded: the session takes its user and completes its handshake,
    /// as [`Simulation::authenticate`] does. The listener does not offer the connection
    /// attributes capability, so a real client sends none and none are shown.
    pub fn login(&self, id: u64, user: &str) -> Result<(), SimError> {
        self.with_any(id, |s| {
            if s.state == SessionState::Created {
                s.user = user.to_string();
            }
        })?;
        self.authenticate(id)?;
        self.with_any(id, |s| s.connection_attributes = None)
    }

    /// Signals the real client connection of a session, if it has one, that the session ended.
    fn hang_up(&self, id: u64) {
        if let Some(hang_up) = lock(&self.hang_ups).remove(&id) {
            hang_up.send_replace(true);
        }
    }

    /// The client disconnects (COM_QUIT): the session stops and leaves the list at once, or,
    /// with `linger`, at the next once-per-second tick.
    pub fn close(&self, id: u64, linger: bool) -> Result<(), SimError> {
        self.stop(id, self.clock.now(), linger)
    }

    /// Stops a session in any state: it leaves its worker at once, or lingers as "Stopping
    /// session" until the next tick.
    fn stop(&self, id: u64, now: Nanos, linger: bool) -> Result<(), SimError> {
        for worker in &self.workers {
            let mut sessions = lock(worker);
            let Some(session) = sessions.get_mut(&id) else {
                continue;
            };
            match (session.state, linger) {
                (SessionState::Stopping, _) => {}
                (_, true) => session.stop_lingering(now),
                (_, false) => {
                    sessions.remove(&id);
                }
            }
            drop(sessions);
            self.hang_up(id);
            return Ok(());
        }
        Err(SimError::NotFound)
    }

    /// A client request arrives; with `complete` it is answered at once, else the session stays
    /// busy until [`Simulation::finish_request`].
    pub fn client_request(&self, id: u64, statement: &str, complete: bool) -> Result<(), SimError> {
        let now = self.clock.now();
        self.with_started(id, |s| {
            self.begin_request(s, statement, now);
            if complete {
                self.end_request(s, now);
            }
        })
    }

    /// The running client request completes; the session becomes idle.
    pub fn finish_request(&self, id: u64) -> Result<(), SimError> {
        let now = self.clock.now();
        self.with_started(id, |s| {
            if s.busy {
                self.end_request(s, now);
            }
        })
    }

    /// Sets or clears the "pending internal operations" condition that refuses restarts.
    pub fn set_internal_ops(&self, id: u64, pending: bool) -> Result<(), SimError> {
        self.with_started(id, |s| s.internal_ops_pending = pending)
    }

    /// At the start of a client request: deferred restart first, then pending filters, both only
    /// when the session is idle (spec §6.3.3, §7.2, §7.3).
    fn begin_request(&self, s: &mut Session, statement: &str, now: Nanos) {
        if !s.busy {
            if s.restart_pending {
                s.restart_pending = false;
                // mutant: restart-keeps-connections — the flag is cleared but the old backend
                // connections stay (spec §7.2).
                let keeps = self.config.faults.restart_keeps_connections;
                if !s.internal_ops_pending && !keeps {
                    s.backends = self.connect_backends(s.service, s.id);
                }
            }
            if let Some(filters) = s.pending_filters.take() {
                s.filters = filters;
            }
        }
        let wall_ms = self.clock.wall_ms(now);
        s.busy = true;
        s.last_client_io = now;
        s.io.book(now, 1);
        s.retain(statement, wall_ms);
        let topology = &self.config.topology;
        let service = &topology.services[s.service];
        if s.log_flags.or(service_flags(service)).log_info {
            let target = s
                .backends
                .first()
                .map(|b| topology.servers[b.server].name.as_str())
                .unwrap_or("");
            s.trace(format!(
                "{}   info   : ({}) [{}] ({}); Route query to primary: {} <",
                crate::datetime::log_timestamp(wall_ms),
                s.id,
                service.router,
                service.name,
                target
            ));
        }
    }

    fn end_request(&self, s: &mut Session, now: Nanos) {
        s.busy = false;
        s.last_client_io = now;
        s.io.book(now, 1);
        s.complete_last_query(self.clock.wall_ms(now));
    }

    // ----- the REST API's commands -----

    /// A view of one addressable session (state STARTED), for GET one.
    pub fn view(&self, id: u64) -> Option<SessionView> {
        let now = self.clock.now();
        self.with_started(id, |s| self.render(s, now)).ok()
    }

    /// Views of every registered session, worker by worker, newest first within a worker
    /// (spec §3.5). Each worker is locked only while its own sessions are copied.
    pub fn view_all(&self) -> Vec<SessionView> {
        let now = self.clock.now();
        let mut views = Vec::new();
        for worker in &self.workers {
            let mut sessions = lock(worker);
            sessions.retain(|_, s| !s.is_reapable(now));
            views.extend(sessions.values().rev().map(|s| self.render(s, now)));
        }
        views
    }

    /// Whether an addressable session has this id.
    pub fn exists(&self, id: u64) -> bool {
        self.with_started(id, |_| ()).is_ok()
    }

    /// Applies a PATCH: log flags at once, the filter chain at once when idle, else at the next
    /// idle client request (spec §6). Validation comes first, so an error changes nothing; a
    /// later PATCH replaces an older pending list (doc-vs-code A25: last PATCH wins).
    pub fn update(&self, id: u64, update: &SessionUpdate) -> Result<(), SimError> {
        let filters = match &update.filters {
            Some(names) => Some(self.resolve_filters(names)?),
            None => None,
        };
        let faults = self.config.faults;
        self.with_started(id, |s| {
            if faults.patch_ignores_log_info {
                // mutant: patch-ignores-log-info — the log_info of the body is dropped (spec §6.1).
                s.log_flags.apply(&LogFlagsUpdate {
                    log_info: None,
                    ..update.log
                });
            } else {
                s.log_flags.apply(&update.log);
            }
            if let Some(filters) = filters {
                // mutant: filters-apply-while-busy — a busy session takes the list at once
                // (spec §6.3.3).
                if s.busy && !faults.filters_apply_while_busy {
                    s.pending_filters = Some(filters);
                } else {
                    s.filters = filters;
                    s.pending_filters = None;
                }
            }
        })
    }

    /// Checks that every name is a filter of the topology, as a PATCH would (spec §6.3.2).
    pub fn check_filters(&self, names: &[String]) -> Result<(), SimError> {
        self.resolve_filters(names).map(|_| ())
    }

    fn resolve_filters(&self, names: &[String]) -> Result<Vec<usize>, SimError> {
        let filters = &self.config.topology.filters;
        if self.config.faults.patch_accepts_unknown_filter {
            // mutant: patch-accepts-unknown-filter — unknown names are skipped, not refused
            // (spec §6.3).
            return Ok(names
                .iter()
                .filter_map(|name| filters.iter().position(|f| &f.name == name))
                .collect());
        }
        names
            .iter()
            .map(|name| {
                filters
                    .iter()
                    .position(|f| &f.name == name)
                    .ok_or_else(|| SimError::UnknownFilter(name.clone()))
            })
            .collect()
    }

    /// Schedules a restart for the session's next idle request (spec §7.1).
    pub fn restart(&self, id: u64) -> Result<(), SimError> {
        self.with_started(id, accept_restart)?
    }

    /// Runs the restart acceptance on every registered session; sessions that accept are flagged
    /// even when others refuse (spec §7.4). Returns the distinct refusals, adjacent duplicates
    /// collapsed.
    pub fn restart_all(&self) -> Vec<String> {
        let mut refusals: Vec<String> = Vec::new();
        let mut workers = &self.workers[..];
        if self.config.faults.restart_all_skips_a_worker {
            // mutant: restart-all-skips-a-worker — the last routing worker is left out
            // (spec §7.4).
            workers = &workers[..workers.len() - 1];
        }
        for worker in workers {
            for session in lock(worker).values_mut() {
                if let Err(SimError::RestartRefused(reason)) = accept_restart(session) {
                    if refusals.last().map(String::as_str) != Some(reason) {
                        refusals.push(reason.to_string());
                    }
                }
            }
        }
        refusals
    }

    /// Kills the session now (`ttl` ≤ 0): it is gone from the list at once (spec §8.2); or arms
    /// a ttl of `ttl` seconds (spec §8.3).
    pub fn kill(&self, id: u64, ttl: i64) -> Result<(), SimError> {
        let now = self.clock.now();
        // mutant: ttl-kills-at-once — a positive ttl kills like no ttl (spec §8.3).
        if ttl > 0 && !self.config.faults.ttl_kills_at_once {
            let armed = Ttl {
                seconds: ttl,
                start_tick: now / CLOCK_TICK,
            };
            self.with_started(id, |s| s.ttl = Some(armed))
        } else {
            self.with_started(id, |_| ())?;
            self.stop(id, now, false)
        }
    }

    /// A copy of the session's internal state in any state, for the control API.
    pub fn inspect(&self, id: u64) -> Option<Session> {
        self.with_any(id, |s| s.clone()).ok()
    }

    // ----- time -----

    /// Advances a virtual clock and runs every once-per-second tick that falls in between.
    pub fn advance(&self, by: Duration) -> Result<Nanos, SimError> {
        let now = self.clock.advance(by).ok_or(SimError::RealClock)?;
        self.catch_up();
        Ok(now)
    }

    /// Runs the ticks due up to the current time (called every second on a real clock).
    pub fn catch_up(&self) {
        let now = self.clock.now();
        let mut ticked = lock(&self.ticked_second);
        while (*ticked + 1) * SECOND <= now {
            *ticked += 1;
            self.tick(*ticked * SECOND);
        }
    }

    /// The once-per-second routing-worker tick: ttl kills (spec §8.3), reaping of stopped
    /// sessions, then the workload.
    fn tick(&self, at: Nanos) {
        let faults = self.config.faults;
        let fires = |ttl: Ttl| {
            if faults.ttl_never_kills {
                // mutant: ttl-never-kills — an armed ttl never fires (spec §8.3).
                false
            } else if faults.ttl_kills_a_tick_early {
                // mutant: ttl-kills-a-tick-early — kills at ≥ N whole seconds, not > N (spec §8.3).
                ttl.whole_seconds_elapsed(at) >= ttl.seconds
            } else {
                ttl.expired(at)
            }
        };
        let mut killed_ids = Vec::new();
        for worker in &self.workers {
            let mut sessions = lock(worker);
            sessions.retain(|&id, s| {
                let killed = s.is_addressable() && s.ttl.is_some_and(fires);
                if killed {
                    killed_ids.push(id);
                }
                !(killed || s.is_reapable(at))
            });
        }
        for id in killed_ids {
            self.hang_up(id);
        }
        self.run_workload(at);
    }

    // ----- helpers -----

    /// Runs `f` on the session with this id if it is addressable (state STARTED).
    fn with_started<T>(&self, id: u64, f: impl FnOnce(&mut Session) -> T) -> Result<T, SimError> {
        for worker in &self.workers {
            let mut sessions = lock(worker);
            if let Some(session) = sessions.get_mut(&id) {
                return if session.is_addressable() {
                    Ok(f(session))
                } else {
                    Err(SimError::NotFound)
                };
            }
        }
        Err(SimError::NotFound)
    }

    /// Runs `f` on the session with this id whatever its state.
    fn with_any<T>(&self, id: u64, f: impl FnOnce(&mut Session) -> T) -> Result<T, SimError> {
        for worker in &self.workers {
            if let Some(session) = lock(worker).get_mut(&id) {
                return Ok(f(session));
            }
        }
        Err(SimError::NotFound)
    }

    fn render(&self, s: &Session, now: Nanos) -> SessionView {
        let topology = &self.config.topology;
        let service = &topology.services[s.service];
        let server_name = |i: usize| topology.servers[i].name.clone();
        let backend_buffers = BufferMemory {
            writeq: 0,
            readq: 0,
            misc: 662,
        };
        let mut backends: Vec<(String, BufferMemory)> = Vec::new();
        for b in &s.backends {
            let name = server_name(b.server);
            if !backends.iter().any(|(n, _)| *n == name) {
                backends.push((name, backend_buffers));
            }
        }
        let started = s.state != SessionState::Created;
        let client_misc = 654
            + s.connection_attributes.as_ref().map_or(0, |a| {
                a.iter().map(|(k, v)| (k.len() + v.len()) as u64).sum()
            });
        let memory = Memory {
            client: BufferMemory {
                writeq: 0,
                readq: if started { 65536 } else { 108 },
                misc: client_misc,
            },
            backends,
            last_queries: s
                .queries
                .iter()
                .map(|q| 256 + q.statement.len() as u64)
                .sum(),
            variables: 0,
            sescmd_history: if started { 16 + 64 * s.history_len } else { 0 },
            exec_metadata: 0,
        };
        SessionView {
            id: s.id,
            state: s.state,
            user: (started && !s.user.is_empty()).then(|| s.user.clone()),
            remote: s.remote.clone(),
            port: s.port,
            connected_secs: s.connected_secs,
            seconds_alive: now.saturating_sub(s.created) as f64 / SECOND as f64,
            idle: Some(s.idle_seconds(now)),
            memory,
            io_activity: s.io.count(now),
            connections: s
                .backends
                .iter()
                .map(|b| ConnectionView {
                    connection_id: b.connection_id,
                    server: server_name(b.server),
                    cipher: String::new(),
                })
                .collect(),
            client: ClientView {
                cipher: String::new(),
                connection_attributes: s.connection_attributes.clone(),
                history: service
                    .has_session_command_history()
                    .then_some(HistoryView {
                        len: s.history_len,
                        stored_responses: s.history_len,
                        stored_metadata: 0,
                    }),
            },
            thread: s.worker,
            queries: s
                .queries
                .iter()
                .map(|q| QueryView {
                    statement: q.statement.clone(),
                    received_ms: q.received_ms,
                    completed_ms: q.completed_ms,
                    responses: q
                        .responses
                        .iter()
                        .map(|(server, ms)| (server_name(*server), *ms))
                        .collect(),
                })
                .collect(),
            log: s.log.iter().cloned().collect(),
            parameters: s.log_flags.or(service_flags(service)),
            service: service.name.clone(),
            filters: s
                .filters
                .iter()
                .map(|&f| topology.filters[f].name.clone())
                .collect(),
        }
    }
}

/// The restart acceptance step (spec §7.1).
fn accept_restart(s: &mut Session) -> Result<(), SimError> {
    if s.pool_time_ms >= 0 {
        Err(SimError::RestartRefused(REFUSE_POOLING))
    } else if s.internal_ops_pending {
        Err(SimError::RestartRefused(REFUSE_INTERNAL))
    } else {
        s.restart_pending = true;
        Ok(())
    }
}

/// The log flags a service sets for all its sessions (services have no `log_error`).
fn service_flags(service: &topology::Service) -> LogFlags {
    LogFlags {
        log_debug: service.log_debug,
        log_info: service.log_info,
        log_notice: service.log_notice,
        log_warning: service.log_warning,
        log_error: false,
    }
}

fn pick(rng: &mut ChaCha8Rng, choices: &[String], fallback: &str) -> String {
    if choices.is_empty() {
        fallback.to_string()
    } else {
        choices[rng.random_range(0..choices.len())].clone()
    }
}

/// Locks a mutex, recovering the data if another thread panicked while holding it: the
/// simulation's invariants hold between statements, so the data stays usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
