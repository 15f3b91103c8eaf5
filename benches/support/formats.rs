//! One fixture per consent format: the steady-state policy (S5's, which
//! declares every cookie of the typical request) read in that format, and a returning visitor's `Cookie` header whose consent cookie,
//! as the banner writes it, grants statistics only. Shared by the
//! allocation test and the `consent` benchmark group.

use tower_cookie_consent::{ConsentFormat, Policy};

use super::{typical_cookie_header, typical_policy_builder};

/// A consent format's fixture.
pub struct FormatCase {
    pub format: ConsentFormat,
    pub policy: Policy,
    /// The typical `Cookie` header, with this format's consent cookie.
    pub cookie_header: String,
}

/// (aliases, consent cookie pair) per format, in [`ConsentFormat::ALL`]
/// order.
fn consent_pair(format: ConsentFormat) -> (&'static [(&'static str, &'static str)], String) {
    match format {
        ConsentFormat::Auto => (&[], "cookies_preferences=statistics".into()),
        ConsentFormat::Cookiebot => (
            &[],
            "CookieConsent={stamp:%27oJ35SLjkzW4RaUoGqC9nv0TjIDn9KP4raUYB5i2R9p0pT/40h2LtBg==%27%2Cnecessary:true%2Cpreferences:false%2Cstatistics:true%2Cmarketing:false%2Cmethod:%27explicit%27%2Cver:4%2Cutc:1666875104776%2Cregion:%27gb%27}".into(),
        ),
        ConsentFormat::OneTrust => (
            &[("C0002", "statistics"), ("C0004", "marketing"), ("C0005", "marketing")],
            "OptanonConsent=isGpcEnabled=0&datestamp=Sun+Apr+06+2025+17%3A01%3A47+GMT%2B0200+(heure+d%E2%80%99%C3%A9t%C3%A9+d%E2%80%99Europe+centrale)&version=202312.1.0&browserGpcFlag=0&isIABGlobal=false&consentId=6f525989-ed1c-4c6d-9436-68dc67c35c54&interactionCount=18&hosts=&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A1%2CC0003%3A0%2CC0004%3A0%2CC0005%3A0%2CV2STACK42%3A0&genVendors=V2%3A0%2CV1%3A0%2C&geolocation=FR%3B&AwaitingReconsent=false".into(),
        ),
        ConsentFormat::Orestbida => (
            &[("analytics", "statistics")],
            "cc_cookie=%7B%22categories%22%3A%5B%22necessary%22%2C%22analytics%22%5D%2C%22revision%22%3A1%2C%22data%22%3Anull%2C%22consentTimestamp%22%3A%222024-11-20T19%3A02%3A36.823Z%22%2C%22consentId%22%3A%2212fd04af-4af6-48a3-8531-b7cf317849d1%22%2C%22services%22%3A%7B%22necessary%22%3A%5B%5D%2C%22analytics%22%3A%5B%5D%2C%22marketing%22%3A%5B%22hotjar%22%5D%7D%2C%22lastConsentTimestamp%22%3A%222024-11-20T19%3A02%3A36.823Z%22%2C%22expirationTime%22%3A1747854156824%7D".into(),
        ),
        ConsentFormat::Klaro => (
            &[("matomo", "statistics"), ("hotjar", "marketing"), ("hubspot", "marketing")],
            "klaro=%7B%22klaro%22%3Atrue%2C%22matomo%22%3Atrue%2C%22hotjar%22%3Afalse%2C%22hubspot%22%3Afalse%7D".into(),
        ),
        ConsentFormat::DjangoCookieConsent => (
            &[],
            "cookie_consent=\"statistics=2024-02-29T23:59:59.123456+00:00|marketing=-1\"".into(),
        ),
        ConsentFormat::GovUk => (
            &[("usage", "statistics"), ("campaigns", "marketing")],
            r#"cookies_preferences_set=true; cookies_policy={"essential":true,"settings":false,"usage":true,"campaigns":false}"#.into(),
        ),
        ConsentFormat::CookieYes => (
            &[("analytics", "statistics"), ("advertisement", "marketing")],
            "cookieyes-consent=consentid:YjZOTmFPc2pXWHFmM0hBbTRsZ1ZvS2VxZDZyR0hTb0E,consent:yes,action:yes,necessary:yes,functional:no,analytics:yes,performance:no,advertisement:no,other:no,lastRenewedDate:1728636632000".into(),
        ),
        ConsentFormat::Complianz => (
            &[],
            "cmplz_banner-status=dismissed; cmplz_policy_id=14; cmplz_functional=allow; cmplz_preferences=deny; cmplz_statistics=allow; cmplz_marketing=deny".into(),
        ),
        ConsentFormat::Tcf => (
            // The captured string consents to purposes 1 to 10.
            &[("purpose:8", "statistics"), ("purpose:11", "marketing")],
            "euconsent-v2=CPZ1YkAPZ1YkAAHABBENCRCsAP_AAAAAAAAAIxtf_X__b3_j-_5___t0eY1f9_7__-0zjhfdt-8N3f_X_L8X_2M7vF36pq4KuR4Eu3LBIQdlHOHcTUmw6okVrzPsbk2cr7NKJ7PEmnMbe2dYGH9_n93T-ZKY7_____77__-_______f__-_f___5_3__-_f_V_997bn9_____9_P___9v__9_________4AAACSUAGAAIIxhoAMAAQRjFQAYAAgjGUgAwABBGMdABgACCMZCADAAEEYwkAGAAIIxiIAMAAQRjGQAYAAgjGAA.f_gAAAAAAAAA".into(),
        ),
        // A format added later needs a fixture here.
        _ => (&[], String::new()),
    }
}

/// Every format's fixture.
pub fn format_cases() -> Vec<FormatCase> {
    ConsentFormat::ALL
        .iter()
        .copied()
        .map(|format| {
            let (aliases, pair) = consent_pair(format);
            let mut builder = typical_policy_builder().consent_format(format);
            for (alias, category) in aliases {
                builder = builder.alias(*alias, *category);
            }
            let cookie_header = typical_cookie_header("statistics")
                .replace("cookies_preferences=statistics", &pair);
            FormatCase {
                format,
                policy: builder.build().expect("valid policy"),
                cookie_header,
            }
        })
        .collect()
}
