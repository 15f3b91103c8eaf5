//! [`PolicyBuilder`]: collects names, validates them, and freezes them into
//! a [`Policy`].

use std::collections::HashMap;
use std::sync::Arc;

use super::categories::{Categories, Grants, MAX_CATEGORIES};
use super::matcher::{Answer, Class, EntryId, Match, MatcherBuilder};
use super::revocation::RevocationConfig;
use super::vocabulary::{Vocabulary, MAX_ALIAS_LEN};
use super::{ConsentFormat, CookieEntry, Inner, KnownMapping, Policy, PolicyError, UnknownCookies};
use crate::known::{self, KnownCategory};
use crate::set_cookie;

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
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct PolicyBuilder {
    /// `None` until set explicitly: the format's conventional cookie then.
    consent_cookie: Option<String>,
    format: ConsentFormat,
    necessary: Vec<CookieEntry>,
    categories: Vec<(String, Vec<CookieEntry>)>,
    unknown: UnknownCookies,
    aliases: Vec<(String, String)>,
    exempt: Vec<String>,
    revision: Option<u64>,
    unregulated_grants_all: bool,
    pub(super) revocation: RevocationConfig,
    /// (database category, policy category), as given.
    known: Vec<(String, String)>,
}

impl PolicyBuilder {
    /// Sets the name of the cookie that stores the visitor's choice
    /// (default: the consent format's conventional cookie,
    /// `cookies_preferences` for [`ConsentFormat::Auto`]). The consent
    /// cookie is always allowed: it is necessary by nature.
    ///
    /// With [`ConsentFormat::Complianz`] the name is a prefix, with or
    /// without its `*` (`cmplz_rt_` on the main site of a multisite
    /// network): every cookie that starts with it is part of the record.
    pub fn consent_cookie(mut self, name: impl Into<String>) -> Self {
        self.consent_cookie = Some(name.into());
        self
    }

    /// Sets the format of the consent cookie (default
    /// [`ConsentFormat::Auto`]), and with it the banner's conventional
    /// cookie name, unless [`consent_cookie`](Self::consent_cookie) names
    /// one (before or after this call).
    ///
    /// ```
    /// use tower_cookie_consent::{ConsentFormat, Policy};
    ///
    /// let policy = Policy::builder().consent_format(ConsentFormat::Cookiebot).build()?;
    /// assert_eq!(policy.consent_cookie(), "CookieConsent");
    /// let renamed = Policy::builder()
    ///     .consent_cookie("cc_consent")
    ///     .consent_format(ConsentFormat::Orestbida)
    ///     .build()?;
    /// assert_eq!(renamed.consent_cookie(), "cc_consent");
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn consent_format(mut self, format: ConsentFormat) -> Self {
        self.format = format;
        self
    }

