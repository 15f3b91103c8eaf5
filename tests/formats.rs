//! The consent cookies that real consent banners write, read through the
//! public API: which categories each value grants, and which `Set-Cookie`
//! lines survive. The values are captured from real sites or shaped exactly
//! like the banners' own code writes them (see the readers' sources in
//! `src/consent/formats/`).

use http::{header, HeaderMap, HeaderValue, Uri};
use tower_cookie_consent::{Consent, ConsentFormat, Policy, PolicyBuilder, PolicyError};

// ---------------------------------------------------------------------------
// Helpers

/// One `Set-Cookie` line per category, plus a necessary one.
const LINES: [&str; 4] = [
    "sessionid=s3cr3t; HttpOnly",
    "lang_pref=fr; Max-Age=31536000",
    "_pk_id.1.1fff=abc; Max-Age=33696000",
    "_fbp=fb.1.1596403881668.1116446470; Max-Age=7776000",
];

/// The policy of these tests in `format`: `preferences`, `statistics`
/// and `marketing`, each with one cookie, plus whatever `more` adds.
fn policy(format: ConsentFormat, more: impl FnOnce(PolicyBuilder) -> PolicyBuilder) -> Policy {
    more(
        Policy::builder()
            .consent_format(format)
            .necessary(["sessionid"])
            .category("preferences", ["lang_pref"])
            .category("statistics", ["_pk_id*"])
            .category("marketing", ["_fbp"]),
    )
    .build()
    .expect("valid policy")
}

/// A request's headers with one `Cookie` header per item.
fn cookies(headers: &[&str]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for value in headers {
        map.append(header::COOKIE, HeaderValue::from_str(value).expect("valid"));
    }
    map
}

/// What `Consent::from_headers` reads: the granted categories and
/// `is_set`.
fn read(policy: &Policy, headers: &[&str]) -> (Vec<String>, bool) {
    let consent = Consent::from_headers(policy, &cookies(headers));
    let granted = consent.categories().map(str::to_owned).collect();
    (granted, consent.is_set())
}

