//! GOV.UK's `cookies_policy` cookie, and GOV.UK One Login's use of
//! `cookies_preferences_set`.
//!
//! GOV.UK's publishing components write `'cookies_policy=' +
//! JSON.stringify(consent)` without encoding it, for example
//! `{"essential":true,"settings":false,"usage":false,"campaigns":false}`, and
//! read it with `decodeURIComponent` before `JSON.parse`
//! (alphagov/govuk_publishing_components @c451fbe,
//! `app/assets/javascripts/govuk_publishing_components/lib/cookie-functions.js`,
//! `setConsentCookie`, `getCookie`), so both the raw and the encoded form
//! occur. Other government services reuse the name with their own keys
//! (`analytics`, `apm`, `additional`, a `version` number).
//!
//! The classic `cookies_preferences_set=true` only says the banner was
//! answered. GOV.UK One Login stores the choice itself there instead:
//! `encodeURIComponent(JSON.stringify({analytics: bool}))`, and grants only
//! on `analytics === true` (govuk-one-login/govuk-one-login-frontend @74aadd5,
//! `packages/frontend-analytics/src/cookie/cookie.ts`).

use super::super::json::Value;
use super::{emit_json_name, json_object_members, prepare, Outcome};

/// Reads a `cookies_policy` value: every member is reported, granted only
/// when it is `true` (a number, string or `null` grants nothing, as in One
/// Login's strict check).
///
/// Malformed unless it is one JSON object. GOV.UK's reader would also
/// `JSON.parse` a JSON string holding the object a second time; that
/// fallback came from its own test fixtures and is not accepted here.
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    read_object(value, emit)
}

/// Reads a `cookies_preferences_set` value as GOV.UK One Login writes it
/// (`%7B%22analytics%22%3Atrue%7D`). The classic value `true` (or `false`)
/// is only a "banner answered" marker and records no choice here
/// ([`Outcome::NotSet`]); the choice is then in `cookies_policy`.
pub(crate) fn read_preferences_set(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    if value == b"true" || value == b"false" {
        return Outcome::NotSet;
    }
    read_object(value, emit)
}

