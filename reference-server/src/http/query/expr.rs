//! The 24.02 row-filter expression language (`eq("x")`, `and(gt(1),lt(5))`, bare JSON values).
//!
//! Grammar (spec §10.14):
//!
//! ```text
//! expr  := value                                   (means eq(value))
//!        | ("eq"|"ne"|"lt"|"le"|"gt"|"ge") "(" value ")"
//!        | ("and"|"or"|"not") "(" expr ("," expr)* ")"
//! value := one JSON value (leading JSON whitespace allowed, nothing after it is consumed)
//! ```
//!
//! No whitespace is allowed between tokens. Errors are MaxScale's own messages, returned as the
//! `detail` text of the 400 error document.

use serde_json::{Number, Value};

/// Deepest allowed nesting of `and`/`or`/`not`; deeper input is rejected instead of recursing.
const MAX_DEPTH: usize = 64;

/// A parsed filter expression; comparisons hold the right-hand JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `eq(J)`: the value equals J (type-sensitive JSON equality).
    Eq(Value),
    /// `ne(J)`: the value does not equal J.
    Ne(Value),
    /// `lt(J)`: the value is less than J (same orderable type only).
    Lt(Value),
    /// `le(J)`: `lt(J)` or not `gt(J)` (true whenever the types differ).
    Le(Value),
    /// `gt(J)`: the value is greater than J (same orderable type only).
    Gt(Value),
    /// `ge(J)`: `gt(J)` or not `lt(J)` (true whenever the types differ).
    Ge(Value),
    /// `and(E,…)`: every sub-expression matches.
    And(Vec<Expr>),
    /// `or(E,…)`: at least one sub-expression matches.
    Or(Vec<Expr>),
    /// `not(E,…)`: no sub-expression matches.
    Not(Vec<Expr>),
}

/// Parses a complete filter expression; the error is MaxScale's `detail` text.
pub fn parse(text: &str) -> Result<Expr, String> {
    let mut parser = Parser { rest: text };
    let expr = parser.expr(0)?;
    if parser.rest.is_empty() {
        Ok(expr)
    } else {
        Err(format!("Unexpected trailing data: {}", parser.rest))
    }
}

impl Expr {
    /// Whether the JSON value `v` satisfies this expression (spec §10.14 semantics).
    pub fn eval(&self, v: &Value) -> bool {
        // serde_json's equality is type-sensitive like Jansson's: integer 1, real 1.0 and "1"
        // all differ (Numbers compare by kind, then value).
        match self {
            Expr::Eq(j) => v == j,
            Expr::Ne(j) => v != j,
            Expr::Lt(j) => less(v, j),
            Expr::Le(j) => less(v, j) || !less(j, v),
            Expr::Gt(j) => less(j, v),
            Expr::Ge(j) => less(j, v) || !less(v, j),
            Expr::And(subs) => subs.iter().all(|e| e.eval(v)),
            Expr::Or(subs) => subs.iter().any(|e| e.eval(v)),
            Expr::Not(subs) => !subs.iter().any(|e| e.eval(v)),
        }
    }
}

/// Strict "less than": only strings (byte order), integers and reals of the same kind compare.
// spec §10.14: lt/gt are true only when both sides have the same type.
fn less(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.as_bytes() < y.as_bytes(),
        (Value::Number(x), Value::Number(y)) => number_less(x, y),
        _ => false,
    }
}

/// Compares two numbers of the same kind (integer or real); mixed kinds never compare.
fn number_less(x: &Number, y: &Number) -> bool {
    match (x.is_f64(), y.is_f64()) {
        (true, true) => x.as_f64() < y.as_f64(),
        (false, false) => integer(x) < integer(y),
        _ => false,
    }
}

