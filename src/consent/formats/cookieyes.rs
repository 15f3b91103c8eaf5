//! CookieYes's `cookieyes-consent` cookie.
//!
//! The banner keeps a map of `key` to `value` and writes it as `key:value`
//! pairs joined by `,`, without any encoding; its reader splits on `,` and
//! then on `:` (`_ckySetInStore` and `cookieyesConsentMap` in the CookieYes
//! WordPress plugin's `cookie-law-info/lite/frontend/js/script.js`, as
//! vendored in christiancannata/agrispesa @7f5a1db under
//! `wp-content/plugins/`; the hosted banner script does the same). The keys
//! are `consentid`, `consent`, `action`, optionally `lastRenewedDate`, and
//! one per category slug (`necessary`, `functional`, `analytics`,
//! `performance`, `advertisement`, `other`, or the site's own):
//!
//! ```text
//! consentid:d2JnOWNtWmgyM0pMdEU0ZkZXSGhzdE9BaTkxekF3WEk,consent:yes,action:yes,necessary:yes,functional:yes,analytics:yes,performance:yes,advertisement:yes,other:yes
//! ```
//!
//! `action` is `yes` once the visitor answered the banner (accepted,
//! rejected, saved or closed it) and empty before: on a first visit the
//! script already writes the record, with `consent` empty or `no` and the
//! categories at their defaults (`_ckySetConsentID`, `_ckySetInitialState`),
//! and shows the banner while `action` is empty (`_ckyInitOperations`). Under
//! GDPR the script unblocks nothing unless `consent` is `yes`
//! (`_ckyUnblock`), so `consent:no` after an answer is a refusal of
//! everything, whatever the categories say.

use super::{emit_name, is_text, prepare, Outcome};

