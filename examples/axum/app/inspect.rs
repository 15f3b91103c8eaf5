//! The cookie inspector: what the consent layer did to each response,
//! measured rather than predicted.
//!
//! Two small layers sit on either side of `CookieConsentLayer`, and compare
//! what crosses it in both directions. [`measure`], outside it, notes the
//! cookies the browser sent ([`BrowserSent`]); [`record`], inside it, notes
//! those the application saw (the layer hides the ones not granted) and the
//! `Set-Cookie` lines the application produced. [`measure`] then sees the
//! lines that actually leave the server, compares (kept, stripped, or added
//! by the layer: the deletions of its purge), sends the comparison in the
//! `x-demo-cookie-diff` header, and keeps it for the visitor. [`last`] (`GET /debug/last`) hands the visitor's records and
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

/// The names of the cookies the browser sent, before the consent layer
/// hid any: a request extension from [`measure`], which the consent layer
/// passes through untouched.
#[derive(Debug, Clone)]
pub struct BrowserSent(pub Vec<String>);

/// What the application saw and produced, carried from [`record`] to
/// [`measure`] in the response's extensions, which the consent layer
/// passes through untouched.
#[derive(Debug, Clone)]
struct Produced {
    /// The names of the request cookies that reached the application.
    seen: Vec<String>,
    /// Its `Set-Cookie` lines.
    lines: Vec<String>,
}

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

/// A request cookie, with its category under the policy.
#[derive(Debug, Clone, Serialize)]
pub struct RequestCookie {
    name: String,
    category: Option<String>,
}

/// One response, as the inspector recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    number: ResponseNumber,
    method: String,
    path: String,
    status: u16,
    /// The request cookies the layer hid from the application.
    hidden: Vec<RequestCookie>,
    cookies: Vec<Line>,
}

/// Middleware inside the consent layer: notes which request cookies the
/// application saw and what it produced.
pub async fn record(req: Request, next: Next) -> Response {
    let seen = cookie_names(req.headers());
    let mut res = next.run(req).await;
    let lines = set_cookie_lines(res.headers());
    res.extensions_mut().insert(Produced { seen, lines });
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
    let browser_sent = cookie_names(req.headers());
    req.extensions_mut()
        .insert(BrowserSent(browser_sent.clone()));
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();

    let mut res = next.run(req).await;
    let produced = res
        .extensions_mut()
        .remove::<Produced>()
        .unwrap_or(Produced {
            seen: Vec::new(),
            lines: Vec::new(),
        });
    let sent = set_cookie_lines(res.headers());
    let cookies = compare(&inspector.policy, &produced.lines, &sent);
    let hidden = hidden(&inspector.policy, &browser_sent, &produced.seen);
    if let Ok(value) = HeaderValue::from_str(&summary(&cookies, &hidden)) {
        res.headers_mut().insert(DIFF_HEADER, value);
    }
    if let Some(id) = res.extensions().get::<SessionId>() {
        report_purge(&inspector.store, id, &cookies);
    }
    // The inspector's own requests would push the page's record out.
    if !path.starts_with("/debug/") {
        if let Some(id) = res.extensions().get::<SessionId>() {
            let exchange = Exchange {
                number,
                method,
                path,
                status: res.status().as_u16(),
                hidden,
                cookies,
            };
            inspector.store.with(id, |visitor| visitor.record(exchange));
        }
    }
    res
}

/// When the layer deleted cookies (its purge, on withdrawal), says so in the
/// message the next page shows: the handler that wrote the message ran
/// before the layer and cannot know.
fn report_purge(store: &Store, id: &SessionId, cookies: &[Line]) {
    let mut deleted: Vec<&str> = Vec::new();
    for line in cookies {
        if line.outcome == Outcome::Added && line.deletion && !deleted.contains(&line.name.as_str())
        {
            deleted.push(&line.name);
        }
    }
    if deleted.is_empty() {
        return;
    }
    store.with(id, |visitor| {
        if let Some(flash) = &mut visitor.flash {
            flash.push_str(" The consent layer deleted from your browser: ");
            flash.push_str(&deleted.join(", "));
            flash.push('.');
        }
    });
}

/// The names of a request's cookies, in order.
fn cookie_names(headers: &HeaderMap) -> Vec<String> {
    request_cookies(headers)
        .into_iter()
        .map(|(name, _)| name)
        .collect()
}

/// The cookies the browser sent that the application did not see, matched
/// one for one (a name may be sent twice).
fn hidden(policy: &Policy, sent: &[String], seen: &[String]) -> Vec<RequestCookie> {
    let mut unmatched: Vec<Option<&String>> = seen.iter().map(Some).collect();
    let mut hidden = Vec::new();
    for name in sent {
        match unmatched.iter_mut().find(|s| *s == &Some(name)) {
            Some(slot) => *slot = None,
            None => hidden.push(RequestCookie {
                name: name.clone(),
                category: policy.category_of(name).map(str::to_owned),
            }),
        }
    }
    hidden
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

/// `kept=a,b; stripped=c; added=; hidden=d` (names only; `hidden` are the
/// request cookies the application did not see).
fn summary(lines: &[Line], hidden: &[RequestCookie]) -> String {
    let names = |outcome| {
        lines
            .iter()
            .filter(|l| l.outcome == outcome)
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let hidden: Vec<&str> = hidden.iter().map(|c| c.name.as_str()).collect();
    format!(
        "kept={}; stripped={}; added={}; hidden={}",
        names(Outcome::Kept),
        names(Outcome::Stripped),
        names(Outcome::Added),
        hidden.join(",")
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
