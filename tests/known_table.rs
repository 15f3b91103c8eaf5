//! The embedded cookie table is exactly what `data/open-cookie-database.csv`
//! gives under the generator's rules (`scripts/gen-known-cookies.py`), and
//! `KnownCookie::lookup` answers as documented.
//!
//! If `table_matches_the_csv` fails after the CSV changed, regenerate the
//! table: `python3 scripts/gen-known-cookies.py`.

use std::collections::{HashMap, HashSet};

use tower_cookie_consent::known::{KnownCategory, KnownCookie};
use tower_cookie_consent::Policy;

const CSV_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/open-cookie-database.csv");

/// The category that needs consent most first: a name listed under two
/// categories keeps the stricter one.
const STRICTEST_FIRST: [KnownCategory; 6] = [
    KnownCategory::Marketing,
    KnownCategory::Analytics,
    KnownCategory::Personalization,
    KnownCategory::Functional,
    KnownCategory::Security,
    KnownCategory::Necessary,
];

/// One row, as the accessors return it.
#[derive(Debug, PartialEq, Eq)]
struct Row {
    name: String,
    is_prefix: bool,
    platform: String,
    category: KnownCategory,
    description: String,
    retention: String,
}

impl Row {
    fn of(cookie: &KnownCookie) -> Self {
        Self {
            name: cookie.name().to_owned(),
            is_prefix: cookie.is_prefix(),
            platform: cookie.platform().to_owned(),
            category: cookie.category(),
            description: cookie.description().to_owned(),
            retention: cookie.retention().to_owned(),
        }
    }
}

/// Whether a browser would store a cookie under `name` (RFC 6265bis section
/// 5.6), and it holds no `*`.
fn embeddable(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 4096
        && name.trim_matches([' ', '\t']) == name
        && !bytes
            .iter()
            .any(|&b| b < 0x20 || b == 0x7f || b == b';' || b == b'=' || b == b'*')
}

fn trim_text(text: &str) -> String {
    text.trim_matches([' ', '\t', '\r', '\n']).to_owned()
}

fn strictness(category: KnownCategory) -> usize {
    STRICTEST_FIRST
        .iter()
        .position(|&c| c == category)
        .expect("one of the six")
}

/// The rows the CSV gives, by the generator's rules.
fn expected_rows() -> Vec<Row> {
    let mut reader = csv::Reader::from_path(CSV_PATH).expect("data/open-cookie-database.csv");
    let headers = reader.headers().expect("a header row").clone();
    let column = |title: &str| {
        headers
            .iter()
            .position(|h| h == title)
            .unwrap_or_else(|| panic!("no `{title}` column"))
    };
    let name = column("Cookie / Data Key name");
    let wildcard = column("Wildcard match");
    let platform = column("Platform");
    let category = column("Category");
    let description = column("Description");
    let retention = column("Retention period");

    let mut rows: Vec<Row> = Vec::new();
    let mut seen: HashMap<(String, bool), usize> = HashMap::new();
    for record in reader.records() {
        let record = record.expect("a CSV record");
        let is_prefix = match &record[wildcard] {
            "0" => false,
            "1" => true,
            other => panic!("`Wildcard match` is {other:?}"),
        };
        let Some(&row_category) = STRICTEST_FIRST
            .iter()
            .find(|c| c.as_str() == &record[category])
        else {
            continue;
        };
        if !embeddable(&record[name]) {
            continue;
        }
        let row = Row {
            name: record[name].to_owned(),
            is_prefix,
            platform: trim_text(&record[platform]),
            category: row_category,
            description: trim_text(&record[description]),
            retention: trim_text(&record[retention]),
        };
        match seen.get(&(row.name.clone(), is_prefix)) {
            // The first row of the strictest category gives the text.
            Some(&at) => {
                if strictness(row.category) < strictness(rows[at].category) {
                    rows[at] = row;
                }
            }
            None => {
                seen.insert((row.name.clone(), is_prefix), rows.len());
                rows.push(row);
            }
        }
    }
    rows.sort_by(|a, b| (a.name.as_bytes(), a.is_prefix).cmp(&(b.name.as_bytes(), b.is_prefix)));
    rows
}

#[test]
fn table_matches_the_csv() {
    let expected = expected_rows();
    let actual: Vec<Row> = KnownCookie::all().iter().map(Row::of).collect();
    for (index, (actual, expected)) in actual.iter().zip(&expected).enumerate() {
        assert_eq!(
            actual, expected,
            "row {index} differs from the CSV; run `python3 scripts/gen-known-cookies.py`"
        );
    }
    assert_eq!(
        actual.len(),
        expected.len(),
        "the table and the CSV have different row counts; run `python3 scripts/gen-known-cookies.py`"
    );
}

