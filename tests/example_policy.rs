//! `examples/policy.toml` is the policy the demos load: it must parse, keep
//! its category order, classify the cookies the demos set, and give the
//! declaration table something to show in every cell. Switched to any
//! consent format, the demo's banner must write a cookie that the layer
//! reads back as the visitor's choice.

#[path = "../examples/axum/app/consent_writers.rs"]
mod consent_writers;

use http::{header, HeaderMap, HeaderValue};
use tower_cookie_consent::{Consent, ConsentFormat, Policy};

use consent_writers::{apply_format, consent_lines, BANNERS};

const POLICY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml");

fn policy_text() -> String {
    std::fs::read_to_string(POLICY_FILE).expect("examples/policy.toml")
}

fn example_policy() -> Policy {
    toml::from_str(&policy_text()).expect("a valid policy")
}

/// The policy as the demo runs it with `CONSENT_FORMAT=<format>`.
fn policy_in(format: ConsentFormat) -> Policy {
    let mut file: toml::Table = toml::from_str(&policy_text()).expect("TOML");
    apply_format(&mut file, format).expect("the demo writes every format");
    toml::Value::Table(file)
        .try_into()
        .unwrap_or_else(|err| panic!("{format}: {err}"))
}

/// The choices the banner offers: accept all, one category, the other, none.
const CHOICES: [&[&str]; 4] = [
    &["statistics", "marketing"],
    &["statistics"],
    &["marketing"],
    &[],
];

/// What the layer reads from a request that carries the cookies `lines`
/// set, as a browser would send them back.
fn consent_after(policy: &Policy, lines: &[String]) -> Consent {
    Consent::from_headers(policy, &cookie_headers(lines))
}

/// A request's headers carrying the cookies `lines` set.
fn cookie_headers(lines: &[String]) -> HeaderMap {
    let pairs: Vec<&str> = lines
        .iter()
        .map(|line| line.split(';').next().unwrap_or_default())
        .collect();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&pairs.join("; ")).expect("a valid Cookie header"),
    );
    headers
}

#[test]
fn example_policy_file_loads_in_order() {
    let policy = example_policy();
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["statistics", "marketing"]
    );
}

#[test]
fn example_policy_classifies_the_cookies_the_demos_set() {
    let policy = example_policy();
    for (name, category) in [
        ("sessionid", Some("necessary")),
        ("csrftoken", Some("necessary")),
        ("django_language", Some("necessary")),
        ("cookies_preferences", Some("necessary")),
        // Matomo's host-only and whole-domain trackers.
        ("_pk_id.1.1fff", Some("statistics")),
        ("_pk_ses.1.1fff", Some("statistics")),
        ("_pk_id.2.5e3a", Some("statistics")),
        ("_pk_ses.2.5e3a", Some("statistics")),
        ("mtm_consent", Some("statistics")),
        ("_hjid", Some("marketing")),
        ("_hjSessionUser_123", Some("marketing")),
        ("hubspotutk", Some("marketing")),
        ("__hstc", Some("marketing")),
        ("__hssc", Some("marketing")),
        ("__hssrc", Some("marketing")),
        // The Meta pixel cookie the demo's Offers page sets is deliberately
        // left out of the policy: the layer strips it whatever the visitor
        // chose.
        ("_fbp", None),
        ("unknown", None),
    ] {
        assert_eq!(policy.category_of(name), category, "{name}");
    }
}

/// Matomo sets `mtm_consent_removed` when a visitor refuses tracking. Filed
/// under `statistics`, the layer would strip it from exactly the visitors
/// who refused statistics, and Matomo would forget their refusal.
#[test]
fn matomo_refusal_cookie_is_not_a_statistics_cookie() {
    let policy = example_policy();
    assert_eq!(policy.category_of("mtm_consent_removed"), Some("necessary"));
}

/// The demo's declaration table shows provider, function, purpose and
/// lifetime for every row, necessary cookies included.
#[test]
fn every_declared_cookie_has_a_provider_function_purpose_and_lifetime() {
    let policy = example_policy();
    let groups = std::iter::once(("necessary", policy.necessary()))
        .chain(policy.categories().map(|c| (c.name(), c.cookies())));
    for (category, entries) in groups {
        assert!(!entries.is_empty(), "{category}");
        for entry in entries {
            let name = entry.name();
            for (field, value) in [
                ("provider", entry.provider()),
                ("function", entry.function()),
                ("purpose", entry.purpose()),
                ("lifetime", entry.lifetime()),
            ] {
                assert!(
                    value.is_some_and(|v| !v.trim().is_empty()),
                    "{category} cookie {name} has no {field}"
                );
            }
        }
    }
}

