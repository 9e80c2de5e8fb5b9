//! Response headers: present, absent, an exact value, a pattern, or equal to / different from a
//! captured value (an ETag before and after a change, spec §10.8).

use super::{pattern, Failure};
use crate::scenario::model::{HeaderCheck, HeaderSpec};
use crate::target::Response;
use crate::vars::Vars;

/// The failure, if header `name` (case-insensitive) does not meet the spec.
pub fn check(name: &str, spec: &HeaderSpec, response: &Response, vars: &Vars) -> Option<Failure> {
    let actual = response.header(name);
    let value = actual.as_deref();
    let var_text = |var: &str| vars.text(var).unwrap_or_else(|e| e.to_string());
    let (holds, expected) = match spec {
        HeaderSpec::Word(word) if word == "present" => (value.is_some(), word.clone()),
        HeaderSpec::Word(word) if word == "absent" => (value.is_none(), word.clone()),
        HeaderSpec::Word(template) => {
            let expected = vars.expand(template).unwrap_or_else(|e| e.to_string());
            (value == Some(expected.as_str()), expected)
        }
        HeaderSpec::Check(HeaderCheck {
            matches: Some(regex),
            ..
        }) => {
            let holds =
                pattern(regex).is_ok_and(|re| value.is_some_and(|value| re.is_match(value)));
            (holds, format!("matching /{regex}/"))
        }
        HeaderSpec::Check(HeaderCheck {
            equals_var: Some(var),
            ..
        }) => {
            let expected = var_text(var);
            let holds = value == Some(expected.as_str());
            (holds, format!("{expected} (the value of {{{{{var}}}}})"))
        }
        HeaderSpec::Check(HeaderCheck {
            differs_from_var: Some(var),
            ..
        }) => {
            let before = var_text(var);
            let holds = value.is_some_and(|value| value != before);
            (
                holds,
                format!("present and different from {before} (the value of {{{{{var}}}}})"),
            )
        }
        // Validation lets no other shape through.
        HeaderSpec::Check(_) => (true, String::new()),
    };
    (!holds).then(|| {
        Failure::new(
            format!("header {name}"),
            expected,
            actual.unwrap_or_else(|| "(absent)".to_string()),
        )
    })
}
