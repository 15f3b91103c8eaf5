//! Known cookies: names the policy does not declare, classified through the
//! embedded Open Cookie Database (`PolicyBuilder::known_cookies`), then kept
//! or stripped by the visitor's consent like declared ones. Declared names
//! always win.

mod common;

use common::kept;
use tower_cookie_consent::known::{KnownCategory, KnownCookie};
use tower_cookie_consent::{ConsentFormat, Policy, PolicyBuilder, PolicyError, UnknownCookies};

/// The mapping of the README: Analytics, Marketing and Functional rows go to
/// the seed policy's categories plus `preferences`.
const MAPPING: [(&str, &str); 3] = [
    ("Analytics", "statistics"),
    ("Marketing", "marketing"),
    ("Functional", "preferences"),
];

/// The seed policy of the other tests, with a `preferences` category.
fn seed_builder() -> PolicyBuilder {
    Policy::builder()
        .necessary(["sessionid", "csrftoken", "django_language"])
        .category("statistics", ["_pk_id*", "_pk_ses*"])
        .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
        .category("preferences", ["theme"])
}

/// [`seed_builder`] with [`MAPPING`].
fn known_policy() -> Policy {
    seed_builder()
        .known_cookies(MAPPING)
        .build()
        .expect("valid policy")
}

/// `builder` with a `statistics` category (Matomo's cookies) to which the
/// database's Analytics rows are mapped.
fn analytics_as_statistics(builder: PolicyBuilder) -> Policy {
    builder
        .category("statistics", ["_pk_id*"])
        .known_cookies([("Analytics", "statistics")])
        .build()
        .expect("valid policy")
}

fn consent(value: &str) -> String {
    format!("cookies_preferences={value}")
}

const GA: &str = "_ga=GA1.1.1234567890.1714000000; Max-Age=63072000; Path=/";
const GA4: &str = "_ga_ABC123XYZ=GS1.1.1714000000.1.0.1714000000.0; Max-Age=63072000; Path=/";
const FBP: &str = "_fbp=fb.1.1714000000000.1234567890; Max-Age=7776000; Path=/";
const SESSION: &str = "sessionid=k3j4h5; HttpOnly; Path=/";

#[tokio::test]
async fn an_undeclared_ga_is_classified_through_the_database_then_kept_or_stripped_by_consent() {
    let policy = known_policy();
    assert_eq!(policy.category_of("_ga"), Some("statistics"));
    assert_eq!(policy.category_of("_ga_ABC123XYZ"), Some("statistics"));
    assert_eq!(policy.category_of("_fbp"), Some("marketing"));
    let lines = [SESSION, GA, GA4, FBP];

    let statistics = kept(&policy, &[&consent("statistics")], &lines).await;
    assert_eq!(statistics, [SESSION, GA, GA4]);
    let marketing = kept(&policy, &[&consent("marketing")], &lines).await;
    assert_eq!(marketing, [SESSION, FBP]);
    let everything = kept(&policy, &[&consent("all")], &lines).await;
    assert_eq!(everything, lines);
    let first_visit = kept(&policy, &[], &lines).await;
    assert_eq!(first_visit, [SESSION]);

    // Without the mapping the same names are unknown: stripped whatever the
    // consent, under the default `UnknownCookies::Strip`.
    let unmapped = seed_builder().build().unwrap();
    assert_eq!(unmapped.category_of("_ga"), None);
    assert_eq!(kept(&unmapped, &[&consent("all")], &lines).await, [SESSION]);
}

