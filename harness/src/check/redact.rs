//! The one place that makes documents stable for snapshots: volatile members (times, sizes,
//! ports, ids of backend connections) become a placeholder, and the host of every link becomes
//! `HOST`, so a snapshot taken on one machine compares equal on another.

use serde_json::Value;

/// What a redacted value becomes.
pub const PLACEHOLDER: &str = "[redacted]";

/// Members redacted wherever they appear: they change with time, the machine or the order of
/// events, not with the behaviour under test (spec §5.2, §5.4, §5.6).
pub const DEFAULT_KEYS: &[&str] = &[
    "connected",
    "seconds_alive",
    "idle",
    "io_activity",
    "memory",
    "port",
    "thread",
    "connection_id",
    "_pid",
    "received",
    "completed",
    "duration",
];

/// Redacts a document in place: the default members, the host of every link, and the values at
/// `pointers` (JSON pointers in which a `*` segment matches any one member or element).
pub fn redact(value: &mut Value, pointers: &[String]) {
    redact_defaults(value);
    for pointer in pointers {
        let segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        redact_at(value, &segments);
    }
}

fn redact_defaults(value: &mut Value) {
    match value {
        Value::Object(members) => {
            for (key, member) in members.iter_mut() {
                if DEFAULT_KEYS.contains(&key.as_str()) {
                    *member = Value::String(PLACEHOLDER.to_string());
                } else {
                    redact_defaults(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_defaults),
        Value::String(text) => {
            if let Some(link) = without_host(text) {
                *text = link;
            }
        }
        _ => {}
    }
}

/// `http://<host>/rest` as `http://HOST/rest`; `None` for anything that is not such a link.
fn without_host(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let path = &rest[rest.find('/')?..];
    Some(format!("{scheme}://HOST{path}"))
}

fn redact_at(value: &mut Value, segments: &[String]) {
    let Some((first, rest)) = segments.split_first() else {
        *value = Value::String(PLACEHOLDER.to_string());
        return;
    };
    match value {
        Value::Object(members) if first == "*" => {
            members.values_mut().for_each(|m| redact_at(m, rest));
        }
        Value::Object(members) => {
            if let Some(member) = members.get_mut(first) {
                redact_at(member, rest);
            }
        }
        Value::Array(items) if first == "*" => items.iter_mut().for_each(|i| redact_at(i, rest)),
        Value::Array(items) => {
            if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                redact_at(item, rest);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_volatile_members_links_and_given_pointers() {
        let mut doc = json!({
            "data": [{
                "id": "3",
                "attributes": {"port": 40664, "memory": {"total": 1}, "state": "Session started",
                               "connections": [{"connection_id": 7, "server": "server1"}],
                               "client": {"connection_attributes": {"_pid": "12", "_os": "Linux"}}},
                "links": {"self": "http://127.0.0.1:41234/v1/sessions/3/"}
            }],
            "links": {"self": "https://example.com/v1/sessions/"},
            "note": "not a link: http:/x"
        });
        redact(&mut doc, &["/data/*/id".to_string()]);
        assert_eq!(
            doc,
            json!({
                "data": [{
                    "id": PLACEHOLDER,
                    "attributes": {"port": PLACEHOLDER, "memory": PLACEHOLDER, "state": "Session started",
                                   "connections": [{"connection_id": PLACEHOLDER, "server": "server1"}],
                                   "client": {"connection_attributes": {"_pid": PLACEHOLDER, "_os": "Linux"}}},
                    "links": {"self": "http://HOST/v1/sessions/3/"}
                }],
                "links": {"self": "https://HOST/v1/sessions/"},
                "note": "not a link: http:/x"
            })
        );
    }
}
