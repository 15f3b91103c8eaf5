//! `examples/policy.toml` is the policy the demos load: it must parse, keep
//! its category order, classify the cookies the demos set, and give the
//! declaration table something to show in every cell.

use tower_cookie_consent::Policy;

fn example_policy() -> Policy {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml"))
            .expect("examples/policy.toml");
    toml::from_str(&text).expect("a valid policy")
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

/// The demo's declaration table shows provider, purpose and lifetime for
/// every row, necessary cookies included.
#[test]
fn every_declared_cookie_has_a_provider_purpose_and_lifetime() {
    let policy = example_policy();
    let groups = std::iter::once(("necessary", policy.necessary()))
        .chain(policy.categories().map(|c| (c.name(), c.cookies())));
    for (category, entries) in groups {
        assert!(!entries.is_empty(), "{category}");
        for entry in entries {
            let name = entry.name();
            for (field, value) in [
                ("provider", entry.provider()),
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
