//! Reading a `Set-Cookie` line as a browser does (RFC 6265bis section 5.6,
//! as Chromium applies it), on bytes.
//!
//! Two questions matter to the filter: under which name will the browser
//! store this cookie, and will the browser use this line to delete a cookie?
//! Both must be answered exactly like the browser, or a tracker slips
//! through under a name the policy does not recognise. When in doubt the
//! answers are the ones that cannot leak: no name (the line is stripped), not
//! a deletion.

mod date;

pub(crate) use self::date::parse_cookie_date;
#[cfg(feature = "unstable-internals")]
pub(crate) use self::date::parse_general as parse_cookie_date_general;
use crate::ascii::{self, is_ctl, starts_with_ignore_case};
use crate::request::{RequestContext, Scheme};

/// Browsers refuse a cookie whose name and value together exceed this.
const MAX_NAME_VALUE_LEN: usize = 4096;

/// Browsers ignore an attribute whose value exceeds this.
const MAX_ATTRIBUTE_VALUE_LEN: usize = 1024;

/// The name-value pair: everything before the first `;`.
fn name_value_pair(line: &[u8]) -> &[u8] {
    match memchr::memchr(b';', line) {
        Some(end) => &line[..end],
        None => line,
    }
}

/// Splits a name-value pair into trimmed name and value. Without `=`, the
/// name is empty and the whole pair is the value. The same rule reads a
/// `Set-Cookie` line's pair and a `Cookie` header's pairs (RFC 6265bis
/// sections 5.6 and 5.4).
pub(crate) fn split_pair(pair: &[u8]) -> (&[u8], &[u8]) {
    match memchr::memchr(b'=', pair) {
        Some(eq) => (
            ascii::trim_wsp(&pair[..eq]),
            ascii::trim_wsp(&pair[eq + 1..]),
        ),
        None => (&[], ascii::trim_wsp(pair)),
    }
}

/// The name a browser would store the cookie of `line` under, or `None`
/// when the line sets a nameless cookie (`x`, `=x`, `=x=y`) or the name
/// holds a control character (which a browser refuses).
///
/// This is the hot path: it reads only up to the first `;` or `=`.
///
/// ```text
/// "a=b; Path=/"   -> "a"
/// " a \t=b"       -> "a"
/// "a b=c"         -> "a b"
/// "x"             -> None (nameless, value "x")
/// "a\tb=c"        -> None (control character in the name)
/// ```
pub(crate) fn cookie_name(line: &[u8]) -> Option<&[u8]> {
    // The name ends at the first `=`, if no `;` comes before it.
    let end = ascii::find_either(line, b'=', b';')?;
    if line[end] != b'=' {
        return None;
    }
    let name = ascii::trim_wsp(&line[..end]);
    if name.is_empty() || ascii::has_ctl(name) {
        None
    } else {
        Some(name)
    }
}

/// Browsers refuse a cookie name longer than this (with its value).
const MAX_NAME_LEN: usize = MAX_NAME_VALUE_LEN;

/// Why a browser would not store a cookie under `name`, if it would not:
/// the rule [`PolicyBuilder::build`](crate::PolicyBuilder::build) applies to
/// every configured name.
pub(crate) fn name_problem(name: &[u8]) -> Option<&'static str> {
    if name.is_empty() {
        return Some("the name is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return Some("the name is longer than the 4096 bytes a browser stores");
    }
    if ascii::trim_wsp(name).len() != name.len() {
        return Some("a browser trims leading and trailing spaces and tabs from names");
    }
    if name.iter().any(|&b| is_ctl(b)) {
        return Some("a browser refuses names with control characters");
    }
    if name.contains(&b';') || name.contains(&b'=') {
        return Some("a name cannot contain `;` or `=`");
    }
    None
}

/// The attributes after the name-value pair (which is `pair_len` bytes
/// long), untrimmed, in order: the one scan of a line's attributes. Read
/// one with [`split_attribute`].
fn attributes(line: &[u8], pair_len: usize) -> Attributes<'_> {
    Attributes {
        rest: line.get(pair_len + 1..),
    }
}

/// Iterator over a line's attributes. Created by [`attributes`].
struct Attributes<'a> {
    /// What follows the last `;` read, or `None` past the last attribute.
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        Some(match ascii::find_byte(rest, b';') {
            Some(end) => {
                self.rest = Some(&rest[end + 1..]);
                &rest[..end]
            }
            None => {
                self.rest = None;
                rest
            }
        })
    }
}

