//! The cookie policy: which cookies are necessary, which need consent, and
//! under which category.
//!
//! A [`Policy`] is configuration, frozen by [`PolicyBuilder::build`]: the
//! rest of the crate reads it through a few narrow methods and never sees
//! its fields.

mod builder;
mod categories;
mod config;
mod declaration;
mod entry;
mod error;
mod format;
mod matcher;
mod opendatasoft;
mod opendatasoft_data;
mod revocation;
mod vocabulary;

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub use self::builder::PolicyBuilder;
pub(crate) use self::categories::{Categories, CategoryName, Grants};
pub use self::declaration::PolicyCategory;
pub use self::entry::CookieEntry;
pub use self::error::PolicyError;
pub use self::format::ConsentFormat;
use self::matcher::Matcher;
pub(crate) use self::matcher::{Class, EntryId, Match};
pub(crate) use self::revocation::Revocation;
use self::vocabulary::Vocabulary;
pub(crate) use self::vocabulary::MAX_ALIAS_LEN;
use crate::known::KnownCategory;

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
/// {"consent_format": "auto",
///  "consent_cookie": "cookies_preferences",
///  "necessary": ["sessionid", "csrftoken", "django_language"],
///  "categories": {"audience": ["_pk_id*"],
///                 "marketing": [{"name": "_hjid", "provider": "Hotjar",
///                                "function": "Behaviour analytics",
///                                "purpose": "Unique visitor id", "lifetime": "12 months"}]},
///  "exempt_categories": ["audience"],
///  "aliases": {"C0004": "marketing"},
///  "known_cookies": {"Marketing": "marketing"},
///  "unknown_cookies": "strip",
///  "purge": true, "purge_limit": 32, "strip_request_cookies": true,
///  "gpc": ["marketing"], "gpc_explicit_choice_wins": false}
/// ```
///
/// A cookie entry is a name, a `prefix*`, or an object with `name` and
/// optional `provider`, `function`, `purpose`, `lifetime`, `path` and
/// `domain`. `consent_format` is one of the [`ConsentFormat`] names;
/// `aliases` maps a banner's own names to categories
/// ([`PolicyBuilder::alias`]); `exempt_categories` lists categories exempt
/// from consent ([`PolicyBuilder::exempt`]); `revision` (a number) and
/// `cookiebot_unregulated_grants_all` (a boolean) are
/// [`PolicyBuilder::revision`] and
/// [`PolicyBuilder::cookiebot_unregulated_grants_all`]; `known_cookies`
/// maps Open Cookie Database categories to policy categories
/// ([`PolicyBuilder::known_cookies`]). Deserializing validates exactly
/// like [`PolicyBuilder::build`].
#[derive(Clone, serde::Deserialize)]
#[serde(try_from = "config::PolicyConfig")]
pub struct Policy {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The consent cookie's name; a prefix ends with `*`.
    consent_cookie: Box<str>,
    consent_is_prefix: bool,
    /// The format's second consent cookie, read when the first is absent.
    consent_fallback: Option<&'static str>,
    /// Finds the consent cookie's name in `Cookie` headers at memchr speed.
    consent_finder: memchr::memmem::Finder<'static>,
    format: ConsentFormat,
    categories: Categories,
    /// Every entry, grouped: the necessary ones, then each category's in
    /// category order, then the consent cookies' own entries when the
    /// policy does not declare them, then the known cookies'. An
    /// [`EntryId`] indexes this list.
    entries: Vec<CookieEntry>,
    necessary: Range<usize>,
    /// The entries of category `i`.
    category_entries: Vec<Range<usize>>,
    /// The consent cookies' entries that the policy does not declare.
    consent_entries: Range<usize>,
    /// The first known cookie's entry: every entry from here on comes from
    /// the database, every one before it from the policy.
    known_start: EntryId,
    known_mapping: KnownMapping,
    unknown: UnknownCookies,
    matcher: Matcher,
    vocabulary: Vocabulary,
    /// The categories exempt from consent.
    exempt: Grants,
    revision: Option<u64>,
    unregulated_grants_all: bool,
    revocation: Revocation,
}

