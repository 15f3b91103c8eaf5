//! The response filtering rules, end to end through the public API: a
//! request goes through `CookieConsentLayer` with `oneshot`, and the test
//! reads the `Set-Cookie` values the client would receive.

mod common;

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use common::{app_setting, kept, seed_policy, set_cookie_strings};
use http::header::{self, HeaderName, HeaderValue, SET_COOKIE};
use http::{HeaderMap, Request, Response, StatusCode};
use tower::{service_fn, Layer, Service, ServiceExt};
use tower_cookie_consent::{CookieConsent, CookieConsentLayer, Policy, UnknownCookies};

const PAST: &str = "Thu, 01 Jan 1970 00:00:00 GMT";
const FUTURE: &str = "Fri, 01 Jan 2100 00:00:00 GMT";

/// Runs `req` through the layer in front of [`app_setting`] and returns the
/// `Set-Cookie` values kept, as exact bytes.
async fn kept_bytes_for(policy: &Policy, req: Request<()>, set_cookies: &[&[u8]]) -> Vec<Vec<u8>> {
    let app = app_setting(set_cookies.iter().map(|s| s.to_vec()).collect());
    let res = CookieConsentLayer::new(policy.clone())
        .layer(app)
        .oneshot(req)
        .await
        .unwrap();
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect()
}

/// [`kept_bytes_for`] with the request's `Cookie` headers only (no host, no
/// scheme).
async fn kept_bytes(policy: &Policy, cookies: &[&str], set_cookies: &[&[u8]]) -> Vec<Vec<u8>> {
    kept_bytes_for(policy, request("/", cookies), set_cookies).await
}

/// [`kept_bytes_for`] with text lines.
async fn kept_for(policy: &Policy, req: Request<()>, set_cookies: &[&str]) -> Vec<String> {
    let lines: Vec<&[u8]> = set_cookies.iter().map(|s| s.as_bytes()).collect();
    kept_bytes_for(policy, req, &lines)
        .await
        .into_iter()
        .map(|v| String::from_utf8(v).unwrap())
        .collect()
}

fn request(uri: &str, cookies: &[&str]) -> Request<()> {
    let mut req = Request::builder().uri(uri);
    for cookie in cookies {
        req = req.header(header::COOKIE, *cookie);
    }
    req.body(()).unwrap()
}

fn allow_unknown_seed_policy() -> Policy {
    Policy::builder()
        .necessary(["sessionid", "csrftoken", "django_language"])
        .category("statistics", ["_pk_id*", "_pk_ses*"])
        .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
        .unknown_cookies(UnknownCookies::Allow)
        .build()
        .unwrap()
}

// ---------------------------------------------------------------------------
// Rules 3 and 4: what is kept and what is stripped.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn first_visit_keeps_only_necessary_cookies() {
    let got = kept(
        &seed_policy(),
        &[],
        &[
            "sessionid=s3cr3t; HttpOnly; Path=/",
            "_pk_id.1.abcd=visitor; Max-Age=33696000",
            "csrftoken=tok; Secure",
            "_hjid=xyz",
            "__hssc=1.2.3",
            "hubspotutk=u",
            "_pk_ses.1.abcd=1",
            "django_language=fr",
            "unlisted=1",
        ],
    )
    .await;
    assert_eq!(
        got,
        [
            "sessionid=s3cr3t; HttpOnly; Path=/",
            "csrftoken=tok; Secure",
            "django_language=fr",
        ]
    );
}

#[tokio::test]
async fn granted_categories_pass_and_others_are_stripped() {
    let lines = [
        "sessionid=s",
        "_pk_id.1.abcd=v",
        "_hjid=h",
        "_pk_ses.1.abcd=1",
        "__hstc=t",
        "hubspotutk=u",
    ];
    let policy = seed_policy();
    assert_eq!(
        kept(&policy, &["cookies_preferences=statistics"], &lines).await,
        ["sessionid=s", "_pk_id.1.abcd=v", "_pk_ses.1.abcd=1"]
    );
    assert_eq!(
        kept(&policy, &["cookies_preferences=marketing"], &lines).await,
        ["sessionid=s", "_hjid=h", "__hstc=t", "hubspotutk=u"]
    );
    assert_eq!(
        kept(
            &policy,
            &["cookies_preferences=statistics,marketing"],
            &lines
        )
        .await,
        lines
    );
    assert_eq!(
        kept(&policy, &["cookies_preferences=all"], &lines).await,
        lines
    );
}

#[tokio::test]
async fn the_consent_cookie_always_passes() {
    // Without consent, with consent, and whatever value it carries.
    let policy = seed_policy();
    for cookies in [&[][..], &["cookies_preferences=all"][..]] {
        for line in [
            "cookies_preferences=statistics; Max-Age=15552000; Path=/",
            "cookies_preferences=; Max-Age=0",
            "cookies_preferences=%7Bbroken",
            "cookies_preferences=",
        ] {
            assert_eq!(kept(&policy, cookies, &[line]).await, [line], "{line}");
        }
    }
}

#[tokio::test]
async fn unknown_cookies_strip_is_the_default() {
    let policy = seed_policy();
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Strip);
    assert_eq!(
        kept(
            &policy,
            &["cookies_preferences=all"],
            &["unlisted=1", "sessionid=s", "_ga=GA1.1"]
        )
        .await,
        ["sessionid=s"]
    );
}

#[tokio::test]
async fn unknown_cookies_allow_keeps_unlisted_names_only() {
    let policy = allow_unknown_seed_policy();
    let lines = [
        "unlisted=1",
        "_hjid=h",
        "sessionid=s",
        "_pk_id.1=v",
        "_ga=GA1.1",
    ];
    // Unlisted names pass; listed categories still need consent.
    assert_eq!(
        kept(&policy, &[], &lines).await,
        ["unlisted=1", "sessionid=s", "_ga=GA1.1"]
    );
    assert_eq!(
        kept(&policy, &["cookies_preferences=statistics"], &lines).await,
        ["unlisted=1", "sessionid=s", "_pk_id.1=v", "_ga=GA1.1"]
    );
}

