//! The response filter: which `Set-Cookie` lines a response may keep.
//!
//! Pure policy logic on a `HeaderMap`, apart from the tower plumbing so it
//! can be tested and fuzzed without a service. It never allocates: the
//! decisions live in a `u64` bitmap (recomputed past 64 lines), and the kept
//! values are moved, not cloned, into an inline buffer and back.

use std::time::{SystemTime, UNIX_EPOCH};

use http::header::{Entry, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use smallvec::SmallVec;

use crate::ascii;
use crate::consent::{read_default, Grants};
use crate::policy::matcher::Class;
use crate::policy::{Inner, UnknownCookies};
use crate::request::RequestContext;
use crate::set_cookie::{cookie_name, is_deletion, SetCookie};

/// How many kept values the rebuild holds without touching the heap. A
/// browser keeps at most 180 cookies per domain; a page that keeps more than
/// this many in one response pays one allocation.
const INLINE_KEPT: usize = 64;

/// Removes from `headers` every `Set-Cookie` the visitor has not granted.
///
/// `granted` is the consent the request carried; a consent cookie set by
/// this very response replaces it (the visitor just chose). When nothing is
/// stripped the map is not touched.
pub(crate) fn filter_set_cookies(
    headers: &mut HeaderMap,
    policy: &Inner,
    granted: Grants,
    ctx: &RequestContext,
) {
    let mut judge = Judge {
        policy,
        granted,
        ctx,
        now: None,
    };
    let Some((kept, lines)) = judge.decide(headers) else {
        return;
    };
    rebuild(headers, &mut judge, kept, lines);
}

/// Decides line by line, with the clock read at most once per response.
struct Judge<'a> {
    policy: &'a Inner,
    granted: Grants,
    ctx: &'a RequestContext,
    now: Option<i64>,
}

impl Judge<'_> {
    /// The first pass: `None` when every line is kept (the common case),
    /// else a bitmap of the kept lines among the first 64 and the number of
    /// lines.
    fn decide(&mut self, headers: &HeaderMap) -> Option<(u64, usize)> {
        let mut pass = self.judge_all(headers);
        if pass.sets_consent {
            // Rule 1: the visitor just chose, and that choice decides this
            // response. Every line is judged again under it.
            self.granted = self.response_consent(headers);
            pass = self.judge_all(headers);
        }
        pass.stripped_any.then_some((pass.kept, pass.lines))
    }

    /// Judges every line once.
    fn judge_all(&mut self, headers: &HeaderMap) -> Pass {
        let mut pass = Pass::default();
        for (index, value) in headers.get_all(SET_COOKIE).iter().enumerate() {
            let verdict = self.keep(value.as_bytes());
            pass.lines += 1;
            pass.sets_consent |= verdict == Verdict::KeepConsent;
            if verdict == Verdict::Strip {
                pass.stripped_any = true;
            } else if index < 64 {
                pass.kept |= 1 << index;
            }
        }
        pass
    }

    /// The consent after the response's own consent cookie lines, applied in
    /// order as a browser's jar would: a line the browser would refuse
    /// changes nothing, a deletion leaves necessary cookies only, and the
    /// last stored value decides.
    fn response_consent(&mut self, headers: &HeaderMap) -> Grants {
        let mut granted = self.granted;
        for value in headers.get_all(SET_COOKIE) {
            let line = value.as_bytes();
            if cookie_name(line) != Some(self.policy.consent_cookie.as_bytes()) {
                continue;
            }
            let cookie = SetCookie::parse(line);
            if !cookie.accepted_by_browser(self.ctx) {
                continue;
            }
            granted = if cookie.expires_by(clock(&mut self.now)) {
                Grants::NONE
            } else {
                read_default(cookie.value, self.policy).unwrap_or(Grants::NONE)
            };
        }
        granted
    }

    fn keep(&mut self, line: &[u8]) -> Verdict {
        let Some(name) = cookie_name(line) else {
            // Nameless (`x`, `=x`) or a control character in the name.
            return Verdict::Strip;
        };
        let (allowed, verdict) = match self.policy.matcher.classify(name) {
            Some(Class::Consent) => (true, Verdict::KeepConsent),
            Some(Class::Necessary) => (true, Verdict::Keep),
            Some(Class::Category(index)) => {
                (self.granted.contains(usize::from(index)), Verdict::Keep)
            }
            None => (self.policy.unknown == UnknownCookies::Allow, Verdict::Keep),
        };
        // Deleting a cookie is always allowed, so removing a tracker is never
        // blocked; only deletions a browser would really perform count.
        let keep = allowed || is_deletion(line, self.ctx, || clock(&mut self.now));
        // A control character anywhere (a CR or LF that an unchecked header
        // value smuggled in could start a second header line on the wire):
        // the browser refuses such a line, so stripping it costs nothing.
        // Only kept lines need the scan.
        if keep && !ascii::has_ctl_except_tab(line) {
            verdict
        } else {
            Verdict::Strip
        }
    }
}

