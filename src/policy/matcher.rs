//! The cookie-name matcher: the class of a cookie name and the policy entry
//! that placed it. The policy's own patterns and the known cookies of the
//! embedded database share it.
//!
//! Exact names win over prefixes, and most names a site sets are exact, so
//! the two kinds of pattern are kept apart:
//!
//! - the exact names sit in an open-addressing hash table with linear
//!   probing, probed first; a hit is final. A slot holds the two words of
//!   the name that the hash reads, which are the whole name up to 16 bytes,
//!   so a hit on a short name reads nothing else. The table is at most half
//!   full, and the build records how far from its home slot any name ended
//!   up: a lookup never probes further, so a name crafted to collide costs
//!   a bounded number of probes, and nothing can be added to the table
//!   once it is built.
//! - only on a miss, a compressed byte trie that holds the prefixes alone
//!   is walked, and the longest prefix of the name answers. The root's
//!   children are found through a 256-entry table, a node's other children
//!   by their first byte, and most labels are compared with the name a
//!   word at a time. A policy with a few prefixes (most sites declare a
//!   handful: `_pk_id*`, `_ga_*`, `_hjSession*`) keeps them in a short
//!   list, longest first, instead: one masked compare of the name's first
//!   word each beats following the trie's branches.
//!
//! A lookup reads the name once to hash it and at most twice more to
//! compare it, so it costs O(name length) whatever the size of the policy
//! and of the database: a policy of ten names and one of ten thousand
//! answer in the same time (see `benches/`). A longer prefix wins over a
//! shorter one. Names are bytes and compare case-sensitively, as browsers
//! store them.

use std::collections::{BTreeMap, VecDeque};

/// What a cookie name is, according to the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// The consent cookie itself.
    Consent,
    /// A necessary cookie: always allowed.
    Necessary,
    /// A cookie of the category with this index (declaration order).
    Category(u8),
}

/// Which policy entry a name matched: an index into the policy's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct EntryId(pub(crate) u32);

/// The answer for one name: its class and the entry that decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) class: Class,
    pub(crate) entry: EntryId,
}

/// The exact names and the prefixes of a policy, immutable.
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    exact: ExactNames,
    prefixes: Prefixes,
}

impl Matcher {
    /// Classifies `name`, or `None` when the policy does not know it.
    pub(crate) fn classify(&self, name: &[u8]) -> Option<Match> {
        match self.exact.get(name) {
            // Final, even when it is `Answer::Unknown`: an exact name beats
            // every prefix.
            Some(answer) => answer,
            None => self.prefixes.longest(name),
        }
    }
}

/// An open-addressing hash table of the exact names, with linear probing.
#[derive(Debug, Clone)]
struct ExactNames {
    /// A power of two of home slots, at most half of them taken, so that a
    /// miss usually stops at an empty slot after a probe or two; then as
    /// many more as the runs that pass the last home slot need.
    slots: Box<[Slot]>,
    /// The number of home slots less one: the home slot of a hash is
    /// `hash & mask`.
    mask: usize,
    /// The names longer than 16 bytes, one after the other; their slot
    /// holds their place.
    keys: Box<[u8]>,
    /// The most slots a lookup of a stored name probes: no name lies
    /// further from its home slot, so a lookup stops there whatever it is
    /// given.
    max_probes: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    /// The name's [`Key`] words: with its length, the whole name when it is
    /// at most 16 bytes long, so that most hits read nothing else.
    a: u64,
    b: u64,
    /// [`EMPTY`] for an empty slot.
    key_len: u32,
    /// Where a longer name is in `keys`.
    key_start: u32,
    /// What the name answers, `None` for [`Answer::Unknown`]: unpacked, so
    /// that a hit returns it as it is.
    answer: Option<Match>,
}

/// The `key_len` of an empty slot: no name is that long.
const EMPTY: u32 = u32::MAX;

impl Slot {
    const EMPTY: Self = Self {
        a: 0,
        b: 0,
        key_len: EMPTY,
        key_start: 0,
        answer: None,
    };
}

impl ExactNames {
    /// The answer of the exact name `name`, if one was stored.
    #[inline]
    fn get(&self, name: &[u8]) -> Option<Option<Match>> {
        let key = Key::of(name);
        // Truncation on 32-bit targets only drops bits the mask drops.
        let home = key.hash as usize & self.mask;
        for slot in self.slots.get(home..home + self.max_probes)? {
            if slot.a == key.a && slot.b == key.b && slot.key_len as usize == name.len() {
                if name.len() <= 16 || self.key_matches(slot, name) {
                    return Some(slot.answer);
                }
            } else if slot.key_len == EMPTY {
                return None;
            }
        }
        None
    }

    /// Whether `name`, longer than 16 bytes, is the name of `slot`.
    #[cold]
    fn key_matches(&self, slot: &Slot, name: &[u8]) -> bool {
        let start = slot.key_start as usize;
        self.keys
            .get(start..start + name.len())
            .is_some_and(|key| same_bytes(key, name))
    }

