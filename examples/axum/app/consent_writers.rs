//! The banner's side of the demo: the shop's banner stores the visitor's
//! choice in whichever consent-cookie format the policy names, as the real
//! banner of that format would.
//!
//! A real site does not write these cookies itself: its consent banner
//! (Cookiebot, OneTrust, Klaro, ...) writes its own cookie in its own
//! format, and the layer reads that cookie as it is. The demo has one
//! banner of its own, so it plays each banner's part: [`consent_lines`]
//! writes what that banner would write for the same choice, in the shapes
//! the library's readers are tested on.
//!
//! Each banner names the categories its own way (a OneTrust group id, a TCF
//! purpose, a Klaro service). [`BANNERS`] says which of those names stand
//! for the shop's `statistics` and `marketing`: the banner is configured
//! that way, and the policy's `aliases` say the same to the layer.
//! [`apply_format`] switches the policy file to a format at start-up
//! (`CONSENT_FORMAT=klaro`), which `examples/policy.toml` shows how to do by
//! hand.
//!
//! This module depends on nothing else in the demo, so that
//! `tests/example_policy.rs` can check every writer against the library.

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};

use cookie::time::{Duration, OffsetDateTime};
use tower_cookie_consent::{ConsentFormat, Policy};

/// One banner as this shop configures it.
#[derive(Debug)]
pub struct Banner {
    pub format: ConsentFormat,
    /// Who writes the cookie on a real site.
    pub name: &'static str,
    /// `(the banner's name, the shop's category)`: the policy's `aliases`
    /// for this format. A banner name that is already a category name
    /// needs none.
    pub aliases: &'static [(&'static str, &'static str)],
    /// A second cookie the banner writes next to its record, with the
    /// purpose the declaration table gives it.
    pub also_writes: Option<(&'static str, &'static str)>,
}

/// Every format the demo can write, in the order of [`ConsentFormat::ALL`].
pub const BANNERS: &[Banner] = &[
    Banner {
        format: ConsentFormat::Auto,
        name: "tower-cookie-consent",
        aliases: &[],
        also_writes: None,
    },
    // Cookiebot's own categories include `statistics` and `marketing`.
    Banner {
        format: ConsentFormat::Cookiebot,
        name: "Cookiebot",
        aliases: &[],
        also_writes: None,
    },
    // OneTrust's default groups: C0002 Performance, C0004 Targeting.
    Banner {
        format: ConsentFormat::OneTrust,
        name: "OneTrust",
        aliases: &[("C0002", "statistics"), ("C0004", "marketing")],
        also_writes: None,
    },
    // The categories are the site's own; this banner calls statistics
    // `analytics`, as cookieconsent's examples do.
    Banner {
        format: ConsentFormat::Orestbida,
        name: "orestbida/cookieconsent",
        aliases: &[("analytics", "statistics")],
        also_writes: None,
    },
    // Klaro stores services, not purposes.
    Banner {
        format: ConsentFormat::Klaro,
        name: "Klaro",
        aliases: &[
            ("matomo", "statistics"),
            ("hotjar", "marketing"),
            ("hubspot", "marketing"),
        ],
        also_writes: None,
    },
    // Cookie groups as the site's admin named them.
    Banner {
        format: ConsentFormat::DjangoCookieConsent,
        name: "django-cookie-consent",
        aliases: &[("analytics", "statistics")],
        also_writes: None,
    },
    // GOV.UK's categories: usage (analytics) and campaigns.
    Banner {
        format: ConsentFormat::GovUk,
        name: "GOV.UK",
        aliases: &[("usage", "statistics"), ("campaigns", "marketing")],
        also_writes: Some((
            GOVUK_ANSWERED,
            "Records that the visitor answered the cookie banner",
        )),
    },
    // CookieYes's default categories.
    Banner {
        format: ConsentFormat::CookieYes,
        name: "CookieYes",
        aliases: &[
            ("analytics", "statistics"),
            ("performance", "statistics"),
            ("advertisement", "marketing"),
        ],
        also_writes: None,
    },
    // Complianz's categories include `statistics` and `marketing`.
    Banner {
        format: ConsentFormat::Complianz,
        name: "Complianz",
        aliases: &[],
        also_writes: None,
    },
    // TCF purposes 8 (measure content performance), 3 and 4 (create and
    // use profiles for personalised advertising).
    Banner {
        format: ConsentFormat::Tcf,
        name: "IAB TCF v2",
        aliases: &[
            ("purpose:8", "statistics"),
            ("purpose:3", "marketing"),
            ("purpose:4", "marketing"),
        ],
        also_writes: None,
    },
];

