//! The JSONPath subset of `filter[<path>]=<expr>` (24.02+).
//!
//! Supported: an optional leading `$`; dot keys `a.b`; bracket keys `['a']` and `["a"]`;
//! indices `[0]`; index lists `[0,1]`; wildcards `[*]` and `.*` over array elements and object
//! members. Any other syntax (slices `[0:2]`, recursive descent `..`, unquoted bracket keys
//! `[user]`, filters) makes the path match nothing.

use serde_json::Value;

use super::expr::{self, Expr};

/// One step of a parsed path.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// An object member by name.
    Key(String),
    /// Array elements by position (sorted, duplicates removed).
    Indices(Vec<usize>),
    /// Every array element or object member value.
    Wildcard,
}

impl Step {
    /// The nodes this step selects below `node`.
    fn select<'a>(&self, node: &'a Value) -> Vec<&'a Value> {
        match (self, node) {
            (Step::Key(key), Value::Object(members)) => members.get(key).into_iter().collect(),
            (Step::Indices(indices), Value::Array(items)) => {
                indices.iter().filter_map(|&i| items.get(i)).collect()
            }
            (Step::Wildcard, Value::Array(items)) => items.iter().collect(),
            (Step::Wildcard, Value::Object(members)) => members.values().collect(),
            _ => Vec::new(),
        }
    }
}

/// A parsed `filter[<path>]=<expression>` option.
#[derive(Debug, Clone, PartialEq)]
pub struct PathFilter {
    /// `None` when the path uses unsupported syntax and therefore matches nothing.
    steps: Option<Vec<Step>>,
    expr: Expr,
}

impl PathFilter {
    /// Parses the path and the expression; only the expression can fail.
    pub fn parse(path: &str, expr: &str) -> Result<PathFilter, String> {
        Ok(PathFilter {
            steps: parse_path(path),
            expr: expr::parse(expr)?,
        })
    }

    /// Whether the row is kept: any node the path yields satisfies the expression.
    // spec §10.14: wildcard results are ORed; rows yielding no node are dropped.
    pub fn matches(&self, row: &Value) -> bool {
        self.steps.as_ref().is_some_and(|steps| {
            select(row, steps)
                .into_iter()
                .any(|node| self.expr.eval(node))
        })
    }
}

/// Every node the steps reach from `row`. Each frontier holds distinct nodes, so its size is
/// bounded by the row's size whatever the path.
fn select<'a>(row: &'a Value, steps: &[Step]) -> Vec<&'a Value> {
    steps.iter().fold(vec![row], |nodes, step| {
        nodes
            .into_iter()
            .flat_map(|node| step.select(node))
            .collect()
    })
}

/// Parses a path into steps; `None` for unsupported syntax. `$` and `` select the row itself.
fn parse_path(path: &str) -> Option<Vec<Step>> {
    let mut rest = path.strip_prefix('$').unwrap_or(path);
    let mut steps = Vec::new();
    while !rest.is_empty() {
        let (step, after) = match rest.strip_prefix('[') {
            Some(inner) => bracket_step(inner)?,
            None => dot_step(rest)?,
        };
        steps.push(step);
        rest = after;
    }
    Some(steps)
}

/// A bracket step, given the text after `[`; returns the step and the text after `]`.
fn bracket_step(text: &str) -> Option<(Step, &str)> {
    if let Some(quote) = text.chars().next().filter(|c| matches!(c, '\'' | '"')) {
        let body = &text[1..];
        let close = body.find(quote)?;
        let after = body[close + 1..].strip_prefix(']')?;
        return Some((Step::Key(body[..close].to_string()), after));
    }
    let (inner, after) = text.split_once(']')?;
    let step = if inner == "*" {
        Step::Wildcard
    } else {
        Step::Indices(index_list(inner)?)
    };
    Some((step, after))
}

/// `0,1,…` inside brackets: sorted, deduplicated indices; unsupported syntax gives `None`.
/// An index too large for `usize` can never exist, so it is left out rather than rejected.
fn index_list(inner: &str) -> Option<Vec<usize>> {
    let mut indices = Vec::new();
    for token in inner.split(',') {
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        indices.extend(token.parse::<usize>().ok());
    }
    indices.sort_unstable();
    indices.dedup();
    Some(indices)
}

