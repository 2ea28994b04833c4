//! Skip, `prompt=login`, `max_age` and step-up: when a session is accepted, when Kratos is asked.

use std::time::Duration;

use super::{accepted_body, assert_accepted, assert_refresh_asked, login_via_kratos};
use crate::support::*;

/// `/login` for `challenge` with the session `token` and `reauth` (already URL-encoded).
async fn login_with_reauth(
    app: &TestApp,
    challenge: &str,
    reauth: &str,
    token: &str,
) -> reqwest::Response {
    let path = format!("{}&reauth={reauth}", login_path(challenge));
    app.get(&path, Some(&session_cookie(token))).await
}

#[tokio::test]
async fn skip_with_a_session_accepts_even_with_prompt_login() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(10_000);
    let challenge = app
        .hydra
        .add_login(LoginSpec::remembered(IDENTITY_ID, "max_age=5"));
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).contains("login_verifier="));
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn skip_without_a_session_goes_to_kratos() {
    let app = TestApp::spawn().await;
    let challenge = app.hydra.add_login(LoginSpec::remembered(IDENTITY_ID, ""));
    // A cookie whose session Kratos no longer knows: whoami answers 401.
    let response = app.login(&challenge, Some("revoked-session")).await;
    assert_eq!(response.status().as_u16(), 303);
    assert!(location(&response).starts_with(&app.kratos.login_browser_url()));
    assert_eq!(app.kratos.whoami_calls().len(), 1);
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn skip_with_another_users_session_follows_hydras_forced_login() {
    let app = TestApp::spawn().await;
    let token = app
        .kratos
        .add_session(IdentitySpec::new(OTHER_IDENTITY, None), 1, 30);
    let challenge = app.hydra.add_login(LoginSpec::remembered(IDENTITY_ID, ""));
    let response = app.login(&challenge, Some(&token)).await;
    assert_eq!(response.status().as_u16(), 303);
    let to = location(&response);
    assert!(
        to.contains("prompt=login") && !to.contains("login_verifier"),
        "{to}"
    );
}

#[tokio::test]
async fn prompt_login_round_trips_through_a_kratos_refresh() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let challenge = app.hydra.add_login(LoginSpec::asking("prompt=login"));
    let first = app.login(&challenge, Some(&token)).await;
    assert_eq!(first.status().as_u16(), 303);
    let to = location(&first);
    assert_eq!(query_param(&to, "refresh").as_deref(), Some("true"));
    assert!(
        app.hydra.accepted_logins().is_empty(),
        "no accept before re-authentication"
    );

    // The browser goes to Kratos, re-authenticates, and is sent back.
    let done = app.via_kratos(&to, Some(&session_cookie(&token))).await;
    assert_accepted(done, &app, &challenge).await;
    assert_eq!(accepted_body(&app, &challenge)["subject"], IDENTITY_ID);
}

#[tokio::test]
async fn a_refresh_that_did_not_happen_is_not_accepted_and_does_not_loop() {
    let app = TestApp::spawn().await;
    app.kratos.set_lazy_refresh(true);
    let token = app.signed_in(60);
    let challenge = app.hydra.add_login(LoginSpec::asking("prompt=login"));
    let (_, back) = login_via_kratos(&app, &challenge, &token).await;
    let body = assert_page(back, 403, "did not complete").await;
    assert!(body.contains("Sign in again"));
    assert!(app.hydra.accepted_logins().is_empty());
}

#[tokio::test]
async fn a_forged_reauth_token_counts_for_nothing() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let challenge = app.hydra.add_login(LoginSpec::asking("prompt=login"));
    let forged = "eyJhbGciOiJIUzI1NiJ9.eyJ0IjowfQ.c2lnbmF0dXJl";
    let response = login_with_reauth(&app, &challenge, forged, &token).await;
    assert_refresh_asked(&app, &response);
}

#[tokio::test]
async fn a_reauth_token_of_another_challenge_counts_for_nothing() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let spec = LoginSpec::asking("prompt=login");
    let a = app.hydra.add_login(spec.clone());
    let b = app.hydra.add_login(spec);
    let first = app.login(&a, Some(&token)).await;
    let return_to = query_param(&location(&first), "return_to").unwrap();
    let reauth = query_param(&return_to, "reauth").unwrap();
    // Re-authenticate for real, then present a's token with b.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let fresh = app.signed_in(0);
    let response = login_with_reauth(&app, &b, &encode(&reauth), &fresh).await;
    assert_refresh_asked(&app, &response);
}

