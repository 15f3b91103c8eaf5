//! The shop's pages and forms.

use std::fmt::Write as _;

use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::header::{HOST, ORIGIN, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use tower_cookie_consent::{Consent, UnknownCookies};

use super::consent_writers::consent_lines;
use super::cookies::{
    marketing_lines, request_cookies, request_host, set_cookie_name, site_domain, statistics_lines,
    UNDECLARED,
};
use super::html::{self, capitalize, escape, page};
use super::inspect::{BrowserSent, ResponseNumber};
use super::session::{SessionId, Store};

/// Everything a page needs to know about the request it answers.
#[derive(Debug, Clone)]
pub struct Visit {
    /// The visitor's choice, as the consent layer read it.
    pub consent: Consent,
    pub session: SessionId,
    /// This response's number in the inspector's records.
    pub number: ResponseNumber,
    /// The page's path and query: where a form sends the visitor back to.
    pub path: String,
    /// The cookies the shop's handlers see: the request's `Cookie` header
    /// after the consent layer hid those the visitor has not granted.
    pub seen: Vec<(String, String)>,
    /// The cookies the browser sent, before the consent layer: measured by
    /// `inspect::measure`, outside it.
    pub sent: Vec<String>,
    /// The domain the trackers share their cookies on, if the host has one.
    pub domain: Option<String>,
    pub store: Store,
}

impl Visit {
    /// The page's path without the query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or_default()
    }
}

impl FromRequestParts<Store> for Visit {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, store: &Store) -> Result<Self, Self::Rejection> {
        // A bug in `app()`, not in the request.
        let missing = (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the demo's layers are not installed",
        );
        let consent = parts.extensions.get::<Consent>().cloned().ok_or(missing)?;
        let session = parts
            .extensions
            .get::<SessionId>()
            .cloned()
            .ok_or(missing)?;
        let number = *parts.extensions.get::<ResponseNumber>().ok_or(missing)?;
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let domain = request_host(&parts.headers, &parts.uri).and_then(|h| site_domain(&h));
        Ok(Self {
            consent,
            session,
            number,
            path,
            seen: request_cookies(&parts.headers),
            sent: parts
                .extensions
                .get::<BrowserSent>()
                .ok_or(missing)?
                .0
                .clone(),
            domain,
            store: store.clone(),
        })
    }
}

/// Something the shop sells.
struct Product {
    id: &'static str,
    name: &'static str,
    origin: &'static str,
    notes: &'static str,
    cents: u32,
    /// The swatch that stands in for a photo.
    colours: &'static str,
}

const TEAS: &[Product] = &[
    Product {
        id: "darjeeling",
        name: "Darjeeling First Flush",
        origin: "Castleton estate, India · 50 g",
        notes: "Bright and floral, with the muscat note of the spring picking.",
        cents: 1250,
        colours: "#e2c17c,#a8742b",
    },
    Product {
        id: "sencha",
        name: "Uji Sencha",
        origin: "Kyoto, Japan · 50 g",
        notes: "Grassy and sweet. Steep it at 70 °C for one minute.",
        cents: 980,
        colours: "#a9c96b,#4f7a2a",
    },
    Product {
        id: "earl-grey",
        name: "Earl Grey Blue Flower",
        origin: "Ceylon black tea · 100 g",
        notes: "Bergamot oil and cornflower petals on a brisk Ceylon base.",
        cents: 840,
        colours: "#8d9bd0,#3b4a82",
    },
    Product {
        id: "rooibos",
        name: "Rooibos Vanilla",
        origin: "Cederberg, South Africa · 100 g",
        notes: "Caffeine-free, honeyed and creamy: the evening cup.",
        cents: 720,
        colours: "#dc8a5e,#8a3418",
    },
];

const OFFERS: &[Product] = &[
    Product {
        id: "tasting-box",
        name: "Tasting box",
        origin: "All four teas · 4 × 25 g",
        notes: "Not sure where to start? A little of everything, with brewing notes.",
        cents: 1490,
        colours: "#e2c17c,#a9c96b,#8d9bd0,#dc8a5e",
    },
    Product {
        id: "kettle",
        name: "Cast-iron kettle",
        origin: "Enamelled inside · 0.8 l",
        notes: "Keeps the pot warm through a second and a third infusion.",
        cents: 3900,
        colours: "#55606e,#1f2630",
    },
];