#[tokio::test]
async fn a_known_cookie_has_the_entry_of_its_database_row() {
    let policy = known_policy();
    let entry = policy.entry_of("_ga").unwrap();
    let row = KnownCookie::lookup("_ga").unwrap();
    assert_eq!(entry.name(), "_ga");
    assert!(!entry.is_prefix());
    assert_eq!(entry.provider(), Some("Google Analytics"));
    assert_eq!(entry.purpose(), Some(row.description()));
    assert_eq!(entry.lifetime(), Some("2 years"));
    assert_eq!(entry.known(), Some(row));
    assert!(!policy.is_declared("_ga"));

    // Matomo's visitor id: the longest prefix row, as the database says.
    let pk = KnownCookie::lookup("_pk_id.1.abcd").unwrap();
    let unmatomo = Policy::builder()
        .category("statistics", ["_ga"])
        .known_cookies([("Analytics", "statistics")])
        .build()
        .unwrap();
    let entry = unmatomo.entry_of("_pk_id.1.abcd").unwrap();
    assert_eq!(entry.name(), "_pk_id.*");
    assert!(entry.is_prefix());
    assert_eq!(entry.pattern(), "_pk_id.");
    assert_eq!(entry.provider(), Some(pk.platform()));
    assert_eq!(entry.known(), Some(pk));
    assert_eq!(unmatomo.category_of("_pk_id.1.abcd"), Some("statistics"));
    assert_eq!(unmatomo.entry_of("_pk_id").unwrap().name(), "_pk_id*");
    assert_eq!(
        kept(
            &unmatomo,
            &[&consent("statistics")],
            &["_pk_id.1.abcd=3c2b1a0f; Max-Age=33696000; Path=/"]
        )
        .await
        .len(),
        1
    );
    assert!(kept(&unmatomo, &[], &["_pk_id.1.abcd=3c2b1a0f; Path=/"])
        .await
        .is_empty());
}

#[test]
fn the_declaration_lists_only_declared_cookies() {
    let plain = seed_builder().build().unwrap();
    let known = known_policy();
    for category in plain.categories() {
        assert_eq!(
            known.category_cookies(category),
            plain.category_cookies(category)
        );
    }
    assert_eq!(known.necessary(), plain.necessary());
    assert_eq!(
        known.categories().collect::<Vec<_>>().len(),
        plain.categories().len()
    );
    assert_eq!(known.to_markdown(), plain.to_markdown());
    assert_eq!(known.to_html(), plain.to_html());
    for category in known.categories() {
        assert!(category
            .cookies()
            .iter()
            .all(|entry| entry.known().is_none()));
    }
}

#[test]
fn is_declared_tells_the_policys_names_from_the_databases() {
    let policy = known_policy();
    for declared in [
        "sessionid",
        "_pk_id.1.abcd",
        "_hjid",
        "__hstc",
        "theme",
        "cookies_preferences",
    ] {
        assert!(policy.is_declared(declared), "{declared}");
        assert!(policy.entry_of(declared).unwrap().known().is_none());
    }
    for known in ["_ga", "_fbp", "_gid", "PHPSESSID"] {
        assert!(!policy.is_declared(known), "{known}");
    }
    assert!(!policy.is_declared("my_cart"));
    assert_eq!(policy.category_of("PHPSESSID"), Some("preferences"));
}

#[tokio::test]
async fn a_declared_necessary_name_wins_over_a_generic_database_name() {
    // The database lists `sessionid` as an Instagram marketing cookie.
    assert_eq!(
        KnownCookie::lookup("sessionid").unwrap().category(),
        KnownCategory::Marketing
    );
    let policy = known_policy();
    assert_eq!(policy.category_of("sessionid"), Some("necessary"));
    assert!(policy.entry_of("sessionid").unwrap().known().is_none());
    assert_eq!(kept(&policy, &[], &[SESSION]).await, [SESSION]);

    // Undeclared, it is what the database says: a caveat the README states.
    let undeclared = Policy::builder()
        .category("marketing", ["_hjid"])
        .known_cookies([("Marketing", "marketing")])
        .build()
        .unwrap();
    assert_eq!(undeclared.category_of("sessionid"), Some("marketing"));
    assert!(kept(&undeclared, &[], &[SESSION]).await.is_empty());
}

#[test]
fn a_declared_exact_name_wins_over_the_database() {
    // `_hjid` is Analytics in the database, marketing in the seed policy.
    let policy = known_policy();
    assert_eq!(
        KnownCookie::lookup("_hjid").unwrap().category(),
        KnownCategory::Analytics
    );
    assert_eq!(policy.category_of("_hjid"), Some("marketing"));

    // A declared exact name equal to a known prefix: the exact name is the
    // policy's, the longer names the database's.
    let policy = analytics_as_statistics(Policy::builder().necessary(["_gat"]));
    assert!(KnownCookie::lookup("_gat").unwrap().is_prefix());
    assert_eq!(policy.category_of("_gat"), Some("necessary"));
    assert_eq!(policy.category_of("_gat_UA-1234"), Some("statistics"));

    // A declared exact name under a known prefix.
    let policy = analytics_as_statistics(Policy::builder().necessary(["_ga_consent_check"]));
    assert_eq!(policy.category_of("_ga_consent_check"), Some("necessary"));
    assert_eq!(policy.category_of("_ga_consent_checks"), Some("statistics"));
    assert_eq!(policy.category_of("_ga_ABC123"), Some("statistics"));
}

