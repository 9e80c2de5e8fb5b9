//! GET /v1/sessions over HTTP against `serde_json` serialising the same document in-process,
//! at 1,000 and 10,000 sessions, measured in the same run; plus GET one at both sizes.
//!
//! Run: `cargo bench -p reference-server --bench list_sessions`

use std::time::{Duration, Instant};

use reference_server::ClockMode;
use reference_server::{Config, Server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sessions are many small allocations; mimalloc serves them faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const AUTH: &str = "Basic YWRtaW46bWFyaWFkYg=="; // admin:mariadb

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "{:>9}  {:>12}  {:>14}  {:>7}  {:>12}",
        "sessions", "GET all", "serde_json", "ratio", "GET one"
    );
    let mut get_one = Vec::new();
    for sessions in [1_000, 10_000] {
        let (get_all, baseline, one) = runtime.block_on(measure(sessions));
        get_one.push(one);
        println!(
            "{sessions:>9}  {:>9.2} ms  {:>11.2} ms  {:>6.2}x  {:>9.3} ms",
            ms(get_all),
            ms(baseline),
            get_all.as_secs_f64() / baseline.as_secs_f64(),
            ms(one)
        );
    }
    println!(
        "GET one at 10,000 sessions / at 1,000 sessions: {:.2}x",
        get_one[1].as_secs_f64() / get_one[0].as_secs_f64()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Medians of GET all over HTTP, of `serde_json::to_vec_pretty` on the same document, and of
/// GET one.
async fn measure(sessions: usize) -> (Duration, Duration, Duration) {
    let server = Server::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        clock: ClockMode::Virtual,
        sessions,
        ..Config::default()
    })
    .await
    .expect("server starts");
    let runs = if sessions > 5_000 { 15 } else { 40 };
    let (get_all, body) = time_get(&server, "/v1/sessions", runs).await;
    let document: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
    assert_eq!(document["data"].as_array().map(Vec::len), Some(sessions));
    let baseline = median(
        (0..=runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(serde_json::to_vec_pretty(&document).unwrap());
                start.elapsed()
            })
            .collect(),
    );
    let (one, _) = time_get(&server, "/v1/sessions/1", 200).await;
    server.stop().await;
    (get_all, baseline, one)
}

/// Median time of `runs` GETs after a warm-up, and the last body.
async fn time_get(server: &Server, path: &str, runs: usize) -> (Duration, Vec<u8>) {
    let mut body = get(server, path).await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        body = get(server, path).await;
        times.push(start.elapsed());
    }
    (median(times), body)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// One request on a fresh connection; returns the body.
async fn get(server: &Server, path: &str) -> Vec<u8> {
    let mut stream = TcpStream::connect(server.addr()).await.expect("connects");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {AUTH}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers end");
    assert!(response.starts_with(b"HTTP/1.1 200"), "GET {path} failed");
    response.split_off(split + 4)
}
