//! Conformance with a real browser: every vector of
//! `tests/data/set-cookie-chromium.json` (the cookie Chromium stored for
//! each `Set-Cookie` header, see `tests/data/README.md`) is run
//! through the name scanner, the deletion scanner and the layer.
//!
//! The guarantee checked: the layer classifies a cookie under the name the
//! browser stores it under, strips what the browser would store nameless,
//! and never lets a line pass under a name other than its own.

mod common;

use std::collections::BTreeSet;

use common::{browser_name, set_cookie_is_deletion, set_cookie_name, unix_now};
use http::{header, HeaderValue, Request, Response};
use tower::{service_fn, Layer, ServiceExt};
use tower_cookie_consent::{CookieConsentLayer, Policy, UnknownCookies};

const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/set-cookie-chromium.json"
);

#[derive(serde::Deserialize)]
struct File {
    vector_count: usize,
    vectors: Vec<Vector>,
}

#[derive(serde::Deserialize)]
struct Vector {
    id: String,
    kind: String,
    outcome: String,
    set_cookie_bytes_b64: Option<String>,
    set_cookie_headers_b64: Option<Vec<String>>,
    raw_header_lines_b64: Option<String>,
    stored: Vec<Stored>,
    stored_after_seed: Option<Vec<SeededCookie>>,
}

#[derive(serde::Deserialize)]
struct Stored {
    name_b64: String,
}

#[derive(serde::Deserialize)]
struct SeededCookie {
    name: String,
}

fn load() -> Vec<Vector> {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| panic!("{VECTORS}: {e}"));
    let file: File = serde_json::from_str(&text).expect("conformance file is valid JSON");
    assert_eq!(file.vectors.len(), file.vector_count, "vector_count");
    file.vectors
}

/// Standard base64 with padding, as the conformance file writes it.
fn b64(text: &str) -> Vec<u8> {
    let sextet = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {text:?}"),
        }
    };
    let data = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for chunk in data.chunks(4) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | sextet(c) << (18 - 6 * i));
        let bytes = bits.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decoder() {
    assert_eq!(b64(""), b"");
    assert_eq!(b64("YQ=="), b"a");
    assert_eq!(b64("YT0="), b"a=");
    assert_eq!(b64("YT1i"), b"a=b");
    assert_eq!(b64("wK9hPTE="), b"\xc0\xafa=1");
}

fn trim_wsp(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// The bytes `http::HeaderValue::from_bytes` refuses.
fn refused_by_http(line: &[u8]) -> bool {
    line.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
}

fn show(bytes: &[u8]) -> String {
    let text = bytes.escape_ascii().to_string();
    if text.len() > 60 {
        format!("{}…({} bytes)", &text[..60], bytes.len())
    } else {
        text
    }
}

fn is_valid_policy_name(name: &str) -> bool {
    !name.contains('*') && Policy::builder().necessary([name]).build().is_ok()
}

/// A policy pattern that matches `name` and nothing the vectors would
/// confuse with it: the exact name, or for a name that is not UTF-8 (a
/// policy is text) its longest UTF-8 prefix followed by `*`.
fn pattern_for(name: &[u8]) -> Option<String> {
    match std::str::from_utf8(name) {
        Ok(text) => is_valid_policy_name(text).then(|| text.to_owned()),
        Err(e) => {
            let prefix = std::str::from_utf8(&name[..e.valid_up_to()]).ok()?;
            (!prefix.is_empty() && is_valid_policy_name(prefix)).then(|| format!("{prefix}*"))
        }
    }
}

/// Names a careless parser could read in `line` (its other tokens, and the
/// names used across the vectors), minus the line's own name: a line must
/// never pass as one of these.
fn decoys(line: &[u8], own: &[u8]) -> Vec<String> {
    let tokens = line
        .split(|b| matches!(b, b';' | b'=' | b' ' | b'\t' | b','))
        .filter_map(|t| std::str::from_utf8(trim_wsp(t)).ok());
    let fixed = [
        "a", "A", "b", "c", "t", "x", "y", "z", "n", "Path", "Secure",
    ];
    let mut out = BTreeSet::new();
    for name in tokens.chain(fixed) {
        if !name.is_empty() && name.as_bytes() != own && is_valid_policy_name(name) {
            out.insert(name.to_owned());
        }
    }
    out.into_iter().collect()
}

/// `necessary` names plus one `marketing` category, nothing else known.
fn policy(necessary: &[String], marketing: &[String], unknown: UnknownCookies) -> Policy {
    Policy::builder()
        .necessary(necessary.iter().cloned())
        .category("marketing", marketing.iter().cloned())
        .unknown_cookies(unknown)
        .build()
        .unwrap_or_else(|e| panic!("test policy {necessary:?} / {marketing:?}: {e}"))
}

/// The `Set-Cookie` lines the layer keeps from `lines`, for a request
/// whose consent cookie is `consent` (none if `None`).
fn kept(policy: &Policy, consent: Option<&str>, lines: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let svc = CookieConsentLayer::new(policy.clone()).layer(common::app_setting(lines.to_vec()));
    let mut req = Request::builder().uri("/");
    if let Some(consent) = consent {
        req = req.header(header::COOKIE, format!("cookies_preferences={consent}"));
    }
    let res = common::ready(svc.oneshot(req.body(()).expect("request"))).expect("infallible");
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.as_bytes().to_vec())
        .collect()
}

