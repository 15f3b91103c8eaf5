//! Heap allocations per request, counted by a global allocator.
//!
//! The layer may allocate only what handing the [`Consent`] to the
//! application costs: the request's `Extensions` map is created on the first
//! insert, which takes 3 allocations (the map's box, its hash table, the
//! boxed value). A layer that inserts a value of the same size and does
//! nothing else (the floor) pays exactly that; the layer must pay the same,
//! whether or not it strips anything. The response filter itself must not
//! allocate at all.
//!
//! The same holds with request-side hiding and purge on (the builder's
//! defaults) while the request carries only cookies the visitor granted:
//! the steady state. Hiding a cookie and purging one allocate, and only
//! then: their rows count exactly what they cost.
//!
//! The counter is per thread, so the test threads running in parallel do
//! not disturb each other.
//!
//! [`Consent`]: tower_cookie_consent::Consent

#[path = "../benches/support/mod.rs"]
mod support;

use http::header::{self, HeaderName};
use http::{HeaderMap, HeaderValue, Request, Response, Uri};
use tower_cookie_consent::Policy;

use support::counting::{allocations_in, Counting};
use support::formats::format_cases;
use support::{call_allocations, Row, TYPICAL_SET_COOKIES};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What creating the request's `Extensions` map with one value costs.
const EXTENSION_ALLOCATIONS: u64 = 3;

/// A request with one `Cookie` header per item of `cookies`.
fn request(cookies: &[&str]) -> Request<()> {
    let mut req = support::request(None);
    for cookie in cookies {
        req.headers_mut()
            .append(header::COOKIE, support::value(cookie));
    }
    req
}

/// Runs `lines` through the passthrough, floor and layer rows and through
/// the bare filter, and checks the allocation counts and the kept lines.
fn assert_no_allocation(cookies: &[&str], template: &Response<()>, expected: &[&str]) {
    assert_no_allocation_with(&support::seed_policy(), cookies, template, expected);
}

/// [`assert_no_allocation`] under `policy`.
fn assert_no_allocation_with(
    policy: &Policy,
    cookies: &[&str],
    template: &Response<()>,
    expected: &[&str],
) {
    let policy = policy.clone();
    let req = request(cookies);

    let passthrough = call_allocations(Row::Passthrough, &policy, &req, template);
    let floor = call_allocations(Row::Floor, &policy, &req, template);
    let layer = call_allocations(Row::Layer, &policy, &req, template);
    assert_eq!(passthrough.count, 0, "the harness itself allocates");
    assert_eq!(floor.count, EXTENSION_ALLOCATIONS);
    assert_eq!(
        layer.count, floor.count,
        "layer minus floor must be 0 allocations (kept: {:?})",
        layer.kept
    );
    assert_eq!(layer.kept, expected);

    let (count, kept) = filter_allocations(&policy, req.headers(), template.headers());
    assert_eq!(count, 0, "the filter allocated");
    assert_eq!(kept, expected);
}

/// Allocations of `Policy::filter_response` on a clone of `template`,
/// after a warm-up, and the lines it kept.
fn filter_allocations(
    policy: &Policy,
    request: &HeaderMap,
    template: &HeaderMap,
) -> (u64, Vec<String>) {
    let mut counts = Vec::new();
    let mut kept = Vec::new();
    for call in 0..8 {
        let mut headers = template.clone();
        let (count, ()) =
            allocations_in(|| policy.filter_response(&Uri::default(), request, &mut headers));
        if call >= 3 {
            counts.push(count);
        }
        kept = set_cookie_strings(&headers);
    }
    assert!(
        counts.iter().all(|&n| n == counts[0]),
        "allocations differ between identical calls: {counts:?}"
    );
    (counts[0], kept)
}

fn set_cookie_strings(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// A returning visitor who granted statistics, with only cookies the
/// consent covers: nothing to hide or purge.
const STATISTICS: &str = "django_language=fr; cookies_preferences=statistics; sessionid=abc";

/// The lines of `lines` whose name is one of `names`, in order.
fn with_names<'a>(lines: &'a [String], names: &[&str]) -> Vec<&'a str> {
    lines
        .iter()
        .filter(|line| names.contains(&line.split('=').next().unwrap_or_default()))
        .map(String::as_str)
        .collect()
}

