//! [`Inventory`]: every cookie name the layer saw that the policy does not
//! declare.
//!
//! Cookie declarations go stale: a new analytics tag or a plugin upgrade
//! starts setting a cookie nobody declared. The layer sees every
//! `Set-Cookie` of every response, so it can list those cookies the moment
//! they first appear, with what real visitors' requests triggered them, and
//! what the Open Cookie Database says they are.
//!
//! - `table`: the shared table the layer writes to, lock-free once a name
//!   is stored;
//! - `snapshot`: [`InventorySnapshot`], a copy to read and report from;
//! - `format`: the snapshot as JSON, Markdown and a TOML policy fragment.

mod format;
mod snapshot;
mod table;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

pub use self::snapshot::{InventoryEntry, InventorySnapshot, Sighting};
use self::table::Table;
use crate::known::KnownCategory;

/// A cheap, clonable handle to what the layer has seen: one entry per
/// cookie name that the application set and that the policy does not
/// declare, with how often it was kept and stripped, when and on which
/// path it was first and last seen, and the Open Cookie Database's guess of
/// what it is.
///
/// Clones share one inventory. Read it with [`snapshot`](Self::snapshot),
/// or render it with [`to_json`](Self::to_json),
/// [`to_markdown`](Self::to_markdown) and
/// [`suggest_policy`](Self::suggest_policy).
///
/// # Limits
///
/// - **Memory is bounded.** At most [`capacity`](Self::capacity) names are
///   stored ([`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) by default); the
///   sightings of any other name are only counted, in
///   [`InventorySnapshot::overflow`]. A stored name takes at most about
///   650 bytes, and the table of slots 32 to 64 bytes per name of
///   capacity, allocated up front: about 700 KiB in all at the default
///   capacity, if every name is 256 bytes long.
/// - **Names are bytes**, as a browser stores them, cut to
///   [`MAX_NAME_LEN`](Self::MAX_NAME_LEN) bytes: a longer name is stored
///   truncated and flagged ([`InventoryEntry::is_truncated`]), so two long
///   names that share their first 256 bytes share an entry.
/// - **No value is ever stored**, and of the request only the path, without
///   its query (see [`Sighting`]).
/// - **Counts saturate** at `u64::MAX` instead of wrapping.
/// - **Recording a name already stored takes no lock and allocates
///   nothing**: a hash, a probe of a table that never moves its entries, and
///   atomic updates of the entry. Only the first sighting of a name locks,
///   to insert it.
///
/// ```
/// use tower_cookie_consent::Inventory;
///
/// let inventory = Inventory::new();
/// let handle = inventory.clone(); // the same inventory
/// assert_eq!(handle.capacity(), 1024);
/// assert!(inventory.snapshot().is_empty());
/// assert_eq!(inventory.to_json(), r#"{"capacity":1024,"overflow":0,"cookies":[]}"#);
/// ```
#[derive(Clone)]
pub struct Inventory {
    table: Arc<Table>,
}

impl Inventory {
    /// How many names [`Inventory::new`] stores.
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// The largest capacity: [`with_capacity`](Self::with_capacity) lowers
    /// a larger one to this. A site with more undeclared cookie names than
    /// this has a different problem, and the table of slots is allocated up
    /// front.
    pub const MAX_CAPACITY: usize = 1 << 16;

    /// The longest name stored, in bytes. Browsers store names of up to 4096
    /// bytes (with the value); real cookie names are far shorter.
    pub const MAX_NAME_LEN: usize = table::MAX_NAME_LEN;

    /// The longest request path stored, in bytes.
    pub const MAX_PATH_LEN: usize = table::MAX_PATH_LEN;

