//! The format-reader interface: how a consent cookie's value becomes a set
//! of granted categories.
//!
//! A reader sees a [`Jar`], all the cookies a browser would hold, not one
//! value: some banners spread the choice over several cookies. It answers
//! with a [`Reading`]: not set, malformed, or the categories granted.
//!
//! [`read`] dispatches on the policy's [`ConsentFormat`]: the crate's own
//! format goes straight to its reader, as it always did; a banner's format
//! goes through its reader in `formats`, whose names (a Cookiebot key, a
//! OneTrust group id, a TCF purpose) are mapped onto the policy's
//! categories by the policy's aliases. Nothing here allocates.

use super::cookie_pairs::{Pair, RequestCookies};
use super::default_format;
use super::formats::{self, Outcome};
use crate::policy::{ConsentFormat, Grants, Policy};

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
    fn pairs(&self) -> impl Iterator<Item = Pair<'a>>;

    /// The names of the consent cookies the jar deletes: only a response
    /// deletes cookies.
    fn removed(&self) -> impl Iterator<Item = &'a [u8]> {
        std::iter::empty()
    }
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
            .values_of(policy.consent_pattern(), policy.consent_finder())
    }

    fn pairs(&self) -> impl Iterator<Item = Pair<'a>> {
        self.cookies.pairs()
    }
}

/// The jar of one raw `Cookie` header value, read pair by pair as
/// [`RequestJar`] reads a header: for the fuzz targets, which hand the
/// readers bytes that no `HeaderValue` would hold.
#[cfg(feature = "unstable-internals")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct BytesJar<'a> {
    header: &'a [u8],
    policy: &'a Policy,
}

#[cfg(feature = "unstable-internals")]
impl<'a> BytesJar<'a> {
    pub(crate) fn new(policy: &'a Policy, header: &'a [u8]) -> Self {
        Self { header, policy }
    }
}

#[cfg(feature = "unstable-internals")]
impl<'a> Jar<'a> for BytesJar<'a> {
    fn consent_values(&self) -> impl Iterator<Item = &'a [u8]> {
        let name = self.policy.consent_pattern();
        self.pairs()
            .filter(move |(pair_name, _)| *pair_name == name)
            .map(|(_, value)| value)
    }

    fn pairs(&self) -> impl Iterator<Item = Pair<'a>> {
        self.header
            .split(|&b| b == b';')
            .map(crate::set_cookie::split_pair)
            .filter(|(name, value)| !(name.is_empty() && value.is_empty()))
    }
}

/// Reads the visitor's consent from `jar` in the policy's format.
///
/// Several copies of a consent cookie (a host-only one and a `Domain`
/// one, say) grant only what every copy grants, and a malformed copy makes
/// the whole reading malformed: a browser sends both, and the server cannot
/// tell which one the banner wrote last.
#[inline]
pub(crate) fn read<'a>(policy: &Policy, jar: &impl Jar<'a>) -> Reading {
    match policy.consent_format() {
        ConsentFormat::Auto => read_default(policy, jar),
        format => read_banner(policy, format, jar),
    }
}

/// The crate's own format: the path of most requests, kept as short as it
/// was before banners' formats existed.
#[inline]
fn read_default<'a>(policy: &Policy, jar: &impl Jar<'a>) -> Reading {
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

/// A banner's format. Out of line, so that the default format's path stays
/// small.
#[inline(never)]
fn read_banner<'a>(policy: &Policy, format: ConsentFormat, jar: &impl Jar<'a>) -> Reading {
    match format {
        ConsentFormat::Complianz => {
            let (outcome, tally) = read_complianz(policy, jar);
            judge(policy, outcome, tally)
        }
        ConsentFormat::GovUk => read_copies(policy, Reader::Format(format), jar.consent_values())
            .or_else(|| read_fallback(policy, jar))
            .unwrap_or(Reading::NotSet),
        _ => read_copies(policy, Reader::Format(format), jar.consent_values())
            .unwrap_or(Reading::NotSet),
    }
}

