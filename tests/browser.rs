//! The demo shop (`cargo run --example axum`) in a real browser: headless
//! Chromium, driven through chromedriver, with the browser's own cookie jar
//! as the judge of what the consent layer let through.
//!
//! Every test is `#[ignore]`d, so that `cargo test` needs no browser. With
//! Debian's `chromium` and `chromium-driver` installed:
//!
//! ```text
//! cargo test --test browser -- --ignored
//! SAVE_SCREENSHOTS=1 cargo test --test browser -- --ignored   # docs/screenshots/*.png
//! ```
//!
//! `CHROMIUM` and `CHROMEDRIVER` override `/usr/bin/chromium` and
//! `/usr/bin/chromedriver`.
//!
//! Each test starts the shop in-process on a free 127.0.0.1 port, its own
//! chromedriver on another, and a Chromium with a fresh profile that
//! resolves `www.shop.example.test` to 127.0.0.1: the shop is visited under
//! a real domain name, so the cookies the trackers set with
//! `Domain=example.test` (the registrable domain) are stored, sent and
//! deleted as on a real site. The tests run one at a time, each bounded by [`TEST_TIMEOUT`].

#[path = "../examples/axum/app/mod.rs"]
mod app;

use std::collections::BTreeMap;
use std::future::Future;
use std::net::{Ipv4Addr, TcpListener as StdListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use fantoccini::{Client, ClientBuilder, Locator};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client as HttpClient;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};
use tower_cookie_consent::{Consent, ConsentFormat, Policy};

/// The name the browser visits the shop under.
const HOST: &str = "www.shop.example.test";
/// The domain the shop's trackers set their `Domain=` cookies on, and the
/// consent layer purges under: the registrable domain of [`HOST`].
const DOMAIN: &str = "example.test";

/// Matomo's cookies, as the Teas page sets them: host-only, and for the
/// whole domain.
const STATISTICS_HOST: &[&str] = &["_pk_id.1.1fff", "_pk_ses.1.1fff"];
const STATISTICS_DOMAIN: &[&str] = &["_pk_id.2.5e3a", "_pk_ses.2.5e3a"];
/// Hotjar's and HubSpot's, as the Offers page sets them.
const MARKETING_HOST: &[&str] = &["_hjid"];
const MARKETING_DOMAIN: &[&str] = &["hubspotutk", "__hstc", "__hssc", "__hssrc"];
/// The Offers page's cookie that the policy does not declare.
const UNDECLARED: &str = "_fbp";

/// The longest a whole test may take, browser start-up included.
const TEST_TIMEOUT: Duration = Duration::from_secs(90);
/// The longest the test of every consent format may take: a shop and four
/// choices per format, in one browser.
const FORMATS_TIMEOUT: Duration = Duration::from_secs(240);
/// The longest one wait inside a test may take.
const WAIT: Duration = Duration::from_secs(15);

/// One Chromium at a time: the machine running the suite may have two cores.
static SERIAL: Mutex<()> = Mutex::new(());

