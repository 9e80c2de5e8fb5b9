//! MaxScale's JSON pointer dialect and the `filter=<pointer>=<expr>` row filter.

use serde_json::Value;

use super::expr::{self, Expr};

/// Resolves a MaxScale JSON pointer against `row`; `None` when it does not resolve.
///
/// Parts are separated by `/`; a leading `/` is optional, empty parts are skipped (`//a//b` is
/// `/a/b`), there are no `~0`/`~1` escapes, and numeric parts index arrays. An empty pointer
/// yields the row itself.
// spec §10.14 (filter= pointer)
pub fn resolve<'a>(row: &'a Value, pointer: &str) -> Option<&'a Value> {
    pointer
        .split('/')
        .filter(|part| !part.is_empty())
        .try_fold(row, step)
}

/// One pointer step: an array index into an array, a key into an object.
fn step<'a>(value: &'a Value, part: &str) -> Option<&'a Value> {
    match value {
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        Value::Object(members) => members.get(part),
        _ => None,
    }
}

/// A parsed `filter=<json-pointer>=<expression>` option.
#[derive(Debug, Clone, PartialEq)]
pub struct PointerFilter {
    pointer: String,
    expr: Expr,
}

impl PointerFilter {
    /// Parses the option value; `Ok(None)` when it has no `=` (the option is then ignored).
    // spec §10.14: split at the first `=`; without one, no filtering and still 200.
    pub fn parse(option_value: &str) -> Result<Option<PointerFilter>, String> {
        let Some((pointer, text)) = option_value.split_once('=') else {
            return Ok(None);
        };
        let expr = expr::parse(text)?;
        Ok(Some(PointerFilter {
            pointer: pointer.to_string(),
            expr,
        }))
    }

    /// Whether the row is kept: the pointer resolves and the value satisfies the expression.
    // spec §10.14: rows where the pointer does not resolve are dropped, even for ne/not.
    pub fn matches(&self, row: &Value) -> bool {
        resolve(row, &self.pointer).is_some_and(|value| self.expr.eval(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Value {
        json!({
            "id": "5",
            "type": "sessions",
            "attributes": {
                "state": "Session started",
                "thread": 0,
                "idle": 1.5,
                "connections": [{"server": "server1"}, {"server": "server2"}],
                "0": "zero-key"
            },
            "relationships": {"services": {"data": [{"id": "RW-Split-Router"}]}}
        })
    }

    fn filter(option: &str) -> PointerFilter {
        PointerFilter::parse(option)
            .unwrap_or_else(|e| panic!("{option}: {e}"))
            .expect("has =")
    }

    #[test]
    fn resolves_pointer_forms() {
        let row = row();
        let state = Some(&row["attributes"]["state"]);
        assert_eq!(resolve(&row, "/attributes/state"), state);
        assert_eq!(resolve(&row, "attributes/state"), state);
        assert_eq!(resolve(&row, "//attributes//state/"), state);
        assert_eq!(resolve(&row, ""), Some(&row));
        assert_eq!(resolve(&row, "/"), Some(&row));
        assert_eq!(
            resolve(&row, "/attributes/connections/1/server"),
            Some(&json!("server2"))
        );
        assert_eq!(resolve(&row, "/attributes/0"), Some(&json!("zero-key")));
        assert_eq!(resolve(&row, "/attributes/connections/server"), None);
        assert_eq!(resolve(&row, "/attributes/connections/2"), None);
        assert_eq!(resolve(&row, "/attributes/connections/-1"), None);
        assert_eq!(resolve(&row, "/attributes/state/x"), None);
        assert_eq!(resolve(&row, "/attributes/nosuch"), None);
        assert_eq!(resolve(&row, "/Attributes/state"), None);
        assert_eq!(
            resolve(&row, "/attributes/connections/99999999999999999999999"),
            None
        );
    }

    #[test]
    fn parse_splits_at_first_equals() {
        assert_eq!(PointerFilter::parse("/attributes/state"), Ok(None));
        assert_eq!(PointerFilter::parse(""), Ok(None));
        assert_eq!(
            PointerFilter::parse(r#"="Session started"=x"#),
            Err("Unexpected trailing data: =x".to_string())
        );
        assert_eq!(
            PointerFilter::parse("/a="),
            Err("Empty filter expression".to_string())
        );
        assert_eq!(
            PointerFilter::parse("/id=bad"),
            Err("Not a valid filter expression: bad".to_string())
        );
        assert_eq!(
            PointerFilter::parse("/a=eq(\"x=y\")").map(|f| f.map(|f| f.expr)),
            Ok(Some(Expr::Eq(json!("x=y"))))
        );
    }

    #[test]
    fn matches_rows() {
        let row = row();
        assert!(filter(r#"/attributes/state="Session started""#).matches(&row));
        assert!(filter(r#"attributes/state=eq("Session started")"#).matches(&row));
        assert!(!filter(r#"/attributes/state="Session stopped""#).matches(&row));
        assert!(filter(r#"/id="5""#).matches(&row));
        assert!(!filter("/id=5").matches(&row));
        assert!(filter("/attributes/thread=0").matches(&row));
        assert!(!filter("/attributes/thread=0.0").matches(&row));
        assert!(!filter(r#"/attributes/thread="0""#).matches(&row));
        assert!(!filter("/attributes/idle=gt(1)").matches(&row));
        assert!(filter("/attributes/idle=gt(1.0)").matches(&row));
        assert!(filter(r#"/attributes/connections/0/server="server1""#).matches(&row));
        assert!(filter(r#"/relationships/services/data/0/id="RW-Split-Router""#).matches(&row));
        assert!(filter(r#"=ne("x")"#).matches(&row));
    }

    #[test]
    fn unresolved_pointer_never_matches() {
        let row = row();
        assert!(!filter("/attributes/nosuch=ne(0)").matches(&row));
        assert!(!filter("/attributes/nosuch=not(eq(0))").matches(&row));
        assert!(!filter("/attributes/connections/server=le(0)").matches(&row));
    }
}
