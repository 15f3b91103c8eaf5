//! Property tests: for arbitrary policies, consent values, `Set-Cookie`
//! lists (realistic lines and arbitrary bytes that `HeaderValue::from_bytes`
//! accepts) and other headers, the layer
//! - only removes `Set-Cookie` values: the output is a subsequence of the
//!   input, byte for byte;
//! - never strips a clean necessary cookie, the consent cookie or a real
//!   deletion, and never keeps a cookie of a category the visitor has not
//!   granted unless it deletes;
//! - strips no more when more categories are granted;
//! - leaves the request, and everything in the response but `Set-Cookie`,
//!   byte-identical;
//! - never panics;
//!
//! and the fixed-offset reading of `Expires` dates gives what the general
//! RFC 6265 algorithm gives, for dates shaped like IMF-fixdates with every
//! field varied (valid or not).
//!
//! Each property runs 256 cases by default; `PROPTEST_CASES` overrides.
//! The names are drawn from a tiny alphabet so that exact names, prefixes
//! and the consent cookie collide often.

mod common;

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use common::{browser_name, set_cookie_is_deletion, unix_now};
use http::header::{HeaderName, COOKIE, SET_COOKIE};
use http::{HeaderMap, HeaderValue, Method, Request, Response, StatusCode, Uri, Version};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use tower::{Layer, Service, ServiceExt};
use tower_cookie_consent::internals::{
    parse_cookie_date, parse_cookie_date_general, read_consent_value,
};
use tower_cookie_consent::{Consent, CookieConsentLayer, Policy, UnknownCookies};

// ---------------------------------------------------------------------------
// Policies, and an independent model of how they classify a cookie name.

const CATEGORY_NAMES: &[&str] = &[
    "statistics",
    "marketing",
    "ads",
    "functional",
    "ga",
    "matomo",
    "xiti",
    "piano",
    "eulerian",
    "at",
];

const CONSENT_NAMES: &[&str] = &["cookies_preferences", "ab", "c_p"];

/// What a policy was built from, kept to answer questions without asking
/// the crate.
#[derive(Debug, Clone)]
struct Spec {
    consent: String,
    necessary: Vec<String>,
    categories: Vec<(String, Vec<String>)>,
    unknown: UnknownCookies,
    policy: Policy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Consent,
    Necessary,
    Category(usize),
    Unknown,
}

impl Spec {
    /// Exact names first; then the longest matching prefix; names are
    /// case-sensitive bytes.
    fn classify(&self, name: &[u8]) -> Class {
        if name == self.consent.as_bytes() {
            return Class::Consent;
        }
        let groups = std::iter::once((Class::Necessary, &self.necessary)).chain(
            self.categories
                .iter()
                .enumerate()
                .map(|(i, (_, names))| (Class::Category(i), names)),
        );
        let mut best: Option<(usize, Class)> = None;
        for (class, patterns) in groups {
            for pattern in patterns {
                match pattern.strip_suffix('*') {
                    None if pattern.as_bytes() == name => return class,
                    Some(prefix)
                        if name.starts_with(prefix.as_bytes())
                            && best.is_none_or(|(len, _)| prefix.len() > len) =>
                    {
                        best = Some((prefix.len(), class));
                    }
                    _ => {}
                }
            }
        }
        best.map_or(Class::Unknown, |(_, class)| class)
    }

    /// Names to build cookies from: every exact name, every prefix with
    /// and without a suffix, the consent cookie, and names nobody declared.
    fn cookie_names(&self) -> Vec<String> {
        let mut names: BTreeSet<String> = ["zz", "Ab", "_a_", "A", "cookies_preferences"]
            .into_iter()
            .map(String::from)
            .collect();
        names.insert(self.consent.clone());
        let patterns = self
            .necessary
            .iter()
            .chain(self.categories.iter().flat_map(|(_, p)| p));
        for pattern in patterns {
            match pattern.strip_suffix('*') {
                Some(prefix) => {
                    names.insert(prefix.to_owned());
                    names.insert(format!("{prefix}.1"));
                    names.insert(format!("{prefix}b"));
                }
                None => {
                    names.insert(pattern.clone());
                }
            }
        }
        names.into_iter().collect()
    }
}

/// A name or prefix from a three-letter alphabet, so that they collide.
fn pattern() -> impl Strategy<Value = String> {
    ("[ab_A]{1,3}", any::<bool>()).prop_map(
        |(name, prefix)| {
            if prefix {
                format!("{name}*")
            } else {
                name
            }
        },
    )
}

