//! Churn while the load runs: sessions arriving and leaving at a rate, through the session
//! source (one opening of a batch per tick, one close per departure), paced by the clock, plus new sessions for those the load killed, so the population stays at
//! its size. Departures are taken out of the population before they are closed, so no operation
//! picks them afterwards; one already in flight may meet a 404, which the checks allow.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::population::{self, Population};
use super::report::Churn;
use crate::source::Source;

/// How often arrivals and departures are sent.
const TICK: Duration = Duration::from_millis(100);

/// Most sessions one tick creates or closes: a slow target makes churn fall behind instead of
/// piling requests up.
const MOST_PER_TICK: usize = 10_000;

/// Runs churn until `stop` turns true: `rate` sessions arriving and as many leaving per second,
/// and the population topped up to `size`.
pub async fn run(
    source: Source,
    population: Arc<Population>,
    rate: f64,
    size: usize,
    seed: u64,
    mut stop: watch::Receiver<bool>,
) -> Churn {
    let mut churn = Churn {
        rate,
        available: true,
        ..Churn::default()
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xC4_0C4);
    let start = Instant::now();
    // Departures sent, successful or not: what paces them.
    let mut departed: u64 = 0;
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.wait_for(|&stop| stop) => return churn,
        }
        // Everything due since the start, less what was sent: a slow tick catches up.
        let due = (start.elapsed().as_secs_f64() * rate) as u64;
        let arrivals = (due.saturating_sub(churn.arrived) as usize).min(MOST_PER_TICK);
        let departures = (due.saturating_sub(departed) as usize).min(MOST_PER_TICK);
        let deficit = size.saturating_sub(population.len() + arrivals);
        let replace = deficit.min(MOST_PER_TICK - arrivals);
        if arrivals + replace > 0 {
            match population::create(&source, arrivals + replace).await {
                Ok(ids) => {
                    population.add(&ids);
                    churn.arrived += arrivals as u64;
                    churn.replaced += replace as u64;
                }
                Err(_) => churn.errors += 1,
            }
        }
        let mut closing = JoinSet::new();
        for _ in 0..departures {
            let Some(id) = population.take(rng.random()) else {
                break;
            };
            departed += 1;
            let source = source.clone();
            closing.spawn(async move { population::close(&source, id).await });
        }
        while let Some(done) = closing.join_next().await {
            match done {
                Ok(Ok(())) => churn.left += 1,
                _ => churn.errors += 1,
            }
        }
    }
}
