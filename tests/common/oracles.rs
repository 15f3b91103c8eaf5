//! The fuzz targets' bodies: the checks every fuzz input must pass.
//!
//! The targets in `fuzz/` are one-line wrappers around these functions
//! (they include this file), and `tests/fuzz_replay.rs` runs the very same
//! bodies on the committed seeds with `cargo test`, on a stable toolchain
//! and without sanitizers. Each one panics when an invariant breaks; "no
//! panic" alone proves little, so every body checks what the crate promises
//! about its output, mostly through the public API, and through
//! `tower_cookie_consent::internals` only where a parser is checked on its
//! own.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use http::header::{CONTENT_TYPE, COOKIE, HOST, SET_COOKIE};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, Uri};
use tower::Service;
use tower_cookie_consent::internals::{
    self, cookie_name, parse_cookie_date, read_consent_cookies, read_consent_value,
};
use tower_cookie_consent::{Consent, ConsentFormat, CookieConsent, Policy, UnknownCookies};

/// Whether a browser would delete with `line` when the host is unknown, as
/// the filter decides it.
fn set_cookie_is_deletion(line: &[u8], now: i64) -> bool {
    internals::is_deletion(line, &Uri::default(), &HeaderMap::new(), now)
}

/// Browsers refuse a cookie whose name and value exceed 4096 bytes, so a
/// longer consent value never came from a banner and must grant nothing.
const BROWSER_COOKIE_LIMIT: usize = 4096;

/// The earliest and latest instants a cookie-date can name: 1601-01-01
/// 00:00:00 and 9999-12-31 23:59:59 UTC (RFC 6265 section 5.1.1 refuses
/// years before 1601; a year has at most four digits).
const EARLIEST_COOKIE_DATE: i64 = -11_644_473_600;
const LATEST_COOKIE_DATE: i64 = 253_402_300_799;

/// The instants the deletion checks are asked about: both ends of the
/// range, the epoch, and a recent date.
const NOW_SAMPLES: [i64; 5] = [i64::MIN, -1, 0, 1_700_000_000, i64::MAX];

/// The most `Set-Cookie` lines one service input produces: well past the
/// 64 lines the filter decides in its bitmap, and bounded so an input of
/// empty lines stays cheap.
const MAX_FUZZ_LINES: usize = 600;

/// The byte that separates the `Cookie` header and the `Set-Cookie` lines
/// in a [`fuzz_service`] input.
pub const FUZZ_LINE_SEPARATOR: u8 = 0xff;

/// The policies every input runs against: the seed policy, the Opendatasoft
/// preset, and one with a `__Host-` consent cookie, overlapping exact names
/// and prefixes and unknown cookies allowed.
pub fn fuzz_policies() -> &'static [Policy; 3] {
    static POLICIES: OnceLock<[Policy; 3]> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let seed = Policy::builder()
            .necessary(["sessionid", "csrftoken", "django_language"])
            .category("statistics", ["_pk_id*", "_pk_ses*"])
            .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
            .build()
            .expect("the seed policy is valid");
        let host_prefixed = Policy::builder()
            .consent_cookie("__Host-consent")
            .necessary(["sid", "__Secure-session*"])
            .category("statistics", ["_ga", "_ga_*", "_pk_*"])
            .category("marketing", ["_pk_ref", "_fb*", "_fbp"])
            .category("empty", Vec::<String>::new())
            .unknown_cookies(UnknownCookies::Allow)
            .gpc(["marketing"])
            .purge_limit(3)
            .build()
            .expect("the fuzz policy is valid");
        let ods = rebuild(&Policy::opendatasoft(), |b| b.gpc(["ga", "xiti"]));
        [seed, ods, host_prefixed]
    })
}

