//! The Opendatasoft preset: the seed policy's necessary cookies plus one
//! category per tracker an Opendatasoft portal lets visitors refuse.

use super::opendatasoft_data::TRACKERS;
use super::{CookieEntry, Policy};

impl Policy {
    /// A ready policy for an Opendatasoft portal.
    ///
    /// Necessary: `sessionid`, `django_language`, `csrftoken` and the consent
    /// cookie `cookies_preferences`, as the portals' cookie policy declares
    /// them. Categories, named as the portal's banner names them:
    /// `functional_cookies`, `ga` (Google Analytics), `matomo`, `xiti`, `at`
    /// (AT Internet), `piano` (Piano Analytics) and `eulerian`, each with the
    /// cookies that tracker sets (from the Open Cookie Database and the
    /// vendors' documentation; sources in the crate's source code).
    ///
    /// The banner stores percent-encoded JSON keyed by tracker, which the
    /// default consent format reads as it is:
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue};
    /// use tower_cookie_consent::{Consent, Policy};
    ///
    /// let policy = Policy::opendatasoft();
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::COOKIE, HeaderValue::from_static(
    ///     "cookies_preferences=%7B%22functional_cookies%22%3Atrue%2C%22ga%22%3Afalse%2C%22matomo%22%3Atrue%2C%22timestamp%22%3A1763900000000%7D",
    /// ));
    /// let consent = Consent::from_headers(&policy, &headers);
    /// assert_eq!(consent.categories().collect::<Vec<_>>(), ["functional_cookies", "matomo"]);
    /// assert_eq!(policy.category_of("_pk_id.1.abcd"), Some("matomo"));
    /// assert_eq!(policy.category_of("_ga"), Some("ga"));
    /// assert_eq!(policy.category_of("csrftoken"), Some("necessary"));
    /// ```
    pub fn opendatasoft() -> Self {
        const OPENDATASOFT: &str = "Opendatasoft";
        // Function and purpose as the portals' cookie policy words them.
        let necessary = [
            (
                "sessionid",
                "Authentication (front and back office)",
                "Remembers the user from one page to another",
            ),
            (
                "django_language",
                "Language selection (front and back office)",
                "Remembers the visitor's language",
            ),
            (
                "csrftoken",
                "API (CSRF) (front and back office)",
                "Retrieves data via API calls",
            ),
            (
                "cookies_preferences",
                "Choices related to your cookie preferences",
                "Remembers the visitor's cookie preferences",
            ),
        ]
        .map(|(name, function, purpose)| {
            CookieEntry::new(name)
                .with_provider(OPENDATASOFT)
                .with_function(function)
                .with_purpose(purpose)
        });
        let mut builder = Policy::builder().necessary(necessary);
        for tracker in TRACKERS {
            let cookies = tracker
                .cookies
                .iter()
                .map(|&(name, provider, purpose, lifetime)| {
                    CookieEntry::new(name)
                        .with_provider(provider)
                        .with_purpose(purpose)
                        .with_lifetime(lifetime)
                });
            builder = builder.category(tracker.category, cookies);
        }
        builder
            .build()
            .expect("the Opendatasoft preset is a valid policy")
    }
}