    /// Maps a banner's own name for something (a OneTrust group id such as
    /// `C0002`, a TCF purpose such as `purpose:1`, a Klaro service such as
    /// `matomo`) to one of the policy's categories. Names compare ASCII
    /// case-insensitively. Without an alias, a name grants the category of
    /// the same name.
    ///
    /// Several names may map to one category. The category is granted when
    /// one of them is granted, unless another of them is refused in the
    /// same record: then the refusal wins.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue};
    /// use tower_cookie_consent::{Consent, ConsentFormat, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .consent_format(ConsentFormat::OneTrust)
    ///     .category("statistics", ["_ga"])
    ///     .category("marketing", ["_fbp"])
    ///     .alias("C0002", "statistics")
    ///     .alias("C0004", "marketing")
    ///     .alias("C0005", "marketing")
    ///     .build()?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::COOKIE, HeaderValue::from_static(
    ///     "OptanonConsent=isGpcEnabled=0&version=202312.1.0&groups=C0001%3A1%2CC0002%3A1%2CC0004%3A1%2CC0005%3A0",
    /// ));
    /// let consent = Consent::from_headers(&policy, &headers);
    /// // C0005 is refused, so marketing is refused though C0004 is granted.
    /// assert_eq!(consent.categories().collect::<Vec<_>>(), ["statistics"]);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn alias(mut self, name: impl Into<String>, category: impl Into<String>) -> Self {
        self.aliases.push((name.into(), category.into()));
        self
    }

    /// Declares a category exempt from consent, such as audience
    /// measurement that regulators allow without consent when it is
    /// anonymised (the CNIL's exemption for Matomo in its exempt mode). Its
    /// cookies always pass and [`Consent::allows`](crate::Consent::allows)
    /// is true for it, but it keeps its own name, so that the declaration
    /// table lists it honestly instead of under `necessary`.
    ///
    /// ```
    /// use tower_cookie_consent::{Consent, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .category("audience", ["_pk_id*"])
    ///     .category("marketing", ["_fbp"])
    ///     .exempt("audience")
    ///     .build()?;
    /// let consent = Consent::necessary_only(&policy);
    /// assert!(consent.allows("audience"));
    /// assert!(!consent.allows("marketing"));
    /// assert_eq!(policy.category_of("_pk_id.1.fff"), Some("audience"));
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn exempt(mut self, category: impl Into<String>) -> Self {
        self.exempt.push(category.into());
        self
    }

    /// Sets the policy's consent revision, for formats whose record carries
    /// one ([`Cookiebot`](ConsentFormat::Cookiebot)'s `ver`,
    /// [`Orestbida`](ConsentFormat::Orestbida)'s `revision`,
    /// [`Complianz`](ConsentFormat::Complianz)'s `cmplz_policy_id`). A
    /// record older than the revision, or without one, grants nothing
    /// beyond the necessary cookies, and
    /// [`Consent::is_set`](crate::Consent::is_set) is false for it: the
    /// visitor has to be asked again. Raise it when the policy changes in a
    /// way earlier consents do not cover.
    ///
    /// Building fails for a format whose record carries no revision.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue};
    /// use tower_cookie_consent::{Consent, ConsentFormat, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .consent_format(ConsentFormat::Orestbida)
    ///     .category("analytics", ["_ga"])
    ///     .revision(2)
    ///     .build()?;
    /// let consent_of = |record: &str| {
    ///     let mut headers = HeaderMap::new();
    ///     let cookie = format!("cc_cookie={record}");
    ///     headers.insert(header::COOKIE, HeaderValue::from_str(&cookie).unwrap());
    ///     Consent::from_headers(&policy, &headers)
    /// };
    /// let current = consent_of(r#"{"categories":["necessary","analytics"],"revision":2}"#);
    /// assert!(current.is_set() && current.allows("analytics"));
    /// let stale = consent_of(r#"{"categories":["necessary","analytics"],"revision":1}"#);
    /// assert!(!stale.is_set() && !stale.allows("analytics"));
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn revision(mut self, revision: u64) -> Self {
        self.revision = Some(revision);
        self
    }

    /// Whether Cookiebot's whole value `-1`, which its server-side guide
    /// reads as "the visitor is outside a region that requires consent",
    /// grants every category (default `false`: it grants nothing, and
    /// [`Consent::is_set`](crate::Consent::is_set) is false). Only a site
    /// that has checked where its visitors are may turn it on: the value
    /// says nothing about the visitor's choice.
    ///
    /// Building fails when it is turned on for another format.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue};
    /// use tower_cookie_consent::{Consent, ConsentFormat, Policy};
    ///
    /// let mut headers = HeaderMap::new();
    /// headers.insert(header::COOKIE, HeaderValue::from_static("CookieConsent=-1"));
    /// let builder = Policy::builder()
    ///     .consent_format(ConsentFormat::Cookiebot)
    ///     .category("statistics", ["_ga"]);
    ///
    /// let strict = builder.clone().build()?;
    /// assert!(!Consent::from_headers(&strict, &headers).allows("statistics"));
    /// let open = builder.cookiebot_unregulated_grants_all(true).build()?;
    /// assert!(Consent::from_headers(&open, &headers).allows("statistics"));
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn cookiebot_unregulated_grants_all(mut self, grants_all: bool) -> Self {
        self.unregulated_grants_all = grants_all;
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

    /// Classifies the cookies the policy does not declare through the
    /// embedded [Open Cookie Database](crate::known): each pair maps a
    /// database category (`Analytics`, `Marketing`, `Functional`,
    /// `Personalization`, compared ASCII case-insensitively) to one of the
    /// policy's categories. An undeclared name then belongs to the policy
    /// category of the database row that
    /// [`KnownCookie::lookup`](crate::known::KnownCookie::lookup) finds
    /// for it, and is kept or stripped by the visitor's consent to that
    /// category. Calling it again adds to the pairs given before.
    ///
    /// - **Declared names always win.** A name that the policy places
    ///   (necessary, a category, the consent cookie), by an exact name or
    ///   by a prefix, keeps the policy's class, whatever the database says
    ///   of it or of a longer prefix.
    /// - A name whose database row has a category the mapping does not
    ///   name stays unknown: [`UnknownCookies`] decides. So does a name
    ///   under a mapped prefix row when a longer row of an unmapped
    ///   category matches it.
    /// - The database never exempts a cookie from consent: its `Necessary`
    ///   and `Security` categories cannot be mapped, and no category can be
    ///   mapped to `necessary` or to an exempt category. Declare the
    ///   necessary cookies the site sets by name.
    ///
    /// The database lists generic names (`sessionid` as an Instagram
    /// marketing cookie, `token`, `c`, `u`, the prefix `_s`): declare the
    /// site's own cookies, so that the database only classifies the rest.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCategory;
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .necessary(["sessionid"])
    ///     .category("statistics", ["_pk_id*"])
    ///     .category("marketing", ["_hjid"])
    ///     .known_cookies([("Analytics", "statistics"), ("Marketing", "marketing")])
    ///     .build()?;
    /// // Known to the database, not declared: classified through it.
    /// assert_eq!(policy.category_of("_ga"), Some("statistics"));
    /// assert_eq!(policy.category_of("_fbp"), Some("marketing"));
    /// assert_eq!(policy.entry_of("_ga").unwrap().provider(), Some("Google Analytics"));
    /// assert!(!policy.is_declared("_ga"));
    /// // Declared: the policy decides (the database calls `sessionid` marketing).
    /// assert_eq!(policy.category_of("sessionid"), Some("necessary"));
    /// assert!(policy.is_declared("sessionid"));
    /// // A Functional row, unmapped: unknown.
    /// assert_eq!(policy.category_of("PHPSESSID"), None);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn known_cookies<I, K, V>(mut self, mapping: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.known.extend(
            mapping
                .into_iter()
                .map(|(database, category)| (database.into(), category.into())),
        );
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
    /// `necessary` or `all`, there are more than 64 categories, an alias or
    /// an exempt category names a category the policy does not declare, an
    /// alias maps to two categories, an option does not apply to the
    /// consent format, or [`known_cookies`](Self::known_cookies) names a
    /// database category that does not exist or cannot be mapped, or maps
    /// one to an undeclared, exempt or `necessary` category, or to two
    /// categories.
    pub fn build(self) -> Result<Policy, PolicyError> {
        let format = self.format;
        let consent = ConsentCookie::new(self.consent_cookie.as_deref(), format)?;
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
        let categories = Categories::new(
            self.categories
                .iter()
                .map(|(name, _)| name.as_str().into())
                .collect(),
        );
        let exempt = exempt_grants(&self.exempt, &categories)?;
        let vocabulary = vocabulary(&self.aliases, &categories)?;
        let known_mapping = known_mapping(&self.known, &categories, exempt)?;
        if self.revision.is_some() && !format.carries_revision() {
            return Err(PolicyError::OptionNotForFormat {
                option: "revision",
                format,
            });
        }
        if self.unregulated_grants_all && format != ConsentFormat::Cookiebot {
            return Err(PolicyError::OptionNotForFormat {
                option: "cookiebot_unregulated_grants_all",
                format,
            });
        }

        let mut groups = Vec::with_capacity(self.categories.len() + 1);
        groups.push(("necessary", Class::Necessary, &self.necessary));
        for (index, (name, cookies)) in self.categories.iter().enumerate() {
            let index = u8::try_from(index).expect("at most 64 categories");
            groups.push((name.as_str(), Class::Category(index), cookies));
        }
        let class_name = |class: Class| -> String {
            match class {
                Class::Consent | Class::Necessary => "necessary".to_owned(),
                Class::Category(i) => self.categories[usize::from(i)].0.clone(),
            }
        };

        // First the entries, validated and deduplicated, so that every id
        // is known before the matcher is filled.
        let mut entries: Vec<CookieEntry> = Vec::new();
        let mut patterns = Vec::new();
        let mut ranges = Vec::with_capacity(groups.len());
        for (group, class, cookies) in &groups {
            let start = entries.len();
            // The first entry of each name in the group, looked up by name:
            // searching the group's entries for each name made building a
            // policy of ten thousand names quadratic (tens of millions of
            // string comparisons).
            let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(cookies.len());
            for entry in cookies.iter() {
                let (pattern, is_prefix) = check_cookie_pattern(entry.name(), group)?;
                let id = *first_of.entry(entry.name()).or_insert_with(|| {
                    entries.push(entry.clone());
                    entries.len() - 1
                });
                patterns.push((
                    pattern,
                    is_prefix,
                    *class,
                    entry_id(id),
                    entry.name(),
                    *group,
                ));
            }
            ranges.push(start..entries.len());
        }
        // The consent cookies may be listed as necessary, as the seed policy
        // does; they are necessary by nature. Undeclared, each gets an entry
        // of its own, so that every name the layer lets through has one.
        let consent_patterns = consent.patterns();
        let extra_start = entries.len();
        let mut consent_matches = Vec::with_capacity(consent_patterns.len());
        for &(pattern, is_prefix, purpose) in &consent_patterns {
            let declared = entries[ranges[0].clone()].iter().position(|entry| {
                entry.is_prefix() == is_prefix && entry.pattern().as_bytes() == pattern
            });
            let id = match declared {
                Some(id) => id,
                None => {
                    let name = String::from_utf8_lossy(pattern).into_owned();
                    let name = if is_prefix { name + "*" } else { name };
                    entries.push(CookieEntry::new(name).with_purpose(purpose));
                    entries.len() - 1
                }
            };
            consent_matches.push((pattern, is_prefix, entry_id(id)));
        }
        let consent_entries = extra_start..entries.len();

        let mut matcher = MatcherBuilder::new();
        for &(pattern, is_prefix, entry) in &consent_matches {
            let found = Match {
                class: Class::Consent,
                entry,
            };
            matcher
                .insert(pattern, is_prefix, found)
                .expect("consent patterns are distinct and inserted first");
        }
        for (pattern, is_prefix, class, entry, name, group) in patterns {
            let is_consent = consent_patterns
                .iter()
                .any(|&(p, prefix, _)| p == pattern && prefix == is_prefix);
            let class = if class == Class::Necessary && is_consent {
                Class::Consent
            } else {
                class
            };
            if let Err(existing) = matcher.insert(pattern, is_prefix, Match { class, entry }) {
                return Err(PolicyError::DuplicateCookie {
                    name: name.to_owned(),
                    first: class_name(existing.class),
                    second: group.to_owned(),
                });
            }
        }

        let known_start = entries.len();
        insert_known(&mut matcher, &mut entries, &known_mapping);

        let mut ranges = ranges.into_iter();
        let necessary = ranges.next().unwrap_or_default();
        let revocation = self.revocation.build(&categories)?;
        let finder = memchr::memmem::Finder::new(consent.pattern()).into_owned();
        Ok(Policy {
            inner: Arc::new(Inner {
                consent_finder: finder,
                consent_cookie: consent.display,
                consent_is_prefix: consent.is_prefix,
                consent_fallback: consent.fallback,
                format,
                categories,
                entries,
                necessary,
                category_entries: ranges.collect(),
                consent_entries,
                known_start: entry_id(known_start),
                known_mapping,
                unknown: self.unknown,
                matcher: matcher.build(),
                vocabulary,
                exempt,
                revision: self.revision,
                unregulated_grants_all: self.unregulated_grants_all,
                revocation,
            }),
        })
    }
}