/// The grants after a response that sets or deletes consent cookies (rule
/// 1), given the request's: the visitor just chose, and the jar as the
/// response leaves it decides.
///
/// A format held in one cookie is decided by the response's value alone.
/// For the formats spread over several cookies, the response may touch
/// only some of them, and the others stay as the request sent them:
/// - Complianz: the categories whose cookies the response sets or deletes
///   take the response's answer, the others keep `before`. With a policy
///   revision, a granted category counts only when the response also sets
///   a current `cmplz_policy_id`, and a stale one (set or deleted) grants
///   nothing at all.
/// - GOV.UK: a `cookies_policy` the response sets decides; else One
///   Login's preferences in `cookies_preferences_set` do. A response that
///   only sets the "banner answered" marker leaves `before`, unless it
///   deletes `cookies_policy`, which leaves nothing.
pub(crate) fn read_update<'a>(policy: &Policy, jar: &impl Jar<'a>, before: Grants) -> Grants {
    match policy.consent_format() {
        ConsentFormat::Complianz => complianz_update(policy, jar, before),
        ConsentFormat::GovUk => govuk_update(policy, jar, before),
        _ => read(policy, jar).grants(),
    }
}

/// The categories one record names: those it grants, and those it
/// refuses. A category both granted (by one name) and refused (by
/// another, or by the same name again) is refused.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    granted: Grants,
    refused: Grants,
}

impl Tally {
    #[inline]
    fn emit(&mut self, policy: &Policy, name: &[u8], granted: bool) {
        if let Some(index) = policy.category_for(name) {
            if granted {
                self.granted.insert(index);
            } else {
                self.refused.insert(index);
            }
        }
    }

    /// What the record grants: refusal wins.
    fn grants(self) -> Grants {
        self.granted.difference(self.refused)
    }

    /// Every category the record names, granted or refused.
    fn mentioned(self) -> Grants {
        self.granted.union(self.refused)
    }
}

/// What one record means, given how its reader ended.
fn judge(policy: &Policy, outcome: Outcome, tally: Tally) -> Reading {
    match outcome {
        Outcome::NotSet => Reading::NotSet,
        Outcome::Malformed => Reading::Malformed,
        // A choice was made: nothing.
        Outcome::Refused => Reading::Granted(Grants::NONE),
        // Not a choice: honoured only when the site asked for it.
        Outcome::Unregulated if policy.unregulated_grants_all() => {
            Reading::Granted(policy.category_list().all())
        }
        Outcome::Unregulated => Reading::NotSet,
        // The banner asks again for a stale record: it is no choice yet.
        Outcome::Choices { revision } if is_stale(policy, revision) => Reading::NotSet,
        Outcome::Choices { .. } => Reading::Granted(tally.grants()),
    }
}

/// Whether a record of `revision` (none counts as 0) is older than the
/// policy's revision.
fn is_stale(policy: &Policy, revision: Option<u64>) -> bool {
    policy
        .revision()
        .is_some_and(|current| revision.unwrap_or(0) < current)
}

/// Which reader reads one cookie value.
#[derive(Debug, Clone, Copy)]
enum Reader {
    /// The format's own cookie.
    Format(ConsentFormat),
    /// GOV.UK One Login's `cookies_preferences_set`.
    GovUkPreferencesSet,
}

fn read_value(reader: Reader, value: &[u8], emit: &mut impl FnMut(&[u8], bool)) -> Outcome {
    match reader {
        Reader::Format(ConsentFormat::Cookiebot) => formats::cookiebot::read(value, emit),
        Reader::Format(ConsentFormat::OneTrust) => formats::onetrust::read(value, emit),
        Reader::Format(ConsentFormat::Orestbida) => formats::orestbida::read(value, emit),
        Reader::Format(ConsentFormat::Klaro) => formats::klaro::read(value, emit),
        Reader::Format(ConsentFormat::DjangoCookieConsent) => formats::django::read(value, emit),
        Reader::Format(ConsentFormat::GovUk) => formats::govuk::read(value, emit),
        Reader::Format(ConsentFormat::CookieYes) => formats::cookieyes::read(value, emit),
        Reader::Format(ConsentFormat::Tcf) => formats::tcf::read(value, emit),
        Reader::GovUkPreferencesSet => formats::govuk::read_preferences_set(value, emit),
        // Not read one value at a time.
        Reader::Format(ConsentFormat::Auto | ConsentFormat::Complianz) => Outcome::Malformed,
    }
}