    fn build(names: &[(Vec<u8>, Option<Match>)]) -> Self {
        // At most half of the home slots taken: linear probing stays short.
        let homes = (names.len() * 2).next_power_of_two().max(1);
        let mask = homes - 1;
        let mut slots = vec![Slot::EMPTY; homes];
        let mut keys = Vec::new();
        let mut max_probes = 0;
        for (name, answer) in names {
            let key = Key::of(name);
            let home = key.hash as usize & mask;
            // Probing never wraps around: a run that passes the last home
            // slot goes on in slots added after it.
            let at = home
                + slots[home..]
                    .iter()
                    .position(|slot| slot.key_len == EMPTY)
                    .unwrap_or(slots.len() - home);
            if at == slots.len() {
                slots.push(Slot::EMPTY);
            }
            let key_len = to_u32(name.len());
            assert!(key_len != EMPTY, "cookie name too long");
            slots[at] = Slot {
                a: key.a,
                b: key.b,
                key_len,
                key_start: to_u32(keys.len()),
                answer: *answer,
            };
            if name.len() > 16 {
                keys.extend_from_slice(name);
            }
            max_probes = max_probes.max(at - home + 1);
        }
        // Every lookup reads `max_probes` slots from its home slot at most.
        slots.resize(slots.len().max(homes + max_probes), Slot::EMPTY);
        Self {
            slots: slots.into_boxed_slice(),
            mask,
            keys: keys.into_boxed_slice(),
            max_probes,
        }
    }
}

/// Constants of wyhash (public domain), which reads its input in words and
/// mixes with one wide multiplication: a few instructions for a cookie
/// name, and well spread enough for linear probing. Nothing here needs to
/// resist an attacker: the table is fixed once built and its probes are
/// bounded (see [`ExactNames::max_probes`]).
const SEED: u64 = 0xa076_1d64_78bd_642f;
const MUL: u64 = 0xe703_7ed1_a0b4_28db;
const LEN: u64 = 0x8ebc_6af0_9c88_c6e3;

/// What a lookup reads of a name: two words and a hash. Up to 16 bytes,
/// the words (overlapping, or assembled from three bytes below four) and
/// the length tell the name apart from every other exactly; past 16 they
/// are its last 16 bytes, and the hash covers the rest.
#[derive(Debug, Clone, Copy)]
struct Key {
    a: u64,
    b: u64,
    hash: u64,
}

impl Key {
    #[inline]
    fn of(name: &[u8]) -> Self {
        let len = name.len();
        let (a, b, seed) = if len <= 16 {
            let (a, b) = if len >= 8 {
                (word(name, 0), word(name, len - 8))
            } else if len >= 4 {
                (half_word(name, 0), half_word(name, len - 4))
            } else if let (Some(&first), Some(&last)) = (name.first(), name.last()) {
                let middle = name.get(len / 2).copied().unwrap_or(0);
                (
                    u64::from(first) << 16 | u64::from(middle) << 8 | u64::from(last),
                    0,
                )
            } else {
                (0, 0)
            };
            (a, b, SEED)
        } else {
            let mut seed = SEED;
            let mut rest = name;
            while rest.len() > 16 {
                seed = mix(word(rest, 0) ^ MUL, word(rest, 8) ^ seed);
                rest = &rest[16..];
            }
            (word(name, len - 16), word(name, len - 8), seed)
        };
        Self {
            a,
            b,
            hash: mix(a ^ MUL, b ^ seed ^ LEN.wrapping_mul(len as u64)),
        }
    }
}

/// The two halves of the 128-bit product, folded: every bit of either input
/// reaches the middle of the result.
#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    product as u64 ^ (product >> 64) as u64
}

/// Eight bytes of `bytes` from `at`, or 0 past its end (callers stay
/// inside it).
#[inline]
fn word(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 8)
        .and_then(|word| word.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// Four bytes of `bytes` from `at`, as [`word`] reads eight.
#[inline]
fn half_word(bytes: &[u8], at: usize) -> u64 {
    bytes
        .get(at..at + 4)
        .and_then(|word| word.try_into().ok())
        .map_or(0, |word| u64::from(u32::from_le_bytes(word)))
}

/// Whether `a` and `b` hold the same bytes. Names and labels are short, so
/// a call to `memcmp` costs more than the comparison: they are compared a
/// word at a time, the last word overlapping, below eight bytes as two
/// overlapping half words, below four byte by byte.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    if len < 4 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    if len < 8 {
        return half_word(a, 0) == half_word(b, 0)
            && half_word(a, len - 4) == half_word(b, len - 4);
    }
    let last = len - 8;
    let mut at = 0;
    while at < last {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, last) == word(b, last)
}

/// Whether `name` starts with `label`.
#[inline]
fn starts_with(name: &[u8], label: &[u8]) -> bool {
    name.get(..label.len())
        .is_some_and(|head| same_bytes(head, label))
}

/// A compressed trie of the prefixes, without the exact names: those never
/// need it, so it stays small and shallow.
#[derive(Debug, Clone)]
struct Prefixes {
    /// The answer of the empty prefix, which matches every name.
    empty: Option<Match>,
    /// For each first byte, the root's child whose label starts with it,
    /// or [`NO_NODE`].
    root: Box<[u32; 256]>,
    nodes: Box<[Node]>,
    /// The first byte of each node's label, indexed like `nodes`, so that
    /// finding a child is a search in a small contiguous byte slice.
    first: Box<[u8]>,
    /// The bytes of the labels past their first eight.
    tails: Box<[u8]>,
    /// Every prefix but the empty one, longest first, when there are at
    /// most [`FEW_PREFIXES`]: then [`longest`](Self::longest) reads this
    /// list and not the trie. Its labels past their first eight bytes are
    /// in `tails` too.
    few: Option<Box<[FewPrefix]>>,
}

/// Up to this many prefixes, a lookup compares the name with each of them
/// (about six instructions a prefix) rather than walking the trie (about
/// thirty a node, three or four nodes deep for a name like
/// `_pk_id.1.1fff`).
const FEW_PREFIXES: usize = 16;

