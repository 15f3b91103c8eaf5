//! The layer in front of real hyper and axum servers on 127.0.0.1, seen
//! from real HTTP/1.1 and HTTP/2 clients: the `Set-Cookie` lines a client
//! receives, and the `Cookie` headers the app behind the layer receives.

mod common;

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::get as get_route;
use axum::{Extension, Router};
use http::header::SET_COOKIE;
use http::StatusCode;
use tokio::net::TcpListener;
use tower_cookie_consent::{Consent, CookieConsentLayer};

use common::seed_policy;
use common::server::{
    expected_body, get, raw_exchange, raw_set_cookie_lines, serve_app, Client, Reply, FORGET_LINE,
};

/// Fails the test instead of letting it hang.
async fn bounded<F: Future>(test: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("test timed out")
}

/// Sends one GET over a fresh connection of the given protocol.
async fn fetch(addr: SocketAddr, http2: bool, path: &str, cookies: &[&[u8]]) -> Reply {
    let req = get(addr, http2, path, cookies);
    let mut client = Client::connect(addr, http2).await;
    let reply = client.send(req).await.expect("request succeeds");
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["x-other"], "kept");
    reply
}

const SESSIONID: &str = "sessionid=s3cr3t; Path=/; HttpOnly";
const PK_ID: &str = "_pk_id.1.1fff=a1b2c3d4; Path=/; Max-Age=33696000";
const HJID: &str = "_hjid=hj-42; Path=/; Max-Age=31536000";
const HSSC: &str = "__hssc=12.1.1700000000000; Path=/";
const PK_SES: &str = "_pk_ses.1.1fff=1; Path=/; Max-Age=1800";
const DELETE_HSTC: &str = "__hstc=; Path=/; Max-Age=0";
const CSRFTOKEN: &str = "csrftoken=tok3n; Path=/; SameSite=Lax";

#[tokio::test]
async fn http1_consent_in_one_cookie_header_over_keep_alive() {
    bounded(async {
        let server = serve_app().await;
        let mut conn = Client::connect(server.addr, false).await;

        let req = get(
            server.addr,
            false,
            "/",
            &[b"lang=en; cookies_preferences=statistics; sessionid=abc"],
        );
        let reply = conn.send(req).await.unwrap();
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.cookie_headers_seen(), Some(1));
        assert_eq!(
            reply.set_cookies(),
            [SESSIONID, PK_ID, PK_SES, DELETE_HSTC, CSRFTOKEN]
        );

        // The same connection, another visitor state: consent is read per
        // request, never carried over.
        let req = get(server.addr, false, "/", &[b"cookies_preferences=marketing"]);
        let reply = conn.send(req).await.unwrap();
        assert_eq!(
            reply.set_cookies(),
            [SESSIONID, HJID, HSSC, DELETE_HSTC, CSRFTOKEN]
        );
        assert_eq!(server.stats.accepted(), 1);
    })
    .await;
}

#[tokio::test]
async fn http2_consent_in_split_cookie_headers() {
    bounded(async {
        let server = serve_app().await;
        // HTTP/2 clients send one `cookie` field per cookie (RFC 9113
        // section 8.2.3); the consent cookie is the third of four.
        let cookies: [&[u8]; 4] = [
            b"lang=en",
            b"sessionid=abc",
            b"cookies_preferences=marketing",
            b"csrftoken=x",
        ];
        let reply = fetch(server.addr, true, "/", &cookies).await;
        // hyper's HTTP/2 server does not join them: the app behind the
        // layer sees four separate `Cookie` headers, in order.
        assert_eq!(reply.cookie_headers_seen(), Some(4));
        assert_eq!(reply.body, expected_body("/", "-", &cookies, 0));
        assert_eq!(
            reply.set_cookies(),
            [SESSIONID, HJID, HSSC, DELETE_HSTC, CSRFTOKEN]
        );
    })
    .await;
}

