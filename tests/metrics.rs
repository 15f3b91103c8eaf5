//! The names the `metrics` feature promises (dashboards and alerts are
//! written against them), and what the layer counts under them: each
//! `Set-Cookie` line kept or stripped, each deletion purged, each request
//! cookie hidden, by category.
#![cfg(feature = "metrics")]

mod common;

#[path = "../benches/support/counting.rs"]
mod counting;

use std::sync::Mutex;

use http::{header, HeaderMap, HeaderValue, Request, Uri};
use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};
use tower::{Layer, Service};
use tower_cookie_consent::metrics as cookie_metrics;
use tower_cookie_consent::{CookieConsentLayer, Policy};

use common::{app_setting, ready, set_cookie_strings};
use counting::{allocations_in, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn names_follow_the_metrics_conventions() {
    assert_eq!(
        cookie_metrics::COOKIES_TOTAL,
        "cookie_consent_cookies_total"
    );
    assert_eq!(cookie_metrics::CATEGORY_LABEL, "category");
    assert_eq!(cookie_metrics::DECISION_LABEL, "decision");
    assert_eq!(cookie_metrics::UNKNOWN_CATEGORY, "unknown");
}

/// Keeps every description it is given; registers nothing.
#[derive(Default)]
struct Descriptions(Mutex<Vec<(String, Option<Unit>, String)>>);

impl Recorder for Descriptions {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.0
            .lock()
            .unwrap()
            .push((key.as_str().to_owned(), unit, description.into_owned()));
    }

    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {
        panic!("no gauge");
    }

    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {
        panic!("no histogram");
    }

    fn register_counter(&self, _: &Key, _: &Metadata<'_>) -> Counter {
        Counter::noop()
    }

    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }

    fn register_histogram(&self, _: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::noop()
    }
}

#[test]
fn describe_gives_the_unit_and_help_text() {
    let recorder = Descriptions::default();
    metrics::with_local_recorder(&recorder, cookie_metrics::describe);
    let described = recorder.0.lock().unwrap();
    let [(name, unit, help)] = &described[..] else {
        panic!("one description: {described:?}");
    };
    assert_eq!(name, "cookie_consent_cookies_total");
    assert_eq!(*unit, Some(Unit::Count));
    assert!(help.contains("kept or stripped"), "{help}");
}

/// Declares `sessionid`, statistics' `_pk_id*` and marketing's `_hjid`; the
/// database classifies `_fbp` (Marketing).
fn policy() -> Policy {
    Policy::builder()
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_hjid"])
        .known_cookies([("Marketing", "marketing")])
        .build()
        .expect("valid policy")
}

/// The nonzero `(category, decision, count)` series of the counter.
fn counts(recorder: &DebuggingRecorder) -> Vec<(String, String, u64)> {
    let mut counts: Vec<_> = recorder
        .snapshotter()
        .snapshot()
        .into_vec()
        .into_iter()
        .filter_map(|(key, _, _, value)| {
            assert_eq!(key.key().name(), cookie_metrics::COOKIES_TOTAL);
            let label = |name: &str| {
                key.key()
                    .labels()
                    .find(|label| label.key() == name)
                    .map(|label| label.value().to_owned())
                    .expect("labelled")
            };
            let DebugValue::Counter(count) = value else {
                panic!("a counter");
            };
            (count > 0).then(|| (label("category"), label("decision"), count))
        })
        .collect();
    counts.sort();
    counts
}

/// `expected` as [`counts`] gives it.
fn series(expected: &[(&str, &str, u64)]) -> Vec<(String, String, u64)> {
    expected
        .iter()
        .map(|&(category, decision, count)| (category.to_owned(), decision.to_owned(), count))
        .collect()
}

/// One request through the layer: `cookie` as its `Cookie` header, a
/// response that sets `lines`.
fn call(layer: &CookieConsentLayer, cookie: &str, lines: &[&str]) -> Vec<String> {
    let app = app_setting(lines.iter().map(|line| line.as_bytes().to_vec()).collect());
    let mut svc = layer.layer(app);
    let req = Request::get("https://shop.example.com/basket")
        .header(header::COOKIE, cookie)
        .body(())
        .expect("valid request");
    let res = ready(svc.call(req)).expect("infallible");
    set_cookie_strings(res.headers())
}

#[test]
fn the_layer_counts_kept_stripped_purged_and_hidden() {
    let recorder = DebuggingRecorder::new();
    let layer = CookieConsentLayer::new(policy());
    let kept = metrics::with_local_recorder(&recorder, || {
        call(
            &layer,
            "cookies_preferences=statistics; _hjid=x; _pk_id.1.ab=1; theme=dark",
            &["sessionid=1", "_pk_id.1.ab=2", "_fbp=fb.1", "my_cart=3"],
        )
    });
    assert_eq!(kept.len(), 2 + 2, "{kept:?}");
    let expected = [
        ("marketing", "hidden", 1),
        ("marketing", "purged", 2),
        ("marketing", "stripped", 1),
        ("necessary", "kept", 1),
        ("statistics", "kept", 1),
        ("unknown", "hidden", 1),
        ("unknown", "stripped", 1),
    ];
    assert_eq!(counts(&recorder), series(&expected));
}

#[test]
fn lines_judged_twice_are_counted_once() {
    let recorder = DebuggingRecorder::new();
    let layer = CookieConsentLayer::new(policy());
    metrics::with_local_recorder(&recorder, || {
        // The response's consent decides (rule 1): every line is judged
        // again under it, and counted once.
        call(
            &layer,
            "",
            &["_pk_id.1.ab=2", "cookies_preferences=statistics"],
        );
    });
    let expected = [("necessary", "kept", 1), ("statistics", "kept", 1)];
    assert_eq!(counts(&recorder), series(&expected));
}

#[test]
fn counting_again_allocates_nothing() {
    let recorder = DebuggingRecorder::new();
    let layer = CookieConsentLayer::new(policy());
    let uri = Uri::from_static("https://shop.example.com/");
    let request = HeaderMap::new();
    let mut template = HeaderMap::with_capacity(8);
    for line in ["sessionid=1", "_fbp=fb.1", "my_cart=3"] {
        template.append(header::SET_COOKIE, HeaderValue::from_static(line));
    }
    metrics::with_local_recorder(&recorder, || {
        // The first count registers the counters.
        layer
            .enforcer(&uri, &request)
            .filter_response(&mut template.clone());
        for _ in 0..100 {
            let mut response = template.clone();
            let (allocations, ()) = allocations_in(|| {
                layer
                    .enforcer(&uri, &request)
                    .filter_response(&mut response);
            });
            assert_eq!(allocations, 0);
        }
    });
    let expected = [
        ("marketing", "stripped", 101),
        ("necessary", "kept", 101),
        ("unknown", "stripped", 101),
    ];
    assert_eq!(counts(&recorder), series(&expected));
}
