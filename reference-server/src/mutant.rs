//! Deliberate defects ("mutants") the server can run with, one at a time, so a conformance
//! suite can prove it has teeth: it must pass on the faithful server and fail on every mutant.
//!
//! A mutant is off unless named (`Config::mutant`, `--mutant NAME`). The server turns the named
//! mutant into [`Faults`] once, at start: one named switch per mutant. Each switch is read at the
//! one place its behaviour belongs — the simulation (`sim/`), the documents (`api/`) or the HTTP
//! pipeline (`http/`) — in a small branch marked `// mutant: NAME`, through the handle that
//! layer already has (`SimConfig`, `RenderOptions`, `AppState`). With every switch off, none of
//! those branches changes anything.

/// Declares [`Mutant`] and [`Faults`] from one table: each row is a doc comment, then
/// `Variant, fault_field, "cli-name", "description";`. The enum (with its `--mutant` names for
/// clap), [`Mutant::ALL`], [`Mutant::name`], [`Mutant::description`], the fields of [`Faults`]
/// and [`Faults::of`] all come from the rows, so a mutant is added or removed in one place.
macro_rules! mutants {
    ($($(#[$doc:meta])* $variant:ident, $field:ident, $name:literal, $description:literal;)*) => {
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

        /// The faults a server runs with, as data: one named switch per mutant, read where the
        /// behaviour lives (`if faults.ttl_kills_at_once { … }`), like a profile. The default, all
        /// off, is the faithful server.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub(crate) struct Faults {
            /// The mutant these faults come from, for reports (`GET /_sim`).
            pub(crate) mutant: Option<Mutant>,
            $($(#[$doc])* pub(crate) $field: bool,)*
        }

        impl Faults {
            /// The faults of running with `mutant`; `None` is the faithful server.
            pub(crate) fn of(mutant: Option<Mutant>) -> Faults {
                let mut faults = Faults {
                    mutant,
                    ..Faults::default()
                };
                match mutant {
                    None => {}
                    $(Some(Mutant::$variant) => faults.$field = true,)*
                }
                faults
            }
        }
    };
}

mutants! {
    /// PATCH ignores the `log_info` parameter (spec §6.1). In `sim/mod.rs`, `Simulation::update`.
    PatchIgnoresLogInfo, patch_ignores_log_info, "patch-ignores-log-info",
        "PATCH ignores the log_info parameter (spec §6.1)";
    /// An unknown filter name in a PATCH is skipped instead of answering 400
    /// `Not a valid filter: X` (spec §6.3). In `sim/mod.rs`, `Simulation::resolve_filters`.
    PatchAcceptsUnknownFilter, patch_accepts_unknown_filter, "patch-accepts-unknown-filter",
        "an unknown filter name is skipped instead of 400 'Not a valid filter: X' (spec §6.3)";
    /// A filter PATCH on a busy session is applied at once instead of at the next idle client
    /// request (spec §6.3.3). In `sim/mod.rs`, `Simulation::update`.
    FiltersApplyWhileBusy, filters_apply_while_busy, "filters-apply-while-busy",
        "a filter PATCH on a busy session applies at once, not at the next idle request (spec §6.3.3)";
    /// A restart keeps the old backend connections, same connection ids (spec §7.2). In
    /// `sim/mod.rs`, `Simulation::begin_request`.
    RestartKeepsConnections, restart_keeps_connections, "restart-keeps-connections",
        "a restart keeps the old backend connections and their ids (spec §7.2)";
    /// `POST /v1/sessions/restart` does not flag the sessions of the last routing worker
    /// (spec §7.4). In `sim/mod.rs`, `Simulation::restart_all`.
    RestartAllSkipsAWorker, restart_all_skips_a_worker, "restart-all-skips-a-worker",
        "restart all does not flag the sessions of the last routing worker (spec §7.4)";
    /// `DELETE ?ttl=N` with N > 0 kills at once instead of arming a ttl (spec §8.3). In
    /// `sim/mod.rs`, `Simulation::kill`.
    TtlKillsAtOnce, ttl_kills_at_once, "ttl-kills-at-once",
        "DELETE ?ttl=N (N > 0) kills at once (spec §8.3)";
    /// An armed ttl never fires (spec §8.3). In `sim/mod.rs`, `Simulation::tick`.
    TtlNeverKills, ttl_never_kills, "ttl-never-kills",
        "an armed ttl never fires (spec §8.3)";
    /// The ttl tick kills once at least N whole seconds have elapsed instead of more than N
    /// (spec §8.3). In `sim/mod.rs`, `Simulation::tick`.
    TtlKillsATickEarly, ttl_kills_a_tick_early, "ttl-kills-a-tick-early",
        "the ttl kills once ≥ N whole seconds have elapsed instead of > N (spec §8.3)";
    /// DELETE of a well-formed unknown id answers success (200) instead of 404 (spec §4.7). In
    /// `http/sessions.rs`, `session_write`.
    DeleteMissingAnswers200, delete_missing_answers_200, "delete-missing-answers-200",
        "DELETE of a well-formed unknown id answers 200 (204 documented) instead of 404 (spec §4.7)";
    /// GET of a well-formed unknown id answers 200 with an empty body instead of 404
    /// (spec §4.2). In `http/sessions.rs`, `one`.
    GetMissingAnswers200, get_missing_answers_200, "get-missing-answers-200",
        "GET of a well-formed unknown id answers 200 with an empty body instead of 404 (spec §4.2)";
    /// `attributes.io_activity` is left out of session documents (spec §5.2). In
    /// `api/session_doc.rs`, `attributes`.
    MissingRequiredAttribute, missing_required_attribute, "missing-required-attribute",
        "attributes.io_activity is left out of session documents (spec §5.2)";
    /// The session `id` is a JSON number instead of a decimal string (spec §5.1). In
    /// `api/session_doc.rs`, `resource`.
    IdAsNumber, id_as_number, "id-as-number",
        "the session id is a JSON number instead of a decimal string (spec §5.1)";
    /// `relationships.filters` is an empty array when the session has no filters, instead of
    /// absent (spec §5.1). In `api/session_doc.rs`, `resource`.
    EmptyFiltersRelationship, empty_filters_relationship, "empty-filters-relationship",
        "relationships.filters is an empty array when the session has no filters (spec §5.1)";
    /// JSON bodies are sent with `Content-Type: text/plain` (spec §10.11). In `http/mod.rs`,
    /// `handle`.
    WrongContentType, wrong_content_type, "wrong-content-type",
        "JSON bodies are sent with Content-Type: text/plain (spec §10.11)";
    /// `page[number]=P` returns the rows of page P+1 (spec §10.7). In `http/read.rs`,
    /// `filter_and_page`.
    PaginationOffByOne, pagination_off_by_one, "pagination-off-by-one",
        "page[number]=P returns the rows of page P+1 (spec §10.7)";
    /// `fields[sessions]` is ignored (spec §10.13). In `http/read.rs`, `finish`.
    FieldsIgnored, fields_ignored, "fields-ignored",
        "fields[sessions] is ignored (spec §10.13)";
    /// The ETag of a document hashes its path, not its body, so it does not change when the
    /// body does (spec §10.8). In `http/mod.rs`, `Ctx::etag`.
    EtagStale, etag_stale, "etag-stale",
        "the ETag hashes the path, not the body, so it does not change with it (spec §10.8)";
    /// PATCH needs no credentials (spec §10.1). In `http/mod.rs`, `pipeline`.
    PatchWithoutAuth, patch_without_auth, "patch-without-auth",
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
    fn each_mutant_turns_on_exactly_its_own_fault() {
        assert_eq!(Faults::of(None), Faults::default());
        let on = |f: Faults| format!("{f:?}").matches(": true").count();
        for &mutant in Mutant::ALL {
            let faults = Faults::of(Some(mutant));
            assert_eq!(faults.mutant, Some(mutant));
            assert_eq!(on(faults), 1, "{mutant:?}");
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