/// The value of an integer `Number`, wide enough for both `i64` and `u64`.
fn integer(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// The `Not a valid filter expression: <rest>` error.
fn not_valid(rest: &str) -> String {
    format!("Not a valid filter expression: {rest}")
}

/// Builds a comparison from its operand.
type MakeComparison = fn(Value) -> Expr;

/// Builds a logical operator from its sub-expressions.
type MakeLogic = fn(Vec<Expr>) -> Expr;

/// Comparison keywords; MaxScale matches them as plain prefixes of the remaining text.
const COMPARISONS: [(&str, MakeComparison); 6] = [
    ("eq", Expr::Eq),
    ("ne", Expr::Ne),
    ("lt", Expr::Lt),
    ("gt", Expr::Gt),
    ("le", Expr::Le),
    ("ge", Expr::Ge),
];

/// Logical operator keywords.
const LOGIC: [(&str, MakeLogic); 3] = [("and", Expr::And), ("or", Expr::Or), ("not", Expr::Not)];

/// Recursive-descent parser over the unconsumed rest of the text.
struct Parser<'a> {
    rest: &'a str,
}

impl Parser<'_> {
    /// One expression at logical nesting `depth`.
    fn expr(&mut self, depth: usize) -> Result<Expr, String> {
        if self.rest.is_empty() {
            return Err("Empty filter expression".to_string());
        }
        if depth > MAX_DEPTH {
            return Err(not_valid(self.rest));
        }
        // spec §10.14 + doc-vs-code B21: a bare JSON value means eq; unlike 24.02, this includes
        // `true`, `false` and `null`. A failed bare value is not an error: keywords are tried next.
        if let Some((value, len)) = json_prefix(self.rest) {
            self.rest = &self.rest[len..];
            return Ok(Expr::Eq(value));
        }
        for (name, make) in COMPARISONS {
            if self.try_consume(name) {
                return self.comparison(make);
            }
        }
        for (name, make) in LOGIC {
            if self.try_consume(name) {
                return self.logic(make, depth);
            }
        }
        Err(not_valid(self.rest))
    }

    /// `( value )` after a comparison keyword.
    fn comparison(&mut self, make: MakeComparison) -> Result<Expr, String> {
        self.consume('(')?;
        let (value, len) =
            json_prefix(self.rest).ok_or_else(|| format!("Invalid JSON: {}", self.rest))?;
        self.rest = &self.rest[len..];
        self.consume(')')?;
        Ok(make(value))
    }

    /// `( expr , … )` after a logical keyword.
    fn logic(&mut self, make: MakeLogic, depth: usize) -> Result<Expr, String> {
        self.consume('(')?;
        let mut subs = vec![self.expr(depth + 1)?];
        while self.try_consume(",") {
            subs.push(self.expr(depth + 1)?);
        }
        self.consume(')')?;
        Ok(make(subs))
    }

    /// Consumes `prefix` if the rest starts with it.
    fn try_consume(&mut self, prefix: &str) -> bool {
        match self.rest.strip_prefix(prefix) {
            Some(after) => {
                self.rest = after;
                true
            }
            None => false,
        }
    }

    /// Consumes the character `expected` or fails with `Expected 'x', got 'y'`.
    fn consume(&mut self, expected: char) -> Result<(), String> {
        let mut chars = self.rest.chars();
        match chars.next() {
            Some(c) if c == expected => {
                self.rest = chars.as_str();
                Ok(())
            }
            got => Err(format!(
                "Expected '{expected}', got '{}'",
                got.map(String::from).unwrap_or_default()
            )),
        }
    }
}

/// The JSON value at the start of `text` and the bytes it spans (leading whitespace included).
///
/// Like Jansson's `json_loadb(…, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK)`: the value ends where
/// its own syntax ends, whatever follows. Integers outside `i64` are rejected as Jansson does.
fn json_prefix(text: &str) -> Option<(Value, usize)> {
    let bytes = text.as_bytes();
    let start = skip_whitespace(bytes, 0);
    let end = value_end(bytes, start)?;
    let token = &text[start..end];
    let value: Value = serde_json::from_str(token).ok()?;
    if is_integer_token(token) && value.as_i64().is_none() {
        return None;
    }
    Some((value, end))
}

