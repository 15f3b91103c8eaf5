//! The framework-free entry point ([`Enforcer`], [`Policy::filter_response`])
//! applies exactly what the layer applies, and a policy names the entry a
//! cookie matched.

mod common;

use common::{app_setting, ready, seed_policy, set_cookie_strings};
use http::header::{COOKIE, HOST, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Request, Uri};
use tower::{Layer, ServiceExt};
use tower_cookie_consent::{Consent, CookieConsentLayer, CookieEntry, Enforcer, Policy};

/// A request target, its `Cookie` headers and the response's lines.
struct Case {
    uri: &'static str,
    host: Option<&'static str>,
    cookies: &'static [&'static str],
    set_cookies: &'static [&'static str],
}

const TRACKERS: &[&str] = &[
    "sessionid=s; HttpOnly; Path=/",
    "_pk_id.1.1fff=abc; Max-Age=33696000; Path=/",
    "_pk_ses.1.1fff=1; Max-Age=1800",
    "_hjid=xyz; Max-Age=31536000",
    "__hs_opt_out=no",
    "unknown=1",
    "_hjid=; Max-Age=0",
    "=nameless",
];

const CASES: &[Case] = &[
    // First visit: necessary only.
    Case {
        uri: "/",
        host: None,
        cookies: &[],
        set_cookies: TRACKERS,
    },
    Case {
        uri: "https://www.example.com/page",
        host: None,
        cookies: &["a=1; cookies_preferences=statistics"],
        set_cookies: TRACKERS,
    },
    // HTTP/2: one header per cookie; two copies grant what both grant.
    Case {
        uri: "/page",
        host: Some("shop.example.com:8443"),
        cookies: &[
            "cookies_preferences=all",
            "x=1",
            "cookies_preferences=marketing",
        ],
        set_cookies: TRACKERS,
    },
    Case {
        uri: "/",
        host: None,
        cookies: &["cookies_preferences=%7B%22statistics%22%3Atrue%7D"],
        set_cookies: TRACKERS,
    },
    // Malformed consent: necessary only.
    Case {
        uri: "/",
        host: None,
        cookies: &["cookies_preferences=%257B"],
        set_cookies: TRACKERS,
    },
    // The response records a choice: that choice decides.
    Case {
        uri: "https://www.example.com/consent",
        host: None,
        cookies: &[],
        set_cookies: &[
            "_pk_id.1.1fff=abc",
            "_hjid=xyz",
            "cookies_preferences=marketing; Path=/; Domain=example.com",
        ],
    },
    // ...unless the browser would refuse it: a `Domain` the host does not
    // match, or `Secure` over http.
    Case {
        uri: "https://www.example.com/consent",
        host: None,
        cookies: &["cookies_preferences=statistics"],
        set_cookies: &[
            "_pk_id.1.1fff=abc",
            "_hjid=xyz",
            "cookies_preferences=marketing; Domain=other.org",
        ],
    },
    Case {
        uri: "http://www.example.com/consent",
        host: None,
        cookies: &[],
        set_cookies: &["_hjid=xyz", "cookies_preferences=all; Secure"],
    },
    // The host comes from the `Host` header when the URI has none.
    Case {
        uri: "/consent",
        host: Some("www.example.com"),
        cookies: &[],
        set_cookies: &["_hjid=xyz", "cookies_preferences=all; Domain=example.org"],
    },
    // Withdrawal in the response: the consent cookie deleted.
    Case {
        uri: "/consent",
        host: None,
        cookies: &["cookies_preferences=all"],
        set_cookies: &["_hjid=xyz", "cookies_preferences=; Max-Age=0"],
    },
];

fn request(case: &Case) -> Request<()> {
    let mut builder = Request::builder().uri(case.uri);
    if let Some(host) = case.host {
        builder = builder.header(HOST, host);
    }
    for cookie in case.cookies {
        builder = builder.header(COOKIE, *cookie);
    }
    builder.body(()).unwrap()
}

fn response_headers(case: &Case) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-other", HeaderValue::from_static("kept"));
    for line in case.set_cookies {
        headers.append(SET_COOKIE, HeaderValue::from_static(line));
    }
    headers
}

fn through_layer(policy: &Policy, case: &Case) -> HeaderMap {
    let app = app_setting(
        case.set_cookies
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect(),
    );
    let svc = CookieConsentLayer::new(policy.clone()).layer(app);
    let res = ready(svc.oneshot(request(case))).unwrap();
    res.headers().clone()
}

