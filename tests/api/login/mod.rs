//! GET /login and /registration against fake Hydra and Kratos, by topic, and the flows against every
//! supported Ory version (`compat`); the page and accept checks they share.

mod challenge;
mod compat;
mod demands;
mod faults;
mod id_token_hint;
mod prompt_none;
mod reauth;
mod registration;
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

/// The login request `challenge` was rejected with `error` before anything was accepted, and the
/// browser went to Hydra's `redirect_to`, never to Kratos. Returns the reject's body.
fn assert_rejected(
    app: &TestApp,
    response: &reqwest::Response,
    challenge: &str,
    error: &str,
) -> Value {
    assert_eq!(response.status().as_u16(), 303);
    let to = location(response);
    assert!(!to.starts_with(&app.kratos.url), "sent to Kratos: {to}");
    // Hydra answers a reject with its own URL, and sends the error on to the application itself.
    assert!(
        to.starts_with(&format!("{}/oauth2/auth?", fake_hydra::PUBLIC_URL))
            && to.contains("login_verifier="),
        "{to}"
    );
    let rejected = app.hydra.rejected_logins();
    let (rejected_challenge, body) = rejected.last().expect("a reject");
    assert_eq!(rejected_challenge, challenge);
    assert_eq!(body["error"], error, "{body}");
    let description = body["error_description"].as_str().unwrap_or_default();
    assert!(!description.is_empty(), "{body}");
    assert!(
        app.hydra
            .calls()
            .iter()
            .all(|c| !(c.path.ends_with("/login/accept")
                && c.challenge.as_deref() == Some(challenge))),
        "an accept was tried first"
    );
    body.clone()
}