/// Reads every copy of a one-cookie record: only what every copy grants;
/// malformed if any copy is, and not set if any copy records no choice
/// (the server cannot tell which copy the banner wrote last). `None` when
/// there is no copy.
fn read_copies<'v>(
    policy: &Policy,
    reader: Reader,
    values: impl Iterator<Item = &'v [u8]>,
) -> Option<Reading> {
    let mut seen = false;
    let mut not_set = false;
    let mut granted = policy.category_list().all();
    for value in values {
        seen = true;
        let mut tally = Tally::default();
        let outcome = read_value(reader, value, &mut |name: &[u8], grants| {
            tally.emit(policy, name, grants);
        });
        match judge(policy, outcome, tally) {
            Reading::Malformed => return Some(Reading::Malformed),
            Reading::NotSet => not_set = true,
            Reading::Granted(grants) => granted = granted.intersection(grants),
        }
    }
    match (seen, not_set) {
        (false, _) => None,
        (true, true) => Some(Reading::NotSet),
        (true, false) => Some(Reading::Granted(granted)),
    }
}

/// GOV.UK One Login's record, read when `cookies_policy` is absent.
fn read_fallback<'a>(policy: &Policy, jar: &impl Jar<'a>) -> Option<Reading> {
    let name = policy.consent_fallback()?.as_bytes();
    let values = jar
        .pairs()
        .filter(move |(pair_name, _)| *pair_name == name)
        .map(|(_, value)| value);
    read_copies(policy, Reader::GovUkPreferencesSet, values)
}

/// Reads the Complianz cookies among all of the jar's.
fn read_complianz<'a>(policy: &Policy, jar: &impl Jar<'a>) -> (Outcome, Tally) {
    let mut tally = Tally::default();
    let outcome = formats::complianz::read(
        jar.pairs(),
        policy.consent_pattern(),
        &mut |name: &[u8], grants| tally.emit(policy, name, grants),
    );
    (outcome, tally)
}

/// Rule 1 for Complianz: see [`read_update`].
fn complianz_update<'a>(policy: &Policy, jar: &impl Jar<'a>, before: Grants) -> Grants {
    let prefix = policy.consent_pattern();
    let (outcome, tally) = read_complianz(policy, jar);
    if outcome == Outcome::Malformed {
        return Grants::NONE;
    }
    // A deleted category cookie leaves the category without an answer:
    // not granted.
    let mut removed = Grants::NONE;
    let mut removes_revision = false;
    for name in jar.removed() {
        match name.strip_prefix(prefix) {
            Some(formats::complianz::POLICY_ID) => removes_revision = true,
            Some(category) if !formats::complianz::is_skipped(category) => {
                if let Some(index) = policy.category_for(category) {
                    removed.insert(index);
                }
            }
            _ => {}
        }
    }
    let grants_count = match policy.revision() {
        None => true,
        Some(current) => {
            // The reader has checked that every copy parses.
            let set = jar
                .pairs()
                .filter(|(name, _)| {
                    name.strip_prefix(prefix) == Some(formats::complianz::POLICY_ID)
                })
                .filter_map(|(_, value)| formats::complianz::revision(value))
                .min();
            match set {
                // The browser now holds a stale record, or none.
                Some(revision) if revision < current => return Grants::NONE,
                None if removes_revision => return Grants::NONE,
                Some(_) => true,
                // The request's revision is not known here: fail closed.
                None => false,
            }
        }
    };
    let mentioned = tally.mentioned().union(removed);
    let granted = if grants_count {
        tally.grants().difference(removed)
    } else {
        Grants::NONE
    };
    before.difference(mentioned).union(granted)
}

/// Rule 1 for GOV.UK: see [`read_update`].
fn govuk_update<'a>(policy: &Policy, jar: &impl Jar<'a>, before: Grants) -> Grants {
    if let Some(reading) = read_copies(
        policy,
        Reader::Format(ConsentFormat::GovUk),
        jar.consent_values(),
    ) {
        return reading.grants();
    }
    let removes_policy = jar.removed().any(|name| name == policy.consent_pattern());
    match read_fallback(policy, jar) {
        Some(reading @ (Reading::Granted(_) | Reading::Malformed)) => reading.grants(),
        _ if removes_policy => Grants::NONE,
        _ => before,
    }
}
