//! The comparison baseline: a consent middleware as one would write it
//! in an afternoon with the usual crates.
//!
//! It applies the same basic rule as the crate (the consent cookie, the
//! necessary cookies, the granted categories and deletions pass; everything
//! else is stripped; a consent cookie set by the response decides), and is
//! correct for well-formed input. It is written the straightforward way: every
//! request cookie is parsed into an owned [`Cookie`], the consent value goes
//! through `serde_json`, the `Set-Cookie` lines are collected into a
//! `Vec<String>`, parsed, and the kept ones re-inserted, and the response
//! future is boxed.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use cookie::time::{Duration, OffsetDateTime};
use cookie::Cookie;
use http::header::{COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Request, Response};
use serde_json::Value;
use tower::{Layer, Service};
use tower_cookie_consent::Policy;

const NECESSARY: &str = "necessary";

/// The visitor's choice, handed to the application as a request extension.
#[derive(Debug, Clone, Default)]
pub struct HandwrittenConsent {
    /// Lowercase names of the granted categories.
    pub granted: HashSet<String>,
}

#[derive(Debug)]
struct Config {
    consent_cookie: String,
    /// Lowercase category names.
    categories: Vec<String>,
    /// Exact cookie name -> category (`necessary` for necessary cookies).
    exact: HashMap<String, String>,
    /// (prefix, category), longest prefix first.
    prefixes: Vec<(String, String)>,
}

impl Config {
    fn from_policy(policy: &Policy) -> Self {
        let mut exact = HashMap::new();
        let mut prefixes = Vec::new();
        let mut add = |entries: &[tower_cookie_consent::CookieEntry], category: &str| {
            for entry in entries {
                if entry.is_prefix() {
                    prefixes.push((entry.pattern().to_owned(), category.to_owned()));
                } else {
                    exact.insert(entry.pattern().to_owned(), category.to_owned());
                }
            }
        };
        add(policy.necessary(), NECESSARY);
        let mut categories = Vec::new();
        for category in policy.categories() {
            let lower = category.to_ascii_lowercase();
            add(
                policy.category_cookies(category).unwrap_or_default(),
                &lower,
            );
            categories.push(lower);
        }
        prefixes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        Config {
            consent_cookie: policy.consent_cookie().to_owned(),
            categories,
            exact,
            prefixes,
        }
    }

    fn category_of(&self, name: &str) -> Option<&str> {
        if name == self.consent_cookie {
            return Some(NECESSARY);
        }
        if let Some(category) = self.exact.get(name) {
            return Some(category);
        }
        self.prefixes
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix.as_str()))
            .map(|(_, category)| category.as_str())
    }

    /// `statistics,marketing`, `{"statistics":true}` or `["statistics"]`,
    /// maybe percent-encoded; anything malformed grants nothing.
    fn parse_consent(&self, raw: &str) -> HashSet<String> {
        let decoded = match percent_decode(raw) {
            Some(decoded) => decoded,
            None => return HashSet::new(),
        };
        let value = decoded.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        let mut names: Vec<(String, bool)> = Vec::new();
        if value.starts_with('{') {
            match serde_json::from_str::<serde_json::Map<String, Value>>(value) {
                Ok(map) => {
                    for (key, granted) in map {
                        names.push((key.to_ascii_lowercase(), granted == Value::Bool(true)));
                    }
                }
                Err(_) => return HashSet::new(),
            }
        } else if value.starts_with('[') {
            match serde_json::from_str::<Vec<Value>>(value) {
                Ok(items) => {
                    for item in items {
                        if let Value::String(name) = item {
                            names.push((name.to_ascii_lowercase(), true));
                        }
                    }
                }
                Err(_) => return HashSet::new(),
            }
        } else {
            for name in value.split([',', '|', ' ']).filter(|n| !n.is_empty()) {
                names.push((name.to_ascii_lowercase(), true));
            }
        }
        let mut granted = HashSet::new();
        if names.iter().any(|(name, yes)| name == "all" && *yes) {
            granted.extend(self.categories.iter().cloned());
        }
        for (name, yes) in names {
            if self.categories.contains(&name) {
                if yes {
                    granted.insert(name);
                } else {
                    granted.remove(&name);
                }
            }
        }
        granted
    }

    fn consent_of(&self, headers: &HeaderMap) -> HandwrittenConsent {
        let cookies: Vec<Cookie<'static>> = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|header| Cookie::split_parse(header.to_owned()))
            .filter_map(Result::ok)
            .map(Cookie::into_owned)
            .collect();
        let granted = cookies
            .iter()
            .find(|cookie| cookie.name() == self.consent_cookie)
            .map(|cookie| self.parse_consent(cookie.value()))
            .unwrap_or_default();
        HandwrittenConsent { granted }
    }

    fn filter(&self, mut granted: HashSet<String>, headers: &mut HeaderMap) {
        let lines: Vec<String> = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect();
        if lines.is_empty() {
            return;
        }
        headers.remove(SET_COOKIE);
        let cookies: Vec<Option<Cookie<'static>>> = lines
            .iter()
            .map(|line| Cookie::parse(line.clone()).ok())
            .collect();
        // The visitor just chose: the new consent decides this response.
        for cookie in cookies.iter().flatten() {
            if cookie.name() == self.consent_cookie {
                granted = if is_deletion(cookie) {
                    HashSet::new()
                } else {
                    self.parse_consent(cookie.value())
                };
            }
        }
        for (line, cookie) in lines.iter().zip(&cookies) {
            let Some(cookie) = cookie else {
                continue;
            };
            let allowed = match self.category_of(cookie.name()) {
                Some(NECESSARY) => true,
                Some(category) => granted.contains(category),
                None => false,
            };
            if allowed || is_deletion(cookie) {
                if let Ok(value) = HeaderValue::from_str(line) {
                    headers.append(SET_COOKIE, value);
                }
            }
        }
    }
}

fn is_deletion(cookie: &Cookie<'_>) -> bool {
    match cookie.max_age() {
        Some(age) => age <= Duration::ZERO,
        None => cookie
            .expires_datetime()
            .is_some_and(|at| at <= OffsetDateTime::now_utc()),
    }
}

fn percent_decode(raw: &str) -> Option<String> {
    if !raw.contains('%') {
        return Some(raw.to_owned());
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The layer of the baseline middleware.
#[derive(Debug, Clone)]
pub struct HandwrittenLayer {
    config: Arc<Config>,
}

impl HandwrittenLayer {
    pub fn new(policy: &Policy) -> Self {
        HandwrittenLayer {
            config: Arc::new(Config::from_policy(policy)),
        }
    }
}

impl<S> Layer<S> for HandwrittenLayer {
    type Service = Handwritten<S>;

    fn layer(&self, inner: S) -> Handwritten<S> {
        Handwritten {
            inner,
            config: self.config.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Handwritten<S> {
    inner: S,
    config: Arc<Config>,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Handwritten<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S::Future: Send + 'static,
    S::Error: 'static,
    ResBody: 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Response<ResBody>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let consent = self.config.consent_of(req.headers());
        req.extensions_mut().insert(consent.clone());
        let config = self.config.clone();
        let future = self.inner.call(req);
        Box::pin(async move {
            let mut res = future.await?;
            config.filter(consent.granted, res.headers_mut());
            Ok(res)
        })
    }
}
