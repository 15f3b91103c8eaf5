//! Revocation over real TCP, judged by a client's cookie jar: a visitor on
//! `www.shop.example.test` (mapped to 127.0.0.1 in the client) accepts
//! statistics, gets the statistics cookies, withdraws, and ends with none
//! in the jar, whether the cookies were set host-only or under
//! `Domain=shop.example.test`. The application never sees a statistics
//! cookie once consent is withdrawn.

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::server::serve;
use http::header::{COOKIE, SET_COOKIE};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use reqwest::cookie::{CookieStore, Jar};
use tower::{service_fn, Layer};
use tower_cookie_consent::{CookieConsentLayer, CookieEntry, Policy};

const HOST: &str = "www.shop.example.test";

/// The shop: `/consent?<value>` records the visitor's choice, `/page` sets
/// Matomo's cookies (with `domain` when given) and answers with the
/// `Cookie` header it received.
fn shop(
    domain: Option<&'static str>,
) -> impl tower::Service<
    Request<Incoming>,
    Response = Response<Full<Bytes>>,
    Error = Infallible,
    Future = impl Send,
> + Clone
       + Send
       + 'static {
    service_fn(move |req: Request<Incoming>| async move {
        let seen = req
            .headers()
            .get_all(COOKIE)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join("\n");
        let mut res = Response::new(Full::new(Bytes::from(seen)));
        let attributes = match domain {
            Some(domain) => format!("; Path=/; Max-Age=3600; Domain={domain}"),
            None => "; Path=/; Max-Age=3600".to_owned(),
        };
        let lines: Vec<String> = match req.uri().path() {
            "/consent" => {
                let value = req.uri().query().unwrap_or_default();
                vec![format!("cookies_preferences={value}; Path=/; Max-Age=3600")]
            }
            "/page" => vec![
                format!("_pk_id.1.a2f3=3c2b1a0f9e8d7c6b{attributes}"),
                format!("_pk_ses.1.a2f3=1{attributes}"),
            ],
            _ => Vec::new(),
        };
        for line in lines {
            res.headers_mut()
                .append(SET_COOKIE, line.parse().expect("a valid line"));
        }
        Ok::<_, Infallible>(res)
    })
}

fn policy(domain: Option<&'static str>) -> Policy {
    let entry = |name: &'static str| match domain {
        Some(domain) => CookieEntry::new(name).with_domain(domain),
        None => CookieEntry::new(name),
    };
    Policy::builder()
        .category("statistics", [entry("_pk_id*"), entry("_pk_ses*")])
        .build()
        .expect("valid policy")
}

/// The `Cookie` header the jar would send to `url`.
fn jar_cookies(jar: &Jar, url: &str) -> String {
    let url = url.parse().expect("a valid URL");
    jar.cookies(&url)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

async fn visit(domain: Option<&'static str>) {
    let server = serve(CookieConsentLayer::new(policy(domain)).layer(shop(domain))).await;
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .resolve(HOST, server.addr)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("a client");
    let base = format!("http://{HOST}:{}", server.addr.port());
    let get = |path: &str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        async move {
            let res = client.get(url).send().await.expect("a response");
            assert!(res.status().is_success());
            res.text().await.expect("a body")
        }
    };
    let urls = [format!("{base}/"), "http://shop.example.test/".to_owned()];
    let statistics_in_jar = |jar: &Jar| {
        urls.iter()
            .any(|url| jar_cookies(jar, url).contains("_pk_"))
    };

    // First visit: no consent, the page's trackers are stripped.
    get("/page").await;
    assert!(!statistics_in_jar(&jar), "{}", jar_cookies(&jar, &urls[0]));

    // Accept statistics: the page's cookies reach the jar, and the app.
    get("/consent?statistics").await;
    get("/page").await;
    let in_jar = jar_cookies(&jar, &urls[0]);
    assert!(
        in_jar.contains("_pk_id.1.a2f3=") && in_jar.contains("_pk_ses.1.a2f3="),
        "{in_jar}"
    );
    if domain.is_some() {
        // Set under the domain: the parent host sees them too.
        assert!(jar_cookies(&jar, &urls[1]).contains("_pk_id.1.a2f3="));
    }
    let seen = get("/").await;
    assert!(seen.contains("_pk_id.1.a2f3="), "{seen}");

    // Withdraw: the very response deletes them.
    get("/consent?%5B%5D").await;
    assert!(!statistics_in_jar(&jar), "{}", jar_cookies(&jar, &urls[0]));
    // The page sets them again: stripped; the app sees none.
    let seen = get("/page").await;
    assert!(!seen.contains("_pk_"), "{seen}");
    assert!(!statistics_in_jar(&jar), "{}", jar_cookies(&jar, &urls[0]));
    assert!(jar_cookies(&jar, &urls[0]).contains("cookies_preferences=%5B%5D"));
}

#[tokio::test]
async fn withdrawing_empties_the_jar_of_host_only_cookies() {
    visit(None).await;
}

#[tokio::test]
async fn withdrawing_empties_the_jar_of_domain_cookies() {
    visit(Some("shop.example.test")).await;
}

/// A browser keeps sending a cookie the layer could not delete at once (a
/// purge limit, a cookie set by another page): the next request with it
/// deletes it, and the application never sees it.
#[tokio::test]
async fn a_cookie_still_in_the_jar_is_deleted_by_the_next_request() {
    let server = serve(CookieConsentLayer::new(policy(None)).layer(shop(None))).await;
    let jar = Arc::new(Jar::default());
    let base = format!("http://{HOST}:{}", server.addr.port());
    let url: reqwest::Url = format!("{base}/").parse().unwrap();
    jar.add_cookie_str("_pk_id.9.beef=1; Path=/", &url);
    let client = reqwest::Client::builder()
        .cookie_provider(Arc::clone(&jar))
        .resolve(HOST, server.addr)
        .build()
        .unwrap();
    let seen = client
        .get(url.clone())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(seen, "");
    assert!(!jar_cookies(&jar, url.as_str()).contains("_pk_"));
}
