//! GET /login against fake Hydra and Kratos, by topic; the page and accept checks they share.

mod challenge;
mod faults;
mod reauth;
mod subject;

use crate::support::*;
use serde_json::Value;

fn session_cookie(token: &str) -> String {
    format!("{}={token}", fake_kratos::COOKIE_NAME)
}

fn accepted_body(app: &TestApp, challenge: &str) -> Value {
    let accepted = app.hydra.accepted_logins();
    assert_eq!(accepted.len(), 1, "exactly one accept: {accepted:?}");
    assert_eq!(accepted[0].0, challenge);
    accepted[0].1.clone()
}

async fn assert_page(response: reqwest::Response, status: u16, needle: &str) -> String {
    assert_eq!(response.status().as_u16(), status);
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert_eq!(response.headers().get("x-frame-options").unwrap(), "DENY");
    assert_eq!(response.headers().get("cache-control").unwrap(), "no-store");
    let csp = response
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"));
    let body = response.text().await.unwrap();
    assert!(body.contains(needle), "page lacks {needle:?}: {body}");
    assert!(
        !body.contains("secret-upstream-body"),
        "upstream body echoed"
    );
    body
}
