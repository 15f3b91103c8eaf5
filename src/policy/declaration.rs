//! The cookie declaration table a site publishes, rendered from the same
//! policy that the layer enforces, so that the two cannot drift apart; and
//! [`PolicyCategory`], one category as the table shows it.
//!
//! Policy strings come from configuration files, so every string is
//! escaped for the output format: the table must never carry markup that
//! the file's author did not mean as text.

use std::fmt::{self, Write as _};
use std::ops::Deref;

use super::{CookieEntry, Policy};

/// One of a policy's categories: its name, its cookies, and whether it is
/// exempt from consent. Yielded by
/// [`Policy::categories`].
///
/// It reads as the category's name: it dereferences to `str`, displays as
/// the name, and compares equal to a `&str`.
///
/// ```
/// use tower_cookie_consent::Policy;
///
/// let policy = Policy::builder().category("statistics", ["_pk_id*"]).build()?;
/// let statistics = policy.category("STATISTICS").unwrap();
/// assert_eq!(statistics, "statistics");
/// assert_eq!(statistics.to_string(), "statistics");
/// assert!(statistics.starts_with("stat"));
/// assert_eq!(statistics.cookies()[0].name(), "_pk_id*");
/// assert!(!statistics.is_exempt());
/// # Ok::<(), tower_cookie_consent::PolicyError>(())
/// ```
#[derive(Clone, Copy)]
pub struct PolicyCategory<'a> {
    policy: &'a Policy,
    index: usize,
}

impl<'a> PolicyCategory<'a> {
    pub(super) fn new(policy: &'a Policy, index: usize) -> Self {
        Self { policy, index }
    }

    /// The category's name, as declared.
    pub fn name(&self) -> &'a str {
        self.policy.inner.categories.name(self.index)
    }

    /// The cookies declared under the category.
    pub fn cookies(&self) -> &'a [CookieEntry] {
        self.policy.category_entries(self.index)
    }

    /// Whether the category is exempt from consent
    /// ([`PolicyBuilder::exempt`](crate::PolicyBuilder::exempt)): its
    /// cookies always pass.
    pub fn is_exempt(&self) -> bool {
        self.policy.exempt().contains(self.index)
    }
}

impl Deref for PolicyCategory<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        self.name()
    }
}

impl From<PolicyCategory<'_>> for String {
    fn from(category: PolicyCategory<'_>) -> Self {
        category.name().to_owned()
    }
}

impl AsRef<str> for PolicyCategory<'_> {
    fn as_ref(&self) -> &str {
        self.name()
    }
}

impl fmt::Display for PolicyCategory<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Debug for PolicyCategory<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyCategory")
            .field("name", &self.name())
            .field("exempt", &self.is_exempt())
            .field("cookies", &self.cookies())
            .finish()
    }
}

impl PartialEq for PolicyCategory<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for PolicyCategory<'_> {}

impl PartialEq<str> for PolicyCategory<'_> {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

impl PartialEq<&str> for PolicyCategory<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl PartialEq<PolicyCategory<'_>> for str {
    fn eq(&self, other: &PolicyCategory<'_>) -> bool {
        self == other.name()
    }
}

impl PartialEq<PolicyCategory<'_>> for &str {
    fn eq(&self, other: &PolicyCategory<'_>) -> bool {
        *self == other.name()
    }
}

/// The table's columns, in order.
const COLUMNS: [&str; 5] = [
    "Provider",
    "Function",
    "Cookie name(s)",
    "Purpose",
    "Lifetime",
];

const NECESSARY_NOTE: &str = "Necessary for the site to work: no consent needed.";
const CONSENT_NOTE: &str = "Set only with your consent.";
const EXEMPT_NOTE: &str = "Exempt from consent.";
const EXEMPT_LABEL: &str = " (exempt from consent)";
const NO_COOKIES: &str = "No cookies.";

/// One group of the table: necessary, or one category.
struct Group<'a> {
    name: &'a str,
    exempt: bool,
    note: &'static str,
    entries: Vec<&'a CookieEntry>,
}

