//! Deciding: which `Set-Cookie` lines a response may keep.

use std::time::{SystemTime, UNIX_EPOCH};

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};

use super::jar::ResponseJar;
use crate::ascii;
use crate::consent;
use crate::observe::is_undeclared;
use crate::policy::{Class, Grants, Policy, UnknownCookies};
use crate::request::RequestContext;
use crate::set_cookie::{cookie_name, is_deletion};

/// Decides line by line, with the clock read at most once per response.
pub(super) struct Judge<'a> {
    policy: &'a Policy,
    granted: Grants,
    ctx: &'a RequestContext,
    /// Whether the request carries `Sec-GPC: 1`: it withdraws the GPC
    /// categories from a consent the response sets too.
    gpc: bool,
    now: Option<i64>,
}

/// What one judging pass over the `Set-Cookie` lines found.
#[derive(Debug, Default)]
pub(super) struct Pass {
    /// The kept lines among the first 64.
    pub(super) kept: u64,
    pub(super) lines: usize,
    pub(super) stripped_any: bool,
    /// The lines among the first 64 whose name the policy does not
    /// declare, for the inventory.
    pub(super) undeclared: u64,
    /// Whether a line past the first 64 has such a name.
    pub(super) undeclared_late: bool,
    /// Whether a line sets the consent cookie, so that the response's
    /// own consent may decide instead of the request's.
    pub(super) sets_consent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    Keep,
    KeepConsent,
    Strip,
}

impl<'a> Judge<'a> {
    pub(super) fn new(
        policy: &'a Policy,
        granted: Grants,
        ctx: &'a RequestContext,
        gpc: bool,
    ) -> Self {
        Self {
            policy,
            // Exempt categories pass whatever the consent says.
            granted: granted.union(policy.exempt()),
            ctx,
            gpc,
            now: None,
        }
    }

    /// The consent that decides the response: the request's, or the one
    /// the response sets (after [`decide`](Self::decide)).
    pub(super) fn granted(&self) -> Grants {
        self.granted
    }

    /// Judges every line: the first pass of the pipeline. When the response
    /// sets the consent cookie, the visitor just chose, and that choice
    /// decides this response (rule 1): every line is judged again under it.
    pub(super) fn decide(&mut self, headers: &HeaderMap) -> Pass {
        let pass = self.judge_all(headers.get_all(SET_COOKIE).iter());
        self.decide_after(headers, pass)
    }

    /// [`decide`](Self::decide) given its first pass, `pass`, over the
    /// `Set-Cookie` lines of `headers`: nothing more unless a line sets the
    /// consent cookie.
    pub(super) fn decide_after(&mut self, headers: &HeaderMap, pass: Pass) -> Pass {
        if !pass.sets_consent {
            return pass;
        }
        let jar = ResponseJar::new(headers, self.policy, self.ctx, self.clock());
        if jar.stores_consent() {
            let granted = consent::read_update(self.policy, &jar, self.granted);
            // Exempt categories need no consent, so no signal withdraws them.
            self.granted = self
                .policy
                .revocation()
                .under_gpc(granted, self.gpc)
                .union(self.policy.exempt());
        }
        self.judge_all(headers.get_all(SET_COOKIE).iter())
    }

    /// Judges `values`, the `Set-Cookie` values in order, under the
    /// consent as it stands: the first pass of [`decide`](Self::decide),
    /// which is the whole of it unless the response sets the consent
    /// cookie (`sets_consent`).
    pub(super) fn judge_all<'v>(&mut self, values: impl Iterator<Item = &'v HeaderValue>) -> Pass {
        let mut pass = Pass::default();
        for (index, value) in values.enumerate() {
            let (verdict, undeclared) = self.judge(value.as_bytes());
            pass.lines += 1;
            if undeclared {
                if index < 64 {
                    pass.undeclared |= 1 << index;
                } else {
                    pass.undeclared_late = true;
                }
            }
            pass.sets_consent |= verdict == Verdict::KeepConsent;
            if verdict == Verdict::Strip {
                pass.stripped_any = true;
            } else if index < 64 {
                pass.kept |= 1 << index;
            }
        }
        pass
    }

    /// The verdict on one line.
    #[inline]
    pub(super) fn keep(&mut self, line: &[u8]) -> Verdict {
        self.judge(line).0
    }

    /// The verdict on one line, and whether its name is one the policy
    /// does not declare (a nameless line has none).
    #[inline]
    pub(super) fn judge(&mut self, line: &[u8]) -> (Verdict, bool) {
        let Some(name) = cookie_name(line) else {
            // Nameless (`x`, `=x`) or a control character in the name.
            return (Verdict::Strip, false);
        };
        let found = self.policy.classify(name);
        let undeclared = is_undeclared(self.policy, found);
        let (allowed, verdict) = match found.map(|found| found.class) {
            Some(Class::Consent) => (true, Verdict::KeepConsent),
            Some(Class::Necessary) => (true, Verdict::Keep),
            Some(Class::Category(index)) => {
                (self.granted.contains(usize::from(index)), Verdict::Keep)
            }
            None => (
                self.policy.unknown_cookies() == UnknownCookies::Allow,
                Verdict::Keep,
            ),
        };
        // Deleting a cookie is always allowed, so removing a tracker is never
        // blocked; only deletions a browser would really perform count.
        let keep = allowed || is_deletion(line, self.ctx, || clock(&mut self.now));
        // A control character anywhere (a CR or LF that an unchecked header
        // value smuggled in could start a second header line on the wire):
        // the browser refuses such a line, so stripping it costs nothing.
        // Only kept lines need the scan.
        if keep && !ascii::has_ctl_except_tab(line) {
            (verdict, undeclared)
        } else {
            (Verdict::Strip, undeclared)
        }
    }

    /// The category of a stripped line's name, for its event.
    #[cfg(feature = "tracing")]
    pub(super) fn category(&self, line: &[u8]) -> &'a str {
        cookie_name(line).map_or("none", |name| crate::trace::category(self.policy, name))
    }

    /// Why a line was stripped, for its event.
    #[cfg(feature = "tracing")]
    pub(super) fn reason(&self, line: &[u8]) -> &'static str {
        match cookie_name(line) {
            None => "no name a browser would store",
            Some(_) if ascii::has_ctl_except_tab(line) => "control character",
            Some(name) => crate::trace::reason(self.policy, name),
        }
    }

    fn clock(&mut self) -> i64 {
        clock(&mut self.now)
    }
}

/// The time in seconds since the Unix epoch, read once per response.
fn clock(now: &mut Option<i64>) -> i64 {
    *now.get_or_insert_with(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    })
}
