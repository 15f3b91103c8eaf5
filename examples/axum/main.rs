//! A small site that shows `CookieConsentLayer` removing the cookies a visitor
//! has not agreed to.
//!
//! ```text
//! cargo run --example axum
//! ```
//!
//! Then open <http://127.0.0.1:3000> (set `PORT` to use another port). The
//! policy comes from `examples/policy.toml`: Opendatasoft's necessary cookies,
//! Matomo under `statistics`, Hotjar and HubSpot under `marketing`.
//!
//! - `GET /`: a consent banner (accept all, reject all, or choose per
//!   category) and the cookie declaration table. A plain HTML form: it works
//!   without JavaScript.
//! - `POST /consent`: stores the choice in the `cookies_preferences` cookie,
//!   deletes the cookies of the categories refused, and redirects back.
//! - `GET /stats`, `GET /marketing`: handlers that set Matomo, Hotjar and
//!   HubSpot cookies whatever the visitor chose, as a careless template or a
//!   third-party integration would. The layer removes those not granted.
//! - `GET /cookies`: the cookies the browser sends back, each with its
//!   category, next to the consent the layer read.
//!
//! Handlers read the visitor's choice from the `Consent` request extension
//! that the layer inserts. (With the crate's `axum` feature, `Consent` is also
//! an extractor.) The same from a terminal:
//!
//! ```text
//! curl -si -b 'cookies_preferences=statistics' http://127.0.0.1:3000/stats | grep -i set-cookie
//! ```

use std::error::Error;
use std::net::Ipv4Addr;

use axum::extract::{Extension, Form};
use axum::http::{header, HeaderMap};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect};
use axum::routing::{get, post};
use axum::Router;
use cookie::time::Duration;
use cookie::{Cookie, SameSite};
use tower_cookie_consent::{Consent, CookieConsentLayer, CookieEntry, Policy};

/// Found from any working directory.
const POLICY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml");

/// Every page that sets cookies also sets this necessary one, which always
/// passes.
const SESSION_COOKIE: &str = "sessionid=demo-session; Path=/; HttpOnly; SameSite=Lax";

/// What Matomo's tracker would set for site 1.
const STATISTICS_COOKIES: &[&str] = &[
    "_pk_id.1.abcd=5b7c3e2f1a9d8c4b.1763900000; Path=/; Max-Age=33696000; SameSite=Lax",
    "_pk_ses.1.abcd=1; Path=/; Max-Age=1800; SameSite=Lax",
];

/// What Hotjar and HubSpot would set.
const MARKETING_COOKIES: &[&str] = &[
    "_hjid=2f1c6a9e-7b4d-4e8a-9c3f-5d2b1a0e8f7c; Path=/; Max-Age=31536000; SameSite=Lax",
    "hubspotutk=7d9e2c4b1a3f5e6d8c0b2a4f6e8d0c1b; Path=/; Max-Age=15552000; SameSite=Lax",
    "__hstc=1.7d9e2c4b1a3f5e6d8c0b2a4f6e8d0c1b.1763900000.1763900000.1763900000.1; Path=/; Max-Age=15552000; SameSite=Lax",
];

/// The pages `POST /consent` may send the visitor back to.
const PAGES: &[&str] = &["/", "/stats", "/marketing", "/cookies"];

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let policy = load_policy()?;
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse().map_err(|err| format!("PORT={port}: {err}"))?,
        Err(_) => 3000,
    };

    let app = Router::new()
        .route("/", get(home))
        .route("/consent", post(save_consent))
        .route("/stats", get(stats))
        .route("/marketing", get(marketing))
        .route("/cookies", get(list_cookies))
        .layer(CookieConsentLayer::new(policy));

    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app)
        .with_graceful_shutdown(ctrl_c())
        .await?;
    Ok(())
}

fn load_policy() -> Result<Policy, Box<dyn Error>> {
    let text =
        std::fs::read_to_string(POLICY_FILE).map_err(|err| format!("{POLICY_FILE}: {err}"))?;
    Ok(toml::from_str(&text).map_err(|err| format!("{POLICY_FILE}: {err}"))?)
}

