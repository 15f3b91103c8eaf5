//! The cookie declaration table: rendered from the policy that the layer
//! enforces, grouped like the seed policy's table, escaped for its format.

use tower_cookie_consent::{ConsentFormat, CookieEntry, Policy};

/// A policy with every kind of group: necessary (the consent cookie not
/// declared), an exempt category, a category whose cookies share a
/// description, and an empty one.
fn shop_policy() -> Policy {
    let matomo = |name: &'static str, purpose: &'static str, lifetime: &'static str| {
        CookieEntry::new(name)
            .with_provider("Matomo")
            .with_function("Audience measurement")
            .with_purpose(purpose)
            .with_lifetime(lifetime)
    };
    let hotjar = |name: &'static str| {
        CookieEntry::new(name)
            .with_provider("Hotjar")
            .with_function("Behaviour analytics")
            .with_purpose("Identifies the visitor across visits")
            .with_lifetime("365 days")
    };
    Policy::builder()
        .necessary([CookieEntry::new("sessionid")
            .with_provider("Shop")
            .with_function("Authentication")
            .with_purpose("Remembers the user from one page to another")])
        .category(
            "audience",
            [
                matomo("_pk_id*", "Stores the visitor id", "13 months"),
                matomo("_pk_ses*", "Stores the visit", "30 minutes"),
            ],
        )
        .category("marketing", [hotjar("_hjid"), hotjar("_hjSessionUser_*")])
        .category("personalisation", Vec::<CookieEntry>::new())
        .exempt("audience")
        .build()
        .expect("valid policy")
}

#[test]
fn markdown_table() {
    let expected = "\
### necessary

Necessary for the site to work: no consent needed.

| Provider | Function | Cookie name(s) | Purpose | Lifetime |
|---|---|---|---|---|
| Shop | Authentication | `sessionid` | Remembers the user from one page to another |  |
|  |  | `cookies_preferences` | Stores the visitor's cookie preferences |  |

### audience (exempt from consent)

Exempt from consent.

| Provider | Function | Cookie name(s) | Purpose | Lifetime |
|---|---|---|---|---|
| Matomo | Audience measurement | `_pk_id*` | Stores the visitor id | 13 months |
| Matomo | Audience measurement | `_pk_ses*` | Stores the visit | 30 minutes |

### marketing

Set only with your consent.

| Provider | Function | Cookie name(s) | Purpose | Lifetime |
|---|---|---|---|---|
| Hotjar | Behaviour analytics | `_hjid`, `_hjSessionUser_*` | Identifies the visitor across visits | 365 days |

### personalisation

Set only with your consent.

No cookies.
";
    assert_eq!(shop_policy().to_markdown(), expected);
}

#[test]
fn html_table() {
    let expected = "\
<section class=\"cookie-category\">
<h3>necessary</h3>
<p>Necessary for the site to work: no consent needed.</p>
<table>
<thead><tr><th>Provider</th><th>Function</th><th>Cookie name(s)</th><th>Purpose</th><th>Lifetime</th></tr></thead>
<tbody>
<tr><td>Shop</td><td>Authentication</td><td><code>sessionid</code></td><td>Remembers the user from one page to another</td><td></td></tr>
<tr><td></td><td></td><td><code>cookies_preferences</code></td><td>Stores the visitor&#39;s cookie preferences</td><td></td></tr>
</tbody>
</table>
</section>
<section class=\"cookie-category cookie-category-exempt\">
<h3>audience (exempt from consent)</h3>
<p>Exempt from consent.</p>
<table>
<thead><tr><th>Provider</th><th>Function</th><th>Cookie name(s)</th><th>Purpose</th><th>Lifetime</th></tr></thead>
<tbody>
<tr><td>Matomo</td><td>Audience measurement</td><td><code>_pk_id*</code></td><td>Stores the visitor id</td><td>13 months</td></tr>
<tr><td>Matomo</td><td>Audience measurement</td><td><code>_pk_ses*</code></td><td>Stores the visit</td><td>30 minutes</td></tr>
</tbody>
</table>
</section>
<section class=\"cookie-category\">
<h3>marketing</h3>
<p>Set only with your consent.</p>
<table>
<thead><tr><th>Provider</th><th>Function</th><th>Cookie name(s)</th><th>Purpose</th><th>Lifetime</th></tr></thead>
<tbody>
<tr><td>Hotjar</td><td>Behaviour analytics</td><td><code>_hjid</code>, <code>_hjSessionUser_*</code></td><td>Identifies the visitor across visits</td><td>365 days</td></tr>
</tbody>
</table>
</section>
<section class=\"cookie-category\">
<h3>personalisation</h3>
<p>Set only with your consent.</p>
<p>No cookies.</p>
</section>
";
    assert_eq!(shop_policy().to_html(), expected);
}

