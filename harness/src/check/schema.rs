//! The body validates against a JSON Schema of `schemas/` for the run's profile. Every schema a
//! run needs is compiled once, before the first request.

use std::collections::BTreeMap;

use super::{Failure, Reply};
use crate::profile::Profile;
use crate::schemas::{Schema, SchemaError, SchemaSet};

/// Most violations listed in one failure; the rest are counted.
const MAX_VIOLATIONS: usize = 5;

/// The compiled schemas of a run, by name.
pub struct SchemaChecks {
    compiled: BTreeMap<String, Schema>,
}

impl SchemaChecks {
    /// Compiles each named schema for the profile; an unknown name is an error.
    pub fn compile<'a>(
        set: &SchemaSet,
        profile: Profile,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<SchemaChecks, SchemaError> {
        let mut compiled = BTreeMap::new();
        for name in names {
            if !compiled.contains_key(name) {
                compiled.insert(name.to_string(), set.compile(name, profile.name())?);
            }
        }
        Ok(SchemaChecks { compiled })
    }

    /// The failure, if the body is not JSON or breaks the schema.
    pub fn check(&self, name: &str, reply: &Reply<'_>) -> Option<Failure> {
        let check = format!("schema {name}");
        let Some(schema) = self.compiled.get(name) else {
            return Some(Failure::new(
                check,
                "a compiled schema",
                "none was compiled for this run",
            ));
        };
        let expected = format!("valid against {}", schema.path());
        let doc = match &reply.json {
            Ok(doc) => doc,
            Err(why) => return Some(Failure::new(check, expected, why.clone())),
        };
        let violations = schema.violations(doc);
        if violations.is_empty() {
            return None;
        }
        let mut lines: Vec<String> = violations
            .iter()
            .take(MAX_VIOLATIONS)
            .map(ToString::to_string)
            .collect();
        if violations.len() > MAX_VIOLATIONS {
            lines.push(format!("… {} more", violations.len() - MAX_VIOLATIONS));
        }
        Some(Failure::new(check, expected, lines.join("\n")))
    }
}