fn product(id: &str) -> Option<&'static Product> {
    TEAS.iter().chain(OFFERS).find(|p| p.id == id)
}

fn price(cents: u32) -> String {
    format!("€{}.{:02}", cents / 100, cents % 100)
}

fn product_cards(visit: &Visit, products: &[Product]) -> String {
    let mut html = String::from("<div class=\"products\">");
    for p in products {
        let _ = write!(
            html,
            "<article class=\"product\"><div class=\"swatch\" style=\"background:linear-gradient(135deg,{colours})\"></div>\
             <h2>{name}</h2><p><small>{origin}</small></p><p>{notes}</p>\
             <form method=\"post\" action=\"/basket\"><input type=\"hidden\" name=\"add\" value=\"{id}\">\
             <input type=\"hidden\" name=\"back\" value=\"{back}\"><span class=\"price\">{price}</span>\
             <button>Add to basket</button></form></article>",
            colours = p.colours,
            name = escape(p.name),
            origin = escape(p.origin),
            notes = escape(p.notes),
            id = p.id,
            back = escape(&visit.path),
            price = price(p.cents),
        );
    }
    html.push_str("</div>");
    html
}

/// The names of `lines`, with their categories, as the page states what its
/// handler sets (not what the visitor gets: the inspector shows that).
fn cookie_chips(visit: &Visit, lines: &[String]) -> String {
    let policy = visit.consent.policy();
    let chips: String = lines
        .iter()
        .map(|line| {
            let name = set_cookie_name(line);
            html::chip(name, policy.category_of(name))
        })
        .collect();
    format!("<ul class=\"chips\">{chips}</ul>")
}

/// `GET /`
pub async fn home(visit: Visit) -> Html<String> {
    let body = format!(
        "<p class=\"lead\">Four gardens, four teas, packed the week they ship: Leaf &amp; Kettle \
         is a small shop, and the demo of a consent layer.</p>\
         <section class=\"card\"><h2>What this shop does with cookies</h2><ul>\
         <li>Every page, this one included, sets one necessary cookie, <code>sessionid</code>: \
         it keeps your basket, and needs no consent.</li>\
         <li><a href=\"/teas\">Teas</a> runs Matomo analytics: its handler sets statistics \
         cookies on every visit, whatever you chose, for this host and, when you visit under a \
         domain name, for the whole domain.</li>\
         <li><a href=\"/offers\">Offers</a> runs Hotjar and HubSpot, which set marketing \
         cookies the same careless way, and a Meta pixel whose cookie, <code>{UNDECLARED}</code>, \
         the cookie policy does not declare.</li>\
         <li>The consent layer in front of the shop removes every cookie you have not agreed to, \
         and every cookie the policy does not declare. When you withdraw a choice, it deletes \
         the cookies your browser still holds, and it never lets the shop read one you have not \
         agreed to. The inspector at the bottom of each page shows what it kept, stripped, \
         deleted and hid, line by line.</li></ul></section>\
         <h2>Customer favourites</h2>{cards}<p><a class=\"button primary\" href=\"/teas\">All our teas</a></p>",
        cards = product_cards(&visit, &TEAS[..2]),
    );
    page(&visit, "Loose-leaf tea, packed fresh", &body)
}

/// `GET /teas` (and `/stats`): sets Matomo's statistics cookies whatever the
/// visitor chose, as a careless template would. Filtering them is the
/// layer's job.
pub async fn teas(visit: Visit) -> Response {
    let lines = statistics_lines(visit.domain.as_deref());
    let domain_note = match &visit.domain {
        Some(domain) => format!(
            "The <code>.2.</code> ones are set for the whole domain, \
             <code>Domain={}</code>.",
            escape(domain)
        ),
        None => "Visit the shop under a name such as <code>www.shop.localhost</code> to see \
                 Matomo set cookies for a whole domain too."
            .to_owned(),
    };
    let body = format!(
        "<p class=\"lead\">Four teas we drink ourselves. Every one ships in a resealable bag.</p>\
         {cards}<section class=\"card\"><h2>Analytics on this page</h2>\
         <p>Matomo's tracker sets these cookies on every visit to this page, whatever you \
         chose. {domain_note}</p>{chips}<p>They reach your browser only if you accept \
         statistics cookies: the inspector below shows what happened to each.</p></section>",
        cards = product_cards(&visit, TEAS),
        chips = cookie_chips(&visit, &lines),
    );
    with_cookies(lines, page(&visit, "Our teas", &body))
}

