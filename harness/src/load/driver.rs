//! The REST traffic of a load run, in an open or a closed model.
//!
//! - Open (`--rate R`): request *i* is scheduled at `start + i/R` whatever happened before; its
//!   latency counts from that scheduled time, so an answer that comes late delays no later
//!   request's measurement (no coordinated omission). At most [`MOST_IN_FLIGHT`] requests are
//!   out at once; one that waits for a slot is late, and its latency shows it. The timetable
//!   runs on a thread of its own, paced by OS sleeps (tens of microseconds late, not the
//!   runtime timer's millisecond).
//! - Closed (`--concurrency C`): C workers, each sending its next request when the last is
//!   answered and judged; latency counts from the send.
//!
//! Each request's operation comes from the mix by a seeded random number, and so do the
//! session it acts on (a live one; for kill, one taken out of the population; for one GET one
//! in [`PROBE_EVERY`], a recently killed one) and the PATCH body.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::runtime::Handle;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::histogram::{Recorder, Sample};
use super::judge::{Exchange, Judge};
use super::op::{Mix, Model, Operation};
use super::population::Population;
use super::report::OpReport;
use crate::target::{Credentials, Target};

/// Most requests of the open model out at once.
pub const MOST_IN_FLIGHT: usize = 1_024;

/// One GET one in this many asks for a recently killed session (when there is one).
pub const PROBE_EVERY: u64 = 10;

/// How long a closed-model worker waits when no live session is left to act on.
const NO_SESSION_BACKOFF: Duration = Duration::from_millis(10);

/// Sends the traffic and records what came back.
pub struct Driver {
    target: Target,
    admin: Credentials,
    mix: Mix,
    /// The filters the target lists, for PATCH bodies.
    filters: Vec<String>,
    population: Arc<Population>,
    judge: Judge,
    recorders: Vec<Mutex<Recorder>>,
    /// When the load phase started: second 0 of the timelines.
    start: Instant,
    requests: AtomicU64,
    failed: AtomicU64,
    exhausted: AtomicU64,
}

/// Counts for the progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Requests completed so far, answered or not.
    pub requests: u64,
    /// Of those, the ones that broke a check or got no answer.
    pub failed: u64,
    /// Checks broken so far, as the judge counts them.
    pub violations: u64,
}

impl Driver {
    /// A driver whose load phase starts now.
    pub fn new(
        target: Target,
        admin: Credentials,
        mix: Mix,
        filters: Vec<String>,
        population: Arc<Population>,
        judge: Judge,
    ) -> Driver {
        Driver {
            target,
            admin,
            mix,
            filters,
            population,
            judge,
            recorders: Operation::ALL
                .iter()
                .map(|_| Mutex::new(Recorder::default()))
                .collect(),
            start: Instant::now(),
            requests: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            exhausted: AtomicU64::new(0),
        }
    }

    /// Counts so far.
    pub fn progress(&self) -> Progress {
        Progress {
            requests: self.requests.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            violations: self.judge.violation_count(),
        }
    }

    /// Sends traffic for `duration` in the model given, then waits for the last answers; the
    /// time from the start to the last answer, or the duration if that is longer (the open
    /// model's last request is scheduled just before the end).
    pub async fn drive(self: &Arc<Self>, model: Model, duration: Duration, seed: u64) -> Duration {
        let end = self.start + duration;
        match model {
            Model::Open { rate } => self.open(rate, end, seed).await,
            Model::Closed { concurrency } => self.closed(concurrency, end, seed).await,
        }
        self.start.elapsed().max(duration)
    }

    async fn open(self: &Arc<Self>, rate: f64, end: Instant, seed: u64) {
        let driver = Arc::clone(self);
        let runtime = Handle::current();
        let _ =
            tokio::task::spawn_blocking(move || driver.timetable(rate, end, seed, &runtime)).await;
    }

