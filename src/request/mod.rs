//! The request side: what the layer reads from the request besides the
//! consent, and what the application behind it may see.
//!
//! - [`context`]: the host and scheme;
//! - [`gpc`]: the Global Privacy Control signal;
//! - [`cookies`]: one pass over the request's cookies that says whether any
//!   must be hidden from the application and which ones a response may have
//!   to delete, and the rewrite of the `Cookie` headers that hides them.

mod context;
mod cookies;
mod gpc;

pub(crate) use self::context::{RequestContext, Scheme};
pub(crate) use self::cookies::CookieScan;
pub(crate) use self::gpc::gpc_signal;