#[test]
fn the_enforcer_applies_exactly_what_the_layer_applies() {
    let policy = seed_policy();
    for (index, case) in CASES.iter().enumerate() {
        let layered = through_layer(&policy, case);

        let req = request(case);
        let enforcer = Enforcer::new(&policy, req.uri(), req.headers());
        let mut headers = response_headers(case);
        enforcer.filter_response(&mut headers);
        assert_eq!(
            set_cookie_strings(&headers),
            set_cookie_strings(&layered),
            "case {index}"
        );
        assert_eq!(headers.get("x-other").unwrap(), "kept", "case {index}");

        // The one-call form is the same.
        let mut once = response_headers(case);
        policy.filter_response(req.uri(), req.headers(), &mut once);
        assert_eq!(
            set_cookie_strings(&once),
            set_cookie_strings(&layered),
            "case {index}"
        );
    }
}

#[test]
fn the_enforcer_reads_the_consent_like_the_layer() {
    let policy = seed_policy();
    for case in CASES {
        let req = request(case);
        let enforcer = policy.enforcer(req.uri(), req.headers());
        let expected = Consent::from_headers(&policy, req.headers());
        let consent = enforcer.consent();
        assert_eq!(consent.is_set(), expected.is_set());
        assert_eq!(
            consent.categories().collect::<Vec<_>>(),
            expected.categories().collect::<Vec<_>>()
        );
        assert_eq!(enforcer.policy().consent_cookie(), "cookies_preferences");
    }
}

#[test]
fn expected_outcomes_of_the_entry_point() {
    let policy = seed_policy();
    let filtered = |case: &Case| {
        let req = request(case);
        let mut headers = response_headers(case);
        policy.filter_response(req.uri(), req.headers(), &mut headers);
        set_cookie_strings(&headers)
    };
    // First visit: necessary, deletions and nothing else.
    assert_eq!(
        filtered(&CASES[0]),
        ["sessionid=s; HttpOnly; Path=/", "_hjid=; Max-Age=0"]
    );
    // Statistics granted.
    assert_eq!(
        filtered(&CASES[1]),
        [
            "sessionid=s; HttpOnly; Path=/",
            "_pk_id.1.1fff=abc; Max-Age=33696000; Path=/",
            "_pk_ses.1.1fff=1; Max-Age=1800",
            "_hjid=; Max-Age=0"
        ]
    );
    // The response's own choice decides...
    assert_eq!(
        filtered(&CASES[5]),
        [
            "_hjid=xyz",
            "cookies_preferences=marketing; Path=/; Domain=example.com"
        ]
    );
    // ...but not one the browser would refuse: the request's consent stays.
    assert_eq!(
        filtered(&CASES[6]),
        [
            "_pk_id.1.1fff=abc",
            "cookies_preferences=marketing; Domain=other.org"
        ]
    );
    assert_eq!(filtered(&CASES[7]), ["cookies_preferences=all; Secure"]);
    assert_eq!(
        filtered(&CASES[8]),
        ["cookies_preferences=all; Domain=example.org"]
    );
    assert_eq!(filtered(&CASES[9]), ["cookies_preferences=; Max-Age=0"]);
}

#[test]
fn a_response_with_nothing_to_strip_is_left_as_it_is() {
    let policy = seed_policy();
    let uri = Uri::from_static("https://www.example.com/");
    let mut request = HeaderMap::new();
    request.insert(COOKIE, HeaderValue::from_static("cookies_preferences=all"));
    let mut headers = HeaderMap::new();
    headers.append(SET_COOKIE, HeaderValue::from_static("_hjid=1"));
    headers.insert("x-between", HeaderValue::from_static("1"));
    headers.append(SET_COOKIE, HeaderValue::from_static("sessionid=2"));
    let before: Vec<_> = headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    policy.filter_response(&uri, &request, &mut headers);
    let after: Vec<_> = headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    assert_eq!(before, after);
}