/// One prefix of a short list: [`Node`]'s head and tail, for the whole
/// prefix.
#[derive(Debug, Clone, Copy)]
struct FewPrefix {
    head: u64,
    head_shift: u32,
    len: u32,
    tail_start: u32,
    answer: Option<Match>,
}

/// An index that no node has: a lookup of it finds nothing and stops.
const NO_NODE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    /// The label's first bytes, up to eight, as a little-endian word: most
    /// labels are compared with one word of the name.
    head: u64,
    /// 64 minus 8 times the number of bytes in `head`: shifting a word left
    /// by it keeps only the bytes that `head` holds.
    head_shift: u32,
    label_len: u32,
    /// Where the label's bytes past the eighth start in `tails`.
    tail_start: u32,
    children_start: u32,
    children_len: u32,
    /// The answer of the prefix that ends with the label, if there is
    /// one: `Some(None)` for [`Answer::Unknown`].
    prefix: Option<Option<Match>>,
}

impl Prefixes {
    /// The answer of the longest prefix of `name`.
    /// Out of line: exact names, the common case, do not pay for its
    /// registers.
    #[inline(never)]
    fn longest(&self, name: &[u8]) -> Option<Match> {
        let mut best = self.empty;
        let Some(&first) = name.first() else {
            return best;
        };
        let last = last_word(name);
        let root = self.root[usize::from(first)];
        if root == NO_NODE {
            // No prefix starts with the name's first byte.
            return best;
        }
        if let Some(few) = &self.few {
            let head = next_word(name, last);
            // Longest first: the first prefix that matches is the longest.
            let found = few.iter().find(|prefix| {
                (head ^ prefix.head) << prefix.head_shift == 0
                    && prefix.len as usize <= name.len()
                    && (prefix.len <= 8
                        || self.tail_matches(prefix.tail_start, prefix.len, &name[8..]))
            });
            return found.map_or(best, |prefix| prefix.answer);
        }
        // The name past the path matched so far, which leads to `node`:
        // never empty here, and its first byte is the first of the label.
        let mut rest = name;
        let Some(mut node) = self.nodes.get(root as usize) else {
            return best;
        };
        loop {
            // Prefixes only end on node boundaries, so a name that ends or
            // leaves a label half-way matches nothing deeper. (The zeros
            // that `next_word` reads past the name's end may match a
            // label's zeros: the length test catches them.)
            let label_len = node.label_len as usize;
            if (next_word(rest, last) ^ node.head) << node.head_shift != 0 || label_len > rest.len()
            {
                break;
            }
            if label_len > 8
                && !self.tail_matches(
                    node.tail_start,
                    node.label_len,
                    rest.get(8..).unwrap_or_default(),
                )
            {
                break;
            }
            rest = rest.get(label_len..).unwrap_or_default();
            if let Some(answer) = node.prefix {
                best = answer;
            }
            let (Some(&byte), 1..) = (rest.first(), node.children_len) else {
                break;
            };
            let start = node.children_start as usize;
            let Some(children) = self.first.get(start..start + node.children_len as usize) else {
                break;
            };
            // Most nodes have a handful of children: a linear scan beats a
            // binary search there.
            let offset = if children.len() <= 8 {
                children.iter().position(|&b| b == byte)
            } else {
                children.binary_search(&byte).ok()
            };
            match offset.and_then(|offset| self.nodes.get(start + offset)) {
                Some(child) => node = child,
                None => break,
            }
        }
        best
    }

    /// Whether `rest`, the name past the first eight bytes of a label
    /// (`label_len` long, its bytes past the eighth at `tail_start` in
    /// `tails`), starts with the rest of the label. Out of line: most
    /// labels fit in their head.
    #[cold]
    #[inline(never)]
    fn tail_matches(&self, tail_start: u32, label_len: u32, rest: &[u8]) -> bool {
        let start = tail_start as usize;
        let tail_len = (label_len as usize).saturating_sub(8);
        self.tails
            .get(start..start + tail_len)
            .is_some_and(|tail| starts_with(rest, tail))
    }
}

/// The last eight bytes of a name that is not empty; a shorter name's
/// bytes are at the top of the word, with zeros below, so that shifting it
/// right reads the name from any position with zeros past its end.
#[inline]
fn last_word(name: &[u8]) -> u64 {
    let len = name.len();
    if len >= 8 {
        return word(name, len - 8);
    }
    let bytes = if len >= 4 {
        // The two half words overlap on bytes they agree on.
        half_word(name, 0) | half_word(name, len - 4) << (8 * (len - 4))
    } else {
        name.iter()
            .rev()
            .fold(0, |word, &byte| word << 8 | u64::from(byte))
    };
    bytes << (8 * (8 - len.max(1)))
}

/// The next eight bytes of a name from `rest` on, a part of it that is not
/// empty, with zeros past its end; `last` is [`last_word`] of the name.
#[inline]
fn next_word(rest: &[u8], last: u64) -> u64 {
    match rest.len() {
        8.. => word(rest, 0),
        // At least one byte: the shift is below 64.
        len => last >> (8 * (8 - len.max(1))),
    }
}

/// Collects patterns, then freezes them into a [`Matcher`].
#[derive(Debug)]
pub(crate) struct MatcherBuilder {
    nodes: Vec<BuildNode>,
}

/// A node of the builder's trie, which holds both kinds of pattern, so
/// that [`MatcherBuilder::covers`] can follow a pattern once. A child
/// always comes after its parent in the builder's `nodes`.
#[derive(Debug, Default)]
struct BuildNode {
    children: BTreeMap<u8, usize>,
    exact: Option<Answer>,
    prefix: Option<Answer>,
}