/// One policy per consent-banner format, and two more: Cookiebot with
/// `-1` granting everything, and a revision for each format that carries
/// one. The aliases cover the names the banners report (OneTrust groups,
/// TCF purposes, Klaro services, GOV.UK and CookieYes keys), several of
/// them mapping to one category, so that the refusal-wins rule is reached.
pub fn fuzz_format_policies() -> &'static [Policy] {
    static POLICIES: OnceLock<Vec<Policy>> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let base = |format: ConsentFormat| {
            Policy::builder()
                .consent_format(format)
                .necessary(["sessionid"])
                .category("preferences", ["lang_pref"])
                .category("statistics", ["_pk_id*"])
                .category("marketing", ["_fbp", "_hjid"])
                .category("empty", Vec::<String>::new())
                .alias("C0002", "statistics")
                .alias("C0003", "preferences")
                .alias("C0004", "marketing")
                .alias("C0005", "marketing")
                .alias("purpose:1", "preferences")
                .alias("purpose:8", "statistics")
                .alias("purpose:4", "marketing")
                .alias("special_feature:1", "marketing")
                .alias("matomo", "statistics")
                .alias("google-analytics", "statistics")
                .alias("youtube", "preferences")
                .alias("usage", "statistics")
                .alias("analytics", "statistics")
                .alias("campaigns", "marketing")
                .alias("functional", "preferences")
                .alias("advertisement", "marketing")
        };
        let mut policies: Vec<Policy> = ConsentFormat::ALL
            .iter()
            .copied()
            .filter(|&format| format != ConsentFormat::Auto)
            .map(|format| base(format).build().expect("a valid format policy"))
            .collect();
        policies.push(
            base(ConsentFormat::Cookiebot)
                .cookiebot_unregulated_grants_all(true)
                .build()
                .expect("a valid format policy"),
        );
        for format in [
            ConsentFormat::Cookiebot,
            ConsentFormat::Orestbida,
            ConsentFormat::Complianz,
        ] {
            let policy = base(format).revision(2).build();
            policies.push(policy.expect("a valid format policy"));
        }
        policies
    })
}

/// Each fuzz policy with purge off: the lines it keeps are the ones the
/// layer with purge keeps before the deletions it appends.
fn filter_only_policies() -> &'static [Policy; 3] {
    static POLICIES: OnceLock<[Policy; 3]> = OnceLock::new();
    POLICIES.get_or_init(|| {
        fuzz_policies()
            .clone()
            .map(|p| rebuild(&p, |b| b.purge(false)))
    })
}

/// `policy` with its cookies and settings, and `change` applied.
fn rebuild(
    policy: &Policy,
    change: impl FnOnce(tower_cookie_consent::PolicyBuilder) -> tower_cookie_consent::PolicyBuilder,
) -> Policy {
    let mut builder = Policy::builder()
        .consent_cookie(policy.consent_cookie())
        .necessary(policy.necessary().iter().cloned())
        .unknown_cookies(policy.unknown_cookies())
        .purge(policy.purge())
        .purge_limit(policy.purge_limit())
        .strip_request_cookies(policy.strip_request_cookies())
        .gpc(
            policy
                .gpc_categories()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        )
        .gpc_explicit_choice_wins(policy.gpc_explicit_choice_wins());
    for category in policy.categories() {
        builder = builder.category(category.name(), category.cookies().iter().cloned());
    }
    change(builder)
        .build()
        .expect("a policy rebuilt from a valid one")
}

/// Fuzz body for the consent-value readers: the default format against
/// every fuzz policy, then every banner's format.
///
/// Checks, for the default format: the value grants only categories of the
/// policy; reading twice gives the same answer; a value over 4096 bytes
/// grants nothing; the same value read from a `Cookie` header gives the
/// same answer; wrapping it in double quotes or percent-encoding every byte
/// changes nothing. For every banner's format: see [`check_format_value`].
pub fn fuzz_consent_value(value: &[u8]) {
    for policy in fuzz_policies() {
        check_consent_value(policy, value);
    }
    for policy in fuzz_format_policies() {
        check_format_value(policy, value);
    }
}

/// Checks one input against a banner format's policy, twice: as the value
/// of the format's consent cookie, and as a whole `Cookie` header (which
/// reaches the formats spread over several cookies and GOV.UK's fallback).
/// Each read never panics, grants only the policy's categories, and gives
/// the same answer twice; a value over 4096 bytes grants nothing; the
/// header read from a `HeaderMap` by `Consent::from_headers` agrees; one
/// pair of double quotes around a value changes nothing.
fn check_format_value(policy: &Policy, value: &[u8]) {
    let declared: Vec<&str> = policy.categories().map(|c| c.name()).collect();
    let check = |header: &[u8]| {
        let grants = read_consent_cookies(policy, header);
        assert_eq!(
            grants,
            read_consent_cookies(policy, header),
            "{}: reading twice differs",
            policy.consent_format()
        );
        if let Some(grants) = &grants {
            assert!(
                grants.iter().all(|name| declared.contains(name)),
                "{}: grants a category the policy does not have",
                policy.consent_format()
            );
        }
        assert_header_reads(policy, header, &grants);
        grants
    };

    check(value);
    if policy.consent_format() == ConsentFormat::Complianz || value.contains(&b';') {
        return;
    }
    let name = policy.consent_cookie().as_bytes();
    let header = |value: &[u8]| {
        let mut header = name.to_vec();
        header.push(b'=');
        header.extend_from_slice(value);
        header
    };
    let grants = check(&header(value));
    let trimmed = trim_sp_htab(value);
    if trimmed.len() > BROWSER_COOKIE_LIMIT {
        assert_eq!(grants, None, "a value over 4096 bytes must grant nothing");
    }
    if !trimmed.starts_with(b"\"")
        && !trimmed.ends_with(b"\"")
        && trimmed.len() + 2 <= BROWSER_COOKIE_LIMIT
    {
        let mut quoted = vec![b'"'];
        quoted.extend_from_slice(trimmed);
        quoted.push(b'"');
        assert_eq!(
            check(&header(&quoted)),
            grants,
            "{}: one pair of double quotes changed the answer",
            policy.consent_format()
        );
    }
}

