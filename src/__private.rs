//! Internals exposed for the fuzz targets and benchmarks only. Not part of
//! the public API: no stability promise.

use http::HeaderMap;

use crate::policy::Policy;
use crate::request::RequestContext;

/// The name a browser stores a `Set-Cookie` line under, if any.
pub fn set_cookie_name(line: &[u8]) -> Option<&[u8]> {
    crate::set_cookie::cookie_name(line)
}

/// Whether a browser would delete a cookie with this line (unknown host).
pub fn set_cookie_is_deletion(line: &[u8], now: i64) -> bool {
    crate::set_cookie::SetCookie::parse(line).is_deletion(&RequestContext::UNKNOWN, now)
}

/// The RFC 6265 cookie-date parser.
pub fn parse_cookie_date(input: &[u8]) -> Option<i64> {
    crate::set_cookie::parse_cookie_date(input)
}

/// Reads a consent value in the default format: the granted category
/// names, or `None` when malformed.
pub fn read_consent_value<'p>(policy: &'p Policy, value: &[u8]) -> Option<Vec<&'p str>> {
    let grants = crate::consent::read_default(value, &policy.inner)?;
    Some(
        policy
            .inner
            .categories
            .iter()
            .enumerate()
            .filter(|(i, _)| grants.contains(*i))
            .map(|(_, c)| &*c.name)
            .collect(),
    )
}

/// Runs the response filter on `response` headers as the layer would for a
/// request with `request` headers (host unknown).
pub fn filter_headers(policy: &Policy, request: &HeaderMap, response: &mut HeaderMap) {
    let (granted, _) = crate::request::read_consent(request, &policy.inner);
    crate::filter::filter_set_cookies(response, &policy.inner, granted, &RequestContext::UNKNOWN);
}
