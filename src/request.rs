//! What the layer takes from the request: the consent cookie, and the host
//! and scheme that decide whether a browser would store a cookie the
//! response sets.

use http::header::{COOKIE, HOST};
use http::{HeaderMap, Request};

use crate::ascii;
use crate::consent::{read_default, Grants};
use crate::policy::Inner;

/// Reads the policy's consent cookie from every `Cookie` header (HTTP/2
/// sends one per cookie).
///
/// Returns the granted categories and whether a valid consent cookie was
/// present. Several copies grant only what every copy grants; a missing or
/// malformed copy grants nothing.
pub(crate) fn read_consent(headers: &HeaderMap, policy: &Inner) -> (Grants, bool) {
    let name = policy.consent_cookie.as_bytes();
    let mut granted = policy.all();
    let mut seen = false;
    for header in headers.get_all(COOKIE) {
        let header = header.as_bytes();
        // `find` in a loop rather than `find_iter`: the iterator's set-up
        // costs more than the search in a header of a few hundred bytes.
        let mut from = 0;
        while let Some(found) = policy.consent_finder.find(&header[from..]) {
            let start = from + found;
            from = start + 1;
            let Some(value) = pair_value(header, start, name.len()) else {
                continue;
            };
            seen = true;
            match read_default(value, policy) {
                Some(grants) => granted = granted.intersection(grants),
                None => return (Grants::NONE, false),
            }
        }
    }
    if seen {
        (granted, true)
    } else {
        (Grants::NONE, false)
    }
}

/// If the name found at `start..start + len` is a whole cookie name (the
/// trimmed text between a `;` and the first `=` of a pair), the pair's value.
///
/// Searching for the name with `memmem` and checking its boundaries reads
/// the same pairs as splitting on `;`, because a valid cookie name holds no
/// `;` or `=`, and skips the other cookies at memchr speed.
///
/// Only the bytes just before `start` are looked at: trimming from the
/// start of the header for every match would make a header of leading
/// spaces and many matches quadratic.
fn pair_value(header: &[u8], start: usize, len: usize) -> Option<&[u8]> {
    let before = ascii::trim_wsp_end(&header[..start]);
    if !(before.is_empty() || before.ends_with(b";")) {
        return None;
    }
    let after = ascii::trim_wsp_start(&header[start + len..]);
    let rest = after.strip_prefix(b"=")?;
    let end = memchr::memchr(b';', rest).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// How the request was made, as far as cookie storage cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    Unknown,
    Http,
    Https,
}

/// The longest host kept. A DNS name has at most 253 bytes; anything longer
/// is treated as unknown, which skips the domain check.
const MAX_HOST_LEN: usize = 255;

/// The request's host (lowercase, without port) and scheme.
///
/// Copied inline rather than borrowed or cloned: the request is gone by the
/// time the response is filtered, and cloning a header value may allocate.
#[derive(Clone, Copy)]
pub(crate) struct RequestContext {
    host: [u8; MAX_HOST_LEN],
    host_len: u8,
    pub(crate) scheme: Scheme,
}

impl std::fmt::Debug for RequestContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestContext")
            .field("host", &self.host().map(String::from_utf8_lossy))
            .field("scheme", &self.scheme)
            .finish()
    }
}

impl RequestContext {
    /// Nothing known: every host and scheme check is skipped.
    pub(crate) const UNKNOWN: Self = Self {
        host: [0; MAX_HOST_LEN],
        host_len: 0,
        scheme: Scheme::Unknown,
    };

