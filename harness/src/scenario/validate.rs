//! The rules of the scenario format that serde's types cannot express: exactly one action per
//! step, exactly one source and one predicate per assertion, regular expressions and JSONPaths
//! that compile, variables that an earlier step defines, profiles that exist, requirements that
//! cover what the steps use. A file that breaks one is refused before anything is sent.

use std::collections::BTreeSet;
use std::fmt;

use serde_saphyr::Spanned;

use super::model::{
    Auth, ByProfile, Expect, Extract, HeaderCheck, HeaderSpec, JsonAssertion, Poll, Request,
    Requirement, Scenario, SessionStep, StatusSpec, Step,
};
use crate::check::{jsonpath::JsonPath, pattern};
use crate::profile::{Profile, NAMED_STATUSES};
use crate::vars;

/// One broken rule of the format, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file, as shown in messages.
    pub origin: String,
    /// Line and column of the step (or of the scenario's start).
    pub line: u64,
    /// The column of the same place.
    pub column: u64,
    /// Which rule is broken, and how.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.origin, self.line, self.column, self.message
        )
    }
}

/// Every broken rule of a scenario; empty when it is fine.
pub fn check(origin: &str, scenario: &Scenario) -> Vec<Problem> {
    let mut checker = Checker {
        origin,
        scenario,
        line: 1,
        column: 1,
        defined: vars::BUILT_INS.iter().map(|s| s.to_string()).collect(),
        problems: Vec::new(),
    };
    checker.scenario();
    checker.problems
}

