//! Leaf & Kettle, the demo shop: its routes and the layers around them.
//!
//! [`app`] builds the whole site for a policy. `main.rs` serves it, and
//! `tests/browser.rs` starts the same app in-process to drive it in a real
//! browser.
//!
//! The layers, from the outside in:
//!
//! ```text
//! inspect::measure      notes what the browser sent; sees what reaches it, compares, records
//! CookieConsentLayer    hides the request cookies the visitor has not granted, strips
//!                       their Set-Cookie lines, deletes those the browser still holds
//! inspect::record       notes the cookies the shop saw and the Set-Cookie lines it produced
//! session::session      sets the necessary `sessionid` cookie on every response
//! Router                the pages
//! ```
//!
//! Only `CookieConsentLayer` comes from the library; the other layers are
//! the demo's own.

pub mod consent_writers;
mod cookies;
mod html;
mod inspect;
mod pages;
mod session;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;
use tower_cookie_consent::{ConsentFormat, CookieConsentLayer, Policy};

use self::inspect::Inspector;
use self::session::Store;

/// The policy the demo enforces, found from any working directory.
pub const POLICY_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml");

/// Reads a policy file (TOML, in the crate's configuration schema),
/// switched to `format` when one is given (see
/// [`consent_writers::apply_format`]). Fails for a format the demo's banner
/// cannot write.
pub fn load_policy(path: &str, format: Option<ConsentFormat>) -> Result<Policy, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("{path}: {err}"))?;
    let policy: Policy = match format {
        // Straight from the text, so that errors point at a line.
        None => toml::from_str(&text).map_err(|err| format!("{path}: {err}"))?,
        Some(format) => {
            let mut file: toml::Table =
                toml::from_str(&text).map_err(|err| format!("{path}: {err}"))?;
            consent_writers::apply_format(&mut file, format)?;
            toml::Value::Table(file)
                .try_into()
                .map_err(|err| format!("{path} with consent_format = {format:?}: {err}"))?
        }
    };
    let format = policy.consent_format();
    match consent_writers::banner(format) {
        Some(_) => Ok(policy),
        None => Err(format!(
            "{path}: the demo's banner cannot write consent_format = \"{format}\""
        )),
    }
}

/// The shop, behind a `CookieConsentLayer` that enforces `policy`.
pub fn app(policy: Policy) -> Router {
    let store = Store::default();
    let consent_layer = CookieConsentLayer::new(policy.clone());
    let inventory = consent_layer.inventory();
    let inspector = Inspector {
        store: store.clone(),
        policy: policy.clone(),
    };
    Router::new()
        .route("/", get(pages::home))
        .route("/teas", get(pages::teas))
        .route("/offers", get(pages::offers))
        // The names the first version of this demo used.
        .route("/stats", get(pages::teas))
        .route("/marketing", get(pages::offers))
        .route("/cookies-policy", get(pages::cookies_policy))
        .route("/cookies", get(pages::cookies))
        .route("/basket", get(pages::basket).post(pages::update_basket))
        .route("/consent", post(pages::save_consent))
        .route("/debug/last", get(inspect::last))
        .route("/cookie-inventory", get(pages::cookie_inventory))
        .fallback(pages::not_found)
        // `Router::layer` wraps the routes and the fallback above; the last
        // layer added is the outermost.
        .layer(from_fn_with_state(store.clone(), session::session))
        .layer(from_fn(inspect::record))
        .layer(axum::Extension(inventory))
        .layer(consent_layer)
        .layer(from_fn_with_state(inspector, inspect::measure))
        .with_state(store)
}
