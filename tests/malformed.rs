//! The malformed-input matrix: hostile or broken `Cookie` and `Set-Cookie`
//! bytes, each with its documented outcome.
//!
//! The outcome is always one of: the consent is read as written (the input
//! is odd but valid), or nothing but the necessary cookies is granted (fail
//! closed). Nothing panics. Work stays bounded: no case asserts a duration;
//! instead the inputs are shaped so that a recursive parser would overflow
//! the stack and a quadratic scan would not finish in any reasonable time.
//!
//! Every exchange below answers with the same four `Set-Cookie` lines: a
//! necessary cookie, a statistics cookie, a marketing cookie and the
//! deletion of a statistics cookie.

mod common;

use std::sync::{Arc, Mutex};

use http::header::{COOKIE, HOST, SET_COOKIE};
use http::{HeaderValue, Request, Response};
use tower::{service_fn, Layer, ServiceExt};
use tower_cookie_consent::{Consent, CookieConsentLayer};

const NECESSARY: &str = "sessionid=s3cr3t; HttpOnly";
const STATISTICS: &str = "_pk_id.1.abcd=42; Max-Age=33696000";
const MARKETING: &str = "_hjid=xyz";
const DELETION: &str = "_pk_ses.1.abcd=; Max-Age=0";

/// What the app sets in every exchange.
const RESPONSE: [&str; 4] = [NECESSARY, STATISTICS, MARKETING, DELETION];
/// Nothing granted: the necessary cookie and the deletion.
const NECESSARY_ONLY: [&str; 2] = [NECESSARY, DELETION];
/// `statistics` granted.
const WITH_STATISTICS: [&str; 3] = [NECESSARY, STATISTICS, DELETION];

/// What the layer decided for one exchange.
struct Outcome {
    kept: Vec<Vec<u8>>,
    consent: Consent,
}

