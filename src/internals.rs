//! Internals for the crate's own fuzz targets, benchmarks and tests.
//!
//! **Unstable**: behind the `unstable-internals` feature, off by default,
//! with no semver promise at all. Applications use the public API; these
//! functions exist so that the fuzzers can check each parser on its own,
//! against the rules it implements.

use http::{HeaderMap, Uri};

use crate::consent::{self, default_format, BytesJar};
use crate::request::RequestContext;
use crate::set_cookie::{self, SetCookie};
use crate::Policy;

/// The name a browser stores a `Set-Cookie` line under, if any.
pub fn cookie_name(line: &[u8]) -> Option<&[u8]> {
    set_cookie::cookie_name(line)
}

/// Whether a browser would delete a cookie with `line`, as the response
/// filter decides it, for a request to `uri` with `request_headers` (for
/// the host), at `now` (seconds since the Unix epoch).
pub fn is_deletion(line: &[u8], uri: &Uri, request_headers: &HeaderMap, now: i64) -> bool {
    set_cookie::is_deletion(line, &RequestContext::new(uri, request_headers), || now)
}

/// The same question answered by reading every attribute of the line,
/// without the filter's early exit on the expiry attributes.
pub fn is_deletion_full_parse(
    line: &[u8],
    uri: &Uri,
    request_headers: &HeaderMap,
    now: i64,
) -> bool {
    SetCookie::parse(line).is_deletion(&RequestContext::new(uri, request_headers), now)
}

/// The RFC 6265 cookie-date parser, with its fast path for IMF-fixdates.
pub fn parse_cookie_date(input: &[u8]) -> Option<i64> {
    set_cookie::parse_cookie_date(input)
}

/// The RFC 6265 cookie-date algorithm token by token: the reference the
/// fast path is checked against.
pub fn parse_cookie_date_general(input: &[u8]) -> Option<i64> {
    set_cookie::parse_cookie_date_general(input)
}

/// Reads one consent value in the default format: the granted category
/// names in policy order, or `None` when the value is malformed.
pub fn read_consent_value<'p>(policy: &'p Policy, value: &[u8]) -> Option<Vec<&'p str>> {
    let categories = policy.category_list();
    let grants = default_format::read(value, categories)?;
    Some(grants.iter().map(|index| categories.name(index)).collect())
}

/// Reads the raw bytes of one `Cookie` header value in the policy's
/// consent format, as the layer reads the request's `Cookie` headers: the
/// categories the consent cookie grants, in policy order (categories
/// exempt from consent not added), or `None` when it is missing, malformed,
/// stale or records no choice.
pub fn read_consent_cookies<'p>(policy: &'p Policy, cookie_header: &[u8]) -> Option<Vec<&'p str>> {
    let reading = consent::read(policy, &BytesJar::new(policy, cookie_header));
    let categories = policy.category_list();
    reading.is_set().then(|| {
        reading
            .grants()
            .iter()
            .map(|index| categories.name(index))
            .collect()
    })
}

/// The category of a cookie name given as bytes: `necessary` for the
/// consent cookie and necessary cookies, `None` when the policy does not
/// know the name. [`Policy::category_of`] for names that are not UTF-8.
pub fn category_of<'p>(policy: &'p Policy, name: &[u8]) -> Option<&'p str> {
    let found = policy.classify(name)?;
    Some(policy.class_name(found.class))
}

/// [`read_consent_value`] without collecting: the granted categories as a
/// bit set (bit `i` is the policy's category `i`), for benchmarks that must
/// not count an allocation of their own.
pub fn read_consent_bits(policy: &Policy, value: &[u8]) -> Option<u64> {
    let grants = default_format::read(value, policy.category_list())?;
    Some(grants.iter().fold(0, |bits, index| bits | 1 << index))
}
