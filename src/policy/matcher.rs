//! The cookie-name matcher: exact names and `prefix*` patterns in one
//! compressed byte trie, answering with the class of the name and the
//! policy entry that matched it. The policy's own patterns and the known
//! cookies of the embedded database share the trie.
//!
//! A lookup walks the name once, so it costs O(name length) whatever the
//! size of the policy and of the database: a policy of ten names and one of
//! ten thousand answer in the same time (see `benches/`). Exact names win
//! over prefixes, and a longer prefix over a shorter one. Names are bytes
//! and compare case-sensitively, as browsers store them.

use std::collections::BTreeMap;

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

/// The most entries a matcher can tell apart: a [`Match`] is packed into a
/// `u32` in the trie's nodes, the class in the low byte and the entry above.
const MAX_ENTRIES: u32 = 1 << 24;

/// A packed [`Answer`]: 0 is no pattern. Packing keeps a node at 24 bytes,
/// so more of the trie stays in cache on the hot path.
///
/// A class byte of 0 with a non-zero entry is [`Answer::Unknown`]: the
/// lookup takes it like any pattern (a longer pattern beats a shorter one),
/// and [`get`](Self::get) turns it into `None` with the test it already
/// makes for "no pattern", so the hot path pays nothing for it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Packed(u32);

impl Packed {
    const NONE: Self = Self(0);
    const UNKNOWN: Self = Self(1 << 8);

    fn new(found: Match) -> Self {
        let class = match found.class {
            Class::Consent => 1,
            Class::Necessary => 2,
            Class::Category(index) => 3 + u32::from(index),
        };
        assert!(found.entry.0 < MAX_ENTRIES, "policy too large");
        Self(found.entry.0 << 8 | class)
    }

    fn get(self) -> Option<Match> {
        let class = match self.0 & 0xff {
            // No pattern, or `Answer::Unknown`.
            0 => return None,
            1 => Class::Consent,
            2 => Class::Necessary,
            // At most 64 categories: the index fits.
            code => Class::Category((code - 3) as u8),
        };
        Some(Match {
            class,
            entry: EntryId(self.0 >> 8),
        })
    }
}

/// An immutable, compressed trie.
#[derive(Debug, Clone)]
pub(crate) struct Matcher {
    nodes: Box<[Node]>,
    /// The first byte of each node's label, indexed like `nodes`, so that
    /// finding a child is a search in a small contiguous byte slice.
    first: Box<[u8]>,
    labels: Box<[u8]>,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    label_start: u32,
    label_len: u32,
    children_start: u32,
    children_len: u32,
    exact: Packed,
    prefix: Packed,
}

impl Matcher {
    /// Classifies `name`, or `None` when the policy does not know it.
    pub(crate) fn classify(&self, name: &[u8]) -> Option<Match> {
        let mut node = self.nodes[0];
        let mut rest = name;
        let mut best = Packed::NONE;
        loop {
            if node.prefix != Packed::NONE {
                best = node.prefix;
            }
            let Some((&byte, _)) = rest.split_first() else {
                if node.exact != Packed::NONE {
                    best = node.exact;
                }
                return best.get();
            };
            let start = node.children_start as usize;
            let end = start + node.children_len as usize;
            let Some(children) = self.first.get(start..end) else {
                return best.get();
            };
            // Most nodes have a handful of children: a linear scan beats a
            // binary search there.
            let offset = if children.len() <= 8 {
                children.iter().position(|&b| b == byte)
            } else {
                children.binary_search(&byte).ok()
            };
            let Some(&child) = offset.and_then(|offset| self.nodes.get(start + offset)) else {
                return best.get();
            };
            let label_start = child.label_start as usize;
            let label_end = label_start + child.label_len as usize;
            let Some(label) = self.labels.get(label_start..label_end) else {
                return best.get();
            };
            // Patterns only end on node boundaries, so a name that leaves a
            // label half-way matches nothing deeper.
            if !starts_with(rest, label) {
                return best.get();
            }
            rest = &rest[label.len()..];
            node = child;
        }
    }
}

/// Whether `name` starts with `label`. Labels are short, so a call to
/// `memcmp` costs more than the comparison: short labels are compared byte
/// by byte, longer ones eight bytes at a time (the last word overlapping),
/// which matters because every cookie of every request is classified.
#[inline]
fn starts_with(name: &[u8], label: &[u8]) -> bool {
    let Some(head) = name.get(..label.len()) else {
        return false;
    };
    if label.len() < 8 {
        return head.iter().zip(label).all(|(a, b)| a == b);
    }
    let word = |bytes: &[u8], at: usize| {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[at..at + 8]);
        u64::from_ne_bytes(word)
    };
    let last = label.len() - 8;
    let mut at = 0;
    while at < last {
        if word(head, at) != word(label, at) {
            return false;
        }
        at += 8;
    }
    word(head, last) == word(label, last)
}

/// Collects patterns, then freezes them into a [`Matcher`].
#[derive(Debug)]
pub(crate) struct MatcherBuilder {
    nodes: Vec<BuildNode>,
}

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

    /// Compresses chains of single-child nodes into labels.
    pub(crate) fn build(self) -> Matcher {
        let mut nodes = vec![Node {
            label_start: 0,
            label_len: 0,
            children_start: 0,
            children_len: 0,
            exact: pack(self.nodes[0].exact),
            prefix: pack(self.nodes[0].prefix),
        }];
        let mut first = vec![0u8];
        let mut labels = Vec::new();
        // (index in `nodes`, index in `self.nodes`), breadth first, so the
        // children of one node end up side by side. Iterative on purpose:
        // a name may be thousands of bytes long.
        let mut queue = std::collections::VecDeque::from([(0usize, 0usize)]);
        while let Some((out, build)) = queue.pop_front() {
            let children_start = nodes.len();
            for (&byte, &child) in &self.nodes[build].children {
                let label_start = labels.len();
                labels.push(byte);
                let mut end = child;
                loop {
                    let node = &self.nodes[end];
                    if node.exact.is_some() || node.prefix.is_some() || node.children.len() != 1 {
                        break;
                    }
                    let (&next_byte, &next) = node.children.iter().next().expect("one child");
                    labels.push(next_byte);
                    end = next;
                }
                queue.push_back((nodes.len(), end));
                first.push(byte);
                nodes.push(Node {
                    label_start: to_u32(label_start),
                    label_len: to_u32(labels.len() - label_start),
                    children_start: 0,
                    children_len: 0,
                    exact: pack(self.nodes[end].exact),
                    prefix: pack(self.nodes[end].prefix),
                });
            }
            nodes[out].children_start = to_u32(children_start);
            nodes[out].children_len = to_u32(nodes.len() - children_start);
        }
        Matcher {
            nodes: nodes.into_boxed_slice(),
            first: first.into_boxed_slice(),
            labels: labels.into_boxed_slice(),
        }
    }
}

fn pack(answer: Option<Answer>) -> Packed {
    match answer {
        None => Packed::NONE,
        Some(Answer::Found(found)) => Packed::new(found),
        Some(Answer::Unknown) => Packed::UNKNOWN,
    }
}

fn to_u32(n: usize) -> u32 {
    // A policy large enough to overflow this could not be built in memory
    // anyway; names are capped at 4096 bytes each.
    u32::try_from(n).expect("policy too large")
}

#[cfg(test)]
mod tests {
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
}
