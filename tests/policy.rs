//! Building a policy: the builder, the JSON and TOML configuration forms,
//! every validation error, and the Opendatasoft preset.

mod common;

use tower_cookie_consent::{CookieEntry, Policy, PolicyBuilder, PolicyError, UnknownCookies};

fn names(entries: &[CookieEntry]) -> Vec<&str> {
    entries.iter().map(CookieEntry::name).collect()
}

/// The error of `builder`, checking that its message names `culprit`.
fn error_naming(builder: PolicyBuilder, culprit: &str) -> PolicyError {
    let err = builder.build().expect_err("the policy must be refused");
    let message = err.to_string();
    assert!(
        message.contains(culprit),
        "the message {message:?} must name {culprit:?}"
    );
    err
}

/// Checks that `builder` is refused for an invalid name, with a message
/// naming `name` and the group it was listed in.
fn invalid_name(builder: PolicyBuilder, name: &str, group: &str) {
    let err = error_naming(builder, name);
    assert!(
        matches!(err, PolicyError::InvalidCookieName { .. }),
        "{name:?}: {err:?}"
    );
    assert!(err.to_string().contains(group), "{err}");
}

/// Checks that `builder` is refused for listing `name` in both `groups`,
/// with a message naming the cookie and both groups.
fn duplicate(builder: PolicyBuilder, name: &str, groups: [&str; 2]) {
    let err = error_naming(builder, name);
    assert!(
        matches!(err, PolicyError::DuplicateCookie { .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        groups.iter().all(|group| message.contains(group)),
        "{message} must name {groups:?}"
    );
}

fn json_error(json: &str) -> String {
    serde_json::from_str::<Policy>(json)
        .expect_err("the policy must be refused")
        .to_string()
}

fn toml_error(toml: &str) -> String {
    toml::from_str::<Policy>(toml)
        .expect_err("the policy must be refused")
        .to_string()
}

// ---------------------------------------------------------------------------
// Builder.
// ---------------------------------------------------------------------------

#[test]
fn the_builder_keeps_what_it_is_given() {
    let policy = Policy::builder()
        .consent_cookie("consent")
        .necessary(["sessionid", "csrftoken", "django_language"])
        .category("statistics", ["_pk_id*", "_pk_ses*"])
        .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
        .unknown_cookies(UnknownCookies::Allow)
        .build()
        .unwrap();
    assert_eq!(policy.consent_cookie(), "consent");
    assert_eq!(
        names(policy.necessary()),
        ["sessionid", "csrftoken", "django_language"]
    );
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["statistics", "marketing"]
    );
    assert_eq!(
        names(policy.category_cookies("statistics").unwrap()),
        ["_pk_id*", "_pk_ses*"]
    );
    assert_eq!(
        names(policy.category_cookies("marketing").unwrap()),
        ["_hjid", "__hs*", "hubspotutk"]
    );
    assert!(policy.category_cookies("necessary").is_none());
    assert!(policy.category_cookies("unknown").is_none());
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Allow);
}

#[test]
fn defaults() {
    let policy = Policy::builder().build().unwrap();
    assert_eq!(policy.consent_cookie(), "cookies_preferences");
    assert!(policy.necessary().is_empty());
    assert_eq!(policy.categories().len(), 0);
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Strip);
    assert_eq!(policy.category_of("cookies_preferences"), Some("necessary"));
}

#[test]
fn category_of_classifies_names() {
    let policy = common::seed_policy();
    assert_eq!(policy.category_of("sessionid"), Some("necessary"));
    assert_eq!(policy.category_of("cookies_preferences"), Some("necessary"));
    assert_eq!(policy.category_of("_pk_id.1.abcd"), Some("statistics"));
    assert_eq!(policy.category_of("__hssc"), Some("marketing"));
    assert_eq!(policy.category_of("_hjid"), Some("marketing"));
    assert_eq!(policy.category_of("_hjidx"), None);
    assert_eq!(policy.category_of("SESSIONID"), None);
}

#[test]
fn repeated_calls_add_names() {
    let policy = Policy::builder()
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_hjid"])
        .necessary(["csrftoken"])
        .category("statistics", ["_pk_ses*"])
        .build()
        .unwrap();
    assert_eq!(names(policy.necessary()), ["sessionid", "csrftoken"]);
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["statistics", "marketing"]
    );
    assert_eq!(
        names(policy.category_cookies("statistics").unwrap()),
        ["_pk_id*", "_pk_ses*"]
    );
    assert_eq!(policy.category_of("_pk_ses.1"), Some("statistics"));
    assert_eq!(policy.category_of("csrftoken"), Some("necessary"));
}

