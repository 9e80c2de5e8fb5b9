//! What every case of a run shares: a Tokio runtime of its own (the property test is
//! synchronous, so each HTTP call is `block_on`), the target — or the embedded reference server
//! behind it —, the schemas compiled once, and the target's filter names.

use std::future::Future;

use reference_server::Mutant;
use serde_json::Value;
use tokio::runtime::Runtime;

use super::model::Rules;
use super::PropsError;
use crate::check::schema::SchemaChecks;
use crate::embedded::Embedded;
use crate::profile::Profile;
use crate::run::{self, Options};
use crate::target::{Clock, Outgoing, Target};

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
    embedded: Option<Embedded>,
    pub target: Target,
    pub profile: Profile,
    pub rules: Rules,
    pub schemas: SchemaChecks,
    /// The ids of `GET /v1/filters`, in order: what filter entries name.
    pub filters: Vec<String>,
}

impl Context {
    /// Reaches the target of `options` (or starts the embedded server, with `mutant` if given),
    /// makes sure it has the control API, compiles the schemas and reads the filter names.
    pub fn open(options: &Options, mutant: Option<Mutant>) -> Result<Context, PropsError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(PropsError::Runtime)?;
        let schemas = SchemaChecks::compile(&options.schemas, options.profile, SCHEMAS)?;
        let judged = runtime.block_on(run::reach(options, mutant))?;
        let mut context = Context {
            runtime,
            embedded: judged.embedded,
            target: judged.target,
            profile: options.profile,
            rules: Rules::of(options.profile),
            schemas,
            filters: Vec::new(),
        };
        if !context.target.source().control {
            let url = context.target.base().to_string();
            context.close();
            return Err(PropsError::NoControl(url));
        }
        context.filters = context.filter_names();
        Ok(context)
    }

    /// Runs a future on the run's runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Whether the target's time is the wall's.
    pub fn real_clock(&self) -> bool {
        self.target.source().clock == Clock::Real
    }

    /// The ids of `GET /v1/filters`; none when the target does not list them.
    fn filter_names(&self) -> Vec<String> {
        let out = Outgoing {
            method: "GET".into(),
            path: "/v1/filters".into(),
            headers: Vec::new(),
            body: None,
            credentials: Some(self.target.accounts().admin.clone()),
        };
        let Ok(response) = self.block_on(self.target.send(&out)) else {
            return Vec::new();
        };
        let document: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        document["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|filter| filter["id"].as_str().map(str::to_string))
            .collect()
    }

    /// Stops the embedded server, if there is one.
    pub fn close(self) {
        if let Some(embedded) = self.embedded {
            self.runtime.block_on(embedded.stop());
        }
    }
}