/// The time in seconds since the Unix epoch, read once per response.
fn clock(now: &mut Option<i64>) -> i64 {
    *now.get_or_insert_with(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}

/// What one judging pass over the `Set-Cookie` lines found.
#[derive(Debug, Default)]
struct Pass {
    /// The kept lines among the first 64.
    kept: u64,
    lines: usize,
    stripped_any: bool,
    sets_consent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Keep,
    KeepConsent,
    Strip,
}

/// Replaces the `Set-Cookie` values with the kept ones, in order.
///
/// `HeaderMap` cannot remove single values of a name without collecting the
/// rest into a `Vec`. So the kept values are moved out (leaving cheap static
/// placeholders) into an inline buffer, and put back through the name's
/// entry: `OccupiedEntry::insert` drops every old value in place, and
/// `append` reuses the room they leave.
///
/// `HeaderMap::entry` grows a full map (it makes room for a name it might
/// insert), so a full map takes the slower path: remove the name first,
/// which frees a slot, then insert it again.
fn rebuild(headers: &mut HeaderMap, judge: &mut Judge<'_>, kept_bits: u64, lines: usize) {
    let mut kept: SmallVec<[HeaderValue; INLINE_KEPT]> = SmallVec::new();
    if headers.keys_len() < headers.capacity() {
        let Entry::Occupied(mut entry) = headers.entry(SET_COOKIE) else {
            return;
        };
        take_kept(entry.iter_mut(), judge, kept_bits, lines, &mut kept);
        let mut kept = kept.drain(..);
        match kept.next() {
            Some(first) => {
                entry.insert(first);
                for value in kept {
                    entry.append(value);
                }
            }
            None => {
                entry.remove();
            }
        }
        return;
    }
    let values = headers
        .iter_mut()
        .filter_map(|(name, value)| (name == SET_COOKIE).then_some(value));
    take_kept(values, judge, kept_bits, lines, &mut kept);
    headers.remove(SET_COOKIE);
    // `drain`, not `into_iter`: the inline buffer stays where it is instead
    // of being moved into the iterator.
    let mut kept = kept.drain(..);
    let Some(first) = kept.next() else {
        return;
    };
    match headers.entry(SET_COOKIE) {
        Entry::Vacant(entry) => {
            let mut entry = entry.insert_entry(first);
            for value in kept {
                entry.append(value);
            }
        }
        // Unreachable after `remove`, but appending is the right answer.
        Entry::Occupied(mut entry) => {
            entry.append(first);
            for value in kept {
                entry.append(value);
            }
        }
    }
}

/// Moves the kept values out of `values` (the `Set-Cookie` values in
/// order) into `kept`, leaving empty static values behind.
fn take_kept<'v>(
    values: impl Iterator<Item = &'v mut HeaderValue>,
    judge: &mut Judge<'_>,
    kept_bits: u64,
    lines: usize,
    kept: &mut SmallVec<[HeaderValue; INLINE_KEPT]>,
) {
    for (index, value) in values.enumerate() {
        let keep = if index < 64 {
            kept_bits & (1 << index) != 0
        } else {
            judge.keep(value.as_bytes()) != Verdict::Strip
        };
        if keep {
            if kept.len() == INLINE_KEPT && !kept.spilled() {
                // Room for every line left at once: one allocation, not
                // one per doubling.
                kept.reserve_exact(lines - index);
            }
            kept.push(std::mem::replace(value, HeaderValue::from_static("")));
        }
    }
}
