//! The cookie policy: which cookies are necessary, which need consent, and
//! under which category.

mod config;
mod entry;
mod error;
pub(crate) mod matcher;
mod opendatasoft;
mod opendatasoft_data;

use std::fmt;
use std::sync::Arc;

pub use self::entry::CookieEntry;
pub use self::error::PolicyError;
use self::matcher::{Class, Matcher, MatcherBuilder};
use crate::ascii;
use crate::consent::Grants;

/// The consent cookie name used when none is configured.
pub(crate) const DEFAULT_CONSENT_COOKIE: &str = "cookies_preferences";

/// The most categories a policy can hold: a visitor's choice is kept as one
/// bit per category in a `u64`.
pub(crate) const MAX_CATEGORIES: usize = 64;

/// Browsers refuse a cookie whose name and value together exceed 4096 bytes
/// (RFC 6265bis section 5.6), so no longer name can be stored.
const MAX_NAME_LEN: usize = 4096;

/// What to do with a `Set-Cookie` whose name the policy does not list.
///
/// ```
/// use tower_cookie_consent::{Policy, UnknownCookies};
///
/// let policy = Policy::builder().unknown_cookies(UnknownCookies::Allow).build()?;
/// assert_eq!(policy.unknown_cookies(), UnknownCookies::Allow);
/// assert_eq!(Policy::builder().build()?.unknown_cookies(), UnknownCookies::Strip);
/// # Ok::<(), tower_cookie_consent::PolicyError>(())
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnknownCookies {
    /// Remove them: a cookie nobody declared is not one the visitor agreed to.
    #[default]
    Strip,
    /// Let them through. Only for sites whose policy is known to be complete
    /// for every tracker, and that want to adopt the layer gradually.
    Allow,
}

/// A cookie policy: the consent cookie, the necessary cookies, and the
/// categories that need the visitor's consent.
///
/// Build one with [`Policy::builder`], deserialize one from a configuration
/// file (every field optional), or start from the [`Policy::opendatasoft`]
/// preset. A `Policy` is immutable and cheap to clone: it is shared behind one
/// [`Arc`].
///
/// ```
/// use tower_cookie_consent::Policy;
///
/// let policy: Policy = serde_json::from_str(r#"{
///     "necessary": ["sessionid", "csrftoken"],
///     "categories": {
///         "statistics": ["_pk_id*"],
///         "marketing": [{"name": "_hjid", "provider": "Hotjar", "lifetime": "12 months"}]
///     }
/// }"#)?;
/// assert_eq!(policy.consent_cookie(), "cookies_preferences");
/// assert_eq!(policy.categories().collect::<Vec<_>>(), ["statistics", "marketing"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// # Configuration schema
///
/// ```json
/// {"consent_cookie": "cookies_preferences",
///  "necessary": ["sessionid", "csrftoken", "django_language"],
///  "categories": {"statistics": ["_pk_id*"],
///                 "marketing": [{"name": "_hjid", "provider": "Hotjar",
///                                "purpose": "Unique visitor id", "lifetime": "12 months"}]},
///  "unknown_cookies": "strip"}
/// ```
///
/// A cookie entry is a name, a `prefix*`, or an object with `name` and
/// optional `provider`, `purpose`, `lifetime`, `path` and `domain`.
/// Deserializing validates exactly like [`PolicyBuilder::build`].
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "config::PolicyConfig")]
pub struct Policy {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) consent_cookie: Box<str>,
    pub(crate) necessary: Vec<CookieEntry>,
    pub(crate) categories: Vec<Category>,
    pub(crate) unknown: UnknownCookies,
    pub(crate) matcher: Matcher,
    /// Finds the consent cookie's name in `Cookie` headers at memchr speed.
    pub(crate) consent_finder: memchr::memmem::Finder<'static>,
}

#[derive(Debug)]
pub(crate) struct Category {
    pub(crate) name: Box<str>,
    pub(crate) cookies: Vec<CookieEntry>,
}

impl Policy {
    /// Starts a policy with the default consent cookie (`cookies_preferences`),
    /// no cookies, and [`UnknownCookies::Strip`].
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// The name of the cookie that stores the visitor's choice.
    pub fn consent_cookie(&self) -> &str {
        &self.inner.consent_cookie
    }

    /// The category names, in declaration order.
    pub fn categories(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.inner.categories.iter().map(|c| &*c.name)
    }

    /// The cookies declared as necessary.
    pub fn necessary(&self) -> &[CookieEntry] {
        &self.inner.necessary
    }

    /// The cookies declared under `category` (ASCII case-insensitive), or
    /// `None` if the policy has no such category.
    pub fn category_cookies(&self, category: &str) -> Option<&[CookieEntry]> {
        let index = self.inner.category_index(category.as_bytes())?;
        Some(&self.inner.categories[index].cookies)
    }

