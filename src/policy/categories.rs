//! Categories: their ids, the set a visitor granted, and the one lookup of a
//! category by name.

/// The most categories a policy can hold: a visitor's choice is kept as one
/// bit per category in a `u64`.
pub(crate) const MAX_CATEGORIES: usize = 64;

/// A set of granted categories: bit `i` is the policy's category `i`.
///
/// A policy has at most 64 categories, so the set is one `u64`: copying,
/// intersecting and testing it never allocates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Grants(u64);

impl Grants {
    /// Nothing granted but the necessary cookies.
    pub(crate) const NONE: Self = Self(0);

    /// The first `count` categories.
    pub(crate) const fn first(count: usize) -> Self {
        if count >= MAX_CATEGORIES {
            Self(u64::MAX)
        } else {
            Self((1 << count) - 1)
        }
    }

    pub(crate) const fn contains(self, index: usize) -> bool {
        index < MAX_CATEGORIES && self.0 & (1 << index) != 0
    }

    pub(crate) fn insert(&mut self, index: usize) {
        if index < MAX_CATEGORIES {
            self.0 |= 1 << index;
        }
    }

    pub(crate) fn remove(&mut self, index: usize) {
        if index < MAX_CATEGORIES {
            self.0 &= !(1 << index);
        }
    }

    pub(crate) const fn intersection(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    pub(crate) const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub(crate) const fn difference(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// The indexes in the set, in ascending order.
    pub(crate) fn iter(self) -> impl Iterator<Item = usize> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let index = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Some(index)
        })
    }
}

/// A category name as a reader holds it: plain bytes, or a JSON string
/// with its escapes still in place. Compared ASCII case-insensitively, as
/// every consent format compares category names.
pub(crate) trait CategoryName {
    /// Whether this name equals `declared`, ignoring ASCII case.
    fn matches(&self, declared: &[u8]) -> bool;
}

impl CategoryName for [u8] {
    #[inline]
    fn matches(&self, declared: &[u8]) -> bool {
        // Compares the lengths first, then a word at a time.
        crate::ascii::eq_ignore_case(self, declared)
    }
}

/// The declared categories, in declaration order. A category's index in
/// this list is its bit in [`Grants`].
#[derive(Debug)]
pub(crate) struct Categories {
    names: Box<[Box<str>]>,
}

impl Categories {
    pub(crate) fn new(names: Vec<Box<str>>) -> Self {
        Self {
            names: names.into_boxed_slice(),
        }
    }

    /// The index of the category called `name`, ASCII case-insensitively.
    /// The one lookup of a category by name: the consent readers, the
    /// policy's accessors and [`Consent::allows`](crate::Consent::allows)
    /// all go through it.
    #[inline]
    pub(crate) fn index_of<N: CategoryName + ?Sized>(&self, name: &N) -> Option<usize> {
        self.names
            .iter()
            .position(|declared| name.matches(declared.as_bytes()))
    }

    /// The name of category `index`.
    pub(crate) fn name(&self, index: usize) -> &str {
        &self.names[index]
    }

    /// How many categories there are.
    pub(crate) fn len(&self) -> usize {
        self.names.len()
    }

    /// Every category granted.
    pub(crate) fn all(&self) -> Grants {
        Grants::first(self.names.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_set_operations() {
        let mut g = Grants::NONE;
        g.insert(0);
        g.insert(63);
        g.insert(64);
        assert!(g.contains(0) && g.contains(63) && !g.contains(64) && !g.contains(1));
        assert_eq!(Grants::first(64), Grants(u64::MAX));
        assert_eq!(Grants::first(3), Grants(0b111));
        assert_eq!(g.iter().collect::<Vec<_>>(), [0, 63]);
        g.remove(0);
        assert!(!g.contains(0));
    }

    #[test]
    fn lookup_ignores_ascii_case_only() {
        let categories = Categories::new(vec!["statistics".into(), "Marketing".into()]);
        assert_eq!(categories.index_of(&b"STATISTICS"[..]), Some(0));
        assert_eq!(categories.index_of(&b"marketing"[..]), Some(1));
        assert_eq!(categories.index_of(&b"marketin"[..]), None);
        assert_eq!(categories.index_of(&b""[..]), None);
        assert_eq!(categories.all(), Grants(0b11));
    }
}
