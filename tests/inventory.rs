//! [`Inventory`] through the layer: what it records of the responses
//! (undeclared names only, each line once, with its final verdict and the
//! request's path), under concurrent requests, at its cap, without
//! allocating in the steady state; and its three reports.
//!
//! The counter of allocations is per thread, so the tests running beside
//! one another do not disturb it.

mod common;

#[path = "../benches/support/counting.rs"]
mod counting;

use std::collections::HashMap;

use http::{header, HeaderMap, HeaderValue, Request, Uri};
use tower::{Layer, Service};
use tower_cookie_consent::{
    CookieConsentLayer, Inventory, InventoryEntry, InventorySnapshot, Policy, Sighting,
};

use common::{app_setting, ready, set_cookie_strings};
use counting::{allocations_in, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Declares `sessionid` and statistics' `_pk_id*`; the database classifies
/// `_ga` (Analytics) and `_fbp` (Marketing).
fn policy() -> Policy {
    Policy::builder()
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_hjid"])
        .known_cookies([("Analytics", "statistics"), ("Marketing", "marketing")])
        .build()
        .expect("valid policy")
}

/// One request for `path` with a consent of `consent` (none when empty)
/// through `layer` in front of an application that sets `lines`; the
/// `Set-Cookie` lines the response ends with.
fn call(layer: &CookieConsentLayer, path: &str, consent: &str, lines: &[&str]) -> Vec<String> {
    let app = app_setting(lines.iter().map(|line| line.as_bytes().to_vec()).collect());
    let mut svc = layer.layer(app);
    let mut req = Request::get(path);
    if !consent.is_empty() {
        req = req.header(header::COOKIE, format!("cookies_preferences={consent}"));
    }
    let res = ready(svc.call(req.body(()).expect("valid request"))).expect("infallible");
    set_cookie_strings(res.headers())
}

/// `(kept, stripped)` of every entry, by name.
fn counts(inventory: &Inventory) -> HashMap<String, (u64, u64)> {
    inventory
        .snapshot()
        .entries()
        .iter()
        .map(|entry| (entry.name().into_owned(), (entry.kept(), entry.stripped())))
        .collect()
}

#[test]
fn undeclared_names_are_recorded_with_their_verdicts_and_paths() {
    let layer = CookieConsentLayer::new(policy());
    let inventory = layer.inventory();
    let lines = [
        "sessionid=s3cr3t",
        "_pk_id.1.1fff=a",
        "my_cart=3",
        "_ga=GA1.1.1",
        "_fbp=fb.1.2",
    ];
    // First visit: only the necessary cookie passes.
    let kept = call(&layer, "/basket?item=1", "", &lines);
    assert_eq!(kept, ["sessionid=s3cr3t"]);
    // Statistics granted: `_ga` (through the database) passes too.
    let kept = call(&layer, "/checkout", "statistics", &lines);
    assert_eq!(kept, ["sessionid=s3cr3t", "_pk_id.1.1fff=a", "_ga=GA1.1.1"]);

    let counts = counts(&inventory);
    // Declared names never appear; undeclared ones do, known or not.
    let expected: HashMap<String, (u64, u64)> =
        [("my_cart", (0, 2)), ("_ga", (1, 1)), ("_fbp", (0, 2))]
            .into_iter()
            .map(|(name, counts)| (name.to_owned(), counts))
            .collect();
    assert_eq!(counts, expected);

    let snapshot = inventory.snapshot();
    let cart = snapshot.get("my_cart").expect("recorded");
    // The path without its query; the last sighting may share the first's
    // second, when it is not rewritten.
    assert_eq!(cart.first_seen().path(), "/basket");
    assert!(["/basket", "/checkout"].contains(&cart.last_seen().path()));
    assert!(cart.known().is_none());
    let ga = snapshot
        .get("_ga")
        .expect("recorded")
        .known()
        .expect("known");
    assert_eq!((ga.name(), ga.platform()), ("_ga", "Google Analytics"));
    assert_eq!(
        snapshot
            .get("_fbp")
            .and_then(|e| e.known())
            .map(|k| k.platform()),
        Some("Facebook")
    );
}

#[test]
fn lines_judged_twice_are_recorded_once() {
    // The response sets the consent cookie: every line is judged again
    // under the new choice (rule 1), and only that verdict counts.
    let layer = CookieConsentLayer::new(policy());
    let kept = call(
        &layer,
        "/consent",
        "",
        &["_ga=GA1.1.1", "my_cart=1", "cookies_preferences=statistics"],
    );
    assert_eq!(kept, ["_ga=GA1.1.1", "cookies_preferences=statistics"]);
    let counts = counts(&layer.inventory());
    assert_eq!(counts["_ga"], (1, 0));
    assert_eq!(counts["my_cart"], (0, 1));
    assert_eq!(counts.len(), 2);
}

#[test]
fn lines_past_the_first_64_are_recorded_once() {
    let layer = CookieConsentLayer::new(policy());
    let lines: Vec<String> = (0..100)
        .map(|index| match index % 3 {
            0 => format!("sessionid=x{index}"),
            1 => format!("extra_{index}=1"),
            _ => "_ga=GA1.1.1".to_owned(),
        })
        .collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let kept = call(&layer, "/", "statistics", &lines);
    assert_eq!(kept.len(), 34 + 33);
    let counts = counts(&layer.inventory());
    assert_eq!(counts["_ga"], (33, 0));
    assert_eq!(counts.len(), 1 + 33);
    assert!(counts
        .iter()
        .filter(|(name, _)| name.starts_with("extra_"))
        .all(|(_, &counts)| counts == (0, 1)));
}

#[test]
fn the_layer_takes_an_inventory_of_any_capacity() {
    let inventory = Inventory::with_capacity(2);
    let layer = CookieConsentLayer::new(policy()).with_inventory(inventory.clone());
    assert_eq!(layer.inventory().capacity(), 2);
    call(&layer, "/", "", &["a=1", "b=1", "c=1", "a=2"]);
    let snapshot = inventory.snapshot();
    assert_eq!((snapshot.len(), snapshot.overflow()), (2, 1));
    let layer = CookieConsentLayer::new(policy()).inventory_capacity(5);
    assert_eq!(layer.inventory().capacity(), 5);
    assert_eq!(
        CookieConsentLayer::new(policy()).inventory().capacity(),
        Inventory::DEFAULT_CAPACITY
    );
}

#[test]
fn concurrent_requests_give_exact_totals() {
    const THREADS: u64 = 8;
    const REQUESTS: u64 = 2_000;
    let layer = CookieConsentLayer::new(policy());
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let layer = layer.clone();
            scope.spawn(move || {
                let own = format!("thread_{thread}=1");
                for request in 0..REQUESTS {
                    let consent = if request % 2 == 0 { "statistics" } else { "" };
                    call(&layer, "/", consent, &["_ga=1", "shared=1", &own]);
                }
            });
        }
    });
    let counts = counts(&layer.inventory());
    assert_eq!(
        counts["_ga"],
        (THREADS * REQUESTS / 2, THREADS * REQUESTS / 2)
    );
    assert_eq!(counts["shared"], (0, THREADS * REQUESTS));
    for thread in 0..THREADS {
        assert_eq!(counts[&format!("thread_{thread}")], (0, REQUESTS));
    }
    assert_eq!(counts.len() as u64, 2 + THREADS);
    assert_eq!(layer.inventory().snapshot().overflow(), 0);
}

