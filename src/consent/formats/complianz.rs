//! Complianz's `cmplz_*` cookies (WordPress).
//!
//! Complianz writes one cookie per category, `<prefix><category>` = `allow` |
//! `deny`, unencoded (Really-Simple-Plugins/complianz-gdpr @87e4362,
//! `cookiebanner/js/complianz.js`, `cmplz_set_consent` and
//! `cmplz_set_cookie`). The categories are `functional` (always `allow`),
//! `preferences`, `statistics` and `marketing`; the `cmplz_consent_action`
//! event lets a site set others. The prefix is `cmplz_`, or `cmplz_rt_` on
//! the main site of a multisite network that does not set its cookies on the
//! root (`cookiebanner/class-banner-loader.php`, `get_cookie_prefix`).
//!
//! The same prefix carries the banner's bookkeeping. `policy_id` (compared
//! with `parseInt` against the site's current policy version) is the record's
//! revision; the rest is skipped: `banner-status` (`dismissed` | `show`),
//! `id`, and raw JSON in `consented_services`, `saved_categories` and
//! `saved_services`. Its Google Consent Mode template writes
//! `cmplz_consent_mode` without the prefix (`revoked` or a list of consent
//! types,
//! `templates/statistics/google-tag-manager-consent-mode-template.js`), and
//! releases before 6.0 wrote `choice` (`set`) and `consent_status` (`allow` |
//! `deny` | `dismiss`) (@dcc9868, release 5.2.0, `assets/js/complianz.js`);
//! the Open Cookie Database also lists `cmplz_stats` and `cmplz_user_data`.
//! All of these are skipped. Any other `<prefix>` cookie must hold exactly
//! `allow` or `deny`.

use super::{emit_name, is_text, parse_revision, prepare, Outcome};

/// The prefixed cookies that are not categories.
const BOOKKEEPING: [&[u8]; 10] = [
    b"banner-status",
    b"id",
    b"consented_services",
    b"saved_categories",
    b"saved_services",
    b"consent_mode",
    b"choice",
    b"consent_status",
    b"stats",
    b"user_data",
];

/// The cookie, after the prefix, that holds the record's revision.
pub(crate) const POLICY_ID: &[u8] = b"policy_id";

/// Whether a prefixed cookie, named `category` after the prefix, is skipped
/// rather than read as a category: the bookkeeping cookies, and with the
/// default prefix the `cmplz_rt_*` cookies of another banner.
pub(crate) fn is_skipped(category: &[u8]) -> bool {
    category.starts_with(b"rt_") || BOOKKEEPING.contains(&category)
}

/// The revision a `<prefix>policy_id` value holds, if it is one.
pub(crate) fn revision(value: &[u8]) -> Option<u64> {
    parse_revision(prepare(value).ok()?)
}

