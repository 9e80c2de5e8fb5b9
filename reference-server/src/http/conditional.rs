//! ETag, Last-Modified and the `If-*` preconditions (spec §10.8, §10.9).

use std::collections::HashMap;
use std::sync::Mutex;

use hyper::HeaderMap;
use serde::Serialize;
use serde_json::Value;
use sha1::{Digest, Sha1};

use super::response::{Payload, Reply};
use crate::datetime::parse_http_date;
use crate::json_text;

/// The ETag of an empty body: SHA-1 of the empty string (HEAD, 404s, spec §10.6).
pub const EMPTY_ETAG: &str = "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"";

/// `"` + hex SHA-1 of the compact JSON of the body + `"`. The top-level members are hashed in
/// MaxScale's insertion order (`links`, then `data`, spec §5.10), so documents with nothing else
/// to reorder (the empty collection, error documents) have exactly MaxScale's ETag; deeper keys
/// are sorted, which the spec allows: equal bodies have equal ETags and different bodies
/// different ones (§10.8).
pub fn etag(body: Option<&Value>) -> String {
    match body {
        None => EMPTY_ETAG.to_string(),
        Some(body) => hash(&top_level_in_insertion_order(body)),
    }
}

/// The ETag of a reply's document, however it is held.
pub fn etag_of_reply(reply: &Reply) -> String {
    match &reply.payload {
        Payload::Rendered { etag, .. } => etag.clone(),
        Payload::Json(body) => etag(Some(body)),
        Payload::None | Payload::Raw(_) => EMPTY_ETAG.to_string(),
    }
}

/// The same ETag for a typed document given by its top-level `links` and `data`, hashed without
/// building a `Value`.
pub fn etag_of_parts<L: Serialize, D: Serialize>(links: &L, data: &D) -> String {
    #[derive(Serialize)]
    struct LinksFirst<'a, L, D> {
        links: &'a L,
        data: &'a D,
    }
    hash(&json_text::render_serialize(
        &LinksFirst { links, data },
        false,
    ))
}

fn hash(text: &str) -> String {
    let digest = Sha1::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The compact text of a document whose top-level `links` and `data` come first, in that order.
fn top_level_in_insertion_order(body: &Value) -> String {
    const FIRST: [&str; 2] = ["links", "data"];
    let Some(members) = body.as_object() else {
        return json_text::render(body, false);
    };
    let rest = members
        .iter()
        .filter(|(key, _)| !FIRST.contains(&key.as_str()));
    let ordered = FIRST
        .iter()
        .filter_map(|key| members.get_key_value(*key))
        .chain(rest);
    let mut text = String::from("{");
    for (i, (key, value)) in ordered.enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push_str(&json_text::render(&Value::String(key.clone()), false));
        text.push(':');
        text.push_str(&json_text::render(value, false));
    }
    text.push('}');
    text
}

/// When each path was last changed through the REST API (spec §10.8).
#[derive(Debug)]
pub struct LastModified {
    started: u64,
    stamps: Mutex<HashMap<String, u64>>,
}

impl LastModified {
    /// Paths not yet changed report `started`.
    pub fn new(started: u64) -> LastModified {
        LastModified {
            started,
            stamps: Mutex::new(HashMap::new()),
        }
    }

    /// The last-modified time of a path key.
    pub fn get(&self, key: &str) -> u64 {
        self.lock().get(key).copied().unwrap_or(self.started)
    }

    /// Stamps a path and each of its parents, but not the root.
    pub fn stamp(&self, key: &str, at: u64) {
        let mut stamps = self.lock();
        let mut path = key;
        while !path.is_empty() {
            stamps.insert(path.to_string(), at);
            path = path.rsplit_once('/').map_or("", |(parent, _)| parent);
        }
    }

    /// Forgets every stamp.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.stamps.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What the preconditions decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precondition {
    Proceed,
    NotModified,
    Failed,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or(""))
}

/// An unparsable date counts as a time far in the past (spec §10.9).
fn date(headers: &HeaderMap, name: &str) -> Option<u64> {
    header(headers, name).map(|v| parse_http_date(v).unwrap_or(0))
}