#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn first_visit_keeps_only_necessary_cookies() {
    run(|shop| async move {
        shop.goto("/").await;
        assert!(
            shop.exists(".banner").await,
            "the banner greets a first visit"
        );
        shop.screenshot("banner").await;

        shop.goto("/teas").await;
        shop.goto("/offers").await;
        let jar = shop.jar().await;
        assert_only_necessary(&shop.policy, &jar);
        let session = jar.get("sessionid").expect("every page sets sessionid");
        assert!(session.http_only, "{session:?}");
        assert_eq!(session.domain, HOST, "host-only: {session:?}");
        assert!(
            shop.script_cookies().await.is_empty(),
            "scripts see nothing: sessionid is HttpOnly"
        );

        // The inspector measured the same: the Offers handler produced the
        // marketing cookies and the layer stripped every one of them.
        let outcomes = shop.inspector_outcomes().await;
        for name in MARKETING_HOST
            .iter()
            .chain(MARKETING_DOMAIN)
            .chain([&UNDECLARED])
        {
            assert_eq!(
                outcomes.get(*name).map(String::as_str),
                Some("stripped"),
                "{name}"
            );
        }
        assert_eq!(outcomes.get("sessionid").map(String::as_str), Some("kept"));
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn accepting_statistics_only_lets_matomo_in_and_keeps_marketing_out() {
    run(|shop| async move {
        shop.goto("/teas").await;
        shop.save_statistics_only().await;

        assert_eq!(shop.path().await, "/teas", "back where the visitor was");
        let flash = shop.text(".flash").await;
        assert!(flash.contains("Statistics on, Marketing off"), "{flash}");
        shop.wait_for_inspector().await;
        shop.screenshot_of("#inspector", "inspector").await;

        shop.goto("/offers").await;
        let jar = shop.jar().await;
        for name in STATISTICS_HOST {
            assert_eq!(
                jar.get(*name).map(|c| c.domain.as_str()),
                Some(HOST),
                "{name}"
            );
        }
        for name in STATISTICS_DOMAIN {
            assert_eq!(
                jar.get(*name).map(|c| c.domain.as_str()),
                Some(DOMAIN),
                "{name}"
            );
        }
        assert_none_of(&jar, &everything_marketing());
        assert!(!jar.contains_key(UNDECLARED));
        assert_eq!(
            jar.get("cookies_preferences").map(|c| c.value.as_str()),
            Some("statistics")
        );

        // Matomo's cookies are not HttpOnly: the page's scripts see them.
        let scripts = shop.script_cookies().await;
        for name in everything_statistics() {
            assert!(scripts.iter().any(|s| s == name), "{name} in {scripts:?}");
        }
        assert!(!scripts.iter().any(|s| s == "sessionid"));
    });
}

#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn accepting_all_lets_every_declared_cookie_in() {
    run(|shop| async move {
        shop.goto("/offers").await;
        shop.submit(".banner button[value=all]").await;
        assert_eq!(shop.path().await, "/offers");
        assert!(!shop.exists(".banner").await, "the banner is gone");
        let flash = shop.text(".flash").await;
        assert!(flash.contains("Statistics on, Marketing on"), "{flash}");
        shop.wait_for_inspector().await;
        shop.screenshot_full("accepted").await;

        shop.goto("/teas").await;
        let jar = shop.jar().await;
        assert_all_of(&jar, &everything_declared());
        for name in MARKETING_DOMAIN {
            assert_eq!(jar[*name].domain, DOMAIN, "{name}");
        }
        assert!(
            !jar.contains_key(UNDECLARED),
            "the policy does not declare {UNDECLARED}: stripped even after accept all"
        );

        // The cookie policy page: one section of the declaration table per
        // group, necessary first.
        shop.goto("/cookies-policy").await;
        let headings = shop
            .script(
                "return [...document.querySelectorAll('.declaration section.cookie-category h3')]\
                 .map(h => h.textContent)",
            )
            .await;
        assert_eq!(headings, json!(["necessary", "statistics", "marketing"]));
        shop.wait_for_inspector().await;
        shop.screenshot("cookies-policy").await;
    });
}

/// Withdrawing consent deletes what the visitor had accepted, the cookies
/// set with `Domain=` included, and it is the consent layer's purge that
/// does it: the shop's consent handler produces no deletion (the inspector
/// measures what it produced), the layer adds one host-only and one
/// `Domain=example.test` line per revoked name, and the browser's jar
/// ends with necessary cookies only.
#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn withdrawing_consent_deletes_the_cookies_including_domain_ones() {
    run(|shop| async move {
        shop.goto("/teas").await;
        shop.submit(".banner button[value=all]").await;
        shop.goto("/offers").await;
        let jar = shop.jar().await;
        assert_all_of(&jar, &everything_declared());
        for name in STATISTICS_DOMAIN.iter().chain(MARKETING_DOMAIN) {
            assert_eq!(jar[*name].domain, DOMAIN, "{name}");
        }

        shop.submit("#cookie-settings button[value=none]").await;
        assert_eq!(shop.path().await, "/offers");
        let flash = shop.text(".flash").await;
        assert!(
            flash.contains("The consent layer deleted from your browser"),
            "{flash}"
        );
        for name in everything_declared() {
            assert!(flash.contains(name), "{name} in {flash}");
        }
        shop.wait_for_inspector().await;
        shop.screenshot_full("withdrawn").await;

        // The `POST /consent` response, as the inspector measured it: the
        // shop produced the consent cookie and `sessionid`, nothing else;
        // every deletion was added by the layer, host-only and for the
        // domain.
        let post = shop.previous_rows().await;
        for row in &post {
            if row.outcome != "added" {
                assert!(!row.deletion, "the shop deleted nothing itself: {row:?}");
            }
        }
        for name in everything_declared() {
            let deletions: Vec<&Row> = post
                .iter()
                .filter(|r| r.name == name && r.outcome == "added" && r.deletion)
                .collect();
            assert!(
                deletions.iter().any(|r| !r.attributes.contains("Domain=")),
                "a host-only deletion of {name}: {post:?}"
            );
            assert!(
                deletions
                    .iter()
                    .any(|r| r.attributes.contains(&format!("Domain={DOMAIN}"))),
                "a Domain={DOMAIN} deletion of {name}: {post:?}"
            );
        }

        let jar = shop.jar().await;
        assert_only_necessary(&shop.policy, &jar);
        assert_eq!(
            jar.get("cookies_preferences").map(|c| c.value.as_str()),
            Some("[]")
        );
        // The page after the withdrawal: the browser sent none of them.
        let (sent, _) = shop.request_cookies().await;
        assert_none_of_names(&sent, &everything_declared());
        // And they stay out on the next visit to the pages that set them.
        shop.goto("/teas").await;
        assert_only_necessary(&shop.policy, &shop.jar().await);
    });
}

