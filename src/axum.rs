//! [`Consent`] as an axum extractor.

use std::convert::Infallible;
use std::fmt;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::request::Parts;
use http::StatusCode;

use crate::consent::Consent;

/// Rejection for the [`Consent`] extractor: the request did not go through
/// a [`CookieConsentLayer`](crate::CookieConsentLayer).
///
/// Responds `500 Internal Server Error`: a missing layer is a bug in the
/// application, not in the request.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct MissingConsentLayer;

impl fmt::Display for MissingConsentLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "missing request extension: `Consent` is only available behind `CookieConsentLayer`; is the layer installed?",
        )
    }
}

impl std::error::Error for MissingConsentLayer {}

impl IntoResponse for MissingConsentLayer {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

/// Extracts the visitor's consent, read by [`CookieConsentLayer`](crate::CookieConsentLayer).
///
/// ```
/// use axum::{routing::get, Router};
/// use tower_cookie_consent::{Consent, CookieConsentLayer, Policy};
///
/// async fn page(consent: Consent) -> &'static str {
///     if consent.allows("statistics") { "<script src=/matomo.js></script>" } else { "" }
/// }
///
/// let policy = Policy::builder().category("statistics", ["_pk_*"]).build().unwrap();
/// let app: Router = Router::new().route("/", get(page)).layer(CookieConsentLayer::new(policy));
/// ```
impl<S> FromRequestParts<S> for Consent
where
    S: Send + Sync,
{
    type Rejection = MissingConsentLayer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Consent>()
            .cloned()
            .ok_or(MissingConsentLayer)
    }
}

/// `Option<Consent>`: `None` when the layer is not installed.
impl<S> OptionalFromRequestParts<S> for Consent
where
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Consent>().cloned())
    }
}
