//! Helpers shared by the integration tests. Each test binary uses a subset.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;

use http::{header, HeaderValue, Request, Response};
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

/// A service that answers every request with `set_cookies` as `Set-Cookie`
/// headers (raw bytes, in order) plus an `x-other: kept` header.
pub fn app_setting(
    set_cookies: Vec<Vec<u8>>,
) -> impl Service<Request<()>, Response = Response<&'static str>, Error = Infallible> + Clone {
    service_fn(move |_req: Request<()>| {
        let set_cookies = set_cookies.clone();
        async move {
            let mut res = Response::new("body");
            res.headers_mut().insert("x-other", HeaderValue::from_static("kept"));
            for line in set_cookies {
                res.headers_mut().append(
                    header::SET_COOKIE,
                    HeaderValue::from_bytes(&line).expect("test Set-Cookie must be a valid header value"),
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
