//! The request's cookies: every name-value pair of every `Cookie` header,
//! read without allocating.
//!
//! HTTP/1.1 sends one `Cookie` header with pairs joined by `; `; HTTP/2 may
//! send one header per cookie (RFC 9113 section 8.2.3). Both read the same.

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

use crate::ascii;

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
            current: header_pairs(&[]),
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

/// Iterator over a request's cookie pairs, as `(name, value)`. Created by
/// [`RequestCookies::pairs`].
#[derive(Debug)]
pub(crate) struct CookiePairs<'a> {
    headers: http::header::ValueIter<'a, HeaderValue>,
    current: HeaderPairs<'a>,
}

impl<'a> Iterator for CookiePairs<'a> {
    type Item = Pair<'a>;

    fn next(&mut self) -> Option<Pair<'a>> {
        loop {
            match self.current.next() {
                // `=` alone (no name, no value) holds no cookie.
                Some(pair) if pair.raw == b"=" => {}
                Some(pair) => return Some((pair.name, pair.value())),
                None => self.current = header_pairs(self.headers.next()?.as_bytes()),
            }
        }
    }
}

/// One cookie of a `Cookie` header: the pair's bytes, SP and HTAB trimmed,
/// and its name and value as a browser sends them (RFC 6265bis sections 5.4
/// and 5.6): for a pair without `=` (a nameless cookie), the name is empty
/// and the value is the whole pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawPair<'a> {
    pub(crate) raw: &'a [u8],
    pub(crate) name: &'a [u8],
    /// Where the value starts in `raw`: after the `=`, or 0 for a nameless
    /// cookie. Only the consent cookie's value is read, so it is trimmed
    /// on demand.
    value_start: usize,
}

impl<'a> RawPair<'a> {
    /// The value, SP and HTAB trimmed.
    #[inline]
    pub(crate) fn value(&self) -> &'a [u8] {
        // `raw` has no trailing whitespace.
        ascii::trim_wsp_start(&self.raw[self.value_start..])
    }
}

/// The pairs of one `Cookie` header value, in order, skipping empty ones
/// (`a=1;; b=2`): the one reading of a `Cookie` header, for the consent
/// reader, the request scan, the rewrite that hides cookies and the purge.
#[inline]
pub(crate) fn header_pairs(header: &[u8]) -> HeaderPairs<'_> {
    HeaderPairs { rest: Some(header) }
}

/// Iterator over one `Cookie` header's pairs. Created by [`header_pairs`].
#[derive(Debug, Clone)]
pub(crate) struct HeaderPairs<'a> {
    /// What follows the last `;` read; `None` past the last pair.
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for HeaderPairs<'a> {
    type Item = RawPair<'a>;

    #[inline]
    fn next(&mut self) -> Option<RawPair<'a>> {
        loop {
            let current = self.rest?;
            // Values are long and names short: `memchr` finds the pair's
            // end in vector steps, then the eight-byte search finds the
            // name's `=` near the pair's start.
            let pair = match memchr::memchr(b';', current) {
                Some(end) => {
                    self.rest = Some(&current[end + 1..]);
                    &current[..end]
                }
                None => {
                    self.rest = None;
                    current
                }
            };
            let raw = ascii::trim_wsp(pair);
            if raw.is_empty() {
                continue;
            }
            let (name, value_start) = match ascii::find_byte(raw, b'=') {
                Some(eq) => (ascii::trim_wsp_end(&raw[..eq]), eq + 1),
                None => (&[][..], 0),
            };
            return Some(RawPair {
                raw,
                name,
                value_start,
            });
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

    fn raw_pairs(header: &str) -> Vec<(&str, &str, &str)> {
        header_pairs(header.as_bytes())
            .map(|pair| {
                let text = |bytes| std::str::from_utf8(bytes).unwrap();
                (text(pair.raw), text(pair.name), text(pair.value()))
            })
            .collect()
    }

    #[test]
    fn pairs_keep_their_bytes() {
        assert_eq!(
            raw_pairs("a=1; b = 2 ;;c; =e;f=g=h; \t; = "),
            [
                ("a=1", "a", "1"),
                ("b = 2", "b", "2"),
                ("c", "", "c"),
                ("=e", "", "e"),
                ("f=g=h", "f", "g=h"),
                ("=", "", ""),
            ]
        );
        assert_eq!(raw_pairs(""), []);
        assert_eq!(raw_pairs(";"), []);
        assert_eq!(
            raw_pairs("x=\"a;b\""),
            [("x=\"a", "x", "\"a"), ("b\"", "", "b\"")]
        );
    }

    /// Pairs, names and separators at every offset (across the eight-byte
    /// words of the `=` search) read like a plain split.
    #[test]
    fn pairs_across_windows_read_like_a_split() {
        let plain = |header: &str| -> Vec<(String, String, String)> {
            header
                .split(';')
                .filter_map(|pair| {
                    let raw = pair.trim_matches([' ', '\t']);
                    if raw.is_empty() {
                        return None;
                    }
                    let (name, value) = match raw.split_once('=') {
                        Some((name, value)) => (
                            name.trim_matches([' ', '\t']),
                            value.trim_matches([' ', '\t']),
                        ),
                        None => ("", raw),
                    };
                    Some((raw.to_owned(), name.to_owned(), value.to_owned()))
                })
                .collect()
        };
        let ours = |header: &str| -> Vec<(String, String, String)> {
            raw_pairs(header)
                .into_iter()
                .map(|(raw, name, value)| (raw.to_owned(), name.to_owned(), value.to_owned()))
                .collect()
        };
        for pad in 0..140 {
            for tail in ["a=1; bb = 2;c", "=;;x", "n=v=w; ;", "name"] {
                let header = format!(
                    "{}={}; {tail}; z=9",
                    "k".repeat(pad % 7 + 1),
                    "v".repeat(pad)
                );
                assert_eq!(ours(&header), plain(&header), "{header:?}");
                let header = format!("{}{tail}{}", " ".repeat(pad), ";".repeat(pad % 3));
                assert_eq!(ours(&header), plain(&header), "{header:?}");
            }
        }
        let long = "x".repeat(300);
        assert_eq!(ours(&long), plain(&long));
        let long = format!("{}={}", "y".repeat(130), "=".repeat(130));
        assert_eq!(ours(&long), plain(&long));
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
