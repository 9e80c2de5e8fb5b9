//! The JSONPath subset scenarios use: `$`, `.key`, `['key']`, `[n]`, `[*]` and `.*`. Enough to
//! reach every member of a session list (`$.data[*].attributes.state`) without a filter language.

use serde_json::Value;

/// A parsed path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath(Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    /// Every element of an array or member of an object.
    Wildcard,
}

impl JsonPath {
    /// Parses a path; the error says what was expected where.
    pub fn parse(text: &str) -> Result<JsonPath, String> {
        let mut rest = text
            .strip_prefix('$')
            .ok_or_else(|| format!("JSONPath '{text}' must start with '$'"))?;
        let mut segments = Vec::new();
        let fail = |at: &str, what: &str| {
            let offset = text.len() - at.len();
            format!("JSONPath '{text}': expected {what} at offset {offset}")
        };
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix(".*") {
                segments.push(Segment::Wildcard);
                rest = after;
            } else if let Some(after) = rest.strip_prefix('.') {
                let end = after.find(['.', '[']).unwrap_or(after.len());
                if end == 0 {
                    return Err(fail(after, "a member name"));
                }
                segments.push(Segment::Key(after[..end].to_string()));
                rest = &after[end..];
            } else if let Some(after) = rest.strip_prefix("[*]") {
                segments.push(Segment::Wildcard);
                rest = after;
            } else if let Some(after) = rest.strip_prefix('[') {
                let (segment, after) =
                    bracket(after).ok_or_else(|| fail(rest, "['name'], [\"name\"], [n] or [*]"))?;
                segments.push(segment);
                rest = after;
            } else {
                return Err(fail(rest, "'.' or '['"));
            }
        }
        Ok(JsonPath(segments))
    }

    /// The nodes the path selects, in document order.
    pub fn select<'v>(&self, root: &'v Value) -> Vec<&'v Value> {
        let mut nodes = vec![root];
        for segment in &self.0 {
            nodes = nodes
                .into_iter()
                .flat_map(|node| children(node, segment))
                .collect();
        }
        nodes
    }
}

/// The inside of `[…]` up to and including `]`: a quoted name or an index.
fn bracket(text: &str) -> Option<(Segment, &str)> {
    for quote in ['\'', '"'] {
        if let Some(quoted) = text.strip_prefix(quote) {
            let end = quoted.find(quote)?;
            let after = quoted[end + 1..].strip_prefix(']')?;
            return Some((Segment::Key(quoted[..end].to_string()), after));
        }
    }
    let end = text.find(']')?;
    let index = text[..end].parse().ok()?;
    Some((Segment::Index(index), &text[end + 1..]))
}

fn children<'v>(node: &'v Value, segment: &Segment) -> Vec<&'v Value> {
    match (segment, node) {
        (Segment::Key(key), Value::Object(members)) => members.get(key).into_iter().collect(),
        (Segment::Index(index), Value::Array(items)) => items.get(*index).into_iter().collect(),
        (Segment::Wildcard, Value::Array(items)) => items.iter().collect(),
        (Segment::Wildcard, Value::Object(members)) => members.values().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn select(path: &str, doc: &Value) -> Vec<Value> {
        JsonPath::parse(path)
            .unwrap()
            .select(doc)
            .into_iter()
            .cloned()
            .collect()
    }

    #[test]
    fn selects_members_indexes_and_wildcards() {
        let doc = json!({"data": [
            {"id": "1", "attributes": {"state": "Session started", "user.name": "a"}},
            {"id": "2", "attributes": {"state": "Session created"}}
        ]});
        assert_eq!(select("$", &doc), vec![doc.clone()]);
        assert_eq!(select("$.data[*].id", &doc), vec![json!("1"), json!("2")]);
        assert_eq!(select("$.data[1].id", &doc), vec![json!("2")]);
        assert_eq!(
            select("$.data[0].attributes['user.name']", &doc),
            vec![json!("a")]
        );
        assert_eq!(select("$.data[0].attributes.*", &doc).len(), 2);
        assert_eq!(select("$.data[5].id", &doc), Vec::<Value>::new());
        assert_eq!(select("$[\"data\"][*]", &doc).len(), 2);
    }

    #[test]
    fn rejects_what_it_does_not_understand() {
        for bad in ["data", "$..id", "$[?(@.id)]", "$.data[", "$['x", "$x"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
    }
}
