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

use http::{HeaderMap, HeaderValue};

use self::decide::Judge;
use crate::policy::{Grants, Policy};
use crate::request::RequestContext;

/// Removes from `headers` every `Set-Cookie` the visitor has not granted,
/// and returns the consent that decided.
///
/// `granted` is the consent the request carried (with `Sec-GPC` applied
/// when `gpc`); a consent cookie set by this very response replaces it
/// (the visitor just chose). When nothing is stripped the map is not
/// touched.
pub(crate) fn filter_set_cookies(
    headers: &mut HeaderMap,
    policy: &Policy,
    granted: Grants,
    ctx: &RequestContext,
    gpc: bool,
) -> Grants {
    let mut judge = Judge::new(policy, granted, ctx, gpc);
    let pass = judge.decide(headers);
    if pass.stripped_any {
        strip::strip(headers, &mut judge, pass.kept, pass.lines);
    }
    judge.granted()
}

/// Appends deletion lines for the cookies in `carried` (the request's
/// `Cookie` values that hold a category's cookie) that `granted`, the
/// consent that decided the response, leaves out. Runs after
/// [`filter_set_cookies`].
pub(crate) fn purge(
    headers: &mut HeaderMap,
    policy: &Policy,
    granted: Grants,
    ctx: &RequestContext,
    carried: &[HeaderValue],
) {
    purge::purge(headers, policy, granted, ctx, carried);
}