impl Outcome {
    fn kept(&self) -> Vec<String> {
        self.kept
            .iter()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    /// Nothing granted, and the consent cookie not counted as set.
    #[track_caller]
    fn assert_necessary_only(&self) {
        assert_eq!(self.kept(), NECESSARY_ONLY);
        assert!(!self.consent.is_set(), "malformed consent counted as set");
        assert_eq!(self.consent.categories().count(), 0);
    }

    #[track_caller]
    fn assert_statistics(&self) {
        assert_eq!(self.kept(), WITH_STATISTICS);
        assert!(self.consent.is_set());
        assert_eq!(
            self.consent.categories().collect::<Vec<_>>(),
            ["statistics"]
        );
    }
}

/// One request with `request` headers through the layer, in front of an
/// app that answers with `set_cookies` and records the request's `Consent`.
fn exchange(
    request: Vec<(http::HeaderName, HeaderValue)>,
    set_cookies: Vec<HeaderValue>,
) -> Outcome {
    let seen = Arc::new(Mutex::new(None));
    let recorder = seen.clone();
    let app = service_fn(move |req: Request<()>| {
        *recorder.lock().expect("lock") = req.extensions().get::<Consent>().cloned();
        let mut res = Response::new(());
        for value in &set_cookies {
            res.headers_mut().append(SET_COOKIE, value.clone());
        }
        std::future::ready(Ok::<_, std::convert::Infallible>(res))
    });
    let svc = CookieConsentLayer::new(common::seed_policy()).layer(app);
    let mut req = Request::builder().uri("/");
    for (name, value) in request {
        req = req.header(name, value);
    }
    let res = common::ready(svc.oneshot(req.body(()).expect("request"))).expect("infallible");
    let kept = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect();
    let consent = seen
        .lock()
        .expect("lock")
        .take()
        .expect("Consent extension");
    Outcome { kept, consent }
}

fn value(bytes: impl AsRef<[u8]>) -> HeaderValue {
    HeaderValue::from_bytes(bytes.as_ref()).expect("valid header value")
}

fn response() -> Vec<HeaderValue> {
    RESPONSE.iter().map(value).collect()
}

/// The standard exchange with these `Cookie` header values.
fn with_cookies<I: IntoIterator<Item = HeaderValue>>(cookies: I) -> Outcome {
    exchange(
        cookies.into_iter().map(|c| (COOKIE, c)).collect(),
        response(),
    )
}

fn with_consent(consent_value: impl AsRef<[u8]>) -> Outcome {
    let mut cookie = b"cookies_preferences=".to_vec();
    cookie.extend_from_slice(consent_value.as_ref());
    with_cookies([value(cookie)])
}

#[test]
fn the_baseline_grants_what_it_says() {
    // Guards every other test: the valid value is honoured.
    with_consent("statistics").assert_statistics();
    with_cookies([]).assert_necessary_only();
}

// ---------------------------------------------------------------------------
// Empty and separator-only values.

#[test]
fn empty_and_separator_only_cookie_headers() {
    // No cookie at all in the header: nothing granted.
    for header in ["", ";", ";;;", " ; ; ", "=", "=;="] {
        with_cookies([value(header)]).assert_necessary_only();
    }
    // The consent cookie present but empty, or only separators: malformed.
    for consent in ["", " ", ",", "|", ", |  ,", "\"\""] {
        with_consent(consent).assert_necessary_only();
    }
    // An empty header beside a valid one changes nothing.
    with_cookies([value(""), value("cookies_preferences=statistics")]).assert_statistics();
}

#[test]
fn empty_and_separator_only_set_cookie_values() {
    // Chromium stores nothing for an empty header, `;`, `=` or `;a=b`
    // (NoCookieContent) and a nameless cookie for `x`: all are stripped,
    // and the lines around them keep their order.
    let odd = ["", ";", "=", ";a=b", " ", "sessionid", "=sessionid"];
    let mut lines = vec![value(NECESSARY)];
    lines.extend(odd.iter().map(value));
    lines.push(value(DELETION));
    let outcome = exchange(vec![], lines);
    assert_eq!(outcome.kept(), NECESSARY_ONLY);
}

// ---------------------------------------------------------------------------
// Large Cookie headers.

/// A `Cookie` header of about `len` bytes made of ordinary cookies and
/// near-misses of the consent cookie's name, with `consent` inserted at
/// `position` (0.0 = start, 1.0 = end).
fn big_cookie_header(len: usize, consent: Option<(&str, f64)>) -> HeaderValue {
    let decoys = [
        "xcookies_preferences=all",
        "cookies_preferencesx=all",
        "a=cookies_preferences=all",
        "cookies_preferences_=all",
        "b=1 cookies_preferences=all",
    ];
    let mut pairs: Vec<String> = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < len {
        let pair = if i % 7 == 3 {
            decoys[(i / 7) % decoys.len()].to_owned()
        } else {
            format!("c{i:05}=v{}", "x".repeat(i % 40))
        };
        total += pair.len() + 2;
        pairs.push(pair);
        i += 1;
    }
    if let Some((consent, position)) = consent {
        let at = ((pairs.len() as f64) * position) as usize;
        pairs.insert(
            at.min(pairs.len()),
            format!("cookies_preferences={consent}"),
        );
    }
    value(pairs.join("; "))
}

#[test]
fn cookie_headers_of_8_and_64_kilobytes() {
    // Size alone changes nothing: the consent cookie is found at the start,
    // in the middle and at the end, and the near-misses (`xcookies_…`,
    // `…x=`, inside a value) never count. Absent, nothing is granted.
    for len in [8 * 1024, 64 * 1024] {
        for position in [0.0, 0.5, 1.0] {
            let header = big_cookie_header(len, Some(("statistics", position)));
            assert!(header.len() >= len);
            with_cookies([header]).assert_statistics();
        }
        with_cookies([big_cookie_header(len, None)]).assert_necessary_only();
        // A malformed copy anywhere among them: nothing granted.
        let header = big_cookie_header(len, Some(("%zz", 0.5)));
        with_cookies([header]).assert_necessary_only();
    }
}

#[test]
fn thousands_of_cookies_in_the_request() {
    // 5 000 cookies in one header, the consent cookie last.
    let mut pairs: Vec<String> = (0..5_000).map(|i| format!("c{i}={i}")).collect();
    pairs.push("cookies_preferences=statistics".into());
    with_cookies([value(pairs.join("; "))]).assert_statistics();

    // 5 000 `Cookie` headers (HTTP/2 sends one per cookie).
    let mut headers: Vec<HeaderValue> = (0..5_000).map(|i| value(format!("c{i}={i}"))).collect();
    headers.insert(2_500, value("cookies_preferences=statistics"));
    with_cookies(headers).assert_statistics();

    // 5 000 copies of the consent cookie: only what every copy grants,
    // whichever comes first.
    let copies = vec!["cookies_preferences=statistics,marketing"; 5_000].join("; ");
    let narrow = value("cookies_preferences=statistics");
    with_cookies([value(&copies), narrow.clone()]).assert_statistics();
    with_cookies([narrow, value(&copies)]).assert_statistics();
    // One malformed copy among them grants nothing.
    with_cookies([value(&copies), value("cookies_preferences=%")]).assert_necessary_only();
}

#[test]
fn whitespace_before_many_consent_cookies_is_scanned_once() {
    // 4 MiB of spaces, then 131 072 copies of the consent cookie. A reader
    // that re-trims the text before every copy does 2^22 x 2^17 = 5.5e11
    // steps and does not finish; a linear one reads 8 MiB once.
    let mut header = " ".repeat(4 << 20);
    for _ in 0..131_072 {
        header.push_str("cookies_preferences=statistics;");
    }
    with_cookies([value(header)]).assert_statistics();
}

// ---------------------------------------------------------------------------
// Thousands of Set-Cookie headers.

#[test]
fn thousands_of_set_cookie_headers_keep_their_order() {
    // 5 000 lines cycling through every kind; `statistics` granted. The
    // kept ones come out in their original order, byte for byte, well past
    // the 64 lines the filter decides in its first pass.
    let kinds = [
        "sessionid={i}",
        "_pk_id.{i}=x",
        "_hjid={i}",
        "__hs_{i}=; Max-Age=0",
        "unknown{i}=1",
        "x{i}",
        "__hssc={i}; Max-Age=100",
    ];
    let lines: Vec<String> = (0..5_000)
        .map(|i| kinds[i % kinds.len()].replace("{i}", &i.to_string()))
        .collect();
    let expected: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| matches!(i % kinds.len(), 0 | 1 | 3))
        .map(|(_, l)| l.clone())
        .collect();
    let outcome = exchange(
        vec![(COOKIE, value("cookies_preferences=statistics"))],
        lines.iter().map(value).collect(),
    );
    assert_eq!(outcome.kept(), expected);