/// GOV.UK's "banner answered" marker.
const GOVUK_ANSWERED: &str = "cookies_preferences_set";

/// How long every consent cookie lasts: one year, as the policy file
/// declares. (Each banner has its own default; one lifetime keeps the
/// declaration table true whichever format the demo runs.)
const MAX_AGE: Duration = Duration::days(365);

/// The banner that writes `format`, if the demo has one.
pub fn banner(format: ConsentFormat) -> Option<&'static Banner> {
    BANNERS.iter().find(|b| b.format == format)
}

/// The format a configuration file calls `name` (`"onetrust"`).
pub fn format_named(name: &str) -> Option<ConsentFormat> {
    ConsentFormat::ALL
        .iter()
        .copied()
        .find(|f| f.name() == name)
}

/// Switches a policy file, read as a TOML table, to `format`: what a site
/// edits when it changes banners.
///
/// - `consent_format` names the format, and `consent_cookie` goes, so that
///   the format's own cookie is read;
/// - `aliases` become the banner's ([`Banner::aliases`]);
/// - the `necessary` entry that declared the old consent cookie now
///   declares the banner's, set by the banner, so that the declaration
///   table lists the cookie the visitor's browser holds (and the banner's
///   second cookie, if any).
pub fn apply_format(file: &mut toml::Table, format: ConsentFormat) -> Result<(), String> {
    let banner = banner(format).ok_or_else(|| format!("the demo cannot write {format}"))?;
    let old_format = file
        .get("consent_format")
        .and_then(toml::Value::as_str)
        .and_then(format_named)
        .unwrap_or_default();
    let old_cookie = match file.remove("consent_cookie") {
        Some(toml::Value::String(name)) => name,
        _ => old_format.default_cookie().to_owned(),
    };
    file.insert("consent_format".into(), format.name().into());
    let aliases: toml::Table = banner
        .aliases
        .iter()
        .map(|&(name, category)| (name.to_owned(), category.into()))
        .collect();
    file.insert("aliases".into(), aliases.into());

    let Some(toml::Value::Array(necessary)) = file.get_mut("necessary") else {
        return Ok(());
    };
    let declares_old = |entry: &toml::Value| {
        entry.get("name").and_then(toml::Value::as_str) == Some(old_cookie.as_str())
    };
    let Some(at) = necessary.iter().position(declares_old) else {
        return Ok(());
    };
    if let Some(toml::Value::Table(entry)) = necessary.get_mut(at) {
        entry.insert("name".into(), format.default_cookie().into());
        if format != ConsentFormat::Auto {
            entry.insert("provider".into(), banner.name.into());
        }
        if let Some((name, purpose)) = banner.also_writes {
            let mut second = entry.clone();
            second.insert("name".into(), name.into());
            second.insert("purpose".into(), purpose.into());
            necessary.insert(at + 1, second.into());
        }
    }
    Ok(())
}

/// The `Set-Cookie` lines that record the visitor's choice, `granted` (the
/// shop's categories they accepted), in the policy's consent format.
///
/// Empty for a format without a [`Banner`], which `load_policy` refuses.
pub fn consent_lines(policy: &Policy, granted: &[&str]) -> Vec<String> {
    let format = policy.consent_format();
    let Some(banner) = banner(format) else {
        return Vec::new();
    };
    let choice = Choice {
        granted,
        aliases: banner.aliases,
    };
    let cookie = policy.consent_cookie();
    let now = OffsetDateTime::now_utc();
    match format {
        ConsentFormat::Auto => vec![line(cookie, &auto(granted))],
        ConsentFormat::Cookiebot => vec![line(cookie, &cookiebot(&choice, policy, now))],
        ConsentFormat::OneTrust => vec![line(cookie, &onetrust(&choice, now))],
        ConsentFormat::Orestbida => vec![line(cookie, &orestbida(&choice, policy, now))],
        ConsentFormat::Klaro => vec![line(cookie, &klaro(&choice))],
        ConsentFormat::DjangoCookieConsent => vec![line(cookie, &django(&choice))],
        ConsentFormat::GovUk => vec![line(cookie, &govuk(&choice)), line(GOVUK_ANSWERED, "true")],
        ConsentFormat::CookieYes => vec![line(cookie, &cookieyes(&choice))],
        ConsentFormat::Complianz => complianz(cookie.trim_end_matches('*'), &choice, policy),
        ConsentFormat::Tcf => vec![line(cookie, &tcf(&choice, now))],
        _ => Vec::new(),
    }
}