/// Collects every failed expectation so one run lists every bad vector.
#[derive(Default)]
struct Report(Vec<String>);

impl Report {
    fn check(&mut self, ok: bool, id: &str, what: impl FnOnce() -> String) {
        if !ok {
            self.0.push(format!("{id}: {}", what()));
        }
    }

    fn finish(self, checked: usize) {
        assert!(
            self.0.is_empty(),
            "{} of {checked} vectors failed:\n{}",
            self.0.len(),
            self.0.join("\n")
        );
    }
}

#[test]
fn every_vector_kind_is_handled() {
    let vectors = load();
    let mut report = Report::default();
    for v in &vectors {
        let known = matches!(
            (v.kind.as_str(), v.outcome.as_str()),
            (
                "single",
                "stored" | "rejected" | "rejected_silently" | "http_error" | "expiry"
            ) | ("multi", "stored" | "expiry")
                | ("raw_header_line", "stored" | "ignored")
        );
        report.check(known, &v.id, || {
            format!("unhandled kind/outcome {}/{}", v.kind, v.outcome)
        });
    }
    report.finish(vectors.len());
}

/// `single` vectors whose bytes the `http` crate refuses (CR, LF, NUL, other
/// control characters but HTAB) can never reach the layer; every other one
/// must be constructible, or the layer's answer for it would go unchecked.
#[test]
fn header_values_the_http_crate_refuses() {
    let vectors = load();
    let mut report = Report::default();
    let mut refused = BTreeSet::new();
    for v in vectors.iter().filter(|v| v.kind != "raw_header_line") {
        let lines = match &v.set_cookie_headers_b64 {
            Some(lines) => lines.iter().map(|l| b64(l)).collect(),
            None => vec![b64(v.set_cookie_bytes_b64.as_deref().unwrap_or_default())],
        };
        for line in lines {
            let accepted = HeaderValue::from_bytes(&line).is_ok();
            report.check(accepted != refused_by_http(&line), &v.id, || {
                format!("from_bytes accepted={accepted} for {}", show(&line))
            });
            if !accepted {
                refused.insert(v.id.as_str());
            }
        }
    }
    // The header injections Chromium splits into two cookies, and every
    // NUL, CR and CTL vector, stop at construction.
    for id in [
        "cr_injection",
        "lf_injection",
        "cr_in_name",
        "nul_in_name",
        "nul_in_value",
        "nul_trailing",
        "ctl_01_in_name",
        "del_in_value",
        "ctl_in_attr",
        "del_existing_rejected_line",
    ] {
        report.check(refused.contains(id), id, || "constructible".into());
    }
    report.finish(vectors.len());
}

