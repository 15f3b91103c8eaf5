//! The shared table behind an [`Inventory`](super::Inventory): one record per
//! cookie name, found without a lock.
//!
//! The table is an open-addressing hash table of [`OnceLock`] slots, sized
//! once for twice the capacity, so that a probe always ends on an empty slot
//! and a record never moves. In the steady state, where every name is
//! already stored, recording a sighting is a hash, a probe, and a few atomic
//! operations on the record: no lock, no allocation. Only a name the table
//! has not stored yet takes the slow path, which inserts under a mutex.
//!
//! Reading a slot is [`OnceLock::get`], one acquire load; slots are only
//! ever set under the insert mutex, so no thread ever waits on a slot.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{fence, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::known::{self, KnownCookie};

/// The longest name stored, in bytes; a longer name is stored truncated to
/// this length and flagged.
pub(super) const MAX_NAME_LEN: usize = 256;

/// The longest request path stored, in bytes.
pub(super) const MAX_PATH_LEN: usize = 128;

/// The path is kept in the last-seen record as words of eight bytes.
const PATH_WORDS: usize = MAX_PATH_LEN / 8;

const _: () = assert!(MAX_PATH_LEN % 8 == 0 && MAX_PATH_LEN <= u8::MAX as usize);

/// Every name the table has stored, and how often a name past the cap was
/// seen.
pub(super) struct Table {
    /// `2 * capacity` slots or more, a power of two: at most half of them are
    /// ever filled, so every probe reaches an empty slot.
    slots: Box<[OnceLock<Box<Record>>]>,
    capacity: usize,
    /// Records stored: at most `capacity`. Incremented (release) after the
    /// slot is set, so a thread that reads `capacity` here (acquire) also
    /// sees every stored record.
    stored: AtomicUsize,
    /// Sightings of names that were not stored because the table was full.
    overflow: AtomicU64,
    /// Keyed anew for every table: the names come from the application's
    /// responses, and a table whose hash is known could be fed names that
    /// all probe the same run of slots.
    hasher: RandomState,
    /// Serializes inserts, so two threads never store the same name twice.
    insert: Mutex<()>,
}

impl Table {
    pub(super) fn new(capacity: usize) -> Self {
        let len = capacity.saturating_mul(2).max(1).next_power_of_two();
        Self {
            slots: (0..len).map(|_| OnceLock::new()).collect(),
            capacity,
            stored: AtomicUsize::new(0),
            overflow: AtomicU64::new(0),
            hasher: RandomState::new(),
            insert: Mutex::new(()),
        }
    }

    pub(super) fn capacity(&self) -> usize {
        self.capacity
    }

    pub(super) fn overflow(&self) -> u64 {
        self.overflow.load(Ordering::Relaxed)
    }

    pub(super) fn stored(&self) -> usize {
        self.stored.load(Ordering::Relaxed)
    }

    /// Every stored record, in slot order.
    pub(super) fn records(&self) -> impl Iterator<Item = &Record> {
        self.slots
            .iter()
            .filter_map(|slot| slot.get().map(|r| &**r))
    }

    /// Counts one sighting of `name` on a request for `path` at `at`.
    #[inline]
    pub(super) fn record(&self, name: &[u8], kept: bool, path: &[u8], at: SystemTime) {
        let key = Key::new(name);
        let hash = self.hasher.hash_one(key.bytes);
        match self.find(hash, key) {
            Some(record) => record.see(kept, path, millis(at)),
            None => self.record_new(hash, key, kept, path, millis(at)),
        }
    }

    /// The record of `key`, probing from `hash`, without a lock.
    #[inline]
    fn find(&self, hash: u64, key: Key<'_>) -> Option<&Record> {
        let mask = self.slots.len() - 1;
        // Truncating the hash keeps its low bits, which the mask wants.
        let mut index = hash as usize & mask;
        loop {
            let record = self.slots[index].get()?;
            if record.is(key) {
                return Some(record);
            }
            index = (index + 1) & mask;
        }
    }

