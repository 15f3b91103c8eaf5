//! Time per request through `CookieConsentLayer`, next to a passthrough
//! layer, the floor (a layer that only inserts a `Consent`-sized request
//! extension) and a straightforward hand-written middleware.
//!
//! ```text
//! cargo bench --bench layer
//! python3 scripts/bench-table.py
//! ```
//!
//! With the builder's defaults the layer also hides undeclared and
//! non-granted request cookies from the application and deletes the
//! non-granted ones: S1 to S3 hide four undeclared cookies, S5 is the
//! steady state (every request cookie declared and granted), S6 a visitor
//! who withdrew (three cookies hidden and purged).
//!
//! Benchmark ids are `scenario/S1/layer`, `set_cookie_count/layer/16`,
//! `cookie_bytes/layer/1024`, `policy_size/layer/1000`,
//! `policy_size_known/layer/1000`, `consent/layer/cookiebot` and
//! `parsers/...`; `scripts/bench-table.py` builds the tables of
//! BENCHMARKS.md from them.

mod support;

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion};
use http::{HeaderMap, Request, Response};
use tower::Service;
use tower_cookie_consent::internals;
use tower_cookie_consent::Consent;

use support::{Row, WithService};

/// Benchmarks one service under `id`: each iteration clones the template
/// request and runs it through the service, which clones the template
/// response; both clones and both drops cost the same in every row, so the
/// difference between rows is the layer's work. (`iter_batched` would take
/// the clone out of the timing but time page faults on its output buffer
/// instead, which is noisier.)
struct Bench<'a, 'g> {
    group: &'a mut BenchmarkGroup<'g, WallTime>,
    id: BenchmarkId,
    request: &'a Request<()>,
}

impl WithService for Bench<'_, '_> {
    type Output = ();

    fn run<S>(self, mut svc: S)
    where
        S: Service<Request<()>, Response = Response<()>, Error = std::convert::Infallible>,
    {
        let request = self.request;
        self.group.bench_function(self.id, |b| {
            b.iter(|| support::drive(&mut svc, black_box(request).clone()))
        });
    }
}

fn scenarios(c: &mut Criterion) {
    let mut group = c.benchmark_group("scenario");
    for scenario in support::scenarios() {
        scenario.check();
        for row in Row::ALL {
            let bench = Bench {
                group: &mut group,
                id: BenchmarkId::new(scenario.name, row.name()),
                request: &scenario.request,
            };
            support::with_row(row, &scenario.policy, &scenario.response, bench);
        }
    }
    group.finish();
}

fn set_cookie_count(c: &mut Criterion) {
    let mut group = c.benchmark_group("set_cookie_count");
    let policy = support::seed_policy();
    let request = support::request(Some(&support::typical_cookie_header("statistics")));
    for count in [1, 4, 16, 64, 256] {
        let response = support::response(&support::set_cookie_lines(count));
        support::check_rows_agree(&policy, &request, &response);
        for row in Row::ALL {
            let bench = Bench {
                group: &mut group,
                id: BenchmarkId::new(row.name(), count),
                request: &request,
            };
            support::with_row(row, &policy, &response, bench);
        }
    }
    group.finish();
}

fn cookie_bytes(c: &mut Criterion) {
    let mut group = c.benchmark_group("cookie_bytes");
    let policy = support::seed_policy();
    let response = support::response(&support::TYPICAL_SET_COOKIES);
    for bytes in [100, 1024, 4096, 8192] {
        let cookie = support::cookie_header_of_size(bytes);
        assert_eq!(cookie.len(), bytes);
        let request = support::request(Some(&cookie));
        support::check_rows_agree(&policy, &request, &response);
        for row in Row::ALL {
            let bench = Bench {
                group: &mut group,
                id: BenchmarkId::new(row.name(), bytes),
                request: &request,
            };
            support::with_row(row, &policy, &response, bench);
        }
    }
    group.finish();
}

fn policy_size(c: &mut Criterion) {
    policy_size_group(
        c,
        "policy_size",
        support::policy_of_size,
        &support::policy_size_response(),
        &support::POLICY_SIZE_KEPT,
    );
}

/// The policy-size rows with the known-cookie database mapped: the same
/// policies plus the database's rows in one matcher, on a response with
/// three more names that only the database knows. The `lookup` ids time one
/// name's classification alone, with and without the database, for a name
/// only the database knows (`_ga`) and one of the policy's (`_pk_x0`).
fn policy_size_known(c: &mut Criterion) {
    let mut lookups = c.benchmark_group("parsers");
    for size in [10, 10_000] {
        for (known, policy) in [
            ("off", support::policy_of_size(size)),
            ("on", support::known_policy_of_size(size)),
        ] {
            for name in ["_ga", "_pk_x0"] {
                let id = format!("category_of/{name}/known_{known}/{size}");
                lookups.bench_function(id, |b| {
                    b.iter(|| black_box(policy.category_of(black_box(name))).is_some())
                });
            }
        }
    }
    lookups.finish();

    policy_size_group(
        c,
        "policy_size_known",
        support::known_policy_of_size,
        &support::known_cookies_response(),
        &support::KNOWN_COOKIES_KEPT,
    );
}

