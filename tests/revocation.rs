//! Revocation: purging the cookies a visitor has not granted, hiding them
//! from the application, and Global Privacy Control, through the layer
//! (`oneshot`) and the framework-free `Enforcer`. Each test is one promise
//! of the README or one ruling of the revocation section of the decisions.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode, Uri};
use tower::{service_fn, Layer, ServiceExt};
use tower_cookie_consent::{
    Consent, CookieConsentLayer, CookieEntry, Policy, PolicyBuilder, PolicyError, UnknownCookies,
};

/// The policy of these tests, before its revocation settings.
fn builder() -> PolicyBuilder {
    Policy::builder()
        .necessary(["sessionid", "csrftoken"])
        .category("statistics", ["_pk_id*", "_pk_ses*", "_ga"])
        .category(
            "marketing",
            [
                CookieEntry::new("_hjid"),
                CookieEntry::new("_fbp"),
                CookieEntry::new("__Secure-mkt"),
                CookieEntry::new("__secure-low"),
                CookieEntry::new("__Host-mkt").with_path("/shop"),
                CookieEntry::new("_shop").with_domain(".shop.example.com"),
                CookieEntry::new("_elsewhere").with_domain("example.org"),
                CookieEntry::new("_pathy").with_path("/shop"),
                CookieEntry::new("__Http-mkt"),
                CookieEntry::new("__Host-Http-mkt"),
                CookieEntry::new("_broken").with_path("/a; Domain=evil.example"),
            ],
        )
}

fn policy() -> Policy {
    builder().build().expect("valid policy")
}

/// A deletion line as the layer writes it: `name`, the root path unless
/// `rest` says otherwise, then `rest`.
fn del(name: &str, rest: &str) -> String {
    let path = if rest.starts_with("; Path=") {
        ""
    } else {
        "; Path=/"
    };
    format!("{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT{path}{rest}")
}

/// What one request through the layer produced.
#[derive(Debug)]
struct Exchange {
    /// The response's `Set-Cookie` lines.
    lines: Vec<String>,
    /// The `Cookie` headers the application received.
    seen: Vec<String>,
    /// Every request header the application received.
    seen_headers: HeaderMap,
    /// The consent the application received.
    consent: Consent,
}

/// Sends a request to `uri` with `headers` through the layer in front of
/// an application answering `status` with `set_cookies`.
async fn exchange_with(
    policy: &Policy,
    uri: &str,
    headers: &[(&str, &str)],
    set_cookies: &[&str],
    status: StatusCode,
) -> Exchange {
    let seen: Arc<Mutex<Option<(HeaderMap, Consent)>>> = Arc::default();
    let record = Arc::clone(&seen);
    let lines: Vec<String> = set_cookies.iter().map(|s| (*s).to_owned()).collect();
    let app = service_fn(move |req: Request<()>| {
        let consent = req.extensions().get::<Consent>().cloned().expect("consent");
        *record.lock().unwrap() = Some((req.headers().clone(), consent));
        let mut res = Response::new(());
        *res.status_mut() = status;
        for line in &lines {
            res.headers_mut()
                .append(SET_COOKIE, HeaderValue::from_str(line).unwrap());
        }
        async move { Ok::<_, Infallible>(res) }
    });
    let mut req = Request::builder().uri(uri);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = CookieConsentLayer::new(policy.clone())
        .layer(app)
        .oneshot(req.body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), status);
    let (seen_headers, consent) = seen.lock().unwrap().take().expect("the app ran");
    Exchange {
        lines: strings(res.headers().get_all(SET_COOKIE)),
        seen: strings(seen_headers.get_all(COOKIE)),
        seen_headers,
        consent,
    }
}

async fn exchange(policy: &Policy, uri: &str, cookie: &str, set_cookies: &[&str]) -> Exchange {
    exchange_with(
        policy,
        uri,
        &[("cookie", cookie)],
        set_cookies,
        StatusCode::OK,
    )
    .await
}