    /// The slow path: `key` was not found without the lock.
    #[cold]
    #[inline(never)]
    fn record_new(&self, hash: u64, key: Key<'_>, kept: bool, path: &[u8], at_ms: u64) {
        if self.stored.load(Ordering::Acquire) >= self.capacity {
            // Full: no name will ever be inserted again, so the lock is not
            // needed. Probe once more, because the name may have been the
            // last one stored, between the first probe and the load above.
            match self.find(hash, key) {
                Some(record) => record.see(kept, path, at_ms),
                None => saturating_increment(&self.overflow),
            }
            return;
        }
        // The table holds no invariant that a panicking holder could break,
        // so a poisoned lock is as good as any.
        let _guard = self.insert.lock().unwrap_or_else(PoisonError::into_inner);
        let mask = self.slots.len() - 1;
        let mut index = hash as usize & mask;
        loop {
            let slot = &self.slots[index];
            match slot.get() {
                // Stored by another thread since the probe without the lock.
                Some(record) if record.is(key) => return record.see(kept, path, at_ms),
                Some(_) => index = (index + 1) & mask,
                None => {
                    if self.stored.load(Ordering::Relaxed) >= self.capacity {
                        return saturating_increment(&self.overflow);
                    }
                    let record = Box::new(Record::new(key, kept, path, at_ms));
                    // Every slot is set under `insert`, and this one was just
                    // seen empty under it, so `set` succeeds.
                    if slot.set(record).is_ok() {
                        self.stored.fetch_add(1, Ordering::Release);
                    }
                    return;
                }
            }
        }
    }
}

/// A name as the table stores it: at most [`MAX_NAME_LEN`] bytes, and
/// whether bytes were cut off.
#[derive(Clone, Copy)]
struct Key<'a> {
    bytes: &'a [u8],
    truncated: bool,
}

impl<'a> Key<'a> {
    fn new(name: &'a [u8]) -> Self {
        match name.get(..MAX_NAME_LEN) {
            Some(bytes) if name.len() > MAX_NAME_LEN => Self {
                bytes,
                truncated: true,
            },
            _ => Self {
                bytes: name,
                truncated: false,
            },
        }
    }
}

/// What the table knows about one name.
pub(super) struct Record {
    name: Box<[u8]>,
    truncated: bool,
    known: Option<&'static KnownCookie>,
    kept: AtomicU64,
    stripped: AtomicU64,
    /// Written once, by the thread that stored the record.
    first_ms: u64,
    first_path: PathBytes,
    last: LastSeen,
}

impl Record {
    fn new(key: Key<'_>, kept: bool, path: &[u8], at_ms: u64) -> Self {
        let path = PathBytes::from_request(path);
        let record = Self {
            name: key.bytes.into(),
            truncated: key.truncated,
            known: known::find(key.bytes).map(|id| &KnownCookie::all()[usize::from(id)]),
            kept: AtomicU64::new(0),
            stripped: AtomicU64::new(0),
            first_ms: at_ms,
            first_path: path,
            last: LastSeen::new(at_ms, &path),
        };
        record.count(kept);
        record
    }

    fn is(&self, key: Key<'_>) -> bool {
        *self.name == *key.bytes && self.truncated == key.truncated
    }

    #[inline]
    fn see(&self, kept: bool, path: &[u8], at_ms: u64) {
        self.count(kept);
        self.last.update(at_ms, path);
    }

    fn count(&self, kept: bool) {
        saturating_increment(if kept { &self.kept } else { &self.stripped });
    }

    pub(super) fn name(&self) -> &[u8] {
        &self.name
    }

    pub(super) fn truncated(&self) -> bool {
        self.truncated
    }

    pub(super) fn known(&self) -> Option<&'static KnownCookie> {
        self.known
    }

    pub(super) fn kept(&self) -> u64 {
        self.kept.load(Ordering::Relaxed)
    }

    pub(super) fn stripped(&self) -> u64 {
        self.stripped.load(Ordering::Relaxed)
    }

    pub(super) fn first_seen(&self) -> (SystemTime, &str) {
        (time(self.first_ms), self.first_path.as_str())
    }

    /// The time and path of the last sighting, read consistently.
    pub(super) fn last_seen(&self) -> (SystemTime, PathBytes) {
        let (at_ms, path) = self.last.read();
        (time(at_ms), path)
    }
}