/// One policy-size group: `policy_of(size)` for 10 to 10,000 generated
/// names, checked to keep the lines named `kept` of `response`.
fn policy_size_group(
    c: &mut Criterion,
    name: &str,
    policy_of: fn(usize) -> tower_cookie_consent::Policy,
    response: &Response<()>,
    kept: &[&str],
) {
    let mut group = c.benchmark_group(name);
    let request = support::request(Some(&support::typical_cookie_header("statistics")));
    for size in [10, 100, 1_000, 10_000] {
        let policy = policy_of(size);
        support::check_kept_names(&policy, &request, response, kept);
        // The hand-written baseline scans its prefix list linearly (and
        // does not know the database); it is not part of these groups,
        // which are about the crate's matcher.
        for row in [Row::Passthrough, Row::Floor, Row::Layer] {
            let bench = Bench {
                group: &mut group,
                id: BenchmarkId::new(row.name(), size),
                request: &request,
            };
            support::with_row(row, &policy, response, bench);
        }
    }
    group.finish();
}

/// Each consent format on the typical page (scenario S1 with that banner's
/// cookie granting statistics): the whole request through the layer, and
/// the consent read alone.
fn consent(c: &mut Criterion) {
    let mut group = c.benchmark_group("consent");
    let response = support::response(&support::TYPICAL_SET_COOKIES);
    for case in support::formats::format_cases() {
        let request = support::request(Some(&case.cookie_header));
        let kept = support::with_row(
            Row::Layer,
            &case.policy,
            &response,
            support::Once(request.clone()),
        );
        assert_eq!(kept.len(), 3, "{}: {kept:?}", case.format);
        for row in [Row::Floor, Row::Layer] {
            let bench = Bench {
                group: &mut group,
                id: BenchmarkId::new(row.name(), case.format),
                request: &request,
            };
            support::with_row(row, &case.policy, &response, bench);
        }
        group.bench_function(BenchmarkId::new("from_headers", case.format), |b| {
            b.iter(|| Consent::from_headers(&case.policy, black_box(request.headers())))
        });
    }
    group.finish();
}

/// The parsers alone, for profiling.
fn parsers(c: &mut Criterion) {
    let mut group = c.benchmark_group("parsers");
    let policy = support::seed_policy();

    let values: [(&str, &[u8]); 3] = [
        ("list", b"statistics"),
        ("json_object_percent", b"%7B%22statistics%22%3Atrue%2C%22marketing%22%3Afalse%2C%22timestamp%22%3A1763900000000%7D"),
        ("json_array", br#"["statistics","marketing"]"#),
    ];
    for (name, value) in values {
        group.bench_function(format!("consent_value/{name}"), |b| {
            b.iter(|| internals::read_consent_value(&policy, black_box(value)))
        });
    }

    let request = support::request(Some(&support::typical_cookie_header("statistics")));
    group.bench_function("consent_from_headers/typical", |b| {
        b.iter(|| Consent::from_headers(&policy, black_box(request.headers())))
    });

    group.bench_function("set_cookie_name/typical_6_lines", |b| {
        b.iter(|| {
            for line in support::TYPICAL_SET_COOKIES {
                black_box(internals::cookie_name(black_box(line.as_bytes())));
            }
        })
    });

    let now = 1_776_420_000;
    // The host and scheme are unknown, as in the scenarios' requests.
    let uri = http::Uri::default();
    let no_headers = HeaderMap::new();
    let deletions: [(&str, &[u8]); 3] = [
        ("max_age", b"_hjid=; Max-Age=0; Path=/; Domain=.example.com"),
        (
            "expires",
            b"_hjid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=.example.com",
        ),
        ("not_a_deletion", support::TYPICAL_SET_COOKIES[4].as_bytes()),
    ];
    for (name, line) in deletions {
        group.bench_function(format!("is_deletion/{name}"), |b| {
            b.iter(|| internals::is_deletion(black_box(line), &uri, &no_headers, now))
        });
    }

    let dates: [(&str, &[u8]); 2] = [
        ("imf_fixdate", b"Thu, 17 Apr 2031 10:00:00 GMT"),
        ("rfc850", b"Thursday, 17-Apr-31 10:00:00 GMT"),
    ];
    for (name, date) in dates {
        group.bench_function(format!("cookie_date/{name}"), |b| {
            b.iter(|| internals::parse_cookie_date(black_box(date)))
        });
    }

    // Each iteration filters a fresh clone of the response headers; the
    // `header_clone` rows measure the clone alone, to subtract.
    for scenario in support::scenarios() {
        let template: &HeaderMap = scenario.response.headers();
        group.bench_function(format!("header_clone/{}", scenario.name), |b| {
            b.iter(|| black_box(template).clone())
        });
        group.bench_function(format!("filter_headers/{}", scenario.name), |b| {
            b.iter(|| {
                let mut headers = black_box(template).clone();
                scenario
                    .policy
                    .filter_response(&uri, scenario.request.headers(), &mut headers);
                headers
            })
        });
    }
    group.finish();
}

fn config() -> Criterion {
    // Short defaults so that a plain `cargo bench` stays within minutes;
    // the command line overrides them.
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = scenarios, set_cookie_count, cookie_bytes, policy_size, policy_size_known, consent, parsers
}
criterion_main!(benches);
