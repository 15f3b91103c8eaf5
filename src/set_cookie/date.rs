//! The cookie-date algorithm of RFC 6265 section 5.1.1, on bytes.
//!
//! `Expires` decides whether a `Set-Cookie` deletes a cookie, so this must
//! read dates exactly as the algorithm says: a date it cannot parse is
//! ignored (the cookie is a session cookie, not a deletion).

/// Parses a cookie-date into seconds since the Unix epoch, or `None` when
/// the algorithm fails.
pub(crate) fn parse_cookie_date(input: &[u8]) -> Option<i64> {
    let mut time = None;
    let mut day = None;
    let mut month = None;
    let mut year = None;
    for token in input.split(|&b| is_delimiter(b)).filter(|t| !t.is_empty()) {
        if time.is_none() {
            if let Some(hms) = parse_time(token) {
                time = Some(hms);
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = leading_digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() {
            if let Some(m) = parse_month(token) {
                month = Some(m);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = leading_digits(token, 2, 4) {
                year = Some(y);
                continue;
            }
        }
    }
    let (hour, minute, second) = time?;
    let (day, month, mut year) = (day?, month?, year?);
    if (70..=99).contains(&year) {
        year += 1900;
    } else if year <= 69 {
        year += 2000;
    }
    if !(1..=31).contains(&day) || year < 1601 || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    if day > days_in_month(year, month) {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    Some(days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

/// `delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E`
fn is_delimiter(b: u8) -> bool {
    matches!(b, 0x09 | 0x20..=0x2f | 0x3b..=0x40 | 0x5b..=0x60 | 0x7b..=0x7e)
}

/// `min..=max` digits, then the end of the token or a non-digit followed by
/// anything.
fn leading_digits(token: &[u8], min: usize, max: usize) -> Option<u32> {
    let count = token.iter().take_while(|b| b.is_ascii_digit()).count();
    if count < min || count > max {
        return None;
    }
    Some(
        token[..count]
            .iter()
            .fold(0, |n, &d| n * 10 + u32::from(d - b'0')),
    )
}

/// `hms-time = time-field ":" time-field ":" time-field`, each field one or
/// two digits, then optionally a non-digit and anything.
fn parse_time(token: &[u8]) -> Option<(u32, u32, u32)> {
    let mut fields = [0u32; 3];
    let mut rest = token;
    for (i, field) in fields.iter_mut().enumerate() {
        let count = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=2).contains(&count) {
            return None;
        }
        *field = rest[..count]
            .iter()
            .fold(0, |n, &d| n * 10 + u32::from(d - b'0'));
        rest = &rest[count..];
        if i < 2 {
            rest = rest.strip_prefix(b":")?;
        }
    }
    Some((fields[0], fields[1], fields[2]))
}

/// The first three bytes name a month, case-insensitively.
fn parse_month(token: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let head = token.get(..3)?;
    MONTHS
        .iter()
        .position(|m| head.eq_ignore_ascii_case(&m[..]))
        .map(|i| i as u32 + 1)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<i64> {
        parse_cookie_date(s.as_bytes())
    }

    #[test]
    fn common_formats() {
        assert_eq!(parse("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1_445_412_480));
        assert_eq!(parse("Thursday, 01-Jan-70 00:00:01 GMT"), Some(1));
        assert_eq!(parse("Thu Jan  1 00:00:00 1970"), Some(0));
        assert_eq!(parse("01 jan 1970 00:00:00"), Some(0));
        assert_eq!(parse("Sat, 01 Jan 2000 00:00:00 GMT"), Some(946_684_800));
        assert_eq!(parse("Fri, 31 Dec 1999 23:59:59 GMT"), Some(946_684_799));
        assert_eq!(parse("Tue, 29 Feb 2000 00:00:00 GMT"), Some(951_782_400));
    }

    #[test]
    fn two_digit_years() {
        assert_eq!(parse("01 Jan 70 00:00:00"), Some(0));
        assert_eq!(parse("01 Jan 99 00:00:00"), parse("01 Jan 1999 00:00:00"));
        assert_eq!(parse("01 Jan 69 00:00:00"), parse("01 Jan 2069 00:00:00"));
        assert_eq!(parse("01 Jan 00 00:00:00"), parse("01 Jan 2000 00:00:00"));
    }

    #[test]
    fn invalid_dates_fail() {
        for bad in [
            "",
            "banana",
            "Thu, 01 Jan 1970",
            "01 Jan 00:00:00",
            "Jan 1970 00:00:00",
            "32 Jan 1970 00:00:00",
            "00 Jan 1970 00:00:00",
            "01 Jan 1600 00:00:00",
            "01 Jan 1970 24:00:00",
            "01 Jan 1970 00:60:00",
            "01 Jan 1970 00:00:60",
            "30 Feb 2000 00:00:00",
            "29 Feb 1900 00:00:00",
            "01 Jab 1970 00:00:00",
            "01 Jan 19700 00:00:00",
            "001 Jan 1970 00:00:00",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn tokens_take_the_first_rule_that_fits() {
        // "1970" cannot be a day (too many digits), so it is the year.
        assert_eq!(parse("1970 Jan 01 00:00:00"), Some(0));
        // A time with trailing bytes after a non-digit still counts.
        assert_eq!(parse("01 Jan 1970 00:00:00xyz"), Some(0));
        // Month prefix with anything after it.
        assert_eq!(parse("01 January 1970 00:00:00"), Some(0));
        // Non-ASCII bytes are part of tokens, never a panic.
        assert_eq!(parse("01 Jan 1970 00:00:00 \u{ff}\u{0}"), Some(0));
        assert_eq!(parse("\u{ff}\u{fe}"), None);
    }
}