fn check_consent_value(policy: &Policy, value: &[u8]) {
    let grants = read_consent_value(policy, value);
    assert_eq!(
        grants,
        read_consent_value(policy, value),
        "reading twice differs"
    );
    if let Some(grants) = &grants {
        let declared: Vec<&str> = policy.categories().map(|c| c.name()).collect();
        assert!(
            grants.iter().all(|name| declared.contains(name)),
            "grants a category the policy does not have"
        );
    }
    let trimmed = trim_sp_htab(value);
    if trimmed.len() > BROWSER_COOKIE_LIMIT {
        assert_eq!(grants, None, "a value over 4096 bytes must grant nothing");
    }

    // The request reader finds the value between `name=` and the next `;`.
    if !value.contains(&b';') {
        let mut header = format!("{}=", policy.consent_cookie()).into_bytes();
        header.extend_from_slice(value);
        assert_header_reads(policy, &header, &grants);
    }

    let quote_wrapped = matches!(trimmed, [b'"', .., b'"']);
    if !trimmed.starts_with(b"\"")
        && !trimmed.ends_with(b"\"")
        && trimmed.len() + 2 <= BROWSER_COOKIE_LIMIT
    {
        let mut quoted = Vec::with_capacity(trimmed.len() + 2);
        quoted.push(b'"');
        quoted.extend_from_slice(trimmed);
        quoted.push(b'"');
        assert_eq!(
            read_consent_value(policy, &quoted),
            grants,
            "one pair of double quotes changed the answer"
        );
    }
    if !trimmed.contains(&b'%') && !quote_wrapped && trimmed.len() * 3 <= BROWSER_COOKIE_LIMIT {
        assert_eq!(
            read_consent_value(policy, &percent_encode_all(trimmed)),
            grants,
            "percent-encoding every byte changed the answer"
        );
    }
}

/// When `header` is a valid `Cookie` header value, `Consent::from_headers`
/// reads from it what the value reader found: `grants`, or nothing and not
/// set for `None`.
fn assert_header_reads(policy: &Policy, header: &[u8], grants: &Option<Vec<&str>>) {
    let Ok(header) = HeaderValue::from_bytes(header) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, header);
    let consent = Consent::from_headers(policy, &headers);
    assert_eq!(
        (consent.categories().collect::<Vec<_>>(), consent.is_set()),
        (grants.clone().unwrap_or_default(), grants.is_some()),
        "{}: the Cookie header reader and the value reader disagree",
        policy.consent_format()
    );
}

/// `%XX` for every byte, alternating upper- and lowercase hex digits.
fn percent_encode_all(bytes: &[u8]) -> Vec<u8> {
    const UPPER: &[u8; 16] = b"0123456789ABCDEF";
    const LOWER: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 3);
    for (i, &b) in bytes.iter().enumerate() {
        let digits = if i % 2 == 0 { UPPER } else { LOWER };
        out.extend_from_slice(&[
            b'%',
            digits[usize::from(b >> 4)],
            digits[usize::from(b & 0xf)],
        ]);
    }
    out
}

