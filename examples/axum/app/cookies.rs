//! The cookies this shop sets and reads: the tracker lines its pages send
//! whatever the visitor chose, and how a `Cookie` header is read. It
//! deletes none itself: on withdrawal the consent layer does (`purge`). The consent cookie is the banner's: see `consent_writers`.

use axum::http::{header, HeaderMap};

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

/// The domain the shop's trackers share their cookies on: the registrable
/// domain of the host, by the Public Suffix List (`www.shop.example.co.uk`
/// → `example.co.uk`; a name under a suffix the list does not know, such as
/// `.test` or `.localhost`, counts its last label as the suffix:
/// `www.shop.example.test` → `example.test`). This is what Google
/// Analytics' `cookie_domain: 'auto'` and Matomo's
/// `setCookieDomain('*.example.com')` pick, and the domain the consent layer
/// purges `Domain` cookies under.
///
/// IP addresses and hosts that are themselves a public suffix (`localhost`)
/// get host-only cookies only: a browser refuses a `Domain` there.
pub fn site_domain(host: &str) -> Option<String> {
    if host.parse::<std::net::IpAddr>().is_ok() || host.starts_with('[') {
        return None;
    }
    psl::domain_str(host).map(str::to_owned)
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
