//! The Open Cookie Database, embedded: which platform sets a well-known
//! cookie, what for, for how long, and under which category.
//!
//! [`KnownCookie::lookup`] describes a cookie by its name;
//! [`KnownCookie::all`] lists every row.
//!
//! ```
//! use tower_cookie_consent::known::{KnownCategory, KnownCookie};
//!
//! let cookie = KnownCookie::lookup("_ga").expect("a Google Analytics cookie");
//! assert_eq!(cookie.platform(), "Google Analytics");
//! assert_eq!(cookie.category(), KnownCategory::Analytics);
//! assert_eq!(cookie.retention(), "2 years");
//! ```
//!
//! # Source
//!
//! The rows come from the [Open Cookie Database] at commit `0ee5a17`
//! (2026-01-21), a community list licensed under the Apache License 2.0,
//! whose text the package ships as `data/open-cookie-database.LICENSE`. Check
//! an entry you rely on against the vendor's documentation.
//!
//! The table keeps the name, whether it is a prefix (the database's
//! `Wildcard match`), the platform, the category, the description and the
//! retention period of each row, with these changes:
//!
//! - rows whose name a browser could not store (RFC 6265bis section 5.6), or
//!   whose name holds a `*`, are left out;
//! - a name listed more than once is one row; when the rows disagree on the
//!   category, the one that needs consent most wins (Marketing, Analytics,
//!   Personalization, Functional, Security, Necessary, in that order), so a
//!   policy built from the table fails closed.
//!
//! The head of `src/known/table.rs` lists the rows concerned.
//!
//! # Size
//!
//! The table is 253 KiB of read-only data, most of it descriptions (180 KiB);
//! every platform, description and retention period is stored once. The
//! linker keeps only the parts a binary reads: nothing if it never reaches
//! this module, the rows and the names (60 KiB) if it reads names and
//! categories only.
//!
//! [Open Cookie Database]: https://github.com/jkwakman/Open-Cookie-Database

use std::fmt;

#[rustfmt::skip]
mod table;

/// A category of the Open Cookie Database.
///
/// ```
/// use tower_cookie_consent::known::KnownCategory;
///
/// assert_eq!(KnownCategory::from_name("marketing"), Some(KnownCategory::Marketing));
/// assert_eq!(KnownCategory::Marketing.as_str(), "Marketing");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KnownCategory {
    /// Makes a feature of the site work: preferences, load balancing, chat.
    Functional,
    /// Remembers choices to tailor the site to the visitor.
    Personalization,
    /// Measures how visitors use the site.
    Analytics,
    /// Tracks visitors for advertising, often across sites.
    Marketing,
    /// Protects the site and its visitors: CSRF tokens, bot detection.
    Security,
    /// Needed for the site to work at all.
    Necessary,
}

impl KnownCategory {
    /// Every category, in declaration order: `ALL[c.index()] == c`.
    pub(crate) const ALL: [Self; 6] = [
        Self::Functional,
        Self::Personalization,
        Self::Analytics,
        Self::Marketing,
        Self::Security,
        Self::Necessary,
    ];

    /// The category's name as the database writes it.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCategory;
    ///
    /// assert_eq!(KnownCategory::Analytics.as_str(), "Analytics");
    /// assert_eq!(KnownCategory::Personalization.as_str(), "Personalization");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Functional => "Functional",
            Self::Personalization => "Personalization",
            Self::Analytics => "Analytics",
            Self::Marketing => "Marketing",
            Self::Security => "Security",
            Self::Necessary => "Necessary",
        }
    }

    /// The category's position in [`ALL`](Self::ALL), for tables indexed
    /// by category.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// The category called `name`, compared ASCII case-insensitively, or
    /// `None` if the database has no such category.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCategory;
    ///
    /// assert_eq!(KnownCategory::from_name("Analytics"), Some(KnownCategory::Analytics));
    /// assert_eq!(KnownCategory::from_name("SECURITY"), Some(KnownCategory::Security));
    /// assert_eq!(KnownCategory::from_name("statistics"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|category| category.as_str().eq_ignore_ascii_case(name))
    }
}

/// One cookie of the database: an exact name, or a prefix that every name
/// starting with it matches.
///
/// Get one from [`KnownCookie::lookup`] or [`KnownCookie::all`].
///
/// ```
/// use tower_cookie_consent::known::{KnownCategory, KnownCookie};
///
/// let cookie = KnownCookie::lookup("_pk_ses.1.abcd").expect("a Matomo cookie");
/// assert_eq!(cookie.name(), "_pk_ses.");
/// assert!(cookie.is_prefix());
/// assert_eq!(cookie.category(), KnownCategory::Analytics);
/// ```
// A row is 16 bytes with no pointer: the name and the texts are indexes into
// strings stored end to end, and a platform, description or retention period
// shared by many rows is stored once. Pointers would cost 16 bytes each, plus
// a 24-byte relocation each in a position-independent executable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KnownCookie {
    name_start: u32,
    name_len: u16,
    platform: u16,
    description: u16,
    retention: u16,
    /// The row of the longest prefix that is a proper prefix of this row's
    /// name, or [`NONE`]; see [`find`].
    shorter: u16,
    category: KnownCategory,
    is_prefix: bool,
}

