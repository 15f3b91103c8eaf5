//! Counters for the [`metrics`](https://docs.rs/metrics) facade, behind the
//! `metrics` feature.
//!
//! The layer counts every cookie it judges in one counter,
//! [`COOKIES_TOTAL`] (`cookie_consent_cookies_total`, unit
//! [`Count`](::metrics::Unit::Count)), with two labels:
//!
//! - [`CATEGORY_LABEL`] (`category`): `necessary` (the necessary cookies and
//!   the consent cookie), the name of a policy category as the policy
//!   declares it, or [`UNKNOWN_CATEGORY`] (`unknown`) for a name the policy
//!   does not declare;
//! - [`DECISION_LABEL`] (`decision`): `kept` or `stripped` for a
//!   `Set-Cookie` line of a response, `purged` for a deletion the layer
//!   added to a response, `hidden` for a cookie of a request that the layer
//!   kept from the application.
//!
//! Every replica of a site counts its own responses; a backend such as
//! Prometheus sums them, which the per-process [`Inventory`](crate::Inventory)
//! cannot do:
//!
//! ```text
//! sum by (category) (rate(cookie_consent_cookies_total{decision="stripped"}[5m]))
//! ```
//!
//! The counters are registered with the recorder installed when the layer
//! first counts a cookie, so install the recorder (the exporter) before
//! serving. A policy category called `unknown` shares its series with the
//! undeclared names.
//!
//! Without the feature this module only holds a no-op stand-in of zero
//! size, so the layer calls it unconditionally.

use crate::policy::Class;

/// The counter's name: cookies judged, labelled by category and decision.
#[cfg(feature = "metrics")]
pub const COOKIES_TOTAL: &str = "cookie_consent_cookies_total";

/// The label that holds the cookie's category.
#[cfg(feature = "metrics")]
pub const CATEGORY_LABEL: &str = "category";

/// The label that holds what the layer did with the cookie.
#[cfg(feature = "metrics")]
pub const DECISION_LABEL: &str = "decision";

/// The category label of a cookie name the policy does not declare.
#[cfg(feature = "metrics")]
pub const UNKNOWN_CATEGORY: &str = "unknown";

/// Describes [`COOKIES_TOTAL`] (its unit and help text) to the installed
/// recorder.
///
/// The layer does it when it first counts a cookie; an application may
/// call it at start-up too, for an exporter that should show the help text
/// before the first request.
///
/// ```
/// use metrics::Unit;
/// use metrics_util::debugging::DebuggingRecorder;
/// use tower_cookie_consent::metrics::{describe, COOKIES_TOTAL};
///
/// let recorder = DebuggingRecorder::new();
/// metrics::with_local_recorder(&recorder, || {
///     describe();
///     // A series of the counter, as the layer registers it.
///     metrics::counter!(COOKIES_TOTAL, "category" => "unknown", "decision" => "stripped");
/// });
/// let (key, unit, help, _) = recorder.snapshotter().snapshot().into_vec().remove(0);
/// assert_eq!(key.key().name(), "cookie_consent_cookies_total");
/// assert_eq!(unit, Some(Unit::Count));
/// assert!(help.unwrap().starts_with("Cookies the consent layer judged"));
/// ```
#[cfg(feature = "metrics")]
pub fn describe() {
    ::metrics::describe_counter!(
        COOKIES_TOTAL,
        ::metrics::Unit::Count,
        "Cookies the consent layer judged: Set-Cookie lines kept or stripped, \
         deletions purged, request cookies hidden; by policy category"
    );
}

/// What the layer did with one cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// A `Set-Cookie` line left in the response.
    Kept,
    /// A `Set-Cookie` line removed from the response.
    Stripped,
    /// A deletion `Set-Cookie` line added to the response.
    Purged,
    /// A request cookie removed from the `Cookie` header the application
    /// sees.
    Hidden,
}

impl Decision {
    /// Every decision, in the order of a counter row.
    #[cfg(feature = "metrics")]
    const ALL: [Self; 4] = [Self::Kept, Self::Stripped, Self::Purged, Self::Hidden];