fn single_line(v: &Vector) -> Option<Vec<u8>> {
    let line = b64(v.set_cookie_bytes_b64.as_deref()?);
    (v.kind == "single" && !refused_by_http(&line)).then_some(line)
}

/// `outcome == "stored"`: the crate's name is the stored name, nameless
/// cookies have none, and the layer decides under exactly that name.
#[test]
fn stored_cookies_are_classified_under_the_stored_name() {
    let vectors = load();
    let mut report = Report::default();
    let mut checked = 0;
    for v in vectors.iter().filter(|v| v.outcome == "stored") {
        let Some(line) = single_line(v) else { continue };
        checked += 1;
        let id = v.id.as_str();
        let lines = [line.clone()];
        report.check(v.stored.len() == 1, id, || {
            format!("{} cookies stored", v.stored.len())
        });
        let Some(stored) = v.stored.first() else {
            continue;
        };
        let stored = b64(&stored.name_b64);
        let name = set_cookie_name(&line);

        if stored.is_empty() {
            report.check(name.is_none(), id, || {
                format!("nameless cookie read as {:?}", name.map(show))
            });
        } else {
            report.check(name == Some(&stored[..]), id, || {
                format!(
                    "name {:?}, Chromium stored {:?}",
                    name.map(show),
                    show(&stored)
                )
            });
        }
        report.check(!set_cookie_is_deletion(&line, unix_now()), id, || {
            "a stored cookie read as a deletion".into()
        });

        // The stored name as a tracked cookie, nothing granted: stripped,
        // whether unknown names are stripped or allowed, with every other
        // name in the line declared necessary.
        let decoys = decoys(&line, &stored);
        let tracked: Vec<String> = pattern_for(&stored).into_iter().collect();
        // A name no policy can spell (it starts with bytes that are not
        // UTF-8) is only ever stripped as unknown.
        let unknowns: &[UnknownCookies] = if tracked.is_empty() && !stored.is_empty() {
            &[UnknownCookies::Strip]
        } else {
            &[UnknownCookies::Strip, UnknownCookies::Allow]
        };
        for &unknown in unknowns {
            let p = policy(&decoys, &tracked, unknown);
            let out = kept(&p, None, &lines);
            report.check(out.is_empty(), id, || {
                format!("tracked as {tracked:?} ({unknown:?}), kept {out:?}")
            });
        }
        // Granted, it passes byte for byte; nameless never does.
        let p = policy(&decoys, &tracked, UnknownCookies::Allow);
        let out = kept(&p, Some("marketing"), &lines);
        let expect: &[Vec<u8>] = if stored.is_empty() { &[] } else { &lines };
        report.check(out == expect, id, || {
            format!("granted as {tracked:?}, kept {out:?}")
        });
        // With only `a` necessary, only what Chromium stores as `a` passes.
        let out = kept(
            &policy(&["a".into()], &[], UnknownCookies::Strip),
            None,
            &lines,
        );
        let expect: &[Vec<u8>] = if stored == b"a" { &lines } else { &[] };
        report.check(out == expect, id, || {
            format!("with `a` necessary, kept {out:?}")
        });
    }
    assert!(checked >= 60, "only {checked} stored vectors checked");
    report.finish(checked);
}

