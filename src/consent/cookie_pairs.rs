//! The request's cookies: every name-value pair of every `Cookie` header,
//! read without allocating.
//!
//! HTTP/1.1 sends one `Cookie` header with pairs joined by `; `; HTTP/2 may
//! send one header per cookie (RFC 9113 section 8.2.3). Both read the same.

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

use crate::ascii;
use crate::set_cookie::split_pair;

/// One cookie as the request carries it: the name and the value, with SP
/// and HTAB trimmed from both (RFC 6265bis section 5.6). A pair without
/// `=` has an empty name, as browsers send a nameless cookie.
pub(crate) type Pair<'a> = (&'a [u8], &'a [u8]);

/// The `Cookie` headers of a request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestCookies<'a> {
    headers: &'a HeaderMap,
}

impl<'a> RequestCookies<'a> {
    pub(crate) fn new(headers: &'a HeaderMap) -> Self {
        Self { headers }
    }

    /// Every pair of every `Cookie` header, in order.
    pub(crate) fn pairs(&self) -> CookiePairs<'a> {
        CookiePairs {
            headers: self.headers.get_all(COOKIE).iter(),
            rest: &[],
        }
    }

    /// The values of every cookie called `name`, in order. `finder` searches
    /// for `name`.
    ///
    /// Searching for the name with `memmem` and checking its boundaries
    /// reads the same pairs as [`pairs`](Self::pairs), because a cookie name
    /// holds no `;` or `=`, and skips the other cookies at memchr speed: this
    /// runs on every request.
    pub(crate) fn values_of(
        &self,
        name: &'a [u8],
        finder: &'a memchr::memmem::Finder<'static>,
    ) -> ValuesOf<'a> {
        ValuesOf {
            headers: self.headers.get_all(COOKIE).iter(),
            header: &[],
            from: 0,
            name_len: name.len(),
            finder,
        }
    }
}

/// Iterator over the values of one cookie name. Created by
/// [`RequestCookies::values_of`].
#[derive(Debug)]
pub(crate) struct ValuesOf<'a> {
    headers: http::header::ValueIter<'a, HeaderValue>,
    header: &'a [u8],
    /// Where the next search in `header` starts.
    from: usize,
    name_len: usize,
    finder: &'a memchr::memmem::Finder<'static>,
}

impl<'a> Iterator for ValuesOf<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            // `find` in a loop rather than `find_iter`: the iterator's
            // set-up costs more than the search in a header of a few
            // hundred bytes.
            match self.finder.find(&self.header[self.from..]) {
                Some(found) => {
                    let start = self.from + found;
                    self.from = start + 1;
                    if let Some(value) = pair_value(self.header, start, self.name_len) {
                        return Some(value);
                    }
                }
                None => {
                    self.header = self.headers.next()?.as_bytes();
                    self.from = 0;
                }
            }
        }
    }
}

/// Iterator over a request's cookie pairs. Created by
/// [`RequestCookies::pairs`].
#[derive(Debug)]
pub(crate) struct CookiePairs<'a> {
    headers: http::header::ValueIter<'a, HeaderValue>,
    rest: &'a [u8],
}

impl<'a> Iterator for CookiePairs<'a> {
    type Item = Pair<'a>;

    fn next(&mut self) -> Option<Pair<'a>> {
        loop {
            while self.rest.is_empty() {
                self.rest = self.headers.next()?.as_bytes();
            }
            let (pair, rest) = match memchr::memchr(b';', self.rest) {
                Some(end) => (&self.rest[..end], &self.rest[end + 1..]),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            let (name, value) = split_pair(pair);
            // `a=1;; b=2` and a trailing `;` hold empty pairs: no cookie.
            if !(name.is_empty() && value.is_empty()) {
                return Some((name, value));
            }
        }
    }
}

/// If the name found at `start..start + len` is a whole cookie name (the
/// trimmed text between a `;` and the first `=` of a pair), the pair's
/// value, trimmed.
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
    Some(ascii::trim_wsp(&rest[..end]))
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
        assert_eq!(pair_value(h, 2, 19), Some(&b"all"[..]));
        let h = b"cookies_preferences";
        assert_eq!(pair_value(h, 0, 19), None);
        let h = b"cookies_preferencesx=all";
        assert_eq!(pair_value(h, 0, 19), None);
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append(COOKIE, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn pairs_of_every_header_in_order() {
        let map = headers(&["a=1; b = 2 ;;c", "d=; =e", "", "f=g=h;"]);
        let pairs: Vec<_> = RequestCookies::new(&map).pairs().collect();
        assert_eq!(
            pairs,
            [
                (&b"a"[..], &b"1"[..]),
                (b"b", b"2"),
                (b"", b"c"),
                (b"d", b""),
                (b"", b"e"),
                (b"f", b"g=h"),
            ]
        );
        assert_eq!(RequestCookies::new(&HeaderMap::new()).pairs().count(), 0);
    }

    #[test]
    fn values_of_reads_like_pairs() {
        let map = headers(&["xc=0; c=1; c =2;c", "a=c=3; c=4", "c", "cc=5; c= 6 "]);
        let finder = memchr::memmem::Finder::new(b"c").into_owned();
        let cookies = RequestCookies::new(&map);
        let fast: Vec<_> = cookies.values_of(b"c", &finder).collect();
        let slow: Vec<_> = cookies
            .pairs()
            .filter(|(name, _)| *name == b"c")
            .map(|(_, value)| value)
            .collect();
        assert_eq!(fast, [&b"1"[..], b"2", b"4", b"6"]);
        assert_eq!(fast, slow);
    }
}
