//! MaxScale's date and time formats, computed without a date crate.
//!
//! Times are seconds (or milliseconds where noted) since the Unix epoch. The simulated server's
//! local time zone is UTC, so "local time" and GMT print the same. Calendar arithmetic uses Howard
//! Hinnant's `days_from_civil` / `civil_from_days` algorithms on the proleptic Gregorian calendar.

const SECS_PER_DAY: u64 = 86_400;

/// Days from 0000-03-01 to 1970-01-01 in Hinnant's era arithmetic.
const EPOCH_SHIFT: i64 = 719_468;

/// Days in a 400-year era.
const DAYS_PER_ERA: i64 = 146_097;

/// strftime `%a` names, Monday first.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// strftime `%b` names.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Formats `secs` as `Fri, 27 Nov 2026 23:28:19 GMT` (`connected`, `Last-Modified`, the `Date` of
/// raw responses; spec §5.2, §10.8, §10.11).
pub fn http_date(secs: u64) -> String {
    rfc1123(secs, false)
}

/// Formats `secs` as `Fri, 27 Nov 26 23:28:20 GMT`, MaxScale's own `Date` header with strftime
/// `%y` (spec §10.11, §13.11).
pub fn http_date_short_year(secs: u64) -> String {
    rfc1123(secs, true)
}

/// Parses `%a, %d %b %Y %H:%M:%S GMT` with a four-digit year, as for `If-Modified-Since` (spec
/// §10.9); anything else, including MaxScale's own two-digit-year `Date`, gives `None`.
///
/// Names match case-insensitively like strptime; the weekday is checked to be a weekday name but
/// not against the date (strptime does not either); fields are fixed-width; dates before 1970
/// and impossible dates (`31 Feb`) are rejected.
pub fn parse_http_date(text: &str) -> Option<u64> {
    let rest = text.strip_suffix(" GMT")?;
    let mut fields = rest.split(' ');
    let weekday = fields.next()?.strip_suffix(',')?;
    let (day, month, year, time) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if fields.next().is_some() {
        return None;
    }
    name_index(&WEEKDAYS, weekday)?;
    let date = Date {
        year: i64::try_from(fixed_digits(year, 4)?).ok()?,
        month: u32::try_from(name_index(&MONTHS, month)? + 1).ok()?,
        day: u32::try_from(fixed_digits(day, 2)?).ok()?,
    };
    let (hour, minute, second) = parse_clock(time)?;
    let days = date.to_days();
    if date.year < 1970 || Date::from_days(days) != date {
        return None;
    }
    let days = u64::try_from(days).ok()?;
    Some(days * SECS_PER_DAY + hour * 3600 + minute * 60 + second)
}

/// Formats `millis` as `2026-11-27T23:40:57.043` for `received`/`completed` of retained queries;
/// the year is the ISO-8601 week-based year (strftime `%G`), a MaxScale quirk (spec §5.6, §13.11).
pub fn query_timestamp(millis: u64) -> String {
    let m = Moment::from_secs(millis / 1000);
    m.timestamp(m.iso_week_year(), 'T', millis % 1000)
}

/// Formats `millis` as `2026-11-27 23:40:57.043`, the timestamp of session trace lines (spec §5.7).
pub fn log_timestamp(millis: u64) -> String {
    let m = Moment::from_secs(millis / 1000);
    m.timestamp(m.date.year, ' ', millis % 1000)
}

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Date {
    year: i64,
    /// 1 = January.
    month: u32,
    /// 1-based day of the month.
    day: u32,
}

impl Date {
    /// The date `days` days after 1970-01-01 (Hinnant's `civil_from_days`).
    fn from_days(days: i64) -> Date {
        let z = days + EPOCH_SHIFT;
        let era = z.div_euclid(DAYS_PER_ERA);
        let doe = z.rem_euclid(DAYS_PER_ERA); // [0, 146096]
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365; // [0, 399]
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365], counted from 1 March
        let mp = (5 * doy + 2) / 153; // [0, 11], March = 0
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        // Both are small by construction: month in [1, 12], day in [1, 31].
        Date {
            year,
            month: month as u32,
            day: day as u32,
        }
    }

    /// Days from 1970-01-01 to this date (Hinnant's `days_from_civil`); out-of-range days or
    /// months are carried over, so callers validate by converting back.
    fn to_days(self) -> i64 {
        let (month, day) = (i64::from(self.month), i64::from(self.day));
        let year = self.year - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let yoe = year.rem_euclid(400); // [0, 399]
        let mp = (month + 9) % 12; // March = 0
        let doy = (153 * mp + 2) / 5 + day - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * DAYS_PER_ERA + doe - EPOCH_SHIFT
    }
}