    // Nothing to strip: all 5 000 come back untouched, in order.
    let necessary: Vec<String> = (0..5_000).map(|i| format!("sessionid={i}")).collect();
    let outcome = exchange(vec![], necessary.iter().map(value).collect());
    assert_eq!(outcome.kept(), necessary);

    // Everything stripped.
    let tracked: Vec<HeaderValue> = (0..5_000).map(|i| value(format!("_hjid={i}"))).collect();
    assert!(exchange(vec![], tracked).kept.is_empty());
}

// ---------------------------------------------------------------------------
// Control characters.

#[test]
fn the_http_crate_refuses_nul_del_cr_and_lf() {
    // A value built through `http`'s checked constructors never holds these
    // bytes, so only an upstream that skipped validation can send them (see
    // `unchecked` below, which needs a release build: `http` asserts on them
    // in debug builds).
    for bad in [
        &b"sessionid=a\0b"[..],
        b"sessionid=ab\x7f",
        b"sessionid=a\rSet-Cookie: _hjid=x",
        b"sessionid=a\nSet-Cookie: _hjid=x",
        b"sessionid=a\x01",
        b"\x0bsessionid=a",
    ] {
        assert!(
            HeaderValue::from_bytes(bad).is_err(),
            "{}",
            bad.escape_ascii()
        );
    }
    // HTAB is a legal header byte. Around the name or the value it is
    // trimmed; inside a name it makes the cookie nameless to the layer.
    let lines = [
        "\tsessionid\t=\ts3cr3t\t",
        "session\tid=1",
        "_hjid\t=x",
        "_pk_id.1\t=; Max-Age=0",
    ];
    let outcome = exchange(vec![], lines.iter().map(value).collect());
    assert_eq!(outcome.kept(), [lines[0], lines[3]]);
}

#[test]
fn control_characters_in_the_consent_value() {
    // Only HTAB can reach the layer through `http`; around the value it is
    // trimmed, as a browser trims it.
    with_consent("\tstatistics\t").assert_statistics();
    // Percent-encoded control characters decode to bytes no banner writes.
    for consent in [
        "statistics%00",
        "statistics%7F",
        "%0Astatistics",
        "stat%01istics",
    ] {
        with_consent(consent).assert_necessary_only();
    }
    // The name broken by an encoded byte is another cookie.
    with_cookies([value("cookies_pre%00ferences=statistics")]).assert_necessary_only();
}

/// Hostile upstream bytes, through the unchecked constructor that `http`
/// only allows without debug assertions: `cargo test --release`.
#[cfg(not(debug_assertions))]
mod unchecked {
    use super::*;

    fn unchecked(bytes: &[u8]) -> HeaderValue {
        // SAFETY: `from_maybe_shared_unchecked` only requires valid header
        // bytes to uphold `HeaderValue`'s own invariants for HTTP output;
        // these values never leave the process, they stand for what a
        // careless upstream hands the layer.
        #[allow(unsafe_code)]
        unsafe {
            HeaderValue::from_maybe_shared_unchecked(bytes::Bytes::copy_from_slice(bytes))
        }
    }

