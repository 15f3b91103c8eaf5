//! django-cookie-consent's `cookie_consent` cookie (setting
//! `COOKIE_CONSENT_NAME`).
//!
//! The value is `varname=version` pairs joined by `|` (jazzband/
//! django-cookie-consent @07d454b, `cookie_consent/util.py`,
//! `dict_to_cookie_str` and `parse_cookie_str`), for example
//! `optional=-1|social=2013-06-04T03:17:01.421395+00:00`:
//!
//! - `-1` (setting `COOKIE_CONSENT_DECLINE`): the group was declined;
//! - an ISO 8601 timestamp (`Cookie.created.isoformat()`, `models.py`): the
//!   group was accepted as it stood then;
//! - empty: the group was accepted while it held no cookie
//!   (`CookieGroup.get_version` returns `""`), which the package counts as
//!   accepted.
//!
//! Varnames match `^[-_a-zA-Z0-9]+$` (`models.py`, `COOKIE_NAME_RE`). The
//! package sets the cookie with Django's `response.set_cookie`, and
//! Python's `http.cookies` wraps a value holding `=` in double quotes, which
//! the browser keeps and sends back; `prepare` removes them. A backslash
//! would be one of Python's octal escapes, which no real value needs.
//!
//! The package accepts a group only while the stored version is not older
//! than the group's newest cookie; that needs the site's database, so here
//! a timestamp counts as accepted. The record carries no revision of its
//! own: a site that must ask every visitor again renames the cookie
//! (`COOKIE_CONSENT_NAME`, and the policy's consent cookie with it).

use super::{emit_name, prepare, Outcome};

/// Reads a `cookie_consent` value. Every pair must be well formed, or the
/// value is malformed (the package itself skips pairs it cannot split; a
/// reader that cannot see the database must not guess).
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    // Non-ASCII, a backslash, a stray quote: not what the package writes.
    if !value.is_ascii() || value.iter().any(|&b| b == b'\\' || b == b'"') {
        return Outcome::Malformed;
    }
    for pair in value.split(|&b| b == b'|') {
        let Some(eq) = pair.iter().position(|&b| b == b'=') else {
            return Outcome::Malformed;
        };
        let (varname, version) = (&pair[..eq], &pair[eq + 1..]);
        if varname.is_empty() || !varname.iter().copied().all(is_varname_byte) {
            return Outcome::Malformed;
        }
        let accepted = match version {
            b"-1" => false,
            b"" => true,
            timestamp if is_isoformat(timestamp) => true,
            _ => return Outcome::Malformed,
        };
        emit_name(varname, accepted, emit);
    }
    Outcome::Choices { revision: None }
}

