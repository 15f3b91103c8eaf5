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
    #[inline]
    fn to_unix(&self) -> Option<i64> {
        let Self {
            hour,
            minute,
            second,
            day,
            month,
            mut year,
        } = *self;
        if year <= 69 {
            year += 2000;
        } else if year <= 99 {
            year += 1900;
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let month_index = (month as usize).wrapping_sub(1) % 12;
        let days_in_month = DAYS_IN_MONTH[month_index] + u32::from(leap && month == 2);
        // One test for every range: each `&` is evaluated, no branch per field.
        let valid = (day.wrapping_sub(1) < days_in_month)
            & (year >= 1601)
            & (hour < 24)
            & (minute < 60)
            & (second < 60)
            & (1..=12).contains(&month);
        if !valid {
            return None;
        }
        let days = days_since_epoch(year, month_index, day, leap);
        Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
    }
}

/// Days in each month of a common year.
const DAYS_IN_MONTH: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Days in a common year before each month.
const DAYS_BEFORE_MONTH: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Days from 1970-01-01 to the date (month as `0..12`), for years from
/// 1601: the Gregorian leap rule counted from year 1, then the days of the
/// year.
fn days_since_epoch(year: u32, month_index: usize, day: u32, leap: bool) -> i64 {
    /// Days from 0001-01-01 to 1970-01-01.
    const EPOCH: i64 = 719_162;
    let before = year - 1;
    let leap_days = before / 4 - before / 100 + before / 400;
    let day_of_year =
        DAYS_BEFORE_MONTH[month_index] + u32::from(leap && month_index >= 2) + day - 1;
    i64::from(before) * 365 + i64::from(leap_days + day_of_year) - EPOCH
}

/// Eight bytes of a fixdate, from `at`, as a little-endian word: the
/// first byte is the lowest.
fn word(bytes: &[u8; 29], at: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(word)
}

