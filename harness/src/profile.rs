//! The profiles a target is held to: which answers count as right.

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
}

impl std::fmt::Display for Profile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
