//! Load and faults over real TCP: many concurrent requests in every consent
//! state over 64 connections (HTTP/1.1 keep-alive and HTTP/2), every single
//! response checked; and an app that fails or panics on some requests,
//! which must leave every other request whole.
//!
//! `LOAD_REQUESTS` sets the number of requests per test (default 4 000, which
//! keeps `cargo test` quick in debug builds); the full run is
//! `LOAD_REQUESTS=50000 cargo test --release --test load -- --nocapture`.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use http::StatusCode;
use tokio::task::JoinSet;

use common::server::{
    choose_line, connect_http2, expected_body, expected_page_cookies, get, serve_app,
    silence_deliberate_panics, Client, Reply,
};

/// Connections per test, as many as a busy reverse proxy keeps open.
const CONNECTIONS: usize = 64;
/// How many of them speak HTTP/2; the rest are HTTP/1.1 keep-alive.
const HTTP2_CONNECTIONS: usize = 8;
/// Concurrent streams on each HTTP/2 connection.
const STREAMS_PER_HTTP2_CONNECTION: usize = 4;
/// The whole test fails, rather than hangs, past this.
const TIMEOUT: Duration = Duration::from_secs(120);

fn total_requests() -> usize {
    std::env::var("LOAD_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4_000)
}

/// A consent state of the mix: the `Cookie` headers a visitor sends, and
/// what they grant.
struct State {
    name: &'static str,
    path: &'static str,
    cookies: &'static [&'static [u8]],
    statistics: bool,
    marketing: bool,
}

const STATES: [State; 11] = [
    State {
        name: "no consent cookie",
        path: "/",
        cookies: &[b"lang=en; sessionid=abc"],
        statistics: false,
        marketing: false,
    },
    State {
        name: "no Cookie header",
        path: "/",
        cookies: &[],
        statistics: false,
        marketing: false,
    },
    State {
        name: "necessary only",
        path: "/",
        cookies: &[b"lang=en; cookies_preferences=[]; sessionid=abc"],
        statistics: false,
        marketing: false,
    },
    State {
        name: "statistics",
        path: "/",
        cookies: &[b"lang=en; cookies_preferences=statistics; sessionid=abc"],
        statistics: true,
        marketing: false,
    },
    State {
        name: "marketing",
        path: "/",
        cookies: &[b"cookies_preferences=marketing"],
        statistics: false,
        marketing: true,
    },
    State {
        name: "all",
        path: "/",
        cookies: &[b"sessionid=abc; cookies_preferences=all"],
        statistics: true,
        marketing: true,
    },
    State {
        name: "malformed",
        path: "/",
        cookies: &[b"cookies_preferences={\"statistics\":true,"],
        statistics: false,
        marketing: false,
    },
    State {
        name: "percent-encoded JSON",
        path: "/",
        cookies: &[b"cookies_preferences=%7B%22statistics%22%3Atrue%2C%22marketing%22%3Afalse%7D"],
        statistics: true,
        marketing: false,
    },
    State {
        name: "two Cookie headers",
        path: "/",
        cookies: &[
            b"lang=en; cookies_preferences=statistics,marketing",
            b"sessionid=abc; cookies_preferences=marketing",
        ],
        statistics: false,
        marketing: true,
    },
    State {
        name: "one cookie per Cookie header",
        path: "/",
        cookies: &[
            b"lang=en",
            b"cookies_preferences=%5B%22statistics%22%2C%22marketing%22%5D",
            b"sessionid=abc",
        ],
        statistics: true,
        marketing: true,
    },
    State {
        name: "chooses marketing in this response",
        path: "/choose/marketing",
        cookies: &[b"cookies_preferences=statistics"],
        statistics: false,
        marketing: true,
    },
];

/// Request `id` of a run: its path, consent state and body filler.
fn plan(id: usize) -> (&'static str, &'static State, usize) {
    let state = &STATES[id % STATES.len()];
    // Body sizes from 0 to 24 KB, so some responses span several frames
    // and TCP segments.
    let filler = (id % 7) * 4096;
    (state.path, state, filler)
}