/// Index of the first non-whitespace byte at or after `i` (JSON whitespace only).
fn skip_whitespace(bytes: &[u8], i: usize) -> usize {
    i + bytes[i..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .count()
}

/// Whether a number token has neither fraction nor exponent.
fn is_integer_token(token: &str) -> bool {
    token.starts_with(|c: char| c == '-' || c.is_ascii_digit()) && !token.contains(['.', 'e', 'E'])
}

/// Where the JSON value starting at `i` ends lexically (validation is left to serde_json).
fn value_end(bytes: &[u8], i: usize) -> Option<usize> {
    match bytes.get(i)? {
        b'"' => string_end(bytes, i),
        b'[' | b'{' => container_end(bytes, i),
        b'-' | b'0'..=b'9' => number_end(bytes, i),
        b if b.is_ascii_alphabetic() => literal_end(bytes, i),
        _ => None,
    }
}

/// End of the string starting with the quote at `i` (just past the closing quote).
fn string_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match bytes.get(j)? {
            b'"' => return Some(j + 1),
            b'\\' => j += 2,
            _ => j += 1,
        }
    }
}

/// End of the array or object opening at `i`, found by bracket counting outside strings.
fn container_end(bytes: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    loop {
        match bytes.get(j)? {
            b'"' => {
                j = string_end(bytes, j)?;
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
}

/// End of the number starting at `i`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_end(bytes: &[u8], i: usize) -> Option<usize> {
    let digits = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut j = i + usize::from(bytes[i] == b'-');
    let int_len = digits(j);
    // A leading zero followed by more digits is invalid, as in Jansson.
    if int_len == 0 || (int_len > 1 && bytes[j] == b'0') {
        return None;
    }
    j += int_len;
    if bytes.get(j) == Some(&b'.') {
        let frac_len = digits(j + 1);
        if frac_len == 0 {
            return None;
        }
        j += 1 + frac_len;
    }
    if matches!(bytes.get(j), Some(b'e' | b'E')) {
        j += 1;
        j += usize::from(matches!(bytes.get(j), Some(b'+' | b'-')));
        let exp_len = digits(j);
        if exp_len == 0 {
            return None;
        }
        j += exp_len;
    }
    Some(j)
}

/// End of `true`, `false` or `null` at `i`; the whole run of letters must be the literal.
fn literal_end(bytes: &[u8], i: usize) -> Option<usize> {
    let len = bytes[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    matches!(&bytes[i..i + len], b"true" | b"false" | b"null").then_some(i + len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(text: &str) -> String {
        parse(text).expect_err(text)
    }

    fn ok(text: &str) -> Expr {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn error_messages_of_spec_examples() {
        // spec §10.14, P-filter list.
        let cases = [
            (
                r#"and(eq("x"), eq("y"))"#,
                r#"Not a valid filter expression:  eq("y"))"#,
            ),
            (r#" eq("x")"#, r#"Not a valid filter expression:  eq("x")"#),
            (r#"eq ("x")"#, "Expected '(', got ' '"),
            ("eq", "Expected '(', got ''"),
            ("eq(1", "Expected ')', got ''"),
            ("eq(1,2)", "Expected ')', got ','"),
            (r#"eq("x") "#, "Unexpected trailing data:  "),
            (r#""Session started"=x"#, "Unexpected trailing data: =x"),
            ("", "Empty filter expression"),
            ("eq(", "Invalid JSON: "),
            ("and()", "Not a valid filter expression: )"),
            (r#""a"#, r#"Not a valid filter expression: "a"#),
            ("foo(1)", "Not a valid filter expression: foo(1)"),
            ("maxuser", "Not a valid filter expression: maxuser"),
        ];
        for (text, expected) in cases {
            assert_eq!(err(text), expected, "input {text:?}");
        }
    }

    #[test]
    fn more_error_messages() {
        assert_eq!(err("eq(x)"), "Invalid JSON: x)");
        assert_eq!(err("eq(truex)"), "Invalid JSON: truex)");
        assert_eq!(err("eq(01)"), "Invalid JSON: 01)");
        assert_eq!(err("eq(1.)"), "Invalid JSON: 1.)");
        assert_eq!(err("eq(1e)"), "Invalid JSON: 1e)");
        assert_eq!(
            err("eq(99999999999999999999)"),
            "Invalid JSON: 99999999999999999999)"
        );
        assert_eq!(err("eq(1 )"), "Expected ')', got ' '");
        assert_eq!(err("equal(1)"), "Expected '(', got 'u'");
        assert_eq!(err("and(eq(1),"), "Empty filter expression");
        assert_eq!(err("and(eq(1),)"), "Not a valid filter expression: )");
        assert_eq!(err("and(eq(1)"), "Expected ')', got ''");
        assert_eq!(err("not(1))"), "Unexpected trailing data: )");
        assert_eq!(err("trueish"), "Not a valid filter expression: trueish");
        assert_eq!(err("null)"), "Unexpected trailing data: )");
        assert_eq!(err("[1}"), "Not a valid filter expression: [1}");
        assert_eq!(err("1-2"), "Unexpected trailing data: -2");
    }

    #[test]
    fn parses_comparisons_and_logic() {
        assert_eq!(ok(r#"eq("x")"#), Expr::Eq(json!("x")));
        assert_eq!(ok("ne(null)"), Expr::Ne(Value::Null));
        assert_eq!(ok("lt(1.5)"), Expr::Lt(json!(1.5)));
        assert_eq!(ok("le(-1)"), Expr::Le(json!(-1)));
        assert_eq!(ok("gt([1,2])"), Expr::Gt(json!([1, 2])));
        assert_eq!(ok(r#"ge({"a":"(,)"})"#), Expr::Ge(json!({"a": "(,)"})));
        assert_eq!(ok("eq( 1)"), Expr::Eq(json!(1)));
        assert_eq!(
            ok(r#"and(ge(50),le(100),or(eq("1"),not(eq("5"))))"#),
            Expr::And(vec![
                Expr::Ge(json!(50)),
                Expr::Le(json!(100)),
                Expr::Or(vec![
                    Expr::Eq(json!("1")),
                    Expr::Not(vec![Expr::Eq(json!("5"))]),
                ]),
            ])
        );
    }

    #[test]
    fn bare_values_mean_eq() {
        assert_eq!(
            ok(r#""Session started""#),
            Expr::Eq(json!("Session started"))
        );
        assert_eq!(ok("5"), Expr::Eq(json!(5)));
        assert_eq!(ok("-1"), Expr::Eq(json!(-1)));
        assert_eq!(ok("[1]"), Expr::Eq(json!([1])));
        assert_eq!(ok("{}"), Expr::Eq(json!({})));
        assert_eq!(ok(" 5"), Expr::Eq(json!(5)));
        assert_eq!(
            ok(r#"and("a",2)"#),
            Expr::And(vec![Expr::Eq(json!("a")), Expr::Eq(json!(2))])
        );
        // doc-vs-code B21: bare literals are accepted (24.02 rejects them).
        assert_eq!(ok("true"), Expr::Eq(json!(true)));
        assert_eq!(ok("false"), Expr::Eq(json!(false)));
        assert_eq!(ok("null"), Expr::Eq(Value::Null));
    }

    #[test]
    fn equality_is_type_sensitive() {
        let e = ok("eq(1)");
        assert!(e.eval(&json!(1)));
        assert!(!e.eval(&json!(1.0)));
        assert!(!e.eval(&json!("1")));
        assert!(ok("eq(1.0)").eval(&json!(1.0)));
        assert!(!ok("eq(1.0)").eval(&json!(1)));
        assert!(ok(r#"eq("1")"#).eval(&json!("1")));
        assert!(ok(r#"eq({"a":[1,null]})"#).eval(&json!({"a": [1, null]})));
        assert!(ok("ne(1)").eval(&json!(1.0)));
        assert!(!ok("ne(1)").eval(&json!(1)));
        assert!(ok("eq(null)").eval(&Value::Null));
    }

    #[test]
    fn ordering_needs_same_type() {
        // spec §10.14: id strings vs numbers; idle reals vs integers.
        assert!(ok(r#"gt("31")"#).eval(&json!("4")));
        assert!(ok(r#"ge("32")"#).eval(&json!("32")));
        assert!(!ok(r#"lt("32")"#).eval(&json!("32")));
        assert!(ok("and(ge(50),le(100))").eval(&json!("7")));
        assert!(!ok("or(eq(1),eq(5))").eval(&json!("5")));
        assert!(!ok("gt(1)").eval(&json!(2.5)));
        assert!(ok("gt(1.0)").eval(&json!(2.5)));
        assert!(!ok("lt(100)").eval(&json!(2.5)));
        assert!(ok("le(100)").eval(&json!(2.5)));
        assert!(ok("lt(3)").eval(&json!(2)));
        assert!(!ok("lt(3)").eval(&json!(3)));
        assert!(ok("le(3)").eval(&json!(3)));
        assert!(!ok("le(3)").eval(&json!(4)));
        assert!(ok("ge(3)").eval(&json!(4)));
        assert!(!ok("ge(3)").eval(&json!(2)));
        assert!(ok("lt(-1)").eval(&json!(-5)));
        assert!(ok("gt(1)").eval(&json!(u64::MAX)));
        assert!(!ok("lt(true)").eval(&json!(false)));
        assert!(ok("le(true)").eval(&json!(false)));
    }

    #[test]
    fn logic_semantics() {
        let row = json!("b");
        assert!(ok(r#"and("b",ne("a"))"#).eval(&row));
        assert!(!ok(r#"and("b","a")"#).eval(&row));
        assert!(ok(r#"or("a","b")"#).eval(&row));
        assert!(!ok(r#"or("a","c")"#).eval(&row));
        assert!(ok(r#"not("a","c")"#).eval(&row));
        assert!(!ok(r#"not("a","b")"#).eval(&row));
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        let deep = format!("{}eq(1){}", "and(".repeat(65), ")".repeat(65));
        assert!(err(&deep).starts_with("Not a valid filter expression: eq(1))"));
        let fine = format!("{}eq(1){}", "and(".repeat(64), ")".repeat(64));
        assert!(ok(&fine).eval(&json!(1)));
        let brackets = "[".repeat(100_000);
        assert_eq!(
            err(&brackets),
            format!("Not a valid filter expression: {brackets}")
        );
        assert!(err(&format!("eq({})", "[".repeat(1000))).starts_with("Invalid JSON: [[["));
        let deep_json = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(err(&format!("eq({deep_json})")).starts_with("Invalid JSON: [[["));
        assert!(err(&deep_json).starts_with("Not a valid filter expression: [[["));
        let deep_not = format!("{}1{}", "not(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(
            err(&deep_not),
            format!("Not a valid filter expression: {}", &deep_not[65 * 4..])
        );
        assert_eq!(err("eq(\"é)"), "Invalid JSON: \"é)");
        assert_eq!(err("eqé"), "Expected '(', got 'é'");
        assert_eq!(err("é"), "Not a valid filter expression: é");
        assert_eq!(err("\"\\"), "Not a valid filter expression: \"\\");
        assert_eq!(err("-"), "Not a valid filter expression: -");
        assert_eq!(ok("\"é\""), Expr::Eq(json!("é")));
        for text in [
            "(",
            ")",
            ",",
            "and(",
            "not(((",
            "{\"a\":",
            "\u{0}",
            "eq(\u{0})",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
    }
}
