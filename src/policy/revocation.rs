//! What the layer does about cookies the visitor has not granted, beyond
//! stripping new `Set-Cookie` lines: purging the ones the browser already
//! holds, hiding them from the application, and Global Privacy Control.

use super::categories::{Categories, Grants};
use super::{Policy, PolicyBuilder, PolicyError};

/// How many names one response purges at most, unless configured.
pub(crate) const DEFAULT_PURGE_LIMIT: usize = 32;

/// The revocation settings as the builder collects them.
#[derive(Debug, Clone)]
pub(crate) struct RevocationConfig {
    purge: bool,
    strip_request_cookies: bool,
    purge_limit: usize,
    gpc: Vec<String>,
    gpc_explicit_choice_wins: bool,
}

impl Default for RevocationConfig {
    fn default() -> Self {
        Self {
            purge: true,
            strip_request_cookies: true,
            purge_limit: DEFAULT_PURGE_LIMIT,
            gpc: Vec::new(),
            gpc_explicit_choice_wins: false,
        }
    }
}

impl RevocationConfig {
    /// Resolves the GPC categories against the policy's categories.
    pub(crate) fn build(self, categories: &Categories) -> Result<Revocation, PolicyError> {
        let mut gpc = Grants::NONE;
        for name in self.gpc {
            match categories.index_of(name.as_bytes()) {
                Some(index) => gpc.insert(index),
                None => return Err(PolicyError::UnknownGpcCategory { name }),
            }
        }
        Ok(Revocation {
            purge: self.purge,
            strip_request_cookies: self.strip_request_cookies,
            purge_limit: self.purge_limit,
            gpc,
            gpc_explicit_choice_wins: self.gpc_explicit_choice_wins,
        })
    }
}

/// The revocation settings of a built policy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Revocation {
    pub(crate) purge: bool,
    pub(crate) strip_request_cookies: bool,
    pub(crate) purge_limit: usize,
    /// The categories a `Sec-GPC: 1` request withdraws.
    pub(crate) gpc: Grants,
    pub(crate) gpc_explicit_choice_wins: bool,
}

impl Revocation {
    /// What a consent that grants `granted` still grants when the request
    /// does (`signal`) or does not carry `Sec-GPC: 1`.
    ///
    /// Every category a consent reader returns was granted explicitly by
    /// the visitor, so with `gpc_explicit_choice_wins` the signal takes
    /// nothing away: it only withdraws what no explicit choice granted.
    pub(crate) fn under_gpc(&self, granted: Grants, signal: bool) -> Grants {
        if !signal || self.gpc_explicit_choice_wins {
            granted
        } else {
            granted.difference(self.gpc)
        }
    }
}

impl PolicyBuilder {
    /// Whether a response deletes the cookies the request carried in a
    /// category the visitor has not granted (default `true`): a visitor
    /// who withdraws consent gets the cookies removed, not only no new
    /// ones. Necessary cookies, the consent cookie and names the policy
    /// does not list are never deleted.
    ///
    /// ```
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder().purge(false).build()?;
    /// assert!(!policy.purge());
    /// assert!(Policy::builder().build()?.purge());
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn purge(mut self, purge: bool) -> Self {
        self.revocation.purge = purge;
        self
    }

    /// The most cookie names one response deletes (default 32). Names past
    /// the limit are deleted by the next responses: the browser keeps
    /// sending them until then.
    ///
    /// ```
    /// use tower_cookie_consent::Policy;
    ///
    /// assert_eq!(Policy::builder().build()?.purge_limit(), 32);
    /// assert_eq!(Policy::builder().purge_limit(8).build()?.purge_limit(), 8);
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn purge_limit(mut self, names: usize) -> Self {
        self.revocation.purge_limit = names;
        self
    }

    /// Whether the application behind the layer is kept from seeing the
    /// request cookies of categories the visitor has not granted, and
    /// names the policy does not list under [`UnknownCookies::Strip`]
    /// (default `true`).
    ///
    /// [`UnknownCookies::Strip`]: crate::UnknownCookies::Strip
    ///
    /// ```
    /// use tower_cookie_consent::Policy;
    ///
    /// assert!(Policy::builder().build()?.strip_request_cookies());
    /// let policy = Policy::builder().strip_request_cookies(false).build()?;
    /// assert!(!policy.strip_request_cookies());
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn strip_request_cookies(mut self, strip: bool) -> Self {
        self.revocation.strip_request_cookies = strip;
        self
    }

    /// Adds categories that a request with `Sec-GPC: 1` (Global Privacy
    /// Control) withdraws, whatever the consent cookie says (default none).
    /// A name the policy does not declare fails [`build`](Self::build).
    ///
    /// ```
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .category("statistics", ["_pk_id*"])
    ///     .category("marketing", ["_fbp"])
    ///     .gpc(["marketing"])
    ///     .build()?;
    /// assert_eq!(policy.gpc_categories().collect::<Vec<_>>(), ["marketing"]);
    /// assert!(Policy::builder().gpc(["ads"]).build().is_err());
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn gpc<I>(mut self, categories: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.revocation
            .gpc
            .extend(categories.into_iter().map(Into::into));
        self
    }

    /// Whether a category the consent cookie grants explicitly (`all`
    /// included) stays granted despite `Sec-GPC: 1` (default `false`):
    /// some jurisdictions let a visitor opt back in.
    ///
    /// ```
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder().gpc_explicit_choice_wins(true).build()?;
    /// assert!(policy.gpc_explicit_choice_wins());
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn gpc_explicit_choice_wins(mut self, wins: bool) -> Self {
        self.revocation.gpc_explicit_choice_wins = wins;
        self
    }
}

impl Policy {
    /// Whether responses delete the non-granted cookies the request
    /// carried. See [`PolicyBuilder::purge`].
    pub fn purge(&self) -> bool {
        self.inner.revocation.purge
    }

    /// The most cookie names one response deletes. See
    /// [`PolicyBuilder::purge_limit`].
    pub fn purge_limit(&self) -> usize {
        self.inner.revocation.purge_limit
    }

    /// Whether non-granted request cookies are hidden from the
    /// application. See [`PolicyBuilder::strip_request_cookies`].
    pub fn strip_request_cookies(&self) -> bool {
        self.inner.revocation.strip_request_cookies
    }

    /// The categories `Sec-GPC: 1` withdraws, in policy order. See
    /// [`PolicyBuilder::gpc`].
    pub fn gpc_categories(&self) -> impl Iterator<Item = &str> + '_ {
        let list = &self.inner.categories;
        self.inner
            .revocation
            .gpc
            .iter()
            .map(|index| list.name(index))
    }

    /// Whether an explicit grant beats `Sec-GPC: 1`. See
    /// [`PolicyBuilder::gpc_explicit_choice_wins`].
    pub fn gpc_explicit_choice_wins(&self) -> bool {
        self.inner.revocation.gpc_explicit_choice_wins
    }

    pub(crate) fn revocation(&self) -> &Revocation {
        &self.inner.revocation
    }
}
