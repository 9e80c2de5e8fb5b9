//! Pagination with `page[size]` and `page[number]` on collections.

use std::ops::Range;

use serde_json::{Map, Value};

/// Parses a number like C `strtol(text, NULL, 10)`; `None` when there are no digits at all.
///
/// Leading C white space and one sign are accepted, parsing stops at the first non-digit
/// (`2abc` is 2), and out-of-range values saturate at `i64::MIN`/`i64::MAX`.
// spec §10.7: page[size]/page[number] use strtol (doc-vs-code B23)
pub fn parse_number(text: &str) -> Option<i64> {
    let text = text.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let sign_len = usize::from(text.starts_with(['+', '-']));
    let digit_len = text[sign_len..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    if digit_len == 0 {
        return None;
    }
    let number = &text[..sign_len + digit_len];
    // A sign followed by digits only fails to parse when out of range: saturate like strtol.
    let saturated = if number.starts_with('-') {
        i64::MIN
    } else {
        i64::MAX
    };
    Some(number.parse().unwrap_or(saturated))
}

/// A requested page: `size` rows per page (always > 0), page `number` counted from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Rows per page (L), at least 1.
    pub size: u64,
    /// Zero-based page number (P).
    pub number: u64,
}

/// The page requested by the `page[size]` and `page[number]` option values, if pagination applies.
// spec §10.7: only when size parses to > 0 and number (default 0, junk 0) is >= 0.
pub fn page(size_opt: Option<&str>, number_opt: Option<&str>) -> Option<Page> {
    let size = size_opt.and_then(parse_number).filter(|&size| size > 0)?;
    let number = number_opt.and_then(parse_number).unwrap_or(0);
    // A negative page number does not convert and switches pagination off.
    Some(Page {
        size: u64::try_from(size).ok()?,
        number: u64::try_from(number).ok()?,
    })
}

impl Page {
    /// The rows of this page among `total` rows: `[P·L, (P+1)·L)` clamped to `total`.
    // doc-vs-code B25 (doc-normative): always sliced, so a page past the end is empty even when
    // total <= size (24.02 returns every row then).
    pub fn slice(&self, total: usize) -> Range<usize> {
        let start = self.first_row().min(total as u128);
        let end = (self.first_row() + u128::from(self.size)).min(total as u128);
        // Both bounds are clamped to `total`, so they fit in usize.
        start as usize..end as usize
    }

    /// The pagination links `self`, `first`, `last` and, when they exist, `next` and `prev`.
    ///
    /// `collection_self` is the collection's own `links.self`; other query options are not kept.
    // spec §10.7; doc-vs-code B26 (doc-normative): `last` is 0, not -1, for an empty collection.
    pub fn links(&self, total: usize, collection_self: &str) -> Map<String, Value> {
        let total = total as u128;
        let size = u128::from(self.size);
        let number = u128::from(self.number);
        let link = |n: u128| Value::String(self.link(collection_self, n));
        let mut links = Map::new();
        links.insert("self".into(), link(number));
        links.insert("first".into(), link(0));
        links.insert("last".into(), link(total.div_ceil(size).saturating_sub(1)));
        if self.first_row() + size < total {
            links.insert("next".into(), link(number + 1));
        }
        if number > 0 && self.first_row() < total {
            links.insert("prev".into(), link(number - 1));
        }
        links
    }

    /// Index of this page's first row (P·L), without overflow.
    fn first_row(&self) -> u128 {
        u128::from(self.number) * u128::from(self.size)
    }

