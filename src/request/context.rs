//! The request's host and scheme: they decide whether a browser would
//! store a cookie the response sets, and which domains a deletion covers.

use http::header::HOST;
use http::{HeaderMap, Uri};

use crate::ascii;

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

    #[inline]
    pub(crate) fn new(uri: &Uri, headers: &HeaderMap) -> Self {
        // `http` parses `http` and `https` in any case into its standard
        // schemes, which compare without reading a byte; other schemes are
        // compared as text.
        let scheme = match uri.scheme() {
            Some(s) if *s == http::uri::Scheme::HTTPS => Scheme::Https,
            Some(s) if *s == http::uri::Scheme::HTTP => Scheme::Http,
            Some(s) if s.as_str().eq_ignore_ascii_case("https") => Scheme::Https,
            Some(s) if s.as_str().eq_ignore_ascii_case("http") => Scheme::Http,
            _ => Scheme::Unknown,
        };
        // `Authority::host` re-parses the authority with iterators; the
        // authority is already validated, so dropping the user info and
        // the port is all that is left.
        let host = match uri.authority() {
            Some(authority) => Some(authority_host(authority.as_str().as_bytes())),
            None => headers.get(HOST).map(|h| strip_port(h.as_bytes())),
        };
        let mut ctx = Self {
            scheme,
            ..Self::UNKNOWN
        };
        if let Some(host) = host {
            let host = ascii::trim_wsp(host);
            if !host.is_empty() && host.len() <= MAX_HOST_LEN {
                ascii::copy_lowercase(host, &mut ctx.host[..host.len()]);
                ctx.host_len = host.len() as u8;
            }
        }
        ctx
    }

    /// The request's host, lowercase, without port; `None` if unknown.
    pub(crate) fn host(&self) -> Option<&[u8]> {
        (self.host_len > 0).then(|| &self.host[..usize::from(self.host_len)])
    }

    /// The host as a name that cookies can be shared under with `Domain`:
    /// `None` when unknown or an IP address (a cookie set on an address is
    /// host-only). An IPv6 address comes in brackets; an IPv4 address is
    /// recognised the way the URL standard does, by a last label that is a
    /// number.
    pub(crate) fn domain_host(&self) -> Option<&[u8]> {
        let host = self.host()?;
        if host.starts_with(b"[") {
            return None;
        }
        let trimmed = host.strip_suffix(b".").unwrap_or(host);
        let last = match memchr::memrchr(b'.', trimmed) {
            Some(dot) => &trimmed[dot + 1..],
            None => trimmed,
        };
        let numeric = !last.is_empty()
            && (last.iter().all(u8::is_ascii_digit)
                || (last.len() > 1
                    && last[..2].eq_ignore_ascii_case(b"0x")
                    && last[2..].iter().all(u8::is_ascii_hexdigit)));
        (!numeric).then_some(host)
    }
}

/// `user@example.com:8080` → `example.com`, for a validated URI authority.
fn authority_host(authority: &[u8]) -> &[u8] {
    // Most authorities are a host, maybe with a port: one word-wide search
    // for the first `@` or `:` tells. User info (`user:pw@`) may hold
    // either, so an `@` anywhere sends it to the backward search for the
    // last one.
    match ascii::find_either(authority, b'@', b':') {
        None => return authority,
        Some(at) if authority[at] == b':' && authority.first() != Some(&b'[') => {
            if ascii::find_byte(&authority[at..], b'@').is_none() {
                return &authority[..at];
            }
        }
        Some(_) => {}
    }
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
    match ascii::find_byte(host, b':') {
        Some(colon) => &host[..colon],
        None => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Request;

    impl RequestContext {
        fn from_request<B>(req: &Request<B>) -> Self {
            Self::new(req.uri(), req.headers())
        }
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

        for (uri, domain_host) in [
            ("http://127.0.0.1/", None),
            ("http://[::1]:80/", None),
            ("http://10.1/", None),
            ("http://0x7f.1/", None),
            ("http://shop.example.com/", Some("shop.example.com")),
            ("http://1.example.com/", Some("1.example.com")),
            ("http://localhost/", Some("localhost")),
        ] {
            let req = Request::get(uri).body(()).unwrap();
            let ctx = RequestContext::from_request(&req);
            assert_eq!(ctx.domain_host(), domain_host.map(str::as_bytes), "{uri}");
        }

        let long = "a".repeat(300);
        let req = Request::get("/x").header(HOST, long).body(()).unwrap();
        assert_eq!(RequestContext::from_request(&req).host(), None);
    }
}