/// Fuzz body for the `Set-Cookie` scanner and the cookie-date parser.
///
/// Checks: the name, if any, is a non-empty subslice of the line before the
/// first `;`, trimmed of SP/HTAB, without `=`, `;` or control characters,
/// and equals what a plain reading of RFC 6265bis 5.6 gives; the deletion
/// check never panics, never holds for a line with a control character
/// other than HTAB, and once true stays true as time passes; a parsed date
/// lies between 1601 and 9999, and an `Expires` of that date deletes exactly
/// when it is not after now.
pub fn fuzz_set_cookie(line: &[u8]) {
    let name = cookie_name(line);
    let pair = match line.iter().position(|&b| b == b';') {
        Some(end) => &line[..end],
        None => line,
    };
    let expected = pair
        .iter()
        .position(|&b| b == b'=')
        .map(|eq| trim_sp_htab(&pair[..eq]))
        .filter(|name| !name.is_empty() && !name.iter().any(|&b| b < 0x20 || b == 0x7f));
    assert_eq!(name, expected, "the name differs from RFC 6265bis 5.6");
    if let Some(name) = name {
        let start = (name.as_ptr() as usize).wrapping_sub(line.as_ptr() as usize);
        assert!(
            start <= pair.len() && name.len() <= pair.len() - start,
            "the name is not a part of the name-value pair"
        );
        assert!(!name.is_empty());
        assert!(!matches!(name[0], b' ' | b'\t'));
        assert!(!matches!(name[name.len() - 1], b' ' | b'\t'));
        assert!(
            !name
                .iter()
                .any(|&b| matches!(b, b'=' | b';') || b < 0x20 || b == 0x7f),
            "the name holds `=`, `;` or a control character"
        );
    }

    let has_ctl = line.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f);
    let mut deleted_before = false;
    for now in NOW_SAMPLES {
        let deletes = set_cookie_is_deletion(line, now);
        assert!(
            !(has_ctl && deletes),
            "a line with a control character deletes"
        );
        assert_eq!(
            deletes,
            internals::is_deletion_full_parse(line, &Uri::default(), &HeaderMap::new(), now),
            "the fast expiry scan and the full parse disagree"
        );
        assert!(
            !deleted_before || deletes,
            "a deletion stopped deleting later"
        );
        deleted_before = deletes;
    }
    if deleted_before {
        let lower = line.to_ascii_lowercase();
        assert!(
            contains(&lower, b"max-age") || contains(&lower, b"expires"),
            "a deletion without Max-Age or Expires"
        );
    }

    let date = parse_cookie_date(line);
    assert_eq!(date, parse_cookie_date(line), "parsing twice differs");
    assert_eq!(
        date,
        internals::parse_cookie_date_general(line),
        "the fixed-offset date path and the general algorithm disagree"
    );
    // SP and HTAB are date delimiters: trimming them changes nothing.
    assert_eq!(
        date,
        parse_cookie_date(trim_sp_htab(line)),
        "trimming changed the date"
    );
    if let Some(date) = date {
        assert!(
            (EARLIEST_COOKIE_DATE..=LATEST_COOKIE_DATE).contains(&date),
            "date {date} out of range"
        );
    }
    // The same bytes as an `Expires` attribute, where nothing else can
    // refuse the line.
    let attribute = trim_sp_htab(line);
    if !attribute
        .iter()
        .any(|&b| b == b';' || b < 0x20 || b == 0x7f)
        && attribute.len() <= 1024
    {
        let mut with_expires = b"a=b; Expires=".to_vec();
        with_expires.extend_from_slice(attribute);
        for now in NOW_SAMPLES {
            assert_eq!(
                set_cookie_is_deletion(&with_expires, now),
                date.is_some_and(|date| date <= now),
                "Expires and the date parser disagree at {now}"
            );
        }
    }
}

/// Fuzz body for the whole layer, on header values that
/// [`HeaderValue::from_bytes`] accepts. See [`fuzz_service_with`].
pub fn fuzz_service(data: &[u8]) -> FuzzServiceOutcome {
    fuzz_service_with(data, None)
}

/// Builds a header value from bytes that [`HeaderValue::from_bytes`]
/// refuses, as an upstream that skipped validation would.
pub type UncheckedHeaderValue = fn(&[u8]) -> HeaderValue;

/// What one [`fuzz_service`] input exercised, so that a test can check that
/// a corpus reaches both outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FuzzServiceOutcome {
    /// `Set-Cookie` lines in the response.
    pub lines: usize,
    /// Lines the layer kept.
    pub kept: usize,
    /// Lines that only the unchecked constructor could build.
    pub unchecked: usize,
    /// Deletion lines the layer appended (purge).
    pub purged: usize,
    /// Request cookies hidden from the inner service.
    pub hidden: usize,
}

