//! MaxScale's JSON text: the bytes jansson's `json_dumps` produces for the REST API (spec §10.10).
//!
//! MaxScale serialises every document with jansson, either indented by four spaces
//! (`JSON_INDENT(4)`) or compactly (`JSON_COMPACT`), with keys sorted at every level. A
//! `serde_json::Value` already keeps its keys sorted (its map is a `BTreeMap`), and serde_json's
//! pretty and compact layouts match jansson's, so this module only replaces what differs:
//!
//! - reals: jansson prints them with C `%.17g`, then appends `.0` when the text has neither a `.`
//!   nor an exponent, and strips the `+` and the leading zeros of the exponent (`jsonp_dtostr`);
//! - control characters without a short escape: jansson writes `\u001F`, with upper-case hex.

use std::fmt::{self, Write as _};
use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter, PrettyFormatter, Serializer};
use serde_json::Value;

/// Renders `v` pretty (`true`) or compact (`false`), as selected by the `pretty` option (spec §10.10).
pub fn render(v: &Value, pretty: bool) -> String {
    render_into(Vec::with_capacity(capacity_hint(v, pretty)), v, pretty)
}

/// Renders any serialisable document the same way; its keys must already come in sorted order
/// (structs declare their fields so), as a `Value`'s do.
pub fn render_serialize<T: Serialize + ?Sized>(v: &T, pretty: bool) -> String {
    render_into(Vec::new(), v, pretty)
}

fn render_into<T: Serialize + ?Sized>(mut out: Vec<u8>, v: &T, pretty: bool) -> String {
    let written = if pretty {
        write_value(&mut out, v, PrettyFormatter::with_indent(b"    "))
    } else {
        write_value(&mut out, v, CompactFormatter)
    };
    // Writing into a Vec cannot fail, and the documents hold no map keys that are not strings
    // and no non-finite numbers, so serialisation has no error to report.
    written.expect("serialising a document into memory cannot fail");
    String::from_utf8(out).expect("serde_json and real formatting emit UTF-8 only")
}

/// Serialises `v` into `out` with `layout` deciding whitespace and jansson deciding numbers.
fn write_value<T: Serialize + ?Sized, F: Formatter>(
    out: &mut Vec<u8>,
    v: &T,
    layout: F,
) -> serde_json::Result<()> {
    let mut serializer = Serializer::with_formatter(out, Jansson { layout });
    v.serialize(&mut serializer)
}

/// Upper bound for the initial buffer, so one misleading array element cannot reserve gigabytes.
const MAX_CAPACITY_HINT: usize = 1 << 28;

/// Estimates the rendered length of `v` so the output buffer is allocated once (growing a 25 MB
/// document by doubling would copy it repeatedly and briefly hold it one and a half times).
///
/// Objects are measured member by member; arrays are assumed to hold elements like their first one
/// (a collection of 10,000 sessions is measured through one session).
fn capacity_hint(v: &Value, pretty: bool) -> usize {
    estimate(v, 1, pretty).min(MAX_CAPACITY_HINT)
}

/// Estimated length of `v` rendered at nesting `depth` (1 = members of the top-level container).
fn estimate(v: &Value, depth: usize, pretty: bool) -> usize {
    // A member costs its separator (`,`), and in pretty output a newline, indentation and `": "`.
    let overhead = if pretty { 4 * depth + 4 } else { 2 };
    match v {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 20,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.first().map_or(2, |first| {
            let element = overhead + estimate(first, depth + 1, pretty);
            element.saturating_mul(items.len()).saturating_add(2)
        }),
        Value::Object(members) => members.iter().fold(2, |total: usize, (key, member)| {
            let size = overhead + key.len() + 2 + estimate(member, depth + 1, pretty);
            total.saturating_add(size)
        }),
    }
}

/// A serde_json formatter that writes reals and escapes like jansson and leaves layout to `F`.
struct Jansson<F> {
    layout: F,
}