/// The position of a row in [`KnownCookie::all`].
pub(crate) type RowId = u16;

/// No row.
const NONE: RowId = RowId::MAX;

const _: () = assert!(table::LEN < NONE as usize, "row ids must fit a u16");

impl KnownCookie {
    /// A row of the generated table.
    #[allow(clippy::too_many_arguments)]
    const fn row(
        name_start: u32,
        name_len: u16,
        platform: u16,
        description: u16,
        retention: u16,
        shorter: u16,
        category: KnownCategory,
        is_prefix: bool,
    ) -> Self {
        Self {
            name_start,
            name_len,
            platform,
            description,
            retention,
            shorter,
            category,
            is_prefix,
        }
    }

    /// The cookie's name, or for a prefix row the prefix (the database writes
    /// it without a `*`).
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCookie;
    ///
    /// assert_eq!(KnownCookie::lookup("_ga").unwrap().name(), "_ga");
    /// assert_eq!(KnownCookie::lookup("_ga_ABC123").unwrap().name(), "_ga_");
    /// ```
    pub fn name(&self) -> &'static str {
        let names: &'static str = table::NAMES;
        let start = self.name_start as usize;
        &names[start..start + usize::from(self.name_len)]
    }

    /// The name as a policy writes it: with a trailing `*` for a prefix row.
    /// Borrowed from the table, which stores the `*` after a prefix row's
    /// name, so a policy entry made from a row copies no string.
    pub(crate) fn policy_name(&self) -> &'static str {
        let names: &'static str = table::NAMES;
        let start = self.name_start as usize;
        let len = usize::from(self.name_len) + usize::from(self.is_prefix);
        &names[start..start + len]
    }

    /// Whether [`name`](Self::name) is a prefix: every cookie name that
    /// starts with it is this cookie (the database's `Wildcard match`).
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCookie;
    ///
    /// assert!(!KnownCookie::lookup("_ga").unwrap().is_prefix());
    /// assert!(KnownCookie::lookup("_ga_ABC123").unwrap().is_prefix());
    /// ```
    pub const fn is_prefix(&self) -> bool {
        self.is_prefix
    }

    /// Who sets the cookie.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCookie;
    ///
    /// assert_eq!(KnownCookie::lookup("_hjSessionUser_123").unwrap().platform(), "Hotjar");
    /// ```
    pub fn platform(&self) -> &'static str {
        table::PLATFORMS.get(self.platform)
    }

    /// The cookie's category.
    ///
    /// ```
    /// use tower_cookie_consent::known::{KnownCategory, KnownCookie};
    ///
    /// assert_eq!(KnownCookie::lookup("_fbp").unwrap().category(), KnownCategory::Marketing);
    /// ```
    pub const fn category(&self) -> KnownCategory {
        self.category
    }

    /// What the cookie is for, in the database's words.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCookie;
    ///
    /// assert!(KnownCookie::lookup("_ga").unwrap().description().contains("ID"));
    /// ```
    pub fn description(&self) -> &'static str {
        table::DESCRIPTIONS.get(self.description)
    }

    /// How long the cookie lives, as the database writes it: `2 years`,
    /// `session`, `30 minutes`...
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCookie;
    ///
    /// assert_eq!(KnownCookie::lookup("_gid").unwrap().retention(), "24 hours");
    /// ```
    pub fn retention(&self) -> &'static str {
        table::RETENTIONS.get(self.retention)
    }

    /// Every row, sorted by name bytes, an exact name before the prefix of the
    /// same name. No two rows have the same name and prefix flag.
    ///
    /// ```
    /// use tower_cookie_consent::known::{KnownCategory, KnownCookie};
    ///
    /// let marketing = KnownCookie::all()
    ///     .iter()
    ///     .filter(|cookie| cookie.category() == KnownCategory::Marketing)
    ///     .count();
    /// assert!(marketing > 800);
    /// assert!(KnownCookie::all().windows(2).all(|w| w[0].name() <= w[1].name()));
    /// ```
    pub fn all() -> &'static [KnownCookie] {
        &table::ROWS
    }

    /// The row that describes the cookie `name`: the row of that exact name
    /// if there is one, else the longest prefix row that `name` starts with.
    ///
    /// Names compare as bytes, case-sensitively, as browsers store them.
    ///
    /// This is a binary search over the sorted rows, O(log n) comparisons
    /// of at most `name.len()` bytes each, then a walk from the row it lands
    /// on to ever shorter prefix rows, one step per nested prefix (at most
    /// two rows in the current table). It does not allocate. It suits
    /// describing a cookie once, not classifying every `Set-Cookie`.
    ///
    /// ```
    /// use tower_cookie_consent::known::{KnownCategory, KnownCookie};
    ///
    /// let ga = KnownCookie::lookup("_ga").unwrap();
    /// assert_eq!((ga.platform(), ga.category()), ("Google Analytics", KnownCategory::Analytics));
    ///
    /// // Matomo's visitor id is `_pk_id.<site id>.<hash>`. The database lists
    /// // both `_pk_id` and `_pk_id.` as prefixes; the longer one wins.
    /// let pk = KnownCookie::lookup("_pk_id.1.abcd").unwrap();
    /// assert_eq!((pk.name(), pk.is_prefix()), ("_pk_id.", true));
    /// assert_eq!(KnownCookie::lookup("_pk_id").unwrap().name(), "_pk_id");
    ///
    /// assert_eq!(KnownCookie::lookup("_GA"), None);
    /// assert_eq!(KnownCookie::lookup("my_app_cart"), None);
    /// ```
    pub fn lookup(name: &str) -> Option<&'static KnownCookie> {
        let id = find(name.as_bytes())?;
        Some(&table::ROWS[usize::from(id)])
    }

    /// The name's bytes, for comparisons that must not care about UTF-8.
    fn name_bytes(&self) -> &'static [u8] {
        self.name().as_bytes()
    }

    fn shorter(&self) -> Option<usize> {
        (self.shorter != NONE).then_some(usize::from(self.shorter))
    }
}

