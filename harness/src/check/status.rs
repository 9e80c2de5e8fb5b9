//! The status line: an exact code, one of a set, or a class (`2xx`).

use super::Failure;
use crate::scenario::model::StatusSpec;

/// The failure, if the status does not meet the spec.
pub fn check(spec: &StatusSpec, status: u16) -> Option<Failure> {
    let (holds, expected) = match spec {
        StatusSpec::Exact(code) => (status == *code, code.to_string()),
        StatusSpec::OneOf(codes) => (
            codes.contains(&status),
            format!(
                "one of {}",
                codes
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        StatusSpec::Class(class) => (
            class.as_bytes().first() == status.to_string().as_bytes().first(),
            class.clone(),
        ),
    };
    (!holds).then(|| Failure::new("status", expected, status.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_sets_and_classes() {
        assert_eq!(check(&StatusSpec::Exact(200), 200), None);
        assert_eq!(
            check(&StatusSpec::Exact(404), 200),
            Some(Failure::new("status", "404", "200"))
        );
        assert_eq!(check(&StatusSpec::OneOf(vec![200, 204]), 204), None);
        assert_eq!(
            check(&StatusSpec::OneOf(vec![200, 204]), 400)
                .unwrap()
                .expected,
            "one of 200, 204"
        );
        assert_eq!(check(&StatusSpec::Class("2xx".into()), 204), None);
        assert!(check(&StatusSpec::Class("2xx".into()), 302).is_some());
    }
}
