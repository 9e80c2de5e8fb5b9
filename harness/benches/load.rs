//! The load simulation's measurements, each a ratio of two figures measured in the same run,
//! against the release `reference-server` binary run as a separate process:
//!
//! 1. the server holding 10,000 sessions with churn 1,000/s while serving an open-model load
//!    (achieved / offered rate, errors, p99 per operation, against the same load without
//!    churn), and 100,000 resident sessions against 10,000 under the same load;
//! 2. memory per session: the server's RSS growth (`/proc/PID/status` VmRSS) over N sessions,
//!    N = 1,000, 10,000, 100,000;
//! 3. GET /v1/sessions latency at those N (per 1,000 sessions, and how it scales);
//! 4. GET /v1/sessions at 10,000 sessions against in-process serialisation of the same bytes is
//!    `cargo bench -p reference-server --bench list_sessions`: not repeated here;
//! 5. the harness's request rate against wrk's on the same endpoint (GET one), same
//!    connections, same duration (skipped with a message when `wrk` is not installed).
//!
//! Run: `cargo build --release -p reference-server && cargo bench -p harness --bench load`
//! (the client and the server share the machine's cores, as they would on one box).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use harness::load::config::{LoadConfig, MixSetting, Output, Settings};
use harness::load::op::Operation;
use harness::load::report::LoadReport;
use harness::profile::Profile;
use harness::setup::Setup;
use harness::target::{Accounts, Credentials, Outgoing, Target, TargetUrl};

/// How long each load phase of measurement 1 and 5 runs.
const PHASE: &str = "20s";
/// The open-model rate of measurement 1.
const RATE: f64 = 1_000.0;
/// Connections of measurement 5, for both clients.
const CONNECTIONS: usize = 16;

fn main() {
    let binary = server_binary();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        println!("load average at the start: {}", load_average());
        println!("== 2, 3: memory per session and GET /v1/sessions latency");
        memory_and_list(&binary).await;
        println!("\n== 1: the server under load");
        under_load(&binary).await;
        println!(
            "\n== 4: GET /v1/sessions against in-process serialisation: \
             cargo bench -p reference-server --bench list_sessions"
        );
        println!("\n== 5: the harness against wrk, GET one");
        against_wrk(&binary).await;
    });
}

/// `target/release/reference-server`, next to this bench's own directory.
fn server_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the bench knows its path");
    let release = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the bench runs from target/release/deps");
    let binary = release.join("reference-server");
    if !binary.is_file() {
        eprintln!(
            "{} is missing: run `cargo build --release -p reference-server` first",
            binary.display()
        );
        std::process::exit(2);
    }
    binary
}

/// The release server in its own process, stopped when dropped.
struct ServerProcess {
    child: Child,
    url: String,
}