impl fmt::Debug for KnownCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KnownCookie")
            .field("name", &self.name())
            .field("is_prefix", &self.is_prefix)
            .field("platform", &self.platform())
            .field("category", &self.category)
            .field("description", &self.description())
            .field("retention", &self.retention())
            .finish()
    }
}

/// Every row with its id, in table order, for a matcher that stores row ids.
pub(crate) fn rows() -> impl ExactSizeIterator<Item = (RowId, &'static KnownCookie)> {
    table::ROWS
        .iter()
        .enumerate()
        .map(|(index, row)| (to_id(index), row))
}

/// The row [`KnownCookie::lookup`] returns for `name`, on bytes: a name that
/// is not UTF-8 can still match a prefix row.
pub(crate) fn find(name: &[u8]) -> Option<RowId> {
    let rows: &[KnownCookie] = &table::ROWS;
    // The last row whose name sorts at or before `name`. Every prefix row
    // that `name` starts with sorts at or before it too, so it is a prefix
    // of this row's name as well: it is this row or on its chain of
    // `shorter` links.
    let last = rows
        .partition_point(|row| row.name_bytes() <= name)
        .checked_sub(1)?;
    let row = &rows[last];
    if row.name_bytes() == name {
        // An exact row sorts just before the prefix row of the same name.
        let exact = match last.checked_sub(1) {
            Some(before) if row.is_prefix && rows[before].name_bytes() == name => before,
            _ => last,
        };
        return Some(to_id(exact));
    }
    // The prefix rows on the chain are prefixes of `name` exactly when they
    // are no longer than the bytes the two names share; the chain goes from
    // longer to shorter, so the first such row is the longest.
    let shared = row
        .name_bytes()
        .iter()
        .zip(name)
        .take_while(|(a, b)| a == b)
        .count();
    let mut candidate = if row.is_prefix {
        Some(last)
    } else {
        row.shorter()
    };
    while let Some(id) = candidate {
        let prefix = &rows[id];
        if usize::from(prefix.name_len) <= shared {
            return Some(to_id(id));
        }
        candidate = prefix.shorter();
    }
    None
}

fn to_id(index: usize) -> RowId {
    // `table::LEN < NONE` (asserted above).
    index as RowId
}

/// Strings stored end to end in one `&str`: string `i` is
/// `text[offsets[i]..offsets[i + 1]]`.
struct Texts {
    text: &'static str,
    offsets: &'static [u32],
}

impl Texts {
    fn get(&self, index: u16) -> &'static str {
        let text: &'static str = self.text;
        let i = usize::from(index);
        &text[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_numbered_in_table_order() {
        let rows: Vec<_> = rows().collect();
        assert_eq!(rows.len(), KnownCookie::all().len());
        for (id, row) in rows {
            assert!(std::ptr::eq(row, &KnownCookie::all()[usize::from(id)]));
        }
    }

    #[test]
    fn a_name_that_is_not_utf8_still_matches_a_prefix() {
        let id = find(b"_pk_id.1.\xff").expect("the `_pk_id.` prefix");
        assert_eq!(KnownCookie::all()[usize::from(id)].name(), "_pk_id.");
        assert_eq!(find(b"\xff"), None);
        assert_eq!(find(b""), None);
    }

    #[test]
    fn policy_names_end_with_a_star_for_prefix_rows_only() {
        for (_, row) in rows() {
            let expected = if row.is_prefix() {
                format!("{}*", row.name())
            } else {
                row.name().to_owned()
            };
            assert_eq!(row.policy_name(), expected);
        }
        for category in KnownCategory::ALL {
            assert_eq!(KnownCategory::ALL[category.index()], category);
        }
    }

    #[test]
    fn rows_are_sixteen_bytes() {
        assert_eq!(std::mem::size_of::<KnownCookie>(), 16);
    }
}
