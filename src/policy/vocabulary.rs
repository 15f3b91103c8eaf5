//! A banner's own names for things (a OneTrust group id, a TCF purpose, a
//! Klaro service) and the policy categories they grant: the aliases, then
//! the category of the same name.
//!
//! Built once by the builder into a sorted slice, so that a lookup on the
//! request path is a binary search that neither allocates nor lowercases
//! into a buffer.

use std::cmp::Ordering;

use super::categories::Categories;

/// The longest alias: readers skip longer names, so a longer alias could
/// never match.
pub(crate) const MAX_ALIAS_LEN: usize = 128;

/// The aliases of a policy, sorted by name, ASCII case-insensitively.
#[derive(Debug, Default)]
pub(crate) struct Vocabulary {
    aliases: Box<[Alias]>,
}

#[derive(Debug)]
struct Alias {
    name: Box<[u8]>,
    category: u8,
}

impl Vocabulary {
    /// `aliases` as (name, category index) pairs, checked by the builder:
    /// no two names equal ignoring ASCII case.
    pub(crate) fn new(aliases: Vec<(Box<[u8]>, u8)>) -> Self {
        let mut aliases: Vec<Alias> = aliases
            .into_iter()
            .map(|(name, category)| Alias { name, category })
            .collect();
        aliases.sort_by(|a, b| cmp_ignore_ascii_case(&a.name, &b.name));
        Self {
            aliases: aliases.into_boxed_slice(),
        }
    }

    /// The category a banner's `name` grants: its alias's, else the
    /// category of the same name (both ASCII case-insensitive).
    #[inline]
    pub(crate) fn category_of(&self, categories: &Categories, name: &[u8]) -> Option<usize> {
        if !self.aliases.is_empty() {
            if let Ok(at) = self
                .aliases
                .binary_search_by(|alias| cmp_ignore_ascii_case(&alias.name, name))
            {
                return Some(usize::from(self.aliases[at].category));
            }
        }
        categories.index_of(name)
    }

    /// The aliases, as (name, category index), sorted.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&[u8], usize)> {
        self.aliases
            .iter()
            .map(|alias| (&*alias.name, usize::from(alias.category)))
    }
}

/// Orders byte strings as their ASCII-lowercased forms would order.
pub(crate) fn cmp_ignore_ascii_case(a: &[u8], b: &[u8]) -> Ordering {
    a.iter()
        .map(u8::to_ascii_lowercase)
        .cmp(b.iter().map(u8::to_ascii_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_first_then_same_name() {
        let categories = Categories::new(vec!["statistics".into(), "marketing".into()]);
        let vocabulary = Vocabulary::new(vec![
            (b"C0002".to_vec().into(), 0),
            (b"purpose:1".to_vec().into(), 1),
            (b"Marketing".to_vec().into(), 0),
            (b"c0004".to_vec().into(), 1),
        ]);
        let of = |name: &[u8]| vocabulary.category_of(&categories, name);
        assert_eq!(of(b"C0002"), Some(0));
        assert_eq!(of(b"c0002"), Some(0));
        assert_eq!(of(b"C0004"), Some(1));
        assert_eq!(of(b"PURPOSE:1"), Some(1));
        assert_eq!(of(b"purpose:2"), None);
        // An alias named like a category wins over the category.
        assert_eq!(of(b"marketing"), Some(0));
        assert_eq!(of(b"STATISTICS"), Some(0));
        assert_eq!(of(b""), None);
        assert_eq!(of(b"C000"), None);
        assert_eq!(of(b"C00022"), None);
        let empty = Vocabulary::default();
        assert_eq!(empty.category_of(&categories, b"Marketing"), Some(1));
    }

    #[test]
    fn case_insensitive_order() {
        assert_eq!(cmp_ignore_ascii_case(b"ab", b"AB"), Ordering::Equal);
        assert_eq!(cmp_ignore_ascii_case(b"a", b"AB"), Ordering::Less);
        assert_eq!(cmp_ignore_ascii_case(b"_", b"a"), Ordering::Less);
        // `_` sorts between upper- and lowercase letters; lowercasing both
        // sides keeps the order consistent with equality.
        assert_eq!(cmp_ignore_ascii_case(b"Z", b"_"), Ordering::Greater);
    }
}