/// Fuzz body for the whole layer: one request through [`CookieConsent`] in
/// front of a service that answers with the input's `Set-Cookie` lines.
///
/// Input: one flags byte, then the request's `Cookie` header and the
/// response's `Set-Cookie` lines, separated by [`FUZZ_LINE_SEPARATOR`].
/// Flags: bits 0-1 pick the policy, bits 2-3 the request target (path only,
/// `http://` URI, `https://` URI, `Host` header with a port), bit 4 splits
/// the `Cookie` header at `; ` into several headers (as HTTP/2 sends them),
/// bit 5 keeps bytes that `from_bytes` refuses when `unchecked` is given
/// (otherwise such a header is left out), bit 6 adds `Sec-GPC: 1`.
///
/// Request side: the inner service sees every header but `Cookie` as sent,
/// and `Cookie` headers that hold an in-order subset of the original pairs,
/// byte for byte, missing exactly the pairs of a category the request's
/// consent (`Sec-GPC` applied) does not grant and, under
/// [`UnknownCookies::Strip`], the names the policy does not list (a pair
/// with bytes a header cannot hold may go too): never the consent cookie or
/// a necessary cookie.
///
/// Response side: the output `Set-Cookie` list is the list the same policy
/// with purge off keeps, then the appended deletions. Those are deletions
/// by the crate's own check, of names the request carried that the policy
/// places in a category, neither granted by the request's consent (unless
/// the response sets the consent cookie) nor set by a kept line, each name
/// once, at most the purge limit of names, and never with a control
/// character, `SameSite`, `HttpOnly` or `Partitioned`.
///
/// The kept lines:
/// Checks: the output `Set-Cookie` list is a subsequence of the input; every
/// kept line is the consent cookie, a necessary cookie, a deletion (by the
/// crate's own deletion check), a cookie of a category the request or the
/// response's consent cookie grants, or an unknown cookie under
/// [`UnknownCookies::Allow`]; no kept line holds a control character other
/// than HTAB; conversely none of those (without control characters) is
/// stripped when the response does not set the consent cookie; every other
/// header, the status and the request seen by the inner service are
/// untouched; when nothing is stripped the header map is untouched; and the
/// layer agrees with [`Policy::filter_response`].
pub fn fuzz_service_with(
    data: &[u8],
    unchecked: Option<UncheckedHeaderValue>,
) -> FuzzServiceOutcome {
    let (&flags, rest) = data.split_first().unwrap_or((&0, &[]));
    let policies = fuzz_policies();
    let policy = &policies[usize::from(flags & 0b11) % policies.len()];
    let filter_only = &filter_only_policies()[usize::from(flags & 0b11) % policies.len()];
    let unchecked = unchecked.filter(|_| flags & 0b10_0000 != 0);
    let mut outcome = FuzzServiceOutcome::default();
    let mut value = |bytes: &[u8]| match HeaderValue::from_bytes(bytes) {
        Ok(value) => Some(value),
        Err(_) => {
            let value = unchecked.map(|make| make(bytes))?;
            outcome.unchecked += 1;
            Some(value)
        }
    };

    let mut segments = rest.split(|&b| b == FUZZ_LINE_SEPARATOR);
    let cookie = segments.next().unwrap_or_default();
    let mut request = Request::builder().uri(match (flags >> 2) & 0b11 {
        1 => "http://example.com/page",
        2 => "https://www.example.com/page",
        _ => "/page",
    });
    if (flags >> 2) & 0b11 == 3 {
        request = request.header(HOST, "Shop.Example.com:8443");
    }
    let mut request = request.body(()).expect("a valid request");
    if !cookie.is_empty() {
        let parts: Vec<&[u8]> = if flags & 0b1_0000 != 0 {
            split_on(cookie, b"; ")
        } else {
            vec![cookie]
        };
        for part in parts {
            if let Some(part) = value(part) {
                request.headers_mut().append(COOKIE, part);
            }
        }
    }
    request
        .headers_mut()
        .insert("x-request", HeaderValue::from_static("kept"));
    if flags & 0b100_0000 != 0 {
        request
            .headers_mut()
            .insert("sec-gpc", HeaderValue::from_static("1"));
    }
    let request_headers = request.headers().clone();
    let uri = request.uri().clone();

    let mut response = Response::builder()
        .status(StatusCode::CREATED)
        .header(CONTENT_TYPE, "text/plain")
        .body(())
        .expect("a valid response");
    let mut lines = Vec::new();
    for (index, line) in segments.take(MAX_FUZZ_LINES).enumerate() {
        if let Some(line) = value(line) {
            response.headers_mut().append(SET_COOKIE, line.clone());
            lines.push(line);
        }
        // Other headers between the lines must come out as they went in.
        if index % 3 == 0 {
            let name = HeaderName::from_static(if index % 2 == 0 { "x-even" } else { "x-odd" });
            response
                .headers_mut()
                .append(name, HeaderValue::from(index));
        }
    }
    outcome.lines = lines.len();
    let response_headers = response.headers().clone();

    let before = now();
    let mut service = CookieConsent::new(
        Respond {
            response: Some(response),
            seen: None,
        },
        policy.clone(),
    );
    let output = call(&mut service, request);
    let after = now();

    // The inner service saw the request as sent, less the hidden cookies,
    // plus the consent.
    let (seen_headers, seen_consent) = service
        .get_ref()
        .seen
        .clone()
        .expect("the inner service was called");
    assert!(
        same_other_request_headers(&seen_headers, &request_headers),
        "a request header other than Cookie changed"
    );
    let expected_consent = Consent::from_headers(policy, &request_headers);
    let seen_consent = seen_consent.expect("the layer inserts a Consent");
    assert_eq!(
        (
            seen_consent.categories().collect::<Vec<_>>(),
            seen_consent.is_set(),
            seen_consent.gpc(),
        ),
        (
            expected_consent.categories().collect::<Vec<_>>(),
            expected_consent.is_set(),
            expected_consent.gpc(),
        ),
        "the Consent extension differs from the request's consent cookie"
    );
    assert_eq!(expected_consent.gpc(), flags & 0b100_0000 != 0);
    let request_grants: Vec<&str> = expected_consent.categories().collect();
    outcome.hidden = check_hidden(policy, &request_grants, &request_headers, &seen_headers);

    assert_eq!(output.status(), StatusCode::CREATED, "the status changed");
    let out = output.headers();
    let all_out = set_cookies(out);
    // The lines the filter keeps, as the same policy without purge keeps
    // them: the output starts with them, the rest was appended.
    let mut without_purge = response_headers.clone();
    filter_only.filter_response(&uri, &request_headers, &mut without_purge);
    let kept_alone = set_cookies(&without_purge);
    assert!(
        all_out.len() >= kept_alone.len() && all_out[..kept_alone.len()] == kept_alone[..],
        "the output does not start with the lines the filter keeps"
    );
    let (kept, added) = all_out.split_at(kept_alone.len());
    outcome.kept = kept.len();
    outcome.purged = added.len();
    assert!(
        is_subsequence(kept, &lines),
        "the output Set-Cookie list is not a subsequence of the input"
    );
    assert!(
        same_other_headers(out, &response_headers),
        "a header other than Set-Cookie changed"
    );
    if kept.len() == lines.len() && added.is_empty() {
        assert!(
            same_headers(out, &response_headers),
            "nothing stripped, yet the map changed"
        );
    }

    // What each line may be, and must be.
    let consent_name = policy.consent_cookie().as_bytes();
    let sets_consent = lines
        .iter()
        .any(|line| cookie_name(line.as_bytes()) == Some(consent_name));
    check_added(
        policy,
        &uri,
        &request_headers,
        kept,
        added,
        (!sets_consent).then_some(&request_grants[..]),
        after,
    );
    let mut may_grant = request_grants.clone();
    for line in &lines {
        let bytes = line.as_bytes();
        if cookie_name(bytes) == Some(consent_name) {
            may_grant.extend(read_consent_value(policy, pair_value(bytes)).unwrap_or_default());
        }
    }
    let mut kept_lines = kept.iter().peekable();
    for line in &lines {
        let bytes = line.as_bytes();
        let is_kept = kept_lines.peek().is_some_and(|k| *k == line);
        if is_kept {
            kept_lines.next();
        }
        let has_ctl = bytes.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f);
        let name = cookie_name(bytes);
        let class = name.map(|name| internals::category_of(policy, name));
        let exempt = class == Some(Some("necessary"));
        let unknown_allowed =
            class == Some(None) && policy.unknown_cookies() == UnknownCookies::Allow;
        let category = match class {
            Some(Some(category)) if category != "necessary" => Some(category),
            _ => None,
        };
        let request_headers = &request_headers;
        if is_kept {
            assert!(!has_ctl, "kept a line with a control character: {line:?}");
            assert!(name.is_some(), "kept a nameless line: {line:?}");
            let deletes = internals::is_deletion_full_parse(bytes, &uri, request_headers, after);
            let granted = category.is_some_and(|category| may_grant.contains(&category));
            assert!(
                exempt || unknown_allowed || granted || deletes,
                "kept a line the consent does not cover: {line:?}"
            );
        } else if !has_ctl && name.is_some() {
            let deletes = internals::is_deletion_full_parse(bytes, &uri, request_headers, before);
            let granted = !sets_consent
                && category.is_some_and(|category| request_grants.contains(&category));
            assert!(
                !(exempt || unknown_allowed || deletes || granted),
                "stripped a line that must pass: {line:?}"
            );
        }
    }

    // The framework-free entry point applies exactly what the layer does.
    let mut filtered = response_headers.clone();
    policy.filter_response(&uri, &request_headers, &mut filtered);
    assert!(
        same_other_headers(&filtered, out) && set_cookies(&filtered) == set_cookies(out),
        "the layer and Policy::filter_response disagree"
    );

    outcome
}

