//! Thresholds: pass/fail criteria on a run's numbers, as in k6. `[OPERATION.]METRIC CMP VALUE`:
//!
//! - `get-one.p99<20ms`, `get-all.p50<=500ms`, `p99.9<1s`, `kill.max<2s`, `mean<5ms`: latency at a
//!   percentile (`p50`, `p99.9`, any `pN`), `max` or `mean`; units `us`, `ms`, `s`.
//! - `errors<1%` (share of requests that broke a check or got no answer), `errors<=10` (count).
//! - `rate>1000/s`: requests per second over the run.
//!
//! Without an operation a threshold is judged on all operations together. A threshold on an
//! operation that sent no request fails: there is nothing to judge it on.

use std::fmt;
use std::str::FromStr;

use super::histogram::format_ms;
use super::histogram::Latencies;
use super::op::Operation;
use super::report::{LoadReport, Verdict};

/// One criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// As written.
    pub text: String,
    scope: Option<Operation>,
    metric: Metric,
    comparison: Comparison,
    /// Milliseconds, a percentage, a count or requests/s, as the metric says.
    value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Metric {
    Percentile(f64),
    Max,
    Mean,
    ErrorShare,
    ErrorCount,
    Rate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparison {
    fn holds(self, actual: f64, limit: f64) -> bool {
        match self {
            Comparison::Less => actual < limit,
            Comparison::LessOrEqual => actual <= limit,
            Comparison::Greater => actual > limit,
            Comparison::GreaterOrEqual => actual >= limit,
        }
    }
}

impl FromStr for Threshold {
    type Err = String;

    fn from_str(text: &str) -> Result<Threshold, String> {
        let bad = |why: &str| format!("threshold '{text}': {why}");
        let at = text
            .find(['<', '>'])
            .ok_or_else(|| bad("expected METRIC<VALUE or METRIC>VALUE (get-one.p99<20ms)"))?;
        let (left, right) = text.split_at(at);
        let (comparison, right) = match (right.as_bytes()[0], right.as_bytes().get(1)) {
            (b'<', Some(b'=')) => (Comparison::LessOrEqual, &right[2..]),
            (b'<', _) => (Comparison::Less, &right[1..]),
            (b'>', Some(b'=')) => (Comparison::GreaterOrEqual, &right[2..]),
            _ => (Comparison::Greater, &right[1..]),
        };
        let left = left.trim();
        let (scope, metric_name) = match left.split_once('.') {
            Some((op, rest)) if Operation::from_name(op).is_some() => {
                (Operation::from_name(op), rest)
            }
            _ => (None, left),
        };
        let right = right.trim();
        let (metric, value) = match metric_name {
            "errors" => match right.strip_suffix('%') {
                Some(share) => (Metric::ErrorShare, number(share).map_err(|e| bad(&e))?),
                None => (Metric::ErrorCount, number(right).map_err(|e| bad(&e))?),
            },
            "rate" => (
                Metric::Rate,
                number(right.strip_suffix("/s").unwrap_or(right)).map_err(|e| bad(&e))?,
            ),
            "max" => (Metric::Max, latency(right).map_err(|e| bad(&e))?),
            "mean" => (Metric::Mean, latency(right).map_err(|e| bad(&e))?),
            name => {
                let percentile = name
                    .strip_prefix('p')
                    .and_then(|p| p.parse::<f64>().ok())
                    .filter(|p| (0.0..=100.0).contains(p))
                    .ok_or_else(|| {
                        bad(&format!(
                            "unknown metric '{name}' (pN such as p99 or p99.9, max, mean, errors, \
                             rate; an operation prefix is one of get-all, get-one, patch, restart, kill)"
                        ))
                    })?;
                (
                    Metric::Percentile(percentile),
                    latency(right).map_err(|e| bad(&e))?,
                )
            }
        };
        Ok(Threshold {
            text: text.to_string(),
            scope,
            metric,
            comparison,
            value,
        })
    }
}

fn number(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("'{text}' is not a number ≥ 0"))
}

