//! The response future of [`CookieConsent`](crate::CookieConsent).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::Response;
use pin_project_lite::pin_project;

use crate::enforcer::Enforcer;

pin_project! {
    /// Response future of [`CookieConsent`](crate::CookieConsent): the inner
    /// future, then [`Enforcer::filter_response`] on its response. Errors
    /// pass through untouched.
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        enforcer: Enforcer,
    }
}

impl<F> ResponseFuture<F> {
    #[inline]
    pub(crate) fn new(inner: F, enforcer: Enforcer) -> Self {
        Self { inner, enforcer }
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
        this.enforcer.filter_response(response.headers_mut());
        Poll::Ready(Ok(response))
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("enforcer", &self.enforcer)
            .finish_non_exhaustive()
    }
}