#[tokio::test]
async fn nameless_cookies_are_stripped_even_when_everything_is_allowed() {
    // A browser stores `=x=y` and `x` as nameless cookies and sends them back
    // as `x=y` and `x`: a way to smuggle any cookie past a name check.
    let policy = allow_unknown_seed_policy();
    let got = kept(
        &policy,
        &["cookies_preferences=all"],
        &[
            "=x=y",
            "x",
            "=x",
            "sessionid=s",
            "  =_hjid=h",
            "_hjid",
            "; Path=/",
            "",
        ],
    )
    .await;
    assert_eq!(got, ["sessionid=s"]);
}

#[tokio::test]
async fn names_with_control_characters_are_stripped() {
    // HTAB is the only control character a `HeaderValue` can carry; inside a
    // name it makes the browser refuse the cookie.
    let policy = allow_unknown_seed_policy();
    let got = kept_bytes(
        &policy,
        &["cookies_preferences=all"],
        &[b"a\tb=c", b"session\tid=s", b"_hj\tid=x", b"ok=1"],
    )
    .await;
    assert_eq!(got, [b"ok=1".to_vec()]);
}

#[tokio::test]
async fn deletions_of_any_cookie_pass_without_consent() {
    let lines = [
        "_hjid=; Max-Age=0; Path=/",
        "_pk_id.1.abcd=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
        "__hssc=; max-age=-1",
        "unlisted=; Max-Age=0",
        "_hjid=set-again",
    ];
    assert_eq!(
        kept(&seed_policy(), &[], &lines).await,
        &lines[..4],
        "deletions kept, the new _hjid stripped"
    );
}

// ---------------------------------------------------------------------------
// Deletions (DECISIONS "Set-Cookie: deletions").
// ---------------------------------------------------------------------------

/// Whether a `_hjid` line (marketing, not granted) passes: only a deletion
/// can.
async fn passes_as_deletion(attributes: &str) -> bool {
    let line = format!("_hjid={attributes}");
    let got = kept(&seed_policy(), &[], &[&line]).await;
    match got.as_slice() {
        [] => false,
        [kept] if *kept == line => true,
        other => panic!("unexpected output {other:?} for {line:?}"),
    }
}

#[tokio::test]
async fn max_age_zero_or_less_deletes() {
    for attributes in [
        "; Max-Age=0",
        "; Max-Age=-1",
        "; Max-Age=+0",
        "; Max-Age=-0",
        "; Max-Age=000",
        "; Max-Age=-99999999999999999999999999",
        "x; Max-Age=0; Path=/; Secure; HttpOnly",
    ] {
        assert!(passes_as_deletion(attributes).await, "{attributes}");
    }
    for attributes in [
        "; Max-Age=1",
        "; Max-Age=+1",
        "; Max-Age=99999999999999999999",
    ] {
        assert!(!passes_as_deletion(attributes).await, "{attributes}");
    }
}

#[tokio::test]
async fn invalid_max_age_is_ignored() {
    for value in [
        "0.5", "0x0", "1e3", "0abc", "", "-", "+", "--1", "0 0", "zero",
    ] {
        let attributes = format!("; Max-Age={value}");
        assert!(!passes_as_deletion(&attributes).await, "{attributes}");
        // Ignored means Expires decides.
        let attributes = format!("; Max-Age={value}; Expires={PAST}");
        assert!(passes_as_deletion(&attributes).await, "{attributes}");
    }
}

#[tokio::test]
async fn the_last_max_age_wins_without_fallback() {
    assert!(passes_as_deletion("; Max-Age=100; Max-Age=0").await);
    assert!(!passes_as_deletion("; Max-Age=0; Max-Age=100").await);
    // An invalid last occurrence is ignored, not replaced by an earlier one.
    assert!(!passes_as_deletion("; Max-Age=0; Max-Age=abc").await);
    assert!(!passes_as_deletion("; Max-Age=0; Max-Age=").await);
    assert!(!passes_as_deletion("; Max-Age=0; Max-Age=0.5").await);
    assert!(
        passes_as_deletion(&format!("; Max-Age=0; Max-Age=abc; Expires={PAST}")).await,
        "no valid Max-Age left, so Expires decides"
    );
}

#[tokio::test]
async fn max_age_beats_expires_in_both_orders() {
    assert!(!passes_as_deletion(&format!("; Max-Age=100; Expires={PAST}")).await);
    assert!(!passes_as_deletion(&format!("; Expires={PAST}; Max-Age=100")).await);
    assert!(passes_as_deletion(&format!("; Max-Age=0; Expires={FUTURE}")).await);
    assert!(passes_as_deletion(&format!("; Expires={FUTURE}; Max-Age=0")).await);
}

#[tokio::test]
async fn expires_in_the_past_deletes() {
    for date in [
        PAST,
        "Wed, 21 Oct 2015 07:28:00 GMT",
        "Thursday, 01-Jan-70 00:00:01 GMT",
        "Thu Jan  1 00:00:00 1970",
        "01 jan 2000 00:00:00",
    ] {
        assert!(
            passes_as_deletion(&format!("; Expires={date}")).await,
            "{date}"
        );
    }
    assert!(!passes_as_deletion(&format!("; Expires={FUTURE}")).await);
    // The last Expires wins, even when it cannot be parsed.
    assert!(passes_as_deletion(&format!("; Expires={FUTURE}; Expires={PAST}")).await);
    assert!(!passes_as_deletion(&format!("; Expires={PAST}; Expires={FUTURE}")).await);
    assert!(!passes_as_deletion(&format!("; Expires={PAST}; Expires=banana")).await);
}

