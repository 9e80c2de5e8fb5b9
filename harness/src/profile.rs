//! The profiles a target is held to, and the one table of what differs between them
//! ([`Rules`]): which answers count as right. Scenarios name its statuses (`status:
//! write-success`), the property model and the load judge read it; nothing else asks which
//! profile runs.

use clap::ValueEnum;

/// The answers a target is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Profile {
    /// What MaxScale 24.02 answers (the default).
    #[value(name = "maxscale-24.02")]
    Maxscale2402,
    /// What the documentation describes.
    #[value(name = "documented")]
    Documented,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 2] = [Profile::Maxscale2402, Profile::Documented];

    /// The name as `--profile` and scenario files spell it.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Maxscale2402 => "maxscale-24.02",
            Profile::Documented => "documented",
        }
    }

    /// The profile's row of the table.
    pub fn rules(self) -> Rules {
        Rules::of(self)
    }
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a profile holds the answers to (README "Profiles"), one field per difference, each
/// citing the spec or doc-vs-code row it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// Status of a successful PATCH, restart, restart-all or DELETE, always with an empty body:
    /// 200 in 24.02 (spec §1, doc-vs-code A1–A4), 204 as documented. Scenarios name it
    /// `write-success`.
    pub write_success: u16,
    /// Whether `parameters.log_debug` is shown and accepted: only debug builds do (spec §5.8,
    /// doc-vs-code A18); the documentation lists it.
    pub log_debug: bool,
    /// Whether `relationships` under `attributes` (the documented PATCH body) sets the filters:
    /// 24.02 reads only `data.relationships` (spec §6.2, doc-vs-code A5).
    pub nested_relationships: bool,
    /// Whether a failed `PATCH …/relationships/filters` carries an error document: 24.02
    /// answers 400 with an empty body (spec §4.4, doc-vs-code A7).
    pub e4_error_body: bool,
}

/// The statuses a scenario may name instead of writing a code per profile.
pub const NAMED_STATUSES: [&str; 1] = ["write-success"];

impl Rules {
    /// The rules of a profile.
    pub const fn of(profile: Profile) -> Rules {
        match profile {
            Profile::Maxscale2402 => Rules {
                write_success: 200,
                log_debug: false,
                nested_relationships: false,
                e4_error_body: false,
            },
            Profile::Documented => Rules {
                write_success: 204,
                log_debug: true,
                nested_relationships: true,
                e4_error_body: true,
            },
        }
    }

    /// The code a named status stands for; `None` for a name not in [`NAMED_STATUSES`].
    pub fn status(&self, name: &str) -> Option<u16> {
        match name {
            "write-success" => Some(self.write_success),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_success_is_200_in_24_02_and_204_as_documented() {
        // doc-vs-code A1–A4.
        assert_eq!(
            Profile::Maxscale2402.rules().status("write-success"),
            Some(200)
        );
        assert_eq!(
            Profile::Documented.rules().status("write-success"),
            Some(204)
        );
        assert_eq!(Profile::Documented.rules().status("2xx"), None);
    }

    #[test]
    fn every_named_status_resolves_in_every_profile() {
        for profile in Profile::ALL {
            for name in NAMED_STATUSES {
                assert!(profile.rules().status(name).is_some(), "{profile} {name}");
            }
        }
    }
}
