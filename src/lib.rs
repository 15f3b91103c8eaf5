//! Tower middleware that makes a website keep its cookie promises.
//!
//! A cookie policy sorts cookies into *necessary* ones, which need no
//! consent, and categories such as `statistics` or `marketing`, which do.
//! Consent banners store the visitor's choice in a cookie, but nothing on the
//! server stops a handler, a template or a proxied application from setting a
//! tracking cookie anyway. [`CookieConsentLayer`] does:
//!
//! 1. it reads the visitor's choice from the consent cookie of the request
//!    (`cookies_preferences` by default) and inserts it into the request's
//!    extensions as a [`Consent`];
//! 2. it hides from the request's `Cookie` headers the cookies the visitor
//!    has not granted, so the application never sees them;
//! 3. it removes every `Set-Cookie` of the response whose category the visitor
//!    has not granted. Necessary cookies, the consent cookie itself and
//!    deletions always pass;
//! 4. it appends deletions for the cookies the request carried that the
//!    visitor has not granted (or has just withdrawn), so they leave the
//!    browser.
//!
//! A request with `Sec-GPC: 1` withdraws the categories the policy lists
//! for Global Privacy Control ([`PolicyBuilder::gpc`]).
//!
//! Data flows one way: request headers → [`Consent`] → hidden cookies →
//! inner service → response filter → appended deletions. Nothing allocates
//! unless there is a cookie to hide or delete; the body is never buffered or
//! touched; and the layer fails closed: a missing, empty or malformed consent
//! value grants nothing but the necessary cookies. Outside tower,
//! [`Enforcer`] does the same work on a request's and a response's headers,
//! for any framework.
//!
//! Inside, parsing and policy logic live apart from the tower plumbing
//! (`layer`, `service`, `future` only call [`Enforcer`]): `policy` holds the
//! frozen configuration and its name matcher, `consent` reads the visitor's
//! choice from the request's cookie pairs, `request` finds what to hide from
//! the application, `set_cookie` reads a `Set-Cookie` line as a browser
//! does, and `response` decides, strips and appends. No module imports one
//! that imports it back.
//!
//! # Example
//!
//! ```
//! use http::{header, Request, Response};
//! use std::convert::Infallible;
//! use tower::{service_fn, Layer, ServiceExt};
//! use tower_cookie_consent::{CookieConsentLayer, Policy};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let policy = Policy::builder()
//!     .necessary(["sessionid", "csrftoken"])
//!     .category("statistics", ["_pk_id*", "_pk_ses*"])
//!     .category("marketing", ["_hjid", "__hs*", "hubspotutk"])
//!     .build()?;
//!
//! // An application that sets a cookie of every kind.
//! let app = service_fn(|_req: Request<()>| async {
//!     Ok::<_, Infallible>(
//!         Response::builder()
//!             .header(header::SET_COOKIE, "sessionid=s3cr3t; HttpOnly")
//!             .header(header::SET_COOKIE, "_pk_id.1.1fff=abc; Max-Age=33696000")
//!             .header(header::SET_COOKIE, "_hjid=xyz")
//!             .body(())
//!             .unwrap(),
//!     )
//! });
//! let svc = CookieConsentLayer::new(policy).layer(app);
//!
//! // The visitor accepted statistics only.
//! let req = Request::builder()
//!     .header(header::COOKIE, "cookies_preferences=statistics")
//!     .body(())?;
//! let res = svc.oneshot(req).await?;
//!
//! let kept: Vec<_> = res.headers().get_all(header::SET_COOKIE).iter().collect();
//! assert_eq!(kept, ["sessionid=s3cr3t; HttpOnly", "_pk_id.1.1fff=abc; Max-Age=33696000"]);
//! # Ok(())
//! # }
//! ```
//!
//! # Rules
//!
//! In the default format, the consent cookie value may be a list of granted
//! categories (`statistics,marketing`, `all`), a JSON object
//! (`{"statistics":true}`) or a JSON array (`["statistics"]`), optionally
//! percent-encoded. The cookies that consent banners write (Cookiebot,
//! OneTrust, cookieconsent, Klaro, django-cookie-consent, GOV.UK,
//! CookieYes, Complianz, IAB TCF) are read as they are: see
//! [`ConsentFormat`]. [`Policy::to_html`] renders the cookie declaration
//! table from the same policy. Every
//! `Set-Cookie` name is read as a browser reads it (RFC 6265bis section 5.6),
//! on bytes. See the README for the full list of rules.
//!
//! # Feature flags
//!
//! - `axum`: [`Consent`] implements axum's `FromRequestParts` and
//!   `OptionalFromRequestParts`.
//! - `metrics`: the layer counts the cookies it keeps, strips, purges and
//!   hides, by category, through the `metrics` facade (see the `metrics`
//!   module).
//! - `tracing`: `debug` events for every cookie stripped, hidden or purged
//!   (name, category, reason; never a value) and a `trace` event per
//!   request.
#![deny(unsafe_code)]
#![warn(missing_docs, unreachable_pub, missing_debug_implementations)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod ascii;
#[cfg(feature = "axum")]
mod axum;
mod consent;
mod enforcer;
mod future;
#[cfg(feature = "unstable-internals")]
#[cfg_attr(docsrs, doc(cfg(feature = "unstable-internals")))]
pub mod internals;
mod inventory;
pub mod known;
mod layer;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod metrics;
#[cfg(not(feature = "metrics"))]
mod metrics;
mod observe;
mod policy;
mod request;
mod response;
mod service;
mod set_cookie;
mod trace;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use crate::axum::MissingConsentLayer;
pub use crate::consent::{Categories, Consent};
pub use crate::enforcer::Enforcer;
pub use crate::future::ResponseFuture;
pub use crate::inventory::{Inventory, InventoryEntry, InventorySnapshot, Sighting};
pub use crate::layer::CookieConsentLayer;
pub use crate::policy::{
    ConsentFormat, CookieEntry, Policy, PolicyBuilder, PolicyCategory, PolicyError, UnknownCookies,
};
pub use crate::service::CookieConsent;