#[tokio::test]
async fn unparsable_expires_makes_a_session_cookie() {
    for date in [
        "banana",
        "",
        "Thu, 01 Jan 1970",
        "01 Jan 00:00:00",
        "32 Jan 1970 00:00:00",
        "01 Jan 1600 00:00:00",
        "01 Jan 1970 24:00:00",
        "30 Feb 2000 00:00:00",
        "0",
        "-1",
    ] {
        assert!(
            !passes_as_deletion(&format!("; Expires={date}")).await,
            "{date:?}"
        );
    }
}

#[tokio::test]
async fn two_digit_years() {
    // 70-99 are 19xx (past), 00-69 are 20xx.
    assert!(passes_as_deletion("; Expires=Thu, 01-Jan-70 00:00:00 GMT").await);
    assert!(passes_as_deletion("; Expires=Fri, 31-Dec-99 23:59:59 GMT").await);
    assert!(passes_as_deletion("; Expires=Sat, 01-Jan-00 00:00:00 GMT").await);
    assert!(!passes_as_deletion("; Expires=Sun, 31-Dec-69 23:59:59 GMT").await);
    assert!(!passes_as_deletion("; Expires=Sat, 01-Jan-68 00:00:00 GMT").await);
}

#[tokio::test]
async fn an_oversized_attribute_is_never_a_deletion() {
    let at_limit = "v".repeat(1024);
    let over = "v".repeat(1025);
    // An attribute value of 1024 bytes is read; 1025 is ignored, and then
    // the line is never a deletion, whatever else it says.
    assert!(passes_as_deletion(&format!("; Max-Age=0; Path=/{}", &at_limit[1..])).await);
    assert!(passes_as_deletion(&format!("; Max-Age=0; X-Unknown={at_limit}")).await);
    assert!(!passes_as_deletion(&format!("; Max-Age=0; Path=/{}", &over[1..])).await);
    assert!(!passes_as_deletion(&format!("; Path=/{}; Max-Age=0", &over[1..])).await);
    assert!(!passes_as_deletion(&format!("; Max-Age=0; X-Unknown={over}")).await);
    assert!(!passes_as_deletion(&format!("; Expires={PAST}; Comment={over}")).await);
    let oversized_expires = format!("{PAST}{}", " x".repeat(500));
    assert!(!passes_as_deletion(&format!("; Expires={oversized_expires}")).await);
    assert!(!passes_as_deletion(&format!("; Max-Age=0{}", "0".repeat(1024))).await);
}