fn policy_spec() -> impl Strategy<Value = Spec> {
    (
        select(CONSENT_NAMES),
        prop::collection::vec(pattern(), 0..4),
        subsequence(CATEGORY_NAMES, 1..=8),
        prop::collection::vec(prop::collection::vec(pattern(), 0..5), 8),
        any::<bool>(),
    )
        .prop_filter_map(
            "policy must build",
            |(consent, necessary, names, patterns, allow)| {
                // The same pattern twice in two groups is a PolicyError, so
                // only its first appearance is kept; the consent cookie may
                // be listed as necessary but not in a category.
                let mut seen = BTreeSet::new();
                let mut keep = |p: &String, in_category: bool| {
                    !(in_category && p == consent) && seen.insert(p.clone())
                };
                let necessary: Vec<String> =
                    necessary.into_iter().filter(|p| keep(p, false)).collect();
                let categories: Vec<(String, Vec<String>)> = names
                    .iter()
                    .zip(patterns)
                    .map(|(name, patterns)| {
                        let patterns = patterns.into_iter().filter(|p| keep(p, true)).collect();
                        ((*name).to_owned(), patterns)
                    })
                    .collect();
                let unknown = if allow {
                    UnknownCookies::Allow
                } else {
                    UnknownCookies::Strip
                };
                // The properties are the `Set-Cookie` filter's: the request
                // passes untouched and nothing is added. Hiding and purge
                // have their own tests (tests/revocation.rs) and fuzz
                // oracle.
                let mut builder = Policy::builder()
                    .consent_cookie(consent)
                    .necessary(necessary.clone())
                    .unknown_cookies(unknown)
                    .purge(false)
                    .strip_request_cookies(false);
                for (name, patterns) in &categories {
                    builder = builder.category(name.clone(), patterns.clone());
                }
                let policy = builder.build().ok()?;
                Some(Spec {
                    consent: consent.to_owned(),
                    necessary,
                    categories,
                    unknown,
                    policy,
                })
            },
        )
}

// ---------------------------------------------------------------------------
// Consent values.

/// How a set of granted categories is written into the consent cookie.
#[derive(Debug, Clone)]
struct Style {
    form: u8,
    percent: bool,
    quoted: bool,
    flip_case: bool,
    say_all: bool,
    noise: bool,
}

fn style() -> impl Strategy<Value = Style> {
    (
        0u8..5,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(form, percent, quoted, flip_case, say_all, noise)| Style {
            form,
            percent,
            quoted,
            flip_case,
            say_all,
            noise,
        })
}

