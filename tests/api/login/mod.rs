//! Signing in: GET /login and /registration, by topic, and the flows on all Ory versions (compat).
//!
//! The helpers here check where the browser is sent and what Hydra was answered.

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
use base64::Engine;
use serde_json::{Value, json};

/// A signed request object as an application sends it (Hydra verified the signature already).
fn request_object(claims: &Value) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.c2lnbmF0dXJl",
        b64.encode(json!({ "alg": "RS256", "kid": "k1" }).to_string()),
        b64.encode(claims.to_string())
    )
}

/// The login of `challenge`, with the session `token`, sent to Kratos and back: the URL the bridge
/// sent the browser to, and the bridge's answer when the browser returned.
async fn login_via_kratos(
    app: &TestApp,
    challenge: &str,
    token: &str,
) -> (String, reqwest::Response) {
    let first = app.login(challenge, Some(token)).await;
    assert_eq!(first.status().as_u16(), 303);
    let to = location(&first);
    let back = app.via_kratos(&to, Some(&session_cookie(token))).await;
    (to, back)
}

/// The browser goes on to Hydra with a verifier for `challenge`.
async fn assert_accepted(response: reqwest::Response, app: &TestApp, challenge: &str) {
    let status = response.status().as_u16();
    let to = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    let body = response.text().await.unwrap_or_default();
    assert_eq!(status, 303, "{body}");
    let to = to.unwrap_or_default();
    assert!(to.contains("login_verifier="), "{to}");
    let accepted = app.hydra.accepted_logins();
    assert!(accepted.iter().any(|(c, _)| c == challenge), "{accepted:?}");
}

/// The bridge sent the browser to the Kratos flow at `flow_url`, to come back to `/login` for
/// `challenge` with a token that only a sign-in after this one satisfies. Returns where to.
fn assert_sent_to_kratos(
    app: &TestApp,
    response: &reqwest::Response,
    flow_url: &str,
    challenge: &str,
) -> String {
    assert_eq!(response.status().as_u16(), 303);
    let to = location(response);
    assert!(to.starts_with(&format!("{flow_url}?")), "{to}");
    assert_eq!(
        query_param(&to, "login_challenge"),
        None,
        "Kratos must never see the challenge"
    );
    let return_to = query_param(&to, "return_to").unwrap();
    assert!(
        return_to.starts_with(&format!("{}/login?", app.address)),
        "{return_to}"
    );
    assert_eq!(
        query_param(&return_to, "login_challenge").as_deref(),
        Some(challenge)
    );
    assert!(
        query_param(&return_to, "reauth").is_some(),
        "only a sign-in after this one counts"
    );
    to
}

/// Kratos is asked for the `schema`'s flow, and the way back keeps it.
fn assert_identity_schema(to: &str, schema: &str) {
    assert_eq!(query_param(to, "identity_schema").as_deref(), Some(schema));
    let return_to = query_param(to, "return_to").unwrap();
    assert_eq!(
        query_param(&return_to, "identity_schema").as_deref(),
        Some(schema)
    );
}

/// What a reject tells the application, in words.
fn description(body: &Value) -> &str {
    body["error_description"].as_str().unwrap_or_default()
}

/// The bridge sends the browser to Kratos for a fresh sign-in, and accepts nothing yet.
fn assert_refresh_asked(app: &TestApp, response: &reqwest::Response) {
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        query_param(&location(response), "refresh").as_deref(),
        Some("true")
    );
    assert!(app.hydra.accepted_logins().is_empty());
}

fn accepted_body(app: &TestApp, challenge: &str) -> Value {
    let accepted = app.hydra.accepted_logins();
    assert_eq!(accepted.len(), 1, "exactly one accept: {accepted:?}");
    assert_eq!(accepted[0].0, challenge);
    accepted[0].1.clone()
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
    assert!(!description(body).is_empty(), "{body}");
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