/// What a pattern answers for the names it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The name has this class and entry.
    Found(Match),
    /// The name is not classified: a known cookie whose category the policy
    /// does not map. It still beats a shorter pattern, so that a known
    /// prefix of a mapped category does not take the names that the
    /// database files under an unmapped one.
    Unknown,
}

impl Answer {
    /// What [`Matcher::classify`] returns for it.
    fn get(self) -> Option<Match> {
        match self {
            Self::Found(found) => Some(found),
            Self::Unknown => None,
        }
    }
}

impl MatcherBuilder {
    pub(crate) fn new() -> Self {
        Self {
            nodes: vec![BuildNode::default()],
        }
    }

    /// Adds `pattern` (without its `*`) for `found`.
    ///
    /// Adding the same pattern twice for the same class is harmless: the
    /// first entry stays. For another class it fails with the match it
    /// already has.
    pub(crate) fn insert(
        &mut self,
        pattern: &[u8],
        is_prefix: bool,
        found: Match,
    ) -> Result<(), Match> {
        let slot = self.slot(pattern, is_prefix);
        match *slot {
            Some(Answer::Found(existing)) if existing.class != found.class => Err(existing),
            Some(_) => Ok(()),
            None => {
                *slot = Some(Answer::Found(found));
                Ok(())
            }
        }
    }

    /// Adds `pattern` for `answer` unless the slot is taken: the first
    /// pattern stays. For the known cookies, which go in after the policy's
    /// own patterns and must never replace one.
    pub(crate) fn insert_if_vacant(&mut self, pattern: &[u8], is_prefix: bool, answer: Answer) {
        self.slot(pattern, is_prefix).get_or_insert(answer);
    }

    /// Whether the patterns inserted so far already answer for `pattern`,
    /// and for every name it matches when it is a prefix.
    ///
    /// An exact name is covered when any pattern matches it. A prefix is
    /// covered only by a prefix that is no longer than it: a longer pattern,
    /// or an exact name, covers some of its names but beats it on those
    /// anyway, while a shorter prefix would lose every name to it.
    pub(crate) fn covers(&self, pattern: &[u8], is_prefix: bool) -> bool {
        let mut at = 0;
        let mut rest = pattern;
        loop {
            let node = &self.nodes[at];
            if node.prefix.is_some() {
                return true;
            }
            let Some((byte, tail)) = rest.split_first() else {
                return !is_prefix && node.exact.is_some();
            };
            match node.children.get(byte) {
                Some(&child) => at = child,
                None => return false,
            }
            rest = tail;
        }
    }

    /// The slot of `pattern`, creating the nodes on its way.
    fn slot(&mut self, pattern: &[u8], is_prefix: bool) -> &mut Option<Answer> {
        let mut at = 0;
        for &byte in pattern {
            at = match self.nodes[at].children.get(&byte) {
                Some(&child) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(BuildNode::default());
                    self.nodes[at].children.insert(byte, child);
                    child
                }
            };
        }
        let node = &mut self.nodes[at];
        if is_prefix {
            &mut node.prefix
        } else {
            &mut node.exact
        }
    }

    /// Splits the patterns into the table of exact names and the trie of
    /// prefixes.
    pub(crate) fn build(self) -> Matcher {
        Matcher {
            exact: ExactNames::build(&self.exact_names()),
            prefixes: self.prefixes(),
        }
    }

    /// Every exact name with its answer.
    fn exact_names(&self) -> Vec<(Vec<u8>, Option<Match>)> {
        self.patterns(false, usize::MAX).unwrap_or_default()
    }

    /// Every pattern of one kind with its answer, depth first: the exact
    /// names, or the prefixes but the empty one. `None` once there are more
    /// than `limit`. Iterative on purpose: a name may be thousands of bytes
    /// long.
    fn patterns(&self, prefixes: bool, limit: usize) -> Option<Vec<(Vec<u8>, Option<Match>)>> {
        let mut found = Vec::new();
        let mut path = Vec::new();
        // (node, length of its name, the byte that leads to it)
        let mut stack = vec![(0usize, 0usize, 0u8)];
        while let Some((at, depth, byte)) = stack.pop() {
            path.truncate(depth.saturating_sub(1));
            if depth > 0 {
                path.push(byte);
            }
            let node = &self.nodes[at];
            let answer = if prefixes {
                node.prefix.filter(|_| depth > 0)
            } else {
                node.exact
            };
            if let Some(answer) = answer {
                if found.len() == limit {
                    return None;
                }
                found.push((path.clone(), answer.get()));
            }
            for (&byte, &child) in &node.children {
                stack.push((child, depth + 1, byte));
            }
        }
        Some(found)
    }

    /// The trie of the prefixes, chains of single-child nodes compressed
    /// into labels, branches without a prefix left out.
    fn prefixes(&self) -> Prefixes {
        // Whether a node's subtree holds a prefix; children come after
        // their parent, so one backward pass sees them first.
        let mut holds_prefix = vec![false; self.nodes.len()];
        for (at, node) in self.nodes.iter().enumerate().rev() {
            holds_prefix[at] =
                node.prefix.is_some() || node.children.values().any(|&child| holds_prefix[child]);
        }
        let holds_prefix = &holds_prefix;
        let relevant = |at: usize| {
            self.nodes[at]
                .children
                .iter()
                .filter(move |&(_, &child)| holds_prefix[child])
        };
        let mut nodes: Vec<Node> = Vec::new();
        let mut first = Vec::new();
        let mut tails = Vec::new();
        let mut root = Box::new([NO_NODE; 256]);
        let mut label = Vec::new();
        // (index in `nodes`, or none for the root; index in `self.nodes`),
        // breadth first, so the children of one node end up side by side.
        // Iterative on purpose: a prefix may be thousands of bytes long.
        let mut queue = VecDeque::from([(None, 0usize)]);
        while let Some((out, build)) = queue.pop_front() {
            let children_start = nodes.len();
            for (&byte, &child) in relevant(build) {
                label.clear();
                label.push(byte);
                let mut end = child;
                while self.nodes[end].prefix.is_none() {
                    let mut next = relevant(end);
                    let (Some((&next_byte, &next)), None) = (next.next(), next.next()) else {
                        break;
                    };
                    label.push(next_byte);
                    end = next;
                }
                if out.is_none() {
                    root[usize::from(byte)] = to_u32(nodes.len());
                }
                queue.push_back((Some(nodes.len()), end));
                first.push(byte);
                let (head, head_shift) = head_of(&label);
                nodes.push(Node {
                    head,
                    head_shift,
                    label_len: to_u32(label.len()),
                    tail_start: to_u32(tails.len()),
                    children_start: 0,
                    children_len: 0,
                    prefix: self.nodes[end].prefix.map(Answer::get),
                });
                tails.extend_from_slice(label.get(8..).unwrap_or_default());
            }
            if let Some(out) = out {
                let children_len = to_u32(nodes.len() - children_start);
                nodes[out].children_start = to_u32(children_start);
                nodes[out].children_len = children_len;
            }
        }
        let few = self.few_prefixes(&mut tails);
        Prefixes {
            empty: self.nodes[0].prefix.and_then(Answer::get),
            root,
            nodes: nodes.into_boxed_slice(),
            first: first.into_boxed_slice(),
            tails: tails.into_boxed_slice(),
            few,
        }
    }

    /// The prefixes as a list, longest first, if there are at most
    /// [`FEW_PREFIXES`] (the empty prefix apart); their bytes past the
    /// eighth are added to `tails`.
    fn few_prefixes(&self, tails: &mut Vec<u8>) -> Option<Box<[FewPrefix]>> {
        let mut prefixes = self.patterns(true, FEW_PREFIXES)?;
        prefixes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        let few = prefixes.iter().map(|(prefix, answer)| {
            let (head, head_shift) = head_of(prefix);
            let tail_start = to_u32(tails.len());
            tails.extend_from_slice(prefix.get(8..).unwrap_or_default());
            FewPrefix {
                head,
                head_shift,
                len: to_u32(prefix.len()),
                tail_start,
                answer: *answer,
            }
        });
        Some(few.collect())
    }
}

