//! Purging: the last stage of the pipeline appends deletion lines for the
//! cookies the request carried in a category the deciding consent does
//! not grant.
//!
//! The `Cookie` header carries no attributes, so the server cannot tell
//! whether the browser holds a cookie host-only or under a `Domain`, and a
//! host-only deletion does not remove a `Domain` cookie. So each name gets
//! a host-only deletion and one for the domain that could hold it: the
//! policy entry's `domain`, else the registrable domain of the request's
//! host by the Public Suffix List (analytics scripts set `_ga` and `_pk_*`
//! there). A deletion only works when the browser accepts it for the same
//! name, domain and path, so every line follows the browser's rules for
//! the name's prefix and never plants a cookie: an empty value, expired.

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};
use smallvec::SmallVec;

use crate::consent::header_pairs;
use crate::observe::Observer;
use crate::policy::{Class, CookieEntry, Grants, Policy};
use crate::request::{RequestContext, Scheme};
use crate::set_cookie::{cookie_name, domain_match, name_problem};

/// What every deletion line says after the name: an empty value that
/// expires at once, by both attributes a browser may read.
const EXPIRED: &[u8] = b"=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=";
const DOMAIN: &[u8] = b"; Domain=";
const SECURE: &[u8] = b"; Secure";

/// Appends deletion lines for every cookie in `carried` (the request's
/// `Cookie` header values) of a category `granted` leaves out, at most the
/// policy's purge limit of names. Never for a necessary cookie, the consent
/// cookie, a name the policy does not list, or a name a line of the
/// response (as filtered) already sets or deletes. Runs after
/// [`filter_set_cookies`](super::filter_set_cookies).
pub(crate) fn purge(
    headers: &mut HeaderMap,
    policy: &Policy,
    granted: Grants,
    ctx: &RequestContext,
    carried: &[HeaderValue],
    observer: &Observer,
) {
    let limit = policy.purge_limit();
    let registrable = registrable_domain(ctx);
    let mut purged: SmallVec<[&[u8]; 8]> = SmallVec::new();
    let mut lines: SmallVec<[HeaderValue; 8]> = SmallVec::new();
    let pairs = carried
        .iter()
        .flat_map(|value| header_pairs(value.as_bytes()));
    for pair in pairs {
        if purged.len() >= limit {
            // The rest is purged by the next responses: the browser keeps
            // sending those cookies until then.
            break;
        }
        let name = pair.name;
        let Some(found) = policy.classify(name) else {
            continue;
        };
        let Class::Category(index) = found.class else {
            continue;
        };
        if granted.contains(usize::from(index))
            || purged.contains(&name)
            || response_sets(headers, name)
        {
            continue;
        }
        let entry = policy.entry(found.entry);
        let added = deletions(name, entry, ctx, registrable, &mut lines);
        if added > 0 {
            purged.push(name);
            observer.purged(found, added);
            crate::trace::debug_event!(
                cookie = %crate::trace::Bytes(name),
                category = policy.class_name(found.class),
                lines = added,
                reason = "category not granted",
                "purged a request cookie"
            );
        }
    }
    for line in lines {
        headers.append(SET_COOKIE, line);
    }
}

/// Whether a `Set-Cookie` line of the response sets or deletes `name`.
/// Only lines the filter kept are left: a stripped line sets nothing.
fn response_sets(headers: &HeaderMap, name: &[u8]) -> bool {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .any(|line| cookie_name(line.as_bytes()) == Some(name))
}

/// The registrable domain of the request's host (`shop.example.co.uk` ->
/// `example.co.uk`), or `None` when no `Domain` deletion may be sent: the
/// host is unknown, an IP address, itself a public suffix, or holds bytes
/// no domain name has (a `Host` header is not validated like a URI).
fn registrable_domain(ctx: &RequestContext) -> Option<&[u8]> {
    let host = ctx.domain_host()?;
    if !host.iter().all(|&b| is_domain_byte(b)) {
        return None;
    }
    psl::domain(host).map(|domain| domain.as_bytes())
}

