//! Fixtures shared by the benchmarks: the scenarios, the comparison layers
//! and a driver that runs a service without an async runtime.
//!
//! Every row of a comparison wraps the same inner service (it clones a
//! template response) and receives a clone of the same template request, so
//! the rows differ only by the layer in front.
#![allow(dead_code, unreachable_pub)]

pub mod counting;
pub mod formats;
pub mod handwritten;

use std::cell::RefCell;
use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use http::header::{self, HeaderName};
use http::{HeaderValue, Request, Response};
use tower::{service_fn, Layer, Service};
use tower_cookie_consent::{Consent, CookieConsentLayer, Policy, PolicyBuilder};

pub use self::handwritten::HandwrittenLayer;

/// The policy of the scenarios: the usual necessary cookies, Matomo as
/// `statistics`, Hotjar and HubSpot as `marketing`.
pub fn seed_policy() -> Policy {
    seed_policy_builder().build().expect("valid policy")
}

/// [`seed_policy`], before it is built.
pub fn seed_policy_builder() -> PolicyBuilder {
    Policy::builder()
        .necessary(["sessionid", "csrftoken", "django_language"])
        .category("statistics", ["_pk_id*", "_pk_ses*"])
        .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
}

/// The seed policy plus the other cookies of [`typical_cookie_header`]:
/// the site's own `theme`, `tz` and `last_dataset` as necessary, and
/// Segment's `ajs_*` as statistics. Under it a typical request carries
/// nothing unknown, so with a `statistics` consent there is nothing to hide
/// or purge: the steady state.
pub fn typical_policy() -> Policy {
    typical_policy_builder().build().expect("valid policy")
}

/// [`typical_policy`], before it is built.
pub fn typical_policy_builder() -> PolicyBuilder {
    Policy::builder()
        .necessary(["sessionid", "csrftoken", "django_language"])
        .necessary(["theme", "tz", "last_dataset"])
        .category("statistics", ["_pk_id*", "_pk_ses*", "ajs_*"])
        .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
}

/// The `Set-Cookie` lines of a typical page view: three necessary or
/// statistics cookies, three marketing trackers.
pub const TYPICAL_SET_COOKIES: [&str; 6] = [
    "sessionid=k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8; expires=Wed, 30 Apr 2031 10:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure",
    "csrftoken=Xy7pQ2mN9vB4cL6kJ8hG3fD1sA5zW0eR; expires=Tue, 15 Apr 2031 10:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Lax; Secure",
    "_pk_id.1.1fff=3c2b1a0f9e8d7c6b.1714000000.; Max-Age=33696000; Path=/; SameSite=Lax",
    "_hjid=6f1c2d3e-4b5a-4c7d-9e8f-0a1b2c3d4e5f; Max-Age=31536000; Domain=.example.com; Path=/; SameSite=Lax",
    "hubspotutk=9f8e7d6c5b4a39281706f5e4d3c2b1a0; Expires=Thu, 17 Apr 2031 10:00:00 GMT; Path=/; Domain=.example.com",
    "__hstc=20629287.9f8e7d6c5b4a39281706f5e4d3c2b1a0.1714000000000.1714000000000.1714000000000.1; Expires=Thu, 17 Oct 2030 10:00:00 GMT; Path=/; Domain=.example.com",
];

/// A returning visitor's cookies (10 pairs, about 400 bytes) with `consent`
/// as the consent value.
pub fn typical_cookie_header(consent: &str) -> String {
    format!(
        "sessionid=k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8; csrftoken=Xy7pQ2mN9vB4cL6kJ8hG3fD1sA5zW0eR; \
         django_language=fr; cookies_preferences={consent}; \
         _pk_id.1.1fff=3c2b1a0f9e8d7c6b.1714000000.; _pk_ses.1.1fff=1; theme=dark; \
         tz=Europe%2FParis; last_dataset=covid-19-france; \
         ajs_anonymous_id=%22b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e%22"
    )
}