impl Policy {
    /// The groups of the table: the necessary cookies first (the consent
    /// cookie included, declared or not), then each category in order.
    fn declaration_groups(&self) -> Vec<Group<'_>> {
        let mut groups = vec![Group {
            name: "necessary",
            exempt: false,
            note: NECESSARY_NOTE,
            entries: self
                .necessary()
                .iter()
                .chain(self.consent_entries())
                .collect(),
        }];
        groups.extend(self.categories().map(|category| Group {
            name: category.name(),
            exempt: category.is_exempt(),
            note: if category.is_exempt() {
                EXEMPT_NOTE
            } else {
                CONSENT_NOTE
            },
            entries: category.cookies().iter().collect(),
        }));
        groups
    }

    /// The cookie declaration table, in Markdown (GitHub-flavoured tables):
    /// a `###` heading per group (`necessary` first, then each category,
    /// exempt ones labelled), then the provider, function, cookie names,
    /// purpose and lifetime of its cookies. Consecutive cookies with the
    /// same description share a row.
    ///
    /// Every policy string is escaped: Markdown punctuation is
    /// backslash-escaped (so `<script>` stays text), line breaks become
    /// spaces, and cookie names are code spans.
    ///
    /// ```
    /// use tower_cookie_consent::{CookieEntry, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .necessary([CookieEntry::new("sessionid")
    ///         .with_provider("Opendatasoft")
    ///         .with_function("Authentication")
    ///         .with_purpose("Remembers the user from one page to another")])
    ///     .category("audience", [CookieEntry::new("_pk_id*")
    ///         .with_provider("Matomo")
    ///         .with_purpose("Visitor id | anonymised")
    ///         .with_lifetime("13 months")])
    ///     .exempt("audience")
    ///     .build()?;
    /// let table = policy.to_markdown();
    /// assert!(table.starts_with("### necessary\n"));
    /// assert!(table.contains(
    ///     "| Opendatasoft | Authentication | `sessionid` | Remembers the user from one page to another |  |"
    /// ));
    /// // The consent cookie is declared too, even when the policy does not list it.
    /// assert!(table.contains("`cookies_preferences`"));
    /// assert!(table.contains("### audience (exempt from consent)\n"));
    /// assert!(table.contains("| Matomo |  | `_pk_id*` | Visitor id \\| anonymised | 13 months |"));
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        for (index, group) in self.declaration_groups().iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            out.push_str("### ");
            out.push_str(&markdown_text(group.name));
            if group.exempt {
                out.push_str(EXEMPT_LABEL);
            }
            out.push_str("\n\n");
            out.push_str(group.note);
            out.push_str("\n\n");
            if group.entries.is_empty() {
                out.push_str(NO_COOKIES);
                out.push('\n');
                continue;
            }
            out.push('|');
            for column in COLUMNS {
                out.push(' ');
                out.push_str(column);
                out.push_str(" |");
            }
            out.push_str("\n|");
            out.push_str(&"---|".repeat(COLUMNS.len()));
            out.push('\n');
            for row in rows(&group.entries) {
                let names = row
                    .iter()
                    .map(|entry| markdown_code(entry.name()))
                    .collect::<Vec<_>>()
                    .join(", ");
                let first = row[0];
                let cells = [
                    markdown_text(first.provider().unwrap_or_default()),
                    markdown_text(first.function().unwrap_or_default()),
                    names,
                    markdown_text(first.purpose().unwrap_or_default()),
                    markdown_text(first.lifetime().unwrap_or_default()),
                ];
                out.push('|');
                for cell in cells {
                    out.push(' ');
                    out.push_str(&cell);
                    out.push_str(" |");
                }
                out.push('\n');
            }
        }
        out
    }

    /// The cookie declaration table, as an HTML fragment: a `<section>` per
    /// group (`necessary` first, then each category; exempt ones labelled
    /// and with the class `cookie-category-exempt`), each with an `<h3>`
    /// heading and a table of the provider, function, cookie names, purpose
    /// and lifetime of its cookies. Consecutive cookies with the same
    /// description share a row.
    ///
    /// Every policy string is HTML-escaped (`&`, `<`, `>`, `"`, `'`).
    ///
    /// ```
    /// use tower_cookie_consent::{CookieEntry, Policy};
    ///
    /// let policy = Policy::builder()
    ///     .category("marketing", [
    ///         CookieEntry::new("_hjid").with_provider("Hotjar <script>alert(1)</script>"),
    ///         CookieEntry::new("_hjSession_*").with_provider("Hotjar <script>alert(1)</script>"),
    ///     ])
    ///     .build()?;
    /// let html = policy.to_html();
    /// assert!(html.starts_with("<section class=\"cookie-category\">\n<h3>necessary</h3>"));
    /// assert!(html.contains(
    ///     "<tr><td>Hotjar &lt;script&gt;alert(1)&lt;/script&gt;</td><td></td>\
    ///      <td><code>_hjid</code>, <code>_hjSession_*</code></td><td></td><td></td></tr>"
    /// ));
    /// assert!(!html.contains("<script>"));
    /// # Ok::<(), tower_cookie_consent::PolicyError>(())
    /// ```
    pub fn to_html(&self) -> String {
        let mut out = String::new();
        for group in &self.declaration_groups() {
            let class = if group.exempt {
                "cookie-category cookie-category-exempt"
            } else {
                "cookie-category"
            };
            let label = if group.exempt { EXEMPT_LABEL } else { "" };
            let _ = write!(
                out,
                "<section class=\"{class}\">\n<h3>{}{label}</h3>\n<p>{}</p>\n",
                Html(group.name),
                group.note
            );
            if group.entries.is_empty() {
                let _ = writeln!(out, "<p>{NO_COOKIES}</p>");
            } else {
                out.push_str("<table>\n<thead><tr>");
                for column in COLUMNS {
                    let _ = write!(out, "<th>{column}</th>");
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for row in rows(&group.entries) {
                    let first = row[0];
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td>",
                        Html(first.provider().unwrap_or_default()),
                        Html(first.function().unwrap_or_default()),
                    );
                    for (index, entry) in row.iter().enumerate() {
                        let separator = if index > 0 { ", " } else { "" };
                        let _ = write!(out, "{separator}<code>{}</code>", Html(entry.name()));
                    }
                    let _ = writeln!(
                        out,
                        "</td><td>{}</td><td>{}</td></tr>",
                        Html(first.purpose().unwrap_or_default()),
                        Html(first.lifetime().unwrap_or_default()),
                    );
                }
                out.push_str("</tbody>\n</table>\n");
            }
            out.push_str("</section>\n");
        }
        out
    }
}

