//! The schemas themselves: they compile, the embedded copy is the directory, the documented and
//! captured documents validate against their profile, the invalid fixtures fail where they must,
//! and openapi.json refers only to schemas that exist.

use std::path::{Path, PathBuf};

use harness::schemas::{SchemaSet, BASE_URI};
use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The JSON files of a fixture folder, sorted.
fn json_files(folder: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo(folder))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The violations of a document, one per line, for failure messages.
fn violations(set: &SchemaSet, name: &str, profile: &str, document: &Value) -> Vec<String> {
    let schema = set.compile(name, profile).unwrap();
    schema
        .violations(document)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_embedded_schemas_are_the_schema_directory() {
    let embedded = SchemaSet::embedded();
    let on_disk = SchemaSet::from_dir(&repo("schemas")).unwrap();
    assert!(embedded.paths().eq(on_disk.paths()));
    for path in on_disk.paths() {
        assert_eq!(embedded.file(path), on_disk.file(path), "{path}");
    }
}

#[test]
fn every_schema_is_a_2020_12_schema_that_compiles() {
    let set = SchemaSet::embedded();
    let schemas: Vec<&str> = set.paths().filter(|p| *p != "openapi.json").collect();
    assert!(schemas.len() >= 20, "{schemas:?}");
    for path in schemas {
        let file = set.file(path).unwrap();
        assert_eq!(
            file["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{path}"
        );
        assert_eq!(file["$id"], format!("{BASE_URI}{path}"), "{path}");
        if let Err(error) = set.compile_path(path) {
            panic!("{error}");
        }
    }
}

#[test]
fn documented_examples_validate_against_the_documented_profile_only() {
    // spec seed: the documentation page's examples (fixtures/docs/README.md).
    let set = SchemaSet::embedded();
    let examples = [
        ("get-one-session.response.json", "session-one"),
        ("get-all-sessions.response.json", "session-list"),
        ("patch-session-parameters.request.json", "patch-session"),
        ("patch-session-filters.request.json", "patch-session"),
    ];
    for (file, schema) in examples {
        let document = read_json(&repo(&format!("fixtures/docs/{file}")));
        let broken = violations(&set, schema, "documented", &document);
        assert!(broken.is_empty(), "{file} against {schema}: {broken:#?}");
    }
    // doc-vs-code A15–A17: the examples predate seconds_alive, connection_attributes and the
    // plain IPv4 remote that 24.02 always sends.
    for (file, schema) in &examples[..2] {
        let document = read_json(&repo(&format!("fixtures/docs/{file}")));
        let broken = violations(&set, schema, "maxscale-24.02", &document);
        assert!(
            broken.iter().any(|v| v.contains("seconds_alive")),
            "{file}: {broken:#?}"
        );
    }
}

/// The schema a captured answer is held to, by its request and status; `None` for an empty body.
fn schema_of_capture(exchange: &Value) -> Option<String> {
    if exchange["body"].is_null() {
        return None;
    }
    let method = exchange["request"]["method"].as_str().unwrap();
    let target = exchange["request"]["path"].as_str().unwrap().to_lowercase();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let status = exchange["status"].as_u64().unwrap();
    // spec §10.14: OPTIONS can carry a leaked error document with a 200.
    if status >= 400 || method == "OPTIONS" {
        return Some("error".to_string());
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let parts = parts.strip_prefix(&["v1"]).unwrap_or(&parts);
    let base = match parts {
        ["sessions"] => "session-list",
        ["sessions", id] if id.bytes().all(|b| b.is_ascii_digit()) => "session-one",
        _ => panic!("no schema for {method} {target}"),
    };
    // spec §10.13: a sparse fieldset drops attributes.
    let sparse = query
        .split('&')
        .any(|o| o.starts_with("fields[sessions]=") && o.len() > "fields[sessions]=".len());
    Some(if sparse {
        format!("{base}-sparse")
    } else {
        base.to_string()
    })
}

#[test]
fn captured_answers_validate_against_the_maxscale_profile() {
    let set = SchemaSet::embedded();
    let mut validated = 0;
    for file in json_files("fixtures/maxscale-24.02.4/exchanges") {
        let exchange = read_json(&file);
        let Some(schema) = schema_of_capture(&exchange) else {
            continue;
        };
        let broken = violations(&set, &schema, "maxscale-24.02", &exchange["body"]);
        assert!(
            broken.is_empty(),
            "{} against {schema}: {broken:#?}",
            file.display()
        );
        validated += 1;
    }
    assert_eq!(
        validated, 72,
        "every captured JSON body is held to a schema"
    );
}

#[test]
fn invalid_documents_fail_at_their_rule() {
    let set = SchemaSet::embedded();
    let fixtures = json_files("fixtures/invalid");
    assert!(fixtures.len() >= 10);
    for file in fixtures {
        let fixture = read_json(&file);
        let text = |key: &str| fixture[key].as_str().unwrap().to_string();
        let schema = set.compile(&text("schema"), &text("profile")).unwrap();
        let found = schema.violations(&fixture["document"]);
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        assert!(!found.is_empty(), "{name} was accepted");
        assert!(
            found
                .iter()
                .all(|v| v.instance_path == text("instance_path")),
            "{name} breaks more than its one place: {found:#?}"
        );
        assert!(
            found.iter().any(|v| v.schema_path == text("schema_path")),
            "{name} did not fail at {}: {found:#?}",
            text("schema_path")
        );
    }
}

/// Every `$ref` (and `x-body-schema`) string below a value.
fn references<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
    match value {
        Value::Object(members) => {
            for (key, member) in members {
                match (key.as_str(), member) {
                    ("$ref" | "x-body-schema", Value::String(target)) => found.push(target),
                    _ => references(member, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[test]
fn openapi_describes_every_endpoint_and_its_references_resolve() {
    let set = SchemaSet::embedded();
    let openapi = set
        .file("openapi.json")
        .expect("schemas/openapi.json exists");
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(openapi["info"]["title"].is_string());
    let paths = openapi["paths"].as_object().unwrap();
    for (path, method) in [
        ("/v1/sessions", "get"),
        ("/v1/sessions/{id}", "get"),
        ("/v1/sessions/{id}", "patch"),
        ("/v1/sessions/{id}", "delete"),
        ("/v1/sessions/{id}/relationships/filters", "patch"),
        ("/v1/sessions/{id}/restart", "post"),
        ("/v1/sessions/restart", "post"),
    ] {
        assert!(
            paths[path][method].is_object(),
            "{method} {path} is described"
        );
    }
    let mut found = Vec::new();
    references(openapi, &mut found);
    assert!(found.len() > 10);
    for target in found {
        let (file, pointer) = target.split_once('#').unwrap_or((target, ""));
        let document = if file.is_empty() {
            openapi
        } else {
            set.file(file)
                .unwrap_or_else(|| panic!("{target} names no schema file"))
        };
        assert!(
            document.pointer(pointer).is_some(),
            "{target} points at nothing"
        );
    }
}
