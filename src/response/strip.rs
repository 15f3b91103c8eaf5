//! Stripping: put back only the kept `Set-Cookie` values, in order, without
//! allocating.

use http::header::{Entry, OccupiedEntry, SET_COOKIE};
use http::{HeaderMap, HeaderValue};
use smallvec::SmallVec;

use super::decide::{Judge, Verdict};

/// How many kept values the rebuild holds without touching the heap. A
/// browser keeps at most 180 cookies per domain; a page that keeps more than
/// this many in one response pays one allocation.
const INLINE_KEPT: usize = 64;

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
pub(super) fn strip(headers: &mut HeaderMap, judge: &mut Judge<'_>, kept_bits: u64, lines: usize) {
    if headers.keys_len() < headers.capacity() {
        if let Entry::Occupied(entry) = headers.entry(SET_COOKIE) {
            strip_entry(entry, judge, kept_bits, lines);
        }
        return;
    }
    let mut kept: SmallVec<[HeaderValue; INLINE_KEPT]> = SmallVec::new();
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

/// [`strip`] through the `Set-Cookie` entry, which the caller looked up.
pub(super) fn strip_entry(
    mut entry: OccupiedEntry<'_, HeaderValue>,
    judge: &mut Judge<'_>,
    kept_bits: u64,
    lines: usize,
) {
    let mut kept: SmallVec<[HeaderValue; INLINE_KEPT]> = SmallVec::new();
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
}

/// Moves the kept values out of `values` (the `Set-Cookie` values in
/// order) into `kept`, leaving empty static values behind. Lines past the
/// first 64 are judged again: the bitmap holds 64.
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
        if !keep {
            crate::trace::debug_event!(
                cookie = %crate::trace::Bytes(
                    crate::set_cookie::cookie_name(value.as_bytes()).unwrap_or_default()
                ),
                category = judge.category(value.as_bytes()),
                reason = judge.reason(value.as_bytes()),
                "stripped a Set-Cookie line"
            );
        }
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
