//! Where the answers of the reference server differ by profile: one table, read by the
//! handlers, so no profile test is spread across them.
//!
//! Both profiles do the right thing where MaxScale 24.02 has a defect that doc-vs-code.md marks
//! "doc" (no crash on a filter entry without `id`, authorization on the effective method,
//! preconditions checked before a change is applied, ...). They differ in what the real server
//! answers and what the documentation says it answers.

use hyper::StatusCode;

/// The name of a profile, as given to `--profile`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileName {
    /// The answers of a real MaxScale 24.02 (spec sessions-api.md).
    #[value(name = "maxscale-24.02")]
    Maxscale2402,
    /// The answers the documentation describes (Resources-Session.md, API.md).
    #[value(name = "documented")]
    Documented,
}

/// The behaviour that differs between profiles.
#[derive(Debug, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name as the CLI spells it.
    pub name: &'static str,
    /// Status of a successful PATCH, restart or DELETE: 24.02 sends 200 with an empty body,
    /// the documentation 204 (doc-vs-code A1–A4).
    pub mutation_status: StatusCode,
    /// Whether the documented PATCH body, with `relationships` under `attributes`, sets the
    /// filters (doc-vs-code A5); 24.02 ignores it.
    pub filters_under_attributes: bool,
    /// Whether `parameters` shows and accepts `log_debug`, as the documentation's examples (made
    /// with a debug build) do; release builds of 24.02 neither show nor accept it (spec §5.8).
    pub log_debug: bool,
    /// Whether errors of `PATCH /sessions/:id/relationships/filters` carry an error document;
    /// 24.02 answers them with an empty 400 (spec §4.4).
    pub relationship_errors_have_body: bool,
}

/// MaxScale 24.02 as it answers (the default).
pub const MAXSCALE_24_02: Profile = Profile {
    name: "maxscale-24.02",
    mutation_status: StatusCode::OK,
    filters_under_attributes: false,
    log_debug: false,
    relationship_errors_have_body: false,
};

/// The documented API.
pub const DOCUMENTED: Profile = Profile {
    name: "documented",
    mutation_status: StatusCode::NO_CONTENT,
    filters_under_attributes: true,
    log_debug: true,
    relationship_errors_have_body: true,
};

impl ProfileName {
    /// The profile's table.
    pub(crate) fn profile(self) -> &'static Profile {
        match self {
            ProfileName::Maxscale2402 => &MAXSCALE_24_02,
            ProfileName::Documented => &DOCUMENTED,
        }
    }
}
