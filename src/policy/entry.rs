use std::borrow::Cow;

use crate::known::{KnownCookie, RowId};

/// One cookie of a policy: an exact name or a `prefix*`, with what the
/// cookie declaration table says about it.
///
/// The descriptive fields do not change what the layer lets through; they
/// document the cookie, and `path`/`domain` say where it lives so that it can
/// be deleted.
///
/// ```
/// use tower_cookie_consent::CookieEntry;
///
/// let entry = CookieEntry::new("_hjid")
///     .with_provider("Hotjar")
///     .with_purpose("Unique visitor id")
///     .with_lifetime("12 months");
/// assert_eq!(entry.name(), "_hjid");
/// assert!(!entry.is_prefix());
/// assert_eq!(entry.provider(), Some("Hotjar"));
///
/// let prefix: CookieEntry = "_pk_id*".into();
/// assert!(prefix.is_prefix());
/// assert_eq!(prefix.pattern(), "_pk_id");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CookieEntry {
    name: Cow<'static, str>,
    provider: Option<Cow<'static, str>>,
    function: Option<Cow<'static, str>>,
    purpose: Option<Cow<'static, str>>,
    lifetime: Option<Cow<'static, str>>,
    path: Option<Cow<'static, str>>,
    domain: Option<Cow<'static, str>>,
    /// The database row the entry was made from, for a known cookie that
    /// the policy does not declare.
    known: Option<RowId>,
}

