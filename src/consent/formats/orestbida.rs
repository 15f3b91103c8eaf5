//! orestbida/cookieconsent's `cc_cookie` (the name is configurable).
//!
//! Version 3 writes `encodeURIComponent(JSON.stringify(content))`
//! (orestbida/cookieconsent @8596c79, `src/utils/cookies.js`, `setCookie`)
//! and reads it back with `JSON.parse(decodeURIComponent(value))`
//! (`parseCookie`). Version 2 writes the raw JSON unless `use_rfc_cookie`
//! is set, and its reader tries the raw JSON first, then the decoded one
//! (tag v2.9.2, `src/cookieconsent.js`, `_setCookie` and `_getCookie`).
//!
//! Only `categories`, the array of accepted category names, decides (v3
//! `src/core/api.js`, `retrieveState`: consent is invalid unless it is an
//! array). Versions up to 2.8 wrote the same array as `level`, which 2.9
//! still writes next to `categories`; `level` is read only when
//! `categories` is absent. `services` is not read: it can list the services
//! of a rejected category. `revision` is the site's consent revision, which
//! the banner compares with its configured one.

use super::super::json::{self, Value};
use super::{emit_json_name, is_text, json_key_is, parse_revision, prepare, uri_decoded};
use super::{Outcome, MAX_VALUE_LEN};

/// Reads a `cc_cookie` value, raw JSON (v2) or URI-encoded JSON (v2 with
/// `use_rfc_cookie`, v3): the raw text is tried first, then the text
/// decoded once, as v2's `_getCookie` does (v3's `decodeURIComponent`
/// leaves raw JSON without a `%` as it is).
///
/// Malformed unless it is one JSON object whose `categories` (or, without
/// it, `level`) is an array; its strings are reported as granted, other
/// items ignored. A `revision` must be a non-negative integer. When a key
/// appears twice, the last one counts, as with `JSON.parse`.
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    // Raw JSON first, as v2 reads it: its strings (`data` is the site's)
    // may hold a `%`. Nothing is reported unless the whole object parses.
    if value.starts_with(b"{") && is_text(value) {
        if let Some(outcome) = read_json(value, emit) {
            return outcome;
        }
    }
    let mut buf = [0u8; MAX_VALUE_LEN];
    match uri_decoded(value, &mut buf) {
        Some(text) => read_json(text, emit).unwrap_or(Outcome::Malformed),
        None => Outcome::Malformed,
    }
}

