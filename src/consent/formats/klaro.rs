//! Klaro's `klaro` cookie (the name is configurable: `storageName`, or the
//! older `cookieName`).
//!
//! The value is `encodeURIComponent(JSON.stringify(consents))`, a map of
//! service name to boolean, read back with
//! `JSON.parse(decodeURIComponent(value))` (klaro-org/klaro-js @6ccb353,
//! `src/consent-manager.js`, `saveConsents` and `loadConsents`). Purposes are
//! not stored: they live in the site's configuration.

use super::super::json::Value;
use super::{emit_json_name, json_object_members, prepare, Outcome};

/// Reads a `klaro` value: every service is reported with its boolean.
///
/// Malformed unless it is one JSON object whose values are all `true` or
/// `false`; Klaro writes nothing else there.
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    json_object_members(value, |name, value| match value {
        Value::True => emit_json_name(name, true, emit),
        Value::False => emit_json_name(name, false, emit),
        Value::Str(_) | Value::Other => false,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        assert_cuts_malformed, encode_uri_component, never_panics, pairs, reader_test_helpers,
    };
    use super::*;

    reader_test_helpers!(read);

    const CHOICES: Outcome = Outcome::Choices { revision: None };

    /// Captured, verbatim.
    const NECESSARY_ONLY: &str = "%7B%22necessary-cookies%22%3Atrue%2C%22preferences%22%3Afalse%2C%22google-analytics%22%3Afalse%2C%22google-ads%22%3Afalse%7D";
    /// Captured, verbatim.
    const CMS: &str = "%7B%22klaro%22%3Atrue%2C%22cms%22%3Atrue%2C%22adsense%22%3Afalse%2C%22youtube%22%3Afalse%2C%22twitter%22%3Afalse%2C%22matomo%22%3Afalse%7D";
    /// Everything accepted, as `saveConsents` writes it.
    const ALL: &str =
        "%7B%22matomo%22%3Atrue%2C%22youtube%22%3Atrue%2C%22google-fonts%22%3Atrue%7D";

    #[test]
    fn real_values() {
        assert_eq!(
            run(NECESSARY_ONLY),
            (
                CHOICES,
                pairs(&[
                    ("necessary-cookies", true),
                    ("preferences", false),
                    ("google-analytics", false),
                    ("google-ads", false),
                ])
            )
        );
        assert_eq!(
            run(CMS),
            (
                CHOICES,
                pairs(&[
                    ("klaro", true),
                    ("cms", true),
                    ("adsense", false),
                    ("youtube", false),
                    ("twitter", false),
                    ("matomo", false),
                ])
            )
        );
        assert_eq!(
            run(ALL),
            (
                CHOICES,
                pairs(&[("matomo", true), ("youtube", true), ("google-fonts", true)])
            )
        );
    }

    #[test]
    fn raw_json_reads_too() {
        // `decodeURIComponent` leaves raw JSON as it is.
        assert_eq!(
            run(r#"{"matomo":true,"youtube":false}"#),
            (CHOICES, pairs(&[("matomo", true), ("youtube", false)]))
        );
        assert_eq!(run("%7B%7D"), (CHOICES, vec![]));
    }

    #[test]
    fn names_are_decoded() {
        let value = encode_uri_component(r#"{"you\u0074ube":true,"caf\u00e9":false,"a/b":true}"#);
        assert_eq!(
            run(&value),
            (
                CHOICES,
                pairs(&[("youtube", true), ("caf\u{e9}", false), ("a/b", true)])
            )
        );
        let long = format!(r#"{{"{}":true,"x":false}}"#, "s".repeat(129));
        assert_eq!(run(&long), (CHOICES, pairs(&[("x", false)])));
    }

    #[test]
    fn non_boolean_values_are_malformed() {
        for bad in [
            r#"{"matomo":1}"#,
            r#"{"matomo":"true"}"#,
            r#"{"matomo":null}"#,
            r#"{"matomo":{"a":true}}"#,
            r#"{"matomo":[true]}"#,
            r#"{"matomo":true,"youtube":0}"#,
            r#"{"\ud800":true}"#,
            r#"[true]"#,
            "true",
            "matomo",
        ] {
            assert_eq!(outcome(bad), Outcome::Malformed, "{bad}");
            assert_eq!(
                outcome(&encode_uri_component(bad)),
                Outcome::Malformed,
                "{bad}"
            );
        }
    }

    #[test]
    fn duplicates_are_all_reported() {
        assert_eq!(
            run(r#"{"matomo":true,"matomo":false}"#),
            (CHOICES, pairs(&[("matomo", true), ("matomo", false)]))
        );
    }

    #[test]
    fn truncated_values_are_malformed() {
        assert_cuts_malformed(outcome, &[NECESSARY_ONLY, CMS, ALL]);
        // Right after a complete pair, decoded or not.
        let cut = CMS.find("%2C%22adsense").unwrap();
        assert_eq!(outcome(&CMS[..cut]), Outcome::Malformed);
        assert_eq!(outcome(&CMS[..cut + 3]), Outcome::Malformed);
        assert_eq!(outcome(r#"{"klaro":true,"cms":true,"#), Outcome::Malformed);
        assert_eq!(outcome(r#"{"klaro":true,"cms":tru}"#), Outcome::Malformed);
    }

    #[test]
    fn encoded_twice_is_malformed() {
        for value in [NECESSARY_ONLY, CMS, ALL] {
            assert_eq!(outcome(&value.replace('%', "%25")), Outcome::Malformed);
        }
        let name_twice = encode_uri_component(r#"{"google%2Dads":false}"#);
        assert_eq!(outcome(&name_twice), Outcome::Malformed);
    }

    #[test]
    fn non_utf8_and_oversized_are_malformed() {
        assert_eq!(run_bytes(b"{\"\xff\":true}").0, Outcome::Malformed);
        assert_eq!(outcome("%7B%22%C3%22%3Atrue%7D"), Outcome::Malformed);
        assert_eq!(outcome("%7B%22%C3%A9%22%3Atrue%7D"), CHOICES);
        let head = r#"{"a":true,""#;
        let pad = 4096 - head.len() - r#"":false}"#.len();
        let at_limit = format!(r#"{head}{}":false}}"#, "x".repeat(pad));
        assert_eq!(at_limit.len(), 4096);
        assert_eq!(outcome(&at_limit), CHOICES);
        let over = format!(r#"{head}{}":false}}"#, "x".repeat(pad + 1));
        assert_eq!(outcome(&over), Outcome::Malformed);
    }

    #[test]
    fn empty_is_not_set() {
        assert_eq!(outcome(""), Outcome::NotSet);
    }

    #[test]
    fn never_panics_on_mutations() {
        never_panics(&mut read_only, &[NECESSARY_ONLY, CMS, ALL]);
    }
}