impl CookieEntry {
    /// An entry for `name`: an exact cookie name, or a prefix ending in `*`.
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            name: name.into(),
            provider: None,
            function: None,
            purpose: None,
            lifetime: None,
            path: None,
            domain: None,
            known: None,
        }
    }

    /// The entry of a known cookie: the row's name (with its `*` for a
    /// prefix row), platform, description and retention period, all
    /// borrowed from the embedded table.
    pub(crate) fn from_known(id: RowId, row: &'static KnownCookie) -> Self {
        let text = |text: &'static str| (!text.is_empty()).then_some(Cow::Borrowed(text));
        Self {
            provider: text(row.platform()),
            purpose: text(row.description()),
            lifetime: text(row.retention()),
            known: Some(id),
            ..Self::new(row.policy_name())
        }
    }

    /// Sets who sets the cookie (for example `Hotjar`).
    #[must_use]
    pub fn with_provider(mut self, provider: impl Into<Cow<'static, str>>) -> Self {
        self.provider = Some(provider.into());
        self
    }

    /// Sets the feature the cookie serves, as the declaration table's
    /// "Function" column shows it (for example `Authentication (front and
    /// back office)`).
    #[must_use]
    pub fn with_function(mut self, function: impl Into<Cow<'static, str>>) -> Self {
        self.function = Some(function.into());
        self
    }

    /// Sets what the cookie is for.
    #[must_use]
    pub fn with_purpose(mut self, purpose: impl Into<Cow<'static, str>>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// Sets how long the cookie lives, as the declaration table shows it
    /// (for example `12 months`).
    #[must_use]
    pub fn with_lifetime(mut self, lifetime: impl Into<Cow<'static, str>>) -> Self {
        self.lifetime = Some(lifetime.into());
        self
    }

    /// Sets the cookie's `Path`, needed to delete it.
    #[must_use]
    pub fn with_path(mut self, path: impl Into<Cow<'static, str>>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Sets the cookie's `Domain`, needed to delete it.
    #[must_use]
    pub fn with_domain(mut self, domain: impl Into<Cow<'static, str>>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// The name as declared, with its `*` if it is a prefix.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the entry is a `prefix*` rather than an exact name.
    pub fn is_prefix(&self) -> bool {
        self.name.ends_with('*')
    }

    /// The name without its trailing `*`: the exact name, or the prefix.
    pub fn pattern(&self) -> &str {
        self.name.strip_suffix('*').unwrap_or(&self.name)
    }

    /// Who sets the cookie.
    pub fn provider(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The feature the cookie serves.
    pub fn function(&self) -> Option<&str> {
        self.function.as_deref()
    }

    /// What the cookie is for.
    pub fn purpose(&self) -> Option<&str> {
        self.purpose.as_deref()
    }

    /// How long the cookie lives.
    pub fn lifetime(&self) -> Option<&str> {
        self.lifetime.as_deref()
    }

    /// The cookie's `Path`.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The cookie's `Domain`.
    pub fn domain(&self) -> Option<&str> {
        self.domain.as_deref()
    }

    /// The Open Cookie Database row this entry was made from, when the
    /// policy does not declare the cookie and classifies it through
    /// [`PolicyBuilder::known_cookies`](crate::PolicyBuilder::known_cookies);
    /// `None` for an entry of the policy's own.
    ///
    /// ```
    /// use tower_cookie_consent::known::KnownCategory;
    /// use tower_cookie_consent::Policy;
    ///
    /// let policy = Policy::builder()
    ///     .category("statistics", ["_pk_id*"])
    ///     .known_cookies([("Analytics", "statistics")])
    ///     .build()?;
    /// let ga = policy.entry_of("_ga_ABC123").unwrap();
    /// assert_eq!(ga.name(), "_ga_*");
    /// assert_eq!(ga.provider(), Some("Google Analytics"));
    /// assert_eq!(ga.known().unwrap().category(), KnownCategory::Analytics);
    /// assert!(policy.entry_of("_pk_id.1.abcd").unwrap().known().is_none());
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn known(&self) -> Option<&'static KnownCookie> {
        let id = self.known?;
        KnownCookie::all().get(usize::from(id))
    }

    /// A `Set-Cookie` value that deletes this cookie: an empty value,
    /// `Max-Age=0` and an `Expires` in the past, with the entry's `Path`
    /// (default `/`) and `Domain`.
    ///
    /// A name with the `__Secure-` prefix gets `Secure`, and one with the
    /// `__Host-` prefix gets `Secure`, `Path=/` and no `Domain`, or a
    /// browser would refuse the line (RFC 6265bis section 4.1.3). `None` for
    /// a prefix entry (only an exact name can be deleted), or when the path
    /// or domain holds bytes a header cannot carry.
    ///
    /// ```
    /// use tower_cookie_consent::CookieEntry;
    ///
    /// let removal = CookieEntry::new("_hjid").with_domain("example.com").removal().unwrap();
    /// assert_eq!(
    ///     removal,
    ///     "_hjid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=example.com"
    /// );
    /// let host = CookieEntry::new("__Host-id").with_path("/app").removal().unwrap();
    /// assert_eq!(host, "__Host-id=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure");
    /// assert!(CookieEntry::new("_pk_id*").removal().is_none());
    /// ```
    pub fn removal(&self) -> Option<http::HeaderValue> {
        if self.is_prefix() {
            return None;
        }
        let name: &str = &self.name;
        let host_prefixed = name.starts_with("__Host-");
        let path = match &self.path {
            Some(path) if !host_prefixed => path,
            _ => "/",
        };
        let mut line =
            format!("{name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path={path}");
        match &self.domain {
            Some(domain) if !host_prefixed => {
                line.push_str("; Domain=");
                line.push_str(domain);
            }
            _ => {}
        }
        if host_prefixed || name.starts_with("__Secure-") {
            line.push_str("; Secure");
        }
        // A `;` in the path or domain would smuggle in an attribute.
        if path.contains(';') || self.domain.as_deref().is_some_and(|d| d.contains(';')) {
            return None;
        }
        http::HeaderValue::from_str(&line).ok()
    }
}

impl From<&str> for CookieEntry {
    fn from(name: &str) -> Self {
        Self::new(name.to_owned())
    }
}

impl From<String> for CookieEntry {
    fn from(name: String) -> Self {
        Self::new(name)
    }
}

impl From<&String> for CookieEntry {
    fn from(name: &String) -> Self {
        Self::new(name.clone())
    }
}