fn strings(values: http::header::GetAll<'_, HeaderValue>) -> Vec<String> {
    values
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

const HTTPS: &str = "https://www.shop.example.com/page";

// ---------------------------------------------------------------------------
// Purge: which lines, for which domains.

#[tokio::test]
async fn a_withdrawn_cookie_gets_a_host_only_and_a_registrable_domain_deletion() {
    let out = exchange(
        &policy(),
        HTTPS,
        "cookies_preferences=statistics; _hjid=1",
        &[],
    )
    .await;
    assert_eq!(
        out.lines,
        [del("_hjid", ""), del("_hjid", "; Domain=example.com")]
    );
}

#[tokio::test]
async fn a_host_that_is_its_registrable_domain_still_gets_two_lines() {
    let out = exchange(&policy(), "https://example.com/", "_hjid=1", &[]).await;
    assert_eq!(
        out.lines,
        [del("_hjid", ""), del("_hjid", "; Domain=example.com")]
    );
    // The Public Suffix List, not the last two labels.
    let out = exchange(&policy(), "https://shop.example.co.uk/", "_hjid=1", &[]).await;
    assert_eq!(
        out.lines,
        [del("_hjid", ""), del("_hjid", "; Domain=example.co.uk")]
    );
}

#[tokio::test]
async fn the_host_comes_from_the_uri_else_the_host_header_without_port() {
    let headers = [("cookie", "_hjid=1"), ("host", "WWW.Example.COM:8443")];
    let out = exchange_with(&policy(), "/page", &headers, &[], StatusCode::OK).await;
    assert_eq!(
        out.lines,
        [del("_hjid", ""), del("_hjid", "; Domain=example.com")]
    );
    // The URI's authority wins over the `Host` header.
    let headers = [("cookie", "_hjid=1"), ("host", "other.org")];
    let out = exchange_with(&policy(), HTTPS, &headers, &[], StatusCode::OK).await;
    assert_eq!(out.lines[1], del("_hjid", "; Domain=example.com"));
}

#[tokio::test]
async fn the_entry_domain_replaces_the_registrable_domain() {
    let cookie = "_shop=1; _elsewhere=2";
    let out = exchange(&policy(), HTTPS, cookie, &[]).await;
    assert_eq!(
        out.lines,
        [
            del("_shop", ""),
            // Without the leading dot, which browsers ignore.
            del("_shop", "; Domain=shop.example.com"),
            // A domain that does not cover the host: the browser would
            // refuse the line, so only the host-only one.
            del("_elsewhere", ""),
        ]
    );
}

#[tokio::test]
async fn the_entry_path_is_used() {
    let out = exchange(&policy(), HTTPS, "_pathy=1", &[]).await;
    assert_eq!(
        out.lines,
        [
            del("_pathy", "; Path=/shop"),
            del("_pathy", "; Path=/shop; Domain=example.com"),
        ]
    );
}

#[tokio::test]
async fn ip_addresses_public_suffixes_and_unknown_hosts_get_host_only_lines() {
    for uri in [
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "https://github.io/",
        "http://localhost:3000/",
        "https://co.uk/",
        "/path-only",
    ] {
        let out = exchange(&policy(), uri, "_hjid=1", &[]).await;
        assert_eq!(out.lines, [del("_hjid", "")], "{uri}");
    }
}

#[tokio::test]
async fn secure_and_host_prefixes_follow_the_browser_rules() {
    let out = exchange(&policy(), HTTPS, "__Secure-mkt=1; __Host-mkt=2", &[]).await;
    assert_eq!(
        out.lines,
        [
            del("__Secure-mkt", "; Secure"),
            del("__Secure-mkt", "; Domain=example.com; Secure"),
            // `Path=/`, whatever the entry says, and no `Domain` line.
            del("__Host-mkt", "; Secure"),
        ]
    );
    // The prefixes compare case-sensitively: a lowercase one is a plain
    // name.
    let out = exchange(&policy(), HTTPS, "__secure-low=1", &[]).await;
    assert_eq!(
        out.lines,
        [
            del("__secure-low", ""),
            del("__secure-low", "; Domain=example.com")
        ]
    );
}

#[tokio::test]
async fn no_deletion_line_carries_http_only() {
    let out = exchange(&policy(), HTTPS, "__Http-mkt=1; __Host-Http-mkt=2", &[]).await;
    assert_eq!(
        out.lines,
        [
            del("__Http-mkt", ""),
            del("__Http-mkt", "; Domain=example.com"),
            del("__Host-Http-mkt", "; Secure"),
        ]
    );
    assert!(out.lines.iter().all(|line| !line.contains("HttpOnly")));
}

#[tokio::test]
async fn an_entry_path_that_would_break_the_line_purges_nothing() {
    let out = exchange(&policy(), HTTPS, "_broken=1; _hjid=2", &[]).await;
    assert_eq!(
        out.lines,
        [del("_hjid", ""), del("_hjid", "; Domain=example.com")]
    );
    assert!(out.seen.is_empty(), "still hidden: {:?}", out.seen);
}

#[tokio::test]
async fn an_http_request_skips_names_that_need_secure() {
    let uri = "http://www.shop.example.com/";
    let cookie = "__Secure-mkt=1; __Host-mkt=2; __Http-mkt=4; _hjid=3";
    let out = exchange(&policy(), uri, cookie, &[]).await;
    assert_eq!(
        out.lines,
        [
            del("__Http-mkt", ""),
            del("__Http-mkt", "; Domain=example.com"),
            del("_hjid", ""),
            del("_hjid", "; Domain=example.com")
        ]
    );
    // Still hidden from the application.
    assert!(out.seen.is_empty(), "{:?}", out.seen);
}

#[tokio::test]
async fn necessary_consent_and_unknown_cookies_are_never_purged() {
    let cookie = "sessionid=1; csrftoken=2; cookies_preferences=statistics; theme=dark; _ga_X=3";
    let out = exchange(&policy(), HTTPS, cookie, &[]).await;
    assert_eq!(out.lines, Vec::<String>::new());
    // Granted categories are not purged either.
    let out = exchange(
        &policy(),
        HTTPS,
        "cookies_preferences=all; _hjid=1; _ga=2",
        &[],
    )
    .await;
    assert_eq!(out.lines, Vec::<String>::new());
}

#[tokio::test]
async fn a_name_the_response_keeps_is_not_purged_but_a_stripped_one_is() {
    let cookie = "cookies_preferences=statistics; _hjid=1; _fbp=2";
    // The application deletes `_hjid` itself (a kept line), and sets `_fbp`
    // (stripped: marketing is not granted, so that line sets nothing).
    let own = "_hjid=; Max-Age=0; Path=/";
    let out = exchange(&policy(), HTTPS, cookie, &[own, "_fbp=new; Path=/"]).await;
    assert_eq!(
        out.lines,
        [
            own.to_owned(),
            del("_fbp", ""),
            del("_fbp", "; Domain=example.com")
        ]
    );
}

#[tokio::test]
async fn prefix_entries_purge_every_matching_name_once() {
    let cookie = "_pk_id.1.aaa=1; _pk_ses.1.aaa=1; _pk_id.2.bbb=2; _pk_id.1.aaa=again";
    let out = exchange(&policy(), HTTPS, cookie, &[]).await;
    let names: Vec<&str> = out
        .lines
        .iter()
        .map(|line| line.split('=').next().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "_pk_id.1.aaa",
            "_pk_id.1.aaa",
            "_pk_ses.1.aaa",
            "_pk_ses.1.aaa",
            "_pk_id.2.bbb",
            "_pk_id.2.bbb"
        ]
    );
}