/// Writes `granted` (indices into the policy's categories) in `style`: a
/// list, a JSON object or a JSON array, maybe percent-encoded and quoted.
fn render(spec: &Spec, granted: &BTreeSet<usize>, style: &Style) -> String {
    let all = granted.len() == spec.categories.len();
    let mut names: Vec<String> = if all && style.say_all {
        vec!["all".into()]
    } else {
        granted
            .iter()
            .map(|&i| spec.categories[i].0.clone())
            .collect()
    };
    if style.flip_case {
        names = names.iter().map(|n| n.to_ascii_uppercase()).collect();
    }
    let text = match style.form {
        0..=2 => {
            if style.noise {
                names.push("unknown_category".into());
            }
            names.join([",", "|", " "][usize::from(style.form)])
        }
        3 => {
            let mut members: Vec<String> = names.iter().map(|n| format!("\"{n}\":true")).collect();
            if style.noise {
                members.push("\"timestamp\":1763900000000".into());
                for (i, (name, _)) in spec.categories.iter().enumerate() {
                    // With every category granted there is none to refuse.
                    if !granted.contains(&i) {
                        members.insert(0, format!("\"{name}\":true"));
                        members.push(format!("\"{name}\":false"));
                    }
                }
            }
            format!("{{{}}}", members.join(","))
        }
        _ => {
            let mut items: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            if style.noise {
                items.push("1".into());
                items.push("{\"x\":[null]}".into());
            }
            format!("[{}]", items.join(","))
        }
    };
    let text = if style.percent {
        percent_encode(&text)
    } else {
        text
    };
    if style.quoted {
        format!("\"{text}\"")
    } else {
        text
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'_' {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The request's consent cookie: absent, a rendered set, or garbage.
#[derive(Debug, Clone)]
enum ConsentCookie {
    Absent,
    Grants(BTreeSet<usize>, Style),
    Garbage(String),
}

fn granted_set() -> impl Strategy<Value = BTreeSet<usize>> {
    prop::collection::btree_set(0usize..8, 0..=8)
}

fn consent_cookie() -> impl Strategy<Value = ConsentCookie> {
    prop_oneof![
        1 => Just(ConsentCookie::Absent),
        4 => (granted_set(), style()).prop_map(|(set, style)| ConsentCookie::Grants(set, style)),
        1 => "[ -:<-~]{0,40}".prop_map(ConsentCookie::Garbage),
    ]
}

impl ConsentCookie {
    fn value(&self, spec: &Spec) -> Option<String> {
        match self {
            Self::Absent => None,
            Self::Grants(set, style) => Some(render(spec, &clamp(spec, set), style)),
            Self::Garbage(text) => Some(text.clone()),
        }
    }
}

/// `set` restricted to the policy's categories.
fn clamp(spec: &Spec, set: &BTreeSet<usize>) -> BTreeSet<usize> {
    set.iter()
        .copied()
        .filter(|&i| i < spec.categories.len())
        .collect()
}

// ---------------------------------------------------------------------------
// Set-Cookie lines.

const ATTRIBUTES: &[&str] = &[
    "Path=/",
    "Path=/x",
    "Max-Age=3600",
    "Max-Age=0",
    "max-age=-1",
    "Max-Age=abc",
    "Max-Age=",
    "Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    "Expires=Wed, 01 Jan 2070 00:00:00 GMT",
    "Expires=banana",
    "Secure",
    "HttpOnly",
    "SameSite=Lax",
    "SameSite=None",
    "Partitioned",
    "Domain=example.com",
    "Domain=",
];

#[derive(Debug, Clone, Default)]
struct Line {
    bytes: Vec<u8>,
    /// Built to be a deletion a browser performs: a clean name, Max-Age=0
    /// or an Expires in 1970, and only attributes a browser accepts.
    real_deletion: bool,
    /// Built to look like a deletion that a browser does not perform
    /// (DECISIONS.md: refused lines, a later invalid or positive
    /// `Max-Age`, an oversized attribute, an unparsable date).
    false_deletion: bool,
}

/// Lines that look like deletions but are not: `{}` is the name.
const FALSE_DELETIONS: &[&str] = &[
    "{}=; Max-Age=0; SameSite=None",
    "{}=; Max-Age=0; Partitioned",
    "{}=; Max-Age=0; Max-Age=abc",
    "{}=; Max-Age=0; Max-Age=",
    "{}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=100",
    "{}=; Max-Age=100; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
    "{}=; Max-Age=0.5",
    "{}=; Max-Age=0x0",
    "{}=; Max-Age=0abc",
    "{}=; Expires=banana",
    "{}=; Max-Age=0; Path=/{long}",
    "__Host-{}=; Max-Age=0; Secure",
    "__Secure-{}=; Max-Age=0",
];

/// Bytes that `HeaderValue::from_bytes` accepts, with the cookie syntax
/// characters frequent.
fn header_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => select(&b"ab_=; \t,\"%"[..]),
        2 => 0x20u8..0x7f,
        1 => 0x80u8..=0xff,
    ]
}

fn header_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(header_byte(), 0..max)
}

