//! The cookie policy: which cookies are necessary, which need consent, and
//! under which category.
//!
//! A [`Policy`] is configuration, frozen by [`PolicyBuilder::build`]: the
//! rest of the crate reads it through a few narrow methods and never sees
//! its fields.

mod builder;
mod categories;
mod config;
mod entry;
mod error;
mod matcher;
mod opendatasoft;
mod opendatasoft_data;
mod revocation;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub use self::builder::PolicyBuilder;
pub(crate) use self::categories::{Categories, CategoryName, Grants};
pub use self::entry::CookieEntry;
pub use self::error::PolicyError;
use self::matcher::Matcher;
pub(crate) use self::matcher::{Class, EntryId, Match};
pub(crate) use self::revocation::Revocation;

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
///  "unknown_cookies": "strip",
///  "purge": true, "purge_limit": 32, "strip_request_cookies": true,
///  "gpc": ["marketing"], "gpc_explicit_choice_wins": false}
/// ```
///
/// A cookie entry is a name, a `prefix*`, or an object with `name` and
/// optional `provider`, `purpose`, `lifetime`, `path` and `domain`.
/// Deserializing validates exactly like [`PolicyBuilder::build`].
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "config::PolicyConfig")]
pub struct Policy {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    consent_cookie: Box<str>,
    /// Finds the consent cookie's name in `Cookie` headers at memchr speed.
    consent_finder: memchr::memmem::Finder<'static>,
    categories: Categories,
    /// Every entry, grouped: the necessary ones, then each category's in
    /// category order, then the consent cookie's own entry when the policy
    /// does not declare it. An [`EntryId`] indexes this list.
    entries: Vec<CookieEntry>,
    necessary: Range<usize>,
    /// The entries of category `i`.
    category_entries: Vec<Range<usize>>,
    unknown: UnknownCookies,
    matcher: Matcher,
    revocation: Revocation,
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
        self.inner.categories.names()
    }

    /// The cookies declared as necessary.
    pub fn necessary(&self) -> &[CookieEntry] {
        &self.inner.entries[self.inner.necessary.clone()]
    }

    /// The cookies declared under `category` (ASCII case-insensitive), or
    /// `None` if the policy has no such category.
    pub fn category_cookies(&self, category: &str) -> Option<&[CookieEntry]> {
        let index = self.inner.categories.index_of(category.as_bytes())?;
        Some(&self.inner.entries[self.inner.category_entries[index].clone()])
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
        let found = self.classify(cookie_name.as_bytes())?;
        Some(self.class_name(found.class))
    }

    /// The policy entry a cookie name matches: the exact name, else the
    /// longest prefix, with the path, domain and provider the policy gives
    /// it. The consent cookie always has an entry, declared or not.
    ///
    /// ```
    /// use tower_cookie_consent::{CookieEntry, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .category("statistics", [
    ///         CookieEntry::new("_pk_id*").with_provider("Matomo").with_path("/shop"),
    ///     ])
    ///     .build()?;
    /// let entry = policy.entry_of("_pk_id.1.a2f3").unwrap();
    /// assert_eq!(entry.name(), "_pk_id*");
    /// assert_eq!(entry.provider(), Some("Matomo"));
    /// assert_eq!(entry.path(), Some("/shop"));
    /// assert_eq!(policy.entry_of("cookies_preferences").unwrap().name(), "cookies_preferences");
    /// assert!(policy.entry_of("_ga").is_none());
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn entry_of(&self, cookie_name: &str) -> Option<&CookieEntry> {
        let found = self.classify(cookie_name.as_bytes())?;
        Some(self.entry(found.entry))
    }

    // Narrow accessors for the rest of the crate.

    /// Classifies a cookie name: its class and the entry that matched.
    pub(crate) fn classify(&self, name: &[u8]) -> Option<Match> {
        self.inner.matcher.classify(name)
    }

    /// The entry `id` names (ids come from [`Policy::classify`]).
    pub(crate) fn entry(&self, id: EntryId) -> &CookieEntry {
        &self.inner.entries[id.0 as usize]
    }

    /// `necessary` or the category's name.
    pub(crate) fn class_name(&self, class: Class) -> &str {
        match class {
            Class::Consent | Class::Necessary => "necessary",
            Class::Category(index) => self.inner.categories.name(usize::from(index)),
        }
    }

    pub(crate) fn category_list(&self) -> &Categories {
        &self.inner.categories
    }

    pub(crate) fn consent_finder(&self) -> &memchr::memmem::Finder<'static> {
        &self.inner.consent_finder
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let categories: Vec<_> = self
            .categories()
            .map(|name| (name, self.category_cookies(name).unwrap_or_default()))
            .collect();
        f.debug_struct("Policy")
            .field("consent_cookie", &self.inner.consent_cookie)
            .field("necessary", &self.necessary())
            .field("categories", &categories)
            .field("unknown_cookies", &self.inner.unknown)
            .finish()
    }
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