/// The whole cycle of issue "enforce consent in both directions", step by
/// step, in one browser:
///
/// 1. accept statistics: Matomo's cookies appear, and the shop sees them;
/// 2. a script plants a marketing cookie (`_hjSession_*`, as Hotjar's
///    script does client-side, out of the layer's reach): the browser
///    sends it, the layer hides it from the shop, and the same response
///    deletes it;
/// 3. withdraw: the response deletes Matomo's cookies, the page after it
///    shows the browser sends none, and the shop saw none since.
#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn the_shop_never_sees_a_cookie_the_visitor_has_not_granted() {
    run(|shop| async move {
        // 1. Accept statistics only.
        shop.goto("/teas").await;
        shop.save_statistics_only().await;
        assert_all_of(&shop.jar().await, &everything_statistics());
        shop.goto("/teas").await;
        let (sent, seen) = shop.request_cookies().await;
        for name in everything_statistics() {
            assert_eq!(sent.get(name), Some(&false), "{name} sent, not hidden");
            assert!(seen.iter().any(|s| s == name), "the shop sees {name}");
        }

        // 2. A marketing cookie that a script set.
        const PLANTED: &str = "_hjSession_4242";
        shop.script(&format!(
            "document.cookie = '{PLANTED}=planted; path=/'; return null"
        ))
        .await;
        assert!(shop.jar().await.contains_key(PLANTED));
        shop.goto("/").await;
        let (sent, seen) = shop.request_cookies().await;
        assert_eq!(
            sent.get(PLANTED),
            Some(&true),
            "the browser sent {PLANTED} and the layer hid it: {sent:?}"
        );
        assert!(
            !seen.iter().any(|s| s == PLANTED),
            "the shop never saw {PLANTED}: {seen:?}"
        );
        for name in everything_statistics() {
            assert!(seen.iter().any(|s| s == name), "the shop sees {name}");
        }
        let outcomes = shop.inspector_outcomes().await;
        assert_eq!(
            outcomes.get(PLANTED).map(String::as_str),
            Some("added"),
            "the layer deleted {PLANTED}: {outcomes:?}"
        );
        let jar = shop.jar().await;
        assert!(!jar.contains_key(PLANTED), "{jar:?}");
        assert_all_of(&jar, &everything_statistics());
        shop.screenshot_of("#inspector", "hidden").await;

        // 3. Withdraw.
        shop.submit("#cookie-settings button[value=none]").await;
        let flash = shop.text(".flash").await;
        assert!(
            flash.contains("The consent layer deleted from your browser"),
            "{flash}"
        );
        let jar = shop.jar().await;
        assert_none_of(&jar, &everything_statistics());
        let (sent, seen) = shop.request_cookies().await;
        assert_none_of_names(&sent, &everything_statistics());
        for name in &seen {
            assert_eq!(
                shop.policy.category_of(name),
                Some("necessary"),
                "the shop saw {name}"
            );
        }
    });
}

/// A browser that sends `Sec-GPC: 1` (Global Privacy Control) loses the
/// categories of the policy's `gpc` setting, `marketing`, whatever the
/// consent cookie says, and keeps the others:
///
/// - the visitor accepted all without the signal: every cookie is stored;
/// - with the signal (sent by Chromium through the DevTools protocol), the
///   next response deletes the marketing cookies the browser holds (those
///   set with `Domain=` included), the shop no longer sees them, and the
///   statistics cookies stay;
/// - the Offers page then sets no marketing cookie, and the Teas page's
///   statistics cookies still arrive;
/// - the inspector, reading `Consent::gpc()`, says the signal was sent.
#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn global_privacy_control_removes_marketing_and_keeps_statistics() {
    run(|shop| async move {
        assert_eq!(
            shop.policy.gpc_categories().collect::<Vec<_>>(),
            ["marketing"],
            "examples/policy.toml: gpc"
        );
        shop.goto("/offers").await;
        shop.submit(".banner button[value=all]").await;
        shop.goto("/teas").await;
        assert_all_of(&shop.jar().await, &everything_declared());
        let inspector = shop.text("#inspector").await;
        assert!(
            inspector.contains("no Global Privacy Control signal"),
            "{inspector}"
        );

        shop.cdp("Network.enable", json!({})).await;
        shop.cdp(
            "Network.setExtraHTTPHeaders",
            json!({"headers": {"Sec-GPC": "1"}}),
        )
        .await;
        shop.goto("/").await;
        let inspector = shop.text("#inspector").await;
        assert!(
            inspector.contains("Your browser sends Sec-GPC: 1"),
            "the shop sees the signal: {inspector}"
        );
        let (sent, seen) = shop.request_cookies().await;
        for name in everything_marketing() {
            assert_eq!(sent.get(name), Some(&true), "{name} sent and hidden");
            assert!(!seen.iter().any(|s| s == name), "the shop saw {name}");
        }
        let jar = shop.jar().await;
        assert_none_of(&jar, &everything_marketing());
        assert_all_of(&jar, &everything_statistics());

        // The banner's choice is still "all"; the signal wins.
        shop.goto("/offers").await;
        shop.goto("/teas").await;
        let jar = shop.jar().await;
        assert_none_of(&jar, &everything_marketing());
        assert_all_of(&jar, &everything_statistics());
        let outcomes = shop.inspector_outcomes().await;
        for name in everything_statistics() {
            assert_eq!(outcomes.get(name).map(String::as_str), Some("kept"));
        }
    });
}

