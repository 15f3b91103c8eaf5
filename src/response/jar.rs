//! The jar as the response leaves it: the consent cookies that the
//! response itself stores (rule 1: the visitor just chose, and that choice
//! decides this response).

use http::header::SET_COOKIE;
use http::HeaderMap;

use crate::consent::{Jar, Pair};
use crate::policy::{Class, Policy};
use crate::request::RequestContext;
use crate::set_cookie::{cookie_name, SetCookie};

/// The consent cookies a response stores, read as a browser's jar applies
/// them: a line the browser would refuse changes nothing, a later line for
/// the same name replaces an earlier one, and a line that expires the
/// cookie removes it.
#[derive(Debug, Clone, Copy)]
pub(super) struct ResponseJar<'a> {
    headers: &'a HeaderMap,
    policy: &'a Policy,
    ctx: &'a RequestContext,
    now: i64,
}

impl<'a> ResponseJar<'a> {
    pub(super) fn new(
        headers: &'a HeaderMap,
        policy: &'a Policy,
        ctx: &'a RequestContext,
        now: i64,
    ) -> Self {
        Self {
            headers,
            policy,
            ctx,
            now,
        }
    }

    /// Every consent-cookie line a browser would accept, in order.
    fn stored(&self) -> impl Iterator<Item = SetCookie<'a>> + 'a {
        let (policy, ctx) = (self.policy, self.ctx);
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(move |value| {
                let line = value.as_bytes();
                let name = cookie_name(line)?;
                if policy.classify(name)?.class != Class::Consent {
                    return None;
                }
                let cookie = SetCookie::parse(line);
                cookie.accepted_by_browser(ctx).then_some(cookie)
            })
    }

    /// Whether the response stores (or deletes) a consent cookie at all.
    pub(super) fn stores_consent(&self) -> bool {
        self.stored().next().is_some()
    }
}

impl<'a> Jar<'a> for ResponseJar<'a> {
    fn consent_values(&self) -> impl Iterator<Item = &'a [u8]> {
        let name = self.policy.consent_pattern();
        let now = self.now;
        // The last line for the name decides; a deletion leaves no value.
        self.stored()
            .filter(|cookie| cookie.name == name)
            .last()
            .filter(|cookie| !cookie.expires_by(now))
            .map(|cookie| cookie.value)
            .into_iter()
    }

    fn pairs(&self) -> impl Iterator<Item = Pair<'a>> {
        let now = self.now;
        let later = *self;
        self.stored()
            .enumerate()
            .filter(move |(index, cookie)| {
                // Only the last line for a name counts. Quadratic in the
                // consent lines of one response, which are few.
                !later
                    .stored()
                    .skip(index + 1)
                    .any(|other| other.name == cookie.name)
                    && !cookie.expires_by(now)
            })
            .map(|(_, cookie)| (cookie.name, cookie.value))
    }

    fn removed(&self) -> impl Iterator<Item = &'a [u8]> {
        let now = self.now;
        let later = *self;
        // The last line for a name decides whether it deletes.
        self.stored()
            .enumerate()
            .filter(move |(index, cookie)| {
                cookie.expires_by(now)
                    && !later
                        .stored()
                        .skip(index + 1)
                        .any(|other| other.name == cookie.name)
            })
            .map(|(_, cookie)| cookie.name)
    }
}