/// An attribute as trimmed `(name, value)`; `value` is empty when the
/// attribute has no `=`.
fn split_attribute(attribute: &[u8]) -> (&[u8], &[u8]) {
    match ascii::find_byte(attribute, b'=') {
        Some(eq) => (
            ascii::trim_wsp(&attribute[..eq]),
            ascii::trim_wsp(&attribute[eq + 1..]),
        ),
        None => (ascii::trim_wsp(attribute), &[][..]),
    }
}

/// Whether a browser would delete a cookie with `line`.
///
/// Most lines the filter asks about are trackers with a long `Max-Age`, so
/// it first reads only the expiry attributes and goes on to the full parse
/// only for a line that does expire.
///
/// `now` (seconds since the Unix epoch) is called only when an `Expires`
/// date decides, which spares most lines a clock read.
pub(crate) fn is_deletion(line: &[u8], ctx: &RequestContext, now: impl FnOnce() -> i64) -> bool {
    let (max_age, expires) = expiry_attributes(line);
    if !expiry_deletes(max_age.and_then(max_age_deletes), expires, now) {
        return false;
    }
    let cookie = SetCookie::parse(line);
    !cookie.oversized_attribute && cookie.accepted_by_browser(ctx)
}

/// The values of the last `Max-Age` and the last `Expires` attribute of
/// `line`, as [`SetCookie::parse`] reads them (attributes with an oversized
/// value are ignored), from the same attribute scan.
///
/// This is the deletion check's fast path: most lines it sees are trackers
/// with a long `Max-Age`, which need no full parse. Both names are seven
/// bytes long, so an attribute is split only when it starts with seven
/// bytes that can be one of them, followed by the end of the attribute or
/// `=` after optional whitespace: exactly when [`split_attribute`] would
/// give that key.
fn expiry_attributes(line: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    let mut max_age = None;
    let mut expires = None;
    // A tracker's value is long: `memchr` crosses it in vector steps; the
    // attributes after it are short, for the eight-byte search.
    let Some(pair_len) = memchr::memchr(b';', line) else {
        return (None, None);
    };
    for attribute in attributes(line, pair_len) {
        let attribute = ascii::trim_wsp_start(attribute);
        if attribute.len() < 7 || !matches!(attribute[0] | 0x20, b'm' | b'e') {
            continue;
        }
        let (key, after) = attribute.split_at(7);
        // The seven bytes as one word, with the case bit set only on the
        // letters (so `-` matches only `-`).
        let mut word = [0u8; 8];
        word[..7].copy_from_slice(key);
        let word = u64::from_le_bytes(word);
        let is_max_age = word | 0x0020_2020_0020_2020 == u64::from_le_bytes(*b"max-age\0");
        if !is_max_age && word | 0x0020_2020_2020_2020 != u64::from_le_bytes(*b"expires\0") {
            continue;
        }
        let value = match ascii::trim_wsp_start(after) {
            [] => &[][..],
            [b'=', value @ ..] => ascii::trim_wsp(value),
            _ => continue,
        };
        if value.len() > MAX_ATTRIBUTE_VALUE_LEN {
            continue;
        }
        if is_max_age {
            max_age = Some(value);
        } else {
            expires = Some(value);
        }
    }
    (max_age, expires)
}

/// The expiry rule: the last valid `Max-Age` decides (`<= 0` deletes);
/// without one, the last `Expires` deletes when it is not after `now`
/// (seconds since the Unix epoch). An unparsable date is ignored.
fn expiry_deletes(
    max_age_deletes: Option<bool>,
    expires: Option<&[u8]>,
    now: impl FnOnce() -> i64,
) -> bool {
    match max_age_deletes {
        Some(deletes) => deletes,
        None => expires
            .and_then(parse_cookie_date)
            .is_some_and(|expiry| expiry <= now()),
    }
}