/// `count` lines, of which every `kept_every`-th is a statistics cookie
/// (kept under a statistics consent) and the others marketing ones.
fn mixed_lines(count: usize, kept_every: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            if i % kept_every == 0 {
                format!("_pk_id.{i}.1fff=v{i}; Max-Age=33696000; Path=/")
            } else {
                format!("__hs_{i}=v{i}; Path=/; Domain=.example.com")
            }
        })
        .collect()
}

#[test]
fn nothing_stripped() {
    let all = "sessionid=abc; cookies_preferences=all";
    assert_no_allocation(
        &[all],
        &support::response(&TYPICAL_SET_COOKIES),
        &TYPICAL_SET_COOKIES,
    );
}

#[test]
fn something_stripped() {
    assert_no_allocation(
        &[STATISTICS],
        &support::response(&TYPICAL_SET_COOKIES),
        &TYPICAL_SET_COOKIES[..3],
    );
}

#[test]
fn first_visit_strips_all_but_necessary() {
    assert_no_allocation(
        &[],
        &support::response(&TYPICAL_SET_COOKIES),
        &TYPICAL_SET_COOKIES[..2],
    );
}

#[test]
fn no_set_cookie() {
    assert_no_allocation(&[STATISTICS], &support::response::<&str>(&[]), &[]);
}

#[test]
fn one_set_cookie() {
    let tracker = TYPICAL_SET_COOKIES[3];
    assert_no_allocation(&[STATISTICS], &support::response(&[tracker]), &[]);
    let session = TYPICAL_SET_COOKIES[0];
    assert_no_allocation(&[STATISTICS], &support::response(&[session]), &[session]);
}

#[test]
fn two_set_cookies() {
    let lines = [TYPICAL_SET_COOKIES[3], TYPICAL_SET_COOKIES[0]];
    assert_no_allocation(&[STATISTICS], &support::response(&lines), &lines[1..]);
}

#[test]
fn sixty_four_set_cookies() {
    let lines = support::set_cookie_lines(64);
    let kept = with_names(&lines, &["sessionid", "csrftoken", "_pk_id.1.1fff"]);
    assert_eq!(kept.len(), 33);
    assert_no_allocation(&[STATISTICS], &support::response(&lines), &kept);
}

#[test]
fn sixty_four_kept_of_sixty_five() {
    let mut lines = mixed_lines(64, 1);
    lines.push("_hjid=x; Path=/".to_owned());
    assert_no_allocation(
        &[STATISTICS],
        &support::response(&lines),
        &lines_str(&lines[..64]),
    );
}

#[test]
fn two_hundred_set_cookies_fifty_kept() {
    let lines = mixed_lines(200, 4);
    let kept: Vec<&str> = lines.iter().step_by(4).map(String::as_str).collect();
    assert_eq!(kept.len(), 50);
    assert_no_allocation(&[STATISTICS], &support::response(&lines), &kept);
}

/// Beyond 64 kept values the rebuild's inline buffer spills to the heap:
/// exactly one allocation, whatever the number of lines.
#[test]
fn more_than_sixty_four_kept_cost_one_allocation() {
    let policy = support::seed_policy();
    let req = request(&[STATISTICS]);
    for (count, kept_every) in [(66, 1), (200, 2), (200, 1), (300, 1)] {
        let mut lines = mixed_lines(count, kept_every);
        // Something must be stripped, or nothing is rebuilt.
        lines.push("_hjid=x; Path=/".to_owned());
        let kept: Vec<&str> = lines[..count]
            .iter()
            .step_by(kept_every)
            .map(String::as_str)
            .collect();
        assert!(kept.len() > 64);
        let template = support::response(&lines);

        let floor = call_allocations(Row::Floor, &policy, &req, &template);
        let layer = call_allocations(Row::Layer, &policy, &req, &template);
        assert_eq!(layer.kept, kept);
        assert_eq!(layer.count, floor.count + 1, "{} kept", kept.len());

        let (count, filtered) = filter_allocations(&policy, req.headers(), template.headers());
        assert_eq!(filtered, kept);
        assert_eq!(count, 1, "{} kept", kept.len());
    }
}

#[test]
fn consent_set_by_the_response() {
    let lines = [
        "cookies_preferences=all; Path=/; Max-Age=31536000; SameSite=Lax",
        TYPICAL_SET_COOKIES[3],
        TYPICAL_SET_COOKIES[4],
    ];
    // The visitor just granted everything: the trackers pass.
    assert_no_allocation(&[STATISTICS], &support::response(&lines), &lines);

    let lines = [
        TYPICAL_SET_COOKIES[0],
        TYPICAL_SET_COOKIES[2],
        "cookies_preferences=%5B%5D; Path=/; Max-Age=31536000; SameSite=Lax",
    ];
    // The visitor just withdrew statistics: `_pk_id` is stripped.
    assert_no_allocation(
        &["cookies_preferences=all"],
        &support::response(&lines),
        &[lines[0], lines[2]],
    );
}