#[tokio::test]
async fn control_characters_make_no_deletion() {
    // HTAB is the only control character a `HeaderValue` can carry. Inside
    // the value or an attribute it makes the browser refuse the line, so the
    // line deletes nothing.
    let policy = seed_policy();
    for line in [
        &b"_hjid=a\tb; Max-Age=0"[..],
        b"_hjid=; Max-Age=0; Path=/a\tb",
        b"_hjid=; Max-\tAge=0",
        b"_hjid=; Max-Age=0\t0",
    ] {
        assert_eq!(
            kept_bytes(&policy, &[], &[line]).await,
            Vec::<Vec<u8>>::new(),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
    // A tab around the name or the value is trimmed, not part of them.
    let line = b"\t_hjid\t=\tgone\t; Max-Age=0\t";
    assert_eq!(kept_bytes(&policy, &[], &[line]).await, [line.to_vec()]);
}

#[tokio::test]
async fn attribute_names_are_case_insensitive_and_trimmed() {
    for attributes in [
        "; max-age=0",
        "; MAX-AGE=0",
        "; mAx-AgE=0",
        "; \t Max-Age \t= \t0 \t",
        &format!("; expires={PAST}"),
        &format!("; EXPIRES={PAST}"),
        &format!("; Max-Age=100; MAX-AGE=0; Expires={FUTURE}"),
    ] {
        assert!(passes_as_deletion(attributes).await, "{attributes}");
    }
    assert!(!passes_as_deletion(&format!("; max-age=5; EXPIRES={PAST}")).await);
}

#[tokio::test]
async fn a_line_the_browser_refuses_deletes_nothing() {
    // `__Host-` and `__Secure-` cookies without their required attributes are
    // refused, so their `Max-Age=0` deletes nothing.
    let policy = seed_policy();
    let got = kept(
        &policy,
        &[],
        &[
            "__Host-id=; Max-Age=0",
            "__Host-id=; Max-Age=0; Secure; Path=/",
            "__Secure-id=; Max-Age=0",
            "__Secure-id=; Max-Age=0; Secure",
            "gone=; Max-Age=0; SameSite=None",
            "gone=; Max-Age=0; SameSite=None; Secure",
        ],
    )
    .await;
    assert_eq!(
        got,
        [
            "__Host-id=; Max-Age=0; Secure; Path=/",
            "__Secure-id=; Max-Age=0; Secure",
            "gone=; Max-Age=0; SameSite=None; Secure",
        ]
    );
}

// ---------------------------------------------------------------------------
// Rule 2: names as a browser reads them.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_name_ends_at_the_first_equals_and_the_pair_at_the_first_semicolon() {
    let policy = seed_policy();
    let got = kept(
        &policy,
        &[],
        &[
            // One cookie `sessionid` with value `1, _hjid=2`.
            "sessionid=1, _hjid=2",
            // One cookie `_hjid` with value `2, sessionid=1`.
            "_hjid=2, sessionid=1",
            // `sessionid` with value `a=b=c`.
            "sessionid=a=b=c; Path=/",
            // The attribute is not a second cookie.
            "_hjid=x; sessionid=y",
        ],
    )
    .await;
    assert_eq!(got, ["sessionid=1, _hjid=2", "sessionid=a=b=c; Path=/"]);
}

#[tokio::test]
async fn spaces_inside_a_name_belong_to_it() {
    let policy = Policy::builder()
        .necessary(["a b"])
        .category("marketing", ["a"])
        .build()
        .unwrap();
    assert_eq!(kept(&policy, &[], &["a b=c", "a=c"]).await, ["a b=c"]);
    assert_eq!(
        kept(
            &policy,
            &["cookies_preferences=marketing"],
            &["a b=c", "a=c", "a  b=c"]
        )
        .await,
        ["a b=c", "a=c"]
    );
}

#[tokio::test]
async fn leading_and_trailing_spaces_and_tabs_are_trimmed() {
    let policy = seed_policy();
    let got = kept_bytes(
        &policy,
        &[],
        &[
            b" sessionid=a",
            b"sessionid =b",
            b"\t sessionid \t= c",
            b" _hjid=d",
            b"\t_hjid\t=e",
        ],
    )
    .await;
    assert_eq!(
        got,
        [
            b" sessionid=a".to_vec(),
            b"sessionid =b".to_vec(),
            b"\t sessionid \t= c".to_vec(),
        ]
    );
    let got = kept_bytes(
        &policy,
        &["cookies_preferences=marketing"],
        &[b" _hjid=d", b"\t_hjid\t=e"],
    )
    .await;
    assert_eq!(got, [b" _hjid=d".to_vec(), b"\t_hjid\t=e".to_vec()]);
}

#[tokio::test]
async fn unicode_spaces_are_name_bytes() {
    // NBSP (Latin-1 and UTF-8), U+3000 and a BOM are not trimmed: the
    // browser stores `sessionid\u{a0}`, a cookie the policy does not list.
    let policy = seed_policy();
    let lines: [&[u8]; 6] = [
        b"sessionid\xa0=a",
        b"\xa0sessionid=f",
        b"sessionid\xc2\xa0=b",
        b"\xc2\xa0sessionid=c",
        b"sessionid\xe3\x80\x80=d",
        b"\xef\xbb\xbfsessionid=e",
    ];
    assert_eq!(
        kept_bytes(&policy, &["cookies_preferences=all"], &lines).await,
        Vec::<Vec<u8>>::new()
    );
    // Under `Allow` they are unlisted cookies and pass; the marketing cookie
    // with a trailing NBSP is unlisted too, so it passes without consent.
    let policy = allow_unknown_seed_policy();
    let got = kept_bytes(&policy, &[], &[b"_hjid\xc2\xa0=x", b"_hjid=y"]).await;
    assert_eq!(got, [b"_hjid\xc2\xa0=x".to_vec()]);
}

#[tokio::test]
async fn non_utf8_names_are_matched_as_bytes() {
    let policy = seed_policy();
    let lines: [&[u8]; 4] = [
        b"_pk_id\xff\xfe=1",
        b"\xff\xfe=2",
        b"sessionid=\xff\xfe\x80",
        b"__hs\x80=3",
    ];
    assert_eq!(
        kept_bytes(&policy, &[], &lines).await,
        [b"sessionid=\xff\xfe\x80".to_vec()]
    );
    assert_eq!(
        kept_bytes(&policy, &["cookies_preferences=all"], &lines).await,
        [
            b"_pk_id\xff\xfe=1".to_vec(),
            b"sessionid=\xff\xfe\x80".to_vec(),
            b"__hs\x80=3".to_vec(),
        ]
    );
    let policy = allow_unknown_seed_policy();
    assert_eq!(
        kept_bytes(&policy, &[], &lines).await,
        [b"\xff\xfe=2".to_vec(), b"sessionid=\xff\xfe\x80".to_vec()]
    );
}

// ---------------------------------------------------------------------------
// Exact names, prefixes and case.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn exact_names_beat_prefixes_and_longer_prefixes_beat_shorter() {
    let policy = Policy::builder()
        .necessary(["_pk_id", "sess*"])
        .category("statistics", ["_pk*"])
        .category("marketing", ["_pk_id*", "session_tracker"])
        .build()
        .unwrap();
    let lines = [
        "_pk_ses.1=a",
        "_pk_id.1.abcd=b",
        "_pk_id=c",
        "_pk=d",
        "sessionid=e",
        "session_tracker=f",
        "_p=g",
    ];
    assert_eq!(
        kept(&policy, &["cookies_preferences=statistics"], &lines).await,
        ["_pk_ses.1=a", "_pk_id=c", "_pk=d", "sessionid=e"]
    );
    assert_eq!(
        kept(&policy, &["cookies_preferences=marketing"], &lines).await,
        [
            "_pk_id.1.abcd=b",
            "_pk_id=c",
            "sessionid=e",
            "session_tracker=f"
        ]
    );
    assert_eq!(
        kept(&policy, &[], &lines).await,
        ["_pk_id=c", "sessionid=e"]
    );
}

#[tokio::test]
async fn a_prefix_matches_the_bare_prefix_too() {
    let policy = Policy::builder()
        .category("statistics", ["_pk_id*"])
        .build()
        .unwrap();
    assert_eq!(
        kept(
            &policy,
            &["cookies_preferences=statistics"],
            &["_pk_id=1", "_pk_i=2"]
        )
        .await,
        ["_pk_id=1"]
    );
}

#[tokio::test]
async fn names_are_case_sensitive() {
    let policy = seed_policy();
    // With everything granted, case variants are unlisted and stripped.
    assert_eq!(
        kept(
            &policy,
            &["cookies_preferences=all"],
            &[
                "SESSIONID=a",
                "_HJID=b",
                "_PK_ID.1=c",
                "Sessionid=d",
                "sessionid=e"
            ]
        )
        .await,
        ["sessionid=e"]
    );
    // Under `Allow`, case variants of tracker names are unlisted, not
    // trackers: they pass without consent while the real names do not.
    let policy = allow_unknown_seed_policy();
    assert_eq!(
        kept(
            &policy,
            &[],
            &["_HJID=b", "_hjid=b", "__HS_x=c", "__hs_x=c"]
        )
        .await,
        ["_HJID=b", "__HS_x=c"]
    );
    // A case variant of the consent cookie is not the consent cookie.
    assert_eq!(
        kept(&seed_policy(), &[], &["COOKIES_PREFERENCES=all", "_hjid=b"]).await,
        Vec::<String>::new()
    );
}

