//! Cookiebot's `CookieConsent` cookie.
//!
//! The value is a JavaScript object literal, not JSON: keys are unquoted and
//! strings are in single quotes. On the wire only `'` and `,` are
//! percent-encoded (`%27`, `%2C`); `{`, `}`, `:` and the base64 stamp's `+`,
//! `/` and `=` stay raw:
//!
//! ```text
//! {stamp:%27-1%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:true%2Cmarketing:true%2Cmethod:%27implied%27%2Cver:1%2Cutc:1773406331342%2Cregion:%27VN%27}
//! ```
//!
//! The four category keys are booleans, `ver` is the consent revision, and
//! the rest (`method`, `utc`, `region`, and with TCF `iab2` and `gacm`) is
//! bookkeeping. The whole value `-1` means the visitor is outside a region
//! that requires consent (Cookiebot's server-side example, as quoted in
//! umbraco/UmbracoDocs @249ba03,
//! `13/umbraco-engage/security-and-privacy/gdpr/how-to-become-gdpr-compliant-using-cookiebot.md`).
//! Cookiebot publishes no source for its banner; the grammar below is the
//! one every captured value follows, and anything outside it is malformed.

use super::{emit_name, is_text, parse_revision, prepare, Outcome, MAX_VALUE_LEN};
use crate::consent::percent;

/// The category keys, each reported with its boolean.
const CATEGORIES: [&[u8]; 4] = [b"necessary", b"preferences", b"statistics", b"marketing"];

/// Reads a `CookieConsent` value.
///
/// Malformed unless it is one object literal with a `stamp` string and all
/// four category booleans, each at most once; `ver`, when present, must be a
/// non-negative integer. Unknown keys may hold a string, a boolean or a
/// number. No whitespace: Cookiebot writes none.
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    if value == b"-1" {
        return Outcome::Unregulated;
    }
    let mut buf = [0u8; MAX_VALUE_LEN];
    let Some(len) = percent::decode_into(value, &mut buf) else {
        return Outcome::Malformed;
    };
    let text = &buf[..len];
    // A `%XX` left after the decoding: encoded twice.
    if percent::has_escape(text) || !is_text(text) {
        return Outcome::Malformed;
    }
    parse(text, emit).unwrap_or(Outcome::Malformed)
}

/// Which keys a record must, or may only once, carry.
const STAMP: u8 = 1 << 4;
const VER: u8 = 1 << 5;
const REQUIRED: u8 = 0b1111 | STAMP;

