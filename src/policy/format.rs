//! [`ConsentFormat`]: which banner wrote the consent cookie.
//!
//! This is configuration, so it lives with the policy; the readers that
//! understand each format live in `consent`, which depends on the policy and
//! never the other way round.

use std::fmt;

/// The format of the consent cookie: the crate's own, or the one a consent
/// banner writes.
///
/// Choosing a format with [`PolicyBuilder::consent_format`] (configuration
/// key `"consent_format"`) also sets the banner's conventional cookie name,
/// unless [`PolicyBuilder::consent_cookie`] names another one.
///
/// | format | config name | conventional cookie |
/// |---|---|---|
/// | [`Auto`](Self::Auto) (default) | `auto` | `cookies_preferences` |
/// | [`Cookiebot`](Self::Cookiebot) | `cookiebot` | `CookieConsent` |
/// | [`OneTrust`](Self::OneTrust) | `onetrust` | `OptanonConsent` |
/// | [`Orestbida`](Self::Orestbida) | `orestbida` | `cc_cookie` |
/// | [`Klaro`](Self::Klaro) | `klaro` | `klaro` |
/// | [`DjangoCookieConsent`](Self::DjangoCookieConsent) | `django_cookie_consent` | `cookie_consent` |
/// | [`GovUk`](Self::GovUk) | `govuk` | `cookies_policy` (and `cookies_preferences_set`) |
/// | [`CookieYes`](Self::CookieYes) | `cookieyes` | `cookieyes-consent` |
/// | [`Complianz`](Self::Complianz) | `complianz` | every `cmplz_*` cookie |
/// | [`Tcf`](Self::Tcf) | `tcf` | `euconsent-v2` |
///
/// Each banner names things its own way: Cookiebot's `statistics`, a
/// OneTrust group id such as `C0002`, a TCF purpose as `purpose:1`, a Klaro
/// service name. A name grants the policy category of the same name (ASCII
/// case-insensitively) unless [`PolicyBuilder::alias`] maps it to another.
///
/// ```
/// use tower_cookie_consent::{ConsentFormat, Policy};
///
/// let policy = Policy::builder()
///     .consent_format(ConsentFormat::OneTrust)
///     .category("statistics", ["_ga", "_ga_*"])
///     .alias("C0002", "statistics")
///     .build()?;
/// assert_eq!(policy.consent_cookie(), "OptanonConsent");
/// assert_eq!(policy.consent_format(), ConsentFormat::OneTrust);
///
/// let from_file: Policy = serde_json::from_str(r#"{"consent_format": "complianz"}"#)?;
/// assert_eq!(from_file.consent_cookie(), "cmplz_*");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// [`PolicyBuilder::consent_format`]: crate::PolicyBuilder::consent_format
/// [`PolicyBuilder::consent_cookie`]: crate::PolicyBuilder::consent_cookie
/// [`PolicyBuilder::alias`]: crate::PolicyBuilder::alias
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[non_exhaustive]
pub enum ConsentFormat {
    /// The crate's own format: a list of category names
    /// (`statistics,marketing`), a JSON object (`{"statistics":true}`) or a
    /// JSON array (`["statistics"]`), optionally percent-encoded.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// Cookiebot's `CookieConsent`: a JavaScript object literal with the
    /// booleans `preferences`, `statistics` and `marketing`. Its revision is
    /// `ver`. The whole value `-1` (no consent needed in the visitor's
    /// region) grants nothing unless
    /// [`cookiebot_unregulated_grants_all`](crate::PolicyBuilder::cookiebot_unregulated_grants_all)
    /// is set.
    #[serde(rename = "cookiebot")]
    Cookiebot,
    /// OneTrust's (and CookiePro's) `OptanonConsent`: its `groups` field,
    /// `C0002:1,C0004:0`, in any order. Map the group ids with aliases.
    #[serde(rename = "onetrust")]
    OneTrust,
    /// orestbida/cookieconsent's `cc_cookie` (versions 2 and 3): the
    /// `categories` array decides. Its revision is `revision`.
    #[serde(rename = "orestbida")]
    Orestbida,
    /// Klaro's `klaro`: a map of service names to booleans. Klaro stores
    /// services, not purposes: map each service to a category with an alias.
    #[serde(rename = "klaro")]
    Klaro,
    /// django-cookie-consent's `cookie_consent`: `group=version` pairs
    /// joined by `|`, where `-1` declines the group.
    #[serde(rename = "django_cookie_consent")]
    DjangoCookieConsent,
    /// GOV.UK's `cookies_policy` (raw JSON of booleans), and GOV.UK One
    /// Login's variant, which stores the JSON in `cookies_preferences_set`:
    /// that cookie is read when `cookies_policy` is absent.
    #[serde(rename = "govuk")]
    GovUk,
    /// CookieYes's `cookieyes-consent`: `key:value` pairs joined by `,`;
    /// `consent:no` refuses everything.
    #[serde(rename = "cookieyes")]
    CookieYes,
    /// Complianz's `cmplz_<category>` cookies, one per category, `allow` or
    /// `deny`. The consent cookie is the prefix `cmplz_`: every `cmplz_*`
    /// cookie is part of the record. Its revision is `cmplz_policy_id`.
    #[serde(rename = "complianz")]
    Complianz,
    /// The IAB TCF v2 TC string, in `euconsent-v2`. Purposes are reported
    /// as `purpose:1` to `purpose:24` and special features as
    /// `special_feature:1` and `special_feature:2`: map them with aliases.
    #[serde(rename = "tcf")]
    Tcf,
}

