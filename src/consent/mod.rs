//! The visitor's choice: [`Consent`], and everything about reading it from
//! the request: the cookie pairs of every `Cookie` header, and the readers
//! that turn a consent cookie into the categories it grants.
//!
//! Each consent-cookie format has a reader of its own behind one interface
//! ([`read`]); they all answer the same question (not set, malformed, or
//! which policy categories are granted), so the rest of the crate does not
//! care which banner wrote the cookie.

mod cookie_pairs;
pub(crate) mod default_format;
mod format;
mod formats;
mod json;
mod percent;

use std::fmt;

pub(crate) use self::cookie_pairs::{header_pairs, Pair};
#[cfg(feature = "unstable-internals")]
pub(crate) use self::format::BytesJar;
pub(crate) use self::format::{read, read_update, Jar, Reading, RequestJar};
use crate::policy::{Grants, Policy};

/// The visitor's consent, as read from the request's consent cookie.
///
/// [`CookieConsentLayer`](crate::CookieConsentLayer) inserts a `Consent` into
/// every request's extensions before calling the inner service, so handlers
/// and templates can ask before they embed a tracker:
///
/// ```
/// use http::{header, Request, Response};
/// use std::convert::Infallible;
/// use tower::{service_fn, Layer, ServiceExt};
/// use tower_cookie_consent::{Consent, CookieConsentLayer, Policy};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let policy = Policy::builder()
///     .category("statistics", ["_pk_id*"])
///     .category("marketing", ["_hjid"])
///     .build()?;
/// let app = service_fn(|req: Request<()>| async move {
///     let consent = req.extensions().get::<Consent>().expect("layer installed");
///     assert!(consent.is_set());
///     assert!(consent.allows("statistics"));
///     assert!(consent.allows("STATISTICS"));
///     assert!(!consent.allows("marketing"));
///     assert!(consent.allows("necessary"));
///     assert_eq!(consent.categories().collect::<Vec<_>>(), ["statistics"]);
///     Ok::<_, Infallible>(Response::new(()))
/// });
/// let req = Request::builder()
///     .header(header::COOKIE, "lang=fr; cookies_preferences=%7B%22statistics%22%3Atrue%7D")
///     .body(())?;
/// CookieConsentLayer::new(policy).layer(app).oneshot(req).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Consent {
    policy: Policy,
    granted: Grants,
    is_set: bool,
    gpc: bool,
}

impl Consent {
    pub(crate) fn new(policy: Policy, reading: Reading) -> Self {
        Self {
            // Exempt categories need no consent: granted whatever the
            // cookie says.
            granted: reading.grants().union(policy.exempt()),
            is_set: reading.is_set(),
            gpc: false,
            policy,
        }
    }

    /// The consent of a visitor who has not chosen: necessary cookies only.
    ///
    /// ```
    /// use tower_cookie_consent::{Consent, Policy};
    ///
    /// let policy = Policy::builder().category("statistics", ["_ga"]).build()?;
    /// let consent = Consent::necessary_only(&policy);
    /// assert!(!consent.is_set());
    /// assert!(consent.allows("necessary"));
    /// assert!(!consent.allows("statistics"));
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn necessary_only(policy: &Policy) -> Self {
        Self::new(policy.clone(), Reading::NotSet)
    }

    /// Reads the consent from request headers, as the layer does: the
    /// policy's consent cookie in every `Cookie` header.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue};
    /// use tower_cookie_consent::{Consent, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .category("statistics", ["_ga"])
    ///     .category("marketing", ["_fbp"])
    ///     .build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.append(header::COOKIE, HeaderValue::from_static("a=1; cookies_preferences=all"));
    /// headers.append(header::COOKIE, HeaderValue::from_static("cookies_preferences=statistics"));
    /// // Two copies: only what both grant.
    /// let consent = Consent::from_headers(&policy, &headers);
    /// assert_eq!(consent.categories().collect::<Vec<_>>(), ["statistics"]);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn from_headers(policy: &Policy, headers: &http::HeaderMap) -> Self {
        Self::new(
            policy.clone(),
            read(policy, &RequestJar::new(policy, headers)),
        )
        .with_gpc(crate::request::gpc_signal(headers))
    }

    /// Whether the visitor granted `category` (ASCII case-insensitive).
    /// `"necessary"` and the categories exempt from consent are always
    /// granted; a name the policy does not know never is.
    pub fn allows(&self, category: impl AsRef<str>) -> bool {
        let category = category.as_ref();
        if category.eq_ignore_ascii_case("necessary") {
            return true;
        }
        match self.policy.category_list().index_of(category.as_bytes()) {
            Some(index) => self.granted.contains(index),
            None => false,
        }
    }

    /// The granted categories, in policy order, without `necessary`; the
    /// categories exempt from consent are always among them.
    pub fn categories(&self) -> Categories<'_> {
        Categories {
            list: self.policy.category_list(),
            remaining: self.granted,
        }
    }

    /// Whether the request carried a valid consent cookie, even one that
    /// grants nothing (`[]`, `{}`, a banner's "reject all"). False when the
    /// cookie is missing, when any copy of it is malformed, when a banner's
    /// record says no choice was made yet, and when the record is older than
    /// the policy's [`revision`](crate::PolicyBuilder::revision): the
    /// visitor has to be asked (again).
    pub fn is_set(&self) -> bool {
        self.is_set
    }

    /// The policy this consent was read with.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Whether the request carried the Global Privacy Control signal,
    /// `Sec-GPC: 1`, whether or not the policy lets it withdraw anything.
    /// The categories it withdraws (see
    /// [`PolicyBuilder::gpc`](crate::PolicyBuilder::gpc)) are already
    /// missing from [`allows`](Self::allows) and
    /// [`categories`](Self::categories).
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue};
    /// use tower_cookie_consent::{Consent, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .category("statistics", ["_pk_id*"])
    ///     .category("marketing", ["_fbp"])
    ///     .gpc(["marketing"])
    ///     .build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::COOKIE, HeaderValue::from_static("cookies_preferences=all"));
    /// headers.insert("sec-gpc", HeaderValue::from_static("1"));
    /// let consent = Consent::from_headers(&policy, &headers);
    /// assert!(consent.gpc());
    /// assert_eq!(consent.categories().collect::<Vec<_>>(), ["statistics"]);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn gpc(&self) -> bool {
        self.gpc
    }

    /// This consent as a request with (`signal`) or without `Sec-GPC: 1`
    /// leaves it: the policy's GPC categories withdrawn when it applies.
    pub(crate) fn with_gpc(mut self, signal: bool) -> Self {
        self.gpc = signal;
        // Exempt categories need no consent: no signal withdraws them.
        let granted = self.policy.revocation().under_gpc(self.granted, signal);
        self.granted = granted.union(self.policy.exempt());
        self
    }
}

impl fmt::Debug for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consent")
            .field("is_set", &self.is_set)
            .field("granted", &self.categories().collect::<Vec<_>>())
            .field("gpc", &self.gpc)
            .finish()
    }
}

/// Iterator over the categories a [`Consent`] grants, in policy order.
/// Created by [`Consent::categories`].
#[derive(Debug, Clone)]
pub struct Categories<'a> {
    list: &'a crate::policy::Categories,
    /// The granted categories not yielded yet.
    remaining: Grants,
}

impl<'a> Iterator for Categories<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let index = self.remaining.iter().next()?;
        self.remaining.remove(index);
        Some(self.list.name(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_is_shareable() {
        fn assert_traits<T: Clone + fmt::Debug + Send + Sync + 'static>() {}
        assert_traits::<Consent>();
    }
}
