//! The response side: which `Set-Cookie` lines a response may keep.
//!
//! A pipeline on a `HeaderMap`, apart from the tower plumbing so it can be
//! tested and fuzzed without a service: [`decide`](decide::Judge::decide)
//! judges every line once, then [`strip`](strip::strip) puts back only the
//! kept ones. Kept lines are always an in-order subsequence of the input.
//! It never allocates: the decisions live in a `u64` bitmap (recomputed past
//! 64 lines), and the kept values are moved, not cloned, into an inline
//! buffer and back.

mod decide;
mod jar;
mod strip;

use http::HeaderMap;

use self::decide::Judge;
use crate::policy::{Grants, Policy};
use crate::request::RequestContext;

/// Removes from `headers` every `Set-Cookie` the visitor has not granted.
///
/// `granted` is the consent the request carried; a consent cookie set by
/// this very response replaces it (the visitor just chose). When nothing is
/// stripped the map is not touched.
pub(crate) fn filter_set_cookies(
    headers: &mut HeaderMap,
    policy: &Policy,
    granted: Grants,
    ctx: &RequestContext,
) {
    let mut judge = Judge::new(policy, granted, ctx);
    let pass = judge.decide(headers);
    if pass.stripped_any {
        strip::strip(headers, &mut judge, pass.kept, pass.lines);
    }
}