/// Checks one response against the plan; `Err` says what was wrong.
fn check(id: usize, reply: &Reply) -> Result<(), String> {
    let (path, state, filler) = plan(id);
    let id_text = id.to_string();
    let mut expected_cookies: Vec<String> =
        expected_page_cookies(state.statistics, state.marketing)
            .into_iter()
            .map(String::from)
            .collect();
    if let Some(value) = path.strip_prefix("/choose/") {
        expected_cookies.push(choose_line(value));
    }
    if reply.status != StatusCode::OK {
        return Err(format!("#{id} ({}): status {}", state.name, reply.status));
    }
    if reply.set_cookies() != expected_cookies {
        return Err(format!(
            "#{id} ({}): Set-Cookie {:?}, expected {expected_cookies:?}",
            state.name,
            reply.set_cookies()
        ));
    }
    if reply.headers.get("x-other").map(|v| v.as_bytes()) != Some(b"kept") {
        return Err(format!("#{id} ({}): x-other lost", state.name));
    }
    if reply.body != expected_body(path, &id_text, state.cookies, filler) {
        return Err(format!(
            "#{id} ({}): body of {} bytes differs",
            state.name,
            reply.body.len()
        ));
    }
    Ok(())
}

/// Request `id`, or the faulty request `fault` in its place.
fn request(
    addr: SocketAddr,
    http2: bool,
    id: usize,
    fault: Option<&str>,
) -> http::Request<http_body_util::Empty<bytes::Bytes>> {
    let (path, state, filler) = plan(id);
    let mut req = get(addr, http2, fault.unwrap_or(path), state.cookies);
    req.headers_mut().insert("x-request-id", id.into());
    req.headers_mut().insert("x-filler", filler.into());
    req
}

/// Responses of one kind of request, as the clients saw them.
#[derive(Debug, Default)]
struct Tally {
    ok: usize,
    wrong: Vec<String>,
    /// Transport errors, by message.
    errors: BTreeMap<String, usize>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        self.wrong.extend(other.wrong);
        for (error, count) in other.errors {
            *self.errors.entry(error).or_default() += count;
        }
    }

    fn record(&mut self, id: usize, reply: Result<Reply, hyper::Error>) {
        match reply {
            Ok(reply) => match check(id, &reply) {
                Ok(()) => self.ok += 1,
                Err(wrong) => self.wrong.push(wrong),
            },
            Err(error) => *self.errors.entry(describe(&error)).or_default() += 1,
        }
    }
}

