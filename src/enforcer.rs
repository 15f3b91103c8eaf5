//! [`Enforcer`]: everything the layer does, for any framework.

use http::{HeaderMap, Uri};

use crate::consent::{Consent, Reading};
use crate::inventory::Inventory;
use crate::observe::Observer;
use crate::policy::{Grants, Policy};
use crate::request::{self, CookieScan, RequestContext};
use crate::response;

/// Applies a [`Policy`] to one request and its response, without tower:
/// the entry point for actix-web, rocket, a hand-written hyper loop or any
/// other framework. [`CookieConsentLayer`](crate::CookieConsentLayer) does
/// exactly this on every request.
///
/// 1. [`Enforcer::new`] reads the visitor's consent from the request's
///    headers (with `Sec-GPC`), the host and scheme from its URI (or `Host`
///    header), which decide whether a browser would store a cookie the
///    response sets, and judges the request's cookies once;
/// 2. [`Enforcer::hide_request_cookies`] removes from the request's
///    `Cookie` headers what the application must not see;
/// 3. the application runs, and may ask [`Enforcer::consent`];
/// 4. [`Enforcer::filter_response`] strips every `Set-Cookie` the consent
///    does not cover from the response's headers, and appends deletions for
///    the cookies the request carried that it does not cover.
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
    /// Whether the request carries `Sec-GPC: 1`.
    gpc: bool,
    /// What the request's consent grants, `Sec-GPC` applied.
    granted: Grants,
    cookies: CookieScan,
    observer: Observer,
}

impl Enforcer {
    /// Reads what the policy needs from a request: the consent cookie and
    /// `Sec-GPC` from its headers, the host and scheme from `uri` (else the
    /// `Host` header), and which of its cookies the consent does not cover.
    ///
    /// A request that carries only cookies the consent covers costs no
    /// allocation.
    #[inline]
    pub fn new(policy: &Policy, uri: &Uri, request_headers: &HeaderMap) -> Self {
        Self::observed(policy, uri, request_headers, Observer::new(uri))
    }

    /// [`new`](Self::new) with the observer the enforcer reports to, built
    /// in place: the enforcer is large (the host and path are copied
    /// inline), and the layer calls this on every request, so it is not
    /// built and then moved again by `with_inventory`.
    #[inline]
    pub(crate) fn observed(
        policy: &Policy,
        uri: &Uri,
        request_headers: &HeaderMap,
        observer: Observer,
    ) -> Self {
        let gpc = request::gpc_signal(request_headers);
        let (reading, granted, cookies) = CookieScan::read(policy, request_headers, gpc);
        crate::trace::trace_event!(
            consent_set = reading.is_set(),
            gpc,
            granted = ?crate::trace::Granted(policy, granted),
            hide = cookies.hides_any(),
            "request consent"
        );
        Self {
            policy: policy.clone(),
            reading,
            ctx: RequestContext::new(uri, request_headers),
            gpc,
            granted,
            cookies,
            observer,
        }
    }

    /// Records in `inventory` the `Set-Cookie` lines of the response whose
    /// name the policy does not declare (see [`Inventory`]), each once,
    /// kept or stripped, with this request's path.
    /// [`CookieConsentLayer::enforcer`](crate::CookieConsentLayer::enforcer)
    /// gives an enforcer the layer's inventory, and its counters under the
    /// `metrics` feature.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue, Uri};
    /// use tower_cookie_consent::{Inventory, Policy};
    ///
    /// let policy = Policy::builder().necessary(["sessionid"]).build()?;
    /// let inventory = Inventory::new();
    /// let enforcer = policy
    ///     .enforcer(&Uri::from_static("/basket?item=1"), &HeaderMap::new())
    ///     .with_inventory(inventory.clone());
    /// let mut response = HeaderMap::new();
    /// response.append(header::SET_COOKIE, HeaderValue::from_static("sessionid=s3cr3t"));
    /// response.append(header::SET_COOKIE, HeaderValue::from_static("my_cart=3"));
    /// enforcer.filter_response(&mut response);
    ///
    /// let snapshot = inventory.snapshot();
    /// assert_eq!(snapshot.len(), 1);
    /// let cart = snapshot.get("my_cart").unwrap();
    /// assert_eq!((cart.kept(), cart.stripped()), (0, 1));
    /// assert_eq!(cart.first_seen().path(), "/basket");
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    #[must_use]
    pub fn with_inventory(mut self, inventory: Inventory) -> Self {
        self.observer.set_inventory(inventory);
        self
    }