/// The rows of a group: runs of consecutive entries that describe their
/// cookie the same way share one row.
fn rows<'e, 'a>(entries: &'e [&'a CookieEntry]) -> impl Iterator<Item = &'e [&'a CookieEntry]> {
    entries.chunk_by(|a, b| {
        a.provider() == b.provider()
            && a.function() == b.function()
            && a.purpose() == b.purpose()
            && a.lifetime() == b.lifetime()
    })
}

/// Text for a Markdown table cell or heading: the punctuation Markdown
/// (CommonMark and GitHub's tables) gives a meaning is backslash-escaped,
/// which CommonMark allows for any ASCII punctuation, and a line break,
/// which would end the table row, becomes a space.
fn markdown_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A cookie name as a Markdown code span, which shows it verbatim. A name
/// holding a backtick or a `|` (which would end the span or the table cell)
/// is escaped as text instead.
fn markdown_code(name: &str) -> String {
    if name.contains(['`', '|']) {
        markdown_text(name)
    } else {
        format!("`{name}`")
    }
}

/// Displays a string HTML-escaped, for text and attribute values alike.
struct Html<'a>(&'a str);

impl fmt::Display for Html<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_every_special_character() {
        assert_eq!(
            Html(r#"a&b<c>d"e'f"#).to_string(),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f"
        );
        assert_eq!(Html("").to_string(), "");
        assert_eq!(Html("caf\u{e9} &").to_string(), "caf\u{e9} &amp;");
    }

    #[test]
    fn markdown_escapes_punctuation_and_line_breaks() {
        assert_eq!(markdown_text("a|b\nc_d*<e>"), r"a\|b c\_d\*\<e\>");
        assert_eq!(markdown_code("_pk_id*"), "`_pk_id*`");
        assert_eq!(markdown_code("a`b"), r"a\`b");
        assert_eq!(markdown_code("a|b"), r"a\|b");
    }
}
