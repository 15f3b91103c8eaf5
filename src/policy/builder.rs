//! [`PolicyBuilder`]: collects names, validates them, and freezes them into
//! a [`Policy`].

use std::sync::Arc;

use super::categories::{Categories, MAX_CATEGORIES};
use super::matcher::{Class, EntryId, Match, MatcherBuilder};
use super::revocation::RevocationConfig;
use super::{CookieEntry, Inner, Policy, PolicyError, UnknownCookies};
use crate::set_cookie;

/// The consent cookie name used when none is configured.
const DEFAULT_CONSENT_COOKIE: &str = "cookies_preferences";

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
    pub(super) revocation: RevocationConfig,
}

impl Default for PolicyBuilder {
    fn default() -> Self {
        Self {
            consent_cookie: DEFAULT_CONSENT_COOKIE.to_owned(),
            necessary: Vec::new(),
            categories: Vec::new(),
            unknown: UnknownCookies::default(),
            revocation: RevocationConfig::default(),
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
        let consent = self.consent_cookie.as_bytes();
        let mut entries: Vec<CookieEntry> = Vec::new();
        let mut patterns = Vec::new();
        let mut ranges = Vec::with_capacity(groups.len());
        for (group, class, cookies) in &groups {
            let start = entries.len();
            for entry in cookies.iter() {
                let (pattern, is_prefix) = check_cookie_pattern(entry.name(), group)?;
                let id = match entries[start..]
                    .iter()
                    .position(|k| k.name() == entry.name())
                {
                    Some(offset) => start + offset,
                    None => {
                        entries.push(entry.clone());
                        entries.len() - 1
                    }
                };
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
        // The consent cookie may be listed as necessary, as the seed policy
        // does; it is necessary by nature. Undeclared, it gets an entry of
        // its own, so that every name the layer lets through has one.
        let declared = entries[ranges[0].clone()]
            .iter()
            .position(|entry| entry.name().as_bytes() == consent);
        let consent_entry = match declared {
            Some(id) => entry_id(id),
            None => {
                entries.push(
                    CookieEntry::new(self.consent_cookie.clone())
                        .with_purpose("Stores the visitor's cookie preferences"),
                );
                entry_id(entries.len() - 1)
            }
        };

        let mut matcher = MatcherBuilder::new();
        let consent_match = Match {
            class: Class::Consent,
            entry: consent_entry,
        };
        matcher
            .insert(consent, false, consent_match)
            .expect("the first pattern cannot conflict");
        for (pattern, is_prefix, class, entry, name, group) in patterns {
            let class = if class == Class::Necessary && !is_prefix && pattern == consent {
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

        let mut ranges = ranges.into_iter();
        let necessary = ranges.next().unwrap_or_default();
        let names = self
            .categories
            .into_iter()
            .map(|(name, _)| name.into_boxed_str())
            .collect();
        let categories = Categories::new(names);
        let revocation = self.revocation.build(&categories)?;
        Ok(Policy {
            inner: Arc::new(Inner {
                consent_finder: memchr::memmem::Finder::new(self.consent_cookie.as_bytes())
                    .into_owned(),
                consent_cookie: self.consent_cookie.into_boxed_str(),
                categories,
                entries,
                necessary,
                category_entries: ranges.collect(),
                unknown: self.unknown,
                matcher: matcher.build(),
                revocation,
            }),
        })
    }
}

fn entry_id(index: usize) -> EntryId {
    // A policy large enough to overflow this could not be built in memory.
    EntryId(u32::try_from(index).expect("policy too large"))
}

fn check_consent_cookie(name: &str) -> Result<(), PolicyError> {
    match set_cookie::name_problem(name.as_bytes()) {
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
    if let Some(reason) = set_cookie::name_problem(pattern.as_bytes()) {
        return Err(invalid(reason));
    }
    Ok((pattern.as_bytes(), is_prefix))
}