#[test]
fn deletion_of_a_tracker() {
    let lines = [
        "_hjid=; Max-Age=0; Path=/; Domain=.example.com",
        TYPICAL_SET_COOKIES[5],
        "hubspotutk=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=.example.com",
    ];
    assert_no_allocation(
        &[STATISTICS],
        &support::response(&lines),
        &[lines[0], lines[2]],
    );
}

#[test]
fn percent_encoded_json_consent() {
    let json = "cookies_preferences=%7B%22statistics%22%3Atrue%2C%22marketing%22%3Afalse%7D";
    assert_no_allocation(
        &[json],
        &support::response(&TYPICAL_SET_COOKIES),
        &TYPICAL_SET_COOKIES[..3],
    );
}

#[test]
fn several_cookie_headers() {
    // Two copies of the consent cookie grant what both grant: statistics.
    let cookies = [
        "sessionid=abc; csrftoken=def",
        "cookies_preferences=statistics",
        "django_language=fr; cookies_preferences=%5B%22statistics%22%2C%22marketing%22%5D",
    ];
    assert_no_allocation(
        &cookies,
        &support::response(&TYPICAL_SET_COOKIES),
        &TYPICAL_SET_COOKIES[..3],
    );
}

/// Every consent format reads its cookie without allocating: the typical
/// page, with each banner's consent cookie granting statistics, costs what
/// the floor costs, and so does the response that records a new choice.
#[test]
fn every_consent_format() {
    for case in format_cases() {
        let cookies = [case.cookie_header.as_str()];
        assert_no_allocation_with(
            &case.policy,
            &cookies,
            &support::response(&TYPICAL_SET_COOKIES),
            &TYPICAL_SET_COOKIES[..3],
        );
        // The response sets the consent cookie (rule 1): the visitor's new
        // choice, as the request carried it, decides.
        let pairs: Vec<&str> = case
            .cookie_header
            .split("; ")
            .filter(|pair| {
                let name = pair.split('=').next().unwrap_or_default();
                case.policy.category_of(name) == Some("necessary")
                    && !["sessionid", "csrftoken", "django_language"].contains(&name)
            })
            .collect();
        assert!(!pairs.is_empty(), "{}", case.format);
        let mut lines: Vec<String> = pairs
            .iter()
            .map(|pair| format!("{pair}; Path=/; Max-Age=31536000; SameSite=Lax"))
            .collect();
        lines.extend(
            TYPICAL_SET_COOKIES[2..]
                .iter()
                .map(|line| (*line).to_owned()),
        );
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let kept: Vec<&str> = lines[..pairs.len() + 1].to_vec();
        assert_no_allocation_with(&case.policy, &[], &support::response(&lines), &kept);
    }
}

/// Known cookies: the policy-size policies with the database mapped, on
/// a response with names that only the database knows. The lookup walks
/// one matcher that holds both, so it costs no allocation either, whatever
/// the policy's size.
#[test]
fn known_cookies() {
    let response = support::known_cookies_response();
    let kept: Vec<String> = support::set_cookies(&response)
        .into_iter()
        .filter(|line| {
            support::KNOWN_COOKIES_KEPT.contains(&line.split('=').next().unwrap_or_default())
        })
        .collect();
    let kept = lines_str(&kept);
    assert_eq!(kept.len(), support::KNOWN_COOKIES_KEPT.len());
    for size in [10, 10_000] {
        let policy = support::known_policy_of_size(size);
        assert_no_allocation_with(&policy, &[STATISTICS], &response, &kept);
        // A first visit: the known trackers are stripped.
        assert_no_allocation_with(&policy, &[], &response, &kept[..2]);
    }
}

/// A response whose header map is exactly full: one more header name
/// would make it grow. The distinct names go in after the `Set-Cookie`
/// lines, because `HeaderMap::append` grows a full map even for a name it
/// already holds.
fn full_response(set_cookies: &[&str]) -> Response<()> {
    let mut res = support::response(set_cookies);
    let headers = res.headers_mut();
    let mut index = 0;
    while !(headers.capacity() >= 24 && headers.keys_len() == headers.capacity()) {
        let name = HeaderName::from_bytes(format!("x-fill-{index}").as_bytes())
            .expect("valid header name");
        headers.insert(name, HeaderValue::from_static("1"));
        index += 1;
    }
    res
}