/// Reads the Complianz cookies among all the request's cookie pairs.
///
/// [`Outcome::NotSet`] unless at least one category cookie holds `allow` or
/// `deny`. Each category cookie is reported (`allow` grants); a category sent
/// twice is reported twice, so a `deny` copy wins. The revision is
/// `<prefix>policy_id`, the smallest one when copies disagree. Malformed
/// when a prefixed cookie that is not bookkeeping holds anything else, when
/// `policy_id` is not a non-negative integer, or when `prefix` is empty.
///
/// With the default prefix `cmplz_`, the `cmplz_rt_*` cookies of a
/// multisite's main site (which a sub-site's requests can carry) belong to
/// another banner and are skipped.
pub(crate) fn read<'a>(
    pairs: impl Iterator<Item = (&'a [u8], &'a [u8])>,
    prefix: &[u8],
    emit: &mut impl FnMut(&[u8], bool),
) -> Outcome {
    if prefix.is_empty() {
        return Outcome::Malformed;
    }
    let mut any_category = false;
    let mut revision: Option<u64> = None;
    for (name, value) in pairs {
        let Some(category) = name.strip_prefix(prefix) else {
            continue;
        };
        if category.starts_with(b"rt_") {
            continue;
        }
        let value = match prepare(value) {
            Ok(value) => value,
            Err(Outcome::NotSet) => b"",
            Err(outcome) => return outcome,
        };
        if category == POLICY_ID {
            let Some(id) = parse_revision(value) else {
                return Outcome::Malformed;
            };
            revision = Some(revision.map_or(id, |r| r.min(id)));
            continue;
        }
        if BOOKKEEPING.contains(&category) {
            continue;
        }
        let granted = match value {
            b"allow" => true,
            b"deny" => false,
            _ => return Outcome::Malformed,
        };
        if category.is_empty() || !is_text(category) {
            return Outcome::Malformed;
        }
        emit_name(category, granted, emit);
        any_category = true;
    }
    if any_category {
        Outcome::Choices { revision }
    } else {
        Outcome::NotSet
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{collect, never_panics_bytes, pairs};
    use super::*;

    /// Splits a `Cookie` header the simple way (`; `), as test input.
    fn cookie_pairs(header: &str) -> Vec<(&[u8], &[u8])> {
        header
            .split("; ")
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (name, value) = p.split_once('=').unwrap_or((p, ""));
                (name.as_bytes(), value.as_bytes())
            })
            .collect()
    }

    fn run_with(header: &str, prefix: &str) -> (Outcome, Vec<(String, bool)>) {
        let cookies = cookie_pairs(header);
        collect(|emit| {
            read(
                cookies.iter().copied(),
                prefix.as_bytes(),
                &mut |n: &[u8], g| emit(n, g),
            )
        })
    }

    fn run(header: &str) -> (Outcome, Vec<(String, bool)>) {
        run_with(header, "cmplz_")
    }

    fn outcome(header: &str) -> Outcome {
        run(header).0
    }

    /// Captured, verbatim.
    const CAPTURED: &str = r#"cmplz_banner-status=dismissed; cmplz_functional=allow; cmplz_preferences=allow; cmplz_marketing=deny; cmplz_statistics=deny; cmplz_saved_categories=["preferences","functional"]"#;
    /// Accept all, with every bookkeeping cookie the banner writes.
    const ACCEPT_ALL: &str = r#"cmplz_consented_services=; cmplz_policy_id=37; cmplz_marketing=allow; cmplz_statistics=allow; cmplz_preferences=allow; cmplz_functional=allow; cmplz_banner-status=dismissed; cmplz_id=12345; cmplz_saved_categories=["marketing","statistics","preferences","functional"]; cmplz_saved_services={"google-analytics":true}"#;
    /// Deny all, among other cookies.
    const DENY_ALL: &str = "_ga=GA1.1.1; cmplz_policy_id=14; cmplz_functional=allow; cmplz_preferences=deny; cmplz_statistics=deny; cmplz_marketing=deny; cmplz_banner-status=dismissed; PHPSESSID=abc";
    /// Only the banner's state: no choice yet.
    const BANNER_ONLY: &str = "cmplz_banner-status=show; cmplz_policy_id=14";

    #[test]
    fn real_values() {
        assert_eq!(
            run(CAPTURED),
            (
                Outcome::Choices { revision: None },
                pairs(&[
                    ("functional", true),
                    ("preferences", true),
                    ("marketing", false),
                    ("statistics", false),
                ])
            )
        );
        assert_eq!(
            run(ACCEPT_ALL),
            (
                Outcome::Choices { revision: Some(37) },
                pairs(&[
                    ("marketing", true),
                    ("statistics", true),
                    ("preferences", true),
                    ("functional", true),
                ])
            )
        );
        assert_eq!(
            run(DENY_ALL),
            (
                Outcome::Choices { revision: Some(14) },
                pairs(&[
                    ("functional", true),
                    ("preferences", false),
                    ("statistics", false),
                    ("marketing", false),
                ])
            )
        );
        assert_eq!(run(BANNER_ONLY), (Outcome::NotSet, vec![]));
        assert_eq!(run(""), (Outcome::NotSet, vec![]));
        assert_eq!(run("_ga=GA1.1.1; lang=fr").0, Outcome::NotSet);
    }

    #[test]
    fn other_prefixes() {
        let root =
            "cmplz_rt_marketing=allow; cmplz_rt_banner-status=dismissed; cmplz_rt_policy_id=3";
        assert_eq!(
            run_with(root, "cmplz_rt_"),
            (
                Outcome::Choices { revision: Some(3) },
                pairs(&[("marketing", true)])
            )
        );
        // A sub-site with the default prefix skips the main site's cookies.
        assert_eq!(run(root), (Outcome::NotSet, vec![]));
        assert_eq!(
            run(&format!("{root}; cmplz_marketing=deny")),
            (
                Outcome::Choices { revision: None },
                pairs(&[("marketing", false)])
            )
        );
        // A main site does not read the sub-site's.
        assert_eq!(
            run_with("cmplz_marketing=allow", "cmplz_rt_").0,
            Outcome::NotSet
        );
        assert_eq!(run_with("cmplz_marketing=allow", "").0, Outcome::Malformed);
        // Names are case-sensitive, as `document.cookie` is.
        assert_eq!(
            run("CMPLZ_marketing=allow; Cmplz_statistics=maybe").0,
            Outcome::NotSet
        );
    }

    #[test]
    fn copies_report_every_value() {
        assert_eq!(
            run("cmplz_marketing=allow; cmplz_marketing=deny"),
            (
                Outcome::Choices { revision: None },
                pairs(&[("marketing", true), ("marketing", false)])
            )
        );
        assert_eq!(
            run("cmplz_policy_id=5; cmplz_marketing=allow; cmplz_policy_id=4; cmplz_policy_id=9").0,
            Outcome::Choices { revision: Some(4) }
        );
    }

    #[test]
    fn custom_and_legacy_cookies() {
        // A category set through the `cmplz_consent_action` event.
        assert_eq!(
            run("cmplz_functional=allow; cmplz_my-category=allow").1,
            pairs(&[("functional", true), ("my-category", true)])
        );
        // Before 6.0: `choice`, `consent_status`, `event_N` tag-manager categories.
        assert_eq!(
            run("cmplz_choice=set; cmplz_consent_status=allow; cmplz_event_0=allow; cmplz_marketing=deny"),
            (
                Outcome::Choices { revision: None },
                pairs(&[("event_0", true), ("marketing", false)])
            )
        );
        assert_eq!(
            outcome("cmplz_consent_mode=ad_storage,analytics_storage; cmplz_stats=x; cmplz_user_data=y; cmplz_statistics=allow"),
            Outcome::Choices { revision: None }
        );
    }

    #[test]
    fn what_is_malformed() {
        for bad in [
            "cmplz_marketing=allow; cmplz_statistics=yes",
            "cmplz_marketing=Allow",
            "cmplz_marketing=allo",
            "cmplz_marketing=den",
            "cmplz_marketing=",
            "cmplz_marketing=allow%20",
            "cmplz_marketing=%61llow",
            "cmplz_marketing=1",
            "cmplz_=allow",
            "cmplz_policy_id=; cmplz_marketing=allow",
            "cmplz_policy_id=3a; cmplz_marketing=allow",
            "cmplz_policy_id=-1; cmplz_marketing=allow",
            "cmplz_unknown=dismissed",
        ] {
            assert_eq!(outcome(bad), Outcome::Malformed, "{bad}");
        }
        // Quoted and padded values are unwrapped first.
        assert_eq!(
            outcome("cmplz_marketing=\"allow\""),
            Outcome::Choices { revision: None }
        );
        assert_eq!(
            outcome("cmplz_marketing= deny "),
            Outcome::Choices { revision: None }
        );
    }

    #[test]
    fn non_utf8_and_oversized_are_malformed() {
        let name = b"cmplz_caf\xe9";
        let cookies: [(&[u8], &[u8]); 1] = [(name, b"allow")];
        let got = collect(|emit| {
            read(cookies.into_iter(), b"cmplz_", &mut |n: &[u8], g| {
                emit(n, g)
            })
        });
        assert_eq!(got.0, Outcome::Malformed);
        let value = "x".repeat(4097);
        let cookies: [(&[u8], &[u8]); 2] = [
            (b"cmplz_marketing", b"allow"),
            (b"cmplz_saved_services", value.as_bytes()),
        ];
        let got = collect(|emit| {
            read(cookies.into_iter(), b"cmplz_", &mut |n: &[u8], g| {
                emit(n, g)
            })
        });
        assert_eq!(got.0, Outcome::Malformed);
        let long = format!("cmplz_{}=allow; cmplz_marketing=deny", "c".repeat(129));
        assert_eq!(
            run(&long),
            (
                Outcome::Choices { revision: None },
                pairs(&[("marketing", false)])
            )
        );
    }

    #[test]
    fn never_panics_on_mutations() {
        for header in [CAPTURED, ACCEPT_ALL, DENY_ALL, BANNER_ONLY] {
            // Mutate the whole header, then split it the simple way.
            let mut read_header = |bytes: &[u8]| {
                let text = String::from_utf8_lossy(bytes);
                let cookies = cookie_pairs(&text);
                read(cookies.iter().copied(), b"cmplz_", &mut |_: &[u8], _| {})
            };
            never_panics_bytes(&mut read_header, header.as_bytes());
            // Mutate each value as bytes.
            for (at, (name, value)) in cookie_pairs(header).into_iter().enumerate() {
                let mut read_value = |bytes: &[u8]| {
                    let mut cookies = cookie_pairs(header);
                    cookies[at] = (name, bytes);
                    read(cookies.into_iter(), b"cmplz_", &mut |_: &[u8], _| {})
                };
                never_panics_bytes(&mut read_value, value);
            }
        }
    }
}