/// `Www, DD Mon YYYY HH:MM:SS GMT` (29 bytes, `-` allowed around the
/// month), or `None` for anything else.
///
/// The general algorithm reads such a date token by token: the weekday
/// (which is no time, day, month or year), the day, the month, the year,
/// the time, then `GMT`, which matches nothing. So the fields are the ones
/// at the fixed offsets, as long as the weekday is a real one (a month name
/// there would be taken as the month).
///
/// The date is read as four overlapping words: one masked compare each
/// checks the fixed separators, the digits are checked and paired eight
/// bytes at a time, and the weekday and the month are found by their three
/// bytes in one table.
fn fixdate(input: &[u8]) -> Option<Fields> {
    // `Www, DD-`, `Mon YYYY`, ` HH:MM:S`, `M:SS GMT` (bytes 21 to 28).
    const SEPARATORS: [(u64, u64); 4] = [
        (0x0000_00ff_ff00_0000, 0x0000_0020_2c00_0000),
        (0, 0),
        (0x00ff_0000_ff00_00ff, 0x003a_0000_3a00_0020),
        (0xffff_ffff_0000_ff00, 0x544d_4720_0000_3a00),
    ];
    const DIGITS: [u64; 4] = [
        0x00ff_ff00_0000_0000,
        0xffff_ffff_0000_0000,
        0xff00_ffff_00ff_ff00,
        0x0000_0000_ffff_0000,
    ];
    let bytes: &[u8; 29] = input.try_into().ok()?;
    let words = [
        word(bytes, 0),
        word(bytes, 8),
        word(bytes, 16),
        word(bytes, 21),
    ];
    let mut bad = 0;
    let mut values = [0u64; 4];
    for (i, &word) in words.iter().enumerate() {
        let (mask, expected) = SEPARATORS[i];
        bad |= (word & mask) ^ expected;
        // A digit is 0x30 to 0x39: after `^ 0x30`, a high nibble of zero
        // and a low nibble that does not reach 0x10 when 6 is added. A byte
        // that carries into the next fails its own test first.
        let value = (word ^ 0x3030_3030_3030_3030) & DIGITS[i];
        bad |=
            (value | value.wrapping_add(0x0606_0606_0606_0606 & DIGITS[i])) & 0xf0f0_f0f0_f0f0_f0f0;
        // Each byte holds at most 9, so this pairs neighbouring digits
        // (`10 * first + second`, at most 99) without a carry.
        values[i] = value.wrapping_mul(10).wrapping_add(value >> 8);
    }
    let sep1 = bytes[7];
    let sep2 = bytes[11];
    if bad != 0 || !matches!(sep1, b' ' | b'-') || !matches!(sep2, b' ' | b'-') {
        return None;
    }
    if name_code(&bytes[..3]) != WEEKDAY {
        return None;
    }
    let month = name_code(&bytes[8..11]);
    if !(1..=12).contains(&month) {
        return None;
    }
    let pair = |word: u64, at: u32| (word >> (8 * at)) as u32 & 0xff;
    let [pairs_a, pairs_b, pairs_c, pairs_d] = values;
    Some(Fields {
        hour: pair(pairs_c, 1),
        minute: pair(pairs_c, 4),
        second: pair(pairs_d, 2),
        day: pair(pairs_a, 5),
        month: u32::from(month),
        year: pair(pairs_b, 4) * 100 + pair(pairs_b, 6),
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
    let month = name_code(token);
    (1..=12).contains(&month).then_some(u32::from(month))
}

/// What [`name_code`] gives for a weekday.
const WEEKDAY: u8 = 0x80;

/// The three-byte names: the months (coded 1 to 12) and the weekdays
/// ([`WEEKDAY`]).
const NAMES: [(&[u8; 3], u8); 19] = [
    (b"jan", 1),
    (b"feb", 2),
    (b"mar", 3),
    (b"apr", 4),
    (b"may", 5),
    (b"jun", 6),
    (b"jul", 7),
    (b"aug", 8),
    (b"sep", 9),
    (b"oct", 10),
    (b"nov", 11),
    (b"dec", 12),
    (b"mon", WEEKDAY),
    (b"tue", WEEKDAY),
    (b"wed", WEEKDAY),
    (b"thu", WEEKDAY),
    (b"fri", WEEKDAY),
    (b"sat", WEEKDAY),
    (b"sun", WEEKDAY),
];

/// Multiplier that spreads the nineteen names over 32 slots, one each.
const NAME_HASH: u32 = 0xf300_9a5d;

const fn name_slot(key: u32) -> usize {
    (key.wrapping_mul(NAME_HASH) >> 27) as usize
}

/// The names as lowercase three-byte keys in their slots, with their codes
/// (a zero key never matches: every key has the 0x20 bits set).
const NAME_TABLE: ([u32; 32], [u8; 32]) = {
    let mut keys = [0u32; 32];
    let mut codes = [0u8; 32];
    let mut i = 0;
    while i < NAMES.len() {
        let (name, code) = NAMES[i];
        let key = name[0] as u32 | (name[1] as u32) << 8 | (name[2] as u32) << 16;
        let slot = name_slot(key);
        assert!(keys[slot] == 0, "two names share a slot");
        keys[slot] = key;
        codes[slot] = code;
        i += 1;
    }
    (keys, codes)
};

/// The code of the month or weekday the first three bytes of `token` name,
/// case-insensitively, or 0. Setting the 0x20 bit folds exactly the ASCII
/// letters: a byte becomes a lowercase letter only if it was that letter.
fn name_code(token: &[u8]) -> u8 {
    let &[a, b, c, ..] = token else {
        return 0;
    };
    let key = (u32::from(a) | u32::from(b) << 8 | u32::from(c) << 16) | 0x0020_2020;
    let slot = name_slot(key);
    if NAME_TABLE.0[slot] == key {
        NAME_TABLE.1[slot]
    } else {
        0
    }
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
    fn fixdates_read_like_the_general_algorithm_at_every_edge() {
        let years = [
            0, 1, 9, 10, 50, 69, 70, 99, 100, 999, 1600, 1601, 1899, 1900, 1969, 1970, 1999, 2000,
            2024, 2038, 2100, 2400, 9999,
        ];
        let months = [
            "Jan", "feb", "MAR", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        for year in years {
            for month in months {
                for day in [0, 1, 9, 10, 28, 29, 30, 31, 32, 99] {
                    for (sep1, sep2) in [(' ', ' '), ('-', '-'), (' ', '-')] {
                        let date =
                            format!("Sun, {day:02}{sep1}{month}{sep2}{year:04} 23:59:59 GMT");
                        assert_eq!(parse(&date), parse_general(date.as_bytes()), "{date}");
                    }
                }
            }
        }
        for time in [
            "00:00:00", "23:59:59", "24:00:00", "23:60:00", "23:59:60", "99:99:99", "0a:00:00",
            "00:/0:00", "00:00:0:", "00:00:/9", "00:00 00", ":0:00:00",
        ] {
            let date = format!("Mon, 01 Jan 2030 {time} GMT");
            assert_eq!(parse(&date), parse_general(date.as_bytes()), "{date}");
        }
    }

    #[test]
    fn days_since_epoch_counts_like_days_from_civil() {
        // Howard Hinnant's `days_from_civil`.
        fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
            let year = if month <= 2 { year - 1 } else { year };
            let era = year.div_euclid(400);
            let yoe = year - era * 400;
            let month = i64::from(month);
            let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5
                + i64::from(day)
                - 1;
            era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
        }
        for year in 1601..=9999 {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            for month in 1..=12u32 {
                let index = month as usize - 1;
                let last = DAYS_IN_MONTH[index] + u32::from(leap && month == 2);
                for day in [1, last] {
                    assert_eq!(
                        days_since_epoch(year, index, day, leap),
                        days_from_civil(i64::from(year), month, day),
                        "{year}-{month}-{day}"
                    );
                }
            }
        }
    }

    #[test]
    fn names_are_found_by_their_three_bytes_in_any_case() {
        let names = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        let weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
        let alphabet: Vec<u8> = (b'@'..=b'z')
            .chain([b'-', b' ', 0x0d, 0xc1, 0xe1])
            .collect();
        for &a in &alphabet {
            for &b in &alphabet {
                for &c in &alphabet {
                    let lower = [a, b, c].map(|x| x.to_ascii_lowercase());
                    let expected = if let Some(i) = names.iter().position(|n| n.as_bytes() == lower)
                    {
                        i as u8 + 1
                    } else if weekdays.iter().any(|n| n.as_bytes() == lower) {
                        WEEKDAY
                    } else {
                        0
                    };
                    assert_eq!(name_code(&[a, b, c, b'x']), expected, "{:?}", [a, b, c]);
                }
            }
        }
        assert_eq!(name_code(b"ja"), 0);
        assert_eq!(parse_month(b"Sun"), None);
        assert_eq!(parse_month(b"DECEMBER"), Some(12));
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