impl<F: Formatter> Formatter for Jansson<F> {
    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        // C promotes a float argument of printf to double.
        self.write_f64(writer, f64::from(value))
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(real_text(value).as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        match char_escape {
            // jansson formats these with "\\u%04X".
            CharEscape::AsciiControl(byte) => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                let escape = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ];
                writer.write_all(&escape)
            }
            other => CompactFormatter.write_char_escape(writer, other),
        }
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.layout.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.layout.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.layout.end_object_value(writer)
    }
}

/// Significant digits of C `%.17g`.
const PRECISION: usize = 17;

/// Room for the longest text: `-1.2345678901234567e-308` or `-0.00012345678901234567`.
const REAL_CAPACITY: usize = 32;

/// A short ASCII text on the stack, so formatting a real does not allocate.
struct StackText {
    bytes: [u8; REAL_CAPACITY],
    len: usize,
}

impl StackText {
    /// An empty text.
    fn new() -> Self {
        StackText {
            bytes: [0; REAL_CAPACITY],
            len: 0,
        }
    }

    /// The text written so far.
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    /// Appends `bytes`, truncating at the capacity (never reached: see `REAL_CAPACITY`).
    fn push(&mut self, bytes: &[u8]) {
        let end = (self.len + bytes.len()).min(REAL_CAPACITY);
        let fitting = end - self.len;
        self.bytes[self.len..end].copy_from_slice(&bytes[..fitting]);
        self.len = end;
    }
}

impl fmt::Write for StackText {
    /// Appends `s`; never fails, since every text written here fits (see `REAL_CAPACITY`).
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// Formats `value` like jansson's `jsonp_dtostr`: `%.17g`, `.0` appended to integral fixed-point
/// text, exponent without `+` and without leading zeros (`1e20`, `1.0000000000000001e-5`).
fn real_text(value: f64) -> StackText {
    // `{:.16e}` gives the 17 correctly rounded significant digits (ties to even, like glibc).
    let mut scientific = StackText::new();
    // Writing into a StackText never fails.
    let _ = write!(scientific, "{value:.16e}");
    let (negative, digits, exponent) = split_scientific(scientific.as_bytes());

    let mut text = StackText::new();
    if negative {
        text.push(b"-");
    }
    // `%g` keeps fixed-point notation for exponents from -4 up to the precision.
    if (-4..PRECISION as i32).contains(&exponent) {
        push_fixed(&mut text, digits, exponent);
    } else {
        push_exponential(&mut text, digits, exponent);
    }
    text
}

/// Splits `-d.ddddde-x` into the sign, the significant digits without trailing zeros, and the
/// decimal exponent.
fn split_scientific(text: &[u8]) -> (bool, SignificantDigits, i32) {
    let (negative, unsigned) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let e = unsigned
        .iter()
        .position(|&b| b == b'e')
        .unwrap_or(unsigned.len());
    let (mantissa, exponent_text) = unsigned.split_at(e);
    let mut digits = SignificantDigits::default();
    for &b in mantissa.iter().filter(|b| b.is_ascii_digit()) {
        digits.push(b);
    }
    digits.trim_trailing_zeros();
    let exponent = exponent_text
        .get(1..)
        .and_then(|t| std::str::from_utf8(t).ok())
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    (negative, digits, exponent)
}

/// Up to 17 significant decimal digits (ASCII), at least one.
#[derive(Default)]
struct SignificantDigits {
    bytes: [u8; PRECISION],
    len: usize,
}

impl SignificantDigits {
    /// Appends one digit, ignoring any beyond the precision.
    fn push(&mut self, digit: u8) {
        if self.len < PRECISION {
            self.bytes[self.len] = digit;
            self.len += 1;
        }
    }

    /// Drops trailing zeros as `%g` does, keeping at least one digit.
    fn trim_trailing_zeros(&mut self) {
        while self.len > 1 && self.bytes[self.len - 1] == b'0' {
            self.len -= 1;
        }
        if self.len == 0 {
            self.push(b'0');
        }
    }