/// The consent cookie of a policy: its name or prefix, and the format's
/// fallback cookie.
struct ConsentCookie {
    /// As [`Policy::consent_cookie`] shows it: a prefix ends with `*`.
    display: Box<str>,
    is_prefix: bool,
    fallback: Option<&'static str>,
}

impl ConsentCookie {
    fn new(configured: Option<&str>, format: ConsentFormat) -> Result<Self, PolicyError> {
        let name = configured.unwrap_or(format.default_cookie());
        let is_prefix = format.cookie_is_prefix();
        let pattern = if is_prefix {
            name.strip_suffix('*').unwrap_or(name)
        } else {
            name
        };
        if let Some(reason) = set_cookie::name_problem(pattern.as_bytes()) {
            return Err(PolicyError::InvalidConsentCookie {
                name: name.to_owned(),
                reason,
            });
        }
        let display = if is_prefix {
            format!("{pattern}*").into_boxed_str()
        } else {
            pattern.into()
        };
        // A site that renames the primary cookie to the fallback's name
        // reads it once.
        let fallback = format.fallback_cookie().filter(|&f| f != pattern);
        Ok(Self {
            display,
            is_prefix,
            fallback,
        })
    }

    /// The bytes that match: the name, or the prefix without its `*`.
    fn pattern(&self) -> &[u8] {
        let display = self.display.as_bytes();
        if self.is_prefix {
            &display[..display.len() - 1]
        } else {
            display
        }
    }