    #[test]
    fn set_cookie_lines_with_control_characters_are_stripped() {
        // Chromium refuses a line with a CTL anywhere (NUL fails the whole
        // response; CR or LF would start a new header line on the wire), so
        // the layer strips it even for a necessary name, even as a deletion,
        // even for the consent cookie (which then decides nothing).
        let mut lines = vec![unchecked(NECESSARY.as_bytes())];
        for bad in [
            &b"sessionid=a\0b"[..],
            b"sessionid=ab\x7f",
            b"sessionid=a\rSet-Cookie: _hjid=x",
            b"sessionid=a\nSet-Cookie: _hjid=x",
            b"sessionid=a; Path=/\x01",
            b"\x0bsessionid=a",
            b"_hjid=; Max-Age=0\0",
            b"_hjid=\x1f; Max-Age=0",
            b"cookies_preferences=all\0",
            b"cookies_preferences=all; Path=/\r\n",
            b"\0",
            b"\x7f=1",
        ] {
            lines.push(unchecked(bad));
        }
        lines.extend([
            unchecked(STATISTICS.as_bytes()),
            unchecked(DELETION.as_bytes()),
        ]);
        let outcome = exchange(vec![], lines);
        assert_eq!(outcome.kept(), NECESSARY_ONLY);
    }

    #[test]
    fn cookie_headers_with_control_characters() {
        // A control character in the consent value: malformed.
        for bad in [
            &b"cookies_preferences=statistics\0"[..],
            b"cookies_preferences=stat\x7fistics",
        ] {
            with_cookies([unchecked(bad)]).assert_necessary_only();
        }
        // Inside the name, it is another cookie: absent.
        with_cookies([unchecked(b"cookies_pre\0ferences=statistics")]).assert_necessary_only();
    }
}

// ---------------------------------------------------------------------------
// Invalid UTF-8 and broken percent-encoding.

#[test]
fn invalid_utf8_in_the_consent_value() {
    // Category names are text; bytes that are not UTF-8, raw or escaped,
    // did not come from a banner: malformed.
    for consent in [
        &b"\xff\xfe"[..],
        b"statistics\xff",
        b"statistics,\xc3",
        b"[\"statistics\",\"\xff\"]",
        b"{\"statistics\":true,\"\xc0\xaf\":true}",
    ] {
        with_consent(consent).assert_necessary_only();
    }
    for consent in [
        "%FF",
        "statistics%FF",
        "statistics%2C%C3",
        "%C0%AFstatistics",
        "%ED%A0%80",
        "%7B%22statistics%22%3Atrue%2C%22x%22%3A%22%FF%22%7D",
    ] {
        with_consent(consent).assert_necessary_only();
    }
    // Valid UTF-8 beyond ASCII is fine where it is only an unknown name.
    with_consent("statistics,caf%C3%A9").assert_statistics();
}

#[test]
fn invalid_utf8_in_set_cookie() {
    // Names are bytes (Chromium stores them as sent): a necessary name with
    // a non-UTF-8 value passes; a name that is not declared is unknown and
    // stripped; a Latin-1 look-alike of a necessary name is another name.
    let lines = [
        &b"sessionid=\xff\xfe"[..],
        b"_hjid\xff=1",
        b"\xff=1",
        b"sessionid\xa0=1",
        b"\xc2\xa0sessionid=1",
        b"_pk_id.\xff=1",
    ];
    let outcome = exchange(
        vec![(COOKIE, value("cookies_preferences=statistics"))],
        lines.iter().map(value).collect(),
    );
    assert_eq!(outcome.kept, [lines[0], lines[5]]);
}

#[test]
fn broken_percent_escapes() {
    // `decodeURIComponent` refuses these: malformed.
    for consent in [
        "%",
        "%4",
        "%zz",
        "%4g",
        "statistics%",
        "statistics%2",
        "%%32%35",
    ] {
        with_consent(consent).assert_necessary_only();
    }
    // Encoded twice: the `%` left after one decoding makes it malformed.
    with_consent("statistics%252Cmarketing").assert_necessary_only();
    with_consent("%255B%2522statistics%2522%255D").assert_necessary_only();
    // Encoded once, every form is read.
    with_consent("%5B%22statistics%22%5D").assert_statistics();
    with_consent("%7B%22statistics%22%3Atrue%7D").assert_statistics();
    // `+` is not a space: `statistics+marketing` names one unknown category.
    let outcome = with_consent("statistics+marketing");
    assert_eq!(outcome.kept(), NECESSARY_ONLY);
    assert!(outcome.consent.is_set());
}

// ---------------------------------------------------------------------------
// Deep and huge JSON, huge values.