/// `rejected`, `rejected_silently`, `http_error`: the browser stores
/// nothing. The layer may strip the line or keep it under its own name,
/// never under another.
#[test]
fn refused_cookies_never_pass_under_another_name() {
    let vectors = load();
    let mut report = Report::default();
    let mut checked = 0;
    for v in vectors.iter().filter(|v| {
        matches!(
            v.outcome.as_str(),
            "rejected" | "rejected_silently" | "http_error"
        )
    }) {
        let Some(line) = single_line(v) else { continue };
        checked += 1;
        let id = v.id.as_str();
        let lines = [line.clone()];
        let own = browser_name(&line);
        let name = set_cookie_name(&line);
        report.check(name.is_none() || name == Some(own), id, || {
            format!(
                "read as {:?}, its own name is {:?}",
                name.map(show),
                show(own)
            )
        });
        report.check(!set_cookie_is_deletion(&line, unix_now()), id, || {
            "a refused line read as a deletion".into()
        });

        let decoys = decoys(&line, own);
        let tracked: Vec<String> = pattern_for(own).into_iter().collect();
        let p = policy(&decoys, &tracked, UnknownCookies::Strip);
        let out = kept(&p, None, &lines);
        report.check(out.is_empty(), id, || {
            format!("own name {tracked:?} not granted, every other name necessary, kept {out:?}")
        });
        if !tracked.is_empty() || name.is_none() {
            let p = policy(&decoys, &tracked, UnknownCookies::Allow);
            let out = kept(&p, None, &lines);
            report.check(out.is_empty(), id, || {
                format!("unknown names allowed, own name {tracked:?} not granted, kept {out:?}")
            });
        }
        if own != b"a" {
            let out = kept(
                &policy(&["a".into()], &[], UnknownCookies::Strip),
                None,
                &lines,
            );
            report.check(out.is_empty(), id, || {
                format!("with `a` necessary, kept {out:?}")
            });
        }
    }
    assert!(checked >= 25, "only {checked} refused vectors checked");
    report.finish(checked);
}

/// `single` vectors with `outcome == "expiry"`: the line deletes (or would
/// delete) the cookie it names, so the layer keeps it even when that name
/// is tracked and not granted: removing a tracker is never blocked.
#[test]
fn deletions_are_read_under_the_deleted_name_and_kept() {
    let vectors = load();
    let mut report = Report::default();
    let mut checked = 0;
    for v in vectors
        .iter()
        .filter(|v| v.kind == "single" && v.outcome == "expiry")
    {
        let Some(line) = single_line(v) else { continue };
        checked += 1;
        let id = v.id.as_str();
        let lines = [line.clone()];
        let name = set_cookie_name(&line);
        // With a seeded jar, the deleted name is the one that disappeared;
        // without one (or when nothing was deleted) the line's own name.
        let deleted: Vec<Vec<u8>> = match &v.stored_after_seed {
            Some(seed) => {
                let after: BTreeSet<Vec<u8>> = v.stored.iter().map(|s| b64(&s.name_b64)).collect();
                seed.iter()
                    .map(|s| s.name.as_bytes().to_vec())
                    .filter(|n| !after.contains(n))
                    .collect()
            }
            None => Vec::new(),
        };
        let expected = match deleted.as_slice() {
            [one] => one.clone(),
            [] => browser_name(&line).to_vec(),
            _ => {
                report.check(false, id, || format!("deleted {deleted:?}"));
                continue;
            }
        };
        if expected.is_empty() {
            // A nameless deletion may be kept or stripped; it has no name.
            report.check(name.is_none(), id, || {
                format!("nameless deletion read as {:?}", name.map(show))
            });
            kept(&policy(&[], &[], UnknownCookies::Strip), None, &lines);
            continue;
        }
        report.check(name == Some(&expected[..]), id, || {
            format!("name {:?}, deletes {:?}", name.map(show), show(&expected))
        });
        report.check(set_cookie_is_deletion(&line, unix_now()), id, || {
            "not read as a deletion".into()
        });
        let tracked: Vec<String> = pattern_for(&expected).into_iter().collect();
        for unknown in [UnknownCookies::Strip, UnknownCookies::Allow] {
            let out = kept(&policy(&[], &tracked, unknown), None, &lines);
            report.check(out == lines, id, || {
                format!("deletion of tracked {tracked:?} ({unknown:?}) kept {out:?}")
            });
        }
    }
    assert!(checked >= 10, "only {checked} expiry vectors checked");
    report.finish(checked);
}

