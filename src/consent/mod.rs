//! The visitor's choice: [`Consent`], and the readers that turn a consent
//! cookie value into it.
//!
//! Each consent-cookie format has a reader of its own; they all answer the
//! same question (which policy categories does this value grant, or is it
//! malformed?) as a [`Grants`] set, so the rest of the crate does not care
//! which banner wrote the cookie.

mod default_format;
mod formats;
mod json;
mod percent;

use std::fmt;

pub(crate) use self::default_format::read_default;
use crate::policy::Policy;

/// A set of granted categories: bit `i` is the policy's category `i`.
///
/// A policy has at most 64 categories, so the set is one `u64`: copying,
/// intersecting and testing it never allocates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Grants(u64);

impl Grants {
    /// Nothing granted but the necessary cookies.
    pub(crate) const NONE: Self = Self(0);

    /// The first `count` categories.
    pub(crate) const fn first(count: usize) -> Self {
        if count >= 64 {
            Self(u64::MAX)
        } else {
            Self((1 << count) - 1)
        }
    }

    pub(crate) const fn contains(self, index: usize) -> bool {
        index < 64 && self.0 & (1 << index) != 0
    }

    pub(crate) fn insert(&mut self, index: usize) {
        if index < 64 {
            self.0 |= 1 << index;
        }
    }

    pub(crate) fn remove(&mut self, index: usize) {
        if index < 64 {
            self.0 &= !(1 << index);
        }
    }

    pub(crate) const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    pub(crate) const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub(crate) const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

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
}

impl Consent {
    pub(crate) fn new(policy: Policy, granted: Grants, is_set: bool) -> Self {
        Self {
            policy,
            granted,
            is_set,
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
        Self::new(policy.clone(), Grants::NONE, false)
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
        let (granted, is_set) = crate::request::read_consent(headers, &policy.inner);
        Self::new(policy.clone(), granted, is_set)
    }

    /// Whether the visitor granted `category` (ASCII case-insensitive).
    /// `"necessary"` is always granted; a name the policy does not know
    /// never is.
    pub fn allows(&self, category: &str) -> bool {
        if category.eq_ignore_ascii_case("necessary") {
            return true;
        }
        match self.policy.inner.category_index(category.as_bytes()) {
            Some(index) => self.granted.contains(index),
            None => false,
        }
    }

    /// The granted categories, in policy order, without `necessary`.
    pub fn categories(&self) -> Categories<'_> {
        Categories {
            names: self.policy.inner.categories.iter().enumerate(),
            granted: self.granted,
        }
    }

    /// Whether the request carried a valid consent cookie, even one that
    /// grants nothing (`[]`, `{}`). False when the cookie is missing or any
    /// copy of it is malformed.
    pub fn is_set(&self) -> bool {
        self.is_set
    }

    /// The policy this consent was read with.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub(crate) fn grants(&self) -> Grants {
        self.granted
    }
}

impl fmt::Debug for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consent")
            .field("is_set", &self.is_set)
            .field("granted", &self.categories().collect::<Vec<_>>())
            .finish()
    }
}

/// Iterator over the categories a [`Consent`] grants, in policy order.
/// Created by [`Consent::categories`].
#[derive(Debug, Clone)]
pub struct Categories<'a> {
    names: std::iter::Enumerate<std::slice::Iter<'a, crate::policy::Category>>,
    granted: Grants,
}

impl<'a> Iterator for Categories<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let granted = self.granted;
        self.names
            .by_ref()
            .find(|(index, _)| granted.contains(*index))
            .map(|(_, category)| &*category.name)
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

    #[test]
    fn grants_set_operations() {
        let mut g = Grants::NONE;
        g.insert(0);
        g.insert(63);
        g.insert(64);
        assert!(g.contains(0) && g.contains(63) && !g.contains(64) && !g.contains(1));
        assert_eq!(Grants::first(64), Grants(u64::MAX));
        assert_eq!(Grants::first(3), Grants(0b111));
        g.remove(0);
        assert!(!g.contains(0));
    }
}