/// A small xorshift generator: the names differ from run to run of the
/// seed only.
fn random_names(count: usize, mut state: u64) -> Vec<String> {
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            format!("n{state:016x}")
        })
        .collect()
}

#[test]
fn the_cap_holds_under_100_000_distinct_random_names() {
    let layer = CookieConsentLayer::new(policy()).inventory_capacity(1000);
    let inventory = layer.inventory();
    let names = random_names(100_000, 0x9E37_79B9_7F4A_7C15);
    let uri = Uri::from_static("/random");
    let request = HeaderMap::new();
    for chunk in names.chunks(10) {
        let mut response = HeaderMap::new();
        for name in chunk {
            let line = format!("{name}=1");
            response.append(
                header::SET_COOKIE,
                HeaderValue::from_str(&line).expect("valid"),
            );
        }
        layer
            .enforcer(&uri, &request)
            .filter_response(&mut response);
        assert!(response.get(header::SET_COOKIE).is_none());
    }
    let snapshot = inventory.snapshot();
    assert_eq!(snapshot.len(), 1000);
    assert_eq!(snapshot.overflow(), 100_000 - 1000);
    let stored: u64 = snapshot
        .entries()
        .iter()
        .map(InventoryEntry::stripped)
        .sum();
    assert_eq!(stored + snapshot.overflow(), 100_000);
}

/// The layer's work on one response, as its service does it, counted
/// apart from making the request and the response.
fn enforce_allocations(layer: &CookieConsentLayer, response: &HeaderMap) -> u64 {
    let uri = Uri::from_static("https://shop.example.com/basket");
    let request = HeaderMap::new();
    let mut response = response.clone();
    let (count, ()) = allocations_in(|| {
        layer
            .enforcer(&uri, &request)
            .filter_response(&mut response);
    });
    count
}