    /// What happens to cookies the policy does not list.
    pub fn unknown_cookies(&self) -> UnknownCookies {
        self.inner.unknown
    }

    /// The category a cookie name belongs to: `Some("necessary")` for the
    /// consent cookie and necessary cookies, `Some(category)` for a cookie
    /// that needs consent, `None` for a name the policy does not list.
    ///
    /// Exact names win over prefixes, and a longer prefix over a shorter one.
    /// Names compare case-sensitively, as browsers store them.
    ///
    /// ```
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .necessary(["sessionid"])
    ///     .category("statistics", ["_pk_id*"])
    ///     .build()?;
    /// assert_eq!(policy.category_of("_pk_id.1.a2f3"), Some("statistics"));
    /// assert_eq!(policy.category_of("cookies_preferences"), Some("necessary"));
    /// assert_eq!(policy.category_of("SESSIONID"), None);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn category_of(&self, cookie_name: &str) -> Option<&str> {
        match self.inner.matcher.classify(cookie_name.as_bytes())? {
            Class::Consent | Class::Necessary => Some("necessary"),
            Class::Category(index) => Some(&self.inner.categories[usize::from(index)].name),
        }
    }
}

impl Inner {
    /// The index of a category, compared ASCII case-insensitively.
    pub(crate) fn category_index(&self, name: &[u8]) -> Option<usize> {
        self.categories
            .iter()
            .position(|c| c.name.as_bytes().eq_ignore_ascii_case(name))
    }

    /// Every category granted.
    pub(crate) fn all(&self) -> Grants {
        Grants::first(self.categories.len())
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("consent_cookie", &self.inner.consent_cookie)
            .field("necessary", &self.inner.necessary)
            .field("categories", &self.inner.categories)
            .field("unknown_cookies", &self.inner.unknown)
            .finish()
    }
}

/// Builds a [`Policy`]. Created by [`Policy::builder`].
///
/// Calling [`necessary`](Self::necessary) or [`category`](Self::category)
/// again adds to the names given before.
///
/// ```
/// use tower_cookie_consent::{CookieEntry, Policy, UnknownCookies};
///
/// let policy = Policy::builder()
///     .consent_cookie("cookies_preferences")
///     .necessary(["sessionid", "csrftoken", "django_language"])
///     .category("statistics", ["_pk_id*", "_pk_ses*"])
///     .category("marketing", [CookieEntry::new("_hjid").with_provider("Hotjar")])
///     .category("marketing", ["__hs*", "hubspotutk"])
///     .unknown_cookies(UnknownCookies::Strip)
///     .build()?;
/// assert_eq!(policy.category_cookies("marketing").unwrap().len(), 3);
/// # Ok::<(), tower_cookie_consent::PolicyError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct PolicyBuilder {
    consent_cookie: String,
    necessary: Vec<CookieEntry>,
    categories: Vec<(String, Vec<CookieEntry>)>,
    unknown: UnknownCookies,
}

impl Default for PolicyBuilder {
    fn default() -> Self {
        Self {
            consent_cookie: DEFAULT_CONSENT_COOKIE.to_owned(),
            necessary: Vec::new(),
            categories: Vec::new(),
            unknown: UnknownCookies::default(),
        }
    }
}

impl PolicyBuilder {
    /// Sets the name of the cookie that stores the visitor's choice
    /// (default `cookies_preferences`). The consent cookie is always
    /// allowed: it is necessary by nature.
    pub fn consent_cookie(mut self, name: impl Into<String>) -> Self {
        self.consent_cookie = name.into();
        self
    }