#[tokio::test]
async fn crafted_request_names_cannot_inject_attributes() {
    // A tab inside a name (a browser refuses it), a name with a space, an
    // attempt at an attribute (the `;` ends the pair, so `Domain` is just
    // an unknown name), and a name over the 4096 bytes a browser stores.
    let long = format!("_pk_id{}=1", "x".repeat(4100));
    let cookie = format!("_pk_id\tx=1; _pk_id a=2; _pk_id.3; Domain=evil.example=4; {long}");
    let out = exchange(&policy(), HTTPS, &cookie, &[]).await;
    assert_eq!(
        out.lines,
        [del("_pk_id a", ""), del("_pk_id a", "; Domain=example.com")]
    );
    for line in &out.lines {
        assert!(!line.contains("evil"), "{line}");
    }
    // Everything but the consent-free nothing is hidden.
    assert!(out.seen.is_empty(), "{:?}", out.seen);
}

#[tokio::test]
async fn the_purge_limit_leaves_the_rest_for_the_next_request() {
    let limited = builder().purge_limit(2).build().unwrap();
    let cookie = "_hjid=1; _fbp=2; _ga=3";
    let first = exchange(&limited, "/", cookie, &[]).await;
    assert_eq!(first.lines, [del("_hjid", ""), del("_fbp", "")]);
    // The browser deleted those two; it still sends `_ga`.
    let next = exchange(&limited, "/", "_ga=3", &[]).await;
    assert_eq!(next.lines, [del("_ga", "")]);

    // The default limit is 32 names.
    let cookie: Vec<String> = (0..40).map(|i| format!("_pk_id.{i}=1")).collect();
    let out = exchange(&policy(), "/", &cookie.join("; "), &[]).await;
    assert_eq!(out.lines.len(), 32);
    assert_eq!(out.lines[31], del("_pk_id.31", ""));
    let limited = builder().purge_limit(0).build().unwrap();
    assert!(exchange(&limited, "/", "_hjid=1", &[])
        .await
        .lines
        .is_empty());
}

