//! `harness validate` and `harness schemas` as a user runs them: output and exit codes.

mod support;

use support::{harness, stdout};

#[test]
fn valid_documents_exit_0() {
    let output = harness(&[
        "validate",
        "--profile",
        "documented",
        "--schema",
        "session-one",
        "fixtures/docs/get-one-session.response.json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).starts_with("ok    fixtures/docs/get-one-session.response.json"));
}

#[test]
fn a_broken_document_exits_1_and_names_the_rule() {
    let output = harness(&[
        "validate",
        "--schema",
        "session-one",
        "fixtures/docs/get-one-session.response.json",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.starts_with("FAIL  fixtures/docs/get-one-session.response.json"));
    assert!(
        text.contains("/data/attributes: \"seconds_alive\" is a required property (schema profiles/maxscale-24.02/session.json#/properties/attributes/required)"),
        "{text}"
    );
}

#[test]
fn usage_and_schema_errors_exit_2() {
    let unknown = harness(&["validate", "--schema", "nope", "fixtures/docs/README.md"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no schema named 'nope'"));
    let not_json = harness(&["validate", "--schema", "error", "fixtures/docs/README.md"]);
    assert_eq!(not_json.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_json.stderr).contains("not JSON"));
    let missing_dir = harness(&["--schemas", "/nonexistent", "schemas"]);
    assert_eq!(missing_dir.status.code(), Some(2));
    assert_eq!(
        harness(&["validate"]).status.code(),
        Some(2),
        "clap usage error"
    );
}

#[test]
fn a_schema_directory_overrides_the_built_in_schemas() {
    let dir = std::env::temp_dir().join(format!("harness-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let schema = r#"{"$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://maxscale-sessions.invalid/schemas/error.json", "const": 42}"#;
    std::fs::write(dir.join("error.json"), schema).unwrap();
    let answer = std::env::temp_dir().join(format!("harness-cli-{}.json", std::process::id()));
    std::fs::write(&answer, "42").unwrap();
    let dir_text = dir.to_str().unwrap();
    let output = harness(&[
        "--schemas",
        dir_text,
        "validate",
        "--schema",
        "error",
        answer.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let listed = stdout(&harness(&["--schemas", dir_text, "schemas"]));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        listed,
        "error.json\nanswer.json\n".replace("answer.json\n", "")
    );
    let built_in = stdout(&harness(&["schemas"]));
    assert!(built_in.contains("profiles/maxscale-24.02/session-one.json\n"));
}
