//! Deliberate defects ("mutants") the server can run with, one at a time, so a conformance
//! suite can prove it has teeth: it must pass on the faithful server and fail on every mutant.
//!
//! A mutant is off unless named (`Config::mutant`, `--mutant NAME`). Each one lives at the one
//! place its behaviour belongs — the simulation (`sim/`), the documents (`api/`) or the HTTP
//! pipeline (`http/`) — as a small branch marked `// mutant: NAME`, reading the active mutant
//! through the handle that layer already has (`SimConfig`, `RenderOptions`, `AppState`).
//! With no mutant named, none of those branches changes anything.

/// One deliberate defect; the CLI spells each in kebab-case (`--mutant ttl-kills-at-once`).
/// The names are spelled out, as `kebab-case` would run `answers-200` together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Mutant {
    /// PATCH ignores the `log_info` parameter (spec §6.1). In `sim/mod.rs`, `Simulation::update`.
    #[value(name = "patch-ignores-log-info")]
    PatchIgnoresLogInfo,
    /// An unknown filter name in a PATCH is skipped instead of answering 400
    /// `Not a valid filter: X` (spec §6.3). In `sim/mod.rs`, `Simulation::resolve_filters`.
    #[value(name = "patch-accepts-unknown-filter")]
    PatchAcceptsUnknownFilter,
    /// A filter PATCH on a busy session is applied at once instead of at the next idle client
    /// request (spec §6.3.3). In `sim/mod.rs`, `Simulation::update`.
    #[value(name = "filters-apply-while-busy")]
    FiltersApplyWhileBusy,
    /// A restart keeps the old backend connections, same connection ids (spec §7.2). In
    /// `sim/mod.rs`, `Simulation::begin_request`.
    #[value(name = "restart-keeps-connections")]
    RestartKeepsConnections,
    /// `POST /v1/sessions/restart` does not flag the sessions of the last routing worker
    /// (spec §7.4). In `sim/mod.rs`, `Simulation::restart_all`.
    #[value(name = "restart-all-skips-a-worker")]
    RestartAllSkipsAWorker,
    /// `DELETE ?ttl=N` with N > 0 kills at once instead of arming a ttl (spec §8.3). In
    /// `sim/mod.rs`, `Simulation::kill`.
    #[value(name = "ttl-kills-at-once")]
    TtlKillsAtOnce,
    /// An armed ttl never fires (spec §8.3). In `sim/mod.rs`, `Simulation::tick`.
    #[value(name = "ttl-never-kills")]
    TtlNeverKills,
    /// The ttl tick kills once at least N whole seconds have elapsed instead of more than N
    /// (spec §8.3). In `sim/mod.rs`, `Simulation::tick`.
    #[value(name = "ttl-kills-a-tick-early")]
    TtlKillsATickEarly,
    /// DELETE of a well-formed unknown id answers success (200) instead of 404 (spec §4.7). In
    /// `http/sessions.rs`, `session_write`.
    #[value(name = "delete-missing-answers-200")]
    DeleteMissingAnswers200,
    /// GET of a well-formed unknown id answers 200 with an empty body instead of 404
    /// (spec §4.2). In `http/sessions.rs`, `one`.
    #[value(name = "get-missing-answers-200")]
    GetMissingAnswers200,
    /// `attributes.io_activity` is left out of session documents (spec §5.2). In
    /// `api/session_doc.rs`, `attributes`.
    #[value(name = "missing-required-attribute")]
    MissingRequiredAttribute,
    /// The session `id` is a JSON number instead of a decimal string (spec §5.1). In
    /// `api/session_doc.rs`, `resource`.
    #[value(name = "id-as-number")]
    IdAsNumber,
    /// `relationships.filters` is an empty array when the session has no filters, instead of
    /// absent (spec §5.1). In `api/session_doc.rs`, `resource`.
    #[value(name = "empty-filters-relationship")]
    EmptyFiltersRelationship,
    /// JSON bodies are sent with `Content-Type: text/plain` (spec §10.11). In `http/mod.rs`,
    /// `handle`.
    #[value(name = "wrong-content-type")]
    WrongContentType,
    /// `page[number]=P` returns the rows of page P+1 (spec §10.7). In `http/read.rs`,
    /// `filter_and_page`.
    #[value(name = "pagination-off-by-one")]
    PaginationOffByOne,
    /// `fields[sessions]` is ignored (spec §10.13). In `http/read.rs`, `finish`.
    #[value(name = "fields-ignored")]
    FieldsIgnored,
    /// The ETag of a document hashes its path, not its body, so it does not change when the
    /// body does (spec §10.8). In `http/mod.rs`, `Ctx::etag`.
    #[value(name = "etag-stale")]
    EtagStale,
    /// PATCH needs no credentials (spec §10.1). In `http/mod.rs`, `pipeline`.
    #[value(name = "patch-without-auth")]
    PatchWithoutAuth,
}

