//! The request's cookies as the layer judges them: one pass that finds
//! what must be hidden from the application and what a response may have
//! to delete, and the rewrite of the `Cookie` headers that hides them.

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use smallvec::SmallVec;

use crate::consent::{self, header_pairs, Jar, Pair, Reading, RequestJar};
use crate::observe::Observer;
use crate::policy::{Class, Grants, Policy, UnknownCookies};

/// How many `Cookie` header values the scan keeps for a later purge
/// without touching the heap. HTTP/1.1 sends one `Cookie` header, so one
/// slot would do there; HTTP/2 may send one field per cookie (RFC 9113
/// section 8.2.3), and a request with more than this many category cookies
/// in separate fields pays one allocation.
const INLINE_VALUES: usize = 4;

/// What the request's cookies hold, read once when the request arrives.
#[derive(Clone, Default)]
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
    /// Where the pairs the application may keep are, when they fit: the
    /// rewrite then joins them without splitting the header again.
    keepable: Keepable,
}

/// How many pairs [`Keepable`] records.
const KEEPABLE_SPANS: usize = 8;

/// The pairs of a request with one `Cookie` header that the rewrite may
/// keep (every pair but an unknown one under `UnknownCookies::Strip`), as
/// spans of that header, with the category that decides each (or
/// [`Keepable::ALWAYS`]), recorded by the scan.
///
/// A request usually carries a few cookies the application may see and,
/// when something is hidden, many it may not (analytics and A/B-testing
/// leftovers): the spans make the rewrite's cost follow what is kept, not
/// the size of the header. They do not describe the request (`len` is
/// [`Keepable::GIVEN_UP`]) when it has several `Cookie` headers, more such
/// pairs than fit, or a header over 64 KiB: the rewrite then reads the
/// header again.
#[derive(Clone, Copy, Debug)]
struct Keepable {
    starts: [u16; KEEPABLE_SPANS],
    ends: [u16; KEEPABLE_SPANS],
    categories: [u8; KEEPABLE_SPANS],
    len: u8,
    /// The length of the header the spans are of: a rewrite handed other
    /// headers than the scan read (the `Enforcer` API allows it) finds
    /// them unfit and reads the headers again.
    header_len: u16,
}

impl Default for Keepable {
    fn default() -> Self {
        Self {
            starts: [0; KEEPABLE_SPANS],
            ends: [0; KEEPABLE_SPANS],
            categories: [0; KEEPABLE_SPANS],
            len: Self::GIVEN_UP,
            header_len: 0,
        }
    }
}

impl Keepable {
    /// A pair kept whatever the consent: the consent cookie, a necessary
    /// cookie, an unknown one under `UnknownCookies::Allow`. Categories are
    /// numbered below 64.
    const ALWAYS: u8 = u8::MAX;
    /// More than [`KEEPABLE_SPANS`]: no span is recorded any more.
    const GIVEN_UP: u8 = u8::MAX;

    /// Spans for the one `Cookie` header `header`, if it is short enough
    /// for them.
    fn start(&mut self, header: &[u8]) {
        match u16::try_from(header.len()) {
            Ok(len) => {
                self.len = 0;
                self.header_len = len;
            }
            Err(_) => self.len = Self::GIVEN_UP,
        }
    }

    /// Records `raw`, a pair of the header given to
    /// [`start`](Self::start), which starts at `offset` in it.
    #[inline]
    fn push(&mut self, offset: usize, raw: &[u8], category: u8) {
        let at = usize::from(self.len);
        if at < KEEPABLE_SPANS {
            // The header is at most `u16::MAX` bytes long (`start`).
            self.starts[at] = offset as u16;
            self.ends[at] = (offset + raw.len()) as u16;
            self.categories[at] = category;
            self.len += 1;
        } else {
            self.len = Self::GIVEN_UP;
        }
    }

