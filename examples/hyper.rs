//! `CookieConsentLayer` on a bare hyper 1 server, HTTP/1.1 and HTTP/2
//! (cleartext, prior knowledge), with the policy of `examples/policy.toml`.
//!
//! ```text
//! cargo run --release --example hyper                    # with the layer
//! cargo run --release --example hyper -- --passthrough   # the same app without it
//! ```
//!
//! It listens on `127.0.0.1:3001` (`PORT` overrides) and prints
//! `listening on http://127.0.0.1:PORT (layer: on|off)`.
//!
//! Every request, whatever its method and path, gets `200 OK`, a small body
//! and six `Set-Cookie` headers, in this order: `sessionid` and `csrftoken`
//! (necessary), `_pk_id.1.1fff` and `_pk_ses.1.1fff` (statistics), `_hjid`
//! and `hubspotutk` (marketing). With the layer, only the categories granted
//! by the request's `cookies_preferences` cookie come back:
//!
//! ```text
//! curl -si -b 'cookies_preferences=statistics' http://127.0.0.1:3001/ | grep -i set-cookie
//! ```
//!
//! The path `/fail` makes the application return an error instead, to show
//! that errors pass through the layer untouched: hyper then closes the
//! HTTP/1.1 connection without a response, or resets the HTTP/2 stream.
//!
//! The two modes differ only in the layer, so comparing them under load
//! measures what the layer costs.

use std::error::Error;
use std::net::{Ipv4Addr, SocketAddr};

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_cookie_consent::{CookieConsentLayer, Policy};

type BoxError = Box<dyn Error + Send + Sync>;

/// Found from any working directory.
const POLICY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml");

const SET_COOKIES: [&str; 6] = [
    "sessionid=abc123; Path=/; HttpOnly",
    "csrftoken=tok; Path=/",
    "_pk_id.1.1fff=visitor; Path=/; Max-Age=33696000",
    "_pk_ses.1.1fff=1; Path=/; Max-Age=1800",
    "_hjid=hj; Path=/; Max-Age=31536000",
    "hubspotutk=hs; Path=/; Max-Age=15552000",
];

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let passthrough = std::env::args().skip(1).any(|arg| arg == "--passthrough");
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|err| format!("PORT={port}: {err}"))?,
        Err(_) => 3001,
    };
    let layer = if passthrough {
        None
    } else {
        Some(CookieConsentLayer::new(load_policy()?))
    };

    let service = ServiceBuilder::new().option_layer(layer).service_fn(app);

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let listener = TcpListener::bind(addr).await?;
    let mode = if passthrough { "off" } else { "on" };
    println!("listening on http://{addr} (layer: {mode})");

    loop {
        let (stream, _) = listener.accept().await?;
        // Responses are small and complete: send them without waiting for
        // more data (Nagle's algorithm).
        if let Err(err) = stream.set_nodelay(true) {
            eprintln!("TCP_NODELAY: {err}");
        }
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            if let Err(err) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("connection error: {err}");
            }
        });
    }
}

fn load_policy() -> Result<Policy, BoxError> {
    let text =
        std::fs::read_to_string(POLICY_FILE).map_err(|err| format!("{POLICY_FILE}: {err}"))?;
    Ok(toml::from_str(&text).map_err(|err| format!("{POLICY_FILE}: {err}"))?)
}

/// The application: one cookie of every kind on every response, whatever the
/// visitor chose, and an error for `/fail`.
async fn app(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, BoxError> {
    if req.uri().path() == "/fail" {
        return Err("the application failed, as /fail asks".into());
    }
    let mut res = Response::new(Full::new(Bytes::from_static(b"hello\n")));
    for cookie in SET_COOKIES {
        res.headers_mut()
            .append(header::SET_COOKIE, HeaderValue::from_static(cookie));
    }
    Ok(res)
}