async fn ctrl_c() {
    // If the signal cannot be watched, run until the process is killed.
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

async fn home(Extension(consent): Extension<Consent>) -> Html<String> {
    let body = format!(
        "<p>This site sets a necessary session cookie on every page, and tracking cookies on \
         the <a href=\"/stats\">statistics</a> and <a href=\"/marketing\">marketing</a> pages, \
         whatever you choose. The consent layer in front of it removes every tracking cookie \
         you have not agreed to; <a href=\"/cookies\">your cookies</a> shows what your browser \
         kept.</p>{}<h2>Cookies of this site</h2>{}",
        banner(&consent, "/"),
        declaration_table(consent.policy()),
    );
    page("Cookie consent demo", &consent, "/", &body)
}

async fn stats(Extension(consent): Extension<Consent>) -> impl IntoResponse {
    tracker_page(&consent, "/stats", "Statistics", STATISTICS_COOKIES)
}

async fn marketing(Extension(consent): Extension<Consent>) -> impl IntoResponse {
    tracker_page(&consent, "/marketing", "Marketing", MARKETING_COOKIES)
}

/// A page whose handler sets `cookies` (and the session cookie) without
/// asking: filtering them is the layer's job.
fn tracker_page(
    consent: &Consent,
    path: &str,
    title: &str,
    cookies: &'static [&'static str],
) -> impl IntoResponse {
    let lines: Vec<&'static str> = std::iter::once(SESSION_COOKIE)
        .chain(cookies.iter().copied())
        .collect();
    let rows: String = lines
        .iter()
        .map(|line| {
            let name = set_cookie_name(line);
            let category = consent.policy().category_of(name);
            let outcome = if category.is_some_and(|c| consent.allows(c)) {
                "kept"
            } else {
                "removed by the layer"
            };
            format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{outcome}</td></tr>",
                escape(name),
                escape(category.unwrap_or("not in the policy")),
            )
        })
        .collect();
    let body = format!(
        "<p>The handler of this page set these cookies, without looking at your choice:</p>\
         <table><tr><th>Cookie</th><th>Category</th><th>With your consent</th></tr>{rows}</table>\
         <p>See what your browser holds now: <a href=\"/cookies\">your cookies</a>.</p>"
    );
    let set_cookies = lines.into_iter().map(|line| (header::SET_COOKIE, line));
    (
        AppendHeaders(set_cookies),
        page(title, consent, path, &body),
    )
}

