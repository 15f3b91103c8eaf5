//! Helpers shared by the integration tests. Each test binary uses a subset.
#![allow(dead_code, unreachable_pub)]

pub mod server;

use std::convert::Infallible;

use http::{header, HeaderMap, HeaderValue, Request, Response, Uri};
use tower::{service_fn, Layer, Service, ServiceExt};
use tower_cookie_consent::{CookieConsentLayer, Policy};

/// The policy most tests use: the seed policy's necessary cookies, Matomo
/// statistics, Hotjar/HubSpot marketing.
pub fn seed_policy() -> Policy {
    Policy::builder()
        .necessary(["sessionid", "csrftoken", "django_language"])
        .category("statistics", ["_pk_id*", "_pk_ses*"])
        .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
        .build()
        .expect("valid policy")
}

/// `policy` with request-side hiding and purge turned off: only the
/// `Set-Cookie` filter, for the suites that check it alone.
pub fn filter_only(policy: Policy) -> Policy {
    let mut builder = Policy::builder()
        .consent_cookie(policy.consent_cookie())
        .necessary(policy.necessary().iter().cloned())
        .unknown_cookies(policy.unknown_cookies())
        .purge(false)
        .strip_request_cookies(false);
    for category in policy.categories() {
        let cookies = policy.category_cookies(category).unwrap_or_default();
        builder = builder.category(category, cookies.iter().cloned());
    }
    builder.build().expect("a policy rebuilt from a valid one")
}

/// A service that answers every request with `set_cookies` as `Set-Cookie`
/// headers (raw bytes, in order) plus an `x-other: kept` header.
pub fn app_setting(
    set_cookies: Vec<Vec<u8>>,
) -> impl Service<Request<()>, Response = Response<&'static str>, Error = Infallible> + Clone {
    service_fn(move |_req: Request<()>| {
        let set_cookies = set_cookies.clone();
        async move {
            let mut res = Response::new("body");
            res.headers_mut()
                .insert("x-other", HeaderValue::from_static("kept"));
            for line in set_cookies {
                res.headers_mut().append(
                    header::SET_COOKIE,
                    HeaderValue::from_bytes(&line)
                        .expect("test Set-Cookie must be a valid header value"),
                );
            }
            Ok(res)
        }
    })
}

/// Runs one request with the given `Cookie` header values through the layer
/// in front of [`app_setting`], and returns the `Set-Cookie` values kept.
pub async fn kept(policy: &Policy, cookies: &[&str], set_cookies: &[&str]) -> Vec<String> {
    let app = app_setting(set_cookies.iter().map(|s| s.as_bytes().to_vec()).collect());
    let svc = CookieConsentLayer::new(policy.clone()).layer(app);
    let mut req = Request::builder().uri("/");
    for cookie in cookies {
        req = req.header(header::COOKIE, *cookie);
    }
    let res = svc.oneshot(req.body(()).unwrap()).await.unwrap();
    set_cookie_strings(res.headers())
}

/// The `Set-Cookie` values of `headers`, in order, lossily as text.
pub fn set_cookie_strings(headers: &http::HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// Polls `future` once and returns its output: the layer adds no waiting
/// of its own, so in front of an inner service that answers at once, the
/// response is ready on the first poll. Panics if it is not.
pub fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the service was not ready on the first poll"),
    }
}

/// The name a browser stores a `Set-Cookie` line under, as the conformance
/// README states Chromium's rule (RFC 6265bis 5.6): everything before the
/// first `=` of the part before the first `;`, SP/HTAB trimmed; empty
/// without `=`. An oracle written apart from the crate's scanner.
pub fn browser_name(line: &[u8]) -> &[u8] {
    let pair = line.split(|&b| b == b';').next().unwrap_or_default();
    let Some(eq) = pair.iter().position(|&b| b == b'=') else {
        return &[];
    };
    let mut name = &pair[..eq];
    while let [b' ' | b'\t', rest @ ..] = name {
        name = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = name {
        name = rest;
    }
    name
}

/// Seconds since the Unix epoch, for the deletion checks.
pub fn unix_now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    i64::try_from(secs).expect("seconds fit in i64")
}

/// The name a browser stores a `Set-Cookie` line under, as the layer reads
/// it.
pub fn set_cookie_name(line: &[u8]) -> Option<&[u8]> {
    tower_cookie_consent::internals::cookie_name(line)
}

/// Whether the layer takes `line` for a deletion when the request's host
/// and scheme are unknown, at `now` (seconds since the Unix epoch).
pub fn set_cookie_is_deletion(line: &[u8], now: i64) -> bool {
    tower_cookie_consent::internals::is_deletion(line, &Uri::default(), &HeaderMap::new(), now)
}
