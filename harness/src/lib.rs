//! # harness
//!
//! Judges any implementation of the MaxScale REST API session resource from the outside: from
//! `schemas/`, scenarios and the spec, never from the reference server's code.
//!
//! ## Layout
//! - [`schemas`]: the JSON Schemas of `schemas/`, embedded, compiled, and their violations.

pub mod schemas;
