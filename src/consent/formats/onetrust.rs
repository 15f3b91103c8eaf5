//! OneTrust's (and CookiePro's) `OptanonConsent` cookie.
//!
//! The value is an `application/x-www-form-urlencoded` string of
//! `key=value` fields joined by `&`, in which `+` is a space:
//!
//! ```text
//! isGpcEnabled=0&datestamp=Mon+Apr+07+2025+18%3A20%3A29+GMT%2B0200&version=202312.1.0&...&groups=C0001%3A1%2CC0002%3A0%2CV2STACK42%3A0&geolocation=FR%3B&AwaitingReconsent=false
//! ```
//!
//! Only `groups` decides. Decoded once, it is a `,`-separated list of
//! `ID:1` (consent) or `ID:0` (none), in any order. The default ids are
//! `C0001` (strictly necessary) to `C0005`; sites add their own (`C0035`),
//! bundles (`BG36`), IAB stacks (`V2STACK42`, `STACK42`), and older
//! configurations use plain numbers (`1`, `2`). OneTrust publishes no source
//! for its banner; these rules follow values captured from real requests.
//! Other fields are not decoded: some carry text encoded twice on purpose
//! (`landingPath` holds a URL with its own escapes).

use super::{emit_name, is_text, prepare, Outcome, MAX_VALUE_LEN};
use crate::consent::percent;

/// Reads an `OptanonConsent` value.
///
/// An empty `groups=` records no choice ([`Outcome::NotSet`]); no `groups`
/// field at all, or two of them, is malformed, and so is an empty field
/// (`&&`, a trailing `&`: a cut value) or one without `=`.
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    if !is_text(value) {
        return Outcome::Malformed;
    }
    let mut groups = None;
    for field in value.split(|&b| b == b'&') {
        let Some(eq) = field.iter().position(|&b| b == b'=') else {
            return Outcome::Malformed;
        };
        let (key, rest) = field.split_at(eq);
        if key.is_empty() {
            return Outcome::Malformed;
        }
        if key == b"groups" {
            if groups.is_some() {
                return Outcome::Malformed;
            }
            groups = Some(&rest[1..]);
        }
    }
    match groups {
        None => Outcome::Malformed,
        Some([]) => Outcome::NotSet,
        Some(groups) => read_groups(groups, emit),
    }
}

/// `C0001%3A1%2CC0002%3A0`, form-decoded once.
fn read_groups(groups: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let mut buf = [0u8; MAX_VALUE_LEN];
    let Some(len) = percent::decode_form_into(groups, &mut buf) else {
        return Outcome::Malformed;
    };
    let groups = &buf[..len];
    if percent::has_escape(groups) {
        return Outcome::Malformed;
    }
    for entry in groups.split(|&b| b == b',') {
        let granted = match entry {
            [id @ .., b':', b'1'] => (id, true),
            [id @ .., b':', b'0'] => (id, false),
            // Empty (`,,` or a trailing `,`: cut), no flag, or a flag that
            // is not 0 or 1.
            _ => return Outcome::Malformed,
        };
        let (id, granted) = granted;
        if id.is_empty() || !id.iter().copied().all(is_id_byte) {
            return Outcome::Malformed;
        }
        emit_name(id, granted, emit);
    }
    Outcome::Choices { revision: None }
}

