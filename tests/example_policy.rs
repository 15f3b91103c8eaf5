//! `examples/policy.toml` is the policy the demos load: it must parse, keep
//! its category order, and classify the cookies the demos set.

use tower_cookie_consent::Policy;

#[test]
fn example_policy_file_loads_in_order() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml"))
            .expect("examples/policy.toml");
    let policy: Policy = toml::from_str(&text).expect("a valid policy");
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["statistics", "marketing"]
    );
    for (name, category) in [
        ("sessionid", Some("necessary")),
        ("csrftoken", Some("necessary")),
        ("django_language", Some("necessary")),
        ("cookies_preferences", Some("necessary")),
        ("_pk_id.1.1fff", Some("statistics")),
        ("_pk_ses.1.1fff", Some("statistics")),
        ("_hjid", Some("marketing")),
        ("_hjSessionUser_123", Some("marketing")),
        ("hubspotutk", Some("marketing")),
        ("__hstc", Some("marketing")),
        ("unknown", None),
    ] {
        assert_eq!(policy.category_of(name), category, "{name}");
    }
    let necessary = policy.necessary();
    assert!(necessary
        .iter()
        .all(|e| e.provider() == Some("Opendatasoft")));
}
