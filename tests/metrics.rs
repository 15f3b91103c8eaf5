//! The names the `metrics` feature promises: dashboards and alerts are
//! written against them. The counting itself is tested where the counters
//! live (`src/metrics.rs`).
#![cfg(feature = "metrics")]

use std::sync::Mutex;

use metrics::{Counter, Gauge, Histogram, Key, KeyName, Metadata, Recorder, SharedString, Unit};
use tower_cookie_consent::metrics as cookie_metrics;

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
