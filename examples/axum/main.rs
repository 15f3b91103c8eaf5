//! Leaf & Kettle: a small tea shop that shows `CookieConsentLayer` keeping
//! a cookie policy's promises.
//!
//! ```text
//! cargo run --example axum                 # http://127.0.0.1:3000
//! cargo run --example axum -- --port 8080  # or PORT=8080; 0 picks a free port
//! ```
//!
//! The policy comes from `examples/policy.toml`: Opendatasoft's necessary
//! cookies, Matomo under `statistics`, Hotjar and HubSpot under `marketing`.
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
//! - `GET /cookies`: the declaration table, rendered from the policy.
//! - The cookie inspector at the bottom of every page shows what the
//!   browser holds and, line by line, what the layer kept, stripped or
//!   added on the last response, as measured by two demo layers around
//!   the consent layer (`GET /debug/last`, and the `x-demo-cookie-diff`
//!   header).
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

const USAGE: &str =
    "usage: cargo run --example axum [-- --port PORT]   (or PORT=...; 0 picks a free port)";

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
    let Some(port) = port(std::env::args().skip(1), std::env::var("PORT").ok())? else {
        println!("{USAGE}");
        return Ok(());
    };
    let policy = app::load_policy(app::POLICY_FILE)?;

    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .await
        .map_err(|err| format!("127.0.0.1:{port}: {err}"))?;
    let port = listener.local_addr()?.port();
    println!("Leaf & Kettle is open on http://127.0.0.1:{port}/");
    println!("  with cookies for a whole domain: http://www.shop.localhost:{port}/");
    axum::serve(listener, app::app(policy))
        .with_graceful_shutdown(ctrl_c())
        .await?;
    Ok(())
}

/// The port from `--port N` or `--port=N`, else `PORT`, else 3000; `None`
/// when the usage was asked for.
fn port(
    mut args: impl Iterator<Item = String>,
    env: Option<String>,
) -> Result<Option<u16>, String> {
    let mut chosen = None;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--port" => args.next().ok_or(USAGE)?,
            "-h" | "--help" => return Ok(None),
            _ => match arg.strip_prefix("--port=") {
                Some(value) => value.to_owned(),
                None => return Err(format!("unknown argument {arg:?}\n{USAGE}")),
            },
        };
        chosen = Some(
            value
                .parse()
                .map_err(|err| format!("--port {value}: {err}"))?,
        );
    }
    match (chosen, env) {
        (Some(port), _) => Ok(Some(port)),
        (None, Some(env)) => Ok(Some(
            env.parse().map_err(|err| format!("PORT={env}: {err}"))?,
        )),
        (None, None) => Ok(Some(3000)),
    }
}

async fn ctrl_c() {
    // If the signal cannot be watched, run until the process is killed.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
