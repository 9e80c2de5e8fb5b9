//! Deliberate defects ("mutants") the server can run with, one at a time, so a conformance
//! suite can prove it has teeth: it must pass on the faithful server and fail on every mutant.
//!
//! A mutant is off unless named (`Config::mutant`, `--mutant NAME`). Each one lives at the one
//! place its behaviour belongs — the simulation (`sim/`), the documents (`api/`) or the HTTP
//! pipeline (`http/`) — as a small branch marked `// mutant: NAME`, reading the active mutant
//! through the handle that layer already has (`SimConfig`, `RenderOptions`, `AppState`).
//! With no mutant named, none of those branches changes anything.

/// Declares [`Mutant`] from one table: each row is a doc comment, then `Variant, "cli-name",
/// "description";`. The enum (with its `--mutant` names for clap), [`Mutant::ALL`],
/// [`Mutant::name`] and [`Mutant::description`] all come from the rows, so a mutant is added or
/// removed in one place.
macro_rules! mutants {
    ($($(#[$doc:meta])* $variant:ident, $name:literal, $description:literal;)*) => {
        /// One deliberate defect; the CLI spells each in kebab-case (`--mutant ttl-kills-at-once`).
        /// The names are spelled out, as `kebab-case` would run `answers-200` together.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
        pub enum Mutant {
            $($(#[$doc])* #[value(name = $name)] $variant,)*
        }

        impl Mutant {
            /// Every mutant, in table order.
            pub const ALL: &'static [Mutant] = &[$(Mutant::$variant),*];

            /// The name `--mutant` takes.
            pub fn name(self) -> &'static str {
                match self {
                    $(Mutant::$variant => $name,)*
                }
            }

            /// One line: the defect and the spec rule it breaks.
            pub fn description(self) -> &'static str {
                match self {
                    $(Mutant::$variant => $description,)*
                }
            }
        }
    };
}

mutants! {
    /// PATCH ignores the `log_info` parameter (spec §6.1). In `sim/mod.rs`, `Simulation::update`.
    PatchIgnoresLogInfo, "patch-ignores-log-info",
        "PATCH ignores the log_info parameter (spec §6.1)";
    /// An unknown filter name in a PATCH is skipped instead of answering 400
    /// `Not a valid filter: X` (spec §6.3). In `sim/mod.rs`, `Simulation::resolve_filters`.
    PatchAcceptsUnknownFilter, "patch-accepts-unknown-filter",
        "an unknown filter name is skipped instead of 400 'Not a valid filter: X' (spec §6.3)";
    /// A filter PATCH on a busy session is applied at once instead of at the next idle client
    /// request (spec §6.3.3). In `sim/mod.rs`, `Simulation::update`.
    FiltersApplyWhileBusy, "filters-apply-while-busy",
        "a filter PATCH on a busy session applies at once, not at the next idle request (spec §6.3.3)";
    /// A restart keeps the old backend connections, same connection ids (spec §7.2). In
    /// `sim/mod.rs`, `Simulation::begin_request`.
    RestartKeepsConnections, "restart-keeps-connections",
        "a restart keeps the old backend connections and their ids (spec §7.2)";
    /// `POST /v1/sessions/restart` does not flag the sessions of the last routing worker
    /// (spec §7.4). In `sim/mod.rs`, `Simulation::restart_all`.
    RestartAllSkipsAWorker, "restart-all-skips-a-worker",
        "restart all does not flag the sessions of the last routing worker (spec §7.4)";
    /// `DELETE ?ttl=N` with N > 0 kills at once instead of arming a ttl (spec §8.3). In
    /// `sim/mod.rs`, `Simulation::kill`.
    TtlKillsAtOnce, "ttl-kills-at-once",
        "DELETE ?ttl=N (N > 0) kills at once (spec §8.3)";
    /// An armed ttl never fires (spec §8.3). In `sim/mod.rs`, `Simulation::tick`.
    TtlNeverKills, "ttl-never-kills",
        "an armed ttl never fires (spec §8.3)";
    /// The ttl tick kills once at least N whole seconds have elapsed instead of more than N
    /// (spec §8.3). In `sim/mod.rs`, `Simulation::tick`.
    TtlKillsATickEarly, "ttl-kills-a-tick-early",
        "the ttl kills once ≥ N whole seconds have elapsed instead of > N (spec §8.3)";
    /// DELETE of a well-formed unknown id answers success (200) instead of 404 (spec §4.7). In
    /// `http/sessions.rs`, `session_write`.
    DeleteMissingAnswers200, "delete-missing-answers-200",
        "DELETE of a well-formed unknown id answers 200 (204 documented) instead of 404 (spec §4.7)";
    /// GET of a well-formed unknown id answers 200 with an empty body instead of 404
    /// (spec §4.2). In `http/sessions.rs`, `one`.
    GetMissingAnswers200, "get-missing-answers-200",
        "GET of a well-formed unknown id answers 200 with an empty body instead of 404 (spec §4.2)";
    /// `attributes.io_activity` is left out of session documents (spec §5.2). In
    /// `api/session_doc.rs`, `attributes`.
    MissingRequiredAttribute, "missing-required-attribute",
        "attributes.io_activity is left out of session documents (spec §5.2)";
    /// The session `id` is a JSON number instead of a decimal string (spec §5.1). In
    /// `api/session_doc.rs`, `resource`.
    IdAsNumber, "id-as-number",
        "the session id is a JSON number instead of a decimal string (spec §5.1)";
    /// `relationships.filters` is an empty array when the session has no filters, instead of
    /// absent (spec §5.1). In `api/session_doc.rs`, `resource`.
    EmptyFiltersRelationship, "empty-filters-relationship",
        "relationships.filters is an empty array when the session has no filters (spec §5.1)";
    /// JSON bodies are sent with `Content-Type: text/plain` (spec §10.11). In `http/mod.rs`,
    /// `handle`.
    WrongContentType, "wrong-content-type",
        "JSON bodies are sent with Content-Type: text/plain (spec §10.11)";
    /// `page[number]=P` returns the rows of page P+1 (spec §10.7). In `http/read.rs`,
    /// `filter_and_page`.
    PaginationOffByOne, "pagination-off-by-one",
        "page[number]=P returns the rows of page P+1 (spec §10.7)";
    /// `fields[sessions]` is ignored (spec §10.13). In `http/read.rs`, `finish`.
    FieldsIgnored, "fields-ignored",
        "fields[sessions] is ignored (spec §10.13)";
    /// The ETag of a document hashes its path, not its body, so it does not change when the
    /// body does (spec §10.8). In `http/mod.rs`, `Ctx::etag`.
    EtagStale, "etag-stale",
        "the ETag hashes the path, not the body, so it does not change with it (spec §10.8)";
    /// PATCH needs no credentials (spec §10.1). In `http/mod.rs`, `pipeline`.
    PatchWithoutAuth, "patch-without-auth",
        "PATCH needs no credentials (spec §10.1)";
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