/// A latency with its unit, in milliseconds.
fn latency(text: &str) -> Result<f64, String> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (value, unit) = text.split_at(split);
    let value = number(value)?;
    match unit.trim() {
        "us" | "µs" => Ok(value / 1000.0),
        "ms" => Ok(value),
        "s" => Ok(value * 1000.0),
        "" => Err(format!("the latency '{text}' needs a unit (us, ms or s)")),
        other => Err(format!("unknown latency unit '{other}' (us, ms or s)")),
    }
}

impl Threshold {
    /// Judges the threshold on a run.
    pub fn judge(&self, report: &LoadReport) -> Verdict {
        let (requests, failed, latencies) = match self.scope {
            Some(op) => report
                .operations
                .get(op.name())
                .map(|o| (o.requests, o.failed, o.latency.clone()))
                .unwrap_or_default(),
            None => report.totals(),
        };
        let verdict = |passed, actual| Verdict {
            threshold: self.text.clone(),
            passed,
            actual,
        };
        if requests == 0 {
            return verdict(false, "no requests".into());
        }
        let (actual, shown) = measure(self.metric, requests, failed, &latencies, report);
        verdict(self.comparison.holds(actual, self.value), shown)
    }
}

/// The metric's value on a run, and as shown.
fn measure(
    metric: Metric,
    requests: u64,
    failed: u64,
    latencies: &Latencies,
    report: &LoadReport,
) -> (f64, String) {
    match metric {
        Metric::Percentile(p) => {
            let ms = latencies.percentile_ms(p);
            (ms, format_ms(ms))
        }
        Metric::Max => (latencies.max_ms(), format_ms(latencies.max_ms())),
        Metric::Mean => (latencies.mean_ms(), format_ms(latencies.mean_ms())),
        Metric::ErrorShare => {
            let share = failed as f64 * 100.0 / requests as f64;
            (share, format!("{share:.2}% ({failed} of {requests})"))
        }
        Metric::ErrorCount => (failed as f64, format!("{failed} of {requests}")),
        Metric::Rate => {
            let rate = requests as f64 / report.elapsed_s.max(f64::MIN_POSITIVE);
            (rate, format!("{rate:.1}/s"))
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse() {
        let t: Threshold = "get-one.p99<20ms".parse().unwrap();
        assert_eq!(t.scope, Some(Operation::GetOne));
        assert_eq!(t.metric, Metric::Percentile(99.0));
        assert_eq!((t.comparison, t.value), (Comparison::Less, 20.0));
        let t: Threshold = "p99.9 <= 1.5s".parse().unwrap();
        assert_eq!(
            (t.scope, t.metric, t.value),
            (None, Metric::Percentile(99.9), 1500.0)
        );
        let t: Threshold = "errors<1%".parse().unwrap();
        assert_eq!((t.metric, t.value), (Metric::ErrorShare, 1.0));
        let t: Threshold = "kill.errors<=3".parse().unwrap();
        assert_eq!((t.metric, t.value), (Metric::ErrorCount, 3.0));
        let t: Threshold = "rate>1000/s".parse().unwrap();
        assert_eq!(
            (t.metric, t.comparison, t.value),
            (Metric::Rate, Comparison::Greater, 1000.0)
        );
        let t: Threshold = "get-one.p99<1us".parse().unwrap();
        assert_eq!(t.value, 0.001);
    }

    #[test]
    fn bad_thresholds_say_why() {
        let error = |text: &str| text.parse::<Threshold>().unwrap_err();
        assert!(error("get-one.p99").contains("expected METRIC<VALUE"));
        assert!(error("get-one.p99<20").contains("needs a unit"));
        assert!(error("get-one.p99<20h").contains("unknown latency unit 'h'"));
        assert!(error("list.p99<20ms").contains("unknown metric 'list.p99'"));
        assert!(error("p101<1ms").contains("unknown metric 'p101'"));
        assert!(error("errors<lots").contains("not a number"));
    }

    #[test]
    fn milliseconds_read_well() {
        assert_eq!(format_ms(0.25), "250us");
        assert_eq!(format_ms(2.4567), "2.46ms");
        assert_eq!(format_ms(12.3), "12.3ms");
        assert_eq!(format_ms(102.463), "102ms");
        assert_eq!(format_ms(1250.0), "1.25s");
    }
}