/// `GET /offers` (and `/marketing`): sets Hotjar, HubSpot and Meta pixel
/// cookies whatever the visitor chose.
pub async fn offers(visit: Visit) -> Response {
    let lines = marketing_lines(visit.domain.as_deref());
    let body = format!(
        "<p class=\"lead\">This week: a box to taste everything, and the kettle we brew in.</p>\
         {cards}<section class=\"card\"><h2>Marketing on this page</h2>\
         <p>Hotjar, HubSpot and a Meta pixel set these cookies on every visit to this page, \
         whatever you chose. HubSpot and the pixel set theirs for the whole domain when there is \
         one.</p>{chips}<p>The marketing ones reach your browser only if you accept marketing \
         cookies. <code>{UNDECLARED}</code> never does: the cookie policy does not declare it, \
         and the layer removes what the policy does not declare.</p></section>",
        cards = product_cards(&visit, OFFERS),
        chips = cookie_chips(&visit, &lines),
    );
    with_cookies(lines, page(&visit, "Offers", &body))
}

fn with_cookies(lines: Vec<String>, page: Html<String>) -> Response {
    let headers = lines.into_iter().map(|line| (SET_COOKIE, line));
    (AppendHeaders(headers), page).into_response()
}

/// `GET /cookies-policy`: the cookie policy. Its declaration table is
/// `Policy::to_html()`, rendered from the same policy the layer enforces,
/// so that the two cannot drift apart.
pub async fn cookies_policy(visit: Visit) -> Html<String> {
    let policy = visit.consent.policy();
    let unknown = match policy.unknown_cookies() {
        UnknownCookies::Allow => "passes: the policy lets undeclared cookies through",
        _ => "is removed, whatever you choose",
    };
    let body = format!(
        "<p class=\"lead\">Every cookie this shop may set, and why. The table is rendered \
         by <code>Policy::to_html()</code> from the policy file the consent layer enforces \
         (<code>examples/policy.toml</code>).</p>\
         <p><a class=\"button\" href=\"#cookie-settings\">Change your choice</a></p>\
         <div class=\"declaration\">{table}</div>\
         <p>A name ending in <code>*</code> covers every cookie whose name starts with it. \
         A cookie this policy does not list {unknown}.</p>\
         <section class=\"card\"><h2>What the layer read from your request</h2>{details}</section>",
        table = policy.to_html(),
        details = consent_details(&visit.consent),
    );
    page(&visit, "Cookie policy", &body)
}

/// `GET /cookie-inventory`: every cookie the shop set that the policy does
/// not declare, as the consent layer recorded it (`CookieConsentLayer::
/// inventory`), with the Open Cookie Database's guess and a policy fragment
/// to paste. The Offers page sets one such cookie (`_fbp`).
pub async fn cookie_inventory(
    visit: Visit,
    axum::Extension(inventory): axum::Extension<tower_cookie_consent::Inventory>,
) -> Html<String> {
    let snapshot = inventory.snapshot();
    let mut rows = String::new();
    for entry in snapshot.entries() {
        let seen = |sighting: &tower_cookie_consent::Sighting| {
            let secs = sighting
                .time()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            format!("{secs} s, <code>{}</code>", escape(sighting.path()))
        };
        let guess = match entry.known() {
            Some(known) => format!(
                "{} ({}): {}",
                escape(known.platform()),
                known.category().as_str(),
                escape(known.description())
            ),
            None => "unknown".to_owned(),
        };
        let _ = write!(
            rows,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&entry.name()),
            entry.kept(),
            entry.stripped(),
            seen(entry.first_seen()),
            seen(entry.last_seen()),
            guess,
        );
    }
    if rows.is_empty() {
        rows.push_str(
            "<tr><td colspan=\"6\">Nothing yet: visit <a href=\"/offers\">Offers</a>, \
             which sets a cookie the policy does not declare.</td></tr>",
        );
    }
    let body = format!(
        "<p class=\"lead\">Every cookie the shop set that its policy does not declare, as \
         the consent layer saw it (first and last seen: seconds since 1970, request path). \
         Undeclared cookies are stripped; this list is how they get declared.</p>\
         <div class=\"declaration\"><table><thead><tr><th>Cookie</th><th>Kept</th>\
         <th>Stripped</th><th>First seen</th><th>Last seen</th><th>Known as</th></tr>\
         </thead><tbody>{rows}</tbody></table></div>\
         <p>Names past the inventory's cap: {overflow}.</p>\
         <h2>A policy fragment for them</h2><pre>{fragment}</pre>",
        overflow = snapshot.overflow(),
        fragment = escape(&snapshot.suggest_policy()),
    );
    page(&visit, "Cookie inventory", &body)
}