/// Stores the visitor's choice, deletes the cookies of the categories they
/// refuse, and sends them back to the page they came from.
async fn save_consent(
    Extension(consent): Extension<Consent>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> impl IntoResponse {
    let policy = consent.policy();
    let granted: Vec<&str> = match form_values(&fields, "choice").next() {
        Some("all") => policy.categories().collect(),
        Some("selected") => policy
            .categories()
            .filter(|category| form_values(&fields, "category").any(|v| v == *category))
            .collect(),
        // "none", and anything unexpected: grant nothing.
        _ => Vec::new(),
    };

    let mut set_cookies = vec![(header::SET_COOKIE, consent_cookie(policy, &granted))];
    // The layer only stops new cookies; those the browser already holds stay
    // until deleted. Deletions always pass the layer.
    for (name, _) in request_cookies(&headers) {
        let refused = policy
            .category_of(&name)
            .is_some_and(|c| c != "necessary" && !granted.contains(&c));
        if refused {
            let removal = Cookie::build((name, "")).path("/").removal().build();
            set_cookies.push((header::SET_COOKIE, removal.to_string()));
        }
    }

    let back = form_values(&fields, "back").next().unwrap_or("/");
    let back = PAGES.iter().find(|page| **page == back).unwrap_or(&"/");
    (AppendHeaders(set_cookies), Redirect::to(back))
}

/// The `Set-Cookie` value that records `granted`: a list such as
/// `statistics,marketing`, or `[]` when nothing is granted (an empty value
/// would read as "no choice made yet").
fn consent_cookie(policy: &Policy, granted: &[&str]) -> String {
    let value = if granted.is_empty() {
        "[]".to_owned()
    } else {
        granted.join(",")
    };
    // A site served over HTTPS adds `Secure`.
    Cookie::build((policy.consent_cookie(), value))
        .path("/")
        .max_age(Duration::days(365))
        .same_site(SameSite::Lax)
        .build()
        .to_string()
}

async fn list_cookies(Extension(consent): Extension<Consent>, headers: HeaderMap) -> Html<String> {
    let policy = consent.policy();
    let cookies = request_cookies(&headers);
    let rows: String = cookies
        .iter()
        .map(|(name, value)| {
            let category = policy.category_of(name);
            let allowed = match category {
                Some("necessary") => "always",
                Some(c) if consent.allows(c) => "yes",
                _ => "no",
            };
            format!(
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{allowed}</td></tr>",
                escape(name),
                escape(value),
                escape(category.unwrap_or("not in the policy")),
            )
        })
        .collect();
    let table = if cookies.is_empty() {
        "<p>Your browser sent no cookies.</p>".to_owned()
    } else {
        format!(
            "<table><tr><th>Name</th><th>Value</th><th>Category</th><th>Granted</th></tr>{rows}</table>"
        )
    };
    let body = format!(
        "<h2>The consent the layer read</h2>{}<h2>The cookies your browser sent</h2>{table}",
        consent_details(&consent),
    );
    page("Your cookies", &consent, "/cookies", &body)
}

/// The cookies of every `Cookie` header (HTTP/2 may split them), as
/// `(name, value)`. A pair without `=` is a nameless cookie, as browsers
/// read it.
fn request_cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut cookies = Vec::new();
    for header in headers.get_all(header::COOKIE) {
        for pair in String::from_utf8_lossy(header.as_bytes()).split(';') {
            let (name, value) = pair.split_once('=').unwrap_or(("", pair));
            let (name, value) = (name.trim(), value.trim());
            if !name.is_empty() || !value.is_empty() {
                cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }
    cookies
}

fn form_values<'a>(
    fields: &'a [(String, String)],
    key: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The name of one of this site's own `Set-Cookie` lines.
fn set_cookie_name(line: &str) -> &str {
    line.split_once('=').map_or(line, |(name, _)| name.trim())
}

/// The consent form, pre-filled with the visitor's current choice.
fn banner(consent: &Consent, back: &str) -> String {
    let checkboxes: String = consent
        .policy()
        .categories()
        .map(|category| {
            let checked = if consent.allows(category) { " checked" } else { "" };
            format!(
                "<label><input type=\"checkbox\" name=\"category\" value=\"{0}\"{checked}> {0}</label>",
                escape(category)
            )
        })
        .collect();
    format!(
        "<form class=\"banner\" method=\"post\" action=\"/consent\">\
         <p><strong>Cookies.</strong> Necessary cookies keep the site working and need no \
         consent. The others are set only if you agree.</p>\
         <p><label><input type=\"checkbox\" checked disabled> necessary</label>{checkboxes}</p>\
         <input type=\"hidden\" name=\"back\" value=\"{}\">\
         <button name=\"choice\" value=\"all\">Accept all</button> \
         <button name=\"choice\" value=\"none\">Reject all</button> \
         <button name=\"choice\" value=\"selected\">Save my choice</button></form>",
        escape(back)
    )
}

/// The policy file as the table a cookie policy page shows.
fn declaration_table(policy: &Policy) -> String {
    let groups = std::iter::once(("necessary", policy.necessary())).chain(
        policy
            .categories()
            .filter_map(|c| Some((c, policy.category_cookies(c)?))),
    );
    let mut rows = String::new();
    for (category, entries) in groups {
        for entry in entries {
            rows.push_str(&declaration_row(category, entry));
        }
    }
    format!(
        "<table><tr><th>Category</th><th>Cookie</th><th>Provider</th><th>Purpose</th>\
         <th>Lifetime</th></tr>{rows}</table>"
    )
}

fn declaration_row(category: &str, entry: &CookieEntry) -> String {
    format!(
        "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
        escape(category),
        escape(entry.name()),
        escape(entry.provider().unwrap_or("")),
        escape(entry.purpose().unwrap_or("")),
        escape(entry.lifetime().unwrap_or("")),
    )
}

/// What the `Consent` extension answers, call by call.
fn consent_details(consent: &Consent) -> String {
    let granted: Vec<&str> = consent.categories().collect();
    let allows: String = consent
        .policy()
        .categories()
        .map(|c| {
            format!(
                "<li><code>consent.allows(\"{}\")</code>: {}</li>",
                escape(c),
                consent.allows(c)
            )
        })
        .collect();
    format!(
        "<ul><li><code>consent.is_set()</code>: {}</li>\
         <li><code>consent.categories()</code>: [{}]</li>{allows}</ul>",
        consent.is_set(),
        escape(&granted.join(", ")),
    )
}

fn consent_summary(consent: &Consent) -> String {
    if !consent.is_set() {
        return "No valid choice yet: only necessary cookies are allowed.".to_owned();
    }
    let granted: Vec<&str> = consent.categories().collect();
    if granted.is_empty() {
        "You refused every category: only necessary cookies are allowed.".to_owned()
    } else {
        format!(
            "You accepted: {}. Necessary cookies are always allowed.",
            escape(&granted.join(", "))
        )
    }
}

/// The page layout: navigation, the visitor's choice, and a way to withdraw it
/// on every page.
fn page(title: &str, consent: &Consent, path: &str, body: &str) -> Html<String> {
    let withdraw = if consent.categories().next().is_some() {
        format!(
            "<form method=\"post\" action=\"/consent\"><input type=\"hidden\" name=\"back\" \
             value=\"{}\"><button class=\"link\" name=\"choice\" value=\"none\">Withdraw my \
             consent</button></form>",
            escape(path)
        )
    } else {
        String::new()
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><style>{STYLE}</style></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/stats\">Statistics</a> \
         <a href=\"/marketing\">Marketing</a> <a href=\"/cookies\">Your cookies</a></nav>\
         <h1>{title}</h1>{body}<footer><p>{}</p>{withdraw}</footer></body></html>",
        consent_summary(consent),
        title = escape(title),
    ))
}

const STYLE: &str = "body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;color:#222}nav a{margin-right:1rem}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}\
code{word-break:break-all}.banner{border:2px solid #335;border-radius:.5rem;padding:1rem;\
background:#f4f6ff}.banner label{margin-right:1rem}button{font:inherit;padding:.3rem .8rem}\
button.link{border:none;background:none;color:#00e;text-decoration:underline;padding:0;\
cursor:pointer}footer{margin-top:2rem;border-top:1px solid #ccc}";

/// Cookie names and values come from the client: never into HTML unescaped.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}