#[test]
fn the_same_name_twice_in_one_group_is_deduplicated() {
    let policy = Policy::builder()
        .necessary(["sessionid", "sessionid"])
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*", "_pk_id*", "_ga"])
        .category("statistics", ["_ga"])
        .build()
        .unwrap();
    assert_eq!(names(policy.necessary()), ["sessionid"]);
    assert_eq!(
        names(policy.category_cookies("statistics").unwrap()),
        ["_pk_id*", "_ga"]
    );
}

#[test]
fn an_exact_name_and_the_same_prefix_may_live_in_different_groups() {
    let policy = Policy::builder()
        .necessary(["_pk_id"])
        .category("statistics", ["_pk_id*"])
        .build()
        .unwrap();
    assert_eq!(policy.category_of("_pk_id"), Some("necessary"));
    assert_eq!(policy.category_of("_pk_id.1"), Some("statistics"));
}

#[test]
fn entries_keep_their_documentation() {
    let policy = Policy::builder()
        .category(
            "marketing",
            [CookieEntry::new("_hjid")
                .with_provider("Hotjar")
                .with_purpose("Unique visitor id")
                .with_lifetime("12 months")
                .with_path("/")
                .with_domain("example.com")],
        )
        .build()
        .unwrap();
    let entry = &policy.category_cookies("marketing").unwrap()[0];
    assert_eq!(entry.name(), "_hjid");
    assert_eq!(entry.provider(), Some("Hotjar"));
    assert_eq!(entry.purpose(), Some("Unique visitor id"));
    assert_eq!(entry.lifetime(), Some("12 months"));
    assert_eq!(entry.path(), Some("/"));
    assert_eq!(entry.domain(), Some("example.com"));
}

#[test]
fn policy_is_shareable() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    assert_traits::<Policy>();
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<PolicyError>();
}

// ---------------------------------------------------------------------------
// Errors.
// ---------------------------------------------------------------------------

#[test]
fn empty_names_are_refused() {
    invalid_name(Policy::builder().necessary([""]), "", "necessary");
    invalid_name(
        Policy::builder().category("marketing", [""]),
        "",
        "marketing",
    );
    let err = Policy::builder().category("", ["_ga"]).build().unwrap_err();
    assert_eq!(err, PolicyError::EmptyCategoryName);
    assert!(!err.to_string().is_empty());
}

#[test]
fn a_star_may_only_end_a_name() {
    for name in ["_pk_*id", "*_pk", "a**", "*a*", "a*b*"] {
        invalid_name(
            Policy::builder().category("statistics", [name]),
            name,
            "statistics",
        );
    }
    invalid_name(
        Policy::builder().necessary(["se*ssion"]),
        "se*ssion",
        "necessary",
    );
}

#[test]
fn a_bare_star_is_refused() {
    invalid_name(
        Policy::builder().category("marketing", ["*"]),
        "*",
        "marketing",
    );
    invalid_name(Policy::builder().necessary(["*"]), "*", "necessary");
}

#[test]
fn names_a_browser_would_not_store_are_refused() {
    for name in [
        "a;b", "a=b", "=a", "a;", "a\u{1}b", "a\tb", "a\u{7f}", "a\nb", "a\rb", " a", "a ", "\ta",
        "a\t", " ", "\t", "a;*", "a=*", " a*",
    ] {
        invalid_name(
            Policy::builder().category("marketing", [name]),
            name,
            "marketing",
        );
        invalid_name(Policy::builder().necessary([name]), name, "necessary");
    }
    // Spaces inside a name, and non-ASCII bytes, are fine.
    Policy::builder()
        .necessary(["a b", "caf\u{e9}", "a\u{a0}"])
        .build()
        .unwrap();
}

#[test]
fn the_same_exact_name_in_two_groups_is_refused() {
    duplicate(
        Policy::builder()
            .category("statistics", ["_ga"])
            .category("marketing", ["_ga"]),
        "_ga",
        ["statistics", "marketing"],
    );
    duplicate(
        Policy::builder()
            .necessary(["sessionid"])
            .category("marketing", ["sessionid"]),
        "sessionid",
        ["necessary", "marketing"],
    );
    // Listed in a category first, then as necessary.
    duplicate(
        Policy::builder()
            .category("marketing", ["sessionid"])
            .necessary(["sessionid"]),
        "sessionid",
        ["necessary", "marketing"],
    );
}