/// Strings a hostile or careless configuration file could hold.
const HOSTILE: &str =
    "<script>alert(\"x\")</script> & 'quotes' | pipes\nnew line *bold* [link](javascript:x) `code`";

fn hostile_policy() -> Policy {
    let entry = |name: &'static str| {
        CookieEntry::new(name)
            .with_provider(HOSTILE)
            .with_function(HOSTILE)
            .with_purpose(HOSTILE)
            .with_lifetime(HOSTILE)
    };
    Policy::builder()
        .necessary([entry("<b>")])
        .category("<img src=x onerror=alert(1)>", [entry("a`b"), entry("c|d")])
        .build()
        .expect("names a browser would store, however odd")
}

#[test]
fn html_escapes_every_policy_string() {
    let html = hostile_policy().to_html();
    // No markup but the table's own.
    for tag in ["<script", "<b>", "<img"] {
        assert!(!html.contains(tag), "{tag} in {html}");
    }
    assert!(html.contains(
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; | pipes\nnew line"
    ));
    assert!(html.contains("<h3>&lt;img src=x onerror=alert(1)&gt;</h3>"));
    assert!(html.contains("<code>&lt;b&gt;</code>"));
    assert!(html.contains("<code>a`b</code>, <code>c|d</code>"));
    // Every element the table opens, it closes.
    for (open, close) in [
        ("<section", "</section>"),
        ("<table>", "</table>"),
        ("<tr>", "</tr>"),
        ("<td>", "</td>"),
        ("<th>", "</th>"),
        ("<code>", "</code>"),
    ] {
        assert_eq!(
            html.matches(open).count(),
            html.matches(close).count(),
            "{open}"
        );
    }
}

#[test]
fn markdown_escapes_every_policy_string() {
    let markdown = hostile_policy().to_markdown();
    let escaped = r#"\<script\>alert("x")\</script\> \& 'quotes' \| pipes new line \*bold\* \[link\](javascript:x) \`code\`"#;
    assert!(markdown.contains(escaped), "{markdown}");
    assert!(markdown.contains(r"### \<img src=x onerror=alert(1)\>"));
    // Names with a backtick or a pipe cannot be code spans.
    assert!(markdown.contains(r"| a\`b, c\|d |"), "{markdown}");
    assert!(markdown.contains("| `<b>` |"), "{markdown}");
    // Every table row has exactly the five cells: no unescaped `|` and no
    // line break inside a cell.
    for line in markdown.lines().filter(|line| line.starts_with('|')) {
        let cells = line.replace(r"\|", "").matches('|').count();
        assert_eq!(cells, 6, "{line}");
    }
}

#[test]
fn the_opendatasoft_preset_renders_the_seed_policy_table() {
    let markdown = Policy::opendatasoft().to_markdown();
    // The seed policy's necessary table, row by row.
    let necessary = markdown.split("\n### ").next().unwrap();
    for row in [
        "| Opendatasoft | Authentication (front and back office) | `sessionid` | Remembers the user from one page to another |  |",
        "| Opendatasoft | Language selection (front and back office) | `django_language` | Remembers the visitor's language |  |",
        "| Opendatasoft | API (CSRF) (front and back office) | `csrftoken` | Retrieves data via API calls |  |",
        "| Opendatasoft | Choices related to your cookie preferences | `cookies_preferences` | Remembers the visitor's cookie preferences |  |",
    ] {
        assert!(necessary.contains(row), "{row}\n{necessary}");
    }
    // The consent cookie is declared, so it appears once.
    assert_eq!(markdown.matches("`cookies_preferences`").count(), 1);
    // Then each tracker, in the preset's order.
    let headings: Vec<&str> = markdown
        .lines()
        .filter_map(|line| line.strip_prefix("### "))
        .collect();
    assert_eq!(
        headings,
        [
            "necessary",
            r"functional\_cookies",
            "ga",
            "matomo",
            "xiti",
            "at",
            "piano",
            "eulerian"
        ]
    );
    assert!(markdown.contains("| Google Analytics |  | `_ga` | Distinguishes users | 2 years |"));
    let html = Policy::opendatasoft().to_html();
    assert_eq!(html.matches("<section").count(), 8);
}