/// A second since the epoch, broken down.
struct Moment {
    /// Days since 1970-01-01.
    days: i64,
    date: Date,
    hour: u64,
    minute: u64,
    second: u64,
}

impl Moment {
    /// Breaks down `secs` seconds since the epoch (UTC).
    fn from_secs(secs: u64) -> Moment {
        // u64::MAX / 86400 < 2^48, so the day count fits an i64.
        let days = (secs / SECS_PER_DAY) as i64;
        let in_day = secs % SECS_PER_DAY;
        Moment {
            days,
            date: Date::from_days(days),
            hour: in_day / 3600,
            minute: in_day % 3600 / 60,
            second: in_day % 60,
        }
    }

    /// strftime `%a`.
    fn weekday_name(&self) -> &'static str {
        // 1970-01-01 was a Thursday (index 3).
        WEEKDAYS[(self.days + 3).rem_euclid(7) as usize]
    }

    /// strftime `%b`.
    fn month_name(&self) -> &'static str {
        MONTHS[(self.date.month as usize).saturating_sub(1) % 12]
    }

    /// strftime `%G`: the year of the Thursday in this date's Monday-to-Sunday week.
    fn iso_week_year(&self) -> i64 {
        let monday_based = (self.days + 3).rem_euclid(7);
        Date::from_days(self.days - monday_based + 3).year
    }

    /// `YYYY-MM-DD?HH:MM:SS.mmm` with the given year and date/time separator.
    fn timestamp(&self, year: i64, separator: char, millis: u64) -> String {
        format!(
            "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}.{:03}",
            year,
            self.date.month,
            self.date.day,
            separator,
            self.hour,
            self.minute,
            self.second,
            millis
        )
    }
}

/// `%a, %d %b %Y %H:%M:%S GMT`, or with `%y` when `two_digit_year` is set.
fn rfc1123(secs: u64, two_digit_year: bool) -> String {
    let m = Moment::from_secs(secs);
    let (year, width) = if two_digit_year {
        (m.date.year.rem_euclid(100), 2)
    } else {
        (m.date.year, 4)
    };
    format!(
        "{}, {:02} {} {:0width$} {:02}:{:02}:{:02} GMT",
        m.weekday_name(),
        m.date.day,
        m.month_name(),
        year,
        m.hour,
        m.minute,
        m.second
    )
}

/// Position of `text` in `names`, compared case-insensitively.
fn name_index(names: &[&str], text: &str) -> Option<usize> {
    names
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
}

