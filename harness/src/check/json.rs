//! Assertions on the JSON body, at a JSON pointer (one node or none) or a JSONPath (any number
//! of nodes): equality, existence, type, count, pattern, and comparison with a captured value.

use serde_json::Value;

use super::diff::json_diff;
use super::jsonpath::JsonPath;
use super::{pattern, Failure, Reply};
use crate::scenario::model::JsonAssertion;
use crate::vars::Vars;

/// The names `type:` takes.
pub const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "array", "object", "null",
];

/// Every assertion that does not hold; one failure in all when the body is not JSON.
pub fn check_all(assertions: &[JsonAssertion], reply: &Reply<'_>, vars: &Vars) -> Vec<Failure> {
    if assertions.is_empty() {
        return Vec::new();
    }
    match &reply.json {
        Ok(doc) => assertions
            .iter()
            .filter_map(|a| check(a, doc, vars))
            .collect(),
        Err(why) => vec![Failure::new("json", "a JSON body", why.clone())],
    }
}

/// The failure, if the assertion does not hold on the document.
pub fn check(a: &JsonAssertion, doc: &Value, vars: &Vars) -> Option<Failure> {
    let (at, nodes, by_pointer) = match (&a.pointer, &a.path) {
        (Some(pointer), _) => (
            pointer.clone(),
            doc.pointer(pointer).into_iter().collect(),
            true,
        ),
        (None, Some(path)) => match JsonPath::parse(path) {
            Ok(parsed) => (path.clone(), parsed.select(doc), false),
            Err(message) => {
                return Some(Failure::new(
                    format!("json {path}"),
                    "a valid JSONPath",
                    message,
                ))
            }
        },
        (None, None) => return None,
    };
    let every = |test: &dyn Fn(&Value) -> bool| !nodes.is_empty() && nodes.iter().all(|n| test(n));
    let var = |name: &str| vars.get(name).cloned().unwrap_or(Value::Null);
    let (holds, expected) = if let Some(value) = &a.equals {
        let expected = vars
            .expand_json(value)
            .unwrap_or_else(|e| Value::String(e.to_string()));
        let holds = every(&|n| *n == expected);
        if !holds {
            if let [single] = nodes.as_slice() {
                if single.is_object() || single.is_array() {
                    let diff = json_diff(&expected, single);
                    return Some(failure(a, &at, compact(&expected), diff));
                }
            }
        }
        (holds, compact(&expected))
    } else if let Some(exists) = a.exists {
        (
            nodes.is_empty() != exists,
            if exists { "present" } else { "absent" }.to_string(),
        )
    } else if let Some(absent) = a.absent {
        (
            nodes.is_empty() == absent,
            if absent { "absent" } else { "present" }.to_string(),
        )
    } else if let Some(kind) = &a.kind {
        (
            // Every integer is also a number, as in JSON Schema.
            every(&|n| type_name(n) == kind || (kind == "number" && n.is_number())),
            format!("of type {kind}"),
        )
    } else if let Some(count) = a.count {
        let actual = if by_pointer {
            nodes.first().and_then(|n| n.as_array()).map(Vec::len)
        } else {
            Some(nodes.len())
        };
        let expected = if by_pointer {
            format!("an array of length {count}")
        } else {
            format!("{count} nodes")
        };
        (actual == Some(count), expected)
    } else if let Some(regex) = &a.matches {
        let holds =
            pattern(regex).is_ok_and(|re| every(&|n| n.as_str().is_some_and(|s| re.is_match(s))));
        (holds, format!("a string matching /{regex}/"))
    } else if let Some(name) = &a.changed {
        let before = var(name);
        (
            every(&|n| *n != before),
            format!(
                "different from {} (the value of {{{{{name}}}}})",
                compact(&before)
            ),
        )
    } else if let Some(name) = &a.unchanged {
        let before = var(name);
        (
            every(&|n| *n == before),
            format!("{} (the value of {{{{{name}}}}})", compact(&before)),
        )
    } else {
        (true, String::new())
    };
    (!holds).then(|| failure(a, &at, expected, describe(&nodes, by_pointer)))
}

fn failure(a: &JsonAssertion, at: &str, expected: String, actual: String) -> Failure {
    Failure {
        because: a.because.clone(),
        ..Failure::new(format!("json {at}"), expected, actual)
    }
}