/// A browser's page request, with `cookie` as its `Cookie` header.
pub fn request(cookie: Option<&str>) -> Request<()> {
    let mut builder = Request::get("https://data.example.com/explore/dataset/covid-19-france/")
        .header(header::HOST, "data.example.com")
        .header(
            header::USER_AGENT,
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        )
        .header(
            header::ACCEPT,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .header(
            header::ACCEPT_LANGUAGE,
            "fr-FR,fr;q=0.8,en-US;q=0.5,en;q=0.3",
        )
        .header(header::ACCEPT_ENCODING, "gzip, deflate, br, zstd");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(()).expect("valid request")
}

/// A page response with `set_cookies` as its `Set-Cookie` headers.
pub fn response<S: AsRef<str>>(set_cookies: &[S]) -> Response<()> {
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CONTENT_LENGTH, "48213")
        .header(header::CACHE_CONTROL, "private, max-age=0")
        .header(header::VARY, "Accept-Encoding, Cookie")
        .header(header::DATE, "Fri, 17 Apr 2026 10:00:00 GMT")
        .header(HeaderName::from_static("x-frame-options"), "SAMEORIGIN");
    for line in set_cookies {
        builder = builder.header(header::SET_COOKIE, line.as_ref());
    }
    builder.body(()).expect("valid response")
}

/// One benchmark scenario: a policy, a request and the response the
/// application gives to it.
#[derive(Clone)]
pub struct Scenario {
    pub name: &'static str,
    pub policy: Policy,
    pub request: Request<()>,
    pub response: Response<()>,
    /// How many `Set-Cookie` lines the layer keeps.
    pub kept: usize,
    /// How many deletion lines the layer appends (purge), after the kept
    /// ones; the hand-written baseline does not purge.
    pub purged: usize,
}

impl Scenario {
    /// Checks that every row does the work the scenario describes.
    pub fn check(&self) {
        check_rows_agree_purging(&self.policy, &self.request, &self.response, self.purged);
        let kept = with_row(
            Row::Layer,
            &self.policy,
            &self.response,
            Once(self.request.clone()),
        );
        assert_eq!(
            kept.len(),
            self.kept + self.purged,
            "{}: {kept:?}",
            self.name
        );
    }
}

/// S1 to S6 and B of the comparison table.
pub fn scenarios() -> Vec<Scenario> {
    let policy = seed_policy();
    let typical = response(&TYPICAL_SET_COOKIES);
    vec![
        // Consent for statistics: 3 of the 6 lines are stripped.
        Scenario {
            name: "S1",
            policy: policy.clone(),
            request: request(Some(&typical_cookie_header("statistics"))),
            response: typical.clone(),
            kept: 3,
            purged: 0,
        },
        // Everything granted: nothing to strip.
        Scenario {
            name: "S2",
            policy: policy.clone(),
            request: request(Some(&typical_cookie_header("all"))),
            response: typical.clone(),
            kept: 6,
            purged: 0,
        },
        // A response that sets no cookie (most responses of a site).
        Scenario {
            name: "S3",
            policy: policy.clone(),
            request: request(Some(&typical_cookie_header("statistics"))),
            response: response::<&str>(&[]),
            kept: 0,
            purged: 0,
        },
        // A first visit: no `Cookie` header, so necessary cookies only and
        // 4 of the 6 lines are stripped.
        Scenario {
            name: "S4",
            policy,
            request: request(None),
            response: typical.clone(),
            kept: 2,
            purged: 0,
        },
        // S1 under a policy that declares every cookie of the request: the
        // steady state of request-side hiding and purge (on, the builder's
        // defaults), nothing to hide or delete. S1 itself hides its four
        // undeclared cookies from the application.
        Scenario {
            name: "S5",
            policy: typical_policy(),
            request: request(Some(&typical_cookie_header("statistics"))),
            response: typical.clone(),
            kept: 3,
            purged: 0,
        },
        // S5's visitor withdraws statistics (the consent grants nothing):
        // the three statistics cookies are hidden from the application and
        // deleted, host-only and under `Domain=example.com`.
        Scenario {
            name: "S6",
            policy: typical_policy(),
            request: request(Some(&typical_cookie_header("%5B%5D"))),
            response: typical,
            kept: 2,
            purged: 6,
        },
        // The big page: a 4 KB `Cookie` header of analytics and A/B-testing
        // cookies the policy does not declare (hidden from the application
        // by default) and 64 `Set-Cookie` lines, 31 of them stripped.
        Scenario {
            name: "B",
            policy: seed_policy(),
            request: request(Some(&cookie_header_of_size(4096))),
            response: response(&set_cookie_lines(64)),
            kept: 33,
            purged: 0,
        },
    ]
}