    /// The open model's timetable, kept on a thread of its own: an OS sleep wakes within tens
    /// of microseconds of the scheduled time, where the runtime's timer ticks by milliseconds,
    /// and every late wake-up would count in the latency measured from the scheduled time.
    fn timetable(self: Arc<Self>, rate: f64, end: Instant, seed: u64, runtime: &Handle) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let slots = Arc::new(Semaphore::new(MOST_IN_FLIGHT));
        let mut tasks = JoinSet::new();
        for i in 0u64.. {
            let scheduled = self.start + Duration::from_secs_f64(i as f64 / rate);
            if scheduled >= end {
                break;
            }
            if let Some(wait) = scheduled.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let slot = match Arc::clone(&slots).try_acquire_owned() {
                Ok(slot) => slot,
                Err(_) => match runtime.block_on(Arc::clone(&slots).acquire_owned()) {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
            };
            let op = self.mix.pick(rng.random());
            let random = rng.random();
            let driver = Arc::clone(&self);
            tasks.spawn_on(
                async move {
                    driver.perform(op, random, Some(scheduled)).await;
                    drop(slot);
                },
                runtime,
            );
            while tasks.try_join_next().is_some() {}
        }
        runtime.block_on(async { while tasks.join_next().await.is_some() {} });
    }

    async fn closed(self: &Arc<Self>, concurrency: usize, end: Instant, seed: u64) {
        let mut workers = JoinSet::new();
        for worker in 0..concurrency as u64 {
            let driver = Arc::clone(self);
            workers.spawn(async move {
                let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(worker));
                while Instant::now() < end {
                    let op = driver.mix.pick(rng.random());
                    if !driver.perform(op, rng.random(), None).await {
                        tokio::time::sleep(NO_SESSION_BACKOFF).await;
                    }
                }
            });
        }
        while workers.join_next().await.is_some() {}
    }

    /// Sends one request, judges and records it; `false` when it could not be sent for want of
    /// a live session.
    async fn perform(&self, op: Operation, random: u64, scheduled: Option<Instant>) -> bool {
        let id = match op {
            Operation::GetAll => Some(0),
            Operation::GetOne if random.is_multiple_of(PROBE_EVERY) => self
                .population
                .probe(random >> 8)
                .map(|(id, _)| id)
                .or_else(|| self.population.pick(random >> 8)),
            Operation::Kill => self.population.take(random >> 8),
            _ => self.population.pick(random >> 8),
        };
        let Some(id) = id else {
            self.exhausted.fetch_add(1, Ordering::Relaxed);
            return false;
        };
        let request = op.request(id, random >> 24, &self.filters, &self.admin);
        let sent = Instant::now();
        let answer = self.target.send(&request).await;
        let done = Instant::now();
        let status = answer.as_ref().ok().map(|r| r.status);
        if op == Operation::Kill {
            match status {
                Some(200..=299) => self.population.killed(id, done),
                // Gone already; or its fate is unknown (no answer, a refusal): keep acting on it.
                Some(404) => {}
                _ => self.population.add(&[id]),
            }
        }
        let killed_at = if op.needs_session() {
            let killed = self.population.killed_before(&[id], sent);
            killed.first().map(|(_, at)| *at)
        } else {
            None
        };
        let exchange = Exchange {
            op,
            request,
            sent,
            killed_at,
        };
        let failed = self.judge.judge(&exchange, answer).await;
        let sample = Sample {
            latency: done - scheduled.unwrap_or(sent),
            second: (done - self.start).as_secs(),
            status,
            failed,
        };
        self.recorder(op).record(sample);
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.failed.fetch_add(u64::from(failed), Ordering::Relaxed);
        true
    }

    fn recorder(&self, op: Operation) -> std::sync::MutexGuard<'_, Recorder> {
        let index = Operation::ALL
            .iter()
            .position(|o| *o == op)
            .expect("every operation has a recorder");
        self.recorders[index]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// The numbers by operation (those of the mix, and any other that sent a request),
    /// summarised over `elapsed`, and how many operations found no session.
    pub fn finish(&self, elapsed: Duration) -> (Vec<(Operation, OpReport)>, u64) {
        let operations = Operation::ALL
            .into_iter()
            .filter_map(|op| {
                let recorded = std::mem::take(&mut *self.recorder(op)).finish();
                (recorded.requests > 0 || self.mix.weight(op) > 0)
                    .then(|| (op, OpReport::from_recorded(recorded, elapsed.as_secs_f64())))
            })
            .collect();
        (operations, self.exhausted.load(Ordering::Relaxed))
    }

    /// The judge, for what it checked.
    pub fn judge(&self) -> &Judge {
        &self.judge
    }
}