#[tokio::test]
async fn purge_runs_on_an_error_status() {
    for status in [StatusCode::NOT_FOUND, StatusCode::INTERNAL_SERVER_ERROR] {
        let out = exchange_with(&policy(), "/", &[("cookie", "_hjid=1")], &[], status).await;
        assert_eq!(out.lines, [del("_hjid", "")], "{status}");
    }
}

#[tokio::test]
async fn a_first_visit_purges_its_trackers() {
    let out = exchange(&policy(), "/", "_pk_id.x=1; sessionid=2", &[]).await;
    assert!(!out.consent.is_set());
    assert_eq!(out.lines, [del("_pk_id.x", "")]);
    assert_eq!(out.seen, ["sessionid=2"]);
}

#[tokio::test]
async fn a_malformed_consent_grants_nothing_and_its_trackers_are_purged() {
    let cookie = "cookies_preferences=%ZZstatistics; _pk_id.x=1";
    let out = exchange(&policy(), "/", cookie, &[]).await;
    assert!(!out.consent.is_set());
    assert_eq!(out.lines, [del("_pk_id.x", "")]);
    // The consent cookie stays, malformed or not.
    assert_eq!(out.seen, ["cookies_preferences=%ZZstatistics"]);
}

#[tokio::test]
async fn withdrawing_in_the_response_purges_in_that_very_response() {
    // POST /consent: the visitor had granted statistics and withdraws.
    let cookie = "cookies_preferences=statistics; _pk_id.1.a=1; sessionid=2";
    let choice = "cookies_preferences=%5B%5D; Path=/; Max-Age=31536000";
    let out = exchange(&policy(), "/consent", cookie, &[choice]).await;
    assert_eq!(out.lines, [choice.to_owned(), del("_pk_id.1.a", "")]);
    // The application still saw the request's consent, and its cookie.
    assert!(out.consent.allows("statistics"));
    assert_eq!(out.seen, [cookie]);

    // Granting in the response: nothing to purge.
    let choice = "cookies_preferences=all; Path=/";
    let out = exchange(&policy(), "/consent", "_pk_id.1.a=1", &[choice]).await;
    assert_eq!(out.lines, [choice]);

    // A consent line the browser would refuse (`Secure` over http) decides
    // nothing: the request's consent does.
    let refused = "cookies_preferences=%5B%5D; Path=/; Secure";
    let out = exchange(&policy(), "http://example.com/consent", cookie, &[refused]).await;
    assert_eq!(out.lines, [refused]);
}