/// `count` `Set-Cookie` lines cycling through [`TYPICAL_SET_COOKIES`]
/// (half of them stripped under a `statistics` consent).
pub fn set_cookie_lines(count: usize) -> Vec<String> {
    TYPICAL_SET_COOKIES
        .iter()
        .cycle()
        .take(count)
        .map(|line| (*line).to_owned())
        .collect()
}

/// A `Cookie` header of exactly `bytes` bytes (at least 32): filler pairs
/// as analytics and A/B-testing tools leave them, with the consent cookie
/// last, where finding it costs the most.
pub fn cookie_header_of_size(bytes: usize) -> String {
    let consent = "cookies_preferences=statistics";
    let mut header = String::with_capacity(bytes);
    for index in 0.. {
        let pair = format!("ab_{index:03}=v{index}.a7c3f9e1b2d4; ");
        if header.len() + pair.len() + consent.len() > bytes {
            break;
        }
        header.push_str(&pair);
    }
    if header.is_empty() {
        header.push_str("p=; ");
    }
    // Lengthen the last filler value to hit the size exactly.
    let value_end = header.len() - 2;
    let pad = bytes.saturating_sub(header.len() + consent.len());
    header.insert_str(value_end, &"0".repeat(pad));
    header.push_str(consent);
    header
}

/// Stems of generated policy names, so the generated names share prefixes
/// with real ones and lookups walk populated parts of the matcher.
const STEMS: [&str; 8] = [
    "_pk_x", "_hj", "__hs", "_ga_x", "ajs_", "mp_", "AMCV_", "s_vi",
];

/// The seed policy plus `size` generated names, half exact names and half
/// prefixes, spread over both categories.
pub fn policy_of_size(size: usize) -> Policy {
    policy_builder_of_size(size)
        .build()
        .expect("valid generated policy")
}

/// The database categories that [`known_policy_of_size`] maps.
pub const KNOWN_COOKIES: [(&str, &str); 2] =
    [("Analytics", "statistics"), ("Marketing", "marketing")];

/// [`policy_of_size`] with the known cookies of the embedded database
/// mapped ([`KNOWN_COOKIES`]): the matcher holds the policy's names plus
/// the database's 2,244 rows.
pub fn known_policy_of_size(size: usize) -> Policy {
    policy_builder_of_size(size)
        .known_cookies(KNOWN_COOKIES)
        .build()
        .expect("valid generated policy")
}

/// [`policy_of_size`], before it is built.
fn policy_builder_of_size(size: usize) -> PolicyBuilder {
    let mut statistics = vec!["_pk_id*".to_owned(), "_pk_ses*".to_owned()];
    let mut marketing = vec![
        "_hjid".to_owned(),
        "__hs*".to_owned(),
        "hubspotutk".to_owned(),
    ];
    for index in 0..size {
        let stem = STEMS[index % STEMS.len()];
        let name = if index % 2 == 0 {
            format!("{stem}{index}")
        } else {
            format!("{stem}{index}_*")
        };
        if index % 4 < 2 {
            statistics.push(name);
        } else {
            marketing.push(name);
        }
    }
    Policy::builder()
        .necessary(["sessionid", "csrftoken", "django_language"])
        .category("statistics", statistics)
        .category("marketing", marketing)
}

/// The response of the policy-size group: the typical lines, a hit on a
/// generated exact name (`_pk_x0`, statistics, kept), a hit on a generated
/// prefix (`_hj1_`, statistics, kept), and a miss that shares a long path
/// with generated names (`_ga_x9999999`, unknown, stripped).
pub fn policy_size_response() -> Response<()> {
    let mut lines = TYPICAL_SET_COOKIES.map(str::to_owned).to_vec();
    lines.push("_pk_x0=1; Max-Age=31536000; Path=/".to_owned());
    lines.push("_hj1_session=abc; Max-Age=1800; Path=/".to_owned());
    lines.push(
        "_ga_x9999999=GS1.1.1714000000.1.0.1714000000.0; Max-Age=63072000; Path=/".to_owned(),
    );
    response(&lines)
}