/// The lines of [`LINES`] that `Policy::filter_response` keeps for a
/// request with `headers`.
fn kept(policy: &Policy, headers: &[&str]) -> Vec<String> {
    let mut response = HeaderMap::new();
    for line in LINES {
        response.append(header::SET_COOKIE, HeaderValue::from_static(line));
    }
    policy.filter_response(&Uri::from_static("/"), &cookies(headers), &mut response);
    response
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The lines the categories `granted` let through.
fn lines_for(granted: &[&str]) -> Vec<String> {
    let mut lines = vec![LINES[0].to_owned()];
    for (category, line) in [
        ("preferences", LINES[1]),
        ("statistics", LINES[2]),
        ("marketing", LINES[3]),
    ] {
        if granted.contains(&category) {
            lines.push(line.to_owned());
        }
    }
    lines
}

/// Checks that `cookie` (a whole `Cookie` header) grants exactly
/// `granted`, with `is_set`, and that the filter keeps exactly their lines.
#[track_caller]
fn assert_grants(policy: &Policy, cookie: &str, granted: &[&str], is_set: bool) {
    assert_eq!(
        read(policy, &[cookie]),
        (granted.iter().map(|g| (*g).to_owned()).collect(), is_set),
        "{cookie}"
    );
    assert_eq!(kept(policy, &[cookie]), lines_for(granted), "{cookie}");
}

/// Checks that `cookie` grants nothing and is not a valid choice.
#[track_caller]
fn assert_nothing(policy: &Policy, cookie: &str) {
    assert_grants(policy, cookie, &[], false);
}

/// `text` percent-encoded as `encodeURIComponent` does it.
fn encode_uri_component(text: &str) -> String {
    let mut out = String::new();
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `value` with every `%` encoded again.
fn encoded_twice(value: &str) -> String {
    value.replace('%', "%25")
}

/// The categories every test policy declares, all granted.
const ALL: [&str; 3] = ["preferences", "statistics", "marketing"];

// ---------------------------------------------------------------------------
// Cookiebot: `CookieConsent`

mod cookiebot {
    /// Captured values, verbatim.
    pub const DECLINED_RU: &str = "{stamp:%275XvNCDJGCujZq3P+mpjU/gKpkCZau9OYdHlZohdrljwkFbdlC+p4Qw==%27%2Cnecessary:true%2Cpreferences:false%2Cstatistics:false%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:3%2Cutc:1750423015309%2Cregion:%27ru%27}";
    pub const IMPLIED_VN: &str = "{stamp:%27-1%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:true%2Cmarketing:true%2Cmethod:%27implied%27%2Cver:1%2Cutc:1773406331342%2Cregion:%27VN%27}";
    pub const PARTIAL_US: &str = "{stamp:%27+yZyYWeAvJPaiaxvaR/rFdh6jIwY2YpMWGBw7kwEbg0cOBpDvB8wCA==%27%2Cnecessary:true%2Cpreferences:true%2Cstatistics:false%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:2%2Cutc:1755244978679%2Cregion:%27us-06%27}";
    /// Statistics only, as the banner writes it after "allow selection".
    pub const STATISTICS_GB: &str = "{stamp:%27oJ35SLjkzW4RaUoGqC9nv0TjIDn9KP4raUYB5i2R9p0pT/40h2LtBg==%27%2Cnecessary:true%2Cpreferences:false%2Cstatistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:4%2Cutc:1666875104776%2Cregion:%27gb%27}";
}

#[test]
fn cookiebot_values() {
    let policy = policy(ConsentFormat::Cookiebot, |b| b);
    assert_eq!(policy.consent_cookie(), "CookieConsent");
    let cookie = |value: &str| format!("CookieConsent={value}");
    assert_grants(&policy, &cookie(cookiebot::IMPLIED_VN), &ALL, true);
    assert_grants(&policy, &cookie(cookiebot::DECLINED_RU), &[], true);
    assert_grants(
        &policy,
        &cookie(cookiebot::PARTIAL_US),
        &["preferences"],
        true,
    );
    assert_grants(
        &policy,
        &cookie(cookiebot::STATISTICS_GB),
        &["statistics"],
        true,
    );
    // Among other cookies.
    let header = format!(
        "sessionid=s; CookieConsent={}; _ga=GA1.2.3",
        cookiebot::STATISTICS_GB
    );
    assert_grants(&policy, &header, &["statistics"], true);
}

#[test]
fn cookiebot_malformed_truncated_and_encoded_twice() {
    let policy = policy(ConsentFormat::Cookiebot, |b| b);
    let cookie = |value: &str| format!("CookieConsent={value}");
    // Another script's value under the same name.
    assert_nothing(&policy, &cookie("mandatory|osm"));
    // Cut right after a complete pair, and in an escape.
    let cut = cookiebot::IMPLIED_VN.find("%2Cmarketing").unwrap();
    assert_nothing(&policy, &cookie(&cookiebot::IMPLIED_VN[..cut]));
    assert_nothing(&policy, &cookie(&cookiebot::IMPLIED_VN[..cut + 2]));
    assert_nothing(
        &policy,
        &cookie(&format!("{}}}", &cookiebot::IMPLIED_VN[..cut])),
    );
    assert_nothing(&policy, &cookie(&encoded_twice(cookiebot::IMPLIED_VN)));
    assert_nothing(&policy, &cookie(""));
    // Missing.
    assert_nothing(&policy, "cookies_preferences=all");
}

#[test]
fn cookiebot_outside_a_consent_region() {
    let strict = policy(ConsentFormat::Cookiebot, |b| b);
    assert_nothing(&strict, "CookieConsent=-1");
    let open = policy(ConsentFormat::Cookiebot, |b| {
        b.cookiebot_unregulated_grants_all(true)
    });
    assert_grants(&open, "CookieConsent=-1", &ALL, true);
    // The option changes nothing else.
    assert_grants(
        &open,
        &format!("CookieConsent={}", cookiebot::DECLINED_RU),
        &[],
        true,
    );
    assert_nothing(&open, "CookieConsent=-2");
    // Only Cookiebot has such a value.
    let err = Policy::builder()
        .consent_format(ConsentFormat::OneTrust)
        .cookiebot_unregulated_grants_all(true)
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        PolicyError::OptionNotForFormat {
            option: "cookiebot_unregulated_grants_all",
            format: ConsentFormat::OneTrust
        }
    );
}

// ---------------------------------------------------------------------------
// OneTrust: `OptanonConsent`

mod onetrust {
    /// Captured, verbatim: necessary only, with custom groups.
    pub const REJECT_FR: &str = "isGpcEnabled=0&datestamp=Sun+Apr+06+2025+17%3A01%3A47+GMT%2B0200+(heure+d%E2%80%99%C3%A9t%C3%A9+d%E2%80%99Europe+centrale)&version=202312.1.0&browserGpcFlag=0&isIABGlobal=false&consentId=6f525989-ed1c-4c6d-9436-68dc67c35c54&interactionCount=18&hosts=&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A0%2CC0003%3A0%2CC0004%3A0%2CC0005%3A0%2CV2STACK42%3A0%2CC0015%3A0%2CC0035%3A0&genVendors=V2%3A0%2CV1%3A0%2C&geolocation=FR%3B&AwaitingReconsent=false";
    /// Captured, verbatim: everything accepted, groups out of order.
    pub const ACCEPT_TW: &str = "isGpcEnabled=0&datestamp=Tue+Oct+19+2021+11%3A31%3A41+GMT%2B0800+(%E5%8F%B0%E5%8C%97%E6%A8%99%E6%BA%96%E6%99%82%E9%96%93)&version=6.20.0&isIABGlobal=false&hosts=&consentId=0c737b02-e9a0-4211-a8f2-d5ba02e29d69&interactionCount=1&landingPath=NotLandingPage&groups=C0001%3A1%2CC0003%3A1%2CC0002%3A1%2CC0004%3A1&geolocation=TW%3BTPE&AwaitingReconsent=false";
    /// Captured, with groups 3 and 4 switched to 0: numeric group ids.
    pub const NUMERIC_IDS: &str = "isGpcEnabled=0&datestamp=Fri+Oct+04+2024+09%3A21%3A41+GMT%2B0800+(Central+Indonesia+Time)&version=202311.1.0&browserGpcFlag=0&isIABGlobal=false&consentId=182dd905-9a27-42bb-a21f-c660fc251bf4&interactionCount=1&landingPath=NotLandingPage&groups=2%3A1%2C3%3A0%2C1%3A1%2C4%3A0%2CV2STACK42%3A0&hosts=H68%3A1%2CH39%3A1%2CH3%3A1&genVendors=&geolocation=%3B&AwaitingReconsent=false";
    /// Shaped like OneTrust 6.x, which left `:` and `,` unencoded: only
    /// performance (`C0002`) granted.
    pub const PARTIAL_RAW: &str = "consentId=abc&datestamp=Mon+Jan+06+2020+10:00:00+GMT%2B0100&version=6.1.0&groups=C0001:1,C0002:1,C0003:0,C0004:0&AwaitingReconsent=false";
}

/// OneTrust's default groups as the sites map them: C0002 performance,
/// C0003 functional, C0004 targeting and C0005 social media; older
/// configurations number them `2` to `4`.
fn onetrust_policy() -> Policy {
    policy(ConsentFormat::OneTrust, |b| {
        b.alias("C0002", "statistics")
            .alias("C0003", "preferences")
            .alias("C0004", "marketing")
            .alias("C0005", "marketing")
            .alias("2", "statistics")
            .alias("3", "preferences")
            .alias("4", "marketing")
    })
}

#[test]
fn onetrust_values() {
    let policy = onetrust_policy();
    assert_eq!(policy.consent_cookie(), "OptanonConsent");
    let cookie = |value: &str| {
        format!("OptanonAlertBoxClosed=2025-03-19T07:27:30.342Z; OptanonConsent={value}")
    };
    assert_grants(&policy, &cookie(onetrust::REJECT_FR), &[], true);
    assert_grants(&policy, &cookie(onetrust::ACCEPT_TW), &ALL, true);
    assert_grants(
        &policy,
        &cookie(onetrust::NUMERIC_IDS),
        &["statistics"],
        true,
    );
    assert_grants(
        &policy,
        &cookie(onetrust::PARTIAL_RAW),
        &["statistics"],
        true,
    );
    // An empty `groups=` records no choice.
    assert_nothing(&policy, &cookie("isGpcEnabled=0&groups=&hosts="));
}

#[test]
fn onetrust_refusal_of_one_alias_wins() {
    let policy = onetrust_policy();
    // Targeting granted but social media refused: both are marketing.
    let value = "isGpcEnabled=0&groups=C0001%3A1%2CC0004%3A1%2CC0005%3A0%2CC0002%3A1";
    assert_grants(
        &policy,
        &format!("OptanonConsent={value}"),
        &["statistics"],
        true,
    );
    let value = "isGpcEnabled=0&groups=C0001%3A1%2CC0004%3A1%2CC0005%3A1";
    assert_grants(
        &policy,
        &format!("OptanonConsent={value}"),
        &["marketing"],
        true,
    );
    // Group ids compare ASCII case-insensitively, like category names.
    let value = "groups=c0004%3A1";
    assert_grants(
        &policy,
        &format!("OptanonConsent={value}"),
        &["marketing"],
        true,
    );
}

#[test]
fn onetrust_malformed_truncated_and_encoded_twice() {
    let policy = onetrust_policy();
    let cookie = |value: &str| format!("OptanonConsent={value}");
    // Cut after `genVendors=...&`: a trailing `&` is a cut.
    let cut = &onetrust::REJECT_FR[..onetrust::REJECT_FR.find("geolocation").unwrap()];
    assert_nothing(&policy, &cookie(cut));
    // Cut inside `groups`, right after a complete pair.
    let groups = onetrust::ACCEPT_TW.find("groups=").unwrap();
    let cut = &onetrust::ACCEPT_TW[..groups + "groups=C0001%3A1%2C".len()];
    assert_nothing(&policy, &cookie(cut));
    assert_nothing(&policy, &cookie("groups=C0001%253A1%252CC0004%253A1"));
    assert_nothing(&policy, &cookie(&encode_uri_component(onetrust::ACCEPT_TW)));
    assert_nothing(&policy, &cookie("isGpcEnabled=0&hosts=H1%3A1"));
}

// ---------------------------------------------------------------------------
// orestbida/cookieconsent: `cc_cookie`

mod orestbida {
    /// Captured, verbatim: v3, necessary only, revision 1.
    pub const V3_NECESSARY: &str = "%7B%22categories%22%3A%5B%22necessary%22%5D%2C%22revision%22%3A1%2C%22data%22%3Anull%2C%22consentTimestamp%22%3A%222024-11-20T19%3A02%3A36.823Z%22%2C%22consentId%22%3A%2212fd04af-4af6-48a3-8531-b7cf317849d1%22%2C%22services%22%3A%7B%22necessary%22%3A%5B%5D%2C%22analytics%22%3A%5B%5D%2C%22support%22%3A%5B%5D%7D%2C%22lastConsentTimestamp%22%3A%222024-11-20T19%3A02%3A36.823Z%22%2C%22expirationTime%22%3A1747854156824%7D";
    /// v3 as `setCookie` writes it (before encoding): `services` names the
    /// services of the rejected `marketing` too; `necessary` is not first.
    pub const V3_PARTIAL_JSON: &str = r#"{"categories":["analytics","necessary","functionality"],"revision":2,"data":null,"consentTimestamp":"2025-01-09T10:11:12.345Z","consentId":"0b7d5f0e-6c55-4c0a-9d1e-3c1f5d0e2a11","services":{"necessary":[],"analytics":["ga"],"functionality":[],"marketing":["hotjar","hubspot"]},"languageCode":"en","lastConsentTimestamp":"2025-01-09T10:11:12.345Z","expirationTime":1752142272345}"#;
    /// v2.9 default: raw JSON, `level` copying `categories`.
    pub const V2_RAW: &str = r#"{"categories":["necessary","analytics","marketing"],"level":["necessary","analytics","marketing"],"revision":0,"data":null,"rfc_cookie":false,"consent_date":"2023-03-01T08:00:00.000Z","consent_uuid":"5d8f3c1e-2b4a-4c6d-8e9f-0a1b2c3d4e5f","last_consent_update":"2023-03-01T08:00:00.000Z"}"#;
}

fn orestbida_policy(more: impl FnOnce(PolicyBuilder) -> PolicyBuilder) -> Policy {
    policy(ConsentFormat::Orestbida, |b| {
        more(
            b.alias("analytics", "statistics")
                .alias("functionality", "preferences"),
        )
    })
}

#[test]
fn orestbida_values() {
    let policy = orestbida_policy(|b| b);
    assert_eq!(policy.consent_cookie(), "cc_cookie");
    let cookie = |value: &str| format!("cc_cookie={value}");
    assert_grants(&policy, &cookie(orestbida::V3_NECESSARY), &[], true);
    // Only `categories` decides: the rejected `marketing` services do not.
    let partial = encode_uri_component(orestbida::V3_PARTIAL_JSON);
    assert_grants(
        &policy,
        &cookie(&partial),
        &["preferences", "statistics"],
        true,
    );
    assert_grants(
        &policy,
        &cookie(orestbida::V2_RAW),
        &["statistics", "marketing"],
        true,
    );
    assert_grants(
        &policy,
        &cookie(&encode_uri_component(orestbida::V2_RAW)),
        &["statistics", "marketing"],
        true,
    );
    // A configured cookie name.
    let renamed = orestbida_policy(|b| b.consent_cookie("cc_consent"));
    assert_grants(
        &renamed,
        &format!("cc_consent={partial}"),
        &["preferences", "statistics"],
        true,
    );
}

#[test]
fn orestbida_malformed_truncated_and_encoded_twice() {
    let policy = orestbida_policy(|b| b);
    let cookie = |value: &str| format!("cc_cookie={value}");
    let partial = encode_uri_component(orestbida::V3_PARTIAL_JSON);
    let cut = partial.find("%2C%22data").unwrap();
    assert_nothing(&policy, &cookie(&partial[..cut]));
    let cut = orestbida::V2_RAW.find(r#","revision""#).unwrap();
    assert_nothing(&policy, &cookie(&orestbida::V2_RAW[..cut]));
    assert_nothing(&policy, &cookie(&encoded_twice(&partial)));
    assert_nothing(&policy, &cookie(r#"{"services":{"analytics":["ga"]}}"#));
    assert_nothing(&policy, &cookie("necessary"));
}

#[test]
fn orestbida_revision() {
    let cookie = format!(
        "cc_cookie={}",
        encode_uri_component(orestbida::V3_PARTIAL_JSON)
    );
    // The record is of revision 2.
    let current = orestbida_policy(|b| b.revision(2));
    assert_grants(&current, &cookie, &["preferences", "statistics"], true);
    let older_policy = orestbida_policy(|b| b.revision(1));
    assert_grants(&older_policy, &cookie, &["preferences", "statistics"], true);
    let newer_policy = orestbida_policy(|b| b.revision(3));
    assert_nothing(&newer_policy, &cookie);
    assert_eq!(newer_policy.revision(), Some(3));
}

// ---------------------------------------------------------------------------
// Klaro: `klaro`

mod klaro {
    /// Captured, verbatim.
    pub const NECESSARY_ONLY: &str = "%7B%22necessary-cookies%22%3Atrue%2C%22preferences%22%3Afalse%2C%22google-analytics%22%3Afalse%2C%22google-ads%22%3Afalse%7D";
    /// Captured, verbatim.
    pub const CMS: &str = "%7B%22klaro%22%3Atrue%2C%22cms%22%3Atrue%2C%22adsense%22%3Afalse%2C%22youtube%22%3Afalse%2C%22twitter%22%3Afalse%2C%22matomo%22%3Afalse%7D";
    /// Everything accepted, as `saveConsents` writes it.
    pub const ALL: &str =
        "%7B%22matomo%22%3Atrue%2C%22youtube%22%3Atrue%2C%22google-ads%22%3Atrue%7D";
    /// Matomo and YouTube accepted, Google Analytics refused.
    pub const MIXED: &str =
        "%7B%22matomo%22%3Atrue%2C%22google-analytics%22%3Afalse%2C%22youtube%22%3Atrue%7D";
}

/// Klaro stores services: each one is mapped to the category its cookies
/// are in.
fn klaro_policy() -> Policy {
    policy(ConsentFormat::Klaro, |b| {
        b.alias("matomo", "statistics")
            .alias("google-analytics", "statistics")
            .alias("youtube", "preferences")
            .alias("google-ads", "marketing")
            .alias("adsense", "marketing")
            .alias("twitter", "marketing")
    })
}

#[test]
fn klaro_values() {
    let policy = klaro_policy();
    assert_eq!(policy.consent_cookie(), "klaro");
    let cookie = |value: &str| format!("klaro={value}");
    // `preferences` is a Klaro service that is also a category's name.
    assert_grants(&policy, &cookie(klaro::NECESSARY_ONLY), &[], true);
    assert_grants(&policy, &cookie(klaro::CMS), &[], true);
    assert_grants(&policy, &cookie(klaro::ALL), &ALL, true);
    // Matomo granted, Google Analytics refused: both are statistics, and
    // the refusal wins.
    assert_grants(&policy, &cookie(klaro::MIXED), &["preferences"], true);
    // Raw JSON reads too.
    assert_grants(
        &policy,
        &cookie(r#"{"matomo":true,"youtube":false}"#),
        &["statistics"],
        true,
    );
}

#[test]
fn klaro_malformed_truncated_and_encoded_twice() {
    let policy = klaro_policy();
    let cookie = |value: &str| format!("klaro={value}");
    let cut = klaro::CMS.find("%2C%22adsense").unwrap();
    assert_nothing(&policy, &cookie(&klaro::CMS[..cut]));
    assert_nothing(&policy, &cookie(&klaro::ALL[..klaro::ALL.len() - 3]));
    assert_nothing(&policy, &cookie(&encoded_twice(klaro::ALL)));
    assert_nothing(&policy, &cookie(r#"{"matomo":1}"#));
    assert_nothing(&policy, &cookie("matomo"));
}

// ---------------------------------------------------------------------------
// django-cookie-consent: `cookie_consent`

mod django {
    /// The package's documented example, as the browser sends it back.
    pub const DOCS: &str = "\"optional=-1|social=2013-06-04T03:17:01.421395+00:00\"";
    /// All declined.
    pub const DECLINED: &str = "\"statistics=-1|marketing=-1|social=-1\"";
    /// Accepted, with a group that holds no cookie (empty version).
    pub const ACCEPTED: &str =
        "\"statistics=2024-02-29T23:59:59+00:00|marketing=2024-03-01T08:00:00.000001|preferences=\"";
}

#[test]
fn django_values() {
    // Group varnames that are category names need no alias.
    let policy = policy(ConsentFormat::DjangoCookieConsent, |b| {
        b.alias("social", "marketing")
    });
    assert_eq!(policy.consent_cookie(), "cookie_consent");
    let cookie = |value: &str| format!("cookie_consent={value}");
    assert_grants(&policy, &cookie(django::DOCS), &["marketing"], true);
    assert_grants(&policy, &cookie(django::DECLINED), &[], true);
    assert_grants(&policy, &cookie(django::ACCEPTED), &ALL, true);
    // `social` granted, `marketing` declined: the refusal wins.
    assert_grants(
        &policy,
        &cookie("\"marketing=-1|social=2024-03-01T08:00:00\""),
        &[],
        true,
    );
}

#[test]
fn django_malformed_truncated_and_encoded() {
    let policy = policy(ConsentFormat::DjangoCookieConsent, |b| b);
    let cookie = |value: &str| format!("cookie_consent={value}");
    // Cut: the closing quote is lost.
    assert_nothing(
        &policy,
        &cookie(&django::ACCEPTED[..django::ACCEPTED.len() - 1]),
    );
    assert_nothing(&policy, &cookie("statistics=2025-06-30T12:34:56.12"));
    assert_nothing(&policy, &cookie("statistics=-1|"));
    assert_nothing(&policy, &cookie("statistics%3D-1%7Cmarketing%3D-1"));
    assert_nothing(&policy, &cookie("statistics%253D-1"));
    // Other sites' values under the same name.
    assert_nothing(&policy, &cookie("true"));
    assert_nothing(&policy, &cookie("granted|denied"));
}

// ---------------------------------------------------------------------------
// GOV.UK: `cookies_policy`, and One Login's `cookies_preferences_set`

fn govuk_policy() -> Policy {
    policy(ConsentFormat::GovUk, |b| {
        b.alias("settings", "preferences")
            .alias("usage", "statistics")
            .alias("analytics", "statistics")
            .alias("campaigns", "marketing")
    })
}

#[test]
fn govuk_values() {
    let policy = govuk_policy();
    assert_eq!(policy.consent_cookie(), "cookies_policy");
    let default = r#"{"essential":true,"settings":false,"usage":false,"campaigns":false}"#;
    let all = r#"{"essential":true,"settings":true,"usage":true,"campaigns":true}"#;
    let usage = r#"{"essential":true,"settings":false,"usage":true,"campaigns":false}"#;
    let cookie = |value: &str| format!("cookies_preferences_set=true; cookies_policy={value}");
    assert_grants(&policy, &cookie(default), &[], true);
    assert_grants(&policy, &cookie(all), &ALL, true);
    assert_grants(&policy, &cookie(usage), &["statistics"], true);
    // The encoded form reads the same.
    assert_grants(
        &policy,
        &cookie(&encode_uri_component(usage)),
        &["statistics"],
        true,
    );
    // Another service's keys: `analytics` is mapped, `apm` is unknown.
    assert_grants(
        &policy,
        &cookie(r#"{"essential":true,"analytics":true,"apm":true}"#),
        &["statistics"],
        true,
    );
}

#[test]
fn govuk_one_login_preferences_set() {
    let policy = govuk_policy();
    // One Login keeps the choice in `cookies_preferences_set`.
    assert_grants(
        &policy,
        "cookies_preferences_set=%7B%22analytics%22%3Atrue%7D",
        &["statistics"],
        true,
    );
    assert_grants(
        &policy,
        "cookies_preferences_set=%7B%22analytics%22%3Afalse%7D",
        &[],
        true,
    );
    // The classic marker alone records no choice.
    assert_nothing(&policy, "cookies_preferences_set=true");
    // `cookies_policy` decides when both hold a record.
    assert_grants(
        &policy,
        r#"cookies_preferences_set=%7B%22analytics%22%3Atrue%7D; cookies_policy={"essential":true,"campaigns":true}"#,
        &["marketing"],
        true,
    );
    // The consent cookies are necessary by nature.
    assert_eq!(
        policy.category_of("cookies_preferences_set"),
        Some("necessary")
    );
    assert_eq!(policy.category_of("cookies_policy"), Some("necessary"));
}

#[test]
fn govuk_malformed_truncated_and_encoded_twice() {
    let policy = govuk_policy();
    let all = r#"{"essential":true,"settings":true,"usage":true,"campaigns":true}"#;
    let cookie = |value: &str| format!("cookies_policy={value}");
    let cut = all.find(r#","campaigns""#).unwrap();
    assert_nothing(&policy, &cookie(&all[..cut]));
    assert_nothing(&policy, &cookie(&encoded_twice(&encode_uri_component(all))));
    assert_nothing(&policy, &cookie(r#"{usage:true}"#));
    assert_nothing(&policy, &cookie("true"));
    // A malformed `cookies_policy` is not replaced by the fallback.
    assert_nothing(
        &policy,
        r#"cookies_preferences_set=%7B%22analytics%22%3Atrue%7D; cookies_policy={"usage":tru}"#,
    );
}

// ---------------------------------------------------------------------------
// CookieYes: `cookieyes-consent`

mod cookieyes {
    /// Captured, verbatim: accept all.
    pub const ACCEPT: &str = "consentid:d2JnOWNtWmgyM0pMdEU0ZkZXSGhzdE9BaTkxekF3WEk,consent:yes,action:yes,necessary:yes,functional:yes,analytics:yes,performance:yes,advertisement:yes,other:yes";
    /// Captured, verbatim: reject all.
    pub const REJECT: &str = "consentid:WHRLbHhJZVJlTXR3b0F4MUpUQWNCZDRNbXRpTWNEcmE,consent:no,action:yes,necessary:yes,functional:no,analytics:no,performance:no,advertisement:no,other:no";
    /// A custom choice, with the renewal date newer scripts append.
    pub const CUSTOM: &str = "consentid:YjZOTmFPc2pXWHFmM0hBbTRsZ1ZvS2VxZDZyR0hTb0E,consent:yes,action:yes,necessary:yes,functional:yes,analytics:no,performance:no,advertisement:no,other:no,lastRenewedDate:1728636632000";
    /// Before any answer.
    pub const UNDECIDED: &str = "consentid:YjZOTmFPc2pXWHFmM0hBbTRsZ1ZvS2VxZDZyR0hTb0E,consent:,action:,necessary:,functional:,analytics:,performance:,advertisement:,other:";
}

fn cookieyes_policy() -> Policy {
    policy(ConsentFormat::CookieYes, |b| {
        b.alias("functional", "preferences")
            .alias("analytics", "statistics")
            .alias("performance", "statistics")
            .alias("advertisement", "marketing")
    })
}

#[test]
fn cookieyes_values() {
    let policy = cookieyes_policy();
    assert_eq!(policy.consent_cookie(), "cookieyes-consent");
    let cookie = |value: &str| format!("cookieyes-consent={value}");
    assert_grants(&policy, &cookie(cookieyes::ACCEPT), &ALL, true);
    // `consent:no` refuses everything: a choice, granting nothing.
    assert_grants(&policy, &cookie(cookieyes::REJECT), &[], true);
    assert_grants(&policy, &cookie(cookieyes::CUSTOM), &["preferences"], true);
    assert_nothing(&policy, &cookie(cookieyes::UNDECIDED));
    // Analytics granted, performance refused: both are statistics.
    assert_grants(
        &policy,
        &cookie("consent:yes,action:yes,analytics:yes,performance:no"),
        &[],
        true,
    );
}

#[test]
fn cookieyes_malformed_truncated_and_encoded() {
    let policy = cookieyes_policy();
    let cookie = |value: &str| format!("cookieyes-consent={value}");
    let cut = cookieyes::ACCEPT.find(",performance").unwrap();
    assert_nothing(&policy, &cookie(&cookieyes::ACCEPT[..=cut]));
    assert_nothing(
        &policy,
        &cookie(&cookieyes::ACCEPT[..cookieyes::ACCEPT.len() - 1]),
    );
    assert_nothing(&policy, &cookie(&cookieyes::ACCEPT.replace(',', "%2C")));
    assert_nothing(&policy, &cookie(&cookieyes::ACCEPT.replace(',', "%252C")));
}

// ---------------------------------------------------------------------------
// Complianz: `cmplz_*`

#[test]
fn complianz_values() {
    let policy = policy(ConsentFormat::Complianz, |b| b);
    assert_eq!(policy.consent_cookie(), "cmplz_*");
    // Captured, verbatim.
    let captured = r#"cmplz_banner-status=dismissed; cmplz_functional=allow; cmplz_preferences=allow; cmplz_marketing=deny; cmplz_statistics=deny; cmplz_saved_categories=["preferences","functional"]"#;
    assert_grants(&policy, captured, &["preferences"], true);
    let accept = r#"cmplz_consented_services=; cmplz_policy_id=37; cmplz_marketing=allow; cmplz_statistics=allow; cmplz_preferences=allow; cmplz_functional=allow; cmplz_banner-status=dismissed; cmplz_id=12345"#;
    assert_grants(&policy, accept, &ALL, true);
    let deny = "_ga=GA1.1.1; cmplz_policy_id=14; cmplz_functional=allow; cmplz_preferences=deny; cmplz_statistics=deny; cmplz_marketing=deny; cmplz_banner-status=dismissed; PHPSESSID=abc";
    assert_grants(&policy, deny, &[], true);
    // A category whose cookie is absent is not granted.
    assert_grants(&policy, "cmplz_statistics=allow", &["statistics"], true);
    // The banner's state only: no choice yet.
    assert_nothing(&policy, "cmplz_banner-status=show; cmplz_policy_id=14");
    // Spread over two `Cookie` headers (HTTP/2).
    assert_eq!(
        read(
            &policy,
            &["cmplz_statistics=allow", "cmplz_marketing=allow"]
        ),
        (vec!["statistics".to_owned(), "marketing".to_owned()], true)
    );
    // A copy that denies wins.
    assert_grants(
        &policy,
        "cmplz_marketing=allow; cmplz_marketing=deny; cmplz_statistics=allow",
        &["statistics"],
        true,
    );
    // Every `cmplz_*` cookie is part of the consent record: necessary.
    assert_eq!(policy.category_of("cmplz_banner-status"), Some("necessary"));
    assert_eq!(policy.category_of("cmplz_marketing"), Some("necessary"));
}

#[test]
fn complianz_malformed_and_truncated() {
    let policy = policy(ConsentFormat::Complianz, |b| b);
    // A value cut short, or encoded.
    assert_nothing(&policy, "cmplz_statistics=allow; cmplz_marketing=allo");
    assert_nothing(&policy, "cmplz_statistics=allow; cmplz_marketing=%61llow");
    assert_nothing(&policy, "cmplz_statistics=allow; cmplz_marketing=%2561llow");
    assert_nothing(&policy, "cmplz_statistics=allow; cmplz_policy_id=3a");
}

#[test]
fn complianz_multisite_prefix_and_revision() {
    // The main site of a multisite network writes `cmplz_rt_*`.
    let main_site = policy(ConsentFormat::Complianz, |b| b.consent_cookie("cmplz_rt_"));
    assert_eq!(main_site.consent_cookie(), "cmplz_rt_*");
    assert_grants(
        &main_site,
        "cmplz_rt_statistics=allow; cmplz_marketing=allow",
        &["statistics"],
        true,
    );
    let revised = policy(ConsentFormat::Complianz, |b| b.revision(14));
    assert_grants(
        &revised,
        "cmplz_policy_id=14; cmplz_statistics=allow",
        &["statistics"],
        true,
    );
    assert_nothing(&revised, "cmplz_policy_id=13; cmplz_statistics=allow");
    // Without its revision, a record is older than any.
    assert_nothing(&revised, "cmplz_statistics=allow");
}

// ---------------------------------------------------------------------------
// IAB TCF v2: `euconsent-v2`

mod tcf {
    /// Captured, verbatim (2022): purposes 1 to 10, special features 1, 2.
    pub const PURPOSES_1_TO_10: &str = "CPZ1YkAPZ1YkAAHABBENCRCsAP_AAAAAAAAAIxtf_X__b3_j-_5___t0eY1f9_7__-0zjhfdt-8N3f_X_L8X_2M7vF36pq4KuR4Eu3LBIQdlHOHcTUmw6okVrzPsbk2cr7NKJ7PEmnMbe2dYGH9_n93T-ZKY7_____77__-_______f__-_f___5_3__-_f_V_997bn9_____9_P___9v__9_________4AAACSUAGAAIIxhoAMAAQRjFQAYAAgjGUgAwABBGMdABgACCMZCADAAEEYwkAGAAIIxiIAMAAQRjGQAYAAgjGAA.f_gAAAAAAAAA";
    /// Nothing granted, in the IAB encoder's default three segments.
    pub const REFUSED: &str = "CQX48QAQX48QAAGABBENB3FgAAAAAAAAAAYgAAAAAAAA.YAAAAAAAAAAA";
}

/// Purposes as a site maps them: storage and personalisation to
/// preferences, measurement to statistics, advertising to marketing.
fn tcf_policy() -> Policy {
    policy(ConsentFormat::Tcf, |b| {
        b.alias("purpose:1", "preferences")
            .alias("purpose:8", "statistics")
            .alias("purpose:9", "statistics")
            .alias("purpose:3", "marketing")
            .alias("purpose:4", "marketing")
    })
}

#[test]
fn tcf_values() {
    let policy = tcf_policy();
    assert_eq!(policy.consent_cookie(), "euconsent-v2");
    let cookie = |value: &str| format!("euconsent-v2={value}; addtl_consent=1~");
    assert_grants(&policy, &cookie(tcf::PURPOSES_1_TO_10), &ALL, true);
    assert_grants(&policy, &cookie(tcf::REFUSED), &[], true);
    // The core segment alone decides.
    let core = tcf::PURPOSES_1_TO_10.split('.').next().unwrap();
    assert_grants(&policy, &cookie(core), &ALL, true);
    // Purpose 11 is not consented in that string: a category mapped to it
    // and to purpose 1 is refused.
    let strict = policy_with_purpose_11();
    assert_grants(
        &strict,
        &cookie(tcf::PURPOSES_1_TO_10),
        &["statistics", "marketing"],
        true,
    );
}

fn policy_with_purpose_11() -> Policy {
    policy(ConsentFormat::Tcf, |b| {
        b.alias("purpose:1", "preferences")
            .alias("purpose:11", "preferences")
            .alias("purpose:8", "statistics")
            .alias("purpose:4", "marketing")
    })
}

#[test]
fn tcf_malformed_truncated_and_encoded() {
    let policy = tcf_policy();
    let cookie = |value: &str| format!("euconsent-v2={value}");
    let core = tcf::PURPOSES_1_TO_10.split('.').next().unwrap();
    // Cut in the vendor section, and below the purpose fields.
    assert_nothing(&policy, &cookie(&core[..core.len() - 10]));
    assert_nothing(&policy, &cookie(&core[..29]));
    assert_nothing(&policy, &cookie(&tcf::REFUSED.replace('.', "%2E")));
    assert_nothing(&policy, &cookie(&tcf::REFUSED.replace('.', "%252E")));
    // A TCF v1 string.
    assert_nothing(&policy, &cookie("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA"));
}

// ---------------------------------------------------------------------------
// Across formats

#[test]
fn several_copies_grant_what_every_copy_grants() {
    let policy = policy(ConsentFormat::Cookiebot, |b| b);
    let both = [
        format!("CookieConsent={}", cookiebot::IMPLIED_VN),
        format!("CookieConsent={}", cookiebot::PARTIAL_US),
    ];
    let both: Vec<&str> = both.iter().map(String::as_str).collect();
    assert_eq!(read(&policy, &both), (vec!["preferences".to_owned()], true));
    // A malformed copy spoils the lot.
    let spoiled = [both[0], "CookieConsent=mandatory|osm"];
    assert_eq!(read(&policy, &spoiled), (vec![], false));
    // A copy that records no choice too.
    let policy = cookieyes_policy();
    let undecided = [
        format!("cookieyes-consent={}", cookieyes::ACCEPT),
        format!("cookieyes-consent={}", cookieyes::UNDECIDED),
    ];
    let undecided: Vec<&str> = undecided.iter().map(String::as_str).collect();
    assert_eq!(read(&policy, &undecided), (vec![], false));
}

#[test]
fn the_format_sets_the_conventional_cookie_unless_one_is_named() {
    for &format in ConsentFormat::ALL {
        let policy = Policy::builder().consent_format(format).build().unwrap();
        assert_eq!(policy.consent_cookie(), format.default_cookie(), "{format}");
        assert_eq!(policy.consent_format(), format);
        assert_eq!(
            policy.category_of(policy.consent_cookie().trim_end_matches('*')),
            Some("necessary")
        );
        // Named before or after choosing the format.
        let before = Policy::builder()
            .consent_cookie("my_consent")
            .consent_format(format)
            .build()
            .unwrap();
        let after = Policy::builder()
            .consent_format(format)
            .consent_cookie("my_consent")
            .build()
            .unwrap();
        let expected = if format == ConsentFormat::Complianz {
            "my_consent*"
        } else {
            "my_consent"
        };
        assert_eq!(before.consent_cookie(), expected);
        assert_eq!(after.consent_cookie(), expected);
    }
    // The default format reads only its own cookie.
    let auto = Policy::builder()
        .category("statistics", ["_pk_id*"])
        .build()
        .unwrap();
    assert_eq!(auto.consent_format(), ConsentFormat::Auto);
    assert_eq!(
        read(
            &auto,
            &["cookieyes-consent=consent:yes,action:yes,statistics:yes"]
        ),
        (vec![], false)
    );
}

#[test]
fn without_an_alias_a_name_grants_the_category_of_that_name() {
    // Cookiebot's own keys are the policy's categories here.
    let policy = policy(ConsentFormat::Cookiebot, |b| b);
    assert_grants(
        &policy,
        &format!("CookieConsent={}", cookiebot::STATISTICS_GB),
        &["statistics"],
        true,
    );
    // ASCII case-insensitively.
    let shouting = Policy::builder()
        .consent_format(ConsentFormat::Klaro)
        .category("Matomo", ["_pk_id*"])
        .build()
        .unwrap();
    assert_eq!(
        read(&shouting, &["klaro=%7B%22MATOMO%22%3Atrue%7D"]),
        (vec!["Matomo".to_owned()], true)
    );
    // An alias wins over the category of the same name.
    let swapped = policy_with(ConsentFormat::Klaro, &[("statistics", "marketing")]);
    assert_eq!(
        read(&swapped, &["klaro=%7B%22statistics%22%3Atrue%7D"]),
        (vec!["marketing".to_owned()], true)
    );
    // And a refusal under the category's own name still wins over it.
    assert_eq!(
        read(
            &swapped,
            &["klaro=%7B%22statistics%22%3Atrue%2C%22marketing%22%3Afalse%7D"]
        ),
        (vec![], true)
    );
}

fn policy_with(format: ConsentFormat, aliases: &[(&str, &str)]) -> Policy {
    policy(format, |mut b| {
        for (alias, category) in aliases {
            b = b.alias(*alias, *category);
        }
        b
    })
}

#[test]
fn alias_errors_name_the_culprit() {
    let err = Policy::builder()
        .category("statistics", ["_ga"])
        .alias("C0002", "stats")
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        PolicyError::UnknownCategory {
            category: "stats".into(),
            used_in: "alias `C0002`".into()
        }
    );
    assert!(err.to_string().contains("`stats`"), "{err}");
    let err = Policy::builder()
        .category("statistics", ["_ga"])
        .category("marketing", ["_fbp"])
        .alias("C0002", "statistics")
        .alias("c0002", "marketing")
        .build()
        .unwrap_err();
    assert!(matches!(err, PolicyError::ConflictingAlias { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "alias `c0002` maps to both `statistics` and `marketing`"
    );
    // The same mapping twice is harmless; `necessary` is not a category.
    assert!(Policy::builder()
        .category("statistics", ["_ga"])
        .alias("C0002", "statistics")
        .alias("C0002", "Statistics")
        .build()
        .is_ok());
    let err = Policy::builder()
        .alias("C0001", "necessary")
        .build()
        .unwrap_err();
    assert!(matches!(err, PolicyError::UnknownCategory { .. }), "{err}");
    let err = Policy::builder()
        .category("statistics", ["_ga"])
        .alias("", "statistics")
        .build()
        .unwrap_err();
    assert!(matches!(err, PolicyError::InvalidAlias { .. }), "{err}");
    let err = Policy::builder()
        .category("statistics", ["_ga"])
        .alias("x".repeat(129), "statistics")
        .build()
        .unwrap_err();
    assert!(matches!(err, PolicyError::InvalidAlias { .. }), "{err}");
}

#[test]
fn revision_needs_a_format_that_carries_one() {
    for &format in ConsentFormat::ALL {
        let built = Policy::builder().consent_format(format).revision(2).build();
        let carries = matches!(
            format,
            ConsentFormat::Cookiebot | ConsentFormat::Orestbida | ConsentFormat::Complianz
        );
        match built {
            Ok(policy) => {
                assert!(carries, "{format}");
                assert_eq!(policy.revision(), Some(2));
            }
            Err(err) => {
                assert!(!carries, "{format}");
                assert_eq!(
                    err,
                    PolicyError::OptionNotForFormat {
                        option: "revision",
                        format
                    }
                );
                assert!(err.to_string().contains(format.name()), "{err}");
            }
        }
    }
}

#[test]
fn cookiebot_revision() {
    // PARTIAL_US is `ver:2`.
    let value = format!("CookieConsent={}", cookiebot::PARTIAL_US);
    let current = policy(ConsentFormat::Cookiebot, |b| b.revision(2));
    assert_grants(&current, &value, &["preferences"], true);
    let newer = policy(ConsentFormat::Cookiebot, |b| b.revision(3));
    assert_nothing(&newer, &value);
    let consent = Consent::from_headers(&newer, &cookies(&[&value]));
    assert!(!consent.is_set(), "a stale record is no choice yet");
}

// ---------------------------------------------------------------------------
// Exempt categories

#[test]
fn exempt_categories_always_pass() {
    for format in [ConsentFormat::Auto, ConsentFormat::CookieYes] {
        let policy = policy(format, |b| b.exempt("statistics"));
        // A first visit: the exempt category's cookie passes.
        assert_eq!(read(&policy, &[]), (vec!["statistics".to_owned()], false));
        assert_eq!(kept(&policy, &[]), lines_for(&["statistics"]));
        let consent = Consent::necessary_only(&policy);
        assert!(consent.allows("statistics"));
        assert!(consent.allows("STATISTICS"));
        assert!(!consent.allows("marketing"));
        // It keeps its own name.
        assert_eq!(policy.category_of("_pk_id.1.fff"), Some("statistics"));
        let exempt: Vec<_> = policy.categories().filter(|c| c.is_exempt()).collect();
        assert_eq!(exempt, ["statistics"]);
    }
    // Whatever the cookie says.
    let policy = policy(ConsentFormat::Auto, |b| b.exempt("statistics"));
    assert_grants(
        &policy,
        r#"cookies_preferences={"statistics":false,"marketing":true}"#,
        &["statistics", "marketing"],
        true,
    );
    // Even when the response withdraws everything (rule 1).
    let mut response = HeaderMap::new();
    for line in [LINES[2], LINES[3], "cookies_preferences=%5B%5D; Path=/"] {
        response.append(header::SET_COOKIE, HeaderValue::from_static(line));
    }
    policy.filter_response(
        &Uri::from_static("/"),
        &cookies(&["cookies_preferences=all"]),
        &mut response,
    );
    let kept: Vec<_> = response.get_all(header::SET_COOKIE).iter().collect();
    assert_eq!(kept, [LINES[2], "cookies_preferences=%5B%5D; Path=/"]);
}

#[test]
fn exempt_must_name_a_declared_category() {
    let err = Policy::builder()
        .category("statistics", ["_ga"])
        .exempt("audience")
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        PolicyError::UnknownCategory {
            category: "audience".into(),
            used_in: "exempt_categories".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "exempt_categories names category `audience`, which the policy does not declare"
    );
}

// ---------------------------------------------------------------------------
// Configuration files

/// (alias, category) pairs.
type Aliases = Vec<(&'static str, &'static str)>;

/// For each format: its config name, aliases, and a `Cookie` header that
/// grants statistics only.
fn config_cases() -> Vec<(&'static str, Aliases, String)> {
    vec![
        ("auto", vec![], "cookies_preferences=statistics".into()),
        (
            "cookiebot",
            vec![],
            format!("CookieConsent={}", cookiebot::STATISTICS_GB),
        ),
        (
            "onetrust",
            vec![("C0002", "statistics")],
            format!("OptanonConsent={}", onetrust::PARTIAL_RAW),
        ),
        (
            "orestbida",
            vec![("analytics", "statistics")],
            r#"cc_cookie={"categories":["necessary","analytics"],"revision":0}"#.into(),
        ),
        (
            "klaro",
            vec![("matomo", "statistics"), ("youtube", "preferences")],
            "klaro=%7B%22matomo%22%3Atrue%2C%22youtube%22%3Afalse%7D".into(),
        ),
        (
            "django_cookie_consent",
            vec![],
            "cookie_consent=\"statistics=2024-02-29T23:59:59+00:00|marketing=-1\"".into(),
        ),
        (
            "govuk",
            vec![("usage", "statistics")],
            r#"cookies_policy={"essential":true,"usage":true,"campaigns":false}"#.into(),
        ),
        (
            "cookieyes",
            vec![("analytics", "statistics")],
            "cookieyes-consent=consentid:x,consent:yes,action:yes,necessary:yes,analytics:yes,advertisement:no".into(),
        ),
        (
            "complianz",
            vec![],
            "cmplz_functional=allow; cmplz_statistics=allow; cmplz_marketing=deny".into(),
        ),
        (
            "tcf",
            vec![("purpose:8", "statistics")],
            format!("euconsent-v2={}", tcf::PURPOSES_1_TO_10),
        ),
    ]
}

#[test]
fn every_format_from_json_and_toml() {
    let cases = config_cases();
    assert_eq!(cases.len(), ConsentFormat::ALL.len());
    for (name, aliases, cookie) in cases {
        let aliases_json: Vec<String> = aliases
            .iter()
            .map(|(alias, category)| format!("\"{alias}\": \"{category}\""))
            .collect();
        let json = format!(
            r#"{{"consent_format": "{name}",
                "necessary": ["sessionid"],
                "categories": {{"preferences": ["lang_pref"], "statistics": ["_pk_id*"], "marketing": ["_fbp"]}},
                "aliases": {{{}}}}}"#,
            aliases_json.join(", ")
        );
        let from_json: Policy =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));

        let aliases_toml: Vec<String> = aliases
            .iter()
            .map(|(alias, category)| format!("\"{alias}\" = \"{category}\""))
            .collect();
        let toml = format!(
            "consent_format = \"{name}\"\n\
             necessary = [\"sessionid\"]\n\
             [categories]\n\
             preferences = [\"lang_pref\"]\n\
             statistics = [\"_pk_id*\"]\n\
             marketing = [\"_fbp\"]\n\
             [aliases]\n{}\n",
            aliases_toml.join("\n")
        );
        let from_toml: Policy = toml::from_str(&toml).unwrap_or_else(|e| panic!("{toml}: {e}"));

        for policy in [&from_json, &from_toml] {
            assert_eq!(policy.consent_format().name(), name);
            assert_eq!(
                policy.consent_cookie(),
                policy.consent_format().default_cookie()
            );
            assert_grants(policy, &cookie, &["statistics"], true);
        }
    }
}

#[test]
fn format_options_from_a_file() {
    let policy: Policy = toml::from_str(
        r#"
        consent_format = "cookiebot"
        consent_cookie = "CookieConsentSite"
        revision = 2
        cookiebot_unregulated_grants_all = true
        exempt_categories = ["audience"]

        [categories]
        audience = ["_pk_id*"]
        marketing = ["_fbp"]
        "#,
    )
    .unwrap();
    assert_eq!(policy.consent_cookie(), "CookieConsentSite");
    assert_eq!(policy.revision(), Some(2));
    assert_eq!(
        read(&policy, &["CookieConsentSite=-1"]),
        (vec!["audience".to_owned(), "marketing".to_owned()], true)
    );
    assert_eq!(read(&policy, &[]), (vec!["audience".to_owned()], false));

    for (bad, needle) in [
        (r#"{"consent_format": "one_trust"}"#, "one_trust"),
        (
            r#"{"consent_format": "onetrust", "revision": 1}"#,
            "revision",
        ),
        (r#"{"aliases": {"C0002": "stats"}}"#, "stats"),
        (r#"{"exempt_categories": ["audience"]}"#, "audience"),
        (r#"{"revision": -1, "consent_format": "cookiebot"}"#, "-1"),
        (r#"{"alias": {"C0002": "statistics"}}"#, "alias"),
    ] {
        let err = serde_json::from_str::<Policy>(bad).unwrap_err();
        assert!(err.to_string().contains(needle), "{bad}: {err}");
    }
}

// ---------------------------------------------------------------------------
// Rule 1: the response sets the consent cookie

/// The lines of [`LINES`] plus `consent_lines` that survive a request with
/// `request` cookies.
fn kept_with(policy: &Policy, request: &[&str], consent_lines: &[&str]) -> Vec<String> {
    let mut response = HeaderMap::new();
    for line in LINES.iter().chain(consent_lines) {
        response.append(header::SET_COOKIE, HeaderValue::from_str(line).unwrap());
    }
    policy.filter_response(
        &Uri::from_static("https://example.com/consent"),
        &cookies(request),
        &mut response,
    );
    response
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .filter(|line| LINES.contains(&line.as_str()))
        .collect()
}

#[test]
fn the_response_s_consent_cookie_decides_in_every_format() {
    // For each format: the policy, a value granting everything, a value
    // granting nothing.
    let cases: Vec<(Policy, String, String)> = vec![
        (
            policy(ConsentFormat::Auto, |b| b),
            "cookies_preferences=all".into(),
            "cookies_preferences=%5B%5D".into(),
        ),
        (
            policy(ConsentFormat::Cookiebot, |b| b),
            format!("CookieConsent={}", cookiebot::IMPLIED_VN),
            format!("CookieConsent={}", cookiebot::DECLINED_RU),
        ),
        (
            onetrust_policy(),
            format!("OptanonConsent={}", onetrust::ACCEPT_TW),
            format!("OptanonConsent={}", onetrust::REJECT_FR),
        ),
        (
            orestbida_policy(|b| b),
            format!(
                "cc_cookie={}",
                encode_uri_component(
                    r#"{"categories":["necessary","analytics","functionality","marketing"]}"#
                )
            ),
            format!("cc_cookie={}", orestbida::V3_NECESSARY),
        ),
        (
            klaro_policy(),
            format!("klaro={}", klaro::ALL),
            format!("klaro={}", klaro::CMS),
        ),
        (
            policy(ConsentFormat::DjangoCookieConsent, |b| b),
            format!("cookie_consent={}", django::ACCEPTED),
            format!("cookie_consent={}", django::DECLINED),
        ),
        (
            govuk_policy(),
            r#"cookies_policy={"essential":true,"settings":true,"usage":true,"campaigns":true}"#
                .into(),
            r#"cookies_policy={"essential":true,"settings":false,"usage":false,"campaigns":false}"#
                .into(),
        ),
        (
            cookieyes_policy(),
            format!("cookieyes-consent={}", cookieyes::ACCEPT),
            format!("cookieyes-consent={}", cookieyes::REJECT),
        ),
        (
            policy(ConsentFormat::Complianz, |b| b),
            "cmplz_preferences=allow".into(),
            "cmplz_preferences=deny".into(),
        ),
        (
            tcf_policy(),
            format!("euconsent-v2={}", tcf::PURPOSES_1_TO_10),
            format!("euconsent-v2={}", tcf::REFUSED),
        ),
    ];
    assert_eq!(cases.len(), ConsentFormat::ALL.len());
    for (policy, grant_all, grant_none) in &cases {
        let format = policy.consent_format();
        let set = |value: &str| format!("{value}; Path=/; Max-Age=31536000; SameSite=Lax");
        // A first visit that accepts: the trackers of this very response pass.
        let accepted = kept_with(policy, &[], &[&set(grant_all)]);
        if format == ConsentFormat::Complianz {
            // Complianz: only the category the response sets changes.
            assert_eq!(accepted, lines_for(&["preferences"]), "{format}");
        } else {
            assert_eq!(accepted, lines_for(&ALL), "{format}");
        }
        // A visitor who had accepted withdraws: they are stripped.
        let withdrawn = kept_with(policy, &[grant_all], &[&set(grant_none)]);
        assert_eq!(withdrawn, lines_for(&[]), "{format}");
        // A deletion of the consent cookie leaves only necessary cookies.
        let name = grant_none.split('=').next().unwrap();
        let deletion = format!("{name}=; Max-Age=0; Path=/");
        assert_eq!(
            kept_with(policy, &[grant_all], &[&deletion]),
            lines_for(&[]),
            "{format}"
        );
        // A value a browser would refuse changes nothing.
        let refused = format!("{}; Domain=elsewhere.org", set(grant_none));
        let expected = if format == ConsentFormat::Complianz {
            lines_for(&["preferences"])
        } else {
            lines_for(&ALL)
        };
        assert_eq!(
            kept_with(policy, &[grant_all], &[&refused]),
            expected,
            "{format}"
        );
    }
}

#[test]
fn complianz_response_keeps_the_categories_it_does_not_mention() {
    let policy = policy(ConsentFormat::Complianz, |b| b);
    let request = ["cmplz_statistics=allow; cmplz_marketing=allow; cmplz_preferences=deny"];
    // Marketing withdrawn, preferences granted; statistics untouched.
    let kept = kept_with(
        &policy,
        &request,
        &[
            "cmplz_marketing=deny; Path=/",
            "cmplz_preferences=allow; Path=/",
        ],
    );
    assert_eq!(kept, lines_for(&["preferences", "statistics"]));
    // Only the banner's state: nothing changes.
    let kept = kept_with(
        &policy,
        &request,
        &["cmplz_banner-status=dismissed; Path=/"],
    );
    assert_eq!(kept, lines_for(&["statistics", "marketing"]));
    // A deleted category cookie is no longer granted.
    let kept = kept_with(&policy, &request, &["cmplz_statistics=; Max-Age=0; Path=/"]);
    assert_eq!(kept, lines_for(&["marketing"]));
    // A malformed value grants nothing.
    let kept = kept_with(&policy, &request, &["cmplz_marketing=maybe; Path=/"]);
    assert_eq!(kept, lines_for(&[]));
}

#[test]
fn complianz_response_and_the_revision() {
    let policy = policy(ConsentFormat::Complianz, |b| b.revision(5));
    let request = ["cmplz_policy_id=5; cmplz_statistics=allow; cmplz_marketing=allow"];
    // A grant counts with a current policy id.
    let kept = kept_with(
        &policy,
        &request,
        &[
            "cmplz_policy_id=5; Path=/",
            "cmplz_preferences=allow; Path=/",
        ],
    );
    assert_eq!(kept, lines_for(&ALL));
    // Without one it does not (fail closed), a refusal always does.
    let kept = kept_with(
        &policy,
        &request,
        &[
            "cmplz_preferences=allow; Path=/",
            "cmplz_marketing=deny; Path=/",
        ],
    );
    assert_eq!(kept, lines_for(&["statistics"]));
    // A stale policy id, set or deleted, leaves nothing.
    let kept = kept_with(&policy, &request, &["cmplz_policy_id=4; Path=/"]);
    assert_eq!(kept, lines_for(&[]));
    let kept = kept_with(&policy, &request, &["cmplz_policy_id=; Max-Age=0; Path=/"]);
    assert_eq!(kept, lines_for(&[]));
}

#[test]
fn govuk_response_marker_keeps_the_request_s_answer() {
    let policy = govuk_policy();
    let request = [r#"cookies_policy={"essential":true,"usage":true,"campaigns":false}"#];
    let kept = kept_with(&policy, &request, &["cookies_preferences_set=true; Path=/"]);
    assert_eq!(kept, lines_for(&["statistics"]));
    // One Login's record in the response decides.
    let kept = kept_with(
        &policy,
        &[],
        &["cookies_preferences_set=%7B%22analytics%22%3Atrue%7D; Path=/"],
    );
    assert_eq!(kept, lines_for(&["statistics"]));
    // Deleting `cookies_policy` withdraws.
    let kept = kept_with(
        &policy,
        &request,
        &[
            "cookies_policy=; Max-Age=0; Path=/",
            "cookies_preferences_set=true; Path=/",
        ],
    );
    assert_eq!(kept, lines_for(&[]));
}

#[test]
fn the_layer_and_the_enforcer_read_every_format_alike() {
    for (name, aliases, cookie) in config_cases() {
        let format = ConsentFormat::ALL
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .unwrap();
        let policy = policy_with(format, &aliases);
        let headers = cookies(&[&cookie]);
        let enforcer = policy.enforcer(&Uri::from_static("/"), &headers);
        let direct = Consent::from_headers(&policy, &headers);
        assert_eq!(
            enforcer.consent().categories().collect::<Vec<_>>(),
            direct.categories().collect::<Vec<_>>(),
            "{name}"
        );
        assert_eq!(enforcer.consent().is_set(), direct.is_set(), "{name}");
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let through_layer = rt.block_on(layer_kept(&policy, &cookie));
        assert_eq!(through_layer, lines_for(&["statistics"]), "{name}");
    }
}

/// The lines of [`LINES`] the layer keeps for a request with `cookie`.
async fn layer_kept(policy: &Policy, cookie: &str) -> Vec<String> {
    use tower::{service_fn, Layer, ServiceExt};
    let app = service_fn(|_req: http::Request<()>| async {
        let mut res = http::Response::new(());
        for line in LINES {
            res.headers_mut()
                .append(header::SET_COOKIE, HeaderValue::from_static(line));
        }
        Ok::<_, std::convert::Infallible>(res)
    });
    let svc = tower_cookie_consent::CookieConsentLayer::new(policy.clone()).layer(app);
    let req = http::Request::builder()
        .header(header::COOKIE, cookie)
        .body(())
        .unwrap();
    let res = svc.oneshot(req).await.unwrap();
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// Every TOML snippet of the README's format section builds a policy.
#[test]
fn the_readme_snippets_are_valid() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("\n## Consent-banner formats\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a formats section");
    let mut formats = Vec::new();
    for block in section.split("```toml\n").skip(1) {
        let snippet = &block[..block.find("```").expect("a closed block")];
        let file = format!(
            "{snippet}\n[categories]\npreferences = [\"lang_pref\"]\nstatistics = [\"_pk_id*\"]\nmarketing = [\"_fbp\"]\n"
        );
        let policy: Policy = toml::from_str(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
        formats.push(policy.consent_format());
    }
    assert_eq!(formats, ConsentFormat::ALL);
}