fn line(spec: &Spec, consent_value: impl Strategy<Value = String>) -> impl Strategy<Value = Line> {
    let names = spec.cookie_names();
    let consent = spec.consent.clone();
    let realistic = (
        select(names.clone()),
        select(&["", " ", "\t", " \t"][..]),
        select(&["", " ", "\t"][..]),
        "[a-zA-Z0-9%\"{}:,]{0,8}",
        prop::collection::vec(select(ATTRIBUTES), 0..4),
    )
        .prop_map(|(name, before, after, value, attributes)| {
            let mut text = format!("{before}{name}{after}={value}");
            for attribute in attributes {
                text.push_str("; ");
                text.push_str(attribute);
            }
            Line {
                bytes: text.into_bytes(),
                ..Line::default()
            }
        });
    let false_deletion =
        (select(names.clone()), select(FALSE_DELETIONS)).prop_map(|(name, template)| Line {
            bytes: template
                .replace("{long}", &"p".repeat(1100))
                .replace("{}", &name)
                .into_bytes(),
            false_deletion: true,
            ..Line::default()
        });
    let deletion = (
        select(names),
        any::<bool>(),
        prop::collection::vec(
            select(&["Path=/", "HttpOnly", "Secure", "SameSite=Lax"][..]),
            0..3,
        ),
    )
        .prop_map(|(name, by_max_age, attributes)| {
            let mut text = if by_max_age {
                format!("{name}=; Max-Age=0")
            } else {
                format!("{name}=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
            };
            for attribute in attributes {
                text.push_str("; ");
                text.push_str(attribute);
            }
            Line {
                bytes: text.into_bytes(),
                real_deletion: true,
                ..Line::default()
            }
        });
    let sets_consent = (
        consent_value,
        prop::option::of(select(
            &["Max-Age=0", "Path=/", "Max-Age=31536000", "Secure"][..],
        )),
    )
        .prop_map(move |(value, attribute)| {
            let mut text = format!("{consent}={value}");
            if let Some(attribute) = attribute {
                text.push_str("; ");
                text.push_str(attribute);
            }
            Line {
                bytes: text.into_bytes(),
                ..Line::default()
            }
        });
    let nameless = select(&["=x", "x", "=x=y", ";a=b", "", "=", " = b"][..]).prop_map(|s| Line {
        bytes: s.as_bytes().to_vec(),
        ..Line::default()
    });
    let arbitrary = header_bytes(48).prop_map(|bytes| Line {
        bytes,
        ..Line::default()
    });
    prop_oneof![
        6 => realistic,
        2 => deletion,
        2 => false_deletion,
        1 => sets_consent,
        1 => nameless,
        3 => arbitrary,
    ]
}

// ---------------------------------------------------------------------------
// A whole exchange: policy, request, response, and what the layer did.

const REQUEST_HEADERS: &[&str] = &["accept", "user-agent", "x-forwarded-for", "x-a", "cookie"];
const RESPONSE_HEADERS: &[&str] = &["content-type", "cache-control", "set-cookie2", "x-a", "x-b"];

#[derive(Debug, Clone)]
struct Case {
    spec: Spec,
    consent: ConsentCookie,
    /// Other request headers (an extra `cookie` among them, without the
    /// consent cookie, is possible).
    request_headers: Vec<(&'static str, Vec<u8>)>,
    /// The response's headers in order: `None` for the next Set-Cookie.
    response_headers: Vec<(&'static str, Vec<u8>)>,
    lines: Vec<Line>,
    status: u16,
    body: String,
}

fn named_headers(
    names: &'static [&'static str],
    max: usize,
) -> impl Strategy<Value = Vec<(&'static str, Vec<u8>)>> {
    prop::collection::vec(
        (select(names), header_bytes(24)).prop_map(|(name, value)| {
            // A `cookie` header among the others must not carry a consent
            // cookie, which would change the request's consent.
            if name == "cookie" {
                (name, b"other=1; x=2".to_vec())
            } else {
                (name, value)
            }
        }),
        0..max,
    )
}

fn case_for(spec: Spec) -> impl Strategy<Value = Case> {
    let consent_value = {
        let spec = spec.clone();
        consent_cookie().prop_map(move |c| c.value(&spec).unwrap_or_default())
    };
    (
        Just(spec.clone()),
        consent_cookie(),
        named_headers(REQUEST_HEADERS, 4),
        named_headers(RESPONSE_HEADERS, 4),
        prop::collection::vec(line(&spec, consent_value), 0..12),
        select(&[200u16, 204, 302, 404, 500][..]),
        "[a-z]{0,12}",
    )
        .prop_map(
            |(spec, consent, request_headers, response_headers, lines, status, body)| Case {
                spec,
                consent,
                request_headers,
                response_headers,
                lines,
                status,
                body,
            },
        )
}

fn case() -> impl Strategy<Value = Case> {
    policy_spec().prop_flat_map(case_for)
}

/// Marks the response so the test can tell its extensions survived.
#[derive(Debug, Clone, PartialEq)]
struct Marker(u16);

/// What the inner service saw of the request.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: Uri,
    version: Version,
    headers: HeaderMap,
    consent: Option<Consent>,
}

/// An inner service that records the request it receives and answers with
/// the case's response.
#[derive(Clone)]
struct Recorder {
    response: Arc<dyn Fn() -> Response<String> + Send + Sync>,
    seen: Arc<Mutex<Option<Seen>>>,
}

impl Service<Request<()>> for Recorder {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<()>) -> Self::Future {
        *self.seen.lock().expect("lock") = Some(Seen {
            method: req.method().clone(),
            uri: req.uri().clone(),
            version: req.version(),
            headers: req.headers().clone(),
            consent: req.extensions().get::<Consent>().cloned(),
        });
        std::future::ready(Ok((self.response)()))
    }
}

