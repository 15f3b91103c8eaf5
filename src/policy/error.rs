use std::fmt;

use super::ConsentFormat;

/// Why a [`Policy`](crate::Policy) could not be built.
///
/// Every variant names the offending cookie or category, so that a
/// configuration file with a mistake in it fails with a message that points
/// at the line to fix.
///
/// ```
/// use tower_cookie_consent::{Policy, PolicyError};
///
/// let err = Policy::builder()
///     .category("statistics", ["_pk_*id"])
///     .build()
///     .unwrap_err();
/// assert!(matches!(err, PolicyError::InvalidCookieName { .. }));
/// assert_eq!(
///     err.to_string(),
///     "invalid cookie name `_pk_*id` in category `statistics`: `*` may only end a name, as a prefix"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The consent cookie name is empty or is not a name a browser would store.
    InvalidConsentCookie {
        /// The name as configured.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A category has an empty name.
    EmptyCategoryName,
    /// A category uses a reserved name: `necessary` (always granted) or `all`
    /// (the token that grants every category).
    ReservedCategoryName {
        /// The name as configured.
        name: String,
    },
    /// More categories than a policy can hold.
    TooManyCategories {
        /// How many categories were configured.
        count: usize,
        /// The most a policy can hold.
        max: usize,
    },
    /// A cookie name is empty, is a bare `*`, has a `*` elsewhere than at
    /// its end, or is not a name a browser would store.
    InvalidCookieName {
        /// The name as configured.
        name: String,
        /// `necessary` or the category it was listed under.
        category: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same exact name, or the same prefix, is listed under two
    /// categories (or under a category and `necessary`).
    DuplicateCookie {
        /// The name or prefix (with its `*`).
        name: String,
        /// Where it was listed first.
        first: String,
        /// Where it was listed again.
        second: String,
    },
    /// An alias, or a category declared exempt, names a category the policy
    /// does not have.
    UnknownCategory {
        /// The category as configured.
        category: String,
        /// Where it was named: `alias \`C0002\`` or `exempt_categories`.
        used_in: String,
    },
    /// An alias (a banner's own name for a category) is empty or longer than
    /// any name a banner reports (128 bytes).
    InvalidAlias {
        /// The alias as configured.
        alias: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The same alias (compared ASCII case-insensitively) maps to two
    /// categories.
    ConflictingAlias {
        /// The alias as configured the second time.
        alias: String,
        /// The category it was mapped to first.
        first: String,
        /// The category it was mapped to again.
        second: String,
    },
    /// The known-cookie mapping
    /// ([`PolicyBuilder::known_cookies`](crate::PolicyBuilder::known_cookies))
    /// names a database category that does not exist, or `Necessary` or
    /// `Security`, which are never classified through the database, or maps
    /// one to `necessary` or to an exempt category, which the database
    /// cannot decide.
    InvalidKnownCookies {
        /// The database category as configured.
        database_category: String,
        /// The policy category it was mapped to.
        category: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The known-cookie mapping maps one database category to two policy
    /// categories.
    ConflictingKnownCookies {
        /// The database category, as the database writes it.
        database_category: String,
        /// The policy category it was mapped to first.
        first: String,
        /// The policy category it was mapped to again.
        second: String,
    },
    /// An option that the chosen consent format cannot honour: a
    /// `revision` for a format whose record carries none, or Cookiebot's
    /// unregulated-region option for another format.
    OptionNotForFormat {
        /// The option's configuration key.
        option: &'static str,
        /// The policy's consent format.
        format: ConsentFormat,
    },
    /// A category listed for Global Privacy Control is not a category of
    /// the policy.
    UnknownGpcCategory {
        /// The name as configured.
        name: String,
    },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidConsentCookie { name, reason } => {
                write!(f, "invalid consent cookie name `{name}`: {reason}")
            }
            Self::EmptyCategoryName => f.write_str("a category name is empty"),
            Self::ReservedCategoryName { name } => write!(
                f,
                "category `{name}` uses a reserved name (`necessary` and `all` cannot be categories)"
            ),
            Self::TooManyCategories { count, max } => write!(
                f,
                "too many categories: {count} configured, a policy holds at most {max}"
            ),
            Self::InvalidCookieName {
                name,
                category,
                reason,
            } => write!(
                f,
                "invalid cookie name `{name}` in category `{category}`: {reason}"
            ),
            Self::DuplicateCookie {
                name,
                first,
                second,
            } => write!(
                f,
                "cookie `{name}` is listed in both `{first}` and `{second}`"
            ),
            Self::UnknownCategory { category, used_in } => write!(
                f,
                "{used_in} names category `{category}`, which the policy does not declare"
            ),
            Self::InvalidAlias { alias, reason } => {
                write!(f, "invalid alias `{alias}`: {reason}")
            }
            Self::ConflictingAlias {
                alias,
                first,
                second,
            } => write!(
                f,
                "alias `{alias}` maps to both `{first}` and `{second}`"
            ),
            Self::InvalidKnownCookies {
                database_category,
                category,
                reason,
            } => write!(
                f,
                "known_cookies cannot map `{database_category}` to `{category}`: {reason}"
            ),
            Self::ConflictingKnownCookies {
                database_category,
                first,
                second,
            } => write!(
                f,
                "known_cookies maps `{database_category}` to both `{first}` and `{second}`"
            ),
            Self::OptionNotForFormat { option, format } => {
                write!(f, "`{option}` has no effect with consent format `{format}`")?;
                if *option == "revision" {
                    f.write_str(
                        ": its records carry no revision (only `cookiebot`, `orestbida` and \
                         `complianz` do)",
                    )?;
                }
                Ok(())
            }
            Self::UnknownGpcCategory { name } => write!(
                f,
                "`gpc` lists `{name}`, which is not a category of the policy"
            ),
        }
    }
}

impl std::error::Error for PolicyError {}