/// `GET /cookies`, where the cookie policy used to be.
pub async fn cookies() -> Redirect {
    Redirect::permanent("/cookies-policy")
}

/// What the `Consent` extension answers, call by call.
fn consent_details(consent: &Consent) -> String {
    let granted: Vec<&str> = consent.categories().collect();
    let allows: String = consent
        .policy()
        .categories()
        .map(|category| category.name())
        .map(|c| {
            format!(
                "<li><code>consent.allows(\"{}\")</code>: {}</li>",
                escape(c),
                consent.allows(c)
            )
        })
        .collect();
    format!(
        "<p>{}</p><p>{}</p><ul><li><code>consent.is_set()</code>: {}</li>\
         <li><code>consent.categories()</code>: [{}]</li>{allows}</ul>",
        html::consent_summary(consent),
        html::consent_source(consent.policy()),
        consent.is_set(),
        escape(&granted.join(", ")),
    )
}

/// `GET /basket`
pub async fn basket(visit: Visit) -> Html<String> {
    let items = visit
        .store
        .with(&visit.session, |v| v.basket.clone())
        .unwrap_or_default();
    let body = if items.is_empty() {
        "<p class=\"lead\">Your basket is empty.</p>\
         <p><a class=\"button primary\" href=\"/teas\">Browse the teas</a></p>"
            .to_owned()
    } else {
        let mut rows = String::new();
        let mut total = 0;
        for p in TEAS.iter().chain(OFFERS) {
            let count = items.iter().filter(|id| **id == p.id).count();
            if count == 0 {
                continue;
            }
            // A basket holds at most 99 items: no overflow.
            let cents = p.cents * count as u32;
            total += cents;
            let _ = write!(
                rows,
                "<tr><td>{}</td><td data-label=\"Quantity\">{count}</td>\
                 <td data-label=\"Price\">{}</td></tr>",
                escape(p.name),
                price(cents),
            );
        }
        format!(
            "<section class=\"card\"><table class=\"stack\"><thead><tr><th>Item</th>\
             <th>Quantity</th><th>Price</th></tr></thead><tbody>{rows}</tbody></table>\
             <p class=\"price\">Total {}</p>\
             <form method=\"post\" action=\"/basket\"><input type=\"hidden\" name=\"clear\" value=\"1\">\
             <input type=\"hidden\" name=\"back\" value=\"/basket\"><button>Empty the basket</button></form>\
             <p><small>A demo: there is no checkout. The basket lives on the server, under \
             your <code>sessionid</code> cookie.</small></p></section>",
            price(total),
        )
    };
    page(&visit, "Your basket", &body)
}

/// `POST /basket`: `add=<product>` or `clear=1`, then back to `back`.
pub async fn update_basket(visit: Visit, ShopForm(fields): ShopForm) -> Response {
    let message = if let Some(p) = form_value(&fields, "add").and_then(product) {
        match visit.store.with(&visit.session, |v| v.add(p.id)) {
            Some(true) => format!("{} is in your basket.", p.name),
            _ => "Your basket is full.".to_owned(),
        }
    } else if form_value(&fields, "clear").is_some() {
        visit.store.with(&visit.session, |v| v.basket.clear());
        "Your basket is empty.".to_owned()
    } else {
        "Nothing changed.".to_owned()
    };
    flash(&visit, message);
    Redirect::to(back(&fields)).into_response()
}

