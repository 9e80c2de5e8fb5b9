//! The contract: the JSON Schemas of `schemas/` (draft 2020-12), embedded in the binary at build
//! time, or read from a directory that overrides them. Every file is known by its `$id` under
//! [`BASE_URI`]; references between files resolve in memory and nothing is fetched.

use std::collections::BTreeMap;
use std::path::Path;

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

/// The base of every schema's `$id`; the `.invalid` domain never resolves.
pub const BASE_URI: &str = "https://maxscale-sessions.invalid/schemas/";

/// The schema files built into the binary, as (path below `schemas/`, text).
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_schemas.rs"));

/// Why schemas could not be loaded or compiled.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// A schema file or directory could not be read.
    #[error("failed to read {path}: {source}")]
    Read {
        /// The file or directory that could not be read.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A schema file is not JSON.
    #[error("{path} is not JSON: {source}")]
    Json {
        /// The file that is not JSON.
        path: String,
        /// The JSON parser's error.
        source: serde_json::Error,
    },
    /// The set has no file for a schema name (neither the profile's own nor a shared one), or
    /// none at a path.
    #[error("no schema named '{name}' (for profile {profile})")]
    Unknown {
        /// The schema's name, or the file's path when one is compiled by path.
        name: String,
        /// The profile it was looked up for; `-` when compiled by path.
        profile: String,
    },
    /// A schema file that does not compile.
    #[error("schema {path} does not compile: {message}")]
    Compile {
        /// The file's path below the schema directory.
        path: String,
        /// The compiler's message.
        message: String,
    },
}

/// A set of schema files, by path below the schema directory (`profiles/documented/session.json`).
#[derive(Debug, Clone)]
pub struct SchemaSet {
    files: BTreeMap<String, Value>,
}

/// One broken rule found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer into the document.
    pub instance_path: String,
    /// The rule that failed: its file and JSON pointer, such as
    /// `session-common.json#/$defs/state/enum` (JSON Schema's absolute keyword location).
    pub schema_path: String,
    /// What is wrong, in the validator's words.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.instance_path.is_empty() {
            "/"
        } else {
            &self.instance_path
        };
        write!(f, "{at}: {} (schema {})", self.message, self.schema_path)
    }
}

impl SchemaSet {
    /// The schemas built into the binary.
    pub fn embedded() -> SchemaSet {
        let files = EMBEDDED
            .iter()
            .map(|(path, text)| {
                let value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("embedded schema {path} is not JSON: {e}"));
                (path.to_string(), value)
            })
            .collect();
        SchemaSet { files }
    }

    /// Every `.json` file below `dir`.
    pub fn from_dir(dir: &Path) -> Result<SchemaSet, SchemaError> {
        let mut files = BTreeMap::new();
        read_dir(dir, dir, &mut files)?;
        Ok(SchemaSet { files })
    }

    /// One file of the set, by its path below the schema directory.
    pub fn file(&self, path: &str) -> Option<&Value> {
        self.files.get(path)
    }

    /// The paths of all files, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// The file a schema name means for a profile: `profiles/<profile>/<name>.json` when the
    /// profile has its own, else `<name>.json`.
    pub fn resolve(&self, name: &str, profile: &str) -> Result<&str, SchemaError> {
        let own = format!("profiles/{profile}/{name}.json");
        let shared = format!("{name}.json");
        [own, shared]
            .into_iter()
            .find_map(|path| self.files.get_key_value(&path).map(|(k, _)| k.as_str()))
            .ok_or_else(|| SchemaError::Unknown {
                name: name.to_string(),
                profile: profile.to_string(),
            })
    }

    /// Compiles the schema a name means for a profile, with format validation on.
    pub fn compile(&self, name: &str, profile: &str) -> Result<Schema, SchemaError> {
        let path = self.resolve(name, profile)?;
        self.compile_path(path)
    }

    /// Compiles one file of the set.
    pub fn compile_path(&self, path: &str) -> Result<Schema, SchemaError> {
        let root = self.files.get(path).ok_or_else(|| SchemaError::Unknown {
            name: path.to_string(),
            profile: "-".to_string(),
        })?;
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .with_base_uri(format!("{BASE_URI}{path}"))
            .with_retriever(InMemory(self.files.clone()))
            .build(root)
            .map_err(|e| SchemaError::Compile {
                path: path.to_string(),
                message: e.to_string(),
            })?;
        Ok(Schema {
            path: path.to_string(),
            validator,
        })
    }
}

fn read_dir(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, Value>,
) -> Result<(), SchemaError> {
    let read_error = |path: &Path, source| SchemaError::Read {
        path: path.display().to_string(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let path = entry.map_err(|e| read_error(dir, e))?.path();
        if path.is_dir() {
            read_dir(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            let value = serde_json::from_str(&text).map_err(|source| SchemaError::Json {
                path: path.display().to_string(),
                source,
            })?;
            files.insert(name, value);
        }
    }
    Ok(())
}

/// Serves `$ref`s to the set's own files by their `$id`; anything else is an error, never a fetch.
struct InMemory(BTreeMap<String, Value>);

impl Retrieve for InMemory {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let text = uri.as_str();
        let path = text
            .strip_prefix(BASE_URI)
            .ok_or_else(|| format!("{text} is outside the schema set"))?;
        let path = path.split('#').next().unwrap_or(path);
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| format!("no schema file {path}").into())
    }
}

/// A compiled schema.
pub struct Schema {
    path: String,
    validator: Validator,
}

impl Schema {
    /// The file it was compiled from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Every rule the document breaks; empty when it is valid.
    pub fn violations(&self, document: &Value) -> Vec<Violation> {
        self.validator
            .iter_errors(document)
            .map(|e| Violation {
                instance_path: e.instance_path().to_string(),
                schema_path: e.absolute_keyword_location().map_or_else(
                    || e.evaluation_path().to_string(),
                    |uri| uri.as_str().trim_start_matches(BASE_URI).to_string(),
                ),
                message: e.to_string(),
            })
            .collect()
    }
}