/// At a phone's width (390 CSS pixels) no page scrolls sideways, and no
/// cookie name breaks across lines.
#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn pages_fit_a_phone_without_breaking_cookie_names() {
    run(|shop| async move {
        shop.set_viewport(390, 844).await;
        shop.goto("/").await;
        shop.screenshot_full("home-390px").await;

        shop.submit(".banner button[value=all]").await;
        for path in [
            "/",
            "/teas",
            "/offers",
            "/cookies-policy",
            "/basket",
            "/nowhere",
        ] {
            shop.goto(path).await;
            shop.wait_for_inspector().await;
            if path == "/cookies-policy" {
                shop.screenshot("cookies-policy-390px").await;
            }
            let (scroll_width, inner_width): (u64, u64) = serde_json::from_value(
                shop.script("return [document.documentElement.scrollWidth, window.innerWidth]")
                    .await,
            )
            .expect("two numbers");
            assert_eq!(inner_width, 390, "the viewport is a phone's");
            assert!(
                scroll_width <= inner_width,
                "{path} scrolls sideways: {scroll_width} > {inner_width}"
            );
            let broken = shop
                .script(
                    "return [...document.querySelectorAll('code')]\
                     .filter(c => c.getClientRects().length > 1).map(c => c.textContent)",
                )
                .await;
            assert_eq!(broken, json!([]), "{path}: names broken across lines");
        }
    });
}

/// The basket lives on the server under the `sessionid` cookie, so it
/// works for a visitor who refused every optional cookie.
#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn the_basket_works_with_necessary_cookies_only() {
    run(|shop| async move {
        shop.goto("/teas").await;
        shop.submit(".banner button[value=none]").await;
        shop.submit("form[action='/basket'] button").await;
        assert_eq!(shop.path().await, "/teas");
        let flash = shop.text(".flash").await;
        assert!(flash.contains("is in your basket"), "{flash}");
        assert_eq!(shop.text("nav .count").await, "1");

        shop.goto("/basket").await;
        let basket = shop.text("main").await;
        assert!(basket.contains("Darjeeling First Flush"), "{basket}");
        assert_only_necessary(&shop.policy, &shop.jar().await);
    });
}

/// The demo switched to each consent format in turn, as
/// `CONSENT_FORMAT=<format>` does, in one browser whose cookies are cleared
/// between formats. Under each one the banner's choice reaches the browser
/// as that banner's own cookie, in its shape, and the layer reads it:
///
/// - reject all on a first visit: the banner goes (the layer read a
///   choice), only necessary cookies are stored;
/// - statistics only: Matomo's cookies are stored, the marketing ones not;
/// - accept all: the marketing ones too;
/// - withdrawing: only necessary cookies remain;
/// - the cookie policy page declares the format's cookie.
///
/// After each choice, the consent cookie the browser holds has the format's
/// shape and reads back, through `Consent::from_headers`, as that choice.
#[test]
#[ignore = "needs chromium and chromedriver: cargo test --test browser -- --ignored"]
fn every_consent_format_carries_the_choice_in_the_browser() {
    in_browser(FORMATS_TIMEOUT, |browser| async move {
        for &format in ConsentFormat::ALL {
            // The captured output names the format of a failure.
            println!("consent_format = \"{format}\"");
            browser.clear_cookies().await;
            let shop = browser.open(Some(format)).await;

            shop.goto("/teas").await;
            assert!(shop.exists(".banner").await, "a first visit");
            shop.submit(".banner button[value=none]").await;
            assert!(!shop.exists(".banner").await, "the layer read the refusal");
            let jar = shop.jar().await;
            assert_only_necessary(&shop.policy, &jar);
            assert_consent_cookie(&shop.policy, &jar, &[]);

            shop.save_statistics_only().await;
            if format == ConsentFormat::OneTrust {
                shop.wait_for_inspector().await;
                shop.screenshot_of("#inspector", "inspector-onetrust").await;
            }
            shop.goto("/offers").await;
            let jar = shop.jar().await;
            assert_all_of(&jar, &everything_statistics());
            assert_none_of(&jar, &everything_marketing());
            assert_consent_cookie(&shop.policy, &jar, &["statistics"]);

            shop.submit("#cookie-settings button[value=all]").await;
            let jar = shop.jar().await;
            assert_all_of(&jar, &everything_declared());
            assert_consent_cookie(&shop.policy, &jar, &["statistics", "marketing"]);

            shop.submit("#cookie-settings button[value=none]").await;
            let jar = shop.jar().await;
            assert_only_necessary(&shop.policy, &jar);
            assert_consent_cookie(&shop.policy, &jar, &[]);

            shop.goto("/cookies").await;
            assert_eq!(shop.path().await, "/cookies-policy");
            let names = shop
                .script(
                    "return [...document.querySelectorAll('.declaration td code')]\
                     .map(c => c.textContent)",
                )
                .await;
            let names: Vec<String> = serde_json::from_value(names).expect("names");
            assert!(
                names.iter().any(|n| n == shop.policy.consent_cookie()),
                "the declaration lists {}: {names:?}",
                shop.policy.consent_cookie()
            );
        }
    });
}

// ---------------------------------------------------------------------------
// Expectations

fn everything_statistics() -> Vec<&'static str> {
    [STATISTICS_HOST, STATISTICS_DOMAIN].concat()
}

fn everything_marketing() -> Vec<&'static str> {
    [MARKETING_HOST, MARKETING_DOMAIN].concat()
}

fn everything_declared() -> Vec<&'static str> {
    [everything_statistics(), everything_marketing()].concat()
}