/// The visitor's choice, in a banner's names.
struct Choice<'a> {
    granted: &'a [&'a str],
    aliases: &'static [(&'static str, &'static str)],
}

impl Choice<'_> {
    /// Whether the banner records `name` as accepted: the category it
    /// stands for was granted. A name that stands for none of the shop's
    /// categories (Cookiebot's `preferences`, OneTrust's `C0003`) is
    /// refused: the shop sets no such cookies.
    fn grants(&self, name: &str) -> bool {
        let category = self
            .aliases
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(name))
            .map_or(name, |&(_, category)| category);
        self.granted
            .iter()
            .any(|g| g.eq_ignore_ascii_case(category))
    }

    fn nothing(&self) -> bool {
        self.granted.is_empty()
    }
}

/// A consent cookie for the whole site. A site served over HTTPS adds
/// `Secure`.
fn line(name: &str, value: &str) -> String {
    format!(
        "{name}={value}; Path=/; Max-Age={}; SameSite=Lax",
        MAX_AGE.whole_seconds()
    )
}

/// The crate's own format: a category list such as `statistics,marketing`,
/// or `[]` when nothing is granted (an empty value would read as "no choice
/// made yet").
fn auto(granted: &[&str]) -> String {
    if granted.is_empty() {
        "[]".to_owned()
    } else {
        granted.join(",")
    }
}

/// Cookiebot: a JavaScript object literal in which only `'` and `,` are
/// percent-encoded; the base64 stamp keeps its `+`, `/` and `=`.
fn cookiebot(choice: &Choice<'_>, policy: &Policy, now: OffsetDateTime) -> String {
    let literal = format!(
        "{{stamp:'{stamp}',necessary:true,preferences:{preferences},statistics:{statistics},\
         marketing:{marketing},method:'explicit',ver:{ver},utc:{utc},region:'gb'}}",
        stamp = base64(&random_bytes(40), STANDARD, true),
        preferences = choice.grants("preferences"),
        statistics = choice.grants("statistics"),
        marketing = choice.grants("marketing"),
        // `ver` is the site's consent revision.
        ver = policy.revision().unwrap_or(1),
        utc = unix_millis(now),
    );
    literal.replace('\'', "%27").replace(',', "%2C")
}

/// OneTrust: a form-encoded query string; its `groups` field holds
/// `ID:1` (consent) or `ID:0` for each group.
fn onetrust(choice: &Choice<'_>, now: OffsetDateTime) -> String {
    let groups: Vec<String> = ["C0001", "C0002", "C0003", "C0004"]
        .iter()
        .map(|&id| {
            // C0001, strictly necessary, is always on.
            let on = id == "C0001" || choice.grants(id);
            format!("{id}:{}", u8::from(on))
        })
        .collect();
    format!(
        "isGpcEnabled=0&datestamp={date}&version=202409.1.0&browserGpcFlag=0&isIABGlobal=false\
         &hosts=&consentId={id}&interactionCount=1&isAnonUser=1&landingPath=NotLandingPage\
         &groups={groups}&geolocation=GB%3BENG&AwaitingReconsent=false",
        date = form_encode(&js_date_string(now)),
        id = uuid(),
        groups = form_encode(&groups.join(",")),
    )
}

/// orestbida/cookieconsent v3: `encodeURIComponent(JSON.stringify(...))`,
/// in which `categories` lists the accepted categories.
fn orestbida(choice: &Choice<'_>, policy: &Policy, now: OffsetDateTime) -> String {
    let categories: Vec<String> = ["necessary", "analytics", "marketing"]
        .iter()
        .filter(|&&c| c == "necessary" || choice.grants(c))
        .map(|c| format!("\"{c}\""))
        .collect();
    // The banner's default `expiresAfterDays` is 182.
    let expires = unix_millis(now + Duration::days(182));
    let json = format!(
        "{{\"categories\":[{categories}],\"revision\":{revision},\"data\":null,\
         \"consentTimestamp\":\"{at}\",\"consentId\":\"{id}\",\
         \"services\":{{\"necessary\":[],\"analytics\":[],\"marketing\":[]}},\
         \"languageCode\":\"en\",\"lastConsentTimestamp\":\"{at}\",\"expirationTime\":{expires}}}",
        categories = categories.join(","),
        revision = policy.revision().unwrap_or(0),
        at = iso_millis(now),
        id = uuid(),
    );
    uri_component(&json)
}