    /// The label value.
    #[cfg(feature = "metrics")]
    const fn as_str(self) -> &'static str {
        match self {
            Self::Kept => "kept",
            Self::Stripped => "stripped",
            Self::Purged => "purged",
            Self::Hidden => "hidden",
        }
    }
}

/// Which category a counted cookie is labelled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CategoryLabel {
    /// `necessary`: a necessary cookie, or the consent cookie.
    Necessary,
    /// The policy category with this index (declaration order).
    Category(u8),
    /// `unknown`: a name the policy does not declare.
    Unknown,
}

impl CategoryLabel {
    /// The label of a name that [`Policy::classify`] put in `class`
    /// (`None`: not declared).
    pub(crate) fn of(class: Option<Class>) -> Self {
        match class {
            Some(Class::Consent | Class::Necessary) => Self::Necessary,
            Some(Class::Category(index)) => Self::Category(index),
            None => Self::Unknown,
        }
    }
}

#[cfg(feature = "metrics")]
pub(crate) use self::enabled::Metrics;

#[cfg(not(feature = "metrics"))]
pub(crate) use self::disabled::Metrics;

#[cfg(feature = "metrics")]
mod enabled {
    use std::fmt;
    use std::sync::{Arc, OnceLock};

    use ::metrics::Counter;

    use super::{CategoryLabel, Decision, CATEGORY_LABEL, COOKIES_TOTAL, DECISION_LABEL};
    use crate::policy::Policy;

    /// The counters of one policy, shared by every clone: one row of four
    /// handles (one per [`Decision`]) per category label, registered with
    /// the recorder on first use. Counting then increments a handle:
    /// no key is built, nothing is looked up or allocated.
    #[derive(Clone)]
    pub(crate) struct Metrics {
        inner: Arc<Inner>,
    }

    struct Inner {
        /// `necessary`, the policy's categories in order, `unknown`.
        labels: Box<[Box<str>]>,
        counters: OnceLock<Box<[[Counter; 4]]>>,
    }

    impl Metrics {
        /// Whether counting does anything.
        pub(crate) const ENABLED: bool = true;

        /// The counters of `policy`'s categories, not registered yet.
        pub(crate) fn new(policy: &Policy) -> Self {
            let labels = std::iter::once("necessary")
                .chain(policy.categories().map(|category| category.name()))
                .chain(std::iter::once(super::UNKNOWN_CATEGORY))
                .map(Box::from)
                .collect();
            Self {
                inner: Arc::new(Inner {
                    labels,
                    counters: OnceLock::new(),
                }),
            }
        }

        /// Counts one cookie.
        #[inline]
        pub(crate) fn record(&self, category: CategoryLabel, decision: Decision) {
            let inner = &*self.inner;
            let categories = inner.labels.len() - 2;
            let row = match category {
                CategoryLabel::Necessary => 0,
                CategoryLabel::Category(index) if usize::from(index) < categories => {
                    1 + usize::from(index)
                }
                // An index from another policy: not one of ours to count.
                CategoryLabel::Category(_) => return,
                CategoryLabel::Unknown => categories + 1,
            };
            let counters = inner.counters.get_or_init(|| inner.register());
            // A row is in `Decision::ALL` order, the declaration order.
            counters[row][decision as usize].increment(1);
        }
    }

    impl Inner {
        /// Registers every counter of the policy with the current recorder,
        /// so each series exists (at 0) from the first count on.
        #[cold]
        fn register(&self) -> Box<[[Counter; 4]]> {
            super::describe();
            self.labels
                .iter()
                .map(|category| {
                    Decision::ALL.map(|decision| {
                        ::metrics::counter!(
                            COOKIES_TOTAL,
                            CATEGORY_LABEL => category.to_string(),
                            DECISION_LABEL => decision.as_str(),
                        )
                    })
                })
                .collect()
        }
    }

    impl fmt::Debug for Metrics {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("Metrics")
                .field("categories", &self.inner.labels)
                .field("registered", &self.inner.counters.get().is_some())
                .finish()
        }
    }
}

#[cfg(not(feature = "metrics"))]
mod disabled {
    use super::{CategoryLabel, Decision};
    use crate::policy::Policy;

    /// Without the `metrics` feature: nothing, so that the layer counts
    /// unconditionally at no cost.
    #[derive(Debug, Clone)]
    pub(crate) struct Metrics;

