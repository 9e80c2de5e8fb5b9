//! The operations a load run sends and the mix that weighs them (`--mix get-one=20,kill=1`).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::target::{Credentials, Outgoing};

/// How requests are issued.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Model {
    /// Open model: a constant arrival rate (requests per second) on a fixed timetable; latency
    /// counts from each request's scheduled time, so a slow answer that delays later requests
    /// shows in their latency too (no coordinated omission).
    Open {
        /// Requests per second.
        rate: f64,
    },
    /// Closed model: this many workers, each sending its next request when the last is answered.
    Closed {
        /// Workers, each with one request in flight.
        concurrency: usize,
    },
}

impl std::fmt::Display for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Model::Open { rate } => write!(f, "open, {rate} requests/s"),
            Model::Closed { concurrency } => write!(f, "closed, {concurrency} workers"),
        }
    }
}

/// One kind of REST request on the session resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    /// `GET /v1/sessions` (E1).
    GetAll,
    /// `GET /v1/sessions/:id` (E2).
    GetOne,
    /// `PATCH /v1/sessions/:id`: toggles `log_info` and sets filter lists (E3).
    Patch,
    /// `POST /v1/sessions/:id/restart` (E5).
    Restart,
    /// `DELETE /v1/sessions/:id`, an immediate kill (E7).
    Kill,
}

impl Operation {
    /// Every operation, in the order reports list them.
    pub const ALL: [Operation; 5] = [
        Operation::GetAll,
        Operation::GetOne,
        Operation::Patch,
        Operation::Restart,
        Operation::Kill,
    ];

    /// The name `--mix` and `--threshold` use.
    pub fn name(self) -> &'static str {
        match self {
            Operation::GetAll => "get-all",
            Operation::GetOne => "get-one",
            Operation::Patch => "patch",
            Operation::Restart => "restart",
            Operation::Kill => "kill",
        }
    }

    /// The operation of a name.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }

    /// Whether the operation acts on one session.
    pub fn needs_session(self) -> bool {
        self != Operation::GetAll
    }

    /// The request, for session `id` where it needs one; `random` picks the PATCH body among
    /// `log_info` toggles and filter lists drawn from `filters` (the filters the target lists).
    pub fn request(
        self,
        id: u64,
        random: u64,
        filters: &[String],
        credentials: &Credentials,
    ) -> Outgoing {
        let (method, path, body) = match self {
            Operation::GetAll => ("GET", "/v1/sessions".to_string(), None),
            Operation::GetOne => ("GET", format!("/v1/sessions/{id}"), None),
            Operation::Patch => (
                "PATCH",
                format!("/v1/sessions/{id}"),
                Some(patch_body(random, filters)),
            ),
            Operation::Restart => ("POST", format!("/v1/sessions/{id}/restart"), None),
            Operation::Kill => ("DELETE", format!("/v1/sessions/{id}"), None),
        };
        Outgoing::json(method, path, body.as_ref(), Some(credentials.clone()))
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A PATCH body (spec §6): a `log_info` toggle, a filter list of up to two of the target's
/// filters (possibly empty, which removes them), or both, chosen by the bits of `random`.
fn patch_body(random: u64, filters: &[String]) -> serde_json::Value {
    let log_info = random & 1 == 1;
    let list: Vec<serde_json::Value> = if filters.is_empty() {
        Vec::new()
    } else {
        let length = ((random >> 3) % 3) as usize;
        (0..length)
            .map(|i| {
                let pick = (random >> (8 + 8 * i)) as usize % filters.len();
                json!({ "id": filters[pick], "type": "filters" })
            })
            .collect()
    };
    let parameters = json!({ "parameters": { "log_info": log_info } });
    let relationships = json!({ "filters": { "data": list } });
    match (random >> 1) % 3 {
        0 => json!({ "data": { "attributes": parameters } }),
        1 => json!({ "data": { "relationships": relationships } }),
        _ => json!({ "data": { "attributes": parameters, "relationships": relationships } }),
    }
}

/// How often each operation is chosen: integer weights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mix {
    weights: BTreeMap<Operation, u32>,
    total: u32,
}

/// The mix when none is given.
pub const DEFAULT_MIX: &str = "get-all=1,get-one=20,patch=5,restart=1,kill=1";