/// Checks the `Cookie` headers the inner service saw against the ones
/// sent, and returns how many pairs were hidden.
fn check_hidden(policy: &Policy, grants: &[&str], sent: &HeaderMap, seen: &HeaderMap) -> usize {
    let sent_pairs = cookie_pairs(sent);
    let seen_pairs = cookie_pairs(seen);
    let mut seen_iter = seen_pairs.iter().peekable();
    let mut hidden = 0;
    for &(raw, name) in &sent_pairs {
        let class = internals::category_of(policy, name);
        let must_hide = policy.strip_request_cookies()
            && match class {
                Some("necessary") => false,
                Some(category) => !grants.contains(&category),
                None => policy.unknown_cookies() == UnknownCookies::Strip,
            };
        if seen_iter
            .peek()
            .is_some_and(|&&(seen_raw, _)| seen_raw == raw)
        {
            seen_iter.next();
            assert!(!must_hide, "the application saw a hidden cookie: {raw:?}");
        } else {
            hidden += 1;
            let refused = raw.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f);
            assert!(
                must_hide || refused,
                "a cookie the application may see was removed: {raw:?}"
            );
        }
    }
    assert!(
        seen_iter.next().is_none(),
        "the rewritten Cookie headers are not an in-order subset of the original pairs"
    );
    if hidden == 0 {
        assert!(
            same_headers(seen, sent),
            "nothing hidden, yet the request headers changed"
        );
    }
    hidden
}

