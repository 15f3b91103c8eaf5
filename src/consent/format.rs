//! The format-reader interface: how a consent cookie's value becomes a set
//! of granted categories.
//!
//! A reader sees a [`Jar`], all the cookies a browser would hold, not one
//! value: some banners spread the choice over several cookies. It answers
//! with a [`Reading`]: not set, malformed, or the categories granted.

use super::cookie_pairs::{Pair, RequestCookies};
use super::default_format;
use crate::policy::{Grants, Policy};

/// What a reader found in a jar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// No consent cookie: the visitor has not chosen.
    NotSet,
    /// A consent cookie the reader cannot read with certainty: it grants
    /// nothing (fail closed).
    Malformed,
    /// A valid choice, granting these categories (maybe none).
    Granted(Grants),
}

impl Reading {
    /// The categories granted: none unless the value was read.
    pub(crate) fn grants(self) -> Grants {
        match self {
            Self::Granted(grants) => grants,
            Self::NotSet | Self::Malformed => Grants::NONE,
        }
    }

    /// Whether a valid choice was read, even one that grants nothing.
    pub(crate) fn is_set(self) -> bool {
        matches!(self, Self::Granted(_))
    }
}

/// Where a reader looks for cookies: the request's `Cookie` headers, or
/// the jar as the response leaves it when the response sets the consent
/// cookie itself.
pub(crate) trait Jar<'a> {
    /// The value of every copy of the policy's consent cookie, in order.
    fn consent_values(&self) -> impl Iterator<Item = &'a [u8]>;

    /// Every cookie, in order.
    #[allow(dead_code, reason = "read by the formats spread over several cookies")]
    fn pairs(&self) -> impl Iterator<Item = Pair<'a>>;
}

/// The jar a request carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestJar<'a> {
    cookies: RequestCookies<'a>,
    policy: &'a Policy,
}

impl<'a> RequestJar<'a> {
    pub(crate) fn new(policy: &'a Policy, headers: &'a http::HeaderMap) -> Self {
        Self {
            cookies: RequestCookies::new(headers),
            policy,
        }
    }
}

impl<'a> Jar<'a> for RequestJar<'a> {
    #[inline]
    fn consent_values(&self) -> impl Iterator<Item = &'a [u8]> {
        let policy = self.policy;
        self.cookies
            .values_of(policy.consent_cookie().as_bytes(), policy.consent_finder())
    }

    fn pairs(&self) -> impl Iterator<Item = Pair<'a>> {
        self.cookies.pairs()
    }
}

/// Reads the visitor's consent from `jar` in the policy's format.
///
/// Several copies of the consent cookie (a host-only one and a `Domain`
/// one, say) grant only what every copy grants, and a malformed copy makes
/// the whole reading malformed: a browser sends both, and the server cannot
/// tell which one the banner wrote last.
pub(crate) fn read<'a>(policy: &Policy, jar: &impl Jar<'a>) -> Reading {
    let categories = policy.category_list();
    let mut granted = categories.all();
    let mut seen = false;
    for value in jar.consent_values() {
        seen = true;
        match default_format::read(value, categories) {
            Some(grants) => granted = granted.intersection(grants),
            None => return Reading::Malformed,
        }
    }
    if seen {
        Reading::Granted(granted)
    } else {
        Reading::NotSet
    }
}