    /// The recorded pairs of `header` that `granted` keeps, or `None` when
    /// the spans do not describe the request.
    fn kept<'h>(
        &self,
        header: &'h [u8],
        granted: Grants,
    ) -> Option<SmallVec<[&'h [u8]; KEEPABLE_SPANS]>> {
        let len = usize::from(self.len);
        if len > KEEPABLE_SPANS || header.len() != usize::from(self.header_len) {
            return None;
        }
        let mut kept = SmallVec::new();
        for at in 0..len {
            let category = self.categories[at];
            if category == Self::ALWAYS || granted.contains(usize::from(category)) {
                kept.push(header.get(usize::from(self.starts[at])..usize::from(self.ends[at]))?);
            }
        }
        Some(kept)
    }
}

/// How many copies of the consent cookie the scan hands to the consent
/// reader without touching the heap (a browser sends a host-only and a
/// `Domain` copy at most, unless several paths hold one). More copies are
/// read again from the headers.
const INLINE_CONSENT_VALUES: usize = 4;

/// Never the kept values: a `Debug` print of the enforcer or the response
/// future must not put cookie values in a log.
impl std::fmt::Debug for CookieScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CookieScan")
            .field("carried", &self.carried)
            .field("hidden", &format_args!("{:#b}", self.hidden))
            .field("hidden_late", &self.hidden_late)
            .field("values", &self.values.len())
            .finish()
    }
}