#[test]
fn every_name_is_a_cookie_name_a_policy_accepts() {
    let patterns = KnownCookie::all().iter().map(|cookie| {
        assert!(embeddable(cookie.name()), "{cookie:?}");
        if cookie.is_prefix() {
            format!("{}*", cookie.name())
        } else {
            cookie.name().to_owned()
        }
    });
    // The policy builder applies the crate's own rule for names a browser
    // stores; one category may hold a name both exactly and as a prefix.
    let policy = Policy::builder().category("known", patterns).build();
    assert!(policy.is_ok(), "{policy:?}");
}

#[test]
fn exact_name_beats_a_prefix_of_the_same_name() {
    // `_s` is both an exact Shopify cookie and a Marfeel prefix.
    let exact = KnownCookie::lookup("_s").expect("`_s`");
    assert!(!exact.is_prefix());
    assert_eq!(exact.platform(), "Shopify");
    let prefix = KnownCookie::lookup("_sx").expect("the `_s` prefix");
    assert_eq!((prefix.name(), prefix.is_prefix()), ("_s", true));
    assert_eq!(prefix.platform(), "Marfeel");

    // Every name listed both ways.
    let exact_names: HashSet<&str> = KnownCookie::all()
        .iter()
        .filter(|c| !c.is_prefix())
        .map(|c| c.name())
        .collect();
    let mut both = 0;
    for cookie in KnownCookie::all() {
        let found = KnownCookie::lookup(cookie.name()).expect("its own name");
        assert_eq!(found.name(), cookie.name());
        assert_eq!(found.is_prefix(), !exact_names.contains(cookie.name()));
        both += usize::from(cookie.is_prefix() && exact_names.contains(cookie.name()));
    }
    assert!(both > 0);
}

#[test]
fn longest_prefix_wins() {
    let name_of = |name: &str| KnownCookie::lookup(name).map(|c| (c.name(), c.is_prefix()));
    assert_eq!(name_of("_pk_id.1.abcd"), Some(("_pk_id.", true)));
    assert_eq!(name_of("_pk_idx"), Some(("_pk_id", true)));
    assert_eq!(name_of("_pk_id"), Some(("_pk_id", true)));
    assert_eq!(name_of("_gat_gtag_UA_1234_1"), Some(("_gat_gtag_", true)));
    assert_eq!(name_of("_gat_UA-1234"), Some(("_gat", true)));
    assert_eq!(name_of("_ga_ABC123"), Some(("_ga_", true)));
    assert_eq!(name_of("_ga"), Some(("_ga", false)));
    // `_sp_id.` is a prefix of its own, longer than `_s`.
    assert_eq!(name_of("_sp_id.1fff"), Some(("_sp_id.", true)));
    assert_eq!(name_of("_sp_i"), Some(("_s", true)));
}

#[test]
fn names_are_case_sensitive() {
    assert!(KnownCookie::lookup("_ga").is_some());
    assert_eq!(KnownCookie::lookup("_GA"), None);
    assert_eq!(KnownCookie::lookup("_Ga"), None);
    assert_eq!(KnownCookie::lookup("_PK_ID.1.abcd"), None);
}

#[test]
fn unknown_names_are_none() {
    for name in ["", "my_app_cart", "\u{e9}", "~", "zzzzzzzz"] {
        assert_eq!(KnownCookie::lookup(name), None, "{name:?}");
    }
}

/// `lookup` agrees with a linear scan on every name of the table and on
/// names just around each one.
#[test]
fn lookup_agrees_with_a_linear_scan() {
    let all = KnownCookie::all();
    let exact: HashMap<&str, &'static KnownCookie> = all
        .iter()
        .filter(|c| !c.is_prefix())
        .map(|c| (c.name(), c))
        .collect();
    let prefixes: Vec<&'static KnownCookie> = all.iter().filter(|c| c.is_prefix()).collect();
    let reference = |name: &str| -> Option<&'static KnownCookie> {
        exact.get(name).copied().or_else(|| {
            prefixes
                .iter()
                .copied()
                .filter(|c| name.starts_with(c.name()))
                .max_by_key(|c| c.name().len())
        })
    };
    for cookie in all {
        let name = cookie.name();
        let mut shorter = name.to_owned();
        shorter.pop();
        for probe in [
            name.to_owned(),
            shorter,
            format!("{name}x"),
            format!("{name}.1.abcd"),
            format!("{name}\u{0}"),
            format!("{name}\u{10ffff}"),
        ] {
            let found = KnownCookie::lookup(&probe);
            let expected = reference(&probe);
            assert!(
                found.map(|c| c as *const _) == expected.map(|c| c as *const _),
                "{probe:?}: {found:?}, expected {expected:?}"
            );
        }
    }
}

#[test]
fn categories_round_trip_through_their_names() {
    for category in STRICTEST_FIRST {
        let name = category.as_str();
        assert_eq!(KnownCategory::from_name(name), Some(category));
        assert_eq!(
            KnownCategory::from_name(&name.to_ascii_uppercase()),
            Some(category)
        );
        assert_eq!(
            KnownCategory::from_name(&name.to_ascii_lowercase()),
            Some(category)
        );
    }
    assert_eq!(KnownCategory::from_name(""), None);
    assert_eq!(KnownCategory::from_name("Analytics "), None);
}