#[tokio::test]
async fn max_age_decides_between_accept_and_refresh() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(120);
    let old = app.hydra.add_login(LoginSpec::asking("max_age=60"));
    let response = app.login(&old, Some(&token)).await;
    assert_refresh_asked(&app, &response);
    let fine = app.hydra.add_login(LoginSpec::asking("max_age=3600"));
    let response = app.login(&fine, Some(&token)).await;
    assert!(location(&response).contains("login_verifier="));
}

#[tokio::test]
async fn always_reauthenticate_refreshes_non_skipped_logins() {
    let app = TestApp::against(HydraVersion::Strict)
        .env("BRIDGE__LOGIN__REAUTHENTICATE", "always")
        .spawn()
        .await;
    let token = app.signed_in(5);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let response = app.login(&challenge, Some(&token)).await;
    assert_refresh_asked(&app, &response);
}

#[tokio::test]
async fn acr_values_aal2_steps_up_and_reports_the_new_level() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let challenge = app.hydra.add_login(LoginSpec {
        acr_values: vec!["aal2".into()],
        ..LoginSpec::default()
    });
    let (to, done) = login_via_kratos(&app, &challenge, &token).await;
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    assert_accepted(done, &app, &challenge).await;
    let body = accepted_body(&app, &challenge);
    assert_eq!(body["acr"], "aal2");
    assert_eq!(body["amr"], serde_json::json!(["password", "totp"]));
}

#[tokio::test]
async fn whoami_aal2_required_sends_the_browser_to_step_up() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    app.kratos.require_aal2(&token);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let (to, done) = login_via_kratos(&app, &challenge, &token).await;
    assert!(to.starts_with(&app.kratos.login_browser_url()));
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    assert_accepted(done, &app, &challenge).await;
    assert_eq!(accepted_body(&app, &challenge)["acr"], "aal2");
}

#[tokio::test]
async fn a_step_up_does_not_skip_prompt_login() {
    let app = TestApp::spawn().await;
    let token = app.signed_in(7_200);
    app.kratos.require_aal2(&token);
    let challenge = app.hydra.add_login(LoginSpec::asking("prompt=login"));
    let (to, done) = login_via_kratos(&app, &challenge, &token).await;
    assert_eq!(query_param(&to, "aal").as_deref(), Some("aal2"));
    assert_eq!(query_param(&to, "refresh").as_deref(), Some("true"));
    assert_accepted(done, &app, &challenge).await;
    assert_eq!(accepted_body(&app, &challenge)["acr"], "aal2");
}

#[tokio::test]
async fn full_chain_from_no_session_to_hydra() {
    let app = TestApp::against(HydraVersion::Strict)
        .use_external_id()
        .spawn()
        .await;
    app.kratos
        .set_next_login(IdentitySpec::new(IDENTITY_ID, Some(EXTERNAL_ID)));
    let challenge = app.hydra.add_login(LoginSpec::asking("prompt=login"));
    let first = app.login(&challenge, None).await;
    // Logged in just now: prompt=login is satisfied without a second round.
    let (_, done) = app.sign_in_via_kratos(&location(&first)).await;
    assert_accepted(done, &app, &challenge).await;
    assert_eq!(accepted_body(&app, &challenge)["subject"], EXTERNAL_ID);
    assert!(
        app.kratos
            .login_browser_queries()
            .iter()
            .all(|q| !q.contains("login_challenge="))
    );
}

#[tokio::test]
async fn a_session_cookie_kratos_never_sees_does_not_loop() {
    // Kratos has a session, but the cookie does not reach the bridge (cookie domain misconfigured).
    let app = TestApp::spawn().await;
    let token = app.signed_in(60);
    let challenge = app.hydra.add_login(LoginSpec::default());
    let first = app.login(&challenge, None).await;
    let kratos = app
        .follow(&location(&first), Some(&session_cookie(&token)))
        .await;
    assert_eq!(kratos.status().as_u16(), 303);
    let back = app.follow(&location(&kratos), None).await;
    assert_page(back, 403, "did not complete").await;
}
