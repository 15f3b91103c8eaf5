use tower::Layer;

use crate::policy::Policy;
use crate::service::CookieConsent;

/// Applies [`CookieConsent`] to a service: reads the visitor's consent from
/// each request and strips the `Set-Cookie` headers it does not cover.
///
/// Cloning the layer, and every service it makes, shares one policy.
///
/// ```
/// use http::{header, Request, Response};
/// use std::convert::Infallible;
/// use tower::{service_fn, ServiceBuilder, ServiceExt};
/// use tower_cookie_consent::{CookieConsentLayer, Policy};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let policy = Policy::builder().category("marketing", ["_fbp"]).build()?;
/// let svc = ServiceBuilder::new()
///     .layer(CookieConsentLayer::new(policy))
///     .service(service_fn(|_req: Request<()>| async {
///         Ok::<_, Infallible>(
///             Response::builder()
///                 .header(header::SET_COOKIE, "_fbp=fb.1.1596403881668.1116446470")
///                 .body(())
///                 .unwrap(),
///         )
///     }));
///
/// // No consent cookie: a first visit grants necessary cookies only.
/// let res = svc.oneshot(Request::new(())).await?;
/// assert!(res.headers().get(header::SET_COOKIE).is_none());
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct CookieConsentLayer {
    policy: Policy,
}

impl CookieConsentLayer {
    /// A layer that enforces `policy`.
    pub fn new(policy: Policy) -> Self {
        Self { policy }
    }

    /// The policy this layer enforces.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl<S> Layer<S> for CookieConsentLayer {
    type Service = CookieConsent<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CookieConsent::new(inner, self.policy.clone())
    }
}