/// The response of the known-cookies group: [`policy_size_response`] plus
/// three names that only the database knows, `_ga` (Analytics: kept under a
/// `statistics` consent), `_fbp` (Marketing: stripped) and `_gcl_au`
/// (Marketing: stripped). With the database, `_ga_x9999999` is known too
/// (the `_ga_` prefix row, Analytics), so it is kept.
pub fn known_cookies_response() -> Response<()> {
    let mut lines: Vec<String> = set_cookies(&policy_size_response());
    lines.push("_ga=GA1.1.1234567890.1714000000; Max-Age=63072000; Path=/".to_owned());
    lines.push("_fbp=fb.1.1714000000000.1234567890; Max-Age=7776000; Path=/".to_owned());
    lines.push("_gcl_au=1.1.1234567890.1714000000; Max-Age=7776000; Path=/".to_owned());
    response(&lines)
}

/// The names the layer keeps from [`known_cookies_response`] under a
/// `statistics` consent and [`known_policy_of_size`].
pub const KNOWN_COOKIES_KEPT: [&str; 7] = [
    "sessionid",
    "csrftoken",
    "_pk_id.1.1fff",
    "_pk_x0",
    "_hj1_session",
    "_ga_x9999999",
    "_ga",
];

/// The names the layer keeps from [`policy_size_response`] under a
/// `statistics` consent and [`policy_of_size`].
pub const POLICY_SIZE_KEPT: [&str; 5] = [
    "sessionid",
    "csrftoken",
    "_pk_id.1.1fff",
    "_pk_x0",
    "_hj1_session",
];

/// The policy-size rows as scenarios, for counting instructions: `P<size>`
/// is [`policy_of_size`] and `K<size>` is [`known_policy_of_size`], both on
/// [`known_cookies_response`] under a `statistics` consent, so that the two
/// differ only by the database. The hand-written baseline does not know the
/// database, so only the other rows apply.
pub fn policy_size_scenarios() -> Vec<Scenario> {
    let request = request(Some(&typical_cookie_header("statistics")));
    let mut scenarios = Vec::new();
    for (size, p, k) in [
        (10, "P10", "K10"),
        (100, "P100", "K100"),
        (1_000, "P1000", "K1000"),
        (10_000, "P10000", "K10000"),
    ] {
        scenarios.push(Scenario {
            name: p,
            policy: policy_of_size(size),
            request: request.clone(),
            response: known_cookies_response(),
            kept: POLICY_SIZE_KEPT.len(),
            purged: 0,
        });
        scenarios.push(Scenario {
            name: k,
            policy: known_policy_of_size(size),
            request: request.clone(),
            response: known_cookies_response(),
            kept: KNOWN_COOKIES_KEPT.len(),
            purged: 0,
        });
    }
    scenarios
}

/// A request extension of the same size as [`Consent`]: the cheapest work
/// any layer that hands the consent to the application must do.
#[derive(Debug, Clone, Copy)]
pub struct ConsentSized([u64; 3]);

const _: () = assert!(std::mem::size_of::<ConsentSized>() == std::mem::size_of::<Consent>());

/// Forwards requests untouched: the baseline every overhead is measured
/// against.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassthroughLayer;

impl<S> Layer<S> for PassthroughLayer {
    type Service = Passthrough<S>;

    fn layer(&self, inner: S) -> Passthrough<S> {
        Passthrough(inner)
    }
}

#[derive(Debug, Clone)]
pub struct Passthrough<S>(S);

impl<S, B> Service<Request<B>> for Passthrough<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request<B>) -> S::Future {
        self.0.call(req)
    }
}

/// Inserts one [`ConsentSized`] into the request's extensions and does
/// nothing else: the floor under any consent layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct FloorLayer;

impl<S> Layer<S> for FloorLayer {
    type Service = Floor<S>;

    fn layer(&self, inner: S) -> Floor<S> {
        Floor(inner)
    }
}

