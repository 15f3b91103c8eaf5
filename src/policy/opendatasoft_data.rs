//! Cookie names of the trackers an Opendatasoft portal lets visitors refuse.
//! The data comes from the Open Cookie Database (jkwakman/Open-Cookie-Database @0ee5a17,
//! Apache-2.0) and from the vendors' own documentation, cited above each tracker.

/// One tracker: its banner key and the cookies it sets as (name, provider, purpose, lifetime).
pub(super) struct Tracker {
    pub(super) category: &'static str,
    pub(super) cookies: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

pub(super) const TRACKERS: &[Tracker] = &[
    // Opendatasoft's own functional cookies: none beyond the necessary ones. ODS documents
    // that "by default, the platform only uses functional cookies to enable core platform
    // functionality and are therefore always enabled" (opendatasoft/ods-documentation @8daab76,
    // source/configuring_domain/02_managing_legal_information/legals.rst), and the portals'
    // cookie policies (e.g. dashboard.paris/terms/cookies-policy, odwb.be/terms/cookies-policy)
    // list only sessionid, django_language, csrftoken and cookies_preferences, which are
    // necessary and belong to no refusable category. No further cookie name was found.
    Tracker {
        category: "functional_cookies",
        cookies: &[],
    },
    // Google Analytics:
    // https://developers.google.com/analytics/devguides/collection/ga4/cookie-usage
    // (gtag.js / GA4: _ga, _ga_<container-id>);
    // https://developers.google.com/analytics/resources/concepts/gaConceptsCookies
    // (analytics.js / Universal Analytics: _gid, _gat, _dc_gtm_<property-id>, AMP_TOKEN,
    // _gac_<property-id>; ga.js: __utm*); Open Cookie Database, Platform "Google Analytics"
    // (_gali, __utm* lifetimes). Left out: GA_OPT_OUT (opt-out marker on google-analytics.com)
    // and the server-side tagging cookies FPID/FPLC/FPAU (ODS does not use server-side tagging).
    Tracker {
        category: "ga",
        cookies: &[
            ("_ga", "Google Analytics", "Distinguishes users", "2 years"),
            (
                "_ga_*",
                "Google Analytics",
                "Persists session state (GA4)",
                "2 years",
            ),
            (
                "_gid",
                "Google Analytics",
                "Distinguishes users",
                "24 hours",
            ),
            // `_gat*` covers `_gat`, `_gat_<tracker>` and `_gat_gtag_<property>`.
            (
                "_gat*",
                "Google Analytics",
                "Throttles the request rate",
                "1 minute",
            ),
            (
                "_dc_gtm_*",
                "Google Analytics",
                "Throttles the request rate (deployed via Tag Manager)",
                "1 minute",
            ),
            (
                "AMP_TOKEN",
                "Google Analytics",
                "Token to fetch a client ID from the AMP Client ID service",
                "30 seconds to 1 year",
            ),
            (
                "_gac_*",
                "Google Analytics",
                "Campaign information, read by Google Ads conversion tags",
                "90 days",
            ),
            (
                "_gali",
                "Google Analytics",
                "Enhanced link attribution: which link was clicked",
                "30 seconds",
            ),
            (
                "__utma",
                "Google Analytics",
                "Distinguishes users and sessions (ga.js)",
                "2 years after last activity",
            ),
            // ga.js names it `__utmt_<tracker>` for named trackers.
            (
                "__utmt*",
                "Google Analytics",
                "Throttles the request rate (ga.js)",
                "10 minutes",
            ),
            (
                "__utmb",
                "Google Analytics",
                "Determines new sessions and visits (ga.js)",
                "30 minutes after last activity",
            ),
            (
                "__utmc",
                "Google Analytics",
                "Determines new sessions (legacy urchin.js interop)",
                "End of browser session",
            ),
            (
                "__utmz",
                "Google Analytics",
                "Traffic source or campaign of the visitor (ga.js)",
                "6 months after last activity",
            ),
            (
                "__utmv",
                "Google Analytics",
                "Visitor-level custom variables (ga.js)",
                "2 years after last activity",
            ),
        ],
    },
    // Matomo: https://matomo.org/faq/general/faq_146/ ("What are the cookies created by Matomo
    // JavaScript Tracking client?"); Open Cookie Database, Platform "Matomo". The tracker names
    // its first-party cookies `_pk_<kind>.<site-id>.<domain-hash>`, hence the prefixes.
    // Left out: mtm_consent_removed and matomo_ignore (they only record an opt-out) and
    // matomo_sessid (nonce of the opt-out form on the Matomo server).
    Tracker {
        category: "matomo",
        cookies: &[
            (
                "_pk_id*",
                "Matomo",
                "Unique visitor ID and visitor details",
                "13 months",
            ),
            (
                "_pk_ref*",
                "Matomo",
                "Attribution: referrer of the first visit",
                "6 months",
            ),
            (
                "_pk_ses*",
                "Matomo",
                "Temporary data for the current visit",
                "30 minutes",
            ),
            (
                "_pk_cvar*",
                "Matomo",
                "Custom variables of the current visit",
                "30 minutes",
            ),
            (
                "_pk_hsr*",
                "Matomo",
                "Heatmap and Session Recording data",
                "30 minutes",
            ),
            (
                "_pk_testcookie*",
                "Matomo",
                "Checks that the browser supports cookies",
                "Deleted right after creation",
            ),
            (
                "_pk_uid",
                "Matomo",
                "Optional third-party visitor ID (Matomo server domain)",
                "Not stated in the FAQ",
            ),
            (
                "mtm_consent",
                "Matomo",
                "Remembers that tracking consent was given",
                "30 years",
            ),
            (
                "mtm_cookie_consent",
                "Matomo",
                "Remembers that cookie consent was given",
                "Forever (Open Cookie Database)",
            ),
        ],
    },
    // XiTi (xtcore.js, AT Internet's tag before SmartTag): no vendor cookie table was found.
    // xtvrn, xtan, xtant and xtidc are listed for Radio France's XiTi tag in tarteaucitron.js
    // (service "fculture", cookie policy https://www.radiofrance.com/politique-d-utilisation-
    // des-cookies-sur-les-sites-internet-du-groupe-radio-france) and occur in captured request
    // headers (`xtvrn=$483323$; xtan=-; xtant=1`). xtcore.js may suffix a site number
    // (`xtan<site>`), hence the prefixes. xtor* and xtdate* (campaign cookies) are unconfirmed
    // by any retrieved source. Lifetimes are not stated in the sources found.
    Tracker {
        category: "xiti",
        cookies: &[
            (
                "xtvrn",
                "AT Internet (XiTi)",
                "Site numbers already visited (inferred)",
                "Not stated",
            ),
            (
                "xtan*",
                "AT Internet (XiTi)",
                "Identified-visitor data (inferred)",
                "Not stated",
            ),
            // Already matched by `xtan*`; listed for the record.
            (
                "xtant*",
                "AT Internet (XiTi)",
                "Identified-visitor type (inferred)",
                "Not stated",
            ),
            (
                "xtidc",
                "AT Internet (XiTi)",
                "Client-side visitor ID",
                "Not stated",
            ),
            (
                "xtor*",
                "AT Internet (XiTi)",
                "Remanent campaign (xtor parameter)",
                "Not stated",
            ),
            (
                "xtdate*",
                "AT Internet (XiTi)",
                "Date of the remanent campaign",
                "Not stated",
            ),
        ],
    },
    // AT Internet SmartTag (smarttag.js): https://developers.atinternet-solutions.com/
    // as2-tagging-fr/javascript-fr/bien-commencer-javascript-fr/cookies-at-internet-javascript-fr/
    // (archived as https://github.com/at-internet/smarttag-documentation-archive/wiki/
    // AT-Internet-cookies); Open Cookie Database, Platform "AT Internet" (atidvisitor, atuserid).
    // The retrieved excerpt of that table stops at attvtreman; attvtsession and atwebosession
    // come from site code that deletes "all AT Internet cookies" (tarteaucitron.js service
    // "xiti_smarttag"; European Parliament privacy-policy script), without purpose or lifetime.
    Tracker {
        category: "at",
        cookies: &[
            (
                "atidvisitor",
                "AT Internet",
                "Sites seen by the visitor; identified-visitor data",
                "6 months (default, configurable)",
            ),
            (
                "atreman",
                "AT Internet",
                "Remembers a remanent attribution campaign",
                "30 days (default, configurable)",
            ),
            (
                "atredir",
                "AT Internet",
                "Information to pass on during a JS redirect",
                "30 seconds (default, configurable)",
            ),
            (
                "atsession",
                "AT Internet",
                "Campaigns already seen during the visit",
                "30 minutes (default, configurable)",
            ),
            // Shared family: set by SmartTag; Piano Analytics (piano-analytics-js, privacy
            // `legacyKeys`, exempt mode) reads and manages the same cookie, so it is listed once.
            (
                "atuserid",
                "AT Internet",
                "Client-side visitor ID",
                "13 months (default, configurable)",
            ),
            (
                "atauthority",
                "AT Internet",
                "Remembers the visitor's privacy mode",
                "13 months (default, configurable)",
            ),
            (
                "attvtreman",
                "AT Internet",
                "TV Tracking: remanent TV spot (inferred)",
                "30 days (default, configurable)",
            ),
            (
                "attvtsession",
                "AT Internet",
                "TV Tracking: spots seen in the visit (inferred)",
                "Not stated",
            ),
            (
                "atwebosession",
                "AT Internet",
                "SmartTag cookie, purpose undocumented",
                "Not stated",
            ),
            // Shared family: set by AT Internet's collection servers (custom collection domain)
            // for XiTi, SmartTag and Piano Analytics hits alike; documented by Piano as
            // "Legacy Server Side Visitor ID" (https://developers.atinternet-solutions.com/
            // piano-analytics/data-collection/general/cookie-storage). Listed once, here.
            (
                "idrxvr",
                "AT Internet",
                "Legacy server-side visitor ID",
                "13 months",
            ),
        ],
    },
    // Piano Analytics: https://developers.atinternet-solutions.com/piano-analytics/
    // data-collection/general/cookie-storage ("Client Side Cookies (JS SDK)", incl. "Before
    // 6.8.0"); at-internet/piano-analytics-js @4aa5647 (src/config.js, data-layer cookie
    // encoders, default lifetime 395 days); Open Cookie Database, Platform "Piano" (pa_user,
    // _pcid, _pctx, _pprv, _pcus). atuserid and idrxvr are read by Piano too: see "at" above.
    // Shared family: _pcid, _pctx, _pprv and _pcus are Piano's cross-product data layer
    // cookies, also used by other Piano products (Composer, ESP); they are listed once, here.
    Tracker {
        category: "piano",
        cookies: &[
            (
                "_pcid",
                "Piano",
                "Visitor (browser) ID",
                "13 months (default, configurable)",
            ),
            (
                "_pctx",
                "Piano",
                "Context shared between Piano SDKs",
                "13 months (default, configurable)",
            ),
            (
                "_pprv",
                "Piano",
                "Persists the consent mode",
                "13 months (default, configurable)",
            ),
            ("_pcus", "Piano", "User segments", "395 days (SDK default)"),
            (
                "pa_user",
                "Piano",
                "Stored user information",
                "13 months (default, configurable)",
            ),
            (
                "pa_vid",
                "Piano",
                "Visitor ID (SDK before 6.8.0)",
                "13 months (default, configurable)",
            ),
            (
                "pa_privacy",
                "Piano",
                "Persists the privacy mode (SDK before 6.8.0)",
                "13 months (default, configurable)",
            ),
        ],
    },
    // Eulerian Analytics: not in the Open Cookie Database. Eulerian's tarteaucitron.js
    // integration (https://eulerian.wiki/doku.php?id=fr:modules:collect:gdpr:tarteaucitron, as
    // reproduced in public site code) declares the single cookie `etuix`. No lifetime was found.
    Tracker {
        category: "eulerian",
        cookies: &[("etuix", "Eulerian", "Visitor identifier", "Not stated")],
    },
];
