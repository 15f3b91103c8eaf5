//! What the layer reports of what it does: the [`Inventory`] of undeclared
//! names, and the counters of the `metrics` feature.
//!
//! An [`Observer`] rides along with one request. The response filter hands
//! it each `Set-Cookie` line once, with the final verdict; the purge, each
//! deletion it appends; the request stage, each cookie it hides.

use std::fmt;

use http::Uri;

use crate::inventory::Inventory;
use crate::metrics::{CategoryLabel, Decision, Metrics};
use crate::policy::{Match, Policy};

/// Where the verdicts of one request go, and the request's path.
#[derive(Clone)]
pub(crate) struct Observer {
    inventory: Option<Inventory>,
    metrics: Option<Metrics>,
    path: RequestPath,
}

impl Observer {
    /// An observer that reports nothing yet, for a request to `uri`.
    #[inline]
    pub(crate) fn new(uri: &Uri) -> Self {
        Self::reporting_to(uri, None, None)
    }

    /// An observer for a request to `uri` that reports to `inventory` and
    /// `metrics`.
    #[inline]
    pub(crate) fn reporting_to(
        uri: &Uri,
        inventory: Option<Inventory>,
        metrics: Option<Metrics>,
    ) -> Self {
        Self {
            inventory,
            metrics,
            path: RequestPath::new(uri.path().as_bytes()),
        }
    }

    pub(crate) fn set_inventory(&mut self, inventory: Inventory) {
        self.inventory = Some(inventory);
    }

    /// Whether every `Set-Cookie` line must be reported, not only those
    /// whose name the policy does not declare: the counters count them all.
    #[inline]
    pub(crate) fn wants_every_line(&self) -> bool {
        Metrics::ENABLED && self.metrics.is_some()
    }

    /// Whether the lines whose name the policy does not declare must be
    /// reported.
    #[inline]
    pub(crate) fn wants_undeclared(&self) -> bool {
        self.inventory.is_some() || self.wants_every_line()
    }

    /// Reports one `Set-Cookie` line with its final verdict: `name` as the
    /// browser would store it (`None`: nameless), `found` what the policy
    /// classified it as.
    pub(crate) fn set_cookie(
        &self,
        policy: &Policy,
        name: Option<&[u8]>,
        found: Option<Match>,
        kept: bool,
    ) {
        if let (Some(inventory), Some(name)) = (&self.inventory, name) {
            if is_undeclared(policy, found) {
                inventory.record(name, kept, self.path.as_bytes());
            }
        }
        if let Some(metrics) = &self.metrics {
            let decision = if kept {
                Decision::Kept
            } else {
                Decision::Stripped
            };
            metrics.record(CategoryLabel::of(found.map(|found| found.class)), decision);
        }
    }

    /// Reports `lines` deletion lines appended for a cookie of `found`'s
    /// class.
    pub(crate) fn purged(&self, found: Match, lines: usize) {
        if let Some(metrics) = &self.metrics {
            for _ in 0..lines {
                metrics.record(CategoryLabel::of(Some(found.class)), Decision::Purged);
            }
        }
    }

    /// Reports one request cookie hidden from the application.
    /// Whether [`hidden`](Self::hidden) does anything: only the metrics
    /// count hidden cookies.
    pub(crate) fn wants_hidden(&self) -> bool {
        Metrics::ENABLED && self.metrics.is_some()
    }

    pub(crate) fn hidden(&self, policy: &Policy, name: &[u8]) {
        if let Some(metrics) = self.metrics.as_ref().filter(|_| Metrics::ENABLED) {
            let class = policy.classify(name).map(|found| found.class);
            metrics.record(CategoryLabel::of(class), Decision::Hidden);
        }
    }
}

/// Whether a name `found` classified is one the policy does not declare:
/// no entry matched, or only the known-cookie database's.
#[inline]
pub(crate) fn is_undeclared(policy: &Policy, found: Option<Match>) -> bool {
    found.is_none_or(|found| policy.is_known(found))
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Observer")
            .field("inventory", &self.inventory)
            .field("metrics", &self.metrics)
            .field("path", &String::from_utf8_lossy(self.path.as_bytes()))
            .finish()
    }
}

/// The request target's path, copied inline at request time: the `Uri` is
/// gone when the response arrives, and cloning its shared bytes may
/// allocate (a `Bytes` made from a `Vec` allocates its shared header on the
/// first clone). Only the first [`Inventory::MAX_PATH_LEN`] bytes are
/// kept, all the inventory stores.
#[derive(Clone, Copy)]
struct RequestPath {
    len: u8,
    bytes: [u8; Inventory::MAX_PATH_LEN],
}

const _: () = assert!(Inventory::MAX_PATH_LEN <= u8::MAX as usize);

impl RequestPath {
    #[inline]
    fn new(path: &[u8]) -> Self {
        let len = path.len().min(Inventory::MAX_PATH_LEN);
        let mut bytes = [0; Inventory::MAX_PATH_LEN];
        bytes[..len].copy_from_slice(&path[..len]);
        Self {
            // At most `MAX_PATH_LEN`, checked above to fit.
            len: len as u8,
            bytes,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}