/// The README's named cases, so a change in the data cannot silently drop
/// them: ` a \t=` deletes `a`; `A=` deletes nothing named `a`; `z` is a
/// nameless deletion.
#[test]
fn named_deletion_cases() {
    let vectors = load();
    let line = |id: &str| {
        let v = vectors
            .iter()
            .find(|v| v.id == id)
            .unwrap_or_else(|| panic!("{id}"));
        b64(v.set_cookie_bytes_b64.as_deref().expect("single"))
    };
    let ws = line("del_existing_ws_name");
    assert_eq!(set_cookie_name(&ws), Some(&b"a"[..]));
    assert!(set_cookie_is_deletion(&ws, unix_now()));
    let other_case = line("del_existing_other_case");
    assert_eq!(set_cookie_name(&other_case), Some(&b"A"[..]));
    assert_eq!(set_cookie_name(&line("del_existing_nameless_noeq")), None);
    assert_eq!(set_cookie_name(&line("del_existing_nameless")), None);

    // `a` tracked and not granted: its deletion under a trimmed name passes.
    let p = policy(&[], &["a".into()], UnknownCookies::Strip);
    let lines = [ws];
    assert_eq!(kept(&p, None, &lines), lines);
}

/// Several headers in one response, applied in order as a jar would: the
/// crate's names rebuild the jar Chromium ended with, and the layer lets
/// no tracked cookie into it.
#[test]
fn multi_header_responses_end_in_the_same_jar() {
    let vectors = load();
    let mut report = Report::default();
    let mut checked = 0;
    for v in vectors.iter().filter(|v| v.kind == "multi") {
        checked += 1;
        let id = v.id.as_str();
        let lines: Vec<Vec<u8>> = v
            .set_cookie_headers_b64
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|l| b64(l))
            .collect();
        // Nameless cookies share the name "" in a jar.
        let jar = |lines: &[Vec<u8>]| {
            let mut jar = BTreeSet::new();
            for line in lines {
                let name = set_cookie_name(line).unwrap_or_default().to_vec();
                if set_cookie_is_deletion(line, unix_now()) {
                    jar.remove(&name);
                } else {
                    jar.insert(name);
                }
            }
            jar
        };
        let stored: BTreeSet<Vec<u8>> = v.stored.iter().map(|s| b64(&s.name_b64)).collect();
        let ours = jar(&lines);
        report.check(ours == stored, id, || {
            format!("jar {ours:?}, Chromium's {stored:?}")
        });

        // Every named cookie tracked, nothing granted: only deletions pass,
        // in order, and the jar ends with no tracked cookie.
        let mut names: BTreeSet<String> = BTreeSet::new();
        for line in &lines {
            names.extend(pattern_for(browser_name(line)));
        }
        let names: Vec<String> = names.into_iter().collect();
        let out = kept(&policy(&[], &names, UnknownCookies::Allow), None, &lines);
        let deletions: Vec<Vec<u8>> = lines
            .iter()
            .filter(|l| set_cookie_is_deletion(l, unix_now()))
            .cloned()
            .collect();
        report.check(out == deletions, id, || {
            format!("tracked {names:?}, kept {out:?}")
        });
        report.check(jar(&out).is_empty(), id, || {
            "a tracked cookie reached the jar".into()
        });

        // Only `a` necessary: exactly the lines Chromium reads as `a`.
        let out = kept(
            &policy(&["a".into()], &[], UnknownCookies::Strip),
            None,
            &lines,
        );
        let expect: Vec<Vec<u8>> = lines
            .iter()
            .filter(|l| browser_name(l) == b"a" || set_cookie_is_deletion(l, unix_now()))
            .cloned()
            .collect();
        report.check(out == expect, id, || {
            format!("with `a` necessary, kept {out:?}")
        });
    }
    assert!(checked >= 7, "only {checked} multi vectors checked");
    report.finish(checked);
}