#[test]
fn a_policy_names_the_entry_a_cookie_matched() {
    let policy = Policy::builder()
        .necessary([
            CookieEntry::new("sessionid").with_provider("Shop"),
            CookieEntry::new("cookies_preferences").with_provider("Shop banner"),
        ])
        .category(
            "statistics",
            [
                CookieEntry::new("_pk*").with_provider("Matomo (any)"),
                CookieEntry::new("_pk_id*")
                    .with_provider("Matomo")
                    .with_path("/shop")
                    .with_domain("example.com"),
                CookieEntry::new("_pk_id.1.fixed").with_provider("Matomo, fixed"),
            ],
        )
        .category(
            "marketing",
            [
                CookieEntry::new("_hjid").with_purpose("first"),
                CookieEntry::new("_hjid").with_purpose("duplicate"),
            ],
        )
        .build()
        .unwrap();

    let entry = policy.entry_of("_pk_id.1.abcd").unwrap();
    assert_eq!(entry.name(), "_pk_id*");
    assert_eq!(entry.path(), Some("/shop"));
    assert_eq!(entry.domain(), Some("example.com"));
    // Exact beats prefix, and a longer prefix a shorter one.
    assert_eq!(
        policy.entry_of("_pk_id.1.fixed").unwrap().provider(),
        Some("Matomo, fixed")
    );
    assert_eq!(
        policy.entry_of("_pk_ses.1").unwrap().provider(),
        Some("Matomo (any)")
    );
    // A declared consent cookie keeps its declaration.
    assert_eq!(
        policy.entry_of("cookies_preferences").unwrap().provider(),
        Some("Shop banner")
    );
    assert_eq!(
        policy.entry_of("sessionid").unwrap().provider(),
        Some("Shop")
    );
    // A duplicate keeps the first declaration.
    assert_eq!(policy.entry_of("_hjid").unwrap().purpose(), Some("first"));
    assert_eq!(policy.category_cookies("marketing").unwrap().len(), 1);
    // Names compare as bytes, case-sensitively.
    assert!(policy.entry_of("_HJID").is_none());
    assert!(policy.entry_of("unknown").is_none());
    assert_eq!(policy.category_of("_pk_id.1.abcd"), Some("statistics"));
}

#[test]
fn an_undeclared_consent_cookie_has_an_entry_of_its_own() {
    let policy = seed_policy();
    let entry = policy.entry_of("cookies_preferences").unwrap();
    assert_eq!(entry.name(), "cookies_preferences");
    assert!(entry.purpose().is_some());
    // It is no declared necessary cookie.
    assert!(policy
        .necessary()
        .iter()
        .all(|e| e.name() != "cookies_preferences"));
    let custom = Policy::builder()
        .consent_cookie("__Host-c")
        .build()
        .unwrap();
    assert_eq!(custom.entry_of("__Host-c").unwrap().name(), "__Host-c");
    assert_eq!(custom.category_of("__Host-c"), Some("necessary"));
}

#[test]
fn removal_lines_delete_what_the_entry_names() {
    let line = |entry: CookieEntry| entry.removal().map(|v| v.to_str().unwrap().to_owned());
    assert_eq!(
        line(CookieEntry::new("_ga")).unwrap(),
        "_ga=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/"
    );
    assert_eq!(
        line(
            CookieEntry::new("_ga")
                .with_path("/app")
                .with_domain("example.com")
        )
        .unwrap(),
        "_ga=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/app; Domain=example.com"
    );
    assert_eq!(
        line(CookieEntry::new("__Secure-id").with_domain("example.com")).unwrap(),
        "__Secure-id=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=example.com; Secure"
    );
    assert_eq!(
        line(
            CookieEntry::new("__Host-id")
                .with_path("/x")
                .with_domain("example.com")
        )
        .unwrap(),
        "__Host-id=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure"
    );
    assert_eq!(line(CookieEntry::new("_pk_id*")), None);
    // Nothing from the entry can smuggle in an attribute or a header line.
    assert_eq!(
        line(CookieEntry::new("_ga").with_path("/; Domain=evil.com")),
        None
    );
    assert_eq!(
        line(CookieEntry::new("_ga").with_domain("a.com\r\nX: y")),
        None
    );
    // Each line deletes in the crate's own reading.
    let uri = Uri::default();
    for entry in [
        CookieEntry::new("_ga"),
        CookieEntry::new("__Secure-id"),
        CookieEntry::new("__Host-id"),
    ] {
        let value = entry.removal().unwrap();
        assert!(common::set_cookie_is_deletion(
            value.as_bytes(),
            common::unix_now()
        ));
        assert!(tower_cookie_consent::internals::is_deletion(
            value.as_bytes(),
            &uri,
            &HeaderMap::new(),
            common::unix_now()
        ));
    }
}