/// The demo's banner can write every format the library reads.
#[test]
fn the_demo_banner_covers_every_format() {
    let formats: Vec<ConsentFormat> = BANNERS.iter().map(|b| b.format).collect();
    assert_eq!(formats, ConsentFormat::ALL);
}

/// For every format, the cookie the banner writes for accept all, a single
/// category, and reject all is read back by the layer as exactly that
/// choice: a recorded choice (`is_set`), granting what was accepted.
#[test]
fn the_layer_reads_back_what_the_demo_banner_writes_in_every_format() {
    for &format in ConsentFormat::ALL {
        let policy = policy_in(format);
        assert_eq!(policy.consent_format(), format);
        for granted in CHOICES {
            let lines = consent_lines(&policy, granted);
            assert!(!lines.is_empty(), "{format}: nothing written");
            for line in &lines {
                let (pair, attributes) = line.split_once(';').expect("attributes");
                let (name, value) = pair.split_once('=').expect("name=value");
                assert_eq!(
                    policy.category_of(name),
                    Some("necessary"),
                    "{format}: {name} is the banner's cookie, which always passes"
                );
                // A browser keeps the whole value: no `;`, space or control
                // character, nothing beyond ASCII.
                assert!(
                    value.bytes().all(|b| b.is_ascii_graphic() && b != b';'),
                    "{format}: {value:?}"
                );
                assert_eq!(
                    attributes.trim(),
                    "Path=/; Max-Age=31536000; SameSite=Lax",
                    "{format}"
                );
            }
            let consent = consent_after(&policy, &lines);
            assert!(consent.is_set(), "{format} {granted:?}: {lines:?}");
            assert_eq!(
                consent.categories().collect::<Vec<_>>(),
                granted,
                "{format}: {lines:?}"
            );
        }
    }
}

