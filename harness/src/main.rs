//! `harness`: checks implementations of the MaxScale REST API session resource.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use harness::schemas::{SchemaError, SchemaSet};

/// Conformance harness for the session resource of the MaxScale REST API (/v1/sessions).
///
/// Exit codes: 0 everything conforms, 1 a document breaks its schema, 2 usage or schema error.
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Read the JSON Schemas from this directory instead of the ones built in.
    #[arg(long, global = true, value_name = "DIR")]
    schemas: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validates JSON documents against a named schema.
    Validate {
        /// The schema's name: a file of the schema directory without `.json`
        /// (`session-one`, `error`, `patch-session`, …); a profile's own file wins.
        #[arg(long)]
        schema: String,
        /// Which answers the documents are held to.
        #[arg(long, value_enum, default_value_t = Profile::Maxscale2402)]
        profile: Profile,
        /// The documents; `-` reads one from standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Lists the schema files.
    Schemas,
}

/// The answers a target is held to.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Profile {
    /// What MaxScale 24.02 answers.
    #[value(name = "maxscale-24.02")]
    Maxscale2402,
    /// What the documentation describes.
    #[value(name = "documented")]
    Documented,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Maxscale2402 => "maxscale-24.02",
            Profile::Documented => "documented",
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let set = match &cli.schemas {
        Some(dir) => match SchemaSet::from_dir(dir) {
            Ok(set) => set,
            Err(error) => return usage_error(&error),
        },
        None => SchemaSet::embedded(),
    };
    match cli.command {
        Command::Schemas => {
            for path in set.paths() {
                println!("{path}");
            }
            ExitCode::SUCCESS
        }
        Command::Validate {
            schema,
            profile,
            files,
        } => validate(&set, &schema, profile, &files),
    }
}

fn validate(set: &SchemaSet, name: &str, profile: Profile, files: &[PathBuf]) -> ExitCode {
    let schema = match set.compile(name, profile.name()) {
        Ok(schema) => schema,
        Err(error) => return usage_error(&error),
    };
    let mut broken = 0;
    for file in files {
        let shown = file.display();
        let document = match read_document(file) {
            Ok(document) => document,
            Err(message) => {
                eprintln!("harness: {shown}: {message}");
                return ExitCode::from(2);
            }
        };
        let violations = schema.violations(&document);
        if violations.is_empty() {
            println!("ok    {shown} ({})", schema.path());
        } else {
            broken += 1;
            println!("FAIL  {shown} ({})", schema.path());
            for violation in violations {
                println!("      {violation}");
            }
        }
    }
    if broken == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn read_document(file: &PathBuf) -> Result<serde_json::Value, String> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| e.to_string())?
    } else {
        std::fs::read_to_string(file).map_err(|e| e.to_string())?
    };
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

fn usage_error(error: &SchemaError) -> ExitCode {
    eprintln!("harness: {error}");
    ExitCode::from(2)
}