struct Checker<'a> {
    origin: &'a str,
    scenario: &'a Scenario,
    /// Where the step being checked starts.
    line: u64,
    column: u64,
    /// Variables defined so far: built-ins and the captures of earlier steps.
    defined: BTreeSet<String>,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn fail(&mut self, message: impl Into<String>) {
        self.problems.push(Problem {
            origin: self.origin.to_string(),
            line: self.line,
            column: self.column,
            message: message.into(),
        });
    }

    fn scenario(&mut self) {
        let s = self.scenario;
        let kebab = !s.name.is_empty()
            && s.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !kebab {
            self.fail(format!(
                "name '{}' must be kebab-case (a-z, 0-9, -)",
                s.name
            ));
        }
        if s.rules.is_empty() {
            self.fail("rules must name at least one spec rule (\"spec §8.3\")");
        }
        for deviation in &s.known_deviations {
            self.profile_name(&deviation.profile, "known_deviations");
        }
        for pointer in &s.redact {
            if !pointer.starts_with('/') {
                self.fail(format!("redact pointer '{pointer}' must start with '/'"));
            }
        }
        if s.steps.is_empty() {
            self.fail("a scenario needs at least one step");
        }
        for (index, step) in s.steps.iter().enumerate() {
            self.step(index + 1, step);
        }
    }

    fn step(&mut self, number: usize, spanned: &Spanned<Step>) {
        self.line = spanned.referenced.line();
        self.column = spanned.referenced.column();
        let step = &spanned.value;
        let actions = [
            step.request.is_some(),
            step.session.is_some(),
            step.control.is_some(),
            step.advance.is_some(),
        ];
        if actions.iter().filter(|&&given| given).count() != 1 {
            self.fail(format!(
                "step {number}: give exactly one of request, session, control and advance"
            ));
            return;
        }
        if let Some(session) = &step.session {
            self.session(number, session);
            if !is_empty(&step.expect) || step.poll.is_some() {
                self.fail(format!(
                    "step {number}: a session step takes no expect or poll (it must succeed)"
                ));
            }
            for (name, extract) in &step.capture {
                if extract.header.is_some() {
                    self.fail(format!(
                        "step {number}: a session step captures by pointer (/ids/0), not header"
                    ));
                }
                self.capture(number, name, extract);
            }
            return;
        }
        if let Some(seconds) = step.advance {
            if !(seconds.is_finite() && seconds >= 0.0) {
                self.fail(format!(
                    "step {number}: advance must be a number of seconds ≥ 0"
                ));
            }
            if !is_empty(&step.expect) || !step.capture.is_empty() || step.poll.is_some() {
                self.fail(format!(
                    "step {number}: an advance step takes no expect, capture or poll"
                ));
            }
            return;
        }
        if let Some(control) = &step.control {
            if !self.scenario.requires.contains(&Requirement::Control) {
                self.fail(format!(
                    "step {number}: a control step needs `requires: [control]`"
                ));
            }
            if !control.path.starts_with("/_sim") {
                self.fail(format!(
                    "step {number}: a control path starts with /_sim, not '{}'",
                    control.path
                ));
            }
        }
        let request = step.request.as_ref().or(step.control.as_ref());
        if let Some(request) = request {
            self.request(number, request);
        }
        if let Some(poll) = &step.poll {
            self.poll(number, poll);
        }
        self.expect(number, &step.expect);
        // A step's captures are for the steps after it.
        for (name, extract) in &step.capture {
            self.capture(number, name, extract);
        }
    }

    fn session(&mut self, number: usize, session: &SessionStep) {
        let requires = &self.scenario.requires;
        if !requires.contains(&Requirement::Sessions) && !requires.contains(&Requirement::Control) {
            self.fail(format!(
                "step {number}: a session step needs `requires: [sessions]`"
            ));
        }
        let (id, statement) = match session {
            SessionStep::Reset => return,
            SessionStep::Open(open) => {
                if open.count == 0 {
                    self.fail(format!("step {number}: open at least 1 session"));
                }
                return;
            }
            SessionStep::Query(c) | SessionStep::Busy(c) => (&c.id, c.statement.as_deref()),
            SessionStep::Idle(c) | SessionStep::Close(c) => (&c.id, None),
        };
        self.references(number, vars::references(id));
        if let Some(statement) = statement {
            self.references(number, vars::references(statement));
        }
    }

    fn request(&mut self, number: usize, request: &Request) {
        let token = !request.method.is_empty()
            && request
                .method
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c));
        if !token {
            self.fail(format!(
                "step {number}: '{}' is not an HTTP method token",
                request.method
            ));
        }
        if !request.path.starts_with('/') {
            self.fail(format!(
                "step {number}: the path '{}' must start with '/'",
                request.path
            ));
        }
        if request.body.is_some() && request.raw_body.is_some() {
            self.fail(format!("step {number}: give body or raw_body, not both"));
        }
        if request.auth == Auth::Basic
            && !self.scenario.requires.contains(&Requirement::BasicAccount)
        {
            self.fail(format!(
                "step {number}: `auth: basic` needs `requires: [basic-account]`"
            ));
        }
        let mut texts: Vec<&str> = vec![&request.path];
        texts.extend(request.query.iter().map(|(_, value)| value.as_str()));
        texts.extend(request.headers.values().map(String::as_str));
        for text in texts {
            self.references(number, vars::references(text));
        }
        if let Some(body) = &request.body {
            self.references(number, vars::json_references(body));
        }
    }

    fn poll(&mut self, number: usize, poll: &Poll) {
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(poll.deadline) || !positive(poll.interval) || poll.interval > poll.deadline {
            self.fail(format!(
                "step {number}: poll needs 0 < interval ≤ deadline (seconds)"
            ));
        }
    }

    fn expect(&mut self, number: usize, expect: &Expect) {
        if let Some(status) = &expect.status {
            self.by_profile(number, "status", status);
            for spec in values(status) {
                self.status(number, spec);
            }
        }
        for (name, spec) in &expect.headers {
            self.header(number, name, spec);
        }
        if let Some(schema) = &expect.schema {
            self.by_profile(number, "schema", schema);
        }
        for assertion in &expect.json {
            self.assertion(number, assertion);
        }
        if let Some(name) = &expect.snapshot {
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                && !name.starts_with('.');
            if !plain {
                self.fail(format!(
                    "step {number}: snapshot name '{name}' may hold only letters, digits, '-', '_' and '.'"
                ));
            }
        }
    }

    fn status(&mut self, number: usize, spec: &StatusSpec) {
        let ok = match spec {
            StatusSpec::Exact(code) => (100..600).contains(code),
            StatusSpec::OneOf(codes) => {
                !codes.is_empty() && codes.iter().all(|code| (100..600).contains(code))
            }
            // Only a name of the profile table deserialises as one.
            StatusSpec::Named(_) => true,
            StatusSpec::Class(class) => {
                class.len() == 3 && matches!(class.as_bytes(), [b'1'..=b'5', b'x', b'x'])
            }
        };
        if !ok {
            self.fail(format!(
                "step {number}: status must be a code (100–599), a list of codes, a class such as \"2xx\" or a named status ({})",
                NAMED_STATUSES.join(", ")
            ));
        }
    }

    fn header(&mut self, number: usize, name: &str, spec: &HeaderSpec) {
        match spec {
            HeaderSpec::Word(value) => {
                self.references(number, vars::references(value));
            }
            HeaderSpec::Check(HeaderCheck {
                matches,
                equals_var,
                differs_from_var,
            }) => {
                let given = [matches, equals_var, differs_from_var];
                if given.iter().filter(|x| x.is_some()).count() != 1 {
                    self.fail(format!(
                        "step {number}: header {name}: give exactly one of matches, equals_var and differs_from_var"
                    ));
                }
                if let Some(regex) = matches {
                    self.regex(number, regex);
                }
                for var in [equals_var, differs_from_var].into_iter().flatten() {
                    self.references(number, Ok(vec![var.as_str()]));
                }
            }
        }
    }

    fn assertion(&mut self, number: usize, a: &JsonAssertion) {
        let at = a.pointer.as_deref().or(a.path.as_deref()).unwrap_or("?");
        if a.pointer.is_some() == a.path.is_some() {
            self.fail(format!(
                "step {number}: a json assertion takes exactly one of pointer and path"
            ));
        }
        if let Some(pointer) = &a.pointer {
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                self.fail(format!(
                    "step {number}: JSON pointer '{pointer}' must be empty or start with '/'"
                ));
            }
        }
        if let Some(path) = &a.path {
            if let Err(message) = JsonPath::parse(path) {
                self.fail(format!("step {number}: {message}"));
            }
        }
        let predicates = [
            a.equals.is_some(),
            a.exists.is_some(),
            a.absent.is_some(),
            a.kind.is_some(),
            a.count.is_some(),
            a.matches.is_some(),
            a.changed.is_some(),
            a.unchanged.is_some(),
        ];
        if predicates.iter().filter(|&&given| given).count() != 1 {
            self.fail(format!(
                "step {number}: json {at}: give exactly one of equals, exists, absent, type, count, matches, changed and unchanged"
            ));
        }
        if let Some(kind) = &a.kind {
            if !crate::check::json::TYPES.contains(&kind.as_str()) {
                self.fail(format!(
                    "step {number}: json {at}: type '{kind}' is not one of {}",
                    crate::check::json::TYPES.join(", ")
                ));
            }
        }
        if let Some(regex) = &a.matches {
            self.regex(number, regex);
        }
        if let Some(expected) = &a.equals {
            self.references(number, vars::json_references(expected));
        }
        for var in [&a.changed, &a.unchanged].into_iter().flatten() {
            self.references(number, Ok(vec![var.as_str()]));
        }
    }

    fn capture(&mut self, number: usize, name: &str, extract: &Extract) {
        if !vars::is_name(name) {
            self.fail(format!(
                "step {number}: capture name '{name}' must be letters, digits, '_' or '-'"
            ));
        }
        if extract.pointer.is_some() == extract.header.is_some() {
            self.fail(format!(
                "step {number}: capture {name}: give exactly one of pointer and header"
            ));
        }
        if let Some(pointer) = &extract.pointer {
            if !(pointer.is_empty() || pointer.starts_with('/')) {
                self.fail(format!(
                    "step {number}: capture {name}: JSON pointer '{pointer}' must be empty or start with '/'"
                ));
            }
        }
        self.defined.insert(name.to_string());
    }

    fn regex(&mut self, number: usize, regex: &str) {
        if let Err(error) = pattern(regex) {
            self.fail(format!("step {number}: {error}"));
        }
    }

    fn references(&mut self, number: usize, names: Result<Vec<&str>, vars::VarError>) {
        match names {
            Err(error) => self.fail(format!("step {number}: {error}")),
            Ok(names) => {
                for name in names {
                    if !self.defined.contains(name) {
                        self.fail(format!(
                            "step {number}: unknown variable '{{{{{name}}}}}' (built-ins: {}; or capture it in an earlier step)",
                            vars::BUILT_INS.join(", ")
                        ));
                    }
                }
            }
        }
    }

    fn by_profile<T>(&mut self, number: usize, what: &str, value: &ByProfile<T>) {
        let ByProfile::PerProfile(map) = value else {
            return;
        };
        for key in map.keys() {
            if key != "default" {
                self.profile_name(key, &format!("step {number}: {what}"));
            }
        }
        if !map.contains_key("default") {
            for profile in Profile::ALL {
                if !map.contains_key(profile.name()) {
                    self.fail(format!(
                        "step {number}: {what} says nothing for profile {profile}: name it or give `default`"
                    ));
                }
            }
        }
    }

    fn profile_name(&mut self, name: &str, context: &str) {
        if !Profile::ALL.iter().any(|p| p.name() == name) {
            let known: Vec<&str> = Profile::ALL.iter().map(|p| p.name()).collect();
            self.fail(format!(
                "{context}: unknown profile '{name}' (known: {})",
                known.join(", ")
            ));
        }
    }
}