/// Reads a `cookieyes-consent` value.
///
/// [`Outcome::NotSet`] while `action` or `consent` is empty (no answer yet),
/// [`Outcome::Refused`] for `consent:no`, and otherwise each category slug
/// is reported: `yes` grants, `no` or empty does not. Malformed when
/// `consent` or `action` is missing or written twice, when a value is not
/// one the script writes (`ye`, a cut `yes`, a non-numeric date), or when a
/// pair is empty (`,,`, a trailing `,`) or has no single `:`.
pub(crate) fn read(value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    let value = match prepare(value) {
        Ok(value) => value,
        Err(outcome) => return outcome,
    };
    // The script never encodes: a `%` means someone else wrote this.
    if !is_text(value) || value.contains(&b'%') {
        return Outcome::Malformed;
    }
    let mut consent: Option<&[u8]> = None;
    let mut action: Option<&[u8]> = None;
    for pair in value.split(|&b| b == b',') {
        let Some(colon) = pair.iter().position(|&b| b == b':') else {
            return Outcome::Malformed;
        };
        let (key, value) = (&pair[..colon], &pair[colon + 1..]);
        if key.is_empty() || value.contains(&b':') {
            return Outcome::Malformed;
        }
        match key {
            b"consentid" => {}
            b"consent" | b"action" => {
                let slot = if key == b"consent" {
                    &mut consent
                } else {
                    &mut action
                };
                if slot.is_some() || !matches!(value, b"yes" | b"no" | b"") {
                    return Outcome::Malformed;
                }
                *slot = Some(value);
            }
            b"lastRenewedDate" => {
                if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
                    return Outcome::Malformed;
                }
            }
            slug => match value {
                b"yes" => emit_name(slug, true, emit),
                b"no" | b"" => emit_name(slug, false, emit),
                _ => return Outcome::Malformed,
            },
        }
    }
    match (consent, action) {
        (Some(consent), Some(b"yes")) => match consent {
            b"yes" => Outcome::Choices { revision: None },
            b"no" => Outcome::Refused,
            _ => Outcome::NotSet,
        },
        // Only the script's own `yes` marks an answer.
        (Some(_), Some(b"")) => Outcome::NotSet,
        _ => Outcome::Malformed,
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{never_panics, pairs, reader_test_helpers};
    use super::*;

    reader_test_helpers!(read);

    const CHOICES: Outcome = Outcome::Choices { revision: None };

    /// Captured, verbatim: accept all.
    const ACCEPT: &str = "consentid:d2JnOWNtWmgyM0pMdEU0ZkZXSGhzdE9BaTkxekF3WEk,consent:yes,action:yes,necessary:yes,functional:yes,analytics:yes,performance:yes,advertisement:yes,other:yes";
    /// Captured, verbatim: reject all.
    const REJECT: &str = "consentid:WHRLbHhJZVJlTXR3b0F4MUpUQWNCZDRNbXRpTWNEcmE,consent:no,action:yes,necessary:yes,functional:no,analytics:no,performance:no,advertisement:no,other:no";
    /// Captured, verbatim: accept all on a site without `other`.
    const ACCEPT_NO_OTHER: &str = "consentid:OHNOck5kY2gzQjJ6UFlmN2dPUGFkZjVNM2hWRm9lZU4,consent:yes,action:yes,necessary:yes,functional:yes,analytics:yes,performance:yes,advertisement:yes";
    /// A custom choice, with the renewal date newer scripts append.
    const CUSTOM: &str = "consentid:YjZOTmFPc2pXWHFmM0hBbTRsZ1ZvS2VxZDZyR0hTb0E,consent:yes,action:yes,necessary:yes,functional:yes,analytics:no,performance:no,advertisement:no,other:no,lastRenewedDate:1728636632000";
    /// Before any answer: what the script writes on the first page view.
    const UNDECIDED: &str = "consentid:YjZOTmFPc2pXWHFmM0hBbTRsZ1ZvS2VxZDZyR0hTb0E,consent:,action:,necessary:,functional:,analytics:,performance:,advertisement:,other:";
    /// The initial state of the WordPress build: `consent:no`, categories at
    /// their GDPR defaults, no answer yet.
    const INITIAL: &str = "consentid:WHRLbHhJZVJlTXR3b0F4MUpUQWNCZDRNbXRpTWNEcmE,consent:no,action:,necessary:yes,functional:no,analytics:no,performance:no,advertisement:no,other:no";
    const SAMPLES: [&str; 6] = [ACCEPT, REJECT, ACCEPT_NO_OTHER, CUSTOM, UNDECIDED, INITIAL];

    #[test]
    fn real_values() {
        assert_eq!(
            run(ACCEPT),
            (
                CHOICES,
                pairs(&[
                    ("necessary", true),
                    ("functional", true),
                    ("analytics", true),
                    ("performance", true),
                    ("advertisement", true),
                    ("other", true),
                ])
            )
        );
        assert_eq!(outcome(REJECT), Outcome::Refused);
        assert_eq!(
            run(ACCEPT_NO_OTHER).1,
            pairs(&[
                ("necessary", true),
                ("functional", true),
                ("analytics", true),
                ("performance", true),
                ("advertisement", true),
            ])
        );
        assert_eq!(
            run(CUSTOM),
            (
                CHOICES,
                pairs(&[
                    ("necessary", true),
                    ("functional", true),
                    ("analytics", false),
                    ("performance", false),
                    ("advertisement", false),
                    ("other", false),
                ])
            )
        );
        assert_eq!(outcome(UNDECIDED), Outcome::NotSet);
        assert_eq!(outcome(INITIAL), Outcome::NotSet);
    }

    #[test]
    fn consent_and_action_decide() {
        let with = |consent: &str, action: &str| {
            outcome(&format!(
                "consentid:x,consent:{consent},action:{action},analytics:yes"
            ))
        };
        assert_eq!(with("yes", "yes"), CHOICES);
        assert_eq!(with("no", "yes"), Outcome::Refused);
        assert_eq!(with("", "yes"), Outcome::NotSet);
        assert_eq!(with("yes", ""), Outcome::NotSet);
        assert_eq!(with("no", ""), Outcome::NotSet);
        assert_eq!(with("", ""), Outcome::NotSet);
        assert_eq!(with("yes", "no"), Outcome::Malformed);
        for bad in ["ye", "y", "YES", "true", "1", "yes "] {
            assert_eq!(with(bad, "yes"), Outcome::Malformed, "{bad}");
            assert_eq!(with("yes", bad), Outcome::Malformed, "{bad}");
        }
        // Missing or twice.
        assert_eq!(
            outcome("consentid:x,action:yes,analytics:yes"),
            Outcome::Malformed
        );
        assert_eq!(
            outcome("consentid:x,consent:yes,analytics:yes"),
            Outcome::Malformed
        );
        assert_eq!(
            outcome("consent:yes,action:yes,consent:yes,analytics:yes"),
            Outcome::Malformed
        );
        assert_eq!(
            outcome("consent:yes,action:yes,action:yes"),
            Outcome::Malformed
        );
        // Order does not matter; `consentid` is optional.
        assert_eq!(
            run("analytics:yes,action:yes,consent:yes"),
            (CHOICES, pairs(&[("analytics", true)]))
        );
    }

    #[test]
    fn category_values() {
        assert_eq!(
            run("consent:yes,action:yes,a:yes,b:no,c:,my-slug_2:yes"),
            (
                CHOICES,
                pairs(&[("a", true), ("b", false), ("c", false), ("my-slug_2", true)])
            )
        );
        for bad in [
            "a:ye", "a:y", "a:true", "a:1", "a:Yes", "a:yes:no", ":yes", "a",
        ] {
            assert_eq!(
                outcome(&format!("consent:yes,action:yes,{bad}")),
                Outcome::Malformed,
                "{bad}"
            );
        }
        for bad in [
            "lastRenewedDate:",
            "lastRenewedDate:17286x",
            "lastRenewedDate:-1",
        ] {
            assert_eq!(
                outcome(&format!("consent:yes,action:yes,{bad}")),
                Outcome::Malformed,
                "{bad}"
            );
        }
    }

    #[test]
    fn truncated_values_are_malformed() {
        // Right after a complete pair (a trailing `,`), and inside a value.
        let cut = ACCEPT.find(",performance").unwrap();
        assert_eq!(outcome(&ACCEPT[..=cut]), Outcome::Malformed);
        assert_eq!(
            outcome(&format!("{}ye", &ACCEPT[..cut + ",performance:".len()])),
            Outcome::Malformed
        );
        assert_eq!(outcome(&ACCEPT[..ACCEPT.len() - 1]), Outcome::Malformed);
        assert_eq!(outcome(&ACCEPT[..ACCEPT.len() - 2]), Outcome::Malformed);
        // Every prefix is malformed, or no answer, or, cut exactly at the end
        // of a pair or with a category cut to `:`, still an accepted record
        // (a cut that cannot be seen).
        for end in 0..ACCEPT.len() {
            let prefix = &ACCEPT[..end];
            let got = outcome(prefix);
            let pair_end = prefix.ends_with(":yes") || prefix.ends_with(':');
            assert!(
                got == Outcome::Malformed || got == Outcome::NotSet || (pair_end && got == CHOICES),
                "{prefix} -> {got:?}"
            );
        }
    }

    #[test]
    fn encoded_values_are_malformed() {
        assert_eq!(outcome(&ACCEPT.replace(',', "%2C")), Outcome::Malformed);
        assert_eq!(outcome(&ACCEPT.replace(':', "%3A")), Outcome::Malformed);
        assert_eq!(outcome(&ACCEPT.replace(',', "%252C")), Outcome::Malformed);
    }

    #[test]
    fn non_utf8_and_oversized_are_malformed() {
        assert_eq!(
            run_bytes(b"consent:yes,action:yes,caf\xe9:yes").0,
            Outcome::Malformed
        );
        assert_eq!(
            run("consent:yes,action:yes,caf\u{e9}:yes"),
            (CHOICES, pairs(&[("caf\u{e9}", true)]))
        );
        let head = "consent:yes,action:yes,consentid:";
        let at_limit = format!("{head}{}", "A".repeat(4096 - head.len()));
        assert_eq!(outcome(&at_limit), CHOICES);
        let over = format!("{head}{}", "A".repeat(4097 - head.len()));
        assert_eq!(outcome(&over), Outcome::Malformed);
    }

    #[test]
    fn never_panics_on_mutations() {
        never_panics(&mut read_only, &SAMPLES);
    }
}