fn value(bytes: &[u8]) -> HeaderValue {
    HeaderValue::from_bytes(bytes).expect("generated values are valid")
}

impl Case {
    fn consent_value(&self) -> Option<String> {
        self.consent.value(&self.spec)
    }

    fn request(&self, consent_value: Option<&str>) -> Request<()> {
        let mut req = Request::builder()
            .method(Method::POST)
            .uri("/checkout?x=1")
            .version(Version::HTTP_11);
        for (name, bytes) in &self.request_headers {
            req = req.header(*name, value(bytes));
        }
        if let Some(v) = consent_value {
            let cookie = format!("a=1; {}={v}; b=2", self.spec.consent);
            req = req.header(COOKIE, value(cookie.as_bytes()));
        }
        req.body(()).expect("request")
    }

    fn response(&self) -> Response<String> {
        let mut res = Response::new(self.body.clone());
        *res.status_mut() = StatusCode::from_u16(self.status).expect("status");
        res.extensions_mut().insert(Marker(self.status));
        let headers = res.headers_mut();
        let mut others = self.response_headers.iter();
        for line in &self.lines {
            if let Some((name, bytes)) = others.next() {
                headers.append(HeaderName::from_static(name), value(bytes));
            }
            headers.append(SET_COOKIE, value(&line.bytes));
        }
        for (name, bytes) in others {
            headers.append(HeaderName::from_static(name), value(bytes));
        }
        res
    }

    /// Runs the case through the layer with the request's consent cookie
    /// set to `consent_value`.
    fn run_with(&self, consent_value: Option<&str>) -> (Response<String>, Seen) {
        let this = self.clone();
        let seen = Arc::new(Mutex::new(None));
        let inner = Recorder {
            response: Arc::new(move || this.response()),
            seen: seen.clone(),
        };
        let svc = CookieConsentLayer::new(self.spec.policy.clone()).layer(inner);
        let res = common::ready(svc.oneshot(self.request(consent_value))).expect("infallible");
        let seen = seen
            .lock()
            .expect("lock")
            .take()
            .expect("inner service called");
        (res, seen)
    }

    fn run(&self) -> (Response<String>, Seen) {
        self.run_with(self.consent_value().as_deref())
    }

    fn input(&self) -> Vec<Vec<u8>> {
        self.lines.iter().map(|l| l.bytes.clone()).collect()
    }
}

fn set_cookies(headers: &HeaderMap) -> Vec<Vec<u8>> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect()
}

fn is_subsequence(sub: &[Vec<u8>], of: &[Vec<u8>]) -> bool {
    let mut rest = of.iter();
    sub.iter().all(|item| rest.any(|x| x == item))
}

fn has_ctl(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b < 0x20 || b == 0x7f)
}

/// The value of a consent-cookie line the response sets, if it sets one.
fn consent_line_value<'a>(spec: &Spec, line: &'a [u8]) -> Option<&'a [u8]> {
    if browser_name(line) != spec.consent.as_bytes() {
        return None;
    }
    let pair = line.split(|&b| b == b';').next().unwrap_or_default();
    let eq = pair.iter().position(|&b| b == b'=')?;
    Some(&pair[eq + 1..])
}

// ---------------------------------------------------------------------------
// The properties.