#[test]
fn banner_formats_declare_their_consent_cookies() {
    let complianz = Policy::builder()
        .consent_format(ConsentFormat::Complianz)
        .build()
        .unwrap();
    assert!(complianz.to_markdown().contains("| `cmplz_*` |"));
    let govuk = Policy::builder()
        .consent_format(ConsentFormat::GovUk)
        .build()
        .unwrap();
    let markdown = govuk.to_markdown();
    assert!(markdown.contains("`cookies_policy`"));
    assert!(markdown.contains("`cookies_preferences_set`"));
    // Declared as necessary, with a description: listed once, as declared.
    let declared = Policy::builder()
        .consent_format(ConsentFormat::Cookiebot)
        .necessary([CookieEntry::new("CookieConsent")
            .with_provider("Cookiebot")
            .with_purpose("Stores the visitor's consent state")])
        .build()
        .unwrap();
    let markdown = declared.to_markdown();
    assert_eq!(markdown.matches("`CookieConsent`").count(), 1);
    assert!(markdown
        .contains("| Cookiebot |  | `CookieConsent` | Stores the visitor's consent state |  |"));
}

#[test]
fn categories_and_the_table_agree() {
    let policy = shop_policy();
    let categories: Vec<_> = policy.categories().collect();
    assert_eq!(categories, ["audience", "marketing", "personalisation"]);
    assert_eq!(
        categories
            .iter()
            .map(|c| (c.name(), c.is_exempt(), c.cookies().len()))
            .collect::<Vec<_>>(),
        [
            ("audience", true, 2),
            ("marketing", false, 2),
            ("personalisation", false, 0)
        ]
    );
    assert_eq!(
        policy.category("Marketing").unwrap().cookies()[0].name(),
        "_hjid"
    );
    assert!(policy.category("necessary").is_none());
    // The plain names are still there for existing code.
    assert_eq!(
        policy.categories().collect::<Vec<_>>(),
        ["audience", "marketing", "personalisation"]
    );
}

#[test]
fn a_policy_file_describes_its_cookies() {
    let policy: Policy = serde_json::from_str(
        r#"{"necessary": [{"name": "sessionid", "provider": "Shop", "function": "Authentication",
                           "purpose": "Keeps the visitor signed in", "lifetime": "Session"}],
            "categories": {"audience": [{"name": "_pk_id*", "provider": "Matomo"}]},
            "exempt_categories": ["audience"]}"#,
    )
    .unwrap();
    let entry = &policy.necessary()[0];
    assert_eq!(entry.function(), Some("Authentication"));
    let markdown = policy.to_markdown();
    assert!(markdown.contains(
        "| Shop | Authentication | `sessionid` | Keeps the visitor signed in | Session |"
    ));
    assert!(markdown.contains("### audience (exempt from consent)"));
}

/// The README's example renders as the README shows it.
#[test]
fn the_readme_example() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("\n## Declaration table\n")
        .nth(1)
        .expect("the README has a declaration table section");
    let block = |fence: &str| {
        let start = section.find(fence).expect("a fenced block") + fence.len();
        let len = section[start..].find("```").expect("a closed block");
        &section[start..start + len]
    };
    let policy: Policy = toml::from_str(block("```toml\n")).expect("a valid policy");
    assert_eq!(policy.to_markdown(), block("```markdown\n"));
}
