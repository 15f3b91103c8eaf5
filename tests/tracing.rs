//! The `tracing` feature: a `debug` event for every cookie the layer
//! strips, hides or purges, with its name, category and the reason, and a
//! `trace` event per request; never a cookie's value.
#![cfg(feature = "tracing")]

use std::fmt::{self, Write as _};
use std::sync::{Arc, Mutex};

use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Uri};
use tower_cookie_consent::Policy;
use tracing::field::{Field, Visit};
use tracing::{span, Event, Metadata, Subscriber};

/// A subscriber that keeps every event as `LEVEL field=value ...`.
#[derive(Clone, Default)]
struct Collect(Arc<Mutex<Vec<String>>>);

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Collect {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &span::Attributes<'_>) -> span::Id {
        span::Id::from_u64(1)
    }
    fn record(&self, _: &span::Id, _: &span::Record<'_>) {}
    fn record_follows_from(&self, _: &span::Id, _: &span::Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(event.metadata().level().to_string());
        event.record(&mut fields);
        self.0.lock().unwrap().push(fields.0);
    }
    fn enter(&self, _: &span::Id) {}
    fn exit(&self, _: &span::Id) {}
}

#[test]
fn events_name_the_cookie_its_category_and_the_reason_but_never_its_value() {
    let policy = Policy::builder()
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*"])
        .category("marketing", ["_fbp"])
        .build()
        .unwrap();
    let collect = Collect::default();
    tracing::subscriber::with_default(collect.clone(), || {
        let uri = Uri::from_static("https://www.example.com/");
        let mut request = HeaderMap::new();
        request.insert(
            COOKIE,
            HeaderValue::from_static(
                "cookies_preferences=statistics; _fbp=SECRET1; theme=SECRET2; sessionid=SECRET3",
            ),
        );
        let enforcer = policy.enforcer(&uri, &request);
        enforcer.hide_request_cookies(&mut request);
        let mut response = HeaderMap::new();
        response.append(SET_COOKIE, HeaderValue::from_static("_fbp=SECRET4; Path=/"));
        response.append(SET_COOKIE, HeaderValue::from_static("_pk_id.1=SECRET5"));
        enforcer.filter_response(&mut response);
    });
    let events = collect.0.lock().unwrap().clone();
    let all = events.join("\n");
    assert!(!all.contains("SECRET"), "{all}");
    let has = |level: &str, parts: &[&str]| {
        events
            .iter()
            .any(|e| e.starts_with(level) && parts.iter().all(|p| e.contains(p)))
    };
    assert!(
        has(
            "TRACE",
            &["gpc=false", "granted=[\"statistics\"]", "hide=true"]
        ),
        "{all}"
    );
    assert!(
        has(
            "DEBUG",
            &[
                "cookie=_fbp",
                "category=\"marketing\"",
                "hid a request cookie"
            ]
        ),
        "{all}"
    );
    assert!(
        has(
            "DEBUG",
            &[
                "cookie=theme",
                "category=\"unknown\"",
                "reason=\"unknown cookie\""
            ]
        ),
        "{all}"
    );
    assert!(
        has(
            "DEBUG",
            &[
                "cookie=_fbp",
                "reason=\"category not granted\"",
                "stripped a Set-Cookie line"
            ]
        ),
        "{all}"
    );
    assert!(
        has(
            "DEBUG",
            &["cookie=_fbp", "lines=2", "purged a request cookie"]
        ),
        "{all}"
    );
    assert!(
        !all.contains("cookie=_pk_id.1 "),
        "a kept line has no event: {all}"
    );
    assert!(!all.contains("cookie=sessionid"), "{all}");
}