    /// (pattern, is_prefix, purpose of an undeclared entry) for the
    /// consent cookie and its fallback.
    fn patterns(&self) -> Vec<(&[u8], bool, &'static str)> {
        let mut patterns = vec![(
            self.pattern(),
            self.is_prefix,
            "Stores the visitor's cookie preferences",
        )];
        if let Some(fallback) = self.fallback {
            patterns.push((
                fallback.as_bytes(),
                false,
                "Records that the visitor answered the cookie banner, or their preferences",
            ));
        }
        patterns
    }
}

/// The exempt categories as a set.
fn exempt_grants(exempt: &[String], categories: &Categories) -> Result<Grants, PolicyError> {
    let mut grants = Grants::NONE;
    for name in exempt {
        match categories.index_of(name.as_bytes()) {
            Some(index) => grants.insert(index),
            None => {
                return Err(PolicyError::UnknownCategory {
                    category: name.clone(),
                    used_in: "exempt_categories".to_owned(),
                })
            }
        }
    }
    Ok(grants)
}

/// The aliases, checked: each names a declared category, and no alias
/// (ASCII case-insensitively) maps to two.
fn vocabulary(
    aliases: &[(String, String)],
    categories: &Categories,
) -> Result<Vocabulary, PolicyError> {
    let mut resolved: Vec<(Box<[u8]>, u8)> = Vec::with_capacity(aliases.len());
    for (alias, category) in aliases {
        let reason = if alias.is_empty() {
            Some("an alias cannot be empty")
        } else if alias.len() > MAX_ALIAS_LEN {
            Some("longer than the 128 bytes of any name a banner reports")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(PolicyError::InvalidAlias {
                alias: alias.clone(),
                reason,
            });
        }
        let Some(index) = categories.index_of(category.as_bytes()) else {
            return Err(PolicyError::UnknownCategory {
                category: category.clone(),
                used_in: format!("alias `{alias}`"),
            });
        };
        let index = u8::try_from(index).expect("at most 64 categories");
        match resolved
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(alias.as_bytes()))
        {
            Some((_, first)) if *first == index => {}
            Some((_, first)) => {
                return Err(PolicyError::ConflictingAlias {
                    alias: alias.clone(),
                    first: categories.name(usize::from(*first)).to_owned(),
                    second: categories.name(usize::from(index)).to_owned(),
                })
            }
            None => resolved.push((alias.as_bytes().into(), index)),
        }
    }
    Ok(Vocabulary::new(resolved))
}