#[test]
fn the_same_prefix_in_two_groups_is_refused() {
    duplicate(
        Policy::builder()
            .category("statistics", ["_pk*"])
            .category("marketing", ["_pk*"]),
        "_pk*",
        ["statistics", "marketing"],
    );
    duplicate(
        Policy::builder()
            .necessary(["sess*"])
            .category("marketing", ["sess*"]),
        "sess*",
        ["necessary", "marketing"],
    );
    // Different prefixes overlap freely: the longer one wins.
    Policy::builder()
        .category("statistics", ["_pk*"])
        .category("marketing", ["_pk_id*"])
        .build()
        .unwrap();
}

#[test]
fn necessary_and_all_are_reserved_category_names() {
    for name in ["necessary", "Necessary", "NECESSARY", "all", "ALL", "All"] {
        let err = error_naming(Policy::builder().category(name, ["x"]), name);
        assert!(
            matches!(err, PolicyError::ReservedCategoryName { .. }),
            "{name}: {err:?}"
        );
        // Even with no cookies.
        error_naming(Policy::builder().category(name, Vec::<&str>::new()), name);
    }
}

#[test]
fn at_most_64_categories() {
    let with = |count: usize| {
        (0..count).fold(Policy::builder(), |builder, i| {
            builder.category(format!("c{i}"), [format!("cookie{i}")])
        })
    };
    let policy = with(64).build().unwrap();
    assert_eq!(policy.categories().len(), 64);
    assert_eq!(policy.category_of("cookie63"), Some("c63"));
    let err = error_naming(with(65), "65");
    assert!(
        matches!(err, PolicyError::TooManyCategories { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("64"), "{err}");
    // Calling `category` again with a known name adds no category.
    let policy = with(64).category("c0", ["more"]).build().unwrap();
    assert_eq!(policy.categories().len(), 64);
}

#[test]
fn the_consent_cookie_name_must_be_storable() {
    for name in [
        "",
        "a;b",
        "a=b",
        " consent",
        "consent ",
        "\tconsent",
        "con\u{1}sent",
        "con\tsent",
    ] {
        let err = Policy::builder().consent_cookie(name).build().unwrap_err();
        assert!(
            matches!(err, PolicyError::InvalidConsentCookie { .. }),
            "{name:?}: {err:?}"
        );
        let message = err.to_string();
        assert!(message.contains("consent cookie"), "{message}");
        assert!(message.contains(name), "{message}");
    }
    // A prefix-named consent cookie is a valid name.
    let policy = Policy::builder()
        .consent_cookie("__Host-consent")
        .build()
        .unwrap();
    assert_eq!(policy.category_of("__Host-consent"), Some("necessary"));
}

#[test]
fn the_consent_cookie_may_be_listed_as_necessary() {
    // The seed policy's table lists it among the necessary cookies.
    let policy = Policy::builder()
        .necessary(["sessionid", "cookies_preferences"])
        .build()
        .unwrap();
    assert_eq!(policy.category_of("cookies_preferences"), Some("necessary"));
}

// ---------------------------------------------------------------------------
// Configuration files.
// ---------------------------------------------------------------------------

const ISSUE_SCHEMA: &str = r#"{"consent_cookie": "cookies_preferences",
 "necessary": ["sessionid", "csrftoken", "django_language"],
 "categories": {"statistics": ["_pk_id*"], "marketing": [{"name": "_hjid", "provider": "Hotjar", "purpose": "Unique visitor id", "lifetime": "12 months"}]},
 "unknown_cookies": "strip"}"#;

#[test]
fn json_schema() {
    let policy: Policy = serde_json::from_str(ISSUE_SCHEMA).unwrap();
    assert_eq!(policy.consent_cookie(), "cookies_preferences");
    assert_eq!(
        names(policy.necessary()),
        ["sessionid", "csrftoken", "django_language"]
    );
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["statistics", "marketing"]
    );
    let hjid = &policy.category_cookies("marketing").unwrap()[0];
    assert_eq!(hjid.name(), "_hjid");
    assert_eq!(hjid.provider(), Some("Hotjar"));
    assert_eq!(hjid.purpose(), Some("Unique visitor id"));
    assert_eq!(hjid.lifetime(), Some("12 months"));
    assert_eq!(hjid.path(), None);
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Strip);
    assert_eq!(policy.category_of("_pk_id.1"), Some("statistics"));
}

#[test]
fn every_json_field_is_optional() {
    let policy: Policy = serde_json::from_str("{}").unwrap();
    assert_eq!(policy.consent_cookie(), "cookies_preferences");
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Strip);
    let policy: Policy = serde_json::from_str(r#"{"unknown_cookies": "allow"}"#).unwrap();
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Allow);
    let policy: Policy = serde_json::from_str(r#"{"consent_cookie": "consent"}"#).unwrap();
    assert_eq!(policy.consent_cookie(), "consent");
}