fn read_json(text: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Option<Outcome> {
    let mut categories = None;
    let mut level = None;
    let mut revision = None;
    json::object_members_raw(text, |key, _, raw| {
        if json_key_is(key, b"categories") {
            categories = Some(raw);
        } else if json_key_is(key, b"level") {
            level = Some(raw);
        } else if json_key_is(key, b"revision") {
            revision = Some(raw);
        }
    })?;
    let revision = match revision {
        None => None,
        Some(digits) => Some(parse_revision(digits)?),
    };
    let list = categories.or(level)?;
    // Every name must decode before any is reported, so that a raw read
    // that fails reports nothing before the decoded one.
    let mut names_ok = true;
    json::array_items(list, |item| {
        if let Value::Str(name) = item {
            names_ok &= emit_json_name(name, true, &mut |_: &[u8], _| {});
        }
    })?;
    if !names_ok {
        return None;
    }
    json::array_items(list, |item| {
        if let Value::Str(name) = item {
            emit_json_name(name, true, emit);
        }
    })?;
    Some(Outcome::Choices { revision })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{
        assert_cuts_malformed, encode_uri_component, never_panics, pairs, reader_test_helpers,
    };
    use super::*;

    reader_test_helpers!(read);

    /// Captured, verbatim: v3, necessary only.
    const V3_NECESSARY: &str = "%7B%22categories%22%3A%5B%22necessary%22%5D%2C%22revision%22%3A1%2C%22data%22%3Anull%2C%22consentTimestamp%22%3A%222024-11-20T19%3A02%3A36.823Z%22%2C%22consentId%22%3A%2212fd04af-4af6-48a3-8531-b7cf317849d1%22%2C%22services%22%3A%7B%22necessary%22%3A%5B%5D%2C%22analytics%22%3A%5B%5D%2C%22support%22%3A%5B%5D%7D%2C%22lastConsentTimestamp%22%3A%222024-11-20T19%3A02%3A36.823Z%22%2C%22expirationTime%22%3A1747854156824%7D";

    /// v3 as `setCookie` writes it: `services` names the services of the
    /// rejected `marketing` category too; `necessary` is not first.
    const V3_PARTIAL_JSON: &str = r#"{"categories":["analytics","necessary","functionality"],"revision":0,"data":null,"consentTimestamp":"2025-01-09T10:11:12.345Z","consentId":"0b7d5f0e-6c55-4c0a-9d1e-3c1f5d0e2a11","services":{"necessary":[],"analytics":["ga"],"functionality":[],"marketing":["hotjar","hubspot"]},"languageCode":"en","lastConsentTimestamp":"2025-01-09T10:11:12.345Z","expirationTime":1752142272345}"#;

    /// v2.9 default: raw JSON, `level` copying `categories`.
    const V2_RAW: &str = r#"{"categories":["necessary","analytics"],"level":["necessary","analytics"],"revision":0,"data":null,"rfc_cookie":false,"consent_date":"2023-03-01T08:00:00.000Z","consent_uuid":"5d8f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","last_consent_update":"2023-03-01T08:00:00.000Z"}"#;

    /// v2.7/2.8: only `level`, no revision.
    const V2_LEVEL: &str =
        r#"{"level":["necessary","targeting"],"revision":0,"data":null,"rfc_cookie":false}"#;

    #[test]
    fn real_values() {
        assert_eq!(
            run(V3_NECESSARY),
            (
                Outcome::Choices { revision: Some(1) },
                pairs(&[("necessary", true)])
            )
        );
        let partial = encode_uri_component(V3_PARTIAL_JSON);
        assert_eq!(
            run(&partial),
            (
                Outcome::Choices { revision: Some(0) },
                pairs(&[
                    ("analytics", true),
                    ("necessary", true),
                    ("functionality", true)
                ])
            )
        );
        assert_eq!(
            run(V2_RAW),
            (
                Outcome::Choices { revision: Some(0) },
                pairs(&[("necessary", true), ("analytics", true)])
            )
        );
        let v2_rfc = encode_uri_component(V2_RAW);
        assert_eq!(run(&v2_rfc), run(V2_RAW));
        assert_eq!(
            run(V2_LEVEL),
            (
                Outcome::Choices { revision: Some(0) },
                pairs(&[("necessary", true), ("targeting", true)])
            )
        );
    }

    #[test]
    fn categories_decide_not_services_or_level() {
        let value = r#"{"categories":["necessary"],"level":["necessary","marketing"],"services":{"marketing":["x"]}}"#;
        assert_eq!(
            run(value),
            (
                Outcome::Choices { revision: None },
                pairs(&[("necessary", true)])
            )
        );
        // An empty array is a choice of nothing.
        assert_eq!(
            run(r#"{"categories":[],"revision":3}"#),
            (Outcome::Choices { revision: Some(3) }, vec![])
        );
        // Non-string items are ignored; escapes are decoded.
        assert_eq!(
            run(r#"{"categories":[1,null,"an\u0061lytics",{"a":"b"},["c"],"caf\u00e9"]}"#),
            (
                Outcome::Choices { revision: None },
                pairs(&[("analytics", true), ("caf\u{e9}", true)])
            )
        );
    }

    #[test]
    fn last_duplicate_key_wins() {
        assert_eq!(
            run(r#"{"categories":["marketing"],"categories":["necessary"]}"#).1,
            pairs(&[("necessary", true)])
        );
        assert_eq!(
            outcome(r#"{"categories":["necessary"],"categories":"x"}"#),
            Outcome::Malformed
        );
        assert_eq!(
            outcome(r#"{"revision":1,"categories":[],"revision":2}"#),
            Outcome::Choices { revision: Some(2) }
        );
    }

    #[test]
    fn what_is_malformed() {
        for bad in [
            "{}",
            r#"{"services":{"analytics":["ga"]}}"#,
            r#"{"categories":"necessary"}"#,
            r#"{"categories":null}"#,
            r#"{"level":{"necessary":true}}"#,
            r#"{"Categories":["necessary"]}"#,
            r#"{"categories":["necessary"],"revision":-1}"#,
            r#"{"categories":["necessary"],"revision":1.5}"#,
            r#"{"categories":["necessary"],"revision":"1"}"#,
            r#"{"categories":["necessary"],"revision":null}"#,
            r#"{"categories":["\ud800"]}"#,
            r#"["necessary"]"#,
            "necessary",
            "true",
            r#"{"categories":["necessary"]} {}"#,
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
    fn long_names_are_skipped() {
        let long = "a".repeat(129);
        let value = format!(
            r#"{{"categories":["{long}","analytics","{}"]}}"#,
            "b".repeat(128)
        );
        let got = run(&value);
        assert_eq!(got.0, Outcome::Choices { revision: None });
        assert_eq!(
            got.1,
            pairs(&[("analytics", true), (&"b".repeat(128), true)])
        );
    }

    #[test]
    fn truncated_values_are_malformed() {
        let partial = encode_uri_component(V3_PARTIAL_JSON);
        assert_cuts_malformed(outcome, &[V3_NECESSARY, &partial, V2_RAW, V2_LEVEL]);
        // Right after a complete pair.
        let cut = V2_RAW.find(r#","revision""#).unwrap();
        assert_eq!(outcome(&V2_RAW[..cut]), Outcome::Malformed);
        assert_eq!(outcome(&V2_RAW[..cut + 1]), Outcome::Malformed);
        // In an escape.
        assert_eq!(
            outcome(&V3_NECESSARY[..V3_NECESSARY.len() - 2]),
            Outcome::Malformed
        );
    }

    #[test]
    fn encoded_twice_is_malformed() {
        let twice = V3_NECESSARY.replace('%', "%25");
        assert_eq!(outcome(&twice), Outcome::Malformed);
        // Only the category name encoded twice.
        let inner = r#"{"categories":["%6Eecessary"]}"#;
        assert_eq!(outcome(&encode_uri_component(inner)), Outcome::Malformed);
        // Raw JSON may hold a `%` in the site's data.
        assert_eq!(
            outcome(r#"{"categories":["necessary"],"data":{"note":"50% off"}}"#),
            Outcome::Choices { revision: None }
        );
        // A raw read that fails on a name reports nothing.
        assert_eq!(
            run(r#"{"categories":["mark%65ting","\ud83c%5Cudf6a"]}"#),
            (
                Outcome::Choices { revision: None },
                pairs(&[("marketing", true), ("\u{1f36a}", true)])
            )
        );
        // Raw text that is not JSON until decoded.
        assert_eq!(
            run(r#"{"categories":["a%22,%22b"]}"#),
            (
                Outcome::Choices { revision: None },
                pairs(&[("a%22,%22b", true)])
            )
        );
        assert_eq!(
            run("{%22categories%22:[%22analytics%22]}"),
            (
                Outcome::Choices { revision: None },
                pairs(&[("analytics", true)])
            )
        );
    }

    #[test]
    fn non_utf8_and_oversized_are_malformed() {
        assert_eq!(
            run_bytes(b"{\"categories\":[\"\xff\"]}").0,
            Outcome::Malformed
        );
        assert_eq!(
            outcome("%7B%22categories%22%3A%5B%22%FF%22%5D%7D"),
            Outcome::Malformed
        );
        let head = r#"{"categories":["necessary"],"data":""#;
        let pad = 4096 - head.len() - 2;
        let at_limit = format!("{head}{}\"}}", "x".repeat(pad));
        assert_eq!(at_limit.len(), 4096);
        assert_eq!(outcome(&at_limit), Outcome::Choices { revision: None });
        let over = format!("{head}{}\"}}", "x".repeat(pad + 1));
        assert_eq!(outcome(&over), Outcome::Malformed);
    }

    #[test]
    fn empty_is_not_set() {
        assert_eq!(outcome(""), Outcome::NotSet);
    }

    #[test]
    fn never_panics_on_mutations() {
        let partial = encode_uri_component(V3_PARTIAL_JSON);
        never_panics(&mut read_only, &[V3_NECESSARY, &partial, V2_RAW, V2_LEVEL]);
    }
}