/// The failing half of §10.9 (412): `If-Unmodified-Since` older than the path's change, or an
/// `If-Match` that is not exactly the current ETag.
pub fn fails(headers: &HeaderMap, current_etag: impl FnOnce() -> String, modified: u64) -> bool {
    if date(headers, "if-unmodified-since").is_some_and(|d| modified > d) {
        return true;
    }
    header(headers, "if-match").is_some_and(|m| m != current_etag())
}

/// The full §10.9 algorithm for GET and HEAD.
pub fn check_read(headers: &HeaderMap, etag: &str, modified: u64) -> Precondition {
    if fails(headers, || etag.to_string(), modified) {
        return Precondition::Failed;
    }
    let since = date(headers, "if-modified-since");
    let none_match = header(headers, "if-none-match");
    if since.is_none() && none_match.is_none() {
        return Precondition::Proceed;
    }
    let unmodified = since.is_none_or(|d| modified <= d);
    let same = none_match.is_none_or(|m| m == etag);
    if unmodified && same {
        Precondition::NotModified
    } else {
        Precondition::Proceed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(n, v)| {
                (
                    HeaderName::from_bytes(n.as_bytes()).unwrap(),
                    HeaderValue::from_str(v).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn empty_collection_etag_is_the_captured_one() {
        // spec §10.8: the ETag of an empty collection equals MaxScale's (no keys to reorder).
        let body: Value = serde_json::from_str(
            r#"{"links":{"self":"http://127.0.0.1:8989/v1/sessions/"},"data":[]}"#,
        )
        .unwrap();
        assert_eq!(
            etag(Some(&body)),
            "\"f3f7a0b565362e906a97c6b326d7595e74753a78\""
        );
        assert_eq!(etag(None), EMPTY_ETAG);
    }

    #[test]
    fn typed_and_value_documents_hash_alike() {
        let links = serde_json::json!({ "self": "http://h/v1/sessions/" });
        let data = serde_json::json!([{ "id": "1", "type": "sessions", "attributes": { "b": 1.5, "a": [] } }]);
        let document = serde_json::json!({ "data": data, "links": links });
        assert_eq!(etag_of_parts(&links, &data), etag(Some(&document)));
    }

    #[test]
    fn stamps_cover_parents_but_not_the_root() {
        let lm = LastModified::new(100);
        lm.stamp("sessions/1/restart", 200);
        assert_eq!(lm.get("sessions/1/restart"), 200);
        assert_eq!(lm.get("sessions/1"), 200);
        assert_eq!(lm.get("sessions"), 200);
        assert_eq!(lm.get(""), 100);
        assert_eq!(lm.get("sessions/2"), 100);
    }

    #[test]
    fn read_preconditions() {
        let e = "\"abc\"";
        let date = "Fri, 05 Jan 2024 07:24:06 GMT";
        let at = parse_http_date(date).unwrap();
        assert_eq!(check_read(&headers(&[]), e, at), Precondition::Proceed);
        assert_eq!(
            check_read(&headers(&[("if-none-match", e)]), e, at),
            Precondition::NotModified
        );
        assert_eq!(
            check_read(&headers(&[("if-none-match", "\"x\"")]), e, at),
            Precondition::Proceed
        );
        assert_eq!(
            check_read(&headers(&[("if-match", "\"x\"")]), e, at),
            Precondition::Failed
        );
        assert_eq!(
            check_read(&headers(&[("if-match", "*")]), e, at),
            Precondition::Failed
        );
        assert_eq!(
            check_read(&headers(&[("if-modified-since", date)]), e, at),
            Precondition::NotModified
        );
        assert_eq!(
            check_read(&headers(&[("if-modified-since", "garbage")]), e, at),
            Precondition::Proceed
        );
        assert_eq!(
            check_read(&headers(&[("if-unmodified-since", "garbage")]), e, at),
            Precondition::Failed
        );
        assert_eq!(
            check_read(&headers(&[("if-unmodified-since", date)]), e, at),
            Precondition::Proceed
        );
    }
}
