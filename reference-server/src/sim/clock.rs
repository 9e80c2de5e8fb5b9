//! The simulation's one source of time: real, or virtual (moves only when told).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::watch;

/// Nanoseconds of monotonic time since the simulation (re)started.
pub type Nanos = u64;

/// One second in [`Nanos`].
pub const SECOND: Nanos = 1_000_000_000;

/// The fixed wall-clock epoch of the virtual clock: `Fri, 05 Jan 2024 07:24:06 GMT`, the date of
/// the 24.02 documentation example (spec §5.9).
pub const VIRTUAL_EPOCH_SECS: u64 = 1_704_439_446;

/// Which kind of clock drives the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClockMode {
    /// Time passes as on the machine.
    Real,
    /// Time stands still until advanced; dates start at Fri, 05 Jan 2024 07:24:06 GMT.
    Virtual,
}

/// A clock that is either real or virtual; every time the simulation reads comes from here.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    origin: Instant,
    origin_wall_ms: u64,
    virtual_now: AtomicU64,
    /// Every new virtual time, for [`Clock::sleep_until`].
    moves: watch::Sender<Nanos>,
}

impl Clock {
    /// A clock of the given mode, starting now (real) or at the virtual epoch.
    pub fn new(mode: ClockMode) -> Clock {
        let origin_wall_ms = match mode {
            ClockMode::Real => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
            ClockMode::Virtual => VIRTUAL_EPOCH_SECS * 1000,
        };
        Clock {
            mode,
            origin: Instant::now(),
            origin_wall_ms,
            virtual_now: AtomicU64::new(0),
            moves: watch::Sender::new(0),
        }
    }

    /// The clock's mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// Monotonic time since the clock started.
    pub fn now(&self) -> Nanos {
        match self.mode {
            ClockMode::Real => self.origin.elapsed().as_nanos() as Nanos,
            ClockMode::Virtual => self.virtual_now.load(Ordering::SeqCst),
        }
    }

    /// Wall-clock milliseconds since the Unix epoch at monotonic time `t`.
    pub fn wall_ms(&self, t: Nanos) -> u64 {
        self.origin_wall_ms + t / 1_000_000
    }

    /// Wall-clock seconds since the Unix epoch at monotonic time `t`.
    pub fn wall_secs(&self, t: Nanos) -> u64 {
        self.wall_ms(t) / 1000
    }

    /// Moves a virtual clock forward and returns the new time; a real clock cannot be moved.
    pub fn advance(&self, by: Duration) -> Option<Nanos> {
        match self.mode {
            ClockMode::Real => None,
            ClockMode::Virtual => {
                let by = by.as_nanos().min(u64::MAX as u128) as u64;
                let before = self.virtual_now.fetch_add(by, Ordering::SeqCst);
                self.moves.send_replace(before + by);
                Some(before + by)
            }
        }
    }

    /// Sets a virtual clock back to its start.
    pub fn rewind(&self) {
        self.virtual_now.store(0, Ordering::SeqCst);
        self.moves.send_replace(0);
    }

    /// Waits until the clock reads `deadline` or later: on a real clock by sleeping, on a virtual
    /// clock until [`Clock::advance`] moves it there, so nothing sleeps on virtual time.
    pub async fn sleep_until(&self, deadline: Nanos) {
        match self.mode {
            ClockMode::Real => {
                let left = deadline.saturating_sub(self.now());
                tokio::time::sleep(Duration::from_nanos(left)).await;
            }
            ClockMode::Virtual => {
                let mut moves = self.moves.subscribe();
                let _ = moves.wait_for(|_| self.now() >= deadline).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_moves_only_when_advanced() {
        let clock = Clock::new(ClockMode::Virtual);
        assert_eq!(clock.now(), 0);
        assert_eq!(clock.wall_secs(0), VIRTUAL_EPOCH_SECS);
        assert_eq!(
            clock.advance(Duration::from_millis(1500)),
            Some(1_500_000_000)
        );
        assert_eq!(clock.now(), 1_500_000_000);
        assert_eq!(clock.wall_ms(clock.now()), VIRTUAL_EPOCH_SECS * 1000 + 1500);
        clock.rewind();
        assert_eq!(clock.now(), 0);
    }

    #[tokio::test]
    async fn sleeping_on_a_virtual_clock_ends_when_it_is_advanced_past_the_deadline() {
        let clock = std::sync::Arc::new(Clock::new(ClockMode::Virtual));
        let sleeper = std::sync::Arc::clone(&clock);
        let sleeping = tokio::spawn(async move { sleeper.sleep_until(2 * SECOND).await });
        clock.advance(Duration::from_secs(1));
        tokio::task::yield_now().await;
        assert!(!sleeping.is_finished(), "one second of two has passed");
        clock.advance(Duration::from_secs(1));
        sleeping.await.unwrap();
    }

    #[test]
    fn real_clock_cannot_be_advanced() {
        let clock = Clock::new(ClockMode::Real);
        assert_eq!(clock.advance(Duration::from_secs(1)), None);
        assert!(clock.wall_secs(0) > VIRTUAL_EPOCH_SECS);
    }
}
