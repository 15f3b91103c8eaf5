//! The demo's `/cookie-inventory` page shows the cookie the shop sets
//! without declaring it, as the consent layer recorded it.

#[allow(dead_code, unreachable_pub)]
#[path = "../examples/axum/app/mod.rs"]
mod app;

use http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

async fn get(router: &axum::Router, path: &str) -> (StatusCode, String) {
    let request = Request::get(path)
        .header(header::HOST, "127.0.0.1:3000")
        .body(axum::body::Body::empty())
        .expect("a valid request");
    let response = router.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let body = response.into_body().collect().await.expect("a body");
    (
        status,
        String::from_utf8_lossy(&body.to_bytes()).into_owned(),
    )
}

#[tokio::test]
async fn the_inventory_page_lists_the_undeclared_cookie() {
    let policy = app::load_policy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/policy.toml"),
        None,
    )
    .expect("the example policy loads");
    let router = app::app(policy);

    let (status, body) = get(&router, "/cookie-inventory").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<code>_fbp</code>"), "nothing seen yet");

    // Offers sets Meta's `_fbp`, which the policy does not declare.
    let (status, _) = get(&router, "/offers").await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = get(&router, "/cookie-inventory").await;
    assert!(body.contains("<code>_fbp</code>"), "{body}");
    // Stripped once, kept never, and the database's guess.
    assert!(body.contains("<td>0</td><td>1</td>"), "{body}");
    assert!(body.contains("Marketing"), "{body}");
    assert!(body.contains("<code>/offers</code>"), "{body}");
}