// ---------------------------------------------------------------------------
// Rule 5: order, and everything else untouched.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn kept_values_keep_their_order() {
    let lines: Vec<String> = (0..150)
        .map(|i| match i % 3 {
            0 => format!("sessionid{i}=s"),
            1 => format!("_hjid{i}=h"),
            _ => format!("_pk_id.{i}=p"),
        })
        .collect();
    let policy = Policy::builder()
        .necessary(["sessionid*"])
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_hjid*"])
        .build()
        .unwrap();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let got = kept(&policy, &["cookies_preferences=statistics"], &refs).await;
    let expected: Vec<&str> = refs
        .iter()
        .copied()
        .filter(|l| !l.starts_with("_hjid"))
        .collect();
    assert_eq!(got, expected);
    let got = kept(&policy, &["cookies_preferences=marketing"], &refs).await;
    let expected: Vec<&str> = refs
        .iter()
        .copied()
        .filter(|l| !l.starts_with("_pk_id"))
        .collect();
    assert_eq!(got, expected);
}

/// An application extension, to check the response's extensions survive.
#[derive(Debug, Clone, PartialEq)]
struct Marker(u32);

/// A body type of the application's own: the layer must pass it through
/// without knowing it.
#[derive(Debug, PartialEq)]
struct Body(&'static str);

fn rich_app(
    set_cookies: &'static [&'static str],
) -> impl Service<Request<()>, Response = Response<Body>, Error = Infallible> + Clone {
    service_fn(move |_req: Request<()>| async move {
        let mut res = Response::new(Body("payload"));
        *res.status_mut() = StatusCode::CREATED;
        *res.version_mut() = http::Version::HTTP_2;
        res.extensions_mut().insert(Marker(7));
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        for line in set_cookies {
            headers.append(SET_COOKIE, HeaderValue::from_static(line));
        }
        headers.append("x-multi", HeaderValue::from_static("one"));
        headers.append("x-multi", HeaderValue::from_static("two"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Ok(res)
    })
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.as_bytes().to_vec()))
        .collect()
}

#[tokio::test]
async fn stripping_leaves_status_headers_extensions_and_body_alone() {
    static LINES: [&str; 4] = ["_hjid=h", "sessionid=s", "_pk_id.1=p", "csrftoken=c"];
    let svc = CookieConsentLayer::new(seed_policy()).layer(rich_app(&LINES));
    let res = svc
        .oneshot(request("/", &["cookies_preferences=statistics"]))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.version(), http::Version::HTTP_2);
    assert_eq!(res.extensions().get::<Marker>(), Some(&Marker(7)));
    assert_eq!(
        set_cookie_strings(res.headers()),
        ["sessionid=s", "_pk_id.1=p", "csrftoken=c"]
    );
    let headers = res.headers();
    assert_eq!(headers.keys_len(), 4);
    assert_eq!(headers.len(), 7);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    let multi: Vec<_> = headers.get_all("x-multi").iter().collect();
    assert_eq!(multi, ["one", "two"]);
    assert_eq!(res.into_body(), Body("payload"));
}

#[tokio::test]
async fn a_response_with_nothing_to_strip_is_not_touched() {
    static LINES: [&str; 3] = [
        "sessionid=s",
        "_pk_id.1=p",
        "cookies_preferences=statistics",
    ];
    let expected = rich_app(&LINES).oneshot(request("/", &[])).await.unwrap();
    let svc = CookieConsentLayer::new(seed_policy()).layer(rich_app(&LINES));
    let res = svc
        .oneshot(request("/", &["cookies_preferences=statistics"]))
        .await
        .unwrap();
    // Same pairs in the same iteration order, same capacity: untouched.
    assert_eq!(
        header_pairs(res.headers()),
        header_pairs(expected.headers())
    );
    assert_eq!(res.headers().capacity(), expected.headers().capacity());
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.extensions().get::<Marker>(), Some(&Marker(7)));
    assert_eq!(res.into_body(), Body("payload"));
}

#[tokio::test]
async fn a_response_without_set_cookie_is_not_touched() {
    let expected = rich_app(&[]).oneshot(request("/", &[])).await.unwrap();
    let res = CookieConsentLayer::new(seed_policy())
        .layer(rich_app(&[]))
        .oneshot(request("/", &[]))
        .await
        .unwrap();
    assert_eq!(
        header_pairs(res.headers()),
        header_pairs(expected.headers())
    );
    assert_eq!(res.headers().capacity(), expected.headers().capacity());
}

/// A header map holding exactly as many names as its capacity, so one more
/// name would make it grow.
fn full_map(set_cookies: &[&'static str]) -> HeaderMap {
    let mut map = HeaderMap::with_capacity(12);
    for line in set_cookies {
        map.append(SET_COOKIE, HeaderValue::from_static(line));
    }
    let mut i = 0;
    while map.keys_len() < map.capacity() {
        let name = HeaderName::from_bytes(format!("x-fill-{i}").as_bytes()).unwrap();
        map.insert(name, HeaderValue::from(i));
        i += 1;
    }
    assert_eq!(map.keys_len(), map.capacity());
    map
}

fn full_map_app(
    set_cookies: &'static [&'static str],
) -> impl Service<Request<()>, Response = Response<()>, Error = Infallible> + Clone {
    service_fn(move |_req: Request<()>| async move {
        let mut res = Response::new(());
        *res.headers_mut() = full_map(set_cookies);
        Ok(res)
    })
}