proptest! {
    /// Nothing added, reordered or rewritten; the request and every other
    /// part of the response are untouched.
    #[test]
    fn only_set_cookie_values_are_removed(case in case()) {
        let (res, seen) = case.run();
        let input = case.input();
        let output = set_cookies(res.headers());
        prop_assert!(is_subsequence(&output, &input), "output {output:?} of {input:?}");

        let sent = case.request(case.consent_value().as_deref());
        prop_assert_eq!(&seen.method, sent.method());
        prop_assert_eq!(&seen.uri, sent.uri());
        prop_assert_eq!(seen.version, sent.version());
        let mut seen_headers = seen.headers.clone();
        let mut sent_headers = sent.headers().clone();
        seen_headers.remove(COOKIE);
        sent_headers.remove(COOKIE);
        prop_assert_eq!(seen_headers, sent_headers);
        prop_assert!(seen.consent.is_some(), "Consent extension missing");

        let template = case.response();
        prop_assert_eq!(res.status(), template.status());
        prop_assert_eq!(res.version(), template.version());
        prop_assert_eq!(res.body(), template.body());
        prop_assert_eq!(res.extensions().get::<Marker>(), Some(&Marker(case.status)));
        let mut got = res.headers().clone();
        let mut want = template.headers().clone();
        got.remove(SET_COOKIE);
        want.remove(SET_COOKIE);
        prop_assert_eq!(got, want);
    }

    /// Clean necessary cookies, the consent cookie and real deletions always
    /// pass; a cookie of a category not granted, an unknown cookie under
    /// `Strip` and a nameless cookie pass only as deletions. Without a
    /// consent cookie in the response the request's consent decides, and
    /// the kept list is exactly the one the policy model predicts.
    #[test]
    fn kept_lines_follow_the_policy(case in case()) {
        let (res, seen) = case.run();
        let spec = &case.spec;
        let consent = seen.consent.expect("Consent extension");
        let output = set_cookies(res.headers());
        let now = unix_now();

        // What the request grants, widened by every consent value the
        // response sets (the response's own choice decides, and only a
        // line the browser would store counts, so this is an upper bound).
        let mut granted: BTreeSet<usize> = (0..spec.categories.len())
            .filter(|&i| consent.allows(&spec.categories[i].0))
            .collect();
        let mut sets_consent = false;
        for line in &case.lines {
            if let Some(v) = consent_line_value(spec, &line.bytes) {
                sets_consent = true;
                for name in read_consent_value(&spec.policy, v).unwrap_or_default() {
                    granted.extend(spec.categories.iter().position(|(n, _)| n == name));
                }
            }
        }

        let mut expected = Vec::new();
        for line in &case.lines {
            let bytes = &line.bytes;
            let name = browser_name(bytes);
            let deletion = set_cookie_is_deletion(bytes, now);
            let class = spec.classify(name);
            let shown = bytes.escape_ascii().to_string();
            if line.real_deletion {
                prop_assert!(deletion, "real deletion not read as one: {shown}");
            }
            if line.false_deletion {
                prop_assert!(!deletion, "read as a deletion: {shown}");
            }
            let clean = !name.is_empty() && !has_ctl(bytes);
            let must_keep = line.real_deletion
                || (clean && matches!(class, Class::Necessary | Class::Consent));
            let allowed = match class {
                Class::Consent | Class::Necessary => true,
                Class::Category(i) => granted.contains(&i),
                Class::Unknown => spec.unknown == UnknownCookies::Allow,
            };
            let may_keep = deletion || (!name.is_empty() && !has_ctl(name) && allowed);
            let kept = output.contains(bytes);
            prop_assert!(!must_keep || kept, "stripped {shown} ({class:?})");
            prop_assert!(may_keep || !kept, "kept {shown} ({class:?}, granted {granted:?})");
            if may_keep && (deletion || !name.is_empty()) {
                expected.push(bytes.clone());
            }
        }
        if !sets_consent {
            // Nameless deletions and lines with a tab inside (which the
            // browser refuses) may go either way; leave them out.
            let comparable = |l: &&Vec<u8>| !browser_name(l).is_empty() && !has_ctl(l);
            let got: Vec<&Vec<u8>> = output.iter().filter(comparable).collect();
            let want: Vec<&Vec<u8>> = expected.iter().filter(comparable).collect();
            prop_assert_eq!(got, want);
        }
    }

    /// Granting a superset of categories never strips a line that the
    /// subset kept, whatever form each consent value takes.
    #[test]
    fn granting_more_never_strips_more(
        case in case(),
        subset in granted_set(),
        extra in granted_set(),
        small in style(),
        large in style(),
    ) {
        let subset = clamp(&case.spec, &subset);
        let superset: BTreeSet<usize> = subset.union(&clamp(&case.spec, &extra)).copied().collect();
        let (res_small, _) = case.run_with(Some(&render(&case.spec, &subset, &small)));
        let (res_large, _) = case.run_with(Some(&render(&case.spec, &superset, &large)));
        let (res_none, _) = case.run_with(None);
        let small = set_cookies(res_small.headers());
        let large = set_cookies(res_large.headers());
        let none = set_cookies(res_none.headers());
        prop_assert!(is_subsequence(&none, &small), "none {none:?} vs subset {small:?}");
        prop_assert!(is_subsequence(&small, &large), "subset {small:?} vs superset {large:?}");
    }

    /// A rendered consent value grants exactly the categories written in
    /// it, in any of the accepted forms.
    #[test]
    fn consent_values_grant_what_they_say(
        spec in policy_spec(),
        set in granted_set(),
        style in style(),
    ) {
        let set = clamp(&spec, &set);
        let value = render(&spec, &set, &style);
        let cookie = format!("{}={value}", spec.consent);
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, value_of(&cookie));
        let consent = Consent::from_headers(&spec.policy, &headers);
        let got: Vec<&str> = consent.categories().collect();
        let want: Vec<&str> = set.iter().map(|&i| spec.categories[i].0.as_str()).collect();
        prop_assert_eq!(got, want, "value {}", value);
    }

    /// The policy classifies names as the model does: exact before prefix,
    /// longest prefix first, case-sensitive.
    #[test]
    fn policy_classifies_like_the_model(spec in policy_spec(), name in "[ab_A.]{1,5}") {
        let want = match spec.classify(name.as_bytes()) {
            Class::Consent | Class::Necessary => Some("necessary"),
            Class::Category(i) => Some(spec.categories[i].0.as_str()),
            Class::Unknown => None,
        };
        prop_assert_eq!(spec.policy.category_of(&name), want);
    }

    /// Arbitrary bytes in the Cookie header and in every Set-Cookie never
    /// panic, and arbitrary Set-Cookie bytes only ever come out unchanged.
    #[test]
    fn arbitrary_header_bytes(
        spec in policy_spec(),
        cookies in prop::collection::vec(header_bytes(64), 0..4),
        lines in prop::collection::vec(header_bytes(64), 0..12),
    ) {
        let mut headers = HeaderMap::new();
        for cookie in &cookies {
            headers.append(COOKIE, value(cookie));
        }
        let consent = Consent::from_headers(&spec.policy, &headers);
        prop_assert!(consent.allows("necessary"));
        let input: Vec<Vec<u8>> = lines;
        let mut response = HeaderMap::new();
        for line in &input {
            response.append(SET_COOKIE, value(line));
        }
        spec.policy
            .filter_response(&Uri::default(), &headers, &mut response);
        let output = set_cookies(&response);
        prop_assert!(is_subsequence(&output, &input));
    }
}

