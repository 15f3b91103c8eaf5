//! The consent cookie's value, end to end: every request goes through
//! `CookieConsentLayer` with `oneshot`, and each test reads the `Consent`
//! the inner service found in its request's extensions. The helper also
//! checks that the `Set-Cookie` filter of the same response agrees with
//! that `Consent`, and that `Consent::from_headers` reads the same.

mod common;

use std::convert::Infallible;

use common::set_cookie_strings;
use http::header::{self, HeaderValue, SET_COOKIE};
use http::{Request, Response};
use tower::{service_fn, Layer, ServiceExt};
use tower_cookie_consent::{Consent, CookieConsentLayer, Policy};

/// Categories declared in a known order, one of them in mixed case.
fn policy() -> Policy {
    Policy::builder()
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_hjid"])
        .category("Social", ["_fbp"])
        .build()
        .unwrap()
}

/// One `Set-Cookie` line per category that declares a cookie, plus a
/// necessary one: `(category, line)`.
fn probe_lines(policy: &Policy) -> Vec<(String, String)> {
    let mut lines = vec![("necessary".to_owned(), "sessionid=s".to_owned())];
    for category in policy.categories() {
        if let Some(entry) = policy.category_cookies(category).unwrap().first() {
            lines.push((category.to_string(), format!("{}=x", entry.pattern())));
        }
    }
    lines
}

/// Sends a request with `cookie_headers` (one `Cookie` header each) through
/// the layer and returns the `Consent` the inner service saw.
async fn consent_of(policy: &Policy, cookie_headers: &[&[u8]]) -> Consent {
    let lines = probe_lines(policy);
    let response_lines: Vec<String> = lines.iter().map(|(_, l)| l.clone()).collect();
    let app = service_fn(move |req: Request<()>| {
        let response_lines = response_lines.clone();
        async move {
            let consent = req
                .extensions()
                .get::<Consent>()
                .cloned()
                .expect("the layer inserts a Consent before calling the service");
            let mut res = Response::new(consent);
            for line in response_lines {
                res.headers_mut()
                    .append(SET_COOKIE, HeaderValue::from_str(&line).unwrap());
            }
            Ok::<_, Infallible>(res)
        }
    });
    let mut req = Request::builder().uri("/");
    for value in cookie_headers {
        req = req.header(header::COOKIE, HeaderValue::from_bytes(value).unwrap());
    }
    let req = req.body(()).unwrap();
    let direct = Consent::from_headers(policy, req.headers());

    let res = CookieConsentLayer::new(policy.clone())
        .layer(app)
        .oneshot(req)
        .await
        .unwrap();
    let kept = set_cookie_strings(res.headers());
    let consent = res.into_body();

    let expected: Vec<String> = lines
        .iter()
        .filter(|(category, _)| consent.allows(category))
        .map(|(_, line)| line.clone())
        .collect();
    assert_eq!(kept, expected, "the filter agrees with the Consent");
    assert_eq!(
        direct.categories().collect::<Vec<_>>(),
        consent.categories().collect::<Vec<_>>()
    );
    assert_eq!(direct.is_set(), consent.is_set());
    consent
}

/// The categories granted by one `Cookie: cookies_preferences=<value>`.
async fn granted(policy: &Policy, value: &str) -> Vec<String> {
    granted_bytes(policy, value.as_bytes()).await
}

async fn granted_bytes(policy: &Policy, value: &[u8]) -> Vec<String> {
    let header = [b"cookies_preferences=", value].concat();
    names(&consent_of(policy, &[&header]).await)
}

/// Whether one `Cookie: cookies_preferences=<value>` counts as set.
async fn is_set(policy: &Policy, value: &str) -> bool {
    let header = format!("cookies_preferences={value}");
    consent_of(policy, &[header.as_bytes()]).await.is_set()
}

fn names(consent: &Consent) -> Vec<String> {
    consent.categories().map(str::to_owned).collect()
}

const NONE: [&str; 0] = [];

