//! [`Enforcer`]: everything the layer does, for any framework.

use http::{HeaderMap, Uri};

use crate::consent::{self, Consent, Reading, RequestJar};
use crate::policy::Policy;
use crate::request::RequestContext;
use crate::response;

/// Applies a [`Policy`] to one request and its response, without tower:
/// the entry point for actix-web, rocket, a hand-written hyper loop or any
/// other framework. [`CookieConsentLayer`](crate::CookieConsentLayer) does
/// exactly this on every request.
///
/// 1. [`Enforcer::new`] reads the visitor's consent from the request's
///    headers, and the host and scheme from its URI (or `Host` header), which
///    decide whether a browser would store a cookie the response sets;
/// 2. the application runs, and may ask [`Enforcer::consent`];
/// 3. [`Enforcer::filter_response`] strips every `Set-Cookie` the consent
///    does not cover from the response's headers.
///
/// ```
/// use http::{header, HeaderMap, HeaderValue, Uri};
/// use tower_cookie_consent::Policy;
///
/// let policy = Policy::builder()
///     .necessary(["sessionid"])
///     .category("statistics", ["_pk_id*"])
///     .category("marketing", ["_fbp"])
///     .build()?;
///
/// // The request, as the framework hands it over.
/// let uri: Uri = "https://shop.example.com/basket".parse()?;
/// let mut request = HeaderMap::new();
/// request.insert(header::COOKIE, HeaderValue::from_static("cookies_preferences=statistics"));
///
/// let enforcer = policy.enforcer(&uri, &request);
/// assert!(enforcer.consent().allows("statistics"));
///
/// // The application's response headers.
/// let mut response = HeaderMap::new();
/// response.append(header::SET_COOKIE, HeaderValue::from_static("sessionid=s3cr3t; HttpOnly"));
/// response.append(header::SET_COOKIE, HeaderValue::from_static("_pk_id.1.1fff=abc; Max-Age=33696000"));
/// response.append(header::SET_COOKIE, HeaderValue::from_static("_fbp=fb.1.1596403881668.1116446470"));
/// enforcer.filter_response(&mut response);
///
/// let kept: Vec<_> = response.get_all(header::SET_COOKIE).iter().collect();
/// assert_eq!(kept, ["sessionid=s3cr3t; HttpOnly", "_pk_id.1.1fff=abc; Max-Age=33696000"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Enforcer {
    policy: Policy,
    reading: Reading,
    ctx: RequestContext,
}

impl Enforcer {
    /// Reads what the policy needs from a request: the consent cookie from
    /// its headers, and the host and scheme from `uri` (else the `Host`
    /// header).
    #[inline]
    pub fn new(policy: &Policy, uri: &Uri, request_headers: &HeaderMap) -> Self {
        Self {
            policy: policy.clone(),
            reading: consent::read(policy, &RequestJar::new(policy, request_headers)),
            ctx: RequestContext::new(uri, request_headers),
        }
    }

    /// The visitor's consent, as [`Consent::from_headers`] reads it.
    pub fn consent(&self) -> Consent {
        Consent::new(self.policy.clone(), self.reading)
    }

    /// The policy being applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Removes from a response's headers every `Set-Cookie` the visitor has
    /// not granted. Necessary cookies, the consent cookie and deletions
    /// always pass; when the response sets the consent cookie itself, its
    /// new value decides. A map with nothing to strip is left untouched, and
    /// nothing is allocated either way.
    pub fn filter_response(&self, response_headers: &mut HeaderMap) {
        response::filter_set_cookies(
            response_headers,
            &self.policy,
            self.reading.grants(),
            &self.ctx,
        );
    }
}

impl Policy {
    /// An [`Enforcer`] for one request: see there.
    pub fn enforcer(&self, uri: &Uri, request_headers: &HeaderMap) -> Enforcer {
        Enforcer::new(self, uri, request_headers)
    }

    /// Applies the policy to one response in a single call: reads the consent
    /// from `request_headers` and `uri`, and strips from `response_headers`
    /// every `Set-Cookie` it does not cover. The same as
    /// `self.enforcer(uri, request_headers).filter_response(response_headers)`.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue, Uri};
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder().category("marketing", ["_fbp"]).build()?;
    /// let mut response = HeaderMap::new();
    /// response.append(header::SET_COOKIE, HeaderValue::from_static("_fbp=fb.1.1596403881668"));
    /// response.append(header::SET_COOKIE, HeaderValue::from_static("cookies_preferences=marketing"));
    ///
    /// // No consent in the request, but the response records the visitor's
    /// // choice: that choice decides.
    /// policy.filter_response(&Uri::from_static("/consent"), &HeaderMap::new(), &mut response);
    /// assert_eq!(response.get_all(header::SET_COOKIE).iter().count(), 2);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn filter_response(
        &self,
        uri: &Uri,
        request_headers: &HeaderMap,
        response_headers: &mut HeaderMap,
    ) {
        self.enforcer(uri, request_headers)
            .filter_response(response_headers);
    }
}