/// An error with its chain of causes, e.g. the HTTP/2 reset reason.
fn describe(error: &hyper::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// What one client task saw.
#[derive(Debug, Default)]
struct Outcome {
    good: Tally,
    /// The faulty requests: none may get a response.
    faults: Tally,
    /// HTTP/1.1 connections lost to `/error` and to `/panic`.
    http1_errors: usize,
    http1_panics: usize,
}

impl Outcome {
    fn merge(&mut self, other: Outcome) {
        self.good.merge(other.good);
        self.faults.merge(other.faults);
        self.http1_errors += other.http1_errors;
        self.http1_panics += other.http1_panics;
    }
}

/// The request ids client task `task` of `tasks` sends, in order.
fn ids(task: usize, tasks: usize, total: usize) -> impl Iterator<Item = usize> {
    (task..total).step_by(tasks)
}

/// Sends the requests `ids` one after the other on `client` and checks each
/// response. With `faulty`, some go to `/error` or `/panic` instead (see
/// [`fault_path`]); an HTTP/1.1 client then reconnects, since the fault
/// closes its connection.
async fn drive(
    addr: SocketAddr,
    mut client: Client,
    ids: impl Iterator<Item = usize>,
    faulty: bool,
) -> Outcome {
    let http2 = client.is_http2();
    let mut outcome = Outcome::default();
    for id in ids {
        let fault = if faulty { fault_path(id) } else { None };
        let reply = client.send(request(addr, http2, id, fault)).await;
        let Some(path) = fault else {
            outcome.good.record(id, reply);
            continue;
        };
        match reply {
            Ok(reply) => outcome
                .faults
                .wrong
                .push(format!("#{id} {path}: answered {}", reply.status)),
            Err(error) => {
                let error = format!("{path}: {}", describe(&error));
                *outcome.faults.errors.entry(error).or_default() += 1;
            }
        }
        if !http2 {
            if path == "/panic" {
                outcome.http1_panics += 1;
            } else {
                outcome.http1_errors += 1;
            }
            client = Client::connect(addr, false).await;
        }
    }
    outcome
}

/// Waits for every client task.
async fn join(mut clients: JoinSet<Outcome>) -> Outcome {
    let mut outcome = Outcome::default();
    while let Some(task) = clients.join_next().await {
        outcome.merge(task.expect("client task"));
    }
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_of_a_mixed_load_is_right() {
    let total = total_requests();
    let outcome = tokio::time::timeout(TIMEOUT, async {
        let server = serve_app().await;
        let addr = server.addr;
        let http1_connections = CONNECTIONS - HTTP2_CONNECTIONS;
        let tasks = http1_connections + HTTP2_CONNECTIONS * STREAMS_PER_HTTP2_CONNECTION;
        let mut clients = JoinSet::new();
        for task in 0..http1_connections {
            let client = Client::connect(addr, false).await;
            clients.spawn(drive(addr, client, ids(task, tasks, total), false));
        }
        for connection in 0..HTTP2_CONNECTIONS {
            let conn = connect_http2(addr).await;
            for stream in 0..STREAMS_PER_HTTP2_CONNECTION {
                let task = http1_connections + connection * STREAMS_PER_HTTP2_CONNECTION + stream;
                let client = Client::Http2(conn.clone());
                clients.spawn(drive(addr, client, ids(task, tasks, total), false));
            }
        }
        let outcome = join(clients).await;
        assert_eq!(server.stats.accepted(), CONNECTIONS);
        outcome
    })
    .await
    .expect("load test timed out");

    let tally = outcome.good;
    println!(
        "{total} requests over {CONNECTIONS} connections ({HTTP2_CONNECTIONS} HTTP/2): \
         {} right, {} wrong, errors {:?}",
        tally.ok,
        tally.wrong.len(),
        tally.errors
    );
    assert!(
        tally.wrong.is_empty(),
        "wrong responses: {:#?}",
        &tally.wrong[..tally.wrong.len().min(10)]
    );
    assert!(tally.errors.is_empty(), "errors: {:?}", tally.errors);
    assert_eq!(tally.ok, total);
}

/// The path of request `id` of a faulty client: `/error` or `/panic` for
/// one request in five, else `None` (a normal page).
fn fault_path(id: usize) -> Option<&'static str> {
    match id % 10 {
        4 => Some("/error"),
        9 => Some("/panic"),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_and_panicking_requests_leave_the_others_whole() {
    silence_deliberate_panics();
    let total = total_requests();
    // 48 clean HTTP/1.1 connections; 8 HTTP/1.1 clients that send faults
    // (each costs them their connection); 8 HTTP/2 connections that send
    // faults among good requests on the same connection.
    const CLEAN_HTTP1: usize = 48;
    const FAULTY_HTTP1: usize = 8;
    const FAULTY_HTTP2: usize = 8;
    const TASKS: usize = CLEAN_HTTP1 + FAULTY_HTTP1 + FAULTY_HTTP2;

    let (outcome, stats) = tokio::time::timeout(TIMEOUT, async {
        let server = serve_app().await;
        let addr = server.addr;
        let mut clients = JoinSet::new();
        for task in 0..TASKS {
            let http2 = task >= CLEAN_HTTP1 + FAULTY_HTTP1;
            let faulty = task >= CLEAN_HTTP1;
            let client = Client::connect(addr, http2).await;
            clients.spawn(drive(addr, client, ids(task, TASKS, total), faulty));
        }
        let outcome = join(clients).await;
        // The server counts a connection's end a moment after the client
        // sees it; wait for the HTTP/1.1 faults to be counted, boundedly.
        let lost = outcome.http1_errors + outcome.http1_panics;
        for _ in 0..500 {
            if server.stats.failed() + server.stats.panicked() >= lost {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (outcome, server.stats.clone())
    })
    .await
    .expect("fault test timed out");

    let expected_faults = (0..total)
        .filter(|id| id % TASKS >= CLEAN_HTTP1 && fault_path(*id).is_some())
        .count();
    let (good, faults) = (&outcome.good, &outcome.faults);
    let fault_count: usize = faults.errors.values().sum();
    println!(
        "{total} requests: {} good answered right, {fault_count} faults failed as expected \
         {:?}; server: {} connections accepted, {} failed, {} panicked",
        good.ok,
        faults.errors,
        stats.accepted(),
        stats.failed(),
        stats.panicked(),
    );
    assert!(
        good.wrong.is_empty(),
        "wrong responses: {:#?}",
        &good.wrong[..good.wrong.len().min(10)]
    );
    assert!(
        good.errors.is_empty(),
        "good requests failed: {:?}",
        good.errors
    );
    assert_eq!(good.ok, total - expected_faults);
    assert!(
        faults.wrong.is_empty(),
        "faulty requests answered: {:?}",
        faults.wrong
    );
    assert_eq!(fault_count, expected_faults);
    assert!(expected_faults > 0);
    // Each HTTP/1.1 fault cost exactly its own connection: an error ends
    // it, a panic unwinds its task and nothing else. HTTP/2 faults reset
    // only their stream.
    assert_eq!(
        stats.accepted(),
        TASKS + outcome.http1_errors + outcome.http1_panics
    );
    assert_eq!(stats.failed(), outcome.http1_errors);
    assert_eq!(stats.panicked(), outcome.http1_panics);
}