impl Mix {
    /// Parses `get-all=1,get-one=20,…`; operations left out have weight 0.
    pub fn parse(text: &str) -> Result<Mix, String> {
        let mut weights = BTreeMap::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' is not OPERATION=WEIGHT"))?;
            let op = Operation::from_name(name.trim()).ok_or_else(|| {
                format!(
                    "unknown operation '{}' (one of {})",
                    name.trim(),
                    names().join(", ")
                )
            })?;
            let weight: u32 = weight.trim().parse().map_err(|_| {
                format!(
                    "the weight of {op} must be a whole number ≥ 0, not '{}'",
                    weight.trim()
                )
            })?;
            if weights.insert(op, weight).is_some() {
                return Err(format!("{op} is given twice"));
            }
        }
        Mix::from_weights(weights)
    }

    /// A mix from weights by operation; at least one must be positive.
    pub fn from_weights(weights: BTreeMap<Operation, u32>) -> Result<Mix, String> {
        let total = weights
            .values()
            .try_fold(0u32, |sum, w| sum.checked_add(*w))
            .ok_or("the weights add up to more than 4294967295")?;
        if total == 0 {
            return Err("the mix needs at least one operation with a weight > 0".into());
        }
        Ok(Mix { weights, total })
    }

    /// The operation a uniformly random number stands for.
    pub fn pick(&self, random: u64) -> Operation {
        let mut ticket = (random % u64::from(self.total)) as u32;
        for (&op, &weight) in &self.weights {
            if ticket < weight {
                return op;
            }
            ticket -= weight;
        }
        unreachable!("the ticket is below the total weight")
    }

    /// The weight of an operation.
    pub fn weight(&self, op: Operation) -> u32 {
        self.weights.get(&op).copied().unwrap_or(0)
    }

    /// The operations with a positive weight and their weights, by name.
    pub fn by_name(&self) -> BTreeMap<String, u32> {
        self.weights
            .iter()
            .filter(|(_, w)| **w > 0)
            .map(|(op, w)| (op.name().to_string(), *w))
            .collect()
    }
}

impl Default for Mix {
    fn default() -> Mix {
        Mix::parse(DEFAULT_MIX).expect("the default mix parses")
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = Operation::ALL
            .into_iter()
            .filter(|op| self.weight(*op) > 0)
            .map(|op| format!("{op}={}", self.weight(op)))
            .collect();
        f.write_str(&parts.join(","))
    }
}

fn names() -> Vec<&'static str> {
    Operation::ALL.iter().map(|op| op.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mix_parses_and_picks_by_weight() {
        let mix = Mix::parse("get-one=3, kill=1").unwrap();
        assert_eq!(mix.to_string(), "get-one=3,kill=1");
        let picks: Vec<Operation> = (0..4).map(|r| mix.pick(r)).collect();
        assert_eq!(
            picks,
            [
                Operation::GetOne,
                Operation::GetOne,
                Operation::GetOne,
                Operation::Kill
            ]
        );
        assert_eq!(Mix::default().to_string(), DEFAULT_MIX);
    }

    #[test]
    fn a_bad_mix_says_why() {
        let error = |text| Mix::parse(text).unwrap_err();
        assert!(error("get-one").contains("not OPERATION=WEIGHT"));
        assert!(error("list=1").contains("unknown operation 'list'"));
        assert!(error("kill=-1").contains("whole number"));
        assert!(error("kill=0").contains("at least one"));
        assert!(error("kill=1,kill=2").contains("twice"));
    }

    #[test]
    fn patch_bodies_toggle_log_info_and_set_filters() {
        let filters = vec!["f1".to_string(), "f2".to_string()];
        let bodies: Vec<serde_json::Value> = (0..64)
            .map(|r| patch_body(r * 0x0101_0101, &filters))
            .collect();
        assert!(bodies
            .iter()
            .any(|b| b["data"]["attributes"]["parameters"]["log_info"] == true));
        assert!(bodies
            .iter()
            .any(|b| b["data"]["relationships"]["filters"]["data"]
                .as_array()
                .is_some_and(|list| list.len() == 2)));
        assert!(
            bodies
                .iter()
                .all(|b| b["data"]["attributes"].is_object()
                    || b["data"]["relationships"].is_object())
        );
    }
}
