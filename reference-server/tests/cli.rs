//! The binary's command line: its documented exit codes, and that failures exit with them.

use std::net::TcpListener;
use std::process::{Command, Output};

fn reference_server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reference-server"))
        .args(args)
        .output()
        .expect("the binary runs")
}

#[test]
fn help_lists_the_exit_codes() {
    let output = reference_server(&["--help"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let help = String::from_utf8(output.stdout).unwrap();
    let section = help
        .split_once("Exit codes:")
        .map(|(_, rest)| rest)
        .expect("--help has an 'Exit codes:' section");
    let codes: Vec<&str> = section
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    assert_eq!(codes, ["0", "1", "2"], "{section}");
    assert!(section.contains("usage error"), "{section}");
}

#[test]
fn usage_errors_exit_with_2() {
    for args in [
        &["--no-such-flag"][..],
        &["--sessions", "many"],
        &["--query-rate", "2"],
        &["--topology", "/nonexistent/maxscale.cnf"],
    ] {
        let output = reference_server(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing was started");
    }
}

#[test]
fn a_listen_address_in_use_exits_with_1() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = reference_server(&["--listen", &address]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("failed to listen"), "{stderr}");
}
