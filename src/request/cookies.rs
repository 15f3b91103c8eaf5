//! The request's cookies as the layer judges them: one pass that finds
//! what must be hidden from the application and what a response may have
//! to delete, and the rewrite of the `Cookie` headers that hides them.

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use smallvec::SmallVec;

use crate::ascii;
use crate::policy::{Class, Grants, Policy, UnknownCookies};

/// How many `Cookie` header values the scan keeps for a later purge
/// without touching the heap. HTTP/1.1 sends one `Cookie` header, so one
/// slot would do there; HTTP/2 may send one field per cookie (RFC 9113
/// section 8.2.3), and a request with more than this many category cookies
/// in separate fields pays one allocation.
const INLINE_VALUES: usize = 4;

/// What the request's cookies hold, read once when the request arrives.
#[derive(Debug, Clone, Default)]
pub(crate) struct CookieScan {
    /// The categories of the cookies the request carried.
    carried: Grants,
    /// Bit `i`: the `i`-th pair of the request (counted across its `Cookie`
    /// headers, in order) must be hidden from the application. Pairs past
    /// the 64th are judged again by the rewrite.
    hidden: u64,
    /// Whether a pair past the 64th must be hidden.
    hidden_late: bool,
    /// The `Cookie` header values that hold a cookie of a category, kept
    /// for the response: when the response sets the consent cookie, its
    /// new value may withdraw a category the request granted, and the
    /// names to delete are only in the request. A clone of a header value
    /// shares its bytes (a reference count), it does not copy them.
    values: SmallVec<[HeaderValue; INLINE_VALUES]>,
}

impl CookieScan {
    /// Classifies every cookie of the request once. `granted` is what the
    /// request's consent grants (`Sec-GPC` applied).
    pub(crate) fn new(policy: &Policy, headers: &HeaderMap, granted: Grants) -> Self {
        let settings = policy.revocation();
        let mut scan = Self::default();
        if !(settings.purge || settings.strip_request_cookies) {
            return scan;
        }
        let hide_unknown =
            settings.strip_request_cookies && policy.unknown_cookies() == UnknownCookies::Strip;
        let hide_withheld = settings.strip_request_cookies;
        let mut index = 0usize;
        for value in headers.get_all(COOKIE) {
            let mut holds_category = false;
            for pair in header_pairs(value.as_bytes()) {
                let hide = match policy.classify(pair.name).map(|found| found.class) {
                    Some(Class::Category(category)) => {
                        let category = usize::from(category);
                        scan.carried.insert(category);
                        holds_category = true;
                        hide_withheld && !granted.contains(category)
                    }
                    Some(Class::Consent | Class::Necessary) => false,
                    None => hide_unknown,
                };
                if hide {
                    match index {
                        0..64 => scan.hidden |= 1 << index,
                        _ => scan.hidden_late = true,
                    }
                }
                index += 1;
            }
            if holds_category && settings.purge {
                scan.values.push(value.clone());
            }
        }
        scan
    }

    /// Whether the rewrite of the `Cookie` headers has anything to remove.
    pub(crate) fn hides_any(&self) -> bool {
        self.hidden != 0 || self.hidden_late
    }

    /// Whether the request carried a cookie of a category that `granted`
    /// leaves out: the one test a response pays when there is nothing to
    /// purge.
    pub(crate) fn carries_outside(&self, granted: Grants) -> bool {
        self.carried.difference(granted) != Grants::NONE
    }

    /// The `Cookie` header values that hold a cookie of a category.
    pub(crate) fn values(&self) -> &[HeaderValue] {
        &self.values
    }

    /// Removes from the `Cookie` headers (the ones this scan read) every
    /// pair it found hidden, keeping the other pairs' bytes and order. A
    /// header without a hidden pair is put back as it was (its bytes are
    /// shared, not copied), and one whose every pair is hidden is removed.
    /// Only called when something is hidden: it allocates.
    pub(crate) fn rewrite(&self, headers: &mut HeaderMap, policy: &Policy, granted: Grants) {
        let values: SmallVec<[HeaderValue; INLINE_VALUES]> =
            headers.get_all(COOKIE).iter().cloned().collect();
        headers.remove(COOKIE);
        let mut first = 0usize;
        for value in values {
            let bytes = value.as_bytes();
            let count = header_pairs(bytes).count();
            // The pairs of this header, judged: from the bitmap for the
            // first 64, again for the rest.
            let start = first;
            first += count;
            let hide = move |offset: usize, name: &[u8]| match start + offset {
                index @ 0..64 => self.hidden & (1 << index) != 0,
                _ => hidden(policy, granted, name),
            };
            if !header_pairs(bytes)
                .enumerate()
                .any(|(offset, pair)| hide(offset, pair.name))
            {
                headers.append(COOKIE, value);
                continue;
            }
            #[cfg(feature = "tracing")]
            for pair in header_pairs(bytes)
                .enumerate()
                .filter(|&(offset, pair)| hide(offset, pair.name))
                .map(|(_, pair)| pair)
            {
                crate::trace::debug_event!(
                    cookie = %crate::trace::Bytes(pair.name),
                    category = crate::trace::category(policy, pair.name),
                    reason = crate::trace::reason(policy, pair.name),
                    "hid a request cookie from the application"
                );
            }
            // A byte a header value cannot hold only comes from an upstream
            // that skipped validation; such a pair is dropped rather than
            // let it make the whole header invalid.
            let kept = header_pairs(bytes)
                .enumerate()
                .filter(|&(offset, pair)| {
                    !hide(offset, pair.name) && pair.raw.iter().all(|&b| is_value_byte(b))
                })
                .map(|(_, pair)| pair.raw);
            // The exact length first, so that the header value takes the
            // buffer as it is instead of allocating again.
            let len = kept.clone().map(|raw| raw.len() + 2).sum::<usize>();
            if len == 0 {
                continue;
            }
            let mut joined = Vec::with_capacity(len - 2);
            for raw in kept {
                if !joined.is_empty() {
                    joined.extend_from_slice(b"; ");
                }
                joined.extend_from_slice(raw);
            }
            if let Ok(value) = HeaderValue::try_from(joined) {
                headers.append(COOKIE, value);
            }
        }
    }
}

