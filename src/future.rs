//! The response future of [`CookieConsent`](crate::CookieConsent).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::Response;
use pin_project_lite::pin_project;

use crate::consent::Grants;
use crate::filter::filter_set_cookies;
use crate::policy::Policy;
use crate::request::RequestContext;

pin_project! {
    /// Response future of [`CookieConsent`](crate::CookieConsent): the inner
    /// future, then the `Set-Cookie` filter on its response. Errors pass
    /// through untouched.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        policy: Policy,
        granted: Grants,
        ctx: RequestContext,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, policy: Policy, granted: Grants, ctx: RequestContext) -> Self {
        Self {
            inner,
            policy,
            granted,
            ctx,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        filter_set_cookies(
            response.headers_mut(),
            &this.policy.inner,
            *this.granted,
            this.ctx,
        );
        Poll::Ready(Ok(response))
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("policy", &self.policy)
            .field("granted", &self.granted)
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}
