//! What an inventory held at one moment, as plain values.

use std::borrow::Cow;
use std::time::SystemTime;

use super::format;
use super::table::{Table, MAX_NAME_LEN};
use crate::known::{KnownCategory, KnownCookie};

/// A copy of what an [`Inventory`](super::Inventory) held when
/// [`Inventory::snapshot`](super::Inventory::snapshot) read it: one
/// [`InventoryEntry`] per cookie name, sorted by name bytes, and the
/// sightings of names past the capacity.
///
/// Each counter is read on its own while requests go on, so the counts of
/// two entries may be a few sightings apart in time. Every entry's last
/// sighting is read whole: its time and path belong together.
///
/// ```
/// use tower_cookie_consent::Inventory;
///
/// let snapshot = Inventory::with_capacity(100).snapshot();
/// assert!(snapshot.is_empty());
/// assert_eq!(snapshot.len(), 0);
/// assert_eq!(snapshot.capacity(), 100);
/// assert_eq!(snapshot.overflow(), 0);
/// assert!(snapshot.get("_ga").is_none());
/// for entry in &snapshot {
///     println!("{}: kept {}, stripped {}", entry.name(), entry.kept(), entry.stripped());
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventorySnapshot {
    entries: Vec<InventoryEntry>,
    overflow: u64,
    capacity: usize,
}

impl InventorySnapshot {
    pub(super) fn read(table: &Table) -> Self {
        let mut entries: Vec<_> = table
            .records()
            .map(|record| {
                let (first_time, first_path) = record.first_seen();
                let (last_time, last_path) = record.last_seen();
                InventoryEntry {
                    name: record.name().into(),
                    truncated: record.truncated(),
                    kept: record.kept(),
                    stripped: record.stripped(),
                    first_seen: Sighting {
                        time: first_time,
                        path: first_path.into(),
                    },
                    last_seen: Sighting {
                        time: last_time,
                        path: last_path.as_str().into(),
                    },
                    known: record.known(),
                }
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.key().cmp(&b.key()));
        Self {
            entries,
            overflow: table.overflow(),
            capacity: table.capacity(),
        }
    }

    /// Every entry, sorted by name bytes; a name cut to the stored length
    /// comes after the name of exactly those bytes.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert!(Inventory::new().snapshot().entries().is_empty());
    /// ```
    pub fn entries(&self) -> &[InventoryEntry] {
        &self.entries
    }

    /// The entry of the cookie `name`, as a `Set-Cookie` line spells it. A
    /// name longer than [`Inventory::MAX_NAME_LEN`](super::Inventory::MAX_NAME_LEN)
    /// finds the entry of its truncated form.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// let snapshot = Inventory::new().snapshot();
    /// assert!(snapshot.get("_ga").is_none());
    /// assert!(snapshot.get(b"_pk_id.1.\xff").is_none());
    /// ```
    pub fn get(&self, name: impl AsRef<[u8]>) -> Option<&InventoryEntry> {
        let name = name.as_ref();
        let key = match name.get(..MAX_NAME_LEN) {
            Some(stored) if name.len() > MAX_NAME_LEN => (stored, true),
            _ => (name, false),
        };
        let index = self
            .entries
            .binary_search_by(|entry| entry.key().cmp(&key))
            .ok()?;
        Some(&self.entries[index])
    }

    /// How many names are stored.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert_eq!(Inventory::new().snapshot().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no name is stored.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert!(Inventory::new().snapshot().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many sightings were of a name that was not stored because the
    /// inventory already held [`capacity`](Self::capacity) names. It counts
    /// sightings, not names: a name that is not stored cannot be told apart
    /// from a new one. It stops at `u64::MAX`.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert_eq!(Inventory::with_capacity(0).snapshot().overflow(), 0);
    /// ```
    pub fn overflow(&self) -> u64 {
        self.overflow
    }

    /// The most names the inventory stores.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert_eq!(Inventory::new().snapshot().capacity(), Inventory::DEFAULT_CAPACITY);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The snapshot as JSON: see [`Inventory::to_json`](super::Inventory::to_json).
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// let json = Inventory::with_capacity(8).snapshot().to_json();
    /// assert_eq!(json, r#"{"capacity":8,"overflow":0,"cookies":[]}"#);
    /// ```
    pub fn to_json(&self) -> String {
        format::json(self)
    }

    /// The snapshot as a Markdown table: see
    /// [`Inventory::to_markdown`](super::Inventory::to_markdown).
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// let table = Inventory::new().snapshot().to_markdown();
    /// assert!(table.starts_with("| Name | Kept | Stripped |"));
    /// assert_eq!(table.lines().count(), 2);
    /// ```
    pub fn to_markdown(&self) -> String {
        format::markdown(self)
    }

    /// A policy fragment for the names of the snapshot, with the default
    /// mapping of database categories: see
    /// [`Inventory::suggest_policy`](super::Inventory::suggest_policy).
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// let fragment = Inventory::new().snapshot().suggest_policy();
    /// assert!(fragment.lines().all(|line| line.is_empty() || line.starts_with('#')));
    /// ```
    pub fn suggest_policy(&self) -> String {
        format::policy(self, default_category)
    }

    /// A policy fragment for the names of the snapshot, each name under the
    /// policy category that `category` gives its database category: see
    /// [`Inventory::suggest_policy_with`](super::Inventory::suggest_policy_with).
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCategory;
    /// use tower_cookie_consent::Inventory;
    ///
    /// let fragment = Inventory::new().snapshot().suggest_policy_with(|category| match category {
    ///     KnownCategory::Analytics => Some("analytics"),
    ///     _ => None,
    /// });
    /// assert!(!fragment.contains("[[categories"));
    /// ```
    pub fn suggest_policy_with<'m>(
        &self,
        category: impl Fn(KnownCategory) -> Option<&'m str>,
    ) -> String {
        format::policy(self, category)
    }
}