/// The known-cookie mapping, checked: each database category exists, may be
/// mapped, and maps to one declared category that needs consent.
fn known_mapping(
    known: &[(String, String)],
    categories: &Categories,
    exempt: Grants,
) -> Result<KnownMapping, PolicyError> {
    let mut mapping = KnownMapping::default();
    for (database, category) in known {
        let invalid = |reason| PolicyError::InvalidKnownCookies {
            database_category: database.clone(),
            category: category.clone(),
            reason,
        };
        let Some(known) = KnownCategory::from_name(database) else {
            return Err(invalid(
                "the Open Cookie Database has no such category (it has Functional, \
                 Personalization, Analytics, Marketing, Security and Necessary)",
            ));
        };
        // Fail closed: the database's word is not enough to let a cookie
        // through without consent.
        if matches!(known, KnownCategory::Necessary | KnownCategory::Security) {
            return Err(invalid(
                "the database's Necessary and Security cookies are never classified \
                 through it; declare the ones the site sets under `necessary`",
            ));
        }
        if category.eq_ignore_ascii_case("necessary") {
            return Err(invalid(
                "the database cannot exempt a cookie from consent; declare the \
                 necessary cookies by name",
            ));
        }
        let Some(index) = categories.index_of(category.as_bytes()) else {
            return Err(PolicyError::UnknownCategory {
                category: category.clone(),
                used_in: format!("known_cookies mapping of `{database}`"),
            });
        };
        if exempt.contains(index) {
            return Err(invalid(
                "the category is exempt from consent, and the database cannot exempt \
                 a cookie from consent",
            ));
        }
        let index = u8::try_from(index).expect("at most 64 categories");
        match mapping.get(known) {
            Some(first) if first != index => {
                return Err(PolicyError::ConflictingKnownCookies {
                    database_category: known.as_str().to_owned(),
                    first: categories.name(usize::from(first)).to_owned(),
                    second: categories.name(usize::from(index)).to_owned(),
                })
            }
            _ => mapping.set(known, index),
        }
    }
    Ok(mapping)
}

