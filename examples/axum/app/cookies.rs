//! The cookies this shop sets and reads: the tracker lines its pages send
//! whatever the visitor chose, the deletions, and how a `Cookie` header is
//! read. The consent cookie is the banner's: see `consent_writers`.

use axum::http::{header, HeaderMap};
use cookie::Cookie;

/// What Matomo's tracker sets on the shop's own host, for site 1: the
/// suffix is Matomo's hash of the cookie domain.
const MATOMO_HOST: &[&str] = &[
    "_pk_id.1.1fff=5b7c3e2f1a9d8c4b.1763900000; Path=/; Max-Age=33696000; SameSite=Lax",
    "_pk_ses.1.1fff=1; Path=/; Max-Age=1800; SameSite=Lax",
];

/// What a second Matomo tracker sets when it counts visitors across every
/// subdomain of the shop (Matomo's `setCookieDomain('*.shop.example')`):
/// the same cookies, for the whole domain. `{domain}` is filled in per
/// request.
const MATOMO_DOMAIN: &[&str] = &[
    "_pk_id.2.5e3a=9a1f0c7d2b4e6f81.1763900000; Path=/; Domain={domain}; Max-Age=33696000; SameSite=Lax",
    "_pk_ses.2.5e3a=1; Path=/; Domain={domain}; Max-Age=1800; SameSite=Lax",
];

/// Hotjar keeps its visitor id on the host.
const HOTJAR: &[&str] =
    &["_hjid=2f1c6a9e-7b4d-4e8a-9c3f-5d2b1a0e8f7c; Path=/; Max-Age=31536000; SameSite=Lax"];

/// HubSpot, and a Meta pixel that the cookie policy does not declare, set
/// their cookies on the whole domain when there is one.
const HUBSPOT_AND_META: &[&str] = &[
    "hubspotutk=7d9e2c4b1a3f5e6d8c0b2a4f6e8d0c1b; Path=/;{domain_attr} Max-Age=33696000; SameSite=Lax",
    "__hstc=1.7d9e2c4b.1763900000.1763900000.1763900000.1; Path=/;{domain_attr} Max-Age=33696000; SameSite=Lax",
    "__hssc=1.1.1763900000; Path=/;{domain_attr} Max-Age=1800; SameSite=Lax",
    "__hssrc=1; Path=/;{domain_attr} SameSite=Lax",
    "_fbp=fb.1.1763900000000.1116446470; Path=/;{domain_attr} Max-Age=7776000; SameSite=Lax",
];

/// The undeclared cookie among [`marketing_lines`]: the layer strips it
/// whatever the visitor chose.
pub const UNDECLARED: &str = "_fbp";

/// The `Set-Cookie` lines of the Teas page: Matomo's cookies for the host,
/// and for `domain` when the host has one.
pub fn statistics_lines(domain: Option<&str>) -> Vec<String> {
    let mut lines: Vec<String> = MATOMO_HOST.iter().map(|l| (*l).to_owned()).collect();
    if let Some(domain) = domain {
        lines.extend(MATOMO_DOMAIN.iter().map(|l| l.replace("{domain}", domain)));
    }
    lines
}

/// The `Set-Cookie` lines of the Offers page: Hotjar on the host, HubSpot
/// and the Meta pixel on `domain` (or the host when there is none).
pub fn marketing_lines(domain: Option<&str>) -> Vec<String> {
    let domain_attr = domain.map_or(String::new(), |d| format!(" Domain={d};"));
    HOTJAR
        .iter()
        .map(|l| (*l).to_owned())
        .chain(
            HUBSPOT_AND_META
                .iter()
                .map(|l| l.replace("{domain_attr}", &domain_attr)),
        )
        .collect()
}

/// The domain the shop's trackers share their cookies on: the host without
/// its first label (`www.shop.example.test` → `shop.example.test`), when the
/// host is a name of at least three labels.
///
/// A real site configures its cookie domain; the demo derives it so that it
/// works under whatever name it is visited. IP addresses and two-label names
/// (`localhost`, `shop.localhost`) get host-only cookies only: a browser
/// refuses a `Domain` that is an IP address or a bare top-level name.
pub fn site_domain(host: &str) -> Option<String> {
    if host.parse::<std::net::Ipv4Addr>().is_ok() {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let valid = labels.len() >= 3
        && labels.iter().all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        });
    valid.then(|| labels[1..].join("."))
}

/// The request's host name, lowercase and without the port: from the
/// `Host` header (HTTP/1.1) or the URI's authority (HTTP/2).
pub fn request_host(headers: &HeaderMap, uri: &axum::http::Uri) -> Option<String> {
    let host = match uri.host() {
        Some(host) => host.to_owned(),
        None => {
            let value = headers.get(header::HOST)?.to_str().ok()?;
            value
                .rsplit_once(':')
                .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                .map_or(value, |(host, _)| host)
                .to_owned()
        }
    };
    Some(host.to_ascii_lowercase())
}

/// The lines that delete `name`: one for a host-only cookie and, when the
/// shop has a domain, one for a cookie set on it.
///
/// A `Cookie` header carries names and values only, so the server cannot
/// tell which of the two the browser holds; a browser deletes a cookie only
/// with a line whose `Domain` matches the one it was set with, and ignores a
/// deletion of a cookie it does not have.
pub fn deletion_lines(name: &str, domain: Option<&str>) -> Vec<String> {
    let mut lines = vec![Cookie::build((name.to_owned(), ""))
        .path("/")
        .removal()
        .build()
        .to_string()];
    if let Some(domain) = domain {
        lines.push(
            Cookie::build((name.to_owned(), ""))
                .path("/")
                .domain(domain.to_owned())
                .removal()
                .build()
                .to_string(),
        );
    }
    lines
}

/// The cookies of every `Cookie` header (HTTP/2 may split them), as
/// `(name, value)`. A pair without `=` is a nameless cookie, as browsers
/// read it.
pub fn request_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut cookies = Vec::new();
    for header in headers.get_all(header::COOKIE) {
        for pair in String::from_utf8_lossy(header.as_bytes()).split(';') {
            let (name, value) = pair.split_once('=').unwrap_or(("", pair));
            let (name, value) = (name.trim(), value.trim());
            if !name.is_empty() || !value.is_empty() {
                cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }
    cookies
}

/// The name a browser stores a `Set-Cookie` line under (RFC 6265bis 5.6):
/// before the first `=` of the part before the first `;`, trimmed.
pub fn set_cookie_name(line: &str) -> &str {
    let pair = line.split(';').next().unwrap_or_default();
    pair.split_once('=').map_or("", |(name, _)| name.trim())
}

/// The attributes of a `Set-Cookie` line: everything after its first `;`.
pub fn set_cookie_attributes(line: &str) -> &str {
    line.split_once(';').map_or("", |(_, attrs)| attrs.trim())
}