impl Mutant {
    /// Every mutant, in declaration order.
    pub const ALL: &'static [Mutant] = &[
        Mutant::PatchIgnoresLogInfo,
        Mutant::PatchAcceptsUnknownFilter,
        Mutant::FiltersApplyWhileBusy,
        Mutant::RestartKeepsConnections,
        Mutant::RestartAllSkipsAWorker,
        Mutant::TtlKillsAtOnce,
        Mutant::TtlNeverKills,
        Mutant::TtlKillsATickEarly,
        Mutant::DeleteMissingAnswers200,
        Mutant::GetMissingAnswers200,
        Mutant::MissingRequiredAttribute,
        Mutant::IdAsNumber,
        Mutant::EmptyFiltersRelationship,
        Mutant::WrongContentType,
        Mutant::PaginationOffByOne,
        Mutant::FieldsIgnored,
        Mutant::EtagStale,
        Mutant::PatchWithoutAuth,
    ];

    /// The name `--mutant` takes.
    pub fn name(self) -> &'static str {
        match self {
            Mutant::PatchIgnoresLogInfo => "patch-ignores-log-info",
            Mutant::PatchAcceptsUnknownFilter => "patch-accepts-unknown-filter",
            Mutant::FiltersApplyWhileBusy => "filters-apply-while-busy",
            Mutant::RestartKeepsConnections => "restart-keeps-connections",
            Mutant::RestartAllSkipsAWorker => "restart-all-skips-a-worker",
            Mutant::TtlKillsAtOnce => "ttl-kills-at-once",
            Mutant::TtlNeverKills => "ttl-never-kills",
            Mutant::TtlKillsATickEarly => "ttl-kills-a-tick-early",
            Mutant::DeleteMissingAnswers200 => "delete-missing-answers-200",
            Mutant::GetMissingAnswers200 => "get-missing-answers-200",
            Mutant::MissingRequiredAttribute => "missing-required-attribute",
            Mutant::IdAsNumber => "id-as-number",
            Mutant::EmptyFiltersRelationship => "empty-filters-relationship",
            Mutant::WrongContentType => "wrong-content-type",
            Mutant::PaginationOffByOne => "pagination-off-by-one",
            Mutant::FieldsIgnored => "fields-ignored",
            Mutant::EtagStale => "etag-stale",
            Mutant::PatchWithoutAuth => "patch-without-auth",
        }
    }

    /// One line: the defect and the spec rule it breaks.
    pub fn description(self) -> &'static str {
        match self {
            Mutant::PatchIgnoresLogInfo => "PATCH ignores the log_info parameter (spec §6.1)",
            Mutant::PatchAcceptsUnknownFilter => {
                "an unknown filter name is skipped instead of 400 'Not a valid filter: X' (spec §6.3)"
            }
            Mutant::FiltersApplyWhileBusy => {
                "a filter PATCH on a busy session applies at once, not at the next idle request (spec §6.3.3)"
            }
            Mutant::RestartKeepsConnections => {
                "a restart keeps the old backend connections and their ids (spec §7.2)"
            }
            Mutant::RestartAllSkipsAWorker => {
                "restart all does not flag the sessions of the last routing worker (spec §7.4)"
            }
            Mutant::TtlKillsAtOnce => "DELETE ?ttl=N (N > 0) kills at once (spec §8.3)",
            Mutant::TtlNeverKills => "an armed ttl never fires (spec §8.3)",
            Mutant::TtlKillsATickEarly => {
                "the ttl kills once ≥ N whole seconds have elapsed instead of > N (spec §8.3)"
            }
            Mutant::DeleteMissingAnswers200 => {
                "DELETE of a well-formed unknown id answers 200 (204 documented) instead of 404 (spec §4.7)"
            }
            Mutant::GetMissingAnswers200 => {
                "GET of a well-formed unknown id answers 200 with an empty body instead of 404 (spec §4.2)"
            }
            Mutant::MissingRequiredAttribute => {
                "attributes.io_activity is left out of session documents (spec §5.2)"
            }
            Mutant::IdAsNumber => {
                "the session id is a JSON number instead of a decimal string (spec §5.1)"
            }
            Mutant::EmptyFiltersRelationship => {
                "relationships.filters is an empty array when the session has no filters (spec §5.1)"
            }
            Mutant::WrongContentType => {
                "JSON bodies are sent with Content-Type: text/plain (spec §10.11)"
            }
            Mutant::PaginationOffByOne => {
                "page[number]=P returns the rows of page P+1 (spec §10.7)"
            }
            Mutant::FieldsIgnored => "fields[sessions] is ignored (spec §10.13)",
            Mutant::EtagStale => {
                "the ETag hashes the path, not the body, so it does not change with it (spec §10.8)"
            }
            Mutant::PatchWithoutAuth => "PATCH needs no credentials (spec §10.1)",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn names_are_the_cli_names() {
        for &mutant in Mutant::ALL {
            let value = mutant
                .to_possible_value()
                .expect("every mutant is selectable");
            assert_eq!(value.get_name(), mutant.name());
            assert_eq!(Mutant::from_str(mutant.name(), false), Ok(mutant));
        }
    }

    #[test]
    fn descriptions_are_one_line_citing_the_spec() {
        for &mutant in Mutant::ALL {
            let description = mutant.description();
            assert!(!description.contains('\n'), "{description}");
            assert!(description.contains("(spec §"), "{description}");
        }
    }
}