impl ConsentFormat {
    /// Every format, in the order of the table above.
    pub const ALL: &'static [ConsentFormat] = &[
        Self::Auto,
        Self::Cookiebot,
        Self::OneTrust,
        Self::Orestbida,
        Self::Klaro,
        Self::DjangoCookieConsent,
        Self::GovUk,
        Self::CookieYes,
        Self::Complianz,
        Self::Tcf,
    ];

    /// The name used in configuration files (`"onetrust"`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cookiebot => "cookiebot",
            Self::OneTrust => "onetrust",
            Self::Orestbida => "orestbida",
            Self::Klaro => "klaro",
            Self::DjangoCookieConsent => "django_cookie_consent",
            Self::GovUk => "govuk",
            Self::CookieYes => "cookieyes",
            Self::Complianz => "complianz",
            Self::Tcf => "tcf",
        }
    }

    /// The cookie the banner writes by default; for
    /// [`Complianz`](Self::Complianz), the prefix `cmplz_*`.
    ///
    /// ```
    /// use tower_cookie_consent::ConsentFormat;
    ///
    /// assert_eq!(ConsentFormat::Tcf.default_cookie(), "euconsent-v2");
    /// assert_eq!(ConsentFormat::Complianz.default_cookie(), "cmplz_*");
    /// ```
    pub const fn default_cookie(self) -> &'static str {
        match self {
            Self::Auto => "cookies_preferences",
            Self::Cookiebot => "CookieConsent",
            Self::OneTrust => "OptanonConsent",
            Self::Orestbida => "cc_cookie",
            Self::Klaro => "klaro",
            Self::DjangoCookieConsent => "cookie_consent",
            Self::GovUk => "cookies_policy",
            Self::CookieYes => "cookieyes-consent",
            Self::Complianz => "cmplz_*",
            Self::Tcf => "euconsent-v2",
        }
    }

    /// Whether the consent cookie is a prefix: the record is spread over
    /// several cookies.
    pub(crate) const fn cookie_is_prefix(self) -> bool {
        matches!(self, Self::Complianz)
    }

    /// A second cookie that holds the record when the first is absent.
    pub(crate) const fn fallback_cookie(self) -> Option<&'static str> {
        match self {
            Self::GovUk => Some("cookies_preferences_set"),
            _ => None,
        }
    }

    /// Whether the format's record carries a revision that a policy's
    /// [`revision`](crate::PolicyBuilder::revision) can be compared with.
    pub(crate) const fn carries_revision(self) -> bool {
        matches!(self, Self::Cookiebot | Self::Orestbida | Self::Complianz)
    }
}

impl fmt::Display for ConsentFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_names_are_the_config_names() {
        for &format in ConsentFormat::ALL {
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(json, format!("\"{}\"", format.name()));
            let back: ConsentFormat = serde_json::from_str(&json).unwrap();
            assert_eq!(back, format);
        }
        assert!(serde_json::from_str::<ConsentFormat>("\"one_trust\"").is_err());
    }
}