impl CookieScan {
    /// Reads the request's consent and classifies every cookie of the
    /// request, in one pass over the `Cookie` headers: the pass that
    /// classifies the names also finds the consent cookie's values, so the
    /// consent reader does not search the headers again. `gpc` says whether
    /// the request carries `Sec-GPC: 1`. Returns the reading and what the
    /// consent grants (`Sec-GPC` applied).
    #[inline]
    pub(crate) fn read(policy: &Policy, headers: &HeaderMap, gpc: bool) -> (Reading, Grants, Self) {
        let settings = policy.revocation();
        let mut scan = Self::default();
        if !(settings.purge || settings.strip_request_cookies) {
            let reading = consent::read(policy, &RequestJar::new(policy, headers));
            let granted = settings.under_gpc(reading.grants(), gpc);
            return (reading, granted.union(policy.exempt()), scan);
        }
        // What each of the first 64 pairs is; the grant that decides which
        // ones to hide is only known once the consent has been read.
        let mut unknown_pairs = 0u64;
        let mut category_pairs = 0u64;
        let mut categories = [0u8; 64];
        let mut late_categories = Grants::NONE;
        let mut late_unknown = false;
        let mut consent_values: SmallVec<[&[u8]; INLINE_CONSENT_VALUES]> = SmallVec::new();
        let mut consent_copies = 0usize;
        let mut index = 0usize;
        let strip_unknown = policy.unknown_cookies() == UnknownCookies::Strip;
        for (nth, value) in headers.get_all(COOKIE).iter().enumerate() {
            let header = value.as_bytes();
            match nth {
                0 if settings.strip_request_cookies => scan.keepable.start(header),
                // The rewrite of several headers reads them again.
                _ => scan.keepable.len = Keepable::GIVEN_UP,
            }
            let mut holds_category = false;
            for pair in header_pairs(header) {
                let class = policy.classify(pair.name).map(|found| found.class);
                // `raw` is a part of `header`.
                let offset = pair.raw.as_ptr() as usize - header.as_ptr() as usize;
                match class {
                    Some(Class::Category(category)) => {
                        scan.keepable.push(offset, pair.raw, category);
                        scan.carried.insert(usize::from(category));
                        holds_category = true;
                        match index {
                            0..64 => {
                                category_pairs |= 1 << index;
                                categories[index] = category;
                            }
                            _ => late_categories.insert(usize::from(category)),
                        }
                    }
                    // Only the format's own cookie holds the values the
                    // reader takes one by one; the other consent cookies
                    // (GOV.UK's `cookies_preferences_set`, Complianz's
                    // `cmplz_` family) are read from the pairs, as
                    // `RequestJar` does.
                    Some(Class::Consent) if pair.name == policy.consent_pattern() => {
                        scan.keepable.push(offset, pair.raw, Keepable::ALWAYS);
                        consent_copies += 1;
                        if !consent_values.spilled() && consent_values.len() < INLINE_CONSENT_VALUES
                        {
                            consent_values.push(pair.value());
                        }
                    }
                    Some(Class::Consent | Class::Necessary) => {
                        scan.keepable.push(offset, pair.raw, Keepable::ALWAYS);
                    }
                    None => {
                        if !strip_unknown {
                            scan.keepable.push(offset, pair.raw, Keepable::ALWAYS);
                        }
                        match index {
                            0..64 => unknown_pairs |= 1 << index,
                            _ => late_unknown = true,
                        }
                    }
                }
                index += 1;
            }
            if holds_category && settings.purge {
                scan.values.push(value.clone());
            }
        }
        let reading = if consent_copies <= INLINE_CONSENT_VALUES {
            consent::read(
                policy,
                &ScannedJar {
                    values: &consent_values,
                    headers: RequestJar::new(policy, headers),
                },
            )
        } else {
            consent::read(policy, &RequestJar::new(policy, headers))
        };
        // Exempt categories need no consent: no signal withdraws them, and
        // their cookies are neither hidden nor purged.
        let granted = settings
            .under_gpc(reading.grants(), gpc)
            .union(policy.exempt());
        if settings.strip_request_cookies {
            if strip_unknown {
                scan.hidden = unknown_pairs;
                scan.hidden_late = late_unknown;
            }
            let mut bits = category_pairs;
            while bits != 0 {
                let index = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if !granted.contains(usize::from(categories[index])) {
                    scan.hidden |= 1 << index;
                }
            }
            scan.hidden_late |= late_categories.difference(granted) != Grants::NONE;
        }
        (reading, granted, scan)
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
    /// pair it found hidden, keeping the other pairs' bytes and order
    /// (joined by `; `). A header without a hidden pair is put back as it
    /// was (its bytes are shared, not copied), and one whose every pair is
    /// hidden is removed. Only called when something is hidden: it
    /// allocates the rewritten values.
    pub(crate) fn rewrite(
        &self,
        headers: &mut HeaderMap,
        policy: &Policy,
        granted: Grants,
        observer: &Observer,
    ) {
        // HTTP/1.1 sends one `Cookie` header: its value is replaced where it
        // is, without taking the name out of the map and putting it back.
        if headers.get_all(COOKIE).iter().nth(1).is_none() {
            let Some(value) = headers.get_mut(COOKIE) else {
                return;
            };
            // Each hidden pair is reported by name, so the header is read
            // again when someone listens.
            let quiet = !observer.wants_hidden() && !crate::trace::debug_enabled();
            let rewritten = match self.keepable.kept(value.as_bytes(), granted) {
                Some(kept) if quiet => Some(join(&kept)),
                _ => self.rewrite_value(value.as_bytes(), &mut 0, policy, granted, observer),
            };
            match rewritten {
                None => {}
                Some(Some(rewritten)) => *value = rewritten,
                Some(None) => {
                    headers.remove(COOKIE);
                }
            }
            return;
        }
        let values: SmallVec<[HeaderValue; INLINE_VALUES]> =
            headers.get_all(COOKIE).iter().cloned().collect();
        headers.remove(COOKIE);
        let mut index = 0usize;
        for value in values {
            match self.rewrite_value(value.as_bytes(), &mut index, policy, granted, observer) {
                None => headers.append(COOKIE, value),
                Some(Some(rewritten)) => headers.append(COOKIE, rewritten),
                // Every pair hidden: the header goes.
                Some(None) => false,
            };
        }
    }

    /// One `Cookie` header value without its hidden pairs: `None` when it
    /// hides nothing, `Some(None)` when it hides every pair. `index` counts
    /// the request's pairs across its headers: the bitmap judges the first
    /// 64, the policy the rest.
    fn rewrite_value(
        &self,
        value: &[u8],
        index: &mut usize,
        policy: &Policy,
        granted: Grants,
        observer: &Observer,
    ) -> Option<Option<HeaderValue>> {
        let mut kept: SmallVec<[&[u8]; INLINE_PAIRS]> = SmallVec::new();
        let mut dropped = false;
        for pair in header_pairs(value) {
            let hide = match *index {
                0..64 => self.hidden & (1 << *index) != 0,
                _ => hidden(policy, granted, pair.name),
            };
            *index += 1;
            if hide {
                dropped = true;
                observer.hidden(policy, pair.name);
                crate::trace::debug_event!(
                    cookie = %crate::trace::Bytes(pair.name),
                    category = crate::trace::category(policy, pair.name),
                    reason = crate::trace::reason(policy, pair.name),
                    "hid a request cookie from the application"
                );
            } else {
                kept.push(pair.raw);
            }
        }
        dropped.then(|| join(&kept))
    }
}

/// How many kept pairs of one rewritten header are held without touching
/// the heap.
const INLINE_PAIRS: usize = 16;

/// The pairs joined by `; ` as one header value, or `None` when there is
/// none. A pair with a byte a header value cannot hold only comes from an
/// upstream that skipped validation: it is dropped rather than let it spoil
/// the whole header.
fn join(pairs: &[&[u8]]) -> Option<HeaderValue> {
    let joined = |pairs: &mut dyn Iterator<Item = &[u8]>, len: usize| {
        // The exact length, so that the header value takes the buffer as it
        // is instead of allocating again.
        let mut out = Vec::with_capacity(len);
        for pair in pairs {
            if !out.is_empty() {
                out.extend_from_slice(b"; ");
            }
            out.extend_from_slice(pair);
        }
        out
    };
    let len = |pairs: &mut dyn Iterator<Item = &[u8]>| {
        pairs
            .map(|pair| pair.len() + 2)
            .sum::<usize>()
            .saturating_sub(2)
    };
    if pairs.is_empty() {
        return None;
    }
    let all = joined(&mut pairs.iter().copied(), len(&mut pairs.iter().copied()));
    if let Ok(value) = HeaderValue::try_from(all) {
        return Some(value);
    }
    let valid = || {
        pairs
            .iter()
            .copied()
            .filter(|pair| pair.iter().all(|&b| is_value_byte(b)))
    };
    let size = len(&mut valid());
    if size == 0 {
        return None;
    }
    HeaderValue::try_from(joined(&mut valid(), size)).ok()
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

/// The request's jar with the consent cookie's values already found by
/// the scan.
struct ScannedJar<'a, 's> {
    values: &'s [&'a [u8]],
    headers: RequestJar<'a>,
}

impl<'a> Jar<'a> for ScannedJar<'a, '_> {
    fn consent_values(&self) -> impl Iterator<Item = &'a [u8]> {
        self.values.iter().copied()
    }