/// `POST /consent`: stores the visitor's choice in the consent cookie and
/// sends them back to the page they came from, with a message.
///
/// It deletes nothing itself: the consent layer purges the cookies of the
/// categories the visitor turns off, in this same response, and the
/// inspector reports which (see `inspect::measure`).
pub async fn save_consent(visit: Visit, ShopForm(fields): ShopForm) -> Response {
    let policy = visit.consent.policy();
    let granted: Vec<&str> = match form_value(&fields, "choice") {
        Some("all") => policy
            .categories()
            .map(|category| category.name())
            .collect(),
        Some("selected") => policy
            .categories()
            .map(|category| category.name())
            .filter(|c| fields.iter().any(|(k, v)| k == "category" && v == c))
            .collect(),
        // "none", and anything unexpected: grant nothing.
        _ => Vec::new(),
    };

    // Only the consent cookie: the consent layer reads the choice from
    // this very response and deletes the cookies of the categories turned
    // off, which the browser still holds and sends (`purge`).
    let lines = consent_lines(policy, &granted);

    let choice: Vec<String> = policy
        .categories()
        .map(|category| category.name())
        .map(|c| {
            let state = if granted.contains(&c) { "on" } else { "off" };
            format!("{} {state}", capitalize(c))
        })
        .collect();
    let message = format!("Saved: {}.", choice.join(", "));
    flash(&visit, message);
    let headers = lines.into_iter().map(|line| (SET_COOKIE, line));
    (AppendHeaders(headers), Redirect::to(back(&fields))).into_response()
}

/// Any other path.
pub async fn not_found(visit: Visit) -> (StatusCode, Html<String>) {
    let body = "<p class=\"lead\">There is no such page.</p>\
                <p><a class=\"button primary\" href=\"/\">Back to the shop</a></p>";
    (StatusCode::NOT_FOUND, page(&visit, "Not found", body))
}

fn flash(visit: &Visit, message: String) {
    visit
        .store
        .with(&visit.session, |v| v.flash = Some(message));
}

/// The fields of a form posted from one of the shop's own pages.
///
/// A form posted from another site is refused with `403`: a page elsewhere
/// could otherwise record "accept all" for the visitor, or fill their
/// basket.
#[derive(Debug)]
pub struct ShopForm(Vec<(String, String)>);

impl FromRequest<Store> for ShopForm {
    type Rejection = Response;

    async fn from_request(req: Request, store: &Store) -> Result<Self, Self::Rejection> {
        if !from_this_site(req.headers(), req.uri()) {
            let refusal = "This form was sent from another site, so the shop ignored it.";
            return Err((StatusCode::FORBIDDEN, refusal).into_response());
        }
        let Form(fields) = Form::from_request(req, store)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self(fields))
    }
}

/// The rule of Go's `net/http.CrossOriginProtection`: browsers send
/// `Sec-Fetch-Site`, older ones at least `Origin`, which must name the host
/// the request was sent to; a request with neither does not come from a
/// browser's cross-site form.
fn from_this_site(headers: &HeaderMap, uri: &Uri) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return site == "same-origin" || site == "none";
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let authority = match uri.authority() {
        Some(authority) => Some(authority.as_str()),
        None => headers.get(HOST).and_then(|h| h.to_str().ok()),
    };
    let origin_authority = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, authority)| authority);
    origin_authority.is_some() && origin_authority == authority
}

fn form_value<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The form's `back` field if it is a path on this site, else `/`: a
/// redirect to a URL taken from a form must never leave the site.
fn back(fields: &[(String, String)]) -> &str {
    let back = form_value(fields, "back").unwrap_or("/");
    let local = back.starts_with('/')
        // `//host` and `/\host` are read by browsers as another host.
        && !back.starts_with("//")
        && !back.starts_with("/\\")
        && back.len() <= 2048
        && back.bytes().all(|b| b.is_ascii_graphic());
    if local {
        back
    } else {
        "/"
    }
}