/// Whether the application must not see the request cookie `name`: one of
/// a category `granted` leaves out, or a name the policy does not list
/// when it strips unknown cookies. Never the consent cookie nor a necessary
/// cookie. The scan's judgement, for the pairs past its bitmap.
fn hidden(policy: &Policy, granted: Grants, name: &[u8]) -> bool {
    match policy.classify(name).map(|found| found.class) {
        Some(Class::Category(index)) => !granted.contains(usize::from(index)),
        Some(Class::Consent | Class::Necessary) => false,
        None => policy.unknown_cookies() == UnknownCookies::Strip,
    }
}

/// A byte `HeaderValue::from_bytes` accepts: visible ASCII, SP, HTAB and
/// obs-text (RFC 9110 section 5.5).
fn is_value_byte(byte: u8) -> bool {
    byte == b'\t' || (byte >= 0x20 && byte != 0x7f)
}

/// One cookie of a `Cookie` header: the pair's bytes, SP and HTAB trimmed,
/// and its name as a browser sends it (RFC 6265bis section 5.4): empty for
/// a pair without `=`, a nameless cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawPair<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) name: &'a [u8],
}

/// The pairs of one `Cookie` header value, in order, skipping empty ones
/// (`a=1;; b=2`). Reads the same pairs as the consent reader's iterator,
/// and keeps each pair's bytes for the rewrite.
pub(crate) fn header_pairs(header: &[u8]) -> HeaderPairs<'_> {
    HeaderPairs { rest: Some(header) }
}

/// Iterator over one `Cookie` header's pairs. Created by [`header_pairs`].
#[derive(Debug, Clone)]
pub(crate) struct HeaderPairs<'a> {
    /// What follows the last `;` read; `None` past the last pair.
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for HeaderPairs<'a> {
    type Item = RawPair<'a>;

    fn next(&mut self) -> Option<RawPair<'a>> {
        loop {
            let current = self.rest?;
            // Values are long and names short: `memchr` finds the pair's
            // end in vector steps, then the eight-byte search finds the
            // name's `=` near the pair's start.
            let pair = match memchr::memchr(b';', current) {
                Some(end) => {
                    self.rest = Some(&current[end + 1..]);
                    &current[..end]
                }
                None => {
                    self.rest = None;
                    current
                }
            };
            let raw = ascii::trim_wsp(pair);
            if raw.is_empty() {
                continue;
            }
            let name = match ascii::find_byte(raw, b'=') {
                Some(eq) => ascii::trim_wsp_end(&raw[..eq]),
                None => &[][..],
            };
            return Some(RawPair { raw, name });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{Jar, RequestJar};

    fn pairs(header: &str) -> Vec<(&str, &str)> {
        header_pairs(header.as_bytes())
            .map(|pair| {
                (
                    std::str::from_utf8(pair.raw).unwrap(),
                    std::str::from_utf8(pair.name).unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn pairs_keep_their_bytes() {
        assert_eq!(
            pairs("a=1; b = 2 ;;c; =e;f=g=h; \t"),
            [
                ("a=1", "a"),
                ("b = 2", "b"),
                ("c", ""),
                ("=e", ""),
                ("f=g=h", "f")
            ]
        );
        assert_eq!(pairs(""), []);
        assert_eq!(pairs(";"), []);
        assert_eq!(pairs("x=\"a;b\""), [("x=\"a", "x"), ("b\"", "")]);
    }

    #[test]
    fn pairs_read_like_the_consent_reader() {
        for header in ["a=1; b = 2 ;;c", "d=; =e", "", "f=g=h;", " ; a\t=\t1 ;b"] {
            let mut map = HeaderMap::new();
            map.insert(COOKIE, HeaderValue::from_str(header).unwrap());
            let ours: Vec<&[u8]> = header_pairs(header.as_bytes())
                .map(|pair| pair.name)
                .collect();
            let policy = Policy::builder().build().unwrap();
            let jar = RequestJar::new(&policy, &map);
            let theirs: Vec<&[u8]> = jar.pairs().map(|(name, _)| name).collect();
            assert_eq!(ours, theirs, "{header:?}");
        }
    }
}