    impl Metrics {
        /// Whether counting does anything.
        pub(crate) const ENABLED: bool = false;

        pub(crate) fn new(_policy: &Policy) -> Self {
            Self
        }

        #[inline(always)]
        pub(crate) fn record(&self, _category: CategoryLabel, _decision: Decision) {}
    }
}

#[cfg(all(test, feature = "metrics"))]
mod tests {
    use ::metrics::{with_local_recorder, Unit};
    use metrics_util::debugging::{DebugValue, DebuggingRecorder};
    use metrics_util::MetricKind;

    use super::*;
    use crate::Policy;

    fn policy() -> Policy {
        Policy::builder()
            .necessary(["sessionid"])
            .category("statistics", ["_pk_id*"])
            .category("Marketing", ["_fbp"])
            .build()
            .expect("valid policy")
    }

    /// `(category, decision) -> count` for every series of the counter.
    fn counts(recorder: &DebuggingRecorder) -> Vec<(String, String, u64)> {
        let mut counts: Vec<_> = recorder
            .snapshotter()
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, unit, description, value)| {
                assert_eq!(key.kind(), MetricKind::Counter);
                assert_eq!(key.key().name(), "cookie_consent_cookies_total");
                assert_eq!(unit, Some(Unit::Count));
                assert!(description.is_some_and(|d| d.starts_with("Cookies the consent layer")));
                let labels: Vec<_> = key
                    .key()
                    .labels()
                    .map(|label| (label.key().to_owned(), label.value().to_owned()))
                    .collect();
                let [(category_key, category), (decision_key, decision)] = &labels[..] else {
                    panic!("two labels: {labels:?}");
                };
                assert_eq!((&**category_key, &**decision_key), ("category", "decision"));
                let DebugValue::Counter(count) = value else {
                    panic!("a counter");
                };
                (category.clone(), decision.clone(), count)
            })
            .collect();
        counts.sort();
        counts
    }

    #[test]
    fn counts_by_category_and_decision() {
        let recorder = DebuggingRecorder::new();
        let policy = policy();
        let metrics = Metrics::new(&policy);
        with_local_recorder(&recorder, || {
            let class =
                |name: &str| CategoryLabel::of(policy.classify(name.as_bytes()).map(|m| m.class));
            metrics.record(class("sessionid"), Decision::Kept);
            metrics.record(class("cookies_preferences"), Decision::Kept);
            metrics.record(class("_pk_id.1.abcd"), Decision::Stripped);
            metrics.record(class("_pk_id.1.abcd"), Decision::Stripped);
            metrics.record(class("_fbp"), Decision::Hidden);
            metrics.record(class("_fbp"), Decision::Purged);
            metrics.record(class("_ga"), Decision::Stripped);
            // An index no category of the policy has: ignored.
            metrics.record(CategoryLabel::Category(7), Decision::Kept);
        });
        let counts = counts(&recorder);
        // Every series exists from the first count on, at 0 if unused.
        assert_eq!(counts.len(), 4 * 4);
        let nonzero: Vec<_> = counts.iter().filter(|(_, _, n)| *n > 0).cloned().collect();
        let expected = [
            ("Marketing", "hidden", 1),
            ("Marketing", "purged", 1),
            ("necessary", "kept", 2),
            ("statistics", "stripped", 2),
            ("unknown", "stripped", 1),
        ]
        .map(|(c, d, n)| (c.to_owned(), d.to_owned(), n));
        assert_eq!(nonzero, expected);
    }

    #[test]
    fn a_row_is_in_declaration_order() {
        for (index, decision) in Decision::ALL.into_iter().enumerate() {
            assert_eq!(decision as usize, index);
        }
    }

    #[test]
    fn clones_share_the_counters() {
        let recorder = DebuggingRecorder::new();
        let metrics = Metrics::new(&policy());
        let clone = metrics.clone();
        with_local_recorder(&recorder, || {
            metrics.record(CategoryLabel::Necessary, Decision::Kept);
            clone.record(CategoryLabel::Necessary, Decision::Kept);
        });
        assert!(counts(&recorder).contains(&("necessary".into(), "kept".into(), 2)));
        assert!(format!("{clone:?}").contains("registered: true"));
    }
}
