//! The status line: an exact code, one of a set, a status the profile table names
//! (`write-success`), or a class (`2xx`); and, for every answer of a session endpoint, never a
//! 5xx (spec §1).

use super::Failure;
use crate::profile::Rules;
use crate::scenario::model::StatusSpec;
use crate::target::Response;

/// The failure, if the status does not meet the spec; `rules` resolve a named status.
pub fn check(spec: &StatusSpec, rules: &Rules, status: u16) -> Option<Failure> {
    let (holds, expected) = match spec {
        StatusSpec::Exact(code) => (status == *code, code.to_string()),
        StatusSpec::Named(name) => match rules.status(&name.0) {
            Some(code) => (status == code, format!("{code} ({})", name.0)),
            None => (false, format!("{} (not in the profile table)", name.0)),
        },
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

/// The failure, if the status is none of `allowed`; what came back shows the body too.
pub fn one_of(allowed: &[u16], response: &Response) -> Option<Failure> {
    if allowed.contains(&response.status) {
        return None;
    }
    let expected: Vec<String> = allowed.iter().map(u16::to_string).collect();
    Some(Failure::new(
        "status",
        expected.join(" or "),
        answered(response),
    ))
}

/// The failure, if the answer is a 5xx: no session endpoint answers one (spec §1).
pub fn no_server_error(response: &Response) -> Option<Failure> {
    (response.status >= 500)
        .then(|| Failure::new("server-error", "not 5xx (spec §1)", answered(response)))
}

/// `404` or `400 {"errors": …}`: the status and the start of the body.
pub fn answered(response: &Response) -> String {
    let excerpt = response.body_excerpt();
    if excerpt.is_empty() {
        response.status.to_string()
    } else {
        format!("{} {excerpt}", response.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use crate::scenario::model::StatusName;

    const RULES: Rules = Rules::of(Profile::Maxscale2402);

    #[test]
    fn a_named_status_reads_the_profile_table() {
        // doc-vs-code A1–A4: a write succeeds with 200 in 24.02, 204 as documented.
        let spec = StatusSpec::Named(StatusName("write-success".into()));
        let maxscale = Profile::Maxscale2402.rules();
        assert_eq!(check(&spec, &maxscale, 200), None);
        assert_eq!(
            check(&spec, &maxscale, 204),
            Some(Failure::new("status", "200 (write-success)", "204"))
        );
        assert_eq!(check(&spec, &Profile::Documented.rules(), 204), None);
    }

    #[test]
    fn exact_sets_and_classes() {
        assert_eq!(check(&StatusSpec::Exact(200), &RULES, 200), None);
        assert_eq!(
            check(&StatusSpec::Exact(404), &RULES, 200),
            Some(Failure::new("status", "404", "200"))
        );
        assert_eq!(check(&StatusSpec::OneOf(vec![200, 204]), &RULES, 204), None);
        assert_eq!(
            check(&StatusSpec::OneOf(vec![200, 204]), &RULES, 400)
                .unwrap()
                .expected,
            "one of 200, 204"
        );
        assert_eq!(check(&StatusSpec::Class("2xx".into()), &RULES, 204), None);
        assert!(check(&StatusSpec::Class("2xx".into()), &RULES, 302).is_some());
    }
}