    pub(crate) fn from_request<B>(req: &Request<B>) -> Self {
        let scheme = match req.uri().scheme_str() {
            Some(s) if s.eq_ignore_ascii_case("https") => Scheme::Https,
            Some(s) if s.eq_ignore_ascii_case("http") => Scheme::Http,
            _ => Scheme::Unknown,
        };
        // `Authority::host` re-parses the authority with iterators; the
        // authority is already validated, so dropping the user info and
        // the port is all that is left.
        let host = match req.uri().authority() {
            Some(authority) => Some(authority_host(authority.as_str().as_bytes())),
            None => req.headers().get(HOST).map(|h| strip_port(h.as_bytes())),
        };
        let mut ctx = Self {
            scheme,
            ..Self::UNKNOWN
        };
        if let Some(host) = host {
            let host = ascii::trim_wsp(host);
            if !host.is_empty() && host.len() <= MAX_HOST_LEN {
                ctx.host[..host.len()].copy_from_slice(host);
                ctx.host[..host.len()].make_ascii_lowercase();
                ctx.host_len = host.len() as u8;
            }
        }
        ctx
    }

    /// The request's host, lowercase, without port; `None` if unknown.
    pub(crate) fn host(&self) -> Option<&[u8]> {
        (self.host_len > 0).then(|| &self.host[..usize::from(self.host_len)])
    }
}

/// `user@example.com:8080` → `example.com`, for a validated URI authority.
fn authority_host(authority: &[u8]) -> &[u8] {
    let host_port = match memchr::memrchr(b'@', authority) {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    strip_port(host_port)
}

/// `example.com:8080` → `example.com`; `[::1]:3000` → `[::1]`.
fn strip_port(host: &[u8]) -> &[u8] {
    if host.first() == Some(&b'[') {
        return match memchr::memchr(b']', host) {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match memchr::memchr(b':', host) {
        Some(colon) => &host[..colon],
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_boundaries() {
        let h = b"a=1; cookies_preferences=all;x=2";
        assert_eq!(pair_value(h, 5, 19), Some(&b"all"[..]));
        let h = b"xcookies_preferences=all";
        assert_eq!(pair_value(h, 1, 19), None);
        let h = b"a=b cookies_preferences=all";
        assert_eq!(pair_value(h, 4, 19), None);
        let h = b" \tcookies_preferences \t= all ";
        assert_eq!(pair_value(h, 2, 19), Some(&b" all "[..]));
        let h = b"cookies_preferences";
        assert_eq!(pair_value(h, 0, 19), None);
        let h = b"cookies_preferencesx=all";
        assert_eq!(pair_value(h, 0, 19), None);
    }

    #[test]
    fn host_from_uri_or_header() {
        let req = Request::get("https://Example.COM:8443/x").body(()).unwrap();
        let ctx = RequestContext::from_request(&req);
        assert_eq!(ctx.host(), Some(&b"example.com"[..]));
        assert_eq!(ctx.scheme, Scheme::Https);

        let req = Request::get("/x")
            .header(HOST, "Shop.Example:3000")
            .body(())
            .unwrap();
        let ctx = RequestContext::from_request(&req);
        assert_eq!(ctx.host(), Some(&b"shop.example"[..]));
        assert_eq!(ctx.scheme, Scheme::Unknown);

        let req = Request::get("/x")
            .header(HOST, "[::1]:3000")
            .body(())
            .unwrap();
        assert_eq!(
            RequestContext::from_request(&req).host(),
            Some(&b"[::1]"[..])
        );

        let req = Request::get("/x").body(()).unwrap();
        assert_eq!(RequestContext::from_request(&req).host(), None);

        for (uri, host) in [
            ("http://user:pw@Example.com:80/", "example.com"),
            ("http://a@b@example.com/", "example.com"),
            ("http://[::1]:8080/", "[::1]"),
            ("http://127.0.0.1/", "127.0.0.1"),
        ] {
            let req = Request::get(uri).body(()).unwrap();
            let ctx = RequestContext::from_request(&req);
            assert_eq!(ctx.host(), Some(host.as_bytes()), "{uri}");
            assert_eq!(
                ctx.host().map(<[u8]>::to_vec),
                req.uri()
                    .host()
                    .map(|h| h.to_ascii_lowercase().into_bytes()),
                "{uri}"
            );
        }

        let long = "a".repeat(300);
        let req = Request::get("/x").header(HOST, long).body(()).unwrap();
        assert_eq!(RequestContext::from_request(&req).host(), None);
    }
}
