//! `{{name}}` variables: captured values and built-ins, substituted into the strings of a step
//! (path, query values, header values, JSON bodies and expected values).
//!
//! Which names a scenario may use is checked when it is loaded ([`references`]), so at run time
//! a missing name means a capture of an earlier step failed, and that step already stopped the
//! scenario.

use std::collections::BTreeMap;

use serde_json::Value;

/// The built-in variables, defined before the first step.
pub const BUILT_INS: &[&str] = &["host"];

/// Why a template could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VarError {
    /// A `{{name}}` that no capture and no built-in defines.
    #[error("unknown variable '{{{{{0}}}}}'")]
    Unknown(String),
    /// A `{{` without its `}}`, or braces around something that is not a name; holds the template.
    #[error("malformed variable reference in '{0}' (write {{{{name}}}})")]
    Malformed(String),
}

/// The variables of one scenario run.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Value>,
}

impl Vars {
    /// The built-ins for a target: `host` is its `host:port`.
    pub fn new(host: &str) -> Vars {
        let mut vars = Vars::default();
        vars.set("host", Value::String(host.to_string()));
        vars
    }

    /// Remembers a value (a capture).
    pub fn set(&mut self, name: &str, value: Value) {
        self.values.insert(name.to_string(), value);
    }

    /// A variable's value.
    pub fn get(&self, name: &str) -> Result<&Value, VarError> {
        self.values
            .get(name)
            .ok_or_else(|| VarError::Unknown(name.to_string()))
    }

    /// A variable as text: a string as it is, anything else as compact JSON.
    pub fn text(&self, name: &str) -> Result<String, VarError> {
        Ok(as_text(self.get(name)?))
    }

    /// The template with every `{{name}}` replaced by the variable's text.
    pub fn expand(&self, template: &str) -> Result<String, VarError> {
        let mut out = String::with_capacity(template.len());
        for piece in parse(template)? {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Var(name) => out.push_str(&self.text(name)?),
            }
        }
        Ok(out)
    }

    /// A JSON value with every string in it (keys excluded) expanded.
    pub fn expand_json(&self, value: &Value) -> Result<Value, VarError> {
        Ok(match value {
            Value::String(text) => Value::String(self.expand(text)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|item| self.expand_json(item))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(key, item)| Ok((key.clone(), self.expand_json(item)?)))
                    .collect::<Result<_, VarError>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// A value as text: a string as it is, anything else as compact JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The variable names a template refers to, in order.
pub fn references(template: &str) -> Result<Vec<&str>, VarError> {
    Ok(parse(template)?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Var(name) => Some(name),
            Piece::Text(_) => None,
        })
        .collect())
}

/// The variable names the strings of a JSON value refer to.
pub fn json_references(value: &Value) -> Result<Vec<&str>, VarError> {
    match value {
        Value::String(text) => references(text),
        Value::Array(items) => flatten(items.iter().map(json_references)),
        Value::Object(members) => flatten(members.values().map(json_references)),
        _ => Ok(Vec::new()),
    }
}

fn flatten<'a>(
    parts: impl Iterator<Item = Result<Vec<&'a str>, VarError>>,
) -> Result<Vec<&'a str>, VarError> {
    let mut all = Vec::new();
    for part in parts {
        all.extend(part?);
    }
    Ok(all)
}

/// Whether a name can be a variable: letters, digits, `_` and `-`, not starting with a digit.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// Splits a template into text and `{{name}}` references (spaces inside the braces allowed).
fn parse(template: &str) -> Result<Vec<Piece<'_>>, VarError> {
    let malformed = || VarError::Malformed(template.to_string());
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(malformed)?;
        let name = after[..end].trim();
        if !is_name(name) {
            return Err(malformed());
        }
        pieces.push(Piece::Var(name));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn expands_captures_and_built_ins_in_strings() {
        let mut vars = Vars::new("127.0.0.1:8989");
        vars.set("id", json!(7));
        vars.set("etag", json!("\"abc\""));
        assert_eq!(
            vars.expand("http://{{host}}/v1/sessions/{{ id }}/")
                .unwrap(),
            "http://127.0.0.1:8989/v1/sessions/7/"
        );
        assert_eq!(
            vars.expand_json(&json!({"data": {"id": "{{id}}", "n": 1, "e": ["{{etag}}"]}}))
                .unwrap(),
            json!({"data": {"id": "7", "n": 1, "e": ["\"abc\""]}})
        );
    }

    #[test]
    fn unknown_and_malformed_references_are_errors() {
        let vars = Vars::new("h:1");
        assert_eq!(
            vars.expand("/v1/sessions/{{id}}"),
            Err(VarError::Unknown("id".into()))
        );
        assert!(matches!(vars.expand("{{id"), Err(VarError::Malformed(_))));
        assert!(matches!(vars.expand("{{1x}}"), Err(VarError::Malformed(_))));
        assert_eq!(
            json_references(&json!({"a": ["{{x}}-{{y}}"], "b": "{{z}}"})).unwrap(),
            vec!["x", "y", "z"]
        );
    }
}