/// A dot step (`.key`, `.*`, or a key without the dot); returns the step and the rest.
fn dot_step(text: &str) -> Option<(Step, &str)> {
    let text = text.strip_prefix('.').unwrap_or(text);
    let end = text.find(['.', '[']).unwrap_or(text.len());
    let (key, after) = text.split_at(end);
    match key {
        "" => None,
        "*" => Some((Step::Wildcard, after)),
        _ => Some((Step::Key(key.to_string()), after)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Value {
        json!({
            "id": "7",
            "attributes": {
                "user": "maxuser",
                "state": "Session started",
                "connections": [{"server": "server1"}, {"server": "server2"}, {"server": "server3"}],
                "parameters": {"log_info": false, "log_debug": true},
                "a.b": 1
            }
        })
    }

    fn keeps(path: &str, expr: &str) -> bool {
        PathFilter::parse(path, expr)
            .unwrap_or_else(|e| panic!("{path} {expr}: {e}"))
            .matches(&row())
    }

    #[test]
    fn supported_paths_match() {
        assert!(keeps("$.attributes.user", r#"eq("maxuser")"#));
        assert!(keeps("attributes.user", r#""maxuser""#));
        assert!(keeps("$.id", r#""7""#));
        assert!(keeps("id", r#""7""#));
        assert!(keeps("$['id']", r#""7""#));
        assert!(keeps(r#"$["id"]"#, r#""7""#));
        assert!(keeps("$['attributes']['a.b']", "1"));
        assert!(keeps("$.attributes.connections[0].server", r#""server1""#));
        assert!(!keeps("$.attributes.connections[0].server", r#""server2""#));
        assert!(keeps("$.attributes.connections[*].server", r#""server3""#));
        assert!(keeps("$.attributes.connections.*.server", r#""server2""#));
        assert!(keeps(
            "$.attributes.connections[0,2].server",
            r#""server3""#
        ));
        assert!(!keeps(
            "$.attributes.connections[0,2].server",
            r#""server2""#
        ));
        assert!(keeps("$.attributes.parameters.*", "true"));
        assert!(keeps("$.attributes.parameters[*]", "false"));
        assert!(!keeps("$.attributes.parameters.*", "null"));
    }

    #[test]
    fn whole_row_paths() {
        let whole = json!({"id": "1"});
        for path in ["", "$"] {
            let filter = PathFilter::parse(path, r#"{"id":"1"}"#).unwrap();
            assert!(filter.matches(&whole), "{path:?}");
            assert!(!filter.matches(&json!({"id": "2"})), "{path:?}");
        }
    }

    #[test]
    fn unsupported_paths_match_nothing() {
        for path in [
            "$.attributes.connections[0:2].server",
            "$..user",
            "$.attributes..user",
            "$.attributes[user]",
            "$.attributes.",
            "$.attributes[",
            "$.attributes['user",
            "$.attributes['user'",
            "$.attributes.connections[0,].server",
            "$.attributes.connections[-1].server",
            "$.attributes.connections[?(@.server)]",
        ] {
            assert!(!keeps(path, "ne(0)"), "{path}");
            assert_eq!(parse_path(path), None, "{path}");
        }
    }

    #[test]
    fn missing_nodes_drop_the_row() {
        assert!(!keeps("$.attributes.nosuch", "ne(0)"));
        assert!(!keeps("$.attributes.connections[7].server", "ne(0)"));
        assert!(!keeps("$.attributes.user[0]", "ne(0)"));
        assert!(!keeps("$.attributes.user.*", "ne(0)"));
        assert!(!keeps("$.attributes.connections.server", "ne(0)"));
        assert!(!keeps(
            "$.attributes.connections[99999999999999999999999999].server",
            "ne(0)"
        ));
    }

    #[test]
    fn expression_errors() {
        assert_eq!(
            PathFilter::parse("$.id", ""),
            Err("Empty filter expression".to_string())
        );
        assert_eq!(
            PathFilter::parse("$..id", "eq("),
            Err("Invalid JSON: ".to_string())
        );
    }

    #[test]
    fn parses_steps() {
        assert_eq!(
            parse_path("$.a[2,0,2]['b.c'].*[*]d"),
            Some(vec![
                Step::Key("a".into()),
                Step::Indices(vec![0, 2]),
                Step::Key("b.c".into()),
                Step::Wildcard,
                Step::Wildcard,
                Step::Key("d".into()),
            ])
        );
        assert_eq!(parse_path("$['é']"), Some(vec![Step::Key("é".into())]));
    }

    #[test]
    fn repeated_index_lists_stay_small() {
        let nested = json!([[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]]);
        let list = format!("[{}]", vec!["0"; 10_000].join(","));
        let steps = parse_path(&format!("{list}{list}{list}{list}")).unwrap();
        assert_eq!(select(&nested, &steps), vec![&json!(1)]);
    }
}