impl<'a> IntoIterator for &'a InventorySnapshot {
    type Item = &'a InventoryEntry;
    type IntoIter = std::slice::Iter<'a, InventoryEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// The policy category that [`InventorySnapshot::suggest_policy`] gives a
/// database category. `Necessary` and `Security` get none: whether a cookie
/// may be set without consent is the site's call, not the database's.
pub(super) fn default_category(category: KnownCategory) -> Option<&'static str> {
    match category {
        KnownCategory::Analytics => Some("statistics"),
        KnownCategory::Marketing => Some("marketing"),
        KnownCategory::Functional | KnownCategory::Personalization => Some("preferences"),
        KnownCategory::Necessary | KnownCategory::Security => None,
    }
}

/// One cookie name the layer saw in a `Set-Cookie` that the policy does not
/// declare: how often it was kept and stripped, when and where it was first
/// and last seen, and what the Open Cookie Database says about it.
///
/// Only the name is stored, never a value.
///
/// ```
/// use tower_cookie_consent::Inventory;
///
/// let inventory = Inventory::new();
/// // Once the layer has seen undeclared cookies:
/// for entry in inventory.snapshot().entries() {
///     let guess = entry.known().map(|known| known.platform()).unwrap_or("unknown");
///     println!(
///         "{} ({guess}): kept {}, stripped {}, last seen on {}",
///         entry.name(),
///         entry.kept(),
///         entry.stripped(),
///         entry.last_seen().path(),
///     );
/// }
/// # assert!(inventory.snapshot().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryEntry {
    name: Box<[u8]>,
    truncated: bool,
    kept: u64,
    stripped: u64,
    first_seen: Sighting,
    last_seen: Sighting,
    known: Option<&'static KnownCookie>,
}

impl InventoryEntry {
    fn key(&self) -> (&[u8], bool) {
        (&self.name, self.truncated)
    }

    /// The name's bytes, as a browser would store them: a name need not be
    /// UTF-8. At most [`Inventory::MAX_NAME_LEN`](super::Inventory::MAX_NAME_LEN)
    /// bytes; see [`is_truncated`](Self::is_truncated).
    pub fn name_bytes(&self) -> &[u8] {
        &self.name
    }

    /// The name as text, with every byte sequence that is not UTF-8
    /// replaced by U+FFFD: for display. Use
    /// [`name_bytes`](Self::name_bytes) to compare names.
    pub fn name(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.name)
    }

    /// Whether the name was longer than
    /// [`Inventory::MAX_NAME_LEN`](super::Inventory::MAX_NAME_LEN) bytes and
    /// [`name_bytes`](Self::name_bytes) holds only its beginning. Every name
    /// that starts with those bytes shares this entry.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// How many `Set-Cookie` lines with this name the layer kept. Stops at
    /// `u64::MAX`.
    pub fn kept(&self) -> u64 {
        self.kept
    }

    /// How many `Set-Cookie` lines with this name the layer stripped. Stops
    /// at `u64::MAX`.
    pub fn stripped(&self) -> u64 {
        self.stripped
    }

    /// The sighting that added the name to the inventory.
    pub fn first_seen(&self) -> &Sighting {
        &self.first_seen
    }

    /// The latest sighting, to the second: within one second, the first
    /// sighting to be written wins.
    pub fn last_seen(&self) -> &Sighting {
        &self.last_seen
    }

    /// The Open Cookie Database row that describes the name (its platform,
    /// category, description and retention), found by
    /// [`KnownCookie::lookup`]'s rule on the name's bytes, or `None`.
    pub fn known(&self) -> Option<&'static KnownCookie> {
        self.known
    }
}

/// When and on which request path a cookie name was seen.
///
/// The path is the request's path only: the query and fragment, which may
/// hold personal data, are never stored. It is cut to
/// [`Inventory::MAX_PATH_LEN`](super::Inventory::MAX_PATH_LEN) bytes, and
/// every byte that a path may not hold (RFC 3986 section 3.3) is
/// percent-encoded, so it is always printable ASCII.
///
/// ```
/// use tower_cookie_consent::Inventory;
///
/// if let Some(entry) = Inventory::new().snapshot().get("_ga") {
///     let sighting = entry.first_seen();
///     println!("first seen on {} at {:?}", sighting.path(), sighting.time());
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sighting {
    time: SystemTime,
    path: Box<str>,
}

impl Sighting {
    /// When: to the millisecond.
    pub fn time(&self) -> SystemTime {
        self.time
    }

    /// The request path.
    pub fn path(&self) -> &str {
        &self.path
    }
}
