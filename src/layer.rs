use http::{HeaderMap, Uri};
use tower::Layer;

use crate::enforcer::Enforcer;
use crate::inventory::Inventory;
use crate::metrics::Metrics;
use crate::observe::Observer;
use crate::policy::Policy;
use crate::service::CookieConsent;

/// Applies [`CookieConsent`] to a service: reads the visitor's consent from
/// each request and strips the `Set-Cookie` headers it does not cover.
///
/// Cloning the layer, and every service it makes, shares one policy, one
/// [`Inventory`] (see [`inventory`](Self::inventory)) and, under the
/// `metrics` feature, one set of counters.
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
    inventory: Inventory,
    metrics: Metrics,
}

impl CookieConsentLayer {
    /// A layer that enforces `policy`, with an empty [`Inventory`] of the
    /// default capacity ([`Inventory::DEFAULT_CAPACITY`] names).
    pub fn new(policy: Policy) -> Self {
        let metrics = Metrics::new(&policy);
        Self {
            policy,
            inventory: Inventory::new(),
            metrics,
        }
    }

    /// The layer with `inventory` instead of its own: to share one inventory
    /// between layers, or to choose its capacity.
    ///
    /// ```
    /// use tower_cookie_consent::{CookieConsentLayer, Inventory, Policy};
    ///
    /// let inventory = Inventory::with_capacity(64);
    /// let layer = CookieConsentLayer::new(Policy::builder().build()?).with_inventory(inventory);
    /// assert_eq!(layer.inventory().capacity(), 64);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn with_inventory(mut self, inventory: Inventory) -> Self {
        self.inventory = inventory;
        self
    }

    /// The layer with a new, empty inventory that stores up to `capacity`
    /// names (see [`Inventory::with_capacity`]).
    ///
    /// ```
    /// use tower_cookie_consent::{CookieConsentLayer, Policy};
    ///
    /// let layer = CookieConsentLayer::new(Policy::builder().build()?).inventory_capacity(100);
    /// assert_eq!(layer.inventory().capacity(), 100);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn inventory_capacity(self, capacity: usize) -> Self {
        self.with_inventory(Inventory::with_capacity(capacity))
    }

    /// The policy this layer enforces.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// A handle to the inventory that this layer's services record into:
    /// every cookie name a response set that the policy does not declare,
    /// with how often it was kept and stripped, and where it was first and
    /// last seen. Cheap: clones share one inventory.
    ///
    /// ```
    /// use http::{header, Request, Response};
    /// use std::convert::Infallible;
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cookie_consent::{CookieConsentLayer, Policy};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let policy = Policy::builder().necessary(["sessionid"]).build()?;
    /// let layer = CookieConsentLayer::new(policy);
    /// let inventory = layer.inventory();
    /// let svc = layer.layer(service_fn(|_req: Request<()>| async {
    ///     Ok::<_, Infallible>(
    ///         Response::builder()
    ///             .header(header::SET_COOKIE, "sessionid=s3cr3t")
    ///             .header(header::SET_COOKIE, "my_cart=3")
    ///             .body(())
    ///             .unwrap(),
    ///     )
    /// }));
    /// let res = svc.oneshot(Request::get("/basket").body(())?).await?;
    /// assert_eq!(res.headers()[header::SET_COOKIE], "sessionid=s3cr3t");
    ///
    /// // `sessionid` is declared; `my_cart` is not, and was stripped.
    /// let snapshot = inventory.snapshot();
    /// assert_eq!(snapshot.len(), 1);
    /// assert_eq!(snapshot.get("my_cart").unwrap().stripped(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn inventory(&self) -> Inventory {
        self.inventory.clone()
    }

    /// An [`Enforcer`] for one request that records into this layer's
    /// inventory (and counters, under the `metrics` feature): the layer's
    /// work, for a framework without tower.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue, Uri};
    /// use tower_cookie_consent::{CookieConsentLayer, Policy};
    ///
    /// let layer = CookieConsentLayer::new(Policy::builder().build()?);
    /// let enforcer = layer.enforcer(&Uri::from_static("/"), &HeaderMap::new());
    /// let mut response = HeaderMap::new();
    /// response.append(header::SET_COOKIE, HeaderValue::from_static("my_cart=3"));
    /// enforcer.filter_response(&mut response);
    /// assert!(response.get(header::SET_COOKIE).is_none());
    /// assert_eq!(layer.inventory().snapshot().get("my_cart").unwrap().stripped(), 1);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn enforcer(&self, uri: &Uri, request_headers: &HeaderMap) -> Enforcer {
        let observer = Observer::reporting_to(
            uri,
            Some(self.inventory.clone()),
            Some(self.metrics.clone()),
        );
        Enforcer::observed(&self.policy, uri, request_headers, observer)
    }
}

impl<S> Layer<S> for CookieConsentLayer {
    type Service = CookieConsent<S>;

    fn layer(&self, inner: S) -> Self::Service {
        CookieConsent::from_layer(inner, self.clone())
    }
}