/// Group ids seen: `C0001`, `BG36`, `V2STACK42`, `SPD_BG`, `2`.
fn is_id_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{never_panics, pairs, reader_test_helpers};
    use super::*;

    reader_test_helpers!(read);

    const CHOICES: Outcome = Outcome::Choices { revision: None };

    /// Captured, verbatim: necessary only, 2025, with custom groups and the
    /// `genVendors` field (whose list ends with a `,`).
    const REJECT_FR: &str = "isGpcEnabled=0&datestamp=Sun+Apr+06+2025+17%3A01%3A47+GMT%2B0200+(heure+d%E2%80%99%C3%A9t%C3%A9+d%E2%80%99Europe+centrale)&version=202312.1.0&browserGpcFlag=0&isIABGlobal=false&consentId=6f525989-ed1c-4c6d-9436-68dc67c35c54&interactionCount=18&hosts=&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A0%2CC0003%3A0%2CC0004%3A0%2CC0005%3A0%2CV2STACK42%3A0%2CC0015%3A0%2CC0035%3A0&genVendors=V2%3A0%2CV1%3A0%2C&geolocation=FR%3B&AwaitingReconsent=false";
    /// Captured, verbatim: everything accepted, groups out of order.
    const ACCEPT_TW: &str = "isGpcEnabled=0&datestamp=Tue+Oct+19+2021+11%3A31%3A41+GMT%2B0800+(%E5%8F%B0%E5%8C%97%E6%A8%99%E6%BA%96%E6%99%82%E9%96%93)&version=6.20.0&isIABGlobal=false&hosts=&consentId=0c737b02-e9a0-4211-a8f2-d5ba02e29d69&interactionCount=1&landingPath=NotLandingPage&groups=C0001%3A1%2CC0003%3A1%2CC0002%3A1%2CC0004%3A1&geolocation=TW%3BTPE&AwaitingReconsent=false";
    /// Captured, verbatim: numeric group ids and a `hosts` list.
    const NUMERIC_IDS: &str = "isGpcEnabled=0&datestamp=Fri+Oct+04+2024+09%3A21%3A41+GMT%2B0800+(Central+Indonesia+Time)&version=202311.1.0&browserGpcFlag=0&isIABGlobal=false&consentId=182dd905-9a27-42bb-a21f-c660fc251bf4&interactionCount=1&landingPath=NotLandingPage&groups=2%3A1%2C3%3A1%2C1%3A1%2C4%3A1%2CV2STACK42%3A1&hosts=H68%3A1%2CH39%3A1%2CH3%3A1&genVendors=&geolocation=%3B&AwaitingReconsent=false";
    /// Captured, verbatim: `groups` last, and a `landingPath` that holds
    /// escapes encoded twice (`%2520`), which is not ours to judge.
    const DECLINE_LAST: &str = "isGpcEnabled=0&datestamp=Wed+Jan+29+2025+10%3A05%3A33+GMT%2B0400+(Gulf+Standard+Time)&version=202409.1.0&browserGpcFlag=0&isIABGlobal=false&hosts=&consentId=9fddc8b1-c479-4b4f-a520-f5cab70c6cd6&interactionCount=1&isAnonUser=1&landingPath=https%3A%2F%2Fwww.spglobal.com%2Fen%2Fresearch-insights%2Fevents%2Ffeatured%23q%3D%26rows%3D20%26pagenum%3D1%26sort%3Des_event_start_date_dt%2520asc%26facets%3D%7B%2522es_event_end_date_dt%2522%3A%2522upcoming%2522%7D&groups=C0003%3A0%2CC0004%3A0%2CC0002%3A0%2CC0001%3A1";
    /// Shaped like OneTrust 6.x, which left `:` and `,` unencoded.
    const RAW_SEPARATORS: &str = "consentId=abc&datestamp=Mon+Jan+06+2020+10:00:00+GMT%2B0100&version=6.1.0&groups=C0001:1,C0002:1,C0003:0,C0004:0&AwaitingReconsent=false";
    const SAMPLES: [&str; 5] = [
        REJECT_FR,
        ACCEPT_TW,
        NUMERIC_IDS,
        DECLINE_LAST,
        RAW_SEPARATORS,
    ];

    #[test]
    fn real_values() {
        assert_eq!(
            run(REJECT_FR),
            (
                CHOICES,
                pairs(&[
                    ("C0001", true),
                    ("C0002", false),
                    ("C0003", false),
                    ("C0004", false),
                    ("C0005", false),
                    ("V2STACK42", false),
                    ("C0015", false),
                    ("C0035", false),
                ])
            )
        );
        assert_eq!(
            run(ACCEPT_TW),
            (
                CHOICES,
                pairs(&[
                    ("C0001", true),
                    ("C0003", true),
                    ("C0002", true),
                    ("C0004", true)
                ])
            )
        );
        assert_eq!(
            run(NUMERIC_IDS),
            (
                CHOICES,
                pairs(&[
                    ("2", true),
                    ("3", true),
                    ("1", true),
                    ("4", true),
                    ("V2STACK42", true)
                ])
            )
        );
        assert_eq!(
            run(DECLINE_LAST),
            (
                CHOICES,
                pairs(&[
                    ("C0003", false),
                    ("C0004", false),
                    ("C0002", false),
                    ("C0001", true)
                ])
            )
        );
        assert_eq!(
            run(RAW_SEPARATORS),
            (
                CHOICES,
                pairs(&[
                    ("C0001", true),
                    ("C0002", true),
                    ("C0003", false),
                    ("C0004", false)
                ])
            )
        );
    }

    #[test]
    fn empty_groups_is_not_set_and_missing_groups_is_malformed() {
        assert_eq!(outcome("isGpcEnabled=0&groups=&hosts="), Outcome::NotSet);
        assert_eq!(outcome("isGpcEnabled=0&groups="), Outcome::NotSet);
        assert_eq!(outcome("groups="), Outcome::NotSet);
        assert_eq!(outcome("isGpcEnabled=0&hosts=H1%3A1"), Outcome::Malformed);
        assert_eq!(
            outcome("isGpcEnabled=0&Groups=C0001%3A1"),
            Outcome::Malformed
        );
        assert_eq!(outcome(""), Outcome::NotSet);
    }

    #[test]
    fn groups_twice_is_malformed() {
        assert_eq!(
            outcome("groups=C0001%3A1&groups=C0002%3A1"),
            Outcome::Malformed
        );
        assert_eq!(outcome("groups=&groups=C0002%3A1"), Outcome::Malformed);
    }

    #[test]
    fn duplicate_ids_are_all_reported() {
        assert_eq!(
            run("groups=C0002%3A1%2CC0002%3A0"),
            (CHOICES, pairs(&[("C0002", true), ("C0002", false)]))
        );
    }

    #[test]
    fn fields_must_be_key_value() {
        for bad in [
            "groups=C0001%3A1&",
            "&groups=C0001%3A1",
            "a=1&&groups=C0001%3A1",
            "a&groups=C0001%3A1",
            "=1&groups=C0001%3A1",
        ] {
            assert_eq!(outcome(bad), Outcome::Malformed, "{bad}");
        }
        // `=` inside a value is the value's business.
        assert_eq!(outcome("a==&groups=C0001%3A1"), CHOICES);
    }

    #[test]
    fn group_entries_are_strict() {
        for bad in [
            "C0001",
            "C0001%3A",
            "C0001%3A2",
            "C0001%3Atrue",
            "C0001%3A10",
            "%3A1",
            "C0001%3A1%2C",
            "%2CC0001%3A1",
            "C0001%3A1%2C%2CC0002%3A0",
            "C00+01%3A1",
            "C0001%3A1%3A1",
            "C%C3%A9%3A1",
            "C0001%3A1%3",
            "C0001%3A1%",
        ] {
            assert_eq!(
                outcome(&format!("groups={bad}")),
                Outcome::Malformed,
                "{bad}"
            );
        }
        assert_eq!(
            run("groups=SPD_BG%3A1%2CBG36%3A0%2Cx.y-z%3A1"),
            (
                CHOICES,
                pairs(&[("SPD_BG", true), ("BG36", false), ("x.y-z", true)])
            )
        );
    }

    #[test]
    fn truncated_values_are_malformed() {
        // REJECT_FR cut right after `genVendors=...&`, as it was once quoted:
        // a trailing `&` is a cut.
        let cut = &REJECT_FR[..REJECT_FR.find("geolocation").unwrap()];
        assert!(cut.ends_with("%2C&"));
        assert_eq!(outcome(cut), Outcome::Malformed);
        // Inside `groups`: after a complete pair, in an escape, in a flag.
        let groups = DECLINE_LAST.find("groups=").unwrap() + "groups=".len();
        for extra in [
            "C0003%3A0%2C",
            "C0003%3A0%2",
            "C0003%3A0%",
            "C0003%3A",
            "C0003",
        ] {
            let value = format!("{}{extra}", &DECLINE_LAST[..groups]);
            assert_eq!(outcome(&value), Outcome::Malformed, "{extra}");
        }
        // Every prefix that ends inside the groups list, except exactly
        // after a flag, is malformed.
        let end = groups + DECLINE_LAST[groups..].len();
        for cut in groups + 1..end {
            let prefix = &DECLINE_LAST[..cut];
            let expected = if prefix.ends_with("%3A0") || prefix.ends_with("%3A1") {
                CHOICES
            } else {
                Outcome::Malformed
            };
            assert_eq!(outcome(prefix), expected, "{prefix}");
        }
    }

    #[test]
    fn encoded_twice_is_malformed() {
        assert_eq!(
            outcome("groups=C0001%253A1%252CC0002%253A0"),
            Outcome::Malformed
        );
        // The whole value encoded again: no `&` or `=` left to split on.
        let twice = super::super::test_support::encode_uri_component(ACCEPT_TW);
        assert_eq!(outcome(&twice), Outcome::Malformed);
    }

    #[test]
    fn non_utf8_and_oversized_are_malformed() {
        assert_eq!(run_bytes(b"a=\xff&groups=C0001%3A1").0, Outcome::Malformed);
        assert_eq!(outcome("groups=C0001%3A1%FF"), Outcome::Malformed);
        // A non-UTF-8 escape in another field is not ours to decode.
        assert_eq!(outcome("a=%FF&groups=C0001%3A1"), CHOICES);
        let head = "groups=C0001%3A1&pad=";
        let at_limit = format!("{head}{}", "x".repeat(4096 - head.len()));
        assert_eq!(outcome(&at_limit), CHOICES);
        let over = format!("{head}{}", "x".repeat(4097 - head.len()));
        assert_eq!(outcome(&over), Outcome::Malformed);
    }

    #[test]
    fn quoted_value_is_unwrapped() {
        assert_eq!(outcome(&format!("\"{ACCEPT_TW}\"")), CHOICES);
    }

    #[test]
    fn never_panics_on_mutations() {
        never_panics(&mut read_only, &SAMPLES);
    }
}