    /// The digits as ASCII.
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Writes `0.000ddd` or `ddd.ddd`, with `.0` appended when there is no fraction (jansson).
fn push_fixed(text: &mut StackText, digits: SignificantDigits, exponent: i32) {
    let digits = digits.as_bytes();
    if exponent < 0 {
        text.push(b"0.");
        for _ in 0..(-exponent - 1) {
            text.push(b"0");
        }
        text.push(digits);
        return;
    }
    let integer_len = exponent as usize + 1;
    if digits.len() > integer_len {
        let (integer, fraction) = digits.split_at(integer_len);
        text.push(integer);
        text.push(b".");
        text.push(fraction);
    } else {
        text.push(digits);
        for _ in digits.len()..integer_len {
            text.push(b"0");
        }
        text.push(b".0");
    }
}

/// Writes `d.ddde-x` / `d.dddex`: the exponent without `+` and without leading zeros (jansson).
fn push_exponential(text: &mut StackText, digits: SignificantDigits, exponent: i32) {
    let digits = digits.as_bytes();
    let (first, rest) = digits.split_at(1);
    text.push(first);
    if !rest.is_empty() {
        text.push(b".");
        text.push(rest);
    }
    text.push(b"e");
    // Writing into a StackText never fails.
    let _ = write!(text, "{exponent}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn real(value: f64) -> String {
        String::from_utf8(real_text(value).as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn reals_match_jansson_17g() {
        // Expected texts: Python's "%.17g" (same algorithm as glibc), then jansson's clean-up.
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.3, "1.3"),
            (5.0, "5.0"),
            (0.001675667, "0.001675667"),
            (4.8, "4.7999999999999998"),
            (1.208424246, "1.2084242460000001"),
            (5.2, "5.2000000000000002"),
            (1.1, "1.1000000000000001"),
            (4.6, "4.5999999999999996"),
            (5.209291554, "5.209291554"),
            (0.1, "0.10000000000000001"),
            (-2.5, "-2.5"),
            (100.0, "100.0"),
            (123456.789, "123456.789"),
            (1e16, "10000000000000000.0"),
            (12345678901234567.0, "12345678901234568.0"),
            (1e17, "1e17"),
            (1e20, "1e20"),
            (-1.5e300, "-1.5000000000000001e300"),
            (0.0001, "0.0001"),
            (0.00012345, "0.00012344999999999999"),
            (1e-5, "1.0000000000000001e-5"),
            (2.5e-10, "2.5000000000000002e-10"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::MAX, "1.7976931348623157e308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            // 2^50 + 0.25 and 2^50 + 0.75 need 18 digits: ties round to even, as in glibc.
            (2f64.powi(50) + 0.25, "1125899906842624.2"),
            (2f64.powi(50) + 0.75, "1125899906842624.8"),
        ];
        for &(value, expected) in cases {
            assert_eq!(real(value), expected, "value {value:e}");
        }
    }

    #[test]
    fn integers_have_no_decimal_point() {
        let v = json!({"a": 0, "b": -17, "c": u64::MAX, "d": i64::MIN});
        assert_eq!(
            render(&v, false),
            r#"{"a":0,"b":-17,"c":18446744073709551615,"d":-9223372036854775808}"#
        );
    }

    #[test]
    fn compact_has_no_whitespace_and_sorted_keys() {
        let v = json!({"z": [1, 2.0, null], "a": {"y": true, "b": "x"}, "m": [], "n": {}});
        assert_eq!(
            render(&v, false),
            r#"{"a":{"b":"x","y":true},"m":[],"n":{},"z":[1,2.0,null]}"#
        );
    }

    #[test]
    fn pretty_indents_by_four_and_keeps_empty_containers_inline() {
        let v = json!({"data": {}, "list": [[], {"k": 0.5}], "log": []});
        let expected = "{\n    \"data\": {},\n    \"list\": [\n        [],\n        {\n            \"k\": 0.5\n        }\n    ],\n    \"log\": []\n}";
        assert_eq!(render(&v, true), expected);
    }

    #[test]
    fn scalars_render_alone() {
        assert_eq!(render(&json!(null), true), "null");
        assert_eq!(render(&json!(4.8), true), "4.7999999999999998");
        assert_eq!(render(&json!("a"), false), r#""a""#);
        assert_eq!(render(&json!([]), true), "[]");
    }

    #[test]
    fn strings_escape_like_jansson() {
        let v = json!("q\" b\\ n\n t\t \u{1} \u{1f} \u{7f} / é");
        assert_eq!(
            render(&v, false),
            "\"q\\\" b\\\\ n\\n t\\t \\u0001 \\u001F \u{7f} / é\""
        );
    }

    /// Body of cap 3 (`003_get_one_session.http`), byte for byte as MaxScale 24.02.4 sent it.
    const CAPTURE_3_BODY: &str = r#"{
    "data": {
        "attributes": {
            "client": {
                "cipher": "",
                "connection_attributes": {
                    "_client_name": "pymysql",
                    "_client_version": "1.0.2",
                    "_pid": "21232"
                },
                "sescmd_history_len": 0,
                "sescmd_history_stored_metadata": 0,
                "sescmd_history_stored_responses": 0
            },
            "connected": "Fri, 27 Nov 2026 23:28:19 GMT",
            "connections": [
                {
                    "cipher": "",
                    "connection_id": 15,
                    "server": "server1"
                }
            ],
            "idle": 1.3,
            "io_activity": 6,
            "log": [],
            "memory": {
                "connection_buffers": {
                    "backends": {
                        "server1": {
                            "misc": 662,
                            "readq": 0,
                            "total": 662,
                            "writeq": 0
                        }
                    },
                    "client": {
                        "misc": 654,
                        "readq": 65536,
                        "total": 66190,
                        "writeq": 0
                    },
                    "total": 66852
                },
                "exec_metadata": 0,
                "last_queries": 0,
                "sescmd_history": 16,
                "total": 66868,
                "variables": 0
            },
            "parameters": {
                "log_error": false,
                "log_info": false,
                "log_notice": false,
                "log_warning": false
            },
            "port": 37652,
            "queries": [],
            "remote": "127.0.0.1",
            "seconds_alive": 1.2084242460000001,
            "state": "Session started",
            "thread": 1,
            "user": "maxuser"
        },
        "id": "2",
        "links": {
            "self": "http://127.0.0.1:8989/v1/sessions/2/"
        },
        "relationships": {
            "services": {
                "data": [
                    {
                        "id": "RW-Split-Router",
                        "type": "services"
                    }
                ],
                "links": {
                    "related": "http://127.0.0.1:8989/v1/services/",
                    "self": "http://127.0.0.1:8989/v1/sessions/2/relationships/services/"
                }
            }
        },
        "type": "sessions"
    },
    "links": {
        "self": "http://127.0.0.1:8989/v1/sessions/2/"
    }
}"#;

    #[test]
    fn capture_3_body_re_renders_byte_for_byte() {
        assert_eq!(CAPTURE_3_BODY.len(), 2690, "Content-Length of cap 3");
        let parsed: Value = serde_json::from_str(CAPTURE_3_BODY).unwrap();
        assert_eq!(render(&parsed, true), CAPTURE_3_BODY);
    }

    #[test]
    fn capture_3_body_compact_is_the_pretty_text_without_layout() {
        let parsed: Value = serde_json::from_str(CAPTURE_3_BODY).unwrap();
        let compact = render(&parsed, false);
        assert!(compact.starts_with(r#"{"data":{"attributes":{"client":{"cipher":"","#));
        assert!(compact.contains(r#""idle":1.3,"io_activity":6,"log":[],"#));
        assert!(compact.contains(r#""seconds_alive":1.2084242460000001,"#));
        assert!(!compact.contains('\n'));
        let reparsed: Value = serde_json::from_str(&compact).unwrap();
        assert_eq!(reparsed, parsed);
    }

    #[test]
    fn capacity_hint_covers_a_collection() {
        let session: Value = serde_json::from_str(CAPTURE_3_BODY).unwrap();
        let collection = json!({ "data": vec![session["data"].clone(); 100] });
        for pretty in [true, false] {
            let hint = capacity_hint(&collection, pretty);
            let actual = render(&collection, pretty).len();
            assert!(hint >= actual, "pretty={pretty}: hint {hint} < {actual}");
            assert!(
                hint <= actual * 2,
                "pretty={pretty}: hint {hint} ≫ {actual}"
            );
        }
    }
}