/// The values keep the shape each banner writes, the details a reader
/// relies on: Cookiebot's encoded `'` and `,`, OneTrust's form-encoded
/// groups, the URI-encoded JSON of cookieconsent and Klaro, Django's
/// quotes, GOV.UK's raw JSON, CookieYes's pairs, one Complianz cookie per
/// category, and TCF's three base64url segments starting with version 2.
#[test]
fn the_demo_banner_writes_each_formats_own_shape() {
    let value_of = |format: ConsentFormat, granted: &[&str]| -> Vec<(String, String)> {
        consent_lines(&policy_in(format), granted)
            .iter()
            .map(|line| {
                let pair = line.split(';').next().unwrap_or_default();
                let (name, value) = pair.split_once('=').unwrap_or_default();
                (name.to_owned(), value.to_owned())
            })
            .collect()
    };
    let one = |format, granted: &[&str]| {
        let mut cookies = value_of(format, granted);
        assert_eq!(cookies.len(), 1, "{format}: {cookies:?}");
        cookies.remove(0)
    };

    assert_eq!(
        one(ConsentFormat::Auto, &["statistics"]),
        ("cookies_preferences".into(), "statistics".into())
    );
    assert_eq!(one(ConsentFormat::Auto, &[]).1, "[]");

    let (name, value) = one(ConsentFormat::Cookiebot, &["statistics"]);
    assert_eq!(name, "CookieConsent");
    assert!(value.starts_with("{stamp:%27"), "{value}");
    assert!(value.ends_with("%2Cregion:%27gb%27}"), "{value}");
    assert!(
        value.contains(
            "%27%2Cnecessary:true%2Cpreferences:false%2Cstatistics:true%2Cmarketing:false\
             %2Cmethod:%27explicit%27%2Cver:1%2Cutc:"
        ),
        "{value}"
    );
    assert!(!value.contains(['\'', ',']), "{value}");

    let (name, value) = one(ConsentFormat::OneTrust, &["marketing"]);
    assert_eq!(name, "OptanonConsent");
    assert!(value.starts_with("isGpcEnabled=0&datestamp="), "{value}");
    assert!(
        value.contains("+GMT%2B0000+(Coordinated+Universal+Time)&"),
        "{value}"
    );
    assert!(
        value.contains("&groups=C0001%3A1%2CC0002%3A0%2CC0003%3A0%2CC0004%3A1&"),
        "{value}"
    );

    let (name, value) = one(ConsentFormat::Orestbida, &["statistics"]);
    assert_eq!(name, "cc_cookie");
    assert!(
        value.starts_with(
            "%7B%22categories%22%3A%5B%22necessary%22%2C%22analytics%22%5D%2C%22revision%22%3A0%2C"
        ),
        "{value}"
    );

    let (name, value) = one(ConsentFormat::Klaro, &["marketing"]);
    assert_eq!(name, "klaro");
    assert_eq!(
        value,
        "%7B%22matomo%22%3Afalse%2C%22hotjar%22%3Atrue%2C%22hubspot%22%3Atrue%7D"
    );

    let (name, value) = one(ConsentFormat::DjangoCookieConsent, &["statistics"]);
    assert_eq!(name, "cookie_consent");
    assert_eq!(
        value,
        "\"analytics=2025-11-20T09:14:03.512804+00:00|marketing=-1\""
    );

    assert_eq!(
        value_of(ConsentFormat::GovUk, &["statistics"]),
        [
            (
                "cookies_policy".to_owned(),
                r#"{"essential":true,"settings":false,"usage":true,"campaigns":false}"#.to_owned()
            ),
            ("cookies_preferences_set".to_owned(), "true".to_owned()),
        ]
    );

    let (name, value) = one(ConsentFormat::CookieYes, &["statistics"]);
    assert_eq!(name, "cookieyes-consent");
    let (id, rest) = value.split_once(',').expect("pairs");
    assert!(
        id.starts_with("consentid:") && id.len() == "consentid:".len() + 43,
        "{id}"
    );
    assert_eq!(
        rest,
        "consent:yes,action:yes,necessary:yes,functional:no,analytics:yes,performance:yes,\
         advertisement:no,other:no"
    );
    assert!(one(ConsentFormat::CookieYes, &[])
        .1
        .contains(",consent:no,"));

    assert_eq!(
        value_of(ConsentFormat::Complianz, &["marketing"]),
        [
            ("cmplz_functional", "allow"),
            ("cmplz_preferences", "deny"),
            ("cmplz_statistics", "deny"),
            ("cmplz_marketing", "allow"),
            ("cmplz_banner-status", "dismissed"),
            ("cmplz_policy_id", "1"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );

    let (name, value) = one(ConsentFormat::Tcf, &["statistics"]);
    assert_eq!(name, "euconsent-v2");
    let segments: Vec<&str> = value.split('.').collect();
    assert_eq!(segments.len(), 3, "{value}");
    assert!(value.starts_with('C'), "version 2: {value}");
    assert_eq!(segments[2], "YAAAAAAAAAAA", "the empty publisher segment");
    for segment in segments {
        assert_eq!(segment.len() % 4, 0, "padded to whole bytes: {segment}");
        assert!(segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
}

/// The TC string's PurposesConsent field (bits 152 to 175 of the core
/// segment) holds the purposes the banner maps the choice to: 1 (storage on
/// the device) with any consent, 8 for statistics, 3 and 4 for marketing.
#[test]
fn the_tc_string_sets_the_purpose_bits() {
    let policy = policy_in(ConsentFormat::Tcf);
    for (granted, purposes) in [
        (CHOICES[0], vec![1, 3, 4, 8]),
        (CHOICES[1], vec![1, 8]),
        (CHOICES[2], vec![1, 3, 4]),
        (CHOICES[3], vec![]),
    ] {
        let line = consent_lines(&policy, granted).remove(0);
        let value = line["euconsent-v2=".len()..].split(';').next().unwrap();
        let core = value.split('.').next().unwrap();
        let bits: Vec<bool> = core
            .bytes()
            .flat_map(|c| {
                let sextet = match c {
                    b'A'..=b'Z' => c - b'A',
                    b'a'..=b'z' => c - b'a' + 26,
                    b'0'..=b'9' => c - b'0' + 52,
                    b'-' => 62,
                    _ => 63,
                };
                (0..6).rev().map(move |i| sextet >> i & 1 == 1)
            })
            .collect();
        let number = |from: usize, width: usize| {
            bits[from..from + width]
                .iter()
                .fold(0u64, |n, &bit| n << 1 | u64::from(bit))
        };
        assert_eq!(number(0, 6), 2, "version");
        assert_eq!(number(132, 6), 5, "TcfPolicyVersion");
        assert_eq!(number(138, 1), 1, "IsServiceSpecific");
        let on: Vec<usize> = (1..=24).filter(|p| bits[151 + p]).collect();
        assert_eq!(on, purposes, "{granted:?}");
    }
}

/// Switched to another format, the policy declares the banner's cookie in
/// place of `cookies_preferences`, with the same description, so the
/// declaration table lists the cookie the browser really holds.
#[test]
fn a_switched_policy_declares_the_banners_cookie() {
    for &format in ConsentFormat::ALL {
        let policy = policy_in(format);
        let cookie = policy.consent_cookie();
        let mut expected = vec![cookie];
        if format == ConsentFormat::GovUk {
            expected.push("cookies_preferences_set");
        }
        for name in expected {
            let entry = policy
                .necessary()
                .iter()
                .find(|e| e.name() == name)
                .unwrap_or_else(|| panic!("{format}: {name} is not declared"));
            assert!(entry.provider().is_some() && entry.lifetime().is_some());
            assert!(
                policy.to_html().contains(&format!("<code>{name}</code>")),
                "{format}: {name}"
            );
        }
        if format != ConsentFormat::Auto {
            assert!(
                policy
                    .necessary()
                    .iter()
                    .all(|e| e.name() != "cookies_preferences"),
                "{format}"
            );
        }
    }
}

/// The comments of `examples/policy.toml` show, for every format, the
/// snippet that `CONSENT_FORMAT` applies: uncommented in place of the file's
/// `consent_format` line, with the consent cookie's entry renamed, the file
/// reads each of the banner's values as the switched policy does.
#[test]
fn the_policy_file_shows_the_snippet_of_every_format() {
    let text = policy_text();
    let default = "\nconsent_format = \"auto\"\n";
    assert!(text.contains(default), "the file's own format line");
    for banner in BANNERS {
        let format = banner.format;
        if format == ConsentFormat::Auto {
            continue;
        }
        let start = format!("# consent_format = \"{}\"", format.name());
        let lines: Vec<&str> = text
            .lines()
            .skip_while(|line| !line.starts_with(&start))
            .take_while(|line| line.starts_with("# "))
            .collect();
        assert!(!lines.is_empty(), "no snippet for {format}");
        assert!(
            lines[0].contains(banner.name),
            "{format}: the snippet names {}",
            banner.name
        );
        let snippet: String = lines.iter().map(|l| format!("{}\n", &l[2..])).collect();
        let parsed: toml::Table = toml::from_str(&snippet).expect("the snippet is TOML");
        let aliases: Vec<(String, String)> = parsed
            .get("aliases")
            .and_then(toml::Value::as_table)
            .map(|t| {
                t.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let expected: Vec<(String, String)> = banner
            .aliases
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(aliases, expected, "{format}");

        let by_hand = text.replacen(default, &format!("\n{snippet}"), 1).replacen(
            "name = \"cookies_preferences\"",
            &format!("name = \"{}\"", format.default_cookie()),
            1,
        );
        let by_hand: Policy =
            toml::from_str(&by_hand).unwrap_or_else(|err| panic!("{format}: {err}"));
        let switched = policy_in(format);
        assert_eq!(by_hand.consent_cookie(), switched.consent_cookie());
        for granted in CHOICES {
            let lines = consent_lines(&switched, granted);
            assert_eq!(
                consent_after(&by_hand, &lines)
                    .categories()
                    .collect::<Vec<_>>(),
                granted,
                "{format}"
            );
        }
    }
}

/// `gpc = ["marketing"]`: under every consent format, a browser that sends
/// `Sec-GPC: 1` and accepted everything keeps statistics and loses
/// marketing; without the signal it keeps both.
#[test]
fn global_privacy_control_withdraws_marketing_only() {
    let policy = example_policy();
    assert_eq!(policy.gpc_categories().collect::<Vec<_>>(), ["marketing"]);
    assert!(!policy.gpc_explicit_choice_wins());
    for &format in ConsentFormat::ALL {
        let policy = policy_in(format);
        let lines = consent_lines(&policy, &["statistics", "marketing"]);
        let without = consent_after(&policy, &lines);
        assert!(!without.gpc(), "{format}");
        assert_eq!(
            without.categories().collect::<Vec<_>>(),
            ["statistics", "marketing"],
            "{format}"
        );

        let mut headers = cookie_headers(&lines);
        headers.insert("sec-gpc", HeaderValue::from_static("1"));
        let with = Consent::from_headers(&policy, &headers);
        assert!(with.gpc(), "{format}");
        assert_eq!(
            with.categories().collect::<Vec<_>>(),
            ["statistics"],
            "{format}"
        );
    }
}