/// Checks the deletion lines the layer appended. `grants` is the request's
/// consent when the response does not set the consent cookie (otherwise
/// the response's new value decides, and the oracle does not model it).
fn check_added(
    policy: &Policy,
    uri: &Uri,
    request_headers: &HeaderMap,
    kept: &[&HeaderValue],
    added: &[&HeaderValue],
    grants: Option<&[&str]>,
    now: i64,
) {
    let carried: Vec<&[u8]> = cookie_pairs(request_headers)
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    let kept_names: Vec<&[u8]> = kept
        .iter()
        .filter_map(|l| cookie_name(l.as_bytes()))
        .collect();
    let mut names: Vec<&[u8]> = Vec::new();
    for line in added {
        let bytes = line.as_bytes();
        let name = cookie_name(bytes).expect("a deletion line has a name");
        assert!(
            carried.contains(&name),
            "purged a name the request did not carry"
        );
        assert!(
            !kept_names.contains(&name),
            "purged a name a kept line sets"
        );
        let category = internals::category_of(policy, name);
        assert!(
            category.is_some_and(|c| c != "necessary"),
            "purged a necessary, consent or unknown cookie: {line:?}"
        );
        if let (Some(grants), Some(category)) = (grants, category) {
            assert!(
                !grants.contains(&category),
                "purged a granted cookie: {line:?}"
            );
        }
        // The rulings compare `__Secure-` and `__Host-` case-sensitively and
        // never add `HttpOnly`, where the crate's model of the browser
        // (case-insensitive prefixes, `__Http-` requiring `HttpOnly`) would
        // refuse such a line: only names without a prefix in another case
        // and without `__Http-` are held to the browser's reading.
        let lowered = bytes.to_ascii_lowercase();
        let ruled_apart = ["__secure-", "__host-"].iter().any(|prefix| {
            lowered.starts_with(prefix.as_bytes())
                && !bytes.starts_with(b"__Secure-")
                && !bytes.starts_with(b"__Host-")
        }) || lowered.starts_with(b"__http-")
            || lowered.starts_with(b"__host-http-");
        assert!(
            ruled_apart || internals::is_deletion_full_parse(bytes, uri, request_headers, now),
            "an appended line is not a deletion: {line:?}"
        );
        assert!(
            !bytes.iter().any(|&b| b < 0x20 || b == 0x7f),
            "control character in {line:?}"
        );
        // Names may hold bytes that are not UTF-8: split on bytes first.
        let lower = bytes.to_ascii_lowercase();
        let value = String::from_utf8_lossy(&lower[name.len()..]).into_owned();
        assert!(
            value.starts_with("=; max-age=0; expires=thu, 01 jan 1970 00:00:00 gmt; path="),
            "{line:?}"
        );
        for forbidden in ["samesite", "partitioned", "httponly"] {
            assert!(!value.contains(forbidden), "{forbidden} in {line:?}");
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    assert!(
        names.len() <= policy.purge_limit(),
        "purged {} names, over the limit",
        names.len()
    );
    if !policy.purge() {
        assert!(added.is_empty(), "purge is off, yet lines were added");
    }
}

/// Every pair of the `Cookie` headers, in order: its bytes (SP and HTAB
/// trimmed) and its name, as RFC 6265bis 5.4 splits them (a pair without
/// `=` has an empty name).
fn cookie_pairs(headers: &HeaderMap) -> Vec<(&[u8], &[u8])> {
    headers
        .get_all(COOKIE)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b';'))
        .map(trim_sp_htab)
        .filter(|raw| !raw.is_empty())
        .map(|raw| {
            let name = match raw.iter().position(|&b| b == b'=') {
                Some(eq) => trim_sp_htab(&raw[..eq]),
                None => &[][..],
            };
            (raw, name)
        })
        .collect()
}

