//! Observability behind the `tracing` feature: a `debug` event for every
//! cookie the layer strips, hides or purges (its name, category and the
//! reason, never its value), and a `trace` event for every request's
//! decision. Without the feature the macros expand to nothing, so the hot
//! path pays nothing, not even for computing the fields.

/// A `tracing::debug!` event when the `tracing` feature is on; nothing
/// otherwise.
macro_rules! debug_event {
    ($($field:tt)*) => {
        #[cfg(feature = "tracing")]
        {
            tracing::debug!($($field)*);
        }
    };
}

/// A `tracing::trace!` event when the `tracing` feature is on; nothing
/// otherwise.
macro_rules! trace_event {
    ($($field:tt)*) => {
        #[cfg(feature = "tracing")]
        {
            tracing::trace!($($field)*);
        }
    };
}

pub(crate) use {debug_event, trace_event};

/// Whether a `debug` event of the crate would be recorded: a path that
/// skips per-cookie work must not skip an event someone listens to.
#[cfg(feature = "tracing")]
pub(crate) fn debug_enabled() -> bool {
    tracing::enabled!(tracing::Level::DEBUG)
}

/// Without the `tracing` feature there are no events.
#[cfg(not(feature = "tracing"))]
pub(crate) const fn debug_enabled() -> bool {
    false
}

/// A cookie name as an event field: bytes from the request or the
/// response, shown as text with anything that is not UTF-8 escaped, and
/// written straight to the subscriber, without an allocation.
#[cfg(feature = "tracing")]
pub(crate) struct Bytes<'a>(pub(crate) &'a [u8]);

#[cfg(feature = "tracing")]
impl std::fmt::Display for Bytes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                if c.is_control() {
                    write!(f, "{}", c.escape_default())?;
                } else {
                    write!(f, "{c}")?;
                }
            }
            for byte in chunk.invalid() {
                write!(f, "\\x{byte:02x}")?;
            }
        }
        Ok(())
    }
}

/// The categories of a grant set, by name, for the decision event.
#[cfg(feature = "tracing")]
pub(crate) struct Granted<'a>(
    pub(crate) &'a crate::policy::Policy,
    pub(crate) crate::policy::Grants,
);

#[cfg(feature = "tracing")]
impl std::fmt::Debug for Granted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = self.0.category_list();
        f.debug_list()
            .entries(self.1.iter().map(|index| list.name(index)))
            .finish()
    }
}

/// The category of a cookie name for an event: `necessary`, a category,
/// or `unknown`.
#[cfg(feature = "tracing")]
pub(crate) fn category<'p>(policy: &'p crate::policy::Policy, name: &[u8]) -> &'p str {
    policy
        .classify(name)
        .map_or("unknown", |found| policy.class_name(found.class))
}

/// Why a cookie the consent does not cover is removed.
#[cfg(feature = "tracing")]
pub(crate) fn reason(policy: &crate::policy::Policy, name: &[u8]) -> &'static str {
    if policy.classify(name).is_some() {
        "category not granted"
    } else {
        "unknown cookie"
    }
}
