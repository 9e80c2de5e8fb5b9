//! The reference server's control API (`/_sim/`, the README's "Control API" table) as a
//! session source: every action is one `POST` (or `DELETE`) that must answer 2xx, sent without
//! credentials, and kept as a curl command line for the evidence.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::{Action, Clock, Done, Open, SourceError};

use crate::target::{curl, Outgoing, Response, Target};

/// A target's control API.
#[derive(Debug, Clone)]
pub struct ControlApi {
    target: Target,
    clock: Clock,
}

impl ControlApi {
    /// The control API of `target`, as `GET /_sim` described it (`"clock": "virtual"`).
    pub fn new(target: Target, info: &Value) -> ControlApi {
        let clock = match info.get("clock").and_then(Value::as_str) {
            Some("virtual") => Clock::Virtual,
            _ => Clock::Real,
        };
        ControlApi { target, clock }
    }

    /// How time moves on the target.
    pub fn clock(&self) -> Clock {
        self.clock
    }

    /// Does an action through its endpoint.
    pub async fn act(&self, action: &Action) -> Result<Done, SourceError> {
        let (method, path, body) = request(action);
        let out = Outgoing::json(method, path, Some(&body), None);
        // A client whose session is gone has been disconnected: its action says so.
        let gone = |status: u16| action.is_client() && status == 404;
        let response = self.call(&out, gone).await?;
        let evidence = curl(&out, self.target.base());
        let ids = match action {
            Action::Open(open) => ids(&response, open.count).map_err(|actual| SourceError {
                expected: format!("{{\"ids\": [{} ids]}}", open.count),
                actual,
                evidence: evidence.clone(),
            })?,
            _ => Vec::new(),
        };
        Ok(Done {
            ids,
            gone: gone(response.status),
            evidence,
        })
    }

    /// Sends a request of a scenario's `control:` step: its answer, whatever the status.
    pub async fn send(&self, out: &Outgoing) -> Result<Response, String> {
        self.target.send(out).await
    }

    /// Sends a control request that must answer 2xx (or a status `also` accepts).
    async fn call(
        &self,
        out: &Outgoing,
        also: impl Fn(u16) -> bool,
    ) -> Result<Response, SourceError> {
        let failed = |actual: String| SourceError {
            expected: format!("{} {} to answer 2xx", out.method, out.path),
            actual,
            evidence: curl(out, self.target.base()),
        };
        let response = self.target.send(out).await.map_err(failed)?;
        if (200..300).contains(&response.status) || also(response.status) {
            Ok(response)
        } else {
            Err(failed(format!(
                "{} {}",
                response.status,
                response.body_excerpt()
            )))
        }
    }
}

/// The endpoint and body of an action.
fn request(action: &Action) -> (&'static str, String, Value) {
    let statement = |statement: &Option<String>| match statement {
        Some(text) => json!({ "statement": text }),
        None => json!({}),
    };
    match action {
        Action::Reset => ("POST", "/_sim/reset".into(), json!({})),
        Action::Open(open) => ("POST", "/_sim/sessions".into(), open_body(open)),
        Action::Query { id, statement: s } => {
            ("POST", format!("/_sim/sessions/{id}/query"), statement(s))
        }
        Action::Busy { id, statement: s } => {
            ("POST", format!("/_sim/sessions/{id}/busy"), statement(s))
        }
        Action::Idle { id } => ("POST", format!("/_sim/sessions/{id}/idle"), json!({})),
        Action::Close { id } => ("DELETE", format!("/_sim/sessions/{id}"), json!({})),
        Action::Advance(wait) => ("POST", "/_sim/clock/advance".into(), advance_body(*wait)),
    }
}

/// `{"count": N, ...}` with only the members given.
fn open_body(open: &Open) -> Value {
    let mut body = Map::new();
    body.insert("count".into(), open.count.into());
    for (name, value) in [
        ("service", &open.service),
        ("user", &open.user),
        ("remote", &open.remote),
    ] {
        if let Some(value) = value {
            body.insert(name.into(), value.as_str().into());
        }
    }
    if let Some(authenticated) = open.authenticated {
        body.insert("authenticated".into(), authenticated.into());
    }
    Value::Object(body)
}

/// `{"millis": N}` for whole milliseconds, else `{"seconds": S}`.
fn advance_body(wait: Duration) -> Value {
    if wait.subsec_nanos().is_multiple_of(1_000_000) {
        json!({ "millis": wait.as_millis() as u64 })
    } else {
        json!({ "seconds": wait.as_secs_f64() })
    }
}

/// The ids of `{"ids": [...]}`, exactly `count` of them.
fn ids(response: &Response, count: u32) -> Result<Vec<String>, String> {
    let body: Value = serde_json::from_slice(&response.body)
        .map_err(|e| format!("not JSON ({e}): {}", response.body_excerpt()))?;
    let ids: Vec<String> = body["ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| match id {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    if ids.len() == count as usize {
        Ok(ids)
    } else {
        Err(response.body_excerpt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_sends_only_what_is_given() {
        let open = Open {
            count: 2,
            user: Some("alice".into()),
            authenticated: Some(false),
            ..Open::default()
        };
        assert_eq!(
            open_body(&open),
            json!({ "count": 2, "user": "alice", "authenticated": false })
        );
    }

    #[test]
    fn advance_in_millis_when_whole() {
        assert_eq!(
            advance_body(Duration::from_millis(2500)),
            json!({ "millis": 2500 })
        );
        assert_eq!(
            advance_body(Duration::from_micros(1500)),
            json!({ "seconds": 0.0015 })
        );
    }

    #[test]
    fn ids_must_be_as_many_as_asked() {
        let response = |body: &str| Response {
            status: 201,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        };
        assert_eq!(
            ids(&response(r#"{"ids":[4,5]}"#), 2),
            Ok(vec!["4".to_string(), "5".to_string()])
        );
        assert!(ids(&response(r#"{"ids":[4]}"#), 2).is_err());
        assert!(ids(&response("nope"), 1).is_err());
    }
}