/// The bytes of a domain name as a `Domain` attribute may carry them:
/// letters, digits, `-`, `.`, and `_`, which some internal names use.
fn is_domain_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_')
}

/// Pushes the deletion lines for `name`, which `entry` matched, and says
/// how many. None when a browser would refuse them, which
/// would only waste bytes: a `__Secure-` or `__Host-` name on an `http`
/// request, a name copied from the request that the policy builder would
/// refuse, or a path that would break the line.
fn deletions(
    name: &[u8],
    entry: &CookieEntry,
    ctx: &RequestContext,
    registrable: Option<&[u8]>,
    lines: &mut SmallVec<[HeaderValue; 8]>,
) -> usize {
    // An exact entry's name is the policy's own string; a prefix entry's
    // is the request's, which must be a name the builder would accept, so
    // that it cannot carry an attribute or a line of its own.
    let name: &[u8] = if entry.is_prefix() {
        if name_problem(name).is_some() {
            return 0;
        }
        name
    } else {
        entry.pattern().as_bytes()
    };
    // RFC 6265bis section 4.1.3: prefixed names need `Secure` (and
    // `__Host-` a root path and no domain) or the browser refuses the
    // line. The prefixes are compared case-sensitively, and no deletion
    // line carries `HttpOnly`, `SameSite` or `Partitioned`: the project's
    // rulings for the lines the layer adds.
    let host_prefixed = name.starts_with(b"__Host-");
    let secure = host_prefixed || name.starts_with(b"__Secure-");
    if secure && ctx.scheme == Scheme::Http {
        return 0;
    }
    let path = match entry.path() {
        Some(path) if !host_prefixed => path.as_bytes(),
        _ => b"/",
    };
    if path.iter().any(|&b| b == b';' || crate::ascii::is_ctl(b)) {
        return 0;
    }
    let domain = if host_prefixed {
        None
    } else {
        match entry.domain() {
            Some(domain) => entry_domain(domain.as_bytes(), ctx, registrable),
            None => registrable,
        }
    };
    let before = lines.len();
    let line = |domain: Option<&[u8]>| {
        // The exact length, so that the header value takes the buffer as
        // it is instead of allocating again.
        let len = name.len()
            + EXPIRED.len()
            + path.len()
            + domain.map_or(0, |domain| DOMAIN.len() + domain.len())
            + if secure { SECURE.len() } else { 0 };
        let mut line = Vec::with_capacity(len);
        line.extend_from_slice(name);
        line.extend_from_slice(EXPIRED);
        line.extend_from_slice(path);
        if let Some(domain) = domain {
            line.extend_from_slice(DOMAIN);
            line.extend_from_slice(domain);
        }
        if secure {
            line.extend_from_slice(SECURE);
        }
        HeaderValue::try_from(line).ok()
    };
    // Host-only first, then the domain: a host that is its own
    // registrable domain (`example.com`) still gets both, since a
    // `Domain=example.com` cookie is not the host-only one.
    lines.extend(line(None));
    if let Some(domain) = domain {
        lines.extend(line(Some(domain)));
    }
    lines.len() - before
}

/// The policy entry's `domain` as a deletion may use it (without a leading
/// dot, which browsers ignore), or `None` when a browser would refuse it
/// for this request: the host is unknown, an IP address or a public
/// suffix, or the domain does not cover the host or is wider than its
/// registrable domain.
fn entry_domain<'a>(
    domain: &'a [u8],
    ctx: &RequestContext,
    registrable: Option<&[u8]>,
) -> Option<&'a [u8]> {
    let registrable = registrable?;
    let host = ctx.domain_host()?;
    let domain = domain.strip_prefix(b".").unwrap_or(domain);
    let usable = !domain.is_empty()
        && domain.iter().all(|&b| is_domain_byte(b))
        && domain.len() >= registrable.len()
        && domain_match(host, domain);
    usable.then_some(domain)
}