    /// The visitor's consent, as [`Consent::from_headers`] reads it.
    pub fn consent(&self) -> Consent {
        Consent::new(self.policy.clone(), self.reading).with_gpc(self.gpc)
    }

    /// Removes from the request's `Cookie` headers every cookie the
    /// application must not see: those of a category the consent does not
    /// grant (`Sec-GPC` included), and names the policy does not list under
    /// [`UnknownCookies::Strip`](crate::UnknownCookies::Strip). The consent
    /// cookie and necessary cookies always stay.
    ///
    /// `request_headers` must be the headers this enforcer was made from.
    /// The other cookies keep their bytes and order; a header whose every
    /// cookie is hidden is removed. When nothing is hidden, or the policy
    /// turns hiding off ([`PolicyBuilder::strip_request_cookies`]), the
    /// headers are not touched and nothing is allocated. Read the
    /// [`consent`](Self::consent) from the enforcer, not from the rewritten
    /// headers: it always reflects the whole consent cookie.
    ///
    /// [`PolicyBuilder::strip_request_cookies`]: crate::PolicyBuilder::strip_request_cookies
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
    /// let mut request = HeaderMap::new();
    /// request.insert(
    ///     header::COOKIE,
    ///     HeaderValue::from_static("sessionid=s3cr3t; _fbp=fb.1.15; cookies_preferences=statistics; _pk_id.1.1fff=abc"),
    /// );
    /// let enforcer = policy.enforcer(&Uri::from_static("/"), &request);
    /// enforcer.hide_request_cookies(&mut request);
    /// assert_eq!(
    ///     request[header::COOKIE],
    ///     "sessionid=s3cr3t; cookies_preferences=statistics; _pk_id.1.1fff=abc"
    /// );
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn hide_request_cookies(&self, request_headers: &mut HeaderMap) {
        if !self.cookies.hides_any() {
            return;
        }
        self.cookies
            .rewrite(request_headers, &self.policy, self.granted, &self.observer);
    }

    /// The policy being applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Removes from a response's headers every `Set-Cookie` the visitor has
    /// not granted, then appends deletions for the cookies the request
    /// carried in a category the visitor has not granted (see
    /// [`PolicyBuilder::purge`](crate::PolicyBuilder::purge)).
    ///
    /// Necessary cookies, the consent cookie and deletions always pass; when
    /// the response sets the consent cookie itself, its new value decides,
    /// what is stripped and what is deleted alike. A map with nothing to
    /// strip or purge is left untouched, and nothing is allocated; only the
    /// deletion lines are.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue, Uri};
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder().category("statistics", ["_pk_id*"]).build()?;
    /// let mut request = HeaderMap::new();
    /// request.insert(
    ///     header::COOKIE,
    ///     HeaderValue::from_static("cookies_preferences=statistics; _pk_id.1.1fff=abc"),
    /// );
    /// let enforcer = policy.enforcer(&Uri::from_static("https://www.example.com/consent"), &request);
    ///
    /// // The visitor withdraws: the response records the new choice.
    /// let mut response = HeaderMap::new();
    /// response.append(header::SET_COOKIE, HeaderValue::from_static("cookies_preferences=; Path=/"));
    /// enforcer.filter_response(&mut response);
    /// let lines: Vec<_> = response.get_all(header::SET_COOKIE).iter().collect();
    /// assert_eq!(lines, [
    ///     "cookies_preferences=; Path=/",
    ///     "_pk_id.1.1fff=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/",
    ///     "_pk_id.1.1fff=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=example.com",
    /// ]);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn filter_response(&self, response_headers: &mut HeaderMap) {
        let decided = response::filter_set_cookies(
            response_headers,
            &self.policy,
            self.granted,
            &self.ctx,
            self.gpc,
            &self.observer,
        );
        if self.policy.purge() && self.cookies.carries_outside(decided) {
            response::purge(
                response_headers,
                &self.policy,
                decided,
                &self.ctx,
                self.cookies.values(),
                &self.observer,
            );
        }
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