    /// Adds cookies that need no consent: exact names or `prefix*`.
    pub fn necessary<I>(mut self, cookies: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<CookieEntry>,
    {
        self.necessary.extend(cookies.into_iter().map(Into::into));
        self
    }

    /// Adds cookies that need consent to the category `name`: exact names or
    /// `prefix*`. A category may be declared with no cookies.
    pub fn category<I>(mut self, name: impl Into<String>, cookies: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<CookieEntry>,
    {
        let name = name.into();
        let cookies = cookies.into_iter().map(Into::into);
        match self
            .categories
            .iter_mut()
            .find(|(existing, _)| existing.eq_ignore_ascii_case(&name))
        {
            Some((_, existing)) => existing.extend(cookies),
            None => self.categories.push((name, cookies.collect())),
        }
        self
    }

    /// Sets what happens to cookies the policy does not list (default
    /// [`UnknownCookies::Strip`]).
    pub fn unknown_cookies(mut self, unknown: UnknownCookies) -> Self {
        self.unknown = unknown;
        self
    }

    /// Validates the policy.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] naming the offending cookie or category when a name
    /// is empty or could not be stored by a browser, a `*` is not at the end
    /// of a name, the same name or prefix is listed twice under different
    /// categories (or a category and `necessary`), a category is called
    /// `necessary` or `all`, or there are more than 64 categories.
    pub fn build(self) -> Result<Policy, PolicyError> {
        check_consent_cookie(&self.consent_cookie)?;
        if self.categories.len() > MAX_CATEGORIES {
            return Err(PolicyError::TooManyCategories {
                count: self.categories.len(),
                max: MAX_CATEGORIES,
            });
        }
        for (name, _) in &self.categories {
            if name.is_empty() {
                return Err(PolicyError::EmptyCategoryName);
            }
            if name.eq_ignore_ascii_case("necessary") || name.eq_ignore_ascii_case("all") {
                return Err(PolicyError::ReservedCategoryName { name: name.clone() });
            }
        }

        let mut matcher = MatcherBuilder::new();
        let consent = self.consent_cookie.as_bytes();
        matcher
            .insert(consent, false, Class::Consent)
            .expect("the first pattern cannot conflict");
        let class_name = |class: Class| -> String {
            match class {
                Class::Consent | Class::Necessary => "necessary".to_owned(),
                Class::Category(i) => self.categories[usize::from(i)].0.clone(),
            }
        };

        let mut groups = Vec::with_capacity(self.categories.len() + 1);
        groups.push(("necessary", Class::Necessary, &self.necessary));
        for (index, (name, cookies)) in self.categories.iter().enumerate() {
            let index = u8::try_from(index).expect("at most 64 categories");
            groups.push((name.as_str(), Class::Category(index), cookies));
        }

        let mut declared = Vec::with_capacity(groups.len());
        for (group, class, cookies) in groups {
            let mut kept: Vec<CookieEntry> = Vec::with_capacity(cookies.len());
            for entry in cookies {
                let (pattern, is_prefix) = check_cookie_pattern(entry.name(), group)?;
                // The consent cookie may be listed as necessary, as the seed
                // policy does; it is necessary by nature.
                let class_here = if class == Class::Necessary && !is_prefix && pattern == consent {
                    Class::Consent
                } else {
                    class
                };
                if let Err(existing) = matcher.insert(pattern, is_prefix, class_here) {
                    return Err(PolicyError::DuplicateCookie {
                        name: entry.name().to_owned(),
                        first: class_name(existing),
                        second: group.to_owned(),
                    });
                }
                if !kept.iter().any(|k| k.name() == entry.name()) {
                    kept.push(entry.clone());
                }
            }
            declared.push(kept);
        }

        let mut declared = declared.into_iter();
        let necessary = declared.next().unwrap_or_default();
        let categories = self
            .categories
            .into_iter()
            .zip(declared)
            .map(|((name, _), cookies)| Category {
                name: name.into_boxed_str(),
                cookies,
            })
            .collect();
        Ok(Policy {
            inner: Arc::new(Inner {
                consent_finder: memchr::memmem::Finder::new(self.consent_cookie.as_bytes())
                    .into_owned(),
                consent_cookie: self.consent_cookie.into_boxed_str(),
                necessary,
                categories,
                unknown: self.unknown,
                matcher: matcher.build(),
            }),
        })
    }
}

/// Why a browser would not store a cookie under `name`, if it would not.
fn cookie_name_problem(name: &[u8]) -> Option<&'static str> {
    if name.is_empty() {
        return Some("the name is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return Some("the name is longer than the 4096 bytes a browser stores");
    }
    if ascii::trim_wsp(name).len() != name.len() {
        return Some("a browser trims leading and trailing spaces and tabs from names");
    }
    if name.iter().any(|&b| ascii::is_ctl(b)) {
        return Some("a browser refuses names with control characters");
    }
    if name.contains(&b';') || name.contains(&b'=') {
        return Some("a name cannot contain `;` or `=`");
    }
    None
}

fn check_consent_cookie(name: &str) -> Result<(), PolicyError> {
    match cookie_name_problem(name.as_bytes()) {
        Some(reason) => Err(PolicyError::InvalidConsentCookie {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Splits `name` into the bytes to match and whether it is a prefix.
fn check_cookie_pattern<'a>(name: &'a str, group: &str) -> Result<(&'a [u8], bool), PolicyError> {
    let invalid = |reason| PolicyError::InvalidCookieName {
        name: name.to_owned(),
        category: group.to_owned(),
        reason,
    };
    let (pattern, is_prefix) = match name.strip_suffix('*') {
        Some("") => return Err(invalid("a bare `*` would match every cookie")),
        Some(prefix) => (prefix, true),
        None => (name, false),
    };
    if pattern.contains('*') {
        return Err(invalid("`*` may only end a name, as a prefix"));
    }
    if let Some(reason) = cookie_name_problem(pattern.as_bytes()) {
        return Err(invalid(reason));
    }
    Ok((pattern.as_bytes(), is_prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_is_shareable() {
        fn assert_traits<T: Clone + fmt::Debug + Send + Sync + 'static>() {}
        assert_traits::<Policy>();
    }
}
