//! What a load run is made of: the settings a profile file and the command line give (the
//! command line wins), their defaults, and the small grammars of durations and report files.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use super::op::{Mix, Model};
use super::threshold::Threshold;
use crate::setup::Setup;

/// The settings of a run as a profile file or the command line gives them; every one is
/// optional, and [`Settings::over`] lays the command line over a profile.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    /// What the profile is for (profile files only).
    pub description: Option<String>,
    /// Sessions to build and keep.
    pub sessions: Option<usize>,
    /// `10s`, `500ms`, `2m`, or a number of seconds.
    pub duration: Option<String>,
    /// Sessions arriving, and as many leaving, per second.
    pub churn: Option<f64>,
    /// Open model: requests per second on a fixed timetable.
    pub rate: Option<f64>,
    /// Closed model: this many workers in loops.
    pub concurrency: Option<usize>,
    /// `get-one=20,kill=1`, or in a profile file a map of weights.
    pub mix: Option<MixSetting>,
    /// Pass criteria as written: `get-one.p99<20ms`, `errors<1%`, `rate>1000/s`.
    pub thresholds: Option<Vec<String>>,
    /// The seed of every random choice and of the embedded server.
    pub seed: Option<u64>,
    /// Validate the schema of one get-all body in this many.
    pub list_sample: Option<u32>,
    /// Seconds each request may take.
    pub timeout: Option<f64>,
}

/// A mix as text or, in a profile file, as a map of weights.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum MixSetting {
    /// As the command line writes it: `get-one=20,kill=1`.
    Text(String),
    /// A profile file's map from operation name to weight.
    Weights(std::collections::BTreeMap<String, u32>),
}

impl MixSetting {
    fn parse(&self) -> Result<Mix, String> {
        match self {
            MixSetting::Text(text) => Mix::parse(text),
            MixSetting::Weights(map) => {
                let text: Vec<String> = map.iter().map(|(op, w)| format!("{op}={w}")).collect();
                Mix::parse(&text.join(","))
            }
        }
    }
}

impl Settings {
    /// These settings with the gaps filled from `profile`. A rate given here replaces the
    /// profile's concurrency and the other way round: one model per run.
    pub fn over(self, profile: Settings) -> Settings {
        let model_given = self.rate.is_some() || self.concurrency.is_some();
        Settings {
            description: self.description.or(profile.description),
            sessions: self.sessions.or(profile.sessions),
            duration: self.duration.or(profile.duration),
            churn: self.churn.or(profile.churn),
            rate: if model_given { self.rate } else { profile.rate },
            concurrency: if model_given {
                self.concurrency
            } else {
                profile.concurrency
            },
            mix: self.mix.or(profile.mix),
            thresholds: self.thresholds.or(profile.thresholds),
            seed: self.seed.or(profile.seed),
            list_sample: self.list_sample.or(profile.list_sample),
            timeout: self.timeout.or(profile.timeout),
        }
    }
}

/// Sessions when none are given.
pub const DEFAULT_SESSIONS: usize = 1_000;
/// Run length when none is given.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Workers of the closed model when neither a rate nor a concurrency is given.
pub const DEFAULT_CONCURRENCY: usize = 8;
/// One get-all body in this many is schema-validated when not told otherwise.
pub const DEFAULT_LIST_SAMPLE: u32 = 10;
/// Seconds a request may take when not told otherwise: a 100,000-session list is ~290 MB.
pub const DEFAULT_TIMEOUT: f64 = 60.0;

/// A complete, checked run description.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The target (or the embedded server on a real clock), with the run's seed and timeout.
    pub setup: Setup,
    /// The population to build and keep.
    pub sessions: usize,
    /// How long the load phase runs.
    pub duration: Duration,
    /// Sessions arriving, and as many leaving, per second.
    pub churn: f64,
    /// How requests are issued: at a fixed rate (open) or by a number of workers (closed).
    pub model: Model,
    /// The operations' weights.
    pub mix: Mix,
    /// The pass criteria, judged on the report.
    pub thresholds: Vec<Threshold>,
    /// One get-all body in this many is schema-validated.
    pub list_sample: u32,
    /// Where the results go besides standard output.
    pub output: Output,
}

/// Where a load run's results go besides standard output.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Report files to write (`--report`).
    pub reports: Vec<LoadReportSpec>,
    /// Draw a progress bar on standard error (when it is a terminal).
    pub progress: bool,
}