/// Whether adding one more header name to `headers` allocates (on a copy).
fn one_more_name_allocates(headers: &HeaderMap) -> bool {
    let mut copy = headers.clone();
    let capacity = copy.capacity();
    let (count, _) =
        allocations_in(|| copy.insert(header::ETAG, HeaderValue::from_static("\"1\"")));
    count > 0 && copy.capacity() > capacity
}

#[test]
fn full_header_map() {
    let template = full_response(&TYPICAL_SET_COOKIES);
    let headers = template.headers();
    assert_eq!(headers.keys_len(), headers.capacity());
    assert!(one_more_name_allocates(headers));
    // The prepared responses are clones: they are full too.
    let clone = headers.clone();
    assert_eq!(clone.keys_len(), clone.capacity());
    assert!(one_more_name_allocates(&clone));

    assert_no_allocation(&[STATISTICS], &template, &TYPICAL_SET_COOKIES[..3]);
    assert_no_allocation(&[], &template, &TYPICAL_SET_COOKIES[..2]);
    let one = full_response(&[TYPICAL_SET_COOKIES[3], TYPICAL_SET_COOKIES[1]]);
    assert_no_allocation(&[STATISTICS], &one, &[TYPICAL_SET_COOKIES[1]]);
}

/// The typical page's cookies (10 pairs) with its unknown names declared:
/// every cookie is one the consent covers.
fn steady_cookies(consent: &str) -> String {
    support::typical_cookie_header(consent)
}

/// The seed policy plus the typical page's own cookies, so that a typical
/// request carries nothing unknown.
fn typical_policy() -> Policy {
    support::typical_policy()
}

/// Allocations of one call through the layer minus the floor's, with the
/// lines the layer's response ends with and the `Cookie` headers the
/// application saw.
fn layer_extra(
    policy: &Policy,
    req: &Request<()>,
    template: &Response<()>,
) -> (u64, Vec<String>, Vec<String>) {
    let floor = call_allocations(Row::Floor, policy, req, template);
    let layer = call_allocations(Row::Layer, policy, req, template);
    assert_eq!(floor.count, EXTENSION_ALLOCATIONS);
    (layer.count - floor.count, layer.kept, layer.seen_cookies)
}

#[test]
fn steady_state_with_hiding_and_purge_on() {
    let policy = typical_policy();
    assert!(policy.purge() && policy.strip_request_cookies());
    let template = support::response(&TYPICAL_SET_COOKIES);
    for consent in ["statistics", "all"] {
        let cookie = steady_cookies(consent);
        let req = request(&[&cookie]);
        let (extra, kept, seen) = layer_extra(&policy, &req, &template);
        assert_eq!(extra, 0, "consent {consent}: kept {kept:?}");
        // Nothing hidden: the application sees the header as sent.
        assert_eq!(seen, std::slice::from_ref(&cookie));
        let (count, _) = filter_allocations(&policy, req.headers(), template.headers());
        assert_eq!(count, 0);
    }
}

/// The inventory's steady state: a response that sets names the policy
/// does not declare (`my_cart`, unknown, and `_ga`, which a policy without
/// the database mapping does not know either). The warm-up calls store
/// them; every later call only counts them, lock-free, without
/// allocating.
#[test]
fn steady_state_with_undeclared_names_already_seen() {
    let policy = typical_policy();
    let mut lines = TYPICAL_SET_COOKIES.to_vec();
    lines.insert(1, "my_cart=3; Path=/");
    lines.push("_ga=GA1.1.1; Path=/; Max-Age=63072000");
    let template = support::response(&lines);
    for consent in ["statistics", "all"] {
        let req = request(&[&steady_cookies(consent)]);
        let (extra, kept, _) = layer_extra(&policy, &req, &template);
        assert_eq!(extra, 0, "consent {consent}: kept {kept:?}");
        assert!(!kept.iter().any(|line| line.starts_with("my_cart")));
    }
}

