//! The cookie inspector: what the consent layer did to each response,
//! measured rather than predicted.
//!
//! Two small layers sit on either side of `CookieConsentLayer`. [`record`],
//! inside it, notes the `Set-Cookie` lines the application produced;
//! [`measure`], outside it, sees the lines that actually leave the server,
//! compares the two (kept, stripped, or added by the layer), sends the
//! comparison in the `x-demo-cookie-diff` header, and keeps it for the
//! visitor. [`last`] (`GET /debug/last`) hands the visitor's records and
//! the cookies their browser holds to the inspector panel's script.
//!
//! This is demo code: the library adds no header and keeps no record.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Extension, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::time::{Duration, OffsetDateTime};
use serde::Serialize;
use tower_cookie_consent::{Consent, Policy};

use super::cookies::{request_cookies, set_cookie_attributes, set_cookie_name};
use super::session::{SessionId, Store};

/// The debug header that carries the comparison, for `curl -i`.
pub const DIFF_HEADER: HeaderName = HeaderName::from_static("x-demo-cookie-diff");

/// Numbers every response, so that a page can find its own record among
/// the visitor's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResponseNumber(pub u64);

/// The `Set-Cookie` lines the application produced, carried from
/// [`record`] to [`measure`] in the response's extensions, which the consent
/// layer passes through untouched.
#[derive(Debug, Clone)]
struct Produced(Vec<String>);

/// What the consent layer did with one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Produced by the application and sent.
    Kept,
    /// Produced by the application and removed by the layer.
    Stripped,
    /// Sent, but not produced by the application: the layer added it.
    Added,
}

/// One `Set-Cookie` line of a response.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    name: String,
    /// The cookie's category under the policy; `None` when undeclared.
    category: Option<String>,
    /// The attributes only: values are not needed to follow the cookies,
    /// and an `HttpOnly` value must not reach the page's scripts.
    attributes: String,
    /// Whether the line deletes the cookie (`Max-Age` of zero or less, or an
    /// `Expires` in the past).
    deletion: bool,
    outcome: Outcome,
}

/// One response, as the inspector recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    number: ResponseNumber,
    method: String,
    path: String,
    status: u16,
    cookies: Vec<Line>,
}

/// Middleware inside the consent layer: notes what the application produced.
pub async fn record(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let produced = set_cookie_lines(res.headers());
    res.extensions_mut().insert(Produced(produced));
    res
}

/// What [`measure`] needs: where to keep the records, and the policy to
/// name each cookie's category.
#[derive(Debug, Clone)]
pub struct Inspector {
    pub store: Store,
    pub policy: Policy,
}

/// Middleware outside the consent layer: compares what was produced with
/// what is sent, in the `x-demo-cookie-diff` header and the visitor's
/// records.
pub async fn measure(State(inspector): State<Inspector>, mut req: Request, next: Next) -> Response {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let number = ResponseNumber(NEXT.fetch_add(1, Ordering::Relaxed));
    req.extensions_mut().insert(number);
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();

    let mut res = next.run(req).await;
    let produced = res
        .extensions_mut()
        .remove::<Produced>()
        .map_or_else(Vec::new, |p| p.0);
    let sent = set_cookie_lines(res.headers());
    let cookies = compare(&inspector.policy, &produced, &sent);
    if let Ok(value) = HeaderValue::from_str(&summary(&cookies)) {
        res.headers_mut().insert(DIFF_HEADER, value);
    }
    // The inspector's own requests would push the page's record out.
    if !path.starts_with("/debug/") {
        if let Some(id) = res.extensions().get::<SessionId>() {
            let exchange = Exchange {
                number,
                method,
                path,
                status: res.status().as_u16(),
                cookies,
            };
            inspector.store.with(id, |visitor| visitor.record(exchange));
        }
    }
    res
}

fn set_cookie_lines(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// Each produced line is kept if the same line is sent, stripped if not;
/// sent lines left over were added. The layer never rewrites a line, so
/// comparing whole lines is exact; duplicates are matched one for one.
fn compare(policy: &Policy, produced: &[String], sent: &[String]) -> Vec<Line> {
    let mut unmatched: Vec<Option<&String>> = sent.iter().map(Some).collect();
    let mut lines = Vec::with_capacity(produced.len());
    for line in produced {
        let found = unmatched.iter_mut().find(|s| *s == &Some(line));
        let outcome = match found {
            Some(slot) => {
                *slot = None;
                Outcome::Kept
            }
            None => Outcome::Stripped,
        };
        lines.push(describe(policy, line, outcome));
    }
    lines.extend(
        unmatched
            .into_iter()
            .flatten()
            .map(|l| describe(policy, l, Outcome::Added)),
    );
    lines
}

fn describe(policy: &Policy, line: &str, outcome: Outcome) -> Line {
    let name = set_cookie_name(line);
    Line {
        name: name.to_owned(),
        category: policy.category_of(name).map(str::to_owned),
        attributes: set_cookie_attributes(line).to_owned(),
        deletion: is_deletion(line),
        outcome,
    }
}

fn is_deletion(line: &str) -> bool {
    let Ok(cookie) = cookie::Cookie::parse(line) else {
        return false;
    };
    cookie.max_age().is_some_and(|age| age <= Duration::ZERO)
        || cookie
            .expires_datetime()
            .is_some_and(|expires| expires <= OffsetDateTime::now_utc())
}

/// `kept=a,b; stripped=c; added=` (names only).
fn summary(lines: &[Line]) -> String {
    let names = |outcome| {
        lines
            .iter()
            .filter(|l| l.outcome == outcome)
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    format!(
        "kept={}; stripped={}; added={}",
        names(Outcome::Kept),
        names(Outcome::Stripped),
        names(Outcome::Added)
    )
}

/// A cookie the browser sent, with its category under the policy.
#[derive(Debug, Serialize)]
struct Held<'a> {
    name: &'a str,
    category: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Last<'a> {
    /// The cookies this request carried: what the browser holds for the
    /// shop right now, `HttpOnly` ones included.
    browser: Vec<Held<'a>>,
    /// The visitor's last responses, newest first.
    responses: Vec<Exchange>,
}

/// `GET /debug/last`: the visitor's last responses and the cookies their
/// browser holds, as JSON, for the inspector panel.
pub async fn last(
    State(store): State<Store>,
    Extension(consent): Extension<Consent>,
    Extension(id): Extension<SessionId>,
    headers: HeaderMap,
) -> Response {
    let policy = consent.policy();
    let sent = request_cookies(&headers);
    let browser = sent
        .iter()
        .map(|(name, _)| Held {
            name,
            category: policy.category_of(name),
        })
        .collect();
    let responses = store
        .with(&id, |visitor| visitor.responses.iter().cloned().collect())
        .unwrap_or_default();
    let body = serde_json::to_string(&Last { browser, responses }).unwrap_or_default();
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}