/// A `Set-Cookie` line with its attributes read, for the questions that
/// need more than the name: is it a deletion, would a browser store it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SetCookie<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) value: &'a [u8],
    /// A control character in the value or an attribute: the browser
    /// refuses the whole line.
    has_ctl: bool,
    /// An attribute value over 1024 bytes: the browser ignores that
    /// attribute, and the line never counts as a deletion.
    oversized_attribute: bool,
    /// The last `Max-Age`: `Some(true)` if it is `<= 0`, `None` if absent or
    /// invalid.
    max_age_deletes: Option<bool>,
    /// The last `Expires`, unparsed.
    expires: Option<&'a [u8]>,
    /// The last non-empty `Domain`, without its leading dot.
    domain: Option<&'a [u8]>,
    /// The last `Path` that starts with `/`.
    path: Option<&'a [u8]>,
    secure: bool,
    http_only: bool,
    same_site_none: bool,
    partitioned: bool,
}

impl<'a> SetCookie<'a> {
    /// Reads `line`'s name, value and attributes.
    pub(crate) fn parse(line: &'a [u8]) -> Self {
        let pair = name_value_pair(line);
        let (name, value) = split_pair(pair);
        let mut cookie = SetCookie {
            name,
            value,
            has_ctl: name.iter().chain(value).any(|&b| is_ctl(b)),
            ..SetCookie::default()
        };
        for attribute in attributes(line, pair.len()) {
            let (key, value) = split_attribute(attribute);
            if key.iter().chain(value).any(|&b| is_ctl(b)) {
                cookie.has_ctl = true;
            }
            if value.len() > MAX_ATTRIBUTE_VALUE_LEN {
                cookie.oversized_attribute = true;
                continue;
            }
            cookie.apply(key, value);
        }
        cookie
    }

    /// Records one attribute; the last occurrence of each wins, even when
    /// its value is invalid.
    fn apply(&mut self, key: &'a [u8], value: &'a [u8]) {
        if key.eq_ignore_ascii_case(b"max-age") {
            self.max_age_deletes = max_age_deletes(value);
        } else if key.eq_ignore_ascii_case(b"expires") {
            self.expires = Some(value);
        } else if key.eq_ignore_ascii_case(b"domain") {
            // An empty Domain is ignored: the cookie stays host-only.
            if !value.is_empty() {
                self.domain = Some(value.strip_prefix(b".").unwrap_or(value));
            }
        } else if key.eq_ignore_ascii_case(b"path") {
            self.path = value.starts_with(b"/").then_some(value);
        } else if key.eq_ignore_ascii_case(b"secure") {
            self.secure = true;
        } else if key.eq_ignore_ascii_case(b"httponly") {
            self.http_only = true;
        } else if key.eq_ignore_ascii_case(b"samesite") {
            self.same_site_none = value.eq_ignore_ascii_case(b"none");
        } else if key.eq_ignore_ascii_case(b"partitioned") {
            self.partitioned = true;
        }
    }

    /// Whether a browser would accept this line at all, for a request to
    /// `ctx`'s host and scheme. Checks that need an unknown host or scheme
    /// are skipped.
    pub(crate) fn accepted_by_browser(&self, ctx: &RequestContext) -> bool {
        let name = self.name;
        !self.has_ctl
            && !name.is_empty()
            && name.len() + self.value.len() <= MAX_NAME_VALUE_LEN
            && self.prefix_rules_hold()
            // SameSite=None and Partitioned both require Secure.
            && (self.secure || !(self.same_site_none || self.partitioned))
            && !(self.secure && ctx.scheme == Scheme::Http)
            && match (self.domain, ctx.host()) {
                (Some(domain), Some(host)) => domain_match(host, domain),
                _ => true,
            }
    }

    /// The `__Secure-`, `__Host-`, `__Http-` and `__Host-Http-` name
    /// prefixes, checked ASCII case-insensitively as Chromium does.
    fn prefix_rules_hold(&self) -> bool {
        let name = self.name;
        if starts_with_ignore_case(name, b"__Secure-") && !self.secure {
            return false;
        }
        if starts_with_ignore_case(name, b"__Host-")
            && !(self.secure && self.path == Some(b"/") && self.domain.is_none())
        {
            return false;
        }
        let http = starts_with_ignore_case(name, b"__Http-")
            || starts_with_ignore_case(name, b"__Host-Http-");
        !(http && !(self.secure && self.http_only))
    }

    /// Whether the line makes the cookie expire: the last valid `Max-Age`
    /// is `<= 0`, or, without one, the last `Expires` is not after `now`
    /// (seconds since the Unix epoch).
    pub(crate) fn expires_by(&self, now: i64) -> bool {
        expiry_deletes(self.max_age_deletes, self.expires, || now)
    }