impl Policy {
    /// Starts a policy in the default consent format
    /// ([`ConsentFormat::Auto`], cookie `cookies_preferences`), with no
    /// cookies, and [`UnknownCookies::Strip`].
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// The name of the cookie that stores the visitor's choice. For a
    /// format spread over several cookies ([`ConsentFormat::Complianz`]),
    /// the prefix they share, with a trailing `*` (`cmplz_*`).
    pub fn consent_cookie(&self) -> &str {
        &self.inner.consent_cookie
    }

    /// The format of the consent cookie.
    pub fn consent_format(&self) -> ConsentFormat {
        self.inner.format
    }

    /// The policy's consent revision, if any: see
    /// [`PolicyBuilder::revision`].
    pub fn revision(&self) -> Option<u64> {
        self.inner.revision
    }

    /// The declared categories, in declaration order, exempt ones included:
    /// each with its name, its cookie entries and whether it is exempt from
    /// consent. An item compares equal to its name and dereferences to it.
    ///
    /// ```
    /// use tower_cookie_consent::{CookieEntry, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .category("audience", [CookieEntry::new("_pk_id*").with_provider("Matomo")])
    ///     .category("marketing", ["_fbp"])
    ///     .exempt("audience")
    ///     .build()?;
    /// let categories: Vec<_> = policy.categories().collect();
    /// assert_eq!(categories, ["audience", "marketing"]);
    /// assert!(categories[0].is_exempt());
    /// assert_eq!(categories[0].cookies()[0].provider(), Some("Matomo"));
    /// assert!(!categories[1].is_exempt());
    /// assert_eq!(categories[1].name(), "marketing");
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn categories(&self) -> impl ExactSizeIterator<Item = PolicyCategory<'_>> + '_ {
        (0..self.inner.categories.len()).map(|index| PolicyCategory::new(self, index))
    }