fn assert_only_necessary(policy: &Policy, jar: &BTreeMap<String, JarCookie>) {
    for name in jar.keys() {
        assert_eq!(
            policy.category_of(name),
            Some("necessary"),
            "{name} is in the browser: {:?}",
            jar.keys().collect::<Vec<_>>()
        );
    }
    assert!(jar.contains_key("sessionid"), "{jar:?}");
}

fn assert_all_of(jar: &BTreeMap<String, JarCookie>, names: &[&str]) {
    for name in names {
        assert!(
            jar.contains_key(*name),
            "{name} is missing from {:?}",
            jar.keys().collect::<Vec<_>>()
        );
    }
}

fn assert_none_of(jar: &BTreeMap<String, JarCookie>, names: &[&str]) {
    for name in names {
        assert!(
            !jar.contains_key(*name),
            "{name} is in the browser: {jar:?}"
        );
    }
}

fn assert_none_of_names(sent: &BTreeMap<String, bool>, names: &[&str]) {
    for name in names {
        assert!(
            !sent.contains_key(*name),
            "the browser sent {name}: {sent:?}"
        );
    }
}

/// The consent cookie in the browser's jar, for a visitor who granted
/// `granted`: stored under the format's name, in the shape the real banner
/// writes (checked here on its own terms, not with the demo's writer), and
/// read by the layer as that choice.
fn assert_consent_cookie(policy: &Policy, jar: &BTreeMap<String, JarCookie>, granted: &[&str]) {
    let format = policy.consent_format();
    let value = |name: &str| -> &str {
        jar.get(name).map_or_else(
            || {
                panic!(
                    "{format}: no {name} in {:?}",
                    jar.keys().collect::<Vec<_>>()
                )
            },
            |c| c.value.as_str(),
        )
    };
    let statistics = granted.contains(&"statistics");
    let marketing = granted.contains(&"marketing");
    let one_zero = |on: bool| u8::from(on);
    match format {
        ConsentFormat::Auto => {
            let expected = if granted.is_empty() {
                "[]".to_owned()
            } else {
                granted.join(",")
            };
            assert_eq!(value("cookies_preferences"), expected);
        }
        ConsentFormat::Cookiebot => {
            // A JavaScript object literal with `'` and `,` percent-encoded.
            let v = value("CookieConsent");
            assert!(v.starts_with("{stamp:%27") && v.ends_with('}'), "{v}");
            let flags = format!("%2Cstatistics:{statistics}%2Cmarketing:{marketing}%2C");
            assert!(v.contains(&flags), "{v}");
        }
        ConsentFormat::OneTrust => {
            // Form-encoded, the groups as `ID:0|1`.
            let v = value("OptanonConsent");
            let groups = format!(
                "&groups=C0001%3A1%2CC0002%3A{}%2CC0003%3A0%2CC0004%3A{}&",
                one_zero(statistics),
                one_zero(marketing)
            );
            assert!(
                v.starts_with("isGpcEnabled=0&") && v.contains(&groups),
                "{v}"
            );
        }
        ConsentFormat::Orestbida => {
            // `encodeURIComponent(JSON)`, its `categories` the accepted ones.
            let json: Value = serde_json::from_str(&percent_decoded(value("cc_cookie")))
                .expect("cc_cookie is encoded JSON");
            let mut expected = vec!["necessary"];
            expected.extend(statistics.then_some("analytics"));
            expected.extend(marketing.then_some("marketing"));
            assert_eq!(json["categories"], json!(expected));
        }
        ConsentFormat::Klaro => {
            // `encodeURIComponent(JSON)` of services.
            let json: Value = serde_json::from_str(&percent_decoded(value("klaro")))
                .expect("klaro is encoded JSON");
            assert_eq!(
                json,
                json!({"matomo": statistics, "hotjar": marketing, "hubspot": marketing})
            );
        }
        ConsentFormat::DjangoCookieConsent => {
            // Quoted by Python's cookie module, and kept quoted by the browser.
            let v = value("cookie_consent");
            let inner = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
            let pairs: Vec<(&str, bool)> = inner
                .unwrap_or_else(|| panic!("quoted: {v}"))
                .split('|')
                .map(|pair| {
                    let (group, version) = pair.split_once('=').expect("group=version");
                    (group, version != "-1")
                })
                .collect();
            assert_eq!(pairs, [("analytics", statistics), ("marketing", marketing)]);
        }
        ConsentFormat::GovUk => {
            // Raw JSON, `"` and `,` included.
            let json: Value = serde_json::from_str(value("cookies_policy")).expect("raw JSON");
            assert_eq!(
                json,
                json!({"essential": true, "settings": false, "usage": statistics,
                       "campaigns": marketing})
            );
            assert_eq!(value("cookies_preferences_set"), "true");
        }
        ConsentFormat::CookieYes => {
            // `key:value` pairs; `consent:no` rejects everything.
            let v = value("cookieyes-consent");
            let pairs: BTreeMap<&str, &str> = v
                .split(',')
                .filter_map(|pair| pair.split_once(':'))
                .collect();
            let yes_no = |on: bool| if on { "yes" } else { "no" };
            assert_eq!(pairs["consent"], yes_no(!granted.is_empty()), "{v}");
            assert_eq!(pairs["action"], "yes", "{v}");
            assert_eq!(pairs["analytics"], yes_no(statistics), "{v}");
            assert_eq!(pairs["advertisement"], yes_no(marketing), "{v}");
        }
        ConsentFormat::Complianz => {
            // One cookie per category.
            let allow_deny = |on: bool| if on { "allow" } else { "deny" };
            assert_eq!(value("cmplz_functional"), "allow");
            assert_eq!(value("cmplz_statistics"), allow_deny(statistics));
            assert_eq!(value("cmplz_marketing"), allow_deny(marketing));
            assert_eq!(value("cmplz_banner-status"), "dismissed");
        }
        ConsentFormat::Tcf => {
            // Base64url segments; a version 2 core segment starts with `C`.
            let v = value("euconsent-v2");
            assert!(v.starts_with('C'), "{v}");
            assert!(
                v.split('.').all(|segment| !segment.is_empty()
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')),
                "{v}"
            );
        }
        other => panic!("no expectation for {other}"),
    }

    let pairs: Vec<String> = jar
        .iter()
        .map(|(name, cookie)| format!("{name}={}", cookie.value))
        .collect();
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::COOKIE,
        http::HeaderValue::from_str(&pairs.join("; ")).expect("a Cookie header"),
    );
    let consent = Consent::from_headers(policy, &headers);
    assert!(consent.is_set(), "{format}: {pairs:?}");
    assert_eq!(
        consent.categories().collect::<Vec<_>>(),
        granted,
        "{format}: {pairs:?}"
    );
}