/// The last sighting, updated without a lock: a sequence lock whose writers
/// claim the version with a compare-exchange and skip the update when
/// another writer holds it, so no writer ever waits. Readers retry until
/// they read the fields between two equal, even versions.
///
/// Every field is an atomic, so a reader that overlaps a writer reads a
/// torn value but never undefined behaviour, and the version check throws
/// the torn value away.
struct LastSeen {
    /// Odd while a writer holds the record.
    version: AtomicU64,
    at_ms: AtomicU64,
    len: AtomicUsize,
    path: [AtomicU64; PATH_WORDS],
}

impl LastSeen {
    fn new(at_ms: u64, path: &PathBytes) -> Self {
        let last = Self {
            version: AtomicU64::new(0),
            at_ms: AtomicU64::new(at_ms),
            len: AtomicUsize::new(path.len()),
            path: Default::default(),
        };
        last.store_path(path);
        last
    }

    /// Records a sighting at `at_ms` on `path`, unless the last one stored
    /// is from the same second or later, or another thread is writing.
    ///
    /// Writing once a second at most keeps a popular cookie's record from
    /// being written by every request: the counters change on every
    /// sighting, the last-seen time and path at most once a second.
    #[inline]
    fn update(&self, at_ms: u64, path: &[u8]) {
        if at_ms / 1000 <= self.at_ms.load(Ordering::Relaxed) / 1000 {
            return;
        }
        let version = self.version.load(Ordering::Relaxed);
        if version % 2 == 1
            || self
                .version
                .compare_exchange(version, version + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        // The field stores below must not become visible before the odd
        // version: the release fence orders them after the claim.
        fence(Ordering::Release);
        // Checked again under the claim: a sighting from a later second may
        // have been written since the first check.
        if at_ms > self.at_ms.load(Ordering::Relaxed) {
            let path = PathBytes::from_request(path);
            self.at_ms.store(at_ms, Ordering::Relaxed);
            self.len.store(path.len(), Ordering::Relaxed);
            self.store_path(&path);
        }
        self.version.store(version + 2, Ordering::Release);
    }

    fn store_path(&self, path: &PathBytes) {
        let words = path.len().div_ceil(8);
        for (word, chunk) in self.path[..words].iter().zip(path.bytes.chunks_exact(8)) {
            let mut bytes = [0; 8];
            bytes.copy_from_slice(chunk);
            word.store(u64::from_ne_bytes(bytes), Ordering::Relaxed);
        }
    }

    fn read(&self) -> (u64, PathBytes) {
        let mut attempts = 0_u32;
        loop {
            let version = self.version.load(Ordering::Acquire);
            if version % 2 == 0 {
                let at_ms = self.at_ms.load(Ordering::Relaxed);
                let len = self.len.load(Ordering::Relaxed).min(MAX_PATH_LEN);
                let mut path = PathBytes::EMPTY;
                for (chunk, word) in path.bytes.chunks_exact_mut(8).zip(&self.path) {
                    chunk.copy_from_slice(&word.load(Ordering::Relaxed).to_ne_bytes());
                }
                // The loads above must complete before the version is read
                // again.
                fence(Ordering::Acquire);
                if self.version.load(Ordering::Relaxed) == version {
                    path.len = len as u8;
                    return (at_ms, path);
                }
            }
            // A writer holds the record for a few dozen instructions; if it
            // was descheduled meanwhile, let it run.
            attempts += 1;
            if attempts < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }
}

/// A request path as stored: at most [`MAX_PATH_LEN`] bytes, without the
/// query or fragment, every byte valid in a path (RFC 3986 section 3.3).
#[derive(Clone, Copy)]
pub(super) struct PathBytes {
    len: u8,
    bytes: [u8; MAX_PATH_LEN],
}

impl PathBytes {
    const EMPTY: Self = Self {
        len: 0,
        bytes: [0; MAX_PATH_LEN],
    };

    /// The path of a request target: it stops at the first `?` or `#`,
    /// because a query may hold personal data (a search, an e-mail
    /// address); it percent-encodes every byte that a path may not hold, so
    /// the stored path is printable ASCII whatever the request carried; and
    /// it stops before [`MAX_PATH_LEN`] bytes, never inside an escape.
    pub(super) fn from_request(path: &[u8]) -> Self {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut out = Self::EMPTY;
        let mut len = 0;
        let mut rest = path;
        while let [byte, ..] = *rest {
            let escaped;
            let (piece, consumed): (&[u8], usize) = match rest {
                [b'?' | b'#', ..] => break,
                // An escape already there is copied whole.
                [b'%', a, b, ..] if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => {
                    (&rest[..3], 3)
                }
                _ if is_path_byte(byte) => (&rest[..1], 1),
                _ => {
                    escaped = [
                        b'%',
                        HEX[usize::from(byte >> 4)],
                        HEX[usize::from(byte & 0xf)],
                    ];
                    (&escaped, 1)
                }
            };
            let Some(room) = out.bytes.get_mut(len..len + piece.len()) else {
                break;
            };
            room.copy_from_slice(piece);
            len += piece.len();
            rest = &rest[consumed..];
        }
        out.len = len as u8;
        out
    }

    fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub(super) fn as_str(&self) -> &str {
        // Only ASCII is ever stored (see `from_request`).
        std::str::from_utf8(&self.bytes[..self.len()]).unwrap_or_default()
    }
}

/// Whether `byte` may stand for itself in a path: `/` and RFC 3986's
/// `pchar`, less `%`, which may only start an escape.
fn is_path_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric()
        || matches!(
            byte,
            b'/' | b'-' | b'.' | b'_' | b'~' // unreserved
                | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' // sub-delims
                | b':' | b'@'
        )
}

/// Adds one, stopping at `u64::MAX` instead of wrapping to zero.
fn saturating_increment(counter: &AtomicU64) {
    // `fetch_add` would wrap; the update is a compare-exchange loop that
    // gives up once the counter is full.
    let _ = counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_add(1));
}