/// A label's first bytes, up to eight, as a little-endian word, and the
/// shift that keeps only those bytes of a word (see [`Node::head_shift`]).
fn head_of(label: &[u8]) -> (u64, u32) {
    let head = &label[..label.len().min(8)];
    let mut bytes = [0; 8];
    bytes[..head.len()].copy_from_slice(head);
    (u64::from_le_bytes(bytes), 64 - 8 * to_u32(head.len()))
}

fn to_u32(n: usize) -> u32 {
    // A policy large enough to overflow this could not be built in memory
    // anyway; names are capped at 4096 bytes each.
    u32::try_from(n).expect("policy too large")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn starts_with_compares_every_byte() {
        let name: Vec<u8> = (0u8..40).map(|b| b'a' + b % 26).collect();
        for len in 0..=name.len() {
            let label = &name[..len];
            assert!(starts_with(&name, label), "{len}");
            assert!(!starts_with(&name[..len.saturating_sub(1)], label) || len == 0);
            for at in 0..len {
                let mut other = label.to_vec();
                other[at] ^= 0x20;
                assert!(!starts_with(&name, &other), "{len} {at}");
            }
        }
    }

    fn at(class: Class, entry: u32) -> Match {
        Match {
            class,
            entry: EntryId(entry),
        }
    }

    /// A matcher whose entry ids are the patterns' positions.
    fn matcher(patterns: &[(&str, Class)]) -> Matcher {
        let mut builder = MatcherBuilder::new();
        for (id, (pattern, class)) in patterns.iter().enumerate() {
            let (name, is_prefix) = match pattern.strip_suffix('*') {
                Some(name) => (name, true),
                None => (*pattern, false),
            };
            builder
                .insert(name.as_bytes(), is_prefix, at(*class, id as u32))
                .unwrap();
        }
        builder.build()
    }

    fn class(m: &Matcher, name: &[u8]) -> Option<Class> {
        m.classify(name).map(|found| found.class)
    }

    #[test]
    fn exact_beats_prefix_and_longer_prefix_beats_shorter() {
        let m = matcher(&[
            ("_pk*", Class::Category(0)),
            ("_pk_id*", Class::Category(1)),
            ("_pk_id", Class::Necessary),
            ("sessionid", Class::Necessary),
        ]);
        assert_eq!(class(&m, b"_pk_id"), Some(Class::Necessary));
        assert_eq!(class(&m, b"_pk_id.1.abc"), Some(Class::Category(1)));
        // The entry that decided is the one the name matched.
        assert_eq!(m.classify(b"_pk_id.1.abc").unwrap().entry, EntryId(1));
        assert_eq!(m.classify(b"_pk_id").unwrap().entry, EntryId(2));
        assert_eq!(m.classify(b"_pk_i").unwrap().entry, EntryId(0));
        assert_eq!(class(&m, b"_pk_i"), Some(Class::Category(0)));
        assert_eq!(class(&m, b"_pk"), Some(Class::Category(0)));
        assert_eq!(class(&m, b"_p"), None);
        assert_eq!(class(&m, b"sessionid"), Some(Class::Necessary));
        assert_eq!(class(&m, b"sessionid2"), None);
        assert_eq!(class(&m, b"session"), None);
        assert_eq!(class(&m, b"SESSIONID"), None);
        assert_eq!(class(&m, b""), None);
    }

    #[test]
    fn empty_prefix_is_never_built_but_root_prefix_works() {
        let m = matcher(&[("a*", Class::Category(3))]);
        assert_eq!(class(&m, b"a"), Some(Class::Category(3)));
        assert_eq!(class(&m, b"ab\xff"), Some(Class::Category(3)));
        assert_eq!(class(&m, b"b"), None);
    }

    #[test]
    fn conflicting_classes_are_reported() {
        let mut builder = MatcherBuilder::new();
        builder
            .insert(b"x", false, at(Class::Category(0), 0))
            .unwrap();
        builder
            .insert(b"x", false, at(Class::Category(0), 1))
            .unwrap();
        builder
            .insert(b"x", true, at(Class::Category(1), 2))
            .unwrap();
        assert_eq!(
            builder.insert(b"x", false, at(Class::Category(2), 3)),
            Err(at(Class::Category(0), 0))
        );
        // The first entry of a harmless duplicate stays.
        assert_eq!(
            builder.build().classify(b"x"),
            Some(at(Class::Category(0), 0))
        );
    }

    #[test]
    fn an_unknown_answer_beats_a_shorter_pattern_and_answers_none() {
        let mut builder = MatcherBuilder::new();
        builder
            .insert(b"_s", true, at(Class::Category(0), 0))
            .unwrap();
        builder.insert_if_vacant(b"_shop", false, Answer::Unknown);
        builder.insert_if_vacant(b"_sh", true, Answer::Unknown);
        // A vacant slot only: the policy's pattern stays.
        builder.insert_if_vacant(b"_s", true, Answer::Unknown);
        let m = builder.build();
        assert_eq!(class(&m, b"_s"), Some(Class::Category(0)));
        assert_eq!(class(&m, b"_sa"), Some(Class::Category(0)));
        assert_eq!(class(&m, b"_shop"), None);
        assert_eq!(class(&m, b"_shopping"), None);
        assert_eq!(class(&m, b"_sh"), None);
    }

    #[test]
    fn covers_only_what_a_pattern_would_lose() {
        let mut builder = MatcherBuilder::new();
        for (pattern, is_prefix) in [("_ga", true), ("sessionid", false), ("_pk_id.", true)] {
            builder
                .insert(pattern.as_bytes(), is_prefix, at(Class::Necessary, 0))
                .unwrap();
        }
        // Under a prefix, or the same exact name.
        assert!(builder.covers(b"_ga", false));
        assert!(builder.covers(b"_ga", true));
        assert!(builder.covers(b"_gax", true));
        assert!(builder.covers(b"_ga_", false));
        assert!(builder.covers(b"sessionid", false));
        // A prefix shorter than a policy pattern, or a prefix that is an
        // exact name of the policy: the policy's pattern beats it where they
        // overlap, so it is not covered.
        assert!(!builder.covers(b"_g", true));
        assert!(!builder.covers(b"_pk_id", true));
        assert!(!builder.covers(b"_pk_id", false));
        assert!(!builder.covers(b"sessionid", true));
        assert!(!builder.covers(b"session", true));
        assert!(!builder.covers(b"sessionid2", false));
    }

    #[test]
    fn many_names() {
        let names: Vec<String> = (0..5000)
            .map(|i| format!("c{i}_{}", i * 7919 % 1000))
            .collect();
        let mut builder = MatcherBuilder::new();
        for (i, name) in names.iter().enumerate() {
            let found = at(Class::Category((i % 60) as u8), i as u32);
            builder.insert(name.as_bytes(), i % 2 == 0, found).unwrap();
        }
        let m = builder.build();
        for (i, name) in names.iter().enumerate() {
            let found = at(Class::Category((i % 60) as u8), i as u32);
            assert_eq!(m.classify(name.as_bytes()), Some(found));
        }
    }

    /// The longest probe sequence of the table, for the quality tests.
    fn max_probes(m: &Matcher) -> usize {
        m.exact.max_probes
    }

    #[test]
    fn same_bytes_compares_every_byte() {
        let name: Vec<u8> = (0u8..40).map(|b| b'a' + b % 26).collect();
        for len in 0..=name.len() {
            let key = &name[..len];
            assert!(same_bytes(key, key), "{len}");
            assert!(!same_bytes(key, &name[..len.saturating_sub(1)]) || len == 0);
            for at in 0..len {
                let mut other = key.to_vec();
                other[at] ^= 0x80;
                assert!(!same_bytes(key, &other), "{len} {at}");
            }
        }
    }

    #[test]
    fn known_database_and_many_names_probe_a_few_slots() {
        let mut builder = MatcherBuilder::new();
        let mut names = Vec::new();
        for (id, row) in crate::known::rows() {
            let found = at(Class::Category(1), u32::from(id));
            builder.insert_if_vacant(row.name().as_bytes(), row.is_prefix(), Answer::Found(found));
            names.push((row.name().as_bytes().to_vec(), row.is_prefix()));
        }
        // Many names of the same length and shape: the hash must still
        // spread them.
        for i in 0..20_000u32 {
            let name = format!("c{i:07}").into_bytes();
            builder
                .insert(&name, false, at(Class::Category(2), i))
                .unwrap();
            names.push((name, false));
        }
        let m = builder.build();
        assert!(max_probes(&m) > 1, "no collision to test");
        // As for keys placed at random: about 12 to 17 for this many.
        assert!(max_probes(&m) <= 32, "{}", max_probes(&m));
        for (name, is_prefix) in &names {
            assert!(m.classify(name).is_some(), "{name:?}");
            if *is_prefix {
                let mut longer = name.clone();
                longer.extend_from_slice(b"\xff\x00x");
                assert!(m.classify(&longer).is_some(), "{longer:?}");
            }
        }
        assert_eq!(m.classify(b"c9999999"), None);
        assert_eq!(m.classify(b"c0000000\0"), None);
    }

    #[test]
    fn colliding_hashes_are_told_apart_by_the_name_within_the_bound() {
        // Three names laid out as if their hashes were equal: the same home
        // slot and the same words, the one looked up last in the run.
        let names: Vec<Vec<u8>> = [b"aaaa", b"aaab", b"aaac"]
            .iter()
            .map(|head| [&head[..], b"0123456789abcdef"].concat())
            .collect();
        let wanted = &names[2];
        let key = Key::of(wanted);
        let home = key.hash as usize & 7;
        // Eight home slots, and room for a run of three from the last.
        let mut slots = vec![Slot::EMPTY; 10];
        for i in 0..3 {
            // The same last 16 bytes: the same words, told apart by the
            // bytes before them.
            slots[home + i] = Slot {
                a: key.a,
                b: key.b,
                key_len: 20,
                key_start: 20 * i as u32,
                answer: Some(at(Class::Category(0), i as u32)),
            };
        }
        let mut table = ExactNames {
            slots: slots.into_boxed_slice(),
            mask: 7,
            keys: names.concat().into_boxed_slice(),
            max_probes: 3,
        };
        assert_eq!(table.get(wanted), Some(Some(at(Class::Category(0), 2))));
        assert_eq!(table.get(&names[2][..19]), None);
        // The bound is kept even where the run goes on.
        table.max_probes = 2;
        assert_eq!(table.get(wanted), None);
    }

    #[test]
    fn long_names_and_odd_bytes() {
        let long: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
        let patterns: [(&[u8], bool, Match); 5] = [
            (&long, false, at(Class::Necessary, 0)),
            (&long[..3000], true, at(Class::Category(0), 1)),
            (b"\xff", true, at(Class::Category(1), 2)),
            (b"\xff\xff", false, at(Class::Category(2), 3)),
            (b"\0", false, at(Class::Category(3), 4)),
        ];
        let mut builder = MatcherBuilder::new();
        for (pattern, is_prefix, found) in patterns {
            builder.insert(pattern, is_prefix, found).unwrap();
        }
        let m = builder.build();
        assert_eq!(m.classify(&long), Some(at(Class::Necessary, 0)));
        let mut other = long.clone();
        *other.last_mut().unwrap() ^= 1;
        assert_eq!(m.classify(&other), Some(at(Class::Category(0), 1)));
        other[2999] ^= 1;
        assert_eq!(m.classify(&other), None);
        assert_eq!(m.classify(&long[..2999]), None);
        let longer: Vec<u8> = long.iter().chain(&long).copied().collect();
        assert_eq!(m.classify(&longer), Some(at(Class::Category(0), 1)));
        assert_eq!(m.classify(b"\xff"), Some(at(Class::Category(1), 2)));
        assert_eq!(m.classify(b"\xff\xff"), Some(at(Class::Category(2), 3)));
        assert_eq!(m.classify(b"\xff\xff\xff"), Some(at(Class::Category(1), 2)));
        assert_eq!(m.classify(b"\0"), Some(at(Class::Category(3), 4)));
        assert_eq!(m.classify(b"\0\0"), None);
        assert_eq!(m.classify(b""), None);
        assert_eq!(m.classify(&[0xfe; 10_000]), None);
    }

    #[test]
    fn an_empty_prefix_matches_every_name_and_an_empty_name_only_itself() {
        let m = matcher(&[("*", Class::Category(0)), ("ab*", Class::Category(1))]);
        assert_eq!(class(&m, b""), Some(Class::Category(0)));
        assert_eq!(class(&m, b"a"), Some(Class::Category(0)));
        assert_eq!(class(&m, b"abc"), Some(Class::Category(1)));
        let m = matcher(&[("", Class::Necessary)]);
        assert_eq!(class(&m, b""), Some(Class::Necessary));
        assert_eq!(class(&m, b"a"), None);
        assert_eq!(class(&MatcherBuilder::new().build(), b""), None);
        assert_eq!(class(&MatcherBuilder::new().build(), b"a"), None);
    }

    /// One pattern of a generated policy, inserted in order.
    #[derive(Debug, Clone)]
    struct Pattern {
        bytes: Vec<u8>,
        is_prefix: bool,
        /// `None` for [`Answer::Unknown`].
        class: Option<Class>,
        /// Through [`MatcherBuilder::insert_if_vacant`] rather than
        /// [`MatcherBuilder::insert`].
        if_vacant: bool,
    }

    /// What the matcher must answer, by brute force over the patterns that
    /// went in: the exact name, else the longest prefix.
    fn reference(kept: &[(Vec<u8>, bool, Answer)], name: &[u8]) -> Option<Match> {
        let exact = kept
            .iter()
            .find(|(bytes, is_prefix, _)| !is_prefix && bytes == name);
        let best = exact.or_else(|| {
            kept.iter()
                .filter(|(bytes, is_prefix, _)| *is_prefix && name.starts_with(bytes))
                .max_by_key(|(bytes, _, _)| bytes.len())
        });
        match best {
            Some((_, _, Answer::Found(found))) => Some(*found),
            _ => None,
        }
    }

    /// Inserts `patterns` into a builder and into the reference's list,
    /// with the builder's rules: the first pattern of a slot stays, and
    /// `insert` refuses another class.
    fn build_both(patterns: &[Pattern]) -> (Matcher, Vec<(Vec<u8>, bool, Answer)>) {
        let mut builder = MatcherBuilder::new();
        let mut kept: Vec<(Vec<u8>, bool, Answer)> = Vec::new();
        for (id, pattern) in patterns.iter().enumerate() {
            let answer = match pattern.class {
                Some(class) => Answer::Found(at(class, id as u32)),
                None => Answer::Unknown,
            };
            let existing = kept
                .iter()
                .find(|(bytes, is_prefix, _)| {
                    *bytes == pattern.bytes && *is_prefix == pattern.is_prefix
                })
                .map(|(_, _, answer)| *answer);
            match (pattern.if_vacant, answer) {
                (false, Answer::Found(found)) => {
                    let result = builder.insert(&pattern.bytes, pattern.is_prefix, found);
                    match existing {
                        Some(Answer::Found(first)) if first.class != found.class => {
                            assert_eq!(result, Err(first));
                        }
                        _ => assert_eq!(result, Ok(())),
                    }
                }
                _ => builder.insert_if_vacant(&pattern.bytes, pattern.is_prefix, answer),
            }
            let refused = matches!(
                (pattern.if_vacant, existing, answer),
                (false, Some(Answer::Found(first)), Answer::Found(found)) if first.class != found.class
            );
            if existing.is_none() && !refused {
                kept.push((pattern.bytes.clone(), pattern.is_prefix, answer));
            }
        }
        (builder.build(), kept)
    }

    /// Bytes from a tiny alphabet, so that patterns and names collide.
    fn bytes(max_len: usize) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop::sample::select(vec![b'a', b'b', b'_', 0, 0xff]),
            0..max_len,
        )
    }

    fn pattern() -> impl Strategy<Value = Pattern> {
        let class = prop_oneof![
            Just(None),
            Just(Some(Class::Consent)),
            Just(Some(Class::Necessary)),
            (0u8..4).prop_map(|i| Some(Class::Category(i))),
        ];
        (bytes(7), any::<bool>(), class, any::<bool>()).prop_map(
            |(bytes, is_prefix, class, if_vacant)| Pattern {
                bytes,
                is_prefix,
                class,
                if_vacant,
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn the_short_list_and_the_trie_answer_alike(
            patterns in prop::collection::vec((bytes(20), any::<bool>()), 0..FEW_PREFIXES),
            names in prop::collection::vec(bytes(24), 0..20),
        ) {
            // The same patterns, once as they are (at most `FEW_PREFIXES`
            // prefixes: the short list) and once with prefixes of a byte
            // the names never hold added (too many: the trie).
            let build = |fillers: usize| {
                let mut builder = MatcherBuilder::new();
                for (id, (bytes, is_prefix)) in patterns.iter().enumerate() {
                    let class = Class::Category((id % 4) as u8);
                    builder.insert_if_vacant(bytes, *is_prefix, Answer::Found(at(class, id as u32)));
                }
                for filler in 0..fillers {
                    let pattern = [b'z', filler as u8];
                    builder.insert_if_vacant(&pattern, true, Answer::Unknown);
                }
                builder.build()
            };
            let (few, trie) = (build(0), build(FEW_PREFIXES + 1));
            prop_assert!(few.prefixes.few.is_some());
            prop_assert!(trie.prefixes.few.is_none());
            let mut queries = names;
            for (bytes, _) in &patterns {
                queries.push(bytes.clone());
                queries.push([bytes.as_slice(), b"a_\xff"].concat());
                queries.push(bytes[..bytes.len().saturating_sub(1)].to_vec());
            }
            for name in &queries {
                prop_assert_eq!(few.classify(name), trie.classify(name), "{:?}", name);
            }
        }

        #[test]
        fn matches_a_brute_force_longest_match(
            patterns in prop::collection::vec(pattern(), 0..40),
            names in prop::collection::vec(bytes(10), 0..40),
            tail in bytes(4),
        ) {
            let (m, kept) = build_both(&patterns);
            let mut queries = names;
            for pattern in &patterns {
                let bytes = &pattern.bytes;
                queries.push(bytes.clone());
                queries.push(bytes[..bytes.len().saturating_sub(1)].to_vec());
                queries.push([bytes.as_slice(), &tail].concat());
                // Long names walk the same paths.
                queries.push([bytes.as_slice(), &[b'a'; 3000]].concat());
            }
            for name in &queries {
                prop_assert_eq!(m.classify(name), reference(&kept, name), "{:?}", name);
            }
        }

        #[test]
        fn same_length_names_are_all_found(
            names in prop::collection::btree_set(prop::collection::vec(any::<u8>(), 9), 0..300),
            missing in prop::collection::vec(any::<u8>(), 9),
        ) {
            let mut builder = MatcherBuilder::new();
            for (id, name) in names.iter().enumerate() {
                builder.insert(name, false, at(Class::Necessary, id as u32)).unwrap();
            }
            let m = builder.build();
            for (id, name) in names.iter().enumerate() {
                prop_assert_eq!(m.classify(name), Some(at(Class::Necessary, id as u32)));
            }
            prop_assert_eq!(m.classify(&missing).is_some(), names.contains(&missing));
        }
    }
}
