//! The page layout: header, the one-time message, the first-visit banner,
//! the cookie inspector, and the cookie settings in the footer of every
//! page. Inline CSS and script only: the shop loads nothing from elsewhere.

use std::fmt::Write as _;

use axum::response::Html;
use tower_cookie_consent::{Consent, ConsentFormat, Policy};

use super::consent_writers;
use super::pages::Visit;

/// The navigation, as `(path, label)`.
const NAV: &[(&str, &str)] = &[
    ("/", "Home"),
    ("/teas", "Teas"),
    ("/offers", "Offers"),
    ("/basket", "Basket"),
    ("/cookies-policy", "Cookie policy"),
];

/// A whole page around `body`. Takes the visitor's one-time message.
pub fn page(visit: &Visit, title: &str, body: &str) -> Html<String> {
    let flash = visit
        .store
        .with(&visit.session, |v| v.flash.take())
        .flatten()
        .map(|text| {
            format!(
                "<p class=\"flash\" role=\"status\"><span aria-hidden=\"true\">\u{2713}</span> {}</p>",
                escape(&text)
            )
        })
        .unwrap_or_default();
    let basket = visit
        .store
        .with(&visit.session, |v| v.basket.len())
        .unwrap_or(0);
    let mut nav = String::new();
    for (path, label) in NAV {
        let current = if visit.path_only() == *path {
            " aria-current=\"page\""
        } else {
            ""
        };
        let count = if *path == "/basket" && basket > 0 {
            format!(" <span class=\"count\">{basket}</span>")
        } else {
            String::new()
        };
        let _ = write!(nav, "<a href=\"{path}\"{current}>{label}{count}</a>");
    }
    let banner = if visit.consent.is_set() {
        String::new()
    } else {
        banner(visit)
    };
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Leaf &amp; Kettle</title><link rel=\"icon\" href=\"data:,\">\
         <style>{STYLE}</style></head><body>\
         <header><div class=\"wrap bar\"><a class=\"logo\" href=\"/\">Leaf <span>&amp;</span> Kettle</a>\
         <nav aria-label=\"Shop\">{nav}<a href=\"#cookie-settings\">Cookie settings</a></nav></div></header>\
         <div class=\"wrap\">{flash}{banner}<main><h1>{title}</h1>{body}</main>{inspector}</div>\
         <footer><div class=\"wrap\">{settings}\
         <p class=\"fine\">Leaf &amp; Kettle is the demo of <code>tower-cookie-consent</code>: \
         nothing here is for sale.</p></div></footer>\
         <script>{SCRIPT}</script></body></html>",
        title = escape(title),
        inspector = inspector(visit),
        settings = settings(visit),
    ))
}

/// The first-visit banner: accept all, reject all (as prominent as each
/// other), or choose per category.
fn banner(visit: &Visit) -> String {
    let policy = visit.consent.policy();
    let purposes: Vec<String> = policy
        .categories()
        .map(|category| category.name())
        .map(|c| format!("{} ({})", escape(c), escape(&providers(policy, c))))
        .collect();
    format!(
        "<section class=\"banner\" aria-labelledby=\"banner-title\">\
         <h2 id=\"banner-title\">May we use cookies?</h2>\
         <p>One cookie keeps your basket; it needs no permission. With yours, we would also \
         use cookies for {purposes}. Nothing is set until you say yes, and you can change \
         your mind at the bottom of every page. <a href=\"/cookies-policy\">Every cookie we use</a>.</p>\
         <form method=\"post\" action=\"/consent\">{back}\
         <div class=\"buttons\"><button class=\"primary\" name=\"choice\" value=\"all\">Accept all</button>\
         <button class=\"primary\" name=\"choice\" value=\"none\">Reject all</button></div>\
         <details><summary>Choose per category</summary>{checkboxes}\
         <button name=\"choice\" value=\"selected\">Save my choice</button></details></form></section>",
        purposes = purposes.join(" and "),
        back = back_field(visit),
        checkboxes = checkboxes(&visit.consent),
    )
}

