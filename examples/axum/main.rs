//! Leaf & Kettle: a small tea shop that shows `CookieConsentLayer` keeping
//! a cookie policy's promises.
//!
//! ```text
//! cargo run --example axum                      # http://127.0.0.1:3000
//! cargo run --example axum -- --port 8080       # or PORT=8080; 0 picks a free port
//! cargo run --example axum -- --format klaro    # or CONSENT_FORMAT=klaro
//! ```
//!
//! The policy comes from `examples/policy.toml`: Opendatasoft's necessary
//! cookies, Matomo under `statistics`, Hotjar and HubSpot under `marketing`.
//! Its `consent_format` says which banner's cookie the layer reads, and the
//! shop's banner writes that cookie as the real banner would; `--format`
//! switches to another of the ten without editing the file.
//!
//! - Every page sets the necessary `sessionid` cookie (it keeps the basket),
//!   shows the consent banner until the visitor chooses, and has the cookie
//!   settings in its footer: accept all, reject all, or per category. A
//!   choice is a `POST /consent` that lands back on the same page with a
//!   confirmation. Plain HTML forms: they work without JavaScript.
//! - `GET /teas` sets Matomo cookies and `GET /offers` Hotjar, HubSpot and
//!   an undeclared Meta pixel cookie, whatever the visitor chose, as a
//!   careless template would. The layer removes those not granted. (`/stats`
//!   and `/marketing` are the same pages.)
//! - `GET /cookies-policy`: the declaration table, `Policy::to_html()`
//!   (`/cookies` leads there).
//! - The cookie inspector at the bottom of every page shows what the
//!   browser holds and, line by line, what the layer kept, stripped or
//!   added on the last response, as measured by two demo layers around
//!   the consent layer (`GET /debug/last`, and the `x-demo-cookie-diff`
//!   header).
//!
//! Withdrawing consent (**Reject all** after accepting) deletes nothing in
//! the shop's own code: the consent layer purges the revoked cookies in the
//! response that stores the new choice, host-only and for the whole domain,
//! and the inspector lists those deletions as "added by the layer". It also
//! hides every cookie the visitor has not granted from the shop's handlers:
//! the inspector's "Your browser sent" and "What the shop saw" differ by
//! them. A browser that sends `Sec-GPC: 1` (Global Privacy Control) gets no
//! marketing cookies: `gpc = ["marketing"]` in the policy.
//!
//! To watch the layer decide, build with its `tracing` feature; the demo
//! prints its events to the terminal, filtered by `RUST_LOG` (cookie names,
//! categories and reasons; never a value):
//!
//! ```text
//! RUST_LOG=tower_cookie_consent=debug cargo run --example axum --features tracing
//! RUST_LOG=tower_cookie_consent=trace cargo run --example axum --features tracing  # each request's decision
//! ```
//!
//! Visited as `http://127.0.0.1:3000/`, the trackers set host-only cookies.
//! Visited under a name of three labels or more, such as
//! `http://www.shop.localhost:3000/` (Chromium resolves `*.localhost` to the
//! loopback address by itself), they also set cookies for the whole domain
//! (`Domain=shop.localhost`). From a terminal:
//!
//! ```text
//! curl -si -b 'cookies_preferences=statistics' http://127.0.0.1:3000/teas \
//!   | grep -i -e set-cookie -e x-demo-cookie-diff
//! ```

mod app;

use std::error::Error;
use std::net::Ipv4Addr;
use std::process::ExitCode;

use tower_cookie_consent::ConsentFormat;

const USAGE: &str = "usage: cargo run --example axum [-- --port PORT] [--format FORMAT]
  --port PORT      or PORT=...; 0 picks a free port (default 3000)
  --format FORMAT  or CONSENT_FORMAT=...: the consent-cookie format the banner
                   writes and the layer reads, instead of examples/policy.toml's:
                   auto, cookiebot, onetrust, orestbida, klaro,
                   django_cookie_consent, govuk, cookieyes, complianz, tcf";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("{err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    // The layer's events, when it is built with `--features tracing`:
    // `RUST_LOG=tower_cookie_consent=debug` shows each cookie it strips,
    // hides or purges. Without the feature it emits none.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let env = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    let Some(options) =
        Options::parse(std::env::args().skip(1), env("PORT"), env("CONSENT_FORMAT"))?
    else {
        println!("{USAGE}");
        return Ok(());
    };
    let policy = app::load_policy(app::POLICY_FILE, options.format)?;

    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, options.port))
        .await
        .map_err(|err| format!("127.0.0.1:{}: {err}", options.port))?;
    let port = listener.local_addr()?.port();
    println!("Leaf & Kettle is open on http://127.0.0.1:{port}/");
    println!("  with cookies for a whole domain: http://www.shop.localhost:{port}/");
    println!(
        "  the banner stores its choice in {} (consent_format = \"{}\")",
        policy.consent_cookie(),
        policy.consent_format(),
    );
    if cfg!(feature = "tracing") {
        println!("  the layer's events go to stderr, filtered by RUST_LOG");
    }
    axum::serve(listener, app::app(policy))
        .with_graceful_shutdown(ctrl_c())
        .await?;
    Ok(())
}

/// What the command line and the environment ask for.
#[derive(Debug, PartialEq)]
struct Options {
    port: u16,
    /// `None`: the policy file's own `consent_format`.
    format: Option<ConsentFormat>,
}

impl Options {
    /// `--port N` (or `--port=N`, else `PORT`, else 3000) and `--format F`
    /// (or `--format=F`, else `CONSENT_FORMAT`); `None` when the usage was
    /// asked for.
    fn parse(
        mut args: impl Iterator<Item = String>,
        port_env: Option<String>,
        format_env: Option<String>,
    ) -> Result<Option<Self>, String> {
        let mut port = None;
        let mut format = None;
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) => (flag.to_owned(), Some(value.to_owned())),
                None => (arg.clone(), None),
            };
            let slot = match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--port" => &mut port,
                "--format" => &mut format,
                _ => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
            };
            let value = match inline {
                Some(value) => value,
                None => args.next().ok_or(USAGE)?,
            };
            *slot = Some((flag, value));
        }
        let port = match port.or(port_env.map(|v| ("PORT".to_owned(), v))) {
            Some((from, value)) => value
                .parse()
                .map_err(|err| format!("{from} {value}: {err}"))?,
            None => 3000,
        };
        let format = match format.or(format_env.map(|v| ("CONSENT_FORMAT".to_owned(), v))) {
            Some((from, value)) => Some(
                app::consent_writers::format_named(&value)
                    .ok_or_else(|| format!("{from} {value}: no such format\n{USAGE}"))?,
            ),
            None => None,
        };
        Ok(Some(Self { port, format }))
    }
}

async fn ctrl_c() {
    // If the signal cannot be watched, run until the process is killed.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
