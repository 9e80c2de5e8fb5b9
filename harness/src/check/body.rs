//! The kind of body: none, a JSON document, or none-or-an-error-document (spec §10.15).

use super::{Failure, Reply};
use crate::scenario::model::BodySpec;

/// The failure, if the body is not of the kind.
pub fn check(spec: BodySpec, reply: &Reply<'_>) -> Option<Failure> {
    let empty = reply.response.body.is_empty();
    let (holds, expected) = match spec {
        BodySpec::Empty => (empty, "an empty body"),
        BodySpec::Json => (reply.json.is_ok(), "a JSON document"),
        BodySpec::EmptyOrErrors => {
            let errors = reply.json.as_ref().is_ok_and(|doc| {
                doc.get("errors")
                    .and_then(|e| e.as_array())
                    .is_some_and(|e| !e.is_empty())
            });
            (
                empty || errors,
                "an empty body or an error document {\"errors\": [...]}",
            )
        }
    };
    (!holds).then(|| {
        let actual = if empty {
            "an empty body".to_string()
        } else {
            format!(
                "{} bytes: {}",
                reply.response.body.len(),
                reply.response.body_excerpt()
            )
        };
        Failure::new("body", expected, actual)
    })
}