/// The cookie settings at the bottom of every page: the visitor can change
/// or withdraw their choice from wherever they are.
fn settings(visit: &Visit) -> String {
    format!(
        "<form id=\"cookie-settings\" class=\"settings\" method=\"post\" action=\"/consent\">\
         <h2>Cookie settings</h2><p>{summary}</p>{checkboxes}{back}\
         <div class=\"buttons\"><button name=\"choice\" value=\"selected\">Save my choice</button>\
         <button name=\"choice\" value=\"all\">Accept all</button>\
         <button name=\"choice\" value=\"none\">Reject all</button></div></form>",
        summary = consent_summary(&visit.consent),
        checkboxes = checkboxes(&visit.consent),
        back = back_field(visit),
    )
}

fn back_field(visit: &Visit) -> String {
    format!(
        "<input type=\"hidden\" name=\"back\" value=\"{}\">",
        escape(&visit.path)
    )
}

/// One checkbox per category, pre-filled with the visitor's choice.
fn checkboxes(consent: &Consent) -> String {
    let policy = consent.policy();
    let mut html = String::from(
        "<label class=\"choice\"><input type=\"checkbox\" checked disabled> Necessary \
         <small>always on: your basket and this choice</small></label>",
    );
    for category in policy.categories().map(|category| category.name()) {
        let checked = if consent.allows(category) {
            " checked"
        } else {
            ""
        };
        let _ = write!(
            html,
            "<label class=\"choice\"><input type=\"checkbox\" name=\"category\" value=\"{c}\"{checked}> \
             {label} <small>{providers}</small></label>",
            c = escape(category),
            label = escape(&capitalize(category)),
            providers = escape(&providers(policy, category)),
        );
    }
    html
}

/// The providers a category's cookies come from, in policy order.
pub fn providers(policy: &Policy, category: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    for entry in policy.category_cookies(category).unwrap_or_default() {
        if let Some(provider) = entry.provider() {
            if !names.contains(&provider) {
                names.push(provider);
            }
        }
    }
    names.join(", ")
}

/// What the visitor chose, in a sentence.
pub fn consent_summary(consent: &Consent) -> String {
    if !consent.is_set() {
        return "You have not chosen yet: only necessary cookies are allowed.".to_owned();
    }
    let granted: Vec<&str> = consent.categories().collect();
    if granted.is_empty() {
        "You refused every optional cookie: only necessary ones are allowed.".to_owned()
    } else {
        format!(
            "You accepted {} cookies. Necessary ones are always allowed.",
            escape(&granted.join(" and "))
        )
    }
}

/// Where the visitor's choice is kept: the consent cookie, and which
/// banner's format it is in.
pub fn consent_source(policy: &Policy) -> String {
    let format = policy.consent_format();
    let cookie = policy.consent_cookie();
    let cookie = match cookie.strip_suffix('*') {
        Some(prefix) => format!("the <code>{}*</code> cookies", escape(prefix)),
        None => format!("<code>{}</code>", escape(cookie)),
    };
    let writer = match consent_writers::banner(format) {
        Some(banner) if format != ConsentFormat::Auto => {
            format!("as {} writes it", escape(banner.name))
        }
        _ => "in the crate's own format".to_owned(),
    };
    format!(
        "Your choice is stored in {cookie}, {writer} \
         (<code>consent_format = \"{}\"</code>).",
        format.name()
    )
}