/// Klaro: `encodeURIComponent(JSON.stringify(...))` of service → boolean.
fn klaro(choice: &Choice<'_>) -> String {
    let services: Vec<String> = ["matomo", "hotjar", "hubspot"]
        .iter()
        .map(|&s| format!("\"{s}\":{}", choice.grants(s)))
        .collect();
    uri_component(&format!("{{{}}}", services.join(",")))
}

/// django-cookie-consent: `group=version` pairs joined by `|`, `-1` for a
/// declined group. Python's cookie module wraps a value holding `=` in
/// double quotes, and browsers keep them.
fn django(choice: &Choice<'_>) -> String {
    // A group's version is when its newest cookie was entered in the
    // site's admin (`Cookie.created.isoformat()`).
    const VERSION: &str = "2025-11-20T09:14:03.512804+00:00";
    let pairs: Vec<String> = ["analytics", "marketing"]
        .iter()
        .map(|&group| {
            let version = if choice.grants(group) { VERSION } else { "-1" };
            format!("{group}={version}")
        })
        .collect();
    format!("\"{}\"", pairs.join("|"))
}

/// GOV.UK: raw JSON, not encoded.
fn govuk(choice: &Choice<'_>) -> String {
    format!(
        "{{\"essential\":true,\"settings\":{},\"usage\":{},\"campaigns\":{}}}",
        choice.grants("settings"),
        choice.grants("usage"),
        choice.grants("campaigns"),
    )
}

/// CookieYes: `key:value` pairs joined by `,`. `consent:no` is the banner's
/// "reject all".
fn cookieyes(choice: &Choice<'_>) -> String {
    let yes_no = |on: bool| if on { "yes" } else { "no" };
    let mut pairs = vec![
        format!("consentid:{}", base64(&random_bytes(32), URL_SAFE, false)),
        format!("consent:{}", yes_no(!choice.nothing())),
        "action:yes".to_owned(),
        "necessary:yes".to_owned(),
    ];
    for slug in [
        "functional",
        "analytics",
        "performance",
        "advertisement",
        "other",
    ] {
        pairs.push(format!("{slug}:{}", yes_no(choice.grants(slug))));
    }
    pairs.join(",")
}

/// Complianz: one cookie per category, `allow` or `deny`, and the banner's
/// bookkeeping under the same prefix.
fn complianz(prefix: &str, choice: &Choice<'_>, policy: &Policy) -> Vec<String> {
    let mut lines = vec![line(&format!("{prefix}functional"), "allow")];
    for category in ["preferences", "statistics", "marketing"] {
        let value = if choice.grants(category) {
            "allow"
        } else {
            "deny"
        };
        lines.push(line(&format!("{prefix}{category}"), value));
    }
    lines.push(line(&format!("{prefix}banner-status"), "dismissed"));
    // The site's policy version, which the policy's `revision` mirrors.
    let policy_id = policy.revision().unwrap_or(1).to_string();
    lines.push(line(&format!("{prefix}policy_id"), &policy_id));
    lines
}