#[test]
fn the_steady_state_allocates_nothing() {
    let mut response = HeaderMap::with_capacity(8);
    for line in ["sessionid=1", "_ga=GA1.1.1", "my_cart=3", "_pk_id.1.ab=1"] {
        response.append(header::SET_COOKIE, HeaderValue::from_static(line));
    }
    let layer = CookieConsentLayer::new(policy()).inventory_capacity(2);
    // First sightings: the slow path allocates the records.
    assert!(enforce_allocations(&layer, &response) > 0);
    for _ in 0..100 {
        assert_eq!(enforce_allocations(&layer, &response), 0);
    }
    // A third name past the capacity is only counted, without allocating.
    response.append(header::SET_COOKIE, HeaderValue::from_static("third=1"));
    for _ in 0..100 {
        assert_eq!(enforce_allocations(&layer, &response), 0);
    }
    let snapshot = layer.inventory().snapshot();
    assert_eq!(snapshot.get("_ga").map(InventoryEntry::stripped), Some(201));
    assert_eq!(snapshot.overflow(), 100);
}

#[test]
fn the_reports_show_what_the_layer_saw() {
    let layer = CookieConsentLayer::new(policy());
    let lines = ["_ga=GA1.1.1", "_fbp=fb.1", "my_cart=3", "_pk_id.1.ab=1"];
    call(&layer, "/shop", "statistics", &lines);
    call(&layer, "/", "", &lines);
    let inventory = layer.inventory();

    let json: serde_json::Value = serde_json::from_str(&inventory.to_json()).expect("JSON");
    let names: Vec<&str> = json["cookies"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|cookie| cookie["name"].as_str().expect("a name"))
        .collect();
    assert_eq!(names, ["_fbp", "_ga", "my_cart"]);
    assert_eq!(json["cookies"][1]["kept"], 1);
    assert_eq!(json["cookies"][1]["stripped"], 1);
    assert_eq!(json["cookies"][1]["first_seen"]["path"], "/shop");
    assert_eq!(json["cookies"][1]["known"]["platform"], "Google Analytics");

    let markdown = inventory.to_markdown();
    assert_eq!(markdown.lines().count(), 2 + 3);
    let row = markdown.lines().nth(3).expect("the `_ga` row");
    assert!(row.starts_with("| \\_ga | 1 | 1 | "), "{row}");
    assert!(row.ends_with("| Google Analytics | Analytics | ID used to identify users |"));
    assert!(markdown
        .lines()
        .nth(4)
        .is_some_and(|row| row.starts_with("| my\\_cart | 0 | 2 |")));

    let fragment = inventory.suggest_policy();
    let suggested: Policy = toml::from_str(&fragment).expect("a policy configuration");
    assert_eq!(suggested.category_of("_ga"), Some("statistics"));
    assert_eq!(suggested.category_of("_fbp"), Some("marketing"));
    // Unknown to the database: listed for review, not declared.
    assert_eq!(suggested.category_of("my_cart"), None);
    assert!(fragment.contains("my_cart"));
}

#[test]
fn capacity_defaults_to_1024_and_is_bounded() {
    assert_eq!(Inventory::DEFAULT_CAPACITY, 1024);
    assert_eq!(Inventory::new().capacity(), 1024);
    assert_eq!(Inventory::default().capacity(), 1024);
    assert_eq!(Inventory::with_capacity(0).capacity(), 0);
    assert_eq!(Inventory::with_capacity(5000).capacity(), 5000);
    assert_eq!(
        Inventory::with_capacity(usize::MAX).capacity(),
        Inventory::MAX_CAPACITY
    );
    assert_eq!(Inventory::MAX_NAME_LEN, 256);
    assert_eq!(Inventory::MAX_PATH_LEN, 128);
}

#[test]
fn an_empty_inventory_reports_nothing() {
    let inventory = Inventory::with_capacity(10);
    let snapshot = inventory.snapshot();
    assert!(snapshot.is_empty());
    assert_eq!(
        (snapshot.len(), snapshot.overflow(), snapshot.capacity()),
        (0, 0, 10)
    );
    assert!(snapshot.get("_ga").is_none());
    assert_eq!(snapshot.into_iter().count(), 0);

    let json: serde_json::Value = serde_json::from_str(&inventory.to_json()).expect("JSON");
    assert_eq!(
        json,
        serde_json::json!({"capacity": 10, "overflow": 0, "cookies": []})
    );

    assert_eq!(
        inventory.to_markdown(),
        "| Name | Kept | Stripped | First seen | Last seen | Platform | Category | Description |\n\
         | --- | ---: | ---: | --- | --- | --- | --- | --- |\n"
    );

    let fragment = inventory.suggest_policy();
    let policy: Policy = toml::from_str(&fragment).expect("a policy configuration");
    assert_eq!(policy.categories().count(), 0);
    assert!(fragment
        .lines()
        .all(|line| line.is_empty() || line.starts_with('#')));
}

#[test]
fn the_types_can_be_shared_across_threads() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    assert_traits::<Inventory>();
    assert_traits::<InventorySnapshot>();
    assert_traits::<InventoryEntry>();
    assert_traits::<Sighting>();
}
