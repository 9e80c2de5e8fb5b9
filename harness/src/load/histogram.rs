//! Latency histograms: HDR histograms of microseconds (1 µs to an hour, 3 significant digits),
//! their text form in reports (HdrHistogram's V2 serialisation in base64, which other HDR tools
//! read and which adds up across machines), and the recorder of one operation while a run goes on:
//! the whole run's histogram and one per second of the run for the latency-over-time plot.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// The longest latency a histogram holds exactly; longer ones are recorded as this.
const HIGHEST_US: u64 = 3_600_000_000;

/// An empty histogram of microseconds.
pub fn empty() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid histogram bounds")
}

/// A histogram as V2 bytes in base64.
pub fn encode(histogram: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    V2Serializer::new()
        .serialize(histogram, &mut bytes)
        .expect("a histogram serialises into memory");
    STANDARD.encode(bytes)
}

/// The histogram of [`encode`]'s text.
pub fn decode(text: &str) -> Result<Histogram<u64>, String> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| format!("a histogram is not base64: {e}"))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("a histogram does not decode: {e:?}"))
}

/// The latencies of a run or of one of its seconds, serialised as [`encode`]'s text.
#[derive(Debug, Clone, PartialEq)]
pub struct Latencies(pub Histogram<u64>);

impl Default for Latencies {
    fn default() -> Latencies {
        Latencies(empty())
    }
}

impl Serialize for Latencies {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Latencies {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Latencies, D::Error> {
        let text = String::deserialize(deserializer)?;
        decode(&text)
            .map(Latencies)
            .map_err(serde::de::Error::custom)
    }
}

impl Latencies {
    /// The latency at a percentile (0–100), in milliseconds; 0 when nothing was recorded.
    pub fn percentile_ms(&self, percentile: f64) -> f64 {
        ms(self.0.value_at_percentile(percentile))
    }

    /// The longest latency, in milliseconds.
    pub fn max_ms(&self) -> f64 {
        ms(self.0.max())
    }

    /// The mean latency, in milliseconds.
    pub fn mean_ms(&self) -> f64 {
        self.0.mean() / 1000.0
    }

    /// Adds another histogram's counts.
    pub fn add(&mut self, other: &Latencies) {
        self.0
            .add(&other.0)
            .expect("histograms of microseconds add up");
    }
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// What one request came to, for the recorder.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// From the scheduled (open model) or actual (closed model) send time to the whole body.
    pub latency: Duration,
    /// The second of the run the response completed in.
    pub second: u64,
    /// The status; `None` when no response came (refused, reset, timed out).
    pub status: Option<u16>,
    /// Whether the request broke a check or got no answer.
    pub failed: bool,
}

/// The measurements of one operation during a run.
#[derive(Debug)]
pub struct Recorder {
    requests: u64,
    failed: u64,
    transport_errors: u64,
    statuses: BTreeMap<String, u64>,
    all: Histogram<u64>,
    /// The second `current` covers, and the seconds before it, encoded (`None`: no request).
    second: u64,
    current: Histogram<u64>,
    timeline: Vec<Option<String>>,
}

impl Default for Recorder {
    fn default() -> Recorder {
        Recorder {
            requests: 0,
            failed: 0,
            transport_errors: 0,
            statuses: BTreeMap::new(),
            all: empty(),
            second: 0,
            current: empty(),
            timeline: Vec::new(),
        }
    }
}

/// The counts and histograms of one operation at the end of a run.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    /// Requests recorded, answered or not.
    pub requests: u64,
    /// Requests that broke a check or got no answer.
    pub failed: u64,
    /// Requests that got no answer (refused, reset, timed out).
    pub transport_errors: u64,
    /// Answers by status code.
    pub statuses: BTreeMap<String, u64>,
    /// Every request's latency.
    pub latency: Latencies,
    /// One encoded histogram per second of the run (`None`: no request completed in that second).
    pub timeline: Vec<Option<String>>,
}