/// The inspector panel. The server fills in what it measured on this
/// request; the script adds what the browser holds now and what the
/// layers recorded about this very response (`/debug/last`).
fn inspector(visit: &Visit) -> String {
    let policy = visit.consent.policy();
    // What crossed the consent layer on the way in: every cookie the
    // browser sent, marked when the layer hid it from the shop, and what the
    // shop's handlers read from the `Cookie` header they got.
    let mut unseen: Vec<Option<&str>> = visit.seen.iter().map(|(n, _)| Some(n.as_str())).collect();
    let sent = if visit.sent.is_empty() {
        "<li class=\"empty\">none: a first visit</li>".to_owned()
    } else {
        visit
            .sent
            .iter()
            .map(|name| {
                let seen = unseen
                    .iter_mut()
                    .find(|s| **s == Some(name.as_str()))
                    .map(Option::take)
                    .is_some();
                let (hidden, tag) = if seen {
                    ("false", String::new())
                } else {
                    ("true", " <span class=\"tag stripped\">hidden from the shop</span>".to_owned())
                };
                format!(
                    "<li data-cookie=\"{name}\" data-hidden=\"{hidden}\"><code>{name}</code> {category}{tag}</li>",
                    name = escape(name),
                    category = category_tag(policy.category_of(name)),
                )
            })
            .collect()
    };
    let seen = if visit.seen.is_empty() {
        "<li class=\"empty\">none</li>".to_owned()
    } else {
        visit
            .seen
            .iter()
            .map(|(name, _)| {
                format!(
                    "<li data-cookie=\"{name}\"><code>{name}</code> {category}</li>",
                    name = escape(name),
                    category = category_tag(policy.category_of(name)),
                )
            })
            .collect()
    };
    let choice: String = policy
        .categories()
        .map(|category| category.name())
        .map(|c| {
            let (state, class) = if visit.consent.allows(c) {
                ("on", "kept")
            } else {
                ("off", "stripped")
            };
            format!(
                "<li>{} <span class=\"tag {class}\">{state}</span></li>",
                escape(&capitalize(c))
            )
        })
        .collect();
    let gpc = if visit.consent.gpc() {
        "Your browser sends <code>Sec-GPC: 1</code> (Global Privacy Control)."
    } else {
        "Your browser sends no Global Privacy Control signal."
    };
    format!(
        "<section id=\"inspector\" class=\"inspector\" data-response=\"{number}\" aria-labelledby=\"inspector-title\">\
         <h2 id=\"inspector-title\">Cookie inspector <small>measured on this page, not predicted</small></h2>\
         <div class=\"columns\">\
         <div><h3>Your choice, as the layer read it</h3><ul class=\"chips\">{choice}</ul>\
         <p class=\"note\">{source} {gpc}</p></div>\
         <div><h3>Your browser sent</h3><ul id=\"browser-sent\" class=\"chips\">{sent}</ul>\
         <p class=\"note\">This page's request, before the consent layer.</p></div>\
         <div><h3>What the shop saw</h3><ul id=\"app-saw\" class=\"chips\">{seen}</ul>\
         <p class=\"note\">The <code>Cookie</code> header the shop's handlers got: the layer \
         hides the cookies you have not granted, so the shop cannot read them.</p></div>\
         <div><h3>In your browser now</h3><ul id=\"jar\" class=\"chips\"><li class=\"empty\">\
         needs JavaScript</li></ul><p class=\"note\">After this response: the cookies the \
         inspector's own request carried. <span class=\"tag lock\">HttpOnly</span> marks those \
         <code>document.cookie</code> does not show to scripts.</p></div></div>\
         <h3>Set-Cookie on this page's response</h3>\
         <div id=\"response-cookies\"><p class=\"note\">The inspector's script reads this from \
         <a href=\"/debug/last\">/debug/last</a>.</p></div>\
         <div id=\"previous\"></div>\
         <p class=\"note\">The shop's handlers set their cookies whatever you chose; a layer \
         inside the consent layer records what they produced, one outside it what was sent. \
         The same comparison travels in each response's <code>x-demo-cookie-diff</code> header.</p>\
         </section>",
        number = visit.number.0,
        source = consent_source(policy),
    )
}

/// A cookie name with its category.
pub fn chip(name: &str, category: Option<&str>) -> String {
    format!(
        "<li><code>{}</code> {}</li>",
        escape(name),
        category_tag(category)
    )
}