fn read_object(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    json_object_members(value, |name, value| {
        emit_json_name(name, matches!(value, Value::True), emit)
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        assert_cuts_malformed, collect, encode_uri_component, never_panics, pairs,
        reader_test_helpers,
    };
    use super::*;

    reader_test_helpers!(read);

    fn run_set(value: &str) -> (Outcome, Vec<(String, bool)>) {
        collect(|emit| read_preferences_set(value.as_bytes(), &mut |n: &[u8], g| emit(n, g)))
    }

    const CHOICES: Outcome = Outcome::Choices { revision: None };

    /// The default the components write (essential only), raw.
    const DEFAULT: &str = r#"{"essential":true,"settings":false,"usage":false,"campaigns":false}"#;
    /// `approveAllCookieTypes`, raw.
    const ALL: &str = r#"{"essential":true,"settings":true,"usage":true,"campaigns":true}"#;
    /// Captured shapes from other services: other keys, and URL-encoded.
    const APM: &str = r#"{"essential":true,"analytics":false,"apm":false}"#;
    const USAGE_ENCODED: &str = "%7B%22essential%22%3Atrue%2C%22usage%22%3Atrue%7D";
    const ADDITIONAL: &str = r#"{"essential":true,"additional":true}"#;
    /// GOV.UK One Login's `cookies_preferences_set`, verbatim.
    const ONE_LOGIN: &str = "%7B%22analytics%22%3Atrue%7D";
    const SAMPLES: [&str; 6] = [DEFAULT, ALL, APM, USAGE_ENCODED, ADDITIONAL, ONE_LOGIN];

    #[test]
    fn real_values() {
        assert_eq!(
            run(DEFAULT),
            (
                CHOICES,
                pairs(&[
                    ("essential", true),
                    ("settings", false),
                    ("usage", false),
                    ("campaigns", false),
                ])
            )
        );
        assert_eq!(
            run(ALL),
            (
                CHOICES,
                pairs(&[
                    ("essential", true),
                    ("settings", true),
                    ("usage", true),
                    ("campaigns", true),
                ])
            )
        );
        assert_eq!(
            run(APM),
            (
                CHOICES,
                pairs(&[("essential", true), ("analytics", false), ("apm", false)])
            )
        );
        assert_eq!(
            run(USAGE_ENCODED),
            (CHOICES, pairs(&[("essential", true), ("usage", true)]))
        );
        assert_eq!(
            run(ADDITIONAL),
            (CHOICES, pairs(&[("essential", true), ("additional", true)]))
        );
        // The encoded form of every raw one reads the same.
        for raw in [DEFAULT, ALL, APM, ADDITIONAL] {
            assert_eq!(run(&encode_uri_component(raw)), run(raw));
        }
    }

    #[test]
    fn one_login_preferences_set() {
        assert_eq!(run_set(ONE_LOGIN), (CHOICES, pairs(&[("analytics", true)])));
        assert_eq!(
            run_set("%7B%22analytics%22%3Afalse%7D"),
            (CHOICES, pairs(&[("analytics", false)]))
        );
        assert_eq!(run_set("true"), (Outcome::NotSet, vec![]));
        assert_eq!(run_set("false").0, Outcome::NotSet);
        assert_eq!(run_set("").0, Outcome::NotSet);
        assert_eq!(run_set("yes").0, Outcome::Malformed);
        assert_eq!(run_set("%7B%22analytics%22%3Atrue").0, Outcome::Malformed);
        // `cookies_policy` has no marker value.
        assert_eq!(outcome("true"), Outcome::Malformed);
    }

    #[test]
    fn only_true_grants() {
        assert_eq!(
            run(
                r#"{"essential":true,"usage":1,"settings":"true","campaigns":null,"version":2,"x":{"y":true}}"#
            ),
            (
                CHOICES,
                pairs(&[
                    ("essential", true),
                    ("usage", false),
                    ("settings", false),
                    ("campaigns", false),
                    ("version", false),
                    ("x", false),
                ])
            )
        );
        assert_eq!(run("{}"), (CHOICES, vec![]));
        // A later duplicate is reported too, so a `false` wins.
        assert_eq!(
            run(r#"{"usage":true,"usage":"x"}"#).1,
            pairs(&[("usage", true), ("usage", false)])
        );
    }

    #[test]
    fn what_is_malformed() {
        for bad in [
            r#""{\"essential\":true,\"usage\":true}""#,
            r#"["usage"]"#,
            "usage",
            r#"{"usage":true"#,
            r#"{"usage":true,}"#,
            r#"{"\udc00":true}"#,
            r#"{usage:true}"#,
        ] {
            assert_eq!(outcome(bad), Outcome::Malformed, "{bad}");
        }
    }

    #[test]
    fn truncated_values_are_malformed() {
        assert_cuts_malformed(outcome, &[DEFAULT, ALL, APM, USAGE_ENCODED, ADDITIONAL]);
        let cut = DEFAULT.find(r#","usage""#).unwrap();
        assert_eq!(outcome(&DEFAULT[..cut]), Outcome::Malformed);
        assert_eq!(outcome(&DEFAULT[..=cut]), Outcome::Malformed);
    }

    #[test]
    fn encoded_twice_is_malformed() {
        let twice = encode_uri_component(&encode_uri_component(DEFAULT));
        assert_eq!(outcome(&twice), Outcome::Malformed);
        assert_eq!(
            outcome(&USAGE_ENCODED.replace('%', "%25")),
            Outcome::Malformed
        );
        assert_eq!(
            outcome(&encode_uri_component(r#"{"us%61ge":true}"#)),
            Outcome::Malformed
        );
        // A raw value with a broken escape fails as `decodeURIComponent` does.
        assert_eq!(
            outcome(r#"{"usage":true,"note":"100%"}"#),
            Outcome::Malformed
        );
    }

    #[test]
    fn non_utf8_and_oversized_are_malformed() {
        let mut raw = br#"{"essential":true,""#.to_vec();
        raw.extend_from_slice(b"\xc3\":true}");
        let got = collect(|emit| read(&raw, &mut |n: &[u8], g| emit(n, g)));
        assert_eq!(got.0, Outcome::Malformed);
        assert_eq!(outcome("%7B%22%FF%22%3Atrue%7D"), Outcome::Malformed);
        let head = r#"{"essential":true,"x":""#;
        let pad = 4096 - head.len() - 2;
        let at_limit = format!("{head}{}\"}}", "a".repeat(pad));
        assert_eq!(at_limit.len(), 4096);
        assert_eq!(outcome(&at_limit), CHOICES);
        assert_eq!(
            outcome(&format!("{head}{}\"}}", "a".repeat(pad + 1))),
            Outcome::Malformed
        );
    }

    #[test]
    fn never_panics_on_mutations() {
        let mut set_only = |value: &[u8]| read_preferences_set(value, &mut |_: &[u8], _| {});
        never_panics(&mut read_only, &SAMPLES);
        never_panics(&mut set_only, &SAMPLES);
    }
}