impl Recorder {
    /// Counts one request. A response that completes in a second already closed (rare: the
    /// recorder's lock was taken out of order) counts in the open one.
    pub fn record(&mut self, sample: Sample) {
        self.requests += 1;
        self.failed += u64::from(sample.failed);
        match sample.status {
            Some(status) => *self.statuses.entry(status.to_string()).or_default() += 1,
            None => self.transport_errors += 1,
        }
        if sample.second > self.second {
            self.close_second();
            self.timeline
                .resize(usize::try_from(sample.second).unwrap_or(usize::MAX), None);
            self.second = sample.second;
        }
        let micros = u64::try_from(sample.latency.as_micros()).unwrap_or(u64::MAX);
        self.all.saturating_record(micros.max(1));
        self.current.saturating_record(micros.max(1));
    }

    /// Ends the open second: its histogram goes to the timeline.
    fn close_second(&mut self) {
        let encoded = (!self.current.is_empty()).then(|| encode(&self.current));
        let index = usize::try_from(self.second).unwrap_or(usize::MAX);
        if self.timeline.len() <= index {
            self.timeline.resize(index + 1, None);
        }
        self.timeline[index] = encoded;
        self.current.reset();
    }

    /// The measurements so far, with the open second closed.
    pub fn finish(mut self) -> Recorded {
        if self.requests > 0 {
            self.close_second();
        }
        Recorded {
            requests: self.requests,
            failed: self.failed,
            transport_errors: self.transport_errors,
            statuses: self.statuses,
            latency: Latencies(self.all),
            timeline: self.timeline,
        }
    }
}

/// Adds two timelines second by second (`None` is an empty second).
pub fn add_timelines(
    a: &[Option<String>],
    b: &[Option<String>],
) -> Result<Vec<Option<String>>, String> {
    let length = a.len().max(b.len());
    (0..length)
        .map(|i| {
            let a = a.get(i).cloned().flatten();
            let b = b.get(i).cloned().flatten();
            Ok(match (a, b) {
                (Some(a), Some(b)) => {
                    let mut sum = decode(&a)?;
                    sum.add(decode(&b)?).map_err(|e| format!("{e:?}"))?;
                    Some(encode(&sum))
                }
                (a, b) => a.or(b),
            })
        })
        .collect()
}

/// Milliseconds as a short text with three or four significant digits: `850us`, `2.46ms`,
/// `32.4ms`, `102ms`, `1.25s`.
pub fn format_ms(ms: f64) -> String {
    if ms < 1.0 {
        format!("{:.0}us", ms * 1000.0)
    } else if ms < 10.0 {
        format!("{ms:.2}ms")
    } else if ms < 100.0 {
        format!("{ms:.1}ms")
    } else if ms < 1000.0 {
        format!("{ms:.0}ms")
    } else {
        format!("{:.2}s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ms: u64, second: u64) -> Sample {
        Sample {
            latency: Duration::from_millis(ms),
            second,
            status: Some(200),
            failed: false,
        }
    }

    #[test]
    fn histograms_survive_their_text_form() {
        let mut h = empty();
        for v in [5, 120, 120, 4_000, 2_000_000] {
            h.record(v).unwrap();
        }
        let back = decode(&encode(&h)).unwrap();
        assert_eq!(back, h);
        let json = serde_json::to_string(&Latencies(h.clone())).unwrap();
        let again: Latencies = serde_json::from_str(&json).unwrap();
        assert_eq!(again.0.len(), 5);
        assert_eq!(again.percentile_ms(50.0), 0.12);
        assert!(decode("not base64!").is_err());
    }

    #[test]
    fn the_recorder_keeps_one_histogram_per_second() {
        let mut recorder = Recorder::default();
        recorder.record(sample(1, 0));
        recorder.record(sample(2, 0));
        recorder.record(sample(30, 2));
        recorder.record(Sample {
            status: None,
            failed: true,
            ..sample(10_000, 3)
        });
        let done = recorder.finish();
        assert_eq!(done.requests, 4);
        assert_eq!(done.failed, 1);
        assert_eq!(done.transport_errors, 1);
        assert_eq!(done.statuses["200"], 3);
        assert_eq!(done.timeline.len(), 4);
        assert!(done.timeline[1].is_none());
        assert_eq!(decode(done.timeline[0].as_ref().unwrap()).unwrap().len(), 2);
        let merged = add_timelines(&done.timeline, &done.timeline[..1]).unwrap();
        assert_eq!(decode(merged[0].as_ref().unwrap()).unwrap().len(), 4);
        assert_eq!(merged.len(), 4);
    }
}