/// `raw_header_line` vectors concern the HTTP parser, not the cookie
/// parser: here an upstream on 127.0.0.1 writes the exact header bytes, a
/// hyper client (a reverse proxy's view) parses them, and the layer filters
/// what hyper produced. A line hyper refuses fails the whole response,
/// so nothing reaches the browser; a line it accepts is judged under the
/// name Chromium stored.
#[tokio::test]
async fn raw_header_lines_through_a_hyper_proxy() {
    let vectors = load();
    let mut report = Report::default();
    let mut parsed = BTreeSet::new();
    let raw: Vec<&Vector> = vectors
        .iter()
        .filter(|v| v.kind == "raw_header_line")
        .collect();
    for v in &raw {
        let id = v.id.as_str();
        let lines = b64(v.raw_header_lines_b64.as_deref().expect("raw lines"));
        let stored: Option<Vec<u8>> = v.stored.first().map(|s| b64(&s.name_b64));
        // `a` tracked and not granted, then `a` necessary.
        let tracked = policy(&[], &["a".into()], UnknownCookies::Allow);
        let necessary = policy(&["a".into()], &[], UnknownCookies::Strip);
        for (label, p) in [("tracked", &tracked), ("necessary", &necessary)] {
            let Some(res) = proxy(&lines, p).await else {
                continue;
            };
            parsed.insert(id);
            let out: Vec<&HeaderValue> = res.headers().get_all(header::SET_COOKIE).iter().collect();
            let expect_kept = label == "necessary" && stored.as_deref() == Some(b"a");
            report.check(out.len() == usize::from(expect_kept), id, || {
                format!("{label}: kept {out:?}")
            });
            if let Some(line) = out.first() {
                let name = set_cookie_name(line.as_bytes());
                report.check(name == stored.as_deref(), id, || {
                    format!("{label}: name {:?}", name.map(show))
                });
            }
            if v.outcome == "ignored" {
                // Not a Set-Cookie header: passed through untouched.
                let other = res.headers().get("set-cookie2").map(HeaderValue::as_bytes);
                report.check(other == Some(b"a=b"), id, || {
                    format!("set-cookie2 {other:?}")
                });
            }
        }
    }
    // Well-formed lines must parse, or this test would check nothing.
    for id in ["hdr_lowercase_name", "hdr_no_space", "hdr_set_cookie2"] {
        report.check(parsed.contains(id), id, || "hyper refused it".into());
    }
    report.finish(raw.len());
}

/// Serves one response carrying `header_lines` from a raw socket on
/// 127.0.0.1 and fetches it through the layer in front of a hyper client.
/// `None` when hyper refuses the response.
async fn proxy(header_lines: &[u8], policy: &Policy) -> Option<Response<hyper::body::Incoming>> {
    use hyper_util::rt::TokioIo;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut response = b"HTTP/1.1 200 OK\r\n".to_vec();
    response.extend_from_slice(header_lines);
    response.extend_from_slice(b"Content-Length: 0\r\nConnection: close\r\n\r\n");
    let upstream = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.ends_with(b"\r\n\r\n") && request.len() < 64 * 1024 {
            let n = socket.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buf[..n]);
        }
        socket.write_all(&response).await.expect("write");
        socket.shutdown().await.ok();
    });

    let client = service_fn(
        move |req: Request<http_body_util::Empty<bytes::Bytes>>| async move {
            let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .expect("handshake");
            tokio::spawn(conn);
            sender.send_request(req).await
        },
    );
    let svc = CookieConsentLayer::new(policy.clone()).layer(client);
    let req = Request::get(format!("http://{addr}/"))
        .body(http_body_util::Empty::new())
        .expect("request");
    let res = tokio::time::timeout(Duration::from_secs(10), svc.oneshot(req))
        .await
        .expect("the proxy answers within 10 s");
    tokio::time::timeout(Duration::from_secs(10), upstream)
        .await
        .expect("upstream done")
        .expect("upstream task");
    res.ok()
}