#[derive(Debug, Clone)]
pub struct Floor<S>(S);

impl<S, B> Service<Request<B>> for Floor<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> S::Future {
        req.extensions_mut()
            .insert(ConsentSized(std::hint::black_box([1, 2, 3])));
        self.0.call(req)
    }
}

/// The application: answers every request with a clone of `template`.
pub fn app(
    template: Response<()>,
) -> impl Service<
    Request<()>,
    Response = Response<()>,
    Error = Infallible,
    Future = Ready<Result<Response<()>, Infallible>>,
> + Clone {
    service_fn(move |_req: Request<()>| ready(Ok(template.clone())))
}

/// The rows of a comparison, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Passthrough,
    Floor,
    Layer,
    Handwritten,
}

impl Row {
    pub const ALL: [Row; 4] = [Row::Passthrough, Row::Floor, Row::Layer, Row::Handwritten];

    pub fn name(self) -> &'static str {
        match self {
            Row::Passthrough => "passthrough",
            Row::Floor => "floor",
            Row::Layer => "layer",
            Row::Handwritten => "handwritten",
        }
    }
}

/// Something that can run one `(policy, template response)` setup with a
/// concrete service type; lets one generic function serve every row.
pub trait WithService {
    type Output;

    fn run<S>(self, svc: S) -> Self::Output
    where
        S: Service<Request<()>, Response = Response<()>, Error = Infallible>;
}

/// Builds `row`'s service in front of [`app`]`(template)` and hands it to
/// `with`.
pub fn with_row<W: WithService>(
    row: Row,
    policy: &Policy,
    template: &Response<()>,
    with: W,
) -> W::Output {
    with_row_over(row, policy, app(template.clone()), with)
}

/// Builds `row`'s service in front of `app` and hands it to `with`.
pub fn with_row_over<A, W>(row: Row, policy: &Policy, app: A, with: W) -> W::Output
where
    A: Service<
        Request<()>,
        Response = Response<()>,
        Error = Infallible,
        Future = Ready<Result<Response<()>, Infallible>>,
    >,
    W: WithService,
{
    match row {
        Row::Passthrough => with.run(PassthroughLayer.layer(app)),
        Row::Floor => with.run(FloorLayer.layer(app)),
        Row::Layer => with.run(CookieConsentLayer::new(policy.clone()).layer(app)),
        Row::Handwritten => with.run(HandwrittenLayer::new(policy).layer(app)),
    }
}

/// An application whose next response is prepared before the call, so
/// that counting the allocations of a call counts the layers' work and
/// nothing of the application's. It keeps the last request it received
/// (moved, not copied), so a test can see what the layer let through.
#[derive(Debug, Clone, Default)]
pub struct Prepared(
    Rc<RefCell<Option<Response<()>>>>,
    Rc<RefCell<Option<Request<()>>>>,
);

impl Prepared {
    /// The response the next call returns.
    pub fn set(&self, res: Response<()>) {
        *self.0.borrow_mut() = Some(res);
    }

    /// The `Cookie` headers of the last request the application received.
    pub fn seen_cookies(&self) -> Vec<String> {
        self.1
            .borrow()
            .as_ref()
            .map(|req| {
                req.headers()
                    .get_all(header::COOKIE)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Service<Request<()>> for Prepared {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<()>) -> Self::Future {
        // The previous request is dropped here, inside the count: freeing
        // is not an allocation.
        *self.1.borrow_mut() = Some(req);
        let res = self.0.borrow_mut().take();
        ready(Ok(res.expect("a response is prepared before every call")))
    }
}

/// Calls `svc` with `req` and polls the response future once: every
/// service here answers at once, so no runtime is needed.
pub fn drive<S>(svc: &mut S, req: Request<()>) -> Response<()>
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("the benchmarked services are always ready"),
    }
    let mut future = pin!(svc.call(req));
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(res)) => res,
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("the benchmarked services answer at once"),
    }
}

/// The `Set-Cookie` values of a response, as text.
pub fn set_cookies(res: &Response<()>) -> Vec<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// A header value from a generated string.
pub fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).expect("valid header value")
}