/// HTTP/2 sends one `Cookie` field per cookie. Up to four fields that hold
/// a category's cookie are kept inline for the purge; a fifth spills the
/// buffer to the heap, once.
#[test]
fn steady_state_over_http2_split_cookie_fields() {
    let policy = Policy::builder()
        .necessary(["sessionid"])
        .category("statistics", ["_pk_id*", "_pk_ses*", "_ga*"])
        .build()
        .unwrap();
    let template = support::response(&TYPICAL_SET_COOKIES);
    let fields = [
        "sessionid=abc",
        "cookies_preferences=statistics",
        "_pk_id.1.1fff=a",
        "_pk_ses.1.1fff=1",
        "_ga=GA1.1.1",
        "_ga_X1=GS1.1",
        "_ga_X2=GS1.2",
    ];
    let (extra, _, seen) = layer_extra(&policy, &request(&fields[..6]), &template);
    assert_eq!(extra, 0, "four category fields");
    assert_eq!(seen, fields[..6]);
    let (extra, _, seen) = layer_extra(&policy, &request(&fields), &template);
    assert_eq!(extra, 1, "five category fields spill once");
    assert_eq!(seen, fields);
}

/// Hiding rewrites the `Cookie` header: the new value's buffer, and the
/// map's room for the values put back.
#[test]
fn hiding_allocates_only_the_rewritten_header() {
    let policy = typical_policy();
    let template = support::response(&TYPICAL_SET_COOKIES);
    // `_hjid` (marketing) is not granted: hidden, and purged.
    let req = request(&["sessionid=abc; _hjid=x; cookies_preferences=statistics"]);
    let no_purge = rebuild(&policy, |b| b.purge(false));
    let (extra, kept, seen) = layer_extra(&no_purge, &req, &template);
    assert_eq!(seen, ["sessionid=abc; cookies_preferences=statistics"]);
    assert_eq!(kept, TYPICAL_SET_COOKIES[..3]);
    assert_eq!(extra, HIDE_ALLOCATIONS, "hiding one cookie");
    // A whole header hidden: nothing to build, the value is dropped.
    let req = request(&["sessionid=abc; cookies_preferences=statistics", "_hjid=x"]);
    let (extra, _, seen) = layer_extra(&no_purge, &req, &template);
    assert_eq!(seen, ["sessionid=abc; cookies_preferences=statistics"]);
    assert_eq!(extra, 0, "a removed header allocates nothing");
}

/// Allocations of hiding one cookie: the new header value's buffer.
const HIDE_ALLOCATIONS: u64 = 1;

/// Purging allocates each deletion line, plus the room the response's
/// header map needs for them.
#[test]
fn purge_allocates_only_its_lines() {
    let policy = typical_policy();
    let no_hiding = rebuild(&policy, |b| b.strip_request_cookies(false));
    let template = support::response(&TYPICAL_SET_COOKIES[..2]);
    let req = request(&["sessionid=abc; _hjid=x; cookies_preferences=statistics"]);
    let (extra, kept, _) = layer_extra(&no_hiding, &req, &template);
    assert_eq!(
        kept,
        [
            TYPICAL_SET_COOKIES[0],
            TYPICAL_SET_COOKIES[1],
            "_hjid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
            "_hjid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=example.com",
        ]
    );
    assert_eq!(extra, PURGE_ONE_NAME_ALLOCATIONS, "purging one name");
}

/// Allocations of purging one name: its two lines' buffers, and the
/// header map's list of extra values growing to take them.
const PURGE_ONE_NAME_ALLOCATIONS: u64 = 3;

/// `policy` rebuilt with `change` applied to a builder holding its
/// cookies.
fn rebuild(
    policy: &Policy,
    change: impl FnOnce(tower_cookie_consent::PolicyBuilder) -> tower_cookie_consent::PolicyBuilder,
) -> Policy {
    let mut builder = Policy::builder().necessary(policy.necessary().iter().cloned());
    for category in policy.categories() {
        let cookies = policy.category_cookies(category).unwrap_or_default();
        builder = builder.category(category, cookies.iter().cloned());
    }
    change(builder).build().unwrap()
}

/// The counter itself works: a test of zero allocations would pass
/// vacuously if it did not.
#[test]
fn counter_counts() {
    let (count, boxed) = allocations_in(|| Box::new(std::hint::black_box(7u64)));
    assert_eq!(*boxed, 7);
    assert_eq!(count, 1);
    let (count, ()) = allocations_in(|| {});
    assert_eq!(count, 0);
}

fn lines_str(lines: &[String]) -> Vec<&str> {
    lines.iter().map(String::as_str).collect()
}