impl ServerProcess {
    fn start(binary: &PathBuf, extra: &[&str]) -> ServerProcess {
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--clock", "real"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the reference server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped"))
            .read_line(&mut line)
            .expect("the server prints its address");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .expect("`listening on URL` first")
            .to_string();
        ServerProcess { child, url }
    }

    /// Resident memory in bytes.
    fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status");
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("a VmRSS line");
        kib * 1024
    }

    fn target(&self) -> Target {
        let url = TargetUrl::parse(&self.url).expect("an http:// URL");
        Target::new(url, accounts(), Duration::from_secs(120))
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn admin() -> Credentials {
    Credentials {
        user: "admin".into(),
        password: "mariadb".into(),
    }
}

fn accounts() -> Accounts {
    Accounts {
        admin: admin(),
        basic: None,
    }
}

fn get(path: &str) -> Outgoing {
    Outgoing {
        method: "GET".into(),
        path: path.into(),
        headers: Vec::new(),
        body: None,
        credentials: Some(admin()),
    }
}

async fn create(target: &Target, count: usize) {
    let out = Outgoing {
        method: "POST".into(),
        path: "/_sim/sessions".into(),
        headers: Vec::new(),
        body: Some(format!("{{\"count\":{count}}}").into_bytes()),
        credentials: None,
    };
    let answer = target.send(&out).await.expect("created");
    assert_eq!(answer.status, 201, "POST /_sim/sessions");
}

/// Measurements 2 and 3: a fresh server per N (three for the smaller N, whose growth is near
/// the allocator's granularity: the median is shown).
async fn memory_and_list(binary: &PathBuf) {
    println!(
        "{:>9}  {:>10}  {:>11}  {:>12}  {:>12}  {:>10}",
        "sessions", "RSS growth", "per session", "GET all", "per 1k", "body"
    );
    let mut per_1k = Vec::new();
    for n in [1_000usize, 10_000, 100_000] {
        let repeats = if n >= 100_000 { 1 } else { 3 };
        let mut growths = Vec::new();
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..repeats {
            let server = ServerProcess::start(binary, &[]);
            let target = server.target();
            // Warm the allocator and the connection with an empty list first.
            let _ = target.send(&get("/v1/sessions")).await;
            let before = server.rss();
            create(&target, n).await;
            growths.push(server.rss().saturating_sub(before));
            let runs = if n >= 100_000 { 3 } else { 5 };
            for _ in 0..runs {
                let start = Instant::now();
                let answer = target.send(&get("/v1/sessions")).await.expect("listed");
                times.push(start.elapsed());
                assert_eq!(answer.status, 200);
                size = answer.body.len();
            }
        }
        growths.sort();
        times.sort();
        let growth = growths[growths.len() / 2];
        let ms = times[times.len() / 2].as_secs_f64() * 1000.0;
        per_1k.push(ms / (n as f64 / 1000.0));
        println!(
            "{n:>9}  {:>7.1} MB  {:>9.0} B  {ms:>9.1} ms  {:>9.2} ms  {:>7.1} MB",
            growth as f64 / 1e6,
            growth as f64 / n as f64,
            per_1k.last().unwrap(),
            size as f64 / 1e6
        );
    }
    println!(
        "GET all per 1k sessions: at 10k / at 1k = {:.2}x, at 100k / at 10k = {:.2}x",
        per_1k[1] / per_1k[0],
        per_1k[2] / per_1k[1]
    );
}

/// A load run against `url`.
async fn load(url: &str, sessions: usize, churn: f64, mix: &str) -> LoadReport {
    let settings = Settings {
        sessions: Some(sessions),
        duration: Some(PHASE.into()),
        churn: Some(churn),
        rate: Some(RATE),
        mix: Some(MixSetting::Text(mix.into())),
        ..Settings::default()
    };
    let config = config(settings, url);
    let mut sink = Vec::new();
    harness::load::run(&config, &mut sink)
        .await
        .expect("the load runs")
}

/// The target at `url`, with the run's settings and no reports.
fn config(settings: Settings, url: &str) -> LoadConfig {
    let setup = Setup {
        target: Some(TargetUrl::parse(url).expect("an http:// URL")),
        ..Setup::defaults(Profile::Maxscale2402, 0)
    };
    LoadConfig::new(settings, setup, Output::default()).expect("a valid config")
}

/// Measurement 1: 10k sessions with and without churn under the same offered load, with lists
/// in the mix and without (lists dominate the tail: a 10,000-session list is ~29 MB); then 100k
/// resident without lists (does a request's cost depend on the population?) and with rare ones
/// (a 100,000-session list is ~296 MB and takes the server seconds to render, so the first mix
/// would ask for more than two cores give).
async fn under_load(binary: &PathBuf) {
    let lists = "get-all=1,get-one=200,patch=20,restart=5,kill=5";
    let no_lists = "get-one=200,patch=20,restart=5,kill=5";
    let rare_lists = "get-all=1,get-one=3200,patch=320,restart=80,kill=80";
    println!("open model, {RATE} requests/s for {PHASE} per run");
    let mut runs = Vec::new();
    for (label, sessions, churn, mix) in [
        ("10k + churn 1000/s", 10_000, 1_000.0, lists),
        ("10k, no churn", 10_000, 0.0, lists),
        ("10k + churn 1000/s, no lists", 10_000, 1_000.0, no_lists),
        ("10k, no churn, no lists", 10_000, 0.0, no_lists),
        ("100k resident, no lists", 100_000, 0.0, no_lists),
        ("100k resident, rare lists", 100_000, 0.0, rare_lists),
    ] {
        let server = ServerProcess::start(binary, &[]);
        let (server_cpu, own_cpu) = (
            cpu_seconds(server.child.id()),
            cpu_seconds(std::process::id()),
        );
        let report = load(&server.url, sessions, churn, mix).await;
        let rss = server.rss();
        println!("{label} (mix {mix}; load average {}):", load_average());
        print_run(&report, rss);
        println!(
            "    CPU: server {:.1} s, harness {:.1} s (population, load and checks)",
            cpu_seconds(server.child.id()) - server_cpu,
            cpu_seconds(std::process::id()) - own_cpu
        );
        runs.push(report);
    }
    let at = |r: &LoadReport, op: Operation| {
        let s = &r.operations[op.name()].summary;
        (s.p50_ms, s.p99_ms)
    };
    let ratio =
        |a: (f64, f64), b: (f64, f64)| format!("p50 {:.2}x, p99 {:.2}x", a.0 / b.0, a.1 / b.1);
    for op in [Operation::GetOne, Operation::Patch] {
        println!(
            "{op}: with churn / without: {} (lists), {} (no lists); 100k / 10k (no lists): {}",
            ratio(at(&runs[0], op), at(&runs[1], op)),
            ratio(at(&runs[2], op), at(&runs[3], op)),
            ratio(at(&runs[4], op), at(&runs[3], op)),
        );
    }
    println!(
        "get-all: with churn / without: {}",
        ratio(
            at(&runs[0], Operation::GetAll),
            at(&runs[1], Operation::GetAll)
        )
    );
}

/// User and system CPU time of a process so far, in seconds (`/proc/PID/stat`, USER_HZ = 100).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, rest)| rest)
        .split_whitespace()
        .collect();
    // After the command: state is field 3, utime 14 and stime 15 (1-based, whole line).
    let ticks = |i: usize| {
        fields
            .get(i - 3)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(14) + ticks(15)) / 100.0
}