#[test]
fn json_categories_keep_file_order() {
    let policy: Policy = serde_json::from_str(
        r#"{"categories": {"zeta": ["z"], "alpha": ["a"], "mid": ["m*"], "beta": []}}"#,
    )
    .unwrap();
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["zeta", "alpha", "mid", "beta"]
    );
}

#[test]
fn json_entry_objects_carry_path_and_domain() {
    let policy: Policy = serde_json::from_str(
        r#"{"necessary": [{"name": "sessionid", "path": "/", "domain": "example.com"}]}"#,
    )
    .unwrap();
    let entry = &policy.necessary()[0];
    assert_eq!(entry.path(), Some("/"));
    assert_eq!(entry.domain(), Some("example.com"));
}

#[test]
fn json_is_validated_like_the_builder() {
    let cases = [
        (r#"{"necessary": [""]}"#, "necessary"),
        (r#"{"categories": {"marketing": [""]}}"#, "marketing"),
        (r#"{"categories": {"marketing": ["*"]}}"#, "marketing"),
        (r#"{"categories": {"statistics": ["_pk_*id"]}}"#, "_pk_*id"),
        (r#"{"categories": {"marketing": ["a;b"]}}"#, "a;b"),
        (r#"{"categories": {"marketing": ["a=b"]}}"#, "a=b"),
        (r#"{"categories": {"marketing": [" a"]}}"#, " a"),
        (r#"{"categories": {"marketing": ["a\u0001"]}}"#, "marketing"),
        (
            r#"{"categories": {"marketing": [{"name": "a b "}]}}"#,
            "a b ",
        ),
        (
            r#"{"categories": {"statistics": ["_ga"], "marketing": ["_ga"]}}"#,
            "_ga",
        ),
        (
            r#"{"necessary": ["sessionid"], "categories": {"marketing": ["sessionid"]}}"#,
            "sessionid",
        ),
        (
            r#"{"categories": {"statistics": ["_pk*"], "marketing": ["_pk*"]}}"#,
            "_pk*",
        ),
        (r#"{"categories": {"necessary": []}}"#, "necessary"),
        (r#"{"categories": {"All": ["x"]}}"#, "All"),
        (r#"{"consent_cookie": ""}"#, "consent cookie"),
        (r#"{"consent_cookie": "a;b"}"#, "a;b"),
    ];
    for (json, culprit) in cases {
        let message = json_error(json);
        assert!(message.contains(culprit), "{json}: {message}");
    }
    let many: Vec<String> = (0..65).map(|i| format!(r#""c{i}": ["n{i}"]"#)).collect();
    let message = json_error(&format!(r#"{{"categories": {{{}}}}}"#, many.join(",")));
    assert!(message.contains("65"), "{message}");
    // The same, with 64 categories, is a policy.
    let many: Vec<String> = (0..64).map(|i| format!(r#""c{i}": ["n{i}"]"#)).collect();
    let policy: Policy =
        serde_json::from_str(&format!(r#"{{"categories": {{{}}}}}"#, many.join(","))).unwrap();
    assert_eq!(policy.categories().len(), 64);
}

const TOML_POLICY: &str = r#"
consent_cookie = "cookies_preferences"
necessary = ["sessionid", "csrftoken", "django_language"]
unknown_cookies = "allow"

[categories]
statistics = ["_pk_id*", "_pk_ses*"]
marketing = [
    { name = "_hjid", provider = "Hotjar", purpose = "Unique visitor id", lifetime = "12 months" },
    "__hs*",
    "hubspotutk",
]
"#;

#[test]
fn toml_schema() {
    let policy: Policy = toml::from_str(TOML_POLICY).unwrap();
    assert_eq!(policy.consent_cookie(), "cookies_preferences");
    assert_eq!(
        names(policy.necessary()),
        ["sessionid", "csrftoken", "django_language"]
    );
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["statistics", "marketing"]
    );
    assert_eq!(
        names(policy.category_cookies("marketing").unwrap()),
        ["_hjid", "__hs*", "hubspotutk"]
    );
    let hjid = &policy.category_cookies("marketing").unwrap()[0];
    assert_eq!(hjid.provider(), Some("Hotjar"));
    assert_eq!(hjid.lifetime(), Some("12 months"));
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Allow);
    assert_eq!(policy.category_of("__hssc"), Some("marketing"));
}

#[test]
fn toml_categories_keep_file_order() {
    let policy: Policy = toml::from_str(
        r#"
[categories]
zeta = ["z"]
alpha = ["a"]
mid = ["m*"]
"#,
    )
    .unwrap();
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["zeta", "alpha", "mid"]
    );
    let policy: Policy = toml::from_str("").unwrap();
    assert_eq!(policy.consent_cookie(), "cookies_preferences");
}

#[test]
fn toml_is_validated_like_the_builder() {
    let cases = [
        ("necessary = [\"\"]", "necessary"),
        ("[categories]\nmarketing = [\"*\"]", "marketing"),
        ("[categories]\nstatistics = [\"_pk_*id\"]", "_pk_*id"),
        ("[categories]\nmarketing = [\"a;b\"]", "a;b"),
        ("[categories]\nmarketing = [{ name = \"a=b\" }]", "a=b"),
        (
            "necessary = [\"sessionid\"]\n[categories]\nmarketing = [\"sessionid\"]",
            "sessionid",
        ),
        (
            "[categories]\nstatistics = [\"_ga\"]\nmarketing = [\"_ga\"]",
            "_ga",
        ),
        ("[categories]\nnecessary = []", "necessary"),
        ("[categories]\nall = []", "all"),
        ("consent_cookie = \" consent\"", " consent"),
    ];
    for (toml, culprit) in cases {
        let message = toml_error(toml);
        assert!(message.contains(culprit), "{toml}: {message}");
    }
}

// ---------------------------------------------------------------------------
// The Opendatasoft preset.
// ---------------------------------------------------------------------------

#[test]
fn opendatasoft_categories_are_the_banner_keys_in_order() {
    let policy = Policy::opendatasoft();
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
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
    assert_eq!(policy.consent_cookie(), "cookies_preferences");
    assert_eq!(policy.unknown_cookies(), UnknownCookies::Strip);
}

#[test]
fn opendatasoft_necessary_cookies_come_from_the_seed_table() {
    let policy = Policy::opendatasoft();
    assert_eq!(
        names(policy.necessary()),
        [
            "sessionid",
            "django_language",
            "csrftoken",
            "cookies_preferences"
        ]
    );
    for entry in policy.necessary() {
        assert_eq!(entry.provider(), Some("Opendatasoft"), "{}", entry.name());
        assert!(
            entry.purpose().is_some_and(|p| !p.is_empty()),
            "{} has a purpose",
            entry.name()
        );
        assert_eq!(policy.category_of(entry.name()), Some("necessary"));
    }
}

#[test]
fn opendatasoft_trackers_list_their_cookies() {
    let policy = Policy::opendatasoft();
    for category in ["ga", "matomo", "xiti", "at", "piano", "eulerian"] {
        let cookies = policy.category_cookies(category).unwrap();
        assert!(!cookies.is_empty(), "{category} lists its cookies");
        for entry in cookies {
            assert!(
                entry.provider().is_some(),
                "{} has a provider",
                entry.name()
            );
            // Each entry is classified under its own tracker.
            assert_eq!(
                policy.category_of(entry.pattern()),
                Some(category),
                "{}",
                entry.name()
            );
        }
    }
    assert_eq!(policy.category_of("_ga"), Some("ga"));
    assert_eq!(policy.category_of("_ga_ABC123"), Some("ga"));
    assert_eq!(policy.category_of("_gid"), Some("ga"));
    assert_eq!(policy.category_of("_pk_id.1.1fff"), Some("matomo"));
    assert_eq!(policy.category_of("_pk_ses.1.1fff"), Some("matomo"));
}

#[test]
fn opendatasoft_no_tracker_name_matches_a_necessary_cookie() {
    let policy = Policy::opendatasoft();
    let necessary: Vec<&str> = policy.necessary().iter().map(CookieEntry::name).collect();
    for category in policy.categories() {
        for entry in policy.category_cookies(category).unwrap() {
            for name in &necessary {
                let matches = if entry.is_prefix() {
                    name.starts_with(entry.pattern())
                } else {
                    *name == entry.name()
                };
                assert!(!matches, "{category} entry {} matches {name}", entry.name());
            }
        }
    }
}

#[test]
fn opendatasoft_lists_each_name_once() {
    let policy = Policy::opendatasoft();
    let mut seen = std::collections::HashSet::new();
    for entry in policy.necessary() {
        assert!(seen.insert(entry.name().to_owned()), "{}", entry.name());
    }
    for category in policy.categories() {
        for entry in policy.category_cookies(category).unwrap() {
            assert!(seen.insert(entry.name().to_owned()), "{}", entry.name());
        }
    }
}