// ---------------------------------------------------------------------------
// Global Privacy Control.

fn gpc_policy() -> Policy {
    builder().gpc(["marketing"]).build().unwrap()
}

#[tokio::test]
async fn sec_gpc_1_withdraws_the_configured_categories() {
    let cookie = "cookies_preferences=all; _hjid=1; _pk_id.1=2";
    let headers = [("cookie", cookie), ("sec-gpc", "1")];
    let out = exchange_with(&gpc_policy(), "/", &headers, &["_fbp=new"], StatusCode::OK).await;
    assert!(out.consent.gpc());
    assert!(!out.consent.allows("marketing"));
    assert!(out.consent.allows("statistics"));
    assert_eq!(out.consent.categories().collect::<Vec<_>>(), ["statistics"]);
    // Hidden, stripped and purged like any other withdrawn category.
    assert_eq!(out.seen, ["cookies_preferences=all; _pk_id.1=2"]);
    assert_eq!(out.lines, [del("_hjid", "")]);
}

#[tokio::test]
async fn only_the_value_1_is_the_signal() {
    let cookie = "cookies_preferences=all; _hjid=1";
    for (value, signal) in [
        ("1", true),
        ("0", false),
        ("true", false),
        ("01", false),
        ("", false),
    ] {
        let headers = [("cookie", cookie), ("sec-gpc", value)];
        let out = exchange_with(&gpc_policy(), "/", &headers, &[], StatusCode::OK).await;
        assert_eq!(out.consent.gpc(), signal, "{value:?}");
        assert_eq!(out.consent.allows("marketing"), !signal, "{value:?}");
        assert_eq!(out.lines.is_empty(), !signal, "{value:?}");
    }
}

#[tokio::test]
async fn gpc_is_reported_even_without_gpc_categories() {
    let headers = [("cookie", "cookies_preferences=all"), ("sec-gpc", "1")];
    let out = exchange_with(&policy(), "/", &headers, &[], StatusCode::OK).await;
    assert!(out.consent.gpc());
    assert!(out.consent.allows("marketing"));
}

#[tokio::test]
async fn with_explicit_choice_wins_an_explicit_grant_beats_the_signal() {
    let wins = builder()
        .gpc(["marketing"])
        .gpc_explicit_choice_wins(true)
        .build()
        .unwrap();
    for consent in ["all", "ALL", "marketing", "%7B%22marketing%22%3Atrue%7D"] {
        let cookie = format!("cookies_preferences={consent}; _hjid=1");
        let headers = [("cookie", cookie.as_str()), ("sec-gpc", "1")];
        let out = exchange_with(&wins, "/", &headers, &[], StatusCode::OK).await;
        assert!(out.consent.gpc());
        assert!(out.consent.allows("marketing"), "{consent}");
        assert!(out.lines.is_empty(), "{consent}");
    }
    // No explicit grant: the category was never granted.
    let headers = [
        ("cookie", "cookies_preferences=statistics; _hjid=1"),
        ("sec-gpc", "1"),
    ];
    let out = exchange_with(&wins, "/", &headers, &[], StatusCode::OK).await;
    assert_eq!(out.lines, [del("_hjid", "")]);
}

#[tokio::test]
async fn gpc_applies_to_a_consent_the_response_sets() {
    let headers = [("cookie", "sessionid=1"), ("sec-gpc", "1")];
    let choice = "cookies_preferences=all; Path=/";
    let out = exchange_with(
        &gpc_policy(),
        "/consent",
        &headers,
        &[choice, "_fbp=1", "_ga=2"],
        StatusCode::OK,
    )
    .await;
    assert_eq!(out.lines, [choice, "_ga=2"]);
}