/// `{"statistics":true,"x":[[…1…]]}` with `depth` levels in all.
fn nested(depth: usize) -> String {
    format!(
        "{{\"statistics\":true,\"x\":{}1{}}}",
        "[".repeat(depth - 1),
        "]".repeat(depth - 1)
    )
}

#[test]
fn deeply_nested_json() {
    // 32 levels is the most a consent value may have; 33 is malformed.
    with_consent(nested(32)).assert_statistics();
    with_consent(nested(33)).assert_necessary_only();
    // 1 000 levels (about 2 KB, under the size cap): malformed, and a
    // recursive parser would use a thousand frames here.
    with_consent(nested(1_000)).assert_necessary_only();
    with_consent(format!("{}{}", "[".repeat(2_000), "]".repeat(2_000))).assert_necessary_only();
    // 100 000 levels: malformed. A recursive parser without the size cap
    // would overflow the stack.
    with_consent(nested(100_000)).assert_necessary_only();
    with_consent("%5B".repeat(100_000)).assert_necessary_only();
    // Unclosed: 4 000 openers and nothing else.
    with_consent("{\"a\":".repeat(600)).assert_necessary_only();
}

#[test]
fn huge_json_objects() {
    // A value of exactly 4096 bytes is read: 4 KB of members, the
    // statistics grant last.
    let object = |len: usize| {
        let tail = ",\"statistics\":true}";
        let mut text = String::from("{\"m\":0");
        let mut i = 0;
        loop {
            let member = format!(",\"m{i}\":true");
            let room = len - text.len() - tail.len();
            if room < member.len() + 5 {
                // One last member, its name padded to land on `len`.
                text.push_str(&format!(",\"{}\":0", "p".repeat(room - 5)));
                break;
            }
            text.push_str(&member);
            i += 1;
        }
        text.push_str(tail);
        assert_eq!(text.len(), len);
        text
    };
    with_consent(object(4096)).assert_statistics();
    // One byte more: browsers never store it, so it grants nothing.
    with_consent(object(4097)).assert_necessary_only();
}

#[test]
fn a_consent_value_of_one_megabyte() {
    // Grants nothing, whatever it holds.
    with_consent("statistics,".repeat(100_000)).assert_necessary_only();
    with_consent(format!(
        "{{\"statistics\":true,\"p\":\"{}\"}}",
        "x".repeat(1 << 20)
    ))
    .assert_necessary_only();
    with_consent("%41".repeat(350_000)).assert_necessary_only();
    // The same value set by the response (the visitor just chose): it
    // would not be stored, so it decides nothing and the request's
    // consent stands.
    let lines = vec![
        value(format!(
            "cookies_preferences={}",
            "statistics,".repeat(100_000)
        )),
        value(NECESSARY),
        value(STATISTICS),
        value(MARKETING),
    ];
    let consent_line = lines[0].as_bytes().to_vec();
    let outcome = exchange(vec![], lines);
    assert_eq!(outcome.kept, [consent_line, NECESSARY.as_bytes().to_vec()]);
}

// ---------------------------------------------------------------------------
// The Host header.

#[test]
fn huge_and_odd_host_headers() {
    // The host only matters when the response sets the consent cookie with
    // a `Domain`; the request's own consent decides regardless of it.
    for host in [
        "a".repeat(1 << 20),
        format!("example.com:{}", "9".repeat(1 << 20)),
        format!("[{}", ":".repeat(100_000)),
        format!("{}.example.com", "x.".repeat(50_000)),
        " ".repeat(10_000),
        String::new(),
    ] {
        let host = value(host);
        let outcome = exchange(vec![(HOST, host.clone())], response());
        outcome.assert_necessary_only();
        let outcome = exchange(
            vec![
                (HOST, host),
                (COOKIE, value("cookies_preferences=statistics")),
            ],
            response(),
        );
        outcome.assert_statistics();
    }
    // Invalid UTF-8 in the host.
    exchange(vec![(HOST, value(b"\xff\xfe.example"))], response()).assert_necessary_only();

    // A consent cookie set by the response for a `Domain` the request's
    // host does not match would not be stored: it decides nothing.
    let lines = || {
        let mut lines = vec![value("cookies_preferences=statistics; Domain=example.com")];
        lines.extend(response());
        lines
    };
    let outcome = exchange(vec![(HOST, value("evil.test"))], lines());
    assert_eq!(&outcome.kept()[1..], NECESSARY_ONLY);
    let outcome = exchange(vec![(HOST, value("www.example.com:8080"))], lines());
    assert_eq!(&outcome.kept()[1..], WITH_STATISTICS);
}