/// What the selected nodes are, for the "actual" side.
fn describe(nodes: &[&Value], by_pointer: bool) -> String {
    match nodes {
        [] => "nothing there".to_string(),
        [one] if by_pointer => describe_one(one),
        many => format!(
            "{} nodes: [{}]",
            many.len(),
            many.iter()
                .map(|n| describe_one(n))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn describe_one(node: &Value) -> String {
    let text = compact(node);
    if text.chars().count() > 200 {
        let cut: String = text.chars().take(200).collect();
        format!("{cut}… ({})", type_name(node))
    } else {
        text
    }
}

fn compact(value: &Value) -> String {
    value.to_string()
}

/// JSON Schema's name for a value's type (`number` for non-integers).
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
        Value::Number(_) if is_integer(value) => "integer",
        Value::Number(_) => "number",
    }
}

/// An integer as JSON Schema sees it: also a real with no fractional part.
fn is_integer(value: &Value) -> bool {
    value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|x| x.fract() == 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assertion(yaml: &str) -> JsonAssertion {
        serde_saphyr::from_str(yaml).unwrap()
    }

    fn run(yaml: &str, doc: &Value) -> Option<Failure> {
        let mut vars = Vars::new("h:1");
        vars.set("id", json!("7"));
        check(&assertion(yaml), doc, &vars)
    }

    #[test]
    fn predicates_on_pointers() {
        let doc = json!({"data": {"id": "7", "attributes": {"idle": 5.0, "io_activity": 3, "log": [], "state": "Session started"}}});
        assert_eq!(run("{pointer: /data/id, equals: \"{{id}}\"}", &doc), None);
        assert_eq!(run("{pointer: /data/id, unchanged: id}", &doc), None);
        assert_eq!(
            run("{pointer: /data/attributes/idle, type: number}", &doc),
            None
        );
        assert_eq!(
            run(
                "{pointer: /data/attributes/io_activity, type: integer}",
                &doc
            ),
            None
        );
        assert_eq!(run("{pointer: /data/attributes/log, count: 0}", &doc), None);
        assert_eq!(
            run("{pointer: /data/relationships/filters, absent: true}", &doc),
            None
        );
        assert_eq!(
            run(
                "{pointer: /data/attributes/state, matches: \"^Session (started|created)$\"}",
                &doc
            ),
            None
        );
        let failure = run(
            "{pointer: /data/id, type: integer, because: ids are strings}",
            &doc,
        )
        .unwrap();
        assert_eq!(failure.check, "json /data/id");
        assert_eq!(failure.expected, "of type integer");
        assert_eq!(failure.actual, "\"7\"");
        assert_eq!(failure.because.as_deref(), Some("ids are strings"));
        assert_eq!(
            run("{pointer: /data/nope, exists: true}", &doc)
                .unwrap()
                .actual,
            "nothing there"
        );
        assert_eq!(
            run("{pointer: /data/id, changed: id}", &doc)
                .unwrap()
                .expected,
            "different from \"7\" (the value of {{id}})"
        );
    }

    #[test]
    fn predicates_on_paths_hold_for_every_node() {
        let doc = json!({"data": [{"id": "1"}, {"id": "2"}]});
        assert_eq!(run("{path: \"$.data[*].id\", type: string}", &doc), None);
        assert_eq!(run("{path: \"$.data[*]\", count: 2}", &doc), None);
        assert_eq!(run("{path: \"$.data[*].nope\", count: 0}", &doc), None);
        let failure = run("{path: \"$.data[*].id\", equals: \"1\"}", &doc).unwrap();
        assert_eq!(failure.actual, "2 nodes: [\"1\", \"2\"]");
        // An empty selection satisfies no value predicate.
        assert!(run("{path: \"$.data[*].nope\", type: string}", &doc).is_some());
    }

    #[test]
    fn unequal_documents_show_a_diff() {
        let doc = json!({"data": {"a": 1, "b": 2}});
        let failure = run("{pointer: /data, equals: {a: 1, b: 3}}", &doc).unwrap();
        assert!(
            failure.actual.contains("-  \"b\": 3\n+  \"b\": 2"),
            "{}",
            failure.actual
        );
    }
}