#[tokio::test]
async fn a_full_header_map_is_filtered_in_place() {
    static LINES: [&str; 5] = [
        "_hjid=h",
        "sessionid=s",
        "_pk_id.1=p",
        "__hs=x",
        "csrftoken=c",
    ];
    let reference = full_map(&LINES);
    let res = CookieConsentLayer::new(seed_policy())
        .layer(full_map_app(&LINES))
        .oneshot(request("/", &["cookies_preferences=statistics"]))
        .await
        .unwrap();
    let headers = res.headers();
    assert_eq!(
        set_cookie_strings(headers),
        ["sessionid=s", "_pk_id.1=p", "csrftoken=c"]
    );
    assert_eq!(headers.capacity(), reference.capacity());
    assert_eq!(headers.keys_len(), reference.keys_len());
    for (name, value) in &reference {
        if name != SET_COOKIE {
            assert_eq!(headers.get_all(name).iter().collect::<Vec<_>>(), [value]);
        }
    }

    // Everything stripped: the name goes away, the rest stays.
    let res = CookieConsentLayer::new(seed_policy())
        .layer(full_map_app(&LINES[..1]))
        .oneshot(request("/", &[]))
        .await
        .unwrap();
    assert!(res.headers().get(SET_COOKIE).is_none());
    assert_eq!(res.headers().keys_len(), reference.keys_len() - 1);

    // Nothing stripped: untouched.
    let expected = full_map(&LINES);
    let res = CookieConsentLayer::new(seed_policy())
        .layer(full_map_app(&LINES))
        .oneshot(request("/", &["cookies_preferences=all"]))
        .await
        .unwrap();
    assert_eq!(header_pairs(res.headers()), header_pairs(&expected));
    assert_eq!(res.headers().capacity(), expected.capacity());
}

// ---------------------------------------------------------------------------
// Rule 1: the consent cookie set by the response.
// ---------------------------------------------------------------------------

const TRACKERS: [&str; 3] = ["sessionid=s", "_pk_id.1=p", "_hjid=h"];

/// The response's lines: the trackers, then `consent` lines.
fn with_consent_lines<'a>(consent: &[&'a str]) -> Vec<&'a str> {
    TRACKERS
        .iter()
        .copied()
        .chain(consent.iter().copied())
        .collect()
}

/// Which of [`TRACKERS`] pass when the response carries `consent` lines,
/// for a request with `cookies`. Every consent line must pass too.
async fn trackers_kept(policy: &Policy, req: Request<()>, consent: &[&str]) -> Vec<String> {
    let lines = with_consent_lines(consent);
    let got = kept_for(policy, req, &lines).await;
    let (trackers, consent_lines): (Vec<String>, Vec<String>) = got
        .into_iter()
        .partition(|l| TRACKERS.contains(&l.as_str()));
    assert_eq!(consent_lines, consent, "the consent cookie always passes");
    trackers
}

#[tokio::test]
async fn a_new_consent_value_decides_for_its_own_response() {
    let policy = seed_policy();
    // First visit, the visitor accepts statistics: the consent line comes
    // after the statistics cookie and still covers it.
    assert_eq!(
        trackers_kept(
            &policy,
            request("/", &[]),
            &["cookies_preferences=statistics; Path=/"]
        )
        .await,
        ["sessionid=s", "_pk_id.1=p"]
    );
    // The visitor narrows an earlier `all` to marketing.
    assert_eq!(
        trackers_kept(
            &policy,
            request("/", &["cookies_preferences=all"]),
            &["cookies_preferences=%5B%22marketing%22%5D"]
        )
        .await,
        ["sessionid=s", "_hjid=h"]
    );
    // A new value that grants nothing, is empty or malformed: necessary only.
    for value in [
        "cookies_preferences={}",
        "cookies_preferences=",
        "cookies_preferences=%zz",
    ] {
        assert_eq!(
            trackers_kept(
                &policy,
                request("/", &["cookies_preferences=all"]),
                &[value]
            )
            .await,
            ["sessionid=s"],
            "{value}"
        );
    }
}

#[tokio::test]
async fn a_new_consent_line_before_the_trackers_decides_too() {
    let got = kept(
        &seed_policy(),
        &[],
        &["cookies_preferences=marketing", "_hjid=h", "_pk_id.1=p"],
    )
    .await;
    assert_eq!(got, ["cookies_preferences=marketing", "_hjid=h"]);
}

#[tokio::test]
async fn a_new_consent_value_covers_lines_past_the_64th() {
    let mut lines: Vec<String> = (0..100)
        .map(|i| {
            if i % 2 == 0 {
                format!("_pk_id.{i}=p")
            } else {
                format!("_hjid{i}=h")
            }
        })
        .collect();
    lines.push("cookies_preferences=statistics".to_owned());
    let policy = Policy::builder()
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_hjid*"])
        .build()
        .unwrap();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let got = kept(&policy, &["cookies_preferences=marketing"], &refs).await;
    let expected: Vec<&str> = refs
        .iter()
        .copied()
        .filter(|l| !l.starts_with("_hjid"))
        .collect();
    assert_eq!(got.len(), 51);
    assert_eq!(got, expected);
}

#[tokio::test]
async fn deleting_the_consent_cookie_leaves_necessary_only() {
    let policy = seed_policy();
    for deletion in [
        "cookies_preferences=; Max-Age=0; Path=/".to_owned(),
        "cookies_preferences=all; Max-Age=-1".to_owned(),
        format!("cookies_preferences=all; Expires={PAST}"),
    ] {
        assert_eq!(
            trackers_kept(
                &policy,
                request("/", &["cookies_preferences=all"]),
                &[&deletion]
            )
            .await,
            ["sessionid=s"],
            "{deletion}"
        );
    }
}