/// The value of `text` if it is exactly `width` ASCII digits.
fn fixed_digits(text: &str, width: usize) -> Option<u64> {
    if text.len() != width || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Parses `HH:MM:SS` (two digits each, 00:00:00 to 23:59:59).
fn parse_clock(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split(':');
    let hour = fixed_digits(parts.next()?, 2)?;
    let minute = fixed_digits(parts.next()?, 2)?;
    let second = fixed_digits(parts.next()?, 2)?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some((hour, minute, second))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Epoch seconds below were computed independently with Python's calendar.timegm.
    const CAPTURE_CONNECTED: u64 = 1_795_822_099; // Fri, 27 Nov 2026 23:28:19 GMT (cap 3)
    const LOG_EXAMPLE: u64 = 1_795_822_857; // 2026-11-27 23:40:57 (spec §5.7)

    #[test]
    fn http_date_matches_captures() {
        assert_eq!(
            http_date(CAPTURE_CONNECTED),
            "Fri, 27 Nov 2026 23:28:19 GMT"
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(http_date(951_825_600), "Tue, 29 Feb 2000 12:00:00 GMT");
        assert_eq!(http_date(4_107_542_400), "Mon, 01 Mar 2100 00:00:00 GMT");
        assert_eq!(http_date(253_402_300_799), "Fri, 31 Dec 9999 23:59:59 GMT");
    }

    #[test]
    fn short_year_date_matches_captures() {
        assert_eq!(
            http_date_short_year(CAPTURE_CONNECTED + 1),
            "Fri, 27 Nov 26 23:28:20 GMT"
        );
        assert_eq!(http_date_short_year(0), "Thu, 01 Jan 70 00:00:00 GMT");
        assert_eq!(
            http_date_short_year(951_825_600),
            "Tue, 29 Feb 00 12:00:00 GMT"
        );
    }

    #[test]
    fn parse_http_date_reads_four_digit_years() {
        assert_eq!(
            parse_http_date("Fri, 27 Nov 2026 23:28:19 GMT"),
            Some(CAPTURE_CONNECTED)
        );
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("tue, 29 FEB 2000 12:00:00 GMT"),
            Some(951_825_600)
        );
        // The weekday is not checked against the date, as with strptime.
        assert_eq!(
            parse_http_date("Mon, 27 Nov 2026 23:28:19 GMT"),
            Some(CAPTURE_CONNECTED)
        );
    }

    #[test]
    fn parse_http_date_rejects_everything_else() {
        for text in [
            "Fri, 27 Nov 26 23:28:20 GMT", // MaxScale's own Date header (spec §10.9)
            "",
            "garbage",
            "Fri, 27 Nov 2026 23:28:19",
            "Fri, 27 Nov 2026 23:28:19 UTC",
            "Fri 27 Nov 2026 23:28:19 GMT",
            "Fry, 27 Nov 2026 23:28:19 GMT",
            "Fri, 27 Noe 2026 23:28:19 GMT",
            "Fri, 7 Nov 2026 23:28:19 GMT",
            "Fri, 27 Nov 02026 23:28:19 GMT",
            "Fri, 27 Nov 2026 23:28 GMT",
            "Fri, 27 Nov 2026 23:28:19:00 GMT",
            "Fri, 27 Nov 2026 24:00:00 GMT",
            "Fri, 27 Nov 2026 23:60:00 GMT",
            "Fri, 27 Nov 2026 23:59:60 GMT",
            "Fri, 27 Nov 2026 +3:28:19 GMT",
            "Fri, 31 Feb 2026 00:00:00 GMT",
            "Fri, 00 Nov 2026 00:00:00 GMT",
            "Fri, 29 Feb 2100 00:00:00 GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "Fri,  27 Nov 2026 23:28:19 GMT",
            "Fri, 27 Nov 2026 23:28:19 GMT ",
            "Fri, 27 Nov 2026 23:28:１9 GMT",
        ] {
            assert_eq!(parse_http_date(text), None, "{text:?}");
        }
    }

    #[test]
    fn http_date_round_trips() {
        let mut secs = 0u64;
        while secs < 253_402_300_800 {
            assert_eq!(parse_http_date(&http_date(secs)), Some(secs), "{secs}");
            secs += 7_919_993; // about 92 days, a prime so every time of day comes up
        }
    }

    #[test]
    fn days_round_trip_through_dates() {
        for days in (-800_000..3_000_000).step_by(97) {
            let date = Date::from_days(days);
            assert_eq!(date.to_days(), days);
            assert!((1..=12).contains(&date.month) && (1..=31).contains(&date.day));
        }
        let leap_day = Date {
            year: 2024,
            month: 2,
            day: 29,
        };
        assert_eq!(Date::from_days(leap_day.to_days()), leap_day);
        assert_eq!(Date::from_days(-1).year, 1969);
    }

    #[test]
    fn query_timestamp_uses_the_iso_week_year() {
        assert_eq!(
            query_timestamp(LOG_EXAMPLE * 1000 + 43),
            "2026-11-27T23:40:57.043"
        );
        // 2024-12-30 is Monday of ISO week 1 of 2025 (spec §5.6 quirk).
        assert_eq!(
            query_timestamp(1_735_545_903_007),
            "2025-12-30T08:05:03.007"
        );
        // 2021-01-01 is Friday of ISO week 53 of 2020.
        assert_eq!(
            query_timestamp(1_609_459_200_000),
            "2020-01-01T00:00:00.000"
        );
        // 2020-12-31 is in ISO week 53 of 2020: the year is right by accident.
        assert_eq!(
            query_timestamp(1_609_459_199_999),
            "2020-12-31T23:59:59.999"
        );
        // 2008-12-29 (Monday) belongs to 2009; 2010-01-03 (Sunday) to 2009.
        assert_eq!(
            query_timestamp(1_230_512_523_000),
            "2009-12-29T01:02:03.000"
        );
        assert_eq!(
            query_timestamp(1_262_559_600_500),
            "2009-01-03T23:00:00.500"
        );
    }

    #[test]
    fn log_timestamp_uses_the_calendar_year() {
        assert_eq!(
            log_timestamp(LOG_EXAMPLE * 1000 + 43),
            "2026-11-27 23:40:57.043"
        );
        assert_eq!(log_timestamp(1_735_545_903_007), "2024-12-30 08:05:03.007");
        assert_eq!(log_timestamp(1_609_459_200_000), "2021-01-01 00:00:00.000");
        assert_eq!(log_timestamp(999), "1970-01-01 00:00:00.999");
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        // Computed with Python by reducing the day count modulo 400-year eras.
        assert_eq!(http_date(u64::MAX), "Thu, 09 Nov 584554051223 07:00:15 GMT");
        assert_eq!(
            http_date_short_year(u64::MAX),
            "Thu, 09 Nov 23 07:00:15 GMT"
        );
        assert_eq!(query_timestamp(u64::MAX), "584556019-04-03T14:25:51.615");
        assert_eq!(log_timestamp(u64::MAX), "584556019-04-03 14:25:51.615");
    }
}