fn is_varname_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// What Python's `datetime.isoformat()` writes for a `DateTimeField`:
/// `YYYY-MM-DDTHH:MM:SS`, then `.ffffff` unless the microseconds are zero,
/// then `+HH:MM` or `-HH:MM` when the value is aware (`USE_TZ`). A cut
/// timestamp fails this shape, except one cut exactly before its fraction or
/// offset, which cannot be told from a whole one.
fn is_isoformat(value: &[u8]) -> bool {
    let Some((date_time, rest)) = value.split_at_checked(19) else {
        return false;
    };
    let shape_ok = date_time.iter().enumerate().all(|(i, &b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        _ => b.is_ascii_digit(),
    });
    if !shape_ok {
        return false;
    }
    let field =
        |at: usize| u32::from(date_time[at] - b'0') * 10 + u32::from(date_time[at + 1] - b'0');
    let (month, day, hour, minute, second) = (field(5), field(8), field(11), field(14), field(17));
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return false;
    }
    let rest = match rest {
        [b'.', fraction @ ..] => match fraction.split_at_checked(6) {
            Some((micros, rest)) if micros.iter().all(u8::is_ascii_digit) => rest,
            _ => return false,
        },
        _ => rest,
    };
    match rest {
        [] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
                && (*h1 - b'0') * 10 + (*h2 - b'0') < 24
                && (*m1 - b'0') * 10 + (*m2 - b'0') < 60
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{never_panics, pairs, reader_test_helpers};
    use super::*;

    reader_test_helpers!(read);

    const CHOICES: Outcome = Outcome::Choices { revision: None };

    /// The package's documented example (`docs/concept.rst`), as the browser
    /// sends it back: quoted, and with the offset an aware datetime has.
    const DOCS: &str = "\"optional=-1|social=2013-06-04T03:17:01.421395+00:00\"";
    /// All declined.
    const DECLINED: &str = "\"analytics=-1|marketing=-1|social=-1\"";
    /// Accepted, with whole-second timestamps, a naive one (no `USE_TZ`),
    /// and a group with no cookies.
    const ACCEPTED: &str =
        "\"analytics=2024-02-29T23:59:59+00:00|marketing=2024-03-01T08:00:00.000001|empty-group=\"";
    /// One accepted, one declined, unquoted (an upstream that unwrapped it).
    const PARTIAL: &str = "statistics=2025-06-30T12:34:56.123456+02:00|ads_v2=-1";
    const SAMPLES: [&str; 4] = [DOCS, DECLINED, ACCEPTED, PARTIAL];

    #[test]
    fn real_values() {
        assert_eq!(
            run(DOCS),
            (CHOICES, pairs(&[("optional", false), ("social", true)]))
        );
        assert_eq!(
            run(DECLINED),
            (
                CHOICES,
                pairs(&[
                    ("analytics", false),
                    ("marketing", false),
                    ("social", false)
                ])
            )
        );
        assert_eq!(
            run(ACCEPTED),
            (
                CHOICES,
                pairs(&[
                    ("analytics", true),
                    ("marketing", true),
                    ("empty-group", true)
                ])
            )
        );
        assert_eq!(
            run(PARTIAL),
            (CHOICES, pairs(&[("statistics", true), ("ads_v2", false)]))
        );
        // The docs' naive form, unquoted.
        assert_eq!(
            run("optional=-1|social=2013-06-04T03:17:01.421395"),
            (CHOICES, pairs(&[("optional", false), ("social", true)]))
        );
    }

    #[test]
    fn empty_is_not_set() {
        // An empty dict serialises to `""`.
        assert_eq!(outcome("\"\""), Outcome::NotSet);
        assert_eq!(outcome(""), Outcome::NotSet);
    }

    #[test]
    fn unrelated_values_under_the_same_name_are_malformed() {
        for bad in [
            "true",
            "granted|denied",
            "all",
            "1",
            "yes",
            "{\"analytics\":true}",
        ] {
            assert_eq!(outcome(bad), Outcome::Malformed, "{bad}");
        }
    }

    #[test]
    fn pairs_are_strict() {
        for bad in [
            "a=-1|",
            "|a=-1",
            "a=-1||b=-1",
            "=-1",
            "a",
            "a=-1=2",
            "a b=-1",
            "a.b=-1",
            "a=-2",
            "a=0",
            "a=--1",
            "a=-1 |b=-1",
            "a=yes",
        ] {
            assert_eq!(outcome(bad), Outcome::Malformed, "{bad}");
        }
    }

    #[test]
    fn timestamps_are_validated() {
        for good in [
            "2013-06-04T03:17:01",
            "2013-06-04T03:17:01.421395",
            "2013-06-04T03:17:01+00:00",
            "2013-06-04T03:17:01-05:30",
            "2013-06-04T03:17:01.000001+14:00",
        ] {
            assert!(is_isoformat(good.as_bytes()), "{good}");
            assert_eq!(outcome(&format!("a={good}")), CHOICES, "{good}");
        }
        for bad in [
            "2013-06-04",
            "2013-06-04 03:17:01",
            "2013-06-04T03:17:01Z",
            "2013-06-04T03:17:01.42",
            "2013-06-04T03:17:01.4213951",
            "2013-06-04T03:17:01.",
            "2013-06-04T03:17:01+00",
            "2013-06-04T03:17:01+00:0",
            "2013-06-04T03:17:01+0000",
            "2013-06-04T03:17:01+24:00",
            "2013-13-04T03:17:01",
            "2013-00-04T03:17:01",
            "2013-06-32T03:17:01",
            "2013-06-04T24:17:01",
            "2013-06-04T03:60:01",
            "2013-06-04T03:17:60",
            "2013-06-04T03:17:0a",
            "+2013-06-04T03:17:01",
        ] {
            assert!(!is_isoformat(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn backslashes_and_stray_quotes_are_malformed() {
        // Python would write `\054` for a `,`; none is ever needed.
        assert_eq!(outcome("\"a=-1\\054b=-1\""), Outcome::Malformed);
        assert_eq!(outcome("\"a=-1|b=\\\"x\\\"\""), Outcome::Malformed);
        assert_eq!(outcome("\"a=-1"), Outcome::Malformed);
        assert_eq!(outcome("a=-1\""), Outcome::Malformed);
    }

    #[test]
    fn truncated_values_are_malformed() {
        // Every cut of the quoted documented value loses its closing quote.
        for end in 1..DOCS.len() {
            assert_eq!(
                outcome(&DOCS[..end]),
                Outcome::Malformed,
                "{}",
                &DOCS[..end]
            );
        }
        // Unquoted cuts: right after a complete pair, in the timestamp.
        let unquoted = PARTIAL;
        assert_eq!(
            outcome(&unquoted[..unquoted.find('|').unwrap() + 1]),
            Outcome::Malformed
        );
        assert_eq!(
            outcome("statistics=2025-06-30T12:34:56.12"),
            Outcome::Malformed
        );
        assert_eq!(outcome("statistics=2025-06-30T12:3"), Outcome::Malformed);
        assert_eq!(
            outcome("statistics=2025-06-30T12:34:56.123456+02:0"),
            Outcome::Malformed
        );
        assert_eq!(
            outcome("statistics=2025-06-30T12:34:56.123456+"),
            Outcome::Malformed
        );
        assert_eq!(outcome("ads_v2=-"), Outcome::Malformed);
        assert_eq!(outcome("ads_v2"), Outcome::Malformed);
    }

    #[test]
    fn encoded_values_are_malformed() {
        // The package never percent-encodes; an encoded value is not its own.
        assert_eq!(outcome("optional%3D-1%7Csocial%3D-1"), Outcome::Malformed);
        assert_eq!(outcome("optional=-1%7Csocial=-1"), Outcome::Malformed);
        assert_eq!(outcome("optional%253D-1"), Outcome::Malformed);
    }

    #[test]
    fn non_ascii_and_oversized_are_malformed() {
        assert_eq!(run_bytes(b"caf\xc3\xa9=-1").0, Outcome::Malformed);
        assert_eq!(run_bytes(b"a=-1|\xff=-1").0, Outcome::Malformed);
        let mut at_limit = "g=-1|".repeat(818);
        at_limit.push_str("xxx=-1");
        assert_eq!(at_limit.len(), 4096);
        assert_eq!(outcome(&at_limit), CHOICES);
        assert_eq!(outcome(&format!("x{at_limit}")), Outcome::Malformed);
    }

    #[test]
    fn never_panics_on_mutations() {
        never_panics(&mut read_only, &SAMPLES);
    }
}