    /// An empty inventory that stores up to
    /// [`DEFAULT_CAPACITY`](Self::DEFAULT_CAPACITY) names.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert_eq!(Inventory::new().capacity(), Inventory::DEFAULT_CAPACITY);
    /// ```
    pub fn new() -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY)
    }

    /// An empty inventory that stores up to `capacity` names, at most
    /// [`MAX_CAPACITY`](Self::MAX_CAPACITY). With 0 it stores none and
    /// counts every sighting as overflow.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert_eq!(Inventory::with_capacity(64).capacity(), 64);
    /// assert_eq!(Inventory::with_capacity(usize::MAX).capacity(), Inventory::MAX_CAPACITY);
    /// ```
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            table: Arc::new(Table::new(capacity.min(Self::MAX_CAPACITY))),
        }
    }

    /// The most names this inventory stores.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// assert_eq!(Inventory::with_capacity(10).capacity(), 10);
    /// ```
    pub fn capacity(&self) -> usize {
        self.table.capacity()
    }

    /// A copy of every entry, sorted by name, and the overflow count.
    ///
    /// It reads the shared table without stopping the requests that write
    /// to it; see [`InventorySnapshot`].
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// let snapshot = Inventory::new().snapshot();
    /// assert!(snapshot.entries().is_empty());
    /// assert_eq!(snapshot.overflow(), 0);
    /// ```
    pub fn snapshot(&self) -> InventorySnapshot {
        InventorySnapshot::read(&self.table)
    }

    /// The inventory as one JSON object:
    ///
    /// ```json
    /// {"capacity":1024,"overflow":0,"cookies":[
    /// {"name":"_ga","name_hex":"5f6761","truncated":false,"kept":3,"stripped":12,
    ///  "first_seen":{"unix_ms":1700000000000,"path":"/"},
    ///  "last_seen":{"unix_ms":1700000061000,"path":"/basket"},
    ///  "known":{"name":"_ga","prefix":false,"platform":"Google Analytics",
    ///           "category":"Analytics","description":"…","retention":"2 years"}}
    /// ]}
    /// ```
    ///
    /// One cookie per line, sorted by name. `name` is the name as text, each
    /// byte sequence that is not UTF-8 replaced by U+FFFD; `name_hex` is the
    /// exact bytes. `known` is `null` when the database does not know the
    /// name, and `category` there is the database's.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// let json = Inventory::with_capacity(16).to_json();
    /// assert_eq!(json, r#"{"capacity":16,"overflow":0,"cookies":[]}"#);
    /// ```
    pub fn to_json(&self) -> String {
        self.snapshot().to_json()
    }

    /// The inventory as a Markdown table (GitHub's dialect), one row per
    /// name:
    ///
    /// ```markdown
    /// | Name | Kept | Stripped | First seen | Last seen | Platform | Category | Description |
    /// | --- | ---: | ---: | --- | --- | --- | --- | --- |
    /// | \_ga | 3 | 12 | 2023-11-14T22:13:20Z / | 2023-11-14T22:14:21Z /basket | Google Analytics | Analytics | … |
    /// ```
    ///
    /// Times are UTC. Every character with a meaning in Markdown is escaped,
    /// a control character or a byte that is not UTF-8 is written `\xNN`,
    /// and a truncated name ends with `…`. When names were past the
    /// capacity, a line after the table says how many sightings.
    ///
    /// ```
    /// use tower_cookie_consent::Inventory;
    ///
    /// let table = Inventory::new().to_markdown();
    /// assert_eq!(table.lines().nth(1), Some("| --- | ---: | ---: | --- | --- | --- | --- | --- |"));
    /// ```
    pub fn to_markdown(&self) -> String {
        self.snapshot().to_markdown()
    }

    /// A TOML policy fragment that declares the names seen, each under the
    /// policy category of its database category: `Analytics` under
    /// `statistics`, `Marketing` under `marketing`, `Functional` and
    /// `Personalization` under `preferences`. For other mappings, see
    /// [`suggest_policy_with`](Self::suggest_policy_with).
    ///
    /// ```toml
    /// [[categories.statistics]]
    /// name = "_ga"
    /// provider = "Google Analytics"
    /// purpose = "ID used to identify users"
    /// lifetime = "2 years"
    /// # seen as "_ga" (kept 3, stripped 12)
    ///
    /// [[categories.statistics]]
    /// name = "_pk_id.*"
    /// provider = "Matomo"
    /// # seen as "_pk_id.1.abcd" (kept 1, stripped 4), "_pk_id.2.ef01" (kept 0, stripped 2)
    /// ```
    ///
    /// - A name the database knows by a prefix is declared by that prefix,
    ///   once for all the names it covers.
    /// - Names the database does not know, and those in a category that
    ///   maps to none (`Necessary` and `Security`: whether a cookie may be
    ///   set without consent is the site's call, not the database's), are
    ///   listed in comments under `# unknown`.
    /// - A name a policy cannot hold as is (not UTF-8, truncated, with a
    ///   control character, `;`, `=` or `*`) is listed in a comment, never
    ///   declared.
    ///
    /// Categories and names are sorted, so the output is stable. It is a
    /// starting point to review, not a policy to deploy unread: the
    /// database describes what a cookie usually is, not what this site
    /// uses it for.
    ///
    /// ```
    /// use tower_cookie_consent::{Inventory, Policy};
    ///
    /// let fragment = Inventory::new().suggest_policy();
    /// assert!(fragment.starts_with("# Cookies the layer saw"));
    /// // The fragment is a policy configuration.
    /// let policy: Policy = toml::from_str(&fragment)?;
    /// assert_eq!(policy.categories().count(), 0);
    /// # Ok::<(), toml::de::Error>(())
    /// ```
    pub fn suggest_policy(&self) -> String {
        self.snapshot().suggest_policy()
    }

    /// [`suggest_policy`](Self::suggest_policy) with a mapping of database
    /// categories to policy categories: a name goes under
    /// `category(its database category)`, or under `# unknown` when that is
    /// `None`. A name mapped to `necessary` is declared under `[[necessary]]`.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCategory;
    /// use tower_cookie_consent::Inventory;
    ///
    /// let fragment = Inventory::new().suggest_policy_with(|category| match category {
    ///     KnownCategory::Analytics | KnownCategory::Marketing => Some("tracking"),
    ///     _ => None,
    /// });
    /// assert!(fragment.lines().all(|line| line.is_empty() || line.starts_with('#')));
    /// ```
    pub fn suggest_policy_with<'m>(
        &self,
        category: impl Fn(KnownCategory) -> Option<&'m str>,
    ) -> String {
        self.snapshot().suggest_policy_with(category)
    }

    /// Counts one `Set-Cookie` line with the undeclared cookie `name` (as
    /// the browser would store it), kept or stripped, on a request for
    /// `path` (the request target's path; a query is dropped), now.
    ///
    /// Lock-free and allocation-free when `name` is already stored or the
    /// inventory is full.
    #[inline]
    pub(crate) fn record(&self, name: &[u8], kept: bool, path: &[u8]) {
        self.record_at(name, kept, path, SystemTime::now());
    }

    /// [`record`](Self::record) at a given time.
    #[inline]
    pub(crate) fn record_at(&self, name: &[u8], kept: bool, path: &[u8], at: SystemTime) {
        self.table.record(name, kept, path, at);
    }
}