pub fn category_tag(category: Option<&str>) -> String {
    match category {
        Some(c) => format!("<span class=\"tag {0}\">{0}</span>", escape(c)),
        None => "<span class=\"tag undeclared\">undeclared</span>".to_owned(),
    }
}

pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Cookie names and values come from the client: never into HTML unescaped.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Cookie names never break inside (`white-space: nowrap`); only the
/// attribute lists of the inspector wrap, at their spaces.
const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.55 system-ui,-apple-system,'Segoe UI',Roboto,'Liberation Sans',sans-serif;color:#2b2622;background:#faf6ef}\
a{color:#2f6b4f}\
.wrap{max-width:62rem;margin:0 auto;padding:0 1rem}\
header{background:#2f6b4f;color:#fff}\
.bar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.4rem 1.5rem;padding-top:.8rem;padding-bottom:.8rem}\
.logo{color:#fff;font-weight:800;font-size:1.3rem;text-decoration:none;letter-spacing:.02em}\
.logo span{color:#f3c969}\
nav{display:flex;flex-wrap:wrap;gap:.2rem 1.1rem}\
nav a{color:#e3f0e8;text-decoration:none;border-bottom:2px solid transparent}\
nav a:hover,nav a[aria-current=page]{color:#fff;border-bottom-color:#f3c969}\
.count{display:inline-block;min-width:1.4em;padding:0 .35em;border-radius:1em;background:#f3c969;color:#2b2622;font-size:.8em;font-weight:700;text-align:center}\
main{padding:.5rem 0}\
h1{font-size:2rem;line-height:1.2;margin:1.2rem 0 .8rem}\
h2{font-size:1.3rem;line-height:1.3;margin:.2rem 0 .6rem}\
h3{font-size:1rem;margin:1rem 0 .4rem}\
.lead{font-size:1.15rem;max-width:40rem}\
.card{background:#fff;border:1px solid #e6dfd3;border-radius:.8rem;padding:1rem 1.25rem;margin:1rem 0}\
.flash{background:#e4f3ea;border:1px solid #9fd0b2;color:#1d4d35;border-radius:.8rem;padding:.75rem 1rem;margin:1rem 0 0;font-weight:600}\
.banner{background:#fffaf0;border:2px solid #d9a441;border-radius:.8rem;padding:1rem 1.25rem;margin:1rem 0;box-shadow:0 6px 20px rgba(80,50,10,.12)}\
.banner p{margin:.3rem 0}\
details{margin:.5rem 0}summary{cursor:pointer;color:#2f6b4f;font-weight:600}\
button,.button{font:inherit;font-weight:600;padding:.5rem 1rem;border-radius:.5rem;border:2px solid #2f6b4f;background:#fff;color:#2f6b4f;cursor:pointer;text-decoration:none;display:inline-block}\
button:hover,.button:hover{background:#eef6f1}\
.primary,.primary:hover{background:#2f6b4f;color:#fff}\
.buttons{display:flex;flex-wrap:wrap;gap:.5rem;margin:.75rem 0}\
.choice{display:block;margin:.25rem 0}\
small{color:#6b5f52}\
.products{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem;margin:1rem 0}\
.product{background:#fff;border:1px solid #e6dfd3;border-radius:.8rem;padding:1rem;display:flex;flex-direction:column}\
.product h2{font-size:1.1rem;margin:.6rem 0 .2rem}\
.product p{margin:.2rem 0}\
.product form{margin-top:auto;padding-top:.6rem;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem}\
.product button{white-space:nowrap}\
.swatch{height:5.5rem;border-radius:.6rem}\
.price{font-weight:800;font-size:1.1rem}\
.was{color:#8a7f73;text-decoration:line-through;font-weight:400;font-size:.9rem}\
code{font:.88em/1.4 ui-monospace,'DejaVu Sans Mono',monospace;white-space:nowrap;background:#f0eadf;padding:.05em .3em;border-radius:.3em}\
table{border-collapse:collapse;width:100%}\
th,td{text-align:left;vertical-align:top;padding:.45rem .5rem;border-bottom:1px solid #eee5d8}\
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#6b5f52}\
.tag{display:inline-block;font-size:.75rem;font-weight:700;line-height:1.5;padding:0 .45rem;border-radius:1rem;white-space:nowrap;background:#e3e3e3;color:#333}\
.necessary{background:#d8e5f8;color:#1d3a66}.statistics{background:#fbe4bd;color:#6a4300}.marketing{background:#f6d3da;color:#6b1426}\
.kept{background:#c9ead5;color:#14492c}.stripped{background:#f4cdcd;color:#6e1111}.added{background:#d4e0fb;color:#1a3770}\
.lock{background:#e8defa;color:#3f2370}.deletion{background:#ffe9a8;color:#5a4200}\
.inspector{background:#1f2630;color:#e6e9ee;border-radius:.8rem;padding:1rem 1.25rem;margin:2rem 0 1rem}\
.inspector h2 small{font-size:.8rem;font-weight:400;color:#9aa6b5;display:block}\
.inspector h3{color:#fff}\
.inspector code{background:#2f3a49;color:#fff}\
.inspector a{color:#9fd6b8}\
.inspector th{color:#9aa6b5}.inspector td,.inspector th{border-color:#354254}\
.inspector .note{color:#aeb8c6;font-size:.85rem}\
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:0 1.5rem}\
.chips{list-style:none;padding:0;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.4rem}\
.chips li{display:inline-flex;align-items:center;gap:.3rem;flex-wrap:wrap}\
.empty{color:#aeb8c6;font-style:italic}\
td.outcome{white-space:nowrap}\
.attrs{font:.8rem/1.4 ui-monospace,'DejaVu Sans Mono',monospace;color:#aeb8c6}\
footer{border-top:1px solid #e6dfd3;background:#f3ede3;margin-top:1rem;padding:1rem 0 2rem}\
.fine{font-size:.85rem;color:#6b5f52}\
.cookie-category{background:#fff;border:1px solid #e6dfd3;border-radius:.8rem;padding:1rem 1.25rem;margin:1rem 0}\
.cookie-category h3{font-size:1.3rem;margin:.2rem 0 .2rem}\
.cookie-category h3::first-letter{text-transform:uppercase}\
.cookie-category p{margin:0 0 .6rem;color:#6b5f52}\
@media (min-width:40.01rem){\
.declaration table{table-layout:fixed}\
.declaration th:nth-child(1){width:13%}.declaration th:nth-child(2){width:18%}\
.declaration th:nth-child(3){width:22%}.declaration th:nth-child(4){width:29%}\
.declaration th:nth-child(5){width:18%}\
}\
@media (max-width:40rem){\
h1{font-size:1.6rem}\
table.stack thead{display:none}\
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}\
table.stack tr{border-bottom:1px solid #eee5d8;padding:.5rem 0}\
.inspector table.stack tr{border-color:#354254}\
table.stack td{border:none;padding:.1rem 0}\
table.stack td[data-label]::before{content:attr(data-label) ': ';font-weight:600;color:#6b5f52}\
.inspector table.stack td[data-label]::before{color:#9aa6b5}\
.declaration thead{display:none}\
.declaration table,.declaration tbody,.declaration td{display:block;width:100%}\
.declaration tr{display:flex;flex-direction:column;border-bottom:1px solid #eee5d8;padding:.5rem 0}\
.declaration tr:last-child{border-bottom:none}\
.declaration td{border:none;padding:.1rem 0}\
.declaration td:empty{display:none}\
.declaration td:nth-child(3){order:-1;font-weight:600}\
.declaration td:nth-child(1)::before{content:'Provider: '}\
.declaration td:nth-child(2)::before{content:'Function: '}\
.declaration td:nth-child(4)::before{content:'Purpose: '}\
.declaration td:nth-child(5)::before{content:'Lifetime: '}\
.declaration td::before{font-weight:600;color:#6b5f52}\
}";

/// The inspector's script: what `document.cookie` shows, and this
/// response's record from `/debug/last`. Builds the DOM with `textContent`
/// only: cookie names come from the browser.
const SCRIPT: &str = r#"(() => {
  const panel = document.getElementById('inspector');
  if (!panel || !window.fetch) return;
  const number = Number(panel.dataset.response);
  const readable = new Set(document.cookie.split(';')
    .map(pair => pair.split('=')[0].trim()).filter(Boolean));
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const categoryTag = category => category
    ? el('span', 'tag ' + category, category)
    : el('span', 'tag undeclared', 'undeclared');
  const words = { kept: 'kept', stripped: 'stripped by the layer', added: 'added by the layer' };
  const deletion = c => c.outcome === 'added' ? 'deletion: purged by the layer' : 'deletion';
  const table = exchange => {
    const wrap = el('div');
    const counts = { kept: 0, stripped: 0, added: 0 };
    exchange.cookies.forEach(c => counts[c.outcome]++);
    wrap.append(el('p', '', exchange.method + ' ' + exchange.path + ' \u2192 ' + exchange.status
      + ': the shop produced ' + (counts.kept + counts.stripped) + ' Set-Cookie line(s); the layer kept '
      + counts.kept + ', stripped ' + counts.stripped + ', added ' + counts.added + '.'));
    if (exchange.hidden.length) {
      const hidden = el('p', 'note', 'Hidden from the shop by the layer: ');
      exchange.hidden.forEach((c, i) => { if (i) hidden.append(', '); hidden.append(el('code', '', c.name)); });
      wrap.append(hidden);
    }
    if (!exchange.cookies.length) return wrap;
    const t = el('table', 'stack');
    const head = el('tr');
    ['Cookie', 'Category', 'Outcome', 'Attributes'].forEach(h => head.append(el('th', '', h)));
    t.append(el('thead')); t.tHead.append(head);
    const body = el('tbody');
    for (const c of exchange.cookies) {
      const row = el('tr');
      row.dataset.cookie = c.name;
      row.dataset.outcome = c.outcome;
      row.dataset.deletion = c.deletion;
      const name = el('td'); name.append(el('code', '', c.name));
      const category = el('td'); category.dataset.label = 'Category';
      category.append(categoryTag(c.category));
      const outcome = el('td', 'outcome'); outcome.dataset.label = 'Outcome';
      outcome.append(el('span', 'tag ' + c.outcome, words[c.outcome]));
      if (c.deletion) outcome.append(' ', el('span', 'tag deletion', deletion(c)));
      const attrs = el('td', 'attrs', c.attributes || '(none)'); attrs.dataset.label = 'Attributes';
      row.append(name, category, outcome, attrs);
      body.append(row);
    }
    t.append(body);
    wrap.append(t);
    return wrap;
  };
  const box = document.getElementById('response-cookies');
  fetch('/debug/last', { cache: 'no-store', credentials: 'same-origin' })
    .then(response => response.json())
    .then(data => {
      const jar = document.getElementById('jar');
      jar.replaceChildren();
      for (const c of data.browser) {
        const item = el('li');
        item.dataset.cookie = c.name;
        item.append(el('code', '', c.name), categoryTag(c.category));
        if (!readable.has(c.name)) item.append(el('span', 'tag lock', 'HttpOnly'));
        jar.append(item);
      }
      if (!data.browser.length) jar.append(el('li', 'empty', 'none'));
      const at = data.responses.findIndex(r => r.number === number);
      box.replaceChildren();
      if (at < 0) {
        box.append(el('p', 'note', 'This response is no longer recorded (the server restarted, or you opened this page long ago): reload the page.'));
        return;
      }
      box.append(table(data.responses[at]));
      const before = data.responses[at + 1];
      if (before && before.method === 'POST') {
        const previous = document.getElementById('previous');
        previous.append(el('h3', '', 'The request that brought you here'), table(before));
      }
      panel.dataset.loaded = 'true';
    })
    .catch(() => { box.replaceChildren(el('p', 'note', 'Could not read /debug/last.')); });
})();"#;