    /// The category called `name` (ASCII case-insensitive), or `None` if
    /// the policy has no such category.
    pub fn category(&self, name: &str) -> Option<PolicyCategory<'_>> {
        let index = self.inner.categories.index_of(name.as_bytes())?;
        Some(PolicyCategory::new(self, index))
    }

    /// The cookies declared as necessary.
    pub fn necessary(&self) -> &[CookieEntry] {
        &self.inner.entries[self.inner.necessary.clone()]
    }

    /// The cookies declared under `category` (ASCII case-insensitive), or
    /// `None` if the policy has no such category.
    pub fn category_cookies(&self, category: impl AsRef<str>) -> Option<&[CookieEntry]> {
        let index = self
            .inner
            .categories
            .index_of(category.as_ref().as_bytes())?;
        Some(self.category_entries(index))
    }

    /// What happens to cookies the policy does not list.
    pub fn unknown_cookies(&self) -> UnknownCookies {
        self.inner.unknown
    }

    /// The category a cookie name belongs to: `Some("necessary")` for the
    /// consent cookie and necessary cookies, `Some(category)` for a cookie
    /// that needs consent, `None` for a name the policy does not list.
    /// With [`PolicyBuilder::known_cookies`], a name the policy does not
    /// declare gets the category that the mapping gives its database row.
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
    /// it. The consent cookie always has an entry, declared or not. A known
    /// cookie that the policy does not declare has the entry of its database
    /// row ([`CookieEntry::known`]).
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

    /// Whether the policy itself places a cookie name: the consent cookie,
    /// a necessary cookie or a cookie of a category, by its exact name or a
    /// prefix. False for a name the policy only classifies through
    /// [`PolicyBuilder::known_cookies`], and for a name it does not know.
    ///
    /// ```
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .category("statistics", ["_pk_id*"])
    ///     .known_cookies([("Analytics", "statistics")])
    ///     .build()?;
    /// assert!(policy.is_declared("_pk_id.1.abcd"));
    /// assert!(policy.is_declared("cookies_preferences"));
    /// assert_eq!(policy.category_of("_ga"), Some("statistics"));
    /// assert!(!policy.is_declared("_ga"));
    /// assert!(!policy.is_declared("my_cart"));
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn is_declared(&self, cookie_name: &str) -> bool {
        self.classify(cookie_name.as_bytes())
            .is_some_and(|found| !self.is_known(found))
    }

    /// The policy category that [`PolicyBuilder::known_cookies`] maps a
    /// database category to, or `None` when it is not mapped.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCategory;
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .category("statistics", ["_pk_id*"])
    ///     .known_cookies([("analytics", "Statistics")])
    ///     .build()?;
    /// assert_eq!(policy.known_category(KnownCategory::Analytics), Some("statistics"));
    /// assert_eq!(policy.known_category(KnownCategory::Marketing), None);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn known_category(&self, category: KnownCategory) -> Option<&str> {
        let index = self.inner.known_mapping.get(category)?;
        Some(self.inner.categories.name(usize::from(index)))
    }

    // Narrow accessors for the rest of the crate.

    /// Classifies a cookie name: its class and the entry that matched.
    pub(crate) fn classify(&self, name: &[u8]) -> Option<Match> {
        self.inner.matcher.classify(name)
    }

    /// Whether `found` came from the known-cookie database rather than from
    /// the policy's own patterns: one comparison, for the hot path.
    #[inline]
    pub(crate) fn is_known(&self, found: Match) -> bool {
        found.entry >= self.inner.known_start
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

    /// The consent cookie's name, or its prefix without the `*`.
    pub(crate) fn consent_pattern(&self) -> &[u8] {
        let name = self.inner.consent_cookie.as_bytes();
        if self.inner.consent_is_prefix {
            &name[..name.len() - 1]
        } else {
            name
        }
    }

    /// The format's second consent cookie, read when the first is absent.
    pub(crate) fn consent_fallback(&self) -> Option<&'static str> {
        self.inner.consent_fallback
    }

    /// The category a banner's own `name` grants: its alias's, else the
    /// category of the same name.
    #[inline]
    pub(crate) fn category_for(&self, name: &[u8]) -> Option<usize> {
        self.inner
            .vocabulary
            .category_of(&self.inner.categories, name)
    }

    /// The categories exempt from consent.
    pub(crate) fn exempt(&self) -> Grants {
        self.inner.exempt
    }

    /// Whether Cookiebot's `-1` grants every category.
    pub(crate) fn unregulated_grants_all(&self) -> bool {
        self.inner.unregulated_grants_all
    }

    /// The consent cookies' entries the policy does not declare.
    pub(crate) fn consent_entries(&self) -> &[CookieEntry] {
        &self.inner.entries[self.inner.consent_entries.clone()]
    }

    fn category_entries(&self, index: usize) -> &[CookieEntry] {
        &self.inner.entries[self.inner.category_entries[index].clone()]
    }
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let categories: Vec<_> = self
            .categories()
            .map(|category| (category.name(), category.cookies()))
            .collect();
        let exempt: Vec<_> = self
            .categories()
            .filter(PolicyCategory::is_exempt)
            .map(|category| category.name())
            .collect();
        let aliases: Vec<_> = self
            .inner
            .vocabulary
            .iter()
            .map(|(alias, index)| {
                (
                    String::from_utf8_lossy(alias),
                    self.inner.categories.name(index),
                )
            })
            .collect();
        f.debug_struct("Policy")
            .field("consent_format", &self.inner.format)
            .field("consent_cookie", &self.inner.consent_cookie)
            .field("necessary", &self.necessary())
            .field("categories", &categories)
            .field("exempt_categories", &exempt)
            .field("aliases", &aliases)
            .field("revision", &self.inner.revision)
            .field(
                "known_cookies",
                &self
                    .inner
                    .known_mapping
                    .iter()
                    .map(|(known, index)| {
                        (
                            known.as_str(),
                            self.inner.categories.name(usize::from(index)),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .field(
                "cookiebot_unregulated_grants_all",
                &self.inner.unregulated_grants_all,
            )
            .field("unknown_cookies", &self.inner.unknown)
            .finish()
    }
}

/// The policy category of each database category, for
/// [`PolicyBuilder::known_cookies`]; unmapped ones stay unknown.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KnownMapping([Option<u8>; KnownCategory::ALL.len()]);

impl KnownMapping {
    pub(crate) fn get(&self, category: KnownCategory) -> Option<u8> {
        self.0[category.index()]
    }

    pub(crate) fn set(&mut self, category: KnownCategory, index: u8) {
        self.0[category.index()] = Some(index);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }

    /// The mapped categories, in the database's category order.
    fn iter(&self) -> impl Iterator<Item = (KnownCategory, u8)> + '_ {
        KnownCategory::ALL
            .into_iter()
            .filter_map(|category| Some((category, self.get(category)?)))
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