#[test]
fn an_unknown_gpc_category_is_an_error() {
    let err = builder().gpc(["ads"]).build().unwrap_err();
    assert_eq!(err, PolicyError::UnknownGpcCategory { name: "ads".into() });
    assert_eq!(
        err.to_string(),
        "`gpc` lists `ads`, which is not a category of the policy"
    );
    // Category names compare ASCII case-insensitively, as everywhere.
    let policy = builder().gpc(["MARKETING"]).build().unwrap();
    assert_eq!(policy.gpc_categories().collect::<Vec<_>>(), ["marketing"]);
}

// ---------------------------------------------------------------------------
// Request-side hiding.

#[tokio::test]
async fn hiding_keeps_the_other_pairs_bytes_and_order() {
    let cookie =
        "a=1;  sessionid = x y ;_hjid=2;cookies_preferences=statistics;\t_pk_id.1=\"v w\" ; c";
    let out = exchange(&policy(), "/", cookie, &[]).await;
    assert_eq!(
        out.seen,
        ["sessionid = x y; cookies_preferences=statistics; _pk_id.1=\"v w\""]
    );
    // The consent still reflects the whole consent cookie.
    assert!(out.consent.is_set() && out.consent.allows("statistics"));
}

#[tokio::test]
async fn hiding_rewrites_each_header_and_removes_emptied_ones() {
    let headers = [
        ("cookie", "_hjid=1"),
        ("cookie", "sessionid=2; _fbp=3"),
        ("cookie", "cookies_preferences=statistics"),
        ("cookie", "_pk_id.1=4"),
    ];
    let out = exchange_with(&policy(), "/", &headers, &[], StatusCode::OK).await;
    assert_eq!(
        out.seen,
        [
            "sessionid=2",
            "cookies_preferences=statistics",
            "_pk_id.1=4"
        ]
    );
}

/// One `Cookie` header (HTTP/1.1) whose every pair is hidden: the header
/// goes, as it does when there are several.
#[tokio::test]
async fn hiding_every_pair_of_a_single_header_removes_it() {
    let out = exchange(&policy(), "/", "_hjid=1; _fbp=2;theme=dark", &[]).await;
    assert!(out.seen.is_empty(), "{:?}", out.seen);
    let out = exchange(&policy(), "/", "_hjid=1; sessionid=2", &[]).await;
    assert_eq!(out.seen, ["sessionid=2"]);
}

#[tokio::test]
async fn nothing_hidden_leaves_the_request_headers_as_they_were() {
    let headers = [
        ("x-before", "1"),
        (
            "cookie",
            "sessionid=2;cookies_preferences=statistics ;_pk_id.1=4",
        ),
        ("cookie", "csrftoken=5"),
        ("x-after", "2"),
    ];
    let out = exchange_with(&policy(), "/", &headers, &[], StatusCode::OK).await;
    let mut sent = HeaderMap::new();
    for (name, value) in headers {
        sent.append(name, HeaderValue::from_static(value));
    }
    assert_eq!(out.seen_headers, sent);
    let order = |map: &HeaderMap| -> Vec<(String, Vec<u8>)> {
        map.iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    };
    assert_eq!(order(&out.seen_headers), order(&sent));
}

#[tokio::test]
async fn the_consent_cookie_and_necessary_cookies_are_never_hidden() {
    // Two copies of the consent cookie, one malformed: neither is hidden.
    let headers = [
        ("cookie", "cookies_preferences=all; _hjid=1"),
        ("cookie", "cookies_preferences=%ZZ; csrftoken=2"),
    ];
    let out = exchange_with(&policy(), "/", &headers, &[], StatusCode::OK).await;
    assert_eq!(
        out.seen,
        [
            "cookies_preferences=all",
            "cookies_preferences=%ZZ; csrftoken=2"
        ]
    );
}

