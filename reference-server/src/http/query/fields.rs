//! Sparse fieldsets: `fields[<type>]=a,b/c` applied to one resource object.

use serde_json::{Map, Value};

/// The resource members that sparse fieldsets cut down; everything else stays untouched.
const CUT_MEMBERS: [&str; 2] = ["attributes", "relationships"];

/// Cuts `attributes` and `relationships` of `resource` down to the fields listed in `spec`.
///
/// The caller decides whether the option applies (its type matches the resource's `type`).
// spec §10.13
pub fn apply(resource: &mut Value, spec: &str) {
    let paths = parse_spec(spec);
    if paths.is_empty() {
        return;
    }
    let Some(members) = resource.as_object_mut() else {
        return;
    };
    for name in CUT_MEMBERS {
        if let Some(section) = members.get(name) {
            let kept = cut_all(section, &paths);
            if kept.is_empty() {
                // spec §10.13: an empty result removes the member entirely.
                members.remove(name);
            } else {
                members.insert(name.to_string(), Value::Object(kept));
            }
        }
    }
}

/// Splits the option value into paths: tokens on `,` (empty ones dropped), parts on `/` (empty
/// ones ignored).
fn parse_spec(spec: &str) -> Vec<Vec<&str>> {
    spec.split(',')
        .filter(|token| !token.is_empty())
        .map(|token| token.split('/').filter(|part| !part.is_empty()).collect())
        .collect()
}

/// The union of the cuts of `section` along every path.
fn cut_all(section: &Value, paths: &[Vec<&str>]) -> Map<String, Value> {
    let mut kept = Map::new();
    for path in paths {
        if let Value::Object(cut) = cut(section, path) {
            merge(&mut kept, cut);
        }
    }
    kept
}

/// `value` reduced to `path`: an object keeps only the next key (or becomes `{}` without it);
/// anything else, or the end of the path, is kept whole.
fn cut(value: &Value, path: &[&str]) -> Value {
    match (value, path.split_first()) {
        (Value::Object(members), Some((key, rest))) => {
            let mut kept = Map::new();
            if let Some(child) = members.get(*key) {
                kept.insert((*key).to_string(), cut(child, rest));
            }
            Value::Object(kept)
        }
        _ => value.clone(),
    }
}

/// Recursively merges `src` into `dest`: objects on both sides merge, otherwise `src` wins.
fn merge(dest: &mut Map<String, Value>, src: Map<String, Value>) {
    for (key, value) in src {
        let value = match (dest.get_mut(&key), value) {
            (Some(Value::Object(inner)), Value::Object(more)) => {
                merge(inner, more);
                continue;
            }
            (_, value) => value,
        };
        dest.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn session() -> Value {
        json!({
            "id": "5",
            "type": "sessions",
            "attributes": {
                "state": "Session started",
                "user": "maxuser",
                "memory": {"total": 100, "sescmd": 0, "connection_buffers": {"total": 7}},
                "connections": [{"server": "server1", "connection_id": 18}],
                "client": {"connection_attributes": {"_pid": "21232", "_os": "Linux"}}
            },
            "relationships": {
                "services": {
                    "data": [{"id": "RW-Split-Router", "type": "services"}],
                    "links": {"self": "http://localhost:8989/v1/sessions/5/relationships/services/",
                              "related": "http://localhost:8989/v1/services/"}
                },
                "filters": {"data": []}
            },
            "links": {"self": "http://localhost:8989/v1/sessions/5/"}
        })
    }

    fn applied(spec: &str) -> Value {
        let mut resource = session();
        apply(&mut resource, spec);
        resource
    }

    /// The expected resource: the fixed members plus the given attributes/relationships.
    fn expected(attributes: Option<Value>, relationships: Option<Value>) -> Value {
        let mut resource = json!({
            "id": "5",
            "type": "sessions",
            "links": {"self": "http://localhost:8989/v1/sessions/5/"}
        });
        if let Some(a) = attributes {
            resource["attributes"] = a;
        }
        if let Some(r) = relationships {
            resource["relationships"] = r;
        }
        resource
    }

    #[test]
    fn spec_examples() {
        assert_eq!(
            applied("state"),
            expected(Some(json!({"state": "Session started"})), None)
        );
        assert_eq!(
            applied("state,user"),
            expected(
                Some(json!({"state": "Session started", "user": "maxuser"})),
                None
            )
        );
        assert_eq!(
            applied("services"),
            expected(
                None,
                Some(json!({"services": session()["relationships"]["services"]}))
            )
        );
        assert_eq!(
            applied("memory/total,state"),
            expected(
                Some(json!({"memory": {"total": 100}, "state": "Session started"})),
                None
            )
        );
        assert_eq!(
            applied("memory/bogus"),
            expected(Some(json!({"memory": {}})), None)
        );
        assert_eq!(
            applied("connections/server"),
            expected(
                Some(json!({"connections": [{"server": "server1", "connection_id": 18}]})),
                None
            )
        );
        assert_eq!(
            applied("services/links/self"),
            expected(
                None,
                Some(json!({"services": {"links": {
                    "self": "http://localhost:8989/v1/sessions/5/relationships/services/"
                }}}))
            )
        );
        assert_eq!(
            applied("filters"),
            expected(None, Some(json!({"filters": {"data": []}})))
        );
        assert_eq!(
            applied("client/connection_attributes/_pid"),
            expected(
                Some(json!({"client": {"connection_attributes": {"_pid": "21232"}}})),
                None
            )
        );
        assert_eq!(
            applied("state/x"),
            expected(Some(json!({"state": "Session started"})), None)
        );
    }

    #[test]
    fn empty_parts_and_tokens_are_ignored() {
        let state = expected(Some(json!({"state": "Session started"})), None);
        assert_eq!(applied("/state"), state);
        assert_eq!(applied(",,state,,"), state);
        assert_eq!(
            applied("memory//total"),
            expected(Some(json!({"memory": {"total": 100}})), None)
        );
    }

    #[test]
    fn unknown_or_member_names_leave_only_fixed_members() {
        for spec in ["relationships", "attributes", "id", "type,links", "nosuch"] {
            assert_eq!(applied(spec), expected(None, None), "{spec}");
        }
    }

    #[test]
    fn token_without_parts_keeps_whole_members() {
        // MaxScale's cut stops at once on an empty part list, keeping the whole copy.
        assert_eq!(applied("/"), session());
        assert_eq!(
            applied("//,nosuch"),
            session(),
            "union with an empty cut is the whole member"
        );
    }

    #[test]
    fn empty_spec_changes_nothing() {
        assert_eq!(applied(""), session());
        assert_eq!(applied(",,"), session());
    }

    #[test]
    fn merges_overlapping_paths() {
        assert_eq!(
            applied("memory/connection_buffers/total,memory/total,memory/bogus"),
            expected(
                Some(json!({"memory": {"total": 100, "connection_buffers": {"total": 7}}})),
                None
            )
        );
        assert_eq!(
            applied("memory/total,memory"),
            expected(
                Some(json!({"memory": session()["attributes"]["memory"]})),
                None
            )
        );
    }

    #[test]
    fn non_object_resources_are_left_alone() {
        let mut value = json!([1, 2]);
        apply(&mut value, "state");
        assert_eq!(value, json!([1, 2]));
    }
}