/// Milliseconds since the Unix epoch; 0 for a time before it.
fn millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn time(millis: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Barrier;

    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn record<'t>(table: &'t Table, name: &[u8]) -> Option<&'t Record> {
        table.records().find(|r| r.name() == name)
    }

    #[test]
    fn counts_kept_and_stripped_per_name() {
        let table = Table::new(8);
        table.record(b"_ga", true, b"/", at(10));
        table.record(b"_ga", false, b"/basket", at(11));
        table.record(b"_ga", false, b"/", at(11));
        table.record(b"cart", true, b"/", at(12));
        let ga = record(&table, b"_ga").expect("stored");
        assert_eq!((ga.kept(), ga.stripped()), (1, 2));
        assert_eq!(
            ga.known().map(KnownCookie::platform),
            Some("Google Analytics")
        );
        assert_eq!(ga.first_seen(), (at(10), "/"));
        let (last_time, last_path) = ga.last_seen();
        assert_eq!((last_time, last_path.as_str()), (at(11), "/basket"));
        assert!(record(&table, b"cart").expect("stored").known().is_none());
        assert_eq!((table.stored(), table.overflow()), (2, 0));
    }

    #[test]
    fn last_seen_moves_forward_once_a_second() {
        let table = Table::new(8);
        let time = |ms| UNIX_EPOCH + Duration::from_millis(ms);
        table.record(b"a", true, b"/first", time(5_000));
        // The same second: not written.
        table.record(b"a", true, b"/same-second", time(5_999));
        // Earlier (a thread that read the clock before another): not written.
        table.record(b"a", true, b"/earlier", time(4_000));
        let a = record(&table, b"a").expect("stored");
        assert_eq!(a.last_seen().1.as_str(), "/first");
        table.record(b"a", true, b"/later", time(6_000));
        let (last_time, last_path) = a.last_seen();
        assert_eq!((last_time, last_path.as_str()), (time(6_000), "/later"));
        assert_eq!(a.first_seen(), (time(5_000), "/first"));
        assert_eq!(a.kept(), 4);
    }

    #[test]
    fn concurrent_first_sightings_store_one_record_with_exact_counts() {
        const THREADS: u64 = 8;
        const PER_THREAD: u64 = 10_000;
        let table = Table::new(1024);
        let start = Barrier::new(THREADS as usize);
        std::thread::scope(|scope| {
            for thread in 0..THREADS {
                let (table, start) = (&table, &start);
                scope.spawn(move || {
                    start.wait();
                    for i in 0..PER_THREAD {
                        // Every thread sees the new name first, at once.
                        table.record(b"_fbp", i % 4 != 0, b"/", at(thread + i / 1000));
                        let own = format!("t{thread}");
                        table.record(own.as_bytes(), true, b"/own", at(i));
                    }
                });
            }
        });
        let fbp = record(&table, b"_fbp").expect("stored");
        assert_eq!(fbp.kept(), THREADS * PER_THREAD * 3 / 4);
        assert_eq!(fbp.stripped(), THREADS * PER_THREAD / 4);
        assert_eq!(table.records().filter(|r| r.name() == b"_fbp").count(), 1);
        for thread in 0..THREADS {
            let own = record(&table, format!("t{thread}").as_bytes()).expect("stored");
            assert_eq!((own.kept(), own.stripped()), (PER_THREAD, 0));
        }
        assert_eq!(
            (table.stored(), table.overflow()),
            (THREADS as usize + 1, 0)
        );
    }

    #[test]
    fn concurrent_readers_see_whole_sightings() {
        // Each path is tied to its time: a torn read would pair them wrongly.
        let table = Table::new(4);
        table.record(b"a", true, b"/0", at(0));
        let a = record(&table, b"a").expect("stored");
        std::thread::scope(|scope| {
            for thread in 0..2 {
                let table = &table;
                scope.spawn(move || {
                    for second in (thread..2_000).step_by(2) {
                        let path = format!("/{second}/{}", "x".repeat(second as usize % 100));
                        table.record(b"a", true, path.as_bytes(), at(second));
                    }
                });
            }
            scope.spawn(|| {
                for _ in 0..2_000 {
                    let (time, path) = a.last_seen();
                    let second = time.duration_since(UNIX_EPOCH).unwrap().as_secs();
                    let expected = format!("/{second}/{}", "x".repeat(second as usize % 100));
                    if second != 0 {
                        assert_eq!(path.as_str(), expected);
                    }
                }
            });
        });
    }

    #[test]
    fn the_cap_holds_under_100_000_distinct_random_names() {
        const CAP: usize = 1024;
        const NAMES: usize = 100_000;
        let table = Table::new(CAP);
        // A xorshift generator: random names without a dependency, and the
        // same ones on every run.
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut names = HashSet::new();
        while names.len() < NAMES {
            let len = 1 + next() as usize % 40;
            let name: Vec<u8> = (0..len).map(|_| (next() % 256) as u8).collect();
            names.insert(name);
        }
        let slots_before = table.slots.len();
        for name in &names {
            table.record(name, false, b"/", at(1));
        }
        assert_eq!(table.stored(), CAP);
        assert_eq!(table.records().count(), CAP);
        assert_eq!(table.overflow(), (NAMES - CAP) as u64);
        // Memory is bounded: the slot array never grows, and it is sized
        // for the cap, not for the names seen.
        assert_eq!(table.slots.len(), slots_before);
        assert_eq!(slots_before, 2 * CAP);
        // A stored name is still counted; one past the cap only overflows.
        let stored = table.records().next().unwrap();
        table.record(stored.name(), true, b"/", at(2));
        assert_eq!(stored.kept(), 1);
        table.record(b"a name never seen", true, b"/", at(2));
        assert_eq!(table.overflow(), (NAMES - CAP + 1) as u64);
    }

    #[test]
    fn memory_per_name_is_what_the_docs_say() {
        // `Inventory`'s docs: at most about 650 bytes per stored name (the
        // record, its name, two allocation headers), and 16-byte slots, two
        // to four per name of capacity.
        assert!(std::mem::size_of::<Record>() + MAX_NAME_LEN + 2 * 16 <= 650);
        assert_eq!(std::mem::size_of::<OnceLock<Box<Record>>>(), 16);
        for capacity in [0, 1, 3, 1000, 1024] {
            let slots = Table::new(capacity).slots.len();
            assert!(
                slots >= 2 * capacity && slots <= 4 * capacity.max(1),
                "{capacity}: {slots}"
            );
        }
    }

    #[test]
    fn a_zero_capacity_stores_nothing() {
        let table = Table::new(0);
        table.record(b"a", true, b"/", at(1));
        table.record(b"a", true, b"/", at(1));
        assert_eq!((table.stored(), table.overflow()), (0, 2));
    }

    #[test]
    fn counts_saturate() {
        let table = Table::new(4);
        table.record(b"a", true, b"/", at(1));
        let a = record(&table, b"a").unwrap();
        a.kept.store(u64::MAX - 1, Ordering::Relaxed);
        a.stripped.store(u64::MAX, Ordering::Relaxed);
        for _ in 0..3 {
            table.record(b"a", true, b"/", at(1));
            table.record(b"a", false, b"/", at(1));
        }
        assert_eq!((a.kept(), a.stripped()), (u64::MAX, u64::MAX));

        let full = Table::new(0);
        full.overflow.store(u64::MAX - 1, Ordering::Relaxed);
        for _ in 0..3 {
            full.record(b"a", true, b"/", at(1));
        }
        assert_eq!(full.overflow(), u64::MAX);
    }

    #[test]
    fn long_names_are_truncated_and_flagged() {
        let table = Table::new(4);
        let long = [b'a'; MAX_NAME_LEN + 10];
        let longer = [b'a'; MAX_NAME_LEN + 20];
        table.record(&long, true, b"/", at(1));
        table.record(&longer, false, b"/", at(1));
        table.record(&long[..MAX_NAME_LEN], true, b"/", at(1));
        let mut records: Vec<_> = table.records().collect();
        records.sort_by_key(|r| r.truncated());
        assert_eq!(records.len(), 2);
        // The name of exactly MAX_NAME_LEN bytes is whole: its own record.
        assert_eq!(
            (records[0].name(), records[0].truncated()),
            (&long[..MAX_NAME_LEN], false)
        );
        assert_eq!(records[0].kept(), 1);
        // Both longer names share their first MAX_NAME_LEN bytes: one record.
        assert_eq!(
            (records[1].name(), records[1].truncated()),
            (&long[..MAX_NAME_LEN], true)
        );
        assert_eq!((records[1].kept(), records[1].stripped()), (1, 1));
    }

    #[test]
    fn paths_lose_the_query_and_every_byte_a_path_may_not_hold() {
        let stored = |path: &[u8]| PathBytes::from_request(path).as_str().to_owned();
        assert_eq!(stored(b"/search?q=alice@example.com"), "/search");
        assert_eq!(stored(b"/page#section"), "/page");
        assert_eq!(
            stored(b"/a b/\"<x>\"/\xff\n"),
            "/a%20b/%22%3Cx%3E%22/%FF%0A"
        );
        assert_eq!(stored(b"/caf%C3%A9/100%"), "/caf%C3%A9/100%25");
        assert_eq!(
            stored(b"/user:1@host;v=2,(x)*!$&'+~"),
            "/user:1@host;v=2,(x)*!$&'+~"
        );
        assert_eq!(stored(b""), "");

        // Capped at MAX_PATH_LEN bytes, never inside an escape.
        let long = [b'a'; 300];
        assert_eq!(stored(&long).len(), MAX_PATH_LEN);
        let mut escapes = vec![b'/'];
        escapes.extend([b' '; 100]);
        let path = stored(&escapes);
        assert_eq!(path.len(), 1 + 3 * 42);
        assert!(path.ends_with("%20"));
        let mut encoded = b"/".repeat(MAX_PATH_LEN - 2);
        encoded.extend(b"%C3%A9");
        assert_eq!(stored(&encoded), "/".repeat(MAX_PATH_LEN - 2));
    }

    #[test]
    fn a_name_that_is_not_utf8_is_stored_as_bytes() {
        let table = Table::new(4);
        table.record(b"_pk_id.1.\xff", false, b"/", at(1));
        let record = table.records().next().unwrap();
        assert_eq!(record.name(), b"_pk_id.1.\xff");
        // The known-cookie guess works on bytes too.
        assert_eq!(record.known().map(KnownCookie::name), Some("_pk_id."));
    }
}