#[tokio::test]
async fn a_declared_prefix_wins_over_known_exact_names_and_longer_known_prefixes() {
    // `_ga` (exact), `_ga_` (prefix) and `_gat` (prefix) are Analytics rows.
    let policy = Policy::builder()
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_ga*"])
        .known_cookies([("Analytics", "statistics"), ("Marketing", "marketing")])
        .build()
        .unwrap();
    for name in ["_ga", "_ga_ABC123", "_gat_UA-1", "_gax", "_ga_"] {
        assert_eq!(policy.category_of(name), Some("marketing"), "{name}");
        assert!(policy.is_declared(name), "{name}");
        assert_eq!(policy.entry_of(name).unwrap().name(), "_ga*");
    }
    // Names the declared prefix does not cover stay the database's.
    assert_eq!(policy.category_of("_gid"), Some("statistics"));
    let lines = [GA, GA4, "_gid=GA1.1.9; Max-Age=86400; Path=/"];
    assert_eq!(
        kept(&policy, &[&consent("statistics")], &lines).await,
        [lines[2]]
    );
    assert_eq!(
        kept(&policy, &[&consent("marketing")], &lines).await,
        [GA, GA4]
    );

    // A declared prefix that is a known exact name (`_gid`).
    let policy = analytics_as_statistics(Policy::builder().necessary(["_gid*"]));
    assert_eq!(policy.category_of("_gid"), Some("necessary"));
    assert_eq!(policy.category_of("_gidx"), Some("necessary"));

    // A known prefix longer than a declared prefix: Matomo's `_pk_id` and
    // `_pk_id.` rows under a declared `_pk*`.
    let policy = Policy::builder()
        .category("audience", ["_pk*"])
        .category("statistics", ["_ga"])
        .known_cookies([("Analytics", "statistics")])
        .build()
        .unwrap();
    for name in ["_pk_id.1.abcd", "_pk_id", "_pk_ses.1.abcd", "_pk_ref"] {
        assert_eq!(policy.category_of(name), Some("audience"), "{name}");
        assert!(policy.is_declared(name), "{name}");
    }

    // A declared prefix longer than a known one: the declared prefix takes
    // its names, the known one the rest.
    let policy = analytics_as_statistics(Policy::builder().necessary(["_ga_INTERNAL*"]));
    assert_eq!(policy.category_of("_ga_INTERNAL1"), Some("necessary"));
    assert_eq!(policy.category_of("_ga_ABC123"), Some("statistics"));
}

#[test]
fn the_consent_cookie_stays_the_consent_cookie() {
    // Each banner's cookie is a Functional row of the database.
    for format in [
        ConsentFormat::Cookiebot,
        ConsentFormat::OneTrust,
        ConsentFormat::Tcf,
    ] {
        let policy = Policy::builder()
            .consent_format(format)
            .category("preferences", ["theme"])
            .known_cookies([("Functional", "preferences")])
            .build()
            .unwrap();
        let name = policy.consent_cookie().to_owned();
        assert!(KnownCookie::lookup(&name).is_some(), "{name}");
        assert_eq!(policy.category_of(&name), Some("necessary"), "{name}");
        assert!(policy.is_declared(&name));
    }
}

#[tokio::test]
async fn unmapped_database_categories_stay_unknown() {
    let strip = analytics_as_statistics(Policy::builder().category("marketing", ["_hjid"]));
    assert_eq!(strip.category_of("_fbp"), None);
    assert!(strip.entry_of("_fbp").is_none());
    // Unknown under `Strip`: stripped, even with every category granted.
    assert_eq!(kept(&strip, &[&consent("all")], &[GA, FBP]).await, [GA]);

    let allow = analytics_as_statistics(
        Policy::builder()
            .category("marketing", ["_hjid"])
            .unknown_cookies(UnknownCookies::Allow),
    );
    // Unknown under `Allow`: kept without consent. `_ga` is now known, so
    // it needs statistics, where without the mapping `Allow` let it pass.
    assert_eq!(kept(&allow, &[], &[GA, FBP]).await, [FBP]);
    assert_eq!(
        kept(&allow, &[&consent("statistics")], &[GA, FBP]).await,
        [GA, FBP]
    );
}