    fn pairs(&self) -> impl Iterator<Item = Pair<'a>> {
        self.headers.pairs()
    }
}

/// A byte `HeaderValue::from_bytes` accepts: visible ASCII, SP, HTAB and
/// obs-text (RFC 9110 section 5.5).
fn is_value_byte(byte: u8) -> bool {
    byte == b'\t' || (byte >= 0x20 && byte != 0x7f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_drops_only_pairs_a_header_cannot_hold() {
        assert_eq!(join(&[b"a=1", b"b = 2"]).unwrap(), "a=1; b = 2");
        assert_eq!(
            join(&[b"a=1", b"b=\n2", b"c=3\x7f", b"d=4"]).unwrap(),
            "a=1; d=4"
        );
        assert_eq!(join(&[b"b=\r"]), None);
        assert_eq!(join(&[]), None);
    }

    /// The rewrite from the recorded spans keeps exactly what the full
    /// rewrite keeps, and gives up where the spans cannot describe the
    /// request.
    #[test]
    fn the_rewrite_from_spans_keeps_what_the_full_rewrite_keeps() {
        let strict = Policy::builder()
            .necessary(["sessionid"])
            .category("statistics", ["_pk_id*"])
            .category("marketing", ["_fbp"])
            .build()
            .unwrap();
        let lenient = Policy::builder()
            .necessary(["sessionid"])
            .category("statistics", ["_pk_id*"])
            .category("marketing", ["_fbp"])
            .unknown_cookies(UnknownCookies::Allow)
            .build()
            .unwrap();
        let many_kept = (0..12)
            .map(|i| format!("sessionid=s{i}; "))
            .collect::<String>()
            + "x=1";
        let headers = [
            "a=1;  sessionid = x y ;_fbp=2;cookies_preferences=statistics;\t_pk_id.1=\"v w\" ; c",
            "_fbp=1; _pk_id.1=2; theme=dark",
            "cookies_preferences=marketing; _fbp=1; _pk_id.1=2; =; x",
            "cookies_preferences=all; _fbp=1; _pk_id.1=2; sessionid=3",
            "a=1; b=2",
            many_kept.as_str(),
        ];
        for policy in [&strict, &lenient] {
            for header in headers {
                let mut map = HeaderMap::new();
                map.insert(COOKIE, HeaderValue::from_str(header).unwrap());
                let (_, granted, scan) = CookieScan::read(policy, &map, false);
                let observer = Observer::new(&http::Uri::from_static("/"));
                let full =
                    scan.rewrite_value(header.as_bytes(), &mut 0, policy, granted, &observer);
                match scan.keepable.kept(header.as_bytes(), granted) {
                    Some(kept) => {
                        let from_spans = join(&kept);
                        match full {
                            None => assert_eq!(
                                from_spans.as_ref().map(HeaderValue::as_bytes),
                                Some(header.as_bytes()),
                                "{header:?}"
                            ),
                            Some(full) => assert_eq!(from_spans, full, "{header:?}"),
                        }
                    }
                    // Twelve kept pairs do not fit the spans.
                    None => assert_eq!(header, many_kept, "{header:?}"),
                }
            }
        }
        // Another header than the scan read: no spans.
        let mut map = HeaderMap::new();
        map.insert(COOKIE, HeaderValue::from_static("a=1; sessionid=1"));
        let (_, granted, scan) = CookieScan::read(&strict, &map, false);
        assert_eq!(
            scan.keepable
                .kept(b"a=1; sessionid=1", granted)
                .unwrap()
                .as_slice(),
            [&b"sessionid=1"[..]]
        );
        assert!(scan.keepable.kept(b"a=1; sessionid=12", granted).is_none());
        // Several headers: no spans.
        let mut map = HeaderMap::new();
        map.append(COOKIE, HeaderValue::from_static("a=1"));
        map.append(COOKIE, HeaderValue::from_static("sessionid=1"));
        let (_, granted, scan) = CookieScan::read(&strict, &map, false);
        assert!(scan.keepable.kept(b"sessionid=1", granted).is_none());
    }

    #[test]
    fn the_scan_reads_the_consent_like_the_consent_reader() {
        let policy = Policy::builder()
            .category("statistics", ["_ga"])
            .category("marketing", ["_fbp"])
            .build()
            .unwrap();
        let cases: [&[&str]; 6] = [
            &["cookies_preferences=statistics"],
            &[
                "a=1; cookies_preferences = all ;b",
                "cookies_preferences=marketing",
            ],
            &["cookies_preferences=%ZZ; _ga=1"],
            &["xcookies_preferences=all; cookies_preferencesx=all"],
            &[],
            // More copies than the scan holds inline: read again.
            &[
                "cookies_preferences=all; cookies_preferences=all; cookies_preferences=all",
                "cookies_preferences=all; cookies_preferences=statistics",
            ],
        ];
        for headers in cases {
            let mut map = HeaderMap::new();
            for value in headers {
                map.append(COOKIE, HeaderValue::from_str(value).unwrap());
            }
            let expected = consent::read(&policy, &RequestJar::new(&policy, &map));
            let (reading, granted, _) = CookieScan::read(&policy, &map, false);
            assert_eq!(reading, expected, "{headers:?}");
            assert_eq!(granted, expected.grants(), "{headers:?}");
        }
    }
}
