//! What every case of a run shares: a Tokio runtime of its own (the property test is
//! synchronous, so each HTTP call is `block_on`), the target — or the embedded reference server
//! behind it —, the schemas compiled once, and the target's filter names.

use std::future::Future;

use tokio::runtime::Runtime;

use super::model::Rules;
use crate::check::schema::SchemaChecks;
use crate::error::Error;
use crate::setup::{self, Connection, Setup};
use crate::source::{Clock, Source};
use crate::target::Target;

/// The schemas the checks use, by name (`schemas/README.md`, "Which schema for which
/// response").
pub const SCHEMAS: [&str; 5] = [
    "session-one",
    "session-one-sparse",
    "session-list",
    "session-list-sparse",
    "error",
];

/// A run's shared state.
pub struct Context {
    runtime: Runtime,
    connection: Connection,
    /// The target's client, which sends the cases' requests.
    pub target: Target,
    /// The profile's table, which the model reads.
    pub rules: Rules,
    /// The schemas of [`SCHEMAS`], compiled once for the run.
    pub schemas: SchemaChecks,
    /// The ids of `GET /v1/filters`, in order: what filter entries name.
    pub filters: Vec<String>,
}

impl Context {
    /// Reaches the target of `setup` (or starts the embedded server), makes sure its session
    /// source opens sessions, compiles the schemas and reads the filter names.
    pub fn open(setup: &Setup) -> Result<Context, Error> {
        let runtime = setup::runtime()?;
        let schemas = SchemaChecks::compile(&setup.schemas, setup.profile, SCHEMAS)?;
        let connection = runtime.block_on(setup.connect())?;
        if !connection.source.opens_sessions() {
            let why = format!(
                "the properties need a session source that opens sessions, which {} lacks",
                connection.target.base()
            );
            runtime.block_on(connection.close());
            return Err(Error::Unsupported(why));
        }
        let mut context = Context {
            target: connection.target.clone(),
            connection,
            runtime,
            rules: Rules::of(setup.profile),
            schemas,
            filters: Vec::new(),
        };
        // What filter entries name; none when the target does not list them.
        context.filters = context
            .block_on(context.target.list("/v1/filters"))
            .unwrap_or_default();
        Ok(context)
    }

    /// The target's session source.
    pub fn source(&self) -> &Source {
        &self.connection.source
    }

    /// Runs a future on the run's runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Whether the target's time is the wall's.
    pub fn real_clock(&self) -> bool {
        self.source().clock() == Clock::Real
    }

    /// Stops the embedded server, if there is one.
    pub fn close(self) {
        self.runtime.block_on(self.connection.close());
    }
}