    /// `<collection_self>?page%5Bsize%5D=L&page%5Bnumber%5D=N` (brackets percent-encoded).
    fn link(&self, collection_self: &str, number: u128) -> String {
        format!(
            "{collection_self}?page%5Bsize%5D={}&page%5Bnumber%5D={number}",
            self.size
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "http://127.0.0.1:8989/v1/sessions/";

    fn link(size: u64, number: u64) -> Value {
        Value::String(format!(
            "{BASE}?page%5Bsize%5D={size}&page%5Bnumber%5D={number}"
        ))
    }

    fn links(page: Page, total: usize) -> Vec<(String, Value)> {
        page.links(total, BASE).into_iter().collect()
    }

    fn pair(name: &str, size: u64, number: u64) -> (String, Value) {
        (name.to_string(), link(size, number))
    }

    #[test]
    fn parses_like_strtol() {
        assert_eq!(parse_number("2"), Some(2));
        assert_eq!(parse_number("2abc"), Some(2));
        assert_eq!(parse_number("1x"), Some(1));
        assert_eq!(parse_number("+1"), Some(1));
        assert_eq!(parse_number(" 1"), Some(1));
        assert_eq!(parse_number("\t\n-1"), Some(-1));
        assert_eq!(parse_number("-0"), Some(0));
        assert_eq!(parse_number("007"), Some(7));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("-"), None);
        assert_eq!(parse_number("+-1"), None);
        assert_eq!(parse_number("- 1"), None);
        assert_eq!(parse_number("１"), None);
        assert_eq!(parse_number("99999999999999999999999999"), Some(i64::MAX));
        assert_eq!(parse_number("-99999999999999999999999999"), Some(i64::MIN));
        assert_eq!(parse_number("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_number("-9223372036854775808"), Some(i64::MIN));
    }

    #[test]
    fn when_pagination_applies() {
        assert_eq!(page(Some("1"), None), Some(Page { size: 1, number: 0 }));
        assert_eq!(
            page(Some("2abc"), Some("1x")),
            Some(Page { size: 2, number: 1 })
        );
        assert_eq!(
            page(Some(" 1"), Some("abc")),
            Some(Page { size: 1, number: 0 })
        );
        assert_eq!(page(Some("1"), Some("")), Some(Page { size: 1, number: 0 }));
        assert_eq!(page(Some("0"), None), None);
        assert_eq!(page(Some("-1"), None), None);
        assert_eq!(page(Some("abc"), None), None);
        assert_eq!(page(None, Some("1")), None);
        assert_eq!(page(Some("1"), Some("-1")), None);
    }

    #[test]
    fn slices_always() {
        let p = |size, number| Page { size, number };
        assert_eq!(p(1, 0).slice(4), 0..1);
        assert_eq!(p(1, 1).slice(4), 1..2);
        assert_eq!(p(1, 99).slice(4), 4..4);
        assert_eq!(p(2, 1).slice(3), 2..3);
        assert_eq!(p(2, 2).slice(3), 3..3);
        // doc-vs-code B25: total <= size still slices.
        assert_eq!(p(3, 0).slice(3), 0..3);
        assert_eq!(p(3, 1).slice(3), 3..3);
        assert_eq!(p(5, 3).slice(3), 3..3);
        assert_eq!(p(5, 0).slice(0), 0..0);
        assert_eq!(p(u64::MAX, u64::MAX).slice(10), 10..10);
        assert_eq!(p(u64::MAX, 0).slice(10), 0..10);
    }

    #[test]
    fn links_match_captures() {
        // cap 14: size 1, default number, 4 rows.
        assert_eq!(
            links(Page { size: 1, number: 0 }, 4),
            vec![
                pair("first", 1, 0),
                pair("last", 1, 3),
                pair("next", 1, 1),
                pair("self", 1, 0)
            ]
        );
        // cap 15: number 1.
        assert_eq!(
            links(Page { size: 1, number: 1 }, 4),
            vec![
                pair("first", 1, 0),
                pair("last", 1, 3),
                pair("next", 1, 2),
                pair("prev", 1, 0),
                pair("self", 1, 1)
            ]
        );
        // cap 16: number past the end: no next, no prev.
        assert_eq!(
            links(
                Page {
                    size: 1,
                    number: 99
                },
                4
            ),
            vec![pair("first", 1, 0), pair("last", 1, 3), pair("self", 1, 99)]
        );
        // cap 76: 3 filtered rows.
        assert_eq!(
            links(Page { size: 1, number: 0 }, 3),
            vec![
                pair("first", 1, 0),
                pair("last", 1, 2),
                pair("next", 1, 1),
                pair("self", 1, 0)
            ]
        );
    }

    #[test]
    fn links_edge_cases() {
        // doc-vs-code B26: an empty collection's last page is 0.
        assert_eq!(
            links(Page { size: 2, number: 0 }, 0),
            vec![pair("first", 2, 0), pair("last", 2, 0), pair("self", 2, 0)]
        );
        // P-page: size 2, number 2, 3 rows: no prev.
        assert_eq!(
            links(Page { size: 2, number: 2 }, 3),
            vec![pair("first", 2, 0), pair("last", 2, 1), pair("self", 2, 2)]
        );
        assert_eq!(
            links(Page { size: 2, number: 1 }, 3),
            vec![
                pair("first", 2, 0),
                pair("last", 2, 1),
                pair("prev", 2, 0),
                pair("self", 2, 1)
            ]
        );
        let huge = Page {
            size: u64::MAX,
            number: u64::MAX,
        };
        assert_eq!(
            links(huge, 5),
            vec![
                pair("first", u64::MAX, 0),
                pair("last", u64::MAX, 0),
                pair("self", u64::MAX, u64::MAX)
            ]
        );
    }
}
