//! The cookie-date algorithm of RFC 6265 section 5.1.1, on bytes.
//!
//! `Expires` decides whether a `Set-Cookie` deletes a cookie, so this must
//! read dates exactly as the algorithm says: a date it cannot parse is
//! ignored (the cookie is a session cookie, not a deletion).

/// Parses a cookie-date into seconds since the Unix epoch, or `None` when
/// the algorithm fails.
///
/// Nearly every `Expires` is an IMF-fixdate (`Thu, 17 Apr 2031 10:00:00
/// GMT`, or with `-` around the month as PHP writes it); those are read in
/// one look at fixed offsets, which gives what the general algorithm gives
/// (checked by the `set_cookie` fuzz target), at a tenth of the cost.
pub(crate) fn parse_cookie_date(input: &[u8]) -> Option<i64> {
    match fixdate(input) {
        Some(fields) => fields.to_unix(),
        None => parse_general(input),
    }
}

/// The fields a cookie-date names, before they are checked.
struct Fields {
    hour: u32,
    minute: u32,
    second: u32,
    day: u32,
    month: u32,
    year: u32,
}

impl Fields {
    /// Steps 2 to 7 of the algorithm: two-digit years, ranges, and a date
    /// that exists.
    fn to_unix(&self) -> Option<i64> {
        let Self {
            hour,
            minute,
            second,
            day,
            month,
            mut year,
        } = *self;
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
}

/// `Www, DD Mon YYYY HH:MM:SS GMT` (29 bytes, `-` allowed around the
/// month), or `None` for anything else.
///
/// The general algorithm reads such a date token by token: the weekday
/// (which is no time, day, month or year), the day, the month, the year,
/// the time, then `GMT`, which matches nothing. So the fields are the ones
/// at the fixed offsets, as long as the weekday is a real one (a month name
/// there would be taken as the month).
fn fixdate(input: &[u8]) -> Option<Fields> {
    let bytes: &[u8; 29] = input.try_into().ok()?;
    let [w0, w1, w2, b',', b' ', d0, d1, sep1, m0, m1, m2, sep2, y0, y1, y2, y3, b' ', h0, h1, b':', i0, i1, b':', s0, s1, b' ', b'G', b'M', b'T'] =
        *bytes
    else {
        return None;
    };
    if !(matches!(sep1, b' ' | b'-') && matches!(sep2, b' ' | b'-')) {
        return None;
    }
    if !is_weekday([w0, w1, w2]) {
        return None;
    }
    let digits = |pair: [u8; 2]| -> Option<u32> {
        let [a, b] = pair;
        (a.is_ascii_digit() && b.is_ascii_digit())
            .then(|| u32::from(a - b'0') * 10 + u32::from(b - b'0'))
    };
    Some(Fields {
        hour: digits([h0, h1])?,
        minute: digits([i0, i1])?,
        second: digits([s0, s1])?,
        day: digits([d0, d1])?,
        month: parse_month(&[m0, m1, m2])?,
        year: digits([y0, y1])? * 100 + digits([y2, y3])?,
    })
}

/// The algorithm of section 5.1.1 as written: tokens between delimiters,
/// each taken by the first rule that fits and is still open.
pub(crate) fn parse_general(input: &[u8]) -> Option<i64> {
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
    Fields {
        hour,
        minute,
        second,
        day: day?,
        month: month?,
        year: year?,
    }
    .to_unix()
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
    let &[a, b, c, ..] = token else {
        return None;
    };
    let month = match [a, b, c].map(|x| x.to_ascii_lowercase()) {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    };
    Some(month)
}

/// The three bytes name a weekday, case-insensitively.
fn is_weekday(name: [u8; 3]) -> bool {
    matches!(
        name.map(|x| x.to_ascii_lowercase()),
        [b'm', b'o', b'n']
            | [b't', b'u', b'e']
            | [b'w', b'e', b'd']
            | [b't', b'h', b'u']
            | [b'f', b'r', b'i']
            | [b's', b'a', b't']
            | [b's', b'u', b'n']
    )
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
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
    fn fixdates_read_like_the_general_algorithm() {
        for date in [
            "Thu, 01 Jan 1970 00:00:00 GMT",
            "Thu, 17-Apr-2031 10:00:00 GMT",
            "sun, 29 feb 2004 23:59:59 GMT",
            "Mon, 29 Feb 2003 00:00:00 GMT",
            "Mon, 01 Jan 0069 00:00:00 GMT",
            "Mon, 01 Jan 1600 00:00:00 GMT",
            "Mon, 00 Jan 2000 00:00:00 GMT",
            "Mon, 01 Jan 2000 24:00:00 GMT",
            "Jan, 01 Feb 2000 00:00:00 GMT",
            "Mon, 01 Foo 2000 00:00:00 GMT",
            "Mon, 01 Jan 2000 00:00:0x GMT",
            "Mon, 01_Jan 2000 00:00:00 GMT",
            "Mon, 01 Jan 2000 00:00:00 UTC",
        ] {
            assert_eq!(parse(date), parse_general(date.as_bytes()), "{date}");
        }
        assert!(fixdate(b"Thu, 17-Apr-2031 10:00:00 GMT").is_some());
        assert!(fixdate(b"Jan, 01 Feb 2000 00:00:00 GMT").is_none());
        assert_eq!(parse("Thu, 17-Apr-2031 10:00:00 GMT"), Some(1_934_186_400));
        assert_eq!(
            parse("Mon, 01 Jan 0069 00:00:00 GMT"),
            parse("01 Jan 2069 00:00:00")
        );
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