impl LoadConfig {
    /// Checks settings and fills in the defaults; a message says what is wrong.
    /// The settings' seed and timeout (or their defaults) replace those of `setup`.
    pub fn new(settings: Settings, setup: Setup, output: Output) -> Result<LoadConfig, String> {
        let duration = match &settings.duration {
            Some(text) => parse_duration(text).map_err(|e| format!("duration: {e}"))?,
            None => DEFAULT_DURATION,
        };
        if duration.is_zero() {
            return Err("duration: a run must last longer than 0 s".into());
        }
        let churn = settings.churn.unwrap_or(0.0);
        if !(churn.is_finite() && churn >= 0.0) {
            return Err(format!(
                "churn: {churn} is not a number of sessions per second ≥ 0"
            ));
        }
        let model = match (settings.rate, settings.concurrency) {
            (Some(_), Some(_)) => return Err("give a rate or a concurrency, not both".into()),
            (Some(rate), None) if rate.is_finite() && rate > 0.0 => Model::Open { rate },
            (Some(rate), None) => {
                return Err(format!("rate: {rate} is not a number of requests/s > 0"))
            }
            (None, Some(0)) => return Err("concurrency: at least 1 worker".into()),
            (None, Some(concurrency)) => Model::Closed { concurrency },
            (None, None) => Model::Closed {
                concurrency: DEFAULT_CONCURRENCY,
            },
        };
        let mix = match &settings.mix {
            Some(mix) => mix.parse().map_err(|e| format!("mix: {e}"))?,
            None => Mix::default(),
        };
        let thresholds = settings
            .thresholds
            .iter()
            .flatten()
            .map(|text| text.parse::<Threshold>())
            .collect::<Result<Vec<_>, _>>()?;
        let list_sample = settings.list_sample.unwrap_or(DEFAULT_LIST_SAMPLE);
        if list_sample == 0 {
            return Err("list-sample: validate one get-all body in N ≥ 1".into());
        }
        let timeout = Duration::try_from_secs_f64(settings.timeout.unwrap_or(DEFAULT_TIMEOUT))
            .ok()
            .filter(|t| !t.is_zero())
            .ok_or("timeout: a number of seconds > 0")?;
        Ok(LoadConfig {
            setup: Setup {
                seed: settings.seed.unwrap_or(0),
                timeout,
                ..setup
            },
            sessions: settings.sessions.unwrap_or(DEFAULT_SESSIONS),
            duration,
            churn,
            model,
            mix,
            thresholds,
            list_sample,
            output,
        })
    }
}

/// `1.5s`, `500ms`, `2m`, `1h`, `250us`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (10s, 500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1e3,
        "us" | "µs" => value / 1e6,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown unit '{other}' in '{text}' (us, ms, s, m, h)"
            ))
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("'{text}' is out of range"))
}

/// A report file to write: `json:FILE` or `html:FILE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReportSpec {
    /// The file's format.
    pub kind: LoadReportKind,
    /// Where the file is written.
    pub path: PathBuf,
}

/// The formats of load report files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadReportKind {
    /// Counts and histograms; `harness report merge` adds several.
    Json,
    /// One self-contained page with plots.
    Html,
}

impl FromStr for LoadReportSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<LoadReportSpec, String> {
        let (kind, path) = text
            .split_once(':')
            .filter(|(_, path)| !path.is_empty())
            .ok_or_else(|| format!("expected KIND:FILE (json:FILE or html:FILE), got '{text}'"))?;
        let kind = match kind {
            "json" => LoadReportKind::Json,
            "html" => LoadReportKind::Html,
            other => return Err(format!("unknown report kind '{other}' (json or html)")),
        };
        Ok(LoadReportSpec {
            kind,
            path: PathBuf::from(path),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(settings: Settings) -> Result<LoadConfig, String> {
        let setup = Setup::defaults(crate::profile::Profile::Maxscale2402, 0);
        LoadConfig::new(settings, setup, Output::default())
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("soon")
            .unwrap_err()
            .contains("not a duration"));
        assert!(parse_duration("3d")
            .unwrap_err()
            .contains("unknown unit 'd'"));
    }

    #[test]
    fn the_command_line_wins_over_the_profile() {
        let profile = Settings {
            sessions: Some(10_000),
            concurrency: Some(16),
            churn: Some(1000.0),
            thresholds: Some(vec!["errors<1%".into()]),
            ..Settings::default()
        };
        let flags = Settings {
            rate: Some(500.0),
            churn: Some(5.0),
            ..Settings::default()
        };
        let config = config(flags.over(profile)).unwrap();
        assert_eq!(config.sessions, 10_000);
        assert_eq!(config.churn, 5.0);
        assert_eq!(config.model, Model::Open { rate: 500.0 });
        assert_eq!(config.thresholds.len(), 1);
    }

    #[test]
    fn bad_settings_say_which() {
        let error = |settings| config(settings).unwrap_err();
        assert!(error(Settings {
            duration: Some("0s".into()),
            ..Settings::default()
        })
        .contains("longer than 0"));
        assert!(error(Settings {
            rate: Some(1.0),
            concurrency: Some(1),
            ..Settings::default()
        })
        .contains("not both"));
        assert!(error(Settings {
            mix: Some(MixSetting::Text("nope=1".into())),
            ..Settings::default()
        })
        .starts_with("mix: unknown operation"));
        assert!(error(Settings {
            churn: Some(-1.0),
            ..Settings::default()
        })
        .starts_with("churn:"));
    }
}