fn value_of(text: &str) -> HeaderValue {
    value(text.as_bytes())
}

// ---------------------------------------------------------------------------
// Dates: the fast path for IMF-fixdates against the general algorithm.

/// Two characters from digits and a few others.
fn two(chars: &'static str) -> impl Strategy<Value = String> {
    let chars: Vec<char> = chars.chars().collect();
    (select(chars.clone()), select(chars)).prop_map(|(a, b)| format!("{a}{b}"))
}

fn fixdate_like() -> impl Strategy<Value = String> {
    // Mostly valid choices, so that most cases reach the fast path.
    const DIGITS: &str = "01234567890123456789a:";
    (
        select(vec!["Thu", "sun", "MON", "Fri", "Jan", "Xyz", "12"]),
        select(vec![", ", ", ", ", ", ",,"]),
        two(DIGITS),
        select(vec![' ', '-', ' ', '_']),
        select(vec!["Apr", "feb", "FEB", "Dec", "Thu", "Foo"]),
        select(vec![' ', '-', ' ', '/']),
        (two(DIGITS), two(DIGITS)),
        (two(DIGITS), two(DIGITS), two(DIGITS)),
        select(vec![" GMT", " GMT", " GMT", " gmt", "GMT "]),
    )
        .prop_map(
            |(weekday, comma, day, sep1, month, sep2, (y1, y2), (h, m, s), zone)| {
                format!("{weekday}{comma}{day}{sep1}{month}{sep2}{y1}{y2} {h}:{m}:{s}{zone}")
            },
        )
}

proptest! {
    #[test]
    fn fixdates_parse_like_the_general_algorithm(date in fixdate_like()) {
        prop_assert_eq!(
            parse_cookie_date(date.as_bytes()),
            parse_cookie_date_general(date.as_bytes()),
            "{}", date
        );
    }
}
