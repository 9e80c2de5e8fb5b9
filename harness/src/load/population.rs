//! The sessions a load run acts on: built on the target through its session source (opened in
//! bulk, or the ones a target whose source opens none already has), and what
//! became of them — the live ids operations pick from, and the killed ids with the instant
//! their kill was answered, which must never come back.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use super::report;
use crate::source::{Action, Open, Source};
use crate::target::{collection_ids, Target};

/// Most sessions one opening asks for while the population is built.
const BATCH: usize = 10_000;

/// How many recently killed ids GET one probes draw from.
const PROBED_KILLS: usize = 1_024;

/// The ids of the run; `std` mutex: every section is short and none awaits.
#[derive(Debug, Default)]
pub struct Population {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Live ids, and where each sits in `live` (for O(1) removal).
    live: Vec<u64>,
    index: HashMap<u64, usize>,
    /// Killed ids and the instant the DELETE was answered.
    killed: HashMap<u64, Instant>,
    recent_kills: VecDeque<u64>,
}

impl Inner {
    fn remove_at(&mut self, at: usize) -> u64 {
        let id = self.live.swap_remove(at);
        self.index.remove(&id);
        if let Some(&moved) = self.live.get(at) {
            self.index.insert(moved, at);
        }
        id
    }
}

impl Population {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Live sessions known.
    pub fn len(&self) -> usize {
        self.lock().live.len()
    }

    /// Adds live sessions.
    pub fn add(&self, ids: &[u64]) {
        let mut inner = self.lock();
        for &id in ids {
            if !inner.index.contains_key(&id) {
                let at = inner.live.len();
                inner.live.push(id);
                inner.index.insert(id, at);
            }
        }
    }

    /// A live session, chosen by `random`; it stays live.
    pub fn pick(&self, random: u64) -> Option<u64> {
        let inner = self.lock();
        let n = inner.live.len() as u64;
        (n > 0).then(|| inner.live[(random % n) as usize])
    }

    /// A live session, chosen by `random`, taken out: nobody else picks it from now on.
    pub fn take(&self, random: u64) -> Option<u64> {
        let mut inner = self.lock();
        let n = inner.live.len() as u64;
        (n > 0).then(|| inner.remove_at((random % n) as usize))
    }

    /// A session was killed; its DELETE was answered at `at`.
    pub fn killed(&self, id: u64, at: Instant) {
        let mut inner = self.lock();
        inner.killed.insert(id, at);
        inner.recent_kills.push_back(id);
        if inner.recent_kills.len() > PROBED_KILLS {
            inner.recent_kills.pop_front();
        }
    }

    /// A recently killed session, chosen by `random`, and when its kill was answered.
    pub fn probe(&self, random: u64) -> Option<(u64, Instant)> {
        let inner = self.lock();
        let n = inner.recent_kills.len() as u64;
        (n > 0).then(|| {
            let id = inner.recent_kills[(random % n) as usize];
            (id, inner.killed[&id])
        })
    }

    /// Of `ids`, those whose kill was answered before `sent`, with the instant of the answer.
    pub fn killed_before(&self, ids: &[u64], sent: Instant) -> Vec<(u64, Instant)> {
        let inner = self.lock();
        ids.iter()
            .filter_map(|id| inner.killed.get(id).map(|at| (*id, *at)))
            .filter(|(_, at)| *at < sent)
            .collect()
    }
}

/// The ids of a session list body (`data[].id`, decimal strings), without building the rest of
/// the document.
pub fn list_ids(body: &[u8]) -> Result<Vec<u64>, String> {
    decimal(collection_ids(body)?)
}

/// Session ids as numbers.
fn decimal(ids: Vec<String>) -> Result<Vec<u64>, String> {
    ids.iter()
        .map(|id| {
            id.parse()
                .map_err(|_| format!("session id '{id}' is not a decimal number"))
        })
        .collect()
}

/// Connects `count` clients through the session source; their ids.
pub async fn create(source: &Source, count: usize) -> Result<Vec<u64>, String> {
    let open = Open {
        count: u32::try_from(count).map_err(|_| format!("{count} sessions at once"))?,
        ..Open::default()
    };
    decimal(source.open(open).await.map_err(|e| e.to_string())?)
}

/// Disconnects a client through the session source; a session already gone is no error.
pub async fn close(source: &Source, id: u64) -> Result<(), String> {
    let close = Action::Close { id: id.to_string() };
    source
        .act(&close)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Builds the population: the sessions the target lists, plus (with the control API) as many
/// new ones as it takes to reach `wanted`, created in batches. `progress` hears of each batch.
pub async fn build(
    target: &Target,
    source: &Source,
    wanted: usize,
    progress: &mut dyn FnMut(usize),
) -> Result<(Population, report::Population), String> {
    let existing = decimal(target.list("/v1/sessions").await?)?;
    let population = Population::default();
    population.add(&existing);
    let control = source.opens_sessions();
    let mut created = 0;
    if control {
        while existing.len() + created < wanted {
            let count = (wanted - existing.len() - created).min(BATCH);
            let ids = create(source, count).await?;
            created += ids.len();
            population.add(&ids);
            progress(created);
        }
    }
    let summary = report::Population {
        requested: wanted,
        existing: existing.len(),
        created,
        control,
        exhausted: 0,
    };
    Ok((population, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_taken_once_and_kills_remembered() {
        let population = Population::default();
        population.add(&[1, 2, 3, 3]);
        assert_eq!(population.len(), 3);
        let taken = population.take(1).unwrap();
        assert_eq!(taken, 2);
        assert_eq!(population.len(), 2);
        assert!((0..10).all(|r| population.pick(r) != Some(2)));
        let before = Instant::now();
        population.killed(2, before);
        let after = Instant::now();
        assert_eq!(population.probe(7), Some((2, before)));
        assert_eq!(population.killed_before(&[1, 2], after), [(2, before)]);
        assert!(population.killed_before(&[2], before).is_empty());
    }

    #[test]
    fn list_ids_reads_only_the_ids() {
        let body = br#"{"data":[{"id":"7","type":"sessions","attributes":{"x":[1,2]}},{"id":"12"}],"links":{}}"#;
        assert_eq!(list_ids(body).unwrap(), [7, 12]);
        assert!(list_ids(br#"{"data":[{"id":7}]}"#).is_err());
        assert!(list_ids(br#"{"data":[{"id":"x"}]}"#)
            .unwrap_err()
            .contains("not a decimal"));
    }
}