/// Runs the request through every row once and checks that the crate
/// and the hand-written baseline keep the same lines, and that the
/// passthrough and floor rows keep them all: a comparison of rows that do
/// different work would mean nothing.
pub fn check_rows_agree(policy: &Policy, request: &Request<()>, template: &Response<()>) {
    check_rows_agree_purging(policy, request, template, 0);
}

/// [`check_rows_agree`] where the layer also appends `purged` deletion
/// lines, which the baseline does not: the lines before them must agree.
pub fn check_rows_agree_purging(
    policy: &Policy,
    request: &Request<()>,
    template: &Response<()>,
    purged: usize,
) {
    let all = set_cookies(template);
    let outputs = Row::ALL.map(|row| with_row(row, policy, template, Once(request.clone())));
    assert_eq!(outputs[0], all, "passthrough keeps every line");
    assert_eq!(outputs[1], all, "floor keeps every line");
    let (filtered, deletions) = outputs[2].split_at(outputs[2].len() - purged);
    assert_eq!(
        filtered, outputs[3],
        "the layer and the hand-written baseline disagree"
    );
    assert!(
        deletions.iter().all(|line| line.contains("=; Max-Age=0; ")),
        "{deletions:?}"
    );
}

/// [`check_rows_agree`] for the policy-size groups, where the baseline is
/// not run: the layer keeps exactly the lines named `expected`, in order.
pub fn check_kept_names(
    policy: &Policy,
    request: &Request<()>,
    template: &Response<()>,
    expected: &[&str],
) {
    let kept = with_row(Row::Layer, policy, template, Once(request.clone()));
    let names: Vec<&str> = kept
        .iter()
        .map(|line| line.split('=').next().unwrap_or_default())
        .collect();
    assert_eq!(names, expected);
}

/// Runs one request and returns the kept `Set-Cookie` lines.
pub struct Once(pub Request<()>);

impl WithService for Once {
    type Output = Vec<String>;

    fn run<S>(self, mut svc: S) -> Vec<String>
    where
        S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
    {
        set_cookies(&drive(&mut svc, self.0))
    }
}

/// Calls before counting: a first call may initialise something lazily.
const WARM_UP_CALLS: usize = 3;
/// Counted calls; they must all agree.
const COUNTED_CALLS: usize = 5;

/// What one call through a service costs in heap allocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallAllocations {
    /// Allocations of the call, the same in every counted call.
    pub count: u64,
    /// The `Set-Cookie` lines the response kept.
    pub kept: Vec<String>,
    /// The `Cookie` headers the application received.
    pub seen_cookies: Vec<String>,
}

/// Counts the allocations of a call through `row`'s service in front of an
/// application that returns a prepared clone of `template`, after a warm-up.
/// The request clone and the response are made and dropped outside the
/// count. Needs the [`counting::Counting`] global allocator.
pub fn call_allocations(
    row: Row,
    policy: &Policy,
    request: &Request<()>,
    template: &Response<()>,
) -> CallAllocations {
    let app = Prepared::default();
    let count = CountCalls {
        request,
        template,
        app: app.clone(),
    };
    with_row_over(row, policy, app, count)
}

struct CountCalls<'a> {
    request: &'a Request<()>,
    template: &'a Response<()>,
    app: Prepared,
}

impl WithService for CountCalls<'_> {
    type Output = CallAllocations;

    fn run<S>(self, mut svc: S) -> CallAllocations
    where
        S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
    {
        let mut counts = Vec::with_capacity(COUNTED_CALLS);
        let mut kept = Vec::new();
        for call in 0..WARM_UP_CALLS + COUNTED_CALLS {
            let req = self.request.clone();
            self.app.set(self.template.clone());
            let (count, res) = counting::allocations_in(|| drive(&mut svc, req));
            if call >= WARM_UP_CALLS {
                counts.push(count);
            }
            kept = set_cookies(&res);
        }
        assert!(
            counts.iter().all(|&n| n == counts[0]),
            "allocations differ between identical calls: {counts:?}"
        );
        CallAllocations {
            count: counts[0],
            kept,
            seen_cookies: self.app.seen_cookies(),
        }
    }
}
