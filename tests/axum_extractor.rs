//! `Consent` as an axum extractor, through a real `Router`, with and
//! without the layer.
#![cfg(feature = "axum")]

mod common;

use axum::body::Body;
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::get;
use axum::Router;
use http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_cookie_consent::{Consent, CookieConsentLayer, MissingConsentLayer};

async fn required(consent: Consent) -> String {
    format!(
        "set={} granted={}",
        consent.is_set(),
        consent.categories().collect::<Vec<_>>().join(",")
    )
}

async fn optional(consent: Option<Consent>) -> String {
    match consent {
        Some(consent) => format!(
            "some granted={}",
            consent.categories().collect::<Vec<_>>().join(",")
        ),
        None => "none".to_owned(),
    }
}

async fn tracking_page(consent: Consent) -> impl IntoResponse {
    let script = if consent.allows("statistics") {
        "<script src=/matomo.js></script>"
    } else {
        ""
    };
    (
        AppendHeaders([
            (header::SET_COOKIE, "sessionid=s"),
            (header::SET_COOKIE, "_pk_id.1.abcd=p"),
            (header::SET_COOKIE, "_hjid=h"),
        ]),
        script,
    )
}

fn routes() -> Router {
    Router::new()
        .route("/required", get(required))
        .route("/optional", get(optional))
        .route("/page", get(tracking_page))
}

fn with_layer() -> Router {
    routes().layer(CookieConsentLayer::new(common::seed_policy()))
}

async fn call(app: Router, uri: &str, cookie: Option<&str>) -> (StatusCode, Vec<String>, String) {
    let mut req = Request::builder().uri(uri);
    if let Some(cookie) = cookie {
        req = req.header(header::COOKIE, cookie);
    }
    let res: Response<Body> = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = res.status();
    let set_cookies = common::set_cookie_strings(res.headers());
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        set_cookies,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

#[tokio::test]
async fn consent_is_extracted_behind_the_layer() {
    let (status, _, body) = call(
        with_layer(),
        "/required",
        Some("cookies_preferences=statistics,marketing"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "set=true granted=statistics,marketing");

    let (status, _, body) = call(with_layer(), "/required", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "set=false granted=");
}

#[tokio::test]
async fn without_the_layer_the_extractor_rejects_with_500() {
    let (status, _, body) = call(routes(), "/required", Some("cookies_preferences=all")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, MissingConsentLayer::default().to_string());
    assert!(body.contains("CookieConsentLayer"), "{body}");
    assert!(body.contains("missing"), "{body}");
}

#[tokio::test]
async fn the_rejection_is_a_500_response() {
    let res = MissingConsentLayer::default().into_response();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, MissingConsentLayer::default().to_string());
}

#[tokio::test]
async fn optional_consent_is_some_behind_the_layer_and_none_without() {
    let (status, _, body) = call(with_layer(), "/optional", Some("cookies_preferences=all")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "some granted=statistics,marketing");

    let (status, _, body) = call(with_layer(), "/optional", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "some granted=");

    let (status, _, body) = call(routes(), "/optional", Some("cookies_preferences=all")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "none");
}

#[tokio::test]
async fn a_router_behind_the_layer_is_filtered() {
    let (status, set_cookies, body) = call(
        with_layer(),
        "/page",
        Some("cookies_preferences=statistics"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(set_cookies, ["sessionid=s", "_pk_id.1.abcd=p"]);
    assert_eq!(body, "<script src=/matomo.js></script>");

    let (_, set_cookies, body) = call(with_layer(), "/page", None).await;
    assert_eq!(set_cookies, ["sessionid=s"]);
    assert_eq!(body, "");
}