#[test]
fn a_longer_row_of_an_unmapped_category_keeps_its_names_from_a_mapped_prefix() {
    // The database's `_s` prefix is Analytics; `_secure_session_id` is a
    // Functional row under it.
    let short = KnownCookie::lookup("_sx").unwrap();
    assert_eq!(
        (short.name(), short.category()),
        ("_s", KnownCategory::Analytics)
    );
    assert_eq!(
        KnownCookie::lookup("_secure_session_id")
            .unwrap()
            .category(),
        KnownCategory::Functional
    );
    let policy = analytics_as_statistics(Policy::builder());
    assert_eq!(policy.category_of("_sx"), Some("statistics"));
    assert_eq!(policy.category_of("_secure_session_id"), None);
}

/// The category the mapping gives to what the database says of `name`.
fn expected(mapping: &[(KnownCategory, &'static str)], name: &str) -> Option<&'static str> {
    let row = KnownCookie::lookup(name)?;
    mapping
        .iter()
        .find(|(category, _)| *category == row.category())
        .map(|(_, policy)| *policy)
}

#[test]
fn every_undeclared_name_gets_what_the_database_says_of_it() {
    let mappings: [&[(KnownCategory, &str)]; 3] = [
        &[
            (KnownCategory::Analytics, "statistics"),
            (KnownCategory::Marketing, "marketing"),
            (KnownCategory::Functional, "preferences"),
            (KnownCategory::Personalization, "preferences"),
        ],
        &[(KnownCategory::Analytics, "statistics")],
        &[
            (KnownCategory::Marketing, "marketing"),
            (KnownCategory::Functional, "preferences"),
        ],
    ];
    for mapping in mappings {
        let policy = Policy::builder()
            .consent_cookie("site_consent")
            .category("statistics", Vec::<String>::new())
            .category("marketing", Vec::<String>::new())
            .category("preferences", Vec::<String>::new())
            .known_cookies(mapping.iter().map(|(k, p)| (k.as_str(), *p)))
            .build()
            .unwrap();
        for row in KnownCookie::all() {
            let mut names = vec![row.name().to_owned()];
            if row.is_prefix() {
                names.push(format!("{}1.x", row.name()));
                names.push(format!("{}\u{e9}", row.name()));
            }
            for name in &names {
                assert_eq!(
                    policy.category_of(name),
                    expected(mapping, name),
                    "{name:?} ({:?})",
                    KnownCookie::lookup(name)
                );
                if let Some(entry) = policy.entry_of(name) {
                    assert_eq!(entry.known(), KnownCookie::lookup(name));
                    assert!(!policy.is_declared(name));
                }
            }
        }
    }
}

#[tokio::test]
async fn necessary_and_security_rows_grant_nothing() {
    let rows: Vec<_> = KnownCookie::all()
        .iter()
        .filter(|row| {
            matches!(
                row.category(),
                KnownCategory::Necessary | KnownCategory::Security
            )
        })
        .collect();
    assert!(rows.iter().any(|row| row.name() == "XSRF-TOKEN"));
    let policy = known_policy();
    for row in &rows {
        let name = if row.is_prefix() {
            format!("{}abc", row.name())
        } else {
            row.name().to_owned()
        };
        assert_eq!(policy.category_of(&name), None, "{name}");
        let line = format!("{name}=v; Path=/");
        // Unknown: stripped under `Strip` whatever the consent.
        assert!(kept(&policy, &[&consent("all")], &[&line]).await.is_empty());
    }

    // Mapping them is refused, as is mapping to `necessary` or to an exempt
    // category: the database never exempts a cookie from consent.
    for (database, category) in [
        ("Necessary", "preferences"),
        ("security", "marketing"),
        ("Functional", "necessary"),
        ("Functional", "NECESSARY"),
    ] {
        let err = seed_builder()
            .known_cookies([(database, category)])
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, PolicyError::InvalidKnownCookies { database_category, .. } if database_category == database),
            "{err:?}"
        );
        assert!(err.to_string().contains(database), "{err}");
    }
    let err = seed_builder()
        .exempt("statistics")
        .known_cookies([("Analytics", "statistics")])
        .build()
        .unwrap_err();
    assert!(
        matches!(err, PolicyError::InvalidKnownCookies { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("exempt"), "{err}");
}

#[test]
fn a_bad_mapping_is_an_error_that_names_it() {
    let err = seed_builder()
        .known_cookies([("Analytic", "statistics")])
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "known_cookies cannot map `Analytic` to `statistics`: the Open Cookie Database has no \
         such category (it has Functional, Personalization, Analytics, Marketing, Security and \
         Necessary)"
    );
    let err = seed_builder()
        .known_cookies([("Analytics", "stats")])
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        PolicyError::UnknownCategory {
            category: "stats".to_owned(),
            used_in: "known_cookies mapping of `Analytics`".to_owned(),
        }
    );
    assert!(err.to_string().contains("`stats`"), "{err}");

    let err = seed_builder()
        .known_cookies([("Marketing", "marketing")])
        .known_cookies([("marketing", "statistics")])
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "known_cookies maps `Marketing` to both `marketing` and `statistics`"
    );
    // The same pair twice, in any case, is harmless; calls add up.
    let policy = seed_builder()
        .known_cookies([("Marketing", "marketing"), ("MARKETING", "Marketing")])
        .known_cookies([("analytics", "statistics")])
        .build()
        .unwrap();
    assert_eq!(
        policy.known_category(KnownCategory::Marketing),
        Some("marketing")
    );
    assert_eq!(
        policy.known_category(KnownCategory::Analytics),
        Some("statistics")
    );
    assert_eq!(policy.known_category(KnownCategory::Functional), None);
    assert!(format!("{policy:?}")
        .contains(r#"known_cookies: [("Analytics", "statistics"), ("Marketing", "marketing")]"#));
}

#[test]
fn the_mapping_reads_from_json_and_toml() {
    let json: Policy = serde_json::from_str(
        r#"{"necessary": ["sessionid"],
            "categories": {"statistics": ["_pk_id*"], "marketing": [], "preferences": []},
            "known_cookies": {"Analytics": "statistics", "Marketing": "marketing",
                              "functional": "preferences"}}"#,
    )
    .unwrap();
    let toml: Policy = toml::from_str(
        r#"
        necessary = ["sessionid"]

        [categories]
        statistics = ["_pk_id*"]
        marketing = []
        preferences = []

        [known_cookies]
        Analytics = "statistics"
        Marketing = "marketing"
        functional = "preferences"
        "#,
    )
    .unwrap();
    for policy in [&json, &toml] {
        assert_eq!(policy.category_of("_ga"), Some("statistics"));
        assert_eq!(policy.category_of("_fbp"), Some("marketing"));
        assert_eq!(policy.category_of("PHPSESSID"), Some("preferences"));
        assert_eq!(policy.category_of("sessionid"), Some("necessary"));
        assert_eq!(policy.category_of("XSRF-TOKEN"), None);
    }

    let err = serde_json::from_str::<Policy>(
        r#"{"categories": {"statistics": []}, "known_cookies": {"Analytcs": "statistics"}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("`Analytcs`"), "{err}");
    let err = toml::from_str::<Policy>(
        "[categories]\nstatistics = []\n[known_cookies]\nAnalytics = \"stats\"\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("`stats`"), "{err}");
}

#[test]
fn without_a_mapping_the_policy_is_unchanged() {
    let policy = seed_builder()
        .known_cookies(Vec::<(String, String)>::new())
        .build()
        .unwrap();
    assert_eq!(policy.category_of("_ga"), None);
    assert!(KnownCategory::from_name("analytics")
        .and_then(|category| policy.known_category(category))
        .is_none());
    assert!(format!("{policy:?}").contains("known_cookies: []"));
}

/// The README's known-cookies snippet is a policy that does what the
/// section says.
#[test]
fn the_readme_snippet_is_valid() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("\n## Known cookies\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a known-cookies section");
    let block = section
        .split("```toml\n")
        .nth(1)
        .and_then(|block| block.split("```").next())
        .expect("a TOML block");
    let policy: Policy = toml::from_str(block).unwrap();
    assert_eq!(policy.category_of("_ga"), Some("statistics"));
    assert_eq!(policy.category_of("_fbp"), Some("marketing"));
    assert_eq!(policy.category_of("sessionid"), Some("necessary"));
    assert_eq!(policy.category_of("_pk_id.1.abcd"), Some("statistics"));
    assert!(policy.is_declared("_pk_id.1.abcd"));
    assert_eq!(
        policy.category_of("_secure_session_id"),
        Some("preferences")
    );
}
