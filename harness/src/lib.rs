//! # harness
//!
//! Judges any implementation of the MaxScale REST API session resource from the outside: from
//! `schemas/`, scenarios and the spec, never from the reference server's code.
//!
//! ## Layout
//! - [`schemas`]: the JSON Schemas of `schemas/`, embedded, compiled, and their violations.
//! - [`scenario`]: the scenario file format, its loader and checker, the built-in suite.
//! - [`setup`]: the options every command shares (target, profile, accounts, timeout, seed,
//!   mutant, MariaDB listener, session source) and the one function that reaches a target: a
//!   [`setup::Connection`].
//! - [`target`]: the HTTP client for a base URL (with its base path) and its accounts.
//! - [`source`]: the session source — sessions opened, clients driven, time moved — through
//!   the control API or real MariaDB clients.
//! - [`error`]: the one error type and the one table of exit codes.
//! - `request`: a scenario's request as sent, and as a curl command line.
//! - `vars`: `{{name}}` variables — captures and built-ins.
//! - [`check`]: every verdict of every command (status, headers, body, schema, JSON, snapshot
//!   with redactions), each failure a [`check::Finding`], rendered by [`check::render`].
//! - `exec`: runs one scenario — steps, captures, polling, skips, known deviations.
//! - [`outcome`]: what a run found; [`report`] renders it (console, JUnit, JSON).
//! - [`run`]: a whole run — target or embedded server, scenarios, reports, exit code.
//! - [`embedded`]: the reference server started in-process, spoken to over HTTP only.
//! - [`mutants`]: the kill table — the suite against every deliberate defect.
//! - [`profile`]: the profiles a target is held to, and the one table of what differs between
//!   them ([`profile::Rules`]).
//! - [`load`]: `harness load` — load simulation with thousands of synthetic sessions, churn,
//!   open and closed models, HDR latency histograms, thresholds, JSON/HTML reports and merge.
//! - [`props`]: `harness props` — a stateful property test of PATCH, restart and kill-ttl
//!   against a model of the spec, shrinking failures to replayable sequences.

pub mod check;
pub mod embedded;
pub mod error;
pub(crate) mod exec;
pub mod load;
pub mod mutants;
pub mod outcome;
pub mod profile;
pub mod props;
pub mod report;
pub(crate) mod request;
pub mod run;
pub mod scenario;
pub mod schemas;
pub mod setup;
pub mod source;
pub mod target;
pub(crate) mod vars;