#[tokio::test]
async fn the_last_stored_consent_line_wins() {
    let policy = seed_policy();
    let req = || request("/", &["cookies_preferences=all"]);
    assert_eq!(
        trackers_kept(
            &policy,
            req(),
            &[
                "cookies_preferences=marketing",
                "cookies_preferences=statistics"
            ]
        )
        .await,
        ["sessionid=s", "_pk_id.1=p"]
    );
    assert_eq!(
        trackers_kept(
            &policy,
            req(),
            &[
                "cookies_preferences=statistics",
                "cookies_preferences=; Max-Age=0"
            ]
        )
        .await,
        ["sessionid=s"]
    );
    assert_eq!(
        trackers_kept(
            &policy,
            req(),
            &[
                "cookies_preferences=; Max-Age=0",
                "cookies_preferences=marketing"
            ]
        )
        .await,
        ["sessionid=s", "_hjid=h"]
    );
    // The browser refuses the last line, so the one before it is stored last.
    assert_eq!(
        trackers_kept(
            &policy,
            request("/", &[]),
            &[
                "cookies_preferences=statistics",
                "cookies_preferences=marketing; SameSite=None"
            ]
        )
        .await,
        ["sessionid=s", "_pk_id.1=p"]
    );
}

/// Asserts that the request's consent (`statistics`) still decides when the
/// response sets the consent cookie with the `ignored` line, and that the new
/// value (`marketing`) decides with the `accepted` line.
async fn assert_ignored_then_accepted(
    policy: &Policy,
    req: impl Fn() -> Request<()>,
    ignored: &str,
    accepted: &str,
) {
    let consent_name = policy.consent_cookie();
    let req_cookie = format!("{consent_name}=statistics");
    let with_cookie = |mut r: Request<()>| {
        r.headers_mut()
            .append(header::COOKIE, HeaderValue::from_str(&req_cookie).unwrap());
        r
    };
    assert_eq!(
        trackers_kept(policy, with_cookie(req()), &[ignored]).await,
        ["sessionid=s", "_pk_id.1=p"],
        "ignored: {ignored}"
    );
    assert_eq!(
        trackers_kept(policy, with_cookie(req()), &[accepted]).await,
        ["sessionid=s", "_hjid=h"],
        "accepted: {accepted}"
    );
}

/// The trackers' policy with another consent cookie name.
fn policy_with_consent_cookie(name: &str) -> Policy {
    Policy::builder()
        .consent_cookie(name)
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_hjid"])
        .build()
        .unwrap()
}

fn bare() -> Request<()> {
    request("/", &[])
}

#[tokio::test]
async fn a_new_consent_value_too_long_to_store_is_ignored() {
    let policy = seed_policy();
    // name (19 bytes) + value: 4097 bytes is refused, 4096 is stored.
    let name_len = policy.consent_cookie().len();
    let value = |len: usize| format!("marketing,{}", "x".repeat(len - "marketing,".len()));
    let over = format!("cookies_preferences={}", value(4097 - name_len));
    let at_limit = format!("cookies_preferences={}", value(4096 - name_len));
    assert_ignored_then_accepted(&policy, bare, &over, &at_limit).await;
}

#[tokio::test]
async fn a_new_consent_value_with_samesite_none_or_partitioned_needs_secure() {
    let policy = seed_policy();
    assert_ignored_then_accepted(
        &policy,
        bare,
        "cookies_preferences=marketing; SameSite=None",
        "cookies_preferences=marketing; SameSite=None; Secure",
    )
    .await;
    assert_ignored_then_accepted(
        &policy,
        bare,
        "cookies_preferences=marketing; samesite=none; Path=/",
        "cookies_preferences=marketing; SameSite=Lax",
    )
    .await;
    assert_ignored_then_accepted(
        &policy,
        bare,
        "cookies_preferences=marketing; Partitioned",
        "cookies_preferences=marketing; Partitioned; Secure",
    )
    .await;
}

#[tokio::test]
async fn a_new_consent_value_must_follow_the_host_prefix_rules() {
    let policy = policy_with_consent_cookie("__Host-consent");
    let accepted = "__Host-consent=marketing; Secure; Path=/";
    for ignored in [
        "__Host-consent=marketing; Path=/",
        "__Host-consent=marketing; Secure",
        "__Host-consent=marketing; Secure; Path=/app",
        "__Host-consent=marketing; Secure; Path=/; Domain=example.com",
    ] {
        assert_ignored_then_accepted(&policy, bare, ignored, accepted).await;
    }
    // With a known host too, `Domain` breaks the prefix rule.
    let https = || request("https://example.com/", &[]);
    assert_ignored_then_accepted(
        &policy,
        https,
        "__Host-consent=marketing; Secure; Path=/; Domain=example.com",
        accepted,
    )
    .await;
}

#[tokio::test]
async fn a_new_consent_value_must_follow_the_secure_prefix_rules() {
    let policy = policy_with_consent_cookie("__Secure-consent");
    assert_ignored_then_accepted(
        &policy,
        bare,
        "__Secure-consent=marketing; Path=/",
        "__Secure-consent=marketing; Path=/; Secure",
    )
    .await;
}

#[tokio::test]
async fn a_new_consent_value_must_domain_match_the_request_host() {
    let policy = seed_policy();
    let from_uri = || request("http://shop.example.com/checkout", &[]);
    let from_host_header = || {
        let mut req = request("/checkout", &[]);
        req.headers_mut().insert(
            header::HOST,
            HeaderValue::from_static("Shop.Example.COM:8080"),
        );
        req
    };
    for req in [&from_uri as &dyn Fn() -> Request<()>, &from_host_header] {
        for ignored in [
            "cookies_preferences=marketing; Domain=other.com",
            "cookies_preferences=marketing; Domain=hop.example.com",
            "cookies_preferences=marketing; Domain=www.shop.example.com",
            "cookies_preferences=marketing; Domain=ample.com",
        ] {
            for accepted in [
                "cookies_preferences=marketing; Domain=example.com",
                "cookies_preferences=marketing; Domain=.example.com",
                "cookies_preferences=marketing; Domain=shop.example.com",
                "cookies_preferences=marketing; Domain=EXAMPLE.com",
                "cookies_preferences=marketing",
            ] {
                assert_ignored_then_accepted(&policy, req, ignored, accepted).await;
            }
        }
    }
    // An IP address only matches itself.
    let ip = || request("http://10.0.0.1/", &[]);
    assert_ignored_then_accepted(
        &policy,
        ip,
        "cookies_preferences=marketing; Domain=0.0.1",
        "cookies_preferences=marketing; Domain=10.0.0.1",
    )
    .await;
}