/// IAB TCF v2.2: a TC string as the IAB's encoder writes it by default,
/// three segments: the core, the disclosed vendors, and an empty publisher
/// segment. The shop's trackers are no TCF vendors, so the vendor sections
/// are empty; only the purposes say what the visitor chose.
fn tcf(choice: &Choice<'_>, now: OffsetDateTime) -> String {
    // Since TCF 2.2, Created and LastUpdated carry the day only.
    let day = now.replace_time(cookie::time::Time::MIDNIGHT);
    let deciseconds = u64::try_from(day.unix_timestamp()).unwrap_or(0) * 10;
    let purposes: Vec<bool> = (1..=24)
        .map(|purpose| match purpose {
            // Storing and reading cookies at all: needed by every other
            // purpose the visitor accepts.
            1 => !choice.nothing(),
            _ => choice.grants(&format!("purpose:{purpose}")),
        })
        .collect();
    let core = Bits::default()
        .int(2, 6) // Version
        .int(deciseconds, 36) // Created
        .int(deciseconds, 36) // LastUpdated
        .int(4095, 12) // CmpId: not a registered CMP, which the demo is not
        .int(1, 12) // CmpVersion
        .int(1, 6) // ConsentScreen
        .letters("EN") // ConsentLanguage
        .int(150, 12) // VendorListVersion
        .int(5, 6) // TcfPolicyVersion
        .int(1, 1) // IsServiceSpecific
        .int(0, 1) // UseNonStandardTexts
        .flags(&[false; 12]) // SpecialFeatureOptIns
        .flags(&purposes) // PurposesConsent
        .flags(&[false; 24]) // PurposesLITransparency
        .int(0, 1) // PurposeOneTreatment
        .letters("GB") // PublisherCC
        .int(0, 16) // vendor consents: MaxVendorId 0,
        .int(0, 1) // as a bit field (of no bits)
        .int(0, 16) // vendor legitimate interests, the same
        .int(0, 1)
        .int(0, 12); // NumPubRestrictions
    let disclosed_vendors = Bits::default().int(1, 3).int(0, 16).int(0, 1);
    let publisher = Bits::default().int(3, 3).int(0, 24).int(0, 24).int(0, 6);
    [core, disclosed_vendors, publisher]
        .iter()
        .map(Bits::encode)
        .collect::<Vec<_>>()
        .join(".")
}

/// A TC string segment, bit by bit, most significant first.
#[derive(Default)]
struct Bits(Vec<bool>);

impl Bits {
    fn int(mut self, value: u64, width: u32) -> Self {
        self.0.extend((0..width).rev().map(|i| value >> i & 1 == 1));
        self
    }

    fn flags(mut self, flags: &[bool]) -> Self {
        self.0.extend_from_slice(flags);
        self
    }

    /// Two capital letters, six bits each, `A` = 0.
    fn letters(self, code: &str) -> Self {
        code.bytes()
            .fold(self, |bits, letter| bits.int(u64::from(letter - b'A'), 6))
    }

    /// Base64url without padding, after zero bits up to a multiple of 24,
    /// as the IAB's encoder pads.
    fn encode(&self) -> String {
        let mut bits = self.0.clone();
        bits.resize(bits.len().div_ceil(24) * 24, false);
        let bytes: Vec<u8> = bits
            .chunks(8)
            .map(|byte| byte.iter().fold(0, |b, &bit| b << 1 | u8::from(bit)))
            .collect();
        base64(&bytes, URL_SAFE, false)
    }
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64 (RFC 4648) in `alphabet`, with `=` padding or without.
fn base64(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .chain(std::iter::repeat(&0))
            .take(3)
            .fold(0u32, |g, &b| g << 8 | u32::from(b));
        let sextets = chunk.len() + 1;
        for i in 0..4 {
            if i < sextets {
                out.push(char::from(alphabet[(group >> (18 - 6 * i) & 63) as usize]));
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// What JavaScript's `encodeURIComponent` writes.
fn uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `application/x-www-form-urlencoded`, as OneTrust writes it: a space is
/// a `+`.
fn form_encode(text: &str) -> String {
    uri_component(text).replace("%20", "+")
}

/// What JavaScript's `Date.prototype.toString` shows in a browser set to
/// UTC: `Mon Apr 07 2025 18:20:29 GMT+0000 (Coordinated Universal Time)`.
fn js_date_string(at: OffsetDateTime) -> String {
    format!(
        "{:.3} {:.3} {:02} {} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        at.weekday().to_string(),
        at.month().to_string(),
        at.day(),
        at.year(),
        at.hour(),
        at.minute(),
        at.second(),
    )
}

/// `2025-01-09T10:11:12.345Z`, as JavaScript's `toISOString` writes it.
fn iso_millis(at: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond(),
    )
}

fn unix_millis(at: OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos() / 1_000_000
}

/// A random version-4 UUID, as banners make consent ids.
fn uuid() -> String {
    let mut bytes = random_bytes(16);
    bytes[6] = bytes[6] & 0x0f | 0x40;
    bytes[8] = bytes[8] & 0x3f | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Bytes from std's SipHash under keys drawn from the operating system's
/// random source, over a counter: ids nobody can guess, which is all a
/// banner's consent id needs.
fn random_bytes(len: usize) -> Vec<u8> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        bytes.extend_from_slice(&RandomState::new().hash_one(n).to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}
