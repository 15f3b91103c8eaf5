//! The response side: which `Set-Cookie` lines a response may keep, and
//! which deletions it gets.
//!
//! A pipeline on a `HeaderMap`, apart from the tower plumbing so it can be
//! tested and fuzzed without a service: [`decide`](decide::Judge::decide)
//! judges every line once, then [`strip`](strip::strip) puts back only the
//! kept ones, then [`purge`](purge::purge) appends deletions for the
//! request's cookies that the deciding consent does not grant. Kept lines
//! are always an in-order subsequence of the input, and come before the
//! appended ones. Deciding and stripping never allocate: the decisions
//! live in a `u64` bitmap (recomputed past 64 lines), and the kept values
//! are moved, not cloned, into an inline buffer and back. Purging allocates
//! its lines, and only runs when there is something to delete.

mod decide;
mod jar;
mod purge;
mod strip;

pub(crate) use self::purge::purge;

use http::header::{Entry, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

use self::decide::{Judge, Pass, Verdict};
use crate::observe::Observer;
use crate::policy::{Grants, Policy};
use crate::request::RequestContext;
use crate::set_cookie::cookie_name;

/// Removes from `headers` every `Set-Cookie` the visitor has not granted,
/// and returns the consent that decided.
///
/// `granted` is the consent the request carried (with `Sec-GPC` applied
/// when `gpc`); a consent cookie set by this very response replaces it
/// (the visitor just chose). When nothing is stripped the map is not
/// touched. Each line is reported to `observer` once, with its final
/// verdict.
pub(crate) fn filter_set_cookies(
    headers: &mut HeaderMap,
    policy: &Policy,
    granted: Grants,
    ctx: &RequestContext,
    gpc: bool,
    observer: &Observer,
) -> Grants {
    let mut judge = Judge::new(policy, granted, ctx, gpc);
    // Most responses are judged under the request's consent: then the
    // lines are judged and stripped through one entry of the map, one
    // lookup of the name instead of two. `HeaderMap::entry` grows a full
    // map, so a full map takes the general path (see `strip`).
    let first_pass = if headers.keys_len() < headers.capacity() {
        let Entry::Occupied(entry) = headers.entry(SET_COOKIE) else {
            return judge.granted();
        };
        let pass = judge.judge_all(entry.iter());
        if !pass.sets_consent {
            if needs_report(&pass, observer) {
                report(entry.iter(), policy, &mut judge, &pass, observer);
            }
            if pass.stripped_any {
                strip::strip_entry(entry, &mut judge, pass.kept, pass.lines);
            }
            return judge.granted();
        }
        Some(pass)
    } else {
        None
    };
    // The response sets the consent cookie (its lines are judged again
    // under it), or the map is full.
    let pass = match first_pass {
        Some(pass) => judge.decide_after(headers, pass),
        None => judge.decide(headers),
    };
    if needs_report(&pass, observer) {
        report(
            headers.get_all(SET_COOKIE).iter(),
            policy,
            &mut judge,
            &pass,
            observer,
        );
    }
    if pass.stripped_any {
        strip::strip(headers, &mut judge, pass.kept, pass.lines);
    }
    judge.granted()
}

/// Whether `pass` has lines to report to `observer`.
fn needs_report(pass: &Pass, observer: &Observer) -> bool {
    observer.wants_every_line()
        || (observer.wants_undeclared() && (pass.undeclared != 0 || pass.undeclared_late))
}

/// Reports the lines of the final pass to `observer`, before the strip
/// removes any: only those with an undeclared name, unless the observer
/// counts every line. Runs only when there is one to report, so the steady
/// state (every name declared, no counters) pays a bit test per line.
#[cold]
fn report<'v>(
    values: impl Iterator<Item = &'v HeaderValue>,
    policy: &Policy,
    judge: &mut Judge<'_>,
    pass: &Pass,
    observer: &Observer,
) {
    let every = observer.wants_every_line();
    for (index, value) in values.enumerate() {
        let line = value.as_bytes();
        let kept = if index < 64 {
            if !every && pass.undeclared & (1 << index) == 0 {
                continue;
            }
            pass.kept & (1 << index) != 0
        } else {
            if !every && !pass.undeclared_late {
                break;
            }
            // Past the bitmap: judged again under the same consent and
            // clock, the same verdict.
            judge.keep(line) != Verdict::Strip
        };
        let name = cookie_name(line);
        let found = name.and_then(|name| policy.classify(name));
        observer.set_cookie(policy, name, found, kept);
    }
}