/// The same values, in the same order, under every name but `Cookie`.
fn same_other_request_headers(a: &HeaderMap, b: &HeaderMap) -> bool {
    let names = |map: &HeaderMap| map.keys().filter(|n| *n != COOKIE).count();
    names(a) == names(b)
        && a.keys()
            .filter(|n| *n != COOKIE)
            .all(|name| a.get_all(name).iter().eq(b.get_all(name).iter()))
}

/// The inner service: answers with its response once, and keeps what it saw.
struct Respond {
    response: Option<Response<()>>,
    seen: Option<(HeaderMap, Option<Consent>)>,
}

impl Service<Request<()>> for Respond {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<()>) -> Self::Future {
        self.seen = Some((
            req.headers().clone(),
            req.extensions().get::<Consent>().cloned(),
        ));
        ready(Ok(self.response.take().expect("called once")))
    }
}

/// Drives the layer to completion: the inner service answers at once, so
/// no runtime is needed.
fn call(service: &mut CookieConsent<Respond>, request: Request<()>) -> Response<()> {
    let mut cx = Context::from_waker(Waker::noop());
    match service.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        other => panic!("poll_ready: {other:?}"),
    }
    let mut future = pin!(service.call(request));
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("the layer's future is pending on a ready inner future"),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Name-value pairs in order, bytes compared.
fn same_headers(a: &HeaderMap, b: &HeaderMap) -> bool {
    a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x == y)
}

/// The same values, in the same order, under every name but `Set-Cookie`.
/// Order across names carries no meaning in a `HeaderMap`.
fn same_other_headers(a: &HeaderMap, b: &HeaderMap) -> bool {
    let names = |map: &HeaderMap| map.keys().filter(|n| *n != SET_COOKIE).count();
    names(a) == names(b)
        && a.keys()
            .filter(|n| *n != SET_COOKIE)
            .all(|name| a.get_all(name).iter().eq(b.get_all(name).iter()))
}

fn set_cookies(headers: &HeaderMap) -> Vec<&HeaderValue> {
    headers.get_all(SET_COOKIE).iter().collect()
}

fn is_subsequence(sub: &[&HeaderValue], of: &[HeaderValue]) -> bool {
    let mut of = of.iter();
    sub.iter().all(|s| of.any(|o| o == *s))
}

fn trim_sp_htab(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// The value of a `Set-Cookie` line's name-value pair, trimmed.
fn pair_value(line: &[u8]) -> &[u8] {
    let pair = match line.iter().position(|&b| b == b';') {
        Some(end) => &line[..end],
        None => line,
    };
    match pair.iter().position(|&b| b == b'=') {
        Some(eq) => trim_sp_htab(&pair[eq + 1..]),
        None => trim_sp_htab(pair),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn split_on<'a>(bytes: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut parts = Vec::new();
    let mut rest = bytes;
    while let Some(at) = rest.windows(separator.len()).position(|w| w == separator) {
        parts.push(&rest[..at]);
        rest = &rest[at + separator.len()..];
    }
    parts.push(rest);
    parts
}