/// The machine's one-minute load average, to tell a quiet measurement from a busy one.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn print_run(report: &LoadReport, rss: u64) {
    let (requests, failed, _) = report.totals();
    let rate = requests as f64 / report.elapsed_s;
    let broken: u64 = report.violations.values().sum();
    println!(
        "    {rate:.0} requests/s achieved of {RATE} offered ({:.3}x), {failed} errors, \
         {broken} violations, churn {} arrived / {} left, server RSS {:.0} MB",
        rate / RATE,
        report.churn.arrived,
        report.churn.left,
        rss as f64 / 1e6
    );
    for op in Operation::ALL {
        if let Some(o) = report.operations.get(op.name()) {
            println!(
                "    {:<8} {:>7} requests {:>4} errors  p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
                op.name(),
                o.requests,
                o.failed,
                o.summary.p50_ms,
                o.summary.p99_ms,
                o.summary.max_ms
            );
        }
    }
}

/// Measurement 5: GET one at 1,000 sessions, closed model, by the harness and by wrk.
async fn against_wrk(binary: &PathBuf) {
    let server = ServerProcess::start(binary, &["--sessions", "1000"]);
    let settings = Settings {
        sessions: Some(1_000),
        duration: Some("10s".into()),
        concurrency: Some(CONNECTIONS),
        mix: Some(MixSetting::Text("get-one=1".into())),
        ..Settings::default()
    };
    let config = config(settings, &server.url);
    let report = harness::load::run(&config, &mut Vec::new())
        .await
        .expect("the load runs");
    let ours = report.operations["get-one"].summary.rate;
    println!(
        "harness: {ours:.0} requests/s ({CONNECTIONS} workers, every body schema-validated, p99 {:.2} ms)",
        report.operations["get-one"].summary.p99_ms
    );
    let wrk = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CONNECTIONS}"),
            "-d10s",
            "-H",
            "Authorization: Basic YWRtaW46bWFyaWFkYg==",
            &format!("{}/v1/sessions/1", server.url),
        ])
        .output();
    let Ok(wrk) = wrk else {
        println!("wrk: not installed (apt-get install wrk); no comparison");
        return;
    };
    let text = String::from_utf8_lossy(&wrk.stdout);
    let theirs: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0);
    println!("wrk:     {theirs:.0} requests/s ({CONNECTIONS} connections, 2 threads)");
    println!("harness / wrk = {:.2}x", ours / theirs);
}