/// Adds the known cookies to a matcher that holds the policy's own
/// patterns, and an entry to `entries` for each one that a mapped category
/// classifies.
///
/// Declared names win: a row goes in only where the policy's patterns do
/// not already answer (see [`MatcherBuilder::covers`]), so a known exact
/// name under a declared prefix, or a known prefix longer than a declared
/// one, never takes a name the policy places. A row of an unmapped
/// category goes in as [`Answer::Unknown`], so that a shorter mapped
/// prefix row does not take its names: an undeclared name gets what
/// [`KnownCookie::lookup`](crate::known::KnownCookie::lookup) says of it.
fn insert_known(
    matcher: &mut MatcherBuilder,
    entries: &mut Vec<CookieEntry>,
    mapping: &KnownMapping,
) {
    if mapping.is_empty() {
        return;
    }
    // Every `covers` test first, while the matcher holds only the policy's
    // patterns: a known row must not hide a later one from the test.
    let rows: Vec<_> = known::rows()
        .filter(|(_, row)| !matcher.covers(row.name().as_bytes(), row.is_prefix()))
        .collect();
    // The entries live as long as the policy: no spare capacity.
    entries.reserve_exact(
        rows.iter()
            .filter(|(_, row)| mapping.get(row.category()).is_some())
            .count(),
    );
    for (id, row) in rows {
        let answer = match mapping.get(row.category()) {
            Some(index) => {
                entries.push(CookieEntry::from_known(id, row));
                Answer::Found(Match {
                    class: Class::Category(index),
                    entry: entry_id(entries.len() - 1),
                })
            }
            None => Answer::Unknown,
        };
        matcher.insert_if_vacant(row.name().as_bytes(), row.is_prefix(), answer);
    }
}

fn entry_id(index: usize) -> EntryId {
    // A policy large enough to overflow this could not be built in memory.
    EntryId(u32::try_from(index).expect("policy too large"))
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
    if let Some(reason) = set_cookie::name_problem(pattern.as_bytes()) {
        return Err(invalid(reason));
    }
    Ok((pattern.as_bytes(), is_prefix))
}