#[tokio::test]
async fn unknown_cookies_allowed_are_never_hidden() {
    let allow = builder()
        .unknown_cookies(UnknownCookies::Allow)
        .build()
        .unwrap();
    let out = exchange(&allow, "/", "theme=dark; _hjid=1; =nameless; _ga=2", &[]).await;
    assert_eq!(out.seen, ["theme=dark; =nameless"]);
    // Under the default, unknown names and nameless cookies are hidden.
    let out = exchange(
        &policy(),
        "/",
        "theme=dark; _hjid=1; =nameless; sessionid=3",
        &[],
    )
    .await;
    assert_eq!(out.seen, ["sessionid=3"]);
}

#[tokio::test]
async fn hiding_and_purge_can_be_turned_off_separately() {
    let cookie = "_hjid=1; sessionid=2";
    let no_hiding = builder().strip_request_cookies(false).build().unwrap();
    let out = exchange(&no_hiding, "/", cookie, &[]).await;
    assert_eq!(out.seen, [cookie]);
    assert_eq!(out.lines, [del("_hjid", "")]);

    let no_purge = builder().purge(false).build().unwrap();
    let out = exchange(&no_purge, "/", cookie, &[]).await;
    assert_eq!(out.seen, ["sessionid=2"]);
    assert!(out.lines.is_empty());
}

// ---------------------------------------------------------------------------
// Configuration and the framework-free API.

#[test]
fn the_settings_have_defaults_and_config_keys() {
    let default = policy();
    assert!(default.purge() && default.strip_request_cookies());
    assert_eq!(default.purge_limit(), 32);
    assert_eq!(default.gpc_categories().count(), 0);
    assert!(!default.gpc_explicit_choice_wins());

    let policy: Policy = serde_json::from_str(
        r#"{"categories": {"statistics": ["_ga"], "marketing": ["_fbp"]},
            "purge": false, "strip_request_cookies": false, "purge_limit": 5,
            "gpc": ["marketing"], "gpc_explicit_choice_wins": true}"#,
    )
    .unwrap();
    assert!(!policy.purge() && !policy.strip_request_cookies());
    assert_eq!(policy.purge_limit(), 5);
    assert_eq!(policy.gpc_categories().collect::<Vec<_>>(), ["marketing"]);
    assert!(policy.gpc_explicit_choice_wins());

    let err = serde_json::from_str::<Policy>(r#"{"gpc": ["marketing"]}"#).unwrap_err();
    assert!(err.to_string().contains("marketing"), "{err}");
}

#[test]
fn the_enforcer_hides_and_purges_without_tower() {
    let policy = gpc_policy();
    let uri: Uri = "https://www.example.com/".parse().unwrap();
    let mut request = HeaderMap::new();
    request.insert(
        COOKIE,
        HeaderValue::from_static("cookies_preferences=all; _hjid=1; sessionid=2"),
    );
    request.insert("sec-gpc", HeaderValue::from_static("1"));
    let enforcer = policy.enforcer(&uri, &request);
    assert!(enforcer.consent().gpc());
    enforcer.hide_request_cookies(&mut request);
    assert_eq!(request[COOKIE], "cookies_preferences=all; sessionid=2");

    let mut response = HeaderMap::new();
    enforcer.filter_response(&mut response);
    assert_eq!(
        strings(response.get_all(SET_COOKIE)),
        [del("_hjid", ""), del("_hjid", "; Domain=example.com")]
    );

    // The one-call API purges too.
    let mut request = HeaderMap::new();
    request.insert(COOKIE, HeaderValue::from_static("_fbp=1"));
    let mut response = HeaderMap::new();
    policy.filter_response(&Uri::from_static("/"), &request, &mut response);
    assert_eq!(strings(response.get_all(SET_COOKIE)), [del("_fbp", "")]);
}

#[test]
fn debug_output_never_shows_a_cookie_value() {
    let policy = policy();
    let mut request = HeaderMap::new();
    request.insert(
        COOKIE,
        HeaderValue::from_static("_pk_id.1=tracker-value-1; sessionid=session-value-2"),
    );
    let enforcer = policy.enforcer(&Uri::from_static("/"), &request);
    let shown = format!("{enforcer:?}");
    assert!(!shown.contains("value-"), "{shown}");
}