/// Whether a step expects nothing.
fn is_empty(expect: &Expect) -> bool {
    expect.status.is_none()
        && expect.headers.is_empty()
        && expect.body.is_none()
        && expect.schema.is_none()
        && expect.json.is_empty()
        && expect.snapshot.is_none()
}

/// Every value a [`ByProfile`] holds.
fn values<T>(value: &ByProfile<T>) -> Vec<&T> {
    match value {
        ByProfile::Same(one) => vec![one],
        ByProfile::PerProfile(map) => map.values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::{ScenarioError, ScenarioFile};

    fn problems(yaml: &str) -> String {
        match ScenarioFile::parse("t.yaml", yaml) {
            Err(ScenarioError::Invalid(problems)) => problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    const HEAD: &str = "name: t\ndescription: d\nrules: [\"spec §1\"]\n";

    #[test]
    fn a_step_takes_exactly_one_action() {
        let text = problems(&format!(
            "{HEAD}steps:\n  - advance: 1\n    request: {{ method: GET, path: /v1/sessions }}\n  - {{}}\n"
        ));
        assert_eq!(
            text,
            "t.yaml:5:5: step 1: give exactly one of request, session, control and advance\n\
             t.yaml:7:5: step 2: give exactly one of request, session, control and advance"
        );
    }

    #[test]
    fn assertions_need_one_source_one_predicate_and_valid_patterns() {
        let text = problems(&format!(
            "{HEAD}steps:\n  - request: {{ method: GET, path: /v1/sessions }}\n    expect:\n      json:\n        - {{ pointer: /data, path: $.data, count: 1 }}\n        - {{ pointer: /data, exists: true, count: 1 }}\n        - {{ path: \"$.data[*].id\", matches: \"(\" }}\n        - {{ path: data, type: blob }}\n"
        ));
        assert!(text.contains("exactly one of pointer and path"), "{text}");
        assert!(
            text.contains("json /data: give exactly one of equals"),
            "{text}"
        );
        assert!(text.contains("regex parse error"), "{text}");
        assert!(text.contains("must start with '$'"), "{text}");
        assert!(text.contains("type 'blob' is not one of"), "{text}");
    }

    #[test]
    fn variables_come_from_earlier_steps_or_built_ins() {
        let text = problems(&format!(
            "{HEAD}requires: [control]\nsteps:\n  - control: {{ method: POST, path: /_sim/sessions }}\n    capture: {{ id: {{ pointer: /ids/0 }} }}\n    expect: {{ json: [ {{ pointer: /x, equals: \"{{{{id}}}}\" }} ] }}\n  - request: {{ method: GET, path: \"/v1/sessions/{{{{id}}}}\", headers: {{ Host: \"{{{{host}}}}\", X: \"{{{{etag}}}}\" }} }}\n"
        ));
        assert_eq!(
            text,
            "t.yaml:6:5: step 1: unknown variable '{{id}}' (built-ins: host; or capture it in an earlier step)\n\
             t.yaml:9:5: step 2: unknown variable '{{etag}}' (built-ins: host; or capture it in an earlier step)"
        );
    }

    #[test]
    fn a_status_may_name_a_row_of_the_profile_table() {
        // doc-vs-code A1–A4: `write-success` stands for 200 or 204 by profile.
        let step = |status: &str| {
            format!(
                "{HEAD}steps:\n  - request: {{ method: DELETE, path: /v1/sessions/1 }}\n    expect: {{ status: {status}, body: empty }}\n"
            )
        };
        assert!(ScenarioFile::parse("t.yaml", &step("write-success")).is_ok());
        let text = problems(&step("write-succes"));
        assert!(text.contains("or a named status (write-success)"), "{text}");
    }

    #[test]
    fn requirements_cover_control_steps_and_the_basic_account() {
        let text = problems(&format!(
            "{HEAD}steps:\n  - control: {{ method: POST, path: /_sim/reset }}\n  - request: {{ method: GET, path: /v1/sessions, auth: basic }}\n    expect: {{ status: {{ documented: 200 }} }}\n"
        ));
        assert!(text.contains("step 1: a control step needs `requires: [control]`"));
        assert!(text.contains("step 2: `auth: basic` needs `requires: [basic-account]`"));
        assert!(text.contains("step 2: status says nothing for profile maxscale-24.02"));
    }

    #[test]
    fn session_steps_need_the_requirement_succeed_silently_and_name_known_ids() {
        let text = problems(&format!(
            "{HEAD}steps:\n  - session: {{ open: {{ count: 0 }} }}\n    capture: {{ id: {{ header: etag }} }}\n  - session: {{ busy: {{ id: \"{{{{nope}}}}\" }} }}\n    expect: {{ status: 200 }}\n"
        ));
        assert!(
            text.contains("step 1: a session step needs `requires: [sessions]`"),
            "{text}"
        );
        assert!(text.contains("step 1: open at least 1 session"), "{text}");
        assert!(
            text.contains("captures by pointer (/ids/0), not header"),
            "{text}"
        );
        assert!(
            text.contains("step 2: unknown variable '{{nope}}'"),
            "{text}"
        );
        assert!(
            text.contains("step 2: a session step takes no expect or poll"),
            "{text}"
        );
    }

    #[test]
    fn an_unknown_session_action_is_refused_with_its_place() {
        let error = ScenarioFile::parse(
            "t.yaml",
            &format!(
                "{HEAD}requires: [sessions]\nsteps:\n  - session: {{ dance: {{ id: \"1\" }} }}\n"
            ),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("t.yaml:6"), "{error}");
        assert!(error.contains("dance"), "{error}");
    }
}