// ---------------------------------------------------------------------------
// Lists.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_list_of_names_with_commas_pipes_or_spaces() {
    let p = policy();
    for value in [
        "statistics,marketing",
        "statistics|marketing",
        "statistics marketing",
        "marketing,statistics",
        "statistics, marketing",
        " statistics |marketing ",
        ",statistics,,marketing,",
        "statistics,statistics,marketing",
    ] {
        assert_eq!(
            granted(&p, value).await,
            ["statistics", "marketing"],
            "{value:?}"
        );
    }
    assert_eq!(granted(&p, "marketing").await, ["marketing"]);
    assert_eq!(granted(&p, "Social").await, ["Social"]);
}

#[tokio::test]
async fn all_grants_every_category() {
    let p = policy();
    for value in [
        "all",
        "ALL",
        "All",
        "all,unknown",
        "statistics,all",
        "all|marketing",
        r#"["all"]"#,
        r#"["ALL", 3]"#,
        r#"{"all":true}"#,
        r#"{"ALL":true,"unknown":false}"#,
    ] {
        assert_eq!(
            granted(&p, value).await,
            ["statistics", "marketing", "Social"],
            "{value:?}"
        );
    }
    // `all` is a token, not a prefix or a substring.
    assert_eq!(granted(&p, "allx").await, NONE);
    assert_eq!(granted(&p, r#"{"all":false}"#).await, NONE);
    assert_eq!(granted(&p, r#"{"all":"true"}"#).await, NONE);
}

// ---------------------------------------------------------------------------
// JSON.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_json_object_grants_only_true() {
    let p = policy();
    assert_eq!(
        granted(&p, r#"{"statistics":true,"marketing":false}"#).await,
        ["statistics"]
    );
    assert_eq!(
        granted(&p, "{ \"Social\" : true ,\t\"statistics\":\ttrue }").await,
        ["statistics", "Social"]
    );
    // Non-boolean values grant nothing.
    for value in [
        r#"{"statistics":1}"#,
        r#"{"statistics":"true"}"#,
        r#"{"statistics":null}"#,
        r#"{"statistics":{"granted":true}}"#,
        r#"{"statistics":[true]}"#,
        r#"{"statistics":0.5e3}"#,
    ] {
        assert_eq!(granted(&p, value).await, NONE, "{value}");
        assert!(is_set(&p, value).await, "{value} is valid JSON");
    }
}

#[tokio::test]
async fn an_explicit_false_beats_all() {
    let p = policy();
    for value in [
        r#"{"all":true,"marketing":false}"#,
        r#"{"marketing":false,"all":true}"#,
        r#"{"marketing":false,"all":true,"statistics":false,"statistics":true}"#,
    ] {
        assert_eq!(
            granted(&p, value).await,
            ["statistics", "Social"],
            "{value}"
        );
    }
    // A non-boolean value for a category decides it too: not granted.
    assert_eq!(
        granted(&p, r#"{"all":true,"marketing":null}"#).await,
        ["statistics", "Social"]
    );
}

#[tokio::test]
async fn duplicate_json_keys_the_last_one_wins() {
    let p = policy();
    assert_eq!(
        granted(&p, r#"{"statistics":true,"statistics":false}"#).await,
        NONE
    );
    assert_eq!(
        granted(&p, r#"{"statistics":false,"statistics":true}"#).await,
        ["statistics"]
    );
    // Whatever its value: a non-boolean last value grants nothing.
    assert_eq!(
        granted(&p, r#"{"statistics":true,"statistics":"yes"}"#).await,
        NONE
    );
    assert_eq!(
        granted(&p, r#"{"statistics":true,"statistics":1}"#).await,
        NONE
    );
    // Keys match case-insensitively, so the last matching key decides.
    assert_eq!(
        granted(&p, r#"{"statistics":true,"STATISTICS":false}"#).await,
        NONE
    );
    assert_eq!(
        granted(&p, r#"{"Statistics":false,"statistics":true}"#).await,
        ["statistics"]
    );
    assert_eq!(granted(&p, r#"{"all":true,"all":false}"#).await, NONE);
}

#[tokio::test]
async fn a_json_array_of_names() {
    let p = policy();
    assert_eq!(granted(&p, r#"["statistics"]"#).await, ["statistics"]);
    assert_eq!(
        granted(&p, r#"[ "social" , "statistics" ]"#).await,
        ["statistics", "Social"]
    );
    // Items that are not strings are ignored, even when they look like a
    // grant.
    assert_eq!(
        granted(
            &p,
            r#"["statistics", 1, null, true, {"marketing":true}, ["marketing"], "unknown"]"#
        )
        .await,
        ["statistics"]
    );
}

#[tokio::test]
async fn json_escapes_are_decoded_before_matching() {
    let p = policy();
    assert_eq!(
        granted(&p, r#"{"st\u0061tistics":true}"#).await,
        ["statistics"]
    );
    assert_eq!(granted(&p, r#"["m\u0041rketing"]"#).await, ["marketing"]);
}

#[tokio::test]
async fn json_nested_deeper_than_32_levels_is_malformed() {
    let p = policy();
    // The object is level 1; `depth - 1` arrays inside it.
    let object = |depth: usize| {
        format!(
            r#"{{"statistics":true,"x":{}1{}}}"#,
            "[".repeat(depth - 1),
            "]".repeat(depth - 1)
        )
    };
    assert_eq!(granted(&p, &object(32)).await, ["statistics"]);
    assert_eq!(granted(&p, &object(33)).await, NONE);
    assert!(!is_set(&p, &object(33)).await);
    // The array is level 1; `depth - 1` objects inside it.
    let array = |depth: usize| {
        format!(
            r#"["statistics",{}0{}]"#,
            "{\"a\":".repeat(depth - 1),
            "}".repeat(depth - 1)
        )
    };
    assert_eq!(granted(&p, &array(32)).await, ["statistics"]);
    assert_eq!(granted(&p, &array(33)).await, NONE);
    // Very deep input is bounded work, and malformed.
    let deep = format!(r#"["statistics",{}]"#, "[".repeat(3000));
    assert_eq!(granted(&p, &deep).await, NONE);
}

// ---------------------------------------------------------------------------
// Encoding.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn percent_encoded_values_are_decoded_once() {
    let p = policy();
    assert_eq!(
        granted(
            &p,
            "%7B%22statistics%22%3Atrue%2C%22marketing%22%3Afalse%7D"
        )
        .await,
        ["statistics"]
    );
    assert_eq!(
        granted(&p, "%7b%22Social%22%3atrue%7d").await,
        ["Social"],
        "lowercase hex"
    );
    assert_eq!(granted(&p, "%5B%22marketing%22%5D").await, ["marketing"]);
    assert_eq!(
        granted(&p, "statistics%2Cmarketing").await,
        ["statistics", "marketing"]
    );
    assert_eq!(
        granted(&p, "statistics%7Cmarketing%20Social").await,
        ["statistics", "marketing", "Social"]
    );
    assert_eq!(granted(&p, "st%61tistics").await, ["statistics"]);
}

#[tokio::test]
async fn a_value_encoded_twice_is_malformed() {
    let p = policy();
    for value in [
        "statistics%252Cmarketing",
        "%257B%2522statistics%2522%253Atrue%257D",
        "%255B%2522statistics%2522%255D",
        "statistics%2525",
    ] {
        assert_eq!(granted(&p, value).await, NONE, "{value}");
        assert!(!is_set(&p, value).await, "{value}");
    }
}

#[tokio::test]
async fn plus_is_not_a_space() {
    let p = policy();
    // One unknown name, not two known ones.
    assert_eq!(granted(&p, "statistics+marketing").await, NONE);
    assert!(is_set(&p, "statistics+marketing").await);
    // `{"statistics":+true}` is not JSON.
    assert_eq!(granted(&p, "%7B%22statistics%22%3A+true%7D").await, NONE);
    assert!(!is_set(&p, "%7B%22statistics%22%3A+true%7D").await);
}

#[tokio::test]
async fn bad_escapes_are_malformed() {
    let p = policy();
    for value in [
        "statistics%",
        "statistics%2",
        "statistics%zz",
        "%7B%22a%22%3Atrue%7",
    ] {
        assert_eq!(granted(&p, value).await, NONE, "{value}");
        assert!(!is_set(&p, value).await, "{value}");
    }
    // Percent-encoding that decodes to invalid UTF-8 grants nothing.
    assert_eq!(granted(&p, "statistics%2C%FF").await, NONE);
}

#[tokio::test]
async fn one_pair_of_double_quotes_is_unwrapped() {
    let p = policy();
    assert_eq!(
        granted(&p, r#""statistics,marketing""#).await,
        ["statistics", "marketing"]
    );
    assert_eq!(
        granted(&p, r#""%7B%22statistics%22%3Atrue%7D""#).await,
        ["statistics"]
    );
    assert_eq!(granted(&p, r#""{"Social":true}""#).await, ["Social"]);
    assert_eq!(granted(&p, r#""["marketing"]""#).await, ["marketing"]);
    // Only one pair: what is left is a quoted name, which is no category.
    assert_eq!(granted(&p, r#"""statistics"""#).await, NONE);
    // An unbalanced quote is not unwrapped.
    assert_eq!(granted(&p, r#""statistics"#).await, NONE);
}

#[tokio::test]
async fn a_value_over_4096_bytes_is_malformed() {
    let p = policy();
    let value = |len: usize| format!("statistics,{}", "x".repeat(len - "statistics,".len()));
    assert_eq!(granted(&p, &value(4096)).await, ["statistics"]);
    assert!(is_set(&p, &value(4096)).await);
    assert_eq!(granted(&p, &value(4097)).await, NONE);
    assert!(!is_set(&p, &value(4097)).await);
    // A percent-encoded value is measured as sent.
    let encoded = |len: usize| format!("statistics%2C{}", "x".repeat(len - "statistics%2C".len()));
    assert_eq!(granted(&p, &encoded(4096)).await, ["statistics"]);
    assert_eq!(granted(&p, &encoded(4097)).await, NONE);
    // JSON too.
    let json = |len: usize| {
        let head = r#"{"statistics":true,"pad":""#;
        format!("{head}{}\"}}", "x".repeat(len - head.len() - 2))
    };
    assert_eq!(json(4097).len(), 4097);
    assert_eq!(granted(&p, &json(4096)).await, ["statistics"]);
    assert_eq!(granted(&p, &json(4097)).await, NONE);
}

// ---------------------------------------------------------------------------
// Names.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn category_names_compare_case_insensitively() {
    let p = policy();
    assert_eq!(
        granted(&p, "STATISTICS,Marketing,sOcIaL").await,
        ["statistics", "marketing", "Social"]
    );
    assert_eq!(granted(&p, r#"{"SOCIAL":true}"#).await, ["Social"]);
    assert_eq!(granted(&p, r#"["sOcIaL"]"#).await, ["Social"]);
    // ASCII only: the Kelvin sign is not a `k`, the long s not an `s`.
    assert_eq!(granted(&p, "marKeting").await, ["marketing"]);
    assert_eq!(granted(&p, "mar\u{212a}eting").await, NONE);
    assert_eq!(granted(&p, "\u{17f}tatistics").await, NONE);
}

#[tokio::test]
async fn unknown_names_are_ignored() {
    let p = policy();
    for value in [
        "statistics,unknown",
        "unknown|statistics",
        r#"{"unknown":true,"statistics":true}"#,
        r#"["statistics","unknown"]"#,
        "statistics,necessary",
        r#"{"necessary":true,"statistics":true}"#,
    ] {
        assert_eq!(granted(&p, value).await, ["statistics"], "{value}");
        assert!(is_set(&p, value).await, "{value}");
    }
}

// ---------------------------------------------------------------------------
// Missing, empty, malformed, several copies.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn missing_consent_grants_necessary_only() {
    let p = policy();
    for headers in [
        &[][..],
        &[&b"sessionid=abc; lang=fr"[..]][..],
        &[&b"xcookies_preferences=all; cookies_preferences_set=all"[..]][..],
        &[&b"COOKIES_PREFERENCES=all"[..]][..],
        &[&b"cookies_preferences"[..]][..],
        &[&b"a=cookies_preferences=all"[..]][..],
    ] {
        let consent = consent_of(&p, headers).await;
        assert_eq!(names(&consent), NONE, "{headers:?}");
        assert!(!consent.is_set(), "{headers:?}");
    }
}

#[tokio::test]
async fn empty_or_malformed_values_grant_necessary_only() {
    let p = policy();
    for value in [
        "",
        "   ",
        r#"{"statistics":true"#,
        r#"{statistics:true}"#,
        r#"{"statistics":true,}"#,
        r#"{"statistics":tru}"#,
        r#"{"statistics":true}x"#,
        "[statistics]",
        r#"["statistics",]"#,
        r#"{'statistics':true}"#,
        "{",
        "[",
    ] {
        assert_eq!(granted(&p, value).await, NONE, "{value:?}");
        assert!(!is_set(&p, value).await, "{value:?}");
    }
    assert_eq!(granted_bytes(&p, b"statistics,\xff").await, NONE);
}

#[tokio::test]
async fn several_copies_grant_only_what_every_copy_grants() {
    let p = policy();
    // Across several `Cookie` headers, as HTTP/2 sends them.
    let consent = consent_of(
        &p,
        &[
            b"cookies_preferences=statistics,marketing",
            b"sessionid=abc",
            b"cookies_preferences=%5B%22marketing%22%2C%22Social%22%5D",
        ],
    )
    .await;
    assert_eq!(names(&consent), ["marketing"]);
    assert!(consent.is_set());
    // In one header.
    let consent = consent_of(
        &p,
        &[b"cookies_preferences=all; lang=fr; cookies_preferences=Social"],
    )
    .await;
    assert_eq!(names(&consent), ["Social"]);
    // Three copies, two headers.
    let consent = consent_of(
        &p,
        &[
            b"cookies_preferences=all; cookies_preferences=statistics,Social",
            b"cookies_preferences={\"Social\":true,\"statistics\":true}",
        ],
    )
    .await;
    assert_eq!(names(&consent), ["statistics", "Social"]);
    // Nothing in common: set, granting nothing.
    let consent = consent_of(
        &p,
        &[
            b"cookies_preferences=statistics",
            b"cookies_preferences=marketing",
        ],
    )
    .await;
    assert_eq!(names(&consent), NONE);
    assert!(consent.is_set());
}

#[tokio::test]
async fn one_malformed_copy_grants_necessary_only() {
    let p = policy();
    for headers in [
        &[&b"cookies_preferences=all"[..], b"cookies_preferences={"][..],
        &[&b"cookies_preferences={"[..], b"cookies_preferences=all"][..],
        &[&b"cookies_preferences=all; cookies_preferences="[..]][..],
        &[&b"cookies_preferences=all"[..], b"cookies_preferences=%zz"][..],
    ] {
        let consent = consent_of(&p, headers).await;
        assert_eq!(names(&consent), NONE, "{headers:?}");
        assert!(!consent.is_set(), "{headers:?}");
    }
}

// ---------------------------------------------------------------------------
// The `Consent` API.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn is_set_truth_table() {
    let p = policy();
    let cases: [(&[&[u8]], bool); 12] = [
        (&[], false),
        (&[b"cookies_preferences=statistics"], true),
        (&[b"cookies_preferences=all"], true),
        (&[b"cookies_preferences={}"], true),
        (&[b"cookies_preferences=[]"], true),
        (&[b"cookies_preferences={\"statistics\":false}"], true),
        (&[b"cookies_preferences=unknown"], true),
        (&[b"cookies_preferences="], false),
        (&[b"cookies_preferences={"], false),
        (
            &[
                b"cookies_preferences=statistics",
                b"cookies_preferences=marketing",
            ],
            true,
        ),
        (
            &[b"cookies_preferences=statistics", b"cookies_preferences=["],
            false,
        ),
        (&[b"other=1"], false),
    ];
    for (headers, expected) in cases {
        let consent = consent_of(&p, headers).await;
        assert_eq!(consent.is_set(), expected, "{headers:?}");
    }
}

#[tokio::test]
async fn categories_follow_policy_order_without_necessary() {
    let p = policy();
    let consent = consent_of(
        &p,
        &[b"cookies_preferences=Social,necessary,marketing,statistics"],
    )
    .await;
    assert_eq!(
        consent.categories().collect::<Vec<_>>(),
        ["statistics", "marketing", "Social"]
    );
    // Declared names, not the value's spelling.
    let consent = consent_of(&p, &[b"cookies_preferences=SOCIAL"]).await;
    assert_eq!(consent.categories().collect::<Vec<_>>(), ["Social"]);
    let consent = consent_of(&p, &[b"cookies_preferences=all"]).await;
    assert!(consent.categories().all(|c| c != "necessary"));
}

#[tokio::test]
async fn allows_necessary_always_and_unknown_never() {
    let p = policy();
    for headers in [&[][..], &[&b"cookies_preferences={"[..]][..]] {
        let consent = consent_of(&p, headers).await;
        assert!(consent.allows("necessary"));
        assert!(consent.allows("NECESSARY"));
        assert!(!consent.allows("statistics"));
    }
    let consent = consent_of(&p, &[b"cookies_preferences=all"]).await;
    assert!(consent.allows("statistics"));
    assert!(consent.allows("STATISTICS"));
    assert!(consent.allows("social"));
    assert!(consent.allows("necessary"));
    assert!(!consent.allows("unknown"));
    assert!(!consent.allows("all"));
    assert!(!consent.allows(""));
    assert!(!consent.allows("statistics "));
}

#[test]
fn consent_is_shareable() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    assert_traits::<Consent>();
}

// ---------------------------------------------------------------------------
// The Opendatasoft banner.
// ---------------------------------------------------------------------------

#[tokio::test]
async fn the_opendatasoft_banner_value_works_with_the_preset() {
    let p = Policy::opendatasoft();
    let banner = "%7B%22functional_cookies%22%3Atrue%2C%22ga%22%3Afalse%2C%22matomo%22%3Atrue%2C%22timestamp%22%3A1763900000000%7D";
    let consent = consent_of(&p, &[format!("cookies_preferences={banner}").as_bytes()]).await;
    assert!(consent.is_set());
    assert_eq!(names(&consent), ["functional_cookies", "matomo"]);
    assert!(consent.allows("matomo"));
    assert!(!consent.allows("ga"));
    assert!(!consent.allows("timestamp"));

    // Every tracker key, plus the timestamp, unencoded.
    let all = r#"{"functional_cookies":true,"ga":true,"matomo":true,"xiti":true,"at":true,"piano":true,"eulerian":true,"timestamp":1763900000000}"#;
    assert_eq!(
        granted(&p, all).await,
        [
            "functional_cookies",
            "ga",
            "matomo",
            "xiti",
            "at",
            "piano",
            "eulerian"
        ]
    );
    let none = r#"{"functional_cookies":false,"ga":false,"matomo":false,"xiti":false,"at":false,"piano":false,"eulerian":false,"timestamp":1763900000000}"#;
    let consent = consent_of(&p, &[format!("cookies_preferences={none}").as_bytes()]).await;
    assert!(consent.is_set());
    assert_eq!(names(&consent), NONE);
}

#[tokio::test]
async fn the_opendatasoft_banner_value_filters_tracker_cookies() {
    let banner = "%7B%22functional_cookies%22%3Atrue%2C%22ga%22%3Afalse%2C%22matomo%22%3Atrue%2C%22timestamp%22%3A1763900000000%7D";
    let kept = common::kept(
        &Policy::opendatasoft(),
        &[&format!("csrftoken=t; cookies_preferences={banner}")],
        &[
            "sessionid=s",
            "_pk_id.3.1fff=abc",
            "_ga=GA1.1.1.1",
            "_gid=GA1.1.2.2",
            "csrftoken=t",
        ],
    )
    .await;
    assert_eq!(kept, ["sessionid=s", "_pk_id.3.1fff=abc", "csrftoken=t"]);
}