#[tokio::test]
async fn two_copies_of_the_consent_cookie_grant_only_what_both_grant() {
    bounded(async {
        let server = serve_app().await;
        for http2 in [false, true] {
            let cookies: [&[u8]; 3] = [
                b"cookies_preferences=statistics,marketing",
                b"lang=en",
                b"cookies_preferences=%5B%22marketing%22%5D",
            ];
            let reply = fetch(server.addr, http2, "/", &cookies).await;
            assert_eq!(reply.cookie_headers_seen(), Some(3), "http2: {http2}");
            assert_eq!(
                reply.set_cookies(),
                [SESSIONID, HJID, HSSC, DELETE_HSTC, CSRFTOKEN],
                "http2: {http2}"
            );

            // A malformed copy spoils the whole consent (fail closed).
            let cookies: [&[u8]; 2] = [
                b"cookies_preferences=all",
                b"cookies_preferences={\"statistics\":tru",
            ];
            let reply = fetch(server.addr, http2, "/", &cookies).await;
            assert_eq!(
                reply.set_cookies(),
                [SESSIONID, DELETE_HSTC, CSRFTOKEN],
                "http2: {http2}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn first_visit_gets_necessary_cookies_and_deletions_only() {
    bounded(async {
        let server = serve_app().await;
        for http2 in [false, true] {
            for cookies in [&[][..], &[&b"lang=en; sessionid=abc"[..]][..]] {
                let reply = fetch(server.addr, http2, "/", cookies).await;
                assert_eq!(
                    reply.set_cookies(),
                    [SESSIONID, DELETE_HSTC, CSRFTOKEN],
                    "http2: {http2}, cookies: {cookies:?}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn a_response_that_sets_the_consent_cookie_decides_for_itself() {
    bounded(async {
        let server = serve_app().await;
        for http2 in [false, true] {
            // The visitor chooses statistics on a first visit.
            let reply = fetch(server.addr, http2, "/choose/statistics", &[]).await;
            assert_eq!(
                reply.set_cookies(),
                [
                    SESSIONID,
                    PK_ID,
                    PK_SES,
                    DELETE_HSTC,
                    CSRFTOKEN,
                    "cookies_preferences=statistics; Path=/; Max-Age=31536000",
                ],
                "http2: {http2}"
            );

            // The visitor had granted everything and withdraws.
            let reply = fetch(server.addr, http2, "/forget", &[b"cookies_preferences=all"]).await;
            assert_eq!(
                reply.set_cookies(),
                [SESSIONID, DELETE_HSTC, CSRFTOKEN, FORGET_LINE],
                "http2: {http2}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn raw_http1_bytes_on_the_wire() {
    bounded(async {
        let server = serve_app().await;

        // obs-text in both `Cookie` lines, a look-alike name in the second
        // that must not be read as the consent cookie.
        let first: &[u8] = b"caf\xe9=cr\xe8me; cookies_preferences=statistics";
        let second: &[u8] = b"\xff=\xfe; xcookies_preferences=all";
        let mut request = b"GET /odd HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ".to_vec();
        request.extend_from_slice(first);
        request.extend_from_slice(b"\r\ncOOKIE: ");
        request.extend_from_slice(second);
        request.extend_from_slice(b"\r\nConnection: close\r\n\r\n");

        let response = raw_exchange(server.addr, &request).await;
        assert!(
            response.starts_with(b"HTTP/1.1 200 OK\r\n"),
            "{:?}",
            String::from_utf8_lossy(&response)
        );
        assert_eq!(
            raw_set_cookie_lines(&response),
            [
                &b"sessionid=\x80\xff; Path=/"[..],
                &b"_pk_id.9.odd=caf\xe9; Path=/"[..],
            ]
        );
        // The app received both lines, byte for byte.
        let body_start = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        assert_eq!(
            &response[body_start..],
            expected_body("/odd", "-", &[first, second], 0)
        );

        // The consent cookie in two lines, odd spacing: only what both
        // copies grant, statistics, counts.
        let request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\
            Cookie: cookies_preferences=all\r\n\
            Cookie:\ta=1;cookies_preferences = statistics|ga ;b=2\t\r\n\
            Connection: close\r\n\r\n";
        let response = raw_exchange(server.addr, request).await;
        assert_eq!(
            raw_set_cookie_lines(&response),
            [SESSIONID, PK_ID, PK_SES, DELETE_HSTC, CSRFTOKEN].map(str::as_bytes)
        );
    })
    .await;
}

/// `Cookie` headers sent, `Set-Cookie` values kept, body.
type Case = (
    &'static [&'static [u8]],
    &'static [&'static str],
    &'static str,
);

async fn axum_page(Extension(consent): Extension<Consent>) -> impl IntoResponse {
    (
        AppendHeaders([
            (SET_COOKIE, "sessionid=ax; Path=/"),
            (SET_COOKIE, "_pk_id.1.ax=1; Path=/"),
            (SET_COOKIE, "_hjid=ax; Path=/"),
        ]),
        format!(
            "set={} statistics={} marketing={}",
            consent.is_set(),
            consent.allows("statistics"),
            consent.allows("marketing")
        ),
    )
}

#[tokio::test]
async fn axum_router_over_tcp() {
    bounded(async {
        let app = Router::new()
            .route("/", get_route(axum_page))
            .layer(CookieConsentLayer::new(seed_policy()));
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let cases: [Case; 3] = [
            (
                &[],
                &["sessionid=ax; Path=/"],
                "set=false statistics=false marketing=false",
            ),
            (
                &[b"cookies_preferences=statistics"],
                &["sessionid=ax; Path=/", "_pk_id.1.ax=1; Path=/"],
                "set=true statistics=true marketing=false",
            ),
            (
                &[b"lang=en", b"cookies_preferences={\"marketing\":true}"],
                &["sessionid=ax; Path=/", "_hjid=ax; Path=/"],
                "set=true statistics=false marketing=true",
            ),
        ];
        for http2 in [false, true] {
            for (cookies, kept, body) in cases {
                let req = get(addr, http2, "/", cookies);
                let mut client = Client::connect(addr, http2).await;
                let reply = client.send(req).await.unwrap();
                assert_eq!(reply.status, StatusCode::OK);
                assert_eq!(reply.set_cookies(), kept, "http2: {http2}");
                assert_eq!(reply.body, body, "http2: {http2}");
            }
        }
        server.abort();
    })
    .await;
}
