//! Query options: names lower-cased, first occurrence wins, MaxScale's truth values
//! (spec §10.5), and C `atoi` for `ttl` (spec §8.1).

/// The options of one request, in the order they were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options(Vec<(String, String)>);

impl Options {
    /// Parses a query string: `+` is a space, values are percent-decoded, names lower-cased.
    pub fn parse(query: Option<&str>) -> Options {
        let mut options: Vec<(String, String)> = Vec::new();
        for (name, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let name = name.to_lowercase();
            if !options.iter().any(|(n, _)| *n == name) {
                options.push((name, value.into_owned()));
            }
        }
        Options(options)
    }

    /// The value of an option (the first occurrence).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the option is present with a truthy value.
    pub fn is_true(&self, name: &str) -> bool {
        self.get(name).and_then(truth) == Some(true)
    }

    /// Whether the option is present with a falsy value.
    pub fn is_false(&self, name: &str) -> bool {
        self.get(name).and_then(truth) == Some(false)
    }

    /// Options named `prefix[<inner>]`, as `(inner, value)`, sorted by option name.
    pub fn bracketed(&self, prefix: &str) -> Vec<(&str, &str)> {
        let mut found: Vec<(&str, &str)> = self
            .0
            .iter()
            .filter_map(|(name, value)| {
                let inner = name.strip_prefix(prefix)?.strip_prefix('[')?;
                Some((inner.strip_suffix(']')?, value.as_str()))
            })
            .collect();
        found.sort();
        found
    }
}

/// MaxScale's truth values: `true|on|yes|1` and `false|off|no|0`, case-insensitive; anything
/// else (including empty) is neither.
pub fn truth(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" | "1" => Some(true),
        "false" | "off" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// C `atoi` as glibc on 64-bit computes it: leading white space, optional sign, digits up to the
/// first non-digit; `strtol` saturates to the 64-bit range and the result is truncated to
/// 32 bits (spec §8.1).
pub fn atoi(text: &str) -> i32 {
    let s = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut value: i128 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        value = (value * 10 + i128::from(b - b'0')).min(i128::from(i64::MAX) + 1);
    }
    let signed = if negative { -value } else { value };
    let saturated = signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    saturated as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_cased_and_first_wins() {
        let o = Options::parse(Some("TTL=1&ttl=0&Pretty=false&filter=/a=eq(%22x+y%22)"));
        assert_eq!(o.get("ttl"), Some("1"));
        assert!(o.is_false("pretty"));
        assert_eq!(o.get("filter"), Some("/a=eq(\"x y\")"));
    }

    #[test]
    fn truth_values() {
        for t in ["true", "TRUE", "on", "yes", "1"] {
            assert_eq!(truth(t), Some(true), "{t}");
        }
        for f in ["false", "FALSE", "off", "no", "0"] {
            assert_eq!(truth(f), Some(false), "{f}");
        }
        for neither in ["", "abc", " false", "2"] {
            assert_eq!(truth(neither), None, "{neither}");
        }
        let bare = Options::parse(Some("rdns"));
        assert!(!bare.is_true("rdns") && !bare.is_false("rdns"));
    }

    #[test]
    fn bracketed_options_in_name_order() {
        let o = Options::parse(Some(
            "filter[b]=2&fields[sessions]=state&filter[a]=1&filter[x=3",
        ));
        assert_eq!(o.bracketed("filter"), vec![("a", "1"), ("b", "2")]);
        assert_eq!(o.bracketed("fields"), vec![("sessions", "state")]);
    }

    #[test]
    fn atoi_matches_glibc() {
        // Every row of the table in spec §8.1.
        let rows = [
            ("", 0),
            ("0", 0),
            ("abc", 0),
            ("0x10", 0),
            ("NaN", 0),
            ("-5", -5),
            ("5", 5),
            ("+5", 5),
            (" 5", 5),
            ("5abc", 5),
            ("1.5", 1),
            ("1e3", 1),
            ("2147483648", -2147483648),
            ("4294967297", 1),
            ("99999999999999999999", -1),
            ("-99999999999999999999", 0),
        ];
        for (text, value) in rows {
            assert_eq!(atoi(text), value, "atoi({text:?})");
        }
    }
}