#[tokio::test]
async fn the_domain_check_is_skipped_when_the_host_is_unknown() {
    let got = trackers_kept(
        &seed_policy(),
        request("/", &["cookies_preferences=statistics"]),
        &["cookies_preferences=marketing; Domain=other.com"],
    )
    .await;
    assert_eq!(got, ["sessionid=s", "_hjid=h"]);
}

#[tokio::test]
async fn a_new_secure_consent_value_is_ignored_over_http() {
    let policy = seed_policy();
    let http = || request("http://example.com/", &[]);
    assert_ignored_then_accepted(
        &policy,
        http,
        "cookies_preferences=marketing; Secure",
        "cookies_preferences=marketing",
    )
    .await;
    // Over https, or with the scheme unknown (origin-form URI, even with a
    // Host header), a Secure value counts.
    for req in [
        request("https://example.com/", &["cookies_preferences=statistics"]),
        request("/", &["cookies_preferences=statistics"]),
        {
            let mut req = request("/", &["cookies_preferences=statistics"]);
            req.headers_mut()
                .insert(header::HOST, HeaderValue::from_static("example.com"));
            req
        },
    ] {
        assert_eq!(
            trackers_kept(
                &seed_policy(),
                req,
                &["cookies_preferences=marketing; Secure"]
            )
            .await,
            ["sessionid=s", "_hjid=h"]
        );
    }
}

#[tokio::test]
async fn an_ignored_consent_deletion_keeps_the_request_consent() {
    let policy = seed_policy();
    let got = trackers_kept(
        &policy,
        request("http://example.com/", &["cookies_preferences=statistics"]),
        &["cookies_preferences=; Max-Age=0; Secure"],
    )
    .await;
    assert_eq!(got, ["sessionid=s", "_pk_id.1=p"]);
}

// ---------------------------------------------------------------------------
// The service: errors, readiness, cloning.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn inner_errors_pass_through_untouched() {
    let app = service_fn(|_req: Request<()>| async { Err::<Response<()>, _>("boom") });
    let result: Result<Response<()>, &str> = CookieConsentLayer::new(seed_policy())
        .layer(app)
        .oneshot(bare())
        .await;
    assert_eq!(result.unwrap_err(), "boom");
}

/// A service whose readiness the test controls: 0 pending, 1 ready,
/// 2 failed.
#[derive(Clone)]
struct Gate {
    state: Arc<AtomicU8>,
    polls: Arc<AtomicUsize>,
}

impl Service<Request<()>> for Gate {
    type Response = Response<()>;
    type Error = &'static str;
    type Future = Ready<Result<Response<()>, &'static str>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        match self.state.load(Ordering::SeqCst) {
            0 => Poll::Pending,
            1 => Poll::Ready(Ok(())),
            _ => Poll::Ready(Err("not ready")),
        }
    }

    fn call(&mut self, _req: Request<()>) -> Self::Future {
        ready(Ok(Response::builder()
            .header(SET_COOKIE, "_hjid=h")
            .header(SET_COOKIE, "sessionid=s")
            .body(())
            .unwrap()))
    }
}

#[tokio::test]
async fn poll_ready_is_forwarded() {
    let gate = Gate {
        state: Arc::new(AtomicU8::new(0)),
        polls: Arc::new(AtomicUsize::new(0)),
    };
    let mut svc = CookieConsentLayer::new(seed_policy()).layer(gate.clone());
    let mut cx = Context::from_waker(Waker::noop());

    assert!(svc.poll_ready(&mut cx).is_pending());
    assert_eq!(gate.polls.load(Ordering::SeqCst), 1);

    gate.state.store(2, Ordering::SeqCst);
    assert_eq!(svc.poll_ready(&mut cx), Poll::Ready(Err("not ready")));
    assert_eq!(gate.polls.load(Ordering::SeqCst), 2);

    gate.state.store(1, Ordering::SeqCst);
    assert_eq!(svc.poll_ready(&mut cx), Poll::Ready(Ok(())));
    let res = svc.call(bare()).await.unwrap();
    assert_eq!(set_cookie_strings(res.headers()), ["sessionid=s"]);
    assert_eq!(gate.polls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_service_clones_with_its_inner_service() {
    fn assert_clone<T: Clone>(_: &T) {}
    let svc: CookieConsent<_> = CookieConsentLayer::new(seed_policy()).layer(app_setting(vec![
        b"_pk_id.1=p".to_vec(),
        b"_hjid=h".to_vec(),
    ]));
    assert_clone(&svc);
    let copy = svc.clone();
    let res = svc
        .oneshot(request("/", &["cookies_preferences=statistics"]))
        .await
        .unwrap();
    assert_eq!(set_cookie_strings(res.headers()), ["_pk_id.1=p"]);
    let res = copy
        .oneshot(request("/", &["cookies_preferences=marketing"]))
        .await
        .unwrap();
    assert_eq!(set_cookie_strings(res.headers()), ["_hjid=h"]);
}

#[test]
fn layer_and_service_are_shareable() {
    fn assert_traits<T: Clone + Send + Sync + 'static>() {}
    assert_traits::<CookieConsentLayer>();
    assert_traits::<
        CookieConsent<tower::util::BoxCloneSyncService<Request<()>, Response<()>, Infallible>>,
    >();
}
