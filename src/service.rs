use std::task::{Context, Poll};

use http::{Request, Response};
use tower::Service;

use crate::future::ResponseFuture;
use crate::inventory::Inventory;
use crate::layer::CookieConsentLayer;
use crate::policy::Policy;

/// Middleware that enforces a cookie [`Policy`]. See [`CookieConsentLayer`].
///
/// Before calling the inner service it reads the visitor's
/// [`Consent`](crate::Consent), inserts it into the request's extensions and
/// hides from the `Cookie` headers the cookies the consent does not cover;
/// when the response arrives it removes every `Set-Cookie` the consent does
/// not cover and appends deletions for the cookies the request carried
/// that it does not cover. The response body is never touched. See
/// [`Enforcer`](crate::Enforcer) for each step.
#[derive(Debug, Clone)]
pub struct CookieConsent<S> {
    inner: S,
    layer: CookieConsentLayer,
}

impl<S> CookieConsent<S> {
    /// Wraps `inner` to enforce `policy`, with an inventory of its own.
    pub fn new(inner: S, policy: Policy) -> Self {
        Self::from_layer(inner, CookieConsentLayer::new(policy))
    }

    pub(crate) fn from_layer(inner: S, layer: CookieConsentLayer) -> Self {
        Self { inner, layer }
    }

    /// A [`CookieConsentLayer`] for `policy`.
    pub fn layer(policy: Policy) -> CookieConsentLayer {
        CookieConsentLayer::new(policy)
    }

    /// The policy this service enforces.
    pub fn policy(&self) -> &Policy {
        self.layer.policy()
    }

    /// A handle to the inventory this service records into: see
    /// [`CookieConsentLayer::inventory`].
    pub fn inventory(&self) -> Inventory {
        self.layer.inventory()
    }

    /// A reference to the inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// A mutable reference to the inner service.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CookieConsent<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        let enforcer = self.layer.enforcer(req.uri(), req.headers());
        enforcer.hide_request_cookies(req.headers_mut());
        req.extensions_mut().insert(enforcer.consent());
        ResponseFuture::new(self.inner.call(req), enforcer)
    }
}
