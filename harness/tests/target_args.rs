//! The options every command shares (`run`, `conform`, `props`, `load`): a `--target` base path
//! is honoured, what cannot be honoured is a usage error (exit 2) in every command, and every
//! `--help` documents the exit codes.

mod support;

use support::{harness, stderr};

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The commands that talk to a target, with the arguments each needs besides the shared ones.
const COMMANDS: [&[&str]; 4] = [
    &["run", "harness/tests/scenarios/failing.yaml"],
    &["conform"],
    &["props", "--cases", "1"],
    &["load", "--duration", "1s"],
];

/// A server that answers every request with an empty 404 and remembers each request line,
/// until it is stopped.
struct Recorder {
    url: String,
    lines: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Recorder {
    fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen, stopped) = (Arc::clone(&lines), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                // The headers, up to the empty line; the requests here carry no body.
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                seen.lock().unwrap().push(line.trim_end().to_string());
                let _ = stream.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Recorder {
            url,
            lines,
            stop,
            thread,
        }
    }

    /// Stops the server; the request lines it saw.
    fn finish(self) -> Vec<String> {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(self.url.trim_start_matches("http://"));
        self.thread.join().unwrap();
        let lines = self.lines.lock().unwrap().clone();
        lines
    }
}

#[test]
fn a_base_path_in_the_target_prefixes_every_request() {
    let recorder = Recorder::start();
    let base = recorder.url.clone();
    let target = format!("{base}/maxscale/");
    let output = harness(&[
        "run",
        "--target",
        &target,
        "harness/tests/scenarios/failing.yaml",
    ]);
    let lines = recorder.finish();
    let text = String::from_utf8_lossy(&output.stdout);
    // The target answers 404 where the scenario expects 200: a failure, not a usage error.
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    assert_eq!(
        lines.first().map(String::as_str),
        Some("GET /maxscale/_sim HTTP/1.1")
    );
    assert!(
        lines.contains(&"GET /maxscale/v1/sessions HTTP/1.1".to_string()),
        "{lines:?}"
    );
    assert!(lines.iter().all(|l| l.contains(" /maxscale/")), "{lines:?}");
    assert!(
        text.contains(&format!(
            "curl -u admin:mariadb {base}/maxscale/v1/sessions"
        )),
        "{text}"
    );
}

/// Every command with `extra` arguments added exits 2, saying `message` on standard error.
fn usage_error_everywhere(extra: &[&str], message: &str) {
    for command in COMMANDS {
        let args: Vec<&str> = command.iter().chain(extra).copied().collect();
        let output = harness(&args);
        let error = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {error}");
        assert!(error.contains(message), "{args:?}: {error}");
    }
}

#[test]
fn a_target_that_cannot_be_honoured_is_a_usage_error_in_every_command() {
    for (url, message) in [
        ("https://127.0.0.1:1", "only http:// targets"),
        ("http://admin:mariadb@127.0.0.1:1", "credentials in the URL"),
        ("http://127.0.0.1:1/?pretty=true", "no query or fragment"),
        ("http://127.0.0.1:1/#top", "no query or fragment"),
        ("not a url", "is not a URL"),
    ] {
        usage_error_everywhere(&["--target", url], message);
    }
}

#[test]
fn a_timeout_of_zero_or_less_is_a_usage_error_in_every_command() {
    for timeout in ["--timeout=0", "--timeout=-1", "--timeout=soon"] {
        usage_error_everywhere(&[timeout], "--timeout");
    }
}

#[test]
fn every_help_documents_the_exit_codes() {
    let mut commands: Vec<&[&str]> = vec![&[], &["validate"], &["report", "merge"]];
    commands.extend(COMMANDS.iter().map(|c| &c[..1]));
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let output = harness(&args);
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        for code in [
            "0  the target conforms",
            "1  a conformance failure",
            "2  usage error",
            "3  the target refuses",
        ] {
            assert!(text.contains(code), "{args:?} lacks '{code}':\n{text}");
        }
    }
}

#[test]
fn a_mysql_url_that_cannot_be_honoured_is_a_usage_error_without_its_password() {
    for url in [
        "http://maxuser:s3cret@127.0.0.1:4006/test",
        "mysql://maxuser:s3cret@127.0.0.1:nope/test",
        "mysql://:s3cret@127.0.0.1:4006/test",
    ] {
        usage_error_everywhere(&["--mysql", url], "mysql://USER:PASS@HOST:PORT/DB");
        let output = harness(&["conform", "--mysql", url]);
        assert!(!stderr(&output).contains("s3cret"), "{}", stderr(&output));
    }
}

#[test]
fn sessions_via_mysql_without_a_mysql_url_is_a_usage_error_in_every_command() {
    // Only with --target: the embedded server offers its own listener.
    usage_error_everywhere(
        &["--target", "http://127.0.0.1:1", "--sessions-via", "mysql"],
        "--sessions-via mysql needs --mysql URL",
    );
}
