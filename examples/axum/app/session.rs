//! The visitor's session: the necessary `sessionid` cookie, set on every
//! response, and what the shop keeps server-side for it (the basket, a
//! one-time message, the inspector's last responses).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use super::cookies::request_cookies;
use super::inspect::Exchange;

/// The session cookie's name, declared as necessary in the policy.
pub const SESSION_COOKIE: &str = "sessionid";

/// Visitors kept at most; the oldest session is forgotten first. Bounds
/// the memory a flood of new visitors can take.
const MAX_VISITORS: usize = 1000;

/// Responses the inspector keeps per visitor.
const MAX_RESPONSES: usize = 4;

/// Items a basket holds at most.
const MAX_BASKET: usize = 99;

/// A session id the shop issued, as a request and response extension.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SessionId(String);

/// What the shop remembers about one visitor.
#[derive(Debug, Default)]
pub struct Visitor {
    /// Product ids, in the order they were added.
    pub basket: Vec<&'static str>,
    /// A message for the next page, shown once.
    pub flash: Option<String>,
    /// The inspector's records, newest first.
    pub responses: VecDeque<Exchange>,
}

impl Visitor {
    /// Adds `product` unless the basket is full.
    pub fn add(&mut self, product: &'static str) -> bool {
        let room = self.basket.len() < MAX_BASKET;
        if room {
            self.basket.push(product);
        }
        room
    }

    /// Keeps `exchange` as the newest record.
    pub fn record(&mut self, exchange: Exchange) {
        self.responses.push_front(exchange);
        self.responses.truncate(MAX_RESPONSES);
    }
}

/// Every visitor's session, shared by the handlers and the layers.
#[derive(Debug, Clone, Default)]
pub struct Store(Arc<Mutex<Visitors>>);

#[derive(Debug, Default)]
struct Visitors {
    by_id: HashMap<SessionId, Visitor>,
    /// Session ids, oldest first, to forget the oldest when full.
    order: VecDeque<SessionId>,
}

impl Store {
    /// The session `claimed` by the request's cookie if the shop issued it,
    /// or a new one: a session id the shop did not issue is never adopted,
    /// so a value planted in a visitor's browser cannot become their session.
    fn resume_or_start(&self, claimed: Option<&str>) -> SessionId {
        let mut visitors = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(claimed) = claimed {
            let claimed = SessionId(claimed.to_owned());
            if visitors.by_id.contains_key(&claimed) {
                return claimed;
            }
        }
        let id = SessionId(new_session_id());
        if visitors.order.len() >= MAX_VISITORS {
            if let Some(oldest) = visitors.order.pop_front() {
                visitors.by_id.remove(&oldest);
            }
        }
        visitors.order.push_back(id.clone());
        visitors.by_id.insert(id.clone(), Visitor::default());
        id
    }

    /// Runs `f` on the visitor's session; `None` if it was forgotten since.
    pub fn with<R>(&self, id: &SessionId, f: impl FnOnce(&mut Visitor) -> R) -> Option<R> {
        let mut visitors = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        visitors.by_id.get_mut(id).map(f)
    }
}

/// 128 bits from std's SipHash under keys drawn from the operating system's
/// random source, over a counter: unguessable without the keys, which never
/// leave the process. Enough for a demo; a real site takes its session ids
/// from its framework's session store.
fn new_session_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = RandomState::new().hash_one(n);
    let low = RandomState::new().hash_one(n);
    format!("{high:016x}{low:016x}")
}

/// Middleware: resumes or starts the visitor's session, hands its id to
/// the handlers (and, in the response's extensions, to the inspector), and
/// sets the `sessionid` cookie on every response.
pub async fn session(State(store): State<Store>, mut req: Request, next: Next) -> Response {
    let claimed = request_cookies(req.headers())
        .into_iter()
        .find(|(name, _)| name == SESSION_COOKIE)
        .map(|(_, value)| value);
    let id = store.resume_or_start(claimed.as_deref());
    req.extensions_mut().insert(id.clone());

    let mut res = next.run(req).await;
    // No `Max-Age`: a session cookie, gone when the browser closes, as the
    // policy file declares. A site served over HTTPS adds `Secure`.
    let line = format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax", id.0);
    if let Ok(value) = HeaderValue::from_str(&line) {
        res.headers_mut().append(SET_COOKIE, value);
    }
    // Every page depends on the visitor's cookies: no shared cache may keep
    // it, and the back button must not show a stale inspector.
    res.headers_mut()
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res.extensions_mut().insert(id);
    res
}