fn parse(text: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Option<Outcome> {
    let mut rest = text.strip_prefix(b"{")?.strip_suffix(b"}")?;
    let mut seen = 0u8;
    let mut revision = None;
    loop {
        let colon = rest.iter().position(|&b| b == b':')?;
        let key = &rest[..colon];
        if !is_identifier(key) {
            return None;
        }
        let (value, tail) = literal(&rest[colon + 1..])?;
        let bit = if let Some(index) = CATEGORIES.iter().position(|c| *c == key) {
            let granted = match value {
                Literal::Bool(granted) => granted,
                _ => return None,
            };
            emit_name(key, granted, emit);
            1 << index
        } else if key == b"stamp" {
            if !matches!(value, Literal::Str) {
                return None;
            }
            STAMP
        } else if key == b"ver" {
            match value {
                Literal::Number(digits) => revision = Some(parse_revision(digits)?),
                _ => return None,
            }
            VER
        } else {
            0
        };
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        match tail {
            [] => break,
            [b',', next @ ..] if !next.is_empty() => rest = next,
            _ => return None,
        }
    }
    (seen & REQUIRED == REQUIRED).then_some(Outcome::Choices { revision })
}

/// A JavaScript identifier as Cookiebot writes keys: ASCII letters, digits,
/// `_` and `$`, not starting with a digit.
fn is_identifier(key: &[u8]) -> bool {
    match key {
        [first, ..] if !first.is_ascii_digit() => key
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$'),
        _ => false,
    }
}

enum Literal<'a> {
    Bool(bool),
    /// `-?[0-9]+(\.[0-9]+)?`, as written.
    Number(&'a [u8]),
    Str,
}

/// The literal at the start of `input`, and what follows it.
fn literal(input: &[u8]) -> Option<(Literal<'_>, &[u8])> {
    if let Some(tail) = input.strip_prefix(b"true") {
        return Some((Literal::Bool(true), tail));
    }
    if let Some(tail) = input.strip_prefix(b"false") {
        return Some((Literal::Bool(false), tail));
    }
    if let Some(body) = input.strip_prefix(b"'") {
        // No escapes: a stamp is base64, a region or a TC string is plain.
        let end = body.iter().position(|&b| b == b'\'' || b == b'\\')?;
        if body[end] != b'\'' {
            return None;
        }
        return Some((Literal::Str, &body[end + 1..]));
    }
    let sign = usize::from(input.first() == Some(&b'-'));
    let int = digits(&input[sign..]);
    if int == 0 {
        return None;
    }
    let mut end = sign + int;
    if input.get(end) == Some(&b'.') {
        let frac = digits(&input[end + 1..]);
        if frac == 0 {
            return None;
        }
        end += 1 + frac;
    }
    Some((Literal::Number(&input[..end]), &input[end..]))
}

fn digits(input: &[u8]) -> usize {
    input.iter().take_while(|b| b.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{never_panics, pairs, reader_test_helpers};
    use super::*;

    reader_test_helpers!(read);

    /// Captured values, verbatim: explicit with `method`, implied, and one
    /// from before `method` existed.
    const EXPLICIT_RU: &str = "{stamp:%275XvNCDJGCujZq3P+mpjU/gKpkCZau9OYdHlZohdrljwkFbdlC+p4Qw==%27%2Cnecessary:true%2Cpreferences:false%2Cstatistics:false%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:3%2Cutc:1750423015309%2Cregion:%27ru%27}";
    const IMPLIED_VN: &str = "{stamp:%27-1%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:true%2Cmarketing:true%2Cmethod:%27implied%27%2Cver:1%2Cutc:1773406331342%2Cregion:%27VN%27}";
    const NO_METHOD_GB: &str = "{stamp:%27oJ35SLjkzW4RaUoGqC9nv0TjIDn9KP4raUYB5i2R9p0pT/40h2LtBg==%27%2Cnecessary:true%2Cpreferences:false%2Cstatistics:false%2Cmarketing:false%2Cver:1%2Cutc:1666875104776%2Cregion:%27gb%27}";
    /// A captured value (region `us-06`) with two categories switched off.
    const PARTIAL_US: &str = "{stamp:%27+yZyYWeAvJPaiaxvaR/rFdh6jIwY2YpMWGBw7kwEbg0cOBpDvB8wCA==%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:false%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:2%2Cutc:1755244978679%2Cregion:%27us-06%27}";
    /// Shaped like a captured value with TCF (the TC string and Google's
    /// additional-consent string ride along); `gacm` shortened.
    const WITH_TCF: &str = "{stamp:%27ALwlL4byOChi7fogrtFyNc54Vru1aALhfZsUHdzXartA1rx9BIvH+g==%27%2Cnecessary:true%2Cpreferences:false%2Cstatistics:false%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:1%2Cutc:1707240048272%2Ciab2:%27CP5jqEAP5jqEACGABBENAmEgAAAAAAAAAAAAAAAAAAAA.YAAAAAAAAAAA%27%2Cgacm:%272~AA==fmR2Lg==AAAAAAAAAABCAABAAAgAIAAABAAAAAAACAAAAAAAAAAQ%27%2Cregion:%27de%27}";
    const SAMPLES: [&str; 5] = [EXPLICIT_RU, IMPLIED_VN, NO_METHOD_GB, PARTIAL_US, WITH_TCF];

    fn four(
        necessary: bool,
        preferences: bool,
        statistics: bool,
        marketing: bool,
    ) -> Vec<(String, bool)> {
        pairs(&[
            ("necessary", necessary),
            ("preferences", preferences),
            ("statistics", statistics),
            ("marketing", marketing),
        ])
    }

    #[test]
    fn real_values() {
        assert_eq!(
            run(EXPLICIT_RU),
            (
                Outcome::Choices { revision: Some(3) },
                four(true, false, false, false)
            )
        );
        assert_eq!(
            run(IMPLIED_VN),
            (
                Outcome::Choices { revision: Some(1) },
                four(true, true, true, true)
            )
        );
        assert_eq!(
            run(NO_METHOD_GB),
            (
                Outcome::Choices { revision: Some(1) },
                four(true, false, false, false)
            )
        );
        assert_eq!(
            run(PARTIAL_US),
            (
                Outcome::Choices { revision: Some(2) },
                four(true, true, false, false)
            )
        );
        assert_eq!(
            run(WITH_TCF),
            (
                Outcome::Choices { revision: Some(1) },
                four(true, false, false, false)
            )
        );
    }

    #[test]
    fn minus_one_is_unregulated() {
        assert_eq!(run("-1"), (Outcome::Unregulated, vec![]));
        assert_eq!(outcome("\"-1\""), Outcome::Unregulated);
        assert_eq!(outcome(" -1 "), Outcome::Unregulated);
        for other in ["-2", "1", "-1-1", "%2D1", "-10", "0"] {
            assert_eq!(outcome(other), Outcome::Malformed, "{other}");
        }
    }

    #[test]
    fn empty_is_not_set() {
        assert_eq!(outcome(""), Outcome::NotSet);
        assert_eq!(outcome("\"\""), Outcome::NotSet);
    }

    #[test]
    fn raw_quotes_and_commas_read_too() {
        // A server that stored the decoded form: the same record.
        let decoded =
            "{stamp:'-1',necessary:true,preferences:false,statistics:true,marketing:false,ver:4}";
        assert_eq!(
            run(decoded),
            (
                Outcome::Choices { revision: Some(4) },
                four(true, false, true, false)
            )
        );
        // Lower-case escapes decode as well.
        let lower = IMPLIED_VN.replace("%2C", "%2c");
        assert_eq!(outcome(&lower), Outcome::Choices { revision: Some(1) });
    }

    #[test]
    fn ver_is_optional_but_must_be_an_integer() {
        let base =
            "{stamp:%27x%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:true%2Cmarketing:true";
        assert_eq!(
            outcome(&format!("{base}}}")),
            Outcome::Choices { revision: None }
        );
        assert_eq!(
            outcome(&format!("{base}%2Cver:0}}")),
            Outcome::Choices { revision: Some(0) }
        );
        for bad in [
            "ver:-1",
            "ver:1.5",
            "ver:%271%27",
            "ver:true",
            "ver:1%2Cver:2",
        ] {
            assert_eq!(
                outcome(&format!("{base}%2C{bad}}}")),
                Outcome::Malformed,
                "{bad}"
            );
        }
    }

    #[test]
    fn required_keys_and_types() {
        let full = [
            "stamp:%27x%27",
            "necessary:true",
            "preferences:false",
            "statistics:true",
            "marketing:false",
        ];
        let join = |parts: &[&str]| format!("{{{}}}", parts.join("%2C"));
        assert_eq!(outcome(&join(&full)), Outcome::Choices { revision: None });
        // Any one missing.
        for skip in 0..full.len() {
            let mut parts = full.to_vec();
            parts.remove(skip);
            assert_eq!(
                outcome(&join(&parts)),
                Outcome::Malformed,
                "without {}",
                full[skip]
            );
        }
        // Any one twice.
        for twice in 0..full.len() {
            let mut parts = full.to_vec();
            parts.push(full[twice]);
            assert_eq!(
                outcome(&join(&parts)),
                Outcome::Malformed,
                "twice {}",
                full[twice]
            );
        }
        // Wrong types.
        for (at, bad) in [
            (0, "stamp:1"),
            (0, "stamp:true"),
            (1, "necessary:%27true%27"),
            (2, "preferences:1"),
            (3, "statistics:null"),
            (4, "marketing:False"),
        ] {
            let mut parts = full.to_vec();
            parts[at] = bad;
            assert_eq!(outcome(&join(&parts)), Outcome::Malformed, "{bad}");
        }
        // Unknown keys may carry any literal.
        let mut parts = full.to_vec();
        parts.extend([
            "utc:1698057791350",
            "x:-1.5",
            "y:false",
            "z:%27%27",
            "$a_1:0",
        ]);
        assert_eq!(outcome(&join(&parts)), Outcome::Choices { revision: None });
    }

    #[test]
    fn syntax_outside_the_grammar_is_malformed() {
        for bad in [
            "{}",
            "{stamp:'x' ,necessary:true,preferences:true,statistics:true,marketing:true}",
            "{ stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true}",
            "{stamp:'x',necessary: true,preferences:true,statistics:true,marketing:true}",
            "{'stamp':'x',necessary:true,preferences:true,statistics:true,marketing:true}",
            "{\"stamp\":\"x\",\"necessary\":true,\"preferences\":true,\"statistics\":true,\"marketing\":true}",
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true,}",
            "{stamp:'x',,necessary:true,preferences:true,statistics:true,marketing:true}",
            "{stamp:'x\\'',necessary:true,preferences:true,statistics:true,marketing:true}",
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true,1a:1}",
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true,a:01.}",
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true,a:-}",
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true,a}",
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true}}",
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true}x",
            "stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true",
            "{stamp:'x'%2C+necessary:true%2Cpreferences:true%2Cstatistics:true%2Cmarketing:true}",
            "mandatory|osm",
        ] {
            assert_eq!(outcome(bad), Outcome::Malformed, "{bad}");
        }
    }

    #[test]
    fn truncated_values_are_malformed() {
        for value in SAMPLES {
            for end in 0..value.len() {
                let got = outcome(&value[..end]);
                assert!(
                    matches!(got, Outcome::Malformed | Outcome::NotSet),
                    "{:?} -> {got:?}",
                    &value[..end]
                );
            }
        }
        // Right after a complete pair, and in the middle of an escape.
        let cut = IMPLIED_VN.find("%2Cmarketing").unwrap();
        assert_eq!(outcome(&IMPLIED_VN[..cut]), Outcome::Malformed);
        assert_eq!(outcome(&IMPLIED_VN[..cut + 3]), Outcome::Malformed);
        assert_eq!(outcome(&IMPLIED_VN[..cut + 2]), Outcome::Malformed);
        assert_eq!(
            outcome(&format!("{}}}", &IMPLIED_VN[..cut])),
            Outcome::Malformed
        );
    }

    #[test]
    fn encoded_twice_is_malformed() {
        for value in SAMPLES {
            let twice = value.replace('%', "%25");
            assert_eq!(outcome(&twice), Outcome::Malformed, "{twice}");
            // Only one separator encoded twice.
            let once = value.replacen("%2C", "%252C", 1);
            assert_eq!(outcome(&once), Outcome::Malformed, "{once}");
        }
        // Fully encodeURIComponent'd, then read: `{` and `:` decode too.
        let full = super::super::test_support::encode_uri_component(
            "{stamp:'-1',necessary:true,preferences:true,statistics:true,marketing:true}",
        );
        assert_eq!(outcome(&full), Outcome::Choices { revision: None });
        let full_twice = full.replace('%', "%25");
        assert_eq!(outcome(&full_twice), Outcome::Malformed);
    }

    #[test]
    fn non_utf8_and_oversized_are_malformed() {
        let base =
            "{stamp:'x',necessary:true,preferences:true,statistics:true,marketing:true,region:'";
        let mut raw = base.as_bytes().to_vec();
        raw.extend_from_slice(b"\xff'}");
        assert_eq!(run_bytes(&raw).0, Outcome::Malformed);
        assert_eq!(outcome(&format!("{base}%FF'}}")), Outcome::Malformed);
        assert_eq!(
            outcome(&format!("{base}%C3%A9'}}")),
            Outcome::Choices { revision: None }
        );
        let pad = 4096 - base.len() - 2;
        let at_limit = format!("{base}{}'}}", "a".repeat(pad));
        assert_eq!(at_limit.len(), 4096);
        assert_eq!(outcome(&at_limit), Outcome::Choices { revision: None });
        let over = format!("{base}{}'}}", "a".repeat(pad + 1));
        assert_eq!(outcome(&over), Outcome::Malformed);
    }

    #[test]
    fn never_panics_on_mutations() {
        never_panics(&mut read_only, &SAMPLES);
        never_panics(&mut read_only, &["-1"]);
    }
}