    /// Whether a browser would delete the cookie with this line. Only lines
    /// the browser accepts count, and never one with an oversized
    /// attribute: stripping a genuine deletion only leaves a cookie the
    /// browser already holds, while keeping a false one lets a tracker in.
    #[cfg(any(test, feature = "unstable-internals"))]
    pub(crate) fn is_deletion(&self, ctx: &RequestContext, now: i64) -> bool {
        !self.oversized_attribute && self.accepted_by_browser(ctx) && self.expires_by(now)
    }
}

/// `Max-Age`: an optional sign and ASCII digits only; anything else
/// (`0.5`, `0x0`, `1e3`, empty) is invalid and ignored.
fn max_age_deletes(value: &[u8]) -> Option<bool> {
    let (negative, digits) = match value {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, value),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(negative || digits.iter().all(|&d| d == b'0'))
}

/// RFC 6265 section 5.1.3: the host equals the domain, or ends with `.`
/// and the domain and is not an IP address.
pub(crate) fn domain_match(host: &[u8], domain: &[u8]) -> bool {
    if host.eq_ignore_ascii_case(domain) {
        return true;
    }
    let is_ip = host.starts_with(b"[") || host.iter().all(|b| b.is_ascii_digit() || *b == b'.');
    !is_ip
        && host.len() > domain.len()
        && host[host.len() - domain.len() - 1] == b'.'
        && host[host.len() - domain.len()..].eq_ignore_ascii_case(domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_a_browser_reads_them() {
        let name = |line: &[u8]| cookie_name(line).map(<[u8]>::to_vec);
        assert_eq!(name(b"a=b; Path=/"), Some(b"a".to_vec()));
        assert_eq!(name(b" a \t=b"), Some(b"a".to_vec()));
        assert_eq!(name(b"a b=c"), Some(b"a b".to_vec()));
        assert_eq!(name(b"a=1, b=2"), Some(b"a".to_vec()));
        assert_eq!(name(b"\xc2\xa0a=b"), Some(b"\xc2\xa0a".to_vec()));
        assert_eq!(name(b"x"), None);
        assert_eq!(name(b"=x=y"), None);
        assert_eq!(name(b"a; b=c"), None);
        assert_eq!(name(b";a=b"), None);
        assert_eq!(name(b""), None);
        assert_eq!(name(b"a\tb=c"), None);
        assert_eq!(name(b"a\x01b=c"), None);
    }

    #[test]
    fn max_age() {
        assert_eq!(max_age_deletes(b"0"), Some(true));
        assert_eq!(max_age_deletes(b"-1"), Some(true));
        assert_eq!(max_age_deletes(b"+0"), Some(true));
        assert_eq!(max_age_deletes(b"-0"), Some(true));
        assert_eq!(max_age_deletes(b"000"), Some(true));
        assert_eq!(max_age_deletes(b"-99999999999999999999999"), Some(true));
        assert_eq!(max_age_deletes(b"100"), Some(false));
        for invalid in [
            &b""[..],
            b"0.5",
            b"0x0",
            b"1e3",
            b"0abc",
            b"-",
            b"+",
            b" 0",
            b"--1",
        ] {
            assert_eq!(max_age_deletes(invalid), None, "{invalid:?}");
        }
    }

    #[test]
    fn deletions() {
        let ctx = RequestContext::UNKNOWN;
        let deletes = |line: &[u8]| SetCookie::parse(line).is_deletion(&ctx, 1_700_000_000);
        assert!(deletes(b"a=; Max-Age=0"));
        assert!(deletes(b"a=b; max-age=-1"));
        assert!(deletes(b"a=b; Max-Age=100; Max-Age=0"));
        assert!(!deletes(b"a=b; Max-Age=0; Max-Age=100"));
        // An invalid last Max-Age does not fall back to an earlier one.
        assert!(!deletes(b"a=b; Max-Age=0; Max-Age=abc"));
        assert!(deletes(b"a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
        assert!(!deletes(b"a=b; Expires=Thu, 01 Jan 2099 00:00:00 GMT"));
        assert!(!deletes(b"a=b; Expires=banana"));
        // Max-Age beats Expires, whichever comes first.
        assert!(!deletes(
            b"a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=100"
        ));
        assert!(!deletes(
            b"a=b; Max-Age=100; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        ));
        // Invalid Max-Age is ignored, so Expires decides.
        assert!(deletes(
            b"a=b; Max-Age=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        ));
        // The last Expires wins even if unparsable.
        assert!(!deletes(
            b"a=b; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Expires=x"
        ));
        // Oversized attributes and control characters.
        let long = format!("a=; Max-Age=0; Path=/{}", "p".repeat(1100));
        assert!(!deletes(long.as_bytes()));
        assert!(!deletes(b"a=b\tc; Max-Age=0"));
        assert!(deletes(b"a=\tb\t; Max-Age=0"));
        assert!(!deletes(b"a=b; Max-Age=0; Path=/\x01"));
        // Refused by the browser: no deletion.
        assert!(!deletes(b"__Secure-a=; Max-Age=0"));
        assert!(deletes(b"__Secure-a=; Max-Age=0; Secure"));
        assert!(!deletes(b"a=; Max-Age=0; SameSite=None"));
        assert!(!deletes(b"x"));
    }

    #[test]
    fn the_fast_expiry_scan_reads_like_the_full_parse() {
        let long = format!("a=b; Max-Age=0; Max-Age={}", "1".repeat(1100));
        for line in [
            &b"a=b; Max-Age=0"[..],
            b"a=b;max-age = -1 ;Path=/",
            b"a=b; Max-Agex=0",
            b"a=b; Max-Age x=0",
            b"a=b; Max-Age",
            b"a=b; Max-Age=",
            b"a=b; \tExpires\t=\tThu, 01 Jan 1970 00:00:00 GMT\t",
            b"a=b; Expires=x; Max-Age=5; expires=y",
            b"a=b; Exp=1; M=2; e; m",
            // Only letters fold: a CR (0x0d | 0x20 is `-`) is no `-`.
            b"a=b; Max\rAge=0",
            b"a=b; MAX-AGE=0; Max-Age=1; mAx-AgE=-1",
            b"a=b; EXPIRES=x; eXpIrEs=Thu, 01 Jan 1970 00:00:00 GMT",
            b"a=b; Expire=x; Expiresx=y; Expir\xe5s=z; Max-Agf=0; Nax-Age=0",
            b"a=b",
            b"Max-Age=0",
            b"a=b;",
            long.as_bytes(),
        ] {
            let cookie = SetCookie::parse(line);
            let (max_age, expires) = expiry_attributes(line);
            assert_eq!(
                max_age.and_then(max_age_deletes),
                cookie.max_age_deletes,
                "{line:?}"
            );
            assert_eq!(expires, cookie.expires, "{line:?}");
        }
    }

    #[test]
    fn prefix_rules() {
        let ok = |line: &[u8]| SetCookie::parse(line).accepted_by_browser(&RequestContext::UNKNOWN);
        assert!(ok(b"__Host-a=b; Secure; Path=/"));
        assert!(!ok(b"__Host-a=b; Secure"));
        assert!(!ok(b"__Host-a=b; Secure; Path=/x"));
        assert!(!ok(b"__host-a=b"));
        assert!(!ok(b"__Host-a=b; Secure; Path=/; Domain=example.com"));
        assert!(ok(b"__HOST-a=b; Secure; Path=/"));
        assert!(!ok(b"__SeCuRe-a=b"));
        assert!(ok(b"__Secure-a=b; secure"));
        assert!(!ok(b"__Http-a=b; Secure"));
        assert!(ok(b"__Http-a=b; Secure; HttpOnly"));
        assert!(!ok(b"__Host-Http-a=b; Secure; Path=/"));
        assert!(ok(b"__Host-Http-a=b; Secure; Path=/; HttpOnly"));
        assert!(!ok(b"a=b; Partitioned"));
        assert!(ok(b"a=b; Partitioned; Secure"));
    }

    #[test]
    fn domains() {
        assert!(domain_match(b"www.example.com", b"example.com"));
        assert!(domain_match(b"example.com", b"EXAMPLE.com"));
        assert!(!domain_match(b"badexample.com", b"example.com"));
        assert!(!domain_match(b"example.com", b"www.example.com"));
        assert!(domain_match(b"127.0.0.1", b"127.0.0.1"));
        assert!(!domain_match(b"10.127.0.0.1", b"0.0.1"));
    }
}