/// `decodeURIComponent`, for the values the test reads.
fn percent_decoded(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let escaped = (bytes[at] == b'%')
            .then(|| value.get(at + 1..at + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                at += 3;
            }
            None => {
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

// ---------------------------------------------------------------------------
// The harness

/// A cookie from the browser's jar (WebDriver "Get All Cookies", which
/// includes `HttpOnly` ones). `domain` is the host for a host-only cookie
/// and the `Domain` attribute's value for the others (the `cookie` crate
/// drops the leading dot Chromium reports).
#[derive(Debug, Clone)]
struct JarCookie {
    value: String,
    domain: String,
    http_only: bool,
}

/// One `Set-Cookie` line of a response, as the inspector measured it.
#[derive(Debug, Clone)]
struct Row {
    name: String,
    /// `kept`, `stripped` or `added`.
    outcome: String,
    deletion: bool,
    attributes: String,
}

/// One Chromium session, which may visit several shops in turn.
#[derive(Clone)]
struct Browser {
    client: Client,
    driver_url: String,
}

impl Browser {
    /// Starts the demo shop in this process, on a free port, with
    /// `examples/policy.toml` switched to `format` when one is given (as
    /// `CONSENT_FORMAT` does). The shop stops when the last clone of the
    /// returned [`Shop`] is dropped.
    async fn open(&self, format: Option<ConsentFormat>) -> Shop {
        let load = || app::load_policy(app::POLICY_FILE, format).expect("examples/policy.toml");
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("a port for the shop");
        let port = listener.local_addr().expect("address").port();
        let app = app::app(load());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Shop {
            browser: self.clone(),
            origin: format!("http://{HOST}:{port}"),
            policy: load(),
            _server: Arc::new(Server(server)),
        }
    }

    /// Removes every cookie of every site from the browser.
    async fn clear_cookies(&self) {
        self.cdp("Network.clearBrowserCookies", json!({})).await;
    }

    /// Sends a Chrome DevTools Protocol command through chromedriver.
    async fn cdp(&self, cmd: &str, params: Value) {
        let session = self
            .client
            .session_id()
            .await
            .expect("session")
            .expect("a session id");
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let body = json!({"cmd": cmd, "params": params}).to_string();
        let req = http::Request::post(url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .expect("request");
        let client = HttpClient::builder(TokioExecutor::new()).build(HttpConnector::new());
        let res = tokio::time::timeout(WAIT, client.request(req))
            .await
            .expect("chromedriver answers")
            .unwrap_or_else(|err| panic!("{cmd}: {err}"));
        let status = res.status();
        let body = res.into_body().collect().await.expect("body").to_bytes();
        assert!(
            status.is_success(),
            "{cmd}: {status} {}",
            String::from_utf8_lossy(&body)
        );
    }
}

/// The shop's server task, stopped on drop.
struct Server(tokio::task::JoinHandle<()>);

impl Drop for Server {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A browser session on one running shop.
#[derive(Clone)]
struct Shop {
    browser: Browser,
    origin: String,
    policy: Policy,
    _server: Arc<Server>,
}

impl Shop {
    async fn goto(&self, path: &str) {
        self.browser
            .client
            .goto(&format!("{}{path}", self.origin))
            .await
            .unwrap_or_else(|err| panic!("GET {path}: {err}"));
    }

    async fn path(&self) -> String {
        let url = self
            .browser
            .client
            .current_url()
            .await
            .expect("current URL");
        assert_eq!(url.host_str(), Some(HOST), "{url}");
        url.path().to_owned()
    }

    async fn script(&self, js: &str) -> Value {
        self.browser
            .client
            .execute(js, Vec::new())
            .await
            .unwrap_or_else(|err| panic!("{js}: {err}"))
    }

    async fn exists(&self, css: &str) -> bool {
        !self
            .browser
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("find")
            .is_empty()
    }

    async fn text(&self, css: &str) -> String {
        let element = self
            .browser
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|err| panic!("{css}: {err}"));
        element.text().await.expect("text")
    }

    async fn click(&self, css: &str) {
        let element = self
            .browser
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|err| panic!("{css}: {err}"));
        element
            .click()
            .await
            .unwrap_or_else(|err| panic!("click {css}: {err}"));
    }

    /// Ticks statistics in the settings form and saves the selection: the
    /// visitor's "statistics only" choice, whatever the banner's format.
    async fn save_statistics_only(&self) {
        self.click("#cookie-settings input[name=category][value=statistics]")
            .await;
        self.submit("#cookie-settings button[value=selected]").await;
    }

    /// Clicks a submit button and waits for the page the form leads to
    /// (after `POST` and redirect) to have loaded.
    async fn submit(&self, css: &str) {
        self.script("document.documentElement.dataset.left = 'yes'; return null")
            .await;
        self.click(css).await;
        self.wait_until(
            &format!("the page after clicking {css}"),
            "return document.readyState === 'complete' \
             && document.documentElement.dataset.left === undefined",
        )
        .await;
    }

    /// Polls `js` until it returns `true`, for at most [`WAIT`].
    async fn wait_until(&self, what: &str, js: &str) {
        let start = Instant::now();
        loop {
            // A navigation can make a script fail; try again.
            if let Ok(Value::Bool(true)) = self.browser.client.execute(js, Vec::new()).await {
                return;
            }
            assert!(start.elapsed() < WAIT, "waited {WAIT:?} for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_for_inspector(&self) {
        self.wait_until(
            "the inspector's record of this response",
            "const p = document.getElementById('inspector'); \
             return !!p && p.dataset.loaded === 'true'",
        )
        .await;
    }

    /// What the inspector recorded for this page's response: cookie name
    /// → `kept`, `stripped` or `added`.
    async fn inspector_outcomes(&self) -> BTreeMap<String, String> {
        self.wait_for_inspector().await;
        let rows = self
            .script(
                "return [...document.querySelectorAll('#response-cookies tr[data-cookie]')]\
                 .map(r => [r.dataset.cookie, r.dataset.outcome])",
            )
            .await;
        serde_json::from_value::<Vec<(String, String)>>(rows)
            .expect("pairs")
            .into_iter()
            .collect()
    }

    /// The rows of the inspector's "The request that brought you here": the
    /// form post before this page.
    async fn previous_rows(&self) -> Vec<Row> {
        self.wait_for_inspector().await;
        let rows = self
            .script(
                "return [...document.querySelectorAll('#previous tr[data-cookie]')]\
                 .map(r => [r.dataset.cookie, r.dataset.outcome, r.dataset.deletion === 'true', \
                 r.querySelector('td.attrs').textContent])",
            )
            .await;
        serde_json::from_value::<Vec<(String, String, bool, String)>>(rows)
            .expect("rows")
            .into_iter()
            .map(|(name, outcome, deletion, attributes)| Row {
                name,
                outcome,
                deletion,
                attributes,
            })
            .collect()
    }

    /// What this page's request carried, as the inspector shows it: each
    /// cookie the browser sent → whether the layer hid it from the shop,
    /// and the names the shop's handlers saw.
    async fn request_cookies(&self) -> (BTreeMap<String, bool>, Vec<String>) {
        let both = self
            .script(
                "return [[...document.querySelectorAll('#browser-sent li[data-cookie]')]\
                 .map(l => [l.dataset.cookie, l.dataset.hidden === 'true']), \
                 [...document.querySelectorAll('#app-saw li[data-cookie]')]\
                 .map(l => l.dataset.cookie)]",
            )
            .await;
        let (sent, seen): (Vec<(String, bool)>, Vec<String>) =
            serde_json::from_value(both).expect("two lists");
        (sent.into_iter().collect(), seen)
    }

    async fn jar(&self) -> BTreeMap<String, JarCookie> {
        let cookies = self
            .browser
            .client
            .get_all_cookies()
            .await
            .expect("cookies");
        cookies
            .into_iter()
            .map(|c| {
                let cookie = JarCookie {
                    value: c.value().to_owned(),
                    domain: c.domain().unwrap_or_default().to_owned(),
                    http_only: c.http_only().unwrap_or(false),
                };
                (c.name().to_owned(), cookie)
            })
            .collect()
    }

    /// The cookie names `document.cookie` shows.
    async fn script_cookies(&self) -> Vec<String> {
        let all = self.script("return document.cookie").await;
        all.as_str()
            .unwrap_or_default()
            .split(';')
            .filter_map(|pair| pair.split('=').next())
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .collect()
    }

    /// Sets the page's viewport (not the window) to `width` × `height` CSS
    /// pixels.
    async fn set_viewport(&self, width: u32, height: u32) {
        self.browser
            .client
            .set_window_size(width, height)
            .await
            .expect("resize");
        // The window may be larger than the viewport by its frame: measure
        // and make up the difference once.
        let measured = self
            .script("return [window.innerWidth, window.innerHeight]")
            .await;
        let (inner_w, inner_h): (u32, u32) = serde_json::from_value(measured).expect("sizes");
        if (inner_w, inner_h) != (width, height) {
            self.browser
                .client
                .set_window_size(
                    width + (width - inner_w.min(width)),
                    height + (height - inner_h.min(height)),
                )
                .await
                .expect("resize");
        }
    }

    async fn cdp(&self, cmd: &str, params: Value) {
        self.browser.cdp(cmd, params).await;
    }

    /// Saves the viewport as `docs/screenshots/{name}.png` when
    /// `SAVE_SCREENSHOTS` is set.
    async fn screenshot(&self, name: &str) {
        if saving_screenshots() {
            let png = self.browser.client.screenshot().await.expect("screenshot");
            save_png(name, &png);
        }
    }

    /// Saves the whole page, resizing the window to its height.
    async fn screenshot_full(&self, name: &str) {
        if !saving_screenshots() {
            return;
        }
        let (width, height, full) = self.page_size().await;
        self.set_viewport(width, full.min(6000)).await;
        self.screenshot(name).await;
        self.set_viewport(width, height).await;
    }

    /// Saves one element, whole: the viewport grows to the page's height
    /// first, since an element is captured only where it is on screen.
    async fn screenshot_of(&self, css: &str, name: &str) {
        if !saving_screenshots() {
            return;
        }
        let (width, height, full) = self.page_size().await;
        self.set_viewport(width, full.min(6000)).await;
        let element = self
            .browser
            .client
            .find(Locator::Css(css))
            .await
            .expect(css);
        let png = element.screenshot().await.expect("screenshot");
        save_png(name, &png);
        self.set_viewport(width, height).await;
    }

    /// The viewport's width and height, and the page's height.
    async fn page_size(&self) -> (u32, u32, u32) {
        let size = self
            .script(
                "return [window.innerWidth, window.innerHeight, \
                 document.documentElement.scrollHeight]",
            )
            .await;
        serde_json::from_value(size).expect("sizes")
    }
}

fn saving_screenshots() -> bool {
    std::env::var_os("SAVE_SCREENSHOTS").is_some_and(|v| !v.is_empty() && v != "0")
}

fn save_png(name: &str, png: &[u8]) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
}

/// chromedriver, in a process group of its own so that the Chromium it
/// starts goes with it. Killed on drop, a failed test included.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start() -> Self {
        let binary =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let child = std::os::unix::process::CommandExt::process_group(
            Command::new(&binary)
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
            0,
        )
        .spawn()
        .unwrap_or_else(|err| panic!("{binary}: {err} (apt-get install chromium-driver)"));
        Self { child, port }
    }

    /// Waits for chromedriver to accept connections.
    async fn ready(&self) {
        let start = Instant::now();
        while tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, self.port))
            .await
            .is_err()
        {
            assert!(start.elapsed() < WAIT, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every Chromium process it
        // started, even if the session could not be closed.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1 for chromedriver, which cannot report the one
/// it would pick itself.
fn free_port() -> u16 {
    let listener = StdListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free port");
    listener.local_addr().expect("address").port()
}

/// A fresh Chromium profile, removed on drop.
struct Profile(PathBuf);

impl Profile {
    fn new() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "tower-cookie-consent-browser-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("profile directory");
        Self(path)
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `test` against a fresh shop (`examples/policy.toml` as it is) in a
/// fresh browser, within [`TEST_TIMEOUT`].
fn run<F, Fut>(test: F)
where
    F: FnOnce(Shop) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    in_browser(TEST_TIMEOUT, |browser| async move {
        let shop = browser.open(None).await;
        test(shop).await;
    });
}

/// Runs `test` in a fresh browser, then closes it and every shop the test
/// opened, whether the test passed, failed or took longer than `timeout`.
fn in_browser<F, Fut>(timeout: Duration, test: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let driver = Driver::start();
        let profile = Profile::new();
        driver.ready().await;
        let client = tokio::time::timeout(WAIT, connect(driver.port, &profile))
            .await
            .expect("chromedriver starts a session in time");
        let browser = Browser {
            client: client.clone(),
            driver_url: format!("http://127.0.0.1:{}", driver.port),
        };
        // A task of its own, so that a failing assertion comes back here
        // as an error and the browser is still closed.
        let outcome = tokio::time::timeout(timeout, tokio::spawn(test(browser))).await;

        let _ = tokio::time::timeout(Duration::from_secs(10), client.close()).await;
        drop(driver);
        drop(profile);
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(err)) if err.is_panic() => std::panic::resume_unwind(err.into_panic()),
            Ok(Err(err)) => panic!("the test task failed: {err}"),
            Err(_) => panic!("the test took longer than {timeout:?}"),
        }
    });
}

async fn connect(driver_port: u16, profile: &Profile) -> Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let args = [
        "--headless".to_owned(),
        // Root in a container has no user namespace to sandbox with.
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        // No traffic but the shop's: no QUIC probes, no first-run pages,
        // no background updates, no sync.
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--hide-scrollbars".to_owned(),
        format!("--user-data-dir={}", profile.0.display()),
        format!("--host-resolver-rules=MAP {HOST} 127.0.0.1"),
        "--window-size=1280,900".to_owned(),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": args}),
    );
    // Every WebDriver command is bounded too.
    caps.insert(
        "timeouts".into(),
        json!({"pageLoad": 20_000, "script": 10_000, "implicit": 0}),
    );
    ClientBuilder::new(HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .unwrap_or_else(|err| panic!("a Chromium session ({chromium}): {err}"))
}