impl Default for Inventory {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Inventory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inventory")
            .field("capacity", &self.table.capacity())
            .field("stored", &self.table.stored())
            .field("overflow", &self.table.overflow())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_inventory() {
        let inventory = Inventory::with_capacity(4);
        let clone = inventory.clone();
        clone.record(b"_ga", true, b"/");
        assert_eq!(inventory.snapshot().get("_ga").unwrap().kept(), 1);
        assert_eq!(
            format!("{inventory:?}"),
            "Inventory { capacity: 4, stored: 1, overflow: 0 }"
        );
    }

    #[test]
    fn snapshots_find_entries_by_the_name_a_line_spells() {
        let inventory = Inventory::new();
        let long = [b'n'; Inventory::MAX_NAME_LEN + 1];
        inventory.record(&long, true, b"/");
        inventory.record(&long[..Inventory::MAX_NAME_LEN], false, b"/");
        inventory.record(b"_ga", true, b"/");
        let snapshot = inventory.snapshot();
        let names: Vec<_> = snapshot
            .entries()
            .iter()
            .map(|e| (e.name_bytes().len(), e.is_truncated()))
            .collect();
        assert_eq!(names, [(3, false), (256, false), (256, true)]);
        assert_eq!(snapshot.get(long).unwrap().kept(), 1);
        assert_eq!(snapshot.get(&long[..256]).unwrap().stripped(), 1);
        assert_eq!(
            snapshot.get("_ga").unwrap().known().map(|k| k.name()),
            Some("_ga")
        );
        assert!(snapshot.get("_gb").is_none());
    }

    #[test]
    fn inventory_is_shareable() {
        fn assert_traits<T: Clone + fmt::Debug + Send + Sync + 'static>() {}
        assert_traits::<Inventory>();
        assert_traits::<InventorySnapshot>();
    }
}
