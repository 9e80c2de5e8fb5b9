//! Line diffs of pretty-printed JSON: the differing region with a few lines of context, so a
//! finding about a 200-line session document stays readable.

use serde_json::Value;
use similar::TextDiff;

/// Lines of context around each change.
const CONTEXT: usize = 3;
/// Most diff lines shown; the rest is counted.
const MAX_LINES: usize = 40;

/// A unified diff from `expected` to `actual` (`-` expected, `+` actual).
pub fn json_diff(expected: &Value, actual: &Value) -> String {
    text_diff(&pretty(expected), &pretty(actual))
}

/// A unified diff of two texts, cut to [`MAX_LINES`].
pub fn text_diff(expected: &str, actual: &str) -> String {
    let diff = TextDiff::from_lines(expected, actual);
    let full = diff
        .unified_diff()
        .context_radius(CONTEXT)
        .header("expected", "actual")
        .to_string();
    let lines: Vec<&str> = full.lines().collect();
    if lines.len() <= MAX_LINES {
        return lines.join("\n");
    }
    let mut shown = lines[..MAX_LINES].join("\n");
    shown.push_str(&format!("\n… {} more diff lines", lines.len() - MAX_LINES));
    shown
}

/// JSON as the diff shows it: indented, one member per line, with a final newline.
pub fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a Value always serialises");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shows_the_differing_region_with_context() {
        let mut expected = serde_json::Map::new();
        for i in 0..30 {
            expected.insert(format!("k{i:02}"), json!(i));
        }
        let mut actual = expected.clone();
        actual.insert("k15".into(), json!("changed"));
        let diff = json_diff(&Value::Object(expected), &Value::Object(actual));
        assert_eq!(
            diff,
            "--- expected\n+++ actual\n@@ -14,7 +14,7 @@\n   \"k12\": 12,\n   \"k13\": 13,\n   \"k14\": 14,\n-  \"k15\": 15,\n+  \"k15\": \"changed\",\n   \"k16\": 16,\n   \"k17\": 17,\n   \"k18\": 18,"
        );
    }
}
